"""Contract: a MemoryFilter matches the same memories wherever it is applied.

One fixed set of memories and one table of cases (filter -> the memories it matches), run
against every place that applies a filter: the in-Python predicate the gateway checks
graph hits with (memgrid_runtime.memory_filter.matches), memory-store's ListMemories on
SQLite and PostgreSQL, and search's index filter on Qdrant Edge and qdrant-client. The
memory-store runs need MEMGRID_TEST_POSTGRES_DSN for PostgreSQL: without it they are
skipped, or fail when CI=true.

Cases with valid_at ("what was true then") run everywhere but memory-store: valid_at is a
search parameter, and ListMemories has none.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import psycopg
import pytest
from google.protobuf import duration_pb2
from google.protobuf.timestamp_pb2 import Timestamp
from memgrid.common.v1 import memory_pb2 as mpb
from memgrid.memory.v1 import request_response_pb2 as rr
from memgrid_runtime.memory_filter import MemoryFilterSpec, matches, timestamp_nanos

from services.memory_store.store.clock import MICROS_PER_SECOND, timestamp_from_micros
from services.memory_store.store.config import StoreConfig
from services.memory_store.store.sql_store import SqlMemoryStore
from services.search.documents import build_points, epoch_seconds
from services.search.filters import build_index_filter
from services.search.index import VectorIndex, open_index
from services.search.sparse import SparseEncoder
from tests.memory_store.support import (
    TENANT,
    StoreLocation,
    open_store_at,
    postgres_dsn_or_skip,
)

FACT, EPISODE, PROFILE = mpb.MEMORY_KIND_FACT, mpb.MEMORY_KIND_EPISODE, mpb.MEMORY_KIND_PROFILE
SHORT, MID, LONG = mpb.MEMORY_TIER_SHORT, mpb.MEMORY_TIER_MID, mpb.MEMORY_TIER_LONG

# Every time below is in seconds after T0. The cases are asked at NOW.
T0_US = 1_700_000_000 * MICROS_PER_SECOND
NOW = 1000
# When memory-store applies the updates that end validity and name successors: after
# every memory exists, before any of them expires.
UPDATES_AT = 850


def at(seconds: int, nanos: int = 0) -> Timestamp:
    stamp = timestamp_from_micros(T0_US + seconds * MICROS_PER_SECOND)
    stamp.nanos += nanos
    return stamp


@dataclass(frozen=True)
class StoredMemory:
    """One memory of the fixed set, named; memory-store must end up holding it so."""

    name: str
    created: int
    user: str
    agent: str = ""
    session: str = ""
    cube: str = ""
    kind: int = FACT
    tier: int = MID
    tags: tuple[str, ...] = ()
    metadata: Mapping[str, str] = field(default_factory=dict)
    # valid_from defaults to created; valid_to and expires_at to unset ("never").
    valid_from: int | None = None
    valid_to: int | None = None
    expires: int | None = None
    successor: str = ""


MEMORIES = [
    # Scope, kind, tier, tags and metadata: all live and current.
    StoredMemory(
        "ana-tea",
        100,
        "ana",
        agent="planner",
        session="s1",
        tags=("drink", "hot"),
        metadata={"source": "chat", "lang": "en"},
    ),
    StoredMemory(
        "ana-coffee",
        200,
        "ana",
        agent="coach",
        session="s1",
        tags=("drink",),
        metadata={"source": "email"},
    ),
    StoredMemory("ana-episode", 300, "ana", session="s2", kind=EPISODE, tier=LONG),
    StoredMemory(
        "ana-profile",
        300,
        "ana",
        kind=PROFILE,
        tier=LONG,
        tags=("hot",),
        metadata={"source": "chat"},
    ),
    StoredMemory(
        "bob-tea",
        200,
        "bob",
        agent="planner",
        session="s1",
        tier=SHORT,
        tags=("drink", "hot"),
        metadata={"source": "chat"},
    ),
    # Cube "team" is ana's, shared with bob; "solo" is bob's.
    StoredMemory("team-plan", 400, "ana", cube="team", tags=("work",)),
    StoredMemory("team-retro", 500, "ana", cube="team", kind=EPISODE, tags=("work", "retro")),
    StoredMemory("solo-note", 400, "bob", cube="solo"),
    # Expiry and supersession, all cara's.
    StoredMemory("cara-expired", 600, "cara", expires=900),
    StoredMemory("cara-expires-now", 600, "cara", expires=NOW),
    StoredMemory("cara-expires-later", 600, "cara", expires=5600),
    StoredMemory("cara-paris", 100, "cara", valid_to=500, successor="cara-rome"),
    StoredMemory("cara-rome", 500, "cara"),
    StoredMemory("cara-ended", 100, "cara", valid_to=700),
    StoredMemory("cara-ends-now", 100, "cara", valid_to=NOW),
    StoredMemory("cara-ends-later", 100, "cara", valid_to=1500),
    StoredMemory("cara-successor-ends-later", 100, "cara", valid_to=1500, successor="cara-rome"),
    StoredMemory("cara-successor-never-ends", 100, "cara", successor="cara-rome"),
    StoredMemory("cara-backdated", 800, "cara", valid_from=-1000),
]
FIXTURES = {fixture.name: fixture for fixture in MEMORIES}


@dataclass(frozen=True)
class Case:
    name: str
    filter: mpb.MemoryFilter
    expected: set[str]
    valid_at: Timestamp | None = None


def where(**fields: Any) -> mpb.MemoryFilter:
    return mpb.MemoryFilter(**fields)


CARA_CURRENT = {"cara-expires-later", "cara-rome", "cara-ends-later", "cara-backdated"}
CARA_SUPERSEDED = {
    "cara-paris",
    "cara-ended",
    "cara-ends-now",
    "cara-successor-ends-later",
    "cara-successor-never-ends",
}
ANA_OWN = {"ana-tea", "ana-coffee", "ana-episode", "ana-profile"}

CASES = [
    # Scope: user_id names the writer, unless cube_ids name cubes; then the reader.
    Case("user", where(user_id="ana"), ANA_OWN | {"team-plan", "team-retro"}),
    Case("other-user", where(user_id="bob"), {"bob-tea", "solo-note"}),
    Case("unknown-user", where(user_id="nobody"), set()),
    Case("agent-across-users", where(agent_id="planner"), {"ana-tea", "bob-tea"}),
    Case("user-and-agent", where(user_id="ana", agent_id="planner"), {"ana-tea"}),
    Case("session", where(session_id="s1"), {"ana-tea", "ana-coffee", "bob-tea"}),
    Case("cube-for-reader", where(user_id="bob", cube_ids=["team"]), {"team-plan", "team-retro"}),
    Case(
        "any-of-cubes",
        where(user_id="bob", cube_ids=["team", "solo"]),
        {"team-plan", "team-retro", "solo-note"},
    ),
    Case("cube-without-user", where(cube_ids=["solo"]), {"solo-note"}),
    # Kinds and tiers: any of; tags and metadata: all of.
    Case(
        "any-of-kinds",
        where(user_id="ana", kinds=[EPISODE, PROFILE]),
        {"ana-episode", "ana-profile", "team-retro"},
    ),
    Case("any-of-tiers", where(tiers=[SHORT, LONG]), {"ana-episode", "ana-profile", "bob-tea"}),
    Case("one-tag", where(tags=["drink"]), {"ana-tea", "ana-coffee", "bob-tea"}),
    Case("all-tags", where(tags=["drink", "hot"]), {"ana-tea", "bob-tea"}),
    Case("tags-no-memory-has-all-of", where(tags=["hot", "work"]), set()),
    Case(
        "metadata-pair", where(metadata={"source": "chat"}), {"ana-tea", "ana-profile", "bob-tea"}
    ),
    Case("metadata-all-pairs", where(metadata={"source": "chat", "lang": "en"}), {"ana-tea"}),
    Case("metadata-one-pair-differs", where(metadata={"source": "chat", "lang": "fr"}), set()),
    Case("metadata-exact-value", where(metadata={"source": "Chat"}), set()),
    # created_after <= created_at < created_before, with bounds exactly on created_at.
    Case(
        "created-after-inclusive",
        where(user_id="ana", created_after=at(300)),
        {"ana-episode", "ana-profile", "team-plan", "team-retro"},
    ),
    Case(
        "created-before-exclusive",
        where(user_id="ana", created_before=at(300)),
        {"ana-tea", "ana-coffee"},
    ),
    Case(
        "half-open-window",
        where(created_after=at(200), created_before=at(300)),
        {"ana-coffee", "bob-tea"},
    ),
    Case("empty-window", where(created_after=at(300), created_before=at(300)), set()),
    Case(
        "created-after-a-microsecond-later",
        where(user_id="ana", created_after=at(300, nanos=1_000)),
        {"team-plan", "team-retro"},
    ),
    Case(
        "created-after-a-nanosecond-later",
        where(user_id="ana", created_after=at(300, nanos=1)),
        {"team-plan", "team-retro"},
    ),
    Case(
        "created-before-a-nanosecond-later",
        where(user_id="ana", created_before=at(300, nanos=1)),
        ANA_OWN,
    ),
    # Expired (expires_at <= now) never; superseded (a successor, or valid_to <= now) only
    # when asked for.
    Case("current-only", where(user_id="cara"), CARA_CURRENT),
    Case(
        "with-superseded",
        where(user_id="cara", include_superseded=True),
        CARA_CURRENT | CARA_SUPERSEDED,
    ),
    Case(
        "created-bound-and-expiry",
        where(user_id="cara", created_after=at(600), include_superseded=True),
        {"cara-expires-later", "cara-backdated"},
    ),
    # valid_at: valid_from <= valid_at < valid_to, superseded or not; never expired.
    Case(
        "valid-before-the-successor",
        where(user_id="cara"),
        {
            "cara-paris",
            "cara-ended",
            "cara-ends-now",
            "cara-ends-later",
            "cara-successor-ends-later",
            "cara-successor-never-ends",
            "cara-backdated",
        },
        valid_at=at(300),
    ),
    Case(
        "valid-at-exactly-a-change",
        where(user_id="cara"),
        {
            "cara-rome",
            "cara-ended",
            "cara-ends-now",
            "cara-ends-later",
            "cara-successor-ends-later",
            "cara-successor-never-ends",
            "cara-backdated",
        },
        valid_at=at(500),
    ),
    Case(
        "valid-at-ignores-include-superseded",
        where(user_id="cara", include_superseded=True),
        {
            "cara-rome",
            "cara-ended",
            "cara-ends-now",
            "cara-ends-later",
            "cara-successor-ends-later",
            "cara-successor-never-ends",
            "cara-backdated",
        },
        valid_at=at(500),
    ),
    Case("valid-before-creation", where(user_id="cara"), {"cara-backdated"}, valid_at=at(50)),
    Case(
        "valid-after-now",
        where(user_id="cara"),
        {
            "cara-expires-later",
            "cara-rome",
            "cara-ends-later",
            "cara-successor-ends-later",
            "cara-successor-never-ends",
            "cara-backdated",
        },
        valid_at=at(1200),
    ),
    Case(
        "valid-at-with-other-fields",
        where(user_id="ana", tags=["work"]),
        {"team-plan"},
        valid_at=at(450),
    ),
]

STORE_BACKENDS = ("sqlite", "postgres")
INDEX_BACKENDS = ("qdrant-edge", "qdrant-client")

# Where a backend breaks the rule today for a reason outside the filter's translation.
# Strict: once the backend is fixed the test fails until the entry goes.
KNOWN_BREAKS: dict[tuple[str, str], str] = {}


def _params() -> list[Any]:
    params = []
    for backend in ("predicate", *STORE_BACKENDS, *INDEX_BACKENDS):
        for case in CASES:
            if backend in STORE_BACKENDS and case.valid_at is not None:
                continue
            marks = [pytest.mark.postgres] if backend == "postgres" else []
            if (backend, case.name) in KNOWN_BREAKS:
                reason = KNOWN_BREAKS[backend, case.name]
                marks.append(pytest.mark.xfail(reason=reason, strict=True))
            params.append(pytest.param(backend, case, id=f"{backend}-{case.name}", marks=marks))
    return params


# --- the memories as each backend holds them -----------------------------------------


def as_memory(fixture: StoredMemory) -> mpb.Memory:
    """The memory as memory-store returns it, with the fixture's name as its id."""
    memory = mpb.Memory(
        id=fixture.name,
        scope=mpb.Scope(
            user_id=fixture.user,
            agent_id=fixture.agent,
            session_id=fixture.session,
            cube_id=fixture.cube,
        ),
        kind=fixture.kind,  # type: ignore[arg-type]
        tier=fixture.tier,  # type: ignore[arg-type]
        content=f"memo {fixture.name}",
        tags=fixture.tags,
        metadata=fixture.metadata,
        version=1,
        created_at=at(fixture.created),
        updated_at=at(fixture.created),
        valid_from=at(fixture.created if fixture.valid_from is None else fixture.valid_from),
        superseded_by=fixture.successor,
    )
    if fixture.valid_to is not None:
        memory.valid_to.CopyFrom(at(fixture.valid_to))
    if fixture.expires is not None:
        memory.expires_at.CopyFrom(at(fixture.expires))
    return memory


def filterable_fields(memory: mpb.Memory, name_of: Callable[[str], str]) -> tuple[Any, ...]:
    """What a filter reads of a memory, with ids turned into fixture names."""
    optional = [
        timestamp_nanos(getattr(memory, name)) if memory.HasField(name) else None
        for name in ("valid_to", "expires_at")
    ]
    return (
        memory.scope.SerializeToString(deterministic=True),
        memory.kind,
        memory.tier,
        sorted(memory.tags),
        sorted(memory.metadata.items()),
        timestamp_nanos(memory.created_at),
        timestamp_nanos(memory.valid_from),
        *optional,
        name_of(memory.superseded_by) if memory.superseded_by else "",
    )


class SettableClock:
    def __init__(self) -> None:
        self._now_us = T0_US

    def now_us(self) -> int:
        return self._now_us

    def set(self, seconds: int) -> None:
        self._now_us = T0_US + seconds * MICROS_PER_SECOND


class StoreUnderTest:
    """memory-store holding the fixtures, written through its own operations on a clock
    set to each memory's creation time."""

    def __init__(self, store: SqlMemoryStore) -> None:
        self.store = store
        self.names: dict[str, str] = {}

    @classmethod
    async def seed(cls, location: StoreLocation) -> StoreUnderTest:
        clock = SettableClock()
        seeded = cls(await open_store_at(location, StoreConfig(), clock))
        try:
            await seeded._write_memories(clock)
        except BaseException:
            await seeded.store.close()
            raise
        return seeded

    async def _write_memories(self, clock: SettableClock) -> None:
        store = self.store
        await store.create_cube(TENANT, "team", "ana", "Team", "")
        await store.share_cube(TENANT, "team", "ana", "bob")
        await store.create_cube(TENANT, "solo", "bob", "Solo", "")
        ids: dict[str, str] = {}
        held: dict[str, mpb.Memory] = {}
        for fixture in sorted(MEMORIES, key=lambda f: f.created):
            clock.set(fixture.created)
            [created] = (await store.create_memories(_create_request(fixture))).memories
            ids[fixture.name] = created.id
            held[fixture.name] = created
        clock.set(UPDATES_AT)
        for fixture in MEMORIES:
            if fixture.valid_to is None and not fixture.successor:
                continue
            update = mpb.MemoryUpdate(superseded_by=ids.get(fixture.successor, ""))
            if fixture.valid_to is not None:
                update.valid_to.CopyFrom(at(fixture.valid_to))
            paths = ["valid_to", "superseded_by"] if fixture.successor else ["valid_to"]
            held[fixture.name] = await store.update_memory(TENANT, ids[fixture.name], update, paths)
        clock.set(NOW)
        self.names = {memory_id: name for name, memory_id in ids.items()}
        for name, memory in held.items():
            assert filterable_fields(memory, self.names.__getitem__) == filterable_fields(
                as_memory(FIXTURES[name]), str
            ), f"memory-store holds {name} otherwise than the fixture says"

    async def matching(self, case: Case) -> set[str]:
        page = await self.store.list_memories(TENANT, case.filter, 1000)
        assert not page.next_page_token
        return {self.names[memory.id] for memory in page.memories}


def _create_request(fixture: StoredMemory) -> rr.CreateMemoriesRequest:
    memory = as_memory(fixture)
    new = mpb.NewMemory(
        scope=memory.scope,
        kind=memory.kind,
        tier=memory.tier,
        content=memory.content,
        tags=memory.tags,
        metadata=memory.metadata,
        valid_from=memory.valid_from,
    )
    if fixture.expires is not None:
        new.ttl.CopyFrom(duration_pb2.Duration(seconds=fixture.expires - fixture.created))
    return rr.CreateMemoriesRequest(tenant_id=TENANT, memories=[new])


DIM = 4
QUERY = np.ones(DIM, dtype=np.float32) / 2


class IndexUnderTest:
    """A search index holding the fixtures, searched through the filter the search
    service builds, densely and by keyword."""

    def __init__(self, index: VectorIndex) -> None:
        self.index = index
        encoder = SparseEncoder()
        self.query = encoder.encode_query("memo")
        memories = [as_memory(fixture) for fixture in MEMORIES]
        dense = np.tile(QUERY, (len(memories), 1)).astype(np.float32)
        index.upsert(build_points(TENANT, memories, dense, encoder))

    def matching(self, case: Case) -> set[str]:
        valid_at = epoch_seconds(case.valid_at) if case.valid_at is not None else None
        now = epoch_seconds(at(NOW))
        flt = build_index_filter(TENANT, case.filter, now=now, valid_at=valid_at)
        limit = len(MEMORIES) + 1
        dense = {hit.memory_id for hit in self.index.search_dense(flt, QUERY.tolist(), limit)}
        sparse = {hit.memory_id for hit in self.index.search_sparse(flt, self.query, limit)}
        assert dense == sparse, "dense and keyword search filtered differently"
        return dense


def predicate_matching(case: Case) -> set[str]:
    spec = MemoryFilterSpec.from_proto(
        case.filter,
        now_ns=timestamp_nanos(at(NOW)),
        valid_at_ns=timestamp_nanos(case.valid_at) if case.valid_at is not None else None,
    )
    return {f.name for f in MEMORIES if matches(as_memory(f), spec)}


class Backends:
    """Each backend seeded once for the whole table, on first use."""

    def __init__(self, directory: Path) -> None:
        self._directory = directory
        self._stores: dict[str, StoreUnderTest] = {}
        self._indexes: dict[str, IndexUnderTest] = {}
        self._postgres_schema = ""
        self._postgres_dsn = ""

    async def matching(self, backend: str, case: Case) -> set[str]:
        if backend == "predicate":
            return predicate_matching(case)
        if backend in INDEX_BACKENDS:
            if backend not in self._indexes:
                path = self._directory / backend
                self._indexes[backend] = IndexUnderTest(open_index(backend, dim=DIM, path=path))
            return self._indexes[backend].matching(case)
        if backend not in self._stores:
            self._stores[backend] = await StoreUnderTest.seed(self._location(backend))
        return await self._stores[backend].matching(case)

    def _location(self, backend: str) -> StoreLocation:
        if backend == "sqlite":
            return StoreLocation(backend, sqlite_path=self._directory / "memory-store.db")
        self._postgres_dsn = postgres_dsn_or_skip()
        self._postgres_schema = f"memgrid_test_{uuid.uuid4().hex[:16]}"
        return StoreLocation(
            backend, postgres_dsn=self._postgres_dsn, postgres_schema=self._postgres_schema
        )

    async def close(self) -> None:
        for index in self._indexes.values():
            index.index.close()
        for store in self._stores.values():
            await store.store.close()
        if self._postgres_schema:
            async with await psycopg.AsyncConnection.connect(
                self._postgres_dsn, autocommit=True
            ) as connection:
                await connection.execute(
                    f'DROP SCHEMA IF EXISTS "{self._postgres_schema}" CASCADE'.encode()
                )


@pytest.fixture(scope="module")
async def backends(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Backends]:
    opened = Backends(tmp_path_factory.mktemp("memory-filter-semantics"))
    yield opened
    await opened.close()


def test_the_table_is_big_enough_and_every_memory_matters() -> None:
    assert len(CASES) >= 20
    assert len({case.name for case in CASES}) == len(CASES)
    named = set().union(*(case.expected for case in CASES))
    never = {"cara-expired", "cara-expires-now"}
    assert named | never == set(FIXTURES), "a fixture no case expects says nothing"
    assert not named & never


@pytest.mark.parametrize(("backend", "case"), _params())
async def test_filter_matches_exactly_the_expected_memories(
    backends: Backends, backend: str, case: Case
) -> None:
    assert await backends.matching(backend, case) == case.expected
