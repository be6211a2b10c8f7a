"""The public graph queries and Search's graph expansion, over the graph service.

Names and filters pass through to the graph service, which validates them (its field
violations name the same fields as the public request, user_id included) and scopes every
query to the tenant and the named user's graph. Memories the graph returns are hydrated
from memory-store and filtered like search results, so the graph never widens what a
caller may see.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

from memgrid.common.v1 import memory_pb2 as common
from memgrid.gateway.v1 import graph_request_response_pb2 as gw
from memgrid.graph.v1 import request_response_pb2 as graph
from memgrid.memory.v1 import request_response_pb2 as store
from memgrid_runtime.field_rules import (
    DEFAULT_FIELD_LIMITS,
    Violations,
    check_id,
    check_memory_filter,
)
from memgrid_runtime.memory_filter import MemoryFilterSpec, matches

from gateway.remote import downstream

if TYPE_CHECKING:
    from memgrid.graph.v1.service_pb2_grpc import GraphServiceAsyncStub
    from memgrid.memory.v1.service_pb2_grpc import MemoryStoreServiceAsyncStub

log = logging.getLogger(__name__)


def check_related_memories_filter(request: gw.GetRelatedMemoriesRequest) -> None:
    """The gateway applies this filter itself (in _hydrate), so it checks it as memory-store
    and search check theirs, before anything reads the graph or the cubes."""
    violations = Violations()
    if not request.filter.user_id:
        violations.add("filter.user_id", "required: whose memories to return")
    check_memory_filter(violations, "filter", request.filter, DEFAULT_FIELD_LIMITS)
    violations.raise_if_any()


class GraphQueries:
    def __init__(
        self, graph_service: GraphServiceAsyncStub, memory_store: MemoryStoreServiceAsyncStub
    ) -> None:
        self._graph = graph_service
        self._store = memory_store

    async def find_entities(
        self, tenant: str, request: gw.FindEntitiesRequest
    ) -> gw.FindEntitiesResponse:
        reply = await downstream(
            self._graph.FindEntities(
                graph.FindEntitiesRequest(
                    tenant_id=tenant,
                    user_id=request.user_id,
                    query=request.query,
                    match=request.match,
                    types=request.types,
                    limit=request.limit,
                )
            )
        )
        return gw.FindEntitiesResponse(entities=reply.entities)

    async def get_neighbors(
        self, tenant: str, request: gw.GetNeighborsRequest
    ) -> gw.GetNeighborsResponse:
        reply = await downstream(
            self._graph.GetNeighbors(
                graph.GetNeighborsRequest(
                    tenant_id=tenant,
                    user_id=request.user_id,
                    entity=request.entity,
                    hops=request.hops,
                    filter=request.filter,
                    limit=request.limit,
                )
            )
        )
        return gw.GetNeighborsResponse(
            entities=reply.entities, relations=reply.relations, truncated=reply.truncated
        )

    async def shortest_path(
        self, tenant: str, request: gw.ShortestPathRequest
    ) -> gw.ShortestPathResponse:
        reply = await downstream(
            self._graph.ShortestPath(
                graph.ShortestPathRequest(
                    tenant_id=tenant,
                    user_id=request.user_id,
                    source=request.source,
                    target=request.target,
                    max_hops=request.max_hops,
                    filter=request.filter,
                )
            )
        )
        return gw.ShortestPathResponse(
            found=reply.found, entities=reply.entities, relations=reply.relations
        )

    async def get_memory_graph(
        self, tenant: str, request: gw.GetMemoryGraphRequest
    ) -> gw.GetMemoryGraphResponse:
        # Memory ids follow memory-store's id rule, whichever store is asked about them.
        violations = Violations()
        check_id(violations, "memory_id", request.memory_id)
        violations.raise_if_any()
        reply = await downstream(
            self._graph.GetMemorySubgraph(
                graph.GetMemorySubgraphRequest(
                    tenant_id=tenant,
                    user_id=request.user_id,
                    memory_id=request.memory_id,
                    hops=request.hops,
                    filter=request.filter,
                    limit=request.limit,
                )
            )
        )
        return gw.GetMemoryGraphResponse(
            mentions=reply.mentions,
            entities=reply.entities,
            relations=reply.relations,
            truncated=reply.truncated,
        )

    async def get_related_memories(
        self, tenant: str, request: gw.GetRelatedMemoriesRequest
    ) -> gw.GetRelatedMemoriesResponse:
        check_related_memories_filter(request)
        reply = await downstream(
            self._graph.RelatedMemories(
                graph.RelatedMemoriesRequest(
                    tenant_id=tenant,
                    user_id=request.filter.user_id,
                    entities=request.entities,
                    hops=request.hops,
                    filter=request.relation_filter,
                    limit=request.limit,
                )
            ),
            field_paths={"filter": "relation_filter"},
        )
        memories = await self._hydrate(
            tenant, [hit.memory_id for hit in reply.memories], request.filter
        )
        return gw.GetRelatedMemoriesResponse(
            memories=[
                gw.RelatedMemoryHit(
                    memory=memories[hit.memory_id],
                    hops=hit.hops,
                    confidence=hit.confidence,
                    via_entities=hit.via_entities,
                )
                for hit in reply.memories
                if hit.memory_id in memories
            ],
            unknown_entities=reply.unknown_entities,
        )

    async def remove_memory_links(self, tenant: str, ids: Sequence[str], *, timeout: float) -> None:
        """Unlinks deleted memories and collects entities no memory mentions any more."""
        await self._graph.RemoveMemoryLinks(
            graph.RemoveMemoryLinksRequest(tenant_id=tenant, memory_ids=ids), timeout=timeout
        )

    async def _hydrate(
        self, tenant: str, ids: Sequence[str], memory_filter: common.MemoryFilter
    ) -> dict[str, common.Memory]:
        """The memories that exist and pass the filter, by id."""
        if not ids:
            return {}
        stored = await downstream(
            self._store.BatchGetMemories(store.BatchGetMemoriesRequest(tenant_id=tenant, ids=ids))
        )
        spec = MemoryFilterSpec.from_proto(memory_filter, now_ns=time.time_ns())
        return {memory.id: memory for memory in stored.memories if matches(memory, spec)}
