"""Between the wire (memgrid.graph.v1 messages) and the domain model.

Requests become domain values with the defaults the protos document; malformed wire values
(unknown enum numbers, impossible timestamps) are InvalidArgument naming the field. The
domain checks themselves (names, counts, hops) run in the store, for every caller.
"""

from __future__ import annotations

from datetime import UTC, datetime

from google.protobuf import timestamp_pb2
from google.protobuf.message import Message
from memgrid.common.v1 import graph_pb2
from memgrid.graph.v1 import request_response_pb2
from memgrid_runtime.errors import InvalidArgument
from memgrid_runtime.field_rules import TIMESTAMP_RULE, timestamp_in_range

from services.graph.model import (
    Direction,
    Entity,
    EntityInput,
    EntityMatch,
    Mention,
    MentionInput,
    ReachedEntity,
    Relation,
    RelationFilter,
    RelationInput,
    UpsertBatch,
)

_DIRECTIONS = {
    graph_pb2.DIRECTION_UNSPECIFIED: Direction.BOTH,
    graph_pb2.DIRECTION_BOTH: Direction.BOTH,
    graph_pb2.DIRECTION_OUTGOING: Direction.OUTGOING,
    graph_pb2.DIRECTION_INCOMING: Direction.INCOMING,
}

_MATCHES = {
    graph_pb2.ENTITY_MATCH_UNSPECIFIED: EntityMatch.EXACT_OR_ALIAS,
    graph_pb2.ENTITY_MATCH_EXACT: EntityMatch.EXACT,
    graph_pb2.ENTITY_MATCH_ALIAS: EntityMatch.ALIAS,
    graph_pb2.ENTITY_MATCH_PREFIX: EntityMatch.PREFIX,
}


def instant(value: timestamp_pb2.Timestamp, field: str) -> datetime:
    if not timestamp_in_range(value):
        raise InvalidArgument.field(field, TIMESTAMP_RULE)
    return value.ToDatetime(tzinfo=UTC)


def optional_instant(message: Message, name: str, field: str) -> datetime | None:
    if not message.HasField(name):
        return None
    return instant(getattr(message, name), field)


def upsert_batch(request: request_response_pb2.UpsertRequest) -> UpsertBatch:
    return UpsertBatch(
        entities=[
            EntityInput(name=e.name, type=e.type, aliases=list(e.aliases)) for e in request.entities
        ],
        relations=[
            RelationInput(
                source=r.source,
                target=r.target,
                type=r.type,
                source_memory_ids=list(r.source_memory_ids),
                confidence=r.confidence if r.HasField("confidence") else 1.0,
                valid_from=optional_instant(r, "valid_from", f"relations[{i}].valid_from"),
                valid_to=optional_instant(r, "valid_to", f"relations[{i}].valid_to"),
            )
            for i, r in enumerate(request.relations)
        ],
        mentions=[
            MentionInput(
                memory_id=m.memory_id,
                entity=m.entity,
                provenance=m.provenance,
                confidence=m.confidence if m.HasField("confidence") else 1.0,
            )
            for m in request.mentions
        ],
    )


def relation_filter(message: graph_pb2.RelationFilter, field: str) -> RelationFilter:
    """Unset valid_at means now; include_invalidated follows relations of any time."""
    direction = _DIRECTIONS.get(message.direction)
    if direction is None:
        raise InvalidArgument.field(f"{field}.direction", f"unknown value {message.direction}")
    valid_at: datetime | None
    if message.include_invalidated:
        valid_at = None
    elif message.HasField("valid_at"):
        valid_at = instant(message.valid_at, f"{field}.valid_at")
    else:
        valid_at = datetime.now(UTC)
    return RelationFilter(types=frozenset(message.types), valid_at=valid_at, direction=direction)


def entity_match(value: int) -> EntityMatch:
    match = _MATCHES.get(value)  # type: ignore[call-overload]
    if match is None:
        raise InvalidArgument.field("match", f"unknown value {value}")
    return match


def or_default(value: int, default: int) -> int:
    """Proto3 cannot tell 0 from unset: 0 means the documented default."""
    return default if value == 0 else value


def entity_message(entity: Entity) -> graph_pb2.Entity:
    return graph_pb2.Entity(
        name=entity.name, key=entity.key, type=entity.type, aliases=list(entity.aliases)
    )


def relation_message(relation: Relation) -> graph_pb2.Relation:
    message = graph_pb2.Relation(
        source=relation.source,
        target=relation.target,
        type=relation.type,
        confidence=relation.confidence,
        source_memory_ids=list(relation.source_memory_ids),
    )
    if relation.valid_from is not None:
        message.valid_from.FromDatetime(relation.valid_from)
    if relation.valid_to is not None:
        message.valid_to.FromDatetime(relation.valid_to)
    return message


def reached_message(reached: ReachedEntity) -> graph_pb2.ReachedEntity:
    return graph_pb2.ReachedEntity(
        entity=entity_message(reached.entity),
        hops=reached.hops,
        path_confidence=reached.path_confidence,
    )


def mention_message(mention: Mention) -> graph_pb2.Mention:
    return graph_pb2.Mention(
        memory_id=mention.memory_id,
        entity=mention.entity_name,
        provenance=mention.provenance,
        confidence=mention.confidence,
    )
