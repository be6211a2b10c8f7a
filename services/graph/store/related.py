"""Ranking the memories around a traversal: nearest first, then most confident."""

from __future__ import annotations

from dataclasses import dataclass, field

from services.graph.limits import MAX_MENTION_ROWS
from services.graph.model import RelatedMemory
from services.graph.store import queries
from services.graph.store.chunks import chunked
from services.graph.store.cypher_backend import CypherRunner
from services.graph.store.traversal import Traversal


@dataclass
class _Best:
    hops: int
    confidence: float
    via: set[str] = field(default_factory=set)


async def rank_memories(
    runner: CypherRunner, tenant: str, walk: Traversal, *, limit: int, excluded: set[str]
) -> list[RelatedMemory]:
    """Each memory mentioning a reached entity, scored by its nearest such entity: fewest
    hops, then path confidence times mention confidence, then memory id."""
    best: dict[str, _Best] = {}
    for chunk in chunked(list(walk.reached)):
        params = {"tenant": tenant, "keys": chunk, "max_rows": MAX_MENTION_ROWS}
        for row in await runner.run(queries.MENTIONS_OF_ENTITIES, params):
            memory_id = row["memory_id"]
            if memory_id in excluded:
                continue
            reach = walk.reached[row["key"]]
            confidence = reach.path_confidence * float(row["confidence"])
            current = best.get(memory_id)
            if current is None or reach.hops < current.hops:
                best[memory_id] = _Best(reach.hops, confidence, {row["key"]})
            elif reach.hops == current.hops:
                current.via.add(row["key"])
                current.confidence = max(current.confidence, confidence)
    ranked = sorted(best.items(), key=lambda item: (item[1].hops, -item[1].confidence, item[0]))
    return [
        RelatedMemory(
            memory_id=memory_id,
            hops=score.hops,
            confidence=score.confidence,
            via_entities=tuple(sorted(walk.entities[key].name for key in score.via)),
        )
        for memory_id, score in ranked[:limit]
    ]
