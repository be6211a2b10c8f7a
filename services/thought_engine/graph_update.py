"""What a consolidation pass tells the graph: entities, relations with provenance, mentions.

Two sources: the names spotted in the pass's turns (each mention points at its message),
and the stored facts the pass reconciled (each relation cites the FACT/PROFILE memory and
the messages that said it, and starts when the fact became true). A superseded fact's
relation is invalidated at the fact's valid_to rather than deleted, mirroring the facts.
Everything is derived from stored state, so sending it twice changes nothing.

Each user has a graph of their own; in it "the user" of the cognition modules becomes
`user:<user_id>` and the user's relatives `user:<user_id>'s sister` until a fact names
them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from services.thought_engine.conversation import Turn
from services.thought_engine.entities import (
    Entity,
    entities_from_facts,
    merge_entities,
    named_entities,
)
from services.thought_engine.facts import USER
from services.thought_engine.reconcile import StoredFact

# A capitalised span typed by the words around it is weaker evidence than a stated fact.
_SPOTTED_NAME_CONFIDENCE = 0.6


@dataclass(frozen=True)
class GraphEntity:
    name: str
    type: str


@dataclass(frozen=True)
class GraphRelation:
    source: str
    target: str
    type: str
    source_memory_ids: tuple[str, ...]
    valid_from: datetime | None
    confidence: float


@dataclass(frozen=True)
class GraphMention:
    memory_id: str
    entity: str
    confidence: float


@dataclass(frozen=True)
class Invalidation:
    source: str
    target: str
    type: str
    valid_to: datetime


@dataclass(frozen=True)
class GraphUpdate:
    entities: tuple[GraphEntity, ...] = ()
    relations: tuple[GraphRelation, ...] = ()
    mentions: tuple[GraphMention, ...] = ()
    invalidations: tuple[Invalidation, ...] = ()
    provenance: str = field(default="thought-engine")

    @property
    def empty(self) -> bool:
        return not (self.entities or self.relations or self.mentions)


def user_node(user_id: str) -> str:
    return f"{USER}:{user_id}"


def graph_update(
    user_id: str, turns: Sequence[Turn], facts: Sequence[StoredFact], provenance: str
) -> GraphUpdate:
    names = _node_names(user_id, facts)
    span_entities, span_relations = named_entities(turns)
    entities: list[Entity] = list(span_entities)
    relations: list[GraphRelation] = [
        GraphRelation(
            r.source,
            r.target,
            r.relation.lower(),
            r.source_message_ids,
            None,
            _SPOTTED_NAME_CONFIDENCE,
        )
        for r in span_relations
    ]
    invalidations: list[Invalidation] = []
    for stored in facts:
        fact_entities, fact_relations = entities_from_facts([stored.fact])
        entities.extend(
            Entity(names.get(e.name, e.name), e.type, e.source_message_ids) for e in fact_entities
        )
        for relation in fact_relations:
            source = names.get(relation.source, relation.source)
            target = names.get(relation.target, relation.target)
            kind = relation.relation.lower()
            relations.append(
                GraphRelation(
                    source,
                    target,
                    kind,
                    (stored.id, *stored.fact.source_message_ids),
                    stored.valid_from,
                    stored.fact.confidence,
                )
            )
            if stored.valid_to is not None:
                invalidations.append(Invalidation(source, target, kind, stored.valid_to))
    # A cue between two names ("Anna works at Google") often says what a fact says too;
    # the fact's relation, with its validity and memory, is the one to keep.
    stated = {_identity(r) for r in relations if r.valid_from is not None}
    relations = [r for r in relations if r.valid_from is not None or _identity(r) not in stated]
    # Fact entities are linked to their memories through the relations' provenance; names
    # spotted in the turns are linked to the messages that mention them.
    return GraphUpdate(
        entities=tuple(GraphEntity(e.name, e.type.value.lower()) for e in merge_entities(entities)),
        relations=tuple(relations),
        mentions=tuple(
            GraphMention(message_id, e.name, _SPOTTED_NAME_CONFIDENCE)
            for e in merge_entities(span_entities)
            for message_id in e.source_message_ids
        ),
        invalidations=tuple(invalidations),
        provenance=provenance,
    )


def _node_names(user_id: str, facts: Sequence[StoredFact]) -> dict[str, str]:
    """Cognition subjects -> graph node names: the user by id, relatives by their name."""
    names = {USER: user_node(user_id)}
    for stored in facts:
        subject = stored.fact.subject
        if subject == USER or subject in names:
            continue
        names[subject] = subject.replace(USER, user_node(user_id), 1)
    for stored in facts:
        if stored.current and stored.fact.attribute == "name" and stored.fact.subject != USER:
            names[stored.fact.subject] = stored.fact.value
    return names


def _identity(relation: GraphRelation) -> tuple[str, str, str]:
    return (relation.source.casefold(), relation.type, relation.target.casefold())
