"""Erasing a whole user or tenant: every row that holds or could replay their content.

The memories go through the normal delete path (memory_deletion.delete_rows), so what was
derived from them goes too and the search index and the graph hear of every deletion
through the outbox. Beside the memories: cubes and grants, session counters, finished jobs
(whose notes and payloads describe the user's data) and stored idempotent responses that
would hand erased memories back to a retried write.
"""

from __future__ import annotations

import logging
import re

from memgrid.common.v1 import memory_pb2
from memgrid.memory.v1 import job_pb2
from memgrid_runtime.job_events import event_user

from .base import ErasedScope
from .clock import timestamp_from_micros
from .context import OperationContext
from .database import Transaction, placeholders
from .jobs import DEAD, DONE
from .memory_deletion import TARGET_COLUMNS, delete_rows, target_of_row
from .provenance import chunks

log = logging.getLogger(__name__)

# Memory ids are UUIDv7 strings (ids.py); responses are scanned for them, not parsed, since
# a stored response may be of any write RPC.
_ID_PATTERN = re.compile(rb"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


async def erase(
    tx: Transaction, context: OperationContext, tenant_id: str, user_id: str | None
) -> ErasedScope:
    """Erases one user of the tenant, or (user_id None) the whole tenant."""
    scope_sql, scope_params = _scope(tenant_id, user_id)
    owned_cubes = [
        row[0]
        for row in await tx.fetch_all(
            f"SELECT cube_id FROM cubes WHERE tenant_id = ?"
            f"{' AND owner_user_id = ?' if user_id is not None else ''}",
            scope_params,
        )
    ]
    rows = await tx.fetch_all(
        f"SELECT {TARGET_COLUMNS} FROM memories m WHERE {scope_sql}"
        f" ORDER BY m.created_at_us, m.id{tx.dialect.for_update}",
        scope_params,
    )
    targets = [target_of_row(row) for row in rows]
    for chunk in chunks(owned_cubes):
        # A cube's memories are its owner's (only the owner writes), but a cube is erased
        # whole: nothing in it may outlive its owner.
        rows = await tx.fetch_all(
            f"SELECT {TARGET_COLUMNS} FROM memories m WHERE m.tenant_id = ?"
            f" AND m.cube_id IN ({placeholders(len(chunk))}){tx.dialect.for_update}",
            (tenant_id, *chunk),
        )
        known = {target.id for target in targets}
        targets.extend(t for row in rows if (t := target_of_row(row)).id not in known)
    erasure = await delete_rows(tx, context, tenant_id, targets)
    deleted = set(erasure.all_deleted_ids)

    cube_grants = 0
    for chunk in chunks(owned_cubes):
        params = (tenant_id, *chunk)
        cube_grants += await tx.execute(
            f"DELETE FROM cube_readers WHERE tenant_id = ?"
            f" AND cube_id IN ({placeholders(len(chunk))})",
            params,
        )
        await tx.execute(
            f"DELETE FROM cubes WHERE tenant_id = ? AND cube_id IN ({placeholders(len(chunk))})",
            params,
        )
    if user_id is not None:
        cube_grants += await tx.execute(
            "DELETE FROM cube_readers WHERE tenant_id = ? AND reader_user_id = ?",
            (tenant_id, user_id),
        )
    await tx.execute(
        f"DELETE FROM session_counters WHERE tenant_id = ?"
        f"{' AND user_id = ?' if user_id is not None else ''}",
        scope_params,
    )
    jobs_deleted = await _delete_finished_jobs(tx, tenant_id, user_id, deleted)
    keys_deleted = await _delete_replayable_responses(tx, tenant_id, user_id, deleted)

    receipt = memory_pb2.ErasureReceipt(
        receipt_id=f"erasure_{context.ids.new()}",
        user_id=user_id or "",
        erased_at=timestamp_from_micros(context.now_us),
        memories_deleted=len(deleted),
        versions_deleted=sum(erasure.versions.values()),
        cubes_deleted=len(owned_cubes),
        cube_grants_deleted=cube_grants,
        jobs_deleted=jobs_deleted,
        idempotency_keys_deleted=keys_deleted,
    )
    # Ids and counts only: the log of an erasure must not hold what it erased.
    log.info(
        "erasure %s: tenant %s user %s: %d memories, %d cubes, %d jobs, %d idempotency keys",
        receipt.receipt_id,
        tenant_id,
        user_id if user_id is not None else "(all)",
        receipt.memories_deleted,
        receipt.cubes_deleted,
        receipt.jobs_deleted,
        receipt.idempotency_keys_deleted,
    )
    return ErasedScope(receipt=receipt, deleted_ids=erasure.all_deleted_ids)


def _scope(tenant_id: str, user_id: str | None) -> tuple[str, tuple[str, ...]]:
    if user_id is None:
        return "m.tenant_id = ?", (tenant_id,)
    return "m.tenant_id = ? AND m.user_id = ?", (tenant_id, user_id)


async def _delete_finished_jobs(
    tx: Transaction, tenant_id: str, user_id: str | None, deleted: set[str]
) -> int:
    """DONE and DEAD jobs about the erased scope. Pending and leased ones stay: among them
    are the memory.deleted jobs that carry this erasure to the derived stores."""
    rows = await tx.fetch_all(
        "SELECT id, memory_id, event FROM jobs WHERE tenant_id = ? AND state IN (?, ?)",
        (tenant_id, DONE, DEAD),
    )
    doomed = [
        job_id
        for job_id, memory_id, event in rows
        if user_id is None
        or memory_id in deleted
        or event_user(job_pb2.JobEvent.FromString(bytes(event))) == user_id
    ]
    for chunk in chunks(doomed):
        await tx.execute(f"DELETE FROM jobs WHERE id IN ({placeholders(len(chunk))})", chunk)
    return len(doomed)


async def _delete_replayable_responses(
    tx: Transaction, tenant_id: str, user_id: str | None, deleted: set[str]
) -> int:
    if user_id is None:
        return await tx.execute("DELETE FROM idempotency_keys WHERE tenant_id = ?", (tenant_id,))
    rows = await tx.fetch_all(
        "SELECT idempotency_key, response FROM idempotency_keys"
        " WHERE tenant_id = ? AND response IS NOT NULL",
        (tenant_id,),
    )
    doomed = [
        key
        for key, response in rows
        if any(found.decode() in deleted for found in _ID_PATTERN.findall(bytes(response)))
    ]
    for chunk in chunks(doomed):
        await tx.execute(
            f"DELETE FROM idempotency_keys WHERE tenant_id = ?"
            f" AND idempotency_key IN ({placeholders(len(chunk))})",
            (tenant_id, *chunk),
        )
    return len(doomed)
