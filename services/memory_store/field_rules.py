"""Rules for single fields and message parts, which request validation combines.

Every check adds what is wrong to a Violations collector under the field's path instead of
raising, so that one request reports all of its problems at once.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence

from google.protobuf import duration_pb2, timestamp_pb2
from google.protobuf.descriptor import EnumDescriptor
from memgrid.common.v1 import memory_pb2
from memgrid_runtime.errors import FieldViolation, InvalidArgument

from .limits import RequestLimits

# Ids (tenant, user, agent, session, cube, memory, job) travel in logs, metrics labels and
# payloads, so they are restricted to characters that need no escaping anywhere.
SAFE_ID = re.compile(r"[A-Za-z0-9._:@-]{1,128}")
QUEUE_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
# Printable ASCII without spaces: keys chosen by clients (idempotency, dedup, worker ids).
CLIENT_KEY = re.compile(r"[!-~]+")

_MIN_TIMESTAMP_SECONDS = -62_135_596_800  # 0001-01-01T00:00:00Z
_MAX_TIMESTAMP_SECONDS = 253_402_300_799  # 9999-12-31T23:59:59Z
_MAX_DURATION_SECONDS = 315_576_000_000
_ID_RULE = "1-128 characters of A-Z a-z 0-9 . _ : @ -"


class Violations:
    """The bad fields found so far in one request."""

    def __init__(self) -> None:
        self._found: list[FieldViolation] = []

    def add(self, field: str, description: str) -> None:
        self._found.append(FieldViolation(field, description))

    def raise_if_any(self) -> None:
        if self._found:
            raise InvalidArgument(self._found)


def check_new_memory(
    v: Violations, path: str, item: memory_pb2.NewMemory, limits: RequestLimits
) -> None:
    check_scope(v, f"{path}.scope", item.scope, session_required=False)
    check_enum(v, f"{path}.kind", item.kind, memory_pb2.MemoryKind.DESCRIPTOR)
    check_enum(v, f"{path}.tier", item.tier, memory_pb2.MemoryTier.DESCRIPTOR)
    check_content(v, f"{path}.content", item.content, limits)
    check_metadata(v, f"{path}.metadata", item.metadata, limits)
    check_tags(v, f"{path}.tags", item.tags, limits)
    if item.HasField("importance"):
        check_unit_interval(v, f"{path}.importance", item.importance)
    if item.HasField("ttl"):
        check_positive_duration(v, f"{path}.ttl", item.ttl)
    if len(item.source_message_ids) > limits.max_source_message_ids:
        v.add(f"{path}.source_message_ids", f"at most {limits.max_source_message_ids} ids")
    else:
        check_ids(v, f"{path}.source_message_ids", item.source_message_ids)
    if item.HasField("valid_from"):
        check_timestamp(v, f"{path}.valid_from", item.valid_from)


def check_memory_update(
    v: Violations, update: memory_pb2.MemoryUpdate, paths: set[str], limits: RequestLimits
) -> None:
    if "content" in paths:
        check_content(v, "update.content", update.content, limits)
    if "metadata" in paths:
        check_metadata(v, "update.metadata", update.metadata, limits)
    if "tags" in paths:
        check_tags(v, "update.tags", update.tags, limits)
    if "importance" in paths:
        check_unit_interval(v, "update.importance", update.importance)
    if "tier" in paths:
        if update.tier == memory_pb2.MEMORY_TIER_UNSPECIFIED:
            v.add("update.tier", "name a tier: MEMORY_TIER_SHORT, _MID or _LONG")
        else:
            check_enum(v, "update.tier", update.tier, memory_pb2.MemoryTier.DESCRIPTOR)
    for field in ("expires_at", "valid_to"):
        if field in paths and update.HasField(field):
            check_timestamp(v, f"update.{field}", getattr(update, field))
    if "superseded_by" in paths and update.superseded_by:
        check_id(v, "update.superseded_by", update.superseded_by)
    if "heat" in paths and not (math.isfinite(update.heat) and update.heat >= 0):
        v.add("update.heat", "must be a finite number >= 0")
    if "source_message_ids" in paths:
        if len(update.source_message_ids) > limits.max_source_message_ids:
            v.add("update.source_message_ids", f"at most {limits.max_source_message_ids} ids")
        else:
            check_ids(v, "update.source_message_ids", update.source_message_ids)


def check_memory_filter(
    v: Violations, path: str, memory_filter: memory_pb2.MemoryFilter, limits: RequestLimits
) -> None:
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
    check_ids(v, f"{path}.cube_ids", memory_filter.cube_ids)
    for index, kind in enumerate(memory_filter.kinds):
        check_named_enum(v, f"{path}.kinds[{index}]", kind, memory_pb2.MemoryKind.DESCRIPTOR)
    for index, tier in enumerate(memory_filter.tiers):
        check_named_enum(v, f"{path}.tiers[{index}]", tier, memory_pb2.MemoryTier.DESCRIPTOR)
    check_tags(v, f"{path}.tags", memory_filter.tags, limits)
    check_metadata(v, f"{path}.metadata", memory_filter.metadata, limits)
    after, before = memory_filter.created_after, memory_filter.created_before
    if memory_filter.HasField("created_after"):
        check_timestamp(v, f"{path}.created_after", after)
    if memory_filter.HasField("created_before"):
        check_timestamp(v, f"{path}.created_before", before)
    if (
        memory_filter.HasField("created_after")
        and memory_filter.HasField("created_before")
        and (after.seconds, after.nanos) >= (before.seconds, before.nanos)
    ):
        v.add(f"{path}.created_before", "must be later than created_after")


def check_scope(
    v: Violations, path: str, scope: memory_pb2.Scope, *, session_required: bool
) -> None:
    check_id(v, f"{path}.user_id", scope.user_id)
    if session_required or scope.session_id:
        check_id(v, f"{path}.session_id", scope.session_id)
    for field in ("agent_id", "cube_id"):
        value = getattr(scope, field)
        if value:
            check_id(v, f"{path}.{field}", value)


def check_tenant(v: Violations, tenant_id: str) -> None:
    check_id(v, "tenant_id", tenant_id)


def check_id(v: Violations, path: str, value: str) -> None:
    if not value:
        v.add(path, "required")
    elif not SAFE_ID.fullmatch(value):
        v.add(path, f"must be {_ID_RULE}")


def check_ids(v: Violations, path: str, values: Sequence[str]) -> None:
    for index, value in enumerate(values):
        check_id(v, f"{path}[{index}]", value)


def check_batch(v: Violations, path: str, count: int, limits: RequestLimits) -> bool:
    """Checks the item count; False when the items are too many to be worth checking."""
    if count == 0:
        v.add(path, "at least one item")
    elif count > limits.max_batch:
        v.add(path, f"at most {limits.max_batch} items (MEMGRID_MAX_BATCH), got {count}")
        return False
    return True


def check_content(v: Violations, path: str, content: str, limits: RequestLimits) -> None:
    size = len(content.encode("utf-8"))
    if not content.strip():
        v.add(path, "required, and not only whitespace")
    elif size > limits.max_content_bytes:
        v.add(
            path,
            f"at most {limits.max_content_bytes} bytes of UTF-8 (MEMGRID_MAX_CONTENT_BYTES),"
            f" got {size}",
        )
    elif "\x00" in content:
        v.add(path, "must not contain NUL characters")


def check_metadata(
    v: Violations, path: str, metadata: Mapping[str, str], limits: RequestLimits
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


def check_tags(v: Violations, path: str, tags: Sequence[str], limits: RequestLimits) -> None:
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


def check_text(v: Violations, path: str, value: str, max_chars: int) -> None:
    if len(value) > max_chars:
        v.add(path, f"at most {max_chars} characters, got {len(value)}")
    elif "\x00" in value:
        v.add(path, "must not contain NUL characters")


def check_client_key(
    v: Violations, path: str, value: str, max_chars: int, *, required: bool = False
) -> None:
    if not value:
        if required:
            v.add(path, "required")
        return
    if len(value) > max_chars or not CLIENT_KEY.fullmatch(value):
        v.add(path, f"must be 1-{max_chars} printable ASCII characters without spaces")


def check_idempotency_key(v: Violations, key: str, limits: RequestLimits) -> None:
    check_client_key(v, "idempotency_key", key, limits.max_idempotency_key_chars)


def check_queue(v: Violations, path: str, queue: str) -> None:
    if not queue:
        v.add(path, "required")
    elif not QUEUE_NAME.fullmatch(queue):
        v.add(path, "must be 1-64 characters of a-z 0-9 . _ -, starting with a letter or digit")


def check_payload_json(v: Violations, path: str, payload: str, limits: RequestLimits) -> None:
    if not payload:
        return
    if len(payload.encode("utf-8")) > limits.max_payload_bytes:
        v.add(path, f"at most {limits.max_payload_bytes} bytes")
        return
    try:
        json.loads(payload)
    except ValueError as error:
        v.add(path, f"not valid JSON: {error}")


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


def check_unit_interval(v: Violations, path: str, value: float) -> None:
    if not (math.isfinite(value) and 0.0 <= value <= 1.0):
        v.add(path, f"must be between 0 and 1, got {value}")


def check_range(v: Violations, path: str, value: int, low: int, high: int) -> None:
    if not low <= value <= high:
        v.add(path, f"must be between {low} and {high}, got {value}")


def check_page_size(v: Violations, path: str, value: int, maximum: int) -> None:
    if not 0 <= value <= maximum:
        v.add(path, f"must be between 1 and {maximum} (0 for the default), got {value}")


def check_timestamp(v: Violations, path: str, timestamp: timestamp_pb2.Timestamp) -> None:
    if not (
        _MIN_TIMESTAMP_SECONDS <= timestamp.seconds <= _MAX_TIMESTAMP_SECONDS
        and 0 <= timestamp.nanos < 1_000_000_000
    ):
        v.add(path, "not a valid timestamp (years 1-9999, nanos 0-999999999)")


def check_positive_duration(v: Violations, path: str, duration: duration_pb2.Duration) -> None:
    seconds, nanos = duration.seconds, duration.nanos
    valid = (
        abs(seconds) <= _MAX_DURATION_SECONDS
        and abs(nanos) < 1_000_000_000
        and (seconds == 0 or nanos == 0 or (seconds > 0) == (nanos > 0))
    )
    if not valid:
        v.add(path, "not a valid duration")
    elif seconds < 0 or nanos < 0 or (seconds == 0 and nanos < 1_000):
        v.add(path, "must be positive (at least one microsecond); leave unset for no expiry")
