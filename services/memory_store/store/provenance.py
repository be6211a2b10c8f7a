"""Provenance: which memories were derived from which, kept where SQL can follow it.

A memory's source_message_ids live in its body; `memory_sources` holds one row per
(source, derived memory) so that a delete finds what was derived from what it deletes
with one indexed lookup instead of a scan of every body.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from memgrid.common.v1 import memory_pb2

from .database import Transaction, placeholders

# SQLite and PostgreSQL both take this many IN-list values comfortably per statement.
_CHUNK = 500


def chunks(ids: Sequence[str]) -> list[Sequence[str]]:
    """`ids` in pieces small enough for one IN list."""
    return [ids[start : start + _CHUNK] for start in range(0, len(ids), _CHUNK)]


async def record_sources(
    tx: Transaction, tenant_id: str, memories: Iterable[memory_pb2.Memory]
) -> None:
    """Adds the provenance rows of newly stored memories."""
    await tx.execute_many(
        "INSERT INTO memory_sources (tenant_id, source_id, memory_id) VALUES (?, ?, ?)"
        " ON CONFLICT DO NOTHING",
        [
            (tenant_id, source_id, memory.id)
            for memory in memories
            for source_id in dict.fromkeys(memory.source_message_ids)
        ],
    )


async def replace_sources(tx: Transaction, tenant_id: str, memory: memory_pb2.Memory) -> None:
    await forget_derived(tx, tenant_id, [memory.id])
    await record_sources(tx, tenant_id, [memory])


async def forget_derived(tx: Transaction, tenant_id: str, memory_ids: Sequence[str]) -> None:
    """Drops the provenance rows of memories that are going (as derived memories; the rows
    naming them as a source are followed by the erasure, then go with their dependants)."""
    for chunk in chunks(memory_ids):
        await tx.execute(
            f"DELETE FROM memory_sources WHERE tenant_id = ?"
            f" AND memory_id IN ({placeholders(len(chunk))})",
            (tenant_id, *chunk),
        )


async def dependants_of(tx: Transaction, tenant_id: str, source_ids: Sequence[str]) -> set[str]:
    """The ids of the memories that name any of `source_ids` as a source."""
    found: set[str] = set()
    for chunk in chunks(source_ids):
        rows = await tx.fetch_all(
            f"SELECT DISTINCT memory_id FROM memory_sources WHERE tenant_id = ?"
            f" AND source_id IN ({placeholders(len(chunk))})",
            (tenant_id, *chunk),
        )
        found.update(row[0] for row in rows)
    return found


async def existing_ids(tx: Transaction, tenant_id: str, memory_ids: Iterable[str]) -> set[str]:
    """Those of `memory_ids` that are stored (expired or superseded ones included)."""
    ids = list(dict.fromkeys(memory_ids))
    found: set[str] = set()
    for chunk in chunks(ids):
        rows = await tx.fetch_all(
            f"SELECT id FROM memories WHERE tenant_id = ? AND id IN ({placeholders(len(chunk))})",
            (tenant_id, *chunk),
        )
        found.update(row[0] for row in rows)
    return found
