"""Runs ghz with every config in perf/ghz/ against a gateway and prints one row per RPC.

    python -m perf.ghz.run --address 127.0.0.1:50051 --api-key memgrid-dev-key

ghz finds the methods through the gateway's server reflection (no .proto files). The
configs read the API key and the data to use from the environment; this runner seeds that
data first (a user with memories to get, list and search) and sets MEMGRID_API_KEY,
MEMGRID_BENCH_USER and MEMGRID_BENCH_MEMORY_ID for them. Extra ghz flags after `--`
override the configs' own (e.g. `-- --total 50 --concurrency 4` for a smoke run).
--json PATH also writes one perf/report.py row per config (section "ghz"); `make bench`
runs this against a suite it starts.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from memgrid.common.v1 import memory_pb2 as common
from memgrid_client import Memgrid

from perf.report import Row, write_json

CONFIG_DIR = Path(__file__).parent
DEFAULT_GHZ = CONFIG_DIR.parent.parent / "var" / "perf-tools" / "bin" / "ghz"
SEED_MEMORIES = 200
SECTION = "ghz"


@dataclass(frozen=True)
class BenchData:
    user_id: str
    memory_id: str


@dataclass(frozen=True)
class GhzResult:
    config: str
    rpc: str
    concurrency: int
    requests: int
    per_second: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    # Every status but OK, by code name (ghz counts transport errors under their code too).
    errors: dict[str, int]

    def row(self) -> str:
        failed = sum(self.errors.values())
        return (
            f"{self.config:<16} {self.per_second:>9,.0f} req/s  p50 {self.p50_ms:7.2f} ms  "
            f"p95 {self.p95_ms:7.2f} ms  p99 {self.p99_ms:7.2f} ms  requests {self.requests:>7}  "
            f"errors {failed}"
        )

    def report_row(self) -> Row:
        errors = ", ".join(f"{code} {count}" for code, count in self.errors.items())
        return Row(
            SECTION,
            f"{self.rpc} via gateway ({self.concurrency} conc.)",
            f"{self.per_second:,.0f} req/s, p95 {self.p95_ms:.1f} ms, "
            f"errors {sum(self.errors.values())}{f' ({errors})' if errors else ''} "
            f"of {self.requests:,}",
        )


def configs() -> list[Path]:
    return sorted(CONFIG_DIR.glob("*.json"))


def seed(address: str, api_key: str, memories: int = SEED_MEMORIES) -> BenchData:
    """A fresh user with `memories` memories, so that reads have something to find."""
    user_id = f"ghz-{uuid.uuid4().hex[:12]}"
    with Memgrid(address, api_key, timeout=60) as client:
        batch = [
            common.NewMemory(
                scope=common.Scope(user_id=user_id),
                content=f"seed memory {i}: the user likes {flavour} tea",
                tags=["ghz-seed"],
            )
            for i, flavour in enumerate(["green", "black", "oolong", "white"] * (memories // 4))
        ]
        reply = client.add_memories(batch)
    return BenchData(user_id=user_id, memory_id=reply.memories[0].id)


def run_config(
    ghz: Path,
    config: Path,
    address: str,
    api_key: str,
    data: BenchData,
    extra_args: Sequence[str] = (),
) -> GhzResult:
    env = {
        **os.environ,
        "MEMGRID_API_KEY": api_key,
        "MEMGRID_BENCH_USER": data.user_id,
        "MEMGRID_BENCH_MEMORY_ID": data.memory_id,
    }
    completed = subprocess.run(
        [str(ghz), f"--config={config}", "--format=json", *extra_args, address],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        raise RuntimeError(
            f"ghz {config.name} exited with {completed.returncode}: "
            f"{completed.stderr.strip() or completed.stdout.strip()}"
        )
    report = json.loads(completed.stdout)
    latencies = {
        round(entry["percentage"]): entry["latency"] / 1e6
        for entry in report.get("latencyDistribution") or []
    }
    codes: dict[str, int] = report.get("statusCodeDistribution") or {}
    options = report.get("options") or {}
    return GhzResult(
        config=config.stem,
        rpc=str(options.get("call", config.stem)).rsplit("/", 1)[-1],
        concurrency=int(options.get("concurrency", 0)),
        requests=int(report["count"]),
        per_second=float(report["rps"]),
        p50_ms=latencies.get(50, 0.0),
        p95_ms=latencies.get(95, 0.0),
        p99_ms=latencies.get(99, 0.0),
        errors={code: count for code, count in codes.items() if code != "OK"},
    )


def run_all(
    ghz: Path, address: str, api_key: str, extra_args: Sequence[str] = ()
) -> list[GhzResult]:
    data = seed(address, api_key)
    return [run_config(ghz, config, address, api_key, data, extra_args) for config in configs()]


def main(argv: Sequence[str] | None = None) -> list[Row]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--address", default=os.environ.get("MEMGRID_ADDRESS", "127.0.0.1:50051"))
    parser.add_argument("--api-key", default=os.environ.get("MEMGRID_API_KEY", "memgrid-dev-key"))
    parser.add_argument("--ghz", type=Path, default=DEFAULT_GHZ)
    parser.add_argument("--json", type=Path, help="also write the figures here as rows")
    parser.add_argument("ghz_args", nargs="*", help="extra ghz flags, after --")
    args = parser.parse_args(argv)
    results = run_all(args.ghz, args.address, args.api_key, args.ghz_args)
    for result in results:
        print(result.row())
        for code, count in result.errors.items():
            print(f"    {code}: {count}")
    rows = [result.report_row() for result in results]
    if args.json:
        write_json(rows, args.json)
    return rows


if __name__ == "__main__":
    main()
