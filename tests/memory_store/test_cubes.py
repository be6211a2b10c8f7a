"""Contract: cubes are owned, shared read-only, and guard writes and reads."""

from __future__ import annotations

import pytest
from memgrid.common.v1 import memory_pb2 as mpb
from memgrid_runtime.errors import AlreadyExists, NotFound, PermissionDenied

from services.memory_store.store.sql_store import SqlMemoryStore
from tests.memory_store.support import (
    OTHER_TENANT,
    TENANT,
    append_request,
    create,
    new_memory,
)


async def test_create_and_list_owned_and_shared(store: SqlMemoryStore, clock) -> None:
    work = await store.create_cube(TENANT, "work", "alice", "Work", "work notes")
    assert (work.cube_id, work.owner_user_id, work.name, work.description) == (
        "work",
        "alice",
        "Work",
        "work notes",
    )
    with pytest.raises(AlreadyExists):
        await store.create_cube(TENANT, "work", "bob", "Mine now", "")
    clock.advance(1)
    await store.create_cube(TENANT, "home", "bob", "Home", "")

    shared = await store.share_cube(TENANT, "home", "bob", "alice")
    assert list(shared.reader_user_ids) == ["alice"]
    assert [c.cube_id for c in await store.list_cubes(TENANT, "alice")] == ["work", "home"]
    assert [c.cube_id for c in await store.list_cubes(TENANT, "bob")] == ["home"]
    assert await store.list_cubes(TENANT, "carol") == []

    unshared = await store.unshare_cube(TENANT, "home", "bob", "alice")
    assert list(unshared.reader_user_ids) == []
    assert [c.cube_id for c in await store.list_cubes(TENANT, "alice")] == ["work"]


async def test_only_the_owner_shares(store: SqlMemoryStore) -> None:
    await store.create_cube(TENANT, "work", "alice", "Work", "")
    with pytest.raises(PermissionDenied):
        await store.share_cube(TENANT, "work", "bob", "bob")
    with pytest.raises(PermissionDenied):
        await store.unshare_cube(TENANT, "work", "bob", "carol")
    with pytest.raises(NotFound):
        await store.share_cube(TENANT, "nope", "alice", "bob")


async def test_writes_need_an_existing_cube_owned_by_the_writer(store: SqlMemoryStore) -> None:
    await store.create_cube(TENANT, "work", "alice", "Work", "")
    await store.share_cube(TENANT, "work", "alice", "bob")

    [written] = await create(store, new_memory("standup at 9", cube_id="work"))
    assert written.scope.cube_id == "work"
    with pytest.raises(PermissionDenied):
        await create(store, new_memory("sneaky", user_id="bob", cube_id="work"))
    with pytest.raises(PermissionDenied):
        await store.append_messages(append_request("hi", user_id="bob", cube_id="work"))
    with pytest.raises(NotFound):
        await create(store, new_memory("lost", cube_id="nope"))
    assert await store.count_memories(TENANT) == 1


async def test_readers_see_every_memory_of_a_cube(store: SqlMemoryStore) -> None:
    await store.create_cube(TENANT, "work", "alice", "Work", "")
    await store.create_cube(TENANT, "private", "alice", "Private", "")
    in_cube = await create(store, new_memory("a", cube_id="work"), new_memory("b", cube_id="work"))
    await create(store, new_memory("c", cube_id="private"), new_memory("d"))
    await store.share_cube(TENANT, "work", "alice", "bob")

    page = await store.list_memories(TENANT, mpb.MemoryFilter(user_id="bob", cube_ids=["work"]), 10)
    assert [m.id for m in page.memories] == [m.id for m in in_cube]
    with pytest.raises(PermissionDenied):
        await store.list_memories(
            TENANT, mpb.MemoryFilter(user_id="bob", cube_ids=["work", "private"]), 10
        )
    with pytest.raises(NotFound):
        await store.list_memories(TENANT, mpb.MemoryFilter(user_id="bob", cube_ids=["nope"]), 10)

    await store.unshare_cube(TENANT, "work", "alice", "bob")
    with pytest.raises(PermissionDenied):
        await store.list_memories(TENANT, mpb.MemoryFilter(user_id="bob", cube_ids=["work"]), 10)


async def test_only_the_owner_deletes_from_a_cube(store: SqlMemoryStore) -> None:
    await store.create_cube(TENANT, "work", "alice", "Work", "")
    await store.share_cube(TENANT, "work", "alice", "bob")
    [memory] = await create(store, new_memory("a", cube_id="work"))

    with pytest.raises(PermissionDenied):
        await store.delete_memories(TENANT, mpb.MemoryFilter(user_id="bob", cube_ids=["work"]))
    deleted = await store.delete_memories(
        TENANT, mpb.MemoryFilter(user_id="alice", cube_ids=["work"])
    )
    assert deleted.named_ids == [memory.id]


async def test_cubes_belong_to_one_tenant(store: SqlMemoryStore) -> None:
    await store.create_cube(TENANT, "work", "alice", "Work", "")
    with pytest.raises(NotFound):
        await store.share_cube(OTHER_TENANT, "work", "alice", "bob")
    with pytest.raises(NotFound):
        await create(store, new_memory("x", cube_id="work"), tenant_id=OTHER_TENANT)
    assert await store.list_cubes(OTHER_TENANT, "alice") == []
    theirs = await store.create_cube(OTHER_TENANT, "work", "mallory", "Theirs", "")
    assert theirs.owner_user_id == "mallory"
    assert (await store.list_cubes(TENANT, "alice"))[0].owner_user_id == "alice"
