"""FalkorDB restarts on a big append-only file: start-up waits as long as the replay makes
progress, and gives up on a server that makes none or on the overall limit (issue 11,
item 3). The file is built by writing real graph queries, which replay slowly."""

from __future__ import annotations

import os
import re
import shutil
import signal
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from services.graph.store.falkordb_process import LOG_NAME, FalkorDBProcess, FalkorDBStartError
from tests.graph.conftest import short_temp_dir

# Enough that the replay takes several times STALL_SECONDS even on a quiet machine (about
# 4 s here; with 6,000 it took 0.8 s, and once came in under the 0.5 s limit in CI).
QUERIES = 24000
NODES_PER_QUERY = 50
# Far shorter than the replay: a fixed start-up timeout this short fails every restart.
STALL_SECONDS = 0.5
# No compaction while building: the file stays a replay of every query.
NEVER_REWRITE_MB = 4096


@pytest.fixture(scope="module")
def big_aof() -> Iterator[Path]:
    """A data dir whose append-only file holds QUERIES graph writes."""
    data_dir = short_temp_dir("mg-falkordb-aof-")
    process = FalkorDBProcess(data_dir, aof_rewrite_min_mb=NEVER_REWRITE_MB)
    process.start()
    try:
        client = redis.Redis(unix_socket_path=str(process.socket_path))
        for start in range(0, QUERIES, 500):
            pipe = client.pipeline(transaction=False)
            for n in range(start, min(start + 500, QUERIES)):
                pipe.execute_command(
                    "GRAPH.QUERY",
                    "restart",
                    f"UNWIND range(1, {NODES_PER_QUERY}) AS x"
                    f" CREATE (:Entity {{name: 'entity-{n}-' + toString(x), n: x}})",
                )
            pipe.execute()
        client.close()
    finally:
        process.stop()
    yield data_dir
    shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture
def data_dir(big_aof: Path) -> Iterator[Path]:
    """A copy of the big data dir for one test (a start-up may rewrite the file)."""
    copy = short_temp_dir("mg-falkordb-copy-")
    shutil.copytree(big_aof, copy, dirs_exist_ok=True)
    (copy / LOG_NAME).unlink(missing_ok=True)
    yield copy
    shutil.rmtree(copy, ignore_errors=True)


def replay_seconds(data_dir: Path) -> float:
    log = (data_dir / LOG_NAME).read_text()
    return float(re.findall(r"DB loaded from append only file: ([0-9.]+) seconds", log)[-1])


def test_a_restart_waits_for_a_replay_longer_than_the_stall_limit(data_dir: Path) -> None:
    process = FalkorDBProcess(
        data_dir, startup_stall_seconds=STALL_SECONDS, aof_rewrite_min_mb=NEVER_REWRITE_MB
    )
    process.start()
    try:
        client = redis.Redis(unix_socket_path=str(process.socket_path))
        [_, [[count]], _] = client.execute_command(
            "GRAPH.RO_QUERY", "restart", "MATCH (e:Entity) RETURN count(e)"
        )
        client.close()
    finally:
        process.stop()

    assert count == QUERIES * NODES_PER_QUERY
    assert replay_seconds(data_dir) > STALL_SECONDS, "the file must outlast a fixed timeout"


def test_a_restart_gives_up_at_the_overall_limit(data_dir: Path) -> None:
    process = FalkorDBProcess(
        data_dir, startup_limit_seconds=STALL_SECONDS, aof_rewrite_min_mb=NEVER_REWRITE_MB
    )
    with pytest.raises(FalkorDBStartError, match=f"did not finish loading within {STALL_SECONDS}s"):
        process.start()
    assert not process.running


def test_a_restart_gives_up_on_a_server_that_makes_no_progress(data_dir: Path) -> None:
    process = FalkorDBProcess(
        data_dir, startup_stall_seconds=1.0, aof_rewrite_min_mb=NEVER_REWRITE_MB
    )
    failure: list[BaseException] = []

    def start() -> None:
        try:
            process.start()
        except FalkorDBStartError as error:
            failure.append(error)

    starting = threading.Thread(target=start)
    starting.start()
    while process.pid is None:
        pass
    os.kill(process.pid, signal.SIGSTOP)  # hung: neither loads nor uses any CPU
    starting.join(timeout=60)

    assert not starting.is_alive()
    assert [str(error).split(":")[0] for error in failure] == ["FalkorDB made no progress for 1s"]
    assert not process.running
