"""Neo4j backend (Community edition, official async driver, no APOC)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Any

import neo4j
import neo4j.exceptions
from memgrid_runtime.errors import Unavailable

from services.graph.store.cypher_backend import CypherBackend, Row, T, Work

# Uniqueness constraints are Community features (node keys and existence constraints are
# not); each one also creates the range index that makes its MERGE a seek.
_CONSTRAINTS = (
    # The keys before each user had a graph of their own (services/graph/README.md,
    # upgrading): they would forbid two users an entity of the same name.
    "DROP CONSTRAINT memgrid_entity_key IF EXISTS",
    "DROP CONSTRAINT memgrid_alias_key IF EXISTS",
    "CREATE CONSTRAINT memgrid_user_entity_key IF NOT EXISTS"
    " FOR (e:Entity) REQUIRE (e.tenant, e.user, e.key) IS UNIQUE",
    "CREATE CONSTRAINT memgrid_user_alias_key IF NOT EXISTS"
    " FOR (a:Alias) REQUIRE (a.tenant, a.user, a.key) IS UNIQUE",
    "CREATE CONSTRAINT memgrid_memory_id IF NOT EXISTS"
    " FOR (m:Memory) REQUIRE (m.tenant, m.id) IS UNIQUE",
)

_DOWN = (
    neo4j.exceptions.ServiceUnavailable,
    neo4j.exceptions.SessionExpired,
    # Still transient after the driver's retries: a deadlock storm or a restarting server.
    neo4j.exceptions.TransientError,
    OSError,
)


class _Runner:
    def __init__(self, tx: neo4j.AsyncManagedTransaction) -> None:
        self._tx = tx

    async def run(self, query: str, params: Mapping[str, Any]) -> list[Row]:
        result = await self._tx.run(query, dict(params))
        return await result.data()

    async def run_each(self, query: str, param_sets: Sequence[Mapping[str, Any]]) -> None:
        # A transaction runs one query at a time.
        for params in param_sets:
            await (await self._tx.run(query, dict(params))).consume()


class Neo4jBackend(CypherBackend):
    name = "neo4j"

    def __init__(self, driver: neo4j.AsyncDriver, database: str) -> None:
        self._driver = driver
        self._database = database

    @classmethod
    def connect(
        cls,
        uri: str,
        *,
        user: str | None = None,
        password: str | None = None,
        database: str = "neo4j",
        connection_timeout: float = 5.0,
        max_retry_time: float = 5.0,
    ) -> Neo4jBackend:
        driver = neo4j.AsyncGraphDatabase.driver(
            uri,
            auth=(user, password or "") if user else None,
            connection_timeout=connection_timeout,
            # The driver retries transient failures itself; bounded so that a down server
            # turns into UNAVAILABLE within the caller's deadline.
            max_transaction_retry_time=max_retry_time,
            # Notifications about labels not used yet (an empty tenant) are noise here.
            notifications_min_severity="OFF",
        )
        return cls(driver, database)

    async def ensure_schema(self) -> None:
        async with self._translated_errors():
            for statement in _CONSTRAINTS:
                await self._driver.execute_query(statement, database_=self._database)
            await self._driver.execute_query("CALL db.awaitIndexes(60)", database_=self._database)

    async def read(self, work: Work[T]) -> T:
        async def unit(tx: neo4j.AsyncManagedTransaction) -> T:
            return await work(_Runner(tx))

        async with self._translated_errors(), self._session() as session:
            return await session.execute_read(unit)

    async def write(self, work: Work[T]) -> T:
        async def unit(tx: neo4j.AsyncManagedTransaction) -> T:
            return await work(_Runner(tx))

        async with self._translated_errors(), self._session() as session:
            return await session.execute_write(unit)

    async def ping(self) -> None:
        async with self._translated_errors():
            await self._driver.verify_connectivity()

    async def close(self) -> None:
        await self._driver.close()

    def _session(self) -> neo4j.AsyncSession:
        return self._driver.session(database=self._database)

    @contextlib.asynccontextmanager
    async def _translated_errors(self) -> AsyncIterator[None]:
        try:
            yield
        except _DOWN as error:
            raise Unavailable(
                f"graph backend (Neo4j) unavailable: {error}", reason="GRAPH_BACKEND_DOWN"
            ) from error
