"""Waiting for memory-store's outbox to drain, so that a backlog left by one phase of a
benchmark does not run (and use the cores) during the next."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

from memgrid.memory.v1 import request_response_pb2 as memory_rr
from memgrid.memory.v1.service_pb2_grpc import MemoryStoreServiceStub
from memgrid_suite.launcher import Suite

if TYPE_CHECKING:
    from memgrid.memory.v1.service_pb2_grpc import MemoryStoreServiceAsyncStub


async def wait_drained(
    suite: Suite,
    queues: Sequence[str] = (),
    *,
    timeout: float = 600.0,
    poll_seconds: float = 0.5,
    empty_polls: int = 1,
) -> float:
    """Until none of `queues` (every queue when empty) has a job pending or leased, on
    `empty_polls` polls in a row; returns the seconds waited. Two polls in a row rule out
    the moment between a consumer's ack and the jobs its work enqueues (a consolidation
    pass's derived memories). RuntimeError after `timeout` seconds."""
    started = time.monotonic()
    empty = 0
    async with suite.internal_channel("memory-store") as channel:
        store: MemoryStoreServiceAsyncStub = MemoryStoreServiceStub(channel)
        while True:
            reply = await store.GetQueueStats(
                memory_rr.GetQueueStatsRequest(queues=list(queues)), timeout=60
            )
            empty = empty + 1 if all(s.pending + s.leased == 0 for s in reply.stats) else 0
            if empty >= empty_polls:
                return time.monotonic() - started
            if time.monotonic() - started > timeout:
                left = ", ".join(f"{s.queue} {s.pending + s.leased}" for s in reply.stats)
                raise RuntimeError(f"the outbox is not drained after {timeout:.0f} s ({left})")
            await asyncio.sleep(poll_seconds)
