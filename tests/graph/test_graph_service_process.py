"""`python -m services.graph` as a real process: serves, and takes FalkorDB down with it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from memgrid.common.v1 import graph_pb2
from memgrid.graph.v1 import request_response_pb2 as pb
from memgrid.graph.v1 import service_pb2_grpc

from tests.graph.conftest import short_temp_dir

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie still answers kill(0): look at its state.
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().split()[2] != "Z"


def wait_until(condition: object, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return True
        time.sleep(0.05)
    return False


def falkordb_children(pid: int) -> list[int]:
    children = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in children.read_text().split()] if children.exists() else []


@pytest.fixture
def data_dir() -> Iterator[Path]:
    path = short_temp_dir("mg-graph-service-")
    yield path
    subprocess.run(["rm", "-rf", str(path)], check=False)


def test_service_serves_and_stops_its_falkordb_on_sigterm(data_dir: Path) -> None:
    port = free_port()
    env = {
        **os.environ,
        "MEMGRID_GRAPH_PORT": str(port),
        "MEMGRID_GRAPH_METRICS_PORT": "0",
        "MEMGRID_FALKORDB_DIR": str(data_dir),
        "MEMGRID_GRAPH_OUTBOX_ENABLED": "false",
        "OTEL_SDK_DISABLED": "true",
    }
    service = subprocess.Popen(
        [sys.executable, "-m", "services.graph"], cwd=REPO, env=env, stderr=subprocess.PIPE
    )
    try:
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            health = health_pb2_grpc.HealthStub(channel)

            def serving() -> bool:
                try:
                    answer = health.Check(
                        health_pb2.HealthCheckRequest(service="memgrid.graph.v1.GraphService"),
                        timeout=0.5,
                    )
                except grpc.RpcError:
                    return False
                return answer.status == health_pb2.HealthCheckResponse.SERVING

            assert wait_until(serving, 30), "graph service never reported SERVING"
            stub = service_pb2_grpc.GraphServiceStub(channel)
            stub.Upsert(
                pb.UpsertRequest(
                    tenant_id="t",
                    user_id="u",
                    mentions=[graph_pb2.Mention(memory_id="m1", entity="Alice")],
                )
            )
            found = stub.GetEntity(pb.GetEntityRequest(tenant_id="t", user_id="u", name="alice"))
            assert found.entity.name == "Alice"
        [falkordb] = falkordb_children(service.pid)
        service.send_signal(signal.SIGTERM)
        assert service.wait(30) == 0
        assert wait_until(lambda: not pid_alive(falkordb), 10)
        assert (data_dir / "appendonly.aof").exists() or any(data_dir.glob("appendonly*"))
    finally:
        if service.poll() is None:
            service.kill()
            service.wait()


def test_falkordb_dies_with_a_killed_service(data_dir: Path) -> None:
    script = (
        "import sys, time, pathlib\n"
        "from services.graph.store.falkordb_process import FalkorDBProcess\n"
        "process = FalkorDBProcess(pathlib.Path(sys.argv[1]))\n"
        "process.start()\n"
        "print(process.pid, flush=True)\n"
        "time.sleep(60)\n"
    )
    owner = subprocess.Popen(
        [sys.executable, "-c", script, str(data_dir)], cwd=REPO, stdout=subprocess.PIPE, text=True
    )
    try:
        assert owner.stdout is not None
        falkordb = int(owner.stdout.readline())
        assert pid_alive(falkordb)
        owner.kill()  # no chance to stop its child: the kernel must
        owner.wait()
        assert wait_until(lambda: not pid_alive(falkordb), 10)
    finally:
        if owner.poll() is None:
            owner.kill()
            owner.wait()
