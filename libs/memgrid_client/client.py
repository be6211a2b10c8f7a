"""A typed asyncio client for the memgrid gateway.

Every failed call raises a memgrid_runtime.errors.MemgridError subclass carrying the gRPC
code and the parsed details (field violations, resource, retry delay).
"""

from __future__ import annotations

from collections.abc import Awaitable, Iterable, Mapping
from datetime import timedelta
from typing import TYPE_CHECKING, TypeVar

import grpc
from google.protobuf import field_mask_pb2
from memgrid.common.v1 import memory_pb2 as common
from memgrid.gateway.v1 import request_response_pb2 as gw
from memgrid.gateway.v1.service_pb2_grpc import GatewayServiceStub
from memgrid_runtime.errors import from_rpc_error

if TYPE_CHECKING:
    from memgrid.gateway.v1.service_pb2_grpc import GatewayServiceAsyncStub

T = TypeVar("T")

DEFAULT_ADDRESS = "127.0.0.1:50051"
# The key `make run` configures, so a developer can try the CLI without setting one up.
DEV_API_KEY = "memgrid-dev-key"


class MemgridClient:
    """`async with MemgridClient(address, api_key) as client: ...`"""

    def __init__(self, address: str = DEFAULT_ADDRESS, api_key: str = "", *, timeout: float = 10.0):
        self._channel = grpc.aio.insecure_channel(address)
        self._stub: GatewayServiceAsyncStub = GatewayServiceStub(self._channel)
        self._metadata = (("x-api-key", api_key),)
        self._timeout = timeout

    async def __aenter__(self) -> MemgridClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        await self._channel.close(grace=None)

    async def _call(self, call: Awaitable[T]) -> T:
        try:
            return await call
        except grpc.aio.AioRpcError as exc:
            raise from_rpc_error(exc) from None

    async def add_memories(
        self,
        memories: Iterable[common.NewMemory],
        *,
        idempotency_key: str = "",
        dedup: bool = False,
    ) -> gw.AddMemoriesResponse:
        request = gw.AddMemoriesRequest(
            memories=list(memories), idempotency_key=idempotency_key, dedup=dedup
        )
        return await self._call(
            self._stub.AddMemories(request, metadata=self._metadata, timeout=self._timeout)
        )

    async def add_memory(
        self,
        content: str,
        *,
        user_id: str,
        kind: common.MemoryKind.ValueType = common.MEMORY_KIND_FACT,
        agent_id: str = "",
        session_id: str = "",
        cube_id: str = "",
        metadata: Mapping[str, str] | None = None,
        tags: Iterable[str] = (),
        ttl: timedelta | None = None,
        idempotency_key: str = "",
    ) -> common.Memory:
        memory = common.NewMemory(
            scope=common.Scope(
                user_id=user_id, agent_id=agent_id, session_id=session_id, cube_id=cube_id
            ),
            kind=kind,
            content=content,
            metadata=dict(metadata or {}),
            tags=list(tags),
        )
        if ttl is not None:
            memory.ttl.FromTimedelta(ttl)
        reply = await self.add_memories([memory], idempotency_key=idempotency_key)
        return reply.memories[0]

    async def add_messages(
        self,
        scope: common.Scope,
        messages: Iterable[common.NewMessage],
        *,
        idempotency_key: str = "",
    ) -> gw.AddMessagesResponse:
        request = gw.AddMessagesRequest(
            scope=scope, messages=list(messages), idempotency_key=idempotency_key
        )
        return await self._call(
            self._stub.AddMessages(request, metadata=self._metadata, timeout=self._timeout)
        )

    async def get_memory(self, memory_id: str) -> common.Memory:
        reply = await self._call(
            self._stub.GetMemory(
                gw.GetMemoryRequest(id=memory_id), metadata=self._metadata, timeout=self._timeout
            )
        )
        return reply.memory

    async def batch_get_memories(self, ids: Iterable[str]) -> gw.BatchGetMemoriesResponse:
        return await self._call(
            self._stub.BatchGetMemories(
                gw.BatchGetMemoriesRequest(ids=list(ids)),
                metadata=self._metadata,
                timeout=self._timeout,
            )
        )

    async def update_memory(
        self,
        memory_id: str,
        update: common.MemoryUpdate,
        paths: Iterable[str],
        *,
        expected_version: int = 0,
    ) -> common.Memory:
        request = gw.UpdateMemoryRequest(
            id=memory_id,
            expected_version=expected_version,
            update=update,
            update_mask=field_mask_pb2.FieldMask(paths=list(paths)),
        )
        reply = await self._call(
            self._stub.UpdateMemory(request, metadata=self._metadata, timeout=self._timeout)
        )
        return reply.memory

    async def delete_memory(self, memory_id: str) -> gw.DeleteMemoryResponse:
        return await self._call(
            self._stub.DeleteMemory(
                gw.DeleteMemoryRequest(id=memory_id), metadata=self._metadata, timeout=self._timeout
            )
        )

    async def delete_memories(
        self, memory_filter: common.MemoryFilter
    ) -> gw.DeleteMemoriesResponse:
        return await self._call(
            self._stub.DeleteMemories(
                gw.DeleteMemoriesRequest(filter=memory_filter),
                metadata=self._metadata,
                timeout=self._timeout,
            )
        )

    async def list_memories(
        self, memory_filter: common.MemoryFilter, *, page_size: int = 50, page_token: str = ""
    ) -> gw.ListMemoriesResponse:
        request = gw.ListMemoriesRequest(
            filter=memory_filter, page_size=page_size, page_token=page_token
        )
        return await self._call(
            self._stub.ListMemories(request, metadata=self._metadata, timeout=self._timeout)
        )

    async def get_memory_history(self, memory_id: str) -> list[common.MemoryVersion]:
        reply = await self._call(
            self._stub.GetMemoryHistory(
                gw.GetMemoryHistoryRequest(id=memory_id),
                metadata=self._metadata,
                timeout=self._timeout,
            )
        )
        return list(reply.versions)

    async def search(
        self, query: str, memory_filter: common.MemoryFilter, *, k: int = 10
    ) -> gw.SearchResponse:
        request = gw.SearchRequest(query=query, filter=memory_filter, k=k)
        return await self._call(
            self._stub.Search(request, metadata=self._metadata, timeout=self._timeout)
        )

    async def create_cube(
        self, cube_id: str, *, owner_user_id: str, name: str = "", description: str = ""
    ) -> common.Cube:
        request = gw.CreateCubeRequest(
            cube_id=cube_id, owner_user_id=owner_user_id, name=name, description=description
        )
        reply = await self._call(
            self._stub.CreateCube(request, metadata=self._metadata, timeout=self._timeout)
        )
        return reply.cube

    async def list_cubes(self, user_id: str) -> list[common.Cube]:
        reply = await self._call(
            self._stub.ListCubes(
                gw.ListCubesRequest(user_id=user_id), metadata=self._metadata, timeout=self._timeout
            )
        )
        return list(reply.cubes)

    async def share_cube(
        self, cube_id: str, *, owner_user_id: str, reader_user_id: str
    ) -> common.Cube:
        request = gw.ShareCubeRequest(
            cube_id=cube_id, owner_user_id=owner_user_id, reader_user_id=reader_user_id
        )
        reply = await self._call(
            self._stub.ShareCube(request, metadata=self._metadata, timeout=self._timeout)
        )
        return reply.cube

    async def unshare_cube(
        self, cube_id: str, *, owner_user_id: str, reader_user_id: str
    ) -> common.Cube:
        request = gw.UnshareCubeRequest(
            cube_id=cube_id, owner_user_id=owner_user_id, reader_user_id=reader_user_id
        )
        reply = await self._call(
            self._stub.UnshareCube(request, metadata=self._metadata, timeout=self._timeout)
        )
        return reply.cube
