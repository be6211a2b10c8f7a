"""Forgetting on the whole suite: a unique token is said, consolidated into facts, a
profile, episodes and graph entities, then deleted; no read RPC finds it afterwards, in
memory-store, the search index or the graph. Erasing a user or a tenant does the same for
everything of theirs.

The first test runs twice: on the embedded defaults (SQLite, FalkorDB) and on the server
backends (PostgreSQL, Neo4j), so that every store the suite can run on is searched."""

from __future__ import annotations

import asyncio
import os
import random
import string
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
from memgrid.common.v1 import graph_pb2
from memgrid.common.v1 import memory_pb2 as common
from memgrid_client.client import MemgridClient
from memgrid_runtime import errors
from memgrid_suite.launcher import Suite

from services.thought_engine.graph_update import user_node
from tests.e2e.conftest import KEY_A, Stack
from tests.e2e.test_thought import _consolidated, _search_until, _turns
from tests.graph.conftest import NEO4J_HINT, backend_missing
from tests.memory_store.support import postgres_dsn_or_skip

_ALL_KINDS = [
    common.MEMORY_KIND_MESSAGE,
    common.MEMORY_KIND_EPISODE,
    common.MEMORY_KIND_FACT,
    common.MEMORY_KIND_PROFILE,
    common.MEMORY_KIND_PATTERN,
]


def _token() -> str:
    """A made-up place name no other test says: capitalised letters, as a city is."""
    return "Q" + "".join(random.choices(string.ascii_lowercase, k=9))


def _conversation(token: str) -> list[tuple[str, str]]:
    """Enough turns that the oldest spill into an episode summary, the token among them."""
    return [
        ("user", f"Hi, my name is Dana. I live in {token} and I love hiking."),
        ("assistant", f"Nice to meet you, Dana. How is life in {token}?"),
        ("user", "Good. My sister Anna works at Google."),
        *[
            (("user", "assistant")[i % 2], f"We keep talking about trail running shoes, part {i}.")
            for i in range(30)
        ],
    ]


def _says(memory: common.Memory, token: str) -> bool:
    texts = [memory.content, *memory.metadata.values(), *memory.tags]
    return any(token.casefold() in text.casefold() for text in texts)


async def _everything(client: MemgridClient, user: str) -> list[common.Memory]:
    return [
        memory
        async for memory in client.iter_memories(
            common.MemoryFilter(user_id=user, kinds=_ALL_KINDS, include_superseded=True)
        )
    ]


async def _until(check: Callable[[], Awaitable[list[str]]], seconds: float = 30) -> None:
    """Waits until `check` finds nothing: derived stores hear of a delete through the
    outbox, a moment after memory-store commits it."""
    deadline = time.monotonic() + seconds
    while found := await check():
        assert time.monotonic() < deadline, found
        await asyncio.sleep(0.2)


async def _traces_of(client: MemgridClient, user: str, token: str, job_id: str) -> list[str]:
    """Every place a read RPC still shows the token, as a list of descriptions."""
    found: list[str] = []
    for memory in await _everything(client, user):
        if _says(memory, token):
            found.append(f"ListMemories: {memory.kind} {memory.content!r}")
        for version in await client.get_memory_history(memory.id):
            if _says(version.memory, token):
                found.append(f"GetMemoryHistory {memory.id} v{version.version}")
    for query in (f"Where does Dana live? {token}", token, f"life in {token}"):
        for memory_filter in (
            common.MemoryFilter(user_id=user),
            common.MemoryFilter(user_id=user, kinds=_ALL_KINDS, include_superseded=True),
        ):
            reply = await client.search(query, memory_filter, k=50)
            found += [
                f"Search {query!r}: {h.memory.content!r}"
                for h in reply.hits
                if _says(h.memory, token)
            ]
    profile = await client.get_profile(user)
    found += [
        f"GetProfile {e.key}={e.value}"
        for e in (*profile.entries, *profile.related_facts)
        if token.casefold() in f"{e.subject} {e.value}".casefold()
    ]
    patterns = await client.list_patterns(user)
    found += [f"ListPatterns {p.description}" for p in patterns.patterns if token in p.description]
    try:
        job = await client.get_job(job_id)
    except errors.NotFound:
        pass  # erased with its user
    else:
        if token.casefold() in f"{job.note} {job.last_error}".casefold():
            found.append(f"GetJob note {job.note!r}")
    entities = await client.find_entities(token, user_id=user, match=graph_pb2.ENTITY_MATCH_PREFIX)
    found += [f"FindEntities {e.name}" for e in entities.entities]
    # The user's entity links everything said about them.
    try:
        around = await client.get_neighbors(user_node(user), user_id=user, hops=2)
    except errors.NotFound:
        pass  # nothing of the user is left in the graph
    else:
        found += [
            f"GetNeighbors {r.entity.name}" for r in around.entities if token in r.entity.name
        ]
        found += [
            f"GetNeighbors {r.source}-{r.target}" for r in around.relations if token in r.target
        ]
    related = await client.get_related_memories(
        [user_node(user)], common.MemoryFilter(user_id=user)
    )
    found += [
        f"GetRelatedMemories {h.memory.content!r}"
        for h in related.memories
        if _says(h.memory, token)
    ]
    return found


@pytest.fixture(scope="module")
async def server_backed_address(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[str]:
    """A second suite on PostgreSQL and Neo4j (the servers the tests already use)."""
    dsn = postgres_dsn_or_skip()
    neo4j = os.environ.get("MEMGRID_TEST_NEO4J_URI", "")
    if not neo4j:
        backend_missing(f"the erasure test on Neo4j needs MEMGRID_TEST_NEO4J_URI: {NEO4J_HINT}")
    base: Path = tmp_path_factory.mktemp("servers-suite")
    suite = Suite(
        data_dir=base / "data",
        log_dir=base / "logs",
        ephemeral_ports=True,
        api_keys=f"{KEY_A}=erasure-{uuid.uuid4().hex[:8]}",
        env={
            "MEMGRID_STORE_BACKEND": "postgres",
            "MEMGRID_POSTGRES_DSN": dsn,
            "MEMGRID_POSTGRES_SCHEMA": f"erasure_{uuid.uuid4().hex[:12]}",
            "MEMGRID_GRAPH_BACKEND": "neo4j",
            "MEMGRID_NEO4J_URI": neo4j,
        },
    )
    await suite.start()
    try:
        yield suite.gateway_address
    finally:
        await suite.stop()


async def test_a_deleted_turn_leaves_no_trace_on_the_embedded_stores(
    client_a: MemgridClient,
) -> None:
    await _delete_and_look_everywhere(client_a)


async def test_a_deleted_turn_leaves_no_trace_on_postgresql_and_neo4j(
    stack: Stack, server_backed_address: str
) -> None:
    stack.local_suite()  # a deployed stack has the backends it was deployed with
    async with MemgridClient(server_backed_address, KEY_A) as client:
        await _delete_and_look_everywhere(client)


async def _delete_and_look_everywhere(client_a: MemgridClient) -> None:
    user, token = f"erase-{uuid.uuid4().hex[:8]}", _token()
    said = await client_a.add_messages(
        common.Scope(user_id=user, session_id="s1"), _turns(_conversation(token))
    )
    job = await _consolidated(client_a, user)
    # The token reached every kind of derived memory and the graph before the delete.
    profile = await client_a.get_profile(user)
    assert ("lives_in", token) in {(e.key, e.value) for e in profile.entries}
    derived = [m for m in await _everything(client_a, user) if m.kind != common.MEMORY_KIND_MESSAGE]
    assert {common.MEMORY_KIND_EPISODE, common.MEMORY_KIND_PROFILE} <= {m.kind for m in derived}
    await _search_until(
        client_a,
        f"Where does Dana live? {token}",
        common.MemoryFilter(user_id=user, kinds=[common.MEMORY_KIND_PROFILE]),
        lambda reply: any(_says(h.memory, token) for h in reply.hits),
    )
    assert (await client_a.find_entities(token, user_id=user)).entities
    around = await client_a.get_neighbors(user_node(user), user_id=user, hops=2)
    assert token in {r.entity.name for r in around.entities}

    turns_with_token = [m for m in said.memories if token in m.content]
    replies = [await client_a.delete_memory(m.id) for m in turns_with_token]

    gone = {i for reply in replies for i in reply.derived.deleted_ids}
    assert gone, "the facts and the episode derived from the turns should go with them"
    for memory_id in gone:
        with pytest.raises(errors.NotFound):
            await client_a.get_memory(memory_id)
    await _until(lambda: _traces_of(client_a, user, token, job.id))
    # What the other turns said stays: only the deleted ones' content went.
    after = await client_a.get_profile(user)
    assert ("user's sister", "works_at", "Google") in {
        (e.subject, e.key, e.value) for e in after.related_facts
    }
    left = await _everything(client_a, user)
    assert len([m for m in left if m.kind == common.MEMORY_KIND_MESSAGE]) == len(
        said.memories
    ) - len(turns_with_token)
    for memory in left:
        assert not set(memory.source_message_ids) & {m.id for m in turns_with_token}, memory


async def test_erasing_a_user_removes_everything_of_theirs_and_nothing_else(
    client_a: MemgridClient,
) -> None:
    user, neighbour, token = (
        f"erase-{uuid.uuid4().hex[:8]}",
        f"keep-{uuid.uuid4().hex[:8]}",
        _token(),
    )
    await client_a.add_messages(
        common.Scope(user_id=user, session_id="s1"), _turns(_conversation(token))
    )
    kept = await client_a.add_messages(
        common.Scope(user_id=neighbour, session_id="s1"),
        _turns([("user", "I live in Lisbon and I collect stamps.")]),
    )
    job = await _consolidated(client_a, user)
    await _consolidated(client_a, neighbour)

    receipt = await client_a.erase_user(user)

    assert receipt.receipt_id.startswith("erasure_")
    assert receipt.user_id == user
    assert receipt.memories_deleted > 33  # the turns and what was derived from them
    assert {p.store for p in receipt.propagation} == {"search", "graph"}
    assert await _everything(client_a, user) == []
    await _until(lambda: _traces_of(client_a, user, token, job.id))
    with pytest.raises(errors.NotFound):
        await client_a.get_job(job.id)
    # The neighbour's data is untouched.
    assert (await client_a.get_memory(kept.memories[0].id)).content.startswith("I live in Lisbon")
    assert ("lives_in", "Lisbon") in {
        (e.key, e.value) for e in (await client_a.get_profile(neighbour)).entries
    }
    # A second erasure finds nothing more to erase.
    again = await client_a.erase_user(user)
    assert again.memories_deleted == 0


async def test_a_tenant_erasure_must_name_the_tenant(client_b: MemgridClient) -> None:
    [memory] = (
        await client_b.add_messages(
            common.Scope(user_id="someone", session_id="s"), _turns([("user", "hello")])
        )
    ).memories
    with pytest.raises(errors.InvalidArgument) as raised:
        await client_b.erase_tenant("tenant-a")
    assert [v.field for v in raised.value.violations] == ["confirm_tenant_id"]
    assert (await client_b.get_memory(memory.id)).id == memory.id


async def test_erasing_a_tenant_empties_it_and_only_it(
    client_a: MemgridClient, client_b: MemgridClient
) -> None:
    [other] = (
        await client_a.add_messages(
            common.Scope(user_id="stays", session_id="s"), _turns([("user", "tenant a stays")])
        )
    ).memories
    await client_b.add_messages(
        common.Scope(user_id="goes", session_id="s"), _turns([("user", "tenant b goes")])
    )

    receipt = await client_b.erase_tenant("tenant-b")

    assert receipt.memories_deleted >= 1
    assert receipt.user_id == ""
    assert (await client_b.list_memories(common.MemoryFilter(user_id="goes"))).memories == []
    reply = await client_b.search("tenant b goes", common.MemoryFilter(user_id="goes"))
    assert list(reply.hits) == []
    assert (await client_a.get_memory(other.id)).content == "tenant a stays"
