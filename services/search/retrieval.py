"""Hybrid retrieval, the one ranking path of memgrid: candidates, fusion, context, rerank.

1. Candidates: dense (the query's embedding) and sparse (BM25) under the caller's payload
   filter, and, when a graph is configured, the memories linked to the entities the query
   names (graph_expansion.py), looked up under the same filter.
2. Fusion: each list's scores min-max scaled and added with the retrievers' weights
   (relative score fusion; reciprocal rank fusion on request).
3. Context: a turn's neighbours in its session pass it part of their relevance (and join
   the results), the turns of a speaker the query names gain, and so do memories whose
   events fall on the days the query names, or the latest ones for a question about now.
4. Rerank: small boosts for recency, importance and heat; a text repeated verbatim ranks
   after every first copy; MMR optionally trades relevance for diversity.
5. Scores: 0..1 with one meaning (calibrate()), and min_score drops those below it.
Every hit carries the numbers that produced its rank.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from enum import Enum
from typing import Any

import numpy as np
from memgrid_runtime.errors import Unavailable

from services.search.context import (
    below_successors,
    favour_dates,
    favour_latest,
    favour_named_speaker,
    missing_neighbours,
    repeats_last,
    spread_to_neighbours,
    stale_turns,
)
from services.search.embedding import Embedder
from services.search.graph_expansion import GraphCandidate, GraphExpander
from services.search.hits import Hit
from services.search.index.base import Candidate, IndexFilter, MatchAny, Range, VectorIndex
from services.search.metrics import SEARCH_STAGE_SECONDS
from services.search.sparse import SparseEncoder
from services.search.temporal import asks_about_now, query_days

MAX_K = 100
# The cosine similarities (all-MiniLM-L6-v2) at which a query and its best hit count as
# unrelated and as a full match: on LoCoMo the best hit of a real question has a median
# cosine of 0.64 (0.55 at the 10th percentile); a query about nothing stored ("quantum
# chromodynamics lattice") stays under 0.1.
UNRELATED_COSINE = 0.15
FULL_MATCH_COSINE = 0.55
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

    The defaults come from `make eval`: the LoCoMo dev split (real multi-session
    conversations, where the names, objects and events a question shares with its evidence
    decide) and eval/dataset.json (paraphrases). See the search README for the curve of
    what each setting bought. Boosts above a few hundredths override relevance instead of
    breaking ties, and cost Recall@1.
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
    dense_weight: float = 0.25
    sparse_weight: float = 0.75
    # The third list, graph expansion (when a graph is configured).
    graph_weight: float = 0.1
    # RRF only: rank 1 and rank 10 differ by a factor of about 2 with k=10.
    rrf_k: int = 10
    # A turn is often answered, or explained, by the turns beside it ("What got you into
    # running?" - "This has been great for my mental health"): each hit passes this share
    # of its relevance to the turns 1, 2, ... places away in its session, which joins the
    # results even when no retriever found them.
    neighbour_weights: tuple[float, ...] = (0.3, 0.15)
    # Added, as a share of the best hit's relevance, to hits whose events fall on the days
    # the query names ("what did Dave do in October 2023?"; temporal.py).
    temporal: float = 0.4
    # For a query about the present ("where do I work now?"), added as a share of the best
    # hit's relevance in proportion to how late a hit became valid among the hits: the
    # later of two answers is the current one.
    present: float = 0.3
    # When a query names one speaker ("what did Caroline research?"), that speaker's turns
    # gain this share of their relevance: the answer is most often in the named person's
    # own words.
    speaker: float = 0.25


def candidate_limit(k: int) -> int:
    """How many candidates each retriever contributes: enough for fusion, and the turns
    around them, to reorder. 100 for k 10: against 30, on the LoCoMo dev split Recall@10
    went from 0.773 to 0.778 (temporal 0.787 -> 0.801), eval/dataset.json 94.2 -> 95.3."""
    return min(max(10 * k, 100), 3 * MAX_K)


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


def fuse(
    dense: list[Candidate],
    sparse: list[Candidate],
    weights: RankWeights,
    graph: list[Candidate] | None = None,
) -> dict[str, Hit]:
    """One Hit per candidate, with the retrievers' weighted contributions added (graph:
    the memories graph expansion found, scored by GraphCandidate.score).

    With relative scores, the sparse weight is scaled by how full the sparse list is next
    to the dense one (which holds every memory in scope, up to the candidate limit). When
    only a few memories share any word with the query, that word is likely incidental (a
    paraphrased question), and min-max scaling would hand one of them the whole sparse
    weight. On eval/dataset.json this was worth 3.4 points of Recall@10; on LoCoMo, where
    the sparse list is always full, nothing.
    """
    hits: dict[str, Hit] = {}
    sparse_weight = weights.sparse_weight
    if weights.fusion is Fusion.RELATIVE_SCORE and dense:
        sparse_weight *= min(1.0, len(sparse) / len(dense))

    def contributions(candidates: list[Candidate], ranks: list[int], weight: float) -> list[float]:
        if weights.fusion is Fusion.RRF:
            return [weight / (weights.rrf_k + rank) for rank in ranks]
        return [weight * scaled for scaled in relative_scores(candidates)]

    def added(candidates: list[Candidate], weight: float) -> Iterator[tuple[Hit, Candidate, int]]:
        """Adds each candidate's contribution to its hit; yields (hit, candidate, rank) so
        that the caller records the retriever's own rank and score."""
        ranks = tied_ranks(candidates)
        parts = contributions(candidates, ranks, weight)
        for candidate, rank, part in zip(candidates, ranks, parts, strict=True):
            hit = hits.setdefault(
                candidate.memory_id, Hit(candidate.memory_id, payload=candidate.payload)
            )
            hit.fused_score += part
            yield hit, candidate, rank

    for hit, candidate, rank in added(dense, weights.dense_weight):
        hit.dense_rank, hit.dense_score = rank, candidate.score
    for hit, candidate, rank in added(sparse, sparse_weight):
        hit.sparse_rank, hit.sparse_score = rank, candidate.score
    for hit, candidate, rank in added(graph or [], weights.graph_weight):
        hit.graph_rank, hit.graph_hops = rank, int(candidate.payload.get("graph_hops", 0))
    return hits


def match_strength(best_cosine: float) -> float:
    """How well the query is matched at all, 0..1, from its best hit's cosine."""
    span = FULL_MATCH_COSINE - UNRELATED_COSINE
    return min(1.0, max(0.0, (best_cosine - UNRELATED_COSINE) / span))


def calibrate(ranked: list[Hit], match: float) -> None:
    """Scores in 0..1 with one meaning (SearchHit.score): the query's match strength times
    each hit's ranking score relative to the best. Order is kept."""
    if not ranked:
        return
    best = max(max(hit.score for hit in ranked), 1e-9)
    for hit in ranked:
        hit.score = match * max(0.0, hit.score) / best


def rerank(hits: list[Hit], weights: RankWeights, *, now: float) -> list[Hit]:
    if not hits:
        return []
    # Every relevance is 0 only when the operator set the retrievers' weights to 0.
    top = max(max(hit.relevance for hit in hits), 1e-9)
    decay = math.log(2) / (weights.recency_half_life_days * _SECONDS_PER_DAY)
    for hit in hits:
        payload = hit.payload
        age = max(0.0, now - float(payload.get("created_at", now)))
        heat = max(0.0, float(payload.get("heat", 0.0)))
        hit.recency_term = weights.recency * math.exp(-decay * age)
        hit.importance_term = weights.importance * float(payload.get("importance", 0.0))
        hit.heat_term = weights.heat * heat / (heat + weights.heat_scale)
        hit.score = hit.relevance / top + hit.recency_term + hit.importance_term + hit.heat_term
    return repeats_last(sorted(hits, key=lambda h: (-h.score, h.memory_id)))


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
        graph: GraphExpander | None = None,
    ) -> None:
        self._embedder = embedder
        self._index = index
        self._sparse = sparse_encoder
        self._graph = graph
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
        min_score: float = 0.0,
        graph_user_id: str = "",
    ) -> list[Hit]:
        hits, _ = await self.search_with_status(
            flt,
            query,
            k,
            weights=weights,
            mode=mode,
            now=now,
            min_score=min_score,
            graph_user_id=graph_user_id,
        )
        return hits

    async def search_with_status(
        self,
        flt: IndexFilter,
        query: str,
        k: int,
        *,
        weights: RankWeights | None = None,
        mode: Mode = Mode.HYBRID,
        now: float | None = None,
        min_score: float = 0.0,
        graph_user_id: str = "",
    ) -> tuple[list[Hit], list[str]]:
        """The best k hits scored at least min_score, and the retrievers that could not
        answer ("graph"). The graph is one per user: expansion reads graph_user_id's (the
        filter's user), and is left out when the search names no user."""
        weights = weights or self.default_weights
        now = time.time() if now is None else now
        limit = candidate_limit(k)
        # The graph is asked while the query is embedded, so expansion adds no latency
        # beyond the slower of the two.
        graph_call = None
        if (
            self._graph is not None
            and graph_user_id
            and mode is Mode.HYBRID
            and weights.graph_weight > 0.0
        ):
            graph_call = asyncio.create_task(
                self._graph.related(flt.tenant_id, graph_user_id, query, limit)
            )
        try:
            dense, sparse = await self._retrieve(flt, query, limit, mode)
        except BaseException:
            if graph_call is not None:
                graph_call.cancel()
            raise
        degraded: list[str] = []
        graph: list[Candidate] = []
        if graph_call is not None:
            try:
                related = await graph_call
            except Unavailable:
                degraded.append("graph")
            else:
                graph = await self._graph_candidates(flt, related, dense, sparse)
                # An entity most memories mention (the user, a speaker) says nothing about
                # which of them answers: the graph's weight shrinks as its list fills up.
                # On LoCoMo, where every question names a speaker, an unscaled graph list
                # cost 0.8 points of Recall@10.
                selective = max(0.0, 1.0 - len(related) / limit)
                weights = replace(weights, graph_weight=weights.graph_weight * selective)
        hits = fuse(dense, sparse, weights, graph)
        if weights.neighbour_weights and hits:
            await self._add_neighbours(flt, hits, len(weights.neighbour_weights), k)
            spread_to_neighbours(hits, weights.neighbour_weights)
        if weights.speaker:
            favour_named_speaker(hits, query, weights.speaker)
        if weights.temporal and (days := query_days(query)) is not None:
            favour_dates(hits, days, weights.temporal)
        if weights.present and asks_about_now(query):
            favour_latest(hits, weights.present)
        await self._rank_stale_turns_below_successors(flt, hits, k, now)
        ranked = rerank(list(hits.values()), weights, now=now)
        if weights.diversity > 0.0 and len(ranked) > 1:
            pool = ranked[: max(3 * k, 30)]
            ids = [h.memory_id for h in pool]
            vectors = await asyncio.to_thread(self._index.dense_vectors, flt.tenant_id, ids)
            best = maximal_marginal_relevance(pool, vectors, k, weights.diversity)
        else:
            best = ranked[:k]
        calibrate(best, match_strength(dense[0].score) if dense else 1.0)
        return [hit for hit in best if hit.score >= min_score], degraded

    async def _retrieve(
        self, flt: IndexFilter, query: str, limit: int, mode: Mode
    ) -> tuple[list[Candidate], list[Candidate]]:
        """The dense and the sparse candidates, each list best first (empty when the mode
        leaves its retriever out)."""
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

        return await asyncio.to_thread(retrieve)

    async def _graph_candidates(
        self,
        flt: IndexFilter,
        related: list[GraphCandidate],
        dense: list[Candidate],
        sparse: list[Candidate],
    ) -> list[Candidate]:
        """The graph's memories that the caller's filter allows, scored and with their
        payloads: those the other retrievers found carry theirs, the others are looked up
        under the same filter (the graph knows tenants only)."""
        if not related:
            return []
        known = {c.memory_id: c.payload for c in (*dense, *sparse)}
        unknown = tuple(g.memory_id for g in related if g.memory_id not in known)
        if unknown:
            looked_up = await asyncio.to_thread(
                self._index.find,
                replace(flt, must=(*flt.must, MatchAny("memory_id", unknown))),
                len(unknown),
            )
            known.update({c.memory_id: c.payload for c in looked_up})
        return [
            Candidate(g.memory_id, g.score, {**known[g.memory_id], "graph_hops": g.hops + 1})
            for g in related
            if g.memory_id in known
        ]

    async def _rank_stale_turns_below_successors(
        self, flt: IndexFilter, hits: dict[str, Hit], k: int, now: float
    ) -> None:
        """Looks up the superseded memories derived from the best turns (the caller's
        filter leaves superseded ones out) and ranks those turns below the successors."""
        best = sorted(hits.values(), key=lambda hit: -hit.relevance)[: 2 * k]
        if not any(hit.payload.get("kind") not in ("MESSAGE", None) for hit in best):
            return  # no derived memory that could be a successor: nothing to look up
        turns = tuple(hit.memory_id for hit in best if hit.payload.get("kind") == "MESSAGE")
        if not turns:
            return
        # Matched by the caller's own turns, so no other user's memory can match.
        superseded = IndexFilter(
            tenant_id=flt.tenant_id,
            must=(MatchAny("source_message_ids", turns), Range("valid_to", lte=now)),
        )
        found = await asyncio.to_thread(self._index.find, superseded, 4 * len(turns))
        below_successors(hits, stale_turns([c.payload for c in found], hits))

    async def _add_neighbours(
        self, flt: IndexFilter, hits: dict[str, Hit], reach: int, k: int
    ) -> None:
        """Adds to hits, unscored, the turns beside them that the caller's filter allows."""
        # Only the best hits' neighbours can reach the top k: on LoCoMo, fetching those of
        # the best 2k hits or of all 200 candidates gave the same results, and 2k is a
        # fifth of the lookups.
        keys = missing_neighbours(hits, reach, 2 * k)
        if not keys:
            return
        started = time.perf_counter()
        found = await asyncio.to_thread(
            self._index.find,
            replace(flt, must=(*flt.must, MatchAny("turn_key", tuple(keys)))),
            len(keys),
        )
        SEARCH_STAGE_SECONDS.labels("neighbours").observe(time.perf_counter() - started)
        for candidate in found:
            hits.setdefault(
                candidate.memory_id, Hit(candidate.memory_id, payload=candidate.payload)
            )


def with_overrides(base: RankWeights, **overrides: float | None) -> RankWeights:
    """base with the given fields replaced, ignoring those left as None."""
    changes: dict[str, Any] = {k: v for k, v in overrides.items() if v is not None}
    return replace(base, **changes)
