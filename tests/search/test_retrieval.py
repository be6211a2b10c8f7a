"""Hybrid retrieval on the real embedder and the real Qdrant Edge index."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from memgrid.common.v1 import memory_pb2

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
from services.search.documents import build_points, key_text, turn_key
from services.search.embedding import OnnxEmbedder
from services.search.filters import build_index_filter
from services.search.hits import Hit
from services.search.index import IndexFilter, VectorIndex, open_index
from services.search.index.base import Candidate
from services.search.retrieval import (
    FULL_MATCH_COSINE,
    UNRELATED_COSINE,
    Fusion,
    HybridRetriever,
    Mode,
    RankWeights,
    fuse,
    match_strength,
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
    # Relative score fusion: the top dense and the top sparse candidate each scale to 1; the
    # sparse weight counts as far as its list is full: one memory of the eight has the word.
    assert top.dense_rank == top.sparse_rank == 1
    assert top.fused_score == pytest.approx(
        weights.dense_weight + weights.sparse_weight / len(CORPUS)
    )
    assert top.importance_term == pytest.approx(weights.importance * 0.5)
    # A close match: the best hit scores 1, the others below it, in rank order.
    assert top.score == pytest.approx(1.0)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert all(0.0 <= h.score <= 1.0 for h in hits)


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


def test_a_short_sparse_list_counts_as_far_as_it_is_full() -> None:
    # Only one memory shares a word with the query: likely incidental, so its sparse part
    # is a quarter of the weight when dense found four memories.
    dense = [Candidate(m, s) for m, s in (("a", 0.9), ("b", 0.7), ("c", 0.5), ("d", 0.1))]
    lone = fuse(dense, [Candidate("d", 7.0)], RankWeights(dense_weight=0.3, sparse_weight=0.7))
    assert lone["d"].fused_score == pytest.approx(0.7 / 4)
    full = fuse(
        dense, [Candidate(c.memory_id, 7.0 - i) for i, c in enumerate(dense)], even_weights()
    )
    assert full["a"].fused_score == pytest.approx(2.0)


def even_weights() -> RankWeights:
    return RankWeights(dense_weight=1.0, sparse_weight=1.0)


def turn(memory_id: str, session: str, seq: int, **payload: Any) -> Candidate:
    return Candidate(
        memory_id,
        0.0,
        {"kind": "MESSAGE", "session_id": session, "session_seq": seq, **payload},
    )


def test_neighbours_pass_on_their_relevance_by_distance() -> None:
    hits = {
        c.memory_id: Hit(c.memory_id, payload=c.payload)
        for c in (turn("q", "s1", 4), turn("a1", "s1", 5), turn("a2", "s1", 6), turn("o", "s2", 5))
    }
    hits["q"].fused_score = 1.0
    spread_to_neighbours(hits, (0.3, 0.15))
    assert hits["a1"].neighbour_term == pytest.approx(0.3)
    assert hits["a2"].neighbour_term == pytest.approx(0.15)
    # Another session's fifth turn is no neighbour; the source takes nothing from itself.
    assert hits["o"].neighbour_term == 0.0
    assert hits["q"].neighbour_term == 0.0


def test_missing_neighbours_are_the_turns_around_hits_that_are_not_hits() -> None:
    hits = {
        "t3": Hit("t3", payload=turn("t3", "s1", 3).payload),
        "t4": Hit("t4", payload=turn("t4", "s1", 4).payload),
        "f": Hit("f", payload={"kind": "FACT"}),
    }
    keys = missing_neighbours(hits, 1, sources=10)
    assert keys == sorted([turn_key("s1", 2), turn_key("s1", 5)])
    # Only the best sources' neighbours are wanted.
    hits["t4"].fused_score = 0.5
    assert missing_neighbours(hits, 1, sources=1) == [turn_key("s1", 5)]
    # Positions start at 1: the turn before the first does not exist.
    one = {"t1": Hit("t1", payload=turn("t1", "s", 1).payload)}
    assert missing_neighbours(one, 2, sources=1) == [
        turn_key("s", 2),
        turn_key("s", 3),
    ]


def test_the_one_named_speaker_gains_and_two_names_change_nothing() -> None:
    def hits() -> dict[str, Hit]:
        made = {
            "c": Hit("c", fused_score=0.5, payload=turn("c", "s", 1, speaker="Caroline").payload),
            "m": Hit("m", fused_score=0.5, payload=turn("m", "s", 2, speaker="Melanie").payload),
        }
        return made

    one = hits()
    favour_named_speaker(one, "What did Caroline research?", 0.25)
    assert one["c"].speaker_term == pytest.approx(0.125) and one["m"].speaker_term == 0.0
    both = hits()
    favour_named_speaker(both, "When did Caroline and Melanie meet?", 0.25)
    assert both["c"].speaker_term == both["m"].speaker_term == 0.0


def test_hits_on_the_named_days_and_the_latest_for_now_questions_gain() -> None:
    may = {"event_days": [19_489]}  # 2023-05-12
    hits = {
        "in": Hit("in", fused_score=0.4, payload=may),
        "out": Hit("out", fused_score=0.8, payload={"event_days": [19_000]}),
    }
    favour_dates(hits, (19_478, 19_508), 0.5)
    assert hits["in"].temporal_term == pytest.approx(0.4) and hits["out"].temporal_term == 0.0
    old = Hit("old", fused_score=1.0, payload={"valid_from": 100.0})
    new = Hit("new", fused_score=0.9, payload={"valid_from": 200.0})
    favour_latest({"old": old, "new": new}, 0.3)
    assert old.temporal_term == 0.0 and new.temporal_term == pytest.approx(0.27)
    assert new.relevance > old.relevance


def test_repeated_texts_rank_after_every_first_copy() -> None:
    ranked = [
        Hit("a1", payload={"content_hash": "A"}),
        Hit("a2", payload={"content_hash": "A"}),
        Hit("b", payload={"content_hash": "B"}),
        Hit("a3", payload={"content_hash": "A"}),
        Hit("c", payload={}),
    ]
    assert [h.memory_id for h in repeats_last(ranked)] == ["a1", "b", "c", "a2", "a3"]


async def test_a_turn_beside_the_match_joins_the_results(
    onnx_embedder: OnnxEmbedder, index: VectorIndex
) -> None:
    session = [
        ("Caroline", "What got you into running?"),
        ("Melanie", "This has been great for my mental health, I'm gonna keep it up."),
        ("Caroline", "Did you see the game last night?"),
    ]
    memories = [
        memory(
            text,
            id=f"t{seq}",
            kind=memory_pb2.MEMORY_KIND_MESSAGE,
            session_id="s1",
            created_at=NOW - DAY,
        )
        for seq, (_, text) in enumerate(session, start=1)
    ]
    for seq, (speaker, _) in enumerate(session, start=1):
        memories[seq - 1].session_seq = seq
        memories[seq - 1].speaker = speaker
    filler = [memory(f"note {i} about groceries", id=f"n{i}") for i in range(30)]
    everything = memories + filler
    dense = await onnx_embedder.embed([key_text(m) for m in everything])
    index.upsert(build_points("t1", everything, dense, SparseEncoder()))
    retriever = HybridRetriever(onnx_embedder, index, SparseEncoder())
    flt = tenant_filter()
    query = "What got Melanie into running?"
    found = await retriever.search(flt, query, 3, now=NOW)
    assert found[0].memory_id == "t1"
    assert "t2" in [h.memory_id for h in found]
    answer = next(h for h in found if h.memory_id == "t2")
    assert answer.neighbour_term > 0.0
    alone = await retriever.search(
        flt, query, 3, now=NOW, weights=RankWeights(neighbour_weights=())
    )
    assert answer.score > next((h.score for h in alone if h.memory_id == "t2"), 0.0)
    # The caller's filter holds for neighbours too: another kind is not pulled in.
    facts_only = tenant_filter(kinds=[memory_pb2.MEMORY_KIND_FACT])
    assert all(
        h.memory_id.startswith("n") for h in await retriever.search(facts_only, query, 3, now=NOW)
    )


async def test_a_query_about_nothing_stored_scores_low_and_min_score_drops_it(
    retriever: HybridRetriever,
) -> None:
    flt = tenant_filter()
    unrelated = await retriever.search(flt, "quantum chromodynamics lattice", 5, now=NOW)
    assert unrelated and unrelated[0].score < 0.2
    related = await retriever.search(flt, "when is my dentist appointment", 5, now=NOW)
    assert related[0].memory_id == "dentist" and related[0].score > 0.8
    assert (
        await retriever.search(flt, "quantum chromodynamics lattice", 5, now=NOW, min_score=0.3)
        == []
    )
    kept = await retriever.search(flt, "when is my dentist appointment", 5, now=NOW, min_score=0.3)
    assert [h.memory_id for h in kept] == [h.memory_id for h in related if h.score >= 0.3]
    assert kept[0].memory_id == "dentist"


def test_match_strength_maps_cosine_to_zero_one() -> None:
    assert match_strength(-0.2) == match_strength(UNRELATED_COSINE) == 0.0
    assert match_strength(FULL_MATCH_COSINE) == match_strength(0.9) == 1.0
    assert 0.0 < match_strength((UNRELATED_COSINE + FULL_MATCH_COSINE) / 2) < 1.0


def test_a_derived_memory_whose_sources_rank_above_it_ranks_after_the_new_hits() -> None:
    ranked = [
        Hit("t1", payload={"content_hash": "1"}),
        Hit("episode", payload={"content_hash": "E", "source_message_ids": ["t1"]}),
        Hit("fact", payload={"content_hash": "F", "source_message_ids": ["t1", "t9"]}),
        Hit("t2", payload={"content_hash": "2"}),
    ]
    # The episode restates t1 only; the fact also stands for t9, which is not above it.
    assert [h.memory_id for h in repeats_last(ranked)] == ["t1", "fact", "t2", "episode"]


def test_a_turn_whose_fact_was_replaced_ranks_below_the_replacement() -> None:
    hits = {
        "said-paris": Hit("said-paris", fused_score=0.9, payload={"kind": "MESSAGE"}),
        "lives-berlin": Hit("lives-berlin", fused_score=0.5, payload={"kind": "PROFILE"}),
        "said-peanuts": Hit("said-peanuts", fused_score=0.4, payload={"kind": "MESSAGE"}),
    }
    superseded = [
        {"superseded_by": "lives-berlin", "source_message_ids": ["said-paris"]},
        # Its successor is not among the hits: the query is not about it.
        {"superseded_by": "elsewhere", "source_message_ids": ["said-peanuts"]},
    ]
    replaced = stale_turns(superseded, hits)
    assert replaced == {"said-paris": "lives-berlin"}
    below_successors(hits, replaced)
    assert hits["said-paris"].relevance == pytest.approx(0.9 * hits["lives-berlin"].relevance)
    assert hits["said-peanuts"].relevance == pytest.approx(0.4)
