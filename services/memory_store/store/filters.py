"""MemoryFilter to SQL: one WHERE clause over `memories m`, always scoped to one tenant."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from memgrid.common.v1 import memory_pb2

from .clock import micros_from_timestamp
from .database import placeholders


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
    conditions = Conditions()
    conditions.add("m.tenant_id = ?", tenant_id)
    conditions.add("(m.expires_at_us IS NULL OR m.expires_at_us > ?)", now_us)
    return conditions


def memory_filter_conditions(
    tenant_id: str,
    memory_filter: memory_pb2.MemoryFilter,
    now_us: int,
    *,
    include_expired: bool = False,
) -> Conditions:
    if include_expired:
        conditions = Conditions()
        conditions.add("m.tenant_id = ?", tenant_id)
    else:
        conditions = live_memory_conditions(tenant_id, now_us)
    if memory_filter.cube_ids:
        # With cubes, user_id names the reader (checked by the caller), not the writer:
        # every memory in a readable cube matches, whoever wrote it.
        cube_ids = list(dict.fromkeys(memory_filter.cube_ids))
        conditions.add(f"m.cube_id IN ({placeholders(len(cube_ids))})", *cube_ids)
    elif memory_filter.user_id:
        conditions.add("m.user_id = ?", memory_filter.user_id)
    if memory_filter.agent_id:
        conditions.add("m.agent_id = ?", memory_filter.agent_id)
    if memory_filter.session_id:
        conditions.add("m.session_id = ?", memory_filter.session_id)
    if memory_filter.kinds:
        kinds = sorted(set(memory_filter.kinds))
        conditions.add(f"m.kind IN ({placeholders(len(kinds))})", *kinds)
    if memory_filter.tiers:
        tiers = sorted(set(memory_filter.tiers))
        conditions.add(f"m.tier IN ({placeholders(len(tiers))})", *tiers)
    for tag in dict.fromkeys(memory_filter.tags):
        conditions.add(
            "EXISTS (SELECT 1 FROM memory_tags t WHERE t.tenant_id = m.tenant_id"
            " AND t.memory_id = m.id AND t.tag = ?)",
            tag,
        )
    for key, value in sorted(memory_filter.metadata.items()):
        conditions.add(
            "EXISTS (SELECT 1 FROM memory_metadata d WHERE d.tenant_id = m.tenant_id"
            " AND d.memory_id = m.id AND d.meta_key = ? AND d.meta_value = ?)",
            key,
            value,
        )
    if memory_filter.HasField("created_after"):
        conditions.add("m.created_at_us > ?", micros_from_timestamp(memory_filter.created_after))
    if memory_filter.HasField("created_before"):
        conditions.add("m.created_at_us < ?", micros_from_timestamp(memory_filter.created_before))
    if not memory_filter.include_superseded:
        conditions.add("(m.valid_to_us IS NULL OR m.valid_to_us > ?)", now_us)
    return conditions
