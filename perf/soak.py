"""Latency and memory over time at a fixed offered rate (issue #11, item 5).

A closed loop slows down when the servers do, which hides a service getting slower: fewer
requests arrive and each one waits less. This soak is an open loop instead: requests are
sent on a fixed schedule (--rate per second, evenly spaced) whatever the replies do, and a
request's latency is measured from the moment it was scheduled, so time spent queued behind
slow ones (in the servers, or in this process when it falls behind) shows.

1. The whole suite on its embedded defaults (SQLite, Qdrant Edge, FalkorDB, the thought
   engine without an LLM), tracing off; ports from the MEMGRID_*_PORT variables when
   MEMGRID_GATEWAY_PORT is set (a shared machine), free ones otherwise.
2. --users users, each with --seed-per-user memories (AddMemories, batches of 100); the
   outbox drained.
3. --minutes of an agent's mix at --rate requests per second, each call for a user at
   random: Search (k 10, the user's filter, a question about their memories), AddMessages
   (one user turn and the assistant's reply into the user's current conversation, a new
   one every 40 turns), GetMemory (one of the user's memories), AddMemories (one memory),
   ListMemories (the user's first page of 20).
4. Each minute: per RPC p50/p95/p99 (by completion time), achieved rate, errors by status
   code, writes whose reply said the search index was DONE (not PENDING), RSS of each
   service's process tree (FalkorDB's redis-server under graph), and each outbox queue's
   pending + leased jobs (memory-store's GetQueueStats) with the DONE rows kept.
5. At the end: the table again (plain and Markdown), the last minute's p95 over the first
   minute's (all calls, and per RPC) and each service's RSS growth from the end of the
   first minute to the end of the last. Targets: p95 ratio <= 1.2, RSS within 10%.

Run: .venv/bin/python -m perf.soak [--minutes 10] [--rate 20] [--users 5]
[--seed-per-user 100] [--data-dir DIR (kept; a temporary one otherwise)] [--json PATH]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import random
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import grpc
import uvloop
from memgrid.common.v1 import memory_pb2 as common
from memgrid.gateway.v1 import request_response_pb2 as gw
from memgrid.gateway.v1.service_pb2_grpc import GatewayServiceStub
from memgrid.memory.v1 import request_response_pb2 as memory_rr
from memgrid.memory.v1.service_pb2_grpc import MemoryStoreServiceStub
from memgrid_client.client import DEV_API_KEY
from memgrid_suite.launcher import Suite

from perf.loadgen import percentile
from perf.outbox import wait_drained
from perf.process_cpu import cpu_seconds_of_trees, rss_mb_of_trees
from perf.report import Row, print_columns, print_markdown_columns, write_json
from perf.search_bench import embedder_settings, realistic_memories, realistic_queries, user_id
from perf.thought_bench import turn

if TYPE_CHECKING:
    from memgrid.gateway.v1.service_pb2_grpc import GatewayServiceAsyncStub
    from memgrid.memory.v1.service_pb2_grpc import MemoryStoreServiceAsyncStub

SECTION = "soak"
METADATA = (("x-api-key", DEV_API_KEY),)
SERVICES = ("gateway", "memory-store", "search", "graph", "thought-engine")
QUEUES = ("search", "graph", "thought")
# The mix, out of 10 calls: an agent searches before most replies and writes every turn.
MIX = (
    ("Search", 4),
    ("AddMessages", 2),
    ("GetMemory", 2),
    ("AddMemories", 1),
    ("ListMemories", 1),
)
RPCS = tuple(name for name, _ in MIX)
WRITES = ("AddMessages", "AddMemories")
TURNS_PER_CONVERSATION = 40
SEED_BATCH = 100
CALL_TIMEOUT = 30.0
P95_RATIO_TARGET = 1.2
RSS_GROWTH_TARGET_PERCENT = 10.0
WINDOW_SECONDS = 60.0


@dataclass
class Window:
    """What completed in one minute."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: {r: [] for r in RPCS})
    errors: Counter[str] = field(default_factory=Counter)
    writes: int = 0
    writes_indexed: int = 0

    @property
    def completed(self) -> int:
        return sum(len(v) for v in self.latencies.values()) + sum(self.errors.values())

    def all_latencies(self) -> list[float]:
        return sorted(itertools.chain.from_iterable(self.latencies.values()))

    def p(self, q: float, rpc: str | None = None) -> float:
        """The q-th latency percentile in ms, of one RPC or of all."""
        values = sorted(self.latencies[rpc]) if rpc else self.all_latencies()
        return percentile(values, q) * 1000


@dataclass(frozen=True)
class Sample:
    """What was read from the running suite at the end of a minute."""

    rss_mb: Mapping[str, float]
    anon_rss_mb: Mapping[str, float]  # the private part of rss_mb (heap, not mapped files)
    cpu_seconds: Mapping[str, float]  # so far, of each service's process tree
    pending: Mapping[str, int]  # pending + leased, per queue
    done_rows: int  # DONE jobs kept in the outbox table, all queues


@dataclass
class Minute:
    window: Window
    sample: Sample
    cpu_used: Mapping[str, float]  # CPU seconds of each service in this minute

    @property
    def cpu_ms_per_call(self) -> float:
        """All services' CPU over the calls completed: what a call costs, whatever else
        runs on the machine (its latency moves with that, this does not)."""
        return 1000 * sum(self.cpu_used.values()) / max(1, self.window.completed)


class Workload:
    """The calls of the mix, and what they need to know: each user's memory ids and turns."""

    def __init__(self, stub: GatewayServiceAsyncStub, users: int, seed: int = 17):
        self.stub = stub
        self.users = [user_id(i) for i in range(users)]
        self.rng = random.Random(seed)
        self.memory_ids: dict[str, list[str]] = {u: [] for u in self.users}
        self.turns: Counter[str] = Counter()
        self.queries = self._endless(
            lambda s: [q for _, q in realistic_queries(users, 1000, seed=s)]
        )
        self.memory_texts = self._endless(
            lambda s: [c for _, c in realistic_memories(1000, seed=s)]
        )
        self.choices = [name for name, weight in MIX for _ in range(weight)]

    @staticmethod
    def _endless(make: Callable[[int], list[str]]) -> Iterator[str]:
        for chunk_seed in itertools.count(1000):
            yield from make(chunk_seed)

    async def seed(self, per_user: int) -> None:
        """per_user memories for every user (texts of their own), SEED_BATCH per call."""
        for user in self.users:
            for start in range(0, per_user, SEED_BATCH):
                count = min(SEED_BATCH, per_user - start)
                reply = await self.stub.AddMemories(
                    gw.AddMemoriesRequest(
                        memories=[
                            common.NewMemory(
                                scope=common.Scope(user_id=user), content=next(self.memory_texts)
                            )
                            for _ in range(count)
                        ],
                        idempotency_key=f"soak-seed-{user}-{start}",
                    ),
                    metadata=METADATA,
                    timeout=CALL_TIMEOUT * 4,
                )
                self.memory_ids[user].extend(m.id for m in reply.memories)

    def next_call(self) -> tuple[str, Callable[[], Awaitable[bool | None]]]:
        """The next call of the mix: its RPC name, and a coroutine function that makes it
        and returns, for a write, whether the search index had it when the reply came."""
        rpc = self.rng.choice(self.choices)
        user = self.rng.choice(self.users)
        scope = common.Scope(user_id=user)
        stub = self.stub

        async def search() -> None:
            await stub.Search(
                gw.SearchRequest(
                    query=next(self.queries), filter=common.MemoryFilter(user_id=user), k=10
                ),
                metadata=METADATA,
                timeout=CALL_TIMEOUT,
            )

        async def get_memory() -> None:
            await stub.GetMemory(
                gw.GetMemoryRequest(id=self.rng.choice(self.memory_ids[user])),
                metadata=METADATA,
                timeout=CALL_TIMEOUT,
            )

        async def list_memories() -> None:
            await stub.ListMemories(
                gw.ListMemoriesRequest(filter=common.MemoryFilter(user_id=user), page_size=20),
                metadata=METADATA,
                timeout=CALL_TIMEOUT,
            )

        async def add_memories() -> bool:
            reply = await stub.AddMemories(
                gw.AddMemoriesRequest(
                    memories=[common.NewMemory(scope=scope, content=next(self.memory_texts))]
                ),
                metadata=METADATA,
                timeout=CALL_TIMEOUT,
            )
            self.memory_ids[user].extend(m.id for m in reply.memories)
            return indexed(reply.propagation)

        async def add_messages() -> bool:
            number = self.turns[user]
            self.turns[user] += 2
            session = f"conversation-{number // TURNS_PER_CONVERSATION}"
            reply = await stub.AddMessages(
                gw.AddMessagesRequest(
                    scope=common.Scope(user_id=user, session_id=session),
                    # turn() alternates: an even index is the user's, the odd one the reply.
                    messages=[turn(number), turn(number + 1)],
                ),
                metadata=METADATA,
                timeout=CALL_TIMEOUT,
            )
            return indexed(reply.propagation)

        calls: dict[str, Callable[[], Awaitable[bool | None]]] = {
            "Search": search,
            "GetMemory": get_memory,
            "ListMemories": list_memories,
            "AddMemories": add_memories,
            "AddMessages": add_messages,
        }
        return rpc, calls[rpc]


def indexed(propagation: Sequence[common.Propagation]) -> bool:
    return any(
        p.store == "search" and p.state == common.PROPAGATION_STATE_DONE for p in propagation
    )


async def read_sample(suite: Suite, store: MemoryStoreServiceAsyncStub) -> Sample:
    roots = {name: s.process.pid for name, s in suite.running.items()}
    rss, cpu = rss_mb_of_trees(roots), cpu_seconds_of_trees(roots)
    reply = await store.GetQueueStats(memory_rr.GetQueueStatsRequest(), timeout=CALL_TIMEOUT)
    return Sample(
        rss_mb=rss,
        anon_rss_mb=rss_mb_of_trees(roots, "RssAnon"),
        cpu_seconds=cpu,
        pending={s.queue: s.pending + s.leased for s in reply.stats},
        done_rows=sum(s.done for s in reply.stats),
    )


class Soak:
    """The open loop and its minute windows."""

    def __init__(self, workload: Workload, rate: float, minutes: int):
        self.workload = workload
        self.rate = rate
        self.minutes = minutes
        self.windows = [Window() for _ in range(minutes)]
        self.started = 0.0
        self.late_starts = 0  # calls this process started over 100 ms after their time

    def _window(self, now: float) -> Window:
        index = int((now - self.started) // WINDOW_SECONDS)
        return self.windows[min(index, self.minutes - 1)]

    async def _one(self, rpc: str, call: Callable[[], Awaitable[bool | None]], at: float) -> None:
        loop = asyncio.get_running_loop()
        try:
            was_indexed = await call()
        except grpc.aio.AioRpcError as error:
            self._window(loop.time()).errors[f"{rpc} {error.code().name}"] += 1
            return
        except Exception as error:  # a bug in this script must show, not stop the soak
            self._window(loop.time()).errors[f"{rpc} {type(error).__name__}"] += 1
            return
        now = loop.time()
        window = self._window(now)
        window.latencies[rpc].append(now - at)
        if rpc in WRITES:
            window.writes += 1
            window.writes_indexed += bool(was_indexed)

    async def run(self, report: Callable[[int, Window], Awaitable[None]]) -> None:
        """Sends the schedule; calls report(minute, window) at the end of each minute (the
        last one once every call has returned)."""
        loop = asyncio.get_running_loop()
        self.started = loop.time()
        end = self.started + self.minutes * WINDOW_SECONDS
        in_flight: set[asyncio.Task[None]] = set()

        async def reporter() -> None:
            for minute in range(self.minutes - 1):
                await asyncio.sleep(self.started + (minute + 1) * WINDOW_SECONDS - loop.time())
                await report(minute, self.windows[minute])

        reporting = asyncio.create_task(reporter())
        for number in itertools.count():
            at = self.started + number / self.rate
            if at >= end:
                break
            delay = at - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            elif delay < -0.1:
                self.late_starts += 1
            rpc, call = self.workload.next_call()
            task = asyncio.create_task(self._one(rpc, call, at))
            in_flight.add(task)
            task.add_done_callback(in_flight.discard)
        await reporting
        await asyncio.gather(*in_flight)
        await report(self.minutes - 1, self.windows[-1])


def errors_text(errors: Counter[str]) -> str:
    return ", ".join(f"{key} {n}" for key, n in sorted(errors.items())) or "none"


def print_minute(minute: int, m: Minute, rate: float) -> None:
    window, sample = m.window, m.sample
    print(
        f"minute {minute + 1}: offered {rate:g}/s, achieved {window.completed / WINDOW_SECONDS:.1f}"
        f"/s; errors: {errors_text(window.errors)}; writes indexed on write "
        f"{window.writes_indexed}/{window.writes}",
        flush=True,
    )
    for rpc in (*RPCS, None):
        calls = len(window.latencies[rpc]) if rpc else len(window.all_latencies())
        print(
            f"  {rpc or 'all':<13} {calls:>5} calls  p50 {window.p(0.5, rpc):7.1f} ms  "
            f"p95 {window.p(0.95, rpc):7.1f} ms  p99 {window.p(0.99, rpc):7.1f} ms"
        )
    rss = ", ".join(f"{name} {sample.rss_mb.get(name, 0):.0f}" for name in SERVICES)
    pending = ", ".join(f"{q} {sample.pending.get(q, 0)}" for q in QUEUES)
    cpu = ", ".join(f"{name} {m.cpu_used.get(name, 0):.1f}" for name in SERVICES)
    anon = ", ".join(f"{name} {sample.anon_rss_mb.get(name, 0):.0f}" for name in SERVICES)
    print(f"  RSS MB: {rss}; of it anonymous: {anon}")
    print(f"  CPU s: {cpu}; {m.cpu_ms_per_call:.1f} ms per call, all services")
    print(f"  outbox pending+leased: {pending}; DONE jobs kept {sample.done_rows:,}", flush=True)


SUMMARY_HEADERS = (
    "min",
    "/s",
    "p95 all",
    *(f"p95 {r}" for r in RPCS),
    "p99 all",
    "errors",
    "indexed",
    "CPU ms/call",
    *(f"RSS {s}" for s in SERVICES),
    "pending s/g/t",
    "DONE kept",
)


def summary_cells(minutes: Sequence[Minute]) -> list[list[str]]:
    cells = []
    for number, m in enumerate(minutes, 1):
        w, s = m.window, m.sample
        cells.append(
            [
                str(number),
                f"{w.completed / WINDOW_SECONDS:.1f}",
                f"{w.p(0.95):.0f}",
                *(f"{w.p(0.95, r):.0f}" for r in RPCS),
                f"{w.p(0.99):.0f}",
                str(sum(w.errors.values())),
                f"{w.writes_indexed}/{w.writes}",
                f"{m.cpu_ms_per_call:.1f}",
                *(f"{s.rss_mb.get(name, 0):.0f}" for name in SERVICES),
                "/".join(str(s.pending.get(q, 0)) for q in QUEUES),
                f"{s.done_rows:,}",
            ]
        )
    return cells


def ratio(last: float, first: float) -> float:
    return last / first if first else float("inf")


def growth_percent(last: float, first: float) -> float:
    return 100 * (last - first) / first if first else 0.0


def result_rows(minutes: Sequence[Minute], rate: float, users: int) -> list[Row]:
    first, last = minutes[0], minutes[-1]
    p95_ratio = ratio(last.window.p(0.95), first.window.p(0.95))
    setup = f"{rate:g}/s offered, {users} users, {len(minutes)} min"
    rows = [
        Row(
            SECTION,
            f"p95, last minute / first ({setup})",
            f"{p95_ratio:.2f} ({first.window.p(0.95):.0f} -> {last.window.p(0.95):.0f} ms)",
            f"<= {P95_RATIO_TARGET}",
            p95_ratio <= P95_RATIO_TARGET,
        )
    ]
    for rpc in RPCS:
        before, after = first.window.p(0.95, rpc), last.window.p(0.95, rpc)
        rows.append(
            Row(
                SECTION,
                f"{rpc} p95, last minute / first",
                f"{ratio(after, before):.2f} ({before:.0f} -> {after:.0f} ms)",
            )
        )
    for service in SERVICES:
        before, after = first.sample.rss_mb.get(service, 0), last.sample.rss_mb.get(service, 0)
        growth = growth_percent(after, before)
        rows.append(
            Row(
                SECTION,
                f"RSS of {service}, end of minute 1 -> end of minute {len(minutes)}",
                f"{growth:+.1f}% ({before:.0f} -> {after:.0f} MB)",
                f"within {RSS_GROWTH_TARGET_PERCENT:g}%",
                abs(growth) <= RSS_GROWTH_TARGET_PERCENT,
            )
        )
    for service in SERVICES:
        before = first.sample.anon_rss_mb.get(service, 0)
        after = last.sample.anon_rss_mb.get(service, 0)
        rows.append(
            Row(
                SECTION,
                f"anonymous RSS of {service} (no mapped files), minute 1 -> {len(minutes)}",
                f"{growth_percent(after, before):+.1f}% ({before:.0f} -> {after:.0f} MB)",
            )
        )
    rows.append(
        Row(
            SECTION,
            "CPU ms per call, all services, first minute -> last",
            f"{first.cpu_ms_per_call:.1f} -> {last.cpu_ms_per_call:.1f} ms "
            f"({ratio(last.cpu_ms_per_call, first.cpu_ms_per_call):.2f}x)",
        )
    )
    errors = sum(sum(m.window.errors.values()) for m in minutes)
    calls = sum(m.window.completed for m in minutes)
    rows.append(Row(SECTION, "errors", f"{errors} of {calls:,} calls"))
    return rows


def print_results(minutes: Sequence[Minute], rows: Sequence[Row], title: str) -> None:
    print(f"\n{title}")
    cells = summary_cells(minutes)
    print_columns(SUMMARY_HEADERS, cells)
    print("(latencies in ms, from each call's scheduled time; RSS in MB; pending+leased jobs)")
    print()
    print_markdown_columns(SUMMARY_HEADERS, cells)
    print()
    for row in rows:
        verdict = f"  [{row.target}: {row.verdict}]" if row.target else ""
        print(f"{row.figure}: {row.value}{verdict}")


def uses_fixed_ports() -> bool:
    return "MEMGRID_GATEWAY_PORT" in os.environ


async def soak(args: argparse.Namespace, data_dir: Path) -> list[Row]:
    title = (
        f"soak on {os.cpu_count()} cores: {args.rate:g} calls/s offered (open loop), "
        f"{args.users} users x {args.seed_per_user} seeded memories, {args.minutes} min"
    )
    print(f"memgrid soak: {title}", flush=True)
    suite = Suite(
        data_dir=data_dir / "data",
        ephemeral_ports=not uses_fixed_ports(),
        log_dir=data_dir / "logs",
        env={
            "OTEL_SDK_DISABLED": "true",
            "MEMGRID_SEARCH_MODEL_CACHE": str(embedder_settings().cache_dir),
        },
    )
    print(f"starting the suite (data and logs in {data_dir})...", flush=True)
    minutes: list[Minute] = []
    async with (
        suite,
        grpc.aio.insecure_channel(suite.gateway_address) as channel,
        suite.internal_channel("memory-store") as store_channel,
    ):
        store: MemoryStoreServiceAsyncStub = MemoryStoreServiceStub(store_channel)
        workload = Workload(GatewayServiceStub(channel), args.users)
        print(f"seeding {args.users * args.seed_per_user:,} memories...", flush=True)
        await workload.seed(args.seed_per_user)
        drained = await wait_drained(suite, empty_polls=2)
        print(f"  outbox drained {drained:.1f} s after the last write", flush=True)
        runner = Soak(workload, args.rate, args.minutes)

        previous = await read_sample(suite, store)

        async def report(minute: int, window: Window) -> None:
            nonlocal previous
            sample = await read_sample(suite, store)
            used = {n: sample.cpu_seconds[n] - previous.cpu_seconds.get(n, 0) for n in SERVICES}
            minutes.append(Minute(window, sample, used))
            previous = sample
            print_minute(minute, minutes[-1], args.rate)

        started = time.monotonic()
        await runner.run(report)
        print(
            f"load done in {time.monotonic() - started:.0f} s; {runner.late_starts} calls "
            "started over 100 ms late (this process was behind)",
            flush=True,
        )
    rows = result_rows(minutes, args.rate, args.users)
    print_results(minutes, rows, title)
    return rows


async def main(args: argparse.Namespace) -> list[Row]:
    if args.data_dir is not None:
        args.data_dir.mkdir(parents=True, exist_ok=True)
        return await soak(args, args.data_dir)
    with tempfile.TemporaryDirectory(prefix="memgrid-soak-") as tmp:
        return await soak(args, Path(tmp))


def cli() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=int, default=10, help="minutes of load (10)")
    parser.add_argument("--rate", type=float, default=20.0, help="calls offered per second (20)")
    parser.add_argument("--users", type=int, default=5, help="users the calls are for (5)")
    parser.add_argument(
        "--seed-per-user", type=int, default=100, help="memories per user before the load (100)"
    )
    parser.add_argument(
        "--data-dir", type=Path, help="keep the stores and logs here (a temporary dir otherwise)"
    )
    parser.add_argument("--json", type=Path, help="also write the figures here as rows")
    args = parser.parse_args()
    if min(args.minutes, args.users, args.seed_per_user) < 1 or args.rate <= 0:
        parser.error("--minutes, --rate, --users and --seed-per-user must be positive")
    rows = uvloop.run(main(args))
    if args.json:
        write_json(rows, args.json)


if __name__ == "__main__":
    cli()
