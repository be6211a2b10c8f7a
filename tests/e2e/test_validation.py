"""Bad requests fail with the right code, name the field, and write nothing."""

from __future__ import annotations

import uuid

import pytest
from memgrid.common.v1 import memory_pb2 as common
from memgrid_runtime import errors


def _user() -> str:
    return f"v-{uuid.uuid4().hex[:8]}"


async def _count(client, user: str) -> int:
    listed = await client.list_memories(common.MemoryFilter(user_id=user), page_size=1000)
    return len(listed.memories)


def _fields(error: errors.InvalidArgument) -> list[str]:
    return [v.field for v in error.violations]


@pytest.mark.parametrize(
    ("memory", "field"),
    [
        (common.NewMemory(content="x"), "memories[1].scope.user_id"),
        (common.NewMemory(scope=common.Scope(user_id="u"), content=""), "memories[1].content"),
        (
            common.NewMemory(scope=common.Scope(user_id="u"), content="x" * (33 * 1024)),
            "memories[1].content",
        ),
        (
            common.NewMemory(scope=common.Scope(user_id="u"), content="x", kind=99),
            "memories[1].kind",
        ),
        (
            common.NewMemory(scope=common.Scope(user_id="u"), content="x", importance=1.5),
            "memories[1].importance",
        ),
        (
            common.NewMemory(scope=common.Scope(user_id="bad id with spaces"), content="x"),
            "memories[1].scope.user_id",
        ),
    ],
)
async def test_bad_item_rejects_whole_batch(client_a, memory, field):
    user = _user()
    good = common.NewMemory(scope=common.Scope(user_id=user), content="valid")
    with pytest.raises(errors.InvalidArgument) as caught:
        await client_a.add_memories([good, memory])
    assert field in _fields(caught.value)
    assert await _count(client_a, user) == 0


async def test_empty_batch_is_invalid(client_a):
    with pytest.raises(errors.InvalidArgument) as caught:
        await client_a.add_memories([])
    assert "memories" in _fields(caught.value)


async def test_bad_page_token_and_page_size(client_a):
    with pytest.raises(errors.InvalidArgument) as caught:
        await client_a.list_memories(common.MemoryFilter(user_id="u"), page_token="garbage!!")
    assert _fields(caught.value) == ["page_token"]
    with pytest.raises(errors.InvalidArgument) as caught:
        await client_a.list_memories(common.MemoryFilter(user_id="u"), page_size=100_000)
    assert "page_size" in _fields(caught.value)


async def test_page_token_from_another_filter_is_invalid(client_a):
    user = _user()
    for i in range(3):
        await client_a.add_memory(f"m{i}", user_id=user)
    page = await client_a.list_memories(common.MemoryFilter(user_id=user), page_size=1)
    with pytest.raises(errors.InvalidArgument) as caught:
        await client_a.list_memories(
            common.MemoryFilter(user_id=_user()), page_size=1, page_token=page.next_page_token
        )
    assert _fields(caught.value) == ["page_token"]


async def test_update_of_a_server_owned_field_is_invalid(client_a):
    memory = await client_a.add_memory("heat is ours", user_id=_user())
    with pytest.raises(errors.InvalidArgument) as caught:
        await client_a.update_memory(memory.id, common.MemoryUpdate(heat=99.0), ["content", "heat"])
    assert _fields(caught.value) == ["update_mask.paths[1]"]
    assert (await client_a.get_memory(memory.id)).version == 1


async def test_update_with_empty_content_is_invalid(client_a):
    memory = await client_a.add_memory("keep me", user_id=_user())
    with pytest.raises(errors.InvalidArgument) as caught:
        await client_a.update_memory(memory.id, common.MemoryUpdate(content="  "), ["content"])
    assert any(f.endswith("content") for f in _fields(caught.value))
    assert (await client_a.get_memory(memory.id)).content == "keep me"


async def test_messages_need_a_session_and_a_known_role(client_a):
    user = _user()
    with pytest.raises(errors.InvalidArgument) as caught:
        await client_a.add_messages(
            common.Scope(user_id=user), [common.NewMessage(role=common.ROLE_USER, content="hi")]
        )
    assert "scope.session_id" in _fields(caught.value)
    with pytest.raises(errors.InvalidArgument) as caught:
        await client_a.add_messages(
            common.Scope(user_id=user, session_id="s"), [common.NewMessage(role=42, content="hi")]
        )
    assert "messages[0].role" in _fields(caught.value)
    assert await _count(client_a, user) == 0


async def test_delete_by_empty_filter_is_refused(client_a):
    with pytest.raises(errors.InvalidArgument) as caught:
        await client_a.delete_memories(common.MemoryFilter())
    assert _fields(caught.value) == ["filter.user_id"]
