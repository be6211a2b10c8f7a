"""A search hit and the numbers that ranked it, from candidates to the final score."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Hit:
    memory_id: str
    score: float = 0.0
    dense_score: float = 0.0
    dense_rank: int = 0  # 1-based; 0 when the dense retriever did not return it
    sparse_score: float = 0.0
    sparse_rank: int = 0
    graph_rank: int = 0
    # 1 + hops from an entity the query names; 0 when the graph did not return the hit.
    graph_hops: int = 0
    fused_score: float = 0.0
    # What the hit's neighbours in its session passed to it, and its date's match.
    neighbour_term: float = 0.0
    speaker_term: float = 0.0
    temporal_term: float = 0.0
    recency_term: float = 0.0
    importance_term: float = 0.0
    heat_term: float = 0.0
    payload: Mapping[str, Any] = field(default_factory=dict, repr=False)

    @property
    def relevance(self) -> float:
        """How well the hit answers the query, before the rerank's boosts."""
        return self.fused_score + self.neighbour_term + self.speaker_term + self.temporal_term
