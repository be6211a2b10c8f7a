"""Deleting memories: the memory and its whole history go, and the outbox says so."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from memgrid.common.v1 import memory_pb2
from memgrid_runtime.errors import NotFound

from . import cubes
from .context import OperationContext
from .database import Row, Transaction, placeholders
from .filters import live_memory_conditions, memory_filter_conditions
from .jobs import insert_jobs
from .outbox import DeletedMemory, deleted_jobs

# SQLite and PostgreSQL both take this many IN-list values comfortably per statement.
_DELETE_CHUNK = 500
_TARGET_COLUMNS = "m.id, m.version, m.kind, m.user_id, m.agent_id, m.session_id, m.cube_id"


async def delete_memory(
    tx: Transaction, context: OperationContext, tenant_id: str, memory_id: str
) -> int:
    """Deletes one live memory; returns how many history entries went with it."""
    conditions = live_memory_conditions(tenant_id, context.now_us)
    conditions.add("m.id = ?", memory_id)
    row = await tx.fetch_one(
        f"SELECT {_TARGET_COLUMNS} FROM memories m WHERE {conditions.sql()}{tx.dialect.for_update}",
        conditions.params,
    )
    if row is None:
        raise NotFound("memory", memory_id)
    versions = await delete_rows(tx, context, tenant_id, [_target(row)])
    return versions[memory_id]


async def delete_matching(
    tx: Transaction,
    context: OperationContext,
    tenant_id: str,
    memory_filter: memory_pb2.MemoryFilter,
) -> list[str]:
    """Deletes every memory the filter's scope matches, expired and superseded ones included,
    so that nothing it names outlives the call (a user's data is gone when this returns);
    returns their ids, oldest first."""
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
        f"SELECT {_TARGET_COLUMNS} FROM memories m WHERE {conditions.sql()}"
        f" ORDER BY m.created_at_us, m.id{tx.dialect.for_update}",
        conditions.params,
    )
    targets = [_target(row) for row in rows]
    await delete_rows(tx, context, tenant_id, targets)
    return [target.id for target in targets]


async def delete_expired(tx: Transaction, context: OperationContext, limit: int) -> int:
    """Deletes up to `limit` expired memories of any tenant through the normal delete path,
    so derived stores hear of it; returns how many."""
    rows = await tx.fetch_all(
        f"SELECT m.tenant_id, {_TARGET_COLUMNS} FROM memories m"
        " WHERE m.expires_at_us IS NOT NULL AND m.expires_at_us <= ?"
        f" ORDER BY m.expires_at_us LIMIT ?{tx.dialect.skip_locked}",
        (context.now_us, limit),
    )
    by_tenant: dict[str, list[DeletedMemory]] = defaultdict(list)
    for row in rows:
        by_tenant[row[0]].append(_target(row[1:]))
    for tenant_id, targets in by_tenant.items():
        await delete_rows(tx, context, tenant_id, targets)
    return len(rows)


async def delete_rows(
    tx: Transaction, context: OperationContext, tenant_id: str, targets: Sequence[DeletedMemory]
) -> dict[str, int]:
    """Removes the memories, their tags, metadata and history, and enqueues memory.deleted
    for every consumer; returns the number of history entries removed per memory."""
    versions: dict[str, int] = {target.id: 0 for target in targets}
    for start in range(0, len(targets), _DELETE_CHUNK):
        ids = [target.id for target in targets[start : start + _DELETE_CHUNK]]
        in_ids = f"IN ({placeholders(len(ids))})"
        params = (tenant_id, *ids)
        for memory_id, count in await tx.fetch_all(
            f"SELECT memory_id, count(*) FROM memory_history WHERE tenant_id = ?"
            f" AND memory_id {in_ids} GROUP BY memory_id",
            params,
        ):
            versions[memory_id] = int(count)
        for table in ("memory_history", "memory_tags", "memory_metadata"):
            await tx.execute(
                f"DELETE FROM {table} WHERE tenant_id = ? AND memory_id {in_ids}", params
            )
        await tx.execute(f"DELETE FROM memories WHERE tenant_id = ? AND id {in_ids}", params)
    await insert_jobs(
        tx,
        context,
        deleted_jobs(context.config, tenant_id, targets),
    )
    return versions


def _target(row: Row) -> DeletedMemory:
    memory_id, version, kind, user_id, agent_id, session_id, cube_id = row
    return DeletedMemory(
        id=memory_id,
        version=int(version),
        kind=int(kind),
        scope=memory_pb2.Scope(
            user_id=user_id, agent_id=agent_id, session_id=session_id, cube_id=cube_id
        ),
    )
