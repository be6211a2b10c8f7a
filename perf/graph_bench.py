"""Graph figures for both backends side by side, through the gateway (issue #4).

For each backend (FalkorDB, embedded in the graph service; Neo4j at MEMGRID_TEST_NEO4J_URI,
e.g. from `scripts/neo4j-test-server start`), starts the suite's memory-store, graph and
gateway with MEMGRID_GRAPH_BACKEND set (search and thought-engine answer no graph query and
would only compete for the cores), then:

1. adds one memory per 4 relations through the gateway (AddMemories, batches of 100), so
   that related-memories queries return real memories, hydrated from memory-store;
2. upserts N entities, then M relations citing those memories (each memory then mentions
   the endpoints of its relations), through GraphService.Upsert in batches;
3. times 2-hop neighbours and related memories called on a store connected to the same
   database, one at a time;
4. runs closed loops of --concurrency callers for --seconds each: GetNeighbors (2 hops) on
   the graph service directly, then GetNeighbors (2 hops) and GetRelatedMemories (2 hops,
   the user's memories) through the gateway; each beside the grpc.aio echo ceiling
   measured at the start of the run.

    .venv/bin/python -m perf.graph_bench [--entities 100000] [--relations 200000]
        [--backends falkordb,neo4j] [--seconds 10] [--concurrency 32] [--queries 1000]
        [--neo4j-uri bolt://...] [--json rows.json]

main() returns the figures as perf.report Rows (section "graph"); --json writes them.
The load generator shares the machine's cores with the services and the database, so the
figures are a floor for a real deployment.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import grpc
import uvloop
from memgrid.common.v1 import graph_pb2
from memgrid.common.v1 import memory_pb2 as common
from memgrid.gateway.v1 import graph_request_response_pb2 as gw_graph
from memgrid.gateway.v1 import request_response_pb2 as gw
from memgrid.gateway.v1.service_pb2_grpc import GatewayServiceStub
from memgrid.graph.v1 import request_response_pb2 as graph
from memgrid.graph.v1 import service_pb2_grpc as graph_grpc
from memgrid_suite.launcher import SERVICES, Suite

from perf.foundation_bench import echo_ceiling, load_value
from perf.loadgen import LoadResult, closed_loop, percentile
from perf.outbox import wait_drained
from perf.report import Row, ceiling_row, write_json
from services.graph.model import GraphScope, RelationFilter
from services.graph.store.cypher_store import CypherGraphStore
from services.graph.store.falkordb import FalkorDBBackend
from services.graph.store.falkordb_process import SOCKET_NAME
from services.graph.store.neo4j import Neo4jBackend

if TYPE_CHECKING:
    from memgrid.gateway.v1.service_pb2_grpc import GatewayServiceAsyncStub
    from memgrid.graph.v1.service_pb2_grpc import GraphServiceAsyncStub

# Fresh per run, so that a reused Neo4j holds no data of an earlier run in the tenant.
TENANT = f"graph-bench-{uuid.uuid4().hex[:8]}"
API_KEY = "graph-bench-key"
USER = "graph-bench-user"
SCOPE = GraphScope(TENANT, USER)
GRAPH_NAME = "bench"
GRAPH_SERVICES = ("memory-store", "graph", "gateway")
ENTITY_TYPES = ("person", "place", "project", "organisation")
RELATION_TYPES = ("knows", "works_with", "lives_in", "part_of", "likes", "met", "owns", "uses")
ENTITY_BATCH = 10_000
RELATION_BATCH = 5_000
RELATIONS_PER_MEMORY = 4
MEMORY_BATCH = 100
MEMORY_WRITERS = 4
RELATED_LIMIT = 20
TARGET_RELATIONS_PER_SECOND = 5_000
TARGET_GATEWAY_P95_MS = 10.0
SECTION = "graph"


@dataclass(frozen=True)
class Sequential:
    """Latencies of calls made one at a time, and the mean count of what they found."""

    p50_ms: float
    p95_ms: float
    mean_found: float


@dataclass
class Figures:
    backend: str
    memories_per_second: float = 0.0
    entities_per_second: float = 0.0
    relations_per_second: float = 0.0
    store_two_hop: Sequential | None = None
    store_related: Sequential | None = None
    direct_two_hop: LoadResult | None = None
    gateway_two_hop: LoadResult | None = None
    gateway_related: LoadResult | None = None
    related_hits: float = 0.0


def entity_name(index: int) -> str:
    return f"entity {index:06d}"


async def add_memories(stub: GatewayServiceAsyncStub, count: int) -> list[str]:
    """`count` memories of one user through the gateway; their ids in creation order."""
    metadata = (("x-api-key", API_KEY),)
    batches = [
        range(first, min(first + MEMORY_BATCH, count)) for first in range(0, count, MEMORY_BATCH)
    ]
    ids: list[list[str]] = [[] for _ in batches]
    next_batch = 0

    async def writer() -> None:
        nonlocal next_batch
        while next_batch < len(batches):
            n = next_batch
            next_batch += 1
            reply = await stub.AddMemories(
                gw.AddMemoriesRequest(
                    memories=[
                        common.NewMemory(
                            scope=common.Scope(user_id=USER),
                            content=f"memory {i}: what the user said about the people they know",
                        )
                        for i in batches[n]
                    ],
                    idempotency_key=f"{TENANT}-{n}",
                ),
                metadata=metadata,
                timeout=120,
            )
            ids[n] = [memory.id for memory in reply.memories]

    await asyncio.gather(*(writer() for _ in range(MEMORY_WRITERS)))
    return [memory_id for batch in ids for memory_id in batch]


async def load_graph(
    stub: GraphServiceAsyncStub,
    figures: Figures,
    entities: int,
    relations: int,
    memory_ids: list[str],
) -> None:
    started = time.perf_counter()
    for first in range(0, entities, ENTITY_BATCH):
        batch = [
            graph_pb2.Entity(name=entity_name(i), type=ENTITY_TYPES[i % len(ENTITY_TYPES)])
            for i in range(first, min(first + ENTITY_BATCH, entities))
        ]
        await stub.Upsert(
            graph.UpsertRequest(tenant_id=TENANT, user_id=USER, entities=batch), timeout=600
        )
    figures.entities_per_second = entities / (time.perf_counter() - started)

    rng = random.Random(4)
    started = time.perf_counter()
    for first in range(0, relations, RELATION_BATCH):
        batch_relations = []
        for k in range(first, min(first + RELATION_BATCH, relations)):
            source, target = rng.sample(range(entities), 2)
            batch_relations.append(
                graph_pb2.Relation(
                    source=entity_name(source),
                    target=entity_name(target),
                    type=RELATION_TYPES[k % len(RELATION_TYPES)],
                    confidence=round(rng.uniform(0.5, 1.0), 3),
                    source_memory_ids=[memory_ids[k // RELATIONS_PER_MEMORY]],
                )
            )
        await stub.Upsert(
            graph.UpsertRequest(tenant_id=TENANT, user_id=USER, relations=batch_relations),
            timeout=600,
        )
    figures.relations_per_second = relations / (time.perf_counter() - started)


async def wait_graph_queue_drained(suite: Suite, timeout: float = 600.0) -> None:
    """Until the graph service has worked off the jobs the memories' creation queued: a
    backlog would share the cores with what is measured next."""
    await wait_drained(suite, ["graph"], timeout=timeout)


async def sequential(call: Callable[[int], Awaitable[int]], count: int) -> Sequential:
    timings: list[float] = []
    found: list[int] = []
    for i in range(count):
        started = time.perf_counter()
        found.append(await call(i))
        timings.append(time.perf_counter() - started)
    timings.sort()
    return Sequential(
        statistics.median(timings) * 1000,
        percentile(timings, 0.95) * 1000,
        statistics.fmean(found),
    )


async def on_the_store(
    store: CypherGraphStore, figures: Figures, starts: list[str], count: int
) -> None:
    any_time = RelationFilter()

    async def two_hops(i: int) -> int:
        found = await store.neighbors(
            SCOPE, starts[i], hops=2, relation_filter=any_time, limit=1000
        )
        return len(found.entities) - 1

    async def related(i: int) -> int:
        found = await store.related_memories(
            SCOPE, [starts[i]], hops=2, relation_filter=any_time, limit=RELATED_LIMIT
        )
        return len(found.memories)

    figures.store_two_hop = await sequential(two_hops, count)
    figures.store_related = await sequential(related, count)


async def under_load(
    suite: Suite, figures: Figures, starts: list[str], args: argparse.Namespace
) -> None:
    metadata = (("x-api-key", API_KEY),)
    rng = random.Random(7)
    async with (
        suite.internal_channel("graph") as graph_channel,
        grpc.aio.insecure_channel(suite.gateway_address) as gateway_channel,
    ):
        graph_stub: GraphServiceAsyncStub = graph_grpc.GraphServiceStub(graph_channel)
        gateway: GatewayServiceAsyncStub = GatewayServiceStub(gateway_channel)

        def direct_two_hops() -> Awaitable[object]:
            return graph_stub.GetNeighbors(
                graph.GetNeighborsRequest(
                    tenant_id=TENANT, user_id=USER, entity=rng.choice(starts), hops=2
                )
            )

        def gateway_two_hops() -> Awaitable[object]:
            return gateway.GetNeighbors(
                gw_graph.GetNeighborsRequest(user_id=USER, entity=rng.choice(starts), hops=2),
                metadata=metadata,
            )

        hits: list[int] = []

        async def gateway_related() -> None:
            reply = await gateway.GetRelatedMemories(
                gw_graph.GetRelatedMemoriesRequest(
                    entities=[rng.choice(starts)],
                    hops=2,
                    filter=common.MemoryFilter(user_id=USER),
                    limit=RELATED_LIMIT,
                ),
                metadata=metadata,
            )
            hits.append(len(reply.memories))

        concurrency, seconds = args.concurrency, args.seconds
        name = figures.backend
        print(f"[{name}] GetNeighbors(hops=2) on the graph service, {concurrency} concurrent...")
        figures.direct_two_hop = await closed_loop(
            direct_two_hops, concurrency=concurrency, seconds=seconds
        )
        print(f"[{name}] GetNeighbors(hops=2) through the gateway, {concurrency} concurrent...")
        figures.gateway_two_hop = await closed_loop(
            gateway_two_hops, concurrency=concurrency, seconds=seconds
        )
        print(f"[{name}] GetRelatedMemories(hops=2) through the gateway...")
        figures.gateway_related = await closed_loop(
            gateway_related, concurrency=concurrency, seconds=seconds
        )
        figures.related_hits = statistics.fmean(hits) if hits else 0.0


def suite_env(backend: str, neo4j_uri: str) -> dict[str, str]:
    env = {"MEMGRID_GRAPH_BACKEND": backend, "MEMGRID_FALKORDB_GRAPH": GRAPH_NAME}
    if backend == "neo4j":
        env["MEMGRID_NEO4J_URI"] = neo4j_uri
    return env


def store_of(backend: str, data_dir: Path, neo4j_uri: str) -> CypherGraphStore:
    """A store on the database the suite's graph service uses (not starting or owning it)."""
    if backend == "neo4j":
        return CypherGraphStore(Neo4jBackend.connect(neo4j_uri, max_retry_time=30.0))
    socket_path = data_dir / "falkordb" / SOCKET_NAME
    return CypherGraphStore(FalkorDBBackend.connect(str(socket_path), GRAPH_NAME))


async def bench(backend: str, name: str, args: argparse.Namespace) -> Figures:
    figures = Figures(name)
    # A short path: the FalkorDB socket inside it must fit in sockaddr_un.
    with tempfile.TemporaryDirectory(prefix="mg-graph-bench-", dir="/tmp") as tmp:
        data_dir = Path(tmp) / "data"
        suite = Suite(
            data_dir=data_dir,
            log_dir=Path(tmp) / "logs",
            ephemeral_ports=True,
            api_keys=f"{API_KEY}={TENANT}",
            env=suite_env(backend, args.neo4j_uri),
            services=tuple(s for s in SERVICES if s.name in GRAPH_SERVICES),
        )
        await suite.start()
        try:
            memories = max(1, -(-args.relations // RELATIONS_PER_MEMORY))
            print(f"[{name}] adding {memories:,} memories through the gateway...", flush=True)
            async with grpc.aio.insecure_channel(suite.gateway_address) as channel:
                started = time.perf_counter()
                gateway: GatewayServiceAsyncStub = GatewayServiceStub(channel)
                memory_ids = await add_memories(gateway, memories)
                figures.memories_per_second = memories / (time.perf_counter() - started)
            print(
                f"[{name}] upserting {args.entities:,} entities and {args.relations:,} relations"
                " through GraphService.Upsert...",
                flush=True,
            )
            async with suite.internal_channel("graph") as channel:
                graph_stub: GraphServiceAsyncStub = graph_grpc.GraphServiceStub(channel)
                await load_graph(
                    graph_stub,
                    figures,
                    args.entities,
                    args.relations,
                    memory_ids,
                )
            await wait_graph_queue_drained(suite)
            rng = random.Random(11)
            starts = [entity_name(rng.randrange(args.entities)) for _ in range(args.queries)]
            print(f"[{name}] {args.queries} sequential 2-hop and related-memories queries...")
            store = store_of(backend, data_dir, args.neo4j_uri)
            try:
                await on_the_store(store, figures, starts, args.queries)
            finally:
                await store.close()
            await under_load(suite, figures, starts, args)
        finally:
            await suite.stop()
    return figures


def rows_of(figures: Figures, ceiling: LoadResult, args: argparse.Namespace) -> list[Row]:
    name = figures.backend
    conc = f"{args.concurrency} conc."
    rows = [
        Row(
            SECTION,
            f"{name}: relations upserted via GraphService.Upsert (batches of {RELATION_BATCH:,})",
            f"{figures.relations_per_second:,.0f} relations/s",
            f">= {TARGET_RELATIONS_PER_SECOND:,} relations/s",
            figures.relations_per_second >= TARGET_RELATIONS_PER_SECOND,
        ),
        Row(
            SECTION,
            f"{name}: entities upserted via GraphService.Upsert (batches of {ENTITY_BATCH:,})",
            f"{figures.entities_per_second:,.0f} entities/s",
        ),
    ]
    for label, sequential_figure, found in (
        ("2-hop neighbours on the store, one at a time", figures.store_two_hop, "neighbours"),
        ("related memories (2 hops) on the store, one at a time", figures.store_related, "hits"),
    ):
        assert sequential_figure is not None
        rows.append(
            Row(
                SECTION,
                f"{name}: {label}",
                f"p50 {sequential_figure.p50_ms:.2f} ms, p95 {sequential_figure.p95_ms:.2f} ms,"
                f" {sequential_figure.mean_found:.1f} {found}",
            )
        )
    direct, two_hop, related = (
        figures.direct_two_hop,
        figures.gateway_two_hop,
        figures.gateway_related,
    )
    assert direct is not None and two_hop is not None and related is not None
    ratio = ceiling.per_second or 1.0
    rows.append(
        Row(
            SECTION,
            f"{name}: GetNeighbors 2-hop on the graph service directly ({conc})",
            load_value(direct),
            ratio_to_ceiling=direct.per_second / ratio,
        )
    )
    # The target is FalkorDB's; Neo4j's figure is there to compare.
    targeted = name == "FalkorDB"
    rows.append(
        Row(
            SECTION,
            f"{name}: GetNeighbors 2-hop via gateway ({conc})",
            load_value(two_hop),
            f"p95 <= {TARGET_GATEWAY_P95_MS:.0f} ms" if targeted else "",
            two_hop.p95_ms <= TARGET_GATEWAY_P95_MS and two_hop.errors == 0 if targeted else None,
            two_hop.per_second / ratio,
        )
    )
    rows.append(
        Row(
            SECTION,
            f"{name}: GetRelatedMemories 2-hop via gateway ({conc})",
            f"{load_value(related)}, {figures.related_hits:.1f} memories per reply",
            ratio_to_ceiling=related.per_second / ratio,
        )
    )
    return rows


def print_table(results: list[Figures], ceiling: LoadResult, args: argparse.Namespace) -> None:
    print()
    print(
        f"graph: {args.entities:,} entities, {args.relations:,} relations, tenant {TENANT},"
        f" {os.cpu_count()} cores"
    )
    print(f"echo ceiling (grpc.aio, {args.concurrency} conc.): {load_value(ceiling)}")
    print(f"{'':44}" + "".join(f"{r.backend:>30}" for r in results))

    def line(label: str, value: Callable[[Figures], str]) -> None:
        print(f"{label:44}" + "".join(f"{value(r):>30}" for r in results))

    def sequential_ms(figure: Sequential | None) -> str:
        assert figure is not None
        return f"{figure.p50_ms:.2f} / {figure.p95_ms:.2f}"

    def loaded(result: LoadResult | None) -> str:
        assert result is not None
        return (
            f"{result.per_second:,.0f}/s {result.p50_ms:.1f}/{result.p95_ms:.1f}"
            f"/{result.p99_ms:.1f} e{result.errors}"
        )

    line("memories added /s (gateway AddMemories)", lambda r: f"{r.memories_per_second:,.0f}")
    line("entities upserted /s", lambda r: f"{r.entities_per_second:,.0f}")
    line(
        f"relations upserted /s (>= {TARGET_RELATIONS_PER_SECOND:,})",
        lambda r: f"{r.relations_per_second:,.0f}",
    )
    line("2-hop on the store p50 / p95 ms", lambda r: sequential_ms(r.store_two_hop))
    line("related on the store p50 / p95 ms", lambda r: sequential_ms(r.store_related))
    print("req/s p50/p95/p99 ms, errors:")
    line("  GetNeighbors 2-hop, graph service", lambda r: loaded(r.direct_two_hop))
    line(
        f"  GetNeighbors 2-hop, gateway (p95 <= {TARGET_GATEWAY_P95_MS:.0f})",
        lambda r: loaded(r.gateway_two_hop),
    )
    line("  GetRelatedMemories 2-hop, gateway", lambda r: loaded(r.gateway_related))
    line("  related memories per reply", lambda r: f"{r.related_hits:.1f}")


async def main(args: argparse.Namespace) -> list[Row]:
    print(f"echo ceiling ({args.concurrency} concurrent)...", flush=True)
    ceiling = await echo_ceiling(args.seconds, args.concurrency)
    rows = [ceiling_row(SECTION, args.concurrency, load_value(ceiling))]
    results: list[Figures] = []
    for backend in args.backends.split(","):
        if backend == "falkordb":
            results.append(await bench("falkordb", "FalkorDB", args))
        elif backend == "neo4j":
            if not args.neo4j_uri:
                reason = "skipped: set MEMGRID_TEST_NEO4J_URI (scripts/neo4j-test-server start)"
                print(f"[neo4j] {reason}")
                rows.append(Row(SECTION, "Neo4j", reason))
                continue
            results.append(await bench("neo4j", "Neo4j", args))
        else:
            raise SystemExit(f"unknown backend {backend!r}: use falkordb,neo4j")
        rows.extend(rows_of(results[-1], ceiling, args))
    print_table(results, ceiling, args)
    return rows


def cli() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entities", type=int, default=100_000)
    parser.add_argument("--relations", type=int, default=200_000)
    parser.add_argument("--queries", type=int, default=1000, help="sequential store queries")
    parser.add_argument("--seconds", type=float, default=10.0, help="per load phase")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--backends", default="falkordb,neo4j")
    parser.add_argument("--neo4j-uri", default=os.environ.get("MEMGRID_TEST_NEO4J_URI", ""))
    parser.add_argument("--json", type=Path, help="also write the rows here (perf/report.py)")
    args = parser.parse_args()
    if args.entities < 2 or args.relations < 1 or args.queries < 1 or args.concurrency < 1:
        parser.error("--entities must be >= 2; --relations, --queries, --concurrency >= 1")
    rows = uvloop.run(main(args))
    if args.json is not None:
        write_json(rows, args.json)


if __name__ == "__main__":
    cli()
