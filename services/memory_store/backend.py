"""Opens the store the settings choose: SQLite (embedded default) or PostgreSQL."""

from __future__ import annotations

from .settings import MemoryStoreSettings
from .store.postgres import open_postgres_store
from .store.sql_store import SqlMemoryStore
from .store.sqlite import open_sqlite_store


async def open_store(settings: MemoryStoreSettings) -> SqlMemoryStore:
    if settings.postgres is not None:
        return await open_postgres_store(
            settings.postgres.dsn,
            settings.store,
            schema=settings.postgres.schema,
            min_connections=settings.postgres.min_connections,
            max_connections=settings.postgres.max_connections,
        )
    return await open_sqlite_store(
        settings.sqlite.path,
        settings.store,
        synchronous=settings.sqlite.synchronous,
        reader_count=settings.sqlite.reader_count,
    )
