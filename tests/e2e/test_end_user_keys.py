"""End-user API keys: a key bound to one user of a tenant reaches that user's data only."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
from memgrid.common.v1 import memory_pb2 as common
from memgrid.gateway.v1 import request_response_pb2 as gw
from memgrid_client.client import MemgridClient
from memgrid_runtime import errors

from tests.e2e.conftest import BOUND_USER, KEY_A_BOUND, Stack


@pytest.fixture
async def bound(stack: Stack) -> AsyncIterator[MemgridClient]:
    if stack.suite is None:
        pytest.skip("needs the locally started suite's end-user key")
    async with stack.client(KEY_A_BOUND) as client:
        yield client


def _other() -> str:
    return f"eu-{uuid.uuid4().hex[:8]}"


async def test_a_bound_key_names_only_its_own_user(bound: MemgridClient) -> None:
    mine = await bound.add_memory("The bound user's bike is red", user_id=BOUND_USER)
    assert mine.scope.user_id == BOUND_USER
    other = _other()
    naming_another = {
        "AddMemories": bound.add_memory("planted", user_id=other),
        "AddMessages": bound.add_messages(
            common.Scope(user_id=other, session_id="s"),
            [common.NewMessage(role=common.ROLE_USER, content="planted")],
        ),
        "ListMemories": bound.list_memories(common.MemoryFilter(user_id=other)),
        "Search": bound.search("bike", common.MemoryFilter(user_id=other)),
        "DeleteMemories": bound.delete_memories(common.MemoryFilter(user_id=other)),
        "GetRelatedMemories": bound.get_related_memories(
            ["bike"], common.MemoryFilter(user_id=other)
        ),
        "FindEntities": bound.find_entities("bike", user_id=other),
        "GetNeighbors": bound.get_neighbors("bike", user_id=other),
        "ShortestPath": bound.shortest_path("a", "b", user_id=other),
        "GetMemoryGraph": bound.get_memory_graph(mine.id, user_id=other),
        "GetProfile": bound.get_profile(other),
        "ListPatterns": bound.list_patterns(other),
        "Consolidate": bound.consolidate(other),
        "ListCubes": bound.list_cubes(other),
        "CreateCube": bound.create_cube("eu-cube-" + other, owner_user_id=other),
        "EraseUser": bound.erase_user(other),
        # A key for one user never erases the whole tenant, even when it names it.
        "EraseTenant": bound.erase_tenant("tenant-a"),
    }
    for rpc, call in naming_another.items():
        with pytest.raises(errors.PermissionDenied):
            await call
        assert rpc  # the loop names the RPC in a failure's traceback
    listed = await bound.list_memories(common.MemoryFilter(user_id=BOUND_USER))
    assert "planted" not in [m.content for m in listed.memories]


async def test_another_users_memory_is_not_found_through_a_bound_key(
    bound: MemgridClient, client_a: MemgridClient
) -> None:
    theirs = await client_a.add_memory("Someone else's diary entry", user_id=_other())
    with pytest.raises(errors.NotFound):
        await bound.get_memory(theirs.id)
    batch = await bound.batch_get_memories([theirs.id])
    assert list(batch.memories) == [] and list(batch.missing_ids) == [theirs.id]
    with pytest.raises(errors.NotFound):
        await bound.get_memory_history(theirs.id)
    with pytest.raises(errors.NotFound):
        await bound.update_memory(theirs.id, common.MemoryUpdate(content="defaced"), ["content"])
    with pytest.raises(errors.NotFound):
        await bound.record_feedback(theirs.id, gw.FEEDBACK_VERDICT_NOT_USEFUL)
    with pytest.raises(errors.NotFound):
        await bound.delete_memory(theirs.id)
    # The service key still sees it, unchanged.
    assert (await client_a.get_memory(theirs.id)).content == "Someone else's diary entry"


async def test_a_cube_shared_with_the_bound_user_is_readable_not_writable(
    bound: MemgridClient, client_a: MemgridClient
) -> None:
    owner = _other()
    cube = "eu-shared-" + owner
    await client_a.create_cube(cube, owner_user_id=owner)
    shared = await client_a.add_memory("The shared recipe", user_id=owner, cube_id=cube)
    with pytest.raises(errors.NotFound):
        await bound.get_memory(shared.id)
    await client_a.share_cube(cube, owner_user_id=owner, reader_user_id=BOUND_USER)
    assert (await bound.get_memory(shared.id)).content == "The shared recipe"
    listed = await bound.list_memories(common.MemoryFilter(user_id=BOUND_USER, cube_ids=[cube]))
    assert [m.id for m in listed.memories] == [shared.id]
    with pytest.raises(errors.NotFound):
        await bound.delete_memory(shared.id)


async def test_jobs_of_another_user_are_not_found_through_a_bound_key(
    bound: MemgridClient, client_a: MemgridClient
) -> None:
    theirs = await client_a.consolidate(_other())
    with pytest.raises(errors.NotFound):
        await bound.get_job(theirs.job_id)
    mine = await bound.consolidate(BOUND_USER)
    assert (await bound.get_job(mine.job_id)).id == mine.job_id
