"""Rules for single fields and message parts, which request validation combines.

The rules other services apply too (ids, timestamps, MemoryFilter) live in
memgrid_runtime.field_rules. Every check adds what is wrong to a Violations collector under
the field's path instead of raising, so that one request reports all of its problems at once.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from google.protobuf import duration_pb2
from google.protobuf.message import Message
from memgrid.common.v1 import memory_pb2
from memgrid.memory.v1 import job_pb2
from memgrid_runtime.field_rules import (
    Violations,
    check_enum,
    check_id,
    check_ids,
    check_metadata,
    check_tags,
    check_timestamp,
)

from .limits import RequestLimits

QUEUE_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
# Printable ASCII without spaces: keys chosen by clients (idempotency, dedup, worker ids).
CLIENT_KEY = re.compile(r"[!-~]+")

_MAX_DURATION_SECONDS = 315_576_000_000
# A memory kept longer than a century might as well be kept forever (leave ttl unset); the
# bound keeps creation time + ttl a valid timestamp (before year 10000) for millennia.
MAX_TTL_SECONDS = 100 * 365 * 24 * 3600


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
        check_ttl(v, f"{path}.ttl", item.ttl)
    if len(item.source_message_ids) > limits.max_source_message_ids:
        v.add(f"{path}.source_message_ids", f"at most {limits.max_source_message_ids} ids")
    else:
        check_ids(v, f"{path}.source_message_ids", item.source_message_ids)
    if item.HasField("valid_from"):
        check_timestamp(v, f"{path}.valid_from", item.valid_from)


def check_memory_update(
    v: Violations,
    path: str,
    update: memory_pb2.MemoryUpdate,
    paths: set[str],
    limits: RequestLimits,
) -> None:
    if "content" in paths:
        check_content(v, f"{path}.content", update.content, limits)
    if "metadata" in paths:
        check_metadata(v, f"{path}.metadata", update.metadata, limits)
    if "tags" in paths:
        check_tags(v, f"{path}.tags", update.tags, limits)
    if "importance" in paths:
        check_unit_interval(v, f"{path}.importance", update.importance)
    if "tier" in paths:
        if update.tier == memory_pb2.MEMORY_TIER_UNSPECIFIED:
            v.add(f"{path}.tier", "name a tier: MEMORY_TIER_SHORT, _MID or _LONG")
        else:
            check_enum(v, f"{path}.tier", update.tier, memory_pb2.MemoryTier.DESCRIPTOR)
    for field in ("expires_at", "valid_to"):
        if field in paths and update.HasField(field):
            check_timestamp(v, f"{path}.{field}", getattr(update, field))
    if "superseded_by" in paths and update.superseded_by:
        check_id(v, f"{path}.superseded_by", update.superseded_by)
    if "heat" in paths and not (math.isfinite(update.heat) and update.heat >= 0):
        v.add(f"{path}.heat", "must be a finite number >= 0")
    if "source_message_ids" in paths:
        if len(update.source_message_ids) > limits.max_source_message_ids:
            v.add(f"{path}.source_message_ids", f"at most {limits.max_source_message_ids} ids")
        else:
            check_ids(v, f"{path}.source_message_ids", update.source_message_ids)


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


def check_batch(v: Violations, path: str, count: int, limits: RequestLimits) -> bool:
    """Checks the item count; False when the items are too many to be worth checking."""
    if count == 0:
        v.add(path, "at least one item")
    elif count > limits.max_batch:
        v.add(path, f"at most {limits.max_batch} items (MEMGRID_MAX_BATCH), got {count}")
        return False
    return True


def check_batch_bytes(
    v: Violations, path: str, items: Sequence[Message], limits: RequestLimits
) -> bool:
    """Checks the batch's encoded size; False when it is too large to be worth checking."""
    size = sum(item.ByteSize() for item in items)
    if size > limits.max_batch_bytes:
        v.add(
            path,
            f"at most {limits.max_batch_bytes} bytes in all (MEMGRID_MAX_BATCH_BYTES), got"
            f" {size}: split the batch",
        )
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


def check_job_event(
    v: Violations, path: str, event: job_pb2.JobEvent, limits: RequestLimits
) -> None:
    """An event a consumer can act on: one case set, with the ids that case needs."""
    case = event.WhichOneof("event")
    if case is None:
        v.add(path, "required: set one of its cases")
        return
    if event.ByteSize() > limits.max_job_event_bytes:
        v.add(path, f"at most {limits.max_job_event_bytes} bytes")
        return
    at = f"{path}.{case}"
    if case == "consolidation_requested":
        check_id(v, f"{at}.user_id", event.consolidation_requested.user_id)
        if event.consolidation_requested.session_id:
            check_id(v, f"{at}.session_id", event.consolidation_requested.session_id)
    elif case == "messages_appended":
        appended = event.messages_appended
        check_id(v, f"{at}.scope.user_id", appended.scope.user_id)
        check_id(v, f"{at}.scope.session_id", appended.scope.session_id)
        if not appended.memory_ids:
            v.add(f"{at}.memory_ids", "required")
        for i, memory_id in enumerate(appended.memory_ids):
            check_id(v, f"{at}.memory_ids[{i}]", memory_id)
    else:
        check_id(v, f"{at}.memory_id", getattr(event, case).memory_id)


def check_unit_interval(v: Violations, path: str, value: float) -> None:
    if not (math.isfinite(value) and 0.0 <= value <= 1.0):
        v.add(path, f"must be between 0 and 1, got {value}")


def check_range(v: Violations, path: str, value: int, low: int, high: int) -> None:
    if not low <= value <= high:
        v.add(path, f"must be between {low} and {high}, got {value}")


def check_page_size(v: Violations, path: str, value: int, maximum: int) -> None:
    if not 0 <= value <= maximum:
        v.add(path, f"must be between 1 and {maximum} (0 for the default), got {value}")


def check_ttl(v: Violations, path: str, duration: duration_pb2.Duration) -> None:
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
    elif seconds >= MAX_TTL_SECONDS:
        v.add(path, f"at most {MAX_TTL_SECONDS} seconds (100 years); leave unset for no expiry")
