from __future__ import annotations

from services.thought_engine.entities import (
    Entity,
    EntityType,
    Relation,
    entities_from_facts,
    merge_entities,
    merge_relations,
    named_entities,
)
from services.thought_engine.fact_patterns import extract_facts
from tests.thought_engine.conversations import conversation, user_says

PERSON, ORG, PLACE, OTHER = (
    EntityType.PERSON,
    EntityType.ORGANIZATION,
    EntityType.PLACE,
    EntityType.OTHER,
)


def by_name(entities: list[Entity]) -> dict[str, EntityType]:
    return {e.name: e.type for e in entities}


def triples(relations: list[Relation]) -> set[tuple[str, str, str]]:
    return {(r.source, r.relation, r.target) for r in relations}


def test_fact_entities_name_relatives_and_type_targets() -> None:
    facts = extract_facts(
        user_says("My sister Anna works at Google.", "I live in Paris.", "I'm allergic to cats.")
    )

    entities, relations = entities_from_facts(facts)

    assert by_name(merge_entities(entities)) == {
        "Anna": PERSON,
        "Google": ORG,
        "user": PERSON,
        "Paris": PLACE,
        "cats": OTHER,
    }
    assert triples(relations) == {
        ("user", "HAS_SISTER", "Anna"),
        ("Anna", "WORKS_AT", "Google"),
        ("user", "LIVES_IN", "Paris"),
        ("user", "ALLERGIC_TO", "cats"),
    }
    anna_works = next(r for r in relations if r.relation == "WORKS_AT")
    assert anna_works.source_message_ids == ("m1",)


def test_an_unnamed_relative_is_its_role() -> None:
    _, relations = entities_from_facts(extract_facts(user_says("My best friend lives in Oslo.")))

    assert triples(relations) == {
        ("user", "HAS_BEST_FRIEND", "user's best friend"),
        ("user's best friend", "LIVES_IN", "Oslo"),
    }


def test_named_entities_are_typed_by_context_and_linked_by_cues() -> None:
    turns = conversation(
        [
            (
                "assistant",
                "Marie Curie was born in Warsaw. She studied at the University of Paris.",
            ),
            ("user", "My friend Tom works for Acme Corp and visited the Louvre with Anna."),
            ("user", "The weather in Lisbon was great on Monday."),
        ]
    )

    entities, relations = named_entities(turns)

    assert by_name(merge_entities(entities)) == {
        "Marie Curie": PERSON,
        "Warsaw": PLACE,
        "University of Paris": ORG,
        "Tom": PERSON,
        "Acme Corp": ORG,
        "Louvre": PLACE,
        "Anna": PERSON,
        "Lisbon": PLACE,
    }
    assert triples(relations) == {
        ("Marie Curie", "BORN_IN", "Warsaw"),
        ("Tom", "WORKS_AT", "Acme Corp"),
    }


def test_sentence_initial_words_are_names_only_if_seen_mid_sentence() -> None:
    turns = user_says("Anna called. Tomorrow is busy.", "I met Anna at noon.")

    names = {e.name for e in named_entities(turns)[0]}

    assert "Anna" in names
    assert "Tomorrow" not in names


def test_merging_keeps_first_spelling_first_specific_type_and_all_sources() -> None:
    merged = merge_entities(
        [
            Entity("paris", OTHER, ("m1",)),
            Entity("Paris", PLACE, ("m2",)),
            Entity("PARIS", ORG, ("m1", "m3")),
        ]
    )

    assert merged == [Entity("paris", PLACE, ("m1", "m2", "m3"))]
    assert merge_relations(
        [Relation("A", "KNOWS", "B", ("m1",)), Relation("a", "KNOWS", "b", ("m2",))]
    ) == [Relation("A", "KNOWS", "B", ("m1", "m2"))]
