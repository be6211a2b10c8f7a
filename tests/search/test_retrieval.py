"""Hybrid retrieval on the real embedder and the real Qdrant Edge index."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from memgrid.common.v1 import memory_pb2

from services.search.documents import build_points
from services.search.embedding import OnnxEmbedder
from services.search.filters import build_index_filter
from services.search.index import IndexFilter, VectorIndex, open_index
from services.search.index.base import Candidate
from services.search.retrieval import (
    Fusion,
    HybridRetriever,
    Mode,
    RankWeights,
    fuse,
    relative_scores,
    tied_ranks,
)
from services.search.sparse import SparseEncoder
from tests.search.factories import memory

NOW = 1_700_000_000.0
DAY = 86_400.0

CORPUS = {
    "flight": "My flight AZ-7731 to Rome leaves at 6:40 on Saturday.",
    "sister": "Anna, my sister, recently relocated to Lisbon for a nursing job.",
    "allergy": "I am allergic to peanuts and shellfish.",
    "car": "The car is due for its annual inspection in November.",
    "garden": "We planted tomatoes and basil in the garden this spring.",
    "book": "I'm reading a novel about a lighthouse keeper in Norway.",
    "gym": "I go to the gym on Mondays and Thursdays after work.",
    "dentist": "Dentist appointment moved to next Tuesday at 3pm.",
}


@pytest.fixture
def index(tmp_path: Path) -> Iterator[VectorIndex]:
    opened = open_index("qdrant-edge", dim=384, path=tmp_path / "edge")
    yield opened
    opened.close()


@pytest.fixture
async def retriever(onnx_embedder: OnnxEmbedder, index: VectorIndex) -> HybridRetriever:
    memories = [memory(text, id=key, created_at=NOW - DAY) for key, text in CORPUS.items()]
    dense = await onnx_embedder.embed([m.content for m in memories])
    index.upsert(build_points("t1", memories, dense, SparseEncoder()))
    return HybridRetriever(onnx_embedder, index, SparseEncoder())


def tenant_filter(**fields: Any) -> IndexFilter:
    return build_index_filter("t1", memory_pb2.MemoryFilter(**fields), now=NOW)


async def test_exact_keyword_match_ranks_first(retriever: HybridRetriever) -> None:
    hits = await retriever.search(tenant_filter(), "AZ-7731", 3, now=NOW)
    assert hits[0].memory_id == "flight"
    assert hits[0].sparse_rank == 1 and hits[0].sparse_score > 0


async def test_paraphrase_without_shared_words_is_found(retriever: HybridRetriever) -> None:
    query = "Where does my sibling live these days?"
    hits = await retriever.search(tenant_filter(), query, 3, now=NOW)
    assert hits[0].memory_id == "sister"
    assert hits[0].dense_rank == 1


async def test_hits_explain_themselves(retriever: HybridRetriever) -> None:
    hits = await retriever.search(tenant_filter(), "when is the dentist", 5, now=NOW)
    top = hits[0]
    assert top.memory_id == "dentist"
    assert top.dense_rank >= 1 and top.sparse_rank >= 1
    weights = RankWeights()
    # Relative score fusion: the top dense and the top sparse candidate each scale to 1.
    assert top.dense_rank == top.sparse_rank == 1
    assert top.fused_score == pytest.approx(weights.dense_weight + weights.sparse_weight)
    assert top.importance_term == pytest.approx(weights.importance * 0.5)
    assert top.score == pytest.approx(
        1.0 + top.recency_term + top.importance_term + top.heat_term, rel=1e-5
    )
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


async def test_modes_use_one_retriever_each(retriever: HybridRetriever) -> None:
    flt = tenant_filter()
    dense = await retriever.search(flt, "peanut allergy", 3, mode=Mode.DENSE, now=NOW)
    sparse = await retriever.search(flt, "peanut allergy", 3, mode=Mode.SPARSE, now=NOW)
    assert all(h.sparse_rank == 0 for h in dense) and dense[0].memory_id == "allergy"
    assert all(h.dense_rank == 0 for h in sparse) and sparse[0].memory_id == "allergy"


async def test_rerank_weights_move_recent_important_hot_memories_up(
    onnx_embedder: OnnxEmbedder, index: VectorIndex
) -> None:
    twins = [
        memory("I parked the car on level 3.", id="old", created_at=NOW - 300 * DAY),
        memory(
            "I parked the car on level 3.",
            id="fresh",
            created_at=NOW - DAY,
            importance=0.9,
            heat=10,
        ),
    ]
    dense = await onnx_embedder.embed([m.content for m in twins])
    index.upsert(build_points("t1", twins, dense, SparseEncoder()))
    retriever = HybridRetriever(onnx_embedder, index, SparseEncoder())
    flt = tenant_filter()
    ranked = await retriever.search(flt, "where did I park", 2, now=NOW)
    assert [h.memory_id for h in ranked] == ["fresh", "old"]
    assert ranked[0].recency_term > ranked[1].recency_term
    assert ranked[0].heat_term > 0 and ranked[1].heat_term == 0
    neutral = RankWeights(recency=0, importance=0, heat=0)
    plain = await retriever.search(flt, "where did I park", 2, weights=neutral, now=NOW)
    assert plain[0].recency_term == plain[0].importance_term == plain[0].heat_term == 0


async def test_mmr_diversifies_near_duplicates(
    onnx_embedder: OnnxEmbedder, index: VectorIndex
) -> None:
    texts = {
        "dup1": "I love hiking in the Alps in summer.",
        "dup2": "I love hiking in the Alps during the summer.",
        "dup3": "I really love hiking in the Alps in summer time.",
        "other": "Hiking boots need new laces before the next trip.",
    }
    memories = [memory(t, id=k, created_at=NOW) for k, t in texts.items()]
    index.upsert(
        build_points(
            "t1", memories, await onnx_embedder.embed(list(texts.values())), SparseEncoder()
        )
    )
    retriever = HybridRetriever(onnx_embedder, index, SparseEncoder())
    flt = tenant_filter()
    plain = await retriever.search(flt, "hiking in the Alps", 2, now=NOW)
    diverse = await retriever.search(
        flt,
        "hiking in the Alps",
        2,
        weights=RankWeights(diversity=0.7),
        now=NOW,
    )
    assert {h.memory_id for h in plain} <= {"dup1", "dup2", "dup3"}
    assert "other" in {h.memory_id for h in diverse}


async def test_filters_apply_to_both_retrievers(retriever: HybridRetriever) -> None:
    nobody = tenant_filter(user_id="someone-else")
    assert await retriever.search(nobody, "AZ-7731 flight", 5, now=NOW) == []
    other_tenant = build_index_filter("t2", memory_pb2.MemoryFilter(), now=NOW)
    assert await retriever.search(other_tenant, "AZ-7731 flight", 5, now=NOW) == []


def test_equal_scores_share_a_rank() -> None:
    candidates = [
        Candidate("a", 0.9),
        Candidate("b", 0.9),
        Candidate("c", 0.5),
        Candidate("d", 0.4),
    ]
    assert tied_ranks(candidates) == [1, 1, 3, 4]
    for fusion in Fusion:
        fused = fuse(candidates, [], RankWeights(fusion=fusion))
        assert fused["a"].fused_score == fused["b"].fused_score > fused["c"].fused_score


def test_rrf_sees_ranks_and_relative_score_fusion_sees_margins() -> None:
    # Dense puts "clear" far ahead; sparse prefers "keyword" by a little. RRF weighs the
    # two first places alike; relative scores keep dense's margin.
    dense = [Candidate("clear", 0.80), Candidate("keyword", 0.40), Candidate("far", 0.10)]
    sparse = [Candidate("keyword", 5.2), Candidate("clear", 5.0), Candidate("far", 1.0)]
    even = RankWeights(dense_weight=1.0, sparse_weight=1.0)
    rrf = fuse(dense, sparse, RankWeights(fusion=Fusion.RRF, dense_weight=1.0, sparse_weight=1.0))
    assert rrf["clear"].fused_score == pytest.approx(rrf["keyword"].fused_score)
    relative = fuse(dense, sparse, even)
    assert relative["clear"].fused_score > relative["keyword"].fused_score
    assert relative["clear"].fused_score == pytest.approx(1.0 + (5.0 - 1.0) / (5.2 - 1.0))
    assert relative["far"].fused_score == 0.0


def test_relative_scores_scale_within_the_list() -> None:
    assert relative_scores([]) == []
    assert relative_scores([Candidate("only", 0.3)]) == [1.0]
    assert relative_scores([Candidate("a", 2.0), Candidate("b", 2.0)]) == [1.0, 1.0]
    assert relative_scores(
        [Candidate("a", 0.9), Candidate("b", 0.6), Candidate("c", 0.3)]
    ) == pytest.approx([1.0, 0.5, 0.0])
