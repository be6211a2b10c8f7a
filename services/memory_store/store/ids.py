"""Server-assigned identifiers: UUIDv7 strings, time-ordered so that ids sort by creation."""

from __future__ import annotations

import secrets
import threading
import time
import uuid

_MAX_SEQUENCE = 0xFFF


class TimeOrderedIds:
    """Makes UUIDv7 ids (RFC 9562) that increase strictly within this process.

    The 12-bit rand_a field holds a counter within each millisecond (RFC 9562 method 1), so
    ids made in one batch keep their request order; keyset pagination and export by id rely
    on that order.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last_millis = 0
        self._sequence = 0

    def new(self) -> str:
        with self._lock:
            millis = time.time_ns() // 1_000_000
            if millis > self._last_millis:
                self._last_millis = millis
                # Start low in the counter range so a burst in one millisecond rarely
                # overflows into the next.
                self._sequence = secrets.randbits(8)
            elif self._sequence < _MAX_SEQUENCE:
                self._sequence += 1
            else:
                self._last_millis += 1
                self._sequence = 0
            millis, sequence = self._last_millis, self._sequence
        value = (
            (millis << 80) | (0x7 << 76) | (sequence << 64) | (0b10 << 62) | secrets.randbits(62)
        )
        return str(uuid.UUID(int=value))
