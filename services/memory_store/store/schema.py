"""The versioned schema, applied when a store opens.

Each migration is a list of steps: statements in SQL both backends accept, with `{blob}`
and `{float}` standing for the column types that differ, or functions for what SQL alone
cannot do (reading a value out of a memory's protobuf body). Versions already applied are
recorded in `schema_migrations`; a database from a newer release is refused rather than
guessed at.
Times are BIGINT microseconds since the epoch (see clock.py).
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Awaitable, Callable

from memgrid.common.v1 import memory_pb2
from memgrid.memory.v1 import job_pb2

from .clock import Clock
from .database import Dialect, Transaction
from .outbox import change_event

Step = str | Callable[[Transaction], Awaitable[None]]

_MIGRATION_LOCK_KEY = "memgrid.memory_store.schema"

_V1_INITIAL: list[Step] = [
    """
    CREATE TABLE memories (
        tenant_id TEXT NOT NULL,
        id TEXT NOT NULL,
        user_id TEXT NOT NULL,
        agent_id TEXT NOT NULL,
        session_id TEXT NOT NULL,
        cube_id TEXT NOT NULL,
        kind INTEGER NOT NULL,
        tier INTEGER NOT NULL,
        content_hash TEXT NOT NULL,
        version BIGINT NOT NULL,
        session_seq BIGINT NOT NULL,
        created_at_us BIGINT NOT NULL,
        updated_at_us BIGINT NOT NULL,
        expires_at_us BIGINT,
        valid_to_us BIGINT,
        -- Visits change these without a new version, so they live outside the body and
        -- are laid over it on read.
        heat {float} NOT NULL,
        visit_count BIGINT NOT NULL,
        last_visited_at_us BIGINT,
        -- The memory.v1 Memory message as of its last version: the read path parses it.
        body {blob} NOT NULL,
        PRIMARY KEY (tenant_id, id)
    )
    """,
    "CREATE INDEX memories_by_time ON memories (tenant_id, created_at_us, id)",
    "CREATE INDEX memories_by_user ON memories (tenant_id, user_id, created_at_us, id)",
    "CREATE INDEX memories_by_session ON memories (tenant_id, session_id, created_at_us, id)",
    "CREATE INDEX memories_by_cube ON memories (tenant_id, cube_id, created_at_us, id)",
    "CREATE INDEX memories_by_hash ON memories (tenant_id, content_hash)",
    "CREATE INDEX memories_by_expiry ON memories (expires_at_us) WHERE expires_at_us IS NOT NULL",
    """
    CREATE TABLE memory_tags (
        tenant_id TEXT NOT NULL,
        memory_id TEXT NOT NULL,
        tag TEXT NOT NULL,
        PRIMARY KEY (tenant_id, memory_id, tag)
    )
    """,
    "CREATE INDEX memory_tags_by_tag ON memory_tags (tenant_id, tag)",
    """
    CREATE TABLE memory_metadata (
        tenant_id TEXT NOT NULL,
        memory_id TEXT NOT NULL,
        meta_key TEXT NOT NULL,
        meta_value TEXT NOT NULL,
        PRIMARY KEY (tenant_id, memory_id, meta_key)
    )
    """,
    "CREATE INDEX memory_metadata_by_pair ON memory_metadata (tenant_id, meta_key, meta_value)",
    """
    CREATE TABLE memory_history (
        tenant_id TEXT NOT NULL,
        memory_id TEXT NOT NULL,
        version BIGINT NOT NULL,
        change_type INTEGER NOT NULL,
        changed_at_us BIGINT NOT NULL,
        body {blob} NOT NULL,
        PRIMARY KEY (tenant_id, memory_id, version)
    )
    """,
    """
    CREATE TABLE session_counters (
        tenant_id TEXT NOT NULL,
        user_id TEXT NOT NULL,
        session_id TEXT NOT NULL,
        last_seq BIGINT NOT NULL,
        PRIMARY KEY (tenant_id, user_id, session_id)
    )
    """,
    """
    CREATE TABLE cubes (
        tenant_id TEXT NOT NULL,
        cube_id TEXT NOT NULL,
        owner_user_id TEXT NOT NULL,
        name TEXT NOT NULL,
        description TEXT NOT NULL,
        created_at_us BIGINT NOT NULL,
        PRIMARY KEY (tenant_id, cube_id)
    )
    """,
    "CREATE INDEX cubes_by_owner ON cubes (tenant_id, owner_user_id)",
    """
    CREATE TABLE cube_readers (
        tenant_id TEXT NOT NULL,
        cube_id TEXT NOT NULL,
        reader_user_id TEXT NOT NULL,
        granted_at_us BIGINT NOT NULL,
        PRIMARY KEY (tenant_id, cube_id, reader_user_id)
    )
    """,
    "CREATE INDEX cube_readers_by_reader ON cube_readers (tenant_id, reader_user_id)",
    """
    CREATE TABLE idempotency_keys (
        tenant_id TEXT NOT NULL,
        idempotency_key TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        response {blob},
        created_at_us BIGINT NOT NULL,
        PRIMARY KEY (tenant_id, idempotency_key)
    )
    """,
    "CREATE INDEX idempotency_keys_by_age ON idempotency_keys (created_at_us)",
    """
    CREATE TABLE jobs (
        id TEXT NOT NULL PRIMARY KEY,
        queue TEXT NOT NULL,
        tenant_id TEXT NOT NULL,
        topic TEXT NOT NULL,
        memory_id TEXT NOT NULL,
        memory_version BIGINT NOT NULL,
        payload_json TEXT NOT NULL,
        dedup_key TEXT NOT NULL,
        state INTEGER NOT NULL,
        attempts INTEGER NOT NULL,
        max_attempts INTEGER NOT NULL,
        last_error TEXT NOT NULL,
        note TEXT NOT NULL,
        lease_token TEXT NOT NULL,
        leased_by TEXT NOT NULL,
        lease_expires_at_us BIGINT,
        available_at_us BIGINT NOT NULL,
        created_at_us BIGINT NOT NULL,
        updated_at_us BIGINT NOT NULL
    )
    """,
    "CREATE INDEX jobs_available ON jobs (queue, state, available_at_us, id)",
    "CREATE INDEX jobs_leases ON jobs (queue, state, lease_expires_at_us, id)",
    "CREATE INDEX jobs_newest ON jobs (created_at_us, id)",
    "CREATE INDEX jobs_by_state_age ON jobs (state, updated_at_us)",
    # state 1 is JOB_STATE_PENDING: a key dedups only while its job waits.
    "CREATE UNIQUE INDEX jobs_pending_dedup ON jobs (queue, dedup_key)"
    " WHERE state = 1 AND dedup_key <> ''",
]


# Rows read per statement while a migration rewrites every memory.
_BACKFILL_BATCH = 1000


async def _stored_bodies(
    tx: Transaction,
) -> AsyncIterator[list[tuple[str, str, memory_pb2.Memory]]]:
    """Every stored memory as (tenant_id, id, body), in batches of _BACKFILL_BATCH, in
    (tenant_id, id) order: a back-fill writes each batch before the next is read."""
    after: tuple[str, str] = ("", "")
    while True:
        rows = await tx.fetch_all(
            "SELECT tenant_id, id, body FROM memories WHERE (tenant_id, id) > (?, ?)"
            " ORDER BY tenant_id, id LIMIT ?",
            (*after, _BACKFILL_BATCH),
        )
        yield [
            (tenant_id, memory_id, memory_pb2.Memory.FromString(bytes(body)))
            for tenant_id, memory_id, body in rows
        ]
        if len(rows) < _BACKFILL_BATCH:
            return
        after = (rows[-1][0], rows[-1][1])


async def _copy_successors_out_of_bodies(tx: Transaction) -> None:
    """Version 1 kept superseded_by only in the body, where SQL cannot filter on it."""
    async for batch in _stored_bodies(tx):
        await tx.execute_many(
            "UPDATE memories SET superseded_by = ? WHERE tenant_id = ? AND id = ?",
            [
                (memory.superseded_by, tenant_id, memory_id)
                for tenant_id, memory_id, memory in batch
                if memory.superseded_by
            ],
        )


# superseded_by beside valid_to, so that "superseded" (a successor named, or validity
# ended) is one SQL condition of memgrid_runtime.memory_filter's rule.
_V2_SUCCESSOR_COLUMN: list[Step] = [
    "ALTER TABLE memories ADD COLUMN superseded_by TEXT NOT NULL DEFAULT ''",
    _copy_successors_out_of_bodies,
]

# The thought engine's provenance of a fact restated by later messages, kept in metadata by
# releases before memory_sources existed (it now updates source_message_ids as well).
_LEGACY_SOURCES_KEY = "thought.sources"


async def _index_sources_of_stored_memories(tx: Transaction) -> None:
    async for batch in _stored_bodies(tx):
        links = []
        for tenant_id, memory_id, memory in batch:
            legacy = memory.metadata.get(_LEGACY_SOURCES_KEY, "").split(",")
            for source_id in dict.fromkeys([*memory.source_message_ids, *legacy]):
                if source_id:
                    links.append((tenant_id, source_id, memory_id))
        await tx.execute_many(
            "INSERT INTO memory_sources (tenant_id, source_id, memory_id) VALUES (?, ?, ?)"
            " ON CONFLICT DO NOTHING",
            links,
        )


# Notes of finished consolidation jobs listed the facts they decided on, values quoted
# ("[ADD user lives_in='Lyon': ...]"): content that a delete could not reach. Notes no longer
# quote content; this drops the list from the notes already written.
_QUOTED_DECISIONS = re.compile(r" \[.*\]", re.DOTALL)


async def _drop_quoted_content_from_job_notes(tx: Transaction) -> None:
    rows = await tx.fetch_all("SELECT id, note FROM jobs WHERE note LIKE '% [%]%'")
    await tx.execute_many(
        "UPDATE jobs SET note = ? WHERE id = ?",
        [(_QUOTED_DECISIONS.sub("", note, count=1), job_id) for job_id, note in rows],
    )


# Provenance where SQL can follow it, so that deleting a memory reaches what was derived
# from it (see provenance.py and memory_deletion.py).
_V3_PROVENANCE: list[Step] = [
    """
    CREATE TABLE memory_sources (
        tenant_id TEXT NOT NULL,
        source_id TEXT NOT NULL,
        memory_id TEXT NOT NULL,
        PRIMARY KEY (tenant_id, source_id, memory_id)
    )
    """,
    "CREATE INDEX memory_sources_by_memory ON memory_sources (tenant_id, memory_id)",
    "CREATE INDEX memories_by_successor ON memories (tenant_id, superseded_by)"
    " WHERE superseded_by <> ''",
    _index_sources_of_stored_memories,
    _drop_quoted_content_from_job_notes,
]

# Jobs written before version 4 described their event as a topic and hand-made JSON.
_LEGACY_CHANGE_TOPICS = {"memory.upserted": "memory_upserted", "memory.deleted": "memory_deleted"}


def _legacy_event(topic: str, payload_json: str) -> job_pb2.JobEvent:
    """The typed event of a job written before version 4; empty for a topic no consumer
    acts on (their workers acknowledge such a job as nothing to do)."""
    try:
        payload = json.loads(payload_json or "{}")
    except ValueError:
        return job_pb2.JobEvent()
    if not isinstance(payload, dict):
        return job_pb2.JobEvent()
    raw_scope = payload.get("scope")
    if not isinstance(raw_scope, dict):
        raw_scope = {}
    scope = memory_pb2.Scope(
        **{k: str(raw_scope.get(k, "")) for k in ("user_id", "agent_id", "session_id", "cube_id")}
    )
    if topic in _LEGACY_CHANGE_TOPICS:
        kind = payload.get("kind")
        changed = job_pb2.MemoryChanged(
            memory_id=str(payload.get("memory_id", "")),
            version=int(payload.get("version", 0)),
            kind=memory_pb2.MemoryKind.Value(kind) if kind in memory_pb2.MemoryKind.keys() else 0,  # type: ignore[arg-type]  # noqa: SIM118
            scope=scope,
        )
        return change_event(_LEGACY_CHANGE_TOPICS[topic], changed)
    if topic == "messages.appended":
        return job_pb2.JobEvent(
            messages_appended=job_pb2.MessagesAppended(
                scope=scope,
                memory_ids=[str(i) for i in payload.get("memory_ids", [])],
                first_session_seq=int(payload.get("first_session_seq", 0)),
                last_session_seq=int(payload.get("last_session_seq", 0)),
            )
        )
    if topic == "consolidation.requested":
        return job_pb2.JobEvent(
            consolidation_requested=job_pb2.ConsolidationRequested(
                user_id=str(payload.get("user_id", "")),
                session_id=str(payload.get("session_id", "")),
            )
        )
    return job_pb2.JobEvent()


async def _type_the_events_of_stored_jobs(tx: Transaction) -> None:
    after = ""
    while True:
        rows = await tx.fetch_all(
            "SELECT id, topic, payload_json FROM jobs WHERE id > ? ORDER BY id LIMIT ?",
            (after, _BACKFILL_BATCH),
        )
        await tx.execute_many(
            "UPDATE jobs SET event = ? WHERE id = ?",
            [
                (_legacy_event(topic, payload).SerializeToString(deterministic=True), job_id)
                for job_id, topic, payload in rows
            ],
        )
        if len(rows) < _BACKFILL_BATCH:
            return
        after = rows[-1][0]


# The outbox as a typed contract: each job's memory.v1 JobEvent, serialized, replaces the
# topic-specific JSON that every consumer parsed by hand.
_V4_TYPED_JOB_EVENTS: list[Step] = [
    "ALTER TABLE jobs ADD COLUMN event {blob}",
    _type_the_events_of_stored_jobs,
    "ALTER TABLE jobs DROP COLUMN payload_json",
]

MIGRATIONS: list[list[Step]] = [
    _V1_INITIAL,
    _V2_SUCCESSOR_COLUMN,
    _V3_PROVENANCE,
    _V4_TYPED_JOB_EVENTS,
]


class SchemaTooNew(RuntimeError):
    """The database was migrated by a newer memory-store than this one."""


async def apply_migrations(tx: Transaction, clock: Clock) -> int:
    """Brings the schema up to date; returns the version it is at."""
    await tx.lock_keys([_MIGRATION_LOCK_KEY])
    await tx.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version INTEGER NOT NULL PRIMARY KEY, applied_at_us BIGINT NOT NULL)"
    )
    row = await tx.fetch_one("SELECT max(version) FROM schema_migrations")
    current = int(row[0]) if row and row[0] is not None else 0
    if current > len(MIGRATIONS):
        raise SchemaTooNew(
            f"the database schema is at version {current}, but this memory-store only knows "
            f"versions up to {len(MIGRATIONS)}: run a newer memory-store"
        )
    for version in range(current + 1, len(MIGRATIONS) + 1):
        for step in MIGRATIONS[version - 1]:
            if isinstance(step, str):
                await tx.execute(_render(step, tx.dialect))
            else:
                await step(tx)
        await tx.execute(
            "INSERT INTO schema_migrations (version, applied_at_us) VALUES (?, ?)",
            (version, clock.now_us()),
        )
    return len(MIGRATIONS)


def _render(statement: str, dialect: Dialect) -> str:
    return statement.replace("{blob}", dialect.blob_type).replace("{float}", dialect.float_type)
