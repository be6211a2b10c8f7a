"""Field rules that more than one service applies to the same part of a request.

A MemoryFilter reaches memory-store (ListMemories, DeleteMemories), search (Search) and the
gateway itself (GetRelatedMemories filters the graph's hits in Python), so each of them
calls check_memory_filter here: the same filter is accepted or refused, with the same
field paths, whichever service sees it first. Timestamps and ids follow one rule too.

Every check adds what is wrong to a Violations collector under the field's path, as the
caller sent it, instead of raising, so that one request reports all of its problems.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from google.protobuf import timestamp_pb2
from google.protobuf.descriptor import EnumDescriptor
from memgrid.common.v1 import memory_pb2

from memgrid_runtime.errors import FieldViolation, InvalidArgument

# Ids (tenant, user, agent, session, cube, memory, job) travel in logs, metrics labels and
# payloads, so they are restricted to characters that need no escaping anywhere.
SAFE_ID = re.compile(r"[A-Za-z0-9._:@-]{1,128}")
ID_RULE = "1-128 characters of A-Z a-z 0-9 . _ : @ -"

# What a google.protobuf.Timestamp may hold (its own documented range), which every store
# can represent: microseconds since the epoch at year 9999 still fit in 64 bits.
MIN_TIMESTAMP_SECONDS = -62_135_596_800  # 0001-01-01T00:00:00Z
MAX_TIMESTAMP_SECONDS = 253_402_300_799  # 9999-12-31T23:59:59Z
TIMESTAMP_RULE = "not a valid timestamp (0001-01-01 to 9999-12-31, nanos 0-999999999)"


class FieldLimits(Protocol):
    """The bounds the shared rules need; memory-store's RequestLimits has them all."""

    @property
    def max_filter_values(self) -> int: ...
    @property
    def max_tags(self) -> int: ...
    @property
    def max_tag_chars(self) -> int: ...
    @property
    def max_metadata_entries(self) -> int: ...
    @property
    def max_metadata_key_chars(self) -> int: ...
    @property
    def max_metadata_value_chars(self) -> int: ...


@dataclass(frozen=True)
class DefaultFieldLimits:
    """memory-store's defaults, for the services that check a filter before it gets there."""

    max_filter_values: int = 100
    max_tags: int = 32
    max_tag_chars: int = 128
    max_metadata_entries: int = 64
    max_metadata_key_chars: int = 128
    max_metadata_value_chars: int = 2048


DEFAULT_FIELD_LIMITS = DefaultFieldLimits()


class Violations:
    """The bad fields found so far in one request."""

    def __init__(self) -> None:
        self._found: list[FieldViolation] = []

    def add(self, field: str, description: str) -> None:
        self._found.append(FieldViolation(field, description))

    def __bool__(self) -> bool:
        return bool(self._found)

    def raise_if_any(self) -> None:
        if self._found:
            raise InvalidArgument(self._found)


def check_id(v: Violations, path: str, value: str) -> None:
    if not value:
        v.add(path, "required")
    elif not SAFE_ID.fullmatch(value):
        v.add(path, f"must be {ID_RULE}")


def check_ids(v: Violations, path: str, values: Sequence[str]) -> None:
    for index, value in enumerate(values):
        check_id(v, f"{path}[{index}]", value)


def timestamp_in_range(timestamp: timestamp_pb2.Timestamp) -> bool:
    return (
        MIN_TIMESTAMP_SECONDS <= timestamp.seconds <= MAX_TIMESTAMP_SECONDS
        and 0 <= timestamp.nanos < 1_000_000_000
    )


def check_timestamp(v: Violations, path: str, timestamp: timestamp_pb2.Timestamp) -> None:
    if not timestamp_in_range(timestamp):
        v.add(path, TIMESTAMP_RULE)


def check_enum(v: Violations, path: str, value: int, enum: EnumDescriptor) -> None:
    # proto3 enums are open: an unknown number parses fine and must be caught here.
    if value not in enum.values_by_number:
        v.add(path, f"unknown {enum.name} value {value}")


def check_named_enum(v: Violations, path: str, value: int, enum: EnumDescriptor) -> None:
    """An enum value used as a filter: UNSPECIFIED would match nothing, so it is refused."""
    if value == 0:
        v.add(path, f"{enum.values_by_number[0].name} matches nothing; name a {enum.name}")
    else:
        check_enum(v, path, value, enum)


def check_metadata(
    v: Violations, path: str, metadata: Mapping[str, str], limits: FieldLimits
) -> None:
    if len(metadata) > limits.max_metadata_entries:
        v.add(path, f"at most {limits.max_metadata_entries} entries, got {len(metadata)}")
        return
    for key, value in sorted(metadata.items()):
        entry = f"{path}[{key[:40]!r}]"
        if not key or len(key) > limits.max_metadata_key_chars or "\x00" in key:
            v.add(entry, f"keys must have 1-{limits.max_metadata_key_chars} characters, no NUL")
        if len(value) > limits.max_metadata_value_chars or "\x00" in value:
            v.add(
                entry,
                f"values must have at most {limits.max_metadata_value_chars} characters, no NUL",
            )


def check_tags(v: Violations, path: str, tags: Sequence[str], limits: FieldLimits) -> None:
    if len(tags) > limits.max_tags:
        v.add(path, f"at most {limits.max_tags} tags, got {len(tags)}")
        return
    seen: set[str] = set()
    for index, tag in enumerate(tags):
        if not tag.strip() or len(tag) > limits.max_tag_chars or "\x00" in tag:
            v.add(f"{path}[{index}]", f"tags must have 1-{limits.max_tag_chars} characters, no NUL")
        elif tag in seen:
            v.add(f"{path}[{index}]", f"tag {tag!r} is repeated")
        seen.add(tag)


def check_memory_filter(
    v: Violations, path: str, memory_filter: memory_pb2.MemoryFilter, limits: FieldLimits
) -> None:
    """Everything a MemoryFilter may hold, checked the same way by every service."""
    for field in ("user_id", "agent_id", "session_id"):
        value = getattr(memory_filter, field)
        if value:
            check_id(v, f"{path}.{field}", value)
    for field, values in (
        ("cube_ids", memory_filter.cube_ids),
        ("kinds", memory_filter.kinds),
        ("tiers", memory_filter.tiers),
        ("tags", memory_filter.tags),
    ):
        if len(values) > limits.max_filter_values:
            v.add(f"{path}.{field}", f"at most {limits.max_filter_values} values")
    check_ids(v, f"{path}.cube_ids", memory_filter.cube_ids[: limits.max_filter_values])
    for index, kind in enumerate(memory_filter.kinds[: limits.max_filter_values]):
        check_named_enum(v, f"{path}.kinds[{index}]", kind, memory_pb2.MemoryKind.DESCRIPTOR)
    for index, tier in enumerate(memory_filter.tiers[: limits.max_filter_values]):
        check_named_enum(v, f"{path}.tiers[{index}]", tier, memory_pb2.MemoryTier.DESCRIPTOR)
    check_tags(v, f"{path}.tags", memory_filter.tags, limits)
    check_metadata(v, f"{path}.metadata", memory_filter.metadata, limits)
    after, before = memory_filter.created_after, memory_filter.created_before
    has_after, has_before = (
        memory_filter.HasField("created_after"),
        memory_filter.HasField("created_before"),
    )
    if has_after:
        check_timestamp(v, f"{path}.created_after", after)
    if has_before:
        check_timestamp(v, f"{path}.created_before", before)
    if (
        has_after
        and has_before
        and timestamp_in_range(after)
        and timestamp_in_range(before)
        and (after.seconds, after.nanos) >= (before.seconds, before.nanos)
    ):
        v.add(f"{path}.created_before", "must be later than created_after")
