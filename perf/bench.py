"""`make bench`: every benchmark in perf/, one after the other, then one table of all figures.

Each benchmark runs as its own process (`python -m perf.<name> --json FILE ...`), never
two at once (the machine has 2 cores and the figures are load figures), with its output
streamed as it comes. Each writes its figures as perf/report.py rows, every load figure
beside the echo ceiling it measured itself in the same run; at the end the rows of all of
them are printed as one table, then as Markdown, and written to var/bench/latest.json
(after every benchmark, so an interrupted run keeps what it measured).

Benchmarks, in order: ceiling (h2load against the plain grpc.aio echo server), foundation,
ghz (every perf/ghz config against a fresh suite), locust (perf/locustfile.py against a
fresh suite), search, mem0, graph, thought, cost (CPU ms per call per service). A missing
load tool gives a "not run" row naming what to install; a benchmark that exits non-zero
gives a row with its exit code, the others still run, and this exits non-zero at the end.

Graph measures Neo4j too: with MEMGRID_TEST_NEO4J_URI unset, scripts/neo4j-test-server is
started for it (and stopped afterwards, unless it was already running); when that fails,
graph runs on FalkorDB alone and a row says why Neo4j was not measured.

    .venv/bin/python -m perf.bench [--quick] [--only a,b | --skip a,b] [--json PATH]

--quick passes small sizes to every benchmark (a smoke run of a few minutes); without it
each benchmark runs at its own defaults (about 70 minutes in all).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import uvloop
from memgrid_suite.launcher import Suite, SuiteError

from perf.ghz.run import DEFAULT_GHZ
from perf.report import Row, print_markdown, print_table, read_json, write_json

REPO = Path(__file__).resolve().parents[1]
DEFAULT_JSON = REPO / "var" / "bench" / "latest.json"
LOCUST = REPO / "var" / "locust-venv" / "bin" / "locust"
LOCUSTFILE = REPO / "perf" / "locustfile.py"
NEO4J_TEST_SERVER = REPO / "scripts" / "neo4j-test-server"
INSTALL_LOAD_TOOLS = "run scripts/perf-tools"
API_KEY = "bench-key"
LOCUST_SECTION = "locust"


@dataclass(frozen=True)
class Benchmark:
    name: str  # for --only/--skip, and the section of the rows it gets when it fails
    module: str  # run as `python -m <module>`; empty for locust, which is its own program
    quick_args: tuple[str, ...]  # small sizes for --quick


BENCHMARKS = (
    Benchmark("ceiling", "perf.h2load_ceiling", ("--requests", "10000")),
    Benchmark("foundation", "perf.foundation_bench", ("--memories", "5000", "--seconds", "2")),
    # After `--`: ghz's own flags, which override the configs' 10 s.
    Benchmark("ghz", "perf.ghz.run", ("--", "--duration=2s")),
    Benchmark("locust", "", ("--users=8", "--spawn-rate=8", "--run-time=5s")),
    Benchmark(
        "search",
        "perf.search_bench",
        ("--memories", "2000", "--seconds", "2", "--rounds", "1", "--skip-hnsw"),
    ),
    Benchmark(
        "mem0", "perf.mem0_compare", ("--memories", "1000", "--seconds", "2", "--rounds", "1")
    ),
    Benchmark(
        "graph",
        "perf.graph_bench",
        ("--entities", "5000", "--relations", "10000", "--seconds", "2"),
    ),
    Benchmark(
        "thought", "perf.thought_bench", ("--turns", "200", "--burst", "200", "--sample", "2")
    ),
    Benchmark("cost", "perf.cost", ("--quick",)),
    Benchmark("soak", "perf.soak", ("--minutes", "2")),
)
NAMES = tuple(b.name for b in BENCHMARKS)
# locustfile.py's own example: 16 agents' users for 30 s.
LOCUST_DEFAULT_ARGS = ("--users=16", "--spawn-rate=16", "--run-time=30s")


@dataclass(frozen=True)
class Run:
    """What every benchmark of one `make bench` shares."""

    quick: bool
    scratch: Path

    def args_of(self, benchmark: Benchmark) -> list[str]:
        return list(benchmark.quick_args) if self.quick else []

    def json_of(self, benchmark: Benchmark) -> Path:
        return self.scratch / f"{benchmark.name}.json"


@dataclass(frozen=True)
class Outcome:
    name: str
    seconds: float
    rows: list[Row]
    failed: bool


def failure_row(section: str, why: str) -> Row:
    return Row(section, "benchmark run", f"FAILED: {why}")


def not_run_row(section: str, figure: str, why: str) -> Row:
    return Row(section, figure, f"not run: {why}")


def exit_status(code: int) -> str:
    return f"exit code {code}" if code >= 0 else f"killed by signal {-code}"


async def run_process(command: Sequence[str], env: Mapping[str, str] | None = None) -> int:
    """Runs one benchmark process with this terminal as its output; returns its exit code."""
    print(f"$ {' '.join(command)}", flush=True)
    process = await asyncio.create_subprocess_exec(
        *command,
        cwd=REPO,
        # Unbuffered, so its output streams even when ours goes to a pipe (tee, CI logs).
        env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})},
    )
    return await process.wait()


async def run_module(
    benchmark: Benchmark, run: Run, args: Sequence[str], env: Mapping[str, str] | None = None
) -> tuple[list[Row], bool]:
    """`python -m <module> --json FILE args...`: the rows it wrote, or one saying it failed;
    and whether it failed."""
    json_path = run.json_of(benchmark)
    command = [sys.executable, "-m", benchmark.module, "--json", str(json_path), *args]
    return collected(benchmark.name, await run_process(command, env), json_path)


def collected(section: str, code: int, json_path: Path) -> tuple[list[Row], bool]:
    if code != 0:
        return [failure_row(section, f"{exit_status(code)} (its output is above)")], True
    if not json_path.exists():
        return [failure_row(section, "exited 0 without writing its --json figures")], True
    return read_json(json_path), False


@asynccontextmanager
async def fresh_suite(run: Run, name: str) -> AsyncIterator[Suite]:
    """The whole suite on free ports with empty stores, for the load tools to drive."""
    suite = Suite(
        data_dir=run.scratch / name / "data",
        log_dir=run.scratch / name / "logs",
        ephemeral_ports=True,
        api_keys=f"{API_KEY}=bench",
    )
    print(f"starting the suite for {name} (logs in {suite.log_dir})...", flush=True)
    async with suite:
        yield suite


async def run_ceiling(benchmark: Benchmark, run: Run) -> tuple[list[Row], bool]:
    if shutil.which("h2load") is None:
        why = f"h2load not on PATH; {INSTALL_LOAD_TOOLS} (nghttp2-client)"
        return [not_run_row(benchmark.name, "h2load echo, raw HTTP/2", why)], False
    return await run_module(benchmark, run, run.args_of(benchmark))


async def run_ghz(benchmark: Benchmark, run: Run) -> tuple[list[Row], bool]:
    if not DEFAULT_GHZ.exists():
        why = f"{DEFAULT_GHZ.relative_to(REPO)} missing; {INSTALL_LOAD_TOOLS}"
        return [not_run_row(benchmark.name, "ghz over the gateway's RPCs", why)], False
    try:
        async with fresh_suite(run, benchmark.name) as suite:
            address = ["--address", suite.gateway_address, "--api-key", API_KEY]
            return await run_module(benchmark, run, [*address, *run.args_of(benchmark)])
    except SuiteError as error:
        return [failure_row(benchmark.name, f"the suite did not start: {error}")], True


def locust_percentile(response_times: Mapping[int, int], fraction: float) -> int:
    """Locust's own percentile of its rounded response times (ms -> count), so the figure
    is the one locust would print."""
    total = sum(response_times.values())
    within = int(total * fraction)
    counted = 0
    for milliseconds in sorted(response_times, reverse=True):
        counted += response_times[milliseconds]
        if total - counted <= within:
            return milliseconds
    return 0


def locust_rows(stats_json: Path, users: str) -> list[Row]:
    """One row per RPC and one for all of them, from locust's final --json-file statistics
    (its --csv files are snapshots taken every second, short of the last second)."""
    entries = json.loads(stats_json.read_text())
    if not entries:
        return [Row(LOCUST_SECTION, f"all calls ({users} users)", "no calls were made")]
    # Every rate over the whole run, as locust computes its req/s column.
    span = max(e["last_request_timestamp"] or e["start_time"] for e in entries) - min(
        e["start_time"] for e in entries
    )
    merged: Counter[int] = Counter()
    by_name = []
    for entry in sorted(entries, key=lambda e: e["name"]):
        times = Counter({int(ms): count for ms, count in entry["response_times"].items()})
        merged += times
        by_name.append((f"{entry['name']} in the mix", entry, times))
    total = {
        "num_requests": sum(e["num_requests"] for e in entries),
        "num_failures": sum(e["num_failures"] for e in entries),
    }
    by_name.append((f"all calls ({users} users)", total, merged))
    return [
        Row(
            LOCUST_SECTION,
            figure,
            f"{counts['num_requests'] / span if span else 0.0:,.1f} req/s, p95 "
            f"{locust_percentile(times, 0.95)} ms, failures {counts['num_failures']} of "
            f"{counts['num_requests']:,}",
        )
        for figure, counts, times in by_name
    ]


async def run_locust(benchmark: Benchmark, run: Run) -> tuple[list[Row], bool]:
    if not LOCUST.exists():
        why = f"{LOCUST.relative_to(REPO)} missing; {INSTALL_LOAD_TOOLS}"
        return [not_run_row(benchmark.name, "locust agent mix", why)], False
    args = run.args_of(benchmark) or list(LOCUST_DEFAULT_ARGS)
    users = next(a.split("=", 1)[1] for a in args if a.startswith("--users="))
    # locust appends ".json" to this name.
    stats_prefix = run.scratch / "locust-stats"
    try:
        async with fresh_suite(run, benchmark.name) as suite:
            code = await run_process(
                [
                    str(LOCUST),
                    "--locustfile",
                    str(LOCUSTFILE),
                    "--host",
                    suite.gateway_address,
                    "--headless",
                    "--only-summary",
                    f"--json-file={stats_prefix}",
                    # Failed calls are figures (the failures column), not a failed run.
                    "--exit-code-on-error=0",
                    *args,
                ],
                env={"MEMGRID_API_KEY": API_KEY},
            )
    except SuiteError as error:
        return [failure_row(benchmark.name, f"the suite did not start: {error}")], True
    return locust_outcome(code, Path(f"{stats_prefix}.json"), users)


def locust_outcome(code: int, stats: Path, users: str) -> tuple[list[Row], bool]:
    if code != 0 or not stats.exists():
        why = f"locust {exit_status(code)} (its output is above)"
        return [failure_row(LOCUST_SECTION, why)], True
    rows = locust_rows(stats, users)
    # With --json-file locust prints no summary of its own.
    print_table(rows)
    return rows, False


@dataclass(frozen=True)
class Neo4jServer:
    uri: str  # empty when there is none to measure
    why_not: str  # why there is none
    started_here: bool  # so stop it afterwards


def neo4j_test_server(command: str) -> tuple[int, str]:
    """Runs scripts/neo4j-test-server COMMAND; (exit code, its output).

    Blocking, for a thread: the script leaves a server running, and under the event loop
    `start` was seen to hang after the script had exited (its exit never reported), so it
    runs here with a plain wait on its own pid and its output in a file, not a pipe.
    """
    with tempfile.TemporaryFile(mode="w+") as output:
        code = subprocess.run(
            [str(NEO4J_TEST_SERVER), command],
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            check=False,
        ).returncode
        output.seek(0)
        return code, output.read().strip()


async def neo4j_for_graph() -> Neo4jServer:
    """MEMGRID_TEST_NEO4J_URI, else the test server: already running, or started now."""
    configured = os.environ.get("MEMGRID_TEST_NEO4J_URI", "")
    if configured:
        return Neo4jServer(configured, "", started_here=False)
    uri = f"bolt://127.0.0.1:{os.environ.get('MEMGRID_NEO4J_TEST_PORT', '57687')}"
    status, _ = await asyncio.to_thread(neo4j_test_server, "status")
    if status == 0:
        print(f"using the Neo4j test server that is already running at {uri}", flush=True)
        return Neo4jServer(uri, "", started_here=False)
    print("starting the Neo4j test server (scripts/neo4j-test-server start)...", flush=True)
    code, text = await asyncio.to_thread(neo4j_test_server, "start")
    print(text, flush=True)
    if code != 0:
        last_line = text.splitlines()[-1] if text else "no output"
        why = f"scripts/neo4j-test-server start failed ({exit_status(code)}): {last_line}"
        return Neo4jServer("", why, started_here=False)
    return Neo4jServer(uri, "", started_here=True)


async def stop_neo4j() -> None:
    await asyncio.to_thread(neo4j_test_server, "stop")


async def run_graph(benchmark: Benchmark, run: Run) -> tuple[list[Row], bool]:
    neo4j = await neo4j_for_graph()
    try:
        if neo4j.uri:
            return await run_module(
                benchmark, run, run.args_of(benchmark), {"MEMGRID_TEST_NEO4J_URI": neo4j.uri}
            )
        rows, failed = await run_module(
            benchmark, run, [*run.args_of(benchmark), "--backends", "falkordb"]
        )
        return [*rows, not_run_row(benchmark.name, "Neo4j backend", neo4j.why_not)], failed
    finally:
        if neo4j.started_here:
            await stop_neo4j()


async def run_plain(benchmark: Benchmark, run: Run) -> tuple[list[Row], bool]:
    return await run_module(benchmark, run, run.args_of(benchmark))


RUNNERS: dict[str, Callable[[Benchmark, Run], Awaitable[tuple[list[Row], bool]]]] = {
    "ceiling": run_ceiling,
    "ghz": run_ghz,
    "locust": run_locust,
    "graph": run_graph,
}


def duration(seconds: float) -> str:
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes}m{rest:02d}s" if minutes else f"{rest}s"


async def main(selected: Sequence[Benchmark], quick: bool, json_path: Path) -> int:
    json_path.parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    outcomes: list[Outcome] = []
    with tempfile.TemporaryDirectory(prefix="memgrid-bench-") as scratch:
        run = Run(quick, Path(scratch))
        for number, benchmark in enumerate(selected, start=1):
            print(f"\n=== [{number}/{len(selected)}] {benchmark.name} ===", flush=True)
            benchmark_started = time.monotonic()
            rows, failed = await RUNNERS.get(benchmark.name, run_plain)(benchmark, run)
            seconds = time.monotonic() - benchmark_started
            outcomes.append(Outcome(benchmark.name, seconds, rows, failed))
            write_json((row for outcome in outcomes for row in outcome.rows), json_path)
            print(f"=== {benchmark.name}: {duration(seconds)} ===", flush=True)
    rows = [row for outcome in outcomes for row in outcome.rows]
    mode = "--quick sizes" if quick else "full sizes"
    print_table(rows, title=f"memgrid bench on {os.cpu_count()} cores ({mode})")
    print()
    print_markdown(rows)
    print()
    for outcome in outcomes:
        print(f"{outcome.name:<12}{duration(outcome.seconds):>8}{'  FAILED' * outcome.failed}")
    print(f"{'total':<12}{duration(time.monotonic() - started):>8}")
    print(f"rows written to {json_path}")
    return 1 if any(outcome.failed for outcome in outcomes) else 0


def names(value: str) -> list[str]:
    listed = [name.strip() for name in value.split(",") if name.strip()]
    unknown = sorted(set(listed) - set(NAMES))
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown {', '.join(unknown)}; use {','.join(NAMES)}")
    return listed


def cli() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0], epilog=f"benchmarks: {', '.join(NAMES)}"
    )
    chosen = parser.add_mutually_exclusive_group()
    chosen.add_argument("--only", type=names, metavar="NAME[,NAME]", help="run only these")
    chosen.add_argument("--skip", type=names, metavar="NAME[,NAME]", help="run all but these")
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke run")
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON, help="where to write all rows")
    args = parser.parse_args()
    selected = [
        b
        for b in BENCHMARKS
        if (args.only is None or b.name in args.only) and b.name not in (args.skip or ())
    ]
    sys.exit(uvloop.run(main(selected, args.quick, args.json)))


if __name__ == "__main__":
    cli()
