"""Workers leasing jobs from memory-store's "thought" queue and running consolidation passes.

memory-store guarantees that two workers (in this process or another replica) never hold
the same job at once; a lease runs out after the visibility timeout unless extended, which
a background keeper does every third of it while a batch is being worked on, so a slow
pass (an LLM) keeps its jobs and a crashed worker's jobs come back after one timeout.
A unit's jobs are acked with a note of what the pass did, or nacked with the error, after
which memory-store retries them with backoff and marks them DEAD after max_attempts.

Passes over one user run one at a time in a process (they reconcile the same facts);
across replicas, the passes' repair steps settle what a race leaves behind.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass

from memgrid.memory.v1 import job_pb2
from memgrid_runtime.errors import FailedPrecondition, MemgridError, NotFound

from services.thought_engine import job_note
from services.thought_engine.consolidation import Consolidator, PassReport
from services.thought_engine.job_plan import QUEUE, Plan, SessionUnit, UserUnit, plan
from services.thought_engine.memory_store_client import Ack, MemoryStoreClient

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
    idle_poll_seconds: float = 0.2
    error_backoff_seconds: float = 1.0
    # Delay before a failed job is retried; 0 leaves it to memory-store's backoff.
    retry_after_seconds: int = 0


class ThoughtWorkers:
    def __init__(
        self, store: MemoryStoreClient, consolidator: Consolidator, settings: WorkerSettings
    ) -> None:
        self._store = store
        self._consolidator = consolidator
        self._settings = settings
        self._user_locks = KeyedLocks()

    async def run(self, stop: asyncio.Event) -> None:
        """Runs `concurrency` lease loops until stop is set."""
        await asyncio.gather(
            *(self._loop(index, stop) for index in range(self._settings.concurrency))
        )

    async def run_once(self, slot: int = 0) -> int:
        """Leases one batch and works it off; returns how many jobs were leased."""
        settings = self._settings
        jobs = await self._store.lease_jobs(
            QUEUE,
            f"{settings.worker_id}/{slot}",
            settings.batch_size,
            settings.visibility_timeout_seconds,
        )
        if not jobs:
            return 0
        async with self._keeping_leases(jobs):
            await self._work(plan(jobs))
        return len(jobs)

    async def _loop(self, slot: int, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                leased = await self.run_once(slot)
            except MemgridError as error:
                log.warning("thought worker: memory-store call failed: %s", error.message)
                await _sleep_unless(stop, self._settings.error_backoff_seconds)
                continue
            except Exception:
                log.exception("thought worker: unexpected failure")
                await _sleep_unless(stop, self._settings.error_backoff_seconds)
                continue
            if leased == 0:
                await _sleep_unless(stop, self._settings.idle_poll_seconds)

    async def _work(self, work: Plan) -> None:
        if work.ignored:
            await self._ack([Ack(job, IGNORED_NOTE) for job in work.ignored])
        for rejected in work.rejected:
            await self._nack([rejected.job], rejected.error)
        for unit in work.units:
            try:
                async with self._user_locks.hold((unit.tenant_id, _user_of(unit))):
                    report = await self._run(unit)
            except Exception as error:  # every failure goes back to the queue with its error
                message = error.message if isinstance(error, MemgridError) else repr(error)
                log.warning("thought pass for %s failed: %s", _describe(unit), message)
                await self._nack(unit.jobs, f"{type(error).__name__}: {message}")
                continue
            note = job_note.render(report)
            await self._ack([Ack(job, note) for job in unit.jobs])

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

    async def _ack(self, acks: Sequence[Ack]) -> None:
        lost = await self._store.ack(acks)
        if lost:
            # Another worker has them now and will redo the (idempotent) pass.
            log.warning("thought worker: %d job lease(s) ran out before the ack", len(lost))

    async def _nack(self, jobs: Sequence[job_pb2.Job], error: str) -> None:
        for job in jobs:
            try:
                await self._store.nack(job, error[:8000], self._settings.retry_after_seconds)
            except (FailedPrecondition, NotFound) as lost:
                log.warning("thought worker: cannot give back job %s: %s", job.id, lost.message)

    @contextlib.asynccontextmanager
    async def _keeping_leases(self, jobs: Sequence[job_pb2.Job]) -> AsyncIterator[None]:
        keeper = asyncio.create_task(self._keep_leases(jobs))
        try:
            yield
        finally:
            keeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await keeper

    async def _keep_leases(self, jobs: Sequence[job_pb2.Job]) -> None:
        timeout = self._settings.visibility_timeout_seconds
        held = list(jobs)
        while held:
            await asyncio.sleep(timeout / 3)
            still_held = []
            for job in held:
                try:
                    await self._store.extend_lease(job, timeout)
                    still_held.append(job)
                except (FailedPrecondition, NotFound):
                    continue  # acked, nacked or lost meanwhile: nothing left to keep
                except MemgridError as error:
                    log.warning("thought worker: extending lease of %s: %s", job.id, error)
                    still_held.append(job)
            held = still_held


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


async def _sleep_unless(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)
