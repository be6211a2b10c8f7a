"""Embedder cost and speed: fp32 vs dynamic int8, 1 vs 2 onnxruntime threads, spinning
on or off.

Run: .venv/bin/python -m perf.search_embedder [--cache-dir DIR]
Prints, per configuration: sentences/s at batch 32 (~20-word sentences), one sentence's p50
latency, the CPU milliseconds one query embedding costs (this process's user + system
time, so spinning threads count), the same with 4 callers at once (what a busy search pod
sees), load time, and the cosine between fp32 and int8 vectors. CPU per call is the figure
that decides the defaults: it holds on a shared machine where latency does not.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from concurrent.futures import ThreadPoolExecutor
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


def measure(precision: str, threads: int, spinning: bool, cache_dir: Path) -> np.ndarray:
    started = time.perf_counter()
    embedder = OnnxEmbedder(
        OnnxEmbedderConfig(
            cache_dir=cache_dir,
            precision=precision,  # type: ignore[arg-type]
            threads=threads,
            spinning=spinning,
        )
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
    cpu_started = time.process_time()
    for text in singles:
        t0 = time.perf_counter()
        embedder.embed_sync([text])
        latencies.append((time.perf_counter() - t0) * 1000)
    cpu_single = (time.process_time() - cpu_started) * 1000 / len(singles)
    cpu_started = time.process_time()
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(lambda text: embedder.embed_sync([text]), singles))
    cpu_concurrent = (time.process_time() - cpu_started) * 1000 / len(singles)
    print(
        f"{precision:5s} threads={threads} spinning={'on ' if spinning else 'off'}: "
        f"{throughput:5.0f} sentences/s at batch 32, one sentence p50 "
        f"{statistics.median(latencies):5.2f} ms, CPU per query {cpu_single:5.2f} ms alone, "
        f"{cpu_concurrent:5.2f} ms with 4 callers, load {load:.2f} s"
    )
    return embedder.embed_sync(sentences(64, seed=3))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cache-dir", type=Path, default=Path("var/onnx-cache"))
    args = parser.parse_args()
    vectors = {}
    for precision in ("fp32", "int8"):
        for threads in (1, 2):
            for spinning in (True, False):
                vectors[precision] = measure(precision, threads, spinning, args.cache_dir)
    cosines = np.sum(vectors["fp32"] * vectors["int8"], axis=1)
    print(f"cosine int8 vs fp32: mean {cosines.mean():.4f}, min {cosines.min():.4f}")


if __name__ == "__main__":
    main()
