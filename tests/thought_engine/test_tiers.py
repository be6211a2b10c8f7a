from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import timedelta

import numpy as np
import pytest

from services.thought_engine.conversation import Turn
from services.thought_engine.embedding import HashedBagOfWords
from services.thought_engine.tiers import (
    HeatParams,
    MidSegment,
    evictions,
    heat,
    promotions,
    record_visit,
    spill,
    window_overflow,
)
from tests.thought_engine.conversations import T0, conversation

EMBED = HashedBagOfWords()
PARAMS = HeatParams(half_life=timedelta(days=7), promote_threshold=6.0)
WEEK = timedelta(days=7)


def segment(segment_id: str, text: str, turns: int = 1, visits: float = 0.0) -> MidSegment:
    return MidSegment(
        segment_id,
        tuple(f"{segment_id}-{i}" for i in range(turns)),
        EMBED([text])[0],
        last_access_at=T0,
        visits=visits,
    )


def ids_by_first_turn(turns: Sequence[Turn]) -> str:
    return f"seg-{turns[0].message_id}"


def test_heat_is_visits_length_and_base_decayed_by_idle_time() -> None:
    s = segment("a", "trip", turns=3, visits=2.0)

    assert heat(s, T0, PARAMS) == pytest.approx(2.0 + math.log1p(3) + 1.0)
    assert heat(s, T0 + WEEK, PARAMS) == pytest.approx((2.0 + math.log1p(3) + 1.0) / 2)
    assert heat(s, T0 + 10 * WEEK, PARAMS) < 0.01


def test_visits_add_heat_and_old_visits_fade() -> None:
    s = segment("a", "trip")

    visited = record_visit(record_visit(s, T0, PARAMS), T0, PARAMS)
    assert visited.visits == 2.0
    assert heat(visited, T0, PARAMS) > heat(s, T0, PARAMS)

    later = record_visit(visited, T0 + WEEK, PARAMS)
    assert later.visits == pytest.approx(2.0 / 2 + 1.0)
    assert later.last_access_at == T0 + WEEK


def test_the_short_term_window_spills_its_oldest_turns() -> None:
    turns = conversation([("user", f"turn {i}") for i in range(1, 8)])

    kept, spilled = window_overflow(turns, capacity=5)

    assert [t.message_id for t in kept] == ["m3", "m4", "m5", "m6", "m7"]
    assert [t.message_id for t in spilled] == ["m1", "m2"]
    assert window_overflow(turns[:3], capacity=5) == (turns[:3], [])
    with pytest.raises(ValueError):
        window_overflow(turns, capacity=0)


def test_spilled_turns_join_a_similar_segment_or_start_their_own() -> None:
    trip = segment("trip", "Japan trip: Kyoto hotels and the rail pass", turns=4, visits=1.0)
    spilled = conversation(
        [
            ("user", "Is the Japan rail pass worth it for the Kyoto trip?"),
            ("assistant", "The rail pass pays off for a Tokyo Kyoto Osaka trip in Japan."),
            ("user", "Also, how do I make fresh pasta dough at home?"),
            ("assistant", "Fresh pasta dough is flour and eggs, kneaded for ten minutes."),
        ]
    )

    result = spill(
        spilled, [trip], EMBED, T0 + WEEK, new_segment_id=ids_by_first_turn, params=PARAMS
    )

    assert result.assignments == {"m1": "trip", "m2": "trip", "m3": "seg-m3", "m4": "seg-m3"}
    assert result.created == ("seg-m3",)
    extended = next(s for s in result.segments if s.id == "trip")
    assert extended.message_ids[-2:] == ("m1", "m2")
    assert extended.last_access_at == T0 + WEEK
    assert extended.visits == pytest.approx(0.5)  # one visit, a half-life ago
    assert np.isclose(np.linalg.norm(extended.centroid), 1.0)
    pasta = next(s for s in result.segments if s.id == "seg-m3")
    assert pasta.message_ids == ("m3", "m4") and pasta.visits == 0.0


def test_a_promoted_segment_takes_no_new_turns() -> None:
    trip = segment("trip", "Japan trip Kyoto rail pass")
    promoted = MidSegment(trip.id, trip.message_ids, trip.centroid, T0, promoted=True)
    spilled = conversation([("user", "Japan rail pass for the Kyoto trip")])

    result = spill(spilled, [promoted], EMBED, T0, new_segment_id=ids_by_first_turn, params=PARAMS)

    assert result.created == ("seg-m1",)


def test_hot_segments_are_promoted_hottest_first_with_a_reason() -> None:
    cold = segment("cold", "a", turns=2)
    warm = segment("warm", "b", turns=3, visits=4.0)
    hot = segment("hot", "c", turns=20, visits=6.0)
    done = MidSegment("done", hot.message_ids, hot.centroid, T0, visits=6.0, promoted=True)

    found = promotions([cold, warm, hot, done], T0, PARAMS)

    assert [p.segment_id for p in found] == ["hot", "warm"]
    assert found[0].reason.startswith("heat 10.04 >= 6.0: 6.0 visits, 20 turns, idle 0.0 h")
    assert promotions([hot], T0 + 4 * WEEK, PARAMS) == []  # it cooled down


def test_evictions_drop_the_coldest_beyond_capacity() -> None:
    fresh = segment("fresh", "a", turns=2)
    old_but_visited = record_visit(segment("visited", "b", visits=5.0), T0, PARAMS)
    stale = MidSegment("stale", ("x",), EMBED(["c"])[0], T0 - 3 * WEEK)

    assert evictions([fresh, old_but_visited, stale], capacity=2, now=T0, params=PARAMS) == [
        "stale"
    ]
    assert evictions([fresh, stale], capacity=5, now=T0, params=PARAMS) == []
