"""GraphService on a real aio server: wire conversion, validation, and backend faults."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, cast

import grpc
import pytest
from google.protobuf import timestamp_pb2
from memgrid.common.v1 import graph_pb2
from memgrid.graph.v1 import request_response_pb2 as pb
from memgrid.graph.v1 import service_pb2_grpc
from memgrid_runtime.channels import connect
from memgrid_runtime.errors import (
    InvalidArgument,
    MemgridError,
    NotFound,
    Unavailable,
    from_rpc_error,
)

from services.graph.store.cypher_store import CypherGraphStore
from services.graph.store.falkordb_process import FalkorDBProcess
from services.graph.store.neo4j import Neo4jBackend
from tests.graph.conftest import serve_graph

if TYPE_CHECKING:
    from memgrid.graph.v1.service_pb2_grpc import GraphServiceAsyncStub as Stub

TENANT = "servicer-tenant"
USER = "servicer-user"
# A client built from a newer proto could send an enum number this server does not know.
UNKNOWN_DIRECTION = cast(graph_pb2.Direction.ValueType, 9)


def timestamp(instant: datetime) -> timestamp_pb2.Timestamp:
    message = timestamp_pb2.Timestamp()
    message.FromDatetime(instant)
    return message


async def call_error(call: object) -> MemgridError:
    with pytest.raises(grpc.RpcError) as failure:
        await call  # type: ignore[misc]
    return from_rpc_error(failure.value)


async def seed(stub: Stub) -> pb.UpsertResponse:
    return await stub.Upsert(
        pb.UpsertRequest(
            tenant_id=TENANT,
            user_id=USER,
            entities=[graph_pb2.Entity(name="Alice", type="person", aliases=["Ally"])],
            relations=[
                graph_pb2.Relation(
                    source="Alice",
                    target="Beth",
                    type="sister_of",
                    confidence=0.9,
                    source_memory_ids=["m1"],
                    valid_from=timestamp(datetime(2024, 1, 1, tzinfo=UTC)),
                ),
                graph_pb2.Relation(
                    source="Beth", target="Carl", type="works_with", source_memory_ids=["m2"]
                ),
            ],
            mentions=[graph_pb2.Mention(memory_id="m3", entity="Carl", provenance="llm")],
        )
    )


async def test_round_trip_through_every_rpc(graph_stub: Stub) -> None:
    upserted = await seed(graph_stub)
    assert (upserted.entities_upserted, upserted.relations_upserted) == (3, 2)

    entity = (
        await graph_stub.GetEntity(pb.GetEntityRequest(tenant_id=TENANT, user_id=USER, name="ally"))
    ).entity
    assert (entity.name, entity.key, entity.type, list(entity.aliases)) == (
        "Alice",
        "alice",
        "person",
        ["Ally"],
    )
    found = await graph_stub.FindEntities(
        pb.FindEntitiesRequest(
            tenant_id=TENANT, user_id=USER, query="b", match=graph_pb2.ENTITY_MATCH_PREFIX
        )
    )
    assert [e.name for e in found.entities] == ["Beth"]

    neighbors = await graph_stub.GetNeighbors(
        pb.GetNeighborsRequest(tenant_id=TENANT, user_id=USER, entity="Alice", hops=2)
    )
    assert [(e.entity.name, e.hops) for e in neighbors.entities] == [
        ("Alice", 0),
        ("Beth", 1),
        ("Carl", 2),
    ]
    sister = neighbors.relations[0]
    assert (sister.source, sister.type, sister.target) == ("Alice", "sister_of", "Beth")
    assert sister.confidence == pytest.approx(0.9)
    assert sister.valid_from.ToDatetime(tzinfo=UTC) == datetime(2024, 1, 1, tzinfo=UTC)
    assert not sister.HasField("valid_to")
    assert neighbors.relations[1].confidence == 1.0  # unset on write means 1

    before_alice = pb.GetNeighborsRequest(
        tenant_id=TENANT,
        user_id=USER,
        entity="Alice",
        filter=graph_pb2.RelationFilter(valid_at=timestamp(datetime(2023, 1, 1, tzinfo=UTC))),
    )
    assert len((await graph_stub.GetNeighbors(before_alice)).entities) == 1

    path = await graph_stub.ShortestPath(
        pb.ShortestPathRequest(tenant_id=TENANT, user_id=USER, source="Alice", target="Carl")
    )
    assert path.found and [e.name for e in path.entities] == ["Alice", "Beth", "Carl"]
    no_path = await graph_stub.ShortestPath(
        pb.ShortestPathRequest(
            tenant_id=TENANT, user_id=USER, source="Alice", target="Carl", max_hops=1
        )
    )
    assert not no_path.found and not no_path.entities

    related = await graph_stub.RelatedMemories(
        pb.RelatedMemoriesRequest(
            tenant_id=TENANT, user_id=USER, entities=["Alice", "Nobody"], hops=2
        )
    )
    assert [(m.memory_id, m.hops, list(m.via_entities)) for m in related.memories] == [
        ("m1", 0, ["Alice"]),
        ("m2", 1, ["Beth"]),
        ("m3", 2, ["Carl"]),
    ]
    assert list(related.unknown_entities) == ["Nobody"]

    subgraph = await graph_stub.GetMemorySubgraph(
        pb.GetMemorySubgraphRequest(tenant_id=TENANT, user_id=USER, memory_id="m3", hops=1)
    )
    assert [(m.entity, m.provenance) for m in subgraph.mentions] == [("Carl", "llm")]
    assert {e.entity.name for e in subgraph.entities} == {"Carl", "Beth"}

    invalidated = await graph_stub.InvalidateRelations(
        pb.InvalidateRelationsRequest(
            tenant_id=TENANT,
            user_id=USER,
            source="Beth",
            target="Carl",
            type="works_with",
            valid_to=timestamp(datetime(2025, 1, 1, tzinfo=UTC)),
        )
    )
    assert invalidated.invalidated_count == 1
    now = await graph_stub.GetNeighbors(
        pb.GetNeighborsRequest(tenant_id=TENANT, user_id=USER, entity="Beth")
    )
    assert [e.entity.name for e in now.entities] == ["Beth", "Alice"]
    history = await graph_stub.GetNeighbors(
        pb.GetNeighborsRequest(
            tenant_id=TENANT,
            user_id=USER,
            entity="Beth",
            filter=graph_pb2.RelationFilter(
                include_invalidated=True, direction=graph_pb2.DIRECTION_OUTGOING
            ),
        )
    )
    assert [e.entity.name for e in history.entities] == ["Beth", "Carl"]
    assert history.relations[0].valid_to.ToDatetime(tzinfo=UTC) == datetime(2025, 1, 1, tzinfo=UTC)

    merged = await graph_stub.MergeEntities(
        pb.MergeEntitiesRequest(tenant_id=TENANT, user_id=USER, target="Beth", sources=["Carl"])
    )
    assert merged.merged_count == 1 and list(merged.entity.aliases) == ["Carl"]

    removed = await graph_stub.RemoveMemoryLinks(
        pb.RemoveMemoryLinksRequest(tenant_id=TENANT, memory_ids=["m1", "m2", "m3"])
    )
    assert (removed.relations_removed, removed.entities_collected) == (1, 2)
    stats = await graph_stub.GetGraphStats(pb.GetGraphStatsRequest(tenant_id=TENANT, user_id=USER))
    assert (stats.entity_count, stats.relation_count, stats.memory_count) == (0, 0, 0)


# Every RPC that reads or writes one user's graph, without the user.
_UNSCOPED_CALLS = {
    "Upsert": lambda stub: stub.Upsert(
        pb.UpsertRequest(tenant_id=TENANT, entities=[graph_pb2.Entity(name="Alice")])
    ),
    "GetEntity": lambda stub: stub.GetEntity(pb.GetEntityRequest(tenant_id=TENANT, name="a")),
    "FindEntities": lambda stub: stub.FindEntities(
        pb.FindEntitiesRequest(tenant_id=TENANT, query="a")
    ),
    "GetNeighbors": lambda stub: stub.GetNeighbors(
        pb.GetNeighborsRequest(tenant_id=TENANT, entity="Alice")
    ),
    "ShortestPath": lambda stub: stub.ShortestPath(
        pb.ShortestPathRequest(tenant_id=TENANT, source="Alice", target="Beth")
    ),
    "RelatedMemories": lambda stub: stub.RelatedMemories(
        pb.RelatedMemoriesRequest(tenant_id=TENANT, entities=["Alice"])
    ),
    "GetMemorySubgraph": lambda stub: stub.GetMemorySubgraph(
        pb.GetMemorySubgraphRequest(tenant_id=TENANT, memory_id="m1")
    ),
    "MergeEntities": lambda stub: stub.MergeEntities(
        pb.MergeEntitiesRequest(tenant_id=TENANT, target="Alice", sources=["Beth"])
    ),
    "GetGraphStats": lambda stub: stub.GetGraphStats(pb.GetGraphStatsRequest(tenant_id=TENANT)),
}


@pytest.mark.parametrize("rpc", sorted(_UNSCOPED_CALLS))
async def test_every_scoped_rpc_needs_the_user(graph_stub: Stub, rpc: str) -> None:
    await graph_stub.Upsert(pb.UpsertRequest(tenant_id=TENANT, user_id=USER, mentions=[
        graph_pb2.Mention(memory_id="m1", entity="Alice")
    ]))  # fmt: skip
    error = await call_error(_UNSCOPED_CALLS[rpc](graph_stub))
    assert isinstance(error, InvalidArgument)
    assert [violation.field for violation in error.violations] == ["user_id"]


@pytest.mark.parametrize(
    ("call", "fields"),
    [
        (
            lambda stub: stub.Upsert(
                pb.UpsertRequest(
                    tenant_id=TENANT,
                    user_id=USER,
                    entities=[graph_pb2.Entity(name="")],
                    relations=[graph_pb2.Relation(source="a", target="b", type="t")],
                    mentions=[graph_pb2.Mention(memory_id="m", entity="e", confidence=2.0)],
                )
            ),
            ["entities[0].name", "relations[0].source_memory_ids", "mentions[0].confidence"],
        ),
        (
            lambda stub: stub.Upsert(
                pb.UpsertRequest(user_id=USER, entities=[graph_pb2.Entity(name="a")])
            ),
            ["tenant_id"],
        ),
        (
            lambda stub: stub.GetNeighbors(
                pb.GetNeighborsRequest(tenant_id=TENANT, user_id=USER, entity="Alice", hops=5)
            ),
            ["hops"],
        ),
        (
            lambda stub: stub.GetNeighbors(
                pb.GetNeighborsRequest(
                    tenant_id=TENANT,
                    user_id=USER,
                    entity="Alice",
                    filter=graph_pb2.RelationFilter(direction=UNKNOWN_DIRECTION),
                )
            ),
            ["filter.direction"],
        ),
        (
            lambda stub: stub.ShortestPath(
                pb.ShortestPathRequest(
                    tenant_id=TENANT, user_id=USER, source="a", target="b", max_hops=99
                )
            ),
            ["max_hops"],
        ),
        (
            lambda stub: stub.RelatedMemories(
                pb.RelatedMemoriesRequest(tenant_id=TENANT, user_id=USER)
            ),
            ["entities"],
        ),
        (
            lambda stub: stub.FindEntities(
                pb.FindEntitiesRequest(tenant_id=TENANT, user_id=USER, query="a", limit=5000)
            ),
            ["limit"],
        ),
        (
            lambda stub: stub.InvalidateRelations(
                pb.InvalidateRelationsRequest(
                    tenant_id=TENANT, user_id=USER, source="a", target="b", type="t"
                )
            ),
            ["valid_to"],
        ),
        (
            lambda stub: stub.RemoveMemoryLinks(pb.RemoveMemoryLinksRequest(tenant_id=TENANT)),
            ["memory_ids"],
        ),
    ],
)
async def test_bad_requests_are_invalid_argument_naming_the_field(
    graph_stub: Stub, call: object, fields: list[str]
) -> None:
    error = await call_error(call(graph_stub))  # type: ignore[operator]
    assert isinstance(error, InvalidArgument)
    assert [violation.field for violation in error.violations] == fields


async def test_unknown_entity_is_not_found(graph_stub: Stub) -> None:
    error = await call_error(
        graph_stub.GetNeighbors(
            pb.GetNeighborsRequest(tenant_id=TENANT, user_id=USER, entity="Nobody")
        )
    )
    assert isinstance(error, NotFound)
    assert (error.resource_type, error.resource_name) == ("entity", "Nobody")


async def test_falkordb_down_is_unavailable_and_recovers(
    graph_stub: Stub, own_falkordb: FalkorDBProcess
) -> None:
    await seed(graph_stub)
    own_falkordb.kill()
    request = pb.GetNeighborsRequest(tenant_id=TENANT, user_id=USER, entity="Alice")
    error = await call_error(graph_stub.GetNeighbors(request))
    assert isinstance(error, Unavailable)
    assert error.reason == "GRAPH_BACKEND_DOWN"
    write = await call_error(seed(graph_stub))
    assert isinstance(write, Unavailable)

    own_falkordb.start()  # the append-only file brings the graph back
    assert len((await graph_stub.GetNeighbors(request)).entities) == 2


async def test_neo4j_down_is_unavailable() -> None:
    # A real driver against a loopback port nothing listens on.
    backend = Neo4jBackend.connect("bolt://127.0.0.1:9", connection_timeout=1.0, max_retry_time=0.5)
    store = CypherGraphStore(backend)
    server = await serve_graph(store)
    channel = connect(server.address)
    try:
        stub: Stub = service_pb2_grpc.GraphServiceStub(channel)
        error = await call_error(
            stub.GetEntity(pb.GetEntityRequest(tenant_id=TENANT, user_id=USER, name="a"))
        )
        assert isinstance(error, Unavailable)
        assert error.retry_after_seconds > 0
    finally:
        await channel.close(None)
        await server.stop(0)
        await store.close()
