"""Writing a memory's rows: the memory itself, its tags, metadata and history entries."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from memgrid.common.v1 import memory_pb2

from .clock import micros_from_timestamp
from .database import Transaction
from .filters import live_memory_conditions
from .provenance import record_sources, replace_sources
from .rows import MEMORY_COLUMNS, memory_from_row, optional_micros

_INSERT_MEMORY = (
    "INSERT INTO memories (tenant_id, id, user_id, agent_id, session_id, cube_id, kind, tier,"
    " content_hash, version, session_seq, created_at_us, updated_at_us, expires_at_us,"
    " valid_to_us, superseded_by, heat, visit_count, last_visited_at_us, body)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


async def insert_memories(
    tx: Transaction, tenant_id: str, memories: Sequence[memory_pb2.Memory], now_us: int
) -> None:
    """Stores new memories with their tags, metadata, provenance and a CREATED history
    entry each."""
    await tx.execute_many(_INSERT_MEMORY, [_memory_row(tenant_id, m) for m in memories])
    await record_sources(tx, tenant_id, memories)
    await tx.execute_many(
        "INSERT INTO memory_tags (tenant_id, memory_id, tag) VALUES (?, ?, ?)",
        [(tenant_id, m.id, tag) for m in memories for tag in dict.fromkeys(m.tags)],
    )
    await tx.execute_many(
        "INSERT INTO memory_metadata (tenant_id, memory_id, meta_key, meta_value)"
        " VALUES (?, ?, ?, ?)",
        [(tenant_id, m.id, key, value) for m in memories for key, value in m.metadata.items()],
    )
    await tx.execute_many(
        "INSERT INTO memory_history (tenant_id, memory_id, version, change_type,"
        " changed_at_us, body) VALUES (?, ?, ?, ?, ?, ?)",
        [
            (tenant_id, m.id, m.version, memory_pb2.CHANGE_TYPE_CREATED, now_us, _body(m))
            for m in memories
        ],
    )


async def save_new_version(
    tx: Transaction,
    tenant_id: str,
    memory: memory_pb2.Memory,
    previous_version: int,
    change_type: memory_pb2.ChangeType.ValueType,
    now_us: int,
    *,
    tags_changed: bool,
    metadata_changed: bool,
    sources_changed: bool = False,
) -> bool:
    """Replaces the stored memory with `memory` if it is still at `previous_version`.

    Returns False (and writes nothing) when another writer got there first.
    """
    changed = await tx.execute(
        "UPDATE memories SET tier = ?, content_hash = ?, version = ?, updated_at_us = ?,"
        " expires_at_us = ?, valid_to_us = ?, superseded_by = ?, heat = ?, body = ?"
        " WHERE tenant_id = ? AND id = ? AND version = ?",
        (
            memory.tier,
            memory.content_hash,
            memory.version,
            micros_from_timestamp(memory.updated_at),
            optional_micros(memory, "expires_at"),
            optional_micros(memory, "valid_to"),
            memory.superseded_by,
            memory.heat,
            _body(memory),
            tenant_id,
            memory.id,
            previous_version,
        ),
    )
    if changed == 0:
        return False
    if tags_changed:
        await tx.execute(
            "DELETE FROM memory_tags WHERE tenant_id = ? AND memory_id = ?", (tenant_id, memory.id)
        )
        await tx.execute_many(
            "INSERT INTO memory_tags (tenant_id, memory_id, tag) VALUES (?, ?, ?)",
            [(tenant_id, memory.id, tag) for tag in dict.fromkeys(memory.tags)],
        )
    if metadata_changed:
        await tx.execute(
            "DELETE FROM memory_metadata WHERE tenant_id = ? AND memory_id = ?",
            (tenant_id, memory.id),
        )
        await tx.execute_many(
            "INSERT INTO memory_metadata (tenant_id, memory_id, meta_key, meta_value)"
            " VALUES (?, ?, ?, ?)",
            [(tenant_id, memory.id, key, value) for key, value in memory.metadata.items()],
        )
    if sources_changed:
        await replace_sources(tx, tenant_id, memory)
    await tx.execute(
        "INSERT INTO memory_history (tenant_id, memory_id, version, change_type,"
        " changed_at_us, body) VALUES (?, ?, ?, ?, ?, ?)",
        (tenant_id, memory.id, memory.version, change_type, now_us, _body(memory)),
    )
    return True


async def load_live_memory(
    tx: Transaction, tenant_id: str, memory_id: str, now_us: int, *, for_update: bool = False
) -> memory_pb2.Memory | None:
    conditions = live_memory_conditions(tenant_id, now_us)
    conditions.add("m.id = ?", memory_id)
    lock = tx.dialect.for_update if for_update else ""
    row = await tx.fetch_one(
        f"SELECT {MEMORY_COLUMNS} FROM memories m WHERE {conditions.sql()}{lock}",
        conditions.params,
    )
    return memory_from_row(row) if row is not None else None


def _memory_row(tenant_id: str, memory: memory_pb2.Memory) -> tuple[Any, ...]:
    return (
        tenant_id,
        memory.id,
        memory.scope.user_id,
        memory.scope.agent_id,
        memory.scope.session_id,
        memory.scope.cube_id,
        memory.kind,
        memory.tier,
        memory.content_hash,
        memory.version,
        memory.session_seq,
        micros_from_timestamp(memory.created_at),
        micros_from_timestamp(memory.updated_at),
        optional_micros(memory, "expires_at"),
        optional_micros(memory, "valid_to"),
        memory.superseded_by,
        memory.heat,
        memory.visit_count,
        optional_micros(memory, "last_visited_at"),
        _body(memory),
    )


def _body(memory: memory_pb2.Memory) -> bytes:
    return memory.SerializeToString(deterministic=True)
