"""The GraphStore contract, run against every backend (FalkorDB and Neo4j)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from memgrid_runtime.errors import InvalidArgument, NotFound

from services.graph.limits import MAX_HOPS
from services.graph.model import (
    Direction,
    EntityInput,
    EntityMatch,
    GraphScope,
    MentionInput,
    RelationFilter,
    RelationInput,
    UpsertBatch,
)
from services.graph.store.chunks import CHUNK_SIZE
from services.graph.store.cypher_store import CypherGraphStore

ANY_TIME = RelationFilter()
T0 = datetime(2024, 1, 1, tzinfo=UTC)


def relation(
    source: str,
    target: str,
    kind: str,
    *memory_ids: str,
    confidence: float = 1.0,
    valid_from: datetime | None = None,
    valid_to: datetime | None = None,
) -> RelationInput:
    return RelationInput(
        source, target, kind, list(memory_ids), confidence, valid_from=valid_from, valid_to=valid_to
    )


# "What did the person my sister works with recommend?" is three hops from Alice.
FAMILY = UpsertBatch(
    entities=[
        EntityInput("Alice", "person", ["Ally"]),
        EntityInput("Beth", "person"),
        EntityInput("Carl", "person"),
        EntityInput("Dune", "book"),
        EntityInput("Paris", "place"),
    ],
    relations=[
        relation("Alice", "Beth", "sister_of", "m1", confidence=0.9),
        relation("Beth", "Carl", "works_with", "m2", confidence=0.8),
        relation("Carl", "Dune", "recommended", "m3", confidence=0.7),
        relation("Alice", "Paris", "lives_in", "m4"),
    ],
    mentions=[MentionInput("m5", "Dune", "keyphrase", 0.6)],
)


async def neighbor_names(
    store: CypherGraphStore,
    tenant: GraphScope,
    name: str,
    hops: int,
    flt: RelationFilter = ANY_TIME,
) -> dict[str, int]:
    found = await store.neighbors(tenant, name, hops=hops, relation_filter=flt, limit=100)
    return {reached.entity.name: reached.hops for reached in found.entities}


async def snapshot(store: CypherGraphStore, tenant: GraphScope) -> object:
    """Everything observable about the FAMILY tenant."""
    stats = await store.stats(tenant)
    everything = await store.neighbors(
        tenant, "Alice", hops=MAX_HOPS, relation_filter=ANY_TIME, limit=1000
    )
    subgraphs = [
        await store.memory_subgraph(tenant, memory_id, hops=0, relation_filter=ANY_TIME, limit=10)
        for memory_id in ("m1", "m2", "m3", "m4", "m5")
    ]
    return (stats, everything, [subgraph.mentions for subgraph in subgraphs])


async def test_upsert_is_idempotent(store: CypherGraphStore, tenant: GraphScope) -> None:
    first = await store.upsert(tenant, FAMILY)
    before = await snapshot(store, tenant)
    second = await store.upsert(tenant, FAMILY)
    assert await snapshot(store, tenant) == before
    assert first == second
    assert (first.entities_upserted, first.relations_upserted) == (5, 4)
    stats = await store.stats(tenant)
    assert (stats.entity_count, stats.relation_count, stats.memory_count) == (5, 4, 5)


async def test_relation_evidence_accumulates(store: CypherGraphStore, tenant: GraphScope) -> None:
    await store.upsert(
        tenant, UpsertBatch(relations=[relation("A", "B", "knows", "m1", confidence=0.4)])
    )
    await store.upsert(
        tenant,
        UpsertBatch(
            relations=[
                relation("a", "b", "knows", "m2", confidence=0.9),
                relation("A", "B", "knows", "m1", confidence=0.2),
            ]
        ),
    )
    found = await store.neighbors(tenant, "A", hops=1, relation_filter=ANY_TIME, limit=10)
    [knows] = found.relations
    assert knows.confidence == pytest.approx(0.9)
    assert knows.source_memory_ids == ("m1", "m2")
    assert (knows.source, knows.target) == ("A", "B")


async def test_names_match_case_and_spacing_insensitively(
    store: CypherGraphStore, tenant: GraphScope
) -> None:
    await store.upsert(
        tenant,
        UpsertBatch(
            entities=[EntityInput("Alice  Smith", "person"), EntityInput("ALICE smith", "")],
            mentions=[MentionInput("m1", "alice smith")],
        ),
    )
    entity = await store.get_entity(tenant, " alice   SMITH ")
    assert (entity.name, entity.key, entity.type) == ("Alice  Smith", "alice smith", "person")
    assert (await store.stats(tenant)).entity_count == 1


async def test_type_is_kept_when_empty_and_replaced_when_given(
    store: CypherGraphStore, tenant: GraphScope
) -> None:
    await store.upsert(tenant, UpsertBatch(entities=[EntityInput("Acme", "company")]))
    await store.upsert(tenant, UpsertBatch(entities=[EntityInput("acme", "")]))
    assert (await store.get_entity(tenant, "Acme")).type == "company"
    await store.upsert(tenant, UpsertBatch(entities=[EntityInput("ACME", "organisation")]))
    assert (await store.get_entity(tenant, "Acme")).type == "organisation"


async def test_find_by_exact_alias_and_prefix(store: CypherGraphStore, tenant: GraphScope) -> None:
    await store.upsert(
        tenant,
        UpsertBatch(
            entities=[
                EntityInput("Robert Smith", "person", ["Bob", "Bobby"]),
                EntityInput("Roberta", "person"),
                EntityInput("Bob's Burgers", "place"),
            ]
        ),
    )

    async def names(
        query: str, match: EntityMatch, types: frozenset[str] = frozenset()
    ) -> list[str]:
        found = await store.find_entities(tenant, query, match, types=types, limit=10)
        return [entity.name for entity in found]

    assert await names("robert smith", EntityMatch.EXACT) == ["Robert Smith"]
    assert await names("bob", EntityMatch.EXACT) == []
    assert await names("BOB", EntityMatch.ALIAS) == ["Robert Smith"]
    assert await names("bob", EntityMatch.EXACT_OR_ALIAS) == ["Robert Smith"]
    # Ordered by key: "robert smith" sorts before "roberta".
    assert await names("rob", EntityMatch.PREFIX) == ["Robert Smith", "Roberta"]
    assert await names("Bob", EntityMatch.PREFIX) == ["Bob's Burgers", "Robert Smith"]
    assert await names("bob", EntityMatch.PREFIX, frozenset({"place"})) == ["Bob's Burgers"]
    assert await names("zed", EntityMatch.PREFIX) == []
    assert [
        e.name for e in await store.find_entities(tenant, "r", EntityMatch.PREFIX, limit=1)
    ] == ["Robert Smith"]
    robert = await store.get_entity(tenant, "bobby")
    assert robert.aliases == ("Bob", "Bobby")


async def test_unknown_and_ambiguous_names_are_not_found(
    store: CypherGraphStore, tenant: GraphScope
) -> None:
    await store.upsert(
        tenant,
        UpsertBatch(
            entities=[EntityInput("Samuel", "", ["Sam"]), EntityInput("Samantha", "", ["Sam"])]
        ),
    )
    with pytest.raises(NotFound):
        await store.get_entity(tenant, "Nobody")
    with pytest.raises(NotFound) as ambiguous:
        await store.get_entity(tenant, "sam")
    assert ambiguous.value.reason == "AMBIGUOUS_ALIAS"


async def test_references_resolve_through_aliases(
    store: CypherGraphStore, tenant: GraphScope
) -> None:
    await store.upsert(tenant, UpsertBatch(entities=[EntityInput("Robert", "person", ["Bob"])]))
    await store.upsert(
        tenant,
        UpsertBatch(
            entities=[EntityInput("Margaret", "person", ["Peggy"])],
            relations=[relation("Bob", "Peggy", "married_to", "m1")],
            mentions=[MentionInput("m2", "bob")],
        ),
    )
    assert await neighbor_names(store, tenant, "Robert", 1) == {"Robert": 0, "Margaret": 1}
    assert (await store.stats(tenant)).entity_count == 2
    subgraph = await store.memory_subgraph(tenant, "m2", hops=0, relation_filter=ANY_TIME, limit=5)
    assert [mention.entity_name for mention in subgraph.mentions] == ["Robert"]


async def test_neighbors_within_k_hops(store: CypherGraphStore, tenant: GraphScope) -> None:
    await store.upsert(tenant, FAMILY)
    assert await neighbor_names(store, tenant, "Alice", 1) == {"Alice": 0, "Beth": 1, "Paris": 1}
    assert await neighbor_names(store, tenant, "ally", 2) == {
        "Alice": 0,
        "Beth": 1,
        "Paris": 1,
        "Carl": 2,
    }
    three = await store.neighbors(tenant, "Alice", hops=3, relation_filter=ANY_TIME, limit=100)
    dune = next(r for r in three.entities if r.entity.name == "Dune")
    assert (dune.hops, dune.path_confidence) == (3, pytest.approx(0.9 * 0.8 * 0.7))
    assert [(r.source, r.type, r.target) for r in three.relations] == [
        ("Alice", "sister_of", "Beth"),
        ("Alice", "lives_in", "Paris"),
        ("Beth", "works_with", "Carl"),
        ("Carl", "recommended", "Dune"),
    ]
    limited = await store.neighbors(tenant, "Alice", hops=3, relation_filter=ANY_TIME, limit=3)
    assert len(limited.entities) == 3 and limited.truncated
    assert not three.truncated


async def test_neighbors_filter_by_type_and_direction(
    store: CypherGraphStore, tenant: GraphScope
) -> None:
    await store.upsert(tenant, FAMILY)
    family_only = RelationFilter(types=frozenset({"sister_of", "works_with"}))
    assert await neighbor_names(store, tenant, "Alice", 3, family_only) == {
        "Alice": 0,
        "Beth": 1,
        "Carl": 2,
    }
    outgoing = RelationFilter(direction=Direction.OUTGOING)
    incoming = RelationFilter(direction=Direction.INCOMING)
    assert await neighbor_names(store, tenant, "Beth", 1, outgoing) == {"Beth": 0, "Carl": 1}
    assert await neighbor_names(store, tenant, "Beth", 1, incoming) == {"Beth": 0, "Alice": 1}
    assert await neighbor_names(
        store, tenant, "Beth", 1, RelationFilter(types=frozenset({"x"}))
    ) == {"Beth": 0}


async def test_directed_walks_end_where_relations_do(
    store: CypherGraphStore, tenant: GraphScope
) -> None:
    await store.upsert(tenant, FAMILY)
    outgoing = RelationFilter(direction=Direction.OUTGOING)
    incoming = RelationFilter(direction=Direction.INCOMING)
    # Dune has no outgoing relation and Alice no incoming one: the deeper levels are empty.
    assert await neighbor_names(store, tenant, "Carl", MAX_HOPS, outgoing) == {
        "Carl": 0,
        "Dune": 1,
    }
    assert await neighbor_names(store, tenant, "Dune", MAX_HOPS, incoming) == {
        "Dune": 0,
        "Carl": 1,
        "Beth": 2,
        "Alice": 3,
    }
    assert await neighbor_names(store, tenant, "Alice", 2, incoming) == {"Alice": 0}


async def test_walks_start_from_the_named_entity_not_its_namesakes_aliases(
    store: CypherGraphStore, tenant: GraphScope
) -> None:
    # "Bob" is an entity of its own and also an alias of Robert: the name means the entity.
    await store.upsert(
        tenant,
        UpsertBatch(
            entities=[EntityInput("Robert", "person", ["Bob"]), EntityInput("Bob", "person")],
            relations=[
                relation("Robert", "Xavier", "knows", "m1"),
                relation("Bob", "Yolanda", "likes", "m2"),
            ],
        ),
    )
    assert await neighbor_names(store, tenant, "bob", 2) == {"Bob": 0, "Yolanda": 1}
    related = await store.related_memories(
        tenant, ["bob"], hops=2, relation_filter=ANY_TIME, limit=10
    )
    assert [(m.memory_id, m.hops) for m in related.memories] == [("m2", 0)]


async def test_walks_from_an_ambiguous_alias_are_not_found(
    store: CypherGraphStore, tenant: GraphScope
) -> None:
    await store.upsert(
        tenant,
        UpsertBatch(
            entities=[EntityInput("Samuel", "", ["Sam"]), EntityInput("Samantha", "", ["Sam"])],
            relations=[relation("Samuel", "Samantha", "knows", "m1")],
        ),
    )
    with pytest.raises(NotFound) as ambiguous:
        await store.neighbors(tenant, "sam", hops=1, relation_filter=ANY_TIME, limit=10)
    assert ambiguous.value.reason == "AMBIGUOUS_ALIAS"
    related = await store.related_memories(
        tenant, ["sam", "Samuel", "samuel"], hops=1, relation_filter=ANY_TIME, limit=10
    )
    assert related.unknown_entities == ["sam"]
    assert [(m.memory_id, m.hops, m.via_entities) for m in related.memories] == [
        ("m1", 0, ("Samuel",))
    ]


async def test_contradicted_relations_are_invalidated_not_deleted(
    store: CypherGraphStore, tenant: GraphScope
) -> None:
    moved = T0 + timedelta(days=300)
    await store.upsert(
        tenant, UpsertBatch(relations=[relation("Alice", "Acme", "works_at", "m1", valid_from=T0)])
    )
    invalidated = await store.invalidate_relations(tenant, "alice", "ACME", "works_at", moved)
    assert invalidated == 1
    assert await store.invalidate_relations(tenant, "alice", "ACME", "works_at", moved) == 0
    await store.upsert(
        tenant,
        UpsertBatch(relations=[relation("Alice", "Globex", "works_at", "m2", valid_from=moved)]),
    )

    def at(instant: datetime) -> RelationFilter:
        return RelationFilter(valid_at=instant)

    assert await neighbor_names(store, tenant, "Alice", 1, at(T0 + timedelta(days=1))) == {
        "Alice": 0,
        "Acme": 1,
    }
    assert await neighbor_names(store, tenant, "Alice", 1, at(moved)) == {"Alice": 0, "Globex": 1}
    assert await neighbor_names(store, tenant, "Alice", 1, at(T0 - timedelta(days=1))) == {
        "Alice": 0
    }
    history = await store.neighbors(tenant, "Alice", hops=1, relation_filter=ANY_TIME, limit=10)
    acme = next(r for r in history.relations if r.target == "Acme")
    assert (acme.valid_from, acme.valid_to) == (T0, moved)
    assert (await store.stats(tenant)).relation_count == 2


async def test_shortest_path(store: CypherGraphStore, tenant: GraphScope) -> None:
    await store.upsert(tenant, FAMILY)
    await store.upsert(
        tenant, UpsertBatch(relations=[relation("Paris", "Carl", "home_of", "m6", confidence=0.5)])
    )
    path = await store.shortest_path(tenant, "Alice", "Dune", max_hops=4, relation_filter=ANY_TIME)
    assert path is not None
    # Two three-hop paths; the more confident one (via Beth: 0.9*0.8 > 1.0*0.5) wins.
    assert [e.name for e in path.entities] == ["Alice", "Beth", "Carl", "Dune"]
    assert [r.type for r in path.relations] == ["sister_of", "works_with", "recommended"]
    assert (
        await store.shortest_path(tenant, "Alice", "Dune", max_hops=2, relation_filter=ANY_TIME)
        is None
    )
    only_places = RelationFilter(types=frozenset({"lives_in", "home_of", "recommended"}))
    via_paris = await store.shortest_path(
        tenant, "Alice", "Dune", max_hops=3, relation_filter=only_places
    )
    assert via_paris is not None
    assert [e.name for e in via_paris.entities] == ["Alice", "Paris", "Carl", "Dune"]
    outgoing = RelationFilter(direction=Direction.OUTGOING)
    assert (
        await store.shortest_path(tenant, "Dune", "Alice", max_hops=4, relation_filter=outgoing)
        is None
    )
    itself = await store.shortest_path(
        tenant, "Alice", "ally", max_hops=1, relation_filter=ANY_TIME
    )
    assert itself is not None and [e.name for e in itself.entities] == ["Alice"]
    with pytest.raises(NotFound):
        await store.shortest_path(tenant, "Alice", "Nobody", max_hops=2, relation_filter=ANY_TIME)


async def test_related_memories_ranked_by_hops_then_confidence(
    store: CypherGraphStore, tenant: GraphScope
) -> None:
    await store.upsert(tenant, FAMILY)
    await store.upsert(tenant, UpsertBatch(mentions=[MentionInput("m7", "Beth", "llm", 0.3)]))
    related = await store.related_memories(
        tenant, ["Alice", "Zorro"], hops=3, relation_filter=ANY_TIME, limit=10
    )
    ranked = [(m.memory_id, m.hops) for m in related.memories]
    # Hop 0: m1 (Alice, 0.9) before m4 (Alice, 1.0)? No: m4's mention confidence is 1.0.
    assert ranked == [("m4", 0), ("m1", 0), ("m2", 1), ("m7", 1), ("m3", 2), ("m5", 3)]
    assert related.unknown_entities == ["Zorro"]
    by_id = {m.memory_id: m for m in related.memories}
    assert by_id["m2"].via_entities == ("Beth",)
    assert by_id["m2"].confidence == pytest.approx(0.9 * 0.8)
    assert by_id["m5"].confidence == pytest.approx(0.9 * 0.8 * 0.7 * 0.6)

    nearby = await store.related_memories(
        tenant, ["Alice"], hops=0, relation_filter=ANY_TIME, limit=10, exclude_memory_ids=["m4"]
    )
    assert [m.memory_id for m in nearby.memories] == ["m1"]
    top = await store.related_memories(tenant, ["Carl"], hops=1, relation_filter=ANY_TIME, limit=2)
    assert [m.memory_id for m in top.memories] == ["m2", "m3"]
    nothing = await store.related_memories(
        tenant, ["Zorro"], hops=2, relation_filter=ANY_TIME, limit=5
    )
    assert nothing.memories == [] and nothing.unknown_entities == ["Zorro"]


async def test_memory_subgraph(store: CypherGraphStore, tenant: GraphScope) -> None:
    await store.upsert(tenant, FAMILY)
    subgraph = await store.memory_subgraph(tenant, "m2", hops=1, relation_filter=ANY_TIME, limit=50)
    assert [(m.entity_name, m.provenance) for m in subgraph.mentions] == [
        ("Beth", "relation"),
        ("Carl", "relation"),
    ]
    assert {r.entity.name: r.hops for r in subgraph.entities} == {
        "Beth": 0,
        "Carl": 0,
        "Alice": 1,
        "Dune": 1,
    }
    assert {r.type for r in subgraph.relations} == {"sister_of", "works_with", "recommended"}
    with pytest.raises(NotFound):
        await store.memory_subgraph(tenant, "m-unknown", hops=1, relation_filter=ANY_TIME, limit=5)


async def test_merge_folds_duplicates_into_one_entity(
    store: CypherGraphStore, tenant: GraphScope
) -> None:
    await store.upsert(tenant, FAMILY)
    await store.upsert(
        tenant,
        UpsertBatch(
            entities=[EntityInput("A. Liddell", "", ["Alice L."])],
            relations=[
                relation("A. Liddell", "Wonderland", "visited", "m8", confidence=0.6),
                relation("Beth", "A. Liddell", "sister_of", "m9"),
                relation("A. Liddell", "Alice", "same_as", "m10"),
            ],
        ),
    )
    merged = await store.merge_entities(tenant, "Alice", ["a. liddell"])
    assert merged.merged_count == 1
    assert merged.entity.aliases == ("A. Liddell", "Alice L.", "Ally")
    assert (await store.get_entity(tenant, "Alice L.")).name == "Alice"
    assert await neighbor_names(store, tenant, "Alice", 1) == {
        "Alice": 0,
        "Beth": 1,
        "Paris": 1,
        "Wonderland": 1,
    }
    around = await store.neighbors(tenant, "Alice", hops=1, relation_filter=ANY_TIME, limit=10)
    assert {(r.source, r.type, r.target) for r in around.relations} == {
        ("Alice", "sister_of", "Beth"),
        ("Alice", "lives_in", "Paris"),
        ("Alice", "visited", "Wonderland"),
        ("Beth", "sister_of", "Alice"),
    }
    subgraph = await store.memory_subgraph(tenant, "m8", hops=0, relation_filter=ANY_TIME, limit=5)
    assert {m.entity_name for m in subgraph.mentions} == {"Alice", "Wonderland"}
    retried = await store.merge_entities(tenant, "Alice", ["A. Liddell"])
    assert retried.merged_count == 0
    with pytest.raises(NotFound):
        await store.merge_entities(tenant, "Alice", ["Nobody"])
    with pytest.raises(InvalidArgument) as itself:
        await store.merge_entities(tenant, "Alice", ["ALICE"])
    assert itself.value.violations[0].field == "sources[0]"


async def test_removing_memories_leaves_no_orphans(
    store: CypherGraphStore, tenant: GraphScope
) -> None:
    await store.upsert(tenant, FAMILY)
    # Beth works with Carl says m2, and m11 says it too.
    await store.upsert(
        tenant, UpsertBatch(relations=[relation("Beth", "Carl", "works_with", "m11")])
    )

    removed = await store.remove_memory_links(tenant.tenant, ["m2", "m3"])
    assert (removed.relations_removed, removed.entities_collected) == (1, 0)
    assert removed.links_removed == 4
    around = await store.neighbors(tenant, "Carl", hops=1, relation_filter=ANY_TIME, limit=10)
    [works_with] = around.relations
    assert works_with.source_memory_ids == ("m11",)
    # Dune is still mentioned by m5; nothing of m2 or m3 is left.
    assert (await store.get_entity(tenant, "Dune")).name == "Dune"
    for memory_id in ("m2", "m3"):
        with pytest.raises(NotFound):
            await store.memory_subgraph(
                tenant, memory_id, hops=0, relation_filter=ANY_TIME, limit=5
            )

    removed = await store.remove_memory_links(tenant.tenant, ["m5", "m1", "m-unknown"])
    assert removed.entities_collected == 1  # Dune; Alice and Beth are still mentioned
    with pytest.raises(NotFound):
        await store.get_entity(tenant, "Dune")
    await store.remove_memory_links(tenant.tenant, ["m4", "m11"])
    stats = await store.stats(tenant)
    assert (stats.entity_count, stats.relation_count, stats.memory_count) == (0, 0, 0)
    assert await store.find_entities(tenant, "ally", EntityMatch.ALIAS, limit=5) == []
    again = await store.remove_memory_links(tenant.tenant, ["m4"])
    assert (again.links_removed, again.relations_removed, again.entities_collected) == (0, 0, 0)


@pytest.mark.parametrize("neighbour", ["another tenant", "another user of the tenant"])
async def test_scopes_never_see_each_other(
    store: CypherGraphStore, tenant: GraphScope, neighbour: str
) -> None:
    """Both for another tenant and for another user of the same tenant (one graph each):
    the same names are other entities, and nothing of one is read or changed through the
    other."""
    if neighbour == "another tenant":
        other = GraphScope(tenant.tenant + "-other", tenant.user)
    else:
        other = GraphScope(tenant.tenant, tenant.user + "-other")
    await store.upsert(tenant, FAMILY)
    assert (await store.stats(other)).entity_count == 0
    with pytest.raises(NotFound):
        await store.get_entity(other, "Alice")
    assert await store.find_entities(other, "a", EntityMatch.PREFIX, limit=10) == []
    assert await store.find_entities(other, "ally", EntityMatch.ALIAS, limit=10) == []
    with pytest.raises(NotFound):
        await store.neighbors(other, "Alice", hops=2, relation_filter=ANY_TIME, limit=10)
    with pytest.raises(NotFound):
        await store.shortest_path(other, "Alice", "Dune", max_hops=4, relation_filter=ANY_TIME)
    related = await store.related_memories(
        other, ["Alice"], hops=2, relation_filter=ANY_TIME, limit=10
    )
    assert related.memories == [] and related.unknown_entities == ["Alice"]
    with pytest.raises(NotFound):
        await store.memory_subgraph(other, "m1", hops=1, relation_filter=ANY_TIME, limit=10)
    with pytest.raises(NotFound):
        await store.merge_entities(other, "Alice", ["Beth"])
    with pytest.raises(NotFound):
        await store.invalidate_relations(other, "Alice", "Beth", "sister_of", T0)

    # The same names there are other entities, asserted by other memories (ids are unique
    # in a tenant); writes there touch nothing here.
    await store.upsert(
        other,
        UpsertBatch(
            entities=[EntityInput("Alice", "robot", ["ally"])],
            relations=[relation("Alice", "Mars", "lives_in", "o1")],
        ),
    )
    assert (await store.get_entity(other, "ally")).type == "robot"
    assert (await store.get_entity(tenant, "Alice")).type != "robot"
    assert await neighbor_names(store, other, "Alice", 1) == {"Alice": 0, "Mars": 1}
    assert await neighbor_names(store, tenant, "Alice", 1) == {"Alice": 0, "Beth": 1, "Paris": 1}
    with pytest.raises(NotFound):
        await store.shortest_path(tenant, "Alice", "Mars", max_hops=4, relation_filter=ANY_TIME)
    mine = await store.related_memories(
        tenant, ["Alice"], hops=0, relation_filter=ANY_TIME, limit=10
    )
    assert "o1" not in {m.memory_id for m in mine.memories}
    with pytest.raises(NotFound):
        await store.memory_subgraph(other, "m1", hops=0, relation_filter=ANY_TIME, limit=10)
    if other.tenant == tenant.tenant:
        # Memory ids are the tenant's: another user naming this user's memory attaches
        # nothing to it.
        await store.upsert(other, UpsertBatch(mentions=[MentionInput("m1", "Mars")]))
        subgraph = await store.memory_subgraph(
            tenant, "m1", hops=0, relation_filter=ANY_TIME, limit=10
        )
        assert "Mars" not in {m.entity_name for m in subgraph.mentions}
    other_stats = await store.stats(other)
    assert (other_stats.entity_count, other_stats.relation_count) == (2, 1)
    await store.remove_memory_links(other.tenant, ["o1"])
    assert await neighbor_names(store, tenant, "Alice", 1) == {"Alice": 0, "Beth": 1, "Paris": 1}
    assert (await store.stats(tenant)).memory_count == 5
    assert (await store.stats(other)).entity_count == 0


INJECTIONS = [
    "x'}) MATCH (n) DETACH DELETE n //",
    'x"}) MATCH (n) DETACH DELETE n //',
    "Robert`); DROP CONSTRAINT memgrid_entity_key; //",
    "$tenant",
    "back\\slash\\",
    'quote \\" escaped',
    "unicode \u00e9\u4e2d\U0001f600 \\u0027",
    "{tenant: 'other'}",
]


async def test_cypher_injection_strings_are_stored_verbatim(
    store: CypherGraphStore, tenant: GraphScope
) -> None:
    bystander = GraphScope(tenant.tenant + "-bystander", tenant.user)
    await store.upsert(bystander, FAMILY)
    batch = UpsertBatch(
        entities=[EntityInput(text, text, [text + " alias"]) for text in INJECTIONS],
        relations=[
            relation(INJECTIONS[i], INJECTIONS[i + 1], INJECTIONS[i], f"mem {INJECTIONS[i]}")
            for i in range(len(INJECTIONS) - 1)
        ],
        mentions=[MentionInput(text, text, text) for text in INJECTIONS],
    )
    await store.upsert(tenant, batch)
    for text in INJECTIONS:
        entity = await store.get_entity(tenant, text)
        assert (entity.name, entity.type, entity.aliases) == (text, text, (text + " alias",))
        assert [
            e.name
            for e in await store.find_entities(tenant, text + " alias", EntityMatch.ALIAS, limit=5)
        ] == [text]
        subgraph = await store.memory_subgraph(
            tenant, text, hops=0, relation_filter=ANY_TIME, limit=5
        )
        assert [(m.entity_name, m.provenance) for m in subgraph.mentions] == [(text, text)]
    typed = RelationFilter(types=frozenset({INJECTIONS[0]}))
    found = await store.neighbors(tenant, INJECTIONS[0], hops=1, relation_filter=typed, limit=10)
    [only] = found.relations
    assert (only.source, only.type, only.target) == (INJECTIONS[0], INJECTIONS[0], INJECTIONS[1])
    assert only.source_memory_ids == (f"mem {INJECTIONS[0]}",)
    stats = await store.stats(tenant)
    assert (stats.entity_count, stats.relation_count) == (len(INJECTIONS), len(INJECTIONS) - 1)
    assert await snapshot(store, bystander) == await snapshot(store, bystander)
    assert (await store.stats(bystander)).entity_count == 5

    await store.remove_memory_links(tenant.tenant, [*INJECTIONS, *(f"mem {t}" for t in INJECTIONS)])
    assert (await store.stats(tenant)).entity_count == 0
    assert (await store.stats(bystander)).entity_count == 5


@pytest.mark.parametrize("hops", [MAX_HOPS + 1, 0, -1])
async def test_hop_limits_are_enforced(
    store: CypherGraphStore, tenant: GraphScope, hops: int
) -> None:
    await store.upsert(tenant, FAMILY)
    with pytest.raises(InvalidArgument) as neighbors:
        await store.neighbors(tenant, "Alice", hops=hops, relation_filter=ANY_TIME, limit=10)
    assert neighbors.value.violations[0].field == "hops"
    with pytest.raises(InvalidArgument) as path:
        await store.shortest_path(tenant, "Alice", "Dune", max_hops=hops, relation_filter=ANY_TIME)
    assert path.value.violations[0].field == "max_hops"
    if hops != 0:  # zero hops is valid here: memories of the entities themselves
        with pytest.raises(InvalidArgument) as related:
            await store.related_memories(
                tenant, ["Alice"], hops=hops, relation_filter=ANY_TIME, limit=5
            )
        assert related.value.violations[0].field == "hops"


async def test_invalid_upsert_names_every_bad_field_and_writes_nothing(
    store: CypherGraphStore, tenant: GraphScope
) -> None:
    batch = UpsertBatch(
        entities=[EntityInput("Fine"), EntityInput("   "), EntityInput("x" * 300)],
        relations=[
            relation("Fine", "Other", "", "m1"),
            relation("Fine", "Other", "knows"),
            relation("Fine", "Other", "knows", "m1", confidence=1.5),
            relation("Fine", "Other", "knows", "m1", valid_from=T0, valid_to=T0),
        ],
        mentions=[MentionInput("", "Fine"), MentionInput("m1", "bell\x07")],
    )
    with pytest.raises(InvalidArgument) as error:
        await store.upsert(tenant, batch)
    assert [v.field for v in error.value.violations] == [
        "entities[1].name",
        "entities[2].name",
        "relations[0].type",
        "relations[1].source_memory_ids",
        "relations[2].confidence",
        "relations[3].valid_to",
        "mentions[0].memory_id",
        "mentions[1].entity",
    ]
    assert (await store.stats(tenant)).entity_count == 0
    with pytest.raises(InvalidArgument) as no_tenant:
        await store.upsert(GraphScope("", tenant.user), FAMILY)
    assert no_tenant.value.violations[0].field == "tenant_id"
    for reads in (
        store.upsert(GraphScope(tenant.tenant, ""), FAMILY),
        store.find_entities(GraphScope(tenant.tenant, " "), "a", EntityMatch.PREFIX, limit=5),
        store.neighbors(
            GraphScope(tenant.tenant, ""), "Alice", hops=1, relation_filter=ANY_TIME, limit=5
        ),
    ):
        with pytest.raises(InvalidArgument) as no_user:
            await reads
        assert [v.field for v in no_user.value.violations] == ["user_id"]


async def test_batches_larger_than_a_query_chunk_are_written_whole(
    store: CypherGraphStore, tenant: GraphScope
) -> None:
    # Several chunks per statement (store/chunks.py), which FalkorDB sends overlapped.
    count = CHUNK_SIZE * 2 + 500
    batch = UpsertBatch(
        entities=[EntityInput(f"Node {i}", "thing") for i in range(count)],
        relations=[
            relation(f"Node {i}", f"Node {i + 1}", "next", f"m{i}") for i in range(count - 1)
        ],
    )
    result = await store.upsert(tenant, batch)
    assert (result.entities_upserted, result.relations_upserted) == (count, count - 1)
    assert result.mentions_upserted == 2 * (count - 1)
    stats = await store.stats(tenant)
    assert (stats.entity_count, stats.relation_count, stats.memory_count) == (
        count,
        count - 1,
        count - 1,
    )
    assert await neighbor_names(store, tenant, f"Node {count - 1}", 2) == {
        f"Node {count - 1}": 0,
        f"Node {count - 2}": 1,
        f"Node {count - 3}": 2,
    }
    assert await store.upsert(tenant, batch) == result


async def test_concurrent_upserts_of_one_entity_create_it_once(
    store: CypherGraphStore, tenant: GraphScope
) -> None:
    batches = [
        UpsertBatch(
            entities=[EntityInput("Shared", "thing")],
            relations=[relation("Shared", f"Item {i}", "has", f"m{i}")],
        )
        for i in range(8)
    ]
    await asyncio.gather(*(store.upsert(tenant, batch) for batch in batches))
    stats = await store.stats(tenant)
    assert (stats.entity_count, stats.relation_count) == (9, 8)
    assert await neighbor_names(store, tenant, "shared", 1) == {
        "Shared": 0,
        **{f"Item {i}": 1 for i in range(8)},
    }
