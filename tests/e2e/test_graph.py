"""The knowledge graph through the gateway: built by consolidation from conversation turns,
queried by name, used by Search, and cleaned up by deletes (no orphans)."""

from __future__ import annotations

import uuid

import pytest
from memgrid.common.v1 import graph_pb2 as graph
from memgrid.common.v1 import memory_pb2 as common
from memgrid_client.client import MemgridClient
from memgrid_runtime import errors

from tests.e2e.test_thought import _consolidated, _turns


def _user() -> str:
    return f"g-{uuid.uuid4().hex[:8]}"


async def _conversation(
    client: MemgridClient, user: str, lines: list[tuple[str, str]]
) -> list[str]:
    said = await client.add_messages(common.Scope(user_id=user, session_id="s"), _turns(lines))
    await _consolidated(client, user)
    return [memory.id for memory in said.memories]


async def test_consolidation_builds_a_graph_the_api_can_walk(client_a, client_b):
    user = _user()
    said = await _conversation(
        client_a,
        user,
        [("user", "My sister Marguerite works at Zephyrlabs."), ("assistant", "Good to know.")],
    )
    found = await client_a.find_entities("marguer", user_id=user, match=graph.ENTITY_MATCH_PREFIX)
    assert [entity.name for entity in found.entities] == ["Marguerite"]
    neighbours = await client_a.get_neighbors("Marguerite", user_id=user, hops=1)
    assert "Zephyrlabs" in {reached.entity.name for reached in neighbours.entities}
    path = await client_a.shortest_path("Marguerite", "Zephyrlabs", user_id=user)
    assert path.found
    assert [entity.name for entity in path.entities] == ["Marguerite", "Zephyrlabs"]
    around = await client_a.get_memory_graph(said[0], user_id=user)
    assert "Marguerite" in {m.entity for m in around.mentions}

    related = await client_a.get_related_memories(
        ["Zephyrlabs"], common.MemoryFilter(user_id=user), hops=1
    )
    assert any("Marguerite" in hit.memory.content for hit in related.memories)
    # Another tenant, even under the same user id, reaches none of it.
    assert list((await client_b.find_entities("Marguerite", user_id=user)).entities) == []
    with pytest.raises(errors.NotFound):
        await client_b.get_neighbors("Marguerite", user_id=user, hops=1)


async def test_two_users_of_a_tenant_each_have_their_own_graph(client_a):
    """Both users name a Marguerite: each sees their own, and nothing of the other's
    through any graph RPC."""
    first, second = _user(), _user()
    first_said = await _conversation(
        client_a,
        first,
        [("user", "My sister Marguerite works at Zephyrlabs."), ("assistant", "Good to know.")],
    )
    await _conversation(
        client_a,
        second,
        [("user", "My friend Marguerite works at Quorvex."), ("assistant", "Noted.")],
    )
    for user, employer, other in (
        (first, "Zephyrlabs", "Quorvex"),
        (second, "Quorvex", "Zephyrlabs"),
    ):
        found = await client_a.find_entities("Marguerite", user_id=user)
        assert [entity.name for entity in found.entities] == ["Marguerite"]
        neighbours = await client_a.get_neighbors("Marguerite", user_id=user, hops=2)
        reached = {r.entity.name for r in neighbours.entities}
        assert employer in reached and other not in reached
        relations = {(r.source, r.target) for r in neighbours.relations}
        assert all(other not in pair for pair in relations)
        assert list((await client_a.find_entities(other, user_id=user)).entities) == []
        with pytest.raises(errors.NotFound):
            await client_a.shortest_path("Marguerite", other, user_id=user)
        related = await client_a.get_related_memories(
            [other], common.MemoryFilter(user_id=user), hops=1
        )
        assert list(related.memories) == [] and list(related.unknown_entities) == [other]
    # The first user's message is not in the second user's graph.
    with pytest.raises(errors.NotFound):
        await client_a.get_memory_graph(first_said[0], user_id=second)
    # Nor does naming the second user's Marguerite reach the first user's memories.
    mine = await client_a.get_related_memories(
        ["Marguerite"], common.MemoryFilter(user_id=second), hops=1
    )
    assert mine.memories and all(hit.memory.scope.user_id == second for hit in mine.memories)


async def test_search_expands_through_entities_the_query_names(client_a):
    user = _user()
    await _conversation(
        client_a,
        user,
        [
            ("user", "My colleague Ottoline recommended the book Dune."),
            ("assistant", "Noted."),
        ],
    )
    found = await client_a.search("What did Ottoline suggest?", common.MemoryFilter(user_id=user))
    assert "graph" not in found.degraded
    graph_hits = [hit for hit in found.hits if hit.explanation.graph_hops > 0]
    assert graph_hits, [hit.explanation for hit in found.hits]
    assert any("Ottoline" in hit.memory.content for hit in graph_hits)


async def test_deleting_memories_leaves_no_orphan_entity(client_a):
    user = _user()
    ids = await _conversation(
        client_a,
        user,
        [("user", "My neighbour Quillon plays the oboe."), ("assistant", "Lovely.")],
    )
    assert [e.name for e in (await client_a.find_entities("Quillon", user_id=user)).entities] == [
        "Quillon"
    ]
    reply = await client_a.delete_memories(common.MemoryFilter(user_id=user))
    assert reply.deleted_count >= len(ids)
    graph_state = next(p.state for p in reply.propagation if p.store == "graph")
    assert graph_state == common.PROPAGATION_STATE_DONE
    assert list((await client_a.find_entities("Quillon", user_id=user)).entities) == []


async def test_graph_outage_degrades_search_but_not_writes(stack, client_a):
    suite = stack.local_suite()
    user = _user()
    await client_a.add_memory("Notes about Pemberton and the garden", user_id=user)
    suite.kill("graph")
    try:
        found = await client_a.search("Pemberton garden", common.MemoryFilter(user_id=user))
        assert found.degraded == ["graph"]
        assert [hit.memory.content for hit in found.hits] == [
            "Notes about Pemberton and the garden"
        ]
        with pytest.raises(errors.Unavailable):
            await client_a.find_entities("Pemberton", user_id=user)
        deleted = await client_a.delete_memory(found.hits[0].memory.id)
        graph_state = next(p.state for p in deleted.propagation if p.store == "graph")
        assert graph_state == common.PROPAGATION_STATE_PENDING
    finally:
        await suite.restart("graph")
