"""Turns a (validated) MemoryFilter into the index's backend-neutral filter."""

from __future__ import annotations

from memgrid.common.v1 import memory_pb2

from services.search.documents import epoch_seconds, kind_name, tier_name
from services.search.index.base import Condition, IndexFilter, Match, MatchAny, Range


def build_index_filter(
    tenant_id: str,
    flt: memory_pb2.MemoryFilter,
    *,
    now: float,
    valid_at: float | None = None,
) -> IndexFilter:
    """Every set field must match; the tenant always does.

    With cube_ids, user_id names the reader (whose access the caller checked), so memories
    match by cube whoever wrote them. valid_at asks "what was true then": it includes
    memories superseded since. Expired memories never match.
    """
    must: list[Condition] = []
    must_not: list[Condition] = [Range("expires_at", lte=now)]
    if flt.cube_ids:
        must.append(MatchAny("cube_id", tuple(flt.cube_ids)))
    elif flt.user_id:
        must.append(Match("user_id", flt.user_id))
    if flt.agent_id:
        must.append(Match("agent_id", flt.agent_id))
    if flt.session_id:
        must.append(Match("session_id", flt.session_id))
    if flt.kinds:
        must.append(MatchAny("kind", tuple(kind_name(k) for k in flt.kinds)))
    if flt.tiers:
        must.append(MatchAny("tier", tuple(tier_name(t) for t in flt.tiers)))
    must.extend(Match("tags", tag) for tag in flt.tags)
    must.extend(Match(f"metadata.{key}", value) for key, value in sorted(flt.metadata.items()))
    if flt.HasField("created_after"):
        must.append(Range("created_at", gte=epoch_seconds(flt.created_after)))
    if flt.HasField("created_before"):
        must.append(Range("created_at", lt=epoch_seconds(flt.created_before)))
    if valid_at is not None:
        must.append(Range("valid_from", lte=valid_at))
        must_not.append(Range("valid_to", lte=valid_at))
    elif not flt.include_superseded:
        must_not.append(Range("valid_to", lte=now))
        must_not.append(Match("superseded", True))
    return IndexFilter(tenant_id=tenant_id, must=tuple(must), must_not=tuple(must_not))
