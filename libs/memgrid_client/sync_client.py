"""The sync client of the memgrid gateway: `with Memgrid(address, key) as memgrid: ...`.

The same methods, arguments, errors, retries and deadlines as `AsyncMemgrid` (client.py),
for scripts, notebooks and threads that do not run an event loop. One client may be used
from several threads at once.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
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
from memgrid_client.client import CHAT_TIMEOUT_SECONDS
from memgrid_client.connection import DEFAULT_ADDRESS, address_and_key_from_env, open_channel
from memgrid_client.errors import MemgridError, from_rpc_error
from memgrid_client.retry import RetryPolicy

if TYPE_CHECKING:
    # typing.Self is new in 3.11; the annotations are strings, so 3.10 never imports it.
    from typing import Self

RequestT = TypeVar("RequestT", bound=Message)
ResponseT = TypeVar("ResponseT", bound=Message)


class Memgrid:
    """The sync client. `timeout` is each call's default budget in seconds."""

    def __init__(
        self,
        address: str = DEFAULT_ADDRESS,
        api_key: str = "",
        *,
        timeout: float = 10.0,
        retry: RetryPolicy | None = None,
        credentials: grpc.ChannelCredentials | None = None,
    ) -> None:
        self._channel = open_channel(address, credentials)
        self._stub = GatewayServiceStub(self._channel)
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

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._channel.close()

    def _unary(
        self,
        rpc: grpc.UnaryUnaryMultiCallable[RequestT, ResponseT],
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
                return rpc(request, metadata=self._metadata, timeout=deadline - time.monotonic())
            except grpc.RpcError as exc:
                error = from_rpc_error(exc)
            delay = (
                self._retry.delay_before_retry(attempts, error, deadline - time.monotonic())
                if retryable
                else None
            )
            if delay is None:
                raise error
            time.sleep(delay)

    # Memories

    def add_memories(
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
        return self._unary(
            self._stub.AddMemories,
            build.add_memories(memories, idempotency_key=key, dedup=dedup),
            retryable=bool(key),
            timeout=timeout,
        )

    def add_memory(
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
        reply = self.add_memories(
            [memory], idempotency_key=idempotency_key, dedup=dedup, timeout=timeout
        )
        return reply.memories[0]

    def add_messages(
        self,
        scope: common.Scope,
        messages: Iterable[common.NewMessage],
        *,
        idempotency_key: str | None = None,
        timeout: float | None = None,
    ) -> gw.AddMessagesResponse:
        """Appends conversation turns to scope's session (idempotency as in add_memories)."""
        key = build.idempotency_key(idempotency_key)
        return self._unary(
            self._stub.AddMessages,
            build.add_messages(scope, messages, idempotency_key=key),
            retryable=bool(key),
            timeout=timeout,
        )

    def get_memory(self, memory_id: str, *, timeout: float | None = None) -> common.Memory:
        reply = self._unary(
            self._stub.GetMemory,
            gw.GetMemoryRequest(id=memory_id),
            retryable=True,
            timeout=timeout,
        )
        return reply.memory

    def batch_get_memories(
        self, ids: Iterable[str], *, timeout: float | None = None
    ) -> gw.BatchGetMemoriesResponse:
        return self._unary(
            self._stub.BatchGetMemories,
            gw.BatchGetMemoriesRequest(ids=list(ids)),
            retryable=True,
            timeout=timeout,
        )

    def update_memory(
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
        reply = self._unary(
            self._stub.UpdateMemory,
            build.update_memory(memory_id, update, paths, expected_version=expected_version),
            retryable=False,
            timeout=timeout,
        )
        return reply.memory

    def delete_memory(
        self, memory_id: str, *, timeout: float | None = None
    ) -> gw.DeleteMemoryResponse:
        """Not retried: a repeat after a delete that went through would say NOT_FOUND."""
        return self._unary(
            self._stub.DeleteMemory,
            gw.DeleteMemoryRequest(id=memory_id),
            retryable=False,
            timeout=timeout,
        )

    def delete_memories(
        self, memory_filter: common.MemoryFilter, *, timeout: float | None = None
    ) -> gw.DeleteMemoriesResponse:
        return self._unary(
            self._stub.DeleteMemories,
            gw.DeleteMemoriesRequest(filter=memory_filter),
            retryable=False,
            timeout=timeout,
        )

    def erase_user(self, user_id: str, *, timeout: float | None = None) -> common.ErasureReceipt:
        """Erases everything of one user; a repeat erases nothing more and is safe to send."""
        reply = self._unary(
            self._stub.EraseUser,
            gw.EraseUserRequest(user_id=user_id),
            retryable=True,
            timeout=timeout,
        )
        return reply.receipt

    def erase_tenant(
        self, confirm_tenant_id: str, *, timeout: float | None = None
    ) -> common.ErasureReceipt:
        """Erases every user of the caller's tenant, whose id must be given to confirm."""
        reply = self._unary(
            self._stub.EraseTenant,
            gw.EraseTenantRequest(confirm_tenant_id=confirm_tenant_id),
            retryable=True,
            timeout=timeout,
        )
        return reply.receipt

    def list_memories(
        self,
        memory_filter: common.MemoryFilter,
        *,
        page_size: int = 50,
        page_token: str = "",
        timeout: float | None = None,
    ) -> gw.ListMemoriesResponse:
        return self._unary(
            self._stub.ListMemories,
            gw.ListMemoriesRequest(
                filter=memory_filter, page_size=page_size, page_token=page_token
            ),
            retryable=True,
            timeout=timeout,
        )

    def iter_memories(
        self,
        memory_filter: common.MemoryFilter,
        *,
        page_size: int = 200,
        timeout: float | None = None,
    ) -> Iterator[common.Memory]:
        """Every memory matching the filter, oldest first, fetched a page at a time."""
        token = ""
        while True:
            page = self.list_memories(
                memory_filter, page_size=page_size, page_token=token, timeout=timeout
            )
            for memory in page.memories:  # noqa: UP028 (AsyncMemgrid's loop, line for line)
                yield memory
            token = page.next_page_token
            if not token:
                return

    def get_memory_history(
        self, memory_id: str, *, timeout: float | None = None
    ) -> list[common.MemoryVersion]:
        reply = self._unary(
            self._stub.GetMemoryHistory,
            gw.GetMemoryHistoryRequest(id=memory_id),
            retryable=True,
            timeout=timeout,
        )
        return list(reply.versions)

    def search(
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
        return self._unary(
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

    def get_context(
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
        return self._unary(
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

    def create_cube(
        self,
        cube_id: str,
        *,
        owner_user_id: str,
        name: str = "",
        description: str = "",
        timeout: float | None = None,
    ) -> common.Cube:
        """Not retried: a repeat after a create that went through would say ALREADY_EXISTS."""
        reply = self._unary(
            self._stub.CreateCube,
            gw.CreateCubeRequest(
                cube_id=cube_id, owner_user_id=owner_user_id, name=name, description=description
            ),
            retryable=False,
            timeout=timeout,
        )
        return reply.cube

    def list_cubes(self, user_id: str, *, timeout: float | None = None) -> list[common.Cube]:
        reply = self._unary(
            self._stub.ListCubes,
            gw.ListCubesRequest(user_id=user_id),
            retryable=True,
            timeout=timeout,
        )
        return list(reply.cubes)

    def share_cube(
        self,
        cube_id: str,
        *,
        owner_user_id: str,
        reader_user_id: str,
        timeout: float | None = None,
    ) -> common.Cube:
        reply = self._unary(
            self._stub.ShareCube,
            gw.ShareCubeRequest(
                cube_id=cube_id, owner_user_id=owner_user_id, reader_user_id=reader_user_id
            ),
            retryable=False,
            timeout=timeout,
        )
        return reply.cube

    def unshare_cube(
        self,
        cube_id: str,
        *,
        owner_user_id: str,
        reader_user_id: str,
        timeout: float | None = None,
    ) -> common.Cube:
        reply = self._unary(
            self._stub.UnshareCube,
            gw.UnshareCubeRequest(
                cube_id=cube_id, owner_user_id=owner_user_id, reader_user_id=reader_user_id
            ),
            retryable=False,
            timeout=timeout,
        )
        return reply.cube

    # Background cognition

    def consolidate(
        self, user_id: str, *, session_id: str = "", timeout: float | None = None
    ) -> gw.ConsolidateResponse:
        """Starts a consolidation job (poll get_job). Retried: the gateway returns the job
        already waiting for an identical request instead of queueing a second one."""
        return self._unary(
            self._stub.Consolidate,
            gw.ConsolidateRequest(user_id=user_id, session_id=session_id),
            retryable=True,
            timeout=timeout,
        )

    def get_job(self, job_id: str, *, timeout: float | None = None) -> gw.Job:
        reply = self._unary(
            self._stub.GetJob, gw.GetJobRequest(job_id=job_id), retryable=True, timeout=timeout
        )
        return reply.job

    def retry_job(self, job_id: str, *, timeout: float | None = None) -> gw.Job:
        """Runs a DEAD job again with a fresh attempt count; returns it, PENDING. Not
        retried: a repeat after success would find the job no longer dead."""
        reply = self._unary(
            self._stub.RetryJob, gw.RetryJobRequest(job_id=job_id), retryable=False, timeout=timeout
        )
        return reply.job

    def get_profile(self, user_id: str, *, timeout: float | None = None) -> gw.GetProfileResponse:
        return self._unary(
            self._stub.GetProfile,
            gw.GetProfileRequest(user_id=user_id),
            retryable=True,
            timeout=timeout,
        )

    def list_patterns(
        self,
        user_id: str,
        *,
        page_size: int = 50,
        page_token: str = "",
        timeout: float | None = None,
    ) -> gw.ListPatternsResponse:
        return self._unary(
            self._stub.ListPatterns,
            gw.ListPatternsRequest(user_id=user_id, page_size=page_size, page_token=page_token),
            retryable=True,
            timeout=timeout,
        )

    def record_feedback(
        self,
        memory_id: str,
        verdict: gw.FeedbackVerdict.ValueType,
        *,
        timeout: float | None = None,
    ) -> gw.RecordFeedbackResponse:
        """Not retried: each call counts as one more judgement of the memory."""
        return self._unary(
            self._stub.RecordFeedback,
            gw.RecordFeedbackRequest(memory_id=memory_id, verdict=verdict),
            retryable=False,
            timeout=timeout,
        )

    def find_entities(
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
        return self._unary(
            self._stub.FindEntities,
            gw_graph.FindEntitiesRequest(query=query, user_id=user_id, match=match, limit=limit),
            retryable=True,
            timeout=timeout,
        )

    def get_neighbors(
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
        return self._unary(
            self._stub.GetNeighbors,
            gw_graph.GetNeighborsRequest(
                entity=entity, user_id=user_id, hops=hops, filter=relation_filter, limit=limit
            ),
            retryable=True,
            timeout=timeout,
        )

    def shortest_path(
        self,
        source: str,
        target: str,
        *,
        user_id: str,
        max_hops: int = 0,
        timeout: float | None = None,
    ) -> gw_graph.ShortestPathResponse:
        """A fewest-hops path between two entities (found is False when none)."""
        return self._unary(
            self._stub.ShortestPath,
            gw_graph.ShortestPathRequest(
                source=source, target=target, user_id=user_id, max_hops=max_hops
            ),
            retryable=True,
            timeout=timeout,
        )

    def get_related_memories(
        self,
        entities: Sequence[str],
        memory_filter: common.MemoryFilter,
        *,
        hops: int = 1,
        limit: int = 0,
        timeout: float | None = None,
    ) -> gw_graph.GetRelatedMemoriesResponse:
        """The filter's memories that mention the entities or their neighbours."""
        return self._unary(
            self._stub.GetRelatedMemories,
            gw_graph.GetRelatedMemoriesRequest(
                entities=list(entities), filter=memory_filter, hops=hops, limit=limit
            ),
            retryable=True,
            timeout=timeout,
        )

    def get_memory_graph(
        self,
        memory_id: str,
        *,
        user_id: str,
        hops: int = 1,
        limit: int = 0,
        timeout: float | None = None,
    ) -> gw_graph.GetMemoryGraphResponse:
        """The entities a memory mentions and their neighbourhood."""
        return self._unary(
            self._stub.GetMemoryGraph,
            gw_graph.GetMemoryGraphRequest(
                memory_id=memory_id, user_id=user_id, hops=hops, limit=limit
            ),
            retryable=True,
            timeout=timeout,
        )

    def chat(
        self,
        scope: common.Scope,
        message: str,
        *,
        k: int = 0,
        idempotency_key: str | None = None,
        timeout: float = CHAT_TIMEOUT_SECONDS,
    ) -> Iterator[gw.ChatResponse]:
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
            for event in call:  # noqa: UP028 (AsyncMemgrid's loop, line for line)
                yield event
        except grpc.RpcError as exc:
            raise from_rpc_error(exc) from exc
        finally:
            call.cancel()
