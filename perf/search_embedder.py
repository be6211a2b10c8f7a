"""Embedder throughput and latency: fp32 vs dynamic int8, 1 vs 2 onnxruntime threads.

Run: uv run python perf/search_embedder.py [--cache-dir DIR]
Prints sentences/s at batch 32 (~20-word sentences), single-sentence p50 latency, load time
and the cosine between fp32 and int8 vectors.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from pathlib import Path

import numpy as np

from services.search.embedding.onnx_embedder import OnnxEmbedder, OnnxEmbedderConfig

WORDS = [
    "the",
    "user",
    "said",
    "they",
    "moved",
    "to",
    "a",
    "new",
    "apartment",
    "near",
    "the",
    "river",
    "last",
    "spring",
    "and",
    "started",
    "working",
    "remotely",
    "for",
    "a",
    "design",
    "studio",
    "while",
    "learning",
    "to",
    "cook",
    "italian",
    "food",
    "on",
    "weekends",
    "with",
    "friends",
    "who",
    "visit",
    "from",
    "out",
    "of",
    "town",
    "every",
    "month",
    "or",
    "so",
]


def sentences(count: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    return [" ".join(rng.choices(WORDS, k=20)) for _ in range(count)]


def measure(precision: str, threads: int, cache_dir: Path) -> np.ndarray:
    started = time.perf_counter()
    embedder = OnnxEmbedder(
        OnnxEmbedderConfig(cache_dir=cache_dir, precision=precision, threads=threads)  # type: ignore[arg-type]
    )
    load = time.perf_counter() - started
    batch = sentences(32)
    embedder.embed_sync(batch)
    rounds = 20
    started = time.perf_counter()
    for _ in range(rounds):
        embedder.embed_sync(batch)
    throughput = rounds * len(batch) / (time.perf_counter() - started)
    singles = sentences(200, seed=11)
    latencies = []
    for text in singles:
        t0 = time.perf_counter()
        embedder.embed_sync([text])
        latencies.append((time.perf_counter() - t0) * 1000)
    print(
        f"{precision:5s} threads={threads}: {throughput:7.0f} sentences/s at batch 32, "
        f"one sentence p50 {statistics.median(latencies):.2f} ms, load {load:.2f} s"
    )
    return embedder.embed_sync(sentences(64, seed=3))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cache-dir", type=Path, default=Path("var/onnx-cache"))
    args = parser.parse_args()
    vectors = {}
    for precision in ("fp32", "int8"):
        for threads in (1, 2):
            vectors[precision] = measure(precision, threads, args.cache_dir)
    cosines = np.sum(vectors["fp32"] * vectors["int8"], axis=1)
    print(f"cosine int8 vs fp32: mean {cosines.mean():.4f}, min {cosines.min():.4f}")


if __name__ == "__main__":
    main()
