"""Entities and relations reach a real graph service (FalkorDB) with their provenance, and a
superseded fact's relation is invalidated, not deleted."""

from __future__ import annotations

from datetime import timedelta

from memgrid.common.v1 import graph_pb2
from memgrid.common.v1 import memory_pb2 as mpb
from memgrid.graph.v1 import request_response_pb2 as grr
from memgrid.graph.v1 import service_pb2_grpc as graph_grpc
from memgrid_runtime.channels import connect

from services.thought_engine import records
from services.thought_engine.conversation import Turn
from services.thought_engine.fact_patterns import extract_facts
from services.thought_engine.graph_sink import GraphServiceSink
from services.thought_engine.graph_update import graph_update, user_node
from services.thought_engine.reconcile import StoredFact
from tests.thought_engine.conftest import MemoryStoreServer
from tests.thought_engine.conversations import T0, user_says
from tests.thought_engine.support import TENANT, append, engine, memories_of, scope, seqs


def test_the_user_is_named_by_id_and_relatives_by_the_name_a_fact_gave_them() -> None:
    turns = user_says("My sister Anna works at Google.", "I live in Paris.")
    facts = engine_facts(turns)

    update = graph_update("alice", turns, facts, provenance="thought-engine:deterministic")

    names = {e.name: e.type for e in update.entities}
    assert names["user:alice"] == "person"
    assert names["Anna"] == "person"
    assert names["Google"] == "organization"
    assert names["Paris"] == "place"
    relations = {(r.source, r.type, r.target) for r in update.relations}
    assert {
        ("user:alice", "has_sister", "Anna"),
        ("Anna", "works_at", "Google"),
        ("user:alice", "lives_in", "Paris"),
    } <= relations
    assert "user" not in names and "user's sister" not in names


def engine_facts(turns: list[Turn]) -> list[StoredFact]:
    """The turns' facts as if stored, each under its own memory id."""
    return [
        StoredFact(f"mem-{i}", fact, valid_from=fact.observed_at)
        for i, fact in enumerate(extract_facts(turns))
    ]


async def test_a_pass_sends_entities_relations_and_invalidations_to_the_graph(
    memory_store: MemoryStoreServer, graph_server: str
) -> None:
    store = memory_store.client
    channel = connect(graph_server)
    graph = graph_grpc.GraphServiceStub(channel)
    consolidator = engine(store, graph=GraphServiceSink(channel)).consolidator
    first = await append(store, [("user", "I live in Paris. My sister Anna works at Google.")])
    moved = await append(store, [("user", "I moved to Berlin.")], start=T0 + timedelta(days=9))

    await consolidator.session_pass(
        TENANT, scope(), [m.id for m in first], seqs=seqs(first), deadline=None
    )
    report = await consolidator.session_pass(
        TENANT, scope(), [m.id for m in moved], seqs=seqs(moved), deadline=None
    )

    assert [len(u.invalidations) for u in report.graph] == [1]
    now = await graph.GetNeighbors(
        grr.GetNeighborsRequest(
            tenant_id=TENANT, user_id=scope().user_id, entity=user_node("alice"), hops=1
        )
    )
    assert {e.entity.name for e in now.entities} == {"user:alice", "Anna", "Berlin"}
    ever = await graph.GetNeighbors(
        grr.GetNeighborsRequest(
            tenant_id=TENANT,
            user_id=scope().user_id,
            entity=user_node("alice"),
            hops=1,
            filter=graph_pb2.RelationFilter(include_invalidated=True),
        )
    )
    paris = next(r for r in ever.relations if r.target == "Paris")
    assert paris.type == "lives_in"
    assert paris.valid_to == moved[0].valid_from
    (paris_fact,) = [
        m
        for m in await memories_of(store, mpb.MEMORY_KIND_PROFILE, include_superseded=True)
        if m.metadata[records.VALUE] == "Paris"
    ]
    assert set(paris.source_memory_ids) == {paris_fact.id, first[0].id}
    related = await graph.RelatedMemories(
        grr.RelatedMemoriesRequest(tenant_id=TENANT, user_id=scope().user_id, entities=["Google"])
    )
    assert first[0].id in {m.memory_id for m in related.memories}
    await channel.close(None)


async def test_sending_the_same_pass_twice_leaves_the_graph_as_once(
    memory_store: MemoryStoreServer, graph_server: str
) -> None:
    store = memory_store.client
    channel = connect(graph_server)
    graph = graph_grpc.GraphServiceStub(channel)
    consolidator = engine(store, graph=GraphServiceSink(channel)).consolidator
    said = await append(store, [("user", "My sister Anna works at Google.")])

    counts = []
    for _ in range(2):
        await consolidator.session_pass(
            TENANT, scope(), [m.id for m in said], seqs=seqs(said), deadline=None
        )
        stats = await graph.GetGraphStats(
            grr.GetGraphStatsRequest(tenant_id=TENANT, user_id=scope().user_id)
        )
        counts.append((stats.entity_count, stats.relation_count))
    # user:alice -has_sister-> Anna -works_at-> Google, once each.
    assert counts == [(3, 2), (3, 2)]
    await channel.close(None)
