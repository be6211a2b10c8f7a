"""Consumes memory-store's "graph" queue: a deleted memory loses its links, the relations
only it asserted, and the entities no other memory mentions (no orphans).

Jobs are leased, applied per tenant in one store call, then acked; a failure gives them
back (NackJob) to be retried after a delay, and memory-store marks them DEAD after its
maximum attempts. Removal is idempotent, so a job applied twice (an expired lease) is
harmless.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import grpc
from memgrid.memory.v1 import job_pb2, service_pb2_grpc
from memgrid.memory.v1 import request_response_pb2 as memory_pb
from memgrid_runtime.errors import MemgridError, from_rpc_error

from services.graph.store.base import GraphStore

log = logging.getLogger(__name__)

MEMORY_DELETED = "memory.deleted"


@dataclass(frozen=True)
class ConsumerOptions:
    worker_id: str
    queue: str = "graph"
    batch_size: int = 100
    visibility_timeout_seconds: int = 60
    idle_poll_seconds: float = 1.0
    retry_after_seconds: int = 5


@dataclass(frozen=True)
class JobOutcome:
    job: job_pb2.Job
    # None when the job succeeded.
    error: str | None
    note: str = ""


class GraphOutboxConsumer:
    def __init__(
        self,
        store: GraphStore,
        memory_store: service_pb2_grpc.MemoryStoreServiceAsyncStub,
        options: ConsumerOptions,
    ) -> None:
        self._store = store
        self._memory_store = memory_store
        self._options = options

    async def process_batch(self) -> int:
        """Leases, applies and settles one batch; returns how many jobs it leased."""
        options = self._options
        leased = await self._memory_store.LeaseJobs(
            memory_pb.LeaseJobsRequest(
                queue=options.queue,
                worker_id=options.worker_id,
                max_jobs=options.batch_size,
                visibility_timeout_seconds=options.visibility_timeout_seconds,
            )
        )
        if not leased.jobs:
            return 0
        outcomes = await apply_jobs(self._store, leased.jobs)
        await self._settle(outcomes)
        return len(leased.jobs)

    async def run(self, stop: asyncio.Event) -> None:
        """Processes batches until stop is set; waits idle_poll_seconds when the queue is
        empty, and backs off while memory-store is unreachable."""
        delay = self._options.idle_poll_seconds
        while not stop.is_set():
            try:
                processed = await self.process_batch()
                delay = self._options.idle_poll_seconds
            except grpc.RpcError as error:
                log.warning("graph outbox: memory-store call failed: %s", from_rpc_error(error))
                processed = 0
                delay = min(delay * 2, 30.0)
            except Exception:
                # The loop must outlive any one batch: its leases expire and it is redone.
                log.exception("graph outbox: batch failed")
                processed = 0
                delay = min(delay * 2, 30.0)
            if processed == 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), delay)

    async def _settle(self, outcomes: Sequence[JobOutcome]) -> None:
        acks = [
            memory_pb.AckJobsRequest.Ack(
                job_id=outcome.job.id, lease_token=outcome.job.lease_token, note=outcome.note
            )
            for outcome in outcomes
            if outcome.error is None
        ]
        if acks:
            response = await self._memory_store.AckJobs(memory_pb.AckJobsRequest(acks=acks))
            if response.lost_job_ids:
                log.warning(
                    "graph outbox: leases lost before ack (jobs will be redone): %s",
                    ", ".join(response.lost_job_ids),
                )
        for outcome in outcomes:
            if outcome.error is None:
                continue
            try:
                await self._memory_store.NackJob(
                    memory_pb.NackJobRequest(
                        job_id=outcome.job.id,
                        lease_token=outcome.job.lease_token,
                        error=outcome.error,
                        retry_after_seconds=self._options.retry_after_seconds,
                    )
                )
            except grpc.RpcError as error:
                # The lease expires on its own and the job comes back: nothing is lost.
                log.warning(
                    "graph outbox: nack of %s failed: %s", outcome.job.id, from_rpc_error(error)
                )


async def apply_jobs(store: GraphStore, jobs: Sequence[job_pb2.Job]) -> list[JobOutcome]:
    """Applies the graph's part of each job; deletes are batched per tenant."""
    deleted_by_tenant: dict[str, list[job_pb2.Job]] = defaultdict(list)
    outcomes: list[JobOutcome] = []
    for job in jobs:
        if job.topic == MEMORY_DELETED:
            deleted_by_tenant[job.tenant_id].append(job)
        else:
            # Entities and relations come from the thought engine's extraction, which calls
            # Upsert itself; other topics carry nothing for the graph.
            outcomes.append(JobOutcome(job, None, f"graph: nothing to do for {job.topic}"))
    for tenant, tenant_jobs in deleted_by_tenant.items():
        memory_ids = [job.memory_id for job in tenant_jobs]
        try:
            result = await store.remove_memory_links(tenant, memory_ids)
        except MemgridError as error:
            failure = f"{error.reason}: {error.message}"
            outcomes.extend(JobOutcome(job, failure) for job in tenant_jobs)
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
