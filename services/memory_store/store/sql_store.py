"""MemoryStore over a SQL Database: each call is one transaction of the operations modules."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from google.protobuf import timestamp_pb2
from memgrid.common.v1 import memory_pb2
from memgrid.memory.v1 import job_pb2
from memgrid.memory.v1 import request_response_pb2 as rr
from memgrid_runtime.errors import InvalidArgument

from . import (
    cubes,
    erasure,
    idempotency,
    jobs,
    memory_changes,
    memory_creation,
    memory_deletion,
    memory_reads,
)
from .base import (
    DEFAULT_MAX_REPLY_BYTES,
    EnqueuedJob,
    ErasedScope,
    Erasure,
    ExportPage,
    FoundMemories,
    JobPage,
    MemoryChange,
    MemoryPage,
)
from .clock import Clock, micros_from_timestamp, seconds_to_micros
from .config import StoreConfig
from .context import OperationContext
from .database import Database, Transaction
from .ids import TimeOrderedIds
from .job_arrivals import JobArrivals, wait_for
from .page_tokens import (
    decode_page_token,
    encode_page_token,
    job_query_fingerprint,
    memory_query_fingerprint,
)

_T = TypeVar("_T")


class SqlMemoryStore:
    """The MemoryStore of both SQL backends; they differ only in their Database."""

    def __init__(self, database: Database, config: StoreConfig, clock: Clock) -> None:
        self._database = database
        self._config = config
        self._clock = clock
        self._ids = TimeOrderedIds()
        self._arrivals = JobArrivals()
        self._closed = False

    @property
    def backend(self) -> str:
        return self._database.dialect.name

    async def close(self) -> None:
        self._closed = True
        self._arrivals.close()
        await self._database.close()

    # --- memories -----------------------------------------------------------------------

    async def create_memories(self, request: rr.CreateMemoriesRequest) -> rr.CreateMemoriesResponse:
        return await self._write(
            lambda tx, context: memory_creation.create_memories(tx, context, request)
        )

    async def append_messages(self, request: rr.AppendMessagesRequest) -> rr.AppendMessagesResponse:
        return await self._write(
            lambda tx, context: memory_creation.append_messages(tx, context, request)
        )

    async def get_memory(self, tenant_id: str, memory_id: str) -> memory_pb2.Memory:
        now_us = self._clock.now_us()
        return await self._database.read(
            lambda tx: memory_reads.get_memory(tx, tenant_id, memory_id, now_us)
        )

    async def get_memories(self, tenant_id: str, memory_ids: Sequence[str]) -> FoundMemories:
        now_us = self._clock.now_us()
        memories, missing = await self._database.read(
            lambda tx: memory_reads.get_memories(tx, tenant_id, memory_ids, now_us)
        )
        return FoundMemories(memories=memories, missing_ids=missing)

    async def update_memory(
        self,
        tenant_id: str,
        memory_id: str,
        update: memory_pb2.MemoryUpdate,
        paths: Sequence[str],
        expected_version: int = 0,
    ) -> memory_pb2.Memory:
        return await self._write(
            lambda tx, context: memory_changes.update_memory(
                tx, context, tenant_id, memory_id, update, paths, expected_version
            )
        )

    async def update_memories(
        self, tenant_id: str, changes: Sequence[MemoryChange]
    ) -> list[memory_pb2.Memory]:
        async def update_all(tx: Transaction, context: OperationContext) -> list[memory_pb2.Memory]:
            return [
                await memory_changes.update_memory(
                    tx,
                    context,
                    tenant_id,
                    change.memory_id,
                    change.update,
                    change.paths,
                    change.expected_version,
                )
                for change in changes
            ]

        return await self._write(update_all)

    async def delete_memory(self, tenant_id: str, memory_id: str) -> Erasure:
        return await self._write(
            lambda tx, context: memory_deletion.delete_memory(tx, context, tenant_id, memory_id)
        )

    async def delete_memories(
        self, tenant_id: str, memory_filter: memory_pb2.MemoryFilter
    ) -> Erasure:
        return await self._write(
            lambda tx, context: memory_deletion.delete_matching(
                tx, context, tenant_id, memory_filter
            )
        )

    async def erase_user(self, tenant_id: str, user_id: str) -> ErasedScope:
        return await self._write(lambda tx, context: erasure.erase(tx, context, tenant_id, user_id))

    async def erase_tenant(self, tenant_id: str) -> ErasedScope:
        return await self._write(lambda tx, context: erasure.erase(tx, context, tenant_id, None))

    async def list_memories(
        self,
        tenant_id: str,
        memory_filter: memory_pb2.MemoryFilter,
        page_size: int,
        page_token: str = "",
        max_bytes: int = DEFAULT_MAX_REPLY_BYTES,
    ) -> MemoryPage:
        _require_page_size(page_size)
        fingerprint = memory_query_fingerprint(tenant_id, memory_filter)
        after = decode_page_token(page_token, fingerprint)
        now_us = self._clock.now_us()
        listing = await self._database.read(
            lambda tx: memory_reads.list_memories(
                tx, tenant_id, memory_filter, page_size, after, now_us, max_bytes
            )
        )
        next_token = encode_page_token(listing.last, fingerprint) if listing.last else ""
        return MemoryPage(memories=listing.memories, next_page_token=next_token)

    async def memory_history(
        self, tenant_id: str, memory_id: str
    ) -> list[memory_pb2.MemoryVersion]:
        now_us = self._clock.now_us()
        return await self._database.read(
            lambda tx: memory_reads.memory_history(tx, tenant_id, memory_id, now_us)
        )

    async def record_visits(
        self, tenant_id: str, memory_ids: Sequence[str], interaction_length: int, visits: int = 1
    ) -> int:
        return await self._write(
            lambda tx, context: memory_changes.record_visits(
                tx, context, tenant_id, memory_ids, interaction_length, visits
            )
        )

    async def export_memories(
        self,
        tenant_id: str,
        after_id: str,
        page_size: int,
        changed_since: timestamp_pb2.Timestamp | None = None,
        max_bytes: int = DEFAULT_MAX_REPLY_BYTES,
    ) -> ExportPage:
        _require_page_size(page_size)
        changed_since_us = micros_from_timestamp(changed_since) if changed_since else None
        now_us = self._clock.now_us()
        return await self._database.read(
            lambda tx: memory_reads.export_memories(
                tx, tenant_id, after_id, page_size, changed_since_us, now_us, max_bytes
            )
        )

    async def count_memories(self, tenant_id: str) -> int:
        now_us = self._clock.now_us()
        return await self._database.read(
            lambda tx: memory_reads.count_memories(tx, tenant_id, now_us)
        )

    # --- cubes --------------------------------------------------------------------------

    async def create_cube(
        self, tenant_id: str, cube_id: str, owner_user_id: str, name: str, description: str
    ) -> memory_pb2.Cube:
        return await self._write(
            lambda tx, context: cubes.create_cube(
                tx, tenant_id, cube_id, owner_user_id, name, description, context.now_us
            )
        )

    async def list_cubes(self, tenant_id: str, user_id: str) -> list[memory_pb2.Cube]:
        return await self._database.read(lambda tx: cubes.list_cubes(tx, tenant_id, user_id))

    async def share_cube(
        self, tenant_id: str, cube_id: str, owner_user_id: str, reader_user_id: str
    ) -> memory_pb2.Cube:
        return await self._write(
            lambda tx, context: cubes.share_cube(
                tx, tenant_id, cube_id, owner_user_id, reader_user_id, context.now_us
            )
        )

    async def unshare_cube(
        self, tenant_id: str, cube_id: str, owner_user_id: str, reader_user_id: str
    ) -> memory_pb2.Cube:
        return await self._write(
            lambda tx, _context: cubes.unshare_cube(
                tx, tenant_id, cube_id, owner_user_id, reader_user_id
            )
        )

    # --- jobs ---------------------------------------------------------------------------

    async def enqueue_job(
        self,
        tenant_id: str,
        queue: str,
        event: job_pb2.JobEvent,
        memory_id: str = "",
        dedup_key: str = "",
    ) -> EnqueuedJob:
        new_job = jobs.NewJob(
            queue=queue,
            tenant_id=tenant_id,
            memory_id=memory_id,
            memory_version=0,
            event=event,
            dedup_key=dedup_key,
        )
        job, created = await self._write(lambda tx, context: jobs.enqueue_job(tx, context, new_job))
        return EnqueuedJob(job=job, created=created)

    async def lease_jobs(
        self,
        queue: str,
        worker_id: str,
        max_jobs: int,
        visibility_timeout_seconds: int,
        wait_seconds: float = 0.0,
    ) -> list[job_pb2.Job]:
        waited_until = time.monotonic() + wait_seconds
        while True:
            arrival = self._arrivals.watch(queue)
            leased = await self._write(
                lambda tx, context: jobs.lease_jobs(
                    tx, queue, worker_id, max_jobs, visibility_timeout_seconds, context.now_us
                )
            )
            remaining = waited_until - time.monotonic()
            if leased or remaining <= 0 or self._closed:
                return leased
            await wait_for(arrival, min(remaining, self._config.lease_wait_poll_seconds))

    async def ack_jobs(self, acks: Sequence[rr.AckJobsRequest.Ack]) -> list[str]:
        return await self._write(lambda tx, context: jobs.ack_jobs(tx, acks, context.now_us))

    async def nack_job(
        self,
        job_id: str,
        lease_token: str,
        error: str,
        retry_after_seconds: int = 0,
        *,
        dependency_unavailable: bool = False,
    ) -> job_pb2.Job:
        return await self._write(
            lambda tx, context: jobs.nack_job(
                tx,
                job_id,
                lease_token,
                error,
                retry_after_seconds,
                context.config.jobs,
                context.now_us,
                dependency_unavailable=dependency_unavailable,
            )
        )

    async def extend_lease(
        self, job_id: str, lease_token: str, visibility_timeout_seconds: int
    ) -> job_pb2.Job:
        return await self._write(
            lambda tx, context: jobs.extend_lease(
                tx, job_id, lease_token, visibility_timeout_seconds, context.now_us
            )
        )

    async def get_job(self, job_id: str, tenant_id: str = "") -> job_pb2.Job:
        return await self._database.read(lambda tx: jobs.get_job(tx, job_id, tenant_id))

    async def list_jobs(
        self, queue: str, state: int, tenant_id: str, page_size: int, page_token: str = ""
    ) -> JobPage:
        _require_page_size(page_size)
        fingerprint = job_query_fingerprint(queue, state, tenant_id)
        after = decode_page_token(page_token, fingerprint)
        listing = await self._database.read(
            lambda tx: jobs.list_jobs(tx, queue, state, tenant_id, page_size, after)
        )
        next_token = encode_page_token(listing.last, fingerprint) if listing.last else ""
        return JobPage(jobs=listing.jobs, next_page_token=next_token)

    async def retry_dead_job(self, job_id: str, tenant_id: str = "") -> job_pb2.Job:
        return await self._write(
            lambda tx, context: jobs.retry_dead_job(tx, context, job_id, tenant_id)
        )

    async def queue_stats(self, queues: Sequence[str] = ()) -> list[job_pb2.QueueStats]:
        now_us = self._clock.now_us()
        return await self._database.read(
            lambda tx: jobs.queue_stats(tx, queues, self._config.outbox_queues, now_us)
        )

    # --- maintenance --------------------------------------------------------------------

    async def delete_expired_memories(self, limit: int) -> int:
        return await self._write(
            lambda tx, context: memory_deletion.delete_expired(tx, context, limit)
        )

    async def delete_expired_idempotency_keys(self) -> int:
        retention_us = seconds_to_micros(self._config.idempotency_retention_seconds)
        return await self._write(
            lambda tx, context: idempotency.delete_expired_keys(tx, context.now_us - retention_us)
        )

    async def purge_done_jobs(self, older_than_seconds: float) -> int:
        return await self._write(
            lambda tx, context: jobs.purge_done_jobs(
                tx, context.now_us - seconds_to_micros(older_than_seconds)
            )
        )

    async def _write(
        self, operation: Callable[[Transaction, OperationContext], Awaitable[_T]]
    ) -> _T:
        contexts: list[OperationContext] = []

        async def in_transaction(tx: Transaction) -> _T:
            # Read the clock inside the transaction: on SQLite a write may wait for its turn,
            # and rows must carry the time they were written, not the time they were asked.
            context = OperationContext(self._config, self._ids, self._clock.now_us())
            contexts[:] = [context]  # a retried transaction's last try is the one committed
            return await operation(tx, context)

        result = await self._database.write(in_transaction)
        self._arrivals.announce(contexts[0].queues_with_new_jobs if contexts else ())
        return result


def _require_page_size(page_size: int) -> None:
    # The servicer substitutes the default for 0; a direct caller must choose.
    if page_size < 1:
        raise InvalidArgument.field("page_size", "must be at least 1")
