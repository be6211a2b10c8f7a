"""Contract: a delete reaches what was derived from the deleted memory, and erasing a user
or a tenant leaves nothing of theirs in any table.

Derived memories here are written the way the thought engine writes them: FACT, PROFILE,
EPISODE and PATTERN memories naming their MESSAGE sources in source_message_ids (and, for a
restated fact, in the `thought.sources` metadata list).
"""

from __future__ import annotations

from google.protobuf.timestamp_pb2 import Timestamp
from memgrid.common.v1 import memory_pb2 as mpb
from memgrid.memory.v1 import request_response_pb2 as rr
from memgrid_runtime.errors import NotFound

from services.memory_store.store.config import StoreConfig
from services.memory_store.store.sql_store import SqlMemoryStore
from tests.memory_store.support import (
    OTHER_TENANT,
    TENANT,
    UNDO_TYPED_JOB_EVENTS,
    StoreLocation,
    all_jobs,
    append_request,
    create,
    create_request,
    new_memory,
    open_store_at,
    query_directly,
)


async def messages(store: SqlMemoryStore, *contents: str, user_id: str = "alice") -> list[str]:
    response = await store.append_messages(append_request(*contents, user_id=user_id))
    return [memory.id for memory in response.memories]


def derived(
    content: str,
    sources: list[str],
    kind: int = mpb.MEMORY_KIND_FACT,
    user_id: str = "alice",
    metadata: dict[str, str] | None = None,
) -> mpb.NewMemory:
    memory = new_memory(content, kind=kind, user_id=user_id, metadata=metadata)
    memory.source_message_ids.extend(sources)
    return memory


async def exists(store: SqlMemoryStore, memory_id: str) -> bool:
    try:
        await store.get_memory(TENANT, memory_id)
    except NotFound:
        return False
    return True


async def deleted_in_outbox(store: SqlMemoryStore, queue: str = "search") -> set[str]:
    return {job.memory_id for job in await all_jobs(store, queue) if job.topic == "memory.deleted"}


async def test_a_fact_whose_only_source_is_deleted_goes_with_it(store: SqlMemoryStore) -> None:
    [said] = await messages(store, "I live in Lyon")
    [fact, profile, pattern] = await create(
        store,
        derived("User lives in Lyon.", [said]),
        derived("lives_in: Lyon", [said], kind=mpb.MEMORY_KIND_PROFILE),
        derived("Often talks about Lyon", [said], kind=mpb.MEMORY_KIND_PATTERN),
    )

    erasure = await store.delete_memory(TENANT, said)

    assert sorted(erasure.derived.deleted_ids) == sorted([fact.id, profile.id, pattern.id])
    assert list(erasure.derived.revised_ids) == []
    for memory_id in (said, fact.id, profile.id, pattern.id):
        assert not await exists(store, memory_id)
    # Every consumer hears of every deletion, derived ones included.
    assert {said, fact.id, profile.id, pattern.id} <= await deleted_in_outbox(store, "graph")


async def test_a_fact_with_another_living_source_keeps_it(store: SqlMemoryStore) -> None:
    first, second = await messages(store, "I live in Lyon", "Yes, Lyon is home")
    [fact] = await create(
        store,
        derived(
            "User lives in Lyon.",
            [first, second],
            metadata={"thought.sources": f"{first},{second}", "thought.value": "Lyon"},
        ),
    )

    erasure = await store.delete_memory(TENANT, first)

    assert list(erasure.derived.revised_ids) == [fact.id]
    kept = await store.get_memory(TENANT, fact.id)
    assert list(kept.source_message_ids) == [second]
    assert kept.metadata["thought.sources"] == second
    assert kept.metadata["thought.value"] == "Lyon"
    assert kept.version == fact.version + 1
    # The search index re-reads the revised memory.
    upserts = [j for j in await all_jobs(store, "search") if j.topic == "memory.upserted"]
    assert any(j.memory_id == fact.id and j.memory_version == kept.version for j in upserts)

    # Its last source gone, it goes too.
    erasure = await store.delete_memory(TENANT, second)
    assert list(erasure.derived.deleted_ids) == [fact.id]
    assert not await exists(store, fact.id)


async def test_an_episode_goes_when_any_of_its_turns_goes(store: SqlMemoryStore) -> None:
    """A summary may quote any turn it covers: it cannot be kept on the others."""
    turns = await messages(store, "my code word is zebra-42", "nice", "see you")
    [episode] = await create(
        store, derived("Alice shared zebra-42 and left.", turns, kind=mpb.MEMORY_KIND_EPISODE)
    )

    erasure = await store.delete_memory(TENANT, turns[0])

    assert list(erasure.derived.deleted_ids) == [episode.id]
    assert not await exists(store, episode.id)
    assert await exists(store, turns[1])


async def test_sources_set_by_an_update_are_followed(store: SqlMemoryStore) -> None:
    first, second = await messages(store, "I like tea", "I really like tea")
    [fact] = await create(store, derived("User likes tea.", [first]))
    await store.update_memory(
        TENANT,
        fact.id,
        mpb.MemoryUpdate(source_message_ids=[first, second]),
        ["source_message_ids"],
    )

    erasure = await store.delete_memory(TENANT, first)

    assert list(erasure.derived.revised_ids) == [fact.id]
    assert list((await store.get_memory(TENANT, fact.id)).source_message_ids) == [second]


async def test_what_a_deleted_memory_superseded_is_current_again(store: SqlMemoryStore) -> None:
    [paris_said, lyon_said] = await messages(store, "I live in Paris", "I moved to Lyon")
    [paris, lyon] = await create(
        store,
        derived("User lives in Paris.", [paris_said]),
        derived("User lives in Lyon.", [lyon_said]),
    )
    await store.update_memory(
        TENANT, paris.id, mpb.MemoryUpdate(superseded_by=lyon.id), ["superseded_by"]
    )

    erasure = await store.delete_memory(TENANT, lyon_said)

    assert list(erasure.derived.deleted_ids) == [lyon.id]
    assert list(erasure.derived.restored_ids) == [paris.id]
    current = await store.get_memory(TENANT, paris.id)
    assert current.superseded_by == ""
    assert not current.HasField("valid_to")
    page = await store.list_memories(TENANT, mpb.MemoryFilter(user_id="alice"), 10)
    assert paris.id in [memory.id for memory in page.memories]


async def test_a_chain_of_successors_skips_the_deleted_link(store: SqlMemoryStore) -> None:
    a, b, c = await create(store, new_memory("v1"), new_memory("v2"), new_memory("v3"))
    later = Timestamp(seconds=4_000_000_000)
    await store.update_memory(
        TENANT,
        b.id,
        mpb.MemoryUpdate(superseded_by=c.id, valid_to=later),
        ["superseded_by", "valid_to"],
    )
    await store.update_memory(
        TENANT,
        a.id,
        mpb.MemoryUpdate(superseded_by=b.id, valid_to=later),
        ["superseded_by", "valid_to"],
    )

    erasure = await store.delete_memory(TENANT, b.id)

    assert list(erasure.derived.restored_ids) == [a.id]
    relinked = await store.get_memory(TENANT, a.id)
    assert relinked.superseded_by == c.id
    assert relinked.valid_to == later


async def test_erasing_a_user_leaves_nothing_of_theirs(store: SqlMemoryStore) -> None:
    said = await messages(store, "alice's secret zebra-42", "more")
    await create(store, derived("User's code word is zebra-42.", said[:1]))
    await store.create_cube(TENANT, "alice-notes", "alice", "notes", "")
    await create(store, new_memory("in the cube", cube_id="alice-notes"))
    await store.create_cube(TENANT, "bob-notes", "bob", "bob's", "")
    await store.share_cube(TENANT, "bob-notes", "bob", "alice")
    await store.create_memories(
        create_request(new_memory("replayable zebra-42"), idempotency_key="retry-me")
    )
    # Finished jobs about alice (their notes describe her data) and a pending one for bob.
    leased = await store.lease_jobs("thought", "w", 100, 60)
    note = "facts: 1 added [ADD user code='zebra-42']"
    await store.ack_jobs(
        [rr.AckJobsRequest.Ack(job_id=j.id, lease_token=j.lease_token, note=note) for j in leased]
    )
    bobs = await messages(store, "bob's turn", user_id="bob")

    erased = await store.erase_user(TENANT, "alice")

    receipt = erased.receipt
    assert receipt.receipt_id.startswith("erasure_")
    assert receipt.user_id == "alice"
    assert receipt.memories_deleted == 5
    assert receipt.cubes_deleted == 1
    assert receipt.cube_grants_deleted == 1
    assert receipt.idempotency_keys_deleted == 1
    assert receipt.jobs_deleted >= 1
    assert await store.count_memories(TENANT) == len(bobs)
    assert [cube.cube_id for cube in await store.list_cubes(TENANT, "alice")] == []
    assert [list(c.reader_user_ids) for c in await store.list_cubes(TENANT, "bob")] == [[]]
    notes = [job.note for job in await all_jobs(store)]
    assert not any("zebra" in note for note in notes)
    # The deletions still reach the derived stores.
    assert set(erased.deleted_ids) <= await deleted_in_outbox(store, "search")
    # A retried write with the erased key writes anew instead of replaying erased content.
    again = await store.create_memories(
        create_request(new_memory("replayable zebra-42"), idempotency_key="retry-me")
    )
    assert again.memories[0].id not in erased.deleted_ids


async def test_erasing_a_tenant_leaves_other_tenants_alone(store: SqlMemoryStore) -> None:
    await messages(store, "one", "two")
    await create(store, new_memory("bob's", user_id="bob"))
    [other] = await create(store, new_memory("elsewhere"), tenant_id=OTHER_TENANT)

    erased = await store.erase_tenant(TENANT)

    assert erased.receipt.memories_deleted == 3
    assert erased.receipt.user_id == ""
    assert await store.count_memories(TENANT) == 0
    assert (await store.get_memory(OTHER_TENANT, other.id)).id == other.id


async def test_an_erasure_of_nobody_erases_nothing(store: SqlMemoryStore) -> None:
    await messages(store, "still here")
    erased = await store.erase_user(TENANT, "nobody")
    assert erased.receipt.memories_deleted == 0
    assert await store.count_memories(TENANT) == 1


async def test_migrating_to_version_3_indexes_the_provenance_already_stored(
    fresh_store_location: StoreLocation,
) -> None:
    first = await open_store_at(fresh_store_location, StoreConfig())
    a, b = await messages(first, "I like tea", "still tea")
    # A fact restated before updates carried sources: the second source only in metadata.
    [fact] = await create(
        first, derived("User likes tea.", [a], metadata={"thought.sources": f"{a},{b}"})
    )
    await first.close()
    for statement in (
        "DROP TABLE memory_sources",
        "DROP INDEX memories_by_successor",
        *UNDO_TYPED_JOB_EVENTS,
        "DELETE FROM schema_migrations WHERE version > 2",
    ):
        await query_directly(fresh_store_location, statement)

    second = await open_store_at(fresh_store_location, StoreConfig())
    try:
        erasure = await second.delete_memory(TENANT, a)
        assert list(erasure.derived.revised_ids) == [fact.id]
        assert list((await second.get_memory(TENANT, fact.id)).source_message_ids) == [b]
    finally:
        await second.close()
