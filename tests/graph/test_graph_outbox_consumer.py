"""The "graph" queue consumer against a real memory-store server (SQLite)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from memgrid.common.v1 import memory_pb2
from memgrid.memory.v1 import request_response_pb2 as mpb
from memgrid.memory.v1 import service_pb2_grpc as memory_grpc
from memgrid_runtime.channels import connect
from memgrid_runtime.server import GrpcService, start_server
from memgrid_runtime.settings import ServerSettings

from services.graph.model import (
    GraphScope,
    MentionInput,
    RelationFilter,
    RelationInput,
    UpsertBatch,
)
from services.graph.outbox_consumer import ConsumerOptions, GraphOutboxConsumer
from services.graph.store.cypher_store import CypherGraphStore
from services.graph.store.falkordb_process import FalkorDBProcess
from services.memory_store.limits import RequestLimits
from services.memory_store.servicer import MemoryStoreServicer
from services.memory_store.store.config import StoreConfig
from services.memory_store.store.sqlite import open_sqlite_store

if TYPE_CHECKING:
    from memgrid.memory.v1.service_pb2_grpc import MemoryStoreServiceAsyncStub

TENANT = "outbox-tenant"
# The graph of the user whose memories the tests write.
SCOPE = GraphScope(TENANT, "u1")
MEMORY_STORE = "memgrid.memory.v1.MemoryStoreService"


@dataclass
class MemoryStore:
    stub: MemoryStoreServiceAsyncStub

    async def create(self, content: str) -> str:
        response = await self.stub.CreateMemories(
            mpb.CreateMemoriesRequest(
                tenant_id=TENANT,
                memories=[
                    memory_pb2.NewMemory(scope=memory_pb2.Scope(user_id="u1"), content=content)
                ],
            )
        )
        return response.memories[0].id

    async def graph_queue(self) -> mpb.GetQueueStatsResponse:
        return await self.stub.GetQueueStats(mpb.GetQueueStatsRequest(queues=["graph"]))


@pytest.fixture
async def memory_store(tmp_path: Path) -> AsyncIterator[MemoryStore]:
    store = await open_sqlite_store(tmp_path / "memory-store.db", StoreConfig())
    server = await start_server(
        ServerSettings.for_tests("memory-store"),
        [
            GrpcService(
                MEMORY_STORE,
                MemoryStoreServicer(store, RequestLimits()),
                memory_grpc.add_MemoryStoreServiceServicer_to_server,
            )
        ],
    )
    channel = connect(server.address)
    yield MemoryStore(memory_grpc.MemoryStoreServiceStub(channel))
    await channel.close(None)
    await server.stop(0)
    await store.close()


def consumer_for(store: CypherGraphStore, memory_store: MemoryStore) -> GraphOutboxConsumer:
    options = ConsumerOptions(worker_id="graph-test", idle_poll_seconds=0.05, retry_after_seconds=1)
    return GraphOutboxConsumer(store, memory_store.stub, options)


async def link(store: CypherGraphStore, deleted: str, kept: str) -> None:
    await store.upsert(
        SCOPE,
        UpsertBatch(
            relations=[
                RelationInput("Alice", "Paris", "lives_in", [deleted]),
                RelationInput("Alice", "Beth", "sister_of", [kept]),
            ],
            mentions=[MentionInput(deleted, "Eiffel Tower")],
        ),
    )


async def test_deleted_memory_leaves_the_graph_without_orphans(
    falkordb_store: CypherGraphStore, memory_store: MemoryStore
) -> None:
    deleted = await memory_store.create("Alice lives in Paris, near the Eiffel Tower")
    kept = await memory_store.create("Alice is Beth's sister")
    await link(falkordb_store, deleted, kept)
    await memory_store.stub.DeleteMemory(mpb.DeleteMemoryRequest(tenant_id=TENANT, id=deleted))

    consumer = consumer_for(falkordb_store, memory_store)
    stop = asyncio.Event()
    running = asyncio.create_task(consumer.run(stop))
    try:
        for _ in range(200):
            [queue] = (await memory_store.graph_queue()).stats
            if queue.pending == 0 and queue.leased == 0:
                break
            await asyncio.sleep(0.05)
    finally:
        stop.set()
        await running

    # The graph queue subscribes to deletes only: one job, done.
    assert (queue.pending, queue.leased, queue.dead, queue.done) == (0, 0, 0, 1)
    stats = await falkordb_store.stats(SCOPE)
    assert (stats.entity_count, stats.relation_count, stats.memory_count) == (2, 1, 1)
    assert stats.unlinked_entity_count == 0
    names = {
        e.entity.name
        for e in (
            await falkordb_store.memory_subgraph(
                SCOPE, kept, hops=1, relation_filter=RelationFilter(), limit=10
            )
        ).entities
    }
    assert names == {"Alice", "Beth"}


async def test_jobs_go_back_to_the_queue_while_the_graph_is_down(
    falkordb_store: CypherGraphStore,
    memory_store: MemoryStore,
    own_falkordb: FalkorDBProcess,
) -> None:
    deleted = await memory_store.create("Alice lives in Paris")
    await link(falkordb_store, deleted, "other")
    await memory_store.stub.DeleteMemory(mpb.DeleteMemoryRequest(tenant_id=TENANT, id=deleted))
    own_falkordb.kill()

    consumer = consumer_for(falkordb_store, memory_store)
    assert await consumer.process_batch() == 1
    [queue] = (await memory_store.graph_queue()).stats
    assert (queue.done, queue.pending) == (0, 1)  # the delete is nacked
    failed = await memory_store.stub.ListJobs(mpb.ListJobsRequest(queue="graph", tenant_id=TENANT))
    [retry] = [job for job in failed.jobs if job.topic == "memory.deleted"]
    # An outage does not spend the job's attempt: a long one cannot make it DEAD.
    assert retry.attempts == 0 and "GRAPH_BACKEND_DOWN" in retry.last_error

    own_falkordb.start()
    await asyncio.sleep(1.0)  # the retry delay the nack asked for
    assert await consumer.process_batch() == 1
    assert (await falkordb_store.stats(SCOPE)).memory_count == 1
