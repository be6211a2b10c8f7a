"""Reconciling newly extracted facts with the stored ones: add, update, supersede or skip.

Facts are compared by subject and attribute, values by their normalised words. For each new
fact, in the order it was said:
  - SKIP when a stored fact already records it from the same messages (a retried job), or
    when the new value is a vaguer form of the current one ("Paris" after "Paris, France");
  - UPDATE the current fact when the value is restated by other messages (their ids are
    merged into its provenance) or refined ("Paris" -> "Paris, France": the new words
    contain the old);
  - SUPERSEDE when it contradicts the current fact: a single-valued attribute with another
    value ("I live in Paris", later "I moved to Berlin"), or the opposite attitude to the
    same thing (likes coffee, later dislikes coffee). The old fact gets valid_to and
    superseded_by and stays as history; nothing is deleted;
  - ADD otherwise, including a new value of a many-valued attribute (a second allergy). A
    contradicting fact said *before* the current one (a late job) is added as history:
    already superseded by the current fact, which stays current.
Every decision carries its reason. New ids derive from the fact and its provenance, so
reconciling the same facts twice gives the same ids and, the second time, only SKIPs.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from services.thought_engine.facts import Fact
from services.thought_engine.text import normalise


class Action(enum.Enum):
    ADD = "ADD"
    UPDATE = "UPDATE"
    SUPERSEDE = "SUPERSEDE"
    SKIP = "SKIP"


@dataclass(frozen=True)
class StoredFact:
    id: str
    fact: Fact
    valid_from: datetime
    valid_to: datetime | None = None
    superseded_by: str | None = None
    version: int = 1

    @property
    def current(self) -> bool:
        return self.valid_to is None


@dataclass(frozen=True)
class Decision:
    action: Action
    fact: Fact
    """The incoming fact the decision is about."""
    reason: str
    stored_id: str
    """ADD, SUPERSEDE: the new fact's id; UPDATE: the updated fact; SKIP: the one kept."""
    superseded_id: str | None = None


@dataclass(frozen=True)
class Reconciliation:
    decisions: tuple[Decision, ...]
    facts: tuple[StoredFact, ...]
    """Every fact after reconciliation, stored and new, current and historical."""
    changed: tuple[StoredFact, ...]
    """The new and modified facts: what must be written back."""


def fact_id(fact: Fact) -> str:
    """A stable id for a new fact: the same fact from the same messages gets the same id."""
    key = "|".join(
        [
            normalise(fact.subject),
            fact.attribute,
            normalise(fact.value),
            fact.observed_at.isoformat(),
            *sorted(fact.source_message_ids),
        ]
    )
    return "fact_" + hashlib.sha256(key.encode()).hexdigest()[:20]


def reconcile(
    stored: Iterable[StoredFact],
    incoming: Iterable[Fact],
    *,
    new_id: Callable[[Fact], str] = fact_id,
) -> Reconciliation:
    state = {fact.id: fact for fact in stored}
    changed: set[str] = set()
    decisions: list[Decision] = []
    for fact in sorted(incoming, key=lambda f: f.observed_at):
        decision, updates = _decide(fact, list(state.values()), new_id)
        for update in updates:
            state[update.id] = update
            changed.add(update.id)
        decisions.append(decision)
    return Reconciliation(
        decisions=tuple(decisions),
        facts=tuple(state.values()),
        changed=tuple(state[i] for i in state if i in changed),
    )


def _decide(
    fact: Fact, state: list[StoredFact], new_id: Callable[[Fact], str]
) -> tuple[Decision, list[StoredFact]]:
    value = normalise(fact.value)
    same_key = [
        s for s in state if _same_subject(s.fact, fact) and s.fact.attribute == fact.attribute
    ]

    for s in same_key:
        if normalise(s.fact.value) == value and set(fact.source_message_ids) <= set(
            s.fact.source_message_ids
        ):
            return _skip(fact, s, "already recorded from the same messages"), []

    current = [s for s in same_key if s.current]
    for s in current:
        old = normalise(s.fact.value)
        if old == value:
            restated = _updated(s, fact, value=s.fact.value)
            return Decision(Action.UPDATE, fact, "restated: provenance merged", s.id), [restated]
        if _refines(value, old):
            refined = _updated(s, fact, value=fact.value)
            reason = f"refines {s.fact.value!r} to {fact.value!r}"
            return Decision(Action.UPDATE, fact, reason, s.id), [refined]
        if _refines(old, value):
            return _skip(fact, s, f"less specific than current {s.fact.value!r}"), []

    conflicting = (current if fact.spec.single_valued else []) + _opposites(fact, state)
    if conflicting:
        return _contradiction(fact, conflicting[0], new_id)

    added = StoredFact(new_id(fact), fact, valid_from=fact.observed_at)
    if current:
        reason = f"another value besides {', '.join(repr(s.fact.value) for s in current)}"
    else:
        reason = "nothing current is stored about it"
    return Decision(Action.ADD, fact, reason, added.id), [added]


def _contradiction(
    fact: Fact, current: StoredFact, new_id: Callable[[Fact], str]
) -> tuple[Decision, list[StoredFact]]:
    identifier = new_id(fact)
    said = f"{current.fact.attribute}={current.fact.value!r}"
    if fact.observed_at < current.valid_from:
        history = StoredFact(
            identifier,
            fact,
            valid_from=fact.observed_at,
            valid_to=current.valid_from,
            superseded_by=current.id,
        )
        reason = f"said before the current {said}: stored as history, already superseded"
        return Decision(Action.ADD, fact, reason, identifier), [history]
    ended = dataclasses.replace(
        current,
        valid_to=fact.observed_at,
        superseded_by=identifier,
        version=current.version + 1,
    )
    added = StoredFact(identifier, fact, valid_from=fact.observed_at)
    reason = f"contradicts {said} (id {current.id}): the old fact is kept as history"
    return Decision(Action.SUPERSEDE, fact, reason, identifier, superseded_id=current.id), [
        ended,
        added,
    ]


def _opposites(fact: Fact, state: list[StoredFact]) -> list[StoredFact]:
    opposite = fact.spec.opposite
    if opposite is None:
        return []
    value = normalise(fact.value)
    return [
        s
        for s in state
        if s.current
        and _same_subject(s.fact, fact)
        and s.fact.attribute == opposite
        and normalise(s.fact.value) == value
    ]


def _refines(new: str, old: str) -> bool:
    """The new value says everything the old one did, and more."""
    new_words, old_words = set(new.split()), set(old.split())
    return old_words < new_words


def _same_subject(a: Fact, b: Fact) -> bool:
    return normalise(a.subject) == normalise(b.subject)


def _updated(stored: StoredFact, fact: Fact, *, value: str) -> StoredFact:
    # The stored fact keeps its id and valid_from; it gains the new evidence.
    merged = dataclasses.replace(
        stored.fact,
        value=value,
        source_message_ids=_union(stored.fact.source_message_ids, fact.source_message_ids),
        confidence=max(stored.fact.confidence, fact.confidence),
    )
    return dataclasses.replace(stored, fact=merged, version=stored.version + 1)


def _union(first: tuple[str, ...], second: tuple[str, ...]) -> tuple[str, ...]:
    return first + tuple(i for i in second if i not in first)


def _skip(fact: Fact, kept: StoredFact, reason: str) -> Decision:
    return Decision(Action.SKIP, fact, reason, kept.id)
