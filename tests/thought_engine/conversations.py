"""Builds crafted conversations for the cognition tests."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from services.thought_engine.conversation import Role, Turn

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)  # a Monday morning


def conversation(
    lines: Sequence[tuple[Role, str]],
    *,
    session_id: str = "s1",
    start: datetime = T0,
    gap: timedelta = timedelta(minutes=1),
    id_prefix: str = "m",
) -> list[Turn]:
    """Turns `{id_prefix}1`, `{id_prefix}2`... the first at `start`, then one `gap` apart."""
    return [
        Turn(f"{id_prefix}{i}", role, content, start + (i - 1) * gap, session_id)
        for i, (role, content) in enumerate(lines, start=1)
    ]


def user_says(
    *contents: str, start: datetime = T0, gap: timedelta = timedelta(days=1)
) -> list[Turn]:
    """One user turn per content, `gap` apart: m1, m2..."""
    return conversation([("user", c) for c in contents], start=start, gap=gap)


COOKING: list[tuple[Role, str]] = [
    ("user", "I want to cook fresh pasta tonight for my family."),
    ("assistant", "Fresh pasta needs flour, eggs and a little olive oil."),
    ("user", "How long should I knead the pasta dough?"),
    ("assistant", "Knead the dough for about ten minutes until it is smooth."),
    ("user", "Should the pasta dough rest before rolling it?"),
    ("assistant", "Let the dough rest thirty minutes, then roll the pasta thin."),
    ("user", "What sauce goes with fresh pasta, a tomato sauce?"),
    ("assistant", "A simple tomato sauce with basil suits fresh pasta well."),
    ("user", "Great, I will cook the pasta with tomato sauce."),
    ("assistant", "Enjoy cooking your pasta dinner!"),
]
HIKING: list[tuple[Role, str]] = [
    ("user", "Next weekend I am hiking in the Alps near Chamonix."),
    ("assistant", "Hiking in the Alps needs good boots and layers."),
    ("user", "Which hiking trail near Chamonix has glacier views?"),
    ("assistant", "The Grand Balcon Nord trail has glacier views of the Alps."),
    ("user", "How long is that hiking trail in hours?"),
    ("assistant", "The trail takes about three hours of hiking."),
    ("user", "Do I need crampons for the glacier hiking trail?"),
    ("assistant", "No crampons are needed on that hiking trail in summer."),
    ("user", "I will pack my boots for the Alps hiking trip."),
    ("assistant", "Have a wonderful hiking trip in the Alps!"),
]


def taxes(turns: int) -> list[tuple[Role, str]]:
    """Filler on a third topic, alternating user and assistant."""
    roles: tuple[Role, Role] = ("user", "assistant")
    return [
        (roles[i % 2], f"Question {i} about my tax return forms and deductions.")
        for i in range(turns)
    ]
