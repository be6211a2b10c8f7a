"""Contract: listing memories by filter, oldest first, in keyset pages."""

from __future__ import annotations

import base64

import pytest
from google.protobuf import timestamp_pb2
from memgrid.common.v1 import memory_pb2 as mpb
from memgrid_runtime.errors import InvalidArgument

from services.memory_store.store.sql_store import SqlMemoryStore
from tests.memory_store.support import OTHER_TENANT, TENANT, create, new_memory


async def ids(store: SqlMemoryStore, **filter_fields) -> list[str]:
    page = await store.list_memories(TENANT, mpb.MemoryFilter(**filter_fields), 1000)
    return [memory.id for memory in page.memories]


async def test_every_filter_field_narrows_the_list(store: SqlMemoryStore, clock) -> None:
    tea, coffee, bob_tea, episode = await create(
        store,
        new_memory(
            "tea",
            agent_id="agent-1",
            session_id="s1",
            tags=["drink", "hot"],
            metadata={"source": "chat", "lang": "en"},
        ),
        new_memory(
            "coffee",
            agent_id="agent-2",
            session_id="s1",
            tags=["drink"],
            metadata={"source": "email"},
        ),
        new_memory("tea", user_id="bob", tags=["drink", "hot"]),
        new_memory("we talked", kind=mpb.MEMORY_KIND_EPISODE, tier=mpb.MEMORY_TIER_LONG),
    )
    clock.advance(10)
    [late] = await create(store, new_memory("later"))

    assert await ids(store, user_id="alice") == [tea.id, coffee.id, episode.id, late.id]
    assert await ids(store, user_id="bob") == [bob_tea.id]
    assert await ids(store, agent_id="agent-2") == [coffee.id]
    assert await ids(store, session_id="s1") == [tea.id, coffee.id]
    assert await ids(store, kinds=[mpb.MEMORY_KIND_EPISODE]) == [episode.id]
    assert await ids(store, kinds=[mpb.MEMORY_KIND_EPISODE, mpb.MEMORY_KIND_FACT]) == [
        tea.id,
        coffee.id,
        bob_tea.id,
        episode.id,
        late.id,
    ]
    assert await ids(store, tiers=[mpb.MEMORY_TIER_LONG]) == [episode.id]
    assert await ids(store, tags=["drink"]) == [tea.id, coffee.id, bob_tea.id]
    assert await ids(store, tags=["drink", "hot"]) == [tea.id, bob_tea.id]
    assert await ids(store, tags=["hot", "cold"]) == []
    assert await ids(store, metadata={"source": "chat"}) == [tea.id]
    assert await ids(store, metadata={"source": "chat", "lang": "fr"}) == []
    assert await ids(store, user_id="alice", tags=["drink"], metadata={"source": "email"}) == [
        coffee.id
    ]
    boundary = timestamp_pb2.Timestamp()
    boundary.FromMicroseconds(clock.now_us() - 5_000_000)
    assert await ids(store, created_after=boundary) == [late.id]
    assert await ids(store, created_before=boundary, user_id="bob") == [bob_tea.id]


async def test_pages_cover_everything_once_in_order(store: SqlMemoryStore, clock) -> None:
    # The clock stands still, so most memories share created_at and the id breaks ties.
    created = await create(store, *(new_memory(f"fact {n}") for n in range(7)))
    clock.advance(1)
    created += await create(store, *(new_memory(f"later {n}") for n in range(4)))

    seen: list[str] = []
    token, pages = "", 0
    while True:
        page = await store.list_memories(TENANT, mpb.MemoryFilter(user_id="alice"), 3, token)
        seen.extend(memory.id for memory in page.memories)
        pages += 1
        token = page.next_page_token
        if not token:
            break
    assert seen == [memory.id for memory in created]
    assert pages == 4


async def test_a_page_exactly_at_the_end_has_no_next_token(store: SqlMemoryStore) -> None:
    await create(store, new_memory("a"), new_memory("b"))
    page = await store.list_memories(TENANT, mpb.MemoryFilter(), 2)
    assert len(page.memories) == 2
    assert page.next_page_token == ""


async def test_memories_added_between_pages_come_at_the_end(store: SqlMemoryStore, clock) -> None:
    first = await create(store, new_memory("a"), new_memory("b"))
    page = await store.list_memories(TENANT, mpb.MemoryFilter(), 1)
    clock.advance(1)
    [added] = await create(store, new_memory("c"))
    rest = await store.list_memories(TENANT, mpb.MemoryFilter(), 10, page.next_page_token)
    assert [m.id for m in rest.memories] == [first[1].id, added.id]


@pytest.mark.parametrize(
    "token",
    [
        "not base64 !!",
        base64.urlsafe_b64encode(b"not json").decode(),
        base64.urlsafe_b64encode(b'{"v": 1, "q": "x", "t": 1, "i": "a"}').decode(),
        base64.urlsafe_b64encode(b"[1, 2]").decode(),
    ],
)
async def test_garbage_tokens_are_invalid_arguments(store: SqlMemoryStore, token: str) -> None:
    with pytest.raises(InvalidArgument) as caught:
        await store.list_memories(TENANT, mpb.MemoryFilter(), 10, token)
    assert [v.field for v in caught.value.violations] == ["page_token"]


async def test_a_token_only_works_with_its_own_filter_and_tenant(store: SqlMemoryStore) -> None:
    await create(store, new_memory("a"), new_memory("b"))
    await create(store, new_memory("a"), new_memory("b"), tenant_id=OTHER_TENANT)
    token = (
        await store.list_memories(TENANT, mpb.MemoryFilter(user_id="alice"), 1)
    ).next_page_token
    assert token

    for tenant, memory_filter in [
        (TENANT, mpb.MemoryFilter(user_id="bob")),
        (TENANT, mpb.MemoryFilter(user_id="alice", tags=["x"])),
        (OTHER_TENANT, mpb.MemoryFilter(user_id="alice")),
    ]:
        with pytest.raises(InvalidArgument) as caught:
            await store.list_memories(tenant, memory_filter, 1, token)
        assert [v.field for v in caught.value.violations] == ["page_token"]


async def test_a_page_ends_before_its_byte_budget(store: SqlMemoryStore) -> None:
    # 1,000 memories of 32 KiB would not fit in a 16 MiB reply: the page is cut by bytes
    # too, and the token continues right after the last memory it holds.
    created = await create(store, *(new_memory(f"{i} " + "x" * 10_000) for i in range(5)))
    budget = 25_000  # two of them, not three
    seen: list[str] = []
    token = ""
    pages = 0
    while True:
        page = await store.list_memories(
            TENANT, mpb.MemoryFilter(user_id="alice"), 1000, token, max_bytes=budget
        )
        assert 1 <= len(page.memories) <= 2
        seen += [memory.id for memory in page.memories]
        pages += 1
        token = page.next_page_token
        if not token:
            break
    assert seen == [memory.id for memory in created]
    assert pages == 3
    # One memory larger than the whole budget still comes back, alone, so paging ends.
    alone = await store.list_memories(
        TENANT, mpb.MemoryFilter(user_id="alice"), 1000, "", max_bytes=10
    )
    assert len(alone.memories) == 1 and alone.next_page_token


async def test_an_export_page_ends_before_its_byte_budget(store: SqlMemoryStore) -> None:
    created = await create(store, *(new_memory(f"{i} " + "x" * 10_000) for i in range(5)))
    seen: list[str] = []
    after = ""
    while True:
        page = await store.export_memories(TENANT, after, 1000, max_bytes=25_000)
        assert 1 <= len(page.memories) <= 2
        seen += [memory.id for memory in page.memories]
        after = page.next_after_id
        if not after:
            break
    assert sorted(seen) == sorted(memory.id for memory in created)
