"""The PostgreSQL backend: psycopg 3 (async) with a connection pool, for running at scale.

Several memory-store replicas may share one database. Job leasing picks rows with
FOR UPDATE SKIP LOCKED, so concurrent leasers never block on or share a job; other
contention (dedup of identical writes, migrations) is serialised with transaction-scoped
advisory locks. Deadlocks and serialisation failures are retried as a whole transaction.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import psycopg
from memgrid_runtime.errors import Unavailable
from psycopg import errors as pg_errors
from psycopg_pool import AsyncConnectionPool, PoolTimeout

from .clock import Clock, SystemClock
from .config import StoreConfig
from .database import Dialect, Result, Row, Work
from .schema import apply_migrations
from .sql_store import SqlMemoryStore

POSTGRES_DIALECT = Dialect(
    name="postgres",
    blob_type="BYTEA",
    float_type="DOUBLE PRECISION",
    skip_locked=" FOR UPDATE SKIP LOCKED",
    for_update=" FOR UPDATE",
    random_token="replace(gen_random_uuid()::text, '-', '')",
)

_SCHEMA_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")
_TRANSIENT_ATTEMPTS = 3
# Taken in hash order, so two transactions locking overlapping keys cannot deadlock; two keys
# sharing a hash merely wait for each other.
_ADVISORY_LOCK_SQL = (
    "SELECT pg_advisory_xact_lock(key_hash) FROM ("
    " SELECT DISTINCT hashtextextended(key, 0) AS key_hash FROM unnest(%s::text[]) AS key"
    " ORDER BY key_hash) AS ordered"
)


@lru_cache(maxsize=512)
def _to_psycopg(sql: str) -> str:
    """The store writes `?` placeholders; psycopg wants `%s` (and a literal `%` doubled)."""
    return sql.replace("%", "%%").replace("?", "%s")


class _PostgresTransaction:
    def __init__(self, connection: psycopg.AsyncConnection[Any]) -> None:
        self._connection = connection

    @property
    def dialect(self) -> Dialect:
        return POSTGRES_DIALECT

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        cursor = await self._run(sql, params)
        return cursor.rowcount

    async def execute_many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if rows:
            async with self._connection.cursor() as cursor:
                await cursor.executemany(_to_psycopg(sql), rows)

    async def fetch_all(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        cursor = await self._run(sql, params)
        return await cursor.fetchall()

    async def fetch_one(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        cursor = await self._run(sql, params)
        return await cursor.fetchone()

    async def lock_keys(self, keys: Sequence[str]) -> None:
        if keys:
            await self._connection.execute(_ADVISORY_LOCK_SQL, (list(keys),))

    async def _run(self, sql: str, params: Sequence[Any]) -> psycopg.AsyncCursor[Row]:
        if params:
            return await self._connection.execute(_to_psycopg(sql), params)
        return await self._connection.execute(sql)


class PostgresDatabase:
    def __init__(self, pool: AsyncConnectionPool) -> None:
        self._pool = pool

    @property
    def dialect(self) -> Dialect:
        return POSTGRES_DIALECT

    async def write(self, work: Work[Result]) -> Result:
        return await self._run(work, in_transaction=True)

    async def read(self, work: Work[Result]) -> Result:
        # At READ COMMITTED a transaction block would not give the statements one snapshot
        # anyway; without it a read costs one round trip instead of three.
        return await self._run(work, in_transaction=False)

    async def close(self) -> None:
        await self._pool.close()

    async def _run(self, work: Work[Result], *, in_transaction: bool) -> Result:
        for attempt in range(1, _TRANSIENT_ATTEMPTS + 1):
            try:
                async with self._pool.connection() as connection:
                    if not in_transaction:
                        return await work(_PostgresTransaction(connection))
                    async with connection.transaction():
                        return await work(_PostgresTransaction(connection))
            except (pg_errors.SerializationFailure, pg_errors.DeadlockDetected):
                if attempt == _TRANSIENT_ATTEMPTS:
                    raise Unavailable(
                        "PostgreSQL kept aborting the transaction on conflicts",
                        reason="WRITE_CONFLICT",
                    ) from None
            except (psycopg.OperationalError, psycopg.InterfaceError, PoolTimeout) as error:
                raise Unavailable(f"PostgreSQL unavailable: {error}") from error
        raise AssertionError("unreachable: the loop returns or raises")


async def open_postgres_store(
    dsn: str,
    config: StoreConfig,
    *,
    schema: str = "public",
    min_connections: int = 1,
    max_connections: int = 10,
    connect_timeout_seconds: float = 10.0,
    application_name: str = "memgrid-memory-store",
    clock: Clock | None = None,
) -> SqlMemoryStore:
    """Connects to PostgreSQL, creates `schema` if needed and brings it up to date."""
    if not _SCHEMA_NAME.fullmatch(schema):
        raise ValueError(f"PostgreSQL schema name {schema!r} is not a plain lower-case name")
    the_clock = clock or SystemClock()
    try:
        async with await psycopg.AsyncConnection.connect(
            dsn, autocommit=True, connect_timeout=int(connect_timeout_seconds)
        ) as connection:
            await connection.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
    except psycopg.OperationalError as error:
        raise Unavailable(f"PostgreSQL unavailable: {error}") from error
    pool = AsyncConnectionPool(
        dsn,
        min_size=min_connections,
        max_size=max_connections,
        timeout=connect_timeout_seconds,
        # autocommit: each transaction is opened by connection.transaction() and by nothing
        # else, so a connection goes back to the pool idle.
        kwargs={
            "autocommit": True,
            "options": f"-c search_path={schema}",
            # Names our sessions in pg_stat_activity, for operators.
            "application_name": application_name,
        },
        open=False,
    )
    try:
        await pool.open(wait=True, timeout=connect_timeout_seconds)
    except PoolTimeout as error:
        await pool.close()
        raise Unavailable(f"PostgreSQL unavailable: {error}") from error
    database = PostgresDatabase(pool)
    try:
        await database.write(lambda tx: apply_migrations(tx, the_clock))
    except BaseException:
        await database.close()
        raise
    return SqlMemoryStore(database, config, the_clock)
