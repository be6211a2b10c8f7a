"""Internal services answer only callers holding the internal token the gateway holds."""

from __future__ import annotations

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from memgrid.graph.v1 import request_response_pb2 as graph_pb
from memgrid.graph.v1 import service_pb2_grpc as graph_grpc
from memgrid.memory.v1 import request_response_pb2 as store_pb
from memgrid.memory.v1 import service_pb2_grpc as store_grpc
from memgrid.search.v1 import request_response_pb2 as search_pb
from memgrid.search.v1 import service_pb2_grpc as search_grpc
from memgrid.thought.v1 import request_response_pb2 as thought_pb
from memgrid.thought.v1 import service_pb2_grpc as thought_grpc
from memgrid_runtime.transport import INTERNAL_TOKEN_HEADER


async def test_memory_store_export_needs_the_internal_token(stack, client_a):
    suite = stack.local_suite()
    await client_a.add_memory("exported only with the token", user_id="auth-user")
    async with grpc.aio.insecure_channel(suite.address_of("memory-store")) as channel:
        stub = store_grpc.MemoryStoreServiceStub(channel)
        request = store_pb.ExportMemoriesRequest(tenant_id="tenant-a", page_size=5000)
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await stub.ExportMemories(request, timeout=10)
        assert caught.value.code() is grpc.StatusCode.UNAUTHENTICATED
        exported = await stub.ExportMemories(
            request, metadata=((INTERNAL_TOKEN_HEADER, suite.internal_token),), timeout=10
        )
        assert "exported only with the token" in [m.content for m in exported.memories]
        # Probes stay open: kubelet cannot send the token.
        health = await health_pb2_grpc.HealthStub(channel).Check(
            health_pb2.HealthCheckRequest(), timeout=5
        )
        assert health.status == health_pb2.HealthCheckResponse.SERVING


@pytest.mark.parametrize("service", ["search", "graph", "thought-engine"])
async def test_every_internal_service_refuses_a_caller_without_the_token(stack, service):
    suite = stack.local_suite()
    async with grpc.aio.insecure_channel(suite.address_of(service)) as channel:
        call = {
            "search": lambda: search_grpc.SearchServiceStub(channel).Search(
                search_pb.SearchRequest(tenant_id="tenant-a", query="anything"), timeout=10
            ),
            "graph": lambda: graph_grpc.GraphServiceStub(channel).FindEntities(
                graph_pb.FindEntitiesRequest(tenant_id="tenant-a", query="x"), timeout=10
            ),
            "thought-engine": lambda: thought_grpc.ThoughtServiceStub(channel).GetProfile(
                thought_pb.GetProfileRequest(tenant_id="tenant-a", user_id="u"), timeout=10
            ),
        }[service]
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await call()
        assert caught.value.code() is grpc.StatusCode.UNAUTHENTICATED
