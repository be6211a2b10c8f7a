"""One worker for every outbox queue: the search, graph and thought consumers hand it a handler.

The worker owns everything about a job except what it means: leasing a batch (a waiting
lease, so an idle worker makes one call per wait instead of polling), keeping the leases
alive while the handler runs, settling every job (ack, nack with the error, or "deferred"
when a dependency is down), backing off, the metrics, and a graceful stop. A handler gets
a `LeasedBatch`, settles what it can as it goes, and may simply raise: what it leaves
unsettled is settled from the exception.

Leases are kept from the time the lease was *asked for*, not received: memory-store stamps
the expiry when it leases, so the worker's own clock must not start later than that. A
lease that could not be extended (memory-store slow or briefly down) is tried again within
a second rather than a third of the timeout later, and a lease another worker took over is
reported and no longer extended.

A dependency outage (UNAVAILABLE, DEADLINE_EXCEEDED, a refused connection) is not the
job's fault: its jobs go back with `dependency_unavailable`, which does not count the
attempt, and the worker pauses before leasing again, doubling the pause while the outage
lasts (capped), so a long outage is waited out without spending attempts or spinning.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

import grpc
from memgrid.memory.v1 import job_pb2
from memgrid.memory.v1 import request_response_pb2 as mrr
from prometheus_client import Counter, Histogram

from memgrid_runtime.errors import (
    DeadlineExceeded,
    FailedPrecondition,
    MemgridError,
    NotFound,
    Unavailable,
    from_rpc_error,
)

if TYPE_CHECKING:
    from memgrid.memory.v1.service_pb2_grpc import MemoryStoreServiceAsyncStub

log = logging.getLogger(__name__)
_T = TypeVar("_T")

JOBS_SETTLED = Counter(
    "memgrid_jobs_settled_total",
    "Outbox jobs a worker settled, by queue, topic and outcome (done, failed, dead, deferred"
    " for a dependency outage, lost when another worker had taken the job over).",
    ["queue", "topic", "outcome"],
)
LEASE_EXTENSIONS = Counter(
    "memgrid_job_lease_extensions_total",
    "Lease extensions a worker asked for, by queue and outcome (ok, retried, lost).",
    ["queue", "outcome"],
)
BATCH_SECONDS = Histogram(
    "memgrid_job_batch_duration_seconds",
    "Time a handler spent on one leased batch, by queue.",
    ["queue"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300),
)

# Error messages longer than memory-store accepts (MEMGRID_MAX_JOB_ERROR_CHARS) are cut.
_MAX_ERROR_CHARS = 8000
# A stop does not hold a job back from the next worker for long.
_RELEASE_ON_STOP_SECONDS = 1


@dataclass(frozen=True)
class JobWorkerSettings:
    queue: str
    worker_id: str
    # Lease loops in this process; each leases with worker id "<worker_id>/<slot>".
    concurrency: int = 1
    batch_size: int = 100
    visibility_timeout_seconds: int = 60
    # How long one LeaseJobs call waits for work when the queue is empty.
    lease_wait_seconds: float = 5.0
    # Pause after an empty lease: only matters with a memory-store that does not wait.
    idle_seconds: float = 0.2
    # Delay before a failed job is retried; 0 leaves it to memory-store's backoff.
    retry_after_seconds: int = 0
    # First pause (and retry delay) after a dependency outage; doubles while it lasts.
    outage_backoff_seconds: float = 1.0
    outage_backoff_max_seconds: float = 60.0
    # Pause after memory-store itself failed; doubles while it lasts.
    error_backoff_seconds: float = 1.0
    error_backoff_max_seconds: float = 30.0
    # How long stop() lets a running batch finish before cancelling it.
    stop_grace_seconds: float = 10.0


def is_outage(error: BaseException) -> bool:
    """Whether `error` says a dependency is unreachable rather than the job being wrong."""
    if isinstance(error, Unavailable | DeadlineExceeded):
        return True
    if isinstance(error, grpc.RpcError):
        code = error.code() if callable(getattr(error, "code", None)) else None
        return code in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED)
    return isinstance(error, ConnectionError)


def describe(error: BaseException) -> str:
    if isinstance(error, MemgridError):
        return f"{type(error).__name__}: {error.message}"
    return f"{type(error).__name__}: {error}"


class LeasedBatch:
    """The jobs of one lease, and the ways to settle them. Settling a job twice, or one
    another worker took over, does nothing."""

    def __init__(self, worker: JobWorker, jobs: Sequence[job_pb2.Job]) -> None:
        self.jobs: tuple[job_pb2.Job, ...] = tuple(jobs)
        self._worker = worker
        self._settled: set[str] = set()
        self.lost: set[str] = set()
        # Whether any job went back for a dependency outage.
        self.deferred = False

    @property
    def unsettled(self) -> list[job_pb2.Job]:
        return [job for job in self.jobs if self.is_open(job)]

    def is_open(self, job: job_pb2.Job) -> bool:
        return job.id not in self._settled and job.id not in self.lost

    async def ack(self, jobs: Iterable[job_pb2.Job], note: str = "") -> None:
        todo = self._claim(jobs)
        if not todo:
            return
        reply = await self._worker.call(
            self._worker.stub.AckJobs(
                mrr.AckJobsRequest(
                    acks=[
                        mrr.AckJobsRequest.Ack(job_id=j.id, lease_token=j.lease_token, note=note)
                        for j in todo
                    ]
                )
            )
        )
        lost = set(reply.lost_job_ids)
        if lost:
            # Another worker has them now and redoes the (idempotent) work.
            log.warning("%s: %d job lease(s) ran out before the ack", self._queue, len(lost))
        for job in todo:
            self._count(job, "lost" if job.id in lost else "done")

    async def fail(self, jobs: Iterable[job_pb2.Job], error: str) -> None:
        """Gives the jobs back with their error: retried later, DEAD after max_attempts."""
        await self._nack(jobs, error, self._worker.settings.retry_after_seconds, outage=False)

    async def defer(self, jobs: Iterable[job_pb2.Job], error: str) -> None:
        """Gives the jobs back without spending their attempt: a dependency is down."""
        todo = list(jobs)
        if not todo:
            return
        if not self.deferred:
            self.deferred = True
            self._worker.outage_began()
        await self.give_back(todo, error, math.ceil(self._worker.outage_delay()))

    async def give_back(self, jobs: Iterable[job_pb2.Job], error: str, retry_after: int) -> None:
        """Returns the jobs without spending their attempt, visible again after retry_after."""
        await self._nack(jobs, error, retry_after, outage=True)

    async def fail_with(self, jobs: Iterable[job_pb2.Job], error: BaseException) -> None:
        """Defers the jobs if `error` is a dependency outage, fails them otherwise."""
        if is_outage(error):
            await self.defer(jobs, describe(error))
        else:
            await self.fail(jobs, describe(error))

    async def _nack(
        self, jobs: Iterable[job_pb2.Job], error: str, retry_after: int, *, outage: bool
    ) -> None:
        for job in self._claim(jobs):
            request = mrr.NackJobRequest(
                job_id=job.id,
                lease_token=job.lease_token,
                error=error[:_MAX_ERROR_CHARS],
                retry_after_seconds=retry_after,
                dependency_unavailable=outage,
            )
            try:
                reply = await self._worker.call(self._worker.stub.NackJob(request))
            except (FailedPrecondition, NotFound) as lost:
                log.warning("%s: cannot give back job %s: %s", self._queue, job.id, lost.message)
                self._count(job, "lost")
                continue
            if outage:
                outcome = "deferred"
            else:
                outcome = "dead" if reply.job.state == job_pb2.JOB_STATE_DEAD else "failed"
            self._count(job, outcome)

    def _claim(self, jobs: Iterable[job_pb2.Job]) -> list[job_pb2.Job]:
        todo = [job for job in jobs if self.is_open(job)]
        self._settled.update(job.id for job in todo)
        return todo

    def _count(self, job: job_pb2.Job, outcome: str) -> None:
        JOBS_SETTLED.labels(self._queue, job.topic or "none", outcome).inc()

    @property
    def _queue(self) -> str:
        return self._worker.settings.queue


Handler = Callable[[LeasedBatch], Awaitable[None]]


class JobWorker:
    def __init__(
        self,
        memory_store: MemoryStoreServiceAsyncStub,
        handler: Handler,
        settings: JobWorkerSettings,
    ) -> None:
        self.settings = settings
        self.stub = memory_store
        self._handler = handler
        self._stop = asyncio.Event()
        self._running: asyncio.Task[None] | None = None
        self._outages = 0
        self._memory_store_failures = 0

    # --- running --------------------------------------------------------------------------

    def start(self) -> None:
        """Runs the lease loops in the background until stop()."""
        self._running = asyncio.create_task(self.run(self._stop))

    async def stop(self) -> None:
        """Stops leasing, lets running batches finish within the grace, then cancels them
        (their unsettled jobs go back at once, without spending an attempt)."""
        self._stop.set()
        if self._running is None:
            return
        try:
            await asyncio.wait_for(asyncio.shield(self._running), self.settings.stop_grace_seconds)
        except TimeoutError:
            self._running.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._running

    async def run(self, stop: asyncio.Event) -> None:
        """Runs `concurrency` lease loops until `stop` is set; a batch being worked on when
        it is set is finished first."""
        await asyncio.gather(*(self._loop(slot, stop) for slot in range(self.settings.concurrency)))

    async def run_once(self, slot: int = 0, *, wait_seconds: float = 0.0) -> int:
        """Leases one batch (waiting up to wait_seconds for one) and works it off; returns
        how many jobs were leased."""
        asked_at = time.monotonic()
        jobs = await self._lease(slot, wait_seconds)
        if jobs:
            await self._work(LeasedBatch(self, jobs), asked_at)
        return len(jobs)

    async def _loop(self, slot: int, stop: asyncio.Event) -> None:
        settings = self.settings
        while not stop.is_set():
            asked_at = time.monotonic()
            try:
                jobs = await _unless_stopped(stop, self._lease(slot, settings.lease_wait_seconds))
            except MemgridError as error:
                await _sleep_unless(stop, self._memory_store_backoff(error))
                continue
            except Exception:
                log.exception("%s worker: unexpected failure", settings.queue)
                await _sleep_unless(stop, self._memory_store_backoff(None))
                continue
            if jobs is None:
                return  # stopped while waiting for work
            if jobs:
                await self._work(LeasedBatch(self, jobs), asked_at)
            if self._outages:
                await _sleep_unless(stop, self.outage_delay())
            elif not jobs:
                await _sleep_unless(stop, settings.idle_seconds)

    async def _lease(self, slot: int, wait_seconds: float) -> list[job_pb2.Job]:
        settings = self.settings
        reply = await self.call(
            self.stub.LeaseJobs(
                mrr.LeaseJobsRequest(
                    queue=settings.queue,
                    worker_id=f"{settings.worker_id}/{slot}",
                    max_jobs=settings.batch_size,
                    visibility_timeout_seconds=settings.visibility_timeout_seconds,
                    wait_milliseconds=int(wait_seconds * 1000),
                ),
                # Room for memory-store to answer once the wait is over.
                timeout=wait_seconds + 10.0,
            )
        )
        self._memory_store_failures = 0
        return list(reply.jobs)

    # --- one batch ------------------------------------------------------------------------

    async def _work(self, batch: LeasedBatch, asked_at: float) -> None:
        keeper = asyncio.create_task(self._keep_leases(batch, asked_at))
        started = time.perf_counter()
        try:
            await self._handler(batch)
        except asyncio.CancelledError:
            await asyncio.shield(self._release(batch))
            raise
        except Exception as error:
            if not is_outage(error):
                log.warning("%s handler failed: %s", self.settings.queue, describe(error))
            await batch.fail_with(batch.unsettled, error)
        else:
            await batch.fail(batch.unsettled, "the handler returned without settling this job")
        finally:
            keeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await keeper
            BATCH_SECONDS.labels(self.settings.queue).observe(time.perf_counter() - started)
        if not batch.deferred:
            self._outages = 0

    async def _release(self, batch: LeasedBatch) -> None:
        """Gives a cancelled batch's jobs back at once: the stop was not their fault."""
        try:
            await batch.give_back(batch.unsettled, "the worker stopped", _RELEASE_ON_STOP_SECONDS)
        except MemgridError as error:
            log.warning("%s: releasing jobs on stop failed: %s", self.settings.queue, error)

    async def _keep_leases(self, batch: LeasedBatch, asked_at: float) -> None:
        timeout = self.settings.visibility_timeout_seconds
        # Extend at a third of the lease, from when it was asked for; after a failed
        # extension, try again soon while the lease still runs.
        interval, retry = timeout / 3, min(timeout / 10, 1.0)
        next_try = {job.id: asked_at + interval for job in batch.jobs}
        while True:
            held = [job for job in batch.unsettled if job.id in next_try]
            if not held:
                return
            await asyncio.sleep(max(min(next_try[j.id] for j in held) - time.monotonic(), 0))
            sent = time.monotonic()
            due = [job for job in batch.unsettled if next_try.get(job.id, math.inf) <= sent]
            outcomes = await asyncio.gather(
                *(self._extend(job, timeout) for job in due), return_exceptions=True
            )
            for job, outcome in zip(due, outcomes, strict=True):
                if outcome is None:
                    next_try[job.id] = sent + interval
                    LEASE_EXTENSIONS.labels(self.settings.queue, "ok").inc()
                elif isinstance(outcome, FailedPrecondition | NotFound):
                    if batch.is_open(job):
                        log.warning(
                            "%s: lost the lease on job %s: %s",
                            self.settings.queue,
                            job.id,
                            outcome.message,
                        )
                        batch.lost.add(job.id)
                        LEASE_EXTENSIONS.labels(self.settings.queue, "lost").inc()
                    del next_try[job.id]
                elif isinstance(outcome, Exception):
                    log.warning(
                        "%s: extending the lease on job %s failed, trying again: %s",
                        self.settings.queue,
                        job.id,
                        describe(outcome),
                    )
                    next_try[job.id] = sent + retry
                    LEASE_EXTENSIONS.labels(self.settings.queue, "retried").inc()
                else:
                    raise outcome

    async def _extend(self, job: job_pb2.Job, timeout: int) -> None:
        await self.call(
            self.stub.ExtendLease(
                mrr.ExtendLeaseRequest(
                    job_id=job.id, lease_token=job.lease_token, visibility_timeout_seconds=timeout
                ),
                # An extension that cannot answer within a third of the lease is useless.
                timeout=max(timeout / 3, 1.0),
            )
        )

    # --- memory-store and backoff ---------------------------------------------------------

    async def call(self, pending: Awaitable[_T]) -> _T:
        """Awaits a memory-store call, its failure rebuilt as a domain error."""
        try:
            return await pending
        except grpc.aio.AioRpcError as error:
            raise from_rpc_error(error) from None

    def outage_began(self) -> None:
        """Counts one more batch in a row that met a dependency outage."""
        self._outages += 1

    def outage_delay(self) -> float:
        """The pause (and retry delay) the current run of outages calls for."""
        settings = self.settings
        return min(
            settings.outage_backoff_seconds * 2 ** min(self._outages - 1, 30),
            settings.outage_backoff_max_seconds,
        )

    def _memory_store_backoff(self, error: MemgridError | None) -> float:
        settings = self.settings
        self._memory_store_failures += 1
        delay = min(
            settings.error_backoff_seconds * 2 ** min(self._memory_store_failures - 1, 30),
            settings.error_backoff_max_seconds,
        )
        if error is not None:
            log.warning(
                "%s worker: memory-store call failed (next try in %.1fs): %s",
                settings.queue,
                delay,
                error.message,
            )
        return delay


async def _unless_stopped(stop: asyncio.Event, work: Awaitable[_T]) -> _T | None:
    """`work`'s result, or None once `stop` is set first (`work` is then cancelled: a lease
    cancelled while it waits has leased nothing)."""
    working = asyncio.ensure_future(work)
    stopping = asyncio.create_task(stop.wait())
    try:
        await asyncio.wait({working, stopping}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopping.cancel()
        if not working.done():
            working.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await working
    return working.result() if not working.cancelled() else None


async def _sleep_unless(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)
