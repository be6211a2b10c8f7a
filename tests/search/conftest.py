"""Fixtures of the search tests: the real ONNX embedder, real indexes in temp dirs."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from memgrid.memory.v1 import service_pb2_grpc
from memgrid.search.v1 import service_pb2_grpc as search_grpc
from memgrid_runtime.channels import connect
from memgrid_runtime.server import GrpcService, start_server
from memgrid_runtime.settings import Env, ServerSettings

from services.memory_store.limits import RequestLimits
from services.memory_store.servicer import MemoryStoreServicer
from services.memory_store.store.config import StoreConfig
from services.memory_store.store.sqlite import open_sqlite_store
from services.search.__main__ import SERVICE as SEARCH_SERVICE
from services.search.embedding import (
    BatchingEmbedder,
    CachingEmbedder,
    OnnxEmbedder,
    OnnxEmbedderConfig,
)
from services.search.memory_store_client import SERVICE as MEMORY_STORE_SERVICE
from services.search.memory_store_client import MemoryStoreClient
from services.search.settings import SearchSettings
from services.search.wiring import SearchParts, build_index, build_parts

REPO_ROOT = Path(__file__).resolve().parents[2]


def model_cache_dir() -> Path:
    # Shared across runs so the graph is built once per machine, not once per test session.
    return Path(os.environ.get("MEMGRID_SEARCH_MODEL_CACHE", REPO_ROOT / "var" / "onnx-cache"))


@pytest.fixture(scope="session")
def onnx_embedder() -> OnnxEmbedder:
    return OnnxEmbedder(OnnxEmbedderConfig(cache_dir=model_cache_dir(), threads=1))


@dataclass
class Servers:
    """A real memory-store (SQLite) and a real search server, each on its own socket."""

    memory_store: service_pb2_grpc.MemoryStoreServiceAsyncStub
    search: search_grpc.SearchServiceAsyncStub
    memory_store_client: MemoryStoreClient
    parts: SearchParts


@pytest.fixture
async def servers(tmp_path: Path, onnx_embedder: OnnxEmbedder) -> AsyncIterator[Servers]:
    store = await open_sqlite_store(tmp_path / "memory-store.db", StoreConfig())
    store_server = await start_server(
        ServerSettings.for_tests("memory-store"),
        [
            GrpcService(
                MEMORY_STORE_SERVICE,
                MemoryStoreServicer(store, RequestLimits()),
                service_pb2_grpc.add_MemoryStoreServiceServicer_to_server,
            )
        ],
    )
    store_channel = connect(store_server.address)
    memory_store = MemoryStoreClient(store_channel)
    settings = SearchSettings.from_env(Env({"MEMGRID_SEARCH_INDEX_PATH": str(tmp_path / "idx")}))
    embedder = CachingEmbedder(BatchingEmbedder(onnx_embedder))
    index = build_index(settings.index, embedder.dim)
    parts = build_parts(settings, embedder, index, memory_store)
    search_server = await start_server(
        ServerSettings.for_tests("search"),
        [
            GrpcService(
                SEARCH_SERVICE, parts.servicer, search_grpc.add_SearchServiceServicer_to_server
            )
        ],
    )
    search_channel = connect(search_server.address)
    try:
        yield Servers(
            memory_store=service_pb2_grpc.MemoryStoreServiceStub(store_channel),
            search=search_grpc.SearchServiceStub(search_channel),
            memory_store_client=memory_store,
            parts=parts,
        )
    finally:
        await search_channel.close(None)
        await search_server.stop(0)
        index.close()
        await store_channel.close(None)
        await store_server.stop(0)
        await store.close()
