"""The public API: authenticates, scopes every call to the caller's tenant, fans out.

Request validation belongs to the service that owns the data (memory-store names every bad
field with the same paths the public request uses, since the gateway forwards the fields
unchanged); the gateway checks only what is public-API specific, such as which fields a
client may update.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import TYPE_CHECKING, TypeVar

import grpc
from memgrid.common.v1 import memory_pb2 as common
from memgrid.gateway.v1 import request_response_pb2 as gw
from memgrid.gateway.v1 import service_pb2_grpc
from memgrid.memory.v1 import request_response_pb2 as store
from memgrid_runtime.errors import FieldViolation, InvalidArgument, Unavailable, from_rpc_error

from gateway.auth import ApiKeys
from gateway.rate_limit import TenantRateLimiter

if TYPE_CHECKING:
    # Only the type stubs define the asyncio flavour of the generated stub.
    from memgrid.memory.v1.service_pb2_grpc import MemoryStoreServiceAsyncStub

T = TypeVar("T")

# Clients may change these; tier, heat, validity and supersession belong to the thought
# engine, which talks to memory-store directly.
PUBLIC_UPDATE_PATHS = frozenset({"content", "metadata", "tags", "importance", "expires_at"})


async def downstream(call: Awaitable[T]) -> T:
    """Awaits a call to another service, re-raising its error as the same domain error."""
    try:
        return await call
    except grpc.aio.AioRpcError as exc:
        raise from_rpc_error(exc) from None


class GatewayServicer(service_pb2_grpc.GatewayServiceServicer):
    def __init__(
        self,
        *,
        memory_store: MemoryStoreServiceAsyncStub,
        api_keys: ApiKeys,
        rate_limiter: TenantRateLimiter,
        derived_stores: tuple[str, ...] = (),
    ) -> None:
        self._store = memory_store
        self._keys = api_keys
        self._limiter = rate_limiter
        self._derived_stores = derived_stores

    def _tenant(self, context: grpc.aio.ServicerContext) -> str:
        tenant = self._keys.tenant_of(context)
        self._limiter.check(tenant)
        return tenant

    def _pending_propagation(self) -> list[common.Propagation]:
        """Derived stores are reached through memory-store's outbox after the write."""
        return [
            common.Propagation(store=name, state=common.PROPAGATION_STATE_PENDING)
            for name in self._derived_stores
        ]

    async def AddMessages(
        self, request: gw.AddMessagesRequest, context: grpc.aio.ServicerContext
    ) -> gw.AddMessagesResponse:
        tenant = self._tenant(context)
        reply = await downstream(
            self._store.AppendMessages(
                store.AppendMessagesRequest(
                    tenant_id=tenant,
                    scope=request.scope,
                    messages=request.messages,
                    idempotency_key=request.idempotency_key,
                )
            )
        )
        return gw.AddMessagesResponse(
            memories=reply.memories,
            propagation=self._pending_propagation(),
            replayed=reply.replayed,
        )

    async def AddMemories(
        self, request: gw.AddMemoriesRequest, context: grpc.aio.ServicerContext
    ) -> gw.AddMemoriesResponse:
        tenant = self._tenant(context)
        reply = await downstream(
            self._store.CreateMemories(
                store.CreateMemoriesRequest(
                    tenant_id=tenant,
                    memories=request.memories,
                    idempotency_key=request.idempotency_key,
                    dedup=request.dedup,
                )
            )
        )
        return gw.AddMemoriesResponse(
            memories=reply.memories,
            outcomes=reply.outcomes,
            propagation=self._pending_propagation(),
            replayed=reply.replayed,
        )

    async def GetMemory(
        self, request: gw.GetMemoryRequest, context: grpc.aio.ServicerContext
    ) -> gw.GetMemoryResponse:
        tenant = self._tenant(context)
        reply = await downstream(
            self._store.GetMemory(store.GetMemoryRequest(tenant_id=tenant, id=request.id))
        )
        return gw.GetMemoryResponse(memory=reply.memory)

    async def BatchGetMemories(
        self, request: gw.BatchGetMemoriesRequest, context: grpc.aio.ServicerContext
    ) -> gw.BatchGetMemoriesResponse:
        tenant = self._tenant(context)
        reply = await downstream(
            self._store.BatchGetMemories(
                store.BatchGetMemoriesRequest(tenant_id=tenant, ids=request.ids)
            )
        )
        return gw.BatchGetMemoriesResponse(memories=reply.memories, missing_ids=reply.missing_ids)

    async def UpdateMemory(
        self, request: gw.UpdateMemoryRequest, context: grpc.aio.ServicerContext
    ) -> gw.UpdateMemoryResponse:
        tenant = self._tenant(context)
        violations = [
            FieldViolation(
                f"update_mask.paths[{i}]",
                f"{path!r} cannot be updated; allowed: {', '.join(sorted(PUBLIC_UPDATE_PATHS))}",
            )
            for i, path in enumerate(request.update_mask.paths)
            if path not in PUBLIC_UPDATE_PATHS
        ]
        if violations:
            raise InvalidArgument(violations)
        reply = await downstream(
            self._store.UpdateMemory(
                store.UpdateMemoryRequest(
                    tenant_id=tenant,
                    id=request.id,
                    expected_version=request.expected_version,
                    update=request.update,
                    update_mask=request.update_mask,
                )
            )
        )
        return gw.UpdateMemoryResponse(memory=reply.memory, propagation=self._pending_propagation())

    async def DeleteMemory(
        self, request: gw.DeleteMemoryRequest, context: grpc.aio.ServicerContext
    ) -> gw.DeleteMemoryResponse:
        tenant = self._tenant(context)
        reply = await downstream(
            self._store.DeleteMemory(store.DeleteMemoryRequest(tenant_id=tenant, id=request.id))
        )
        return gw.DeleteMemoryResponse(
            id=reply.id,
            versions_deleted=reply.versions_deleted,
            propagation=self._pending_propagation(),
        )

    async def DeleteMemories(
        self, request: gw.DeleteMemoriesRequest, context: grpc.aio.ServicerContext
    ) -> gw.DeleteMemoriesResponse:
        tenant = self._tenant(context)
        reply = await downstream(
            self._store.DeleteMemories(
                store.DeleteMemoriesRequest(tenant_id=tenant, filter=request.filter)
            )
        )
        return gw.DeleteMemoriesResponse(
            deleted_count=reply.deleted_count, propagation=self._pending_propagation()
        )

    async def ListMemories(
        self, request: gw.ListMemoriesRequest, context: grpc.aio.ServicerContext
    ) -> gw.ListMemoriesResponse:
        tenant = self._tenant(context)
        reply = await downstream(
            self._store.ListMemories(
                store.ListMemoriesRequest(
                    tenant_id=tenant,
                    filter=request.filter,
                    page_size=request.page_size,
                    page_token=request.page_token,
                )
            )
        )
        return gw.ListMemoriesResponse(
            memories=reply.memories, next_page_token=reply.next_page_token
        )

    async def GetMemoryHistory(
        self, request: gw.GetMemoryHistoryRequest, context: grpc.aio.ServicerContext
    ) -> gw.GetMemoryHistoryResponse:
        tenant = self._tenant(context)
        reply = await downstream(
            self._store.GetMemoryHistory(
                store.GetMemoryHistoryRequest(tenant_id=tenant, id=request.id)
            )
        )
        return gw.GetMemoryHistoryResponse(versions=reply.versions)

    async def Search(
        self, request: gw.SearchRequest, context: grpc.aio.ServicerContext
    ) -> gw.SearchResponse:
        self._tenant(context)
        raise Unavailable(
            "search is not deployed in this suite yet (issue #3)", reason="SEARCH_NOT_DEPLOYED"
        )

    async def CreateCube(
        self, request: gw.CreateCubeRequest, context: grpc.aio.ServicerContext
    ) -> gw.CreateCubeResponse:
        tenant = self._tenant(context)
        reply = await downstream(
            self._store.CreateCube(
                store.CreateCubeRequest(
                    tenant_id=tenant,
                    cube_id=request.cube_id,
                    owner_user_id=request.owner_user_id,
                    name=request.name,
                    description=request.description,
                )
            )
        )
        return gw.CreateCubeResponse(cube=reply.cube)

    async def ListCubes(
        self, request: gw.ListCubesRequest, context: grpc.aio.ServicerContext
    ) -> gw.ListCubesResponse:
        tenant = self._tenant(context)
        reply = await downstream(
            self._store.ListCubes(store.ListCubesRequest(tenant_id=tenant, user_id=request.user_id))
        )
        return gw.ListCubesResponse(cubes=reply.cubes)

    async def ShareCube(
        self, request: gw.ShareCubeRequest, context: grpc.aio.ServicerContext
    ) -> gw.ShareCubeResponse:
        tenant = self._tenant(context)
        reply = await downstream(
            self._store.ShareCube(
                store.ShareCubeRequest(
                    tenant_id=tenant,
                    cube_id=request.cube_id,
                    owner_user_id=request.owner_user_id,
                    reader_user_id=request.reader_user_id,
                )
            )
        )
        return gw.ShareCubeResponse(cube=reply.cube)

    async def UnshareCube(
        self, request: gw.UnshareCubeRequest, context: grpc.aio.ServicerContext
    ) -> gw.UnshareCubeResponse:
        tenant = self._tenant(context)
        reply = await downstream(
            self._store.UnshareCube(
                store.UnshareCubeRequest(
                    tenant_id=tenant,
                    cube_id=request.cube_id,
                    owner_user_id=request.owner_user_id,
                    reader_user_id=request.reader_user_id,
                )
            )
        )
        return gw.UnshareCubeResponse(cube=reply.cube)
