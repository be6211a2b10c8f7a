from __future__ import annotations

from services.thought_engine.entities import EntityType
from services.thought_engine.extraction import extract
from services.thought_engine.facts import Fact
from services.thought_engine.keyphrases import keyphrases, keywords
from tests.thought_engine.conversations import T0, conversation

MOVE = conversation(
    [
        ("user", "My sister Anna works at Google. I moved to Zurich for a new job at a bank."),
        ("assistant", "Zurich is a lovely city; the lake promenade is great for running."),
        ("user", "Anna visits Zurich in June."),
    ]
)


def test_extract_gives_facts_entities_relations_and_keyphrases_with_provenance() -> None:
    extraction = extract(MOVE)

    assert [(f.subject, f.attribute, f.value) for f in extraction.facts] == [
        ("user's sister", "works_at", "Google"),
        ("user's sister", "name", "Anna"),
        ("user", "lives_in", "Zurich"),
    ]
    entities = {e.name: e for e in extraction.entities}
    assert entities["Anna"].type is EntityType.PERSON
    assert entities["Anna"].source_message_ids == ("m1", "m3")
    assert entities["Zurich"].type is EntityType.PLACE
    assert entities["Zurich"].source_message_ids == ("m1", "m2", "m3")
    assert {(r.source, r.relation, r.target) for r in extraction.relations} == {
        ("user", "HAS_SISTER", "Anna"),
        ("Anna", "WORKS_AT", "Google"),
        ("user", "LIVES_IN", "Zurich"),
    }
    assert {"lake promenade", "lovely city", "new job"} <= set(extraction.keyphrases)


def test_given_facts_replace_the_patterns_and_drive_the_entities() -> None:
    llm_fact = Fact("user", "works_at", "Acme", ("m1",), T0)

    extraction = extract(MOVE, facts=[llm_fact])

    assert extraction.facts == (llm_fact,)
    assert ("user", "WORKS_AT", "Acme") in {
        (r.source, r.relation, r.target) for r in extraction.relations
    }
    assert {e.name: e.type for e in extraction.entities}["Acme"] is EntityType.ORGANIZATION


def test_rake_prefers_specific_phrases() -> None:
    texts = [
        "I am looking for a good cherry blossom viewing spot in Kyoto.",
        "The cherry blossom season in Kyoto starts in late March.",
        "Maruyama Park is the most famous cherry blossom spot.",
    ]

    phrases = [k.phrase for k in keyphrases(texts, 3)]

    assert phrases == [
        "cherry blossom viewing spot",
        "famous cherry blossom spot",
        "cherry blossom season",
    ]


def test_keywords_count_stems_and_show_the_common_form() -> None:
    top = keywords(["Booked flights.", "The flight is late.", "Flights again!"], 2)

    assert [(k.stem, k.word, k.count) for k in top] == [
        ("flight", "flights", 3),
        ("book", "booked", 1),
    ]
