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
