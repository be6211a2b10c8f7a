from __future__ import annotations

import pytest

from services.thought_engine.llm.budget import TokenBudget
from services.thought_engine.llm.errors import BudgetExceeded


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def test_reservations_hold_tokens_until_settled_to_real_usage() -> None:
    budget = TokenBudget(1_000, clock=Clock())

    reservation = budget.reserve("t1", 600)
    assert budget.remaining("t1") == 400
    with pytest.raises(BudgetExceeded) as caught:
        budget.reserve("t1", 500)
    assert (caught.value.needed, caught.value.remaining, caught.value.limit) == (500, 400, 1_000)
    assert caught.value.code.name == "RESOURCE_EXHAUSTED"

    reservation.settle(250)
    assert budget.used("t1") == 250
    assert budget.remaining("t1") == 750
    with pytest.raises(RuntimeError):
        reservation.settle(1)


def test_tenants_have_separate_budgets_and_overrides() -> None:
    budget = TokenBudget(100, limits={"big": 10_000}, clock=Clock())

    budget.reserve("a", 100).settle(100)

    assert budget.remaining("a") == 0
    assert budget.remaining("b") == 100
    assert budget.remaining("big") == 10_000


def test_a_new_window_starts_afresh() -> None:
    clock = Clock()
    budget = TokenBudget(100, window_seconds=60, clock=clock)
    budget.reserve("a", 100).settle(100)
    assert budget.remaining("a") == 0

    clock.now += 60
    assert budget.remaining("a") == 100
    late = budget.reserve("a", 40)
    clock.now += 60
    late.settle(30)  # settled in the next window: charged there
    assert budget.used("a") == 30


def test_bad_limits_are_refused() -> None:
    with pytest.raises(ValueError):
        TokenBudget(-1)
    with pytest.raises(ValueError):
        TokenBudget(10, window_seconds=0)
