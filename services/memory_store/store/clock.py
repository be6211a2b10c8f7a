"""Time as the store sees it: integer microseconds since the Unix epoch.

Every timestamp the store writes comes from one injected clock rather than from the
database's own `now()`, so that both backends agree to the microsecond and tests can move
time forward (TTL expiry, lease expiry, retry delays) without sleeping.
"""

from __future__ import annotations

import time
from typing import Protocol

from google.protobuf import duration_pb2, timestamp_pb2

MICROS_PER_SECOND = 1_000_000


class Clock(Protocol):
    def now_us(self) -> int: ...


class SystemClock:
    def now_us(self) -> int:
        return time.time_ns() // 1_000


def micros_from_timestamp(timestamp: timestamp_pb2.Timestamp) -> int:
    return timestamp.seconds * MICROS_PER_SECOND + timestamp.nanos // 1_000


def timestamp_from_micros(micros: int) -> timestamp_pb2.Timestamp:
    seconds, remainder = divmod(micros, MICROS_PER_SECOND)
    return timestamp_pb2.Timestamp(seconds=seconds, nanos=remainder * 1_000)


def micros_from_duration(duration: duration_pb2.Duration) -> int:
    return duration.seconds * MICROS_PER_SECOND + duration.nanos // 1_000


def seconds_to_micros(seconds: float) -> int:
    return int(seconds * MICROS_PER_SECOND)
