"""Contract: the transactional outbox and its job queue (leases, acks, retries, dead jobs)."""

from __future__ import annotations

import asyncio

import pytest
from memgrid.common.v1 import memory_pb2 as mpb
from memgrid.memory.v1 import job_pb2
from memgrid.memory.v1 import request_response_pb2 as rr
from memgrid_runtime.errors import FailedPrecondition, InvalidArgument, NotFound

from services.memory_store.store.config import JobPolicy, StoreConfig
from services.memory_store.store.sql_store import SqlMemoryStore
from tests.memory_store.support import TENANT, all_jobs, create, new_memory

QUEUE = "search"


def ack(job: job_pb2.Job, token: str | None = None, note: str = "") -> rr.AckJobsRequest.Ack:
    return rr.AckJobsRequest.Ack(
        job_id=job.id, lease_token=job.lease_token if token is None else token, note=note
    )


def consolidation(user_id: str) -> job_pb2.JobEvent:
    return job_pb2.JobEvent(consolidation_requested=job_pb2.ConsolidationRequested(user_id=user_id))


async def enqueue(store: SqlMemoryStore, count: int, queue: str = QUEUE) -> list[job_pb2.Job]:
    return [
        (await store.enqueue_job(TENANT, queue, consolidation(f"user-{n}"))).job
        for n in range(count)
    ]


async def test_every_change_puts_one_job_per_subscribed_queue_in_the_outbox(
    store: SqlMemoryStore,
) -> None:
    [memory] = await create(store, new_memory("v1", session_id="s1"))
    await store.update_memory(TENANT, memory.id, mpb.MemoryUpdate(content="v2"), ["content"])
    await store.delete_memory(TENANT, memory.id)

    # Search indexes every change; the graph only unlinks deletes; the thought engine works
    # on appended messages, so a stored fact gives it nothing to ignore.
    expected = {
        "search": [("memory_upserted", 1), ("memory_upserted", 2), ("memory_deleted", 2)],
        "graph": [("memory_deleted", 2)],
        "thought": [],
    }
    for queue, events in expected.items():
        jobs = list(reversed(await all_jobs(store, queue)))
        assert [(job.event.WhichOneof("event"), job.memory_version) for job in jobs] == events
        for job in jobs:
            assert (job.memory_id, job.tenant_id, job.state) == (
                memory.id,
                TENANT,
                job_pb2.JOB_STATE_PENDING,
            )
            assert job.topic == job.event.WhichOneof("event").replace("_", ".")
            changed = getattr(job.event, job.event.WhichOneof("event"))
            assert (changed.memory_id, changed.version) == (memory.id, job.memory_version)
            assert changed.kind == mpb.MEMORY_KIND_FACT
            assert changed.scope == mpb.Scope(user_id="alice", session_id="s1")


async def test_a_queue_gets_the_events_its_subscription_names(store_factory) -> None:
    store = await store_factory(
        StoreConfig(
            outbox_queues=("search", "audit", "deletes"),
            queue_events={"deletes": frozenset({"memory_deleted"})},
        )
    )
    [memory] = await create(store, new_memory("x"))
    await store.delete_memory(TENANT, memory.id)

    def events(jobs: list[job_pb2.Job]) -> list[str]:
        return sorted(str(job.event.WhichOneof("event")) for job in jobs)

    # "search" is named in neither the override nor by default here, like "audit": a queue
    # without a subscription gets every memory's upserts and deletes.
    assert events(await all_jobs(store, "audit")) == ["memory_deleted", "memory_upserted"]
    assert events(await all_jobs(store, "search")) == ["memory_deleted", "memory_upserted"]
    assert events(await all_jobs(store, "deletes")) == ["memory_deleted"]


async def test_no_queues_means_no_jobs(store_factory) -> None:
    store = await store_factory(StoreConfig(outbox_queues=()))
    [memory] = await create(store, new_memory("x"))
    await store.delete_memory(TENANT, memory.id)
    assert await all_jobs(store) == []


async def test_a_lease_hands_out_available_jobs_once(store: SqlMemoryStore, clock) -> None:
    enqueued = await enqueue(store, 5)
    await enqueue(store, 2, queue="graph")

    first = await store.lease_jobs(QUEUE, "worker-1", 3, 30)
    second = await store.lease_jobs(QUEUE, "worker-2", 10, 30)
    third = await store.lease_jobs(QUEUE, "worker-3", 10, 30)

    assert [job.id for job in first + second] == [job.id for job in enqueued]
    assert third == []
    for job in first:
        assert job.state == job_pb2.JOB_STATE_LEASED
        assert job.leased_by == "worker-1"
        assert job.attempts == 1
        assert len(job.lease_token) == 32
        assert job.lease_expires_at.ToMicroseconds() == clock.now_us() + 30_000_000
    assert len({job.lease_token for job in first + second}) == 5


async def test_concurrent_leasers_never_share_a_job(store_factory) -> None:
    # Three store instances on one database stand for three replicas of the service.
    replicas = [await store_factory() for _ in range(3)]
    enqueued = await enqueue(replicas[0], 120)
    handed_out: list[str] = []

    async def worker(n: int) -> None:
        replica = replicas[n % len(replicas)]
        while True:
            jobs = await replica.lease_jobs(QUEUE, f"worker-{n}", 7, 60)
            if not jobs:
                return
            handed_out.extend(job.id for job in jobs)

    await asyncio.gather(*(worker(n) for n in range(12)))

    assert len(handed_out) == len(set(handed_out))
    assert sorted(handed_out) == sorted(job.id for job in enqueued)


async def test_an_expired_lease_is_leased_again_and_the_old_token_is_lost(
    store: SqlMemoryStore, clock
) -> None:
    await enqueue(store, 1)
    [first] = await store.lease_jobs(QUEUE, "slow-worker", 1, 10)
    clock.advance(9)
    assert await store.lease_jobs(QUEUE, "other", 1, 10) == []
    clock.advance(1)

    [again] = await store.lease_jobs(QUEUE, "other", 1, 10)

    assert again.id == first.id
    assert again.attempts == 2
    assert again.lease_token != first.lease_token
    assert await store.ack_jobs([ack(first)]) == [first.id]
    with pytest.raises(FailedPrecondition) as caught:
        await store.nack_job(first.id, first.lease_token, "late")
    assert caught.value.reason == "LEASE_NOT_HELD"
    assert await store.ack_jobs([ack(again, note="indexed")]) == []
    done = await store.get_job(first.id)
    assert (done.state, done.note) == (job_pb2.JOB_STATE_DONE, "indexed")


async def test_acks_need_a_held_lease(store: SqlMemoryStore, clock) -> None:
    await enqueue(store, 3)
    held, wrong, late = await store.lease_jobs(QUEUE, "w", 3, 10)
    assert await store.ack_jobs([ack(held), ack(wrong, token="0" * 32)]) == [wrong.id]
    clock.advance(10)
    assert await store.ack_jobs([ack(late)]) == [late.id]
    assert await store.ack_jobs([ack(held)]) == [held.id]
    states = {job.id: job.state for job in await all_jobs(store, QUEUE)}
    assert states == {
        held.id: job_pb2.JOB_STATE_DONE,
        wrong.id: job_pb2.JOB_STATE_LEASED,
        late.id: job_pb2.JOB_STATE_LEASED,
    }


async def test_a_nacked_job_waits_with_exponential_backoff(store_factory, clock) -> None:
    policy = JobPolicy(max_attempts=5, retry_base_seconds=2, retry_max_seconds=5)
    store = await store_factory(StoreConfig(outbox_queues=(), jobs=policy))
    await enqueue(store, 1)

    for attempt, delay in ((1, 2), (2, 4), (3, 5)):
        [job] = await store.lease_jobs(QUEUE, "w", 1, 30)
        assert job.attempts == attempt
        nacked = await store.nack_job(job.id, job.lease_token, f"failure {attempt}")
        assert nacked.state == job_pb2.JOB_STATE_PENDING
        assert nacked.last_error == f"failure {attempt}"
        assert nacked.available_at.ToMicroseconds() == clock.now_us() + delay * 1_000_000
        clock.advance(delay - 0.001)
        assert await store.lease_jobs(QUEUE, "w", 1, 30) == []
        clock.advance(0.001)

    [job] = await store.lease_jobs(QUEUE, "w", 1, 30)
    explicit = await store.nack_job(job.id, job.lease_token, "rate limited", retry_after_seconds=60)
    assert explicit.available_at.ToMicroseconds() == clock.now_us() + 60_000_000


async def test_a_job_dies_after_max_attempts_and_can_be_retried(store_factory, clock) -> None:
    policy = JobPolicy(max_attempts=2, retry_base_seconds=1)
    store = await store_factory(StoreConfig(outbox_queues=(), jobs=policy))
    [enqueued] = await enqueue(store, 1)
    with pytest.raises(FailedPrecondition) as caught:
        await store.retry_dead_job(enqueued.id)
    assert caught.value.reason == "JOB_NOT_DEAD"

    [job] = await store.lease_jobs(QUEUE, "w", 1, 30)
    await store.nack_job(job.id, job.lease_token, "first")
    clock.advance(1)
    [job] = await store.lease_jobs(QUEUE, "w", 1, 30)
    dead = await store.nack_job(job.id, job.lease_token, "second")

    assert (dead.state, dead.attempts, dead.last_error) == (job_pb2.JOB_STATE_DEAD, 2, "second")
    clock.advance(3600)
    assert await store.lease_jobs(QUEUE, "w", 1, 30) == []
    retried = await store.retry_dead_job(job.id)
    assert (retried.state, retried.attempts) == (job_pb2.JOB_STATE_PENDING, 0)
    [again] = await store.lease_jobs(QUEUE, "w", 1, 30)
    assert (again.id, again.attempts) == (job.id, 1)


async def test_a_lease_that_expires_on_the_last_attempt_kills_the_job(store_factory, clock) -> None:
    store = await store_factory(StoreConfig(outbox_queues=(), jobs=JobPolicy(max_attempts=1)))
    [enqueued] = await enqueue(store, 1)
    await store.lease_jobs(QUEUE, "crashing-worker", 1, 10)
    clock.advance(11)
    assert await store.lease_jobs(QUEUE, "w", 1, 10) == []
    dead = await store.get_job(enqueued.id)
    assert dead.state == job_pb2.JOB_STATE_DEAD
    assert "lease expired" in dead.last_error


async def test_extend_lease_keeps_a_job_invisible(store: SqlMemoryStore, clock) -> None:
    await enqueue(store, 1)
    [job] = await store.lease_jobs(QUEUE, "w", 1, 10)
    clock.advance(8)
    extended = await store.extend_lease(job.id, job.lease_token, 60)
    assert extended.lease_expires_at.ToMicroseconds() == clock.now_us() + 60_000_000
    clock.advance(30)
    assert await store.lease_jobs(QUEUE, "other", 1, 10) == []
    with pytest.raises(FailedPrecondition):
        await store.extend_lease(job.id, "0" * 32, 60)
    with pytest.raises(NotFound):
        await store.extend_lease("no-such-job", job.lease_token, 60)
    with pytest.raises(NotFound):
        await store.nack_job("no-such-job", job.lease_token, "x")


async def test_a_dedup_key_enqueues_once_while_pending(store: SqlMemoryStore) -> None:
    first = await store.enqueue_job(
        TENANT, "thought", consolidation("alice"), dedup_key="user:alice"
    )
    again = await store.enqueue_job(
        TENANT, "thought", consolidation("alice"), dedup_key="user:alice"
    )
    other_queue = await store.enqueue_job(
        TENANT, "graph", consolidation("alice"), dedup_key="user:alice"
    )
    assert first.created and not again.created and other_queue.created
    assert again.job.id == first.job.id

    await store.lease_jobs("thought", "w", 1, 30)
    after_lease = await store.enqueue_job(
        TENANT, "thought", consolidation("alice"), dedup_key="user:alice"
    )
    assert after_lease.created
    assert after_lease.job.id != first.job.id


async def test_get_and_list_jobs(store: SqlMemoryStore, clock) -> None:
    jobs = []
    for _ in range(5):
        jobs.append((await store.enqueue_job(TENANT, QUEUE, consolidation("alice"))).job)
        clock.advance(1)
    other = (await store.enqueue_job("tenant-b", QUEUE, consolidation("alice"))).job
    await store.lease_jobs(QUEUE, "w", 1, 30)

    assert (await store.get_job(jobs[0].id, TENANT)).id == jobs[0].id
    with pytest.raises(NotFound):
        await store.get_job(other.id, TENANT)
    with pytest.raises(NotFound):
        await store.get_job("missing")

    listed, token = [], ""
    while True:
        page = await store.list_jobs(QUEUE, 0, TENANT, 2, token)
        listed.extend(page.jobs)
        token = page.next_page_token
        if not token:
            break
    assert [job.id for job in listed] == [job.id for job in reversed(jobs)]
    leased = await store.list_jobs(QUEUE, job_pb2.JOB_STATE_LEASED, "", 10)
    assert [job.id for job in leased.jobs] == [jobs[0].id]
    first_page = await store.list_jobs(QUEUE, 0, TENANT, 2)
    with pytest.raises(InvalidArgument):
        await store.list_jobs(QUEUE, job_pb2.JOB_STATE_DEAD, TENANT, 2, first_page.next_page_token)


async def test_queue_stats_count_each_state(store: SqlMemoryStore, clock) -> None:
    await enqueue(store, 4)
    clock.advance(30)
    leased = await store.lease_jobs(QUEUE, "w", 2, 60)
    await store.ack_jobs([ack(leased[0])])

    stats = {s.queue: s for s in await store.queue_stats()}

    assert set(stats) == {"search", "graph", "thought"}
    search = stats["search"]
    assert (search.pending, search.leased, search.done, search.dead) == (2, 1, 1, 0)
    assert search.oldest_pending_age_seconds == pytest.approx(30.0)
    assert stats["graph"] == job_pb2.QueueStats(queue="graph")
    [only] = await store.queue_stats(["unknown"])
    assert only == job_pb2.QueueStats(queue="unknown")


async def test_finished_jobs_are_purged_after_the_retention(store: SqlMemoryStore, clock) -> None:
    await enqueue(store, 3)
    jobs = await store.lease_jobs(QUEUE, "w", 2, 60)
    await store.ack_jobs([ack(job) for job in jobs])
    clock.advance(100)
    assert await store.purge_done_jobs(older_than_seconds=101) == 0
    assert await store.purge_done_jobs(older_than_seconds=99) == 2
    remaining = await all_jobs(store, QUEUE)
    assert [job.state for job in remaining] == [job_pb2.JOB_STATE_PENDING]


async def test_a_nack_for_an_unavailable_dependency_gives_the_attempt_back(
    store_factory, clock
) -> None:
    policy = JobPolicy(max_attempts=1, retry_base_seconds=1)
    store = await store_factory(StoreConfig(outbox_queues=(), jobs=policy))
    [enqueued] = await enqueue(store, 1)

    for _ in range(3):  # more outages than the job has attempts
        [job] = await store.lease_jobs(QUEUE, "w", 1, 30)
        assert job.attempts == 1
        released = await store.nack_job(
            job.id, job.lease_token, "graph down", 7, dependency_unavailable=True
        )
        assert (released.state, released.attempts) == (job_pb2.JOB_STATE_PENDING, 0)
        assert released.available_at.ToMicroseconds() == clock.now_us() + 7_000_000
        assert released.last_error == "graph down"
        clock.advance(7)

    [job] = await store.lease_jobs(QUEUE, "w", 1, 30)
    dead = await store.nack_job(job.id, job.lease_token, "a real failure")
    assert (dead.id, dead.state, dead.attempts) == (enqueued.id, job_pb2.JOB_STATE_DEAD, 1)


async def test_a_waiting_lease_is_woken_by_a_new_job(store: SqlMemoryStore) -> None:
    waiting = asyncio.create_task(store.lease_jobs(QUEUE, "w", 10, 30, wait_seconds=30))
    await asyncio.sleep(0.05)
    assert not waiting.done(), "an empty queue holds the call"
    [memory] = await create(store, new_memory("wake up"))

    [job] = await asyncio.wait_for(waiting, 10)
    assert (job.memory_id, job.state) == (memory.id, job_pb2.JOB_STATE_LEASED)


async def test_a_waiting_lease_answers_empty_once_its_wait_is_over(store: SqlMemoryStore) -> None:
    await enqueue(store, 1, queue="graph")  # another queue's job does not end the wait
    assert await store.lease_jobs(QUEUE, "w", 10, 30, wait_seconds=0.2) == []


async def test_a_waiting_lease_finds_a_retry_whose_delay_ran_out(store_factory, clock) -> None:
    config = StoreConfig(
        outbox_queues=(), jobs=JobPolicy(retry_base_seconds=5), lease_wait_poll_seconds=0.05
    )
    store = await store_factory(config)
    await enqueue(store, 1)
    [job] = await store.lease_jobs(QUEUE, "w", 1, 30)
    await store.nack_job(job.id, job.lease_token, "later")
    waiting = asyncio.create_task(store.lease_jobs(QUEUE, "w", 1, 30, wait_seconds=30))
    await asyncio.sleep(0.1)
    assert not waiting.done()
    clock.advance(5)  # nothing is committed: only looking again finds it

    [again] = await asyncio.wait_for(waiting, 10)
    assert (again.id, again.attempts) == (job.id, 2)


async def test_a_dead_job_is_retried_only_in_its_own_tenant(store_factory) -> None:
    store = await store_factory(StoreConfig(outbox_queues=(), jobs=JobPolicy(max_attempts=1)))
    [enqueued] = await enqueue(store, 1)
    [job] = await store.lease_jobs(QUEUE, "w", 1, 30)
    await store.nack_job(job.id, job.lease_token, "broken")

    with pytest.raises(NotFound):
        await store.retry_dead_job(enqueued.id, "another-tenant")
    assert (await store.get_job(enqueued.id)).state == job_pb2.JOB_STATE_DEAD
    retried = await store.retry_dead_job(enqueued.id, TENANT)
    assert retried.state == job_pb2.JOB_STATE_PENDING
