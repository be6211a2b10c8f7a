"""Workers leasing real jobs from a real memory-store: passes, notes, retries, dead letters,
lease keeping and degradation to the deterministic path."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from memgrid.common.v1 import memory_pb2 as mpb
from memgrid.memory.v1 import job_pb2
from memgrid.memory.v1 import request_response_pb2 as mrr
from memgrid_runtime.channels import connect

from services.memory_store.store.config import JobPolicy, StoreConfig
from services.thought_engine.graph_sink import GraphServiceSink
from services.thought_engine.job_plan import QUEUE
from services.thought_engine.memory_store_client import MemoryStoreClient
from services.thought_engine.worker import ThoughtWorkers
from tests.thought_engine.conftest import MemoryStoreServer, serve_memory_store
from tests.thought_engine.support import TENANT, append, engine, eventually, memories_of

DONE, DEAD = job_pb2.JOB_STATE_DONE, job_pb2.JOB_STATE_DEAD


async def thought_jobs(server: MemoryStoreServer, topic: str = "") -> list[job_pb2.Job]:
    jobs: list[job_pb2.Job] = []
    token = ""
    while True:
        reply = await server.stub.ListJobs(
            mrr.ListJobsRequest(queue=QUEUE, page_size=100, page_token=token)
        )
        jobs.extend(j for j in reply.jobs if not topic or j.topic == topic)
        token = reply.next_page_token
        if not token:
            return jobs


def workers(
    store: MemoryStoreClient, graph: GraphServiceSink | None = None, **env: str
) -> ThoughtWorkers:
    built = engine(store, graph, **env).workers
    assert built is not None
    return built


async def test_appended_turns_are_consolidated_in_one_pass_and_acked_with_its_note(
    memory_store: MemoryStoreServer,
) -> None:
    store = memory_store.client
    await append(store, [("user", "I live in Paris.")])
    await append(store, [("user", "My sister Anna works at Google.")])
    await append(store, [("user", "I'm allergic to peanuts.")])

    leased = await workers(store).run_once()

    assert leased == 3
    jobs = await thought_jobs(memory_store, "messages.appended")
    assert [j.state for j in jobs] == [DONE] * 3
    assert len({j.note for j in jobs}) == 1
    assert jobs[0].note.startswith("facts: 4 added, 0 updated, 0 superseded, 0 skipped")
    assert "patterns: " in jobs[0].note
    profile = await memories_of(store, mpb.MEMORY_KIND_PROFILE, mpb.MEMORY_KIND_FACT)
    assert len(profile) == 4


async def test_the_engines_own_writes_put_no_job_in_its_queue(
    memory_store: MemoryStoreServer,
) -> None:
    store = memory_store.client
    await append(store, [("user", "I live in Paris.")])
    worker = workers(store)
    assert await worker.run_once() == 1

    # The pass stored facts and a profile; the queue subscribes to appended messages only,
    # so none of those writes comes back as a job to ignore.
    assert await memories_of(store, mpb.MEMORY_KIND_PROFILE, mpb.MEMORY_KIND_FACT)
    assert await worker.run_once() == 0
    assert [j.topic for j in await thought_jobs(memory_store)] == ["messages.appended"]


async def test_a_pass_that_meets_a_down_graph_waits_without_spending_attempts(
    tmp_path: Path,
) -> None:
    config = StoreConfig(jobs=JobPolicy(max_attempts=2, retry_base_seconds=0.05))
    async with serve_memory_store(tmp_path / "store.db", config) as server:
        store = server.client
        await append(store, [("user", "I live in Paris.")])
        # A graph service that is down: every pass fails at its graph step.
        down = connect("127.0.0.1:1", default_timeout=1.0)
        worker = workers(
            store,
            GraphServiceSink(down),
            MEMGRID_THOUGHT_OUTAGE_BACKOFF_SECONDS="0.05",
            MEMGRID_THOUGHT_OUTAGE_BACKOFF_MAX_SECONDS="0.05",
        )

        for _ in range(4):  # twice as many outages as the job has attempts
            await eventually(lambda: _leases(worker), timeout=10)

        (job,) = await thought_jobs(server, "messages.appended")
        assert (job.state, job.attempts) == (job_pb2.JOB_STATE_PENDING, 0)
        assert job.last_error.startswith("Unavailable: ")
        await down.close(None)


async def _leases(worker: ThoughtWorkers) -> bool:
    """Whether one run leased a job (a deferred one is visible again after its delay)."""
    return await worker.run_once() == 1


async def test_a_malformed_job_is_dead_after_its_attempts_with_what_is_wrong(
    tmp_path: Path,
) -> None:
    config = StoreConfig(jobs=JobPolicy(max_attempts=2, retry_base_seconds=0.05))
    async with serve_memory_store(tmp_path / "store.db", config) as server:
        store = server.client
        await server.enqueue_untyped_consolidation(TENANT)
        worker = workers(store)

        await worker.run_once()
        await asyncio.sleep(0.2)
        await worker.run_once()

        (job,) = await thought_jobs(server, "consolidation.requested")
        assert job.state == DEAD
        assert job.last_error == "incomplete consolidation.requested event: user_id is required"


async def test_a_slow_pass_keeps_its_lease_and_degrades_when_the_llm_hangs(
    memory_store: MemoryStoreServer, silent_llm_url: str
) -> None:
    store = memory_store.client
    await append(store, [("user", "I live in Paris.")])
    llm = {
        "MEMGRID_LLM_BASE_URL": silent_llm_url,
        "MEMGRID_LLM_MODEL": "gemma-3-270m",
        "MEMGRID_LLM_TIMEOUT_SECONDS": "2.5",
        "MEMGRID_LLM_MAX_ATTEMPTS": "1",
    }
    slow = workers(store, None, MEMGRID_THOUGHT_VISIBILITY_TIMEOUT_SECONDS="1", **llm)
    other = workers(store, MEMGRID_THOUGHT_WORKER_ID="other")
    started = time.monotonic()

    working = asyncio.create_task(slow.run_once())

    async def leased() -> bool:
        return any(j.state == job_pb2.JOB_STATE_LEASED for j in await thought_jobs(memory_store))

    await eventually(leased, timeout=10)
    (held,) = await thought_jobs(memory_store, "messages.appended")
    stolen = 0
    while not working.done():
        # Well past the 1 s visibility timeout: the keeper must have extended the lease.
        # The other worker may lease the jobs the pass's own writes enqueue; taking over
        # the held job would lease it again, which counts an attempt.
        await other.run_once()
        (now,) = await thought_jobs(memory_store, "messages.appended")
        stolen += (now.attempts, now.leased_by) != (held.attempts, held.leased_by)
        await asyncio.sleep(0.1)

    assert await working == 1
    assert time.monotonic() - started >= 2.5
    (job,) = await thought_jobs(memory_store, "messages.appended")
    assert (job.state, job.attempts, job.leased_by) == (DONE, 1, "test-worker/0")
    assert job.note.startswith("degraded: facts LLM_TIMEOUT: ")
    assert "facts: 1 added" in job.note
    assert stolen == 0
    assert len(await memories_of(store, mpb.MEMORY_KIND_PROFILE)) == 1


async def test_a_spent_token_budget_degrades_the_job_without_calling_the_llm(
    memory_store: MemoryStoreServer, closed_port_url: str
) -> None:
    store = memory_store.client
    await append(store, [("user", "I live in Paris.")])
    broke = workers(
        store,
        None,
        MEMGRID_LLM_BASE_URL=closed_port_url,
        MEMGRID_LLM_MODEL="gemma-3-270m",
        MEMGRID_LLM_TOKEN_BUDGET="10",
    )

    await broke.run_once()

    (job,) = await thought_jobs(memory_store, "messages.appended")
    assert job.state == DONE
    assert job.note.startswith("degraded: facts LLM_BUDGET_EXCEEDED: tenant 'tenant-a' needs ")
    assert [m.content for m in await memories_of(store, mpb.MEMORY_KIND_PROFILE)] == [
        "User lives in Paris."
    ]
