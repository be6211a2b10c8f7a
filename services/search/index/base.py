"""The vector index interface, and the backend-neutral records and filters it speaks.

Both backends store one point per (tenant, memory) with a named dense vector, a named
sparse (BM25) vector and a flat payload. Point ids are derived from tenant and memory id
together, so a memory id guessed from another tenant addresses a different point.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from services.search.sparse import SparseVector

DENSE = "dense"
SPARSE = "sparse"
_POINT_NAMESPACE = uuid.UUID("6f6a3c1e-52a4-4d0e-9a4c-3f0d5a1b7e21")

# Payload keys filtered by equality on every query: indexed as keywords so that filtered
# search stays fast without an HNSW graph (see the design brief's measurements).
KEYWORD_FIELDS = (
    "memory_id",
    "user_id",
    "agent_id",
    "session_id",
    "cube_id",
    "kind",
    "tier",
    "tags",
    "turn_key",
    "source_message_ids",
)
TENANT_FIELD = "tenant_id"
RANGE_FIELDS = ("created_at", "valid_from", "valid_to", "expires_at")
BOOL_FIELDS = ("superseded",)
# What a search needs back from each hit to rerank it.
RANKING_FIELDS = [
    "memory_id",
    "created_at",
    "updated_at",
    "valid_from",
    "content_hash",
    "source_message_ids",
    "superseded_by",
    "importance",
    "heat",
    "kind",
    "session_id",
    "session_seq",
    "speaker",
    "event_days",
]


def point_id(tenant_id: str, memory_id: str) -> str:
    return str(uuid.uuid5(_POINT_NAMESPACE, f"{tenant_id}\x1f{memory_id}"))


def reusable(
    tenant_id: str,
    key_hashes: Mapping[str, str],
    records: Iterable[tuple[Mapping[str, Any] | None, Any]],
) -> dict[str, np.ndarray]:
    """reusable_vectors() over (payload, vectors) records as a backend retrieved them."""
    found: dict[str, np.ndarray] = {}
    for payload, vectors in records:
        if not payload or payload.get(TENANT_FIELD) != tenant_id or not isinstance(vectors, dict):
            continue
        memory_id = str(payload.get("memory_id", ""))
        if memory_id in key_hashes and payload.get("key_hash") == key_hashes[memory_id]:
            found[memory_id] = np.asarray(vectors[DENSE], dtype=np.float32)
    return found


@dataclass(frozen=True)
class IndexPoint:
    tenant_id: str
    memory_id: str
    version: int
    dense: Sequence[float]
    sparse: SparseVector
    # Flat, JSON-like; always includes tenant_id, memory_id and version.
    payload: Mapping[str, Any]

    @property
    def point_id(self) -> str:
        return point_id(self.tenant_id, self.memory_id)


@dataclass(frozen=True)
class Match:
    key: str
    value: str | bool


@dataclass(frozen=True)
class MatchAny:
    key: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class Range:
    key: str
    gte: float | None = None
    gt: float | None = None
    lte: float | None = None
    lt: float | None = None


Condition = Match | MatchAny | Range


@dataclass(frozen=True)
class IndexFilter:
    """All of must, none of must_not. Always scoped by tenant: there is no other way in."""

    tenant_id: str
    must: tuple[Condition, ...] = ()
    must_not: tuple[Condition, ...] = ()


@dataclass(frozen=True)
class Candidate:
    memory_id: str
    score: float
    payload: Mapping[str, Any] = field(default_factory=dict)


class VectorIndex(Protocol):
    """A dense + sparse vector store with payload filters. Methods block: call them from a
    worker thread in async code."""

    name: str

    def upsert(self, points: Sequence[IndexPoint]) -> None: ...

    def delete(self, tenant_id: str, memory_ids: Sequence[str]) -> None: ...

    def versions(self, tenant_id: str, memory_ids: Sequence[str]) -> dict[str, int]:
        """Indexed version per memory id; ids not in the index are left out."""
        ...

    def search_dense(
        self, flt: IndexFilter, vector: Sequence[float], limit: int
    ) -> list[Candidate]: ...

    def search_sparse(
        self, flt: IndexFilter, vector: SparseVector, limit: int
    ) -> list[Candidate]: ...

    def find(self, flt: IndexFilter, limit: int) -> list[Candidate]:
        """Up to limit points matching the filter, unscored (score 0), with the payload
        fields ranking reads; e.g. the turns beside a hit, by turn_key."""
        ...

    def dense_vectors(self, tenant_id: str, memory_ids: Sequence[str]) -> dict[str, np.ndarray]: ...

    def reusable_vectors(
        self, tenant_id: str, key_hashes: Mapping[str, str]
    ) -> dict[str, np.ndarray]:
        """The dense vector of each memory id whose indexed point has the given key_hash
        (documents.key_hash): its text is unchanged, so the vector still holds."""
        ...

    def count(self, tenant_id: str) -> int: ...

    def memory_ids(self, tenant_id: str) -> Iterator[str]:
        """Every memory id indexed for the tenant, in no particular order."""
        ...

    def flush(self) -> None:
        """Makes every write so far durable in the index's own files, so that the backend
        can drop its write-ahead log up to here (and a restart need not replay it)."""
        ...

    def close(self) -> None: ...
