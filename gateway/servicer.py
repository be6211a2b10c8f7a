"""The public API: authenticates, scopes every call to the caller's tenant, fans out.

Request validation belongs to the service that owns the data (memory-store names every bad
field with the same paths the public request uses, since the gateway forwards the fields
unchanged); the gateway checks only what is public-API specific, such as which fields a
client may update.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Sequence
from typing import TYPE_CHECKING, TypeVar

import grpc
from memgrid.common.v1 import memory_pb2 as common
from memgrid.gateway.v1 import request_response_pb2 as gw
from memgrid.gateway.v1 import service_pb2_grpc
from memgrid.memory.v1 import request_response_pb2 as store
from memgrid.search.v1 import request_response_pb2 as search
from memgrid_runtime import deadlines
from memgrid_runtime.errors import (
    FieldViolation,
    InvalidArgument,
    MemgridError,
    PermissionDenied,
    Unavailable,
    from_rpc_error,
)

from gateway.auth import ApiKeys
from gateway.rate_limit import TenantRateLimiter

if TYPE_CHECKING:
    # Only the type stubs define the asyncio flavour of the generated stub.
    from memgrid.memory.v1.service_pb2_grpc import MemoryStoreServiceAsyncStub
    from memgrid.search.v1.service_pb2_grpc import SearchServiceAsyncStub

T = TypeVar("T")
log = logging.getLogger(__name__)

# Clients may change these; tier, heat, validity and supersession belong to the thought
# engine, which talks to memory-store directly.
PUBLIC_UPDATE_PATHS = frozenset({"content", "metadata", "tags", "importance", "expires_at"})

_RETRIEVAL_MODES = {
    gw.RETRIEVAL_MODE_UNSPECIFIED: search.RETRIEVAL_MODE_UNSPECIFIED,
    gw.RETRIEVAL_MODE_HYBRID: search.RETRIEVAL_MODE_HYBRID,
    gw.RETRIEVAL_MODE_DENSE: search.RETRIEVAL_MODE_DENSE,
    gw.RETRIEVAL_MODE_SPARSE: search.RETRIEVAL_MODE_SPARSE,
}


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
        search_service: SearchServiceAsyncStub | None = None,
        index_timeout_seconds: float = 2.0,
    ) -> None:
        self._store = memory_store
        self._keys = api_keys
        self._limiter = rate_limiter
        self._derived_stores = derived_stores
        self._search = search_service
        self._index_timeout = index_timeout_seconds
        # Fire-and-forget heat updates; kept referenced until done so none is collected.
        self._background: set[asyncio.Task[None]] = set()

    def _tenant(self, context: grpc.aio.ServicerContext) -> str:
        tenant = self._keys.tenant_of(context)
        self._limiter.check(tenant)
        return tenant

    def _propagation(self, search_done: bool = False) -> list[common.Propagation]:
        """Where each derived store stands: memory-store's outbox reaches every one of
        them after the write; search may already have been updated directly."""
        return [
            common.Propagation(
                store=name,
                state=common.PROPAGATION_STATE_DONE
                if name == "search" and search_done
                else common.PROPAGATION_STATE_PENDING,
            )
            for name in self._derived_stores
        ]

    async def _index_now(self, tenant: str, memories: Sequence[common.Memory]) -> bool:
        """Read-your-writes: indexes what was just stored, within a short budget.

        memory-store's outbox already holds a job that indexes these memories, so a failure
        here only means the response says PENDING instead of DONE.
        """
        if self._search is None or not memories:
            return False
        try:
            await self._search.IndexMemories(
                search.IndexMemoriesRequest(tenant_id=tenant, memories=memories),
                timeout=deadlines.outbound_timeout(None, self._index_timeout),
            )
        except (grpc.aio.AioRpcError, MemgridError) as exc:
            log.warning("indexing on write failed, the outbox will retry: %s", exc)
            return False
        return True

    async def _unindex_now(self, tenant: str, ids: Sequence[str]) -> bool:
        """Removes deleted memories from the index before the delete returns, if it can."""
        if self._search is None or not ids:
            return False
        try:
            await self._search.RemoveMemories(
                search.RemoveMemoriesRequest(tenant_id=tenant, ids=ids),
                timeout=deadlines.outbound_timeout(None, self._index_timeout),
            )
        except (grpc.aio.AioRpcError, MemgridError) as exc:
            log.warning("removal from the index failed, the outbox will retry: %s", exc)
            return False
        return True

    def _record_visits(self, tenant: str, ids: list[str]) -> None:
        """Retrieval warms what it returns (heat), off the response path."""

        async def record() -> None:
            try:
                await self._store.RecordVisits(
                    store.RecordVisitsRequest(tenant_id=tenant, ids=ids, interaction_length=1),
                    timeout=self._index_timeout,
                )
            except grpc.aio.AioRpcError as exc:
                log.warning("recording visits failed: %s", exc.details())

        task = asyncio.create_task(record())
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _check_cube_access(self, tenant: str, memory_filter: common.MemoryFilter) -> None:
        """Search trusts its caller on cubes; memory-store knows who may read which."""
        if not memory_filter.cube_ids or not memory_filter.user_id:
            return
        reply = await downstream(
            self._store.ListCubes(
                store.ListCubesRequest(tenant_id=tenant, user_id=memory_filter.user_id)
            )
        )
        readable = {cube.cube_id for cube in reply.cubes}
        for cube_id in memory_filter.cube_ids:
            if cube_id not in readable:
                raise PermissionDenied("cube", cube_id)

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
        indexed = await self._index_now(tenant, reply.memories)
        return gw.AddMessagesResponse(
            memories=reply.memories,
            propagation=self._propagation(search_done=indexed),
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
        indexed = await self._index_now(tenant, reply.memories)
        return gw.AddMemoriesResponse(
            memories=reply.memories,
            outcomes=reply.outcomes,
            propagation=self._propagation(search_done=indexed),
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
        indexed = await self._index_now(tenant, [reply.memory])
        return gw.UpdateMemoryResponse(
            memory=reply.memory, propagation=self._propagation(search_done=indexed)
        )

    async def DeleteMemory(
        self, request: gw.DeleteMemoryRequest, context: grpc.aio.ServicerContext
    ) -> gw.DeleteMemoryResponse:
        tenant = self._tenant(context)
        reply = await downstream(
            self._store.DeleteMemory(store.DeleteMemoryRequest(tenant_id=tenant, id=request.id))
        )
        removed = await self._unindex_now(tenant, [reply.id])
        return gw.DeleteMemoryResponse(
            id=reply.id,
            versions_deleted=reply.versions_deleted,
            propagation=self._propagation(search_done=removed),
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
        removed = await self._unindex_now(tenant, reply.deleted_ids)
        return gw.DeleteMemoriesResponse(
            deleted_count=reply.deleted_count,
            propagation=self._propagation(search_done=removed or not reply.deleted_ids),
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
        tenant = self._tenant(context)
        if self._search is None:
            raise Unavailable(
                "search is not deployed (set MEMGRID_SEARCH_TARGET)", reason="SEARCH_NOT_DEPLOYED"
            )
        if request.mode not in _RETRIEVAL_MODES:
            raise InvalidArgument.field("mode", f"unknown retrieval mode {request.mode}")
        await self._check_cube_access(tenant, request.filter)
        found = await downstream(
            self._search.Search(
                search.SearchRequest(
                    tenant_id=tenant,
                    query=request.query,
                    filter=request.filter,
                    k=request.k,
                    valid_at=request.valid_at if request.HasField("valid_at") else None,
                    mode=_RETRIEVAL_MODES[request.mode],
                    weights=search.RankWeights(
                        **{
                            name: getattr(request.weights, name)
                            for name in ("recency", "importance", "heat", "diversity")
                            if request.weights.HasField(name)
                        }
                    ),
                )
            )
        )
        if not found.hits:
            return gw.SearchResponse(embedding_model=found.embedding_model)
        # The index is derived and may briefly hold a memory deleted a moment ago; the
        # system of record decides what exists, and supplies the content.
        stored = await downstream(
            self._store.BatchGetMemories(
                store.BatchGetMemoriesRequest(
                    tenant_id=tenant, ids=[hit.memory_id for hit in found.hits]
                )
            )
        )
        by_id = {memory.id: memory for memory in stored.memories}
        hits = [
            gw.SearchHit(
                memory=by_id[hit.memory_id],
                score=hit.score,
                explanation=gw.SearchExplanation(
                    dense_score=hit.dense_score,
                    sparse_score=hit.sparse_score,
                    dense_rank=hit.dense_rank,
                    sparse_rank=hit.sparse_rank,
                    fused_score=hit.fused_score,
                    fused_rank=hit.fused_rank,
                    recency_term=hit.recency_term,
                    importance_term=hit.importance_term,
                    heat_term=hit.heat_term,
                ),
            )
            for hit in found.hits
            if hit.memory_id in by_id
        ]
        self._record_visits(tenant, [hit.memory.id for hit in hits])
        return gw.SearchResponse(hits=hits, embedding_model=found.embedding_model)

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
