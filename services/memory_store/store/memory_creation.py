"""Creating memories and appending conversation turns: the idempotent write path."""

from __future__ import annotations

from collections.abc import Sequence

from memgrid.common.v1 import memory_pb2
from memgrid.memory.v1 import request_response_pb2 as rr

from . import cubes, idempotency
from .clock import micros_from_duration, seconds_to_micros, timestamp_from_micros
from .context import OperationContext
from .database import Transaction, placeholders
from .filters import memory_filter_conditions
from .jobs import insert_jobs
from .memory_rows import insert_memories
from .memory_rules import DEFAULT_IMPORTANCE, DEFAULT_KIND, content_hash, default_tier
from .outbox import appended_jobs, upserted_jobs
from .rows import MEMORY_COLUMN_COUNT, MEMORY_COLUMNS, memory_from_row

# Scope, kind and normalised content: two memories with the same key say the same thing.
DedupKey = tuple[str, str, str, int, str]


async def create_memories(
    tx: Transaction, context: OperationContext, request: rr.CreateMemoriesRequest
) -> rr.CreateMemoriesResponse:
    tenant_id = request.tenant_id
    replay = await _claim_idempotency_key(tx, context, tenant_id, request.idempotency_key, request)
    if replay is not None:
        response = rr.CreateMemoriesResponse.FromString(replay)
        response.replayed = True
        return response

    await cubes.require_writable(
        tx,
        tenant_id,
        {
            (item.scope.cube_id, item.scope.user_id)
            for item in request.memories
            if item.scope.cube_id
        },
    )
    candidates = [_new_memory(item, context) for item in request.memories]
    known = await _live_duplicates(tx, context, tenant_id, candidates) if request.dedup else {}

    response = rr.CreateMemoriesResponse()
    created: list[memory_pb2.Memory] = []
    for memory in candidates:
        key = _dedup_key(memory)
        if request.dedup and key in known:
            response.memories.append(known[key])
            response.outcomes.append(memory_pb2.WRITE_OUTCOME_DEDUPLICATED)
            continue
        created.append(memory)
        known[key] = memory
        response.memories.append(memory)
        response.outcomes.append(memory_pb2.WRITE_OUTCOME_CREATED)

    await insert_memories(tx, tenant_id, created, context.now_us)
    await insert_jobs(
        tx,
        context,
        upserted_jobs(context.config, tenant_id, created),
    )
    if request.idempotency_key:
        await idempotency.record_response(tx, tenant_id, request.idempotency_key, response)
    return response


async def append_messages(
    tx: Transaction, context: OperationContext, request: rr.AppendMessagesRequest
) -> rr.AppendMessagesResponse:
    tenant_id, scope = request.tenant_id, request.scope
    replay = await _claim_idempotency_key(tx, context, tenant_id, request.idempotency_key, request)
    if replay is not None:
        response = rr.AppendMessagesResponse.FromString(replay)
        response.replayed = True
        return response

    if scope.cube_id:
        await cubes.require_writable(tx, tenant_id, {(scope.cube_id, scope.user_id)})
    count = len(request.messages)
    # The counter row is the session's lock: concurrent appends to one session queue up on
    # it, so their numbers never overlap and never leave gaps.
    row = await tx.fetch_one(
        "INSERT INTO session_counters (tenant_id, user_id, session_id, last_seq)"
        " VALUES (?, ?, ?, ?) ON CONFLICT (tenant_id, user_id, session_id)"
        " DO UPDATE SET last_seq = session_counters.last_seq + excluded.last_seq"
        " RETURNING last_seq",
        (tenant_id, scope.user_id, scope.session_id, count),
    )
    assert row is not None, "an upsert with RETURNING always yields its row"
    first_seq = int(row[0]) - count + 1
    messages = [
        _new_message(scope, message, first_seq + offset, context)
        for offset, message in enumerate(request.messages)
    ]
    await insert_memories(tx, tenant_id, messages, context.now_us)
    await insert_jobs(
        tx,
        context,
        appended_jobs(context.config, tenant_id, messages),
    )
    response = rr.AppendMessagesResponse(memories=messages)
    if request.idempotency_key:
        await idempotency.record_response(tx, tenant_id, request.idempotency_key, response)
    return response


async def _claim_idempotency_key(
    tx: Transaction,
    context: OperationContext,
    tenant_id: str,
    key: str,
    request: rr.CreateMemoriesRequest | rr.AppendMessagesRequest,
) -> bytes | None:
    if not key:
        return None
    retention_us = seconds_to_micros(context.config.idempotency_retention_seconds)
    return await idempotency.claim_key(
        tx,
        tenant_id,
        key,
        idempotency.request_fingerprint(request),
        context.now_us,
        context.now_us - retention_us,
    )


def _new_memory(item: memory_pb2.NewMemory, context: OperationContext) -> memory_pb2.Memory:
    kind = item.kind or DEFAULT_KIND
    now = timestamp_from_micros(context.now_us)
    memory = memory_pb2.Memory(
        id=context.ids.new(),
        scope=item.scope,
        kind=kind,
        tier=item.tier or default_tier(kind),
        content=item.content,
        metadata=item.metadata,
        tags=item.tags,
        importance=item.importance if item.HasField("importance") else DEFAULT_IMPORTANCE,
        source_message_ids=item.source_message_ids,
        content_hash=content_hash(item.content),
        version=1,
        created_at=now,
        updated_at=now,
        valid_from=item.valid_from if item.HasField("valid_from") else now,
    )
    if item.HasField("ttl"):
        expires_at_us = context.now_us + micros_from_duration(item.ttl)
        memory.expires_at.CopyFrom(timestamp_from_micros(expires_at_us))
    return memory


def _new_message(
    scope: memory_pb2.Scope,
    message: memory_pb2.NewMessage,
    session_seq: int,
    context: OperationContext,
) -> memory_pb2.Memory:
    now = timestamp_from_micros(context.now_us)
    return memory_pb2.Memory(
        id=context.ids.new(),
        scope=scope,
        kind=memory_pb2.MEMORY_KIND_MESSAGE,
        tier=memory_pb2.MEMORY_TIER_SHORT,
        content=message.content,
        role=message.role,
        speaker=message.speaker,
        session_seq=session_seq,
        metadata=message.metadata,
        importance=DEFAULT_IMPORTANCE,
        content_hash=content_hash(message.content),
        version=1,
        created_at=now,
        updated_at=now,
        # A turn's content became true when it was said, which may predate its storage.
        valid_from=message.occurred_at if message.HasField("occurred_at") else now,
    )


def _dedup_key(memory: memory_pb2.Memory) -> DedupKey:
    scope = memory.scope
    return (scope.user_id, scope.agent_id, scope.cube_id, memory.kind, memory.content_hash)


async def _live_duplicates(
    tx: Transaction,
    context: OperationContext,
    tenant_id: str,
    candidates: Sequence[memory_pb2.Memory],
) -> dict[DedupKey, memory_pb2.Memory]:
    """The oldest live, unsuperseded memory for each candidate's dedup key, if any."""
    keys = {_dedup_key(memory) for memory in candidates}
    # No unique index can enforce dedup (it is per request), so concurrent writers of the
    # same content take turns here instead of both inserting it.
    await tx.lock_keys(sorted(f"dedup|{tenant_id}|{key!r}" for key in keys))
    hashes = sorted({key[-1] for key in keys})
    conditions = memory_filter_conditions(tenant_id, memory_pb2.MemoryFilter(), context.now_us)
    conditions.add(f"m.content_hash IN ({placeholders(len(hashes))})", *hashes)
    rows = await tx.fetch_all(
        f"SELECT {MEMORY_COLUMNS}, m.user_id, m.agent_id, m.cube_id, m.kind, m.content_hash"
        f" FROM memories m WHERE {conditions.sql()} ORDER BY m.created_at_us, m.id",
        conditions.params,
    )
    found: dict[DedupKey, memory_pb2.Memory] = {}
    for row in rows:
        key: DedupKey = tuple(row[MEMORY_COLUMN_COUNT:])
        if key in keys and key not in found:
            found[key] = memory_from_row(row)
    return found
