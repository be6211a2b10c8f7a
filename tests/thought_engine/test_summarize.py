from __future__ import annotations

import pytest

from services.thought_engine.embedding import HashedBagOfWords
from services.thought_engine.summarize import SummaryParams, summarize_episode
from tests.thought_engine.conversations import T0, conversation

EMBED = HashedBagOfWords()

JAPAN = conversation(
    [
        ("user", "Hi!"),
        (
            "user",
            "I'm planning a trip to Japan in April with my sister. "
            "We want to see the cherry blossoms.",
        ),
        (
            "assistant",
            "Great idea. Cherry blossoms in Japan peak in early April. "
            "Kyoto is the classic place for cherry blossoms.",
        ),
        ("user", "We will stay in Kyoto for five nights. Is Kyoto crowded in April?"),
        ("assistant", "Kyoto is very crowded in April, so book hotels early. The weather is mild."),
        ("user", "Ok, thanks."),
    ]
)


def test_picks_the_central_sentences_in_conversation_order() -> None:
    summary = summarize_episode(JAPAN, EMBED)

    assert summary.text == (
        "User: I'm planning a trip to Japan in April with my sister. "
        "Assistant: Cherry blossoms in Japan peak in early April. "
        "Kyoto is the classic place for cherry blossoms."
    )
    assert [s.message_id for s in summary.key_sentences] == ["m2", "m3", "m3"]


def test_filler_is_never_chosen() -> None:
    summary = summarize_episode(JAPAN, EMBED, SummaryParams(max_sentences=10))

    chosen = {s.text for s in summary.key_sentences}
    assert not chosen & {"Hi!", "Ok, thanks.", "Great idea."}


def test_keywords_and_provenance_cover_the_whole_episode() -> None:
    summary = summarize_episode(JAPAN, EMBED)

    assert summary.keywords[:5] == ("april", "kyoto", "cherry", "blossoms", "japan")
    assert summary.source_message_ids == ("m1", "m2", "m3", "m4", "m5", "m6")
    assert summary.started_at == JAPAN[0].occurred_at
    assert summary.ended_at == JAPAN[-1].occurred_at


def test_character_budget_limits_the_summary_but_keeps_one_sentence() -> None:
    tight = summarize_episode(JAPAN, EMBED, SummaryParams(max_chars=60))
    tiny = summarize_episode(JAPAN, EMBED, SummaryParams(max_chars=5))

    assert sum(len(s.text) for s in tight.key_sentences) <= 60
    assert len(tiny.key_sentences) == 1


def test_near_repeats_are_not_both_chosen() -> None:
    turns = conversation(
        [
            ("user", "My flight to Lisbon leaves on Friday morning."),
            ("user", "My flight to Lisbon leaves Friday morning."),
            ("user", "I still need travel insurance for Lisbon."),
        ]
    )

    summary = summarize_episode(turns, EMBED, SummaryParams(max_sentences=2))

    assert [s.message_id for s in summary.key_sentences] == ["m1", "m3"]


def test_an_empty_episode_is_refused() -> None:
    with pytest.raises(ValueError):
        summarize_episode([], EMBED)


def test_single_turn_episode() -> None:
    turns = conversation([("user", "Remind me to call the dentist.")], start=T0)

    summary = summarize_episode(turns, EMBED)

    assert summary.text == "User: Remind me to call the dentist."
