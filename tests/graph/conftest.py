"""Fixtures of the graph tests: real FalkorDB (child process) and real Neo4j stores.

FalkorDB comes with the Python dependencies and always runs. Neo4j is a server: start one
with `scripts/neo4j-test-server start` and set MEMGRID_TEST_NEO4J_URI. Without it the Neo4j
half of the suite fails when CI=true and is skipped (saying what to start) otherwise.
"""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from memgrid.graph.v1 import service_pb2_grpc
from memgrid_runtime.channels import connect
from memgrid_runtime.server import GrpcService, RunningServer, start_server
from memgrid_runtime.settings import ServerSettings

from services.graph.__main__ import SERVICE
from services.graph.model import GraphScope
from services.graph.servicer import GraphServicer
from services.graph.store.base import GraphStore
from services.graph.store.cypher_store import CypherGraphStore
from services.graph.store.falkordb import FalkorDBBackend
from services.graph.store.falkordb_process import FalkorDBProcess
from services.graph.store.neo4j import Neo4jBackend

NEO4J_HINT = (
    "start one with `scripts/neo4j-test-server start` and set"
    " MEMGRID_TEST_NEO4J_URI=bolt://127.0.0.1:57687"
)


def backend_missing(message: str) -> None:
    """In CI every backend is mandatory; locally a missing server skips its tests."""
    if os.environ.get("CI", "").lower() in {"true", "1", "yes"}:
        pytest.fail(f"{message} (CI=true: every backend must run)", pytrace=False)
    pytest.skip(message)


def short_temp_dir(prefix: str) -> Path:
    # A unix socket path must fit in 107 bytes; pytest's tmp_path can be longer.
    return Path(tempfile.mkdtemp(prefix=prefix, dir="/tmp"))


@pytest.fixture(scope="session")
def falkordb_process() -> Iterator[FalkorDBProcess]:
    data_dir = short_temp_dir("mg-falkordb-")
    process = FalkorDBProcess(data_dir)
    process.start()
    yield process
    process.stop()
    shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def neo4j_uri() -> str:
    uri = os.environ.get("MEMGRID_TEST_NEO4J_URI", "")
    if not uri:
        backend_missing(f"Neo4j tests need MEMGRID_TEST_NEO4J_URI: {NEO4J_HINT}")
    address = urlsplit(uri)
    try:
        with socket.create_connection((address.hostname, address.port or 7687), timeout=2):
            pass
    except OSError as error:
        backend_missing(f"no Neo4j answers at {uri} ({error}): {NEO4J_HINT}")
    return uri


@pytest.fixture(scope="session", params=["falkordb", "neo4j"])
async def store(request: pytest.FixtureRequest) -> AsyncIterator[CypherGraphStore]:
    """The same GraphStore contract over each backend."""
    backend: FalkorDBBackend | Neo4jBackend
    if request.param == "falkordb":
        process: FalkorDBProcess = request.getfixturevalue("falkordb_process")
        backend = FalkorDBBackend.connect(str(process.socket_path), "contract")
    else:
        backend = Neo4jBackend.connect(request.getfixturevalue("neo4j_uri"))
    await backend.ensure_schema()
    graph_store = CypherGraphStore(backend)
    yield graph_store
    await graph_store.close()


@pytest.fixture
def tenant() -> GraphScope:
    """A fresh tenant (and a user of it) per test: tests share a database but never each
    other's data."""
    return GraphScope(f"tenant-{uuid.uuid4().hex[:12]}", "user-1")


@pytest.fixture
def own_falkordb() -> Iterator[FalkorDBProcess]:
    """A FalkorDB process of the test's own, which it may stop or kill."""
    data_dir = short_temp_dir("mg-falkordb-")
    process = FalkorDBProcess(data_dir)
    process.start()
    yield process
    process.stop()
    shutil.rmtree(data_dir, ignore_errors=True)


async def serve_graph(store: GraphStore) -> RunningServer:
    """A real aio GraphService server on an ephemeral loopback port."""
    return await start_server(
        ServerSettings.for_tests("graph"),
        [
            GrpcService(
                SERVICE, GraphServicer(store), service_pb2_grpc.add_GraphServiceServicer_to_server
            )
        ],
    )


@pytest.fixture
async def falkordb_store(own_falkordb: FalkorDBProcess) -> AsyncIterator[CypherGraphStore]:
    backend = FalkorDBBackend.connect(str(own_falkordb.socket_path), "servicer")
    await backend.ensure_schema()
    graph_store = CypherGraphStore(backend)
    yield graph_store
    await graph_store.close()


@pytest.fixture
async def graph_stub(
    falkordb_store: CypherGraphStore,
) -> AsyncIterator[service_pb2_grpc.GraphServiceAsyncStub]:
    server = await serve_graph(falkordb_store)
    channel = connect(server.address, default_timeout=20.0)
    yield service_pb2_grpc.GraphServiceStub(channel)
    await channel.close(None)
    await server.stop(0)
