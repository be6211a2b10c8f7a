"""The index-sync worker against a real memory-store outbox and a real Qdrant Edge index."""

from __future__ import annotations

import asyncio
from pathlib import Path

from google.protobuf import field_mask_pb2
from memgrid.common.v1 import memory_pb2
from memgrid.memory.v1 import request_response_pb2 as mrr
from memgrid.search.v1 import request_response_pb2 as rr

from services.search.embedding import OnnxEmbedder
from services.search.index import open_index
from services.search.index_writer import IndexWriter
from services.search.indexer import IndexSyncWorker, SyncSettings
from services.search.sparse import SparseEncoder
from tests.search.conftest import Servers

TENANT = "tenant-sync"
SETTINGS = SyncSettings(worker_id="test-sync", retry_after_seconds=1)


async def create(servers: Servers, *texts: str) -> list[str]:
    response = await servers.memory_store.CreateMemories(
        mrr.CreateMemoriesRequest(
            tenant_id=TENANT,
            memories=[
                memory_pb2.NewMemory(scope=memory_pb2.Scope(user_id="u1"), content=t) for t in texts
            ],
        )
    )
    return [m.id for m in response.memories]


async def found(servers: Servers, query: str) -> list[str]:
    response = await servers.search.Search(
        rr.SearchRequest(tenant_id=TENANT, query=query, mode=rr.RETRIEVAL_MODE_SPARSE)
    )
    return [h.memory_id for h in response.hits]


async def drain(worker: IndexSyncWorker) -> None:
    while await worker.run_once():
        pass


async def test_upsert_update_delete_reach_the_index(servers: Servers) -> None:
    worker = IndexSyncWorker(servers.memory_store_client, servers.parts.writer, SETTINGS)
    (kiwi, _) = await create(servers, "I grow kiwi fruit on the balcony", "I own a kayak")
    await drain(worker)
    assert await found(servers, "kiwi") == [kiwi]

    await servers.memory_store.UpdateMemory(
        mrr.UpdateMemoryRequest(
            tenant_id=TENANT,
            id=kiwi,
            update=memory_pb2.MemoryUpdate(content="I grow passion fruit on the balcony"),
            update_mask=field_mask_pb2.FieldMask(paths=["content"]),
        )
    )
    await drain(worker)
    assert await found(servers, "kiwi") == []
    assert await found(servers, "passion") == [kiwi]

    await servers.memory_store.DeleteMemory(mrr.DeleteMemoryRequest(tenant_id=TENANT, id=kiwi))
    await drain(worker)
    assert await found(servers, "passion balcony") == []
    stats = await servers.memory_store.GetQueueStats(mrr.GetQueueStatsRequest(queues=["search"]))
    assert stats.stats[0].pending == 0 and stats.stats[0].dead == 0


async def test_jobs_replayed_out_of_order_do_no_harm(servers: Servers) -> None:
    """A stale upsert job (its memory deleted since) must not resurrect the memory."""
    worker = IndexSyncWorker(servers.memory_store_client, servers.parts.writer, SETTINGS)
    (ghost,) = await create(servers, "the ghost memory about lanterns")
    await servers.memory_store.DeleteMemory(mrr.DeleteMemoryRequest(tenant_id=TENANT, id=ghost))
    await drain(worker)  # leases the upsert and the delete together
    assert await found(servers, "lanterns") == []


async def test_writes_while_the_index_is_down_are_indexed_once_it_is_back(
    servers: Servers, tmp_path: Path, onnx_embedder: OnnxEmbedder
) -> None:
    down_index = open_index("qdrant-edge", dim=384, path=tmp_path / "outage")
    down_index.close()  # the index is down: every call fails with UNAVAILABLE
    broken = IndexSyncWorker(
        servers.memory_store_client,
        IndexWriter(onnx_embedder, down_index, SparseEncoder()),
        SETTINGS,
    )
    (teapot,) = await create(servers, "the blue teapot is in the attic")  # the write succeeds
    assert await broken.run_once() == 1
    stats = await servers.memory_store.GetQueueStats(mrr.GetQueueStatsRequest(queues=["search"]))
    assert stats.stats[0].pending == 1, "the failed job went back to the queue"
    assert await found(servers, "teapot") == []

    healthy = IndexSyncWorker(servers.memory_store_client, servers.parts.writer, SETTINGS)
    for _ in range(40):  # the retry delay is 1 s
        await drain(healthy)
        if await found(servers, "teapot"):
            break
        await asyncio.sleep(0.1)
    assert await found(servers, "teapot") == [teapot]
