"""Folding duplicate entities into one (entity resolution)."""

from __future__ import annotations

from services.graph.model import GraphScope
from services.graph.store import queries
from services.graph.store.cypher_backend import CypherRunner

_MOVES = (
    queries.MERGE_ALIASES,
    queries.MERGE_NAME_AS_ALIAS,
    queries.MERGE_MENTIONS,
    queries.MERGE_OUTGOING_RELATIONS,
    queries.MERGE_INCOMING_RELATIONS,
)


async def merge_into(
    runner: CypherRunner, scope: GraphScope, target_key: str, source_keys: list[str]
) -> None:
    """Copies each source's aliases, name, mentions and relations onto the target, then
    deletes the source. Every step is a MERGE, so a retry after a failure converges."""
    for source_key in source_keys:
        params = {**scope.params, "source_key": source_key, "target_key": target_key}
        for query in _MOVES:
            await runner.run(query, params)
        await runner.run(queries.DELETE_ENTITY, {**scope.params, "key": source_key})
    await runner.run(queries.DROP_SELF_ALIAS, {**scope.params, "key": target_key})
    await runner.run(queries.DELETE_UNUSED_ALIASES, {**scope.params, "keys": [target_key]})
