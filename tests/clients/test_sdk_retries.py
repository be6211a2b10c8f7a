"""The SDK's retries against a real outage: memory-store is killed, so the gateway answers
UNAVAILABLE. The gateway's own metrics count how many attempts each call really made.

Reads and keyed writes are retried (until the store is back, or up to max_attempts);
deletes and writes sent without a key are attempted exactly once.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
from memgrid.common.v1 import memory_pb2 as common
from memgrid_client import AsyncMemgrid, DeadlineExceeded, Memgrid, RetryPolicy, Unavailable

from tests.clients.stack import ClientStack

# Short waits so that a test spends seconds, not the default policy's worst case.
QUICK_RETRIES = RetryPolicy(max_attempts=3, initial_backoff_seconds=0.05, max_backoff_seconds=0.2)


@pytest.fixture
async def store_down(client_stack: ClientStack) -> AsyncIterator[ClientStack]:
    """memory-store killed for the test, restarted (on the same port) after it."""
    client_stack.suite.kill("memory-store")
    try:
        yield client_stack
    finally:
        if client_stack.suite.running["memory-store"].process.poll() is not None:
            await client_stack.suite.restart("memory-store")


@pytest.fixture
async def memory(client_stack: ClientStack) -> common.Memory:
    async with AsyncMemgrid(client_stack.address, client_stack.key_a) as client:
        return await client.add_memory("survives outages", user_id=f"retry-{uuid.uuid4().hex[:8]}")


async def test_each_kind_of_call_is_attempted_as_often_as_is_safe(
    memory: common.Memory, store_down: ClientStack
) -> None:
    new = [common.NewMemory(scope=common.Scope(user_id="retry-writer"), content="x")]
    async with AsyncMemgrid(store_down.address, store_down.key_a, retry=QUICK_RETRIES) as client:
        calls = [
            ("GetMemory", 3, lambda: client.get_memory(memory.id)),
            ("AddMemories", 3, lambda: client.add_memories(new, idempotency_key="retry-key")),
            ("AddMemories", 1, lambda: client.add_memories(new, idempotency_key="")),
            ("DeleteMemory", 1, lambda: client.delete_memory(memory.id)),
        ]
        for method, attempts, call in calls:
            before = store_down.gateway_rpcs_settled(method, "UNAVAILABLE", 0)
            with pytest.raises(Unavailable):
                await call()
            after = store_down.gateway_rpcs_settled(method, "UNAVAILABLE", before + attempts)
            assert after - before == attempts, method


async def test_a_read_rides_out_a_restart_of_memory_store(
    memory: common.Memory, client_stack: ClientStack
) -> None:
    failed_before = client_stack.gateway_rpcs("GetMemory", "UNAVAILABLE")
    client_stack.suite.kill("memory-store")
    restart = asyncio.create_task(client_stack.suite.restart("memory-store"))
    try:
        # The sync client, in a thread, keeps retrying while the store comes back.
        patient = RetryPolicy(max_attempts=60, initial_backoff_seconds=0.1, max_backoff_seconds=0.5)
        with Memgrid(client_stack.address, client_stack.key_a, retry=patient) as client:
            fetched = await asyncio.to_thread(client.get_memory, memory.id, timeout=60)
        assert fetched.id == memory.id
        assert client_stack.gateway_rpcs_settled("GetMemory", "UNAVAILABLE", failed_before + 1) > (
            failed_before
        )
    finally:
        await restart


async def test_retries_stop_at_the_deadline(store_down: ClientStack) -> None:
    patient = RetryPolicy(max_attempts=1000, initial_backoff_seconds=0.1, max_backoff_seconds=0.2)
    async with AsyncMemgrid(store_down.address, store_down.key_a, retry=patient) as client:
        loop = asyncio.get_running_loop()
        started = loop.time()
        # The last attempt gets what is left of the budget, so the call ends as UNAVAILABLE
        # or, when that attempt outlives the budget, DEADLINE_EXCEEDED; never later.
        with pytest.raises((Unavailable, DeadlineExceeded)):
            await client.list_memories(common.MemoryFilter(user_id="nobody"), timeout=1.5)
        assert loop.time() - started < 2.5
