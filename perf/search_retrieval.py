"""In-process hybrid search latency on Qdrant Edge at 10k and 100k memories.

Run: uv run python perf/search_retrieval.py [--sizes 10000 100000]
Dense vectors of the stored memories are random unit vectors (the index does not care where
they come from, and embedding 100k texts would dominate the run); queries are embedded by
the real model (cached after the first round, as repeated agent queries are). Every search
is filtered by tenant and user, as the gateway's are. Prints p50/p95 per stage.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
from memgrid.common.v1 import memory_pb2

from services.search.embedding import CachingEmbedder, OnnxEmbedder, OnnxEmbedderConfig
from services.search.filters import build_index_filter
from services.search.index import open_index
from services.search.index.base import IndexPoint
from services.search.retrieval import HybridRetriever
from services.search.sparse import SparseEncoder

VOCABULARY = [
    "meeting",
    "dentist",
    "flight",
    "lisbon",
    "sister",
    "garden",
    "car",
    "insurance",
    "invoice",
    "recipe",
    "pasta",
    "gym",
    "birthday",
    "project",
    "deadline",
    "report",
    "paris",
    "doctor",
    "allergy",
    "peanuts",
    "concert",
    "guitar",
    "vacation",
    "apartment",
    "rent",
    "landlord",
    "bike",
    "repair",
    "coffee",
    "tea",
    "book",
    "novel",
    "course",
    "python",
    "budget",
]
USERS = 100
QUERIES = [
    "when is my dentist appointment",
    "what did I say about the project deadline",
    "where does my sister live",
    "which book am I reading",
    "car insurance renewal",
]


def populate(index: object, count: int, dim: int, rng: random.Random) -> float:
    encoder = SparseEncoder()
    matrix = np.random.default_rng(1).standard_normal((count, dim)).astype(np.float32)
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
    started = time.perf_counter()
    for start in range(0, count, 2000):
        points = []
        for i in range(start, min(count, start + 2000)):
            text = " ".join(rng.choices(VOCABULARY, k=12))
            points.append(
                IndexPoint(
                    tenant_id="bench",
                    memory_id=f"m{i}",
                    version=1,
                    dense=matrix[i].tolist(),
                    sparse=encoder.encode_document(text),
                    payload={
                        "tenant_id": "bench",
                        "memory_id": f"m{i}",
                        "version": 1,
                        "user_id": f"u{i % USERS}",
                        "kind": "MESSAGE",
                        "tier": "MID",
                        "created_at": 1.7e9 + i,
                        "importance": 0.5,
                        "heat": 0.0,
                        "superseded": False,
                    },
                )
            )
        index.upsert(points)  # type: ignore[attr-defined]
    return count / (time.perf_counter() - started)


async def measure(size: int, embedder: CachingEmbedder) -> None:
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as tmp:
        index = open_index("qdrant-edge", dim=embedder.dim, path=Path(tmp))
        rate = populate(index, size, embedder.dim, rng)
        retriever = HybridRetriever(embedder, index, SparseEncoder())
        latencies = []
        for round_number in range(300):
            user = f"u{rng.randrange(USERS)}"
            flt = build_index_filter(
                "bench", memory_pb2.MemoryFilter(user_id=user), now=time.time()
            )
            started = time.perf_counter()
            await retriever.search(flt, QUERIES[round_number % len(QUERIES)], 10)
            latencies.append((time.perf_counter() - started) * 1000)
        index.close()
    latencies.sort()
    print(
        f"{size:>7d} memories: upsert {rate:,.0f}/s; hybrid search k=10 (user filter, "
        f"cached query vector) p50 {statistics.median(latencies):.2f} ms, "
        f"p95 {latencies[int(0.95 * len(latencies))]:.2f} ms"
    )


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--cache-dir", type=Path, default=Path("var/onnx-cache"))
    args = parser.parse_args()
    embedder = CachingEmbedder(OnnxEmbedder(OnnxEmbedderConfig(cache_dir=args.cache_dir)))
    for size in args.sizes:
        await measure(size, embedder)


if __name__ == "__main__":
    asyncio.run(main())
