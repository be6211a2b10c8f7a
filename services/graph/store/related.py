"""Ranking the memories around a traversal: nearest first, then most confident."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from services.graph.model import RelatedMemory
from services.graph.store.traversal import Traversal


@dataclass
class _Best:
    hops: int
    confidence: float
    via: set[str] = field(default_factory=set)


def rank_memories(
    walk: Traversal,
    mentions: Iterable[tuple[str, str, float]],
    *,
    limit: int,
    excluded: set[str],
) -> list[RelatedMemory]:
    """Each memory mentioning a reached entity, scored by its nearest such entity: fewest
    hops, then path confidence times mention confidence, then memory id.

    `mentions` are (memory id, entity key, mention confidence); those of entities the walk
    did not reach are ignored."""
    best: dict[str, _Best] = {}
    for memory_id, key, mention_confidence in mentions:
        reach = walk.reached.get(key)
        if reach is None or memory_id in excluded:
            continue
        confidence = reach.path_confidence * mention_confidence
        current = best.get(memory_id)
        if current is None or reach.hops < current.hops:
            best[memory_id] = _Best(reach.hops, confidence, {key})
        elif reach.hops == current.hops:
            current.via.add(key)
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
