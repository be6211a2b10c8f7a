"""Breadth-first traversal by hops, level by level.

FalkorDB cannot run shortestPath inside MATCH, and variable-length patterns cannot carry
per-relation filters the same way on both backends, so traversals expand level by level
from the frontier's keys, each level reading at most MAX_ROWS_PER_HOP relations.

The levels' relations come either from one query per level (`traverse`, for shortest
paths, which stop at the level that reaches their target) or from a vicinity read in one
query and replayed here (store/vicinity.py, for neighbourhoods). Both feed `visit_level`,
so both answer alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from services.graph.limits import MAX_ROWS_PER_HOP
from services.graph.model import Entity, GraphScope, Path, ReachedEntity, Relation, RelationFilter
from services.graph.store import queries
from services.graph.store.cypher_backend import CypherRunner, Row
from services.graph.store.values import from_micros, optional_micros, valid_from_instant

# A relation's identity as read: source key, target key, type, valid_from in microseconds.
RelationKey = tuple[str, str, str, int]


@dataclass
class Reach:
    hops: int
    path_confidence: float
    # The previous entity on the most confident fewest-hops path, and the relation row
    # from it.
    parent: str | None = None
    via: Row | None = None


@dataclass
class Traversal:
    # In order of discovery: start entities first.
    reached: dict[str, Reach] = field(default_factory=dict)
    # Every reached entity, read along with the relations that reached it.
    entities: dict[str, Entity] = field(default_factory=dict)
    # The followed relations' rows, kept as read: a Relation is built once per relation
    # returned, not per row (a relation is read from both ends when direction is BOTH).
    relations: dict[RelationKey, Row] = field(default_factory=dict)
    truncated: bool = False

    def reached_entities(self) -> list[ReachedEntity]:
        """Ordered by hops, then path confidence (highest first), then key."""
        reached = [
            ReachedEntity(self.entities[key], reach.hops, reach.path_confidence)
            for key, reach in self.reached.items()
        ]
        reached.sort(key=lambda item: (item.hops, -item.path_confidence, item.entity.key))
        return reached

    def named_relations(self) -> list[Relation]:
        """The followed relations with their endpoints' names, in a stable order."""
        return [self._named(self.relations[key]) for key in sorted(self.relations)]

    def path_to(self, key: str) -> Path:
        """The most confident fewest-hops path from a start entity to a reached one."""
        keys = [key]
        steps: list[Relation] = []
        while (reach := self.reached[keys[-1]]).parent is not None and reach.via is not None:
            steps.append(self._named(reach.via))
            keys.append(reach.parent)
        return Path([self.entities[k] for k in reversed(keys)], steps[::-1])

    def _named(self, row: Row) -> Relation:
        return Relation(
            source_key=row["source_key"],
            target_key=row["target_key"],
            type=row["type"],
            confidence=float(row["confidence"]),
            source_memory_ids=tuple(row["source_memory_ids"]),
            valid_from=valid_from_instant(row["valid_from"]),
            valid_to=from_micros(row["valid_to"]),
            source=self.entities[row["source_key"]].name,
            target=self.entities[row["target_key"]].name,
        )


def start_traversal(start: Sequence[Entity]) -> tuple[Traversal, list[str]]:
    """A traversal holding the start entities at hop 0, and its first frontier."""
    result = Traversal()
    for entity in start:
        result.reached.setdefault(entity.key, Reach(hops=0, path_confidence=1.0))
        result.entities.setdefault(entity.key, entity)
    return result, list(result.reached)


async def traverse(
    runner: CypherRunner,
    scope: GraphScope,
    start: Sequence[Entity],
    *,
    max_hops: int,
    relation_filter: RelationFilter,
    limit: int,
    stop_at: str | None = None,
) -> Traversal:
    """Entities within max_hops of the start, at most `limit` of them (start included),
    one query per level.

    With stop_at, stops after the level that reaches that key (for shortest paths).
    """
    result, frontier = start_traversal(start)
    params: dict[str, Any] = {
        **scope.params,
        "types": sorted(relation_filter.types),
        "at": optional_micros(relation_filter.valid_at),
        "max_rows": MAX_ROWS_PER_HOP,
    }
    query = queries.EXPAND[relation_filter.direction]
    for hop in range(1, max_hops + 1):
        if not frontier or (stop_at is not None and stop_at in result.reached):
            break
        rows = await runner.run(query, {**params, "frontier": frontier})
        if len(rows) >= MAX_ROWS_PER_HOP:
            result.truncated = True
        frontier = visit_level(result, hop, rows, limit)
    return result


def visit_level(result: Traversal, hop: int, rows: list[Row], limit: int) -> list[str]:
    """Records one level's relations and newly reached entities; returns the next frontier."""
    next_frontier: list[str] = []
    # Sorted so that ties (equal hops and confidence) resolve the same way on every backend.
    for row in sorted(rows, key=_row_order):
        from_key = row["from_key"]
        to_key = row["to_key"]
        confidence = result.reached[from_key].path_confidence * float(row["confidence"])
        reached = result.reached.get(to_key)
        if reached is None:
            if len(result.reached) >= limit:
                result.truncated = True
                continue
            result.reached[to_key] = Reach(hop, confidence, from_key, row)
            result.entities[to_key] = reached_entity(row)
            next_frontier.append(to_key)
        elif reached.hops == hop and confidence > reached.path_confidence:
            reached.path_confidence = confidence
            reached.parent = from_key
            reached.via = row
        identity = (row["source_key"], row["target_key"], row["type"], row["valid_from"])
        result.relations.setdefault(identity, row)
    return next_frontier


def reached_entity(row: Row) -> Entity:
    """The entity in a row's to_* columns."""
    return Entity(
        key=row["to_key"],
        name=row["to_name"],
        type=row["to_type"],
        aliases=tuple(sorted(set(row["to_aliases"]))),
    )


def _row_order(row: Row) -> tuple[str, str, str, str, int]:
    return (row["from_key"], row["to_key"], row["source_key"], row["type"], row["valid_from"])
