"""The asyncio client of the memgrid gateway: `async with AsyncMemgrid(address, key) as m:`.

One method per RPC of memgrid.gateway.v1.GatewayService, taking plain Python arguments and
returning the generated (typed) messages. Every failed call raises one typed error: a
memgrid_client.errors.MemgridError subclass carrying the gRPC code and the parsed details
(field violations, resource, retry delay). Reads, and writes that carry an idempotency key,
are retried on UNAVAILABLE (see retry.py); a call's timeout bounds all of its attempts.
`Memgrid` (sync_client.py) is the same client for code that does not use asyncio.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, TypeVar

import grpc
from google.protobuf.message import Message
from memgrid.common.v1 import graph_pb2 as graph
from memgrid.common.v1 import memory_pb2 as common
from memgrid.gateway.v1 import graph_request_response_pb2 as gw_graph
from memgrid.gateway.v1 import request_response_pb2 as gw
from memgrid.gateway.v1.service_pb2_grpc import GatewayServiceStub

from memgrid_client import request_builders as build
from memgrid_client.connection import (
    DEFAULT_ADDRESS,
    DEV_API_KEY,
    address_and_key_from_env,
    open_aio_channel,
)
from memgrid_client.errors import MemgridError, from_rpc_error
from memgrid_client.retry import RetryPolicy

if TYPE_CHECKING:
    # typing.Self is new in 3.11; the annotations are strings, so 3.10 never imports it.
    from typing import Self

    from memgrid.gateway.v1.service_pb2_grpc import GatewayServiceAsyncStub

__all__ = ["DEFAULT_ADDRESS", "DEV_API_KEY", "AsyncMemgrid", "MemgridClient"]

RequestT = TypeVar("RequestT", bound=Message)
ResponseT = TypeVar("ResponseT", bound=Message)

# An answer streamed from an LLM takes longer than any other call.
CHAT_TIMEOUT_SECONDS = 120.0


class AsyncMemgrid:
    """The asyncio client. `timeout` is each call's default budget in seconds."""

    def __init__(
        self,
        address: str = DEFAULT_ADDRESS,
        api_key: str = "",
        *,
        timeout: float = 10.0,
        retry: RetryPolicy | None = None,
        credentials: grpc.ChannelCredentials | None = None,
    ) -> None:
        self._channel = open_aio_channel(address, credentials)
        self._stub: GatewayServiceAsyncStub = GatewayServiceStub(self._channel)
        self._metadata = (("x-api-key", api_key),)
        self._timeout = timeout
        self._retry = retry or RetryPolicy()

    @classmethod
    def from_env(
        cls,
        *,
        timeout: float = 10.0,
        retry: RetryPolicy | None = None,
        credentials: grpc.ChannelCredentials | None = None,
    ) -> Self:
        """A client for MEMGRID_ADDRESS with MEMGRID_API_KEY (defaults: `make run`'s)."""
        address, api_key = address_and_key_from_env()
        return cls(address, api_key, timeout=timeout, retry=retry, credentials=credentials)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        await self._channel.close(grace=None)

    async def _unary(
        self,
        rpc: grpc.aio.UnaryUnaryMultiCallable[RequestT, ResponseT],
        request: RequestT,
        *,
        retryable: bool,
        timeout: float | None,
    ) -> ResponseT:
        deadline = time.monotonic() + (self._timeout if timeout is None else timeout)
        attempts = 0
        while True:
            attempts += 1
            error: MemgridError
            try:
                return await rpc(
                    request, metadata=self._metadata, timeout=deadline - time.monotonic()
                )
            except grpc.aio.AioRpcError as exc:
                error = from_rpc_error(exc)
            delay = (
                self._retry.delay_before_retry(attempts, error, deadline - time.monotonic())
                if retryable
                else None
            )
            if delay is None:
                raise error
            await asyncio.sleep(delay)

    # Memories

    async def add_memories(
        self,
        memories: Iterable[common.NewMemory],
        *,
        idempotency_key: str | None = None,
        dedup: bool = False,
        timeout: float | None = None,
    ) -> gw.AddMemoriesResponse:
        """Stores a batch atomically. Without idempotency_key the SDK makes one, so that a
        retry after UNAVAILABLE stores nothing twice; "" sends none and turns retries off."""
        key = build.idempotency_key(idempotency_key)
        return await self._unary(
            self._stub.AddMemories,
            build.add_memories(memories, idempotency_key=key, dedup=dedup),
            retryable=bool(key),
            timeout=timeout,
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
        importance: float | None = None,
        ttl: timedelta | None = None,
        idempotency_key: str | None = None,
        dedup: bool = False,
        timeout: float | None = None,
    ) -> common.Memory:
        memory = build.new_memory(
            content,
            user_id=user_id,
            kind=kind,
            agent_id=agent_id,
            session_id=session_id,
            cube_id=cube_id,
            metadata=metadata,
            tags=tags,
            importance=importance,
            ttl=ttl,
        )
        reply = await self.add_memories(
            [memory], idempotency_key=idempotency_key, dedup=dedup, timeout=timeout
        )
        return reply.memories[0]

    async def add_messages(
        self,
        scope: common.Scope,
        messages: Iterable[common.NewMessage],
        *,
        idempotency_key: str | None = None,
        timeout: float | None = None,
    ) -> gw.AddMessagesResponse:
        """Appends conversation turns to scope's session (idempotency as in add_memories)."""
        key = build.idempotency_key(idempotency_key)
        return await self._unary(
            self._stub.AddMessages,
            build.add_messages(scope, messages, idempotency_key=key),
            retryable=bool(key),
            timeout=timeout,
        )

    async def get_memory(self, memory_id: str, *, timeout: float | None = None) -> common.Memory:
        reply = await self._unary(
            self._stub.GetMemory,
            gw.GetMemoryRequest(id=memory_id),
            retryable=True,
            timeout=timeout,
        )
        return reply.memory

    async def batch_get_memories(
        self, ids: Iterable[str], *, timeout: float | None = None
    ) -> gw.BatchGetMemoriesResponse:
        return await self._unary(
            self._stub.BatchGetMemories,
            gw.BatchGetMemoriesRequest(ids=list(ids)),
            retryable=True,
            timeout=timeout,
        )

    async def update_memory(
        self,
        memory_id: str,
        update: common.MemoryUpdate,
        paths: Iterable[str],
        *,
        expected_version: int = 0,
        timeout: float | None = None,
    ) -> common.Memory:
        """Applies the fields of update named in paths. Not retried: a repeat would add a
        version, or fail with ABORTED once the first attempt had applied."""
        reply = await self._unary(
            self._stub.UpdateMemory,
            build.update_memory(memory_id, update, paths, expected_version=expected_version),
            retryable=False,
            timeout=timeout,
        )
        return reply.memory

    async def delete_memory(
        self, memory_id: str, *, timeout: float | None = None
    ) -> gw.DeleteMemoryResponse:
        """Not retried: a repeat after a delete that went through would say NOT_FOUND."""
        return await self._unary(
            self._stub.DeleteMemory,
            gw.DeleteMemoryRequest(id=memory_id),
            retryable=False,
            timeout=timeout,
        )

    async def delete_memories(
        self, memory_filter: common.MemoryFilter, *, timeout: float | None = None
    ) -> gw.DeleteMemoriesResponse:
        return await self._unary(
            self._stub.DeleteMemories,
            gw.DeleteMemoriesRequest(filter=memory_filter),
            retryable=False,
            timeout=timeout,
        )

    async def erase_user(
        self, user_id: str, *, timeout: float | None = None
    ) -> common.ErasureReceipt:
        """Erases everything of one user; a repeat erases nothing more and is safe to send."""
        reply = await self._unary(
            self._stub.EraseUser,
            gw.EraseUserRequest(user_id=user_id),
            retryable=True,
            timeout=timeout,
        )
        return reply.receipt

    async def erase_tenant(
        self, confirm_tenant_id: str, *, timeout: float | None = None
    ) -> common.ErasureReceipt:
        """Erases every user of the caller's tenant, whose id must be given to confirm."""
        reply = await self._unary(
            self._stub.EraseTenant,
            gw.EraseTenantRequest(confirm_tenant_id=confirm_tenant_id),
            retryable=True,
            timeout=timeout,
        )
        return reply.receipt

    async def list_memories(
        self,
        memory_filter: common.MemoryFilter,
        *,
        page_size: int = 50,
        page_token: str = "",
        timeout: float | None = None,
    ) -> gw.ListMemoriesResponse:
        return await self._unary(
            self._stub.ListMemories,
            gw.ListMemoriesRequest(
                filter=memory_filter, page_size=page_size, page_token=page_token
            ),
            retryable=True,
            timeout=timeout,
        )

    async def iter_memories(
        self,
        memory_filter: common.MemoryFilter,
        *,
        page_size: int = 200,
        timeout: float | None = None,
    ) -> AsyncIterator[common.Memory]:
        """Every memory matching the filter, oldest first, fetched a page at a time."""
        token = ""
        while True:
            page = await self.list_memories(
                memory_filter, page_size=page_size, page_token=token, timeout=timeout
            )
            for memory in page.memories:
                yield memory
            token = page.next_page_token
            if not token:
                return

    async def get_memory_history(
        self, memory_id: str, *, timeout: float | None = None
    ) -> list[common.MemoryVersion]:
        reply = await self._unary(
            self._stub.GetMemoryHistory,
            gw.GetMemoryHistoryRequest(id=memory_id),
            retryable=True,
            timeout=timeout,
        )
        return list(reply.versions)

    async def search(
        self,
        query: str,
        memory_filter: common.MemoryFilter,
        *,
        k: int = 10,
        mode: gw.RetrievalMode.ValueType = gw.RETRIEVAL_MODE_UNSPECIFIED,
        weights: gw.RankWeights | None = None,
        valid_at: datetime | None = None,
        min_score: float = 0.0,
        timeout: float | None = None,
    ) -> gw.SearchResponse:
        """Hybrid retrieval; valid_at (timezone-aware) asks what was true then; hits
        scored below min_score (0..1, see SearchHit.score) are left out."""
        return await self._unary(
            self._stub.Search,
            build.search(
                query,
                memory_filter,
                k=k,
                mode=mode,
                weights=weights,
                valid_at=valid_at,
                min_score=min_score,
            ),
            retryable=True,
            timeout=timeout,
        )

    async def get_context(
        self,
        query: str,
        *,
        user_id: str,
        session_id: str = "",
        max_tokens: int = 0,
        max_memories: int = 0,
        max_recent_turns: int = 0,
        min_score: float = 0.0,
        timeout: float | None = None,
    ) -> gw.GetContextResponse:
        """A prompt-ready context for answering the user: their profile, the session's
        recent turns (with session_id) and the memories found for the query, fitted to
        max_tokens (estimated; 0 means the server's default of 2000)."""
        return await self._unary(
            self._stub.GetContext,
            gw.GetContextRequest(
                query=query,
                user_id=user_id,
                session_id=session_id,
                max_tokens=max_tokens,
                max_memories=max_memories,
                max_recent_turns=max_recent_turns,
                min_score=min_score,
            ),
            retryable=True,
            timeout=timeout,
        )

    # Cubes

    async def create_cube(
        self,
        cube_id: str,
        *,
        owner_user_id: str,
        name: str = "",
        description: str = "",
        timeout: float | None = None,
    ) -> common.Cube:
        """Not retried: a repeat after a create that went through would say ALREADY_EXISTS."""
        reply = await self._unary(
            self._stub.CreateCube,
            gw.CreateCubeRequest(
                cube_id=cube_id, owner_user_id=owner_user_id, name=name, description=description
            ),
            retryable=False,
            timeout=timeout,
        )
        return reply.cube

    async def list_cubes(self, user_id: str, *, timeout: float | None = None) -> list[common.Cube]:
        reply = await self._unary(
            self._stub.ListCubes,
            gw.ListCubesRequest(user_id=user_id),
            retryable=True,
            timeout=timeout,
        )
        return list(reply.cubes)

    async def share_cube(
        self,
        cube_id: str,
        *,
        owner_user_id: str,
        reader_user_id: str,
        timeout: float | None = None,
    ) -> common.Cube:
        reply = await self._unary(
            self._stub.ShareCube,
            gw.ShareCubeRequest(
                cube_id=cube_id, owner_user_id=owner_user_id, reader_user_id=reader_user_id
            ),
            retryable=False,
            timeout=timeout,
        )
        return reply.cube

    async def unshare_cube(
        self,
        cube_id: str,
        *,
        owner_user_id: str,
        reader_user_id: str,
        timeout: float | None = None,
    ) -> common.Cube:
        reply = await self._unary(
            self._stub.UnshareCube,
            gw.UnshareCubeRequest(
                cube_id=cube_id, owner_user_id=owner_user_id, reader_user_id=reader_user_id
            ),
            retryable=False,
            timeout=timeout,
        )
        return reply.cube

    # Background cognition

    async def consolidate(
        self, user_id: str, *, session_id: str = "", timeout: float | None = None
    ) -> gw.ConsolidateResponse:
        """Starts a consolidation job (poll get_job). Retried: the gateway returns the job
        already waiting for an identical request instead of queueing a second one."""
        return await self._unary(
            self._stub.Consolidate,
            gw.ConsolidateRequest(user_id=user_id, session_id=session_id),
            retryable=True,
            timeout=timeout,
        )

    async def get_job(self, job_id: str, *, timeout: float | None = None) -> gw.Job:
        reply = await self._unary(
            self._stub.GetJob, gw.GetJobRequest(job_id=job_id), retryable=True, timeout=timeout
        )
        return reply.job

    async def retry_job(self, job_id: str, *, timeout: float | None = None) -> gw.Job:
        """Runs a DEAD job again with a fresh attempt count; returns it, PENDING. Not
        retried: a repeat after success would find the job no longer dead."""
        reply = await self._unary(
            self._stub.RetryJob, gw.RetryJobRequest(job_id=job_id), retryable=False, timeout=timeout
        )
        return reply.job

    async def get_profile(
        self, user_id: str, *, timeout: float | None = None
    ) -> gw.GetProfileResponse:
        return await self._unary(
            self._stub.GetProfile,
            gw.GetProfileRequest(user_id=user_id),
            retryable=True,
            timeout=timeout,
        )

    async def list_patterns(
        self,
        user_id: str,
        *,
        page_size: int = 50,
        page_token: str = "",
        timeout: float | None = None,
    ) -> gw.ListPatternsResponse:
        return await self._unary(
            self._stub.ListPatterns,
            gw.ListPatternsRequest(user_id=user_id, page_size=page_size, page_token=page_token),
            retryable=True,
            timeout=timeout,
        )

    async def record_feedback(
        self,
        memory_id: str,
        verdict: gw.FeedbackVerdict.ValueType,
        *,
        timeout: float | None = None,
    ) -> gw.RecordFeedbackResponse:
        """Not retried: each call counts as one more judgement of the memory."""
        return await self._unary(
            self._stub.RecordFeedback,
            gw.RecordFeedbackRequest(memory_id=memory_id, verdict=verdict),
            retryable=False,
            timeout=timeout,
        )

    async def find_entities(
        self,
        query: str,
        *,
        user_id: str,
        match: graph.EntityMatch.ValueType = graph.ENTITY_MATCH_UNSPECIFIED,
        limit: int = 0,
        timeout: float | None = None,
    ) -> gw_graph.FindEntitiesResponse:
        """Entities of the user's graph whose name or alias matches the query (equals it,
        by default)."""
        return await self._unary(
            self._stub.FindEntities,
            gw_graph.FindEntitiesRequest(query=query, user_id=user_id, match=match, limit=limit),
            retryable=True,
            timeout=timeout,
        )

    async def get_neighbors(
        self,
        entity: str,
        *,
        user_id: str,
        hops: int = 1,
        relation_filter: graph.RelationFilter | None = None,
        limit: int = 0,
        timeout: float | None = None,
    ) -> gw_graph.GetNeighborsResponse:
        """Entities within `hops` of one (1..4)."""
        return await self._unary(
            self._stub.GetNeighbors,
            gw_graph.GetNeighborsRequest(
                entity=entity, user_id=user_id, hops=hops, filter=relation_filter, limit=limit
            ),
            retryable=True,
            timeout=timeout,
        )

    async def shortest_path(
        self,
        source: str,
        target: str,
        *,
        user_id: str,
        max_hops: int = 0,
        timeout: float | None = None,
    ) -> gw_graph.ShortestPathResponse:
        """A fewest-hops path between two entities (found is False when none)."""
        return await self._unary(
            self._stub.ShortestPath,
            gw_graph.ShortestPathRequest(
                source=source, target=target, user_id=user_id, max_hops=max_hops
            ),
            retryable=True,
            timeout=timeout,
        )

    async def get_related_memories(
        self,
        entities: Sequence[str],
        memory_filter: common.MemoryFilter,
        *,
        hops: int = 1,
        limit: int = 0,
        timeout: float | None = None,
    ) -> gw_graph.GetRelatedMemoriesResponse:
        """The filter's memories that mention the entities or their neighbours."""
        return await self._unary(
            self._stub.GetRelatedMemories,
            gw_graph.GetRelatedMemoriesRequest(
                entities=list(entities), filter=memory_filter, hops=hops, limit=limit
            ),
            retryable=True,
            timeout=timeout,
        )

    async def get_memory_graph(
        self,
        memory_id: str,
        *,
        user_id: str,
        hops: int = 1,
        limit: int = 0,
        timeout: float | None = None,
    ) -> gw_graph.GetMemoryGraphResponse:
        """The entities a memory mentions and their neighbourhood."""
        return await self._unary(
            self._stub.GetMemoryGraph,
            gw_graph.GetMemoryGraphRequest(
                memory_id=memory_id, user_id=user_id, hops=hops, limit=limit
            ),
            retryable=True,
            timeout=timeout,
        )

    async def chat(
        self,
        scope: common.Scope,
        message: str,
        *,
        k: int = 0,
        idempotency_key: str | None = None,
        timeout: float = CHAT_TIMEOUT_SECONDS,
    ) -> AsyncIterator[gw.ChatResponse]:
        """Streams a ChatContext, the answer's text deltas, then ChatCompleted. Not retried
        (a stream may fail after part of the answer was read); a repeat with the same
        idempotency_key stores the exchange once."""
        request = gw.ChatRequest(
            scope=scope,
            message=message,
            k=k,
            idempotency_key=build.idempotency_key(idempotency_key),
        )
        call = self._stub.Chat(request, metadata=self._metadata, timeout=timeout)
        try:
            async for event in call:
                yield event
        except grpc.RpcError as exc:
            raise from_rpc_error(exc) from exc
        finally:
            call.cancel()


# The name this client had before the sync client existed; existing callers keep working.
MemgridClient = AsyncMemgrid
