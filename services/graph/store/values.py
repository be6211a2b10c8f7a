"""How instants are stored: integer microseconds since the Unix epoch.

Both backends compare integers natively and identically; FalkorDB has no datetime() to
agree with Neo4j's temporal types.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

# Stored valid_from of a relation valid since always. It is part of the relation's
# identity, and Neo4j cannot MERGE on a null property.
ALWAYS = 0

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def to_micros(instant: datetime) -> int:
    if instant.tzinfo is None:
        raise ValueError("instants must be timezone-aware")
    delta = instant - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def valid_from_micros(instant: datetime | None) -> int:
    return ALWAYS if instant is None else to_micros(instant)


def optional_micros(instant: datetime | None) -> int | None:
    return None if instant is None else to_micros(instant)


def from_micros(value: int | None) -> datetime | None:
    if value is None:
        return None
    return _EPOCH + timedelta(microseconds=value)


def valid_from_instant(value: int) -> datetime | None:
    return None if value == ALWAYS else from_micros(value)
