"""Where a consolidation pass sends its entities and relations: the graph service.

The pass depends on the small GraphSink interface only, so that a deployment without a
graph (MEMGRID_GRAPH_TARGET unset) simply has none. Both calls are idempotent: Upsert
merges what it already holds, and invalidating an already invalidated relation counts 0.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

import grpc
from memgrid.common.v1 import graph_pb2
from memgrid.graph.v1 import request_response_pb2 as grr
from memgrid.graph.v1 import service_pb2_grpc
from memgrid_runtime.errors import from_rpc_error

from services.thought_engine import records
from services.thought_engine.graph_update import GraphUpdate

if TYPE_CHECKING:
    from memgrid.graph.v1.service_pb2_grpc import GraphServiceAsyncStub

SERVICE = "memgrid.graph.v1.GraphService"
IDEMPOTENT_METHODS = [f"{SERVICE}/{name}" for name in ("Upsert", "InvalidateRelations")]


class GraphSink(Protocol):
    async def apply(self, tenant_id: str, user_id: str, update: GraphUpdate) -> None:
        """Applies the update to the user's graph or raises the graph's domain error
        (UNAVAILABLE when down)."""
        ...


class GraphServiceSink:
    def __init__(self, channel: grpc.aio.Channel) -> None:
        self._stub: GraphServiceAsyncStub = service_pb2_grpc.GraphServiceStub(channel)

    async def apply(self, tenant_id: str, user_id: str, update: GraphUpdate) -> None:
        try:
            if not update.empty:
                await self._stub.Upsert(_upsert_request(tenant_id, user_id, update))
            for invalidation in update.invalidations:
                await self._stub.InvalidateRelations(
                    grr.InvalidateRelationsRequest(
                        tenant_id=tenant_id,
                        user_id=user_id,
                        source=invalidation.source,
                        target=invalidation.target,
                        type=invalidation.type,
                        valid_to=records.to_timestamp(invalidation.valid_to),
                    )
                )
        except grpc.aio.AioRpcError as error:
            raise from_rpc_error(error) from None


def _upsert_request(tenant_id: str, user_id: str, update: GraphUpdate) -> grr.UpsertRequest:
    relations = []
    for relation in update.relations:
        message = graph_pb2.Relation(
            source=relation.source,
            target=relation.target,
            type=relation.type,
            confidence=relation.confidence,
            source_memory_ids=list(dict.fromkeys(relation.source_memory_ids)),
        )
        if relation.valid_from is not None:
            message.valid_from.CopyFrom(records.to_timestamp(relation.valid_from))
        relations.append(message)
    return grr.UpsertRequest(
        tenant_id=tenant_id,
        user_id=user_id,
        entities=[graph_pb2.Entity(name=e.name, type=e.type) for e in update.entities],
        relations=relations,
        mentions=[
            graph_pb2.Mention(
                memory_id=m.memory_id,
                entity=m.entity,
                provenance=update.provenance,
                confidence=m.confidence,
            )
            for m in update.mentions
        ],
    )
