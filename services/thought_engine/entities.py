"""Entities and relations for the graph, with the messages they came from.

Two sources, merged by case-insensitive name:
  - the extracted facts: the user, the people the user talks about and the places,
    employers and things facts point at, linked by the facts' relations (LIVES_IN,
    WORKS_AT, HAS_SISTER ...);
  - named-entity spotting in every turn: capitalised spans ("Marie Curie", "University of
    Warsaw"), typed by the words around them ("in X" is a place, "works at X" an
    organisation, "my friend X" a person) and linked when a known cue joins two spans in
    one sentence ("X was born in Y" -> BORN_IN).
A sentence's first word is capitalised anyway, so alone it only counts as a name when it
also appears capitalised mid-sentence somewhere in the batch.
"""

from __future__ import annotations

import enum
import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from services.thought_engine.conversation import Turn
from services.thought_engine.facts import USER, Fact
from services.thought_engine.text import STOPWORDS, sentences


class EntityType(enum.Enum):
    PERSON = "PERSON"
    ORGANIZATION = "ORGANIZATION"
    PLACE = "PLACE"
    OTHER = "OTHER"


@dataclass(frozen=True)
class Entity:
    name: str
    type: EntityType
    source_message_ids: tuple[str, ...]


@dataclass(frozen=True)
class Relation:
    source: str
    relation: str
    target: str
    source_message_ids: tuple[str, ...]


@dataclass(frozen=True)
class _Span:
    text: str
    start: int
    end: int


_FACT_RELATIONS: dict[str, tuple[str, EntityType]] = {
    "lives_in": ("LIVES_IN", EntityType.PLACE),
    "works_at": ("WORKS_AT", EntityType.ORGANIZATION),
    "allergic_to": ("ALLERGIC_TO", EntityType.OTHER),
    "prefers": ("PREFERS", EntityType.OTHER),
    "likes": ("LIKES", EntityType.OTHER),
    "dislikes": ("DISLIKES", EntityType.OTHER),
    "speaks": ("SPEAKS", EntityType.OTHER),
}

# Cue between two spans -> (relation, type of the source, type of the target).
_SPAN_RELATIONS: tuple[tuple[re.Pattern[str], str, EntityType, EntityType], ...] = tuple(
    (re.compile(rf"^(?:now |also |still |recently )?(?:{cue})$"), relation, source, target)
    for cue, relation, source, target in (
        ("works at|works for|worked at|worked for|is working at", "WORKS_AT",
         EntityType.PERSON, EntityType.ORGANIZATION),
        ("lives in|lived in|moved to|is living in", "LIVES_IN",
         EntityType.PERSON, EntityType.PLACE),
        ("was born in|is born in", "BORN_IN", EntityType.PERSON, EntityType.PLACE),
        ("is from|comes from", "FROM", EntityType.OTHER, EntityType.PLACE),
        ("is married to|married", "MARRIED_TO", EntityType.PERSON, EntityType.PERSON),
        ("studied at|studies at|graduated from", "STUDIED_AT",
         EntityType.PERSON, EntityType.ORGANIZATION),
        ("founded|started", "FOUNDED", EntityType.PERSON, EntityType.ORGANIZATION),
        ("is in|is located in|is based in|is near", "LOCATED_IN",
         EntityType.OTHER, EntityType.PLACE),
        ("is the capital of", "CAPITAL_OF", EntityType.PLACE, EntityType.PLACE),
    )
)  # fmt: skip

_CAPITALISED = r"[A-Z][\w\u00c0-\u024f'-]*"
_CONNECTOR = r"(?:of|de|del|da|van|von|la|le|du|and)"
_CONNECTOR_WORD = re.compile(_CONNECTOR)
_SPAN = re.compile(rf"{_CAPITALISED}(?:\s+(?:{_CONNECTOR}\s+)?{_CAPITALISED})*")
# Capitalised but not names: the pronoun I, titles, and dates (which are times, not things).
_NOT_NAME_TEXT = """
i i'm i've i'd i'll ok okay monday tuesday wednesday thursday friday saturday sunday
january february march april may june july august september october november december
mr mrs ms dr user assistant
"""
_NOT_NAMES = frozenset(_NOT_NAME_TEXT.split())
_ORG_SUFFIX = re.compile(
    r"\b(?:Inc|Ltd|LLC|Corp|Corporation|University|College|Bank|Hospital|Labs|Group|"
    r"Company|Airlines|School|Institute|Foundation)\.?$|^University of\b"
)
_PLACE_BEFORE = re.compile(
    r"\b(?:in|to|from|near|visit|visiting|visited|around|across)\s+(?:the\s+)?$"
)
_ORG_BEFORE = re.compile(
    r"\b(?:works?|working|worked)\s+(?:at|for)\s+$|\b(?:joined|hired by|employed by)\s+$",
    re.IGNORECASE,
)
_PERSON_BEFORE = re.compile(
    r"\b(?:my|his|her|our)\s+(?:\w+\s+)?(?:friend|sister|brother|wife|husband|partner|son|"
    r"daughter|mother|mom|mum|father|dad|boss|manager|colleague|cousin|girlfriend|"
    r"boyfriend|roommate)\s+$|\b(?:Mr|Mrs|Ms|Dr)\.?\s+$|\b(?:named|called|with)\s+$",
    re.IGNORECASE,
)


def entities_from_facts(facts: Iterable[Fact]) -> tuple[list[Entity], list[Relation]]:
    """The user, the people and things the facts mention, and the facts as relations."""
    facts = list(facts)
    names = {f.subject: f.value for f in facts if f.attribute == "name" and f.subject != USER}
    entities: list[Entity] = []
    relations: list[Relation] = []
    for fact in facts:
        subject = names.get(fact.subject, fact.subject)
        entities.append(Entity(subject, EntityType.PERSON, fact.source_message_ids))
        if fact.subject != USER:
            role = fact.subject.removeprefix(f"{USER}'s ").upper().replace(" ", "_")
            relations.append(Relation(USER, f"HAS_{role}", subject, fact.source_message_ids))
        if fact.attribute in _FACT_RELATIONS:
            relation, target_type = _FACT_RELATIONS[fact.attribute]
            entities.append(Entity(fact.value, target_type, fact.source_message_ids))
            relations.append(Relation(subject, relation, fact.value, fact.source_message_ids))
    return entities, relations


def named_entities(turns: Sequence[Turn]) -> tuple[list[Entity], list[Relation]]:
    """Capitalised names in every turn, typed by context, and the cue relations between them."""
    split = [(turn, sentence) for turn in turns for sentence in sentences(turn.content)]
    known_mid_sentence = {
        span.text.casefold() for _, sentence in split for span in _spans(sentence) if span.start > 0
    }
    entities: list[Entity] = []
    relations: list[Relation] = []
    for turn, sentence in split:
        spans = [
            span
            for span in _spans(sentence)
            if span.start > 0 or " " in span.text or span.text.casefold() in known_mid_sentence
        ]
        ids = (turn.message_id,)
        types = {span.text: _type_in_context(sentence, span) for span in spans}
        for left, right in itertools.pairwise(spans):
            between = sentence[left.end : right.start].strip().lower()
            for cue, relation, source_type, target_type in _SPAN_RELATIONS:
                if cue.match(between):
                    relations.append(Relation(left.text, relation, right.text, ids))
                    types[left.text] = _refine(types[left.text], source_type)
                    types[right.text] = _refine(types[right.text], target_type)
                    break
        entities.extend(Entity(name, kind, ids) for name, kind in types.items())
    return entities, relations


def merge_entities(entities: Iterable[Entity]) -> list[Entity]:
    """One entity per case-insensitive name: the first spelling and the first specific type
    seen, every source message."""
    merged: dict[str, Entity] = {}
    for entity in entities:
        key = entity.name.casefold()
        seen = merged.get(key)
        if seen is None:
            merged[key] = entity
            continue
        ids = seen.source_message_ids + tuple(
            i for i in entity.source_message_ids if i not in seen.source_message_ids
        )
        merged[key] = Entity(seen.name, _refine(seen.type, entity.type), ids)
    return list(merged.values())


def merge_relations(relations: Iterable[Relation]) -> list[Relation]:
    """One relation per (source, relation, target), with every source message."""
    merged: dict[tuple[str, str, str], Relation] = {}
    for relation in relations:
        key = (relation.source.casefold(), relation.relation, relation.target.casefold())
        seen = merged.get(key)
        if seen is None:
            merged[key] = relation
            continue
        ids = seen.source_message_ids + tuple(
            i for i in relation.source_message_ids if i not in seen.source_message_ids
        )
        merged[key] = Relation(seen.source, seen.relation, seen.target, ids)
    return list(merged.values())


def _spans(sentence: str) -> list[_Span]:
    spans: list[_Span] = []
    for match in _SPAN.finditer(sentence):
        text = match.group().removesuffix("'s")
        words = text.split()
        # Edge words such as "The", "My" or "... and I" are sentence furniture, not name.
        while words and _is_furniture(words[0]):
            words.pop(0)
        while words and _is_furniture(words[-1]):
            words.pop()
        if not words:
            continue
        text = " ".join(words)
        start = match.start() + match.group().index(words[0])
        spans.append(_Span(text, start, start + len(text)))
    return spans


def _is_furniture(word: str) -> bool:
    lowered = word.lower()
    return (
        lowered in STOPWORDS
        or lowered in _NOT_NAMES
        or _CONNECTOR_WORD.fullmatch(lowered) is not None
    )


def _type_in_context(sentence: str, span: _Span) -> EntityType:
    before = sentence[: span.start]
    if _ORG_SUFFIX.search(span.text) or _ORG_BEFORE.search(before):
        return EntityType.ORGANIZATION
    if _PERSON_BEFORE.search(before):
        return EntityType.PERSON
    if _PLACE_BEFORE.search(before):
        return EntityType.PLACE
    return EntityType.OTHER


def _refine(current: EntityType, candidate: EntityType) -> EntityType:
    # The first specific type seen wins; OTHER only means "no cue said what it is".
    return candidate if current is EntityType.OTHER else current
