"""The graph store interface every backend implements (FalkorDB, Neo4j).

All methods are scoped by tenant and user (model.GraphScope): nothing of one user is
visible through another's scope, nor of one tenant through another's. Only removal works
by tenant, since memory ids are unique within one (each memory's user is on its node).
Names resolve to entities by key (see services.graph.names), else by an alias that belongs
to exactly one entity. Backends raise memgrid_runtime.errors.Unavailable when their
database cannot be reached, InvalidArgument for out-of-bounds hops, NotFound for unknown
entities where a method says so.
"""

from __future__ import annotations

import abc
from collections.abc import Sequence
from datetime import datetime

from services.graph.model import (
    Entity,
    EntityMatch,
    GraphScope,
    GraphStats,
    MemorySubgraph,
    MergeResult,
    Neighborhood,
    Path,
    RelatedMemories,
    RelationFilter,
    RemovalResult,
    UpsertBatch,
    UpsertResult,
)


class GraphStore(abc.ABC):
    @abc.abstractmethod
    async def upsert(self, scope: GraphScope, batch: UpsertBatch) -> UpsertResult:
        """Idempotent: the same batch twice leaves the graph as one application does.

        Relation evidence merges (source memory ids united, highest confidence kept); a
        relation's source memories also mention both endpoints (provenance "relation").
        """

    @abc.abstractmethod
    async def get_entity(self, scope: GraphScope, name: str) -> Entity:
        """NotFound when no entity has that key or unambiguous alias."""

    @abc.abstractmethod
    async def find_entities(
        self,
        scope: GraphScope,
        query: str,
        match: EntityMatch,
        *,
        types: frozenset[str] = frozenset(),
        limit: int,
    ) -> list[Entity]:
        """Matching entities ordered by key."""

    @abc.abstractmethod
    async def neighbors(
        self,
        scope: GraphScope,
        entity: str,
        *,
        hops: int,
        relation_filter: RelationFilter,
        limit: int,
    ) -> Neighborhood:
        """The entity (hops 0) and those within hops (1..MAX_HOPS). NotFound: no entity."""

    @abc.abstractmethod
    async def shortest_path(
        self,
        scope: GraphScope,
        source: str,
        target: str,
        *,
        max_hops: int,
        relation_filter: RelationFilter,
    ) -> Path | None:
        """A fewest-hops path, most confident among equals; None when none is within
        max_hops. NotFound: source or target does not exist."""

    @abc.abstractmethod
    async def related_memories(
        self,
        scope: GraphScope,
        entities: Sequence[str],
        *,
        hops: int,
        relation_filter: RelationFilter,
        limit: int,
        exclude_memory_ids: Sequence[str] = (),
    ) -> RelatedMemories:
        """Memories mentioning the entities or entities within hops (0..MAX_HOPS) of them,
        ranked by hops, then confidence, then id. Unknown names are reported, not errors."""

    @abc.abstractmethod
    async def memory_subgraph(
        self,
        scope: GraphScope,
        memory_id: str,
        *,
        hops: int,
        relation_filter: RelationFilter,
        limit: int,
    ) -> MemorySubgraph:
        """NotFound when the graph holds no mention for the memory."""

    @abc.abstractmethod
    async def merge_entities(
        self, scope: GraphScope, target: str, sources: Sequence[str]
    ) -> MergeResult:
        """Folds sources into target (names become aliases, mentions and relations move).
        NotFound: an unknown name. InvalidArgument: a source is the target."""

    @abc.abstractmethod
    async def invalidate_relations(
        self, scope: GraphScope, source: str, target: str, relation_type: str, valid_to: datetime
    ) -> int:
        """Ends still-valid relations that started before valid_to. NotFound: an unknown
        endpoint."""

    @abc.abstractmethod
    async def remove_memory_links(self, tenant: str, memory_ids: Sequence[str]) -> RemovalResult:
        """Unlinks the memories (of whichever user), deletes relations no remaining memory
        asserts, and deletes entities no memory mentions any more."""

    @abc.abstractmethod
    async def stats(self, scope: GraphScope) -> GraphStats: ...

    @abc.abstractmethod
    async def ping(self) -> None:
        """Returns when the backend answers; Unavailable otherwise."""

    @abc.abstractmethod
    async def close(self) -> None: ...
