"""Removing memories from the graph without leaving orphans.

A memory's relations are found through the entities it mentions (every relation's
memories mention both endpoints, see upsert_plan). Relations keep the other memories
that assert them and go when none is left; entities go when no memory mentions them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from services.graph.model import GraphScope, RemovalResult
from services.graph.store import queries
from services.graph.store.chunks import chunked
from services.graph.store.cypher_backend import CypherRunner, Row


async def remove_memory_links(
    runner: CypherRunner, tenant: str, memory_ids: Sequence[str]
) -> RemovalResult:
    """By memory id within the tenant: each memory's user is read from its node, and its
    relations and entities are revised within that user's graph."""
    ids = list(dict.fromkeys(memory_ids))
    keys_by_user: dict[str, set[str]] = defaultdict(set)
    links_removed = 0
    for id_chunk in chunked(ids):
        params = {"tenant": tenant, "memory_ids": id_chunk}
        for row in await runner.run(queries.ENTITIES_OF_MEMORIES, params):
            keys_by_user[row["user"]].add(row["key"])
        counted = await runner.run(queries.COUNT_MENTIONS_OF_MEMORIES, params)
        links_removed += int(counted[0]["n"]) if counted else 0

    relations_removed = 0
    for user, keys in sorted(keys_by_user.items()):
        scope = GraphScope(tenant, user)
        citing = await _relations_citing(runner, scope, sorted(keys), ids)
        revised = [row for row in citing if row["kept"]]
        unsupported = [row for row in citing if not row["kept"]]
        for chunk in chunked(revised):
            await runner.run(queries.SET_RELATION_SOURCES, {**scope.params, "rows": chunk})
        for chunk in chunked(unsupported):
            await runner.run(queries.DELETE_RELATIONS, {**scope.params, "rows": chunk})
        relations_removed += len(unsupported)
    for id_chunk in chunked(ids):
        await runner.run(queries.DELETE_MEMORIES, {"tenant": tenant, "memory_ids": id_chunk})

    collected = 0
    for user, keys in sorted(keys_by_user.items()):
        collected += await collect_unmentioned_entities(
            runner, GraphScope(tenant, user), sorted(keys)
        )
    return RemovalResult(
        links_removed=links_removed,
        relations_removed=relations_removed,
        entities_collected=collected,
    )


async def collect_unmentioned_entities(
    runner: CypherRunner, scope: GraphScope, keys: list[str]
) -> int:
    """Deletes those of the entities that no memory mentions, and aliases left unused."""
    orphans: list[str] = []
    alias_keys: set[str] = set()
    for chunk in chunked(keys):
        params = {**scope.params, "keys": chunk}
        for row in await runner.run(queries.UNMENTIONED_ENTITIES, params):
            orphans.append(row["key"])
            alias_keys.update(row["alias_keys"])
    for chunk in chunked(orphans):
        await runner.run(queries.DELETE_UNMENTIONED_ENTITIES, {**scope.params, "keys": chunk})
    for chunk in chunked(sorted(alias_keys)):
        await runner.run(queries.DELETE_UNUSED_ALIASES, {**scope.params, "keys": chunk})
    return len(orphans)


async def _relations_citing(
    runner: CypherRunner, scope: GraphScope, keys: list[str], memory_ids: list[str]
) -> list[Row]:
    found: dict[tuple[str, str, str, int], Row] = {}
    for chunk in chunked(keys):
        params = {**scope.params, "keys": chunk, "memory_ids": memory_ids}
        for row in await runner.run(queries.RELATIONS_CITING_MEMORIES, params):
            identity = (row["source_key"], row["target_key"], row["type"], row["valid_from"])
            found[identity] = row
    return list(found.values())
