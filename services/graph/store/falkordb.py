"""FalkorDB backend: the embedded default (see falkordb_process) or a FalkorDB server."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Any

import redis.asyncio
import redis.exceptions
from falkordb.asyncio.graph import AsyncGraph  # type: ignore[import-untyped]
from memgrid_runtime.errors import Unavailable
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff

from services.graph.store import falkordb_wire
from services.graph.store.cypher_backend import CypherBackend, Row, T, Work
from services.graph.store.falkordb_process import FalkorDBProcess

# Unique constraints make FalkorDB reject a duplicate that a bug might try to create;
# MERGE alone is already safe because FalkorDB runs write queries one at a time.
_UNIQUE_KEYS: dict[str, tuple[str, ...]] = {
    "Entity": ("tenant", "user", "key"),
    "Alias": ("tenant", "user", "key"),
    "Memory": ("tenant", "id"),
}
# The keys before each user had a graph of their own (services/graph/README.md, upgrading):
# they would forbid two users an entity of the same name.
_RETIRED_UNIQUE_KEYS: dict[str, tuple[str, ...]] = {
    "Entity": ("tenant", "key"),
    "Alias": ("tenant", "key"),
}

_EMPTY_GRAPH = "empty key"

_WRITES_IN_FLIGHT = 2

_DOWN = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError)


class _Runner:
    def __init__(
        self, client: redis.asyncio.Redis, graph: str, *, read_only: bool, timeout_ms: int
    ) -> None:
        self._client = client
        self._graph = graph
        self._read_only = read_only
        self._timeout_ms = timeout_ms

    async def run(self, query: str, params: Mapping[str, Any]) -> list[Row]:
        command = falkordb_wire.query_command(
            self._graph, query, params, read_only=self._read_only, timeout_ms=self._timeout_ms
        )
        try:
            response = await self._client.execute_command(*command)
        except redis.exceptions.ResponseError as error:
            # Reading a graph nobody has written yet: FalkorDB has no key for it.
            if self._read_only and _EMPTY_GRAPH in str(error):
                return []
            raise
        return falkordb_wire.rows(response)

    async def run_each(self, query: str, param_sets: Sequence[Mapping[str, Any]]) -> None:
        # FalkorDB runs write queries one at a time, so more in flight gain nothing on its
        # side; two let this process build the next query's text (most of an upsert's CPU
        # here) while the server runs the previous one.
        in_flight = asyncio.Semaphore(_WRITES_IN_FLIGHT)

        async def one(params: Mapping[str, Any]) -> None:
            async with in_flight:
                await self.run(query, params)

        tasks = [asyncio.create_task(one(params)) for params in param_sets]
        try:
            await asyncio.gather(*tasks)
        except BaseException:
            # The first error as it is (a TaskGroup would wrap it in an ExceptionGroup,
            # hiding a down server from _translated_errors); the rest are not needed.
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            raise


class FalkorDBBackend(CypherBackend):
    name = "falkordb"

    def __init__(
        self,
        client: redis.asyncio.Redis,
        graph_name: str,
        *,
        query_timeout_ms: int = 10_000,
        process: FalkorDBProcess | None = None,
    ) -> None:
        self._client = client
        self._graph_name = graph_name
        # The client library's graph, for creating indexes and constraints; queries are
        # sent and read by falkordb_wire.
        self._schema_graph = AsyncGraph(client, graph_name)
        self._timeout_ms = query_timeout_ms
        self._process = process

    @classmethod
    def connect(
        cls,
        socket_path: str,
        graph_name: str,
        *,
        query_timeout_ms: int = 10_000,
        process: FalkorDBProcess | None = None,
    ) -> FalkorDBBackend:
        # A plain redis client rather than falkordb.asyncio.FalkorDB, whose constructor
        # probes the server synchronously (blocking the event loop, failing when the server
        # is down) and copies an async retry policy into a sync client that cannot run it.
        client = redis.asyncio.Redis(
            unix_socket_path=socket_path,
            decode_responses=True,
            socket_connect_timeout=2.0,
            # A down server must fail calls quickly (UNAVAILABLE), not hang them in retries.
            retry=Retry(ExponentialBackoff(cap=0.2, base=0.02), retries=2),
            max_connections=64,
        )
        return cls(client, graph_name, query_timeout_ms=query_timeout_ms, process=process)

    async def ensure_schema(self) -> None:
        async with self._translated_errors():
            for label, properties in _RETIRED_UNIQUE_KEYS.items():
                await _ignoring_missing(
                    self._schema_graph.drop_node_unique_constraint(label, *properties)
                )
            for label, properties in _UNIQUE_KEYS.items():
                # One property at a time: a graph from before per-user graphs has tenant
                # and key indexed already, and FalkorDB refuses a multi-property index
                # that names one of them (so `user` would go unindexed).
                for name in properties:
                    await _ignoring_existing(
                        self._schema_graph.create_node_range_index(label, name)
                    )
                await _ignoring_existing(
                    self._schema_graph.create_node_unique_constraint(label, *properties)
                )

    async def read(self, work: Work[T]) -> T:
        async with self._translated_errors():
            return await work(self._runner(read_only=True))

    async def write(self, work: Work[T]) -> T:
        async with self._translated_errors():
            return await work(self._runner(read_only=False))

    async def ping(self) -> None:
        async with self._translated_errors():
            await self._client.ping()

    async def close(self) -> None:
        with contextlib.suppress(*_DOWN):
            await self._client.aclose()
        if self._process is not None:
            await asyncio.to_thread(self._process.stop)

    def _runner(self, *, read_only: bool) -> _Runner:
        return _Runner(
            self._client, self._graph_name, read_only=read_only, timeout_ms=self._timeout_ms
        )

    @contextlib.asynccontextmanager
    async def _translated_errors(self) -> AsyncIterator[None]:
        try:
            yield
        except _DOWN as error:
            raise Unavailable(
                f"graph backend (FalkorDB) unavailable: {error}", reason="GRAPH_BACKEND_DOWN"
            ) from error


async def _ignoring_missing(removal: Any) -> None:
    try:
        await removal
    except redis.exceptions.ResponseError as error:
        message = str(error).lower()
        # A new graph has no key yet, and a migrated one no retired constraint.
        if "no such constraint" not in message and _EMPTY_GRAPH not in message:
            raise


async def _ignoring_existing(creation: Any) -> None:
    try:
        await creation
    except redis.exceptions.ResponseError as error:
        message = str(error).lower()
        if "already" not in message:
            raise
