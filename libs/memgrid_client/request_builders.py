"""Builds the gateway's request messages from plain Python arguments.

Both clients (sync `Memgrid`, asyncio `AsyncMemgrid`) call these, so an argument means the
same thing in both and only the waiting differs.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta

from google.protobuf import field_mask_pb2
from memgrid.common.v1 import memory_pb2 as common
from memgrid.gateway.v1 import request_response_pb2 as gw


def idempotency_key(given: str | None) -> str:
    """The caller's key, or a fresh one so that retries of this call store nothing twice."""
    return given if given is not None else f"sdk-{uuid.uuid4().hex}"


def new_memory(
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
) -> common.NewMemory:
    memory = common.NewMemory(
        scope=common.Scope(
            user_id=user_id, agent_id=agent_id, session_id=session_id, cube_id=cube_id
        ),
        kind=kind,
        content=content,
        metadata=dict(metadata or {}),
        tags=list(tags),
        importance=importance,
    )
    if ttl is not None:
        memory.ttl.FromTimedelta(ttl)
    return memory


def add_memories(
    memories: Iterable[common.NewMemory], *, idempotency_key: str, dedup: bool
) -> gw.AddMemoriesRequest:
    return gw.AddMemoriesRequest(
        memories=list(memories), idempotency_key=idempotency_key, dedup=dedup
    )


def add_messages(
    scope: common.Scope, messages: Iterable[common.NewMessage], *, idempotency_key: str
) -> gw.AddMessagesRequest:
    return gw.AddMessagesRequest(
        scope=scope, messages=list(messages), idempotency_key=idempotency_key
    )


def update_memory(
    memory_id: str, update: common.MemoryUpdate, paths: Iterable[str], *, expected_version: int
) -> gw.UpdateMemoryRequest:
    return gw.UpdateMemoryRequest(
        id=memory_id,
        expected_version=expected_version,
        update=update,
        update_mask=field_mask_pb2.FieldMask(paths=list(paths)),
    )


def search(
    query: str,
    memory_filter: common.MemoryFilter,
    *,
    k: int,
    mode: gw.RetrievalMode.ValueType,
    weights: gw.RankWeights | None,
    valid_at: datetime | None,
    min_score: float = 0.0,
) -> gw.SearchRequest:
    request = gw.SearchRequest(
        query=query, filter=memory_filter, k=k, mode=mode, weights=weights, min_score=min_score
    )
    if valid_at is not None:
        request.valid_at.FromDatetime(valid_at)
    return request
