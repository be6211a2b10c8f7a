"""The graph's domain objects, independent of the wire format and of the backend."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class GraphScope:
    """Whose graph: one user's of a tenant. Entities, aliases and relations belong to the
    user whose memories they were extracted from, as those memories do, so two users who
    both mention "Anna" have an Anna each and never see the other's. Memory ids are unique
    within the tenant, so removing a memory needs only the tenant."""

    tenant: str
    user: str

    @property
    def params(self) -> dict[str, str]:
        """The query parameters every scoped statement matches on."""
        return {"tenant": self.tenant, "user": self.user}


@dataclass(frozen=True)
class EntityInput:
    """An entity to create or complete. An empty type keeps the stored one."""

    name: str
    type: str = ""
    aliases: Sequence[str] = ()


@dataclass(frozen=True)
class RelationInput:
    """A relation asserted by memories. (source, target, type, valid_from) identifies it."""

    source: str
    target: str
    type: str
    source_memory_ids: Sequence[str]
    confidence: float = 1.0
    # None: valid since always.
    valid_from: datetime | None = None
    # None: still valid.
    valid_to: datetime | None = None


@dataclass(frozen=True)
class MentionInput:
    memory_id: str
    entity: str
    provenance: str = ""
    confidence: float = 1.0


@dataclass(frozen=True)
class UpsertBatch:
    entities: Sequence[EntityInput] = ()
    relations: Sequence[RelationInput] = ()
    mentions: Sequence[MentionInput] = ()


@dataclass(frozen=True)
class UpsertResult:
    entities_upserted: int
    relations_upserted: int
    mentions_upserted: int


@dataclass(frozen=True)
class Entity:
    key: str
    name: str
    type: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Relation:
    """A stored relation; source and target are the endpoints' canonical names."""

    source_key: str
    target_key: str
    type: str
    confidence: float
    source_memory_ids: tuple[str, ...]
    valid_from: datetime | None
    valid_to: datetime | None
    source: str = ""
    target: str = ""

    @property
    def identity(self) -> tuple[str, str, str, datetime | None]:
        return (self.source_key, self.target_key, self.type, self.valid_from)


@dataclass(frozen=True)
class Mention:
    memory_id: str
    entity_key: str
    entity_name: str
    provenance: str
    confidence: float


class Direction(enum.Enum):
    OUTGOING = "outgoing"
    INCOMING = "incoming"
    BOTH = "both"


@dataclass(frozen=True)
class RelationFilter:
    """Which relations a traversal follows."""

    # Empty: every type.
    types: frozenset[str] = frozenset()
    # Only relations valid at this instant; None follows relations whatever their validity.
    valid_at: datetime | None = None
    direction: Direction = Direction.BOTH


class EntityMatch(enum.Enum):
    EXACT_OR_ALIAS = "exact_or_alias"
    EXACT = "exact"
    ALIAS = "alias"
    PREFIX = "prefix"


@dataclass(frozen=True)
class ReachedEntity:
    entity: Entity
    hops: int
    # Product of relation confidences along the most confident fewest-hops path.
    path_confidence: float


@dataclass(frozen=True)
class Neighborhood:
    entities: list[ReachedEntity]
    relations: list[Relation]
    truncated: bool


@dataclass(frozen=True)
class Path:
    """Entities from source to target; relations[i] links entities[i] and entities[i + 1]."""

    entities: list[Entity]
    relations: list[Relation]


@dataclass(frozen=True)
class RelatedMemory:
    memory_id: str
    hops: int
    confidence: float
    # Canonical names of the mentioned entities at that distance.
    via_entities: tuple[str, ...]


@dataclass(frozen=True)
class RelatedMemories:
    memories: list[RelatedMemory]
    unknown_entities: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class MemorySubgraph:
    mentions: list[Mention]
    entities: list[ReachedEntity]
    relations: list[Relation]
    truncated: bool


@dataclass(frozen=True)
class MergeResult:
    entity: Entity
    merged_count: int


@dataclass(frozen=True)
class RemovalResult:
    links_removed: int
    relations_removed: int
    entities_collected: int


@dataclass(frozen=True)
class GraphStats:
    entity_count: int
    relation_count: int
    memory_count: int
    unlinked_entity_count: int
