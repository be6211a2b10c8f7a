"""Deleting memories: the memory, its whole history and what cannot stand without it go,
and the outbox says so."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from memgrid.common.v1 import memory_pb2
from memgrid_runtime.errors import NotFound

from . import cubes, provenance
from .base import Erasure
from .clock import timestamp_from_micros
from .context import OperationContext
from .database import Row, Transaction, placeholders
from .filters import live_memory_conditions, memory_filter_conditions
from .jobs import insert_jobs
from .memory_rows import save_new_version
from .outbox import DeletedMemory, deleted_jobs, upserted_jobs
from .provenance import chunks
from .rows import MEMORY_COLUMNS, memory_from_row

TARGET_COLUMNS = "m.id, m.version, m.kind, m.user_id, m.agent_id, m.session_id, m.cube_id"


async def delete_memory(
    tx: Transaction, context: OperationContext, tenant_id: str, memory_id: str
) -> Erasure:
    """Deletes one live memory and what cannot stand without it."""
    conditions = live_memory_conditions(tenant_id, context.now_us)
    conditions.add("m.id = ?", memory_id)
    row = await tx.fetch_one(
        f"SELECT {TARGET_COLUMNS} FROM memories m WHERE {conditions.sql()}{tx.dialect.for_update}",
        conditions.params,
    )
    if row is None:
        raise NotFound("memory", memory_id)
    return await delete_rows(tx, context, tenant_id, [target_of_row(row)])


async def delete_matching(
    tx: Transaction,
    context: OperationContext,
    tenant_id: str,
    memory_filter: memory_pb2.MemoryFilter,
) -> Erasure:
    """Deletes every memory the filter's scope matches, expired and superseded ones included,
    so that nothing it names outlives the call (a user's data is gone when this returns),
    and what was derived from them; the named ones come first in `versions`, oldest
    first."""
    if memory_filter.cube_ids:
        if memory_filter.user_id:
            await cubes.require_writable(
                tx,
                tenant_id,
                {(cube_id, memory_filter.user_id) for cube_id in memory_filter.cube_ids},
            )
        else:
            await cubes.require_existing(tx, tenant_id, memory_filter.cube_ids)
    conditions = memory_filter_conditions(
        tenant_id, memory_filter, context.now_us, include_hidden=True
    )
    rows = await tx.fetch_all(
        f"SELECT {TARGET_COLUMNS} FROM memories m WHERE {conditions.sql()}"
        f" ORDER BY m.created_at_us, m.id{tx.dialect.for_update}",
        conditions.params,
    )
    return await delete_rows(tx, context, tenant_id, [target_of_row(row) for row in rows])


async def delete_expired(tx: Transaction, context: OperationContext, limit: int) -> int:
    """Deletes up to `limit` expired memories of any tenant through the normal delete path,
    so derived stores hear of it; returns how many."""
    rows = await tx.fetch_all(
        f"SELECT m.tenant_id, {TARGET_COLUMNS} FROM memories m"
        " WHERE m.expires_at_us IS NOT NULL AND m.expires_at_us <= ?"
        f" ORDER BY m.expires_at_us LIMIT ?{tx.dialect.skip_locked}",
        (context.now_us, limit),
    )
    by_tenant: dict[str, list[DeletedMemory]] = defaultdict(list)
    for row in rows:
        by_tenant[row[0]].append(target_of_row(row[1:]))
    for tenant_id, targets in by_tenant.items():
        await delete_rows(tx, context, tenant_id, targets)
    return len(rows)


async def delete_rows(
    tx: Transaction, context: OperationContext, tenant_id: str, targets: Sequence[DeletedMemory]
) -> Erasure:
    """Removes the memories, their tags, metadata, provenance and history, and what was
    derived from them (see DerivedChanges in common/v1/memory.proto); enqueues
    memory.deleted for every consumer and memory.upserted for every memory it rewrote."""
    doomed: dict[str, DeletedMemory] = {target.id: target for target in targets}
    named = set(doomed)
    revisions = await _follow_provenance(tx, tenant_id, doomed)
    derived_ids = [memory_id for memory_id in doomed if memory_id not in named]
    revised = [
        memory_id for memory_id, sources in revisions.items() if memory_id not in doomed and sources
    ]
    successors = await _successors_of(tx, tenant_id, list(doomed))
    versions: dict[str, int] = {memory_id: 0 for memory_id in doomed}
    for ids in chunks(list(doomed)):
        in_ids = f"IN ({placeholders(len(ids))})"
        params = (tenant_id, *ids)
        for memory_id, count in await tx.fetch_all(
            f"SELECT memory_id, count(*) FROM memory_history WHERE tenant_id = ?"
            f" AND memory_id {in_ids} GROUP BY memory_id",
            params,
        ):
            versions[memory_id] = int(count)
        for table in ("memory_history", "memory_tags", "memory_metadata", "memory_sources"):
            await tx.execute(
                f"DELETE FROM {table} WHERE tenant_id = ? AND memory_id {in_ids}", params
            )
        await tx.execute(f"DELETE FROM memories WHERE tenant_id = ? AND id {in_ids}", params)
    rewritten = await _revise(tx, context, tenant_id, {i: revisions[i] for i in revised}, doomed)
    restored = await _restore_superseded(tx, context, tenant_id, successors, doomed)
    rewritten.extend(restored)
    await insert_jobs(
        tx,
        context,
        deleted_jobs(context.config, tenant_id, list(doomed.values()))
        + upserted_jobs(context.config, tenant_id, rewritten),
    )
    return Erasure(
        named_ids=[memory_id for memory_id in doomed if memory_id in named],
        versions=versions,
        derived=memory_pb2.DerivedChanges(
            deleted_ids=derived_ids,
            revised_ids=revised,
            restored_ids=[memory.id for memory in restored],
        ),
    )


async def _follow_provenance(
    tx: Transaction, tenant_id: str, doomed: dict[str, DeletedMemory]
) -> dict[str, list[str]]:
    """Adds to `doomed` every memory derived from it that cannot stand without it, until
    nothing more falls; returns the living sources of each derived memory it looked at
    (those still living keep these and lose the rest)."""
    sources: dict[str, list[str]] = {}
    kinds: dict[str, DeletedMemory] = {}
    stored: set[str] = set()
    frontier = list(doomed)
    while frontier:
        found = await provenance.dependants_of(tx, tenant_id, frontier)
        new = sorted(found - doomed.keys() - sources.keys())
        frontier = []
        if new:
            for memory_id, source_id in await _sources_of(tx, tenant_id, new):
                sources.setdefault(memory_id, []).append(source_id)
            for row in await _target_rows(tx, tenant_id, new):
                kinds[row[0]] = target_of_row(row)
            stored |= await provenance.existing_ids(
                tx, tenant_id, {s for memory_id in new for s in sources.get(memory_id, [])}
            )
        for memory_id, memory_sources in sources.items():
            if memory_id in doomed or memory_id not in kinds:
                continue
            living = [s for s in memory_sources if s in stored and s not in doomed]
            lost_one = len(living) < len(memory_sources)
            summary = kinds[memory_id].kind == memory_pb2.MEMORY_KIND_EPISODE
            if not living or (summary and lost_one):
                doomed[memory_id] = kinds[memory_id]
                frontier.append(memory_id)
    return {
        memory_id: [s for s in memory_sources if s in stored and s not in doomed]
        for memory_id, memory_sources in sources.items()
        if memory_id in kinds
    }


async def _revise(
    tx: Transaction,
    context: OperationContext,
    tenant_id: str,
    living_sources: dict[str, list[str]],
    doomed: dict[str, DeletedMemory],
) -> list[memory_pb2.Memory]:
    """Rewrites derived memories that keep other sources: the deleted ids leave their
    source_message_ids and every comma-separated id list in their metadata."""
    revised = []
    for memory in await _memories_where(tx, tenant_id, "id", list(living_sources)):
        changed = memory_pb2.Memory()
        changed.CopyFrom(memory)
        kept = set(living_sources[memory.id])
        del changed.source_message_ids[:]
        changed.source_message_ids.extend(
            dict.fromkeys(s for s in memory.source_message_ids if s in kept)
        )
        # Sources only the provenance index knew of (a fact restated before updates carried
        # them) join the body's.
        changed.source_message_ids.extend(
            s for s in living_sources[memory.id] if s not in changed.source_message_ids
        )
        metadata = {key: _without_ids(value, doomed) for key, value in memory.metadata.items()}
        metadata_changed = metadata != dict(memory.metadata)
        if metadata_changed:
            changed.metadata.clear()
            changed.metadata.update(metadata)
        revised.append(
            await _save_rewrite(tx, context, tenant_id, memory, changed, metadata_changed, True)
        )
    return revised


async def _restore_superseded(
    tx: Transaction,
    context: OperationContext,
    tenant_id: str,
    successors: dict[str, str],
    doomed: dict[str, DeletedMemory],
) -> list[memory_pb2.Memory]:
    """A memory superseded by a deleted one passes to the deleted one's living successor,
    or, when there is none, is current again: what replaced it was never said."""
    restored = []
    for memory in await _memories_where(tx, tenant_id, "superseded_by", list(doomed)):
        if memory.id in doomed:
            continue
        successor = memory.superseded_by
        while successor in doomed:
            successor = successors.get(successor, "")
        changed = memory_pb2.Memory()
        changed.CopyFrom(memory)
        changed.superseded_by = successor
        if not successor:
            changed.ClearField("valid_to")
        restored.append(await _save_rewrite(tx, context, tenant_id, memory, changed, False, False))
    return restored


async def _save_rewrite(
    tx: Transaction,
    context: OperationContext,
    tenant_id: str,
    memory: memory_pb2.Memory,
    changed: memory_pb2.Memory,
    metadata_changed: bool,
    sources_changed: bool,
) -> memory_pb2.Memory:
    changed.version = memory.version + 1
    changed.updated_at.CopyFrom(timestamp_from_micros(context.now_us))
    # The row is locked by this transaction (FOR UPDATE on PostgreSQL, SQLite's single
    # writer), so the version check cannot fail.
    await save_new_version(
        tx,
        tenant_id,
        changed,
        memory.version,
        memory_pb2.CHANGE_TYPE_UPDATED,
        context.now_us,
        tags_changed=False,
        metadata_changed=metadata_changed,
        sources_changed=sources_changed,
    )
    return changed


def _without_ids(value: str, gone: dict[str, DeletedMemory]) -> str:
    parts = value.split(",")
    if not any(part in gone for part in parts):
        return value
    return ",".join(part for part in parts if part not in gone)


async def _sources_of(tx: Transaction, tenant_id: str, memory_ids: Sequence[str]) -> list[Row]:
    rows: list[Row] = []
    for chunk in chunks(memory_ids):
        rows.extend(
            await tx.fetch_all(
                f"SELECT memory_id, source_id FROM memory_sources WHERE tenant_id = ?"
                f" AND memory_id IN ({placeholders(len(chunk))}) ORDER BY memory_id, source_id",
                (tenant_id, *chunk),
            )
        )
    return rows


async def _target_rows(tx: Transaction, tenant_id: str, memory_ids: Sequence[str]) -> list[Row]:
    rows: list[Row] = []
    for chunk in chunks(memory_ids):
        rows.extend(
            await tx.fetch_all(
                f"SELECT {TARGET_COLUMNS} FROM memories m WHERE m.tenant_id = ?"
                f" AND m.id IN ({placeholders(len(chunk))}){tx.dialect.for_update}",
                (tenant_id, *chunk),
            )
        )
    return rows


async def _memories_where(
    tx: Transaction, tenant_id: str, column: str, values: Sequence[str]
) -> list[memory_pb2.Memory]:
    """The stored memories whose `column` (id, superseded_by) is one of `values`, locked,
    whatever their state (expired and superseded ones too)."""
    memories: list[memory_pb2.Memory] = []
    for chunk in chunks(values):
        rows = await tx.fetch_all(
            f"SELECT {MEMORY_COLUMNS} FROM memories m WHERE m.tenant_id = ?"
            f" AND m.{column} IN ({placeholders(len(chunk))}) ORDER BY m.id{tx.dialect.for_update}",
            (tenant_id, *chunk),
        )
        memories.extend(memory_from_row(row) for row in rows)
    return memories


async def _successors_of(
    tx: Transaction, tenant_id: str, memory_ids: Sequence[str]
) -> dict[str, str]:
    successors: dict[str, str] = {}
    for chunk in chunks(memory_ids):
        rows = await tx.fetch_all(
            f"SELECT id, superseded_by FROM memories WHERE tenant_id = ?"
            f" AND id IN ({placeholders(len(chunk))}) AND superseded_by <> ''",
            (tenant_id, *chunk),
        )
        successors.update((row[0], row[1]) for row in rows)
    return successors


def target_of_row(row: Row) -> DeletedMemory:
    memory_id, version, kind, user_id, agent_id, session_id, cube_id = row
    return DeletedMemory(
        id=memory_id,
        version=int(version),
        kind=int(kind),
        scope=memory_pb2.Scope(
            user_id=user_id, agent_id=agent_id, session_id=session_id, cube_id=cube_id
        ),
    )
