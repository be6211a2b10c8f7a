"""Contract: creating, reading, updating and deleting memories, on every backend."""

from __future__ import annotations

import asyncio
import hashlib
import uuid

import pytest
from google.protobuf import timestamp_pb2
from memgrid.common.v1 import memory_pb2 as mpb
from memgrid.memory.v1 import request_response_pb2 as rr
from memgrid_runtime.errors import Aborted, InvalidArgument, NotFound

from services.memory_store.store.memory_rules import heat_gain
from services.memory_store.store.sql_store import SqlMemoryStore
from tests.memory_store.support import TENANT, all_jobs, create, create_request, new_memory


async def test_create_assigns_the_server_owned_fields(store: SqlMemoryStore, clock) -> None:
    [memory] = await create(store, new_memory("  Alice   prefers GREEN tea "))

    assert uuid.UUID(memory.id).version == 7
    assert memory.version == 1
    assert memory.content == "  Alice   prefers GREEN tea "
    expected_hash = hashlib.sha256(b"alice prefers green tea").hexdigest()
    assert memory.content_hash == expected_hash
    assert memory.kind == mpb.MEMORY_KIND_FACT
    assert memory.tier == mpb.MEMORY_TIER_MID
    assert memory.importance == pytest.approx(0.5)
    assert memory.created_at.ToMicroseconds() == clock.now_us()
    assert memory.updated_at == memory.created_at
    assert memory.valid_from == memory.created_at
    assert not memory.HasField("expires_at")
    assert await store.get_memory(TENANT, memory.id) == memory

    [version] = await store.memory_history(TENANT, memory.id)
    assert version.version == 1
    assert version.change_type == mpb.CHANGE_TYPE_CREATED
    assert version.memory == memory


async def test_defaults_follow_the_kind_and_explicit_values_win(store: SqlMemoryStore) -> None:
    message, profile, episode, explicit = await create(
        store,
        new_memory("hi", kind=mpb.MEMORY_KIND_MESSAGE),
        new_memory("likes tea", kind=mpb.MEMORY_KIND_PROFILE),
        new_memory("talked about tea", kind=mpb.MEMORY_KIND_EPISODE),
        new_memory("x", kind=mpb.MEMORY_KIND_PROFILE, tier=mpb.MEMORY_TIER_SHORT, importance=0.0),
    )
    assert message.tier == mpb.MEMORY_TIER_SHORT
    assert profile.tier == mpb.MEMORY_TIER_LONG
    assert episode.tier == mpb.MEMORY_TIER_MID
    assert explicit.tier == mpb.MEMORY_TIER_SHORT
    # importance is optional in the request: an explicit 0 is not "unset".
    assert explicit.importance == 0.0


async def test_ids_follow_request_order(store: SqlMemoryStore) -> None:
    memories = await create(store, *(new_memory(f"fact {n}") for n in range(50)))
    ids = [memory.id for memory in memories]
    assert ids == sorted(ids)
    assert len(set(ids)) == 50


async def test_a_failing_item_writes_nothing_of_the_batch(store: SqlMemoryStore) -> None:
    with pytest.raises(NotFound):
        await create(store, new_memory("fine"), new_memory("bad", cube_id="no-such-cube"))
    assert await store.count_memories(TENANT) == 0
    assert await all_jobs(store) == []


async def test_concurrent_writes_fail_or_succeed_on_their_own(store: SqlMemoryStore) -> None:
    # On SQLite these share group commits: a failing write must not undo its neighbours.
    requests = [
        create_request(new_memory(f"write {n}", cube_id="" if n % 3 else "no-such-cube"))
        for n in range(30)
    ]
    results = await asyncio.gather(
        *(store.create_memories(request) for request in requests), return_exceptions=True
    )
    failed = [n for n, result in enumerate(results) if isinstance(result, NotFound)]
    assert failed == list(range(0, 30, 3))
    stored = [r.memories[0] for r in results if isinstance(r, rr.CreateMemoriesResponse)]
    found = await store.get_memories(TENANT, [memory.id for memory in stored])
    assert found.missing_ids == []
    assert await store.count_memories(TENANT) == 20
    assert len(await all_jobs(store, "search")) == 20


async def test_batch_get_keeps_request_order_and_lists_missing(store: SqlMemoryStore) -> None:
    first, second = await create(store, new_memory("one"), new_memory("two"))
    found = await store.get_memories(TENANT, [second.id, "missing-1", first.id, second.id])
    assert [m.id for m in found.memories] == [second.id, first.id, second.id]
    assert found.missing_ids == ["missing-1"]


async def test_ttl_expiry_hides_the_memory_everywhere(store: SqlMemoryStore, clock) -> None:
    [short_lived] = await create(store, new_memory("temporary", ttl_seconds=60))
    [lasting] = await create(store, new_memory("lasting"))
    expected_expiry = short_lived.created_at.ToMicroseconds() + 60_000_000
    assert short_lived.expires_at.ToMicroseconds() == expected_expiry

    clock.advance(59)
    assert (await store.get_memory(TENANT, short_lived.id)).id == short_lived.id
    clock.advance(1)

    with pytest.raises(NotFound):
        await store.get_memory(TENANT, short_lived.id)
    with pytest.raises(NotFound):
        await store.memory_history(TENANT, short_lived.id)
    with pytest.raises(NotFound):
        await store.update_memory(TENANT, short_lived.id, mpb.MemoryUpdate(heat=1), ["heat"])
    with pytest.raises(NotFound):
        await store.delete_memory(TENANT, short_lived.id)
    found = await store.get_memories(TENANT, [short_lived.id, lasting.id])
    assert found.missing_ids == [short_lived.id]
    page = await store.list_memories(TENANT, mpb.MemoryFilter(user_id="alice"), 10)
    assert [m.id for m in page.memories] == [lasting.id]
    assert await store.count_memories(TENANT) == 1
    assert await store.record_visits(TENANT, [short_lived.id], 5) == 0
    export = await store.export_memories(TENANT, "", 10)
    assert [m.id for m in export.memories] == [lasting.id]


async def test_dedup_returns_the_live_twin_and_writes_nothing(store: SqlMemoryStore) -> None:
    [original] = await create(store, new_memory("Alice prefers green tea"))
    jobs_before = len(await all_jobs(store))

    response = await store.create_memories(
        create_request(
            new_memory("alice  PREFERS green tea\n"),
            new_memory("alice prefers green tea", user_id="bob"),
            new_memory("Bob prefers coffee", user_id="bob"),
            new_memory("bob prefers COFFEE", user_id="bob"),
            dedup=True,
        )
    )

    assert list(response.outcomes) == [
        mpb.WRITE_OUTCOME_DEDUPLICATED,
        mpb.WRITE_OUTCOME_CREATED,
        mpb.WRITE_OUTCOME_CREATED,
        mpb.WRITE_OUTCOME_DEDUPLICATED,
    ]
    assert response.memories[0] == original
    assert response.memories[3] == response.memories[2]
    assert await store.count_memories(TENANT) == 3
    # One upsert job for each memory created, for search: the one queue subscribed to them.
    assert len(await all_jobs(store)) == jobs_before + 2


async def test_dedup_ignores_other_kinds_and_is_off_by_default(store: SqlMemoryStore) -> None:
    await create(store, new_memory("tea"))
    kinds = await store.create_memories(
        create_request(new_memory("tea", kind=mpb.MEMORY_KIND_EPISODE), dedup=True)
    )
    assert list(kinds.outcomes) == [mpb.WRITE_OUTCOME_CREATED]
    plain = await store.create_memories(create_request(new_memory("tea")))
    assert list(plain.outcomes) == [mpb.WRITE_OUTCOME_CREATED]
    assert await store.count_memories(TENANT) == 3


async def test_update_applies_only_the_masked_fields(store: SqlMemoryStore, clock) -> None:
    [memory] = await create(
        store, new_memory("old", tags=["a", "b"], metadata={"source": "chat", "lang": "en"})
    )
    clock.advance(5)
    update = mpb.MemoryUpdate(
        content="New  Content",
        tags=["c"],
        metadata={"source": "email"},
        importance=0.9,
        tier=mpb.MEMORY_TIER_LONG,
        heat=7.5,
    )
    updated = await store.update_memory(
        TENANT, memory.id, update, ["content", "tags", "metadata"], expected_version=1
    )

    assert updated.version == 2
    assert updated.content == "New  Content"
    assert updated.content_hash == hashlib.sha256(b"new content").hexdigest()
    assert list(updated.tags) == ["c"]
    assert dict(updated.metadata) == {"source": "email"}
    assert updated.importance == pytest.approx(0.5)
    assert updated.tier == mpb.MEMORY_TIER_MID
    assert updated.heat == 0
    assert updated.updated_at.ToMicroseconds() == clock.now_us()
    assert updated.created_at == memory.created_at
    assert await store.get_memory(TENANT, memory.id) == updated

    by_new_tag = await store.list_memories(TENANT, mpb.MemoryFilter(tags=["c"]), 10)
    assert [m.id for m in by_new_tag.memories] == [memory.id]
    by_old_tag = await store.list_memories(TENANT, mpb.MemoryFilter(tags=["a"]), 10)
    assert by_old_tag.memories == []
    by_metadata = await store.list_memories(
        TENANT, mpb.MemoryFilter(metadata={"source": "email"}), 10
    )
    assert [m.id for m in by_metadata.memories] == [memory.id]

    history = await store.memory_history(TENANT, memory.id)
    assert [(v.version, v.change_type) for v in history] == [
        (1, mpb.CHANGE_TYPE_CREATED),
        (2, mpb.CHANGE_TYPE_UPDATED),
    ]
    assert history[0].memory.content == "old"
    assert history[1].memory == updated


async def test_update_of_importance_tier_and_heat(store: SqlMemoryStore) -> None:
    [memory] = await create(store, new_memory("x"))
    update = mpb.MemoryUpdate(importance=0.0, tier=mpb.MEMORY_TIER_LONG, heat=3.25)
    updated = await store.update_memory(TENANT, memory.id, update, ["importance", "tier", "heat"])
    assert (updated.importance, updated.tier, updated.heat) == (0.0, mpb.MEMORY_TIER_LONG, 3.25)
    assert (await store.get_memory(TENANT, memory.id)).heat == 3.25
    long_tier = await store.list_memories(
        TENANT, mpb.MemoryFilter(tiers=[mpb.MEMORY_TIER_LONG]), 10
    )
    assert [m.id for m in long_tier.memories] == [memory.id]


async def test_stale_expected_version_is_aborted_and_changes_nothing(
    store: SqlMemoryStore,
) -> None:
    [memory] = await create(store, new_memory("v1"))
    await store.update_memory(TENANT, memory.id, mpb.MemoryUpdate(content="v2"), ["content"], 1)

    with pytest.raises(Aborted) as caught:
        await store.update_memory(
            TENANT, memory.id, mpb.MemoryUpdate(content="lost update"), ["content"], 1
        )
    assert caught.value.reason == "VERSION_MISMATCH"
    assert caught.value.metadata == {"current_version": "2"}
    current = await store.get_memory(TENANT, memory.id)
    assert (current.version, current.content) == (2, "v2")
    assert len(await store.memory_history(TENANT, memory.id)) == 2


async def test_superseding_records_history_and_hides_from_lists(
    store: SqlMemoryStore, clock
) -> None:
    old, new = await create(store, new_memory("lives in Paris"), new_memory("lives in Rome"))
    clock.advance(1)
    superseded = await store.update_memory(
        TENANT, old.id, mpb.MemoryUpdate(superseded_by=new.id), ["superseded_by"]
    )
    assert superseded.superseded_by == new.id
    assert superseded.valid_to.ToMicroseconds() == clock.now_us()
    history = await store.memory_history(TENANT, old.id)
    assert history[-1].change_type == mpb.CHANGE_TYPE_SUPERSEDED

    clock.advance(1)
    listed = await store.list_memories(TENANT, mpb.MemoryFilter(user_id="alice"), 10)
    assert [m.id for m in listed.memories] == [new.id]
    with_history = await store.list_memories(
        TENANT, mpb.MemoryFilter(user_id="alice", include_superseded=True), 10
    )
    assert [m.id for m in with_history.memories] == [old.id, new.id]
    assert (await store.get_memory(TENANT, old.id)).superseded_by == new.id


async def test_valid_to_in_the_future_is_not_superseded_yet(store: SqlMemoryStore, clock) -> None:
    [memory] = await create(store, new_memory("on holiday"))
    until = timestamp_pb2.Timestamp()
    until.FromMicroseconds(clock.now_us() + 3_600_000_000)
    await store.update_memory(TENANT, memory.id, mpb.MemoryUpdate(valid_to=until), ["valid_to"])
    listed = await store.list_memories(TENANT, mpb.MemoryFilter(user_id="alice"), 10)
    assert [m.id for m in listed.memories] == [memory.id]
    clock.advance(3601)
    listed = await store.list_memories(TENANT, mpb.MemoryFilter(user_id="alice"), 10)
    assert listed.memories == []


async def test_successor_must_exist_and_differ(store: SqlMemoryStore) -> None:
    [memory] = await create(store, new_memory("x"))
    for successor in ("missing", memory.id):
        with pytest.raises(InvalidArgument) as caught:
            await store.update_memory(
                TENANT, memory.id, mpb.MemoryUpdate(superseded_by=successor), ["superseded_by"]
            )
        assert [v.field for v in caught.value.violations] == ["update.superseded_by"]
    assert (await store.get_memory(TENANT, memory.id)).version == 1


async def test_expiry_can_be_set_and_cleared(store: SqlMemoryStore, clock) -> None:
    [memory] = await create(store, new_memory("x", ttl_seconds=10))
    cleared = await store.update_memory(TENANT, memory.id, mpb.MemoryUpdate(), ["expires_at"])
    assert not cleared.HasField("expires_at")
    clock.advance(20)
    assert (await store.get_memory(TENANT, memory.id)).version == 2


async def test_delete_removes_the_memory_and_its_whole_history(store: SqlMemoryStore) -> None:
    [memory] = await create(store, new_memory("v1"))
    for content in ("v2", "v3"):
        await store.update_memory(TENANT, memory.id, mpb.MemoryUpdate(content=content), ["content"])

    assert (await store.delete_memory(TENANT, memory.id)).versions == {memory.id: 3}

    with pytest.raises(NotFound):
        await store.get_memory(TENANT, memory.id)
    with pytest.raises(NotFound):
        await store.memory_history(TENANT, memory.id)
    with pytest.raises(NotFound):
        await store.delete_memory(TENANT, memory.id)
    deletions = [job for job in await all_jobs(store) if job.topic == "memory.deleted"]
    assert sorted(job.queue for job in deletions) == ["graph", "search"]
    assert {(job.memory_id, job.memory_version) for job in deletions} == {(memory.id, 3)}
    deleted = deletions[0].event.memory_deleted
    assert (deleted.memory_id, deleted.version, deleted.scope.user_id) == (memory.id, 3, "alice")


async def test_delete_by_filter_takes_every_match_and_nothing_else(
    store: SqlMemoryStore, clock
) -> None:
    doomed = await create(
        store,
        new_memory("a", session_id="s1"),
        new_memory("b", session_id="s1", ttl_seconds=1),
        new_memory("c", session_id="s1", user_id="bob"),
        new_memory("d", session_id="s1"),
    )
    [kept] = await create(store, new_memory("e", session_id="s2"))
    await store.update_memory(
        TENANT, doomed[3].id, mpb.MemoryUpdate(superseded_by=doomed[0].id), ["superseded_by"]
    )
    clock.advance(2)

    deleted = await store.delete_memories(TENANT, mpb.MemoryFilter(session_id="s1"))

    # Expired and superseded matches go too: nothing the filter names outlives the call.
    assert deleted.named_ids == [memory.id for memory in doomed]
    assert await store.count_memories(TENANT) == 1
    assert (await store.get_memory(TENANT, kept.id)).id == kept.id
    with pytest.raises(InvalidArgument):
        await store.list_memories(TENANT, mpb.MemoryFilter(), 0)


async def test_visits_add_heat_without_a_new_version(store: SqlMemoryStore, clock) -> None:
    first, second = await create(store, new_memory("one"), new_memory("two"))
    clock.advance(3)

    assert await store.record_visits(TENANT, [first.id, first.id, "unknown"], 40) == 1
    assert await store.record_visits(TENANT, [first.id, second.id], 0) == 2

    visited = await store.get_memory(TENANT, first.id)
    assert visited.visit_count == 2
    assert visited.heat == pytest.approx(heat_gain(40) + heat_gain(0))
    assert heat_gain(40) > heat_gain(0)
    assert visited.last_visited_at.ToMicroseconds() == clock.now_us()
    assert visited.version == 1
    assert visited.updated_at == first.updated_at
    assert len(await store.memory_history(TENANT, first.id)) == 1


async def test_a_batch_of_visits_counts_each_of_them(store: SqlMemoryStore) -> None:
    [memory] = await create(store, new_memory("seen by three searches"))

    assert await store.record_visits(TENANT, [memory.id], 1, visits=3) == 1

    visited = await store.get_memory(TENANT, memory.id)
    assert visited.visit_count == 3
    assert visited.heat == pytest.approx(3 * heat_gain(1))


async def test_export_pages_by_id_and_counts(store: SqlMemoryStore, clock) -> None:
    early = await create(store, *(new_memory(f"early {n}") for n in range(3)))
    clock.advance(10)
    since = timestamp_pb2.Timestamp()
    since.FromMicroseconds(clock.now_us())
    late = await create(store, *(new_memory(f"late {n}") for n in range(2)))

    exported, after = [], ""
    while True:
        page = await store.export_memories(TENANT, after, 2)
        exported.extend(page.memories)
        after = page.next_after_id
        if not after:
            break
    assert [m.id for m in exported] == [m.id for m in early + late]
    changed = await store.export_memories(TENANT, "", 10, since)
    assert [m.id for m in changed.memories] == [m.id for m in late]
    assert await store.count_memories(TENANT) == 5
