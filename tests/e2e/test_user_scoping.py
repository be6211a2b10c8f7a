"""Users of one tenant are separated: every read names its user, and reads only theirs."""

from __future__ import annotations

import uuid

import pytest
from memgrid.common.v1 import memory_pb2 as common
from memgrid_runtime import errors


def _user() -> str:
    return f"us-{uuid.uuid4().hex[:8]}"


def _fields(error: errors.InvalidArgument) -> list[str]:
    return [v.field for v in error.violations]


# Filters that do not say whose memories they read: each is refused, naming filter.user_id.
_UNSCOPED = [
    pytest.param(common.MemoryFilter(), id="empty"),
    pytest.param(common.MemoryFilter(session_id="s1"), id="session-only"),
    pytest.param(common.MemoryFilter(agent_id="a1"), id="agent-only"),
    pytest.param(common.MemoryFilter(cube_ids=["some-cube"]), id="cube-only"),
    pytest.param(common.MemoryFilter(kinds=[common.MEMORY_KIND_FACT]), id="kind-only"),
]


@pytest.mark.parametrize("unscoped", _UNSCOPED)
async def test_reads_without_a_user_are_invalid(client_a, unscoped):
    owner = _user()
    await client_a.add_memory(
        "The lighthouse keeper's name is Oona", user_id=owner, session_id="s1", agent_id="a1"
    )
    calls = {
        "ListMemories": client_a.list_memories(unscoped),
        "Search": client_a.search("lighthouse keeper", unscoped),
        "GetRelatedMemories": client_a.get_related_memories(["Oona"], unscoped),
        "DeleteMemories": client_a.delete_memories(unscoped),
    }
    for rpc, call in calls.items():
        with pytest.raises(errors.InvalidArgument) as caught:
            await call
        assert _fields(caught.value) == ["filter.user_id"], rpc
    # The refused delete removed nothing.
    listed = await client_a.list_memories(common.MemoryFilter(user_id=owner))
    assert [m.content for m in listed.memories] == ["The lighthouse keeper's name is Oona"]


async def test_a_user_reads_only_their_own_memories(client_a):
    alice, bob = _user(), _user()
    await client_a.add_memory("Alice's locker code is 3141", user_id=alice, session_id="s1")
    await client_a.add_memory("Bob's locker code is 2718", user_id=bob, session_id="s1")
    # The same session id under two users: the user still decides.
    listed = await client_a.list_memories(common.MemoryFilter(user_id=bob, session_id="s1"))
    assert [m.content for m in listed.memories] == ["Bob's locker code is 2718"]
    found = await client_a.search("locker code", common.MemoryFilter(user_id=bob), k=10)
    assert [h.memory.content for h in found.hits] == ["Bob's locker code is 2718"]
    await client_a.delete_memories(common.MemoryFilter(user_id=bob, session_id="s1"))
    left = await client_a.list_memories(common.MemoryFilter(user_id=alice))
    assert [m.content for m in left.memories] == ["Alice's locker code is 3141"]


async def test_a_reader_may_not_delete_a_shared_cube(client_a):
    owner, reader = _user(), _user()
    cube = "usc-" + owner
    await client_a.create_cube(cube, owner_user_id=owner)
    await client_a.add_memory("The cube holds the map", user_id=owner, cube_id=cube)
    await client_a.share_cube(cube, owner_user_id=owner, reader_user_id=reader)
    in_cube = common.MemoryFilter(user_id=reader, cube_ids=[cube])
    listed = await client_a.list_memories(in_cube)
    assert [m.content for m in listed.memories] == ["The cube holds the map"]
    with pytest.raises(errors.PermissionDenied):
        await client_a.delete_memories(in_cube)
    assert len((await client_a.list_memories(in_cube)).memories) == 1


@pytest.mark.parametrize("rpc", ["GetProfile", "ListPatterns", "Consolidate"])
async def test_user_calls_without_a_user_are_invalid(client_a, rpc):
    calls = {
        "GetProfile": lambda: client_a.get_profile(""),
        "ListPatterns": lambda: client_a.list_patterns(""),
        "Consolidate": lambda: client_a.consolidate(""),
    }
    with pytest.raises(errors.InvalidArgument) as caught:
        await calls[rpc]()
    assert _fields(caught.value) == ["user_id"]


@pytest.mark.parametrize("rpc", ["FindEntities", "GetNeighbors", "ShortestPath", "GetMemoryGraph"])
async def test_graph_reads_without_a_user_are_invalid(client_a, rpc):
    calls = {
        "FindEntities": lambda: client_a.find_entities("Anna", user_id=""),
        "GetNeighbors": lambda: client_a.get_neighbors("Anna", user_id=""),
        "ShortestPath": lambda: client_a.shortest_path("Anna", "Bob", user_id=""),
        "GetMemoryGraph": lambda: client_a.get_memory_graph("m1", user_id=""),
    }
    with pytest.raises(errors.InvalidArgument) as caught:
        await calls[rpc]()
    assert _fields(caught.value) == ["user_id"]
