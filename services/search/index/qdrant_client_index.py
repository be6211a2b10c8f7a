"""The index on a Qdrant server (or cluster) through qdrant-client.

For scale-out deployments. QdrantClient(path=...) runs the same client code against its
local mode, which is how the contract suite tests this backend without a server; local mode
is a brute-force Python implementation and no substitute for the server in production.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from memgrid_runtime.errors import Unavailable
from qdrant_client import QdrantClient, models
from qdrant_client.http.exceptions import ResponseHandlingException, UnexpectedResponse

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

DEFAULT_COLLECTION = "memgrid_memories"
_SCROLL_PAGE = 1000


_BACKEND_ERRORS = (ResponseHandlingException, UnexpectedResponse, ConnectionError, TimeoutError)


def _unavailable(error: Exception) -> Unavailable:
    return Unavailable(f"Qdrant request failed: {error}", reason="INDEX_UNAVAILABLE")


class _GuardedClient:
    """Forwards to QdrantClient, turning transport failures into Unavailable so that callers
    see one error type for "the index is down", whichever call hit it."""

    def __init__(self, client: QdrantClient) -> None:
        self._client = client

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._client, name)

        def guarded(*args: Any, **kwargs: Any) -> Any:
            try:
                return method(*args, **kwargs)
            except _BACKEND_ERRORS as error:
                raise _unavailable(error) from error

        return guarded


def _floats(vector: Sequence[float]) -> list[float]:
    # build_points already hands over plain lists; copying 384 floats again per point was a
    # measurable share of upsert time.
    return vector if isinstance(vector, list) else [float(x) for x in vector]


def _condition(condition: Condition) -> models.FieldCondition:
    if isinstance(condition, Match):
        return models.FieldCondition(
            key=condition.key, match=models.MatchValue(value=condition.value)
        )
    if isinstance(condition, MatchAny):
        return models.FieldCondition(
            key=condition.key, match=models.MatchAny(any=list(condition.values))
        )
    return models.FieldCondition(
        key=condition.key,
        range=models.Range(gte=condition.gte, gt=condition.gt, lte=condition.lte, lt=condition.lt),
    )


def _tenant_condition(tenant_id: str) -> models.FieldCondition:
    return models.FieldCondition(key=TENANT_FIELD, match=models.MatchValue(value=tenant_id))


def _filter(flt: IndexFilter) -> models.Filter:
    must: list[Any] = [_tenant_condition(flt.tenant_id)]
    must.extend(_condition(c) for c in flt.must)
    must_not: list[Any] = [_condition(c) for c in flt.must_not]
    return models.Filter(must=must, must_not=must_not or None)


class QdrantClientIndex:
    name = "qdrant-client"

    def __init__(
        self,
        *,
        dim: int,
        url: str | None = None,
        path: Path | None = None,
        api_key: str | None = None,
        collection: str = DEFAULT_COLLECTION,
        timeout_seconds: int = 5,
    ) -> None:
        if (url is None) == (path is None):
            raise ValueError("give exactly one of url (a server) or path (local mode)")
        self._collection = collection
        client = (
            QdrantClient(url=url, api_key=api_key, timeout=timeout_seconds)
            if url is not None
            else QdrantClient(path=str(path))
        )
        self._client: Any = _GuardedClient(client)
        if not self._client.collection_exists(collection):
            # Local mode ignores payload indexes (and warns); a server needs them.
            self._create_collection(dim, with_payload_indexes=url is not None)

    def _create_collection(self, dim: int, *, with_payload_indexes: bool) -> None:
        self._client.create_collection(
            self._collection,
            vectors_config={DENSE: models.VectorParams(size=dim, distance=models.Distance.COSINE)},
            sparse_vectors_config={SPARSE: models.SparseVectorParams(modifier=models.Modifier.IDF)},
        )
        if not with_payload_indexes:
            return
        schemas: dict[str, Any] = {
            TENANT_FIELD: models.KeywordIndexParams(
                type=models.KeywordIndexType.KEYWORD, is_tenant=True
            )
        }
        schemas.update({key: models.PayloadSchemaType.KEYWORD for key in KEYWORD_FIELDS})
        schemas.update({key: models.PayloadSchemaType.FLOAT for key in RANGE_FIELDS})
        schemas.update({key: models.PayloadSchemaType.BOOL for key in BOOL_FIELDS})
        for key, schema in schemas.items():
            self._client.create_payload_index(self._collection, key, field_schema=schema)

    def upsert(self, points: Sequence[IndexPoint]) -> None:
        if not points:
            return
        structs = [
            models.PointStruct(
                id=p.point_id,
                vector={
                    DENSE: _floats(p.dense),
                    SPARSE: models.SparseVector(indices=p.sparse.indices, values=p.sparse.values),
                },
                payload=dict(p.payload),
            )
            for p in points
        ]
        self._client.upsert(self._collection, points=structs, wait=True)

    def delete(self, tenant_id: str, memory_ids: Sequence[str]) -> None:
        if not memory_ids:
            return
        ids: list[Any] = [point_id(tenant_id, m) for m in memory_ids]
        self._client.delete(
            self._collection, points_selector=models.PointIdsList(points=ids), wait=True
        )

    def versions(self, tenant_id: str, memory_ids: Sequence[str]) -> dict[str, int]:
        if not memory_ids:
            return {}
        records = self._client.retrieve(
            self._collection,
            ids=[point_id(tenant_id, m) for m in memory_ids],
            with_payload=["memory_id", "version", TENANT_FIELD],
        )
        return {
            r.payload["memory_id"]: int(r.payload["version"])
            for r in records
            if r.payload and r.payload.get(TENANT_FIELD) == tenant_id
        }

    def search_dense(
        self, flt: IndexFilter, vector: Sequence[float], limit: int
    ) -> list[Candidate]:
        return self._search(flt, [float(x) for x in vector], DENSE, limit)

    def search_sparse(self, flt: IndexFilter, vector: SparseVector, limit: int) -> list[Candidate]:
        if not vector:
            return []
        query = models.SparseVector(indices=vector.indices, values=vector.values)
        return self._search(flt, query, SPARSE, limit)

    def _search(self, flt: IndexFilter, query: Any, using: str, limit: int) -> list[Candidate]:
        response = self._client.query_points(
            self._collection,
            query=query,
            using=using,
            query_filter=_filter(flt),
            limit=limit,
            with_payload=RANKING_FIELDS,
        )
        return [
            Candidate(memory_id=p.payload["memory_id"], score=float(p.score), payload=p.payload)
            for p in response.points
            if p.payload
        ]

    def find(self, flt: IndexFilter, limit: int) -> list[Candidate]:
        records, _ = self._client.scroll(
            self._collection, scroll_filter=_filter(flt), limit=limit, with_payload=RANKING_FIELDS
        )
        return [
            Candidate(memory_id=r.payload["memory_id"], score=0.0, payload=r.payload)
            for r in records
            if r.payload
        ]

    def dense_vectors(self, tenant_id: str, memory_ids: Sequence[str]) -> dict[str, np.ndarray]:
        if not memory_ids:
            return {}
        records = self._client.retrieve(
            self._collection,
            ids=[point_id(tenant_id, m) for m in memory_ids],
            with_payload=["memory_id"],
            with_vectors=[DENSE],
        )
        result: dict[str, np.ndarray] = {}
        for record in records:
            if record.payload and isinstance(record.vector, dict):
                dense = record.vector[DENSE]
                result[record.payload["memory_id"]] = np.asarray(dense, dtype=np.float32)
        return result

    def reusable_vectors(
        self, tenant_id: str, key_hashes: Mapping[str, str]
    ) -> dict[str, np.ndarray]:
        if not key_hashes:
            return {}
        records = self._client.retrieve(
            self._collection,
            ids=[point_id(tenant_id, m) for m in key_hashes],
            with_payload=["memory_id", "key_hash", TENANT_FIELD],
            with_vectors=[DENSE],
        )
        return reusable(tenant_id, key_hashes, ((r.payload, r.vector) for r in records))

    def count(self, tenant_id: str) -> int:
        flt = models.Filter(must=[_tenant_condition(tenant_id)])
        return int(self._client.count(self._collection, count_filter=flt, exact=True).count)

    def memory_ids(self, tenant_id: str) -> Iterator[str]:
        flt = models.Filter(must=[_tenant_condition(tenant_id)])
        offset: Any = None
        while True:
            records, offset = self._client.scroll(
                self._collection,
                scroll_filter=flt,
                limit=_SCROLL_PAGE,
                offset=offset,
                with_payload=["memory_id"],
            )
            for record in records:
                if record.payload:
                    yield record.payload["memory_id"]
            if offset is None:
                return

    def flush(self) -> None:
        """Nothing to do: a Qdrant server flushes on its own schedule, and local mode
        persists each write as it is made."""

    def close(self) -> None:
        self._client.close()
