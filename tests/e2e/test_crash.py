"""A crash of memory-store loses nothing that was acknowledged."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from memgrid.common.v1 import memory_pb2 as common
from memgrid_runtime import errors


async def test_acknowledged_writes_survive_a_kill(stack, client_a):
    suite = stack.local_suite()
    user = f"crash-{uuid.uuid4().hex[:8]}"
    acknowledged: list[str] = []
    enough_acknowledged = asyncio.Event()

    async def writer() -> None:
        for i in range(10_000):
            try:
                reply = await client_a.add_memories(
                    [
                        common.NewMemory(scope=common.Scope(user_id=user), content=f"w{i}-{j}")
                        for j in range(20)
                    ],
                    idempotency_key=f"{user}-{i}",
                )
            except (errors.Unavailable, errors.Internal, errors.DeadlineExceeded):
                return
            acknowledged.extend(m.id for m in reply.memories)
            if len(acknowledged) >= 200:
                enough_acknowledged.set()

    task = asyncio.create_task(writer())
    await asyncio.wait_for(enough_acknowledged.wait(), 30)
    suite.kill("memory-store")
    await asyncio.wait_for(task, 30)

    with pytest.raises(errors.Unavailable):
        await client_a.get_memory(acknowledged[0])

    await suite.restart("memory-store")
    # The gateway reconnects within its channel's reconnect backoff (1 s at most).
    async with asyncio.timeout(10):
        while True:
            try:
                await client_a.get_memory(acknowledged[0])
                break
            except errors.Unavailable:
                await asyncio.sleep(0.1)
    found: set[str] = set()
    token = ""
    while True:
        page = await client_a.list_memories(
            common.MemoryFilter(user_id=user), page_size=1000, page_token=token
        )
        found.update(m.id for m in page.memories)
        token = page.next_page_token
        if not token:
            break
    assert set(acknowledged) <= found
    # Whole batches or nothing: every stored batch has all of its 20 memories.
    assert len(found) % 20 == 0
