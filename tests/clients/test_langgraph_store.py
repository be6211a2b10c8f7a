"""MemgridStore, LangGraph's store interface kept in memgrid, against the real suite: sync
(batch) and async (abatch) put/get/search/delete/list_namespaces, namespaces and tenants
kept apart, and a LangGraph graph whose node reads and writes the store.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from typing import TypedDict

import pytest
from langgraph.graph import END, START, StateGraph
from langgraph.store.base import BaseStore, InvalidNamespaceError
from memgrid.common.v1 import memory_pb2 as common
from memgrid_client import InvalidArgument, Memgrid
from memgrid_client.integrations.langgraph import MemgridStore

from tests.clients.stack import ClientStack


def new_user() -> str:
    return f"lg-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def store(client_stack: ClientStack) -> Iterator[MemgridStore]:
    store = MemgridStore(client_stack.address, client_stack.key_a)
    yield store
    store.close()


@pytest.fixture
async def async_store(client_stack: ClientStack) -> AsyncIterator[MemgridStore]:
    store = MemgridStore(client_stack.address, client_stack.key_a)
    yield store
    await store.aclose()


def test_put_then_get_and_overwrite(store: MemgridStore) -> None:
    user = new_user()
    assert store.get((user, "memories"), "diet") is None
    store.put((user, "memories"), "diet", {"text": "vegetarian", "since": 2019})
    item = store.get((user, "memories"), "diet")
    assert item is not None
    assert (item.namespace, item.key) == ((user, "memories"), "diet")
    assert item.value == {"text": "vegetarian", "since": 2019}
    assert item.created_at.tzinfo is not None

    store.put((user, "memories"), "diet", {"text": "vegan", "since": 2024})
    again = store.get((user, "memories"), "diet")
    assert again is not None
    assert again.value == {"text": "vegan", "since": 2024}
    assert again.created_at == item.created_at
    assert again.updated_at > item.updated_at


def test_items_are_memories_of_the_namespace_user(
    client_stack: ClientStack, store: MemgridStore
) -> None:
    user = new_user()
    store.put((user, "memories"), "city", {"text": "lives in Oslo"})
    store.put((user, "memories"), "city", {"text": "lives in Bergen"})
    with Memgrid(client_stack.address, client_stack.key_a) as memgrid:
        memories = memgrid.list_memories(common.MemoryFilter(user_id=user)).memories
        assert len(memories) == 1
        assert memories[0].kind == common.MEMORY_KIND_FACT
        assert "Bergen" in memories[0].content
        history = memgrid.get_memory_history(memories[0].id)
    assert ["Oslo" in v.memory.content for v in history] == [True, False]


def test_search_by_query_returns_the_item_with_a_score(store: MemgridStore) -> None:
    user = new_user()
    store.put((user, "memories"), "pet", {"text": "has a greyhound called Biscuit"})
    store.put((user, "memories"), "job", {"text": "works as a nurse in the night shift"})
    store.put((user, "recipes"), "soup", {"text": "tomato soup with basil"})

    hits = store.search((user, "memories"), query="what kind of dog does the user have")
    assert hits[0].key == "pet"
    assert {hit.key for hit in hits} <= {"pet", "job"}
    assert hits[0].score is not None and 0 < hits[0].score <= 1
    assert hits[0].value == {"text": "has a greyhound called Biscuit"}
    assert [hit.key for hit in store.search((user,), query="soup", limit=1)] == ["soup"]


def test_search_without_query_lists_filters_and_pages(store: MemgridStore) -> None:
    user = new_user()
    for number in range(5):
        tag = "odd" if number % 2 else "even"
        store.put((user, "notes"), f"n{number}", {"rank": number, "tag": tag})

    listed = store.search((user, "notes"))
    assert [item.key for item in listed] == ["n0", "n1", "n2", "n3", "n4"]
    assert all(item.score is None for item in listed)
    assert [i.key for i in store.search((user, "notes"), filter={"tag": "odd"})] == ["n1", "n3"]
    assert [i.key for i in store.search((user,), filter={"rank": {"$gte": 3}})] == ["n3", "n4"]
    assert [i.key for i in store.search((user, "notes"), limit=2, offset=1)] == ["n1", "n2"]
    with_query = store.search((user, "notes"), query="rank", filter={"tag": "even"}, limit=10)
    assert {item.key for item in with_query} == {"n0", "n2", "n4"}


def test_delete_removes_the_item(store: MemgridStore) -> None:
    user = new_user()
    store.put((user, "memories"), "secret", {"text": "locker code 4711"})
    store.put((user, "memories"), "kept", {"text": "likes tea"})
    store.delete((user, "memories"), "secret")
    assert store.get((user, "memories"), "secret") is None
    assert [hit.key for hit in store.search((user, "memories"), query="locker code")] == ["kept"]
    store.delete((user, "memories"), "secret")  # deleting what is gone is not an error


def test_namespaces_keep_items_apart(store: MemgridStore, client_stack: ClientStack) -> None:
    user, other = new_user(), new_user()
    store.put((user, "memories"), "food", {"text": "likes ramen"})
    store.put((user, "memories", "work"), "food", {"text": "eats lunch at noon"})
    store.put((other, "memories"), "food", {"text": "likes pizza"})

    mine = store.get((user, "memories"), "food")
    assert mine is not None and mine.value == {"text": "likes ramen"}
    deeper = store.get((user, "memories", "work"), "food")
    assert deeper is not None and deeper.value == {"text": "eats lunch at noon"}
    theirs = store.search((other,), query="food")
    assert [(hit.namespace, hit.value["text"]) for hit in theirs] == [
        ((other, "memories"), "likes pizza")
    ]
    assert {hit.namespace for hit in store.search((user, "memories"))} == {
        (user, "memories"),
        (user, "memories", "work"),
    }
    # Another tenant's key sees none of it, under the same namespace.
    other_tenant = MemgridStore(client_stack.address, client_stack.key_b)
    try:
        assert other_tenant.get((user, "memories"), "food") is None
        assert other_tenant.search((user,), query="ramen") == []
    finally:
        other_tenant.close()


def test_list_namespaces(store: MemgridStore) -> None:
    user = new_user()
    for namespace in [(user, "a", "b"), (user, "a", "c", "d"), (user, "a", "c", "e"), (user, "f")]:
        store.put(namespace, "k", {"x": 1})

    assert store.list_namespaces(prefix=(user,)) == [
        (user, "a", "b"),
        (user, "a", "c", "d"),
        (user, "a", "c", "e"),
        (user, "f"),
    ]
    assert store.list_namespaces(prefix=(user, "a"), max_depth=3) == [
        (user, "a", "b"),
        (user, "a", "c"),
    ]
    assert store.list_namespaces(prefix=(user, "*", "c")) == [
        (user, "a", "c", "d"),
        (user, "a", "c", "e"),
    ]
    assert store.list_namespaces(prefix=(user,), suffix=("e",)) == [(user, "a", "c", "e")]
    assert store.list_namespaces(prefix=(user,), limit=1, offset=1) == [(user, "a", "c", "d")]


def test_a_namespace_must_name_the_user(store: MemgridStore) -> None:
    with pytest.raises(InvalidNamespaceError, match="user_id"):
        store.search((), query="anything")
    with pytest.raises(InvalidNamespaceError, match="user_id"):
        store.list_namespaces(suffix=("memories",))
    with pytest.raises(InvalidNamespaceError):
        store.put(("has.dot", "memories"), "k", {"x": 1})
    # memgrid's own rules on user ids come through with the field they break.
    with pytest.raises(InvalidArgument) as caught:
        store.put(("has space", "memories"), "k", {"x": 1})
    assert caught.value.violations[0].field.endswith("user_id")


async def test_async_operations(async_store: MemgridStore) -> None:
    user = new_user()
    await async_store.aput((user, "memories"), "pet", {"text": "has a cat called Miso"})
    item = await async_store.aget((user, "memories"), "pet")
    assert item is not None and item.value == {"text": "has a cat called Miso"}
    hits = await async_store.asearch((user, "memories"), query="what pet does the user have")
    assert [hit.key for hit in hits] == ["pet"]
    assert hits[0].score is not None and hits[0].score > 0
    assert await async_store.alist_namespaces(prefix=(user,)) == [(user, "memories")]
    await async_store.adelete((user, "memories"), "pet")
    assert await async_store.aget((user, "memories"), "pet") is None


class State(TypedDict):
    user_id: str
    message: str
    recalled: list[str]


def remember_and_recall(state: State, *, store: BaseStore) -> dict[str, list[str]]:
    """A node as LangGraph's docs write them: recall what the store knows, then store the
    new message."""
    namespace = (state["user_id"], "memories")
    hits = store.search(namespace, query=state["message"], limit=3)
    store.put(namespace, uuid.uuid4().hex, {"text": state["message"]})
    return {"recalled": [hit.value["text"] for hit in hits]}


async def aremember_and_recall(state: State, *, store: BaseStore) -> dict[str, list[str]]:
    namespace = (state["user_id"], "memories")
    hits = await store.asearch(namespace, query=state["message"], limit=3)
    await store.aput(namespace, uuid.uuid4().hex, {"text": state["message"]})
    return {"recalled": [hit.value["text"] for hit in hits]}


def graph_with(store: MemgridStore, node):
    builder = StateGraph(State)
    builder.add_node("remember_and_recall", node)
    builder.add_edge(START, "remember_and_recall")
    builder.add_edge("remember_and_recall", END)
    return builder.compile(store=store)


def test_a_graph_node_uses_the_store(store: MemgridStore) -> None:
    user = new_user()
    graph = graph_with(store, remember_and_recall)
    first = graph.invoke({"user_id": user, "message": "My sister lives in Lisbon", "recalled": []})
    assert first["recalled"] == []
    second = graph.invoke(
        {"user_id": user, "message": "Where does my sister live?", "recalled": []}
    )
    assert second["recalled"][0] == "My sister lives in Lisbon"
    assert len(store.search((user, "memories"))) == 2


async def test_a_graph_node_uses_the_store_async(async_store: MemgridStore) -> None:
    user = new_user()
    graph = graph_with(async_store, aremember_and_recall)
    await graph.ainvoke({"user_id": user, "message": "I play the cello", "recalled": []})
    answer = await graph.ainvoke(
        {"user_id": user, "message": "Which instrument do I play?", "recalled": []}
    )
    assert answer["recalled"][0] == "I play the cello"
