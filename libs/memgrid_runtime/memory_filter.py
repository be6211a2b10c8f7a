"""Which memories a MemoryFilter matches: the rule, written once for every service.

Three places apply a filter: memory-store in SQL (ListMemories, DeleteMemories), search as
its index's payload filter, and the gateway in Python (graph-expanded hits, which come
from the graph and not from the filtered index). Each one translates the same clause list,
one clause to one backend condition, so none of them decides a rule of its own.
tests/contract/test_memory_filter_semantics.py runs one table of cases on all of them.

The rules (the MemoryFilter comments in protos/memgrid/common/v1/memory.proto say the
same to clients):
- every set field must match; kinds, tiers and cube_ids match any of their values, tags
  and metadata pairs all of theirs (metadata by exact equality);
- with cube_ids, user_id names the reader, whose access the caller has checked: every
  memory in those cubes matches, whoever wrote it;
- created_after <= created_at < created_before: a half-open interval, so consecutive
  windows neither overlap nor leave a gap;
- a memory that has expired (expires_at <= now) never matches;
- a memory is superseded once it names a successor (superseded_by) or its validity has
  ended (valid_to <= now); superseded memories match only with include_superseded;
- with valid_at the question is "what was true then": valid_from <= valid_at < valid_to,
  superseded or not. An unset valid_from means created_at; an unset valid_to, still valid.

Times are integer nanoseconds since the epoch, a Timestamp's own resolution, so the rules
compare exactly. Stored times are whole microseconds (memory-store's clock), so a backend
compares them with `bound_us`: the bound rounded to the microsecond that keeps every
stored time on the same side of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, assert_never

from google.protobuf.timestamp_pb2 import Timestamp
from memgrid.common.v1 import memory_pb2

NANOS_PER_MICRO = 1_000
MICROS_PER_SECOND = 1_000_000
NANOS_PER_SECOND = 1_000_000_000

ScopeField = Literal["user_id", "agent_id", "session_id", "cube_id"]
# Times every memory has; an unset valid_from reads as created_at.
StartField = Literal["created_at", "valid_from"]
# Times a memory may leave unset, meaning "never": it never expires, it is still valid.
EndField = Literal["valid_to", "expires_at"]


@dataclass(frozen=True)
class ScopeIn:
    """The memory's scope field is one of `values`."""

    field: ScopeField
    values: tuple[str, ...]


@dataclass(frozen=True)
class KindIn:
    kinds: tuple[int, ...]


@dataclass(frozen=True)
class TierIn:
    tiers: tuple[int, ...]


@dataclass(frozen=True)
class HasTag:
    tag: str


@dataclass(frozen=True)
class MetadataEquals:
    key: str
    value: str


@dataclass(frozen=True)
class AtOrAfter:
    """field >= at_ns."""

    field: StartField
    at_ns: int

    @property
    def bound_us(self) -> int:
        return _micros_up(self.at_ns)


@dataclass(frozen=True)
class Before:
    """field < at_ns."""

    field: StartField
    at_ns: int

    @property
    def bound_us(self) -> int:
        return _micros_up(self.at_ns)


@dataclass(frozen=True)
class AtOrBefore:
    """field <= at_ns."""

    field: StartField
    at_ns: int

    @property
    def bound_us(self) -> int:
        return _micros_down(self.at_ns)


@dataclass(frozen=True)
class UnsetOrAfter:
    """field is unset ("never") or field > at_ns."""

    field: EndField
    at_ns: int

    @property
    def bound_us(self) -> int:
        return _micros_down(self.at_ns)


@dataclass(frozen=True)
class NoSuccessor:
    """superseded_by is empty."""


Clause = (
    ScopeIn
    | KindIn
    | TierIn
    | HasTag
    | MetadataEquals
    | AtOrAfter
    | Before
    | AtOrBefore
    | UnsetOrAfter
    | NoSuccessor
)


def timestamp_nanos(timestamp: Timestamp) -> int:
    return timestamp.seconds * NANOS_PER_SECOND + timestamp.nanos


def epoch_seconds_nanos(seconds: float) -> int:
    """Float epoch seconds hold about a quarter of a microsecond at today's dates, so they
    are taken at the nearest microsecond, which is what every stored time is."""
    return round(seconds * MICROS_PER_SECOND) * NANOS_PER_MICRO


@dataclass(frozen=True)
class MemoryFilterSpec:
    """A MemoryFilter made canonical (values deduplicated and sorted, unset times None),
    with the times the rules need: `now`, and `valid_at` for a search of the past."""

    now_ns: int
    user_id: str = ""
    agent_id: str = ""
    session_id: str = ""
    cube_ids: tuple[str, ...] = ()
    kinds: tuple[int, ...] = ()
    tiers: tuple[int, ...] = ()
    tags: tuple[str, ...] = ()
    metadata: tuple[tuple[str, str], ...] = ()
    created_after_ns: int | None = None
    created_before_ns: int | None = None
    include_superseded: bool = False
    valid_at_ns: int | None = None

    @classmethod
    def from_proto(
        cls, memory_filter: memory_pb2.MemoryFilter, *, now_ns: int, valid_at_ns: int | None = None
    ) -> MemoryFilterSpec:
        return cls(
            now_ns=now_ns,
            user_id=memory_filter.user_id,
            agent_id=memory_filter.agent_id,
            session_id=memory_filter.session_id,
            cube_ids=tuple(sorted(set(memory_filter.cube_ids))),
            kinds=tuple(sorted(set(memory_filter.kinds))),
            tiers=tuple(sorted(set(memory_filter.tiers))),
            tags=tuple(sorted(set(memory_filter.tags))),
            metadata=tuple(sorted(memory_filter.metadata.items())),
            created_after_ns=timestamp_nanos(memory_filter.created_after)
            if memory_filter.HasField("created_after")
            else None,
            created_before_ns=timestamp_nanos(memory_filter.created_before)
            if memory_filter.HasField("created_before")
            else None,
            include_superseded=memory_filter.include_superseded,
            valid_at_ns=valid_at_ns,
        )

    def clauses(self) -> list[Clause]:
        """What a memory must satisfy to match: all of these."""
        return [*self.field_clauses(), *self.visibility_clauses()]

    def field_clauses(self) -> list[Clause]:
        """What the filter's fields ask for, whatever the memory's expiry and validity
        (DeleteMemories removes all of it, expired and superseded memories included)."""
        clauses: list[Clause] = []
        if self.cube_ids:
            clauses.append(ScopeIn("cube_id", self.cube_ids))
        elif self.user_id:
            clauses.append(ScopeIn("user_id", (self.user_id,)))
        if self.agent_id:
            clauses.append(ScopeIn("agent_id", (self.agent_id,)))
        if self.session_id:
            clauses.append(ScopeIn("session_id", (self.session_id,)))
        if self.kinds:
            clauses.append(KindIn(self.kinds))
        if self.tiers:
            clauses.append(TierIn(self.tiers))
        clauses.extend(HasTag(tag) for tag in self.tags)
        clauses.extend(MetadataEquals(key, value) for key, value in self.metadata)
        if self.created_after_ns is not None:
            clauses.append(AtOrAfter("created_at", self.created_after_ns))
        if self.created_before_ns is not None:
            clauses.append(Before("created_at", self.created_before_ns))
        return clauses

    def visibility_clauses(self) -> list[Clause]:
        """Not expired, and either valid at valid_at or (unless include_superseded) not
        superseded now."""
        clauses: list[Clause] = [UnsetOrAfter("expires_at", self.now_ns)]
        if self.valid_at_ns is not None:
            clauses.append(AtOrBefore("valid_from", self.valid_at_ns))
            clauses.append(UnsetOrAfter("valid_to", self.valid_at_ns))
        elif not self.include_superseded:
            clauses.append(NoSuccessor())
            clauses.append(UnsetOrAfter("valid_to", self.now_ns))
        return clauses


def live_clauses(now_ns: int) -> list[Clause]:
    """What every memory a caller may see satisfies: it has not expired."""
    return [UnsetOrAfter("expires_at", now_ns)]


def matches(memory: memory_pb2.Memory, spec: MemoryFilterSpec) -> bool:
    """Whether the memory passes the filter: the rule applied in Python, clause by clause,
    exactly as the SQL and index translations apply it."""
    return all(_holds(clause, memory) for clause in spec.clauses())


def _holds(clause: Clause, memory: memory_pb2.Memory) -> bool:
    match clause:
        case ScopeIn(field, values):
            return getattr(memory.scope, field) in values
        case KindIn(kinds):
            return memory.kind in kinds
        case TierIn(tiers):
            return memory.tier in tiers
        case HasTag(tag):
            return tag in memory.tags
        case MetadataEquals(key, value):
            return key in memory.metadata and memory.metadata[key] == value
        case AtOrAfter(field, at_ns):
            return _start_nanos(memory, field) >= at_ns
        case Before(field, at_ns):
            return _start_nanos(memory, field) < at_ns
        case AtOrBefore(field, at_ns):
            return _start_nanos(memory, field) <= at_ns
        case UnsetOrAfter(field, at_ns):
            return not memory.HasField(field) or timestamp_nanos(getattr(memory, field)) > at_ns
        case NoSuccessor():
            return not memory.superseded_by
        case _:
            assert_never(clause)


def _start_nanos(memory: memory_pb2.Memory, field: StartField) -> int:
    if field == "valid_from" and not memory.HasField("valid_from"):
        return timestamp_nanos(memory.created_at)
    return timestamp_nanos(getattr(memory, field))


# A time of whole microseconds t_us is >= or < a bound b in nanoseconds exactly when it is
# >= or < ceil(b / 1000); it is <= or > b exactly when it is <= or > floor(b / 1000).
def _micros_up(nanos: int) -> int:
    return -(-nanos // NANOS_PER_MICRO)


def _micros_down(nanos: int) -> int:
    return nanos // NANOS_PER_MICRO
