"""Crash safety: SIGKILL a process in the middle of writing, then check the database.

Every write the killed process acknowledged must be there in full, and nothing may be half
there: no batch with some of its memories, no memory without its history entries or its
outbox jobs, no gap in a session's turn numbers.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from collections import Counter, defaultdict
from pathlib import Path

from memgrid.common.v1 import memory_pb2 as mpb

from services.memory_store.store.config import StoreConfig
from tests.memory_store.crash_writer import BATCH_SIZE, SESSION
from tests.memory_store.support import TENANT, StoreLocation, all_jobs, open_store_at

REPO_ROOT = Path(__file__).resolve().parents[2]
# Enough acknowledged iterations that the kill lands in a busy write loop.
ACKS_BEFORE_KILL = 60


async def run_writer_until_killed(location: StoreLocation) -> list[dict]:
    target = (
        [str(location.sqlite_path)]
        if location.sqlite_path is not None
        else [location.postgres_dsn, location.postgres_schema]
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.memory_store.crash_writer",
        location.backend,
        *target,
        cwd=REPO_ROOT,
        stdout=asyncio.subprocess.PIPE,
    )
    assert process.stdout is not None
    acks: list[dict] = []
    try:
        async with asyncio.timeout(60):
            while len(acks) < ACKS_BEFORE_KILL:
                line = await process.stdout.readline()
                assert line, "the writer exited before it was killed"
                acks.append(json.loads(line))
    finally:
        os.kill(process.pid, signal.SIGKILL)
        # Lines already written before the kill were acknowledged too.
        rest = await process.stdout.read()
        await process.wait()
    acks.extend(json.loads(line) for line in rest.decode().splitlines() if line.strip())
    assert process.returncode == -signal.SIGKILL
    return [ack for ack in acks if ack["op"] != "ready"]


async def test_a_killed_writer_loses_no_acknowledged_write_and_leaves_no_half_write(
    store_location: StoreLocation,
) -> None:
    acks = await run_writer_until_killed(store_location)
    store = await open_store_at(store_location, StoreConfig())
    try:
        memories = []
        after = ""
        while True:
            page = await store.export_memories(TENANT, after, 1000)
            memories.extend(page.memories)
            after = page.next_after_id
            if not after:
                break
        by_id = {memory.id: memory for memory in memories}

        for ack in acks:
            if ack["op"] in ("create", "append"):
                assert set(ack["ids"]) <= by_id.keys(), f"acknowledged {ack} is missing"
            else:
                assert by_id[ack["id"]].version >= ack["version"]

        facts = [m for m in memories if m.kind == mpb.MEMORY_KIND_FACT]
        batch_sizes = Counter(m.metadata["batch"] for m in facts)
        assert set(batch_sizes.values()) == {BATCH_SIZE}, "a batch was stored in part"
        messages = [m for m in memories if m.kind == mpb.MEMORY_KIND_MESSAGE]
        seqs = sorted(m.session_seq for m in messages if m.scope.session_id == SESSION)
        assert seqs == list(range(1, len(seqs) + 1)), "a session lost or repeated turns"

        for memory in memories:
            history = await store.memory_history(TENANT, memory.id)
            assert [v.version for v in history] == list(range(1, memory.version + 1))
            assert history[-1].memory.content == memory.content

        upserts: dict[tuple[str, str], int] = defaultdict(int)
        appended_batches = 0
        for job in await all_jobs(store, tenant_id=TENANT):
            if job.topic == "memory.upserted":
                upserts[(job.queue, job.memory_id)] += 1
            elif job.topic == "messages.appended":
                appended_batches += 1
        # Each write's jobs for every queue subscribed to its events, no more and no less.
        upserting = StoreConfig().queues_for("memory_upserted")
        for memory in facts:
            for queue in upserting:
                assert upserts[(queue, memory.id)] == memory.version
        for memory in messages:
            for queue in upserting:
                assert upserts[(queue, memory.id)] == 1
        assert {queue for queue, _ in upserts} == set(upserting)
        assert appended_batches * 2 == len(messages)
    finally:
        await store.close()
