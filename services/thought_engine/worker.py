"""The thought queue's handler: leased "thought" jobs become consolidation passes.

memgrid_runtime.job_worker leases the jobs, keeps their leases alive while a pass runs (a
slow pass, an LLM, keeps its jobs; a crashed worker's jobs come back after one timeout)
and settles them. A unit's jobs are acked with a note of what the pass did; a pass that
met a dependency outage (memory-store, graph or search unreachable) defers them without
spending an attempt; any other failure gives them back with the error, after which
memory-store retries them with backoff and marks them DEAD after max_attempts.

Passes over one user run one at a time in a process (they reconcile the same facts);
across replicas, the passes' repair steps settle what a race leaves behind.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass

from memgrid_runtime.errors import MemgridError
from memgrid_runtime.job_worker import JobWorker, JobWorkerSettings, LeasedBatch, is_outage

from services.thought_engine import job_note
from services.thought_engine.consolidation import Consolidator, PassReport
from services.thought_engine.job_plan import QUEUE, SessionUnit, UserUnit, plan
from services.thought_engine.memory_store_client import MemoryStoreClient

log = logging.getLogger(__name__)

IGNORED_NOTE = "no thought-engine work for this topic"


@dataclass(frozen=True)
class WorkerSettings:
    worker_id: str
    concurrency: int = 2
    batch_size: int = 50
    visibility_timeout_seconds: int = 60
    # Time a pass may spend on LLM calls before they degrade to the deterministic path.
    pass_budget_seconds: float = 120.0
    # Pause after an empty lease (a waiting lease makes it rare).
    idle_poll_seconds: float = 0.2
    error_backoff_seconds: float = 1.0
    # Delay before a failed job is retried; 0 leaves it to memory-store's backoff.
    retry_after_seconds: int = 0
    # First pause after a dependency outage, doubling while it lasts up to the maximum.
    outage_backoff_seconds: float = 1.0
    outage_backoff_max_seconds: float = 60.0
    # A pass in progress is given this long to finish on shutdown; an unfinished one goes
    # back to the queue at once, its attempt not counted.
    stop_grace_seconds: float = 5.0

    def worker(self) -> JobWorkerSettings:
        return JobWorkerSettings(
            queue=QUEUE,
            worker_id=self.worker_id,
            concurrency=self.concurrency,
            batch_size=self.batch_size,
            visibility_timeout_seconds=self.visibility_timeout_seconds,
            idle_seconds=self.idle_poll_seconds,
            error_backoff_seconds=self.error_backoff_seconds,
            retry_after_seconds=self.retry_after_seconds,
            outage_backoff_seconds=self.outage_backoff_seconds,
            outage_backoff_max_seconds=self.outage_backoff_max_seconds,
            stop_grace_seconds=self.stop_grace_seconds,
        )


class ThoughtWorkers:
    def __init__(
        self, store: MemoryStoreClient, consolidator: Consolidator, settings: WorkerSettings
    ) -> None:
        self._consolidator = consolidator
        self._settings = settings
        self._user_locks = KeyedLocks()
        self.jobs = JobWorker(store.stub, self._handle, settings.worker())

    async def run(self, stop: asyncio.Event) -> None:
        """Runs `concurrency` lease loops until stop is set."""
        await self.jobs.run(stop)

    async def run_once(self, slot: int = 0) -> int:
        """Leases one batch and works it off; returns how many jobs were leased."""
        return await self.jobs.run_once(slot)

    async def _handle(self, batch: LeasedBatch) -> None:
        work = plan(batch.jobs)
        await batch.ack(work.ignored, IGNORED_NOTE)
        for rejected in work.rejected:
            await batch.fail([rejected.job], rejected.error)
        for unit in work.units:
            try:
                async with self._user_locks.hold((unit.tenant_id, _user_of(unit))):
                    report = await self._run(unit)
            except Exception as error:  # every failure goes back to the queue with its error
                message = error.message if isinstance(error, MemgridError) else repr(error)
                log.warning("thought pass for %s failed: %s", _describe(unit), message)
                failure = f"{type(error).__name__}: {message}"
                if is_outage(error):
                    await batch.defer(unit.jobs, failure)
                else:
                    await batch.fail(unit.jobs, failure)
                continue
            await batch.ack(unit.jobs, job_note.render(report))

    async def _run(self, unit: SessionUnit | UserUnit) -> PassReport:
        deadline = time.monotonic() + self._settings.pass_budget_seconds
        if isinstance(unit, SessionUnit):
            return await self._consolidator.session_pass(
                unit.tenant_id,
                unit.scope,
                unit.message_ids,
                seqs=(unit.first_seq, unit.last_seq),
                deadline=deadline,
            )
        return await self._consolidator.user_pass(
            unit.tenant_id, unit.user_id, unit.session_id, deadline=deadline
        )


class KeyedLocks:
    """One asyncio lock per key, dropped when nobody holds or waits for it any more."""

    def __init__(self) -> None:
        self._locks: dict[tuple[str, str], tuple[asyncio.Lock, int]] = {}

    @contextlib.asynccontextmanager
    async def hold(self, key: tuple[str, str]) -> AsyncIterator[None]:
        lock, users = self._locks.get(key, (asyncio.Lock(), 0))
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[key]
            if users == 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)


def _user_of(unit: SessionUnit | UserUnit) -> str:
    return unit.scope.user_id if isinstance(unit, SessionUnit) else unit.user_id


def _describe(unit: SessionUnit | UserUnit) -> str:
    if isinstance(unit, SessionUnit):
        return f"session {unit.scope.session_id!r} of user {unit.scope.user_id!r}"
    return f"user {unit.user_id!r}"
