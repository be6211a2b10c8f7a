"""SearchService on a real aio server: validation, index/search/remove, rebuild tools."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any

import grpc
import pytest
from memgrid.common.v1 import memory_pb2
from memgrid.memory.v1 import request_response_pb2 as mrr
from memgrid.search.v1 import request_response_pb2 as rr
from memgrid_runtime import errors

from tests.search.conftest import Servers
from tests.search.factories import memory

TENANT = "tenant-a"
OTHER = "tenant-b"


async def rpc_error(call: Awaitable[Any]) -> errors.MemgridError:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await call
    return errors.from_rpc_error(caught.value)


def fields(error: errors.MemgridError) -> list[str]:
    assert isinstance(error, errors.InvalidArgument), error
    return [v.field for v in error.violations]


def search(query: str = "hello", **kwargs: Any) -> rr.SearchRequest:
    kwargs.setdefault("tenant_id", TENANT)
    return rr.SearchRequest(query=query, **kwargs)


async def test_search_validation_names_each_bad_field(servers: Servers) -> None:
    stub = servers.search
    assert fields(await rpc_error(stub.Search(search("   ")))) == ["query"]
    assert fields(await rpc_error(stub.Search(search("x" * 5000)))) == ["query"]
    assert fields(await rpc_error(stub.Search(search(k=101)))) == ["k"]
    assert fields(await rpc_error(stub.Search(search(k=-1)))) == ["k"]
    assert fields(await rpc_error(stub.Search(search(tenant_id="")))) == ["tenant_id"]
    bad_filter = memory_pb2.MemoryFilter(
        kinds=[memory_pb2.MEMORY_KIND_UNSPECIFIED, memory_pb2.MEMORY_KIND_FACT, 42],  # type: ignore[list-item]
        cube_ids=["team"],
        metadata={"a.b": "x"},
    )
    assert fields(await rpc_error(stub.Search(search(filter=bad_filter)))) == [
        "filter.kinds[0]",
        "filter.kinds[2]",
        "filter.user_id",
        "filter.metadata['a.b']",
    ]
    weights = rr.RankWeights(recency=1.5, diversity=-0.1)
    assert fields(await rpc_error(stub.Search(search(weights=weights)))) == [
        "weights.recency",
        "weights.diversity",
    ]
    for min_score in (-0.1, 1.5, float("nan")):
        assert fields(await rpc_error(stub.Search(search(min_score=min_score)))) == ["min_score"]


async def test_unknown_filter_field_is_rejected_not_ignored(servers: Servers) -> None:
    # A client built from a newer proto sends filter field 99; ignoring it would widen the
    # result behind the caller's back.
    flt = memory_pb2.MemoryFilter(user_id="u1").SerializeToString()
    unknown_field = bytes([0x9A, 0x06, 0x03]) + b"abc"  # field 99, length-delimited "abc"
    request = search(filter=memory_pb2.MemoryFilter.FromString(flt + unknown_field))
    assert fields(await rpc_error(servers.search.Search(request))) == ["filter.#99"]


async def test_index_validation(servers: Servers) -> None:
    stub = servers.search
    error = await rpc_error(stub.IndexMemories(rr.IndexMemoriesRequest(tenant_id=TENANT)))
    assert fields(error) == ["memories"]
    nameless = memory(version=0)
    nameless.id = ""
    request = rr.IndexMemoriesRequest(
        tenant_id=TENANT, memories=[memory(id="a"), nameless, memory(id="a", user_id="")]
    )
    assert fields(await rpc_error(stub.IndexMemories(request))) == [
        "memories[1].id",
        "memories[1].version",
        "memories[2].id",
        "memories[2].scope.user_id",
    ]
    error = await rpc_error(stub.RemoveMemories(rr.RemoveMemoriesRequest(tenant_id=TENANT)))
    assert fields(error) == ["ids"]


async def test_index_search_update_remove_round_trip(servers: Servers) -> None:
    stub = servers.search
    first = await stub.IndexMemories(
        rr.IndexMemoriesRequest(
            tenant_id=TENANT,
            memories=[
                memory("My favourite colour is teal.", id="colour"),
                memory("I work as a carpenter in Oslo.", id="job"),
            ],
        )
    )
    assert first.indexed_count == 2
    assert [r.state for r in first.results] == [rr.INDEX_STATE_INDEXED] * 2

    found = await stub.Search(search("what colour do I like best?", k=1))
    assert [h.memory_id for h in found.hits] == ["colour"]
    hit = found.hits[0]
    assert hit.dense_rank == 1 and hit.fused_rank == 1 and hit.fused_score > 0
    assert found.embedding_model.startswith("all-MiniLM-L6-v2")

    # Replaying version 1 is stale; version 2 replaces the text.
    replay = await stub.IndexMemories(
        rr.IndexMemoriesRequest(tenant_id=TENANT, memories=[memory("old", id="colour")])
    )
    assert replay.stale_count == 1 and replay.results[0].indexed_version == 1
    await stub.IndexMemories(
        rr.IndexMemoriesRequest(
            tenant_id=TENANT,
            memories=[memory("My favourite colour is now crimson.", id="colour", version=2)],
        )
    )
    crimson = await stub.Search(search("crimson", mode=rr.RETRIEVAL_MODE_SPARSE))
    assert [h.memory_id for h in crimson.hits] == ["colour"]
    teal = await stub.Search(search("teal", mode=rr.RETRIEVAL_MODE_SPARSE))
    assert teal.hits == []

    removed = await stub.RemoveMemories(
        rr.RemoveMemoriesRequest(tenant_id=TENANT, ids=["colour", "never-there"])
    )
    assert removed.removed_count == 1
    after = await stub.Search(search("favourite colour", k=10))
    assert "colour" not in {h.memory_id for h in after.hits}


async def test_cross_tenant_search_with_guessed_ids_and_filters_finds_nothing(
    servers: Servers,
) -> None:
    stub = servers.search
    secret = memory("Tenant B's launch code is 0000", id="shared-id", user_id="bob", tags=("x",))
    await stub.IndexMemories(rr.IndexMemoriesRequest(tenant_id=OTHER, memories=[secret]))
    guesses = [
        search("launch code 0000"),
        search("launch code", filter=memory_pb2.MemoryFilter(user_id="bob", tags=["x"])),
        search("launch code", filter=memory_pb2.MemoryFilter(include_superseded=True)),
    ]
    for request in guesses:
        assert (await stub.Search(request)).hits == []
    removed = await stub.RemoveMemories(
        rr.RemoveMemoriesRequest(tenant_id=TENANT, ids=["shared-id"])
    )
    assert removed.removed_count == 0
    still = await stub.Search(search("launch code", tenant_id=OTHER))
    assert [h.memory_id for h in still.hits] == ["shared-id"]


async def test_reindex_and_consistency_against_memory_store(servers: Servers) -> None:
    created = await servers.memory_store.CreateMemories(
        mrr.CreateMemoriesRequest(
            tenant_id=TENANT,
            memories=[
                memory_pb2.NewMemory(scope=memory_pb2.Scope(user_id="u1"), content=f"note {i}")
                for i in range(5)
            ],
        )
    )
    ids = [m.id for m in created.memories]
    # An orphan: indexed, but memory-store never had it.
    await servers.search.IndexMemories(
        rr.IndexMemoriesRequest(tenant_id=TENANT, memories=[memory("ghost", id="ghost")])
    )
    before = await servers.search.CheckConsistency(rr.CheckConsistencyRequest(tenant_id=TENANT))
    assert (before.store_count, before.index_count, before.consistent) == (5, 1, False)

    rebuilt = await servers.search.Reindex(rr.ReindexRequest(tenant_id=TENANT))
    assert (rebuilt.indexed_count, rebuilt.removed_count) == (5, 1)
    after = await servers.search.CheckConsistency(rr.CheckConsistencyRequest(tenant_id=TENANT))
    assert (after.store_count, after.index_count, after.consistent) == (5, 5, True)
    found = await servers.search.Search(search("note 3", mode=rr.RETRIEVAL_MODE_SPARSE, k=5))
    assert set(ids) >= {h.memory_id for h in found.hits} and found.hits
