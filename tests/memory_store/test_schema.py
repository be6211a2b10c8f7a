"""Contract: the schema is migrated at open, once, and a newer schema is refused."""

from __future__ import annotations

import pytest
from google.protobuf.timestamp_pb2 import Timestamp
from memgrid.common.v1 import memory_pb2 as mpb
from memgrid.memory.v1 import job_pb2

from services.memory_store.store.config import StoreConfig
from services.memory_store.store.schema import MIGRATIONS, SchemaTooNew
from tests.memory_store.support import (
    TENANT,
    UNDO_TYPED_JOB_EVENTS,
    StoreLocation,
    all_jobs,
    append_request,
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


async def test_migrating_from_version_1_copies_successors_out_of_the_bodies(
    fresh_store_location: StoreLocation,
) -> None:
    first = await open_store_at(fresh_store_location, StoreConfig())
    old, new = await create(first, new_memory("lives in Paris"), new_memory("lives in Rome"))
    later = Timestamp(seconds=4_000_000_000)
    await first.update_memory(
        TENANT,
        old.id,
        mpb.MemoryUpdate(superseded_by=new.id, valid_to=later),
        ["superseded_by", "valid_to"],
    )
    await first.close()
    # Back to version 1, which kept superseded_by only in the memory's body.
    for statement in (
        "DROP TABLE memory_sources",
        "DROP INDEX memories_by_successor",
        "ALTER TABLE memories DROP COLUMN superseded_by",
        *UNDO_TYPED_JOB_EVENTS,
        "DELETE FROM schema_migrations WHERE version > 1",
    ):
        await query_directly(fresh_store_location, statement)

    second = await open_store_at(fresh_store_location, StoreConfig())
    try:
        page = await second.list_memories(TENANT, mpb.MemoryFilter(user_id="alice"), 10)
        assert [memory.id for memory in page.memories] == [new.id]
    finally:
        await second.close()


async def test_migrating_to_version_4_types_the_events_of_stored_jobs(
    fresh_store_location: StoreLocation,
) -> None:
    first = await open_store_at(fresh_store_location, StoreConfig())
    appended = await first.append_messages(append_request("I moved to Lyon", "Nice"))
    first_id, last_id = (m.id for m in appended.memories)
    await first.close()
    for statement in (*UNDO_TYPED_JOB_EVENTS, "DELETE FROM schema_migrations WHERE version > 3"):
        await query_directly(fresh_store_location, statement)
    # What version 3 wrote for these jobs, and a consumer-defined topic it also allowed.
    scope = '"scope":{"agent_id":"","cube_id":"","session_id":"session-1","user_id":"alice"}'
    for topic, payload in (
        (
            "memory.upserted",
            f'{{"kind":"MEMORY_KIND_MESSAGE","memory_id":"{first_id}",{scope},"version":1}}',
        ),
        (
            "messages.appended",
            f'{{"first_session_seq":1,"last_session_seq":2,"memory_ids":["{first_id}",'
            f'"{last_id}"],{scope}}}',
        ),
    ):
        await query_directly(
            fresh_store_location,
            f"UPDATE jobs SET payload_json = '{payload}' WHERE topic = '{topic}'",
        )
    await query_directly(
        fresh_store_location,
        f"UPDATE jobs SET topic = 'reindex', payload_json = '{{}}' WHERE memory_id = '{last_id}'"
        " AND queue = 'search'",
    )

    second = await open_store_at(fresh_store_location, StoreConfig())
    try:
        search_jobs = {job.memory_id: job for job in await all_jobs(second, "search")}
        upserted = search_jobs[first_id].event.memory_upserted
        assert (upserted.memory_id, upserted.version, upserted.kind) == (
            first_id,
            1,
            mpb.MEMORY_KIND_MESSAGE,
        )
        assert upserted.scope == mpb.Scope(user_id="alice", session_id="session-1")
        # A topic no event names becomes a job without a case, which its worker ignores.
        assert search_jobs[last_id].event.WhichOneof("event") is None
        [thought] = await all_jobs(second, "thought")
        assert thought.event.messages_appended == job_pb2.MessagesAppended(
            scope=mpb.Scope(user_id="alice", session_id="session-1"),
            memory_ids=[first_id, last_id],
            first_session_seq=1,
            last_session_seq=2,
        )
    finally:
        await second.close()
