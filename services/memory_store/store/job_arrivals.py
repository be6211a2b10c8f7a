"""Wakes the LeaseJobs calls that wait on a queue when this process commits a job to it.

A waiting lease watches its queue *before* it looks for jobs, so a job committed between
its empty look and its wait still wakes it. Jobs committed through another memory-store
replica (PostgreSQL) or becoming available later (a retry delay) send no signal here;
waiting leases look again every poll interval to catch those.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterable


class JobArrivals:
    def __init__(self) -> None:
        self._waiting: dict[str, asyncio.Event] = {}

    def watch(self, queue: str) -> asyncio.Event:
        """The event the next arrival in `queue` sets; shared by every watcher of the queue."""
        event = self._waiting.get(queue)
        if event is None:
            event = self._waiting[queue] = asyncio.Event()
        return event

    def announce(self, queues: Iterable[str]) -> None:
        for queue in queues:
            event = self._waiting.pop(queue, None)
            if event is not None:
                event.set()

    def close(self) -> None:
        """Wakes every waiter, so a shutting-down store holds no call."""
        self.announce(list(self._waiting))


async def wait_for(event: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(event.wait(), seconds)
