"""SearchService: the gRPC face of the index writer, the retriever and the rebuild tools."""

from __future__ import annotations

import asyncio
import time

import grpc
from memgrid.search.v1 import request_response_pb2 as rr
from memgrid.search.v1 import service_pb2_grpc
from memgrid_runtime.errors import FailedPrecondition

from services.search.documents import epoch_seconds
from services.search.filters import build_index_filter, without_patterns
from services.search.hits import Hit
from services.search.index_writer import IndexWriter, Outcome
from services.search.memory_store_client import MemoryStoreClient
from services.search.retrieval import HybridRetriever, Mode, with_overrides
from services.search.validation import (
    SearchLimits,
    validate_index,
    validate_remove,
    validate_search,
    validate_tenant_only,
)

Context = grpc.aio.ServicerContext

_MODES = {
    rr.RETRIEVAL_MODE_UNSPECIFIED: Mode.HYBRID,
    rr.RETRIEVAL_MODE_HYBRID: Mode.HYBRID,
    rr.RETRIEVAL_MODE_DENSE: Mode.DENSE,
    rr.RETRIEVAL_MODE_SPARSE: Mode.SPARSE,
}
_STATES = {Outcome.INDEXED: rr.INDEX_STATE_INDEXED, Outcome.STALE: rr.INDEX_STATE_STALE}


def _hit_message(hit: Hit, fused_rank: int) -> rr.SearchHit:
    return rr.SearchHit(
        memory_id=hit.memory_id,
        score=hit.score,
        dense_score=hit.dense_score,
        sparse_score=hit.sparse_score,
        dense_rank=hit.dense_rank,
        sparse_rank=hit.sparse_rank,
        fused_score=hit.fused_score,
        neighbour_term=hit.neighbour_term,
        speaker_term=hit.speaker_term,
        temporal_term=hit.temporal_term,
        graph_rank=hit.graph_rank,
        graph_hops=hit.graph_hops,
        recency_term=hit.recency_term,
        importance_term=hit.importance_term,
        heat_term=hit.heat_term,
        fused_rank=fused_rank,
    )


class SearchServicer(service_pb2_grpc.SearchServiceServicer):
    def __init__(
        self,
        writer: IndexWriter,
        retriever: HybridRetriever,
        memory_store: MemoryStoreClient | None,
        limits: SearchLimits,
        embedding_model: str,
    ) -> None:
        self._writer = writer
        self._retriever = retriever
        self._memory_store = memory_store
        self._limits = limits
        self._embedding_model = embedding_model

    async def IndexMemories(
        self, request: rr.IndexMemoriesRequest, context: Context
    ) -> rr.IndexMemoriesResponse:
        validate_index(request, self._limits)
        results = await self._writer.write(request.tenant_id, list(request.memories))
        return rr.IndexMemoriesResponse(
            indexed_count=sum(r.outcome is Outcome.INDEXED for r in results),
            stale_count=sum(r.outcome is Outcome.STALE for r in results),
            results=[
                rr.IndexedMemory(
                    memory_id=r.memory_id,
                    state=_STATES[r.outcome],
                    indexed_version=r.indexed_version,
                )
                for r in results
            ],
        )

    async def RemoveMemories(
        self, request: rr.RemoveMemoriesRequest, context: Context
    ) -> rr.RemoveMemoriesResponse:
        validate_remove(request, self._limits)
        removed = await self._writer.remove(request.tenant_id, list(dict.fromkeys(request.ids)))
        return rr.RemoveMemoriesResponse(removed_count=removed)

    async def Search(self, request: rr.SearchRequest, context: Context) -> rr.SearchResponse:
        k = validate_search(request, self._limits)
        now = time.time()
        valid_at = epoch_seconds(request.valid_at) if request.HasField("valid_at") else None
        flt = build_index_filter(request.tenant_id, request.filter, now=now, valid_at=valid_at)
        if not request.filter.kinds:
            flt = without_patterns(flt)
        w = request.weights
        weights = with_overrides(
            self._retriever.default_weights,
            **{
                name: getattr(w, name) if w.HasField(name) else None
                for name in ("recency", "importance", "heat", "diversity")
            },
        )
        hits, degraded = await self._retriever.search_with_status(
            flt,
            request.query,
            k,
            weights=weights,
            mode=_MODES[request.mode],
            now=now,
            min_score=request.min_score,
            graph_user_id=request.filter.user_id,
        )
        by_fusion = sorted(hits, key=lambda h: (-h.fused_score, h.memory_id))
        fused_rank = {h.memory_id: rank for rank, h in enumerate(by_fusion, start=1)}
        return rr.SearchResponse(
            hits=[_hit_message(h, fused_rank[h.memory_id]) for h in hits],
            embedding_model=self._embedding_model,
            degraded=degraded,
        )

    async def Reindex(self, request: rr.ReindexRequest, context: Context) -> rr.ReindexResponse:
        validate_tenant_only(request.tenant_id)
        store = self._require_memory_store()
        seen: set[str] = set()
        indexed = 0
        async for page in store.export(request.tenant_id):
            await self._writer.write(request.tenant_id, page, force=True)
            seen.update(m.id for m in page)
            indexed += len(page)
        index = self._writer.index
        indexed_ids = await asyncio.to_thread(lambda: list(index.memory_ids(request.tenant_id)))
        orphans = [memory_id for memory_id in indexed_ids if memory_id not in seen]
        removed = await self._writer.remove(request.tenant_id, orphans)
        return rr.ReindexResponse(indexed_count=indexed, removed_count=removed)

    async def CheckConsistency(
        self, request: rr.CheckConsistencyRequest, context: Context
    ) -> rr.CheckConsistencyResponse:
        validate_tenant_only(request.tenant_id)
        store = self._require_memory_store()
        store_count = await store.count(request.tenant_id)
        index_count = await asyncio.to_thread(self._writer.index.count, request.tenant_id)
        return rr.CheckConsistencyResponse(
            store_count=store_count,
            index_count=index_count,
            consistent=store_count == index_count,
        )

    def _require_memory_store(self) -> MemoryStoreClient:
        if self._memory_store is None:
            raise FailedPrecondition(
                "this search server has no memory-store configured "
                "(set MEMGRID_MEMORY_STORE_TARGET)",
                reason="NO_MEMORY_STORE",
            )
        return self._memory_store
