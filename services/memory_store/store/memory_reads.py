"""Reading memories: by id, by filter (keyset pages), history, export and counts."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from memgrid.common.v1 import memory_pb2
from memgrid_runtime.errors import NotFound

from . import cubes
from .base import ExportPage
from .clock import timestamp_from_micros
from .database import Transaction, placeholders
from .filters import live_memory_conditions, memory_filter_conditions
from .memory_rows import load_live_memory
from .page_tokens import PageCursor
from .rows import MEMORY_COLUMN_COUNT, MEMORY_COLUMNS, memory_from_row


@dataclass(frozen=True)
class MemoryListing:
    memories: list[memory_pb2.Memory]
    # The sort key of the last memory when another page follows, else None.
    last: PageCursor | None


async def get_memory(
    tx: Transaction, tenant_id: str, memory_id: str, now_us: int
) -> memory_pb2.Memory:
    memory = await load_live_memory(tx, tenant_id, memory_id, now_us)
    if memory is None:
        raise NotFound("memory", memory_id)
    return memory


async def get_memories(
    tx: Transaction, tenant_id: str, memory_ids: Sequence[str], now_us: int
) -> tuple[list[memory_pb2.Memory], list[str]]:
    """The live memories among `memory_ids`, in request order, and the ids not found."""
    unique_ids = list(dict.fromkeys(memory_ids))
    conditions = live_memory_conditions(tenant_id, now_us)
    conditions.add(f"m.id IN ({placeholders(len(unique_ids))})", *unique_ids)
    rows = await tx.fetch_all(
        f"SELECT {MEMORY_COLUMNS} FROM memories m WHERE {conditions.sql()}", conditions.params
    )
    found = {memory.id: memory for memory in map(memory_from_row, rows)}
    memories = [found[memory_id] for memory_id in memory_ids if memory_id in found]
    missing = [memory_id for memory_id in unique_ids if memory_id not in found]
    return memories, missing


async def list_memories(
    tx: Transaction,
    tenant_id: str,
    memory_filter: memory_pb2.MemoryFilter,
    page_size: int,
    after: PageCursor | None,
    now_us: int,
    max_bytes: int,
) -> MemoryListing:
    """Oldest first; fetches one extra row to learn whether another page follows."""
    if memory_filter.cube_ids:
        if memory_filter.user_id:
            await cubes.require_readable(
                tx, tenant_id, memory_filter.cube_ids, memory_filter.user_id
            )
        else:
            await cubes.require_existing(tx, tenant_id, memory_filter.cube_ids)
    conditions = memory_filter_conditions(tenant_id, memory_filter, now_us)
    if after is not None:
        conditions.add(
            "(m.created_at_us > ? OR (m.created_at_us = ? AND m.id > ?))",
            after.created_at_us,
            after.created_at_us,
            after.id,
        )
    rows = await tx.fetch_all(
        f"SELECT {MEMORY_COLUMNS}, m.created_at_us, m.id FROM memories m"
        f" WHERE {conditions.sql()} ORDER BY m.created_at_us, m.id LIMIT ?",
        (*conditions.params, page_size + 1),
    )
    memories = fitting(map(memory_from_row, rows[:page_size]), max_bytes)
    last = None
    if len(rows) > len(memories):
        created_at_us, last_id = rows[len(memories) - 1][MEMORY_COLUMN_COUNT:]
        last = PageCursor(created_at_us=int(created_at_us), id=last_id)
    return MemoryListing(memories=memories, last=last)


def fitting(memories: Iterable[memory_pb2.Memory], max_bytes: int) -> list[memory_pb2.Memory]:
    """The leading memories whose encoding fits in max_bytes (at least one): a page of
    1,000 memories of 32 KiB content and full metadata would not fit in a message, so a
    page ends early and the next page token picks up from there."""
    taken: list[memory_pb2.Memory] = []
    used = 0
    for memory in memories:
        # A repeated field's element costs its size plus a tag and a length prefix.
        size = memory.ByteSize() + 6
        if taken and used + size > max_bytes:
            break
        taken.append(memory)
        used += size
    return taken


async def memory_history(
    tx: Transaction, tenant_id: str, memory_id: str, now_us: int
) -> list[memory_pb2.MemoryVersion]:
    await get_memory(tx, tenant_id, memory_id, now_us)
    rows = await tx.fetch_all(
        "SELECT version, change_type, changed_at_us, body FROM memory_history"
        " WHERE tenant_id = ? AND memory_id = ? ORDER BY version",
        (tenant_id, memory_id),
    )
    return [
        memory_pb2.MemoryVersion(
            version=version,
            change_type=change_type,
            memory=memory_pb2.Memory.FromString(bytes(body)),
            changed_at=timestamp_from_micros(changed_at_us),
        )
        for version, change_type, changed_at_us, body in rows
    ]


async def export_memories(
    tx: Transaction,
    tenant_id: str,
    after_id: str,
    page_size: int,
    changed_since_us: int | None,
    now_us: int,
    max_bytes: int,
) -> ExportPage:
    conditions = live_memory_conditions(tenant_id, now_us)
    if after_id:
        conditions.add("m.id > ?", after_id)
    if changed_since_us is not None:
        conditions.add("m.updated_at_us >= ?", changed_since_us)
    rows = await tx.fetch_all(
        f"SELECT {MEMORY_COLUMNS} FROM memories m WHERE {conditions.sql()} ORDER BY m.id LIMIT ?",
        (*conditions.params, page_size + 1),
    )
    memories = fitting(map(memory_from_row, rows[:page_size]), max_bytes)
    next_after_id = memories[-1].id if len(rows) > len(memories) else ""
    return ExportPage(memories=memories, next_after_id=next_after_id)


async def count_memories(tx: Transaction, tenant_id: str, now_us: int) -> int:
    conditions = live_memory_conditions(tenant_id, now_us)
    row = await tx.fetch_one(
        f"SELECT count(*) FROM memories m WHERE {conditions.sql()}", conditions.params
    )
    return int(row[0]) if row else 0
