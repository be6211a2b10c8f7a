"""From names to entities: by key, else by an alias that belongs to exactly one entity."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from memgrid_runtime.errors import NotFound

from services.graph.model import Entity, GraphScope
from services.graph.names import entity_key
from services.graph.store import queries
from services.graph.store.chunks import chunked
from services.graph.store.cypher_backend import CypherRunner, Row

T = TypeVar("T")


def _resolve(
    key: str, direct: Mapping[str, T], by_alias: Mapping[str, Mapping[str, T]]
) -> T | None:
    if key in direct:
        return direct[key]
    targets = by_alias.get(key, {})
    return next(iter(targets.values())) if len(targets) == 1 else None


@dataclass
class KeyLookup:
    """Which keys name entities, and which are aliases of which entity keys (for upserts,
    which need nothing more)."""

    entity_keys: dict[str, str] = field(default_factory=dict)
    alias_targets: dict[str, dict[str, str]] = field(default_factory=dict)

    def resolve(self, key: str) -> str | None:
        """The entity key a name's key stands for; None when it names no entity (or an
        alias shared by several)."""
        return _resolve(key, self.entity_keys, self.alias_targets)


@dataclass
class EntityLookup:
    """The entities some keys name, directly or as aliases."""

    entities: dict[str, Entity] = field(default_factory=dict)
    alias_targets: dict[str, dict[str, Entity]] = field(default_factory=dict)

    def resolve(self, key: str) -> Entity | None:
        return _resolve(key, self.entities, self.alias_targets)


def entity_from_row(row: Row) -> Entity:
    return Entity(
        key=row["key"],
        name=row["name"],
        type=row["type"],
        aliases=tuple(sorted(set(row["aliases"]))),
    )


async def lookup_keys(runner: CypherRunner, scope: GraphScope, keys: Iterable[str]) -> KeyLookup:
    lookup = KeyLookup()
    for chunk in chunked(sorted(set(keys))):
        for row in await runner.run(queries.ENTITY_KEYS, {**scope.params, "keys": chunk}):
            lookup.entity_keys[row["key"]] = row["key"]
        # A key that names an entity resolves to it whatever aliases say: only the others
        # need the alias lookup.
        others = [key for key in chunk if key not in lookup.entity_keys]
        if others:
            for row in await runner.run(queries.ALIAS_KEYS, {**scope.params, "keys": others}):
                lookup.alias_targets.setdefault(row["alias_key"], {})[row["key"]] = row["key"]
    return lookup


async def lookup_entities(
    runner: CypherRunner, scope: GraphScope, keys: Iterable[str]
) -> EntityLookup:
    lookup = EntityLookup()
    for chunk in chunked(sorted(set(keys))):
        for row in await runner.run(queries.ENTITY_DETAILS, {**scope.params, "keys": chunk}):
            lookup.entities[row["key"]] = entity_from_row(row)
        others = [key for key in chunk if key not in lookup.entities]
        if others:
            params = {**scope.params, "keys": others}
            for row in await runner.run(queries.ENTITIES_BY_ALIAS, params):
                targets = lookup.alias_targets.setdefault(row["alias_key"], {})
                targets[row["key"]] = entity_from_row(row)
    return lookup


async def resolve_entity(runner: CypherRunner, scope: GraphScope, name: str) -> Entity:
    """The entity the name stands for. NotFound when there is none."""
    return resolved_name(await lookup_entities(runner, scope, [entity_key(name)]), name)


def resolved_name(lookup: EntityLookup, name: str) -> Entity:
    """The entity a name stands for in a lookup that holds its key. NotFound when there is
    none or when the name is an alias of several entities."""
    key = entity_key(name)
    resolved = lookup.resolve(key)
    if resolved is not None:
        return resolved
    if len(lookup.alias_targets.get(key, ())) > 1:
        raise NotFound(
            "entity",
            name,
            f"entity {name!r} is an alias of several entities; use a canonical name",
            reason="AMBIGUOUS_ALIAS",
        )
    raise NotFound("entity", name)


async def entity_details(
    runner: CypherRunner, scope: GraphScope, keys: Sequence[str]
) -> dict[str, Entity]:
    """Entities by key; keys that no longer exist are left out."""
    details: dict[str, Entity] = {}
    for chunk in chunked(list(dict.fromkeys(keys))):
        for row in await runner.run(queries.ENTITY_DETAILS, {**scope.params, "keys": chunk}):
            details[row["key"]] = entity_from_row(row)
    return details
