"""Entry point: python -m gateway"""

from __future__ import annotations

import grpc
from memgrid.gateway.v1 import service_pb2_grpc
from memgrid.graph.v1.service_pb2_grpc import GraphServiceStub
from memgrid.memory.v1.service_pb2_grpc import MemoryStoreServiceStub
from memgrid.search.v1.service_pb2_grpc import SearchServiceStub
from memgrid.thought.v1.service_pb2_grpc import ThoughtServiceStub
from memgrid_runtime.channels import connect
from memgrid_runtime.server import GrpcService, run, serve
from memgrid_runtime.telemetry import configure_telemetry

from gateway.auth import ApiKeys
from gateway.graph_queries import GraphQueries
from gateway.rate_limit import TenantRateLimiter
from gateway.servicer import GatewayServicer
from gateway.settings import GatewaySettings
from gateway.visits import VisitBuffer

SERVICE_NAME = "memgrid.gateway.v1.GatewayService"

# Reads are safe to retry on UNAVAILABLE; writes are retried by clients with their
# idempotency keys instead.
MEMORY_STORE_IDEMPOTENT = [
    f"memgrid.memory.v1.MemoryStoreService/{method}"
    for method in ("GetMemory", "BatchGetMemories", "ListMemories", "GetMemoryHistory", "ListCubes")
]
# Every graph RPC the gateway calls reads, or (RemoveMemoryLinks) converges when repeated.
GRAPH_IDEMPOTENT = [
    f"memgrid.graph.v1.GraphService/{method}"
    for method in (
        "FindEntities",
        "GetNeighbors",
        "ShortestPath",
        "RelatedMemories",
        "GetMemorySubgraph",
        "RemoveMemoryLinks",
    )
]
# Indexing is idempotent by (id, version) and removal by id, so every search RPC is.
SEARCH_IDEMPOTENT = [
    f"memgrid.search.v1.SearchService/{method}"
    for method in ("Search", "IndexMemories", "RemoveMemories")
]

# Reads, and Consolidate (an identical waiting request returns the same job). Feedback is
# not: each call is one more judgement. Chat streams and is never retried by the channel.
THOUGHT_ENGINE_IDEMPOTENT = [
    f"memgrid.thought.v1.ThoughtService/{method}"
    for method in ("Consolidate", "GetJob", "GetProfile", "ListPatterns")
]


async def main() -> None:
    settings = GatewaySettings.from_env()
    telemetry = configure_telemetry(
        "gateway", log_level=settings.server.log_level, log_json=settings.server.log_json
    )
    channels: list[grpc.aio.Channel] = []

    def channel_to(target: str, idempotent: list[str]) -> grpc.aio.Channel:
        channel = connect(
            target,
            idempotent_methods=idempotent,
            default_timeout=settings.default_timeout_seconds,
            transport=settings.server.transport,
        )
        channels.append(channel)
        return channel

    store_stub = MemoryStoreServiceStub(
        channel_to(settings.memory_store_target, MEMORY_STORE_IDEMPOTENT)
    )
    # Derived services are optional: without a target their RPCs answer UNAVAILABLE.
    search_service = (
        SearchServiceStub(channel_to(settings.search_target, SEARCH_IDEMPOTENT))
        if settings.search_target
        else None
    )
    thought_engine = (
        ThoughtServiceStub(channel_to(settings.thought_engine_target, THOUGHT_ENGINE_IDEMPOTENT))
        if settings.thought_engine_target
        else None
    )
    graph_queries = (
        GraphQueries(
            GraphServiceStub(channel_to(settings.graph_target, GRAPH_IDEMPOTENT)), store_stub
        )
        if settings.graph_target
        else None
    )
    visits = VisitBuffer(
        store_stub,
        flush_seconds=settings.visit_flush_seconds,
        call_timeout_seconds=settings.index_timeout_seconds,
    )
    servicer = GatewayServicer(
        memory_store=store_stub,
        api_keys=ApiKeys(settings.api_keys),
        rate_limiter=TenantRateLimiter(settings.rate_limit_per_second, settings.rate_limit_burst),
        derived_stores=settings.derived_stores,
        search_service=search_service,
        index_timeout_seconds=settings.index_timeout_seconds,
        thought_engine=thought_engine,
        graph_queries=graph_queries,
        visits=visits,
    )

    async def close_channels() -> None:
        for channel in channels:
            await channel.close(grace=None)

    await serve(
        settings.server,
        [
            GrpcService(
                SERVICE_NAME, servicer, service_pb2_grpc.add_GatewayServiceServicer_to_server
            )
        ],
        telemetry=telemetry,
        # The visits still buffered go out before the channels close.
        on_shutdown=[visits.close, close_channels],
    )


if __name__ == "__main__":
    run(main)
