"""The Mem0-style clients against the real suite: plain dicts and lists in and out, enums as
names, timestamps as datetimes, errors as the typed clients' (naming the bad field).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import datetime

import pytest
from memgrid_client import (
    AsyncSimpleMemgrid,
    InvalidArgument,
    NotFound,
    SimpleMemgrid,
)

from tests.clients.stack import ClientStack


def new_user() -> str:
    return f"simple-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def memory(client_stack: ClientStack) -> Iterator[SimpleMemgrid]:
    with SimpleMemgrid(client_stack.address, client_stack.key_a) as client:
        yield client


@pytest.fixture
async def async_memory(client_stack: ClientStack) -> AsyncIterator[AsyncSimpleMemgrid]:
    async with AsyncSimpleMemgrid(client_stack.address, client_stack.key_a) as client:
        yield client


def test_add_a_conversation_then_search_it(memory: SimpleMemgrid) -> None:
    user = new_user()
    added = memory.add(
        [
            {"role": "user", "content": "I adopted a greyhound called Biscuit", "name": "Ann"},
            {"role": "assistant", "content": "Congratulations on Biscuit!"},
        ],
        user_id=user,
        metadata={"channel": "chat"},
    )
    turns = added["results"]
    assert [turn["role"] for turn in turns] == ["USER", "ASSISTANT"]
    assert [turn["kind"] for turn in turns] == ["MESSAGE", "MESSAGE"]
    assert turns[0]["speaker"] == "Ann"
    assert turns[0]["metadata"] == {"channel": "chat"}
    assert turns[0]["scope"]["user_id"] == user
    # Without a session_id the call's turns are one session of their own.
    session = turns[0]["scope"]["session_id"]
    assert session and turns[1]["scope"]["session_id"] == session
    assert isinstance(turns[0]["created_at"], datetime)
    assert turns[0]["created_at"].tzinfo is not None
    assert turns[0]["expires_at"] is None

    found = memory.search("what is the name of the user's dog", user_id=user, limit=1)
    assert [hit["id"] for hit in found["results"]] == [turns[0]["id"]]
    assert 0 < found["results"][0]["score"] <= 1
    assert found["degraded"] == []

    again = memory.add([{"role": "user", "content": "He is 3"}], user_id=user, session_id=session)
    assert again["results"][0]["scope"]["session_id"] == session
    assert again["results"][0]["session_seq"] == 3


def test_a_string_is_one_memory_of_the_kind_asked(memory: SimpleMemgrid) -> None:
    user = new_user()
    fact = memory.add("Prefers window seats", user_id=user)["results"][0]
    assert (fact["kind"], fact["tier"], fact["content"]) == ("FACT", "MID", "Prefers window seats")
    profile = memory.add("Lives in Oslo", user_id=user, kind="profile")["results"][0]
    assert profile["kind"] == "PROFILE"

    listed = memory.get_all(user_id=user)["results"]
    assert [m["id"] for m in listed] == [fact["id"], profile["id"]]
    assert [m["id"] for m in memory.get_all(user_id=user, kind="PROFILE")["results"]] == [
        profile["id"]
    ]
    assert [m["id"] for m in memory.get_all(user_id=user, limit=1)["results"]] == [fact["id"]]


def test_get_update_history_delete(memory: SimpleMemgrid) -> None:
    user = new_user()
    created = memory.add("Likes tea", user_id=user, metadata={"source": "intake"})["results"][0]
    assert memory.get(created["id"]) == created

    updated = memory.update(created["id"], "Likes green tea")
    assert (updated["content"], updated["version"]) == ("Likes green tea", 2)
    assert updated["metadata"] == {"source": "intake"}
    retagged = memory.update(created["id"], metadata={"source": "chat"})
    assert (retagged["content"], retagged["metadata"]) == ("Likes green tea", {"source": "chat"})

    history = memory.history(created["id"])
    assert [(v["version"], v["change_type"]) for v in history] == [
        (1, "CREATED"),
        (2, "UPDATED"),
        (3, "UPDATED"),
    ]
    assert history[0]["memory"]["content"] == "Likes tea"
    assert isinstance(history[0]["changed_at"], datetime)

    deleted = memory.delete(created["id"])
    assert deleted["id"] == created["id"]
    assert deleted["versions_deleted"] == 3
    assert {p["store"] for p in deleted["propagation"]} == {"search", "graph"}
    with pytest.raises(NotFound):
        memory.get(created["id"])


def test_delete_all_of_one_user_only(memory: SimpleMemgrid) -> None:
    user, other = new_user(), new_user()
    memory.add("Plays chess", user_id=user)
    memory.add("Plays go", user_id=user, session_id="s1")
    kept = memory.add("Plays chess too", user_id=other)["results"][0]

    assert memory.delete_all(user_id=user, session_id="s1")["deleted_count"] == 1
    assert memory.delete_all(user_id=user)["deleted_count"] == 1
    assert memory.get_all(user_id=user)["results"] == []
    assert [m["id"] for m in memory.get_all(user_id=other)["results"]] == [kept["id"]]


def test_another_tenant_sees_nothing(client_stack: ClientStack, memory: SimpleMemgrid) -> None:
    user = new_user()
    mine = memory.add("My locker code is 4711", user_id=user)["results"][0]
    with SimpleMemgrid(client_stack.address, client_stack.key_b) as other_tenant:
        assert other_tenant.search("locker code", user_id=user)["results"] == []
        with pytest.raises(NotFound):
            other_tenant.get(mine["id"])


TWO_TURNS_ONE_BAD = [{"role": "user", "content": "hi"}, {"role": "tool", "content": 3}]


@pytest.mark.parametrize(
    ("messages", "field"),
    [
        ([{"role": "robot", "content": "hi"}], "messages[0].role"),
        ([{"role": "user"}], "messages[0].content"),
        (TWO_TURNS_ONE_BAD, "messages[1].content"),
        ([{"role": "user", "content": "hi", "tool_calls": []}], "messages[0].tool_calls"),
        (["hi"], "messages[0]"),
    ],
)
def test_bad_turns_name_the_field_and_store_nothing(
    memory: SimpleMemgrid, messages: list, field: str
) -> None:
    user = new_user()
    with pytest.raises(InvalidArgument) as caught:
        memory.add(messages, user_id=user)
    assert [v.field for v in caught.value.violations] == [field]
    assert memory.get_all(user_id=user)["results"] == []


def test_bad_arguments_name_the_field(memory: SimpleMemgrid) -> None:
    user = new_user()
    with pytest.raises(InvalidArgument) as caught:
        memory.add("x", user_id=user, kind="thought")
    assert caught.value.violations[0].field == "kind"
    assert "FACT" in caught.value.violations[0].description
    with pytest.raises(InvalidArgument) as caught:
        memory.update("any-id")
    assert caught.value.violations[0].field == "data"
    # The gateway's own checks come through unchanged.
    with pytest.raises(InvalidArgument) as caught:
        memory.add("x", user_id="has space")
    assert caught.value.violations[0].field == "memories[0].scope.user_id"
    assert memory.get_all(user_id=user)["results"] == []


async def test_async_client_does_the_same(async_memory: AsyncSimpleMemgrid) -> None:
    user = new_user()
    added = await async_memory.add([{"role": "user", "content": "I cycle to work"}], user_id=user)
    turn = added["results"][0]
    assert turn["role"] == "USER"
    found = await async_memory.search("how does the user commute", user_id=user)
    assert [hit["id"] for hit in found["results"]] == [turn["id"]]
    assert (await async_memory.get(turn["id"]))["content"] == "I cycle to work"
    assert [m["id"] for m in (await async_memory.get_all(user_id=user))["results"]] == [turn["id"]]
    assert (await async_memory.update(turn["id"], "I cycle to work daily"))["version"] == 2
    assert len(await async_memory.history(turn["id"])) == 2
    assert (await async_memory.delete_all(user_id=user))["deleted_count"] == 1


async def test_get_context_returns_plain_data(
    memory: SimpleMemgrid, async_memory: AsyncSimpleMemgrid
) -> None:
    user = new_user()
    memory.add("Is allergic to peanuts", user_id=user)
    context = memory.get_context("what should I cook for the user", user_id=user)
    assert isinstance(context, dict)
    assert "peanuts" in context["text"]
    assert await async_memory.get_context("what should I cook for the user", user_id=user) == (
        context
    )
