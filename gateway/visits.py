"""The visits that searches make, recorded in batches rather than one write per Search.

Heat (MemoryOS's visit counts) is a ranking hint: a Search should not pay a memory-store
write for it, nor should a burst of searches queue as many writes. The buffer counts each
tenant's visited ids and sends, every `flush_seconds`, one RecordVisits per tenant and visit
count (RecordVisitsRequest.visits). A crash loses at most one window of heat, never data.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import TYPE_CHECKING

import grpc
from memgrid.memory.v1 import request_response_pb2 as store

if TYPE_CHECKING:
    from memgrid.memory.v1.service_pb2_grpc import MemoryStoreServiceAsyncStub

log = logging.getLogger(__name__)

# memory-store's batch limit (MEMGRID_MAX_BATCH) is 1000 by default; a flush never sends more.
_IDS_PER_CALL = 500


class VisitBuffer:
    def __init__(
        self,
        memory_store: MemoryStoreServiceAsyncStub,
        *,
        flush_seconds: float,
        call_timeout_seconds: float,
        max_pending_ids: int = 10_000,
    ) -> None:
        self._store = memory_store
        self._flush_seconds = flush_seconds
        self._timeout = call_timeout_seconds
        # Past this many distinct ids a flush starts early, so memory stays bounded.
        self._max_pending_ids = max_pending_ids
        self._pending: defaultdict[str, Counter[str]] = defaultdict(Counter)
        self._pending_ids = 0
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def add(self, tenant_id: str, memory_ids: Sequence[str]) -> None:
        """Counts one visit to each id (once per call, as one Search returns it once)."""
        if not memory_ids:
            return
        counts = self._pending[tenant_id]
        for memory_id in dict.fromkeys(memory_ids):
            if memory_id not in counts:
                self._pending_ids += 1
            counts[memory_id] += 1
        if self._flush_seconds <= 0 or self._pending_ids >= self._max_pending_ids:
            self._wake.set()
        self._ensure_running()

    async def flush(self) -> None:
        """Sends what is pending now; failures are logged (heat is best effort)."""
        pending, self._pending, self._pending_ids = self._pending, defaultdict(Counter), 0
        for tenant_id, counts in pending.items():
            by_visits: defaultdict[int, list[str]] = defaultdict(list)
            for memory_id, visits in counts.items():
                by_visits[visits].append(memory_id)
            for visits, ids in by_visits.items():
                for start in range(0, len(ids), _IDS_PER_CALL):
                    await self._record(tenant_id, ids[start : start + _IDS_PER_CALL], visits)

    async def close(self) -> None:
        """Stops the flusher and sends what is left (the gateway's shutdown)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self.flush()

    def _ensure_running(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._flush_periodically())

    async def _flush_periodically(self) -> None:
        while self._pending_ids:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self._flush_seconds):
                    await self._wake.wait()
            self._wake.clear()
            await self.flush()

    async def _record(self, tenant_id: str, ids: list[str], visits: int) -> None:
        try:
            await self._store.RecordVisits(
                store.RecordVisitsRequest(
                    tenant_id=tenant_id, ids=ids, interaction_length=1, visits=visits
                ),
                timeout=self._timeout,
            )
        except grpc.aio.AioRpcError as error:
            log.warning("recording %d visits failed: %s", len(ids), error.details())
