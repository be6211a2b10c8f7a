"""The periodic sweep: expiry goes through the delete path, retention rules are applied."""

from __future__ import annotations

import asyncio
import contextlib

import pytest
from memgrid.memory.v1 import job_pb2
from memgrid.memory.v1 import request_response_pb2 as rr
from memgrid_runtime.errors import NotFound

from services.memory_store.maintenance import sweep_forever, sweep_once
from services.memory_store.settings import MaintenanceSettings
from services.memory_store.store.config import StoreConfig
from services.memory_store.store.sql_store import SqlMemoryStore
from tests.memory_store.support import (
    OTHER_TENANT,
    TENANT,
    all_jobs,
    create,
    create_request,
    new_memory,
)


async def test_expired_memories_are_deleted_and_derived_stores_told(
    store: SqlMemoryStore, clock
) -> None:
    expiring = await create(store, *(new_memory(f"tmp {n}", ttl_seconds=60) for n in range(5)))
    [theirs] = await create(store, new_memory("tmp", ttl_seconds=60), tenant_id=OTHER_TENANT)
    [lasting] = await create(store, new_memory("keep"))
    clock.advance(61)

    report = await sweep_once(store, MaintenanceSettings(expired_batch=2))

    assert report.expired_memories == 6
    deletions = [job for job in await all_jobs(store, "search") if job.topic == "memory.deleted"]
    assert sorted((job.tenant_id, job.memory_id) for job in deletions) == sorted(
        [(TENANT, memory.id) for memory in expiring] + [(OTHER_TENANT, theirs.id)]
    )
    assert (await store.export_memories(TENANT, "", 10)).memories == [
        await store.get_memory(TENANT, lasting.id)
    ]
    clock.advance(-61)
    # Back before the expiry, the rows would be visible again had they only been hidden.
    with pytest.raises(NotFound):
        await store.get_memory(TENANT, expiring[0].id)
    assert await store.count_memories(TENANT) == 1


async def test_sweep_drops_old_keys_and_finished_jobs(store_factory, clock) -> None:
    store = await store_factory(
        StoreConfig(outbox_queues=("search",), idempotency_retention_seconds=60)
    )
    await store.create_memories(create_request(new_memory("a"), idempotency_key="k"))
    [job] = await store.lease_jobs("search", "w", 1, 30)
    await store.ack_jobs([rr.AckJobsRequest.Ack(job_id=job.id, lease_token=job.lease_token)])
    clock.advance(120)

    report = await sweep_once(store, MaintenanceSettings(done_job_retention_seconds=60))

    assert (report.expired_idempotency_keys, report.purged_jobs) == (1, 1)
    assert await all_jobs(store) == []
    assert (await store.count_memories(TENANT), job.state) == (1, job_pb2.JOB_STATE_LEASED)


async def test_the_sweeper_keeps_sweeping_until_cancelled(store: SqlMemoryStore, clock) -> None:
    async def deletions() -> int:
        return sum(job.topic == "memory.deleted" for job in await all_jobs(store, "search"))

    async def wait_for_deletions(count: int) -> None:
        # Polls the database: the sweeper has no event to wait on, by design.
        for _ in range(1000):
            if await deletions() >= count:
                return
            await asyncio.sleep(0.01)
        raise AssertionError(f"the sweeper did not delete {count} memories within 10 s")

    sweeper = asyncio.create_task(sweep_forever(store, MaintenanceSettings(interval_seconds=0.01)))
    try:
        for round_number in (1, 2):
            await create(store, new_memory(f"tmp {round_number}", ttl_seconds=1))
            clock.advance(2)
            await wait_for_deletions(round_number)
        assert not sweeper.done()
    finally:
        sweeper.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await sweeper
