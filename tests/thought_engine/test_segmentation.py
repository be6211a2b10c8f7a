from __future__ import annotations

import numpy as np

from services.thought_engine.embedding import HashedBagOfWords
from services.thought_engine.segmentation import SegmentationParams, segment_turns
from tests.thought_engine.conversations import conversation

EMBED = HashedBagOfWords()

TRIP_PASTA_TRIP = conversation(
    [
        ("user", "I'm planning a trip to Japan in April."),
        ("assistant", "April is cherry blossom season in Japan; Kyoto and Tokyo are busy then."),
        ("user", "Should I book the Kyoto hotels for the trip early?"),
        ("assistant", "Yes, book Kyoto hotels months ahead for the blossom season."),
        ("user", "Ok thanks!"),
        ("user", "Different question: how long should I cook fresh pasta?"),
        ("assistant", "Fresh pasta needs two to three minutes in boiling salted water."),
        ("user", "And what sauce goes with fresh pasta?"),
        ("assistant", "A simple butter and sage sauce suits fresh pasta."),
        ("user", "Back to the trip: is a rail pass worth it for Japan?"),
        ("assistant", "A Japan rail pass pays off if the trip covers Tokyo, Kyoto and Osaka."),
    ]
)


def test_topic_changes_start_new_segments() -> None:
    segments = segment_turns(TRIP_PASTA_TRIP, EMBED)

    assert [s.message_ids for s in segments] == [
        ("m1", "m2", "m3", "m4", "m5"),
        ("m6", "m7", "m8", "m9"),
        ("m10", "m11"),
    ]


def test_a_short_acknowledgement_stays_with_its_topic() -> None:
    segments = segment_turns(TRIP_PASTA_TRIP, EMBED)

    assert "m5" in segments[0].message_ids  # "Ok thanks!" closes the trip topic


def test_centroid_is_unit_length_and_closest_to_its_own_turns() -> None:
    segments = segment_turns(TRIP_PASTA_TRIP, EMBED)
    trip, pasta = segments[0], segments[1]

    assert np.isclose(np.linalg.norm(trip.centroid), 1.0)
    pasta_turn = EMBED(["what sauce goes with fresh pasta"])[0]
    assert float(pasta.centroid @ pasta_turn) > float(trip.centroid @ pasta_turn)


def test_max_turns_bounds_a_segment() -> None:
    segments = segment_turns(TRIP_PASTA_TRIP, EMBED, SegmentationParams(max_turns=3))

    assert [s.message_ids for s in segments][:2] == [("m1", "m2", "m3"), ("m4", "m5")]
    assert all(len(s.turns) <= 3 for s in segments)


def test_the_threshold_decides_how_much_is_one_topic() -> None:
    never = segment_turns(TRIP_PASTA_TRIP, EMBED, SegmentationParams(min_similarity=-1.0))
    strict = segment_turns(TRIP_PASTA_TRIP, EMBED, SegmentationParams(min_similarity=0.5))

    assert len(never) == 1
    assert len(strict) > 3


def test_empty_session_has_no_segments() -> None:
    assert segment_turns([], EMBED) == []


def test_only_short_turns_make_one_segment() -> None:
    turns = conversation([("user", "hi"), ("assistant", "Hello!"), ("user", "ok")])

    segments = segment_turns(turns, EMBED)

    assert [s.message_ids for s in segments] == [("m1", "m2", "m3")]
