"""The embedded FalkorDB child process: persistence, exclusivity, crash recovery."""

from __future__ import annotations

import asyncio
import shutil

import pytest
from falkordb.asyncio.graph import AsyncGraph  # type: ignore[import-untyped]

from services.graph.model import EntityInput, GraphScope, MentionInput, UpsertBatch
from services.graph.store.cypher_store import CypherGraphStore
from services.graph.store.falkordb import FalkorDBBackend
from services.graph.store.falkordb_process import FalkorDBProcess, FalkorDBStartError
from tests.graph.conftest import short_temp_dir

SCOPE = GraphScope("process-tenant", "process-user")


async def upsert_and_close(process: FalkorDBProcess, memory_id: str) -> None:
    store = CypherGraphStore(FalkorDBBackend.connect(str(process.socket_path), "persist"))
    await store.upsert(
        SCOPE, UpsertBatch(mentions=[MentionInput(memory_id, f"entity {memory_id}")])
    )
    await store.close()


async def memory_count(process: FalkorDBProcess) -> int:
    store = CypherGraphStore(FalkorDBBackend.connect(str(process.socket_path), "persist"))
    try:
        return (await store.stats(SCOPE)).memory_count
    finally:
        await store.close()


async def test_graph_survives_restart_and_crash() -> None:
    data_dir = short_temp_dir("mg-falkordb-")
    process = FalkorDBProcess(data_dir)
    try:
        process.start()
        await upsert_and_close(process, "m1")
        process.stop()
        process.start()
        assert await memory_count(process) == 1

        await upsert_and_close(process, "m2")
        # appendfsync everysec: what is older than a second survives a kill -9.
        await asyncio.sleep(1.5)
        process.kill()
        process.start()
        assert await memory_count(process) == 2
    finally:
        process.stop()
        shutil.rmtree(data_dir, ignore_errors=True)


def test_one_process_per_data_dir(falkordb_process: FalkorDBProcess) -> None:
    with pytest.raises(FalkorDBStartError, match="already serves"):
        FalkorDBProcess(falkordb_process.data_dir).start()


def test_too_long_socket_path_is_refused_with_advice(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    deep = tmp_path_factory.mktemp("x") / ("d" * 120)
    with pytest.raises(FalkorDBStartError, match="MEMGRID_FALKORDB_DIR"):
        FalkorDBProcess(deep).start()


async def test_a_graph_from_before_per_user_graphs_is_migrated_at_start_up(
    falkordb_process: FalkorDBProcess,
) -> None:
    """The old (tenant, key) unique constraints would forbid two users an entity of the
    same name: start-up drops them, and starting again (nothing left to drop) works."""
    backend = FalkorDBBackend.connect(str(falkordb_process.socket_path), "migration")
    old_schema = AsyncGraph(backend._client, "migration")
    for label in ("Entity", "Alias"):
        await old_schema.create_node_range_index(label, "tenant", "key")
        await old_schema.create_node_unique_constraint(label, "tenant", "key")
    await backend.ensure_schema()
    await backend.ensure_schema()
    store = CypherGraphStore(backend)
    try:
        for user in ("u1", "u2"):
            await store.upsert(
                GraphScope("t", user),
                UpsertBatch(
                    entities=[EntityInput("Anna", "person", ["Annie"])],
                    mentions=[MentionInput(f"m-{user}", "Anna")],
                ),
            )
        for user in ("u1", "u2"):
            assert (await store.get_entity(GraphScope("t", user), "Annie")).name == "Anna"
            assert (await store.stats(GraphScope("t", user))).entity_count == 1
    finally:
        await store.close()
