"""Embedding providers behind one interface, plus dynamic batching and a query cache."""

from services.search.embedding.base import Embedder, Vectors, l2_normalise
from services.search.embedding.batching import BatchingEmbedder
from services.search.embedding.onnx_embedder import OnnxEmbedder, OnnxEmbedderConfig
from services.search.embedding.openai_provider import OpenAIEmbedder, OpenAIEmbedderConfig
from services.search.embedding.query_cache import CachingEmbedder

__all__ = [
    "BatchingEmbedder",
    "CachingEmbedder",
    "Embedder",
    "OnnxEmbedder",
    "OnnxEmbedderConfig",
    "OpenAIEmbedder",
    "OpenAIEmbedderConfig",
    "Vectors",
    "l2_normalise",
]
