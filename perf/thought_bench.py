"""Background cognition must never slow the write path: one long conversation, consolidated
while it is being written.

Starts the suite (memgrid_suite.launcher.Suite: memory-store, search, thought-engine on the
deterministic path, gateway) and runs two phases:
  1. one conversation of --turns turns (default 5,000), a user turn and its answer per
     AddMessages (as an agent stores an exchange), paced at --rate turns/s (default 50),
     while the thought engine consolidates it (facts, episodes, tier moves, heat). Prints
     AddMessages latency for turns 1-100 versus the last 100 turns (target: late p95 <=
     1.5 x early p95, no MemoryOS-style cliff as the conversation grows), and the "thought"
     queue's backlog over time (memory-store GetQueueStats): bounded while turns arrive,
     drained soon after the last one;
  2. a backlog of --burst turns (default 2,000) written while the thought engine is down;
     the time it takes to work it off from the engine's start gives consolidation's
     throughput on the deterministic path (target: >= 50 turns/s), whatever the writers'
     speed; the engine's start-up is included, so the figure is a lower bound.

Options: --turns N, --rate R (turns/s), --burst N, --sample S (seconds between backlog
samples), --baseline (also run the conversation with the workers off, for comparison),
--json PATH (also write the figures as perf/report.py rows, section "thought"). No echo
ceiling here: the figures are latency ratios and a paced rate, not load throughput.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import grpc
import uvloop
from memgrid.common.v1 import memory_pb2 as common
from memgrid.gateway.v1 import request_response_pb2 as gw
from memgrid.gateway.v1.service_pb2_grpc import GatewayServiceStub
from memgrid.memory.v1 import request_response_pb2 as mrr
from memgrid.memory.v1.service_pb2_grpc import MemoryStoreServiceStub
from memgrid_suite.launcher import Suite

from perf.report import Row, write_json

if TYPE_CHECKING:
    from memgrid.gateway.v1.service_pb2_grpc import GatewayServiceAsyncStub
    from memgrid.memory.v1.service_pb2_grpc import MemoryStoreServiceAsyncStub

SECTION = "thought"
API_KEY = "thought-bench-key"
METADATA = (("x-api-key", API_KEY),)
USER, SESSION = "bench-user", "long-conversation"
TARGET_RATIO = 1.5
TARGET_TURNS_PER_SECOND = 50.0
TURNS_PER_CALL = 2
# Latency windows: the calls that carry turns 1-100 and the last 100 turns.
WINDOW = 100 // TURNS_PER_CALL
BURST_WRITERS = 4

_TOPICS = (
    ("cooking", "I want to cook {x} tonight; how long should the {x} simmer on the stove?"),
    ("hiking", "Next weekend I am hiking near {x}; which trail near {x} has the best views?"),
    ("taxes", "I need help with my tax return; can I deduct {x} as a work expense?"),
    ("garden", "My garden tomatoes have {x} on the leaves; how do I treat {x}?"),
    ("travel", "I am planning a trip to {x}; what should I see first in {x}?"),
    ("fitness", "I started running {x} kilometres a day; should I rest after {x} km?"),
)
_THINGS = ("risotto", "Chamonix", "a laptop", "spots", "Lisbon", "five", "lentils", "Zermatt")
_FACTS = (
    "I live in {city}.",
    "By the way, I moved to {city} recently.",
    "My sister works at {company}.",
    "I am allergic to {food}.",
)
_CITIES = ("Paris", "Berlin", "Lisbon", "Oslo", "Madrid")
_COMPANIES = ("Google", "Airbus", "Siemens", "Spotify")
_FOODS = ("peanuts", "shellfish", "gluten", "kiwi")


def turn(index: int) -> common.NewMessage:
    """A conversation that changes topic every 15 turns and states a fact now and then."""
    if index % 2:
        return common.NewMessage(
            role=common.ROLE_ASSISTANT, content=f"Here is what I suggest for step {index}."
        )
    _, template = _TOPICS[(index // 15) % len(_TOPICS)]
    text = template.format(x=_THINGS[index % len(_THINGS)])
    if index % 50 == 0:
        fact = _FACTS[(index // 50) % len(_FACTS)]
        text += " " + fact.format(
            city=_CITIES[index % len(_CITIES)],
            company=_COMPANIES[index % len(_COMPANIES)],
            food=_FOODS[index % len(_FOODS)],
        )
    return common.NewMessage(role=common.ROLE_USER, content=text)


@dataclass
class Backlog:
    samples: list[tuple[float, int, int, float]] = field(default_factory=list)
    """(seconds since start, pending, leased, oldest pending age)."""

    @property
    def peak(self) -> int:
        return max((pending + leased for _, pending, leased, _ in self.samples), default=0)


async def queue_depth(store: MemoryStoreServiceAsyncStub) -> tuple[int, int, float]:
    reply = await store.GetQueueStats(mrr.GetQueueStatsRequest(queues=["thought"]))
    stats = reply.stats[0]
    return stats.pending, stats.leased, stats.oldest_pending_age_seconds


async def sample_backlog(
    store: MemoryStoreServiceAsyncStub,
    started: float,
    every: float,
    backlog: Backlog,
    stop: asyncio.Event,
) -> None:
    while not stop.is_set():
        pending, leased, oldest = await queue_depth(store)
        backlog.samples.append((time.monotonic() - started, pending, leased, oldest))
        try:
            await asyncio.wait_for(stop.wait(), every)
        except TimeoutError:
            continue


async def converse(stub: GatewayServiceAsyncStub, turns: int, rate: float) -> list[float]:
    """Sends the turns in order, two per call, paced at `rate` turns/s; returns each call's
    latency in seconds (one entry per call, i.e. per two turns)."""
    latencies: list[float] = []
    started = time.monotonic()
    scope = common.Scope(user_id=USER, session_id=SESSION)
    for index in range(0, turns, TURNS_PER_CALL):
        delay = started + index / rate - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        sent = time.perf_counter()
        await stub.AddMessages(
            gw.AddMessagesRequest(
                scope=scope,
                messages=[turn(i) for i in range(index, min(index + TURNS_PER_CALL, turns))],
                idempotency_key=f"turn-{index}",
            ),
            metadata=METADATA,
            timeout=30,
        )
        latencies.append(time.perf_counter() - sent)
        if (index + TURNS_PER_CALL) % 1000 == 0:
            print(f"  {index + TURNS_PER_CALL:,} turns sent", flush=True)
    return latencies


async def burst(stub: GatewayServiceAsyncStub, turns: int) -> None:
    """Writes `turns` turns as fast as four writers (four sessions) go."""
    per_session = turns // BURST_WRITERS

    async def writer(session: int) -> None:
        scope = common.Scope(user_id=f"burst-{session}", session_id="burst")
        for index in range(0, per_session, TURNS_PER_CALL):
            await stub.AddMessages(
                gw.AddMessagesRequest(
                    scope=scope,
                    messages=[turn(i) for i in range(index, index + TURNS_PER_CALL)],
                    idempotency_key=f"burst-{session}-{index}",
                ),
                metadata=METADATA,
                timeout=30,
            )

    await asyncio.gather(*(writer(session) for session in range(BURST_WRITERS)))


async def drained(store: MemoryStoreServiceAsyncStub, timeout: float) -> float | None:
    """Seconds until the thought queue is empty, or None if it is not within `timeout`."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        pending, leased, _ = await queue_depth(store)
        if pending == 0 and leased == 0:
            return time.monotonic() - started
        await asyncio.sleep(0.2)
    return None


def drain_timeout(turns: int, rate: float) -> float:
    """How long the conversation's backlog may take to drain after its last turn."""
    return max(120.0, turns / rate)


def percentiles(values: list[float]) -> tuple[float, float, float]:
    cuts = statistics.quantiles(values, n=100)
    return statistics.median(values) * 1000, cuts[94] * 1000, cuts[98] * 1000


async def produced(stub: GatewayServiceAsyncStub) -> dict[str, int]:
    counts: dict[str, int] = {}
    for name, kind in (
        ("EPISODE", common.MEMORY_KIND_EPISODE),
        ("PROFILE", common.MEMORY_KIND_PROFILE),
        ("FACT", common.MEMORY_KIND_FACT),
        ("MESSAGE in MID", common.MEMORY_KIND_MESSAGE),
    ):
        tiers = [common.MEMORY_TIER_MID] if name.startswith("MESSAGE") else []
        total, token = 0, ""
        while True:
            page = await stub.ListMemories(
                gw.ListMemoriesRequest(
                    filter=common.MemoryFilter(
                        user_id=USER, kinds=[kind], tiers=tiers, include_superseded=True
                    ),
                    page_size=1000,
                    page_token=token,
                ),
                metadata=METADATA,
            )
            total += len(page.memories)
            token = page.next_page_token
            if not token:
                break
        counts[name] = total
    return counts


def verdict(ok: bool) -> str:
    return "meets target" if ok else "MISSES target"


@dataclass
class Conversation:
    latencies: list[float]
    sent_in: float
    drain: float | None
    backlog: Backlog
    produced: dict[str, int]


async def converse_in(suite: Suite, turns: int, rate: float, sample_every: float) -> Conversation:
    async with (
        grpc.aio.insecure_channel(suite.gateway_address) as gateway_channel,
        suite.internal_channel("memory-store") as store_channel,
    ):
        gateway: GatewayServiceAsyncStub = GatewayServiceStub(gateway_channel)
        store: MemoryStoreServiceAsyncStub = MemoryStoreServiceStub(store_channel)
        backlog = Backlog()
        stop = asyncio.Event()
        started = time.monotonic()
        sampler = asyncio.create_task(sample_backlog(store, started, sample_every, backlog, stop))
        latencies = await converse(gateway, turns, rate)
        sent_in = time.monotonic() - started
        drain = await drained(store, timeout=drain_timeout(turns, rate))
        stop.set()
        await sampler
        return Conversation(latencies, sent_in, drain, backlog, await produced(gateway))


async def consolidation_throughput(suite: Suite, turns: int) -> float | None:
    """Turns/s the thought engine works off a backlog it finds on start: the backlog is
    written while it is down, so the writers' speed does not cap the figure. Timed from
    the engine's spawn, start-up included: it starts on the backlog before it reports
    SERVING, so timing from SERVING would credit it with work done off the clock (with a
    small backlog, all of it)."""
    suite.kill("thought-engine")
    async with (
        grpc.aio.insecure_channel(suite.gateway_address) as gateway_channel,
        suite.internal_channel("memory-store") as store_channel,
    ):
        await burst(GatewayServiceStub(gateway_channel), turns)
        store: MemoryStoreServiceAsyncStub = MemoryStoreServiceStub(store_channel)
        pending, _, _ = await queue_depth(store)
        print(f"  {pending:,} jobs waiting; starting the thought engine", flush=True)
        started = time.monotonic()
        await suite.restart("thought-engine")
        drain = await drained(store, timeout=600.0)
    return None if drain is None else turns / (time.monotonic() - started)


def new_suite(tmp: Path, name: str, env: dict[str, str]) -> Suite:
    return Suite(
        data_dir=tmp / name / "data",
        log_dir=tmp / name / "logs",
        ephemeral_ports=True,
        api_keys=f"{API_KEY}=bench",
        env={"OTEL_SDK_DISABLED": "true", **env},
    )


def latency_windows(turns: int, latencies: list[float]) -> list[tuple[str, tuple[float, ...]]]:
    """(turn window, (p50, p95, p99) ms) of the first and the last 100 turns."""
    return [
        ("1-100", percentiles(latencies[:WINDOW])),
        (f"{turns - 99:,}-{turns:,}", percentiles(latencies[-WINDOW:])),
    ]


def print_latencies(label: str, turns: int, latencies: list[float]) -> None:
    for window, (p50, p95, p99) in latency_windows(turns, latencies):
        print(
            f"{f'AddMessages turns {window} p50/p95/p99{label}':<52}"
            f"{p50:.1f} / {p95:.1f} / {p99:.1f} ms"
        )


def latency_rows(label: str, turns: int, latencies: list[float]) -> list[Row]:
    return [
        Row(
            SECTION,
            f"AddMessages turns {window} p50/p95/p99{label}",
            f"{p50:.1f} / {p95:.1f} / {p99:.1f} ms",
        )
        for window, (p50, p95, p99) in latency_windows(turns, latencies)
    ]


@dataclass(frozen=True)
class Verdicts:
    """Each target of the run as (text, met), shared by the printout and the rows."""

    ratio: float
    ratio_target: tuple[str, bool]
    drain_target: tuple[str, bool]
    throughput_target: tuple[str, bool]

    @classmethod
    def of(
        cls, turns: int, run: Conversation, throughput: float | None, drain_seconds: float
    ) -> Verdicts:
        (_, early), (_, late) = latency_windows(turns, run.latencies)
        ratio = late[1] / early[1]
        return cls(
            ratio,
            (f"<= {TARGET_RATIO}", ratio <= TARGET_RATIO),
            (f"drained within {drain_seconds:.0f} s", run.drain is not None),
            (
                f">= {TARGET_TURNS_PER_SECOND:.0f} turns/s",
                throughput is not None and throughput >= TARGET_TURNS_PER_SECOND,
            ),
        )


async def main(
    turns: int, rate: float, burst_turns: int, sample_every: float, baseline: bool
) -> list[Row]:
    print(
        f"thought-engine bench on {os.cpu_count()} cores: one conversation of {turns:,} turns "
        f"at {rate:.0f} turns/s with consolidation running (deterministic path), then a "
        f"backlog of {burst_turns:,} turns",
        flush=True,
    )
    without: Conversation | None = None
    with tempfile.TemporaryDirectory(prefix="memgrid-thought-bench-") as tmp:
        async with new_suite(Path(tmp), "with", {}) as suite:
            run = await converse_in(suite, turns, rate, sample_every)
            print(f"backlog of {burst_turns:,} turns...", flush=True)
            throughput = await consolidation_throughput(suite, burst_turns)
        if baseline:
            print("the same conversation without consolidation (baseline)...", flush=True)
            off = {"MEMGRID_THOUGHT_WORKERS_ENABLED": "false"}
            async with new_suite(Path(tmp), "without", off) as suite:
                without = await converse_in(suite, turns, rate, sample_every)

    verdicts = Verdicts.of(turns, run, throughput, drain_timeout(turns, rate))
    print_run(turns, run, without, throughput, verdicts)
    return run_rows(turns, run, without, throughput, verdicts)


def print_run(
    turns: int,
    run: Conversation,
    without: Conversation | None,
    throughput: float | None,
    verdicts: Verdicts,
) -> None:
    print()
    print(f"{'figure':<52}value, then target")
    print_latencies("", turns, run.latencies)
    target, ok = verdicts.ratio_target
    print(f"{'late p95 / early p95':<52}{verdicts.ratio:.2f}  {target}: {verdict(ok)}")
    if without is not None:
        print_latencies(" (no consolidation)", turns, without.latencies)
    print(f"{'turns sent in':<52}{run.sent_in:.1f} s ({turns / run.sent_in:.1f} turns/s offered)")
    print("thought queue backlog while the conversation ran (pending + leased, oldest age):")
    for at, pending, leased, oldest in run.backlog.samples:
        print(
            f"  t={at:6.1f}s  {pending + leased:6,d} jobs  ({pending:,} pending, "
            f"{leased:,} leased)  oldest {oldest:.1f}s"
        )
    print(f"{'peak backlog':<52}{run.backlog.peak:,} jobs")
    if run.drain is None:
        print(f"{'backlog after the last turn':<52}NOT drained: MISSES target")
    else:
        print(f"{'drained after the last turn in':<52}{run.drain:.1f} s")
    target, ok = verdicts.throughput_target
    if throughput is None:
        print(f"{'consolidation throughput':<52}backlog NOT drained in 600 s: MISSES target")
    else:
        print(
            f"{'consolidation throughput (backlog worked off)':<52}{throughput:.1f} turns/s  "
            f"{target}: {verdict(ok)}"
        )
    print("produced: " + ", ".join(f"{count:,} {name}" for name, count in run.produced.items()))


def run_rows(
    turns: int,
    run: Conversation,
    without: Conversation | None,
    throughput: float | None,
    verdicts: Verdicts,
) -> list[Row]:
    """What print_run shows (but the backlog samples), as table rows."""
    rows = latency_rows("", turns, run.latencies)
    rows.append(
        Row(SECTION, "late p95 / early p95", f"{verdicts.ratio:.2f}", *verdicts.ratio_target)
    )
    if without is not None:
        rows += latency_rows(" (no consolidation)", turns, without.latencies)
    rows += [
        Row(
            SECTION,
            "turns sent",
            f"{turns:,} in {run.sent_in:.1f} s ({turns / run.sent_in:.1f} turns/s offered)",
        ),
        Row(SECTION, "peak thought backlog while writing", f"{run.backlog.peak:,} jobs"),
        Row(
            SECTION,
            "backlog drained after the last turn",
            "NOT drained" if run.drain is None else f"{run.drain:.1f} s",
            *verdicts.drain_target,
        ),
        Row(
            SECTION,
            "consolidation throughput (backlog worked off)",
            "NOT drained in 600 s" if throughput is None else f"{throughput:.1f} turns/s",
            *verdicts.throughput_target,
        ),
        Row(
            SECTION,
            "produced",
            ", ".join(f"{count:,} {name}" for name, count in run.produced.items()),
        ),
    ]
    return rows


def cli() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=5000)
    parser.add_argument("--rate", type=float, default=TARGET_TURNS_PER_SECOND)
    parser.add_argument("--burst", type=int, default=2000)
    parser.add_argument("--sample", type=float, default=10.0)
    parser.add_argument(
        "--baseline",
        action="store_true",
        help="also run the conversation with the workers off, for comparison",
    )
    parser.add_argument("--json", type=Path, help="also write the figures here as rows")
    args = parser.parse_args()
    if args.turns < 200:
        parser.error("--turns must be at least 200")
    rows = uvloop.run(main(args.turns, args.rate, args.burst, args.sample, args.baseline))
    if args.json:
        write_json(rows, args.json)


if __name__ == "__main__":
    cli()
