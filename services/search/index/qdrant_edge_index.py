"""The default index: Qdrant Edge, the Qdrant engine in-process, persisted to a directory.

optimize() (the HNSW build) is never called here: it holds the GIL for seconds to minutes
and would stall the gRPC server in this process. Keyword payload indexes make the always
tenant- and user-filtered searches fast without HNSW; building HNSW is a maintenance step
run out of process (see README of the search service).
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import qdrant_edge as qe
from memgrid_runtime.errors import Unavailable

from services.search.index.base import (
    BOOL_FIELDS,
    DENSE,
    KEYWORD_FIELDS,
    RANGE_FIELDS,
    RANKING_FIELDS,
    SPARSE,
    TENANT_FIELD,
    Candidate,
    Condition,
    IndexFilter,
    IndexPoint,
    Match,
    MatchAny,
    point_id,
    reusable,
)
from services.search.sparse import SparseVector

_SCROLL_PAGE = 1000


def _floats(vector: Sequence[float]) -> list[float]:
    # build_points already hands over plain lists; copying 384 floats again per point was a
    # measurable share of upsert time.
    return vector if isinstance(vector, list) else [float(x) for x in vector]


def _match_value(value: str | bool) -> qe.MatchValue:
    # The engine's binding reads a Python bool as the integer 0 or 1 (bool is an int), and
    # an integer never equals a boolean payload: `superseded` matched no point, so
    # must_not excluded none, and the engine checked the condition on every point's
    # payload instead of its bool index (a Search's index queries took 5x as long, and
    # grew with the whole shard). numpy's bool is no int, and reaches the engine as a bool.
    if isinstance(value, bool):
        return qe.MatchValue(np.bool_(value))  # type: ignore[arg-type]
    return qe.MatchValue(value)


def _condition(condition: Condition) -> qe.FieldCondition:
    if isinstance(condition, Match):
        return qe.FieldCondition(key=condition.key, match=_match_value(condition.value))
    if isinstance(condition, MatchAny):
        return qe.FieldCondition(key=condition.key, match=qe.MatchAny(list(condition.values)))
    return qe.FieldCondition(
        key=condition.key,
        range=qe.RangeFloat(gte=condition.gte, gt=condition.gt, lte=condition.lte, lt=condition.lt),
    )


# A Search asks the dense and the sparse index with one filter, and the same user's
# searches repeat it: building the engine's Filter was about 5% of the search service's CPU
# per Search (py-spy, issue #12). IndexFilter is frozen, so it keys the cache.
@functools.lru_cache(maxsize=256)
def _filter(flt: IndexFilter) -> qe.Filter:
    # Any: the engine's condition union exists only in its type stubs, not at run time.
    must: list[Any] = [qe.FieldCondition(key=TENANT_FIELD, match=qe.MatchValue(flt.tenant_id))]
    must.extend(_condition(c) for c in flt.must)
    must_not: list[Any] = [_condition(c) for c in flt.must_not]
    return qe.Filter(must=must, must_not=must_not or None)


def _tenant_filter(tenant_id: str) -> qe.Filter:
    must: list[Any] = [qe.FieldCondition(key=TENANT_FIELD, match=qe.MatchValue(tenant_id))]
    return qe.Filter(must=must)


class QdrantEdgeIndex:
    name = "qdrant-edge"

    def __init__(self, path: Path, dim: int) -> None:
        path.mkdir(parents=True, exist_ok=True)
        config = qe.EdgeConfig(
            vectors={DENSE: qe.EdgeVectorParams(size=dim, distance=qe.Distance.Cosine)},
            sparse_vectors={SPARSE: qe.EdgeSparseVectorParams(modifier=qe.Modifier.Idf)},
        )
        try:
            fresh = not (path / "edge_config.json").exists()
            self._shard = (
                qe.EdgeShard.create(str(path), config)
                if fresh
                else qe.EdgeShard.load(str(path), config)
            )
        except Exception as error:  # the engine reports lock and I/O problems this way
            raise Unavailable(f"cannot open the Qdrant Edge shard at {path}: {error}") from error
        # The engine serialises writes itself; the lock keeps our read-check-write sequences
        # (e.g. version checks by callers) from interleaving with a concurrent close().
        self._write_lock = threading.Lock()
        self._closed = False
        self._ensure_payload_indexes()

    def _ensure_payload_indexes(self) -> None:
        existing = set(self._shard.info().payload_schema)
        wanted: dict[str, Any] = {TENANT_FIELD: qe.KeywordIndexParams(is_tenant=True)}
        wanted.update({key: qe.PayloadSchemaType.Keyword for key in KEYWORD_FIELDS})
        wanted.update({key: qe.PayloadSchemaType.Float for key in RANGE_FIELDS})
        wanted.update({key: qe.PayloadSchemaType.Bool for key in BOOL_FIELDS})
        for key, schema in wanted.items():
            if key not in existing:
                self._shard.update(qe.UpdateOperation.create_field_index(key, schema))

    def upsert(self, points: Sequence[IndexPoint]) -> None:
        if not points:
            return
        edge_points = [
            qe.Point(
                p.point_id,
                {
                    DENSE: _floats(p.dense),
                    SPARSE: qe.SparseVector(p.sparse.indices, p.sparse.values),
                },
                dict(p.payload),
            )
            for p in points
        ]
        with self._write_lock:
            self._check_open()
            self._shard.update(qe.UpdateOperation.upsert_points(edge_points))

    def delete(self, tenant_id: str, memory_ids: Sequence[str]) -> None:
        if not memory_ids:
            return
        ids: list[qe.PointId] = [point_id(tenant_id, m) for m in memory_ids]
        with self._write_lock:
            self._check_open()
            self._shard.update(qe.UpdateOperation.delete_points(ids))

    def versions(self, tenant_id: str, memory_ids: Sequence[str]) -> dict[str, int]:
        if not memory_ids:
            return {}
        self._check_open()
        ids: list[qe.PointId] = [point_id(tenant_id, m) for m in memory_ids]
        records = self._shard.retrieve(
            ids, with_payload=["memory_id", "version", TENANT_FIELD], with_vector=False
        )
        return {
            r.payload["memory_id"]: int(r.payload["version"])
            for r in records
            if r.payload and r.payload.get(TENANT_FIELD) == tenant_id
        }

    def search_dense(
        self, flt: IndexFilter, vector: Sequence[float], limit: int
    ) -> list[Candidate]:
        return self._search(flt, qe.Query.Nearest(_floats(vector), using=DENSE), limit)

    def search_sparse(self, flt: IndexFilter, vector: SparseVector, limit: int) -> list[Candidate]:
        if not vector:
            return []
        query = qe.Query.Nearest(qe.SparseVector(vector.indices, vector.values), using=SPARSE)
        return self._search(flt, query, limit)

    def _search(self, flt: IndexFilter, query: qe.Query, limit: int) -> list[Candidate]:
        self._check_open()
        request = qe.QueryRequest(
            limit=limit, query=query, filter=_filter(flt), with_payload=RANKING_FIELDS
        )
        return [
            Candidate(memory_id=p.payload["memory_id"], score=float(p.score), payload=p.payload)
            for p in self._shard.query(request)
            if p.payload
        ]

    def find(self, flt: IndexFilter, limit: int) -> list[Candidate]:
        self._check_open()
        records, _ = self._shard.scroll(
            qe.ScrollRequest(limit=limit, filter=_filter(flt), with_payload=RANKING_FIELDS)
        )
        return [
            Candidate(memory_id=r.payload["memory_id"], score=0.0, payload=r.payload)
            for r in records
            if r.payload
        ]

    def dense_vectors(self, tenant_id: str, memory_ids: Sequence[str]) -> dict[str, np.ndarray]:
        if not memory_ids:
            return {}
        self._check_open()
        ids: list[qe.PointId] = [point_id(tenant_id, m) for m in memory_ids]
        records = self._shard.retrieve(ids, with_payload=["memory_id"], with_vector=[DENSE])
        result: dict[str, np.ndarray] = {}
        for record in records:
            vectors = record.vector
            if record.payload and isinstance(vectors, dict):
                result[record.payload["memory_id"]] = np.asarray(vectors[DENSE], dtype=np.float32)
        return result

    def reusable_vectors(
        self, tenant_id: str, key_hashes: Mapping[str, str]
    ) -> dict[str, np.ndarray]:
        if not key_hashes:
            return {}
        self._check_open()
        ids: list[qe.PointId] = [point_id(tenant_id, m) for m in key_hashes]
        records = self._shard.retrieve(
            ids, with_payload=["memory_id", "key_hash", TENANT_FIELD], with_vector=[DENSE]
        )
        return reusable(tenant_id, key_hashes, ((r.payload, r.vector) for r in records))

    def count(self, tenant_id: str) -> int:
        self._check_open()
        return int(self._shard.count(qe.CountRequest(exact=True, filter=_tenant_filter(tenant_id))))

    def memory_ids(self, tenant_id: str) -> Iterator[str]:
        offset: qe.PointId | None = None
        while True:
            self._check_open()
            records, offset = self._shard.scroll(
                qe.ScrollRequest(
                    offset=offset,
                    limit=_SCROLL_PAGE,
                    filter=_tenant_filter(tenant_id),
                    with_payload=["memory_id"],
                )
            )
            for record in records:
                if record.payload:
                    yield record.payload["memory_id"]
            if offset is None:
                return

    def flush(self) -> None:
        with self._write_lock:
            self._check_open()
            self._shard.flush()

    def close(self) -> None:
        with self._write_lock:
            if not self._closed:
                self._closed = True
                self._shard.flush()
                self._shard.close()

    def _check_open(self) -> None:
        if self._closed:
            raise Unavailable("the search index is closed", reason="INDEX_CLOSED")
