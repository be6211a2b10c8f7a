"""Builders of memory-store Memory messages for the search tests."""

from __future__ import annotations

import itertools
from typing import Any

from google.protobuf.timestamp_pb2 import Timestamp
from memgrid.common.v1 import memory_pb2

_ids = itertools.count(1)


def ts(seconds: float) -> Timestamp:
    stamp = Timestamp()
    stamp.FromNanoseconds(int(seconds * 1e9))
    return stamp


def memory(
    content: str = "a memory",
    *,
    id: str | None = None,
    user_id: str = "u1",
    agent_id: str = "",
    session_id: str = "",
    cube_id: str = "",
    kind: int = memory_pb2.MEMORY_KIND_FACT,
    tier: int = memory_pb2.MEMORY_TIER_MID,
    tags: tuple[str, ...] = (),
    metadata: dict[str, str] | None = None,
    version: int = 1,
    created_at: float = 1_700_000_000.0,
    valid_from: float | None = None,
    valid_to: float | None = None,
    expires_at: float | None = None,
    superseded_by: str = "",
    importance: float = 0.5,
    heat: float = 0.0,
) -> memory_pb2.Memory:
    fields: dict[str, Any] = {}
    if valid_from is not None:
        fields["valid_from"] = ts(valid_from)
    if valid_to is not None:
        fields["valid_to"] = ts(valid_to)
    if expires_at is not None:
        fields["expires_at"] = ts(expires_at)
    return memory_pb2.Memory(
        id=id or f"mem-{next(_ids)}",
        scope=memory_pb2.Scope(
            user_id=user_id, agent_id=agent_id, session_id=session_id, cube_id=cube_id
        ),
        kind=kind,  # type: ignore[arg-type]
        tier=tier,  # type: ignore[arg-type]
        content=content,
        tags=list(tags),
        metadata=metadata or {},
        version=version,
        created_at=ts(created_at),
        updated_at=ts(created_at),
        superseded_by=superseded_by,
        importance=importance,
        heat=heat,
        **fields,
    )
