from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from services.thought_engine.conversation import Role, Turn
from services.thought_engine.extraction import extract
from services.thought_engine.patterns import (
    PatternCandidate,
    PatternKind,
    PatternParams,
    detect_patterns,
)
from tests.thought_engine.conversations import conversation


def session(session_id: str, start: datetime, *user_lines: str) -> list[Turn]:
    lines: list[tuple[Role, str]] = [("user", line) for line in user_lines]
    lines.append(("assistant", "Noted, sounds good."))
    return conversation(lines, session_id=session_id, start=start, id_prefix=f"{session_id}-")


WEEK = [
    session(
        "s1",
        datetime(2025, 3, 3, 7, 30, tzinfo=UTC),  # Monday morning
        "I went running by the river. Running clears my head.",
        "My sister Anna says Google is hiring.",
    ),
    session(
        "s2",
        datetime(2025, 3, 5, 7, 10, tzinfo=UTC),  # Wednesday morning
        "Ten kilometres of running along the canal today.",
        "Anna got promoted at Google, by the way.",
    ),
    session(
        "s3",
        datetime(2025, 3, 7, 6, 50, tzinfo=UTC),  # Friday morning
        "My running shoes are worn out.",
        "Anna wants to leave Google.",
    ),
    session(
        "s4",
        datetime(2025, 3, 8, 20, 0, tzinfo=UTC),  # Saturday evening
        "Let's plan dinner: pasta with pesto.",
    ),
    session(
        "s5",
        datetime(2025, 3, 10, 7, 20, tzinfo=UTC),  # Monday morning
        "Running in the rain was fun.",
    ),
]
TURNS = [turn for s in WEEK for turn in s]


def patterns(params: PatternParams | None = None) -> dict[str, PatternCandidate]:
    entities = extract(TURNS).entities
    return {p.key: p for p in detect_patterns(TURNS, entities, params)}


def test_the_patterns_of_a_runner_with_a_sister_at_google() -> None:
    found = patterns()

    assert list(found) == [
        "topic:run",
        "entities:anna|google",
        "time_of_day_habit:activity:morning",
        "time_of_day_habit:topic:run:morning",
    ]
    running = found["topic:run"]
    assert running.kind is PatternKind.RECURRING_TOPIC
    assert running.description == "Recurring topic: running (4 of 5 sessions)"
    assert (running.support, running.confidence) == (4, 0.8)
    assert running.evidence_message_ids == ("s1-1", "s2-1", "s3-1", "s5-1")
    pair = found["entities:anna|google"]
    assert pair.description == "Anna and Google come up together (3 sessions)"
    assert pair.evidence_message_ids == ("s1-2", "s2-2", "s3-2")
    assert found["time_of_day_habit:activity:morning"].description == (
        "User is usually active in the morning (4 of 5 sessions)"
    )
    assert found["time_of_day_habit:topic:run:morning"].description == (
        "User talks about running in the morning (4 of 4 sessions)"
    )


def test_habits_are_read_in_the_users_time_zone() -> None:
    los_angeles_winter = timezone(timedelta(hours=-8))

    found = patterns(PatternParams(timezone=los_angeles_winter))

    # 07:00 in UTC is 23:00 the evening before in Los Angeles.
    assert "time_of_day_habit:activity:night" in found
    assert "time_of_day_habit:activity:morning" not in found


def test_weekday_habit() -> None:
    mondays = [
        session(
            f"w{week}",
            datetime(2025, 3, 3, 18, 0, tzinfo=UTC) + timedelta(weeks=week),
            "Weekly grocery list: eggs, milk, spinach.",
        )
        for week in range(4)
    ] + [session("w9", datetime(2025, 3, 6, 9, 0, tzinfo=UTC), "Quick question about taxes.")]
    turns = [turn for s in mondays for turn in s]

    found = {p.key: p for p in detect_patterns(turns)}

    monday = found["weekday_habit:activity:monday"]
    assert monday.description == "User is usually active on Mondays (4 of 5 sessions)"
    assert monday.evidence_message_ids == ("w0-1", "w1-1", "w2-1", "w3-1")
    assert found["weekday_habit:topic:grocery:monday"].support == 4


def test_thresholds_decide_what_is_a_pattern() -> None:
    assert patterns(PatternParams(min_sessions=5)) == {}
    strict_share = patterns(PatternParams(habit_share=0.9))
    assert "time_of_day_habit:activity:morning" not in strict_share
    assert "time_of_day_habit:topic:run:morning" in strict_share


def test_no_turns_no_patterns() -> None:
    assert detect_patterns([]) == []
