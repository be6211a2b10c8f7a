"""PostgreSQL going away: callers get UNAVAILABLE (retryable), and the store recovers."""

from __future__ import annotations

import psycopg
import pytest
from memgrid_runtime.errors import Unavailable

from services.memory_store.store.config import StoreConfig
from services.memory_store.store.postgres import open_postgres_store
from tests.memory_store.support import TENANT, StoreLocation, create, new_memory

pytestmark = pytest.mark.postgres


@pytest.fixture
def backend() -> str:
    return "postgres"


async def test_an_unreachable_server_is_unavailable() -> None:
    with pytest.raises(Unavailable):
        await open_postgres_store(
            "postgresql://postgres@127.0.0.1:1/memgrid",
            StoreConfig(),
            connect_timeout_seconds=2,
        )


async def test_a_dropped_connection_is_unavailable_once_then_recovers(
    store_location: StoreLocation,
) -> None:
    store = await open_postgres_store(
        store_location.postgres_dsn,
        StoreConfig(),
        schema=store_location.postgres_schema,
        min_connections=1,
        max_connections=1,
        application_name=store_location.postgres_schema,
    )
    try:
        [memory] = await create(store, new_memory("before the outage"))
        async with await psycopg.AsyncConnection.connect(
            store_location.postgres_dsn, autocommit=True
        ) as admin:
            await admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                " AND application_name = %s",
                (store_location.postgres_schema,),
            )
        with pytest.raises(Unavailable):
            await store.get_memory(TENANT, memory.id)
        assert (await store.get_memory(TENANT, memory.id)) == memory
    finally:
        await store.close()
