"""Retrieval for Chat through the search service (the same hybrid search the gateway uses)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import grpc
from memgrid.common.v1 import memory_pb2
from memgrid.search.v1 import request_response_pb2 as srr
from memgrid.search.v1 import service_pb2_grpc
from memgrid_runtime.errors import from_rpc_error

if TYPE_CHECKING:
    from memgrid.search.v1.service_pb2_grpc import SearchServiceAsyncStub

SERVICE = "memgrid.search.v1.SearchService"
IDEMPOTENT_METHODS = [f"{SERVICE}/Search"]


class SearchRetriever:
    def __init__(self, channel: grpc.aio.Channel) -> None:
        self._stub: SearchServiceAsyncStub = service_pb2_grpc.SearchServiceStub(channel)

    async def search(self, tenant_id: str, user_id: str, query: str, k: int) -> list[str]:
        """Ids of the user's memories that best answer the query, best first."""
        try:
            reply = await self._stub.Search(
                srr.SearchRequest(
                    tenant_id=tenant_id,
                    query=query,
                    filter=memory_pb2.MemoryFilter(user_id=user_id),
                    k=k,
                )
            )
        except grpc.aio.AioRpcError as error:
            raise from_rpc_error(error) from None
        return [hit.memory_id for hit in reply.hits]
