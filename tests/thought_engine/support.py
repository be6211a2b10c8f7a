"""Builders shared by the thought-engine tests that run on a real memory-store."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import datetime, timedelta

from memgrid.common.v1 import memory_pb2

from services.thought_engine.conversation import Role
from services.thought_engine.graph_sink import GraphSink
from services.thought_engine.memory_store_client import MemoryStoreClient
from services.thought_engine.records import to_timestamp
from services.thought_engine.settings import ThoughtEngineSettings
from services.thought_engine.wiring import Engine, build_engine
from tests.thought_engine.conversations import T0

TENANT = "tenant-a"
OTHER_TENANT = "tenant-b"
USER = "alice"

_ROLES = {
    "user": memory_pb2.ROLE_USER,
    "assistant": memory_pb2.ROLE_ASSISTANT,
    "system": memory_pb2.ROLE_SYSTEM,
    "tool": memory_pb2.ROLE_TOOL,
}


def settings(**env: str) -> ThoughtEngineSettings:
    """Deterministic (no LLM) settings; `env` overrides MEMGRID_* variables."""
    return ThoughtEngineSettings.from_env({"MEMGRID_THOUGHT_WORKER_ID": "test-worker", **env})


def engine(store: MemoryStoreClient, graph: GraphSink | None = None, **env: str) -> Engine:
    return build_engine(settings(**env), store, graph=graph)


async def append(
    store: MemoryStoreClient,
    lines: Sequence[tuple[Role, str]],
    *,
    session_id: str = "s1",
    user_id: str = USER,
    tenant_id: str = TENANT,
    start: datetime = T0,
    gap: timedelta = timedelta(minutes=1),
    metadata: Mapping[str, str] | None = None,
) -> list[memory_pb2.Memory]:
    """Appends the turns, the first said at `start`, then one `gap` apart."""
    return await store.append_messages(
        tenant_id,
        memory_pb2.Scope(user_id=user_id, session_id=session_id),
        [
            memory_pb2.NewMessage(
                role=_ROLES[role],
                content=content,
                occurred_at=to_timestamp(start + index * gap),
                metadata=dict(metadata or {}),
            )
            for index, (role, content) in enumerate(lines)
        ],
        idempotency_key="",
    )


def seqs(messages: Sequence[memory_pb2.Memory]) -> tuple[int, int]:
    """The first and last session_seq of appended turns, as their job's payload says."""
    return messages[0].session_seq, messages[-1].session_seq


def scope(session_id: str = "s1", user_id: str = USER) -> memory_pb2.Scope:
    return memory_pb2.Scope(user_id=user_id, session_id=session_id)


async def memories_of(
    store: MemoryStoreClient,
    *kinds: memory_pb2.MemoryKind.ValueType,
    tenant_id: str = TENANT,
    user_id: str = USER,
    include_superseded: bool = False,
    session_id: str = "",
) -> list[memory_pb2.Memory]:
    return await store.list_all(
        tenant_id,
        memory_pb2.MemoryFilter(
            user_id=user_id,
            session_id=session_id,
            kinds=list(kinds),
            include_superseded=include_superseded,
        ),
    )


async def eventually(check: Callable[[], Awaitable[bool]], *, timeout: float = 30.0) -> None:
    """Waits until `check` holds, polling; fails the test after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if await check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"not true within {timeout:.0f}s: {check.__doc__ or check}")
