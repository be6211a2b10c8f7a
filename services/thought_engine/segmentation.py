"""Topic segmentation of a session: consecutive turns grouped by embedding similarity.

One pass over the turns in order. A turn joins the open segment when it is similar enough
to the segment's recent turns (the last `window` of them, so a slowly drifting topic stays
one segment); otherwise it opens a new one. Short turns ("ok, thanks!") carry no topic and
never open a segment, and `max_turns` bounds a segment so that its summary stays short.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from services.thought_engine.conversation import Turn
from services.thought_engine.embedding import Embed, unit
from services.thought_engine.text import content_words


@dataclass(frozen=True)
class SegmentationParams:
    min_similarity: float = 0.12
    """Cosine to the recent turns' centroid below which a turn starts a new topic."""
    window: int = 4
    min_topic_words: int = 3
    """Turns with fewer content words than this continue the open segment."""
    max_turns: int = 40


@dataclass(frozen=True)
class Segment:
    turns: tuple[Turn, ...]
    centroid: np.ndarray = field(compare=False, repr=False)
    """Unit-length mean of the embeddings of the segment's topical turns."""

    @property
    def message_ids(self) -> tuple[str, ...]:
        return tuple(turn.message_id for turn in self.turns)


def segment_turns(
    turns: Sequence[Turn], embed: Embed, params: SegmentationParams | None = None
) -> list[Segment]:
    """The turns (in session order) split into topic segments, in order."""
    params = params or SegmentationParams()
    if not turns:
        return []
    vectors = embed([turn.content for turn in turns])
    topical = [len(content_words(turn.content)) >= params.min_topic_words for turn in turns]

    groups: list[list[int]] = [[0]]
    for index in range(1, len(turns)):
        current = groups[-1]
        recent = [i for i in current if topical[i]][-params.window :]
        starts_topic = (
            topical[index]
            and bool(recent)
            and _similarity(vectors[index], vectors[recent]) < params.min_similarity
        )
        if starts_topic or len(current) >= params.max_turns:
            groups.append([index])
        else:
            current.append(index)
    return [_segment(turns, vectors, topical, group) for group in groups]


def _similarity(vector: np.ndarray, recent: np.ndarray) -> float:
    return float(unit(recent.mean(axis=0)) @ vector)


def _segment(
    turns: Sequence[Turn], vectors: np.ndarray, topical: list[bool], group: list[int]
) -> Segment:
    # A segment of only short turns has no topical turn; its centroid uses them all.
    members = [i for i in group if topical[i]] or group
    return Segment(
        turns=tuple(turns[i] for i in group), centroid=unit(vectors[members].mean(axis=0))
    )
