"""Idempotency keys: a retried write returns its first response and writes nothing.

The key is claimed at the start of the write transaction and its response recorded at the
end of the same transaction, so a key is never stored without the write it stands for (nor
the other way round). On PostgreSQL a concurrent retry blocks on the claimed key's row until
the first attempt commits or rolls back, then replays or proceeds.
"""

from __future__ import annotations

import hashlib

from google.protobuf.message import Message
from memgrid_runtime.errors import Aborted, FailedPrecondition

from .database import Transaction


def request_fingerprint(request: Message) -> str:
    digest = hashlib.sha256(request.DESCRIPTOR.full_name.encode("utf-8"))
    digest.update(b"\0")
    digest.update(request.SerializeToString(deterministic=True))
    return digest.hexdigest()


async def claim_key(
    tx: Transaction,
    tenant_id: str,
    key: str,
    fingerprint: str,
    now_us: int,
    expired_before_us: int,
) -> bytes | None:
    """Claims `key` for this request; returns the stored response when it is a retry.

    A key older than the retention counts as free even before the sweeper removes it.
    """
    claimed = await tx.fetch_one(
        "INSERT INTO idempotency_keys"
        " (tenant_id, idempotency_key, fingerprint, response, created_at_us)"
        " VALUES (?, ?, ?, NULL, ?)"
        " ON CONFLICT (tenant_id, idempotency_key) DO UPDATE SET"
        " fingerprint = excluded.fingerprint, response = NULL,"
        " created_at_us = excluded.created_at_us"
        " WHERE idempotency_keys.created_at_us < ?"
        " RETURNING idempotency_key",
        (tenant_id, key, fingerprint, now_us, expired_before_us),
    )
    if claimed is not None:
        return None
    existing = await tx.fetch_one(
        "SELECT fingerprint, response FROM idempotency_keys"
        " WHERE tenant_id = ? AND idempotency_key = ?",
        (tenant_id, key),
    )
    if existing is None or existing[1] is None:
        # Only possible if another transaction claimed the key without committing its
        # response, which the single-transaction write path rules out; retrying is safe.
        raise Aborted("the idempotency key is being used by a request in progress")
    stored_fingerprint, response = existing
    if stored_fingerprint != fingerprint:
        raise FailedPrecondition(
            "the idempotency key was already used with a different request",
            reason="IDEMPOTENCY_KEY_REUSED",
            metadata={"idempotency_key": key},
        )
    return bytes(response)


async def record_response(tx: Transaction, tenant_id: str, key: str, response: Message) -> None:
    await tx.execute(
        "UPDATE idempotency_keys SET response = ? WHERE tenant_id = ? AND idempotency_key = ?",
        (response.SerializeToString(deterministic=True), tenant_id, key),
    )


async def delete_expired_keys(tx: Transaction, expired_before_us: int) -> int:
    return await tx.execute(
        "DELETE FROM idempotency_keys WHERE created_at_us < ?", (expired_before_us,)
    )
