"""How a memory-store Memory becomes an index point: its payload and vectors."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from google.protobuf.timestamp_pb2 import Timestamp
from memgrid.common.v1 import memory_pb2

from services.search.embedding import Vectors
from services.search.index.base import IndexPoint
from services.search.sparse import SparseEncoder


def epoch_seconds(ts: Timestamp) -> float:
    return ts.seconds + ts.nanos / 1e9


def kind_name(kind: int) -> str:
    """MEMORY_KIND_FACT -> "FACT": short, stable payload values."""
    return memory_pb2.MemoryKind.Name(kind).removeprefix("MEMORY_KIND_")  # type: ignore[arg-type]


def tier_name(tier: int) -> str:
    return memory_pb2.MemoryTier.Name(tier).removeprefix("MEMORY_TIER_")  # type: ignore[arg-type]


def memory_payload(tenant_id: str, memory: memory_pb2.Memory) -> dict[str, Any]:
    """The filterable and rankable fields of a memory; content stays in memory-store."""
    created_at = epoch_seconds(memory.created_at)
    payload: dict[str, Any] = {
        "tenant_id": tenant_id,
        "memory_id": memory.id,
        "version": memory.version,
        "user_id": memory.scope.user_id,
        "agent_id": memory.scope.agent_id,
        "session_id": memory.scope.session_id,
        "cube_id": memory.scope.cube_id,
        "kind": kind_name(memory.kind),
        "tier": tier_name(memory.tier),
        "tags": list(memory.tags),
        "metadata": dict(memory.metadata),
        "importance": float(memory.importance),
        "heat": float(memory.heat),
        "created_at": created_at,
        "updated_at": epoch_seconds(memory.updated_at)
        if memory.HasField("updated_at")
        else created_at,
        # A memory asserts its content from when it was created unless told otherwise.
        "valid_from": epoch_seconds(memory.valid_from)
        if memory.HasField("valid_from")
        else created_at,
        "superseded": bool(memory.superseded_by),
    }
    # Left out when unset, so that range conditions on them never match such memories.
    if memory.HasField("valid_to"):
        payload["valid_to"] = epoch_seconds(memory.valid_to)
    if memory.HasField("expires_at"):
        payload["expires_at"] = epoch_seconds(memory.expires_at)
    return payload


def build_points(
    tenant_id: str,
    memories: Sequence[memory_pb2.Memory],
    dense: Vectors,
    sparse_encoder: SparseEncoder,
) -> list[IndexPoint]:
    return [
        IndexPoint(
            tenant_id=tenant_id,
            memory_id=memory.id,
            version=memory.version,
            dense=vector.tolist(),
            sparse=sparse_encoder.encode_document(memory.content),
            payload=memory_payload(tenant_id, memory),
        )
        for memory, vector in zip(memories, dense, strict=True)
    ]
