"""The GraphStore over any CypherBackend: one implementation, one set of queries, so
FalkorDB and Neo4j answer every call the same way (the contract suite checks it)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from memgrid_runtime.errors import NotFound

from services.graph import validation
from services.graph.limits import (
    MAX_MERGE_SOURCES,
    MAX_QUERY_ENTITIES,
    MAX_REMOVE_MEMORY_IDS,
    MAX_RESULT_LIMIT,
    check_hops,
    check_limit,
)
from services.graph.model import (
    Entity,
    EntityMatch,
    GraphScope,
    GraphStats,
    MemorySubgraph,
    Mention,
    MergeResult,
    Neighborhood,
    Path,
    RelatedMemories,
    RelationFilter,
    RemovalResult,
    UpsertBatch,
    UpsertResult,
)
from services.graph.names import entity_key
from services.graph.store import queries
from services.graph.store.base import GraphStore
from services.graph.store.chunks import chunked
from services.graph.store.cypher_backend import CypherBackend, CypherRunner
from services.graph.store.merging import merge_into
from services.graph.store.related import rank_memories
from services.graph.store.removal import remove_memory_links
from services.graph.store.resolution import (
    KeyLookup,
    entity_details,
    entity_from_row,
    lookup_keys,
    resolve_entity,
    resolved_name,
)
from services.graph.store.traversal import traverse
from services.graph.store.upsert_plan import plan_upsert, referenced_keys
from services.graph.store.values import to_micros
from services.graph.store.vicinity import Vicinity, read_vicinity

# A path search explores at most this many entities before giving up.
PATH_SEARCH_LIMIT = 100_000


class CypherGraphStore(GraphStore):
    def __init__(self, backend: CypherBackend) -> None:
        self._backend = backend

    async def upsert(self, scope: GraphScope, batch: UpsertBatch) -> UpsertResult:
        validation.check_scope(scope)
        validation.validate_upsert(batch)

        async def look_up(runner: CypherRunner) -> KeyLookup:
            return await lookup_keys(runner, scope, referenced_keys(batch))

        plan = plan_upsert(batch, await self._backend.read(look_up))

        async def write(runner: CypherRunner) -> None:
            for query, rows in (
                (queries.UPSERT_ENTITIES, plan.entity_rows),
                (queries.UPSERT_ALIASES, plan.alias_rows),
                (queries.UPSERT_RELATIONS, plan.relation_rows),
                (queries.UPSERT_MENTIONS, plan.mention_rows),
            ):
                await runner.run_each(
                    query, [{**scope.params, "rows": chunk} for chunk in chunked(rows)]
                )

        await self._backend.write(write)
        return UpsertResult(
            entities_upserted=plan.entity_count,
            relations_upserted=len(plan.relation_rows),
            mentions_upserted=len(plan.mention_rows),
        )

    async def get_entity(self, scope: GraphScope, name: str) -> Entity:
        validation.check_scope(scope)
        validation.check_name(name, "name")

        async def work(runner: CypherRunner) -> Entity:
            return await resolve_entity(runner, scope, name)

        return await self._backend.read(work)

    async def find_entities(
        self,
        scope: GraphScope,
        query: str,
        match: EntityMatch,
        *,
        types: frozenset[str] = frozenset(),
        limit: int,
    ) -> list[Entity]:
        validation.check_scope(scope)
        validation.check_name(query, "query")
        validation.check_type_filter(types, "types")
        check_limit(limit, "limit")
        key = entity_key(query)
        params = {
            **scope.params,
            "key": key,
            "prefix": key,
            "types": sorted(types),
            "limit": limit,
        }
        searches = {
            EntityMatch.EXACT: (queries.FIND_BY_KEY,),
            EntityMatch.ALIAS: (queries.FIND_BY_ALIAS,),
            EntityMatch.EXACT_OR_ALIAS: (queries.FIND_BY_KEY, queries.FIND_BY_ALIAS),
            EntityMatch.PREFIX: (queries.FIND_BY_KEY_PREFIX, queries.FIND_BY_ALIAS_PREFIX),
        }[match]

        async def work(runner: CypherRunner) -> list[Entity]:
            keys: set[str] = set()
            for search in searches:
                keys.update(row["key"] for row in await runner.run(search, params))
            found = await entity_details(runner, scope, sorted(keys)[:limit])
            return [found[key] for key in sorted(found)]

        return await self._backend.read(work)

    async def neighbors(
        self,
        scope: GraphScope,
        entity: str,
        *,
        hops: int,
        relation_filter: RelationFilter,
        limit: int,
    ) -> Neighborhood:
        validation.check_scope(scope)
        validation.check_name(entity, "entity")
        check_hops(hops, "hops", minimum=1)
        check_limit(limit, "limit")
        validation.check_type_filter(relation_filter.types, "filter.types")

        async def work(runner: CypherRunner) -> Neighborhood:
            vicinity = await read_vicinity(
                runner,
                scope,
                [entity_key(entity)],
                hops=hops,
                relation_filter=relation_filter,
                with_mentions=False,
            )
            start = resolved_name(vicinity.lookup, entity)
            walk = vicinity.walk([start], max_hops=hops, limit=limit)
            return Neighborhood(walk.reached_entities(), walk.named_relations(), walk.truncated)

        return await self._backend.read(work)

    async def shortest_path(
        self,
        scope: GraphScope,
        source: str,
        target: str,
        *,
        max_hops: int,
        relation_filter: RelationFilter,
    ) -> Path | None:
        validation.check_scope(scope)
        validation.check_name(source, "source")
        validation.check_name(target, "target")
        check_hops(max_hops, "max_hops", minimum=1)
        validation.check_type_filter(relation_filter.types, "filter.types")

        async def work(runner: CypherRunner) -> Path | None:
            source_entity = await resolve_entity(runner, scope, source)
            target_key = (await resolve_entity(runner, scope, target)).key
            walk = await traverse(
                runner,
                scope,
                [source_entity],
                max_hops=max_hops,
                relation_filter=relation_filter,
                limit=PATH_SEARCH_LIMIT,
                stop_at=target_key,
            )
            return walk.path_to(target_key) if target_key in walk.reached else None

        return await self._backend.read(work)

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
        validation.check_scope(scope)
        violations = validation.Violations()
        if violations.count(entities, "entities", minimum=1, maximum=MAX_QUERY_ENTITIES):
            for i, name in enumerate(entities):
                violations.name(name, f"entities[{i}]")
        violations.raise_if_any()
        check_hops(hops, "hops", minimum=0)
        check_limit(limit, "limit")
        validation.check_type_filter(relation_filter.types, "filter.types")
        excluded = set(exclude_memory_ids)

        async def work(runner: CypherRunner) -> RelatedMemories:
            keys = [entity_key(name) for name in entities]
            vicinity = await read_vicinity(
                runner,
                scope,
                keys,
                hops=hops,
                relation_filter=relation_filter,
                with_mentions=True,
            )
            start: list[Entity] = []
            unknown: list[str] = []
            for name, key in zip(entities, keys, strict=True):
                resolved = vicinity.lookup.resolve(key)
                if resolved is None:
                    unknown.append(name)
                else:
                    start.append(resolved)
            if not start:
                return RelatedMemories([], unknown)
            walk = vicinity.walk(start, max_hops=hops, limit=MAX_RESULT_LIMIT)
            memories = rank_memories(walk, vicinity.mentions, limit=limit, excluded=excluded)
            return RelatedMemories(memories, unknown)

        return await self._backend.read(work)

    async def memory_subgraph(
        self,
        scope: GraphScope,
        memory_id: str,
        *,
        hops: int,
        relation_filter: RelationFilter,
        limit: int,
    ) -> MemorySubgraph:
        validation.check_scope(scope)
        violations = validation.Violations()
        violations.memory_id(memory_id, "memory_id")
        violations.raise_if_any()
        check_hops(hops, "hops", minimum=0)
        check_limit(limit, "limit")
        validation.check_type_filter(relation_filter.types, "filter.types")

        async def work(runner: CypherRunner) -> MemorySubgraph:
            params = {**scope.params, "memory_id": memory_id}
            rows = await runner.run(queries.MENTIONS_OF_MEMORY, params)
            if not rows:
                raise NotFound("memory", memory_id)
            mentions = [
                Mention(
                    memory_id=memory_id,
                    entity_key=row["key"],
                    entity_name=row["name"],
                    provenance=row["provenance"],
                    confidence=float(row["confidence"]),
                )
                for row in rows
            ]
            start = [entity_from_row(row) for row in rows]
            # Zero hops needs nothing but the mentioned entities.
            vicinity = Vicinity()
            if hops > 0:
                vicinity = await read_vicinity(
                    runner,
                    scope,
                    [entity.key for entity in start],
                    hops=hops,
                    relation_filter=relation_filter,
                    with_mentions=False,
                )
            walk = vicinity.walk(start, max_hops=hops, limit=max(limit, len(mentions)))
            return MemorySubgraph(
                mentions, walk.reached_entities(), walk.named_relations(), walk.truncated
            )

        return await self._backend.read(work)

    async def merge_entities(
        self, scope: GraphScope, target: str, sources: Sequence[str]
    ) -> MergeResult:
        validation.check_scope(scope)
        violations = validation.Violations()
        violations.name(target, "target")
        if violations.count(sources, "sources", minimum=1, maximum=MAX_MERGE_SOURCES):
            for i, name in enumerate(sources):
                violations.name(name, f"sources[{i}]")
                if entity_key(name) == entity_key(target):
                    violations.add(f"sources[{i}]", "names the target itself")
        violations.raise_if_any()

        async def work(runner: CypherRunner) -> MergeResult:
            target_key = (await resolve_entity(runner, scope, target)).key
            source_keys: list[str] = []
            for name in sources:
                key = (await resolve_entity(runner, scope, name)).key
                # Already folded into the target by an earlier call: nothing to do.
                if key != target_key and key not in source_keys:
                    source_keys.append(key)
            await merge_into(runner, scope, target_key, source_keys)
            merged = await entity_details(runner, scope, [target_key])
            return MergeResult(merged[target_key], len(source_keys))

        return await self._backend.write(work)

    async def invalidate_relations(
        self, scope: GraphScope, source: str, target: str, relation_type: str, valid_to: datetime
    ) -> int:
        validation.check_scope(scope)
        violations = validation.Violations()
        violations.name(source, "source")
        violations.name(target, "target")
        violations.relation_type(relation_type, "type", required=True)
        violations.raise_if_any()

        async def work(runner: CypherRunner) -> int:
            params = {
                **scope.params,
                "source_key": (await resolve_entity(runner, scope, source)).key,
                "target_key": (await resolve_entity(runner, scope, target)).key,
                "type": relation_type,
                "valid_to": to_micros(valid_to),
            }
            rows = await runner.run(queries.INVALIDATE_RELATIONS, params)
            return int(rows[0]["invalidated"]) if rows else 0

        return await self._backend.write(work)

    async def remove_memory_links(self, tenant: str, memory_ids: Sequence[str]) -> RemovalResult:
        validation.check_tenant(tenant)
        violations = validation.Violations()
        if violations.count(memory_ids, "memory_ids", minimum=1, maximum=MAX_REMOVE_MEMORY_IDS):
            for i, memory_id in enumerate(memory_ids):
                violations.memory_id(memory_id, f"memory_ids[{i}]")
        violations.raise_if_any()

        async def work(runner: CypherRunner) -> RemovalResult:
            return await remove_memory_links(runner, tenant, memory_ids)

        return await self._backend.write(work)

    async def stats(self, scope: GraphScope) -> GraphStats:
        validation.check_scope(scope)

        async def work(runner: CypherRunner) -> GraphStats:
            counts = []
            for query in (
                queries.COUNT_ENTITIES,
                queries.COUNT_RELATIONS,
                queries.COUNT_MEMORIES,
                queries.COUNT_UNLINKED_ENTITIES,
            ):
                rows = await runner.run(query, scope.params)
                counts.append(int(rows[0]["n"]))
            return GraphStats(*counts)

        return await self._backend.read(work)

    async def ping(self) -> None:
        await self._backend.ping()

    async def close(self) -> None:
        await self._backend.close()
