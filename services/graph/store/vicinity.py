"""A neighbourhood read in one query, then walked level by level in Python.

A traversal of k hops asked level by level costs a round trip to the database per level,
plus one to resolve the start; under concurrent load those round trips, not the
database's work, bound the latency. queries.VICINITY reads at once what every level could
need: the entities the requested keys name (directly or as aliases), the followed
relations leaving every entity within k - 1 hops, and optionally the memories mentioning
every entity within k hops. `walk` then replays the level-by-level traversal on those rows
(traversal.visit_level), so the answer is the one `traverse` gives.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from services.graph.limits import MAX_MENTION_ROWS, MAX_ROWS_PER_HOP
from services.graph.model import Entity, GraphScope, RelationFilter
from services.graph.store import queries
from services.graph.store.cypher_backend import CypherRunner, Row
from services.graph.store.resolution import EntityLookup
from services.graph.store.traversal import (
    Traversal,
    reached_entity,
    start_traversal,
    visit_level,
)
from services.graph.store.values import optional_micros


@dataclass
class Vicinity:
    # The entities the requested keys name, directly or as aliases.
    lookup: EntityLookup = field(default_factory=EntityLookup)
    # Followed relation rows (traversal.visit_level's columns) by the entity they leave.
    relations_from: dict[str, list[Row]] = field(default_factory=dict)
    # (memory id, entity key, mention confidence) of the memories mentioning entities
    # within the hops, when asked for.
    mentions: list[tuple[str, str, float]] = field(default_factory=list)
    # A bound was hit while reading: some relations may be missing.
    capped: bool = False

    def walk(self, start: Sequence[Entity], *, max_hops: int, limit: int) -> Traversal:
        """Entities within max_hops of the start, at most `limit` of them (start included),
        as traversal.traverse finds them."""
        result, frontier = start_traversal(start)
        result.truncated = self.capped
        for hop in range(1, max_hops + 1):
            if not frontier:
                break
            rows = [row for key in frontier for row in self.relations_from.get(key, ())]
            if len(rows) >= MAX_ROWS_PER_HOP:
                result.truncated = True
                del rows[MAX_ROWS_PER_HOP:]
            frontier = visit_level(result, hop, rows, limit)
        return result


async def read_vicinity(
    runner: CypherRunner,
    scope: GraphScope,
    keys: Sequence[str],
    *,
    hops: int,
    relation_filter: RelationFilter,
    with_mentions: bool,
) -> Vicinity:
    """What a walk of `hops` levels from the entities the keys name needs, in one query."""
    query = queries.VICINITY[(relation_filter.direction, hops, with_mentions)]
    max_relation_rows = MAX_ROWS_PER_HOP * max(hops, 1)
    params: dict[str, Any] = {
        **scope.params,
        "keys": list(dict.fromkeys(keys)),
        "types": sorted(relation_filter.types),
        "at": optional_micros(relation_filter.valid_at),
        "max_rows_per_hop": MAX_ROWS_PER_HOP,
        "max_relation_rows": max_relation_rows,
        "max_mention_rows": MAX_MENTION_ROWS,
    }
    vicinity = Vicinity()
    relation_rows = 0
    for row in await runner.run(query, params):
        kind = row["kind"]
        if kind == "relation":
            vicinity.relations_from.setdefault(row["from_key"], []).append(row)
            vicinity.capped = vicinity.capped or row["capped"]
            relation_rows += 1
        elif kind == "mentions":
            key = row["to_key"]
            vicinity.mentions.extend(
                (memory_id, key, float(confidence))
                for memory_id, confidence in zip(
                    row["memory_ids"], row["mention_confidences"], strict=True
                )
            )
        elif kind == "entity":
            vicinity.lookup.entities[row["from_key"]] = reached_entity(row)
        else:
            targets = vicinity.lookup.alias_targets.setdefault(row["from_key"], {})
            targets[row["to_key"]] = reached_entity(row)
    if relation_rows >= max_relation_rows:
        vicinity.capped = True
    return vicinity
