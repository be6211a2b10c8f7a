"""Dates in turns and queries (services/search/temporal.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from services.search.temporal import asks_about_now, day_number, event_days, query_days

# A Monday.
SAID = dt.datetime(2023, 5, 8, 13, 56, tzinfo=dt.UTC)


def day(year: int, month: int, date: int) -> int:
    return day_number(dt.date(year, month, date))


@pytest.mark.parametrize(
    ("text", "also"),
    [
        ("I went to a support group yesterday", [day(2023, 5, 7)]),
        ("Last night was fun", [day(2023, 5, 7)]),
        ("Last week I ran a charity race", [day(2023, 5, 1)]),
        ("My dad passed away two days ago", [day(2023, 5, 6)]),
        ("It happened a few weeks ago", [day(2023, 4, 17)]),
        ("Last Friday I finished my screenplay", [day(2023, 5, 5)]),
        ("last monday", [day(2023, 5, 1)]),  # a week back, not today
        ("I wrapped it up last month", [day(2023, 4, 30)]),
        ("The show is next month", [day(2023, 6, 1)]),
        ("Nothing relative here", []),
    ],
)
def test_relative_expressions_resolve_against_when_the_turn_was_said(
    text: str, also: list[int]
) -> None:
    assert event_days(text, SAID.timestamp()) == sorted({day(2023, 5, 8), *also})


@pytest.mark.parametrize(
    ("query", "days"),
    [
        (
            "What painting did Melanie show on October 13, 2023?",
            (day(2023, 10, 12), day(2023, 10, 14)),
        ),
        ("What did she do on 13 October, 2023?", (day(2023, 10, 12), day(2023, 10, 14))),
        (
            "What did Dave do in the first weekend of October 2023?",
            (day(2023, 10, 1), day(2023, 10, 31)),
        ),
        ("Which city was Calvin visiting in August, 2023?", (day(2023, 8, 1), day(2023, 8, 31))),
        ("What did Joanna achieve in 2022?", (day(2022, 1, 1), day(2022, 12, 31))),
        ("Where was Nate in February 2024?", (day(2024, 2, 1), day(2024, 2, 29))),
        ("When did Caroline go to the support group?", None),
        ("What happened on 31 February, 2023?", None),
        ("What happened in May 99999?", None),
    ],
)
def test_queries_name_a_day_a_month_or_a_year(query: str, days: tuple[int, int] | None) -> None:
    assert query_days(query) == days


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Where do I work now?", True),
        ("Which city do I live in at the moment?", True),
        ("What is my current job?", True),
        ("Where did I live before my latest move?", False),
        ("What did Melanie paint recently?", False),
        ("Where does Anna live?", False),
    ],
)
def test_questions_about_the_present(query: str, expected: bool) -> None:
    assert asks_about_now(query) is expected
