"""The memory-store calls the thought engine makes, with failures rebuilt as domain errors.

memory-store is the engine's only state: it leases the jobs, holds every memory the engine
reads and writes, and keeps the idempotency keys that make a redelivered job harmless.
"""

from __future__ import annotations

from collections.abc import Awaitable, Iterable, Sequence
from typing import TYPE_CHECKING, TypeVar

import grpc
from google.protobuf import field_mask_pb2
from memgrid.common.v1 import memory_pb2
from memgrid.memory.v1 import job_pb2, service_pb2_grpc
from memgrid.memory.v1 import request_response_pb2 as mrr
from memgrid_runtime.errors import from_rpc_error

if TYPE_CHECKING:
    from memgrid.memory.v1.service_pb2_grpc import MemoryStoreServiceAsyncStub

T = TypeVar("T")

SERVICE = "memgrid.memory.v1.MemoryStoreService"
# Safe to repeat on UNAVAILABLE: reads, acks and lease extensions (twice is harmless), and
# the writes the engine always sends with an idempotency or dedup key.
# Below memory-store's default batch limit (MEMGRID_MAX_BATCH, 1000).
UPDATES_PER_CALL = 500

IDEMPOTENT_METHODS = [
    f"{SERVICE}/{name}"
    for name in (
        "GetMemory",
        "BatchGetMemories",
        "ListMemories",
        "GetJob",
        "AckJobs",
        "ExtendLease",
        "CreateMemories",
        "AppendMessages",
        "EnqueueJob",
        "GetQueueStats",
    )
]
MAX_PAGE_SIZE = 1000


class MemoryStoreClient:
    def __init__(self, channel: grpc.aio.Channel) -> None:
        self._stub: MemoryStoreServiceAsyncStub = service_pb2_grpc.MemoryStoreServiceStub(channel)

    @property
    def stub(self) -> MemoryStoreServiceAsyncStub:
        """The raw stub, for the outbox worker (memgrid_runtime.job_worker)."""
        return self._stub

    async def enqueue(
        self, tenant_id: str, queue: str, event: job_pb2.JobEvent, dedup_key: str
    ) -> tuple[job_pb2.Job, bool]:
        reply = await _call(
            self._stub.EnqueueJob(
                mrr.EnqueueJobRequest(
                    tenant_id=tenant_id,
                    queue=queue,
                    event=event,
                    dedup_key=dedup_key,
                )
            )
        )
        return reply.job, reply.created

    async def get_job(self, tenant_id: str, job_id: str) -> job_pb2.Job:
        reply = await _call(
            self._stub.GetJob(mrr.GetJobRequest(tenant_id=tenant_id, job_id=job_id))
        )
        return reply.job

    async def retry_dead_job(self, tenant_id: str, job_id: str) -> job_pb2.Job:
        reply = await _call(
            self._stub.RetryDeadJob(mrr.RetryDeadJobRequest(tenant_id=tenant_id, job_id=job_id))
        )
        return reply.job

    async def get_memory(self, tenant_id: str, memory_id: str) -> memory_pb2.Memory:
        reply = await _call(
            self._stub.GetMemory(mrr.GetMemoryRequest(tenant_id=tenant_id, id=memory_id))
        )
        return reply.memory

    async def batch_get(self, tenant_id: str, ids: Sequence[str]) -> list[memory_pb2.Memory]:
        """The memories that exist, in request order; deleted or expired ones are left out."""
        found: list[memory_pb2.Memory] = []
        for start in range(0, len(ids), MAX_PAGE_SIZE):
            reply = await _call(
                self._stub.BatchGetMemories(
                    mrr.BatchGetMemoriesRequest(
                        tenant_id=tenant_id, ids=ids[start : start + MAX_PAGE_SIZE]
                    )
                )
            )
            found.extend(reply.memories)
        return found

    async def list_page(
        self, tenant_id: str, memory_filter: memory_pb2.MemoryFilter, page_size: int, token: str
    ) -> tuple[list[memory_pb2.Memory], str]:
        reply = await _call(
            self._stub.ListMemories(
                mrr.ListMemoriesRequest(
                    tenant_id=tenant_id,
                    filter=memory_filter,
                    page_size=page_size,
                    page_token=token,
                )
            )
        )
        return list(reply.memories), reply.next_page_token

    async def list_all(
        self, tenant_id: str, memory_filter: memory_pb2.MemoryFilter
    ) -> list[memory_pb2.Memory]:
        """Every match, oldest first. Callers filter narrowly enough to keep this bounded."""
        memories: list[memory_pb2.Memory] = []
        token = ""
        while True:
            page, token = await self.list_page(tenant_id, memory_filter, MAX_PAGE_SIZE, token)
            memories.extend(page)
            if not token:
                return memories

    async def create_memories(
        self,
        tenant_id: str,
        memories: Sequence[memory_pb2.NewMemory],
        *,
        idempotency_key: str,
    ) -> list[memory_pb2.Memory]:
        reply = await _call(
            self._stub.CreateMemories(
                mrr.CreateMemoriesRequest(
                    tenant_id=tenant_id, memories=memories, idempotency_key=idempotency_key
                )
            )
        )
        return list(reply.memories)

    async def update_memory(
        self,
        tenant_id: str,
        memory_id: str,
        update: memory_pb2.MemoryUpdate,
        paths: Iterable[str],
        *,
        expected_version: int,
    ) -> memory_pb2.Memory:
        reply = await _call(
            self._stub.UpdateMemory(
                mrr.UpdateMemoryRequest(
                    tenant_id=tenant_id,
                    id=memory_id,
                    expected_version=expected_version,
                    update=update,
                    update_mask=field_mask_pb2.FieldMask(paths=list(paths)),
                )
            )
        )
        return reply.memory

    async def update_memories(
        self,
        tenant_id: str,
        updates: Sequence[tuple[str, memory_pb2.MemoryUpdate, Iterable[str], int]],
    ) -> list[memory_pb2.Memory]:
        """(memory_id, update, paths, expected_version) for each memory, UPDATES_PER_CALL to
        a call, each call one transaction (all its updates apply or none)."""
        updated: list[memory_pb2.Memory] = []
        for start in range(0, len(updates), UPDATES_PER_CALL):
            reply = await _call(
                self._stub.UpdateMemories(
                    mrr.UpdateMemoriesRequest(
                        tenant_id=tenant_id,
                        updates=[
                            mrr.UpdateMemoryRequest(
                                id=memory_id,
                                expected_version=expected_version,
                                update=update,
                                update_mask=field_mask_pb2.FieldMask(paths=list(paths)),
                            )
                            for memory_id, update, paths, expected_version in updates[
                                start : start + UPDATES_PER_CALL
                            ]
                        ],
                    )
                )
            )
            updated.extend(reply.memories)
        return updated

    async def append_messages(
        self,
        tenant_id: str,
        scope: memory_pb2.Scope,
        messages: Sequence[memory_pb2.NewMessage],
        *,
        idempotency_key: str,
    ) -> list[memory_pb2.Memory]:
        reply = await _call(
            self._stub.AppendMessages(
                mrr.AppendMessagesRequest(
                    tenant_id=tenant_id,
                    scope=scope,
                    messages=messages,
                    idempotency_key=idempotency_key,
                )
            )
        )
        return list(reply.memories)

    async def queue_stats(self, queue: str) -> job_pb2.QueueStats:
        reply = await _call(self._stub.GetQueueStats(mrr.GetQueueStatsRequest(queues=[queue])))
        return reply.stats[0]


async def _call(call: Awaitable[T]) -> T:
    try:
        return await call
    except grpc.aio.AioRpcError as error:
        raise from_rpc_error(error) from None
