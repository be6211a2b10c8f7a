"""GraphService over a GraphStore: wire conversion around the store's calls.

Every method raises memgrid_runtime errors; the server's interceptor turns them into rich
statuses (INVALID_ARGUMENT with field violations, NOT_FOUND, UNAVAILABLE with RetryInfo).
"""

from __future__ import annotations

from typing import Protocol

import grpc
from memgrid.graph.v1 import request_response_pb2 as pb
from memgrid.graph.v1 import service_pb2_grpc
from memgrid_runtime.errors import InvalidArgument

from services.graph import convert
from services.graph.limits import (
    DEFAULT_FIND_LIMIT,
    DEFAULT_RELATED_LIMIT,
    DEFAULT_TRAVERSAL_LIMIT,
    MAX_HOPS,
)
from services.graph.model import GraphScope
from services.graph.store.base import GraphStore

Context = grpc.aio.ServicerContext


class _ScopedRequest(Protocol):
    tenant_id: str
    user_id: str


def _scope(request: _ScopedRequest) -> GraphScope:
    return GraphScope(request.tenant_id, request.user_id)


class GraphServicer(service_pb2_grpc.GraphServiceServicer):
    def __init__(self, store: GraphStore) -> None:
        self._store = store

    async def Upsert(self, request: pb.UpsertRequest, context: Context) -> pb.UpsertResponse:
        result = await self._store.upsert(_scope(request), convert.upsert_batch(request))
        return pb.UpsertResponse(
            entities_upserted=result.entities_upserted,
            relations_upserted=result.relations_upserted,
            mentions_upserted=result.mentions_upserted,
        )

    async def GetEntity(
        self, request: pb.GetEntityRequest, context: Context
    ) -> pb.GetEntityResponse:
        entity = await self._store.get_entity(_scope(request), request.name)
        return pb.GetEntityResponse(entity=convert.entity_message(entity))

    async def FindEntities(
        self, request: pb.FindEntitiesRequest, context: Context
    ) -> pb.FindEntitiesResponse:
        entities = await self._store.find_entities(
            _scope(request),
            request.query,
            convert.entity_match(request.match),
            types=frozenset(request.types),
            limit=convert.or_default(request.limit, DEFAULT_FIND_LIMIT),
        )
        return pb.FindEntitiesResponse(entities=[convert.entity_message(e) for e in entities])

    async def GetNeighbors(
        self, request: pb.GetNeighborsRequest, context: Context
    ) -> pb.GetNeighborsResponse:
        neighborhood = await self._store.neighbors(
            _scope(request),
            request.entity,
            hops=convert.or_default(request.hops, 1),
            relation_filter=convert.relation_filter(request.filter, "filter"),
            limit=convert.or_default(request.limit, DEFAULT_TRAVERSAL_LIMIT),
        )
        return pb.GetNeighborsResponse(
            entities=[convert.reached_message(e) for e in neighborhood.entities],
            relations=[convert.relation_message(r) for r in neighborhood.relations],
            truncated=neighborhood.truncated,
        )

    async def ShortestPath(
        self, request: pb.ShortestPathRequest, context: Context
    ) -> pb.ShortestPathResponse:
        path = await self._store.shortest_path(
            _scope(request),
            request.source,
            request.target,
            max_hops=convert.or_default(request.max_hops, MAX_HOPS),
            relation_filter=convert.relation_filter(request.filter, "filter"),
        )
        if path is None:
            return pb.ShortestPathResponse(found=False)
        return pb.ShortestPathResponse(
            found=True,
            entities=[convert.entity_message(e) for e in path.entities],
            relations=[convert.relation_message(r) for r in path.relations],
        )

    async def RelatedMemories(
        self, request: pb.RelatedMemoriesRequest, context: Context
    ) -> pb.RelatedMemoriesResponse:
        related = await self._store.related_memories(
            _scope(request),
            list(request.entities),
            hops=request.hops,
            relation_filter=convert.relation_filter(request.filter, "filter"),
            limit=convert.or_default(request.limit, DEFAULT_RELATED_LIMIT),
            exclude_memory_ids=list(request.exclude_memory_ids),
        )
        return pb.RelatedMemoriesResponse(
            memories=[
                pb.RelatedMemory(
                    memory_id=m.memory_id,
                    hops=m.hops,
                    confidence=m.confidence,
                    via_entities=list(m.via_entities),
                )
                for m in related.memories
            ],
            unknown_entities=related.unknown_entities,
        )

    async def GetMemorySubgraph(
        self, request: pb.GetMemorySubgraphRequest, context: Context
    ) -> pb.GetMemorySubgraphResponse:
        subgraph = await self._store.memory_subgraph(
            _scope(request),
            request.memory_id,
            hops=request.hops,
            relation_filter=convert.relation_filter(request.filter, "filter"),
            limit=convert.or_default(request.limit, DEFAULT_TRAVERSAL_LIMIT),
        )
        return pb.GetMemorySubgraphResponse(
            mentions=[convert.mention_message(m) for m in subgraph.mentions],
            entities=[convert.reached_message(e) for e in subgraph.entities],
            relations=[convert.relation_message(r) for r in subgraph.relations],
            truncated=subgraph.truncated,
        )

    async def MergeEntities(
        self, request: pb.MergeEntitiesRequest, context: Context
    ) -> pb.MergeEntitiesResponse:
        result = await self._store.merge_entities(
            _scope(request), request.target, list(request.sources)
        )
        return pb.MergeEntitiesResponse(
            entity=convert.entity_message(result.entity), merged_count=result.merged_count
        )

    async def InvalidateRelations(
        self, request: pb.InvalidateRelationsRequest, context: Context
    ) -> pb.InvalidateRelationsResponse:
        valid_to = convert.optional_instant(request, "valid_to", "valid_to")
        if valid_to is None:
            raise InvalidArgument.field("valid_to", "is required")
        count = await self._store.invalidate_relations(
            _scope(request), request.source, request.target, request.type, valid_to
        )
        return pb.InvalidateRelationsResponse(invalidated_count=count)

    async def RemoveMemoryLinks(
        self, request: pb.RemoveMemoryLinksRequest, context: Context
    ) -> pb.RemoveMemoryLinksResponse:
        result = await self._store.remove_memory_links(request.tenant_id, list(request.memory_ids))
        return pb.RemoveMemoryLinksResponse(
            links_removed=result.links_removed,
            relations_removed=result.relations_removed,
            entities_collected=result.entities_collected,
        )

    async def GetGraphStats(
        self, request: pb.GetGraphStatsRequest, context: Context
    ) -> pb.GetGraphStatsResponse:
        stats = await self._store.stats(_scope(request))
        return pb.GetGraphStatsResponse(
            entity_count=stats.entity_count,
            relation_count=stats.relation_count,
            memory_count=stats.memory_count,
            unlinked_entity_count=stats.unlinked_entity_count,
        )
