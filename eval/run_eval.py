"""Retrieval quality on eval/dataset.json: Recall@1/5/10 and NDCG@10 for sparse-only,
dense-only and hybrid retrieval, run in-process against a real index.

Run: make eval, or .venv/bin/python eval/run_eval.py [--precision fp32|int8]
[--backend qdrant-edge|qdrant-client] [--no-rerank]
Every turn of every conversation is indexed as a MESSAGE memory of its user; each
answerable question is searched with the user's filter, as the gateway would. Unanswerable
questions have no evidence and are left out of the averages.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from memgrid.common.v1 import memory_pb2  # noqa: E402

from services.memory_store.store.memory_rules import content_hash  # noqa: E402
from services.search.documents import build_points, key_text  # noqa: E402
from services.search.embedding import OnnxEmbedder, OnnxEmbedderConfig  # noqa: E402
from services.search.filters import build_index_filter  # noqa: E402
from services.search.index import open_index  # noqa: E402
from services.search.retrieval import Fusion, HybridRetriever, Mode, RankWeights  # noqa: E402
from services.search.sparse import SparseEncoder  # noqa: E402

TENANT = "eval"
KS = (1, 5, 10)
TURN_SPACING_SECONDS = 30


def load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text())


def memories_of(dataset: dict[str, Any]) -> list[memory_pb2.Memory]:
    memories = []
    for conversation in dataset["conversations"]:
        for session in conversation["sessions"]:
            started = datetime.fromisoformat(session["started_at"]).timestamp()
            for seq, turn in enumerate(session["turns"], start=1):
                memory = memory_pb2.Memory(
                    id=turn["turn_id"],
                    scope=memory_pb2.Scope(
                        user_id=conversation["user_id"], session_id=session["session_id"]
                    ),
                    kind=memory_pb2.MEMORY_KIND_MESSAGE,
                    tier=memory_pb2.MEMORY_TIER_MID,
                    role=memory_pb2.ROLE_USER
                    if turn["role"] == "user"
                    else memory_pb2.ROLE_ASSISTANT,
                    content=turn["content"],
                    content_hash=content_hash(turn["content"]),
                    session_seq=seq,
                    importance=0.5,
                    version=1,
                )
                memory.created_at.FromSeconds(int(started + seq * TURN_SPACING_SECONDS))
                memory.updated_at.CopyFrom(memory.created_at)
                memories.append(memory)
    return memories


def ndcg_at_10(ranked: list[str], relevant: set[str]) -> float:
    dcg = sum(1.0 / math.log2(i + 2) for i, m in enumerate(ranked[:10]) if m in relevant)
    ideal = sum(1.0 / math.log2(i + 2) for i in range(min(len(relevant), 10)))
    return dcg / ideal


async def evaluate(args: argparse.Namespace) -> None:
    dataset = load(args.dataset)
    embedder = OnnxEmbedder(
        OnnxEmbedderConfig(cache_dir=args.cache_dir, precision=args.precision, threads=2)
    )
    memories = memories_of(dataset)
    with tempfile.TemporaryDirectory() as tmp:
        index = open_index(args.backend, dim=embedder.dim, path=Path(tmp) / "index")
        started = time.perf_counter()
        sparse = SparseEncoder()
        for start in range(0, len(memories), 256):
            chunk = memories[start : start + 256]
            dense = embedder.embed_sync([key_text(m) for m in chunk])
            index.upsert(build_points(TENANT, chunk, dense, sparse))
        ingest = time.perf_counter() - started
        print(
            f"indexed {len(memories)} turns in {ingest:.1f} s ({len(memories) / ingest:.0f}/s) "
            f"with {embedder.name} on {index.name}"
        )
        weights = RankWeights()
        if args.no_rerank:
            weights = replace(weights, recency=0.0, importance=0.0, heat=0.0)
        retriever = HybridRetriever(embedder, index, sparse, weights)
        questions = [q for q in dataset["questions"] if q["evidence"]]
        skipped = len(dataset["questions"]) - len(questions)
        results: dict[str, dict[str, list[dict[str, float]]]] = defaultdict(
            lambda: defaultdict(list)
        )
        latencies: dict[str, list[float]] = defaultdict(list)
        # The service's default hybrid (relative score fusion), and hybrid with RRF beside it.
        runs = {
            "sparse": (Mode.SPARSE, weights),
            "dense": (Mode.DENSE, weights),
            "hybrid": (Mode.HYBRID, weights),
            "hyb-rrf": (Mode.HYBRID, replace(weights, fusion=Fusion.RRF)),
        }
        for run_name, (mode, run_weights) in runs.items():
            for q in questions:
                now = datetime.fromisoformat(q["asked_at"]).timestamp()
                flt = build_index_filter(
                    TENANT, memory_pb2.MemoryFilter(user_id=q["user_id"]), now=now
                )
                t0 = time.perf_counter()
                hits = await retriever.search(
                    flt, q["question"], 10, mode=mode, weights=run_weights, now=now
                )
                latencies[run_name].append(time.perf_counter() - t0)
                ranked = [h.memory_id for h in hits]
                relevant = set(q["evidence"])
                scores = {f"R@{k}": len(relevant & set(ranked[:k])) / len(relevant) for k in KS}
                scores["NDCG@10"] = ndcg_at_10(ranked, relevant)
                results[run_name]["all"].append(scores)
                results[run_name][q["category"]].append(scores)
        index.close()

    print(f"{len(questions)} answerable questions ({skipped} unanswerable left out)\n")
    print(f"{'mode':8s} {'R@1':>6s} {'R@5':>6s} {'R@10':>6s} {'NDCG@10':>8s} {'p50 ms':>7s}")
    for mode_name, by_category in results.items():
        rows = by_category["all"]
        means = {key: 100 * sum(r[key] for r in rows) / len(rows) for key in rows[0]}
        p50 = sorted(latencies[mode_name])[len(latencies[mode_name]) // 2] * 1000
        print(
            f"{mode_name:8s} {means['R@1']:6.1f} {means['R@5']:6.1f} {means['R@10']:6.1f} "
            f"{means['NDCG@10']:8.1f} {p50:7.1f}"
        )
    print("\nRecall@10 by category")
    categories = sorted(c for c in results["hybrid"] if c != "all")
    print(f"{'mode':8s} " + " ".join(f"{c:>12s}" for c in categories))
    for mode_name, by_category in results.items():
        cells = []
        for category in categories:
            rows = by_category[category]
            cells.append(f"{100 * sum(r['R@10'] for r in rows) / len(rows):12.1f}")
        print(f"{mode_name:8s} " + " ".join(cells))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dataset", type=Path, default=REPO / "eval" / "dataset.json")
    parser.add_argument("--precision", choices=("fp32", "int8"), default="fp32")
    parser.add_argument(
        "--backend", choices=("qdrant-edge", "qdrant-client"), default="qdrant-edge"
    )
    parser.add_argument("--cache-dir", type=Path, default=REPO / "var" / "onnx-cache")
    parser.add_argument("--no-rerank", action="store_true", help="recency/importance/heat off")
    asyncio.run(evaluate(parser.parse_args()))


if __name__ == "__main__":
    main()
