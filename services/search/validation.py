"""Request validation: every problem becomes a field violation naming its path."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from google.protobuf.message import Message
from google.protobuf.unknown_fields import UnknownFieldSet
from memgrid.common.v1 import memory_pb2
from memgrid.search.v1 import request_response_pb2 as rr
from memgrid_runtime.field_rules import (
    DEFAULT_FIELD_LIMITS,
    Violations,
    check_memory_filter,
    check_timestamp,
)

from services.search.retrieval import MAX_K

DEFAULT_K = 10
# Metadata keys become payload paths ("metadata.<key>"): dots or brackets would address
# nested fields instead of the key.
_METADATA_KEY = re.compile(r"^[A-Za-z0-9_\-]{1,128}$")


@dataclass(frozen=True)
class SearchLimits:
    max_query_bytes: int = 4096
    max_batch: int = 1000
    max_content_bytes: int = 64 * 1024
    max_filter_values: int = 100


def _unknown_fields(message: Message, path: str, out: Violations) -> None:
    """A field this server does not know might narrow a filter in the client's mind; ignoring
    it would silently widen the result, so it is an error."""
    unknown_fields: Iterable[Any] = UnknownFieldSet(message)  # type: ignore[assignment]
    for unknown in unknown_fields:
        out.add(f"{path}{'.' if path else ''}#{unknown.field_number}", "unknown field")


def _tenant(tenant_id: str, out: Violations) -> None:
    if not tenant_id.strip():
        out.add("tenant_id", "required")


def validate_filter(
    flt: memory_pb2.MemoryFilter, path: str, limits: SearchLimits, out: Violations
) -> None:
    _unknown_fields(flt, path, out)
    check_memory_filter(
        out, path, flt, replace(DEFAULT_FIELD_LIMITS, max_filter_values=limits.max_filter_values)
    )
    if flt.cube_ids and not flt.user_id:
        out.add(f"{path}.user_id", "required with cube_ids: it names the reader of the cubes")
    for key in flt.metadata:
        if key and not _METADATA_KEY.match(key):
            out.add(f"{path}.metadata[{key[:40]!r}]", "keys are 1..128 of A-Z a-z 0-9 _ -")


def validate_search(request: rr.SearchRequest, limits: SearchLimits) -> int:
    """Raises InvalidArgument listing every bad field; returns the effective k."""
    out = Violations()
    _unknown_fields(request, "", out)
    _tenant(request.tenant_id, out)
    size = len(request.query.encode())
    if not request.query.strip():
        out.add("query", "must contain text")
    elif size > limits.max_query_bytes:
        out.add("query", f"{size} bytes; at most {limits.max_query_bytes}")
    if not 0 <= request.k <= MAX_K:
        out.add("k", f"must be between 1 and {MAX_K} (0 means {DEFAULT_K})")
    validate_filter(request.filter, "filter", limits, out)
    if request.HasField("valid_at"):
        check_timestamp(out, "valid_at", request.valid_at)
    for name in ("recency", "importance", "heat", "diversity"):
        if request.weights.HasField(name):
            value = getattr(request.weights, name)
            if not (math.isfinite(value) and 0.0 <= value <= 1.0):
                out.add(f"weights.{name}", "must be between 0 and 1")
    if request.mode not in rr.RetrievalMode.values():
        out.add("mode", f"not a known retrieval mode ({request.mode})")
    if not (math.isfinite(request.min_score) and 0.0 <= request.min_score <= 1.0):
        out.add("min_score", "must be between 0 and 1")
    out.raise_if_any()
    return request.k or DEFAULT_K


def validate_index(request: rr.IndexMemoriesRequest, limits: SearchLimits) -> None:
    out = Violations()
    _tenant(request.tenant_id, out)
    if not 1 <= len(request.memories) <= limits.max_batch:
        out.add("memories", f"1..{limits.max_batch} memories")
    first_seen: dict[str, int] = {}
    for i, memory in enumerate(request.memories):
        path = f"memories[{i}]"
        if not memory.id:
            out.add(f"{path}.id", "required")
        elif memory.id in first_seen:
            out.add(f"{path}.id", f"duplicate of memories[{first_seen[memory.id]}]")
        else:
            first_seen[memory.id] = i
        if memory.version < 1:
            out.add(f"{path}.version", "must be >= 1")
        if len(memory.content.encode()) > limits.max_content_bytes:
            out.add(f"{path}.content", f"at most {limits.max_content_bytes} bytes")
        if not memory.scope.user_id:
            out.add(f"{path}.scope.user_id", "required")
    out.raise_if_any()


def validate_remove(request: rr.RemoveMemoriesRequest, limits: SearchLimits) -> None:
    out = Violations()
    _tenant(request.tenant_id, out)
    if not 1 <= len(request.ids) <= limits.max_batch:
        out.add("ids", f"1..{limits.max_batch} ids")
    for i, memory_id in enumerate(request.ids):
        if not memory_id:
            out.add(f"ids[{i}]", "must not be empty")
    out.raise_if_any()


def validate_tenant_only(tenant_id: str) -> None:
    out = Violations()
    _tenant(tenant_id, out)
    out.raise_if_any()
