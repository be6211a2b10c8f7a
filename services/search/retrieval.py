"""Hybrid retrieval: dense + sparse candidates, fusion, rerank, optional MMR.

Each retriever fetches its candidates under the same payload filter; fusion combines the
two lists (relative score fusion by default, reciprocal rank fusion on request); a rerank
then adds small, tunable boosts for recency, importance and heat; MMR optionally trades
some relevance for diversity. Every hit carries the numbers that produced its rank.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import Enum
from typing import Any

import numpy as np

from services.search.embedding import Embedder
from services.search.index.base import Candidate, IndexFilter, VectorIndex
from services.search.metrics import SEARCH_STAGE_SECONDS
from services.search.sparse import SparseEncoder

MAX_K = 100
_SECONDS_PER_DAY = 86_400.0


class Mode(Enum):
    HYBRID = "hybrid"
    DENSE = "dense"
    SPARSE = "sparse"


class Fusion(Enum):
    """How the dense and the sparse candidate lists become one ranking.

    RELATIVE_SCORE (the default) min-max scales each list's scores to 0..1 within the query
    and adds them with the retrievers' weights, so a hit keeps how far ahead of the others
    its retriever put it. RRF adds weight / (rrf_k + rank) per list and sees ranks only: a
    clear dense winner and a dense near-tie look the same to it, which on eval/run_eval.py
    let incidental keyword overlap reorder the top (the previous RRF default: R@1 53.0 and
    R@10 92.8; relative scores: 59.7 and 93.0, dense alone 59.7 and 93.0). See the search
    README for the full table.
    """

    RELATIVE_SCORE = "relative_score"
    RRF = "rrf"


@dataclass(frozen=True)
class RankWeights:
    """Fusion weights, and boosts added to the fused relevance (scaled to 1 for the top hit).

    The defaults come from eval/run_eval.py. Dense 0.8 / sparse 0.2 keeps incidental
    keyword overlap (chit-chat sharing a word with the question) from outvoting a strong
    semantic match, while an exact name or code still lifts a hit among close dense scores.
    It was the one weight at or above dense-only on every metric both on the eval set alone
    and with 10,000 other memories in the collection (BM25's IDF is collection-wide, so
    other data moves sparse scores; 0.75 lost 0.2 of Recall@10 there). Boosts above a few
    hundredths override relevance instead of breaking ties, and cost Recall@1.
    """

    recency: float = 0.02
    importance: float = 0.02
    heat: float = 0.02
    # 0 keeps the relevance order; up to 1 favours hits unlike those already chosen.
    diversity: float = 0.0
    recency_half_life_days: float = 30.0
    # Heat has no upper bound; heat / (heat + heat_scale) maps it into 0..1.
    heat_scale: float = 5.0
    fusion: Fusion = Fusion.RELATIVE_SCORE
    dense_weight: float = 0.8
    sparse_weight: float = 0.2
    # RRF only: rank 1 and rank 10 differ by a factor of about 2 with k=10.
    rrf_k: int = 10


@dataclass
class Hit:
    memory_id: str
    score: float = 0.0
    dense_score: float = 0.0
    dense_rank: int = 0  # 1-based; 0 when the dense retriever did not return it
    sparse_score: float = 0.0
    sparse_rank: int = 0
    fused_score: float = 0.0
    recency_term: float = 0.0
    importance_term: float = 0.0
    heat_term: float = 0.0
    payload: Mapping[str, Any] = field(default_factory=dict, repr=False)


def candidate_limit(k: int) -> int:
    """How many candidates each retriever contributes: enough for fusion to reorder."""
    return min(max(3 * k, 30), 3 * MAX_K)


def tied_ranks(candidates: list[Candidate]) -> list[int]:
    """1-based competition ranks ("1224") of score-ordered candidates: equal scores (such as
    duplicate texts) share a rank, so fusion does not separate them by arrival order and
    the rerank terms can decide between them."""
    ranks: list[int] = []
    for position, candidate in enumerate(candidates):
        tied = position > 0 and abs(candidate.score - candidates[position - 1].score) <= 1e-6
        ranks.append(ranks[-1] if tied else position + 1)
    return ranks


def relative_scores(candidates: list[Candidate]) -> list[float]:
    """Scores min-max scaled to 0..1 within the list; all 1.0 when they are all equal
    (one candidate, or duplicates), since nothing in the list ranks below another."""
    if not candidates:
        return []
    scores = [c.score for c in candidates]
    low, high = min(scores), max(scores)
    if high - low <= 1e-9:
        return [1.0] * len(scores)
    return [(score - low) / (high - low) for score in scores]


def fuse(dense: list[Candidate], sparse: list[Candidate], weights: RankWeights) -> dict[str, Hit]:
    hits: dict[str, Hit] = {}

    def contributions(candidates: list[Candidate], ranks: list[int], weight: float) -> list[float]:
        if weights.fusion is Fusion.RRF:
            return [weight / (weights.rrf_k + rank) for rank in ranks]
        return [weight * scaled for scaled in relative_scores(candidates)]

    dense_ranks = tied_ranks(dense)
    for candidate, rank, part in zip(
        dense, dense_ranks, contributions(dense, dense_ranks, weights.dense_weight), strict=True
    ):
        hit = hits.setdefault(
            candidate.memory_id, Hit(candidate.memory_id, payload=candidate.payload)
        )
        hit.dense_rank, hit.dense_score = rank, candidate.score
        hit.fused_score += part
    sparse_ranks = tied_ranks(sparse)
    for candidate, rank, part in zip(
        sparse,
        sparse_ranks,
        contributions(sparse, sparse_ranks, weights.sparse_weight),
        strict=True,
    ):
        hit = hits.setdefault(
            candidate.memory_id, Hit(candidate.memory_id, payload=candidate.payload)
        )
        hit.sparse_rank, hit.sparse_score = rank, candidate.score
        hit.fused_score += part
    return hits


def rerank(hits: list[Hit], weights: RankWeights, *, now: float) -> list[Hit]:
    if not hits:
        return []
    # Every fused score is 0 only when the operator set the retrievers' weights to 0.
    top = max(max(hit.fused_score for hit in hits), 1e-9)
    decay = math.log(2) / (weights.recency_half_life_days * _SECONDS_PER_DAY)
    for hit in hits:
        payload = hit.payload
        age = max(0.0, now - float(payload.get("created_at", now)))
        heat = max(0.0, float(payload.get("heat", 0.0)))
        hit.recency_term = weights.recency * math.exp(-decay * age)
        hit.importance_term = weights.importance * float(payload.get("importance", 0.0))
        hit.heat_term = weights.heat * heat / (heat + weights.heat_scale)
        hit.score = hit.fused_score / top + hit.recency_term + hit.importance_term + hit.heat_term
    return sorted(hits, key=lambda h: (-h.score, h.memory_id))


def maximal_marginal_relevance(
    hits: list[Hit], vectors: Mapping[str, np.ndarray], k: int, diversity: float
) -> list[Hit]:
    """Greedy MMR over reranked hits: relevance minus similarity to those already chosen."""
    pool = [h for h in hits if h.memory_id in vectors]
    if not pool:
        return hits[:k]
    scores = np.array([h.score for h in pool], dtype=np.float32)
    relevance = scores / max(float(scores.max()), 1e-9)
    matrix = np.stack([vectors[h.memory_id] for h in pool])
    similarity = matrix @ matrix.T
    chosen: list[int] = []
    closest = np.full(len(pool), -np.inf, dtype=np.float32)
    remaining = set(range(len(pool)))
    while remaining and len(chosen) < k:
        penalty = np.where(np.isfinite(closest), closest, 0.0)
        mmr = (1.0 - diversity) * relevance - diversity * penalty
        best = max(remaining, key=lambda i: (mmr[i], -i))
        chosen.append(best)
        remaining.discard(best)
        closest = np.maximum(closest, similarity[best])
    return [pool[i] for i in chosen]


class HybridRetriever:
    def __init__(
        self,
        embedder: Embedder,
        index: VectorIndex,
        sparse_encoder: SparseEncoder,
        default_weights: RankWeights | None = None,
    ) -> None:
        self._embedder = embedder
        self._index = index
        self._sparse = sparse_encoder
        self.default_weights = default_weights or RankWeights()

    async def search(
        self,
        flt: IndexFilter,
        query: str,
        k: int,
        *,
        weights: RankWeights | None = None,
        mode: Mode = Mode.HYBRID,
        now: float | None = None,
    ) -> list[Hit]:
        weights = weights or self.default_weights
        now = time.time() if now is None else now
        limit = candidate_limit(k)
        dense_vector: list[float] | None = None
        if mode is not Mode.SPARSE:
            started = time.perf_counter()
            dense_vector = (await self._embedder.embed([query]))[0].tolist()
            SEARCH_STAGE_SECONDS.labels("embed").observe(time.perf_counter() - started)
        sparse_vector = self._sparse.encode_query(query) if mode is not Mode.DENSE else None

        def retrieve() -> tuple[list[Candidate], list[Candidate]]:
            started = time.perf_counter()
            dense = self._index.search_dense(flt, dense_vector, limit) if dense_vector else []
            sparse = self._index.search_sparse(flt, sparse_vector, limit) if sparse_vector else []
            SEARCH_STAGE_SECONDS.labels("retrieve").observe(time.perf_counter() - started)
            return dense, sparse

        dense, sparse = await asyncio.to_thread(retrieve)
        ranked = rerank(list(fuse(dense, sparse, weights).values()), weights, now=now)
        if weights.diversity > 0.0 and len(ranked) > 1:
            pool = ranked[: max(3 * k, 30)]
            ids = [h.memory_id for h in pool]
            vectors = await asyncio.to_thread(self._index.dense_vectors, flt.tenant_id, ids)
            return maximal_marginal_relevance(pool, vectors, k, weights.diversity)
        return ranked[:k]


def with_overrides(base: RankWeights, **overrides: float | None) -> RankWeights:
    """base with the given fields replaced, ignoring those left as None."""
    changes: dict[str, Any] = {k: v for k, v in overrides.items() if v is not None}
    return replace(base, **changes)
