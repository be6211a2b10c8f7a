"""Fixtures for the memory-store tests: a real store on every backend.

The contract tests take `store` and run once per backend: SQLite in a temporary directory
and PostgreSQL in a fresh schema of the server named by MEMGRID_TEST_POSTGRES_DSN. Without
that variable the PostgreSQL runs fail when CI=true and are skipped elsewhere.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path

import psycopg
import pytest

from services.memory_store.store.clock import MICROS_PER_SECOND, SystemClock
from services.memory_store.store.config import StoreConfig
from services.memory_store.store.sql_store import SqlMemoryStore
from tests.memory_store.support import StoreLocation, open_store_at, postgres_dsn_or_skip

StoreFactory = Callable[..., Awaitable[SqlMemoryStore]]


class ManualClock:
    """A clock the test moves: TTLs, leases and retry delays pass without sleeping."""

    def __init__(self) -> None:
        self._now_us = SystemClock().now_us()

    def now_us(self) -> int:
        return self._now_us

    def advance(self, seconds: float) -> None:
        self._now_us += int(seconds * MICROS_PER_SECOND)


@pytest.fixture(scope="session")
def postgres_dsn() -> str:
    return postgres_dsn_or_skip()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
def shared_postgres_schema(postgres_dsn: str) -> Iterator[str]:
    """One schema for this test run, emptied before each test that uses it: migrating a
    new schema per test would cost more than most tests."""
    schema = f"memgrid_test_{uuid.uuid4().hex[:16]}"
    yield schema
    # Sync on purpose: pytest cannot run an async session fixture's teardown from here.
    with psycopg.connect(postgres_dsn, autocommit=True) as connection:
        connection.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'.encode())


@pytest.fixture
async def store_location(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[StoreLocation]:
    """An empty database on the test's backend: a new SQLite file, or this run's
    PostgreSQL schema with every table emptied."""
    if backend == "sqlite":
        yield StoreLocation(backend, sqlite_path=tmp_path / "memory-store.db")
        return
    dsn = request.getfixturevalue("postgres_dsn")
    schema = request.getfixturevalue("shared_postgres_schema")
    await _empty_schema(dsn, schema)
    yield StoreLocation(backend, postgres_dsn=dsn, postgres_schema=schema)


@pytest.fixture
async def fresh_store_location(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[StoreLocation]:
    """A database no store has opened yet, for tests of the schema itself."""
    if backend == "sqlite":
        yield StoreLocation(backend, sqlite_path=tmp_path / "fresh-memory-store.db")
        return
    dsn = request.getfixturevalue("postgres_dsn")
    schema = f"memgrid_test_{uuid.uuid4().hex[:16]}"
    yield StoreLocation(backend, postgres_dsn=dsn, postgres_schema=schema)
    await _drop_schema(dsn, schema)


async def _empty_schema(dsn: str, schema: str) -> None:
    async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as connection:
        cursor = await connection.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = %s"
            " AND tablename <> 'schema_migrations'",
            (schema,),
        )
        tables = [f'"{schema}"."{name}"' for (name,) in await cursor.fetchall()]
        # DELETE, not TRUNCATE: the tables are small, and TRUNCATE's new files and fsyncs
        # cost a quarter of a second per test.
        async with connection.transaction():
            for table in tables:
                await connection.execute(f"DELETE FROM {table}".encode())


async def _drop_schema(dsn: str, schema: str) -> None:
    async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as connection:
        await connection.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'.encode())


@pytest.fixture
async def store_factory(
    store_location: StoreLocation, clock: ManualClock
) -> AsyncIterator[StoreFactory]:
    """Opens stores on the test's database (several stand for several replicas); closes
    them afterwards. Stores run on the test's manual clock."""
    opened: list[SqlMemoryStore] = []

    async def open_store(config: StoreConfig | None = None) -> SqlMemoryStore:
        store = await open_store_at(store_location, config or StoreConfig(), clock)
        opened.append(store)
        return store

    yield open_store
    for store in opened:
        await store.close()


@pytest.fixture
async def store(store_factory: StoreFactory) -> SqlMemoryStore:
    return await store_factory()
