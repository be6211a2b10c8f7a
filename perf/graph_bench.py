"""Graph figures for both backends side by side (issue #4).

For FalkorDB (embedded child process) and Neo4j (MEMGRID_TEST_NEO4J_URI, e.g. from
`scripts/neo4j-test-server start`): batch upsert of N entities then M relations (each
relation's memory also mentions both endpoints), 2-hop neighbors and related-memories
latency called on the store one at a time, and 2-hop GetNeighbors through a real
GraphService server at 32 concurrent callers from a separate client process.

    uv run python -m perf.graph_bench [--entities 100000] [--relations 200000]
        [--backends falkordb,neo4j] [--seconds 10] [--concurrency 32]

The load generator shares the machine's cores with the server and the database, so the
figures are a floor for a real deployment.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import random
import shutil
import statistics
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from memgrid.graph.v1 import request_response_pb2 as pb
from memgrid.graph.v1 import service_pb2_grpc
from memgrid_runtime.channels import connect
from memgrid_runtime.server import GrpcService, start_server
from memgrid_runtime.settings import ServerSettings

from perf.loadgen import LoadResult, closed_loop, percentile
from services.graph.__main__ import SERVICE
from services.graph.model import EntityInput, RelationFilter, RelationInput, UpsertBatch
from services.graph.servicer import GraphServicer
from services.graph.store.cypher_store import CypherGraphStore
from services.graph.store.falkordb import FalkorDBBackend
from services.graph.store.falkordb_process import FalkorDBProcess
from services.graph.store.neo4j import Neo4jBackend

# Fresh per run, so that a reused Neo4j holds no data of an earlier run in the tenant.
TENANT = f"graph-bench-{uuid.uuid4().hex[:8]}"
ENTITY_TYPES = ("person", "place", "project", "organisation")
RELATION_TYPES = ("knows", "works_with", "lives_in", "part_of", "likes", "met", "owns", "uses")
ENTITY_BATCH = 10_000
RELATION_BATCH = 5_000
RELATIONS_PER_MEMORY = 4
TARGET_RELATIONS_PER_SECOND = 5_000
TARGET_GRPC_P95_MS = 10.0


@dataclass
class Figures:
    backend: str
    entities_per_second: float = 0.0
    relations_per_second: float = 0.0
    two_hop_p50_ms: float = 0.0
    two_hop_p95_ms: float = 0.0
    two_hop_mean_neighbors: float = 0.0
    related_p50_ms: float = 0.0
    related_p95_ms: float = 0.0
    grpc: LoadResult | None = None


def entity_name(index: int) -> str:
    return f"entity {index:06d}"


async def load(store: CypherGraphStore, figures: Figures, entities: int, relations: int) -> None:
    started = time.perf_counter()
    for first in range(0, entities, ENTITY_BATCH):
        batch = [
            EntityInput(entity_name(i), ENTITY_TYPES[i % len(ENTITY_TYPES)])
            for i in range(first, min(first + ENTITY_BATCH, entities))
        ]
        await store.upsert(TENANT, UpsertBatch(entities=batch))
    figures.entities_per_second = entities / (time.perf_counter() - started)

    rng = random.Random(4)
    started = time.perf_counter()
    for first in range(0, relations, RELATION_BATCH):
        batch_relations = []
        for k in range(first, min(first + RELATION_BATCH, relations)):
            source, target = rng.sample(range(entities), 2)
            batch_relations.append(
                RelationInput(
                    entity_name(source),
                    entity_name(target),
                    RELATION_TYPES[k % len(RELATION_TYPES)],
                    [f"mem-{k // RELATIONS_PER_MEMORY}"],
                    confidence=round(rng.uniform(0.5, 1.0), 3),
                )
            )
        await store.upsert(TENANT, UpsertBatch(relations=batch_relations))
    figures.relations_per_second = relations / (time.perf_counter() - started)


async def latencies(
    call: Callable[[int], Awaitable[int]], count: int
) -> tuple[float, float, float]:
    """p50 and p95 in ms of `count` sequential calls, and the mean of what they return."""
    timings: list[float] = []
    sizes: list[int] = []
    for i in range(count):
        started = time.perf_counter()
        sizes.append(await call(i))
        timings.append(time.perf_counter() - started)
    timings.sort()
    return (
        statistics.median(timings) * 1000,
        percentile(timings, 0.95) * 1000,
        statistics.fmean(sizes),
    )


def grpc_client(
    address: str, tenant: str, starts: list[str], concurrency: int, seconds: float, out: object
) -> None:
    """Runs in a spawned process: the load generator must not share the server's GIL."""

    async def run() -> LoadResult:
        channel = connect(address, default_timeout=30.0)
        stub = service_pb2_grpc.GraphServiceStub(channel)
        rng = random.Random(7)

        async def one() -> None:
            await stub.GetNeighbors(
                pb.GetNeighborsRequest(tenant_id=tenant, entity=rng.choice(starts), hops=2)
            )

        try:
            return await closed_loop(one, concurrency=concurrency, seconds=seconds)
        finally:
            await channel.close(None)

    try:
        out.put(asyncio.run(run()))  # type: ignore[attr-defined]
    except BaseException as error:
        out.put(f"load generator failed: {error!r}")  # type: ignore[attr-defined]
        raise


async def through_grpc(
    store: CypherGraphStore, starts: list[str], args: argparse.Namespace
) -> LoadResult:
    server = await start_server(
        ServerSettings.for_tests("graph"),
        [
            GrpcService(
                SERVICE, GraphServicer(store), service_pb2_grpc.add_GraphServiceServicer_to_server
            )
        ],
    )
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    client = context.Process(
        target=grpc_client,
        args=(server.address, TENANT, starts, args.concurrency, args.seconds, results),
    )
    client.start()
    try:
        # The server runs on this event loop, so wait for the client off the loop.
        result = await asyncio.to_thread(results.get, True, args.seconds + 120)
        if isinstance(result, str):
            raise RuntimeError(result)
        return result
    finally:
        client.join(timeout=10)
        await server.stop(0)


async def bench(name: str, store: CypherGraphStore, args: argparse.Namespace) -> Figures:
    figures = Figures(name)
    print(f"[{name}] loading {args.entities:,} entities and {args.relations:,} relations...")
    await load(store, figures, args.entities, args.relations)
    rng = random.Random(11)
    starts = [entity_name(rng.randrange(args.entities)) for _ in range(args.queries)]
    any_time = RelationFilter()

    async def two_hops(i: int) -> int:
        found = await store.neighbors(
            TENANT, starts[i], hops=2, relation_filter=any_time, limit=1000
        )
        return len(found.entities) - 1

    async def related(i: int) -> int:
        found = await store.related_memories(
            TENANT, [starts[i]], hops=2, relation_filter=any_time, limit=20
        )
        return len(found.memories)

    print(f"[{name}] {args.queries} sequential 2-hop and related-memories queries...")
    (
        figures.two_hop_p50_ms,
        figures.two_hop_p95_ms,
        figures.two_hop_mean_neighbors,
    ) = await latencies(two_hops, args.queries)
    figures.related_p50_ms, figures.related_p95_ms, _ = await latencies(related, args.queries)
    print(f"[{name}] GetNeighbors(hops=2) over gRPC at {args.concurrency} concurrent...")
    figures.grpc = await through_grpc(store, starts, args)
    return figures


def print_table(rows: list[Figures], args: argparse.Namespace) -> None:
    print()
    print(f"graph: {args.entities:,} entities, {args.relations:,} relations (tenant {TENANT})")
    header = f"{'':38}" + "".join(f"{row.backend:>18}" for row in rows)
    print(header)

    def line(label: str, values: list[str]) -> None:
        print(f"{label:38}" + "".join(f"{value:>18}" for value in values))

    line("entities upserted /s", [f"{r.entities_per_second:,.0f}" for r in rows])
    line(
        f"relations upserted /s (target >= {TARGET_RELATIONS_PER_SECOND:,})",
        [f"{r.relations_per_second:,.0f}" for r in rows],
    )
    line("2-hop neighbors, mean count", [f"{r.two_hop_mean_neighbors:.1f}" for r in rows])
    line(
        "2-hop on the store p50 / p95 ms",
        [f"{r.two_hop_p50_ms:.2f} / {r.two_hop_p95_ms:.2f}" for r in rows],
    )
    line(
        "related memories p50 / p95 ms",
        [f"{r.related_p50_ms:.2f} / {r.related_p95_ms:.2f}" for r in rows],
    )
    line(
        f"gRPC 2-hop @{args.concurrency} req/s",
        [f"{r.grpc.per_second:,.0f}" if r.grpc else "-" for r in rows],
    )
    line(
        f"gRPC 2-hop p50 / p95 ms (p95 <= {TARGET_GRPC_P95_MS:.0f})",
        [f"{r.grpc.p50_ms:.2f} / {r.grpc.p95_ms:.2f}" if r.grpc else "-" for r in rows],
    )
    line("gRPC errors", [str(r.grpc.errors) if r.grpc else "-" for r in rows])


async def main(args: argparse.Namespace) -> None:
    rows: list[Figures] = []
    for backend in args.backends.split(","):
        if backend == "falkordb":
            data_dir = Path(tempfile.mkdtemp(prefix="mg-bench-falkordb-", dir="/tmp"))
            process = FalkorDBProcess(data_dir)
            process.start()
            falkordb = FalkorDBBackend.connect(str(process.socket_path), "bench", process=process)
            await falkordb.ensure_schema()
            store = CypherGraphStore(falkordb)
            try:
                rows.append(await bench("FalkorDB", store, args))
            finally:
                await store.close()
                shutil.rmtree(data_dir, ignore_errors=True)
        elif backend == "neo4j":
            if not args.neo4j_uri:
                print(
                    "[neo4j] skipped: set MEMGRID_TEST_NEO4J_URI (scripts/neo4j-test-server start)"
                )
                continue
            neo4j = Neo4jBackend.connect(args.neo4j_uri, max_retry_time=30.0)
            await neo4j.ensure_schema()
            store = CypherGraphStore(neo4j)
            try:
                rows.append(await bench("Neo4j", store, args))
            finally:
                await store.close()
        else:
            raise SystemExit(f"unknown backend {backend!r}: use falkordb,neo4j")
        print_table(rows, args)


def cli() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entities", type=int, default=100_000)
    parser.add_argument("--relations", type=int, default=200_000)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--backends", default="falkordb,neo4j")
    parser.add_argument("--neo4j-uri", default=os.environ.get("MEMGRID_TEST_NEO4J_URI", ""))
    asyncio.run(main(parser.parse_args()))


if __name__ == "__main__":
    cli()
