"""Search benchmark (issue #3): the real suite, realistic memories, every figure beside the
plain grpc.aio echo ceiling measured in the same run.

Figures, in order:
- echo ceiling: a plain grpc.aio unary echo at 64 concurrent (perf/echo_server.py);
- embedder: sentences/s at batch 32 and one-query latency, in process, with the search
  service's own settings (MEMGRID_SEARCH_ONNX_*);
- ingest: AddMemories through the gateway in batches, with embeddings, counted until every
  memory is searchable (CheckConsistency agrees), so indexing left to the outbox is not
  mistaken for speed;
- search: Search through the gateway at 64 concurrent callers, at each size of --memories.
  Users own ~100 memories each, as a real tenant's users do; every query is filtered by
  its user, and query texts rarely repeat (the query-embedding cache's hit rate is shown);
- HNSW: after the last size, the search service is stopped, services.search.hnsw builds
  the graph, and filtered and tenant-wide searches are timed on the index before and after,
  then Search through the gateway again (--skip-hnsw leaves this out).

The load generator is one Python process on the same 2 cores as the servers, so compare
the ratio to the echo ceiling across machines, not the raw numbers. Each load phase runs
--rounds times; medians are printed.

Run: .venv/bin/python -m perf.search_bench [--memories 10000 100000] [--seconds 10]
Smoke run: --memories 2000 --seconds 2 --rounds 1 --skip-hnsw
--json PATH also writes the figures as perf/report.py rows (section "search").
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import random
import re
import signal
import statistics
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import grpc
import numpy as np
import uvloop
from memgrid.common.v1 import memory_pb2 as common
from memgrid.gateway.v1 import request_response_pb2 as gw
from memgrid.gateway.v1.service_pb2_grpc import GatewayServiceStub
from memgrid.search.v1 import request_response_pb2 as search_rr
from memgrid.search.v1.service_pb2_grpc import SearchServiceStub
from memgrid_suite.launcher import Suite

from perf.foundation_bench import echo_ceiling
from perf.loadgen import LoadResult, closed_loop, percentile
from perf.outbox import wait_drained
from perf.report import Row, ceiling_row, write_json
from services.search.embedding import OnnxEmbedder, OnnxEmbedderConfig
from services.search.index.base import IndexFilter, Match
from services.search.index.qdrant_edge_index import QdrantEdgeIndex
from services.search.indexer import QUEUE as SEARCH_QUEUE
from services.search.settings import SearchSettings

if TYPE_CHECKING:
    from memgrid.gateway.v1.service_pb2_grpc import GatewayServiceAsyncStub
    from memgrid.search.v1.service_pb2_grpc import SearchServiceAsyncStub

REPO = Path(__file__).resolve().parents[1]
SECTION = "search"
API_KEY = "bench-key"
TENANT = "bench"
MEMORIES_PER_USER = 100
CONCURRENCY = 64
TARGETS = {
    "ingest_per_s": 800.0,
    "search_rps_10k": 500.0,
    "search_p95_ms_10k": 30.0,
    "search_p95_ms_100k": 50.0,
}


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# The words an agent's users talk about; filled into the templates below.
PEOPLE = _words(
    "Anna Marco Priya Tom Lena Omar Sofia Jonas Mei Carlos Eva Ravi Nora Felix Aisha Leo "
    "Hannah Diego Yuki Sam Clara Ahmed Julia Ben Elif Noah Ines Paul Zara Luca"
)
RELATIONS = _words(
    "sister brother mother father cousin aunt uncle manager neighbour colleague partner "
    "daughter son flatmate"
)
CITIES = _words(
    "Lisbon Bologna Berlin Porto Lyon Krakow Seville Utrecht Ghent Tallinn Valencia Munich "
    "Dublin Vienna Zurich Oslo Prague Naples Bilbao Turin Leeds Bristol Malmo Graz"
)
FOODS = _words("peanuts shellfish gluten lactose sesame kiwi eggs soy mustard celery")
HOBBIES = _words(
    "pottery bouldering salsa chess piano watercolour sourdough baking running birdwatching "
    "woodworking guitar photography yoga swimming knitting"
)
JOBS = _words(
    "nurse architect teacher accountant carpenter pharmacist lawyer chef pilot translator "
    "electrician journalist dentist"
)
PETS = _words("cat dog rabbit parrot tortoise hamster")
PET_NAMES = _words("Miso Pepper Biscuit Luna Olive Mango Rocky Pixel Noodle Ziggy")
PROJECTS = _words("Atlas Orion Harbor Falcon Juniper Beacon Quartz Meridian Willow Cobalt")
MONTHS = _words(
    "January February March April May June July August September October November December"
)
WEEKDAYS = _words("Monday Tuesday Wednesday Thursday Friday Saturday Sunday")
DOCTORS = _words("dentist dermatologist physiotherapist optician GP cardiologist")
CUISINES = _words("Thai Georgian Lebanese Peruvian Ethiopian Korean Sicilian Basque Vietnamese")
DRINKS = ("black coffee", "green tea", "oat latte", "espresso", "chai", "rooibos")

MEMORY_TEMPLATES = (
    "My {relation} {person} lives in {city} and works as a {job}.",
    "I'm allergic to {food}, so please leave it out of any recipe you suggest.",
    "I started learning {hobby} in {month} and I practise every {weekday} evening.",
    "My {pet} is called {pet_name} and turns {number} this {month}.",
    "The {project} project deadline moved to {month} {day}; {person} is leading it now.",
    "I booked a flight to {city} on {month} {day} to visit {person}.",
    "I have a {doctor} appointment on {weekday} at {hour} o'clock.",
    "In the morning I drink {drink}, never with sugar.",
    "{person} recommended a {cuisine} restaurant in {city} that I want to try.",
    "I owe {person} {number}0 euros for the concert tickets.",
    "We moved the weekly {project} meeting to {weekday} mornings at {hour}.",
    "I'm saving for a trip to {city} and spending less on takeaway this {month}.",
    "{person} from the {project} team is my go-to person for budget questions.",
    "I switched gyms because the one near {person}'s place opens at {hour} on {weekday}s.",
    "My {relation} {person} is allergic to {food} too, remember that for the party.",
    "Last {month} I finished a {hobby} course and I want a more advanced one.",
)
QUERY_TEMPLATES = (
    "where does my {relation} live",
    "what does {person} do for work",
    "what food am I allergic to",
    "when did I start learning {hobby}",
    "what is my {pet} called",
    "when is the {project} deadline",
    "when is my flight to {city}",
    "when is my {doctor} appointment",
    "how do I take my coffee",
    "which {cuisine} restaurant did {person} recommend",
    "how much money do I owe {person}",
    "when is the {project} meeting",
    "what am I saving money for",
    "who can I ask about the {project} budget",
    "why did I change gyms",
    "is my {relation} allergic to anything",
)
# Real questions arrive wrapped in conversation: openings and endings keep the texts from
# repeating much, so the query-embedding cache does not do the work.
QUERY_OPENINGS = (
    "",
    "remind me, ",
    "do you remember ",
    "quick question: ",
    "sorry, I forgot ",
    "can you check ",
    "I need to know ",
    "before I call {person2}, ",
    "for my {weekday} plans, ",
    "hey, ",
)
QUERY_ENDINGS = (
    "",
    "?",
    " again?",
    " please",
    " this week",
    " — it's for an email to {person2}",
    " before {weekday}",
    " so I can tell {person2}",
    " (I think I told you in {month})",
)
QUERY_PARTS = (QUERY_OPENINGS, QUERY_TEMPLATES, QUERY_ENDINGS)


def _fill(template: str, rng: random.Random) -> str:
    values = {
        "person": rng.choice(PEOPLE),
        "person2": rng.choice(PEOPLE),
        "relation": rng.choice(RELATIONS),
        "city": rng.choice(CITIES),
        "food": rng.choice(FOODS),
        "hobby": rng.choice(HOBBIES),
        "job": rng.choice(JOBS),
        "pet": rng.choice(PETS),
        "pet_name": rng.choice(PET_NAMES),
        "project": rng.choice(PROJECTS),
        "month": rng.choice(MONTHS),
        "weekday": rng.choice(WEEKDAYS),
        "doctor": rng.choice(DOCTORS),
        "cuisine": rng.choice(CUISINES),
        "drink": rng.choice(DRINKS),
        "number": rng.randint(2, 14),
        "day": rng.randint(1, 28),
        "hour": rng.randint(7, 19),
    }
    return template.format(**values)


def user_id(number: int) -> str:
    return f"user-{number:05d}"


def realistic_memories(count: int, *, seed: int = 7) -> list[tuple[str, str]]:
    """(user_id, content) pairs, MEMORIES_PER_USER per user, a user's memories together."""
    rng = random.Random(seed)
    return [
        (user_id(i // MEMORIES_PER_USER), _fill(rng.choice(MEMORY_TEMPLATES), rng))
        for i in range(count)
    ]


def realistic_queries(users: int, count: int, *, seed: int = 11) -> list[tuple[str, str]]:
    """(user_id, question) pairs for users 0..users-1."""
    rng = random.Random(seed)
    return [
        (
            user_id(rng.randrange(users)),
            _fill(
                rng.choice(QUERY_OPENINGS)
                + rng.choice(QUERY_TEMPLATES)
                + rng.choice(QUERY_ENDINGS),
                rng,
            ),
        )
        for _ in range(count)
    ]


def users_for(memories: int) -> int:
    return max(1, memories // MEMORIES_PER_USER)


@dataclass(frozen=True)
class Figure:
    """Medians over the rounds of one load phase."""

    name: str
    per_second: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    errors: int
    per_second_range: tuple[float, float]

    @classmethod
    def of(cls, name: str, rounds: Sequence[LoadResult]) -> Figure:
        rates = [r.per_second for r in rounds]
        return cls(
            name=name,
            per_second=statistics.median(rates),
            p50_ms=statistics.median(r.p50_ms for r in rounds),
            p95_ms=statistics.median(r.p95_ms for r in rounds),
            p99_ms=statistics.median(r.p99_ms for r in rounds),
            errors=sum(r.errors for r in rounds),
            per_second_range=(min(rates), max(rates)),
        )

    def row(self, ceiling: Figure | None = None) -> str:
        low, high = self.per_second_range
        ratio = f"  {self.per_second / ceiling.per_second:.2f} of echo" if ceiling else ""
        return (
            f"{self.name:<36}{self.per_second:>8,.0f} req/s ({low:,.0f}-{high:,.0f})  "
            f"p50 {self.p50_ms:6.2f}  p95 {self.p95_ms:6.2f}  p99 {self.p99_ms:6.2f} ms  "
            f"errors {self.errors}{ratio}"
        )

    def value(self) -> str:
        """The figure as one table cell; the req/s range only when there were rounds."""
        low, high = self.per_second_range
        spread = f" ({low:,.0f}-{high:,.0f})" if high > low else ""
        return (
            f"{self.per_second:,.0f} req/s{spread}, p50 {self.p50_ms:.1f} / p95 "
            f"{self.p95_ms:.1f} / p99 {self.p99_ms:.1f} ms, {self.errors} errors"
        )

    def ratio_to(self, ceiling: Figure) -> float:
        return self.per_second / ceiling.per_second


def verdict(ok: bool) -> str:
    return "meets target" if ok else "MISSES target"


def embedder_settings() -> OnnxEmbedderConfig:
    """The search service's own embedder settings, from the same environment."""
    onnx = SearchSettings.from_env().embedder.onnx
    cache_dir = onnx.cache_dir if onnx.cache_dir.is_absolute() else REPO / onnx.cache_dir
    return OnnxEmbedderConfig(
        cache_dir=cache_dir, precision=onnx.precision, threads=onnx.threads, spinning=onnx.spinning
    )


@dataclass(frozen=True)
class EmbedderFigures:
    name: str
    sentences_per_second: float
    one_query_p50_ms: float
    one_query_p95_ms: float


def measure_embedder(embedder: OnnxEmbedder, rounds: int) -> EmbedderFigures:
    texts = [content for _, content in realistic_memories(32 * 20, seed=3)]
    queries = [query for _, query in realistic_queries(100, 200, seed=5)]
    embedder.embed_sync(texts[:32])
    rates = []
    for _ in range(rounds):
        started = time.perf_counter()
        for start in range(0, len(texts), 32):
            embedder.embed_sync(texts[start : start + 32])
        rates.append(len(texts) / (time.perf_counter() - started))
    latencies = []
    for query in queries:
        started = time.perf_counter()
        embedder.embed_sync([query])
        latencies.append((time.perf_counter() - started) * 1000)
    latencies.sort()
    return EmbedderFigures(
        embedder.name,
        statistics.median(rates),
        statistics.median(latencies),
        percentile(latencies, 0.95),
    )


def scrape(metrics_port: int) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{metrics_port}/metrics", timeout=5) as page:
        return str(page.read().decode())


def metric_sum(text: str, name: str, labels: str = "") -> float:
    """Sum of a Prometheus series' samples whose labels contain `labels` (e.g. 'stage="embed"')."""
    pattern = re.compile(rf"^{re.escape(name)}(?:{{([^}}]*)}})? ([0-9.eE+-]+)$", re.MULTILINE)
    return sum(float(value) for found, value in pattern.findall(text) if labels in found)


CACHE_HITS = "memgrid_search_query_embedding_cache_hits_total"
CACHE_MISSES = "memgrid_search_query_embedding_cache_misses_total"
STAGE_SECONDS = "memgrid_search_stage_duration_seconds"
EMBED_BATCH = "memgrid_search_embed_batch_size"
RPC_SECONDS = "memgrid_rpc_server_duration_seconds"


@dataclass(frozen=True)
class SearchBreakdown:
    """Where a search's time went, from the services' own metrics over a load phase."""

    cache_hit_rate: float
    gateway_ms: float
    search_rpc_ms: float
    embed_ms: float
    retrieve_ms: float
    embed_batch: float

    @classmethod
    def between(cls, before: dict[str, str], after: dict[str, str]) -> SearchBreakdown:
        def delta(service: str, name: str, labels: str = "") -> float:
            return metric_sum(after[service], name, labels) - metric_sum(
                before[service], name, labels
            )

        def mean_ms(service: str, name: str, labels: str = "") -> float:
            count = delta(service, name + "_count", labels)
            return 1000 * delta(service, name + "_sum", labels) / count if count else 0.0

        hits, misses = delta("search", CACHE_HITS), delta("search", CACHE_MISSES)
        batches = delta("search", EMBED_BATCH + "_count")
        return cls(
            cache_hit_rate=hits / (hits + misses) if hits + misses else 0.0,
            gateway_ms=mean_ms("gateway", RPC_SECONDS, 'Service/Search"'),
            search_rpc_ms=mean_ms("search", RPC_SECONDS, 'Service/Search"'),
            embed_ms=mean_ms("search", STAGE_SECONDS, 'stage="embed"'),
            retrieve_ms=mean_ms("search", STAGE_SECONDS, 'stage="retrieve"'),
            embed_batch=delta("search", EMBED_BATCH + "_sum") / batches if batches else 0.0,
        )

    def row(self) -> str:
        return (
            f"  mean ms in the gateway {self.gateway_ms:.1f}, search RPC {self.search_rpc_ms:.1f}"
            f" (embed {self.embed_ms:.1f}, retrieve {self.retrieve_ms:.1f}); texts per model run "
            f"{self.embed_batch:.1f}; query cache hit rate {self.cache_hit_rate:.0%}"
        )


class Bench:
    """The running suite, and what was loaded into it so far."""

    def __init__(self, suite: Suite, index_dir: Path, batch: int, in_flight: int) -> None:
        self.suite = suite
        self.index_dir = index_dir
        self.batch = batch
        self.in_flight = in_flight
        self.loaded = 0
        self.metadata = (("x-api-key", API_KEY),)

    async def ingest_to(
        self, stub: GatewayServiceAsyncStub, memories: Sequence[tuple[str, str]], target: int
    ) -> tuple[float, int]:
        """Adds memories[loaded:target]; returns (seconds until all searchable, pending)."""
        batches = [
            memories[start : min(start + self.batch, target)]
            for start in range(self.loaded, target, self.batch)
        ]
        queue = iter(enumerate(batches))
        pending = 0
        done = 0
        step = max(1, len(batches) // 10)
        started = time.perf_counter()

        async def writer() -> None:
            nonlocal pending, done
            for number, batch in queue:
                reply = await stub.AddMemories(
                    gw.AddMemoriesRequest(
                        memories=[
                            common.NewMemory(scope=common.Scope(user_id=user), content=content)
                            for user, content in batch
                        ],
                        idempotency_key=f"bench-{self.loaded}-{number}",
                    ),
                    metadata=self.metadata,
                    timeout=120,
                )
                search_state = {p.store: p.state for p in reply.propagation}.get("search")
                if search_state != common.PROPAGATION_STATE_DONE:
                    pending += len(batch)
                done += 1
                if done % step == 0:
                    count = self.loaded + sum(len(b) for b in batches[:done])
                    rate = (count - self.loaded) / (time.perf_counter() - started)
                    print(f"  {count:>9,} memories stored ({rate:,.0f}/s)", flush=True)

        await asyncio.gather(*(writer() for _ in range(self.in_flight)))
        await self.wait_searchable(target)
        self.loaded = target
        return time.perf_counter() - started, pending

    async def wait_outbox_drained(self, timeout: float = 1200.0) -> float:
        """Until memory-store's search queue is empty; returns the seconds waited.

        Memories indexed on write still have their outbox job, which the search service
        works off later (reading each one back to check its version): left running, that
        backlog would share the cores with the search phase being measured."""
        return await wait_drained(self.suite, [SEARCH_QUEUE], timeout=timeout)

    async def wait_searchable(
        self, expected: int, *, tenant: str = TENANT, stall_seconds: float = 120.0
    ) -> None:
        """Until the tenant's index holds `expected` memories and agrees with the store;
        gives up only when the index stops growing for stall_seconds."""
        async with grpc.aio.insecure_channel(self.suite.address_of("search")) as channel:
            search: SearchServiceAsyncStub = SearchServiceStub(channel)
            last_count, last_growth, last_report = -1, time.monotonic(), time.monotonic()
            while True:
                reply = await search.CheckConsistency(
                    search_rr.CheckConsistencyRequest(tenant_id=tenant), timeout=60
                )
                if reply.index_count >= expected and reply.consistent:
                    return
                now = time.monotonic()
                if reply.index_count > last_count:
                    last_count, last_growth = reply.index_count, now
                elif now - last_growth > stall_seconds:
                    raise RuntimeError(
                        f"index stuck at {reply.index_count:,} of {expected:,} memories"
                    )
                if now - last_report > 30:
                    print(f"  {reply.index_count:>9,} memories searchable", flush=True)
                    last_report = now
                await asyncio.sleep(0.2)

    async def search_load(
        self, stub: GatewayServiceAsyncStub, seconds: float, rounds: int, seed: int
    ) -> tuple[list[LoadResult], float, SearchBreakdown]:
        """Rounds of Search at CONCURRENCY; returns them, hits per query and where the
        time went."""
        queries = itertools.cycle(realistic_queries(users_for(self.loaded), 200_000, seed=seed))
        hit_counts: list[int] = []

        def scrape_all() -> dict[str, str]:
            return {
                name: scrape(self.suite.running[name].metrics_port)
                for name in ("gateway", "search")
            }

        async def one_search() -> None:
            user, query = next(queries)
            reply = await stub.Search(
                gw.SearchRequest(query=query, filter=common.MemoryFilter(user_id=user), k=10),
                metadata=self.metadata,
                timeout=10,
            )
            hit_counts.append(len(reply.hits))

        before = scrape_all()
        results = [
            await closed_loop(one_search, concurrency=CONCURRENCY, seconds=seconds)
            for _ in range(rounds)
        ]
        breakdown = SearchBreakdown.between(before, scrape_all())
        return results, statistics.fmean(hit_counts) if hit_counts else 0.0, breakdown


@dataclass(frozen=True)
class ProbeFigures:
    filtered_p50_ms: float
    filtered_p95_ms: float
    tenant_wide_p50_ms: float
    tenant_wide_p95_ms: float

    def row(self) -> str:
        return (
            f"user-filtered p50 {self.filtered_p50_ms:6.2f} p95 {self.filtered_p95_ms:6.2f} ms; "
            f"tenant-wide p50 {self.tenant_wide_p50_ms:6.2f} p95 {self.tenant_wide_p95_ms:6.2f} ms"
        )


def probe_index(index_dir: Path, vectors: np.ndarray, users: int) -> ProbeFigures:
    """Dense top-30 searches straight on the index (the service must be stopped)."""
    index = QdrantEdgeIndex(index_dir, vectors.shape[1])
    rng = random.Random(13)
    try:

        def timed(make_filter: Callable[[], IndexFilter]) -> list[float]:
            latencies = []
            for vector in vectors:
                flt = make_filter()
                started = time.perf_counter()
                index.search_dense(flt, vector.tolist(), 30)
                latencies.append((time.perf_counter() - started) * 1000)
            return sorted(latencies)

        filtered = timed(
            lambda: IndexFilter(TENANT, must=(Match("user_id", user_id(rng.randrange(users))),))
        )
        wide = timed(lambda: IndexFilter(TENANT))
    finally:
        index.close()
    return ProbeFigures(
        statistics.median(filtered),
        percentile(filtered, 0.95),
        statistics.median(wide),
        percentile(wide, 0.95),
    )


@dataclass(frozen=True)
class HnswFigures:
    build_seconds: float
    build_summary: str
    before: ProbeFigures
    after: ProbeFigures
    search_after: Figure
    breakdown_after: SearchBreakdown


async def stop_service(suite: Suite, name: str) -> None:
    process = suite.running[name].process
    process.send_signal(signal.SIGTERM)
    await asyncio.to_thread(process.wait, 60)


async def hnsw_phase(
    bench: Bench, stub: GatewayServiceAsyncStub, embedder: OnnxEmbedder, seconds: float, rounds: int
) -> HnswFigures:
    users = users_for(bench.loaded)
    vectors = embedder.embed_sync([q for _, q in realistic_queries(users, 300, seed=17)])
    await stop_service(bench.suite, "search")
    before = probe_index(bench.index_dir, vectors, users)
    print(f"  index before HNSW: {before.row()}", flush=True)
    print("  building HNSW (python -m services.search.hnsw)...", flush=True)
    started = time.perf_counter()
    build = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "services.search.hnsw",
        "--index-dir",
        str(bench.index_dir),
        cwd=REPO,
        stdout=asyncio.subprocess.PIPE,
    )
    output, _ = await build.communicate()
    build_seconds = time.perf_counter() - started
    if build.returncode != 0:
        raise RuntimeError(f"the HNSW build failed with exit code {build.returncode}")
    after = probe_index(bench.index_dir, vectors, users)
    print(f"  index after HNSW:  {after.row()}", flush=True)
    await bench.suite.restart("search")
    rounds_after, _, breakdown_after = await bench.search_load(stub, seconds, rounds, seed=29)
    return HnswFigures(
        build_seconds,
        output.decode().strip(),
        before,
        after,
        Figure.of(f"Search at {bench.loaded:,}, with HNSW", rounds_after),
        breakdown_after,
    )


@dataclass
class Results:
    ceiling: Figure | None = None
    embedder: EmbedderFigures | None = None
    # (from, to, seconds until searchable, memories left to the outbox)
    ingest: list[tuple[int, int, float, int]] = field(default_factory=list)
    # (size, figure, hits per query, where the time went)
    searches: list[tuple[int, Figure, float, SearchBreakdown]] = field(default_factory=list)
    hnsw: HnswFigures | None = None


def ingest_target(rate: float) -> tuple[str, bool]:
    """The ingest target as text, and whether `rate` (memories/s) meets it."""
    return f">= {TARGETS['ingest_per_s']:,.0f}/s", rate >= TARGETS["ingest_per_s"]


def search_target(size: int, figure: Figure) -> tuple[str, bool]:
    """The Search target for `size` memories as text, and whether `figure` meets it."""
    if size <= 10_000:
        ok = (
            figure.per_second >= TARGETS["search_rps_10k"]
            and figure.p95_ms <= TARGETS["search_p95_ms_10k"]
        )
        return (
            f">= {TARGETS['search_rps_10k']:,.0f} req/s, p95 <= "
            f"{TARGETS['search_p95_ms_10k']:.0f} ms",
            ok,
        )
    ok = figure.p95_ms <= TARGETS["search_p95_ms_100k"]
    return f"p95 <= {TARGETS['search_p95_ms_100k']:.0f} ms", ok


def print_results(results: Results) -> None:
    ceiling = results.ceiling
    assert ceiling is not None and results.embedder is not None
    print()
    print(f"echo ceiling (grpc.aio, {CONCURRENCY} conc.) {ceiling.row()}")
    emb = results.embedder
    print(
        f"embedder {emb.name}: {emb.sentences_per_second:,.0f} sentences/s at batch 32; "
        f"one query p50 {emb.one_query_p50_ms:.2f} ms, p95 {emb.one_query_p95_ms:.2f} ms"
    )
    for start, end, seconds, pending in results.ingest:
        rate = (end - start) / seconds
        target, ok = ingest_target(rate)
        print(
            f"ingest {start:,}->{end:,} (AddMemories with embeddings): {rate:,.0f} memories/s "
            f"({seconds:.1f} s until searchable; {pending:,} left to the outbox)  "
            f"{target}: {verdict(ok)}"
        )
    for size, figure, hits, breakdown in results.searches:
        print(figure.row(ceiling))
        print(f"  {hits:.1f} hits per query")
        print(breakdown.row())
        target, ok = search_target(size, figure)
        print(f"  target at {'10k' if size <= 10_000 else '100k'}: {target}: {verdict(ok)}")
    if results.hnsw is not None:
        hnsw = results.hnsw
        print(f"HNSW build (service stopped): {hnsw.build_seconds:.1f} s; {hnsw.build_summary}")
        print(f"  index without HNSW: {hnsw.before.row()}")
        print(f"  index with HNSW:    {hnsw.after.row()}")
        print(hnsw.search_after.row(ceiling))
        print(hnsw.breakdown_after.row())


def result_rows(results: Results) -> list[Row]:
    """The figures print_results shows, as table rows; Search rows beside the ceiling."""
    ceiling = results.ceiling
    assert ceiling is not None and results.embedder is not None
    emb = results.embedder
    rows = [
        ceiling_row(SECTION, CONCURRENCY, ceiling.value()),
        Row(
            SECTION,
            f"embedder {emb.name}",
            f"{emb.sentences_per_second:,.0f} sentences/s at batch 32; one query p50 "
            f"{emb.one_query_p50_ms:.2f} / p95 {emb.one_query_p95_ms:.2f} ms",
        ),
    ]
    for start, end, seconds, pending in results.ingest:
        rate = (end - start) / seconds
        target, ok = ingest_target(rate)
        rows.append(
            Row(
                SECTION,
                f"ingest {start:,}->{end:,} with embeddings",
                f"{rate:,.0f} memories/s ({seconds:.1f} s until searchable, "
                f"{pending:,} left to the outbox)",
                target,
                ok,
            )
        )
    for size, figure, hits, _ in results.searches:
        target, ok = search_target(size, figure)
        rows.append(
            Row(
                SECTION,
                f"Search at {size:,} via gateway ({CONCURRENCY} conc.)",
                f"{figure.value()}, {hits:.1f} hits/query",
                target,
                ok,
                figure.ratio_to(ceiling),
            )
        )
    if results.hnsw is not None:
        hnsw = results.hnsw
        rows += [
            Row(SECTION, "HNSW build (service stopped)", f"{hnsw.build_seconds:.1f} s"),
            Row(
                SECTION,
                "index p95 user-filtered / tenant-wide, without -> with HNSW",
                f"{hnsw.before.filtered_p95_ms:.2f} / {hnsw.before.tenant_wide_p95_ms:.2f} -> "
                f"{hnsw.after.filtered_p95_ms:.2f} / {hnsw.after.tenant_wide_p95_ms:.2f} ms",
            ),
            Row(
                SECTION,
                f"{hnsw.search_after.name} ({CONCURRENCY} conc.)",
                hnsw.search_after.value(),
                ratio_to_ceiling=hnsw.search_after.ratio_to(ceiling),
            ),
        ]
    return rows


async def main(args: argparse.Namespace) -> list[Row]:
    sizes = sorted(args.memories)
    listed = ", ".join(f"{size:,}" for size in sizes)
    print(
        f"memgrid search bench on {os.cpu_count()} cores; sizes {listed}; "
        f"{args.seconds:.0f}s x {args.rounds} rounds per load phase",
        flush=True,
    )
    results = Results()
    print(f"echo ceiling ({CONCURRENCY} concurrent)...", flush=True)
    results.ceiling = Figure.of(
        "echo", [await echo_ceiling(args.seconds, CONCURRENCY) for _ in range(args.rounds)]
    )
    embedder = OnnxEmbedder(embedder_settings())
    print("embedder...", flush=True)
    results.embedder = measure_embedder(embedder, args.rounds)
    memories = realistic_memories(sizes[-1])

    with tempfile.TemporaryDirectory(prefix="memgrid-search-bench-") as tmp:
        index_dir = Path(tmp) / "search-index"
        suite = Suite(
            data_dir=Path(tmp) / "data",
            log_dir=Path(tmp) / "logs",
            ephemeral_ports=True,
            api_keys=f"{API_KEY}={TENANT}",
            env={
                "MEMGRID_SEARCH_INDEX_PATH": str(index_dir),
                "MEMGRID_SEARCH_MODEL_CACHE": str(embedder_settings().cache_dir),
            },
        )
        await suite.start()
        try:
            bench = Bench(suite, index_dir, args.batch, args.in_flight)
            async with grpc.aio.insecure_channel(suite.gateway_address) as channel:
                stub: GatewayServiceAsyncStub = GatewayServiceStub(channel)
                for size in sizes:
                    start = bench.loaded
                    print(f"ingesting {start:,}->{size:,} (batches of {args.batch})...", flush=True)
                    seconds, pending = await bench.ingest_to(stub, memories, size)
                    results.ingest.append((start, size, seconds, pending))
                    drained = await bench.wait_outbox_drained()
                    print(f"  search outbox drained {drained:.1f} s later", flush=True)
                    print(f"Search at {size:,} memories ({CONCURRENCY} concurrent)...", flush=True)
                    rounds, hits, breakdown = await bench.search_load(
                        stub, args.seconds, args.rounds, seed=size
                    )
                    figure = Figure.of(f"Search at {size:,} via gateway", rounds)
                    results.searches.append((size, figure, hits, breakdown))
                if not args.skip_hnsw:
                    print(f"HNSW at {bench.loaded:,} memories...", flush=True)
                    results.hnsw = await hnsw_phase(
                        bench, stub, embedder, args.seconds, args.rounds
                    )
        finally:
            await suite.stop()
    print_results(results)
    return result_rows(results)


def cli() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--memories", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--seconds", type=float, default=10.0, help="per load round")
    parser.add_argument("--rounds", type=int, default=3, help="load rounds per phase")
    parser.add_argument("--batch", type=int, default=100, help="memories per AddMemories")
    # More than 2 batches in flight only adds contention on 2 cores, and past the gateway's
    # 2 s indexing budget a batch is embedded twice (on write, then by the outbox).
    parser.add_argument("--in-flight", type=int, default=2, help="concurrent AddMemories")
    parser.add_argument("--skip-hnsw", action="store_true", help="leave out the HNSW phase")
    parser.add_argument("--json", type=Path, help="also write the figures here as rows")
    args = parser.parse_args()
    if min(args.memories) < 1 or args.rounds < 1 or args.batch < 1 or args.in_flight < 1:
        parser.error("--memories, --rounds, --batch and --in-flight must be positive")
    rows = uvloop.run(main(args))
    if args.json:
        write_json(rows, args.json)


if __name__ == "__main__":
    cli()
