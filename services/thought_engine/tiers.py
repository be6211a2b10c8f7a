"""Memory tiers as in MemoryOS: a bounded short-term window, heat-ranked mid-term topic
segments, and promotion of hot segments to long-term.

Heat of a mid-term segment at time t:

    heat(t) = (alpha * visits + beta * ln(1 + turns) + gamma) * 2 ** (-idle(t) / half_life)

visits counts retrievals (each one decayed by the time since, so old popularity fades),
turns is the interaction length, idle the time since the segment was last visited or
extended. Everything decays: a segment nobody touches cools towards 0 whatever its past.
A segment whose heat reaches `promote_threshold` is promoted (its summary, facts and profile
go to LONG); when the mid tier is over capacity the coldest segments are evicted.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np

from services.thought_engine.conversation import Turn
from services.thought_engine.embedding import Embed, unit
from services.thought_engine.segmentation import SegmentationParams, segment_turns


@dataclass(frozen=True)
class HeatParams:
    visit_weight: float = 1.0
    length_weight: float = 1.0
    base_weight: float = 1.0
    half_life: timedelta = timedelta(days=7)
    promote_threshold: float = 6.0


@dataclass(frozen=True)
class MidSegment:
    id: str
    message_ids: tuple[str, ...]
    centroid: np.ndarray = field(compare=False, repr=False)
    last_access_at: datetime
    visits: float = 0.0
    """Visit count decayed to `last_access_at`."""
    promoted: bool = False

    @property
    def turns(self) -> int:
        return len(self.message_ids)


@dataclass(frozen=True)
class Promotion:
    segment_id: str
    heat: float
    reason: str


@dataclass(frozen=True)
class SpillResult:
    segments: tuple[MidSegment, ...]
    """Every mid-term segment afterwards: untouched, extended and new."""
    assignments: dict[str, str]
    """Spilled message id -> the segment it went to."""
    created: tuple[str, ...]


def heat(segment: MidSegment, now: datetime, params: HeatParams) -> float:
    return _weighted(segment, params) * _decay(segment.last_access_at, now, params)


def record_visit(segment: MidSegment, now: datetime, params: HeatParams) -> MidSegment:
    """The segment after one retrieval at `now`."""
    visits = segment.visits * _decay(segment.last_access_at, now, params) + 1.0
    return dataclasses.replace(segment, visits=visits, last_access_at=now)


def window_overflow(session_turns: Sequence[Turn], capacity: int) -> tuple[list[Turn], list[Turn]]:
    """(turns kept in the short-term window, oldest turns that spill out), in order."""
    if capacity < 1:
        raise ValueError("the short-term window holds at least one turn")
    cut = max(0, len(session_turns) - capacity)
    return list(session_turns[cut:]), list(session_turns[:cut])


def spill(
    spilled: Sequence[Turn],
    segments: Sequence[MidSegment],
    embed: Embed,
    now: datetime,
    *,
    new_segment_id: Callable[[Sequence[Turn]], str],
    params: HeatParams,
    min_similarity: float = 0.2,
    segmentation: SegmentationParams | None = None,
) -> SpillResult:
    """Moves turns that left the short-term window into mid-term segments: the spilled turns
    are split by topic, and each topic joins the most similar existing segment (cosine of
    centroids at least `min_similarity`, not yet promoted) or becomes a new segment."""
    state = {segment.id: segment for segment in segments}
    assignments: dict[str, str] = {}
    created: list[str] = []
    for topic in segment_turns(spilled, embed, segmentation):
        target = _most_similar(topic.centroid, list(state.values()), min_similarity)
        ids = topic.message_ids
        if target is None:
            segment = MidSegment(new_segment_id(topic.turns), ids, topic.centroid, now)
            created.append(segment.id)
        else:
            weight = target.turns / (target.turns + len(ids))
            centroid = unit(weight * target.centroid + (1 - weight) * topic.centroid)
            segment = dataclasses.replace(
                target,
                message_ids=target.message_ids + ids,
                centroid=centroid,
                # New turns are interaction: they refresh recency, carrying visits forward.
                visits=target.visits * _decay(target.last_access_at, now, params),
                last_access_at=now,
            )
        state[segment.id] = segment
        assignments.update(dict.fromkeys(ids, segment.id))
    return SpillResult(tuple(state.values()), assignments, tuple(created))


def promotions(
    segments: Sequence[MidSegment], now: datetime, params: HeatParams
) -> list[Promotion]:
    """Segments hot enough for long-term memory, hottest first."""
    found = []
    for segment in segments:
        value = heat(segment, now, params)
        if segment.promoted or value < params.promote_threshold:
            continue
        idle = now - segment.last_access_at
        reason = (
            f"heat {value:.2f} >= {params.promote_threshold}: {segment.visits:.1f} visits, "
            f"{segment.turns} turns, idle {idle.total_seconds() / 3600:.1f} h"
        )
        found.append(Promotion(segment.id, value, reason))
    return sorted(found, key=lambda p: -p.heat)


def evictions(
    segments: Sequence[MidSegment], capacity: int, now: datetime, params: HeatParams
) -> list[str]:
    """Ids of the coldest segments beyond `capacity`, coldest first."""
    ranked = sorted(segments, key=lambda s: (heat(s, now, params), s.last_access_at))
    return [segment.id for segment in ranked[: max(0, len(segments) - capacity)]]


def _weighted(segment: MidSegment, params: HeatParams) -> float:
    return (
        params.visit_weight * segment.visits
        + params.length_weight * math.log1p(segment.turns)
        + params.base_weight
    )


def _decay(since: datetime, now: datetime, params: HeatParams) -> float:
    idle = max(0.0, (now - since).total_seconds())
    return float(2.0 ** (-idle / params.half_life.total_seconds()))


def _most_similar(
    centroid: np.ndarray, segments: list[MidSegment], min_similarity: float
) -> MidSegment | None:
    best: MidSegment | None = None
    best_similarity = min_similarity
    for segment in segments:
        if segment.promoted:
            continue
        similarity = float(segment.centroid @ centroid)
        if similarity >= best_similarity:
            best, best_similarity = segment, similarity
    return best
