"""CPU milliseconds per call, per service (issue #12), beside floors measured in the same run.

CPU per call is the figure that holds on a shared 2-core machine (req/s moves with whatever
else runs there) and decides how many pods a deployment pays for. It is read from /proc:
user + system time of every service process and its descendants (FalkorDB's redis-server
under graph), before and after a phase of calls, divided by the calls (or by the items of
a batched call). The load generator is this process, outside the figures.

1. Floor: the plain grpc.aio echo server (perf/echo_server.py), before the suite starts,
   at the same concurrency: its CPU per call and the client side's (this process), over
   ten times --calls (it does so little that /proc's 10 ms clock ticks need more calls).
2. The whole suite on its embedded defaults (all five services, free ports, tracing off);
   --memories memories of one user through the gateway (AddMemories, batches of 100) and a
   short conversation naming people, places and employers (one AddMessages), so that the
   thought engine's consolidation puts entities and relations in the graph; then every
   outbox queue drained.
3. Idle: CPU per service per second over --idle-seconds with no calls.
4. One phase per call at --concurrency callers, --calls calls (or --seconds): GetMemory,
   ListMemories, Search (a new query each call; one query again and again), GetNeighbors,
   AddMemories and AddMessages at batch 1 and 50. Before each: a warm-up (one call per
   caller; one call in all before a batched phase) and the outbox drained. A phase ends
   when its calls have returned and every outbox queue is drained again, so a write's
   figure includes the background work it set off (indexing, the graph and thought
   consumers, consolidation), and the idle polling while the drain is awaited. The batch-50
   phases make a tenth of --calls (at least --concurrency) and are figures per item.
5. Floor, in process once the suite has stopped, with the search service's own settings:
   one query embedding (ONNX MiniLM) and one dense index query on a Qdrant Edge index of the
   seeded memories under the user filter a Search builds, CPU by time.process_time.

"2 cores imply" is 2,000 ms of CPU per second divided by the figure: the calls (or items)
per second the two cores could serve if nothing else ran. "measured" is what the phase did
with the load generator on the same cores.

Run: .venv/bin/python -m perf.cost [--memories 2000] [--calls 400 | --seconds S]
[--concurrency 8] [--idle-seconds 10] [--quick] [--json PATH (perf/report.py rows,
section "cost")]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import random
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import grpc
import uvloop
from memgrid.common.v1 import memory_pb2 as common
from memgrid.gateway.v1 import graph_request_response_pb2 as gw_graph
from memgrid.gateway.v1 import request_response_pb2 as gw
from memgrid.gateway.v1.service_pb2_grpc import GatewayServiceStub
from memgrid_client.client import DEV_API_KEY
from memgrid_suite.launcher import Suite

from perf.foundation_bench import echo_server, load_value
from perf.loadgen import LoadResult, closed_loop
from perf.outbox import wait_drained
from perf.process_cpu import cpu_seconds_by_service, cpu_seconds_of_trees
from perf.report import Row, ceiling_row, print_columns, print_markdown_columns, write_json
from perf.search_bench import (
    CITIES,
    PEOPLE,
    embedder_settings,
    realistic_memories,
    realistic_queries,
)
from services.search.documents import build_points, key_text
from services.search.embedding import OnnxEmbedder
from services.search.filters import build_index_filter
from services.search.index import open_index
from services.search.retrieval import candidate_limit
from services.search.sparse import SparseEncoder

if TYPE_CHECKING:
    from memgrid.gateway.v1.service_pb2_grpc import GatewayServiceAsyncStub

SECTION = "cost"
CORES = 2
SERVICE_COLUMNS = ("gateway", "memory-store", "search", "graph", "thought-engine")
METADATA = (("x-api-key", DEV_API_KEY),)
USER = "cost-user"
SEED_BATCH = 100
SEED_IN_FLIGHT = 2
BATCH = 50
ECHO_CALLS_FACTOR = 10
CALL_TIMEOUT = 60.0
SEARCH_K = 10
REPEATED_QUERY = "where does my sister live"
# Both sizes of every option --quick changes: (full, quick).
SIZES = {"memories": (2000, 300), "calls": (400, 100), "idle_seconds": (10.0, 3.0)}
# Issue #12's targets, ms of CPU per call (per item for the batched one), all services.
TARGETS_MS = {
    "GetMemory": 1.5,
    "Search, a new query": 8.0,
    "Search, the same query again": 3.0,
    f"AddMessages, batch {BATCH}": 5.0,
}
IDLE_TARGET_MS = 5.0  # per second, per service

COMPANIES = ("Siemens", "Airbus", "Spotify", "Novartis", "Philips", "Ikea")
GRAPH_PEOPLE = PEOPLE[:12]


def graph_seed_turns() -> list[str]:
    """Sentences the thought engine's entity spotting links: each person works somewhere,
    lives somewhere and is married to the next, so two hops reach several entities."""
    turns = []
    for i, person in enumerate(GRAPH_PEOPLE):
        company, city = COMPANIES[i % len(COMPANIES)], CITIES[i]
        spouse = GRAPH_PEOPLE[(i + 1) % len(GRAPH_PEOPLE)]
        turns.append(f"My friend {person} works at {company} and lives in {city}.")
        turns.append(f"{person} is married to {spouse}.")
    return turns


def endless(make: Callable[[int], Iterable[str]], seed: int) -> Iterator[str]:
    """make(seed), make(seed + 1), ... one after the other."""
    for chunk_seed in itertools.count(seed):
        yield from make(chunk_seed)


def distinct(texts: Iterable[str]) -> Iterator[str]:
    seen: set[str] = set()
    for text in texts:
        if text not in seen:
            seen.add(text)
            yield text


def new_queries(seed: int) -> Iterator[str]:
    """Questions about the seeded memories, never the same text twice (no cache hit)."""
    return distinct(endless(lambda s: [q for _, q in realistic_queries(1, 500, seed=s)], seed))


def memory_texts(seed: int) -> Iterator[str]:
    return endless(lambda s: [c for _, c in realistic_memories(500, seed=s)], seed)


def ms(value: float) -> str:
    return f"{value:.2f}" if value < 10 else f"{value:.1f}"


def per_second(value: float) -> str:
    return f"{value:,.0f}"


def implied_per_second(cpu_ms: float) -> float:
    return CORES * 1000 / cpu_ms if cpu_ms > 0 else float("inf")


@dataclass(frozen=True)
class Amount:
    """How long a phase runs: a number of calls, or seconds."""

    calls: int | None = None
    seconds: float | None = None


@dataclass(frozen=True)
class Phase:
    """One call's phase: the load it ran and the CPU each service used meanwhile."""

    name: str
    per: str  # what the figures are per: "call", "turn", "memory"
    items_per_call: int
    load: LoadResult
    cpu_seconds: Mapping[str, float]
    settle_seconds: float  # waited for the outbox after the last call

    @property
    def items(self) -> int:
        return max(1, (self.load.requests + self.load.errors) * self.items_per_call)

    def ms_of(self, service: str) -> float:
        return 1000 * self.cpu_seconds.get(service, 0.0) / self.items

    @property
    def total_ms(self) -> float:
        return 1000 * sum(self.cpu_seconds.values()) / self.items

    @property
    def measured_per_second(self) -> float:
        return self.items / self.load.seconds if self.load.seconds else 0.0

    @property
    def errors(self) -> str:
        return f" ({self.load.errors} errors)" if self.load.errors else ""

    @property
    def label(self) -> str:
        per = f", per {self.per}" if self.items_per_call > 1 else ""
        return f"{self.name}{per}{self.errors}"


@dataclass(frozen=True)
class Floor:
    name: str
    cpu_ms: float
    measured_per_second: float | None = None  # None when it was not a load phase
    detail: str = ""  # what the table leaves out, for the report row


@dataclass(frozen=True)
class Skipped:
    name: str
    why: str


@dataclass(frozen=True)
class Results:
    concurrency: int
    echo: LoadResult
    phases: list[Phase | Skipped]
    floors: list[Floor]
    idle_ms_per_second: Mapping[str, float]


async def measure(
    call: Callable[[], Awaitable[object]],
    sample: Callable[[], Mapping[str, float]],
    *,
    concurrency: int,
    amount: Amount,
    warmup_calls: int,
    settle: Callable[[], Awaitable[float]] | None = None,
) -> tuple[LoadResult, dict[str, float], float]:
    """`warmup_calls` calls, then the phase between two CPU samples, the second after
    `settle` (the outbox drained). Returns the load, the CPU seconds used per sampled name,
    and the seconds settled."""

    async def settled() -> float:
        return await settle() if settle is not None else 0.0

    await closed_loop(
        call, concurrency=min(concurrency, warmup_calls), calls=warmup_calls, warmup_seconds=0
    )
    await settled()
    before = sample()
    load = await closed_loop(
        call,
        concurrency=concurrency,
        calls=amount.calls,
        seconds=amount.seconds,
        warmup_seconds=0,
    )
    settle_seconds = await settled()
    after = sample()
    return load, {name: after[name] - before[name] for name in before}, settle_seconds


async def echo_floors(concurrency: int, amount: Amount) -> tuple[LoadResult, Floor, Floor]:
    """The plain grpc.aio echo server's CPU per call, and this client's."""
    async with echo_server() as echo:

        def sample() -> dict[str, float]:
            return {**cpu_seconds_of_trees({"server": echo.pid}), "client": time.process_time()}

        load, cpu, _ = await measure(
            echo.call, sample, concurrency=concurrency, amount=amount, warmup_calls=concurrency
        )
    calls = load.requests + load.errors
    return (
        load,
        Floor(
            "floor: echo server, per call",
            1000 * cpu["server"] / calls,
            load.per_second,
            f"perf/echo_server.py, plain grpc.aio, {calls:,} calls",
        ),
        Floor(
            "floor: echo client side, per call",
            1000 * cpu["client"] / calls,
            detail="this process, the load generator every phase uses",
        ),
    )


def in_process_floors(
    memories: Sequence[common.Memory], calls: int, directory: Path
) -> list[Floor]:
    """One query embedding and one filtered dense index query, in this process with the
    search service's settings, on an index of the seeded memories."""
    embedder = OnnxEmbedder(embedder_settings())
    index = open_index("qdrant-edge", dim=embedder.dim, path=directory)
    try:
        vectors = embedder.embed_sync([key_text(m) for m in memories])
        index.upsert(build_points(USER, memories, vectors, SparseEncoder()))
        # The filter the search service builds for a Search by that user.
        flt = build_index_filter(USER, common.MemoryFilter(user_id=USER), now=time.time())
        limit = candidate_limit(SEARCH_K)
        queries = list(itertools.islice(new_queries(seed=5000), calls + 10))
        for query in queries[:10]:
            index.search_dense(flt, embedder.embed_sync([query])[0].tolist(), limit)
        started = time.process_time()
        query_vectors = [embedder.embed_sync([query])[0] for query in queries[10:]]
        embed_ms = 1000 * (time.process_time() - started) / calls
        started = time.process_time()
        for vector in query_vectors:
            index.search_dense(flt, vector.tolist(), limit)
        index_ms = 1000 * (time.process_time() - started) / calls
    finally:
        index.close()
    return [
        Floor(
            "floor: one query embedding, in process",
            embed_ms,
            detail=f"{embedder.name}, {embedder_settings().threads} onnxruntime threads",
        ),
        Floor(
            f"floor: one index query ({len(memories):,} points), in process",
            index_ms,
            detail=f"Qdrant Edge, dense top {limit}, the user's filter",
        ),
        Floor("floor: query embedding + index query", embed_ms + index_ms),
    ]


class CostBench:
    """The running suite, the calls each phase makes, and what was seeded."""

    def __init__(self, suite: Suite, stub: GatewayServiceAsyncStub, args: argparse.Namespace):
        self.suite = suite
        self.stub = stub
        self.concurrency: int = args.concurrency
        self.calls: int = args.calls
        self.seconds: float | None = args.seconds
        self.memory_ids: list[str] = []
        self.rng = random.Random(3)

    def amount(self, calls: int) -> Amount:
        return Amount(seconds=self.seconds) if self.seconds is not None else Amount(calls=calls)

    async def settle(self) -> float:
        return await wait_drained(self.suite, poll_seconds=0.1, empty_polls=2)

    async def seed(self, count: int) -> list[common.Memory]:
        """`count` memories of USER through the gateway, SEED_BATCH per AddMemories."""
        texts = [content for _, content in realistic_memories(count)]
        batches = iter(range(0, count, SEED_BATCH))
        stored: list[common.Memory] = []

        async def writer() -> None:
            for start in batches:
                reply = await self.stub.AddMemories(
                    gw.AddMemoriesRequest(
                        memories=[
                            common.NewMemory(scope=common.Scope(user_id=USER), content=text)
                            for text in texts[start : start + SEED_BATCH]
                        ],
                        idempotency_key=f"seed-{start}",
                    ),
                    metadata=METADATA,
                    timeout=CALL_TIMEOUT * 2,
                )
                stored.extend(reply.memories)

        await asyncio.gather(*(writer() for _ in range(SEED_IN_FLIGHT)))
        self.memory_ids = [m.id for m in stored]
        return stored

    async def seed_graph(self) -> None:
        """One conversation naming people, places and employers; the thought engine's
        consolidation of it (once the outbox drains) writes the graph."""
        await self.stub.AddMessages(
            gw.AddMessagesRequest(
                scope=common.Scope(user_id=USER, session_id="people"),
                messages=[
                    common.NewMessage(role=common.ROLE_USER, content=text)
                    for text in graph_seed_turns()
                ],
                idempotency_key="seed-people",
            ),
            metadata=METADATA,
            timeout=CALL_TIMEOUT,
        )

    async def graph_starts(self) -> list[str]:
        """The seeded people whose 2-hop neighbourhood holds more than themselves."""
        starts = []
        for person in GRAPH_PEOPLE:
            try:
                reply = await self.stub.GetNeighbors(
                    gw_graph.GetNeighborsRequest(user_id=USER, entity=person, hops=2),
                    metadata=METADATA,
                    timeout=CALL_TIMEOUT,
                )
            except grpc.aio.AioRpcError as error:
                if error.code() == grpc.StatusCode.NOT_FOUND:
                    continue
                raise
            if len(reply.entities) > 1:
                starts.append(person)
        return starts

    async def idle(self, seconds: float) -> dict[str, float]:
        """CPU ms per second of each service doing nothing."""
        before = cpu_seconds_by_service(self.suite)
        await asyncio.sleep(seconds)
        after = cpu_seconds_by_service(self.suite)
        return {name: 1000 * (after[name] - before[name]) / seconds for name in before}

    async def phase(
        self,
        name: str,
        call: Callable[[], Awaitable[object]],
        *,
        per: str = "call",
        items_per_call: int = 1,
    ) -> Phase:
        calls = self.calls if items_per_call == 1 else max(self.concurrency, self.calls // 10)
        print(f"{name} ({self.concurrency} concurrent)...", flush=True)
        load, cpu, settle_seconds = await measure(
            call,
            lambda: cpu_seconds_by_service(self.suite),
            concurrency=self.concurrency,
            amount=self.amount(calls),
            # One call per caller; one in all for a batch, whose turns take long to settle.
            warmup_calls=self.concurrency if items_per_call == 1 else 1,
            settle=self.settle,
        )
        phase = Phase(name, per, items_per_call, load, cpu, settle_seconds)
        print(
            f"  {load.requests + load.errors:,} calls in {load.seconds:.1f} s, outbox drained "
            f"{settle_seconds:.1f} s after the last; {ms(phase.total_ms)} ms per {per}",
            flush=True,
        )
        return phase

    async def read_phases(self) -> list[Phase | Skipped]:
        stub, ids, rng = self.stub, self.memory_ids, self.rng
        user = common.MemoryFilter(user_id=USER)
        queries = new_queries(seed=1000)
        phases: list[Phase | Skipped] = [
            await self.phase(
                "GetMemory",
                lambda: stub.GetMemory(
                    gw.GetMemoryRequest(id=rng.choice(ids)), metadata=METADATA, timeout=CALL_TIMEOUT
                ),
            ),
            await self.phase(
                "ListMemories, page of 50",
                lambda: stub.ListMemories(
                    gw.ListMemoriesRequest(filter=user, page_size=50),
                    metadata=METADATA,
                    timeout=CALL_TIMEOUT,
                ),
            ),
            await self.phase(
                "Search, a new query",
                lambda: stub.Search(
                    gw.SearchRequest(query=next(queries), filter=user, k=SEARCH_K),
                    metadata=METADATA,
                    timeout=CALL_TIMEOUT,
                ),
            ),
            await self.phase(
                "Search, the same query again",
                lambda: stub.Search(
                    gw.SearchRequest(query=REPEATED_QUERY, filter=user, k=SEARCH_K),
                    metadata=METADATA,
                    timeout=CALL_TIMEOUT,
                ),
            ),
        ]
        starts = await self.graph_starts()
        if not starts:
            why = "consolidating the seeded turns put no relations in the graph"
            return [*phases, Skipped("GetNeighbors, 2 hops", why)]
        start_names = itertools.cycle(starts)
        phases.append(
            await self.phase(
                f"GetNeighbors, 2 hops (from {len(starts)} people)",
                lambda: stub.GetNeighbors(
                    gw_graph.GetNeighborsRequest(user_id=USER, entity=next(start_names), hops=2),
                    metadata=METADATA,
                    timeout=CALL_TIMEOUT,
                ),
            )
        )
        return phases

    async def write_phases(self) -> list[Phase | Skipped]:
        stub = self.stub
        texts = memory_texts(seed=100)
        sessions = itertools.count()

        def add_memories(batch: int) -> Callable[[], Awaitable[object]]:
            return lambda: stub.AddMemories(
                gw.AddMemoriesRequest(
                    memories=[
                        common.NewMemory(scope=common.Scope(user_id=USER), content=next(texts))
                        for _ in range(batch)
                    ]
                ),
                metadata=METADATA,
                timeout=CALL_TIMEOUT,
            )

        def add_messages(batch: int) -> Callable[[], Awaitable[object]]:
            def call() -> Awaitable[object]:
                number = next(sessions)
                # One turn per call goes to one of `concurrency` running conversations, as
                # agents chatting add them; a batch is a whole session of its own.
                session = f"turns-{number % self.concurrency}" if batch == 1 else f"s-{number}"
                return stub.AddMessages(
                    gw.AddMessagesRequest(
                        scope=common.Scope(user_id=USER, session_id=session),
                        messages=[
                            common.NewMessage(role=common.ROLE_USER, content=next(texts))
                            for _ in range(batch)
                        ],
                    ),
                    metadata=METADATA,
                    timeout=CALL_TIMEOUT,
                )

            return call

        phases: list[Phase | Skipped] = []
        for rpc, make, per in (
            ("AddMemories", add_memories, "memory"),
            ("AddMessages", add_messages, "turn"),
        ):
            for batch in (1, BATCH):
                phases.append(
                    await self.phase(
                        f"{rpc}, batch {batch}", make(batch), per=per, items_per_call=batch
                    )
                )
        return phases


HEADERS = (
    "call",
    "CPU ms, all",
    *SERVICE_COLUMNS,
    f"{CORES} cores imply /s",
    "measured /s",
)


def table_cells(results: Results) -> list[list[str]]:
    cells = []
    for phase in results.phases:
        if isinstance(phase, Skipped):
            cells.append([phase.name, f"skipped: {phase.why}", *[""] * (len(HEADERS) - 2)])
            continue
        cells.append(
            [
                phase.label,
                ms(phase.total_ms),
                *(ms(phase.ms_of(s)) for s in SERVICE_COLUMNS),
                per_second(implied_per_second(phase.total_ms)),
                per_second(phase.measured_per_second),
            ]
        )
    for floor in results.floors:
        measured = floor.measured_per_second
        cells.append(
            [
                floor.name,
                ms(floor.cpu_ms),
                *[""] * len(SERVICE_COLUMNS),
                per_second(implied_per_second(floor.cpu_ms)),
                per_second(measured) if measured is not None else "",
            ]
        )
    idle = results.idle_ms_per_second
    cells.append(
        [
            "idle, CPU ms per second",
            ms(sum(idle.values())),
            *(ms(idle[s]) if s in idle else "" for s in SERVICE_COLUMNS),
            "",
            "",
        ]
    )
    return cells


def by_service(values: Mapping[str, float]) -> str:
    return ", ".join(f"{s} {ms(values[s])}" for s in SERVICE_COLUMNS if s in values)


def result_rows(results: Results) -> list[Row]:
    echo = results.echo
    rows = [ceiling_row(SECTION, results.concurrency, load_value(echo))]
    for phase in results.phases:
        if isinstance(phase, Skipped):
            rows.append(Row(SECTION, phase.name, f"not run: {phase.why}"))
            continue
        target_ms = TARGETS_MS.get(phase.name)
        rows.append(
            Row(
                SECTION,
                f"{phase.name}{phase.errors}: CPU ms per {phase.per} ({results.concurrency} conc.)",
                f"{ms(phase.total_ms)} ms ("
                + by_service({s: phase.ms_of(s) for s in phase.cpu_seconds})
                + f"); {CORES} cores imply {per_second(implied_per_second(phase.total_ms))}/s; "
                f"measured {per_second(phase.measured_per_second)}/s",
                f"<= {target_ms} ms" if target_ms is not None else "",
                phase.total_ms <= target_ms if target_ms is not None else None,
                phase.load.per_second / echo.per_second if phase.items_per_call == 1 else None,
            )
        )
    for floor in results.floors:
        rows.append(
            Row(
                SECTION,
                floor.name,
                f"{ms(floor.cpu_ms)} ms CPU; {CORES} cores imply "
                f"{per_second(implied_per_second(floor.cpu_ms))}/s"
                + (f" ({floor.detail})" if floor.detail else ""),
            )
        )
    idle = results.idle_ms_per_second
    rows.append(
        Row(
            SECTION,
            "idle: CPU ms per second",
            f"{ms(sum(idle.values()))} ms/s in all ({by_service(idle)})",
            f"<= {IDLE_TARGET_MS} ms/s per service",
            all(value <= IDLE_TARGET_MS for value in idle.values()),
        )
    )
    return rows


def print_results(results: Results, title: str) -> None:
    cells = table_cells(results)
    print(f"\n{title}")
    print_columns(HEADERS, cells)
    print(
        "Rows 'per memory' / 'per turn' count items in every column (ms per item, items/s); "
        "the others count calls."
    )
    print()
    print_markdown_columns(HEADERS, cells)


async def main(args: argparse.Namespace) -> list[Row]:
    concurrency = args.concurrency
    amount_text = f"{args.seconds:g} s" if args.seconds is not None else f"{args.calls:,} calls"
    title = (
        f"CPU per call on {os.cpu_count()} cores: {args.memories:,} memories of one user, "
        f"{concurrency} concurrent callers, {amount_text} per phase"
    )
    print(f"memgrid cost: {title}", flush=True)
    echo_amount = Amount(
        calls=None if args.seconds is not None else args.calls * ECHO_CALLS_FACTOR,
        seconds=args.seconds,
    )
    print(f"echo server ({concurrency} concurrent)...", flush=True)
    echo, echo_server_floor, echo_client_floor = await echo_floors(concurrency, echo_amount)

    with tempfile.TemporaryDirectory(prefix="memgrid-cost-") as tmp:
        suite = Suite(
            data_dir=Path(tmp) / "data",
            ephemeral_ports=True,
            log_dir=Path(tmp) / "logs",
            # The search service finds the ONNX graph that the in-process floor uses, built
            # once for the repository, whatever the working directory.
            env={
                "OTEL_SDK_DISABLED": "true",
                "MEMGRID_SEARCH_MODEL_CACHE": str(embedder_settings().cache_dir),
            },
        )
        print(f"starting the suite (logs in {suite.log_dir})...", flush=True)
        async with suite, grpc.aio.insecure_channel(suite.gateway_address) as channel:
            bench = CostBench(suite, GatewayServiceStub(channel), args)
            print(
                f"seeding {args.memories:,} memories (AddMemories, batches of 100)...", flush=True
            )
            seeded = await bench.seed(args.memories)
            await bench.seed_graph()
            drained = await bench.settle()
            print(f"  outbox drained {drained:.1f} s after the last write", flush=True)
            print(f"idle for {args.idle_seconds:g} s...", flush=True)
            idle = await bench.idle(args.idle_seconds)
            phases = [*await bench.read_phases(), *await bench.write_phases()]
        print("in-process floors (query embedding, index query)...", flush=True)
        floors = in_process_floors(seeded, args.calls, Path(tmp) / "floor-index")
    results = Results(
        concurrency, echo, phases, [echo_server_floor, echo_client_floor, *floors], idle
    )
    print_results(results, title)
    return result_rows(results)


def cli() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--memories", type=int, help="seeded memories (2000; --quick 300)")
    amount = parser.add_mutually_exclusive_group()
    amount.add_argument("--calls", type=int, help="calls per phase (400; --quick 100)")
    amount.add_argument("--seconds", type=float, help="seconds per phase instead of --calls")
    parser.add_argument("--concurrency", type=int, default=8, help="callers per phase")
    parser.add_argument("--idle-seconds", type=float, help="idle phase (10; --quick 3)")
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke run")
    parser.add_argument("--json", type=Path, help="also write the figures here as rows")
    args = parser.parse_args()
    for name, (full, quick) in SIZES.items():
        if getattr(args, name) is None:
            setattr(args, name, quick if args.quick else full)
    if min(args.memories, args.calls, args.concurrency) < 1 or args.idle_seconds <= 0:
        parser.error("--memories, --calls, --concurrency and --idle-seconds must be positive")
    if args.seconds is not None and args.seconds <= 0:
        parser.error("--seconds must be positive")
    rows = uvloop.run(main(args))
    if args.json:
        write_json(rows, args.json)


if __name__ == "__main__":
    cli()
