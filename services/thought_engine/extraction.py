"""The extraction step of consolidation: facts, profile, entities, relations, keyphrases.

Everything carries provenance (the MESSAGE ids it came from) so that memory-store and the
graph can link each derived memory, entity and relation back to what was said.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from services.thought_engine.conversation import Turn
from services.thought_engine.entities import (
    Entity,
    Relation,
    entities_from_facts,
    merge_entities,
    merge_relations,
    named_entities,
)
from services.thought_engine.fact_patterns import extract_facts
from services.thought_engine.facts import Fact
from services.thought_engine.keyphrases import keyphrases


@dataclass(frozen=True)
class Extraction:
    facts: tuple[Fact, ...]
    entities: tuple[Entity, ...]
    relations: tuple[Relation, ...]
    keyphrases: tuple[str, ...]


def extract(
    turns: Sequence[Turn], facts: Sequence[Fact] | None = None, *, keyphrase_limit: int = 8
) -> Extraction:
    """Extracts from `turns`; `facts` replaces the pattern-based facts when another
    extractor (the LLM) already produced them, and entities are derived from whichever ran."""
    if facts is None:
        facts = extract_facts(turns)
    fact_entities, fact_relations = entities_from_facts(facts)
    span_entities, span_relations = named_entities(turns)
    return Extraction(
        facts=tuple(facts),
        entities=tuple(merge_entities([*fact_entities, *span_entities])),
        relations=tuple(merge_relations([*fact_relations, *span_relations])),
        keyphrases=tuple(
            k.phrase for k in keyphrases([turn.content for turn in turns], keyphrase_limit)
        ),
    )
