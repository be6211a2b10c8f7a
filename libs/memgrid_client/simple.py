"""A Mem0-style surface over the typed clients: plain Python data in and out.

    memory = SimpleMemgrid.from_env()
    memory.add([{"role": "user", "content": "I moved to Oslo"}], user_id="alice")
    memory.search("where does alice live", user_id="alice")["results"][0]["content"]

Memories come back as dicts with every field of memgrid.common.v1.Memory, enums as their
short names ("FACT", "MID", "USER") and timestamps as timezone-aware datetimes (plain.py).
Errors, retries and deadlines are the typed clients' (`MemgridError` subclasses naming the
bad field); `.typed` is the typed client underneath, for everything else the gateway does.
`AsyncSimpleMemgrid` has the same methods as coroutines (test_sync_async_parity.py keeps
the two the same).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import grpc
from memgrid.common.v1 import memory_pb2 as common

from memgrid_client.client import AsyncMemgrid
from memgrid_client.connection import DEFAULT_ADDRESS, address_and_key_from_env
from memgrid_client.errors import InvalidArgument
from memgrid_client.plain import enum_value, to_plain
from memgrid_client.retry import RetryPolicy
from memgrid_client.sync_client import Memgrid

if TYPE_CHECKING:
    # typing.Self is new in 3.11; the annotations are strings, so 3.10 never imports it.
    from typing import Self

__all__ = ["AsyncSimpleMemgrid", "SimpleMemgrid"]

# What a conversation turn given to add() may carry, as in the OpenAI chat format.
MESSAGE_KEYS = ("role", "content", "name")


class AsyncSimpleMemgrid:
    """The asyncio Mem0-style client. `timeout` is each call's default budget in seconds."""

    def __init__(
        self,
        address: str = DEFAULT_ADDRESS,
        api_key: str = "",
        *,
        timeout: float = 10.0,
        retry: RetryPolicy | None = None,
        credentials: grpc.ChannelCredentials | None = None,
    ) -> None:
        self.typed = AsyncMemgrid(
            address, api_key, timeout=timeout, retry=retry, credentials=credentials
        )

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
        await self.typed.close()

    async def add(
        self,
        messages: str | Iterable[Mapping[str, Any]],
        *,
        user_id: str,
        session_id: str | None = None,
        agent_id: str | None = None,
        metadata: Mapping[str, str] | None = None,
        kind: str = "FACT",
    ) -> dict[str, Any]:
        """Turns ({"role": "user", "content": ...}) are appended to the session as MESSAGE
        memories, which the thought engine consolidates later into facts, episodes and the
        profile; without session_id each call is a session of its own. A string is stored
        as one memory of `kind`. Returns {"results": [memory, ...]}, searchable at once."""
        if isinstance(messages, str):
            memory = await self.typed.add_memory(
                messages,
                user_id=user_id,
                kind=enum_value(common.MemoryKind, kind, field="kind"),
                agent_id=agent_id or "",
                session_id=session_id or "",
                metadata=metadata,
            )
            return {"results": [to_plain(memory)]}
        reply = await self.typed.add_messages(
            _session(user_id, session_id, agent_id), _new_messages(messages, metadata)
        )
        return {"results": [to_plain(memory) for memory in reply.memories]}

    async def search(
        self,
        query: str,
        *,
        user_id: str,
        limit: int = 10,
        min_score: float = 0.0,
        session_id: str | None = None,
        agent_id: str | None = None,
        kind: str | None = None,
    ) -> dict[str, Any]:
        """The user's best `limit` memories for the query: {"results": [memory with its
        "score" (0..1), ...], "degraded": [retrievers that did not answer]}."""
        reply = await self.typed.search(
            query,
            _filter(user_id, session_id, agent_id, kind),
            k=limit,
            min_score=min_score,
        )
        results = [{**to_plain(hit.memory), "score": hit.score} for hit in reply.hits]
        return {"results": results, "degraded": list(reply.degraded)}

    async def get_all(
        self,
        *,
        user_id: str,
        limit: int = 100,
        session_id: str | None = None,
        agent_id: str | None = None,
        kind: str | None = None,
    ) -> dict[str, Any]:
        """Up to `limit` of the user's memories, oldest first: {"results": [memory, ...]}."""
        results: list[dict[str, Any]] = []
        pages = self.typed.iter_memories(
            _filter(user_id, session_id, agent_id, kind), page_size=min(limit, 1000)
        )
        async for memory in pages:
            if len(results) == limit:
                break
            results.append(to_plain(memory))
        return {"results": results}

    async def get(self, memory_id: str) -> dict[str, Any]:
        """One memory; NotFound when the caller's tenant has none with that id."""
        return to_plain(await self.typed.get_memory(memory_id))

    async def update(
        self,
        memory_id: str,
        data: str | None = None,
        *,
        metadata: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        """Replaces the memory's text (data) and/or its metadata; the old version stays in
        history(). Returns the memory as it is now."""
        update, paths = _update(data, metadata)
        return to_plain(await self.typed.update_memory(memory_id, update, paths))

    async def delete(self, memory_id: str) -> dict[str, Any]:
        """Deletes the memory and its history everywhere; says what else the delete changed
        ("derived") and how far it reached the search index and the graph."""
        return to_plain(await self.typed.delete_memory(memory_id))

    async def delete_all(
        self, *, user_id: str, session_id: str | None = None, agent_id: str | None = None
    ) -> dict[str, Any]:
        """Deletes every memory of the user (or of one of their sessions or agents)."""
        reply = await self.typed.delete_memories(_filter(user_id, session_id, agent_id, None))
        return to_plain(reply)

    async def history(self, memory_id: str) -> list[dict[str, Any]]:
        """Every version of the memory, oldest first: {"version", "change_type",
        "memory", "changed_at"}."""
        return [to_plain(version) for version in await self.typed.get_memory_history(memory_id)]

    async def get_context(
        self,
        query: str,
        *,
        user_id: str,
        session_id: str | None = None,
        max_tokens: int = 0,
    ) -> dict[str, Any]:
        """What to put in an LLM's prompt to answer the query for the user, in at most
        max_tokens (0: the gateway's default)."""
        reply = await self.typed.get_context(
            query, user_id=user_id, session_id=session_id or "", max_tokens=max_tokens
        )
        return to_plain(reply)


class SimpleMemgrid:
    """The sync Mem0-style client. `timeout` is each call's default budget in seconds."""

    def __init__(
        self,
        address: str = DEFAULT_ADDRESS,
        api_key: str = "",
        *,
        timeout: float = 10.0,
        retry: RetryPolicy | None = None,
        credentials: grpc.ChannelCredentials | None = None,
    ) -> None:
        self.typed = Memgrid(
            address, api_key, timeout=timeout, retry=retry, credentials=credentials
        )

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
        self.typed.close()

    def add(
        self,
        messages: str | Iterable[Mapping[str, Any]],
        *,
        user_id: str,
        session_id: str | None = None,
        agent_id: str | None = None,
        metadata: Mapping[str, str] | None = None,
        kind: str = "FACT",
    ) -> dict[str, Any]:
        """Turns ({"role": "user", "content": ...}) are appended to the session as MESSAGE
        memories, which the thought engine consolidates later into facts, episodes and the
        profile; without session_id each call is a session of its own. A string is stored
        as one memory of `kind`. Returns {"results": [memory, ...]}, searchable at once."""
        if isinstance(messages, str):
            memory = self.typed.add_memory(
                messages,
                user_id=user_id,
                kind=enum_value(common.MemoryKind, kind, field="kind"),
                agent_id=agent_id or "",
                session_id=session_id or "",
                metadata=metadata,
            )
            return {"results": [to_plain(memory)]}
        reply = self.typed.add_messages(
            _session(user_id, session_id, agent_id), _new_messages(messages, metadata)
        )
        return {"results": [to_plain(memory) for memory in reply.memories]}

    def search(
        self,
        query: str,
        *,
        user_id: str,
        limit: int = 10,
        min_score: float = 0.0,
        session_id: str | None = None,
        agent_id: str | None = None,
        kind: str | None = None,
    ) -> dict[str, Any]:
        """The user's best `limit` memories for the query: {"results": [memory with its
        "score" (0..1), ...], "degraded": [retrievers that did not answer]}."""
        reply = self.typed.search(
            query,
            _filter(user_id, session_id, agent_id, kind),
            k=limit,
            min_score=min_score,
        )
        results = [{**to_plain(hit.memory), "score": hit.score} for hit in reply.hits]
        return {"results": results, "degraded": list(reply.degraded)}

    def get_all(
        self,
        *,
        user_id: str,
        limit: int = 100,
        session_id: str | None = None,
        agent_id: str | None = None,
        kind: str | None = None,
    ) -> dict[str, Any]:
        """Up to `limit` of the user's memories, oldest first: {"results": [memory, ...]}."""
        results: list[dict[str, Any]] = []
        pages = self.typed.iter_memories(
            _filter(user_id, session_id, agent_id, kind), page_size=min(limit, 1000)
        )
        for memory in pages:
            if len(results) == limit:
                break
            results.append(to_plain(memory))
        return {"results": results}

    def get(self, memory_id: str) -> dict[str, Any]:
        """One memory; NotFound when the caller's tenant has none with that id."""
        return to_plain(self.typed.get_memory(memory_id))

    def update(
        self,
        memory_id: str,
        data: str | None = None,
        *,
        metadata: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        """Replaces the memory's text (data) and/or its metadata; the old version stays in
        history(). Returns the memory as it is now."""
        update, paths = _update(data, metadata)
        return to_plain(self.typed.update_memory(memory_id, update, paths))

    def delete(self, memory_id: str) -> dict[str, Any]:
        """Deletes the memory and its history everywhere; says what else the delete changed
        ("derived") and how far it reached the search index and the graph."""
        return to_plain(self.typed.delete_memory(memory_id))

    def delete_all(
        self, *, user_id: str, session_id: str | None = None, agent_id: str | None = None
    ) -> dict[str, Any]:
        """Deletes every memory of the user (or of one of their sessions or agents)."""
        reply = self.typed.delete_memories(_filter(user_id, session_id, agent_id, None))
        return to_plain(reply)

    def history(self, memory_id: str) -> list[dict[str, Any]]:
        """Every version of the memory, oldest first: {"version", "change_type",
        "memory", "changed_at"}."""
        return [to_plain(version) for version in self.typed.get_memory_history(memory_id)]

    def get_context(
        self,
        query: str,
        *,
        user_id: str,
        session_id: str | None = None,
        max_tokens: int = 0,
    ) -> dict[str, Any]:
        """What to put in an LLM's prompt to answer the query for the user, in at most
        max_tokens (0: the gateway's default)."""
        reply = self.typed.get_context(
            query, user_id=user_id, session_id=session_id or "", max_tokens=max_tokens
        )
        return to_plain(reply)


def _session(user_id: str, session_id: str | None, agent_id: str | None) -> common.Scope:
    return common.Scope(
        user_id=user_id,
        # Mem0 treats each add() as one exchange; a session of its own keeps it one here.
        session_id=session_id or f"add-{uuid.uuid4().hex}",
        agent_id=agent_id or "",
    )


def _new_messages(
    messages: Iterable[Mapping[str, Any]], metadata: Mapping[str, str] | None
) -> list[common.NewMessage]:
    turns = []
    for index, message in enumerate(messages):
        path = f"messages[{index}]"
        if not isinstance(message, Mapping):
            raise InvalidArgument.field(path, 'must be a dict like {"role": ..., "content": ...}')
        unknown = sorted(set(message) - set(MESSAGE_KEYS))
        if unknown:
            raise InvalidArgument.field(
                f"{path}.{unknown[0]}", f"not a field of a turn ({', '.join(MESSAGE_KEYS)})"
            )
        content = message.get("content")
        if not isinstance(content, str):
            raise InvalidArgument.field(f"{path}.content", "must be a string")
        role = enum_value(common.Role, str(message.get("role", "")), field=f"{path}.role")
        turns.append(
            common.NewMessage(
                role=role,
                content=content,
                speaker=str(message.get("name", "")),
                metadata=dict(metadata or {}),
            )
        )
    return turns


def _filter(
    user_id: str, session_id: str | None, agent_id: str | None, kind: str | None
) -> common.MemoryFilter:
    kinds = [enum_value(common.MemoryKind, kind, field="kind")] if kind else []
    return common.MemoryFilter(
        user_id=user_id,
        session_id=session_id or "",
        agent_id=agent_id or "",
        kinds=kinds,
    )


def _update(
    data: str | None, metadata: Mapping[str, str] | None
) -> tuple[common.MemoryUpdate, list[str]]:
    if data is None and metadata is None:
        raise InvalidArgument.field("data", "give data (the new text), metadata, or both")
    update = common.MemoryUpdate(content=data or "", metadata=dict(metadata or {}))
    paths = [
        path for path, given in (("content", data), ("metadata", metadata)) if given is not None
    ]
    return update, paths
