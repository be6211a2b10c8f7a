"""Changing stored memories: masked updates (versioned) and visits (not versioned)."""

from __future__ import annotations

from collections.abc import Sequence

from memgrid.common.v1 import memory_pb2
from memgrid_runtime.errors import Aborted, InvalidArgument, NotFound

from .clock import timestamp_from_micros
from .context import OperationContext
from .database import Transaction, placeholders
from .filters import live_memory_conditions
from .jobs import insert_jobs
from .memory_rows import load_live_memory, save_new_version
from .memory_rules import content_hash, heat_gain
from .outbox import upserted_jobs

# The MemoryUpdate fields an update_mask may name.
UPDATABLE_FIELDS = (
    "content",
    "metadata",
    "tags",
    "importance",
    "tier",
    "expires_at",
    "valid_to",
    "superseded_by",
    "heat",
    "source_message_ids",
)


async def update_memory(
    tx: Transaction,
    context: OperationContext,
    tenant_id: str,
    memory_id: str,
    update: memory_pb2.MemoryUpdate,
    paths: Sequence[str],
    expected_version: int,
) -> memory_pb2.Memory:
    current = await load_live_memory(tx, tenant_id, memory_id, context.now_us, for_update=True)
    if current is None:
        raise NotFound("memory", memory_id)
    if expected_version and expected_version != current.version:
        raise Aborted(
            f"memory {memory_id!r} is at version {current.version}, not {expected_version}",
            reason="VERSION_MISMATCH",
            metadata={"current_version": str(current.version)},
        )
    mask = set(paths)
    if "superseded_by" in mask and update.superseded_by:
        await _require_successor(tx, context, tenant_id, memory_id, update.superseded_by)

    changed = memory_pb2.Memory()
    changed.CopyFrom(current)
    _apply(changed, update, mask, context.now_us)
    changed.version = current.version + 1
    changed.updated_at.CopyFrom(timestamp_from_micros(context.now_us))

    supersedes = ("valid_to" in mask and update.HasField("valid_to")) or (
        "superseded_by" in mask and bool(update.superseded_by)
    )
    saved = await save_new_version(
        tx,
        tenant_id,
        changed,
        current.version,
        memory_pb2.CHANGE_TYPE_SUPERSEDED if supersedes else memory_pb2.CHANGE_TYPE_UPDATED,
        context.now_us,
        tags_changed="tags" in mask,
        metadata_changed="metadata" in mask,
        sources_changed="source_message_ids" in mask,
    )
    if not saved:
        raise Aborted(f"memory {memory_id!r} changed concurrently", reason="VERSION_MISMATCH")
    await insert_jobs(
        tx,
        context,
        upserted_jobs(context.config, tenant_id, [changed]),
    )
    return changed


async def record_visits(
    tx: Transaction,
    context: OperationContext,
    tenant_id: str,
    memory_ids: Sequence[str],
    interaction_length: int,
    visits: int = 1,
) -> int:
    """Counts `visits` visits to each live memory named; returns how many there were."""
    unique_ids = list(dict.fromkeys(memory_ids))
    conditions = live_memory_conditions(tenant_id, context.now_us)
    conditions.add(f"m.id IN ({placeholders(len(unique_ids))})", *unique_ids)
    return await tx.execute(
        "UPDATE memories SET visit_count = visit_count + ?, heat = heat + ?,"
        " last_visited_at_us = ?"
        f" WHERE (tenant_id, id) IN (SELECT m.tenant_id, m.id FROM memories m"
        f" WHERE {conditions.sql()})",
        (visits, visits * heat_gain(interaction_length), context.now_us, *conditions.params),
    )


def _apply(
    memory: memory_pb2.Memory, update: memory_pb2.MemoryUpdate, mask: set[str], now_us: int
) -> None:
    if "content" in mask:
        memory.content = update.content
        memory.content_hash = content_hash(update.content)
    if "metadata" in mask:
        memory.metadata.clear()
        memory.metadata.update(update.metadata)
    if "tags" in mask:
        del memory.tags[:]
        memory.tags.extend(update.tags)
    if "importance" in mask:
        memory.importance = update.importance
    if "tier" in mask:
        memory.tier = update.tier
    if "heat" in mask:
        memory.heat = update.heat
    if "superseded_by" in mask:
        memory.superseded_by = update.superseded_by
    if "source_message_ids" in mask:
        del memory.source_message_ids[:]
        memory.source_message_ids.extend(dict.fromkeys(update.source_message_ids))
    for field in ("expires_at", "valid_to"):
        if field in mask:
            if update.HasField(field):
                getattr(memory, field).CopyFrom(getattr(update, field))
            else:
                memory.ClearField(field)
    # Naming a successor ends this memory's validity now, unless the caller said when.
    if update.superseded_by and "valid_to" not in mask and not memory.HasField("valid_to"):
        memory.valid_to.CopyFrom(timestamp_from_micros(now_us))


async def _require_successor(
    tx: Transaction, context: OperationContext, tenant_id: str, memory_id: str, successor: str
) -> None:
    field = "update.superseded_by"
    if successor == memory_id:
        raise InvalidArgument.field(field, "a memory cannot supersede itself")
    if await load_live_memory(tx, tenant_id, successor, context.now_us) is None:
        raise InvalidArgument.field(field, f"no memory {successor!r} in this tenant")
