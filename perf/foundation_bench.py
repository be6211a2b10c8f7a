"""Foundation figures (issue #2): memory-store and the gateway, beside the echo ceiling.

Figures: the plain grpc.aio echo ceiling of this machine; GetMemory through the gateway at
64 concurrent; AddMemories in batches of 100 (no embeddings); time from spawn to SERVING
per service; idle RSS per service. The load generator is one Python process on the same
2 cores as the servers, which is also how the ceiling is measured, so the ratio is the
figure to compare across machines.

Options: --memories N (default 100,000), --seconds S per load phase (default 10),
--json PATH (also write the figures as perf/report.py rows, section "foundation").
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import grpc
import uvloop
from memgrid.common.v1 import memory_pb2 as common
from memgrid.gateway.v1 import request_response_pb2 as gw
from memgrid.gateway.v1.service_pb2_grpc import GatewayServiceStub
from memgrid_suite.launcher import SERVICES, Suite, free_port

from perf.loadgen import LoadResult, closed_loop
from perf.report import Row, ceiling_row, write_json

if TYPE_CHECKING:
    from memgrid.gateway.v1.service_pb2_grpc import GatewayServiceAsyncStub

SECTION = "foundation"
TARGETS = {
    "get_rps": 2500.0,
    "get_p99_ms": 25.0,
    "ingest_per_s": 5000.0,
    "serving_s": 1.0,
    "rss_mb": 120.0,
}
API_KEY = "bench-key"
FOUNDATION = ("memory-store", "gateway")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def verdict(ok: bool) -> str:
    return "meets target" if ok else "MISSES target"


def load_value(result: LoadResult) -> str:
    """A load phase as one table cell."""
    return (
        f"{result.per_second:,.0f} req/s, p50 {result.p50_ms:.1f} / p95 {result.p95_ms:.1f} / "
        f"p99 {result.p99_ms:.1f} ms, {result.errors} errors"
    )


@dataclass(frozen=True)
class EchoServer:
    pid: int
    # One echo of a 64-byte payload.
    call: Callable[[], Awaitable[object]]


@asynccontextmanager
async def echo_server() -> AsyncIterator[EchoServer]:
    """The plain grpc.aio echo (perf/echo_server.py) as a child process, and a channel to it."""
    port = free_port()
    server = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "perf.echo_server", str(port), stdout=asyncio.subprocess.PIPE
    )
    try:
        assert server.stdout is not None
        await server.stdout.readline()
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
            # Raw bytes both ways: the echo server has no protobuf messages.
            echo = channel.unary_unary(
                "/bench.Echo/Echo", request_serializer=None, response_deserializer=None
            )
            payload = b"x" * 64
            yield EchoServer(server.pid, lambda: echo(payload))
    finally:
        server.terminate()
        await server.wait()


async def echo_ceiling(seconds: float, concurrency: int) -> LoadResult:
    """The plain grpc.aio echo under this process's load generator."""
    async with echo_server() as echo:
        return await closed_loop(echo.call, concurrency=concurrency, seconds=seconds)


async def ingest(
    stub: GatewayServiceAsyncStub, total: int, batch: int, in_flight: int
) -> tuple[float, list[str]]:
    metadata = (("x-api-key", API_KEY),)
    ids: list[str] = []
    batches = total // batch
    next_batch = 0

    async def writer() -> None:
        nonlocal next_batch
        while next_batch < batches:
            n = next_batch
            next_batch += 1
            memories = [
                common.NewMemory(
                    scope=common.Scope(
                        user_id=f"user-{(n * batch + i) % 1000}", session_id=f"s{n % 50}"
                    ),
                    content=f"memory {n * batch + i}: the user mentioned topic {i % 37} at length",
                    tags=[f"t{i % 5}"],
                )
                for i in range(batch)
            ]
            reply = await stub.AddMemories(
                gw.AddMemoriesRequest(memories=memories, idempotency_key=f"bench-{n}"),
                metadata=metadata,
                timeout=60,
            )
            ids.extend(m.id for m in reply.memories)

    started = time.perf_counter()
    await asyncio.gather(*(writer() for _ in range(in_flight)))
    return time.perf_counter() - started, ids


async def main(memories: int, seconds: float) -> list[Row]:
    print(
        f"memgrid foundation bench on {os.cpu_count()} cores; {memories:,} memories; "
        f"{seconds:.0f}s per phase"
    )
    print("measuring the grpc.aio echo ceiling (64 concurrent)...", flush=True)
    ceiling = await echo_ceiling(seconds, 64)

    with tempfile.TemporaryDirectory(prefix="memgrid-bench-") as tmp:
        suite = Suite(
            data_dir=Path(tmp) / "data",
            log_dir=Path(tmp) / "logs",
            ephemeral_ports=True,
            api_keys=f"{API_KEY}=bench",
            # The system of record and its front door only: these figures are defined
            # without embeddings, and background indexing or consolidation would compete
            # for the same two cores (perf/search_bench.py and thought_bench.py measure those).
            services=tuple(s for s in SERVICES if s.name in FOUNDATION),
        )
        await suite.start()
        try:
            await asyncio.sleep(1.0)
            idle = {name: rss_mb(s.process.pid) for name, s in suite.running.items()}
            serving = {name: s.serving_after_seconds or 0.0 for name, s in suite.running.items()}
            async with grpc.aio.insecure_channel(suite.gateway_address) as channel:
                stub: GatewayServiceAsyncStub = GatewayServiceStub(channel)
                print(f"loading {memories:,} memories (AddMemories, batches of 100)...", flush=True)
                load_seconds, ids = await ingest(stub, memories, 100, in_flight=4)
                metadata = (("x-api-key", API_KEY),)

                async def get_one() -> None:
                    await stub.GetMemory(
                        gw.GetMemoryRequest(id=random.choice(ids)), metadata=metadata
                    )

                print("GetMemory through the gateway (64 concurrent)...", flush=True)
                get = await closed_loop(get_one, concurrency=64, seconds=seconds)
            loaded = {name: rss_mb(s.process.pid) for name, s in suite.running.items()}
        finally:
            await suite.stop()

    ingest_rate = len(ids) / load_seconds
    get_ok = get.per_second >= TARGETS["get_rps"] and get.p99_ms <= TARGETS["get_p99_ms"]
    get_target = f">= {TARGETS['get_rps']:,.0f} req/s, p99 <= {TARGETS['get_p99_ms']:.0f} ms"
    ingest_ok = ingest_rate >= TARGETS["ingest_per_s"]
    ingest_target = f">= {TARGETS['ingest_per_s']:,.0f}/s"
    print()
    print(f"{'figure':<41}value, then target")
    print(f"echo ceiling (grpc.aio, 64 conc.)        {ceiling.row()}")
    print(f"GetMemory via gateway (64 conc.)         {get.row()}  {get_target}: {verdict(get_ok)}")
    print(f"  ratio to echo ceiling                  {get.per_second / ceiling.per_second:.2f}")
    print(
        f"AddMemories, batches of 100              {ingest_rate:>9,.0f} memories/s "
        f"({len(ids):,} in {load_seconds:.1f}s)  {ingest_target}: {verdict(ingest_ok)}"
    )
    rows = [
        ceiling_row(SECTION, 64, load_value(ceiling)),
        Row(
            SECTION,
            "GetMemory via gateway (64 conc.)",
            load_value(get),
            get_target,
            get_ok,
            get.per_second / ceiling.per_second,
        ),
        Row(
            SECTION,
            "AddMemories, batches of 100, no embeddings",
            f"{ingest_rate:,.0f} memories/s ({len(ids):,} in {load_seconds:.1f} s)",
            ingest_target,
            ingest_ok,
        ),
    ]
    serving_target = f"<= {TARGETS['serving_s']:.0f} s"
    for name in serving:
        ok = serving[name] <= TARGETS["serving_s"]
        print(
            f"{name + ' spawn -> SERVING':<41}{serving[name]:>9.2f} s  "
            f"{serving_target}: {verdict(ok)}"
        )
        rows.append(
            Row(SECTION, f"{name} spawn -> SERVING", f"{serving[name]:.2f} s", serving_target, ok)
        )
    rss_target = f"idle <= {TARGETS['rss_mb']:.0f} MB"
    for name in idle:
        ok = idle[name] <= TARGETS["rss_mb"]
        print(
            f"{name + ' RSS idle / after load':<41}{idle[name]:>9.0f} MB / {loaded[name]:.0f} MB  "
            f"{rss_target}: {verdict(ok)}"
        )
        rows.append(
            Row(
                SECTION,
                f"{name} RSS idle / after load",
                f"{idle[name]:.0f} MB / {loaded[name]:.0f} MB",
                rss_target,
                ok,
            )
        )
    return rows


def cli() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--memories", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--json", type=Path, help="also write the figures here as rows")
    args = parser.parse_args()
    if args.memories < 100:
        parser.error("--memories must be at least 100 (one AddMemories batch)")
    rows = uvloop.run(main(args.memories, args.seconds))
    if args.json:
        write_json(rows, args.json)


if __name__ == "__main__":
    cli()
