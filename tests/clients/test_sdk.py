"""The Python SDK against the real suite: sync `Memgrid` and asyncio `AsyncMemgrid` call every
RPC the gateway serves with typed arguments and results, and turn every failure into one
typed error (memgrid_runtime.errors) with its parsed details.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta

import pytest
from memgrid.common.v1 import memory_pb2 as common
from memgrid.gateway.v1 import request_response_pb2 as gw
from memgrid_client import (
    Aborted,
    AsyncMemgrid,
    DeadlineExceeded,
    InvalidArgument,
    Memgrid,
    MemgridError,
    NotFound,
    PermissionDenied,
    Unauthenticated,
)

from tests.clients.stack import ClientStack


def new_user() -> str:
    return f"sdk-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def memgrid(client_stack: ClientStack) -> Iterator[Memgrid]:
    with Memgrid(client_stack.address, client_stack.key_a) as client:
        yield client


@pytest.fixture
async def async_memgrid(client_stack: ClientStack) -> AsyncIterator[AsyncMemgrid]:
    async with AsyncMemgrid(client_stack.address, client_stack.key_a) as client:
        yield client


def test_sync_memory_lifecycle(memgrid: Memgrid) -> None:
    user = new_user()
    memory = memgrid.add_memory(
        "The user is allergic to peanuts",
        user_id=user,
        kind=common.MEMORY_KIND_PROFILE,
        metadata={"source": "intake"},
        tags=["health"],
        importance=0.9,
        ttl=timedelta(days=30),
    )
    assert memory.id
    assert memory.version == 1
    assert memory.kind == common.MEMORY_KIND_PROFILE
    assert dict(memory.metadata) == {"source": "intake"}
    assert list(memory.tags) == ["health"]
    assert memory.importance == pytest.approx(0.9)
    assert memory.HasField("expires_at")
    assert memgrid.get_memory(memory.id) == memory

    updated = memgrid.update_memory(
        memory.id,
        common.MemoryUpdate(content="The user is allergic to peanuts and shellfish"),
        ["content"],
        expected_version=1,
    )
    assert updated.version == 2
    history = memgrid.get_memory_history(memory.id)
    assert [version.version for version in history] == [1, 2]
    assert history[0].memory.content == "The user is allergic to peanuts"

    found = memgrid.search("what is the user allergic to", common.MemoryFilter(user_id=user), k=3)
    assert [hit.memory.id for hit in found.hits] == [memory.id]
    assert found.hits[0].memory.content.endswith("shellfish")

    deleted = memgrid.delete_memory(memory.id)
    assert deleted.id == memory.id
    assert deleted.versions_deleted == 2
    with pytest.raises(NotFound) as missing:
        memgrid.get_memory(memory.id)
    assert missing.value.resource_name == memory.id


def test_sync_pages_through_every_memory(memgrid: Memgrid) -> None:
    user = new_user()
    stored = memgrid.add_memories(
        [common.NewMemory(scope=common.Scope(user_id=user), content=f"note {i}") for i in range(7)]
    )
    ids = [memory.id for memory in stored.memories]
    assert list(stored.outcomes) == [common.WRITE_OUTCOME_CREATED] * 7

    first = memgrid.list_memories(common.MemoryFilter(user_id=user), page_size=3)
    assert [memory.id for memory in first.memories] == ids[:3]
    assert first.next_page_token
    every = memgrid.iter_memories(common.MemoryFilter(user_id=user), page_size=3)
    assert [memory.id for memory in every] == ids


def test_sync_errors_are_typed_with_their_details(
    memgrid: Memgrid, client_stack: ClientStack
) -> None:
    with pytest.raises(InvalidArgument) as invalid:
        memgrid.add_memories(
            [
                common.NewMemory(scope=common.Scope(user_id="fine"), content="ok"),
                common.NewMemory(scope=common.Scope(user_id="has space"), content="x"),
            ]
        )
    assert [v.field for v in invalid.value.violations] == ["memories[1].scope.user_id"]
    assert invalid.value.code.name == "INVALID_ARGUMENT"

    memory = memgrid.add_memory("v1", user_id=new_user())
    memgrid.update_memory(memory.id, common.MemoryUpdate(content="v2"), ["content"])
    with pytest.raises(Aborted):
        memgrid.update_memory(
            memory.id, common.MemoryUpdate(content="v3"), ["content"], expected_version=1
        )

    with Memgrid(client_stack.address, "not-a-key") as stranger, pytest.raises(Unauthenticated):
        stranger.get_memory(memory.id)
    # Another tenant cannot tell the memory exists.
    with Memgrid(client_stack.address, client_stack.key_b) as tenant_b:
        with pytest.raises(NotFound):
            tenant_b.get_memory(memory.id)
        assert not tenant_b.batch_get_memories([memory.id]).memories


def test_idempotency_keys_store_a_write_once(memgrid: Memgrid) -> None:
    user = new_user()
    batch = [common.NewMemory(scope=common.Scope(user_id=user), content="once")]
    first = memgrid.add_memories(batch, idempotency_key=f"{user}-1")
    again = memgrid.add_memories(batch, idempotency_key=f"{user}-1")
    assert again.replayed
    assert [m.id for m in again.memories] == [m.id for m in first.memories]

    # Without a key the SDK makes a fresh one per call: two calls are two writes.
    memgrid.add_memories(batch)
    memgrid.add_memories(batch)
    assert len(list(memgrid.iter_memories(common.MemoryFilter(user_id=user)))) == 3


def test_a_call_fails_with_deadline_exceeded_when_its_budget_runs_out(memgrid: Memgrid) -> None:
    with pytest.raises(DeadlineExceeded):
        memgrid.search("anything", common.MemoryFilter(user_id=new_user()), timeout=0.0005)


def test_sync_stream_errors_are_typed(memgrid: Memgrid) -> None:
    # A request Chat must refuse (no session, no message): the streamed failure surfaces as
    # the SDK's typed error, not as a raw grpc.RpcError.
    with pytest.raises(MemgridError):
        list(memgrid.chat(common.Scope(user_id=new_user()), ""))


async def test_async_messages_and_batch_reads(async_memgrid: AsyncMemgrid) -> None:
    user = new_user()
    scope = common.Scope(user_id=user, session_id="morning")
    turns = await async_memgrid.add_messages(
        scope,
        [
            common.NewMessage(role=common.ROLE_USER, content="I am planning a trip to Lisbon"),
            common.NewMessage(role=common.ROLE_ASSISTANT, content="When are you going?"),
        ],
    )
    assert [m.session_seq for m in turns.memories] == [1, 2]
    assert all(m.kind == common.MEMORY_KIND_MESSAGE for m in turns.memories)

    ids = [m.id for m in turns.memories]
    batch = await async_memgrid.batch_get_memories([*ids, "missing-id"])
    assert sorted(m.id for m in batch.memories) == sorted(ids)
    assert list(batch.missing_ids) == ["missing-id"]

    found = await async_memgrid.search(
        "Lisbon trip", common.MemoryFilter(user_id=user), k=5, mode=gw.RETRIEVAL_MODE_SPARSE
    )
    assert ids[0] in [hit.memory.id for hit in found.hits]
    listed = [m.id async for m in async_memgrid.iter_memories(common.MemoryFilter(user_id=user))]
    assert listed == ids

    removed = await async_memgrid.delete_memories(common.MemoryFilter(user_id=user))
    assert removed.deleted_count == 2
    assert not (await async_memgrid.list_memories(common.MemoryFilter(user_id=user))).memories


async def test_async_cubes_are_shared_read_only(async_memgrid: AsyncMemgrid) -> None:
    owner, reader = new_user(), new_user()
    cube_id = f"cube-{uuid.uuid4().hex[:8]}"
    cube = await async_memgrid.create_cube(cube_id, owner_user_id=owner, name="recipes")
    assert cube.owner_user_id == owner
    await async_memgrid.add_memory("Grandma's soup needs saffron", user_id=owner, cube_id=cube_id)

    in_cube = common.MemoryFilter(user_id=reader, cube_ids=[cube_id])
    with pytest.raises(PermissionDenied):
        await async_memgrid.list_memories(in_cube)
    shared = await async_memgrid.share_cube(cube_id, owner_user_id=owner, reader_user_id=reader)
    assert list(shared.reader_user_ids) == [reader]
    assert [c.cube_id for c in await async_memgrid.list_cubes(reader)] == [cube_id]
    assert len((await async_memgrid.list_memories(in_cube)).memories) == 1

    await async_memgrid.unshare_cube(cube_id, owner_user_id=owner, reader_user_id=reader)
    with pytest.raises(PermissionDenied):
        await async_memgrid.search("soup", in_cube)


async def test_async_errors_are_typed(async_memgrid: AsyncMemgrid) -> None:
    with pytest.raises(NotFound) as missing:
        await async_memgrid.get_memory_history("no-such-memory")
    assert missing.value.resource_type == "memory"
    with pytest.raises(InvalidArgument) as invalid:
        await async_memgrid.search("", common.MemoryFilter(user_id=new_user()))
    assert "query" in [v.field for v in invalid.value.violations]
    with pytest.raises(MemgridError):
        async for _event in async_memgrid.chat(common.Scope(user_id=new_user()), ""):
            pass
