"""Searches' visits reach memory-store in batches: one RecordVisits per tenant and count."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from memgrid.common.v1 import memory_pb2 as mpb
from memgrid.memory.v1 import request_response_pb2 as rr
from memgrid.memory.v1 import service_pb2_grpc as memory_grpc
from memgrid_runtime.channels import connect
from memgrid_runtime.server import GrpcService, start_server
from memgrid_runtime.settings import ServerSettings
from prometheus_client import REGISTRY

from gateway.visits import VisitBuffer
from services.memory_store.__main__ import SERVICE
from services.memory_store.limits import RequestLimits
from services.memory_store.servicer import MemoryStoreServicer
from services.memory_store.store.config import StoreConfig
from services.memory_store.store.sqlite import open_sqlite_store

TENANT, OTHER = "acme", "globex"


@pytest.fixture
async def stub(tmp_path: Path) -> AsyncIterator[memory_grpc.MemoryStoreServiceStub]:
    store = await open_sqlite_store(tmp_path / "store.db", StoreConfig(outbox_queues=()))
    server = await start_server(
        ServerSettings.for_tests("memory-store"),
        [
            GrpcService(
                SERVICE,
                MemoryStoreServicer(store, RequestLimits()),
                memory_grpc.add_MemoryStoreServiceServicer_to_server,
            )
        ],
    )
    channel = connect(server.address)
    try:
        yield memory_grpc.MemoryStoreServiceStub(channel)
    finally:
        await channel.close(None)
        await server.stop(0)
        await store.close()


async def create(stub: memory_grpc.MemoryStoreServiceStub, tenant: str, *texts: str) -> list[str]:
    reply = await stub.CreateMemories(
        rr.CreateMemoriesRequest(
            tenant_id=tenant,
            memories=[
                mpb.NewMemory(scope=mpb.Scope(user_id="u"), kind=mpb.MEMORY_KIND_FACT, content=t)
                for t in texts
            ],
        )
    )
    return [memory.id for memory in reply.memories]


async def visits_of(stub: memory_grpc.MemoryStoreServiceStub, tenant: str, ids: list[str]):
    reply = await stub.BatchGetMemories(rr.BatchGetMemoriesRequest(tenant_id=tenant, ids=ids))
    by_id = {memory.id: memory.visit_count for memory in reply.memories}
    return [by_id[memory_id] for memory_id in ids]


async def until_visits(
    stub: memory_grpc.MemoryStoreServiceStub, ids: list[str], expected: list[int]
) -> None:
    async with asyncio.timeout(10):
        while await visits_of(stub, TENANT, ids) != expected:  # noqa: ASYNC110
            await asyncio.sleep(0.05)


def record_visits_calls() -> float:
    return (
        REGISTRY.get_sample_value(
            "memgrid_rpc_server_duration_seconds_count",
            {"service": "memory-store", "method": "MemoryStoreService/RecordVisits", "code": "OK"},
        )
        or 0.0
    )


async def test_many_searches_become_one_write_per_tenant_and_count(
    stub: memory_grpc.MemoryStoreServiceStub,
) -> None:
    a, b, c = await create(stub, TENANT, "a", "b", "c")
    [x] = await create(stub, OTHER, "x")
    buffer = VisitBuffer(stub, flush_seconds=60, call_timeout_seconds=5)
    before = record_visits_calls()

    for _ in range(3):
        buffer.add(TENANT, [a, b, a])  # one Search returns each id once
    buffer.add(TENANT, [c])
    buffer.add(OTHER, [x])
    # Nothing is written while the window is open.
    await asyncio.sleep(0.1)
    assert await visits_of(stub, TENANT, [a, b, c]) == [0, 0, 0]

    await buffer.close()

    assert await visits_of(stub, TENANT, [a, b, c]) == [3, 3, 1]
    assert await visits_of(stub, OTHER, [x]) == [1]
    # a and b together (3 visits each), c alone (1), x in its own tenant.
    assert record_visits_calls() - before == 3


async def test_visits_are_flushed_when_the_window_ends(
    stub: memory_grpc.MemoryStoreServiceStub,
) -> None:
    [a] = await create(stub, TENANT, "a")
    buffer = VisitBuffer(stub, flush_seconds=0.1, call_timeout_seconds=5)

    buffer.add(TENANT, [a])
    await until_visits(stub, [a], [1])
    buffer.add(TENANT, [a])
    await until_visits(stub, [a], [2])
    await buffer.close()


async def test_a_full_buffer_flushes_before_its_window_ends(
    stub: memory_grpc.MemoryStoreServiceStub,
) -> None:
    ids = await create(stub, TENANT, *(f"m{n}" for n in range(4)))
    buffer = VisitBuffer(stub, flush_seconds=60, call_timeout_seconds=5, max_pending_ids=4)

    buffer.add(TENANT, ids[:2])
    buffer.add(TENANT, ids[2:])

    await until_visits(stub, ids, [1, 1, 1, 1])
    await buffer.close()
