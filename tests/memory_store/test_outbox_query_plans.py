"""The outbox's hot statements never read every row of the jobs table (SQLite's plans).

The table keeps each DONE job for the retention (a week by default, a row per write and
consumer queue), so a statement that visits DONE rows gets slower with every write: the
soak of issue 11 found GetQueueStats reading the whole table. Each statement the lease,
ack, stats and purge paths run is recorded on a real database and explained; a full scan of
jobs (rather than an index search, or a scan of an index alone) fails the test.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from contextlib import closing
from pathlib import Path
from typing import Any

from memgrid.memory.v1 import job_pb2
from memgrid.memory.v1 import request_response_pb2 as rr

from services.memory_store.store import jobs
from services.memory_store.store.config import JobPolicy, StoreConfig
from services.memory_store.store.context import OperationContext
from services.memory_store.store.database import Dialect, Row
from services.memory_store.store.ids import TimeOrderedIds
from services.memory_store.store.outbox import change_event
from services.memory_store.store.sqlite import _SqliteTransaction, open_sqlite_store

QUEUES = ("search", "graph", "thought")


class RecordingTransaction:
    """A real SQLite transaction that remembers every statement it ran."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._tx = _SqliteTransaction(connection)
        self.statements: list[tuple[str, tuple[Any, ...]]] = []

    @property
    def dialect(self) -> Dialect:
        return self._tx.dialect

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        self.statements.append((sql, tuple(params)))
        return await self._tx.execute(sql, params)

    async def execute_many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if rows:
            self.statements.append((sql, tuple(rows[0])))
        await self._tx.execute_many(sql, rows)

    async def fetch_all(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        self.statements.append((sql, tuple(params)))
        return await self._tx.fetch_all(sql, params)

    async def fetch_one(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        self.statements.append((sql, tuple(params)))
        return await self._tx.fetch_one(sql, params)

    async def lock_keys(self, keys: Sequence[str]) -> None:
        await self._tx.lock_keys(keys)


def changed(n: int) -> job_pb2.MemoryChanged:
    return job_pb2.MemoryChanged(memory_id=f"m{n}", version=1)


def full_scans_of_jobs(
    connection: sqlite3.Connection, sql: str, params: tuple[Any, ...]
) -> list[str]:
    plan = [row[3] for row in connection.execute(f"EXPLAIN QUERY PLAN {sql}", params)]
    return [step for step in plan if step.startswith("SCAN jobs") and "COVERING INDEX" not in step]


async def test_lease_ack_stats_and_purge_never_scan_the_jobs_rows(tmp_path: Path) -> None:
    path = tmp_path / "memory-store.db"
    store = await open_sqlite_store(path, StoreConfig(outbox_queues=QUEUES))
    await store.close()
    now_us = 1_800_000_000_000_000
    context = OperationContext(
        config=StoreConfig(outbox_queues=QUEUES, jobs=JobPolicy()),
        ids=TimeOrderedIds(),
        now_us=now_us,
    )
    with closing(sqlite3.connect(path, isolation_level=None)) as connection:
        tx = RecordingTransaction(connection)
        new_jobs = [
            jobs.NewJob(queue, "t1", f"m{n}", 1, change_event("memory_upserted", changed(n)))
            for n in range(300)
            for queue in QUEUES
        ]
        await jobs.insert_jobs(tx, context, new_jobs)
        leased = await jobs.lease_jobs(tx, "search", "w", 200, 60, now_us)
        await jobs.ack_jobs(
            tx,
            [rr.AckJobsRequest.Ack(job_id=j.id, lease_token=j.lease_token) for j in leased[:150]],
            now_us + 1,
        )
        await jobs.queue_stats(tx, [], QUEUES, now_us + 2)
        await jobs.queue_stats(tx, ["search"], QUEUES, now_us + 2)
        await jobs.lease_jobs(tx, "search", "w", 100, 60, now_us + 120_000_000)
        await jobs.purge_done_jobs(tx, now_us + 3)
        assert len(tx.statements) >= 8

        scans = {
            sql: steps
            for sql, params in tx.statements
            if (steps := full_scans_of_jobs(connection, sql, params))
        }
    assert scans == {}
