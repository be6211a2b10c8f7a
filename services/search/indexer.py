"""The index-sync worker: applies memory-store's outbox jobs (queue "search") to the index.

memory.upserted: the memory is read back from memory-store (the source of truth) and
indexed if newer than the indexed version; if it is gone meanwhile it is removed.
memory.deleted: removed from the index. Both are idempotent, so a job delivered twice (a
lease that expired mid-work) does no harm, and a backlog built while the index was down is
simply worked off once it is back.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from memgrid.memory.v1 import job_pb2
from memgrid_runtime.errors import MemgridError

from services.search.index_writer import IndexWriter
from services.search.memory_store_client import MemoryStoreClient
from services.search.metrics import INDEX_SYNC_JOBS

log = logging.getLogger(__name__)

QUEUE = "search"
UPSERTED = "memory.upserted"
DELETED = "memory.deleted"


@dataclass(frozen=True)
class SyncSettings:
    worker_id: str = "search-sync"
    batch_size: int = 100
    visibility_timeout_seconds: int = 60
    # Sleep between polls when the queue is empty.
    idle_seconds: float = 0.2
    # Backoff after memory-store itself failed.
    error_backoff_seconds: float = 1.0
    retry_after_seconds: int = 2


def _memory_id(job: job_pb2.Job) -> str:
    if job.memory_id:
        return job.memory_id
    try:
        return str(json.loads(job.payload_json or "{}").get("memory_id", ""))
    except (ValueError, AttributeError):
        return ""


class IndexSyncWorker:
    def __init__(
        self, memory_store: MemoryStoreClient, writer: IndexWriter, settings: SyncSettings
    ) -> None:
        self._store = memory_store
        self._writer = writer
        self._settings = settings

    async def run_once(self) -> int:
        """Leases one batch and applies it; returns how many jobs were leased."""
        jobs = await self._store.lease_jobs(
            QUEUE,
            self._settings.worker_id,
            self._settings.batch_size,
            self._settings.visibility_timeout_seconds,
        )
        by_tenant: dict[str, list[job_pb2.Job]] = defaultdict(list)
        for job in jobs:
            by_tenant[job.tenant_id].append(job)
        for tenant_id, tenant_jobs in by_tenant.items():
            await self._apply(tenant_id, tenant_jobs)
        return len(jobs)

    async def run_forever(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                leased = await self.run_once()
            except MemgridError as error:
                log.warning("index sync: memory-store call failed: %s", error)
                leased = 0
                await _sleep_unless(stop, self._settings.error_backoff_seconds)
            except Exception:
                log.exception("index sync: unexpected failure")
                leased = 0
                await _sleep_unless(stop, self._settings.error_backoff_seconds)
            if leased == 0:
                await _sleep_unless(stop, self._settings.idle_seconds)

    async def _apply(self, tenant_id: str, jobs: Sequence[job_pb2.Job]) -> None:
        upserts = {_memory_id(j) for j in jobs if j.topic == UPSERTED} - {""}
        deletes = {_memory_id(j) for j in jobs if j.topic == DELETED} - {""}
        ignored = [j for j in jobs if j.topic not in (UPSERTED, DELETED) or not _memory_id(j)]
        try:
            if upserts:
                memories, missing = await self._store.batch_get(tenant_id, sorted(upserts))
                await self._writer.write(tenant_id, memories)
                deletes.update(missing)
            if deletes:
                await self._writer.remove(tenant_id, sorted(deletes))
        except Exception as error:
            # The index (or memory-store) is down: give the jobs back to be retried later;
            # memory-store keeps them, so nothing is lost.
            log.warning("index sync for tenant %s failed, retrying later: %s", tenant_id, error)
            for job in jobs:
                await self._store.nack(job, str(error), self._settings.retry_after_seconds)
                INDEX_SYNC_JOBS.labels(job.topic, "retried").inc()
            return
        handled = [j for j in jobs if j not in ignored]
        lost = await self._store.ack(handled)
        if ignored:
            lost += await self._store.ack(ignored, note="not a search topic; ignored")
        if lost:
            log.info("index sync: %d job leases expired before the ack", len(lost))
        for job in handled:
            INDEX_SYNC_JOBS.labels(job.topic, "applied").inc()
        for job in ignored:
            INDEX_SYNC_JOBS.labels(job.topic or "none", "ignored").inc()


async def _sleep_unless(stop: asyncio.Event, seconds: float) -> None:
    try:
        await asyncio.wait_for(stop.wait(), seconds)
    except TimeoutError:
        return
