"""The index-sync handler: applies memory-store's outbox jobs (queue "search") to the index.

memory.upserted: the memory is read back from memory-store (the source of truth) and
indexed if newer than the indexed version; if it is gone meanwhile it is removed.
memory.deleted: removed from the index. Both are idempotent, so a job delivered twice (a
lease that expired mid-work) does no harm, and a backlog built while the index was down is
simply worked off once it is back: jobs that met a down index or memory-store go back
without spending an attempt (memgrid_runtime.job_worker owns leasing and settling).
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from memgrid.memory.v1 import job_pb2
from memgrid_runtime.job_worker import JobWorker, JobWorkerSettings, LeasedBatch

from services.search.index_writer import IndexWriter
from services.search.memory_store_client import MemoryStoreClient

log = logging.getLogger(__name__)

QUEUE = "search"
UPSERTED = "memory_upserted"
DELETED = "memory_deleted"
IGNORED_NOTE = "not a search topic; ignored"


@dataclass(frozen=True)
class SyncSettings:
    worker_id: str = "search-sync"
    batch_size: int = 100
    visibility_timeout_seconds: int = 60
    # Pause after an empty lease (a waiting lease makes it rare).
    idle_seconds: float = 0.2
    # Backoff after memory-store itself failed.
    error_backoff_seconds: float = 1.0
    # Delay before a failed job is retried, and the first pause after an outage.
    retry_after_seconds: int = 2

    def worker(self) -> JobWorkerSettings:
        return JobWorkerSettings(
            queue=QUEUE,
            worker_id=self.worker_id,
            batch_size=self.batch_size,
            visibility_timeout_seconds=self.visibility_timeout_seconds,
            idle_seconds=self.idle_seconds,
            error_backoff_seconds=self.error_backoff_seconds,
            retry_after_seconds=self.retry_after_seconds,
            outage_backoff_seconds=self.retry_after_seconds,
        )


def _changed_memory(job: job_pb2.Job, case: str) -> str:
    """The id of the memory that `job`'s event says was changed the way `case` names."""
    if job.event.WhichOneof("event") != case:
        return ""
    changed: job_pb2.MemoryChanged = getattr(job.event, case)
    return changed.memory_id


class IndexSyncWorker:
    def __init__(
        self, memory_store: MemoryStoreClient, writer: IndexWriter, settings: SyncSettings
    ) -> None:
        self._store = memory_store
        self._writer = writer
        self.jobs = JobWorker(memory_store.stub, self._handle, settings.worker())

    async def run_once(self) -> int:
        """Leases one batch and applies it; returns how many jobs were leased."""
        return await self.jobs.run_once()

    async def run_forever(self, stop: asyncio.Event) -> None:
        await self.jobs.run(stop)

    async def _handle(self, batch: LeasedBatch) -> None:
        by_tenant: dict[str, list[job_pb2.Job]] = defaultdict(list)
        for job in batch.jobs:
            by_tenant[job.tenant_id].append(job)
        for tenant_id, tenant_jobs in by_tenant.items():
            await self._apply(batch, tenant_id, tenant_jobs)

    async def _apply(self, batch: LeasedBatch, tenant_id: str, jobs: Sequence[job_pb2.Job]) -> None:
        upserts = {_changed_memory(j, UPSERTED) for j in jobs} - {""}
        deletes = {_changed_memory(j, DELETED) for j in jobs} - {""}
        handled = [j for j in jobs if _changed_memory(j, UPSERTED) or _changed_memory(j, DELETED)]
        ignored = [j for j in jobs if j not in handled]
        try:
            if upserts:
                memories, missing = await self._store.batch_get(tenant_id, sorted(upserts))
                await self._writer.write(tenant_id, memories)
                deletes.update(missing)
            if deletes:
                await self._writer.remove(tenant_id, sorted(deletes))
        except Exception as error:
            # The index (or memory-store) is down: the jobs go back to be retried later;
            # memory-store keeps them, so nothing is lost.
            log.warning("index sync for tenant %s failed, retrying later: %s", tenant_id, error)
            await batch.fail_with(handled, error)
        else:
            await batch.ack(handled)
        await batch.ack(ignored, note=IGNORED_NOTE)
