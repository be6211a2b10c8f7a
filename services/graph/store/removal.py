"""Removing memories from the graph without leaving orphans.

A memory's relations are found through the entities it mentions (every relation's
memories mention both endpoints, see upsert_plan). Relations keep the other memories
that assert them and go when none is left; entities go when no memory mentions them.
"""

from __future__ import annotations

from collections.abc import Sequence

from services.graph.model import RemovalResult
from services.graph.store import queries
from services.graph.store.chunks import chunked
from services.graph.store.cypher_backend import CypherRunner, Row


async def remove_memory_links(
    runner: CypherRunner, tenant: str, memory_ids: Sequence[str]
) -> RemovalResult:
    ids = list(dict.fromkeys(memory_ids))
    keys: set[str] = set()
    links_removed = 0
    for id_chunk in chunked(ids):
        params = {"tenant": tenant, "memory_ids": id_chunk}
        rows = await runner.run(queries.ENTITIES_OF_MEMORIES, params)
        keys.update(row["key"] for row in rows)
        counted = await runner.run(queries.COUNT_MENTIONS_OF_MEMORIES, params)
        links_removed += int(counted[0]["n"]) if counted else 0

    citing = await _relations_citing(runner, tenant, sorted(keys), ids)
    revised = [row for row in citing if row["kept"]]
    unsupported = [row for row in citing if not row["kept"]]
    for chunk in chunked(revised):
        await runner.run(queries.SET_RELATION_SOURCES, {"tenant": tenant, "rows": chunk})
    for chunk in chunked(unsupported):
        await runner.run(queries.DELETE_RELATIONS, {"tenant": tenant, "rows": chunk})
    for id_chunk in chunked(ids):
        await runner.run(queries.DELETE_MEMORIES, {"tenant": tenant, "memory_ids": id_chunk})

    collected = await collect_unmentioned_entities(runner, tenant, sorted(keys))
    return RemovalResult(
        links_removed=links_removed,
        relations_removed=len(unsupported),
        entities_collected=collected,
    )


async def collect_unmentioned_entities(runner: CypherRunner, tenant: str, keys: list[str]) -> int:
    """Deletes those of the entities that no memory mentions, and aliases left unused."""
    orphans: list[str] = []
    alias_keys: set[str] = set()
    for chunk in chunked(keys):
        params = {"tenant": tenant, "keys": chunk}
        for row in await runner.run(queries.UNMENTIONED_ENTITIES, params):
            orphans.append(row["key"])
            alias_keys.update(row["alias_keys"])
    for chunk in chunked(orphans):
        await runner.run(queries.DELETE_UNMENTIONED_ENTITIES, {"tenant": tenant, "keys": chunk})
    for chunk in chunked(sorted(alias_keys)):
        await runner.run(queries.DELETE_UNUSED_ALIASES, {"tenant": tenant, "keys": chunk})
    return len(orphans)


async def _relations_citing(
    runner: CypherRunner, tenant: str, keys: list[str], memory_ids: list[str]
) -> list[Row]:
    found: dict[tuple[str, str, str, int], Row] = {}
    for chunk in chunked(keys):
        params = {"tenant": tenant, "keys": chunk, "memory_ids": memory_ids}
        for row in await runner.run(queries.RELATIONS_CITING_MEMORIES, params):
            identity = (row["source_key"], row["target_key"], row["type"], row["valid_from"])
            found[identity] = row
    return list(found.values())
