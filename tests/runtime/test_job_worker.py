"""The outbox JobWorker against a real memory-store (SQLite, real gRPC server on a socket):
waiting for work, settling, dead letters, outages that spend no attempt, lease keeping and
the graceful stop."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
from memgrid.memory.v1 import job_pb2
from memgrid.memory.v1 import request_response_pb2 as mrr
from memgrid_runtime.errors import InvalidArgument, Unavailable
from memgrid_runtime.job_worker import JobWorker, JobWorkerSettings, LeasedBatch
from prometheus_client import REGISTRY

from services.memory_store.store.config import JobPolicy, StoreConfig
from tests.thought_engine.conftest import MemoryStoreServer, serve_memory_store

QUEUE = "worker-test"
TENANT = "tenant-w"
PENDING, LEASED, DONE, DEAD = (
    job_pb2.JOB_STATE_PENDING,
    job_pb2.JOB_STATE_LEASED,
    job_pb2.JOB_STATE_DONE,
    job_pb2.JOB_STATE_DEAD,
)
Handler = Callable[[LeasedBatch], Awaitable[None]]


@pytest.fixture
async def memory_store(tmp_path: Path) -> AsyncIterator[MemoryStoreServer]:
    config = StoreConfig(outbox_queues=(), jobs=JobPolicy(max_attempts=2, retry_base_seconds=0))
    async with serve_memory_store(tmp_path / "store.db", config) as server:
        yield server


def worker(server: MemoryStoreServer, handler: Handler, **settings: object) -> JobWorker:
    options: dict[str, object] = {
        "queue": QUEUE,
        "worker_id": "w",
        "lease_wait_seconds": 5.0,
        "idle_seconds": 0.0,
        "retry_after_seconds": 1,
        "outage_backoff_seconds": 1.0,
        "outage_backoff_max_seconds": 1.0,
        **settings,
    }
    return JobWorker(server.stub, handler, JobWorkerSettings(**options))  # type: ignore[arg-type]


# The worker is indifferent to what its jobs carry; these tests enqueue consolidations.
TOPIC = "consolidation.requested"


async def enqueue(server: MemoryStoreServer) -> str:
    event = job_pb2.JobEvent(
        consolidation_requested=job_pb2.ConsolidationRequested(user_id="alice")
    )
    reply = await server.stub.EnqueueJob(
        mrr.EnqueueJobRequest(tenant_id=TENANT, queue=QUEUE, event=event)
    )
    return reply.job.id


async def job(server: MemoryStoreServer, job_id: str) -> job_pb2.Job:
    return (await server.stub.GetJob(mrr.GetJobRequest(job_id=job_id))).job


async def until(check: Callable[[], Awaitable[bool]], timeout: float = 20.0) -> None:
    async with asyncio.timeout(timeout):
        while True:
            if await check():
                return
            await asyncio.sleep(0.02)


def lease_calls() -> float:
    return (
        REGISTRY.get_sample_value(
            "memgrid_rpc_server_duration_seconds_count",
            {"service": "memory-store", "method": "MemoryStoreService/LeaseJobs", "code": "OK"},
        )
        or 0.0
    )


def settled(outcome: str, topic: str = TOPIC) -> float:
    return (
        REGISTRY.get_sample_value(
            "memgrid_jobs_settled_total", {"queue": QUEUE, "topic": topic, "outcome": outcome}
        )
        or 0.0
    )


async def test_an_idle_worker_waits_for_work_and_is_woken_by_it(
    memory_store: MemoryStoreServer,
) -> None:
    handled: list[str] = []

    async def handle(batch: LeasedBatch) -> None:
        handled.extend(j.id for j in batch.jobs)
        await batch.ack(batch.jobs, "handled")

    running = worker(memory_store, handle, lease_wait_seconds=30.0)
    before = lease_calls()
    running.start()
    await asyncio.sleep(0.5)  # idle: the one lease is waiting, not polling
    job_id = await enqueue(memory_store)

    await until(lambda: _state_is(memory_store, job_id, DONE))
    await running.stop()
    assert handled == [job_id]
    assert (await job(memory_store, job_id)).note == "handled"
    # One lease waited through the idle time and returned the job; the next was still
    # waiting when the worker stopped (and ended CANCELLED).
    assert lease_calls() - before == 1


async def test_a_failing_job_is_retried_then_dead_with_its_error(
    memory_store: MemoryStoreServer,
) -> None:
    async def handle(batch: LeasedBatch) -> None:
        raise InvalidArgument.field("event", "not what this queue expects")

    job_id = await enqueue(memory_store)
    failing = worker(memory_store, handle)
    dead_before = settled("dead")

    assert await failing.run_once() == 1
    first = await job(memory_store, job_id)
    assert (first.state, first.attempts) == (PENDING, 1)
    await until(lambda: _leases(failing))

    dead = await job(memory_store, job_id)
    assert (dead.state, dead.attempts) == (DEAD, 2)
    assert dead.last_error.startswith("InvalidArgument: ")
    assert settled("dead") - dead_before == 1


async def test_an_outage_defers_jobs_without_spending_their_attempts(
    memory_store: MemoryStoreServer,
) -> None:
    outage = True

    async def handle(batch: LeasedBatch) -> None:
        if outage:
            raise Unavailable("graph is down")
        await batch.ack(batch.jobs)

    job_id = await enqueue(memory_store)
    patient = worker(memory_store, handle)
    for _ in range(4):  # twice the job's max_attempts
        await until(lambda: _leases(patient))
        deferred = await job(memory_store, job_id)
        assert (deferred.state, deferred.attempts) == (PENDING, 0)
        assert deferred.last_error == "Unavailable: graph is down"

    outage = False
    await until(lambda: _leases(patient))
    done = await job(memory_store, job_id)
    assert (done.state, done.attempts) == (DONE, 1)


async def test_the_outage_pause_doubles_while_it_lasts_up_to_its_cap(
    memory_store: MemoryStoreServer,
) -> None:
    async def handle(batch: LeasedBatch) -> None:
        await batch.defer(batch.jobs, "search is down")

    job_id = await enqueue(memory_store)
    patient = worker(
        memory_store, handle, outage_backoff_seconds=1.0, outage_backoff_max_seconds=2.0
    )
    delays = []
    for _ in range(3):
        await until(lambda: _leases(patient))
        delays.append(patient.outage_delay())
        deferred = await job(memory_store, job_id)
        asked = deferred.available_at.ToMicroseconds() - deferred.updated_at.ToMicroseconds()
        assert asked == patient.outage_delay() * 1_000_000
    assert delays == [1.0, 2.0, 2.0]


async def test_a_slow_handler_keeps_its_lease_past_the_visibility_timeout(
    memory_store: MemoryStoreServer,
) -> None:
    release = asyncio.Event()

    async def slow(batch: LeasedBatch) -> None:
        await release.wait()
        await batch.ack(batch.jobs, "slow but done")

    async def greedy(batch: LeasedBatch) -> None:
        await batch.ack(batch.jobs, "taken over")

    job_id = await enqueue(memory_store)
    holder = worker(memory_store, slow, visibility_timeout_seconds=1)
    other = worker(memory_store, greedy, worker_id="other")
    working = asyncio.create_task(holder.run_once())
    await until(lambda: _state_is(memory_store, job_id, LEASED))
    extended = memory_store_extensions()

    # Three visibility timeouts: the lease is extended; the other worker finds nothing.
    while memory_store_extensions() - extended < 6:
        assert await other.run_once() == 0
        await asyncio.sleep(0.1)
    release.set()

    assert await working == 1
    kept = await job(memory_store, job_id)
    assert (kept.state, kept.attempts, kept.note) == (DONE, 1, "slow but done")


async def test_a_handler_that_settles_nothing_fails_its_jobs(
    memory_store: MemoryStoreServer,
) -> None:
    async def forgetful(batch: LeasedBatch) -> None:
        return

    job_id = await enqueue(memory_store)
    assert await worker(memory_store, forgetful).run_once() == 1
    failed = await job(memory_store, job_id)
    assert (failed.state, failed.attempts) == (PENDING, 1)
    assert failed.last_error == "the handler returned without settling this job"


async def test_stop_gives_a_running_batch_its_grace_then_releases_its_jobs(
    memory_store: MemoryStoreServer,
) -> None:
    started = asyncio.Event()

    async def endless(batch: LeasedBatch) -> None:
        started.set()
        await asyncio.Event().wait()

    job_id = await enqueue(memory_store)
    running = worker(memory_store, endless, stop_grace_seconds=0.2)
    running.start()
    await started.wait()

    await running.stop()

    released = await job(memory_store, job_id)
    assert (released.state, released.attempts) == (PENDING, 0)
    assert released.last_error == "the worker stopped"


async def test_stop_lets_a_batch_that_finishes_within_the_grace_settle(
    memory_store: MemoryStoreServer,
) -> None:
    started = asyncio.Event()

    async def brief(batch: LeasedBatch) -> None:
        started.set()
        await asyncio.sleep(0.3)
        await batch.ack(batch.jobs, "finished during the stop")

    job_id = await enqueue(memory_store)
    running = worker(memory_store, brief, stop_grace_seconds=30)
    running.start()
    await started.wait()

    await running.stop()

    assert (await job(memory_store, job_id)).note == "finished during the stop"


def memory_store_extensions() -> float:
    return (
        REGISTRY.get_sample_value(
            "memgrid_job_lease_extensions_total", {"queue": QUEUE, "outcome": "ok"}
        )
        or 0.0
    )


async def _leases(worker: JobWorker) -> bool:
    return await worker.run_once() == 1


async def _state_is(server: MemoryStoreServer, job_id: str, state: int) -> bool:
    return (await job(server, job_id)).state == state
