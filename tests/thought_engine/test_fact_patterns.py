from __future__ import annotations

import pytest

from services.thought_engine.fact_patterns import extract_facts
from services.thought_engine.facts import Fact, FactKind
from tests.thought_engine.conversations import conversation, user_says


def triples(facts: list[Fact]) -> list[tuple[str, str, str]]:
    return [(f.subject, f.attribute, f.value) for f in facts]


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("My name is Alice Martin and I live in Paris.", [
            ("user", "name", "Alice Martin"), ("user", "lives_in", "Paris")]),
        ("I live in New York City with my husband.", [("user", "lives_in", "New York City")]),
        ("We just moved to berlin last month!", [("user", "lives_in", "Berlin")]),
        ("I'm based in San Francisco these days.", [("user", "lives_in", "San Francisco")]),
        ("I work at Google since 2019.", [("user", "works_at", "Google")]),
        ("I've joined Spotify.", [("user", "works_at", "Spotify")]),
        ("I work as a nurse.", [("user", "occupation", "nurse")]),
        ("I'm a software engineer.", [("user", "occupation", "software engineer")]),
        ("I'm 34 years old.", [("user", "age", "34")]),
        ("My birthday is on May 3.", [("user", "birthday", "May 3")]),
        ("I'm vegetarian.", [("user", "diet", "vegetarian")]),
        ("I'm allergic to peanuts, shellfish and dairy.", [
            ("user", "allergic_to", "peanuts"), ("user", "allergic_to", "shellfish"),
            ("user", "allergic_to", "dairy")]),
        ("I prefer aisle seats over window seats.", [("user", "prefers", "aisle seats")]),
        ("I prefer to travel by train.", [("user", "prefers", "travel by train")]),
        ("I love hiking and jazz.", [("user", "likes", "hiking"), ("user", "likes", "jazz")]),
        ("I don't like horror movies.", [("user", "dislikes", "horror movies")]),
        ("I speak French and Spanish.", [
            ("user", "speaks", "French"), ("user", "speaks", "Spanish")]),
        ("I have a dog named Rex.", [("user", "has_pet", "dog named Rex")]),
        ("My sister works at Google.", [("user's sister", "works_at", "Google")]),
        ("My sister Anna works at Google.", [
            ("user's sister", "works_at", "Google"), ("user's sister", "name", "Anna")]),
        ("My brother lives in Rome.", [("user's brother", "lives_in", "Rome")]),
        ("My mom is a nurse.", [("user's mom", "occupation", "nurse")]),
        ("My best friend's name is Tom.", [("user's best friend", "name", "Tom")]),
        ("My dad is allergic to cats.", [("user's dad", "allergic_to", "cats")]),
    ],
)  # fmt: skip
def test_cue_patterns(said: str, expected: list[tuple[str, str, str]]) -> None:
    assert triples(extract_facts(user_says(said))) == expected


@pytest.mark.parametrize(
    "said",
    [
        "I don't live in Paris anymore.",
        "I used to live in Rome.",
        "If I lived in Oslo I'd be cold.",
        "Do I live in Lima?",
        "I'd like to move to Lima.",
        "I'm planning to move to Berlin.",
        "I joined a gym.",
        "I love it here.",
        "I work for myself.",
        "My friend said she likes Paris.",
    ],
)
def test_no_fact_from_negations_hypotheticals_questions_or_pronouns(said: str) -> None:
    assert extract_facts(user_says(said)) == []


def test_only_user_turns_are_evidence() -> None:
    turns = conversation([("assistant", "You live in Paris, right?"), ("user", "I live in Lyon.")])

    assert triples(extract_facts(turns)) == [("user", "lives_in", "Lyon")]


def test_provenance_time_kind_and_statement() -> None:
    turns = user_says("Hello! I moved to Berlin.", "My sister works at Siemens.")

    facts = extract_facts(turns)

    berlin, siemens = facts
    assert berlin.source_message_ids == ("m1",)
    assert berlin.observed_at == turns[0].occurred_at
    assert berlin.kind is FactKind.PROFILE and siemens.kind is FactKind.FACT
    assert berlin.statement == "User lives in Berlin."
    assert siemens.statement == "User's sister works at Siemens."
    assert siemens.source_message_ids == ("m2",)


def test_a_fact_repeated_within_one_message_is_extracted_once() -> None:
    facts = extract_facts(user_says("I live in Paris. Yes, I live in Paris!"))

    assert triples(facts) == [("user", "lives_in", "Paris")]


def test_curly_apostrophes_are_understood() -> None:
    assert triples(extract_facts(user_says("I\u2019m allergic to penicillin."))) == [
        ("user", "allergic_to", "penicillin")
    ]
