"""Consumes memory-store's "graph" queue: a deleted memory loses its links, the relations
only it asserted, and the entities no other memory mentions (no orphans).

The handler applies a leased batch per tenant in one store call and settles it (the
leasing, lease keeping and settling are memgrid_runtime.job_worker's): a graph backend
that is down defers the jobs without spending an attempt, any other failure gives them
back with the error, and memory-store marks them DEAD after its maximum attempts. Removal
is idempotent, so a job applied twice (an expired lease) is harmless.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from memgrid.memory.v1 import job_pb2, service_pb2_grpc
from memgrid_runtime.errors import MemgridError
from memgrid_runtime.job_worker import JobWorker, JobWorkerSettings, LeasedBatch, is_outage

from services.graph.store.base import GraphStore

log = logging.getLogger(__name__)

MEMORY_DELETED = "memory_deleted"


@dataclass(frozen=True)
class ConsumerOptions:
    worker_id: str
    queue: str = "graph"
    batch_size: int = 100
    visibility_timeout_seconds: int = 60
    # Pause after an empty lease (a waiting lease makes it rare).
    idle_poll_seconds: float = 1.0
    # Delay before a failed job is retried, and the first pause after an outage.
    retry_after_seconds: int = 5

    def worker(self) -> JobWorkerSettings:
        return JobWorkerSettings(
            queue=self.queue,
            worker_id=self.worker_id,
            batch_size=self.batch_size,
            visibility_timeout_seconds=self.visibility_timeout_seconds,
            idle_seconds=self.idle_poll_seconds,
            retry_after_seconds=self.retry_after_seconds,
            outage_backoff_seconds=self.retry_after_seconds,
        )


@dataclass(frozen=True)
class JobOutcome:
    job: job_pb2.Job
    # None when the job succeeded.
    error: str | None
    note: str = ""
    # The graph backend was unreachable: the job is deferred, not failed.
    outage: bool = False


class GraphOutboxConsumer:
    def __init__(
        self,
        store: GraphStore,
        memory_store: service_pb2_grpc.MemoryStoreServiceAsyncStub,
        options: ConsumerOptions,
    ) -> None:
        self._store = store
        self.jobs = JobWorker(memory_store, self._handle, options.worker())

    async def process_batch(self) -> int:
        """Leases, applies and settles one batch; returns how many jobs it leased."""
        return await self.jobs.run_once()

    async def run(self, stop: asyncio.Event) -> None:
        """Processes batches until stop is set."""
        await self.jobs.run(stop)

    async def _handle(self, batch: LeasedBatch) -> None:
        outcomes = await apply_jobs(self._store, batch.jobs)
        by_note: dict[str, list[job_pb2.Job]] = defaultdict(list)
        for outcome in outcomes:
            if outcome.error is None:
                by_note[outcome.note].append(outcome.job)
        for note, jobs in by_note.items():
            await batch.ack(jobs, note)
        for outcome in outcomes:
            if outcome.error is None:
                continue
            if outcome.outage:
                await batch.defer([outcome.job], outcome.error)
            else:
                await batch.fail([outcome.job], outcome.error)


async def apply_jobs(store: GraphStore, jobs: Sequence[job_pb2.Job]) -> list[JobOutcome]:
    """Applies the graph's part of each job; deletes are batched per tenant."""
    deleted_by_tenant: dict[str, list[job_pb2.Job]] = defaultdict(list)
    outcomes: list[JobOutcome] = []
    for job in jobs:
        if job.event.WhichOneof("event") == MEMORY_DELETED:
            deleted_by_tenant[job.tenant_id].append(job)
        else:
            # Entities and relations come from the thought engine's extraction, which calls
            # Upsert itself; the graph queue subscribes to deletes only, so another event is
            # one enqueued by hand or by an older memory-store.
            outcomes.append(JobOutcome(job, None, f"graph: nothing to do for {job.topic}"))
    for tenant, tenant_jobs in deleted_by_tenant.items():
        memory_ids = [job.event.memory_deleted.memory_id for job in tenant_jobs]
        try:
            result = await store.remove_memory_links(tenant, memory_ids)
        except MemgridError as error:
            failure = f"{error.reason}: {error.message}"
            outage = is_outage(error)
            outcomes.extend(JobOutcome(job, failure, outage=outage) for job in tenant_jobs)
            continue
        except Exception as error:
            log.exception("graph outbox: removing links of %d memories failed", len(memory_ids))
            failure = f"INTERNAL: {type(error).__name__}"
            outcomes.extend(JobOutcome(job, failure) for job in tenant_jobs)
            continue
        note = (
            f"graph: batch of {len(tenant_jobs)} removed {result.links_removed} links,"
            f" {result.relations_removed} relations, {result.entities_collected} entities"
        )
        outcomes.extend(JobOutcome(job, None, note) for job in tenant_jobs)
    return outcomes
