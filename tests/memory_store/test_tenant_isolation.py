"""Contract: one tenant never sees or touches another's memories."""

from __future__ import annotations

import pytest
from memgrid.common.v1 import memory_pb2 as mpb
from memgrid_runtime.errors import InvalidArgument, NotFound

from services.memory_store.store.sql_store import SqlMemoryStore
from tests.memory_store.support import OTHER_TENANT, TENANT, create, create_request, new_memory


async def test_another_tenant_cannot_reach_a_memory_by_id(store: SqlMemoryStore) -> None:
    [memory] = await create(store, new_memory("secret", session_id="s1", tags=["t"]))

    with pytest.raises(NotFound):
        await store.get_memory(OTHER_TENANT, memory.id)
    found = await store.get_memories(OTHER_TENANT, [memory.id])
    assert (found.memories, found.missing_ids) == ([], [memory.id])
    with pytest.raises(NotFound):
        await store.memory_history(OTHER_TENANT, memory.id)
    with pytest.raises(NotFound):
        await store.update_memory(
            OTHER_TENANT, memory.id, mpb.MemoryUpdate(content="pwned"), ["content"]
        )
    with pytest.raises(NotFound):
        await store.delete_memory(OTHER_TENANT, memory.id)
    assert await store.record_visits(OTHER_TENANT, [memory.id], 10) == 0
    assert (
        await store.delete_memories(OTHER_TENANT, mpb.MemoryFilter(user_id="alice"))
    ).named_ids == []
    for memory_filter in (mpb.MemoryFilter(), mpb.MemoryFilter(user_id="alice", tags=["t"])):
        page = await store.list_memories(OTHER_TENANT, memory_filter, 10)
        assert page.memories == []
    assert (await store.export_memories(OTHER_TENANT, "", 10)).memories == []
    assert await store.count_memories(OTHER_TENANT) == 0

    unchanged = await store.get_memory(TENANT, memory.id)
    assert unchanged == memory
    assert len(await store.memory_history(TENANT, memory.id)) == 1


async def test_another_tenant_cannot_supersede_with_a_foreign_id(store: SqlMemoryStore) -> None:
    [theirs] = await create(store, new_memory("theirs"), tenant_id=OTHER_TENANT)
    [mine] = await create(store, new_memory("mine"))
    with pytest.raises(InvalidArgument) as caught:
        await store.update_memory(
            TENANT, mine.id, mpb.MemoryUpdate(superseded_by=theirs.id), ["superseded_by"]
        )
    assert [v.field for v in caught.value.violations] == ["update.superseded_by"]


async def test_same_content_in_two_tenants_is_never_deduplicated_across(
    store: SqlMemoryStore,
) -> None:
    [mine] = await create(store, new_memory("tea"))
    response = await store.create_memories(
        create_request(new_memory("tea"), tenant_id=OTHER_TENANT, dedup=True)
    )
    assert list(response.outcomes) == [mpb.WRITE_OUTCOME_CREATED]
    assert response.memories[0].id != mine.id
