"""Request builders shared by the memory-store tests."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Sequence
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from google.protobuf import duration_pb2
from memgrid.common.v1 import memory_pb2 as mpb
from memgrid.memory.v1 import job_pb2
from memgrid.memory.v1 import request_response_pb2 as rr

from services.memory_store.store.clock import Clock
from services.memory_store.store.config import StoreConfig
from services.memory_store.store.postgres import open_postgres_store
from services.memory_store.store.sql_store import SqlMemoryStore
from services.memory_store.store.sqlite import open_sqlite_store

TENANT = "tenant-a"
OTHER_TENANT = "tenant-b"
POSTGRES_DSN_VARIABLE = "MEMGRID_TEST_POSTGRES_DSN"


def running_in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"true", "1", "yes"}


def postgres_dsn_or_skip() -> str:
    """The DSN of the test's PostgreSQL server. Without one the test is skipped, or fails
    when CI=true: there every backend is mandatory."""
    dsn = os.environ.get(POSTGRES_DSN_VARIABLE, "")
    if not dsn:
        message = (
            f"start PostgreSQL and set {POSTGRES_DSN_VARIABLE} "
            "(`scripts/postgres-test-server` starts one and prints its DSN)"
        )
        if running_in_ci():
            pytest.fail(f"CI needs PostgreSQL: {message}")
        pytest.skip(message)
    return dsn


@dataclass(frozen=True)
class StoreLocation:
    """Where a test's database lives: a SQLite file or a PostgreSQL schema."""

    backend: str
    sqlite_path: Path | None = None
    postgres_dsn: str = ""
    postgres_schema: str = ""


async def query_directly(location: StoreLocation, sql: str) -> list[tuple[object, ...]]:
    """Runs one statement on the database behind the store's back (for what the store's
    interface does not offer, such as tampering with its schema version)."""
    if location.sqlite_path is not None:
        with closing(sqlite3.connect(location.sqlite_path)) as sqlite, sqlite:
            return sqlite.execute(sql).fetchall()
    async with await psycopg.AsyncConnection.connect(
        location.postgres_dsn,
        autocommit=True,
        options=f"-c search_path={location.postgres_schema}",
    ) as postgres:
        cursor = await postgres.execute(sql.encode())
        return await cursor.fetchall() if cursor.description else []


# Statements that take a store at schema version 4 back to version 3's jobs table, where
# each job's event was a topic and hand-made JSON in payload_json.
UNDO_TYPED_JOB_EVENTS = (
    "ALTER TABLE jobs ADD COLUMN payload_json TEXT NOT NULL DEFAULT '{}'",
    "ALTER TABLE jobs DROP COLUMN event",
)


async def open_store_at(
    location: StoreLocation, config: StoreConfig, clock: Clock | None = None
) -> SqlMemoryStore:
    if location.sqlite_path is not None:
        return await open_sqlite_store(location.sqlite_path, config, clock=clock)
    return await open_postgres_store(
        location.postgres_dsn, config, schema=location.postgres_schema, clock=clock
    )


def new_memory(
    content: str = "Alice prefers green tea",
    *,
    user_id: str = "alice",
    agent_id: str = "",
    session_id: str = "",
    cube_id: str = "",
    kind: int = mpb.MEMORY_KIND_UNSPECIFIED,
    tier: int = mpb.MEMORY_TIER_UNSPECIFIED,
    tags: Sequence[str] = (),
    metadata: dict[str, str] | None = None,
    ttl_seconds: int | None = None,
    importance: float | None = None,
) -> mpb.NewMemory:
    memory = mpb.NewMemory(
        scope=mpb.Scope(user_id=user_id, agent_id=agent_id, session_id=session_id, cube_id=cube_id),
        kind=kind,  # type: ignore[arg-type]
        tier=tier,  # type: ignore[arg-type]
        content=content,
        tags=tags,
        metadata=metadata or {},
    )
    if ttl_seconds is not None:
        memory.ttl.CopyFrom(duration_pb2.Duration(seconds=ttl_seconds))
    if importance is not None:
        memory.importance = importance
    return memory


def create_request(
    *memories: mpb.NewMemory,
    tenant_id: str = TENANT,
    idempotency_key: str = "",
    dedup: bool = False,
) -> rr.CreateMemoriesRequest:
    return rr.CreateMemoriesRequest(
        tenant_id=tenant_id, memories=memories, idempotency_key=idempotency_key, dedup=dedup
    )


async def create(
    store: SqlMemoryStore, *memories: mpb.NewMemory, tenant_id: str = TENANT
) -> list[mpb.Memory]:
    response = await store.create_memories(create_request(*memories, tenant_id=tenant_id))
    return list(response.memories)


def append_request(
    *contents: str,
    tenant_id: str = TENANT,
    user_id: str = "alice",
    session_id: str = "session-1",
    cube_id: str = "",
    idempotency_key: str = "",
) -> rr.AppendMessagesRequest:
    roles = [mpb.ROLE_USER, mpb.ROLE_ASSISTANT]
    return rr.AppendMessagesRequest(
        tenant_id=tenant_id,
        scope=mpb.Scope(user_id=user_id, session_id=session_id, cube_id=cube_id),
        messages=[
            mpb.NewMessage(role=roles[index % 2], content=content)
            for index, content in enumerate(contents)
        ],
        idempotency_key=idempotency_key,
    )


async def all_jobs(
    store: SqlMemoryStore, queue: str = "", tenant_id: str = ""
) -> list[job_pb2.Job]:
    """Every job of a queue, newest first, across pages."""
    jobs: list[job_pb2.Job] = []
    token = ""
    while True:
        page = await store.list_jobs(queue, 0, tenant_id, 100, token)
        jobs.extend(page.jobs)
        token = page.next_page_token
        if not token:
            return jobs
