"""Worker replicas as separate processes (`python -m services.thought_engine`) on one real
memory-store: they share the queue without ever working one job at the same time, and a
worker killed mid-job loses nothing: its job is leased again once its visibility timeout
runs out and completes exactly once in effect."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from memgrid.common.v1 import memory_pb2 as mpb
from memgrid.memory.v1 import job_pb2
from memgrid.memory.v1 import request_response_pb2 as mrr

from tests.thought_engine.conftest import MemoryStoreServer
from tests.thought_engine.support import append, eventually, memories_of

REPO = Path(__file__).resolve().parents[2]
APPENDED = "messages.appended"

WorkerFactory = Callable[..., Awaitable[subprocess.Popen[bytes]]]


@pytest.fixture
async def start_worker(
    memory_store: MemoryStoreServer, tmp_path: Path
) -> AsyncIterator[WorkerFactory]:
    """Starts a worker process and returns once it serves (its workers lease from then)."""
    started: list[subprocess.Popen[bytes]] = []

    async def start(worker_id: str, **env: str) -> subprocess.Popen[bytes]:
        log_path = tmp_path / f"{worker_id}.log"
        process = _spawn(
            log_path,
            {
                **os.environ,
                "MEMGRID_MEMORY_STORE_TARGET": memory_store.address,
                "MEMGRID_THOUGHT_ENGINE_PORT": "0",
                "MEMGRID_THOUGHT_ENGINE_METRICS_PORT": "0",
                "MEMGRID_THOUGHT_WORKER_ID": worker_id,
                "MEMGRID_THOUGHT_IDLE_POLL_SECONDS": "0.05",
                "OTEL_SDK_DISABLED": "true",
                **env,
            },
        )
        started.append(process)

        async def serving() -> bool:
            if process.poll() is not None:
                raise AssertionError(f"{worker_id} exited: {log_path.read_text()}")
            return "serving on" in log_path.read_text()

        await eventually(serving, timeout=30)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.terminate()
    for process in started:
        try:
            await asyncio.to_thread(process.wait, 10)
        except subprocess.TimeoutExpired:
            process.kill()
            await asyncio.to_thread(process.wait)


def _spawn(log_path: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    with open(log_path, "wb") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "services.thought_engine"],
            cwd=REPO,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )


async def jobs_of(server: MemoryStoreServer, topic: str) -> list[job_pb2.Job]:
    jobs: list[job_pb2.Job] = []
    token = ""
    while True:
        reply = await server.stub.ListJobs(
            mrr.ListJobsRequest(queue="thought", page_size=500, page_token=token)
        )
        jobs.extend(j for j in reply.jobs if j.topic == topic)
        token = reply.next_page_token
        if not token:
            return jobs


async def test_two_worker_processes_share_the_queue_and_never_work_one_job_twice(
    memory_store: MemoryStoreServer, start_worker: WorkerFactory
) -> None:
    store = memory_store.client
    # Small batches, so that both replicas get a share of the work.
    await start_worker("replica-a", MEMGRID_THOUGHT_BATCH_SIZE="2")
    await start_worker("replica-b", MEMGRID_THOUGHT_BATCH_SIZE="2")
    users = [f"user-{n}" for n in range(8)]
    for turn in range(4):
        for user in users:
            await append(
                store,
                [("user", f"I live in City{turn}."), ("assistant", "Noted.")],
                user_id=user,
                session_id="s1",
            )

    async def all_done() -> bool:
        jobs = await jobs_of(memory_store, APPENDED)
        return len(jobs) == 32 and all(j.state == job_pb2.JOB_STATE_DONE for j in jobs)

    await eventually(all_done, timeout=60)

    jobs = await jobs_of(memory_store, APPENDED)
    # One attempt each: no job was leased while another worker held it.
    assert {j.attempts for j in jobs} == {1}
    assert {j.leased_by.split("/")[0] for j in jobs} == {"replica-a", "replica-b"}
    for user in users:
        facts = await memories_of(
            store, mpb.MEMORY_KIND_PROFILE, user_id=user, include_superseded=True
        )
        assert sorted(m.content for m in facts) == [f"User lives in City{t}." for t in range(4)]
        current = [m for m in facts if not m.HasField("valid_to")]
        assert [m.content for m in current] == ["User lives in City3."]


async def test_a_worker_killed_mid_job_loses_nothing_and_its_job_completes_once(
    memory_store: MemoryStoreServer, start_worker: WorkerFactory, silent_llm_url: str
) -> None:
    store = memory_store.client
    said = await append(store, [("user", "I live in Paris and I'm allergic to peanuts.")])
    hanging = await start_worker(
        "doomed",
        MEMGRID_THOUGHT_VISIBILITY_TIMEOUT_SECONDS="3",
        MEMGRID_LLM_BASE_URL=silent_llm_url,
        MEMGRID_LLM_MODEL="gemma-3-270m",
        MEMGRID_LLM_TIMEOUT_SECONDS="60",
    )

    async def held_by_the_doomed_worker() -> bool:
        (job,) = await jobs_of(memory_store, APPENDED)
        return job.state == job_pb2.JOB_STATE_LEASED and job.leased_by.startswith("doomed")

    await eventually(held_by_the_doomed_worker, timeout=30)
    (leased,) = await jobs_of(memory_store, APPENDED)
    hanging.send_signal(signal.SIGKILL)
    killed_at = datetime.now(UTC)
    await start_worker("survivor")

    async def done() -> bool:
        (job,) = await jobs_of(memory_store, APPENDED)
        return job.state == job_pb2.JOB_STATE_DONE

    await eventually(done, timeout=60)

    (job,) = await jobs_of(memory_store, APPENDED)
    assert (job.attempts, job.leased_by.split("/")[0]) == (2, "survivor")
    # Killed while it held the job; leased again only once that lease had run out.
    expiry = leased.lease_expires_at.ToDatetime(tzinfo=UTC)
    assert killed_at < expiry <= job.updated_at.ToDatetime(tzinfo=UTC)
    assert job.note.startswith("facts: 2 added")
    facts = await memories_of(store, mpb.MEMORY_KIND_PROFILE, include_superseded=True)
    assert sorted(m.content for m in facts) == [
        "User is allergic to peanuts.",
        "User lives in Paris.",
    ]
    assert all(list(m.source_message_ids) == [said[0].id] for m in facts)
