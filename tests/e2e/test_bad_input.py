"""Bad input found by fuzzing the gateway (issue 11): each is INVALID_ARGUMENT (or
UNAUTHENTICATED) naming the field as the caller sent it, never UNKNOWN or INTERNAL."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import grpc
import pytest
from google.protobuf.duration_pb2 import Duration
from google.protobuf.timestamp_pb2 import Timestamp
from memgrid.common.v1 import graph_pb2 as common_graph
from memgrid.common.v1 import memory_pb2 as common
from memgrid.gateway.v1 import graph_request_response_pb2 as gw_graph
from memgrid.gateway.v1 import request_response_pb2 as gw
from memgrid.gateway.v1.service_pb2_grpc import GatewayServiceStub
from memgrid_runtime import errors

# Past what a Timestamp may hold (9999-12-31), and seconds/nanos no clock can show.
AFTER_YEAR_9999 = Timestamp(seconds=253_402_300_800)
BEFORE_YEAR_1 = Timestamp(seconds=-62_135_596_801)
INT64_MAX_AND_BAD_NANOS = Timestamp(seconds=2**63 - 1, nanos=1_000_000_000)
NEGATIVE_NANOS = Timestamp(seconds=1_700_000_000, nanos=-1)
OUT_OF_RANGE = [AFTER_YEAR_9999, BEFORE_YEAR_1, INT64_MAX_AND_BAD_NANOS, NEGATIVE_NANOS]


@pytest.fixture
async def channel(stack) -> AsyncIterator[grpc.aio.Channel]:
    async with grpc.aio.insecure_channel(stack.address) as opened:
        yield opened


def _metadata(stack) -> tuple[tuple[str, str], ...]:
    return (("x-api-key", stack.key_a),)


async def _invalid(call) -> list[str]:
    """The field paths of the INVALID_ARGUMENT the call fails with."""
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await call
    error = errors.from_rpc_error(caught.value)
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT, caught.value.details()
    assert isinstance(error, errors.InvalidArgument)
    return [v.field for v in error.violations]


def _user() -> str:
    return f"bad-{uuid.uuid4().hex[:8]}"


GATEWAY_METHOD = "/memgrid.gateway.v1.GatewayService/"


@pytest.mark.parametrize(
    ("method", "payload", "field"),
    [
        # GetMemoryRequest.id (field 1) with bytes that are not UTF-8.
        ("GetMemory", b"\x0a\x02\xff\xfe", "id"),
        # AddMemoriesRequest.memories[0] (1) -> NewMemory.content (4) not UTF-8.
        ("AddMemories", b"\x0a\x04\x22\x02\xc3\x28", "memories[0].content"),
        # SearchRequest.filter (2) -> MemoryFilter.user_id (1) not UTF-8.
        ("Search", b"\x0a\x01q\x12\x03\x0a\x01\x80", "filter.user_id"),
        # A length that runs past the end of the message, and bytes that are no tag.
        ("ListMemories", b"\x0a\x10\x0a", "filter"),
        ("GetMemoryGraph", b"\xff\xff\xff\xff", ""),
        # UpdateMemoryRequest.update (3) -> MemoryUpdate.metadata (2), an entry cut short:
        # the map is named, not its entry's internal key field.
        ("UpdateMemory", b"\x1a\x04\x12\x02\x0a\x05", "update.metadata"),
        ("Chat", b"\x12\x02\xff\xff", "message"),
    ],
)
async def test_undecodable_request_is_invalid_and_names_the_field(
    stack, channel, method, payload, field
):
    call = channel.unary_unary(GATEWAY_METHOD + method)
    if method == "Chat":
        call = channel.unary_stream(GATEWAY_METHOD + method)
        stream = call(payload, metadata=_metadata(stack))
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            async for _ in stream:
                pass
        assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        violations = errors.from_rpc_error(caught.value).violations  # type: ignore[attr-defined]
        assert [v.field for v in violations] == [field]
        return
    assert await _invalid(call(payload, metadata=_metadata(stack))) == [field]
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await call(payload, metadata=_metadata(stack))
    assert f"could not be decoded as memgrid.gateway.v1.{method}Request" in caught.value.details()
    assert "class" not in caught.value.details()  # no Python type names


async def test_every_service_refuses_undecodable_requests(stack, channel):
    suite = stack.local_suite()
    for name, method in [
        ("memory-store", "/memgrid.memory.v1.MemoryStoreService/GetMemory"),
        ("search", "/memgrid.search.v1.SearchService/Search"),
        ("graph", "/memgrid.graph.v1.GraphService/FindEntities"),
        ("thought-engine", "/memgrid.thought.v1.ThoughtService/GetJob"),
    ]:
        async with grpc.aio.insecure_channel(suite.address_of(name)) as direct:
            call = direct.unary_unary(method)
            with pytest.raises(grpc.aio.AioRpcError) as caught:
                await call(b"\x0a\x01\xff", timeout=10)
            assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT, (name, caught.value)


@pytest.mark.parametrize("bound", OUT_OF_RANGE, ids=lambda t: f"{t.seconds}s{t.nanos}n")
@pytest.mark.parametrize("field", ["created_after", "created_before"])
async def test_out_of_range_filter_timestamps_are_invalid_in_every_rpc(
    stack, channel, client_a, field, bound
):
    user = _user()
    await client_a.add_memory("Alice lives in Paris", user_id=user)
    memory_filter = common.MemoryFilter(user_id=user, **{field: bound})
    stub = GatewayServiceStub(channel)
    md = _metadata(stack)
    path = f"filter.{field}"
    assert await _invalid(
        stub.Search(gw.SearchRequest(query="Alice Paris", filter=memory_filter), metadata=md)
    ) == [path]
    assert await _invalid(
        stub.ListMemories(gw.ListMemoriesRequest(filter=memory_filter), metadata=md)
    ) == [path]
    assert await _invalid(
        stub.DeleteMemories(gw.DeleteMemoriesRequest(filter=memory_filter), metadata=md)
    ) == [path]
    assert await _invalid(
        stub.GetRelatedMemories(
            gw_graph.GetRelatedMemoriesRequest(entities=["Alice"], filter=memory_filter),
            metadata=md,
        )
    ) == [path]
    assert len((await client_a.list_memories(common.MemoryFilter(user_id=user))).memories) == 1


@pytest.mark.parametrize("bound", OUT_OF_RANGE, ids=lambda t: f"{t.seconds}s{t.nanos}n")
async def test_out_of_range_valid_at_is_invalid(stack, channel, bound):
    stub = GatewayServiceStub(channel)
    md = _metadata(stack)
    search = gw.SearchRequest(query="x", filter=common.MemoryFilter(user_id="u"), valid_at=bound)
    assert await _invalid(stub.Search(search, metadata=md)) == ["valid_at"]
    related = gw_graph.GetRelatedMemoriesRequest(
        entities=["Alice"],
        filter=common.MemoryFilter(user_id="u"),
        relation_filter=common_graph.RelationFilter(valid_at=bound),
    )
    # The graph service names it filter.valid_at in its own request; the caller sent
    # relation_filter.
    assert await _invalid(stub.GetRelatedMemories(related, metadata=md)) == [
        "relation_filter.valid_at"
    ]
    neighbors = gw_graph.GetNeighborsRequest(
        entity="Alice", hops=1, filter=common_graph.RelationFilter(valid_at=bound)
    )
    assert await _invalid(stub.GetNeighbors(neighbors, metadata=md)) == ["filter.valid_at"]


@pytest.mark.parametrize("memory_id", ["a\x00b", "line\nbreak", "x" * 129, "tab\there"])
async def test_bad_memory_id_in_get_memory_graph_is_invalid(stack, channel, memory_id):
    stub = GatewayServiceStub(channel)
    request = gw_graph.GetMemoryGraphRequest(memory_id=memory_id)
    assert await _invalid(stub.GetMemoryGraph(request, metadata=_metadata(stack))) == ["memory_id"]


async def test_graph_service_refuses_control_characters_in_memory_ids(stack):
    from memgrid.graph.v1 import request_response_pb2 as graph
    from memgrid.graph.v1.service_pb2_grpc import GraphServiceStub

    async with stack.local_suite().internal_channel("graph") as direct:
        request = graph.GetMemorySubgraphRequest(
            tenant_id="tenant-a", user_id="someone", memory_id="a\x00b"
        )
        assert await _invalid(GraphServiceStub(direct).GetMemorySubgraph(request)) == ["memory_id"]


async def test_ttl_that_would_expire_after_year_9999_is_invalid(client_a):
    user = _user()
    forever = common.NewMemory(
        scope=common.Scope(user_id=user), content="x", ttl=Duration(seconds=315_576_000_000)
    )
    with pytest.raises(errors.InvalidArgument) as caught:
        await client_a.add_memories([forever])
    assert [v.field for v in caught.value.violations] == ["memories[0].ttl"]
    assert (await client_a.list_memories(common.MemoryFilter(user_id=user))).memories == []


async def test_bad_user_id_with_cube_ids_names_the_filter_field(stack, channel):
    stub = GatewayServiceStub(channel)
    flt = common.MemoryFilter(user_id="bad user", cube_ids=["team"])
    fields = await _invalid(
        stub.Search(gw.SearchRequest(query="x", filter=flt), metadata=_metadata(stack))
    )
    assert fields == ["filter.user_id"]


@pytest.mark.parametrize(
    "credentials",
    [
        (("x-api-key", "{a}"), ("x-api-key", "{b}")),
        (("x-api-key", "{a}"), ("authorization", "Bearer {b}")),
        (("authorization", "Bearer {b}"), ("authorization", "Bearer {a}")),
        (("x-api-key", "{a}"), ("x-api-key", "{a}")),
    ],
)
async def test_two_credentials_in_one_call_are_refused(stack, channel, client_a, credentials):
    memory = await client_a.add_memory("mine", user_id=_user())
    metadata = tuple(
        (name, value.format(a=stack.key_a, b=stack.key_b)) for name, value in credentials
    )
    stub = GatewayServiceStub(channel)
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await stub.GetMemory(gw.GetMemoryRequest(id=memory.id), metadata=metadata)
    assert caught.value.code() == grpc.StatusCode.UNAUTHENTICATED
    assert "2 credentials" in caught.value.details()


async def test_a_thousand_bad_items_still_make_a_readable_error(stack, channel):
    # Every violation listed made trailers past the client's 8 KiB metadata limit: the
    # stream was reset and the caller saw RESOURCE_EXHAUSTED from its own transport.
    bad = [common.NewMemory(scope=common.Scope(user_id="no spaces allowed"), content=" ")] * 1000
    fields = await _invalid(
        GatewayServiceStub(channel).AddMemories(
            gw.AddMemoriesRequest(memories=bad), metadata=_metadata(stack)
        )
    )
    assert fields[:2] == ["memories[0].scope.user_id", "memories[0].content"]
    assert fields[-1] == ""  # "N more problems not listed"
    assert 10 < len(fields) < 2000
