"""Contract: the schema is migrated at open, once, and a newer schema is refused."""

from __future__ import annotations

import pytest

from services.memory_store.store.config import StoreConfig
from services.memory_store.store.schema import MIGRATIONS, SchemaTooNew
from tests.memory_store.support import (
    TENANT,
    StoreLocation,
    create,
    new_memory,
    open_store_at,
    query_directly,
)


async def test_reopening_keeps_the_data_and_the_schema_version(
    fresh_store_location: StoreLocation,
) -> None:
    first = await open_store_at(fresh_store_location, StoreConfig())
    [memory] = await create(first, new_memory("survives a restart"))
    await first.close()

    second = await open_store_at(fresh_store_location, StoreConfig())
    try:
        assert (await second.get_memory(TENANT, memory.id)) == memory
        versions = await query_directly(
            fresh_store_location, "SELECT version FROM schema_migrations ORDER BY version"
        )
        assert [row[0] for row in versions] == list(range(1, len(MIGRATIONS) + 1))
    finally:
        await second.close()


async def test_a_schema_from_a_newer_release_is_refused(
    fresh_store_location: StoreLocation,
) -> None:
    await (await open_store_at(fresh_store_location, StoreConfig())).close()
    await query_directly(
        fresh_store_location,
        f"INSERT INTO schema_migrations (version, applied_at_us) VALUES ({len(MIGRATIONS) + 1}, 0)",
    )
    with pytest.raises(SchemaTooNew, match="newer memory-store"):
        await open_store_at(fresh_store_location, StoreConfig())
