"""Builds the search service's parts from its settings (used by __main__ and the tests)."""

from __future__ import annotations

from dataclasses import dataclass

from services.search.embedding import (
    BatchingEmbedder,
    CachingEmbedder,
    Embedder,
    OnnxEmbedder,
    OnnxEmbedderConfig,
    OpenAIEmbedder,
    OpenAIEmbedderConfig,
)
from services.search.graph_expansion import GraphExpander
from services.search.index import VectorIndex, open_index
from services.search.index_writer import IndexWriter
from services.search.memory_store_client import MemoryStoreClient
from services.search.retrieval import HybridRetriever
from services.search.servicer import SearchServicer
from services.search.settings import EmbedderSettings, IndexSettings, SearchSettings
from services.search.sparse import SparseEncoder


def build_embedder(settings: EmbedderSettings) -> Embedder:
    """The provider, behind dynamic batching, behind the query cache."""
    base: Embedder
    if settings.openai is not None:
        base = OpenAIEmbedder(
            OpenAIEmbedderConfig(
                base_url=settings.openai.base_url,
                model=settings.openai.model,
                dim=settings.openai.dim,
                api_key=settings.openai.api_key,
            )
        )
    else:
        base = OnnxEmbedder(
            OnnxEmbedderConfig(
                cache_dir=settings.onnx.cache_dir,
                precision=settings.onnx.precision,
                threads=settings.onnx.threads,
                spinning=settings.onnx.spinning,
            )
        )
    batched = BatchingEmbedder(
        base, max_batch=settings.max_batch, max_wait_seconds=settings.max_wait_seconds
    )
    return CachingEmbedder(batched, capacity=settings.query_cache_size)


def build_index(settings: IndexSettings, dim: int) -> VectorIndex:
    return open_index(
        settings.backend,
        dim=dim,
        path=settings.path,
        url=settings.qdrant_url,
        api_key=settings.qdrant_api_key,
    )


@dataclass
class SearchParts:
    embedder: Embedder
    index: VectorIndex
    writer: IndexWriter
    retriever: HybridRetriever
    servicer: SearchServicer

    async def close(self) -> None:
        await self.embedder.aclose()
        self.index.close()


def build_parts(
    settings: SearchSettings,
    embedder: Embedder,
    index: VectorIndex,
    memory_store: MemoryStoreClient | None,
    graph: GraphExpander | None = None,
) -> SearchParts:
    sparse = SparseEncoder()
    writer = IndexWriter(embedder, index, sparse)
    retriever = HybridRetriever(embedder, index, sparse, settings.weights, graph)
    servicer = SearchServicer(writer, retriever, memory_store, settings.limits, embedder.name)
    return SearchParts(embedder, index, writer, retriever, servicer)
