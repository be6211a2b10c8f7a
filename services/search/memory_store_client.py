"""The calls search makes to memory-store, with its errors rebuilt as domain errors."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import TYPE_CHECKING

import grpc
from memgrid.common.v1 import memory_pb2
from memgrid.memory.v1 import request_response_pb2 as mrr
from memgrid.memory.v1 import service_pb2_grpc
from memgrid_runtime.errors import from_rpc_error

if TYPE_CHECKING:
    from memgrid.memory.v1.service_pb2_grpc import MemoryStoreServiceAsyncStub

SERVICE = "memgrid.memory.v1.MemoryStoreService"
# Safe to retry on UNAVAILABLE: reads, and acks (acking a job twice is harmless).
IDEMPOTENT_METHODS = [
    f"{SERVICE}/{name}"
    for name in ("BatchGetMemories", "ExportMemories", "CountMemories", "AckJobs")
]


class MemoryStoreClient:
    def __init__(self, channel: grpc.aio.Channel, *, export_page_size: int = 500) -> None:
        self._stub: MemoryStoreServiceAsyncStub = service_pb2_grpc.MemoryStoreServiceStub(channel)
        self._export_page_size = export_page_size

    @property
    def stub(self) -> MemoryStoreServiceAsyncStub:
        """The raw stub, for the outbox worker (memgrid_runtime.job_worker)."""
        return self._stub

    async def batch_get(
        self, tenant_id: str, ids: Sequence[str]
    ) -> tuple[list[memory_pb2.Memory], list[str]]:
        """The memories that exist, and the ids that do not (deleted or expired)."""
        try:
            response = await self._stub.BatchGetMemories(
                mrr.BatchGetMemoriesRequest(tenant_id=tenant_id, ids=list(ids))
            )
        except grpc.RpcError as error:
            raise from_rpc_error(error) from error
        return list(response.memories), list(response.missing_ids)

    async def export(self, tenant_id: str) -> AsyncIterator[list[memory_pb2.Memory]]:
        after_id = ""
        while True:
            try:
                page = await self._stub.ExportMemories(
                    mrr.ExportMemoriesRequest(
                        tenant_id=tenant_id, after_id=after_id, page_size=self._export_page_size
                    )
                )
            except grpc.RpcError as error:
                raise from_rpc_error(error) from error
            if page.memories:
                yield list(page.memories)
            if not page.next_after_id:
                return
            after_id = page.next_after_id

    async def count(self, tenant_id: str) -> int:
        try:
            response = await self._stub.CountMemories(mrr.CountMemoriesRequest(tenant_id=tenant_id))
        except grpc.RpcError as error:
            raise from_rpc_error(error) from error
        return int(response.count)
