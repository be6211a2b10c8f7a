"""Turns an upsert batch into the rows the upsert queries write.

Names resolve to keys first (see resolution.KeyLookup), duplicates within the batch are
merged the same way the queries merge with stored data, and every relation's memories get
mentions of both endpoints. Pure: no database access.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from services.graph.model import UpsertBatch
from services.graph.names import entity_key
from services.graph.store.resolution import KeyLookup
from services.graph.store.values import optional_micros, valid_from_micros

# Provenance of the mentions a relation's evidence implies.
RELATION_PROVENANCE = "relation"

Row = dict[str, Any]


@dataclass
class UpsertPlan:
    # Every distinct entity the batch names, stored or not.
    entity_count: int = 0
    # Only those the write must touch: new ones and declared ones (which may gain a type).
    entity_rows: list[Row] = field(default_factory=list)
    alias_rows: list[Row] = field(default_factory=list)
    relation_rows: list[Row] = field(default_factory=list)
    mention_rows: list[Row] = field(default_factory=list)


def referenced_keys(batch: UpsertBatch) -> set[str]:
    """Every key whose stored meaning the plan depends on."""
    names = [entity.name for entity in batch.entities]
    names += [alias for entity in batch.entities for alias in entity.aliases]
    names += [name for relation in batch.relations for name in (relation.source, relation.target)]
    names += [mention.entity for mention in batch.mentions]
    return {entity_key(name) for name in names}


def plan_upsert(batch: UpsertBatch, lookup: KeyLookup) -> UpsertPlan:
    resolver = _BatchResolver(batch, lookup)
    entities: dict[str, Row] = {}

    def ensure_entity(key: str, name: str, entity_type: str = "") -> None:
        row = entities.get(key)
        if row is None:
            entities[key] = {"key": key, "name": name, "type": entity_type}
        elif entity_type:
            row["type"] = entity_type

    plan = UpsertPlan()
    aliases: dict[tuple[str, str], Row] = {}
    for entity in batch.entities:
        key = resolver.declared[entity_key(entity.name)]
        ensure_entity(key, entity.name, entity.type)
        for alias in entity.aliases:
            alias_key = entity_key(alias)
            if alias_key != key:
                alias_row = {"entity_key": key, "alias_key": alias_key, "alias_name": alias}
                aliases.setdefault((key, alias_key), alias_row)
    plan.alias_rows = list(aliases.values())

    relations: dict[tuple[str, str, str, int], Row] = {}
    implied_mentions: dict[tuple[str, str], Row] = {}
    for relation in batch.relations:
        source = resolver.resolve(relation.source)
        target = resolver.resolve(relation.target)
        ensure_entity(source, relation.source)
        ensure_entity(target, relation.target)
        valid_from = valid_from_micros(relation.valid_from)
        identity = (source, target, relation.type, valid_from)
        row = relations.get(identity)
        if row is None:
            relations[identity] = {
                "source_key": source,
                "target_key": target,
                "type": relation.type,
                "valid_from": valid_from,
                "valid_to": optional_micros(relation.valid_to),
                "confidence": relation.confidence,
                "source_memory_ids": list(dict.fromkeys(relation.source_memory_ids)),
            }
        else:
            row["confidence"] = max(row["confidence"], relation.confidence)
            row["source_memory_ids"] = list(
                dict.fromkeys([*row["source_memory_ids"], *relation.source_memory_ids])
            )
            if row["valid_to"] is None:
                row["valid_to"] = optional_micros(relation.valid_to)
        for memory_id in relation.source_memory_ids:
            for key in (source, target):
                implied = implied_mentions.setdefault(
                    (memory_id, key),
                    {
                        "memory_id": memory_id,
                        "entity_key": key,
                        "provenance": RELATION_PROVENANCE,
                        "confidence": relation.confidence,
                        "explicit": False,
                    },
                )
                implied["confidence"] = max(implied["confidence"], relation.confidence)
    plan.relation_rows = list(relations.values())

    mentions: dict[tuple[str, str], Row] = {}
    for mention in batch.mentions:
        key = resolver.resolve(mention.entity)
        ensure_entity(key, mention.entity)
        # A later mention of the same pair in one batch wins, as a later batch would.
        mentions[(mention.memory_id, key)] = {
            "memory_id": mention.memory_id,
            "entity_key": key,
            "provenance": mention.provenance,
            "confidence": mention.confidence,
            "explicit": True,
        }
    for pair, implied in implied_mentions.items():
        mentions.setdefault(pair, implied)
    plan.mention_rows = list(mentions.values())

    # Entities that exist and gain nothing need no write; declared ones may gain a type.
    declared = set(resolver.declared.values())
    plan.entity_count = len(entities)
    plan.entity_rows = [
        row for key, row in entities.items() if key in declared or key not in lookup.entity_keys
    ]
    return plan


class _BatchResolver:
    """Resolves names against the database and the batch's own declarations.

    A declared entity's name resolves as stored data says (its key, or the one entity it is
    an alias of), else to a new entity. Other names resolve to a stored or declared entity
    with that key, else to the one entity (stored or declared) having it as an alias, else
    to a new entity named as written.
    """

    def __init__(self, batch: UpsertBatch, lookup: KeyLookup) -> None:
        self._lookup = lookup
        self.declared: dict[str, str] = {}
        for entity in batch.entities:
            key = entity_key(entity.name)
            self.declared.setdefault(key, lookup.resolve(key) or key)
        self._alias_targets: dict[str, set[str]] = {
            alias: set(targets) for alias, targets in lookup.alias_targets.items()
        }
        for entity in batch.entities:
            owner = self.declared[entity_key(entity.name)]
            for alias in entity.aliases:
                self._alias_targets.setdefault(entity_key(alias), set()).add(owner)

    def resolve(self, name: str) -> str:
        key = entity_key(name)
        if key in self._lookup.entity_keys:
            return key
        if key in self.declared:
            return self.declared[key]
        targets = self._alias_targets.get(key, set())
        if len(targets) == 1:
            return next(iter(targets))
        return key
