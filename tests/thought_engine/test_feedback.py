from __future__ import annotations

import pytest

from services.thought_engine.feedback import FeedbackParams, apply_feedback

PARAMS = FeedbackParams(rate=0.3, max_step=0.15, floor=0.05, ceiling=0.95)


def test_useful_raises_and_not_useful_lowers_importance_with_an_explanation() -> None:
    up = apply_feedback("mem1", 0.5, 0, useful=True, params=PARAMS)
    down = apply_feedback("mem1", 0.5, 0, useful=False, params=PARAMS)

    assert up.after == pytest.approx(0.5 + 0.3 * 0.45)
    assert down.after == pytest.approx(0.5 - 0.3 * 0.45)
    assert up.feedback_count == 1
    assert up.explanation == (
        "marked useful: importance 0.50 -> 0.64 (rate 0.300 after 0 earlier feedback, "
        "towards 0.95, step capped at 0.15)"
    )


def test_later_feedback_moves_importance_less() -> None:
    first = apply_feedback("m", 0.5, 0, useful=True, params=PARAMS)
    tenth = apply_feedback("m", 0.5, 9, useful=True, params=PARAMS)

    assert first.after - 0.5 > 3 * (tenth.after - 0.5)


def test_steps_are_capped() -> None:
    change = apply_feedback("m", 0.05, 0, useful=True, params=FeedbackParams(rate=1.0))

    assert change.after == pytest.approx(0.05 + 0.15)


def test_spam_cannot_bury_or_pin_a_memory() -> None:
    importance, count = 0.9, 0
    for _ in range(200):
        change = apply_feedback("m", importance, count, useful=False, params=PARAMS)
        importance, count = change.after, change.feedback_count
    assert 0.05 <= importance < 0.06
    assert "already at its bound" in apply_feedback("m", 0.05, count, False, PARAMS).explanation

    for _ in range(200):
        importance = apply_feedback("m", importance, 0, useful=True, params=PARAMS).after
    assert 0.94 < importance <= 0.95


def test_feedback_never_moves_against_its_verdict() -> None:
    assert apply_feedback("m", 0.99, 0, useful=True, params=PARAMS).after == 0.99
    assert apply_feedback("m", 0.01, 0, useful=False, params=PARAMS).after == 0.01


def test_bad_parameters_are_refused() -> None:
    with pytest.raises(ValueError):
        FeedbackParams(floor=0.9, ceiling=0.1)
    with pytest.raises(ValueError):
        FeedbackParams(rate=0.0)
    with pytest.raises(ValueError):
        apply_feedback("m", 0.5, -1, useful=True)
