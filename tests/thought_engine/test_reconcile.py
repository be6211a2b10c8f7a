from __future__ import annotations

from datetime import timedelta

from services.thought_engine.fact_patterns import extract_facts
from services.thought_engine.facts import Fact
from services.thought_engine.reconcile import (
    Action,
    Reconciliation,
    StoredFact,
    fact_id,
    reconcile,
)
from tests.thought_engine.conversations import T0, user_says

DAY = timedelta(days=1)


def fact(attribute: str, value: str, message: str, day: int, subject: str = "user") -> Fact:
    return Fact(subject, attribute, value, (message,), T0 + day * DAY)


def stored(f: Fact) -> StoredFact:
    return StoredFact(fact_id(f), f, valid_from=f.observed_at)


def actions(result: Reconciliation) -> list[Action]:
    return [d.action for d in result.decisions]


def by_value(result: Reconciliation) -> dict[str, StoredFact]:
    return {s.fact.value: s for s in result.facts}


def test_moving_supersedes_the_old_place_and_keeps_it_as_history() -> None:
    facts = extract_facts(user_says("I live in Paris.", "I moved to Berlin."))

    result = reconcile([], facts)

    assert actions(result) == [Action.ADD, Action.SUPERSEDE]
    paris, berlin = by_value(result)["Paris"], by_value(result)["Berlin"]
    assert paris.valid_to == berlin.valid_from == T0 + DAY
    assert paris.superseded_by == berlin.id
    assert paris.version == 2
    assert berlin.current and not paris.current
    supersede = result.decisions[1]
    assert supersede.superseded_id == paris.id and supersede.stored_id == berlin.id
    assert "contradicts lives_in='Paris'" in supersede.reason


def test_contradicting_a_stored_fact_writes_both_the_ended_and_the_new_fact() -> None:
    paris = stored(fact("lives_in", "Paris", "m1", 0))

    result = reconcile([paris], [fact("lives_in", "Berlin", "m9", 30)])

    assert actions(result) == [Action.SUPERSEDE]
    assert {s.fact.value for s in result.changed} == {"Paris", "Berlin"}
    assert by_value(result)["Paris"].valid_to == T0 + 30 * DAY


def test_a_duplicate_from_the_same_messages_is_skipped() -> None:
    paris = stored(fact("lives_in", "Paris", "m1", 0))

    result = reconcile([paris], [fact("lives_in", "paris", "m1", 0)])

    assert actions(result) == [Action.SKIP]
    assert result.decisions[0].reason == "already recorded from the same messages"
    assert result.decisions[0].stored_id == paris.id
    assert result.changed == ()


def test_a_restatement_merges_provenance_into_the_current_fact() -> None:
    paris = stored(fact("lives_in", "Paris", "m1", 0))

    result = reconcile([paris], [fact("lives_in", "Paris", "m7", 5)])

    assert actions(result) == [Action.UPDATE]
    updated = result.changed[0]
    assert updated.id == paris.id
    assert updated.fact.source_message_ids == ("m1", "m7")
    assert updated.version == 2
    assert updated.valid_from == T0


def test_a_refinement_updates_the_value_in_place() -> None:
    google = stored(fact("works_at", "Google", "m1", 0))

    result = reconcile([google], [fact("works_at", "Google DeepMind", "m2", 3)])

    assert actions(result) == [Action.UPDATE]
    assert result.decisions[0].reason == "refines 'Google' to 'Google DeepMind'"
    (updated,) = result.changed
    assert (updated.id, updated.fact.value) == (google.id, "Google DeepMind")
    assert updated.fact.source_message_ids == ("m1", "m2")


def test_a_vaguer_value_is_skipped() -> None:
    precise = stored(fact("lives_in", "Paris France", "m1", 0))

    result = reconcile([precise], [fact("lives_in", "Paris", "m2", 1)])

    assert actions(result) == [Action.SKIP]
    assert "less specific" in result.decisions[0].reason


def test_many_valued_attributes_accumulate() -> None:
    facts = extract_facts(user_says("I'm allergic to peanuts.", "I'm allergic to shellfish."))

    result = reconcile([], facts)

    assert actions(result) == [Action.ADD, Action.ADD]
    assert result.decisions[1].reason == "another value besides 'peanuts'"
    assert all(s.current for s in result.facts)


def test_an_opposite_attitude_supersedes() -> None:
    facts = extract_facts(user_says("I love coffee.", "I hate coffee."))

    result = reconcile([], facts)

    assert actions(result) == [Action.ADD, Action.SUPERSEDE]
    likes = next(s for s in result.facts if s.fact.attribute == "likes")
    assert likes.valid_to == T0 + DAY


def test_subjects_are_kept_apart() -> None:
    facts = extract_facts(user_says("I live in Paris.", "My brother lives in Rome."))

    result = reconcile([], facts)

    assert actions(result) == [Action.ADD, Action.ADD]
    assert all(s.current for s in result.facts)


def test_a_late_older_statement_becomes_history_not_current() -> None:
    berlin = stored(fact("lives_in", "Berlin", "m5", 10))

    result = reconcile([berlin], [fact("lives_in", "Paris", "m1", 2)])

    assert actions(result) == [Action.ADD]
    paris = by_value(result)["Paris"]
    assert paris.valid_to == berlin.valid_from and paris.superseded_by == berlin.id
    assert by_value(result)["Berlin"] == berlin
    assert "stored as history" in result.decisions[0].reason


def test_returning_to_an_earlier_value_supersedes_again() -> None:
    facts = extract_facts(
        user_says("I live in Paris.", "I moved to Berlin.", "I moved back to Paris.")
    )

    result = reconcile([], facts)

    assert actions(result) == [Action.ADD, Action.SUPERSEDE, Action.SUPERSEDE]
    current = [s for s in result.facts if s.current]
    assert [(s.fact.value, s.fact.source_message_ids) for s in current] == [("Paris", ("m3",))]


def test_reconciling_the_same_facts_again_changes_nothing() -> None:
    facts = extract_facts(
        user_says(
            "I live in Paris.", "I moved to Berlin.", "I'm allergic to cats.", "I live in Berlin."
        )
    )
    first = reconcile([], facts)

    second = reconcile(first.facts, facts)

    assert actions(second) == [Action.SKIP] * 4
    assert second.changed == ()
    assert second.facts == first.facts


def test_batch_is_reconciled_in_the_order_things_were_said() -> None:
    facts = extract_facts(user_says("I live in Paris.", "I moved to Berlin."))

    result = reconcile([], list(reversed(facts)))

    assert [d.fact.value for d in result.decisions] == ["Paris", "Berlin"]
    assert by_value(result)["Berlin"].current
