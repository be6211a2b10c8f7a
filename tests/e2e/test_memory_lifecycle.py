"""A memory's whole life through the gateway: add, get, update, history, delete."""

from __future__ import annotations

import uuid

import pytest
from memgrid.common.v1 import memory_pb2 as common
from memgrid_runtime import errors


def _user() -> str:
    return f"user-{uuid.uuid4().hex[:8]}"


async def test_add_get_update_history_delete(client_a):
    user = _user()
    created = await client_a.add_memory(
        "I live in Paris", user_id=user, session_id="s1", metadata={"source": "chat"}, tags=["home"]
    )
    assert created.id and created.version == 1
    assert created.kind == common.MEMORY_KIND_FACT
    assert created.content_hash

    fetched = await client_a.get_memory(created.id)
    assert fetched.content == "I live in Paris"
    assert dict(fetched.metadata) == {"source": "chat"}
    assert list(fetched.tags) == ["home"]

    updated = await client_a.update_memory(
        created.id,
        common.MemoryUpdate(content="I live in Berlin", importance=0.9),
        ["content", "importance"],
        expected_version=1,
    )
    assert updated.version == 2
    assert updated.content == "I live in Berlin"
    assert updated.importance == pytest.approx(0.9)
    assert updated.content_hash != created.content_hash

    history = await client_a.get_memory_history(created.id)
    assert [v.version for v in history] == [1, 2]
    assert [v.memory.content for v in history] == ["I live in Paris", "I live in Berlin"]
    assert [v.change_type for v in history] == [
        common.CHANGE_TYPE_CREATED,
        common.CHANGE_TYPE_UPDATED,
    ]

    deleted = await client_a.delete_memory(created.id)
    assert deleted.id == created.id
    assert deleted.versions_deleted == 2
    assert {p.store for p in deleted.propagation} == {"search", "graph"}

    with pytest.raises(errors.NotFound):
        await client_a.get_memory(created.id)
    with pytest.raises(errors.NotFound):
        await client_a.get_memory_history(created.id)
    with pytest.raises(errors.NotFound):
        await client_a.delete_memory(created.id)


async def test_stale_expected_version_is_aborted_and_changes_nothing(client_a):
    memory = await client_a.add_memory("likes tea", user_id=_user())
    await client_a.update_memory(
        memory.id, common.MemoryUpdate(content="likes coffee"), ["content"]
    )
    with pytest.raises(errors.Aborted):
        await client_a.update_memory(
            memory.id,
            common.MemoryUpdate(content="likes water"),
            ["content"],
            expected_version=1,
        )
    current = await client_a.get_memory(memory.id)
    assert (current.content, current.version) == ("likes coffee", 2)


async def test_messages_are_numbered_per_session(client_a):
    scope = common.Scope(user_id=_user(), session_id="chat-1")
    first = await client_a.add_messages(
        scope,
        [
            common.NewMessage(role=common.ROLE_USER, content="hi, I'm Ana"),
            common.NewMessage(role=common.ROLE_ASSISTANT, content="hello Ana"),
        ],
    )
    second = await client_a.add_messages(
        scope, [common.NewMessage(role=common.ROLE_USER, content="I have a dog")]
    )
    seqs = [m.session_seq for m in [*first.memories, *second.memories]]
    assert seqs == [1, 2, 3]
    assert all(m.kind == common.MEMORY_KIND_MESSAGE for m in first.memories)
    assert first.memories[1].role == common.ROLE_ASSISTANT


async def test_list_pages_through_a_users_memories(client_a):
    user = _user()
    reply = await client_a.add_memories(
        [
            common.NewMemory(scope=common.Scope(user_id=user), content=f"fact number {i}")
            for i in range(7)
        ]
    )
    ids = [m.id for m in reply.memories]
    seen: list[str] = []
    token = ""
    while True:
        page = await client_a.list_memories(
            common.MemoryFilter(user_id=user), page_size=3, page_token=token
        )
        seen += [m.id for m in page.memories]
        token = page.next_page_token
        if not token:
            break
    assert seen == ids


async def test_delete_by_scope_removes_only_that_scope(client_a):
    user = _user()
    for session in ("keep", "drop", "drop"):
        await client_a.add_memory(f"note in {session}", user_id=user, session_id=session)
    reply = await client_a.delete_memories(common.MemoryFilter(user_id=user, session_id="drop"))
    assert reply.deleted_count == 2
    left = await client_a.list_memories(common.MemoryFilter(user_id=user))
    assert [m.scope.session_id for m in left.memories] == ["keep"]


async def test_idempotent_retry_returns_first_result_and_writes_nothing(client_a):
    user = _user()
    batch = [common.NewMemory(scope=common.Scope(user_id=user), content="retried write")]
    first = await client_a.add_memories(batch, idempotency_key="retry-1-" + user)
    again = await client_a.add_memories(batch, idempotency_key="retry-1-" + user)
    assert not first.replayed and again.replayed
    assert [m.id for m in again.memories] == [m.id for m in first.memories]
    listed = await client_a.list_memories(common.MemoryFilter(user_id=user))
    assert len(listed.memories) == 1

    other = [common.NewMemory(scope=common.Scope(user_id=user), content="different body")]
    with pytest.raises(errors.FailedPrecondition):
        await client_a.add_memories(other, idempotency_key="retry-1-" + user)
    listed = await client_a.list_memories(common.MemoryFilter(user_id=user))
    assert len(listed.memories) == 1


async def test_dedup_returns_the_existing_memory(client_a):
    user = _user()
    item = common.NewMemory(scope=common.Scope(user_id=user), content="Allergic to  peanuts")
    first = await client_a.add_memories([item], dedup=True)
    same = common.NewMemory(scope=common.Scope(user_id=user), content="allergic to peanuts ")
    second = await client_a.add_memories([same], dedup=True)
    assert second.outcomes == [common.WRITE_OUTCOME_DEDUPLICATED]
    assert second.memories[0].id == first.memories[0].id


async def test_cube_is_shared_read_only(client_a):
    owner, reader = _user(), _user()
    cube_id = "cube-" + owner
    await client_a.create_cube(cube_id, owner_user_id=owner, name="shared notes")
    await client_a.add_memory("cube knowledge", user_id=owner, cube_id=cube_id)

    with pytest.raises(errors.PermissionDenied):
        await client_a.list_memories(common.MemoryFilter(user_id=reader, cube_ids=[cube_id]))
    await client_a.share_cube(cube_id, owner_user_id=owner, reader_user_id=reader)
    shared = await client_a.list_memories(common.MemoryFilter(user_id=reader, cube_ids=[cube_id]))
    assert [m.content for m in shared.memories] == ["cube knowledge"]
    with pytest.raises(errors.PermissionDenied):
        await client_a.add_memory("reader writes", user_id=reader, cube_id=cube_id)
    assert [c.cube_id for c in await client_a.list_cubes(reader)] == [cube_id]
    with pytest.raises(errors.PermissionDenied):
        await client_a.share_cube(cube_id, owner_user_id=reader, reader_user_id=_user())

    await client_a.unshare_cube(cube_id, owner_user_id=owner, reader_user_id=reader)
    with pytest.raises(errors.PermissionDenied):
        await client_a.list_memories(common.MemoryFilter(user_id=reader, cube_ids=[cube_id]))
