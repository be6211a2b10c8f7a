"""Turns a (validated) MemoryFilter into the index's backend-neutral filter.

Which memories match is decided in memgrid_runtime.memory_filter; this module only
translates its clauses, one payload condition each, over the payload documents.py writes.
"""

from __future__ import annotations

from dataclasses import replace
from typing import assert_never

from google.protobuf.timestamp_pb2 import Timestamp
from memgrid.common.v1 import memory_pb2
from memgrid_runtime.memory_filter import (
    MICROS_PER_SECOND,
    NANOS_PER_MICRO,
    AtOrAfter,
    AtOrBefore,
    Before,
    Clause,
    HasTag,
    KindIn,
    MemoryFilterSpec,
    MetadataEquals,
    NoSuccessor,
    ScopeIn,
    TierIn,
    UnsetOrAfter,
    epoch_seconds_nanos,
)

from services.search.documents import epoch_seconds, kind_name, tier_name
from services.search.index.base import Condition, IndexFilter, Match, MatchAny, Range


def build_index_filter(
    tenant_id: str,
    flt: memory_pb2.MemoryFilter,
    *,
    now: float,
    valid_at: float | None = None,
) -> IndexFilter:
    """The filter's clauses as payload conditions; the tenant always matches. now and
    valid_at are epoch seconds."""
    spec = MemoryFilterSpec.from_proto(
        flt,
        now_ns=epoch_seconds_nanos(now),
        valid_at_ns=epoch_seconds_nanos(valid_at) if valid_at is not None else None,
    )
    must: list[Condition] = []
    must_not: list[Condition] = []
    for clause in spec.clauses():
        _add(must, must_not, clause)
    return IndexFilter(tenant_id=tenant_id, must=tuple(must), must_not=tuple(must_not))


def _add(must: list[Condition], must_not: list[Condition], clause: Clause) -> None:
    # A payload leaves out valid_to and expires_at when they are unset, so "unset or
    # after" is "no value at or before": a must_not range, which a missing key passes.
    match clause:
        case ScopeIn(field, (value,)):
            must.append(Match(field, value))
        case ScopeIn(field, values):
            must.append(MatchAny(field, values))
        case KindIn(kinds):
            must.append(MatchAny("kind", tuple(kind_name(k) for k in kinds)))
        case TierIn(tiers):
            must.append(MatchAny("tier", tuple(tier_name(t) for t in tiers)))
        case HasTag(tag):
            must.append(Match("tags", tag))
        case MetadataEquals(key, value):
            must.append(Match(f"metadata.{key}", value))
        case AtOrAfter(field):
            must.append(Range(field, gte=_payload_seconds(clause.bound_us)))
        case Before(field):
            must.append(Range(field, lt=_payload_seconds(clause.bound_us)))
        case AtOrBefore(field):
            must.append(Range(field, lte=_payload_seconds(clause.bound_us)))
        case UnsetOrAfter(field):
            must_not.append(Range(field, lte=_payload_seconds(clause.bound_us)))
        case NoSuccessor():
            must_not.append(Match("superseded", True))
        case _:
            assert_never(clause)


def _payload_seconds(micros: int) -> float:
    """The bound in the payload's own arithmetic (documents.py), so that a bound equal to a
    stored time compares equal to it."""
    seconds, remainder = divmod(micros, MICROS_PER_SECOND)
    return epoch_seconds(Timestamp(seconds=seconds, nanos=remainder * NANOS_PER_MICRO))


def without_patterns(flt: IndexFilter) -> IndexFilter:
    """flt, leaving out PATTERN memories: what Search returns when the caller names no kind.

    A pattern ("often talks about painting") stands for dozens of turns across sessions;
    on the LoCoMo dev split, consolidated patterns took 305 of 10,910 top-10 places and
    lowered Recall@10 (each pattern hit supplies many turns at once, mostly not the ones a
    question is about). Patterns stay readable by asking for the kind, and by ListPatterns.
    """
    return replace(flt, must_not=(*flt.must_not, MatchAny("kind", ("PATTERN",))))
