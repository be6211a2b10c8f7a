"""Short smoke runs of the load tools against the real suite: every ghz config (through the
gateway's server reflection) and the locust gRPC user finish with zero errors, and h2load
reaches the echo server with the pre-encoded gRPC frame. The tools come from
scripts/perf-tools; these runs prove the configurations work, they measure nothing.
"""

from __future__ import annotations

import csv
import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from perf import h2load_ceiling
from perf.ghz import run as ghz_run
from tests.clients.stack import REPO, ClientStack

GHZ = REPO / "var" / "perf-tools" / "bin" / "ghz"
LOCUST = REPO / "var" / "locust-venv" / "bin" / "locust"
PROVISION = "run scripts/perf-tools"
REFLECTION_HINT = (
    "ghz resolves each method by its full name through server reflection; the gateway must "
    "import memgrid.gateway.v1.service_pb2 and its reflection must answer "
    "'package.Service.Method' symbols"
)


@pytest.mark.timeout(300)
def test_ghz_runs_every_config_without_errors(
    client_stack: ClientStack, require_files: Callable[[list[Path], str], None]
) -> None:
    require_files([GHZ], PROVISION)
    assert {config.stem for config in ghz_run.configs()} >= {
        "add_memories",
        "get_memory",
        "list_memories",
        "search",
    }
    try:
        results = ghz_run.run_all(
            GHZ,
            client_stack.address,
            client_stack.key_a,
            ["--duration=0", "--total=40", "--concurrency=4"],
        )
    except RuntimeError as failure:
        pytest.fail(f"{failure}\n({REFLECTION_HINT})")
    for result in results:
        assert result.requests == 40, result
        assert result.errors == {}, result


@pytest.mark.timeout(300)
def test_locust_grpc_user_runs_a_mix_without_failures(
    client_stack: ClientStack,
    require_files: Callable[[list[Path], str], None],
    tmp_path: Path,
) -> None:
    require_files([LOCUST], PROVISION)
    completed = subprocess.run(
        [
            str(LOCUST),
            "--locustfile",
            str(REPO / "perf" / "locustfile.py"),
            "--host",
            client_stack.address,
            "--headless",
            "--users=4",
            "--spawn-rate=4",
            "--run-time=5s",
            "--only-summary",
            f"--csv={tmp_path / 'locust'}",
        ],
        env={**os.environ, "MEMGRID_API_KEY": client_stack.key_a},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-4000:]
    with (tmp_path / "locust_stats.csv").open() as stats_file:
        rows = {row["Name"]: row for row in csv.DictReader(stats_file)}
    assert {"AddMemories", "GetMemory", "Search"} <= rows.keys()
    assert int(rows["Aggregated"]["Request Count"]) > 0
    assert int(rows["Aggregated"]["Failure Count"]) == 0, completed.stdout[-4000:]


@pytest.mark.timeout(120)
def test_h2load_reaches_the_echo_ceiling_server(
    require_commands: Callable[[list[str], str], None],
) -> None:
    require_commands(["h2load"], PROVISION)
    result = h2load_ceiling.measure(requests=2_000, clients=2, streams=8)
    assert result.requests == 2_000
    assert result.succeeded == 2_000
    assert result.failed == 0
    assert result.per_second > 0
