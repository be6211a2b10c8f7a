"""The default embedder against a numpy reference, and the batching / caching wrappers."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from prometheus_client import REGISTRY

from services.search.embedding import (
    BatchingEmbedder,
    CachingEmbedder,
    OnnxEmbedder,
    OnnxEmbedderConfig,
    Vectors,
)
from services.search.embedding.onnx_embedder import ensure_graph, packaged_model_dir
from tests.search.embedders import CountingEmbedder
from tests.search.minilm_reference import ReferenceMiniLM

SENTENCES = [
    "hello world",
    "My sister Anna moved to Lisbon in March and works as a nurse.",
    "What did I say about the dentist appointment next Tuesday?",
    "x",
    "The quarterly report is due on Friday; remind me to send it to finance before noon.",
]


async def test_onnx_graph_matches_numpy_reference(onnx_embedder: OnnxEmbedder) -> None:
    reference = ReferenceMiniLM(packaged_model_dir())
    vectors = await onnx_embedder.embed(SENTENCES)
    assert vectors.shape == (len(SENTENCES), 384)
    assert vectors.dtype == np.float32
    for text, vector in zip(SENTENCES, vectors, strict=True):
        cosine = float(np.dot(vector, reference.embed_one(text)))
        assert cosine > 0.9999, (text, cosine)


async def test_vectors_are_normalised_and_batch_independent(onnx_embedder: OnnxEmbedder) -> None:
    together = await onnx_embedder.embed(SENTENCES)
    np.testing.assert_allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-5)
    # Padding a short text next to a long one must not change its vector.
    alone = await onnx_embedder.embed([SENTENCES[0]])
    np.testing.assert_allclose(alone[0], together[0], atol=1e-5)


async def test_semantics_paraphrase_is_closer_than_unrelated(onnx_embedder: OnnxEmbedder) -> None:
    a, b, c = await onnx_embedder.embed(
        ["Where does my sister live now?", "Anna moved to Lisbon.", "The car needs new tyres."]
    )
    assert float(a @ b) > float(a @ c) + 0.1


def test_graph_is_cached_and_reloads_fast(tmp_path: Path) -> None:
    config = OnnxEmbedderConfig(cache_dir=tmp_path)
    path = ensure_graph(config)
    assert path.exists() and path.parent == tmp_path
    built_at = path.stat().st_mtime_ns
    started = time.perf_counter()
    OnnxEmbedder(config)
    assert time.perf_counter() - started < 2.0
    assert path.stat().st_mtime_ns == built_at, "a cached graph must not be rebuilt"


async def test_batching_coalesces_concurrent_calls(onnx_embedder: OnnxEmbedder) -> None:
    counting = CountingEmbedder(onnx_embedder)
    batcher = BatchingEmbedder(counting, max_batch=64, max_wait_seconds=0.005)
    texts = [f"memory number {i} about topic {i % 7}" for i in range(40)]
    results = await asyncio.gather(*(batcher.embed([t]) for t in texts))
    assert len(counting.calls) <= 2, counting.calls
    expected = await onnx_embedder.embed(texts)
    for row, result in zip(expected, results, strict=True):
        np.testing.assert_allclose(result[0], row, atol=1e-5)
        # Each caller's rows are its own, not a window on the batch's array that would
        # keep the whole batch in memory for as long as one caller (the query cache) holds
        # on to its row.
        assert result.base is None and result.nbytes == row.nbytes
    await batcher.aclose()


async def test_batching_respects_max_batch(onnx_embedder: OnnxEmbedder) -> None:
    counting = CountingEmbedder(onnx_embedder)
    batcher = BatchingEmbedder(counting, max_batch=8, max_wait_seconds=0.005)
    await asyncio.gather(*(batcher.embed([f"text {i}"]) for i in range(20)))
    assert max(counting.calls) <= 8
    assert sum(counting.calls) == 20
    await batcher.aclose()


async def test_batching_propagates_failure_to_every_caller(onnx_embedder: OnnxEmbedder) -> None:
    class Crashing(CountingEmbedder):
        async def embed(self, texts: Sequence[str]) -> Vectors:
            raise RuntimeError("model crashed")

    batcher = BatchingEmbedder(Crashing(onnx_embedder), max_batch=64)
    results = await asyncio.gather(
        *(batcher.embed(["a"]) for _ in range(3)), return_exceptions=True
    )
    assert all(isinstance(r, RuntimeError) for r in results)


async def test_query_cache_hits_misses_and_bound(onnx_embedder: OnnxEmbedder) -> None:
    cache = CachingEmbedder(onnx_embedder, capacity=2)

    def sample(result: str) -> float:
        value = REGISTRY.get_sample_value(
            "memgrid_embedding_cache_requests_total",
            {"model": onnx_embedder.name, "result": result},
        )
        return value or 0.0

    hits_before, misses_before = sample("hit"), sample("miss")
    first = await cache.embed(["where do I work"])
    again = await cache.embed(["where do I work"])
    assert again is first
    await cache.embed(["second query"])
    await cache.embed(["third query"])  # evicts the least recently used one
    assert len(cache) == 2
    await cache.embed(["where do I work"])
    assert (cache.hits, cache.misses) == (1, 4)
    assert sample("hit") - hits_before == 1
    assert sample("miss") - misses_before == 4
    with pytest.raises(ValueError):
        first[0, 0] = 1.0  # cached vectors are shared, so read-only
