"""One tenant never reads, lists, changes or deletes another's memories, even by guessing."""

from __future__ import annotations

import uuid

import grpc
import pytest
from memgrid.common.v1 import memory_pb2 as common
from memgrid.gateway.v1 import request_response_pb2 as gw
from memgrid.gateway.v1.service_pb2_grpc import GatewayServiceStub
from memgrid_client.client import MemgridClient
from memgrid_runtime import errors


@pytest.fixture
async def victim(client_a):
    """A memory of tenant A, in a user id that tenant B will also use."""
    user = f"shared-name-{uuid.uuid4().hex[:6]}"
    memory = await client_a.add_memory("tenant A's secret", user_id=user, session_id="s")
    return user, memory


async def test_other_tenant_cannot_read_by_id(client_b, victim):
    _, memory = victim
    with pytest.raises(errors.NotFound):
        await client_b.get_memory(memory.id)
    with pytest.raises(errors.NotFound):
        await client_b.get_memory_history(memory.id)
    batch = await client_b.batch_get_memories([memory.id])
    assert list(batch.memories) == []
    assert list(batch.missing_ids) == [memory.id]


async def test_other_tenant_cannot_list_with_same_user_id(client_b, victim):
    user, _ = victim
    listed = await client_b.list_memories(common.MemoryFilter(user_id=user))
    assert list(listed.memories) == []


async def test_other_tenant_cannot_change_or_delete(client_a, client_b, victim):
    user, memory = victim
    with pytest.raises(errors.NotFound):
        await client_b.update_memory(memory.id, common.MemoryUpdate(content="pwned"), ["content"])
    with pytest.raises(errors.NotFound):
        await client_b.delete_memory(memory.id)
    swept = await client_b.delete_memories(common.MemoryFilter(user_id=user))
    assert swept.deleted_count == 0
    still = await client_a.get_memory(memory.id)
    assert (still.content, still.version) == ("tenant A's secret", 1)


async def test_other_tenant_page_token_does_not_leak(client_a, client_b, victim):
    user, _ = victim
    await client_a.add_memory("second", user_id=user)
    page = await client_a.list_memories(common.MemoryFilter(user_id=user), page_size=1)
    assert page.next_page_token
    try:
        stolen = await client_b.list_memories(
            common.MemoryFilter(user_id=user), page_size=1, page_token=page.next_page_token
        )
    except errors.InvalidArgument:
        return
    assert list(stolen.memories) == []


async def test_other_tenant_cannot_use_cube(client_a, client_b):
    owner = f"cube-owner-{uuid.uuid4().hex[:6]}"
    cube_id = "c-" + owner
    await client_a.create_cube(cube_id, owner_user_id=owner)
    with pytest.raises(errors.NotFound):
        await client_b.share_cube(cube_id, owner_user_id=owner, reader_user_id="intruder")
    with pytest.raises(errors.NotFound):
        await client_b.add_memory("into A's cube", user_id=owner, cube_id=cube_id)
    assert await client_b.list_cubes(owner) == []


async def test_missing_or_wrong_key_is_unauthenticated(stack):
    async with grpc.aio.insecure_channel(stack.address) as channel:
        stub = GatewayServiceStub(channel)
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await stub.GetMemory(gw.GetMemoryRequest(id="x"))
        assert caught.value.code() is grpc.StatusCode.UNAUTHENTICATED
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await stub.GetMemory(gw.GetMemoryRequest(id="x"), metadata=(("x-api-key", "nope"),))
        assert caught.value.code() is grpc.StatusCode.UNAUTHENTICATED
    async with MemgridClient(stack.address, "nope") as stranger:
        with pytest.raises(errors.Unauthenticated):
            await stranger.add_memory("sneaky", user_id="u")


async def test_bearer_token_is_accepted(stack, client_a):
    memory = await client_a.add_memory("bearer", user_id="bearer-user")
    async with grpc.aio.insecure_channel(stack.address) as channel:
        reply = await GatewayServiceStub(channel).GetMemory(
            gw.GetMemoryRequest(id=memory.id),
            metadata=(("authorization", f"Bearer {stack.key_a}"),),
        )
    assert reply.memory.content == "bearer"
