"""MemoryFilter to SQL: one WHERE clause over `memories m`, always scoped to one tenant.

Which memories match is decided in memgrid_runtime.memory_filter; this module only
translates its clauses, one SQL condition each.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, assert_never

from memgrid.common.v1 import memory_pb2
from memgrid_runtime.memory_filter import (
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
    live_clauses,
)

from .database import placeholders

# Where each time a clause can name lives. valid_from is kept only in the body: the store
# lists what holds now, and its filters have no valid_at.
_TIME_COLUMNS = {
    "created_at": "m.created_at_us",
    "valid_to": "m.valid_to_us",
    "expires_at": "m.expires_at_us",
}


@dataclass
class Conditions:
    """SQL conditions joined with AND, with their parameters in placeholder order."""

    clauses: list[str] = field(default_factory=list)
    params: list[Any] = field(default_factory=list)

    def add(self, clause: str, *params: Any) -> None:
        self.clauses.append(clause)
        self.params.extend(params)

    def sql(self) -> str:
        return " AND ".join(self.clauses)


def live_memory_conditions(tenant_id: str, now_us: int) -> Conditions:
    """A tenant's memories that have not expired: the only ones callers can see."""
    return _conditions(tenant_id, live_clauses(now_us * NANOS_PER_MICRO))


def memory_filter_conditions(
    tenant_id: str,
    memory_filter: memory_pb2.MemoryFilter,
    now_us: int,
    *,
    include_hidden: bool = False,
) -> Conditions:
    """The tenant's memories the filter matches at now_us. include_hidden: expired and
    superseded memories match too, whatever include_superseded says (DeleteMemories)."""
    spec = MemoryFilterSpec.from_proto(memory_filter, now_ns=now_us * NANOS_PER_MICRO)
    return _conditions(tenant_id, spec.field_clauses() if include_hidden else spec.clauses())


def _conditions(tenant_id: str, clauses: list[Clause]) -> Conditions:
    conditions = Conditions()
    conditions.add("m.tenant_id = ?", tenant_id)
    for clause in clauses:
        _add(conditions, clause)
    return conditions


def _add(conditions: Conditions, clause: Clause) -> None:
    match clause:
        case ScopeIn(scope_field, values):
            conditions.add(f"m.{scope_field} IN ({placeholders(len(values))})", *values)
        case KindIn(kinds):
            conditions.add(f"m.kind IN ({placeholders(len(kinds))})", *kinds)
        case TierIn(tiers):
            conditions.add(f"m.tier IN ({placeholders(len(tiers))})", *tiers)
        case HasTag(tag):
            conditions.add(
                "EXISTS (SELECT 1 FROM memory_tags t WHERE t.tenant_id = m.tenant_id"
                " AND t.memory_id = m.id AND t.tag = ?)",
                tag,
            )
        case MetadataEquals(key, value):
            conditions.add(
                "EXISTS (SELECT 1 FROM memory_metadata d WHERE d.tenant_id = m.tenant_id"
                " AND d.memory_id = m.id AND d.meta_key = ? AND d.meta_value = ?)",
                key,
                value,
            )
        case AtOrAfter(time_field):
            conditions.add(f"{_time_column(time_field)} >= ?", clause.bound_us)
        case Before(time_field):
            conditions.add(f"{_time_column(time_field)} < ?", clause.bound_us)
        case AtOrBefore(time_field):
            conditions.add(f"{_time_column(time_field)} <= ?", clause.bound_us)
        case UnsetOrAfter(time_field):
            column = _time_column(time_field)
            conditions.add(f"({column} IS NULL OR {column} > ?)", clause.bound_us)
        case NoSuccessor():
            conditions.add("m.superseded_by = ''")
        case _:
            assert_never(clause)


def _time_column(time_field: str) -> str:
    column = _TIME_COLUMNS.get(time_field)
    if column is None:
        raise ValueError(f"memory-store filters cannot compare {time_field}")
    return column
