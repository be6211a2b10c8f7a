"""How the engine's knowledge is recorded in memory-store memories, and read back.

memory-store is the engine's only state, so everything a later pass needs travels in the
memories themselves: a FACT or PROFILE memory carries its triple and provenance in
metadata, an EPISODE its chunk and heat state, a PATTERN its stable key. The keys share
the "thought." prefix so that no client metadata is ever mistaken for them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime

from google.protobuf import timestamp_pb2
from memgrid.common.v1 import memory_pb2

from services.thought_engine.conversation import Role, Turn
from services.thought_engine.facts import ATTRIBUTES, Fact, FactKind
from services.thought_engine.reconcile import StoredFact
from services.thought_engine.text import normalise

# FACT and PROFILE memories.
FACT_KEY = "thought.key"
SUBJECT = "thought.subject"
ATTRIBUTE = "thought.attribute"
VALUE = "thought.value"
CONFIDENCE = "thought.confidence"
SOURCES = "thought.sources"
DECISION = "thought.decision"
# EPISODE memories.
CHUNK = "thought.chunk"
SEGMENT = "thought.segment"
KEYWORDS = "thought.keywords"
PATH = "thought.path"
ENDED_AT = "thought.ended_at"
ACTIVE = "thought.active"
VISITS = "thought.visits"
VISITS_SEEN = "thought.visits_seen"
LAST_ACCESS_AT = "thought.last_access_at"
PROMOTED = "thought.promoted"
# PATTERN memories.
PATTERN_KEY = "thought.pattern_key"
PATTERN_KIND = "thought.pattern_kind"
SUPPORT = "thought.support"
EVIDENCE = "thought.evidence"
# Any memory that received feedback.
FEEDBACK_COUNT = "thought.feedback_count"
FEEDBACK_LAST = "thought.feedback_last"

MAX_METADATA_VALUE_CHARS = 2048
# Provenance beyond what one metadata value holds keeps the first and the latest ids.
_MAX_LISTED_IDS = 50
# memory-store's bound on source_message_ids (MEMGRID_MAX_SOURCE_MESSAGE_IDS's default).
MAX_SOURCE_IDS = 256

_ROLES: dict[int, Role] = {
    memory_pb2.ROLE_USER: "user",
    memory_pb2.ROLE_ASSISTANT: "assistant",
    memory_pb2.ROLE_SYSTEM: "system",
    memory_pb2.ROLE_TOOL: "tool",
}
_FACT_KINDS = {
    FactKind.FACT: memory_pb2.MEMORY_KIND_FACT,
    FactKind.PROFILE: memory_pb2.MEMORY_KIND_PROFILE,
}


def to_timestamp(moment: datetime) -> timestamp_pb2.Timestamp:
    stamp = timestamp_pb2.Timestamp()
    stamp.FromDatetime(moment.astimezone(UTC))
    return stamp


def from_timestamp(stamp: timestamp_pb2.Timestamp) -> datetime:
    return stamp.ToDatetime(tzinfo=UTC)


def turn_of(message: memory_pb2.Memory) -> Turn:
    """A MESSAGE memory as the cognition modules see it; said at its valid_from."""
    said_at = message.valid_from if message.HasField("valid_from") else message.created_at
    return Turn(
        message_id=message.id,
        role=_ROLES.get(message.role, "user"),
        content=message.content,
        occurred_at=from_timestamp(said_at),
        session_id=message.scope.session_id,
    )


def fact_key(subject: str, attribute: str) -> str:
    """What facts are looked up by: all values ever stored for one subject's attribute."""
    return f"{normalise(subject)}|{attribute}"


def keys_to_reconcile(facts: Iterable[Fact]) -> list[str]:
    """The fact keys whose stored values new facts are compared with, opposites included."""
    keys: set[str] = set()
    for fact in facts:
        keys.add(fact_key(fact.subject, fact.attribute))
        if fact.spec.opposite:
            keys.add(fact_key(fact.subject, fact.spec.opposite))
    return sorted(keys)


def stored_fact(memory: memory_pb2.Memory) -> StoredFact | None:
    """The fact a FACT or PROFILE memory records, or None for one the engine did not write."""
    metadata = memory.metadata
    attribute = metadata.get(ATTRIBUTE, "")
    if attribute not in ATTRIBUTES or SUBJECT not in metadata or VALUE not in metadata:
        return None
    valid_from = from_timestamp(memory.valid_from)
    fact = Fact(
        subject=metadata[SUBJECT],
        attribute=attribute,
        value=metadata[VALUE],
        source_message_ids=split_ids(metadata.get(SOURCES, "")) or tuple(memory.source_message_ids),
        observed_at=valid_from,
        confidence=float(metadata.get(CONFIDENCE, "0.9")),
    )
    return StoredFact(
        id=memory.id,
        fact=fact,
        valid_from=valid_from,
        valid_to=from_timestamp(memory.valid_to) if memory.HasField("valid_to") else None,
        superseded_by=memory.superseded_by or None,
        version=memory.version,
    )


def fact_kind(fact: Fact) -> memory_pb2.MemoryKind.ValueType:
    return _FACT_KINDS[fact.kind]


def fact_metadata(fact: Fact, decision: str) -> dict[str, str]:
    return {
        FACT_KEY: fact_key(fact.subject, fact.attribute),
        SUBJECT: fact.subject,
        ATTRIBUTE: fact.attribute,
        VALUE: fact.value,
        CONFIDENCE: f"{fact.confidence:.3f}",
        SOURCES: join_ids(fact.source_message_ids),
        DECISION: clip(decision),
    }


def join_ids(ids: Iterable[str]) -> str:
    return ",".join(_first_and_latest(ids, _MAX_LISTED_IDS))


def provenance(ids: Iterable[str]) -> list[str]:
    """source_message_ids for a memory: the first and the latest of its sources, within
    memory-store's bound."""
    return _first_and_latest(ids, MAX_SOURCE_IDS)


def _first_and_latest(ids: Iterable[str], limit: int) -> list[str]:
    listed = list(dict.fromkeys(ids))
    if len(listed) > limit:
        listed = listed[:1] + listed[-(limit - 1) :]
    return listed


def split_ids(text: str) -> tuple[str, ...]:
    return tuple(part for part in text.split(",") if part)


def clip(text: str, limit: int = MAX_METADATA_VALUE_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def metadata_with(memory: memory_pb2.Memory, changes: Mapping[str, str]) -> dict[str, str]:
    """The memory's metadata with `changes` applied: an update replaces the whole map."""
    return {**memory.metadata, **changes}
