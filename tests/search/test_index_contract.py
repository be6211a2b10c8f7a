"""One contract for every VectorIndex backend: Qdrant Edge and qdrant-client (local mode)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest
from memgrid.common.v1 import memory_pb2

from services.search.documents import build_points, key_hash
from services.search.filters import build_index_filter
from services.search.index import VectorIndex, open_index
from services.search.index.base import IndexFilter
from services.search.sparse import SparseEncoder
from tests.search.factories import memory

DIM = 4
NOW = 1_800_000_000.0
ENCODER = SparseEncoder()
BACKENDS = ["qdrant-edge", "qdrant-client"]
IndexFactory = Callable[[], VectorIndex]


@pytest.fixture(params=BACKENDS)
def index_factory(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[IndexFactory]:
    opened: list[VectorIndex] = []

    def factory() -> VectorIndex:
        for previous in opened:
            previous.close()
        index = open_index(request.param, dim=DIM, path=tmp_path / request.param)
        opened.append(index)
        return index

    yield factory
    opened[-1].close()


@pytest.fixture
def index(index_factory: IndexFactory) -> VectorIndex:
    return index_factory()


def unit(*values: float) -> np.ndarray:
    vector = np.asarray(values, dtype=np.float32)
    return vector / np.linalg.norm(vector)


def add(index: VectorIndex, tenant: str, *items: tuple[memory_pb2.Memory, np.ndarray]) -> None:
    memories = [m for m, _ in items]
    dense = np.stack([v for _, v in items])
    index.upsert(build_points(tenant, memories, dense, ENCODER))


def search_ids(
    index: VectorIndex, flt: IndexFilter, vector: np.ndarray | None = None, limit: int = 10
) -> set[str]:
    query = vector if vector is not None else unit(1, 1, 1, 1)
    return {c.memory_id for c in index.search_dense(flt, query.tolist(), limit)}


def filt(tenant: str = "t1", valid_at: float | None = None, **fields: object) -> IndexFilter:
    proto = memory_pb2.MemoryFilter(**fields)  # type: ignore[arg-type]
    return build_index_filter(tenant, proto, now=NOW, valid_at=valid_at)


def test_dense_search_orders_by_cosine(index: VectorIndex) -> None:
    add(
        index,
        "t1",
        (memory(id="east"), unit(1, 0, 0, 0)),
        (memory(id="north"), unit(0, 1, 0, 0)),
        (memory(id="northeast"), unit(1, 1, 0, 0)),
    )
    hits = index.search_dense(filt(), unit(1, 0.1, 0, 0).tolist(), 10)
    assert [h.memory_id for h in hits] == ["east", "northeast", "north"]
    assert hits[0].score == pytest.approx(float(unit(1, 0.1, 0, 0) @ unit(1, 0, 0, 0)), abs=1e-4)
    assert {"memory_id", "created_at", "importance", "heat"} <= set(hits[0].payload)


def test_sparse_search_matches_keywords_and_weights_rare_terms(index: VectorIndex) -> None:
    add(
        index,
        "t1",
        (memory("Anna moved to Lisbon last spring", id="lisbon"), unit(1, 0, 0, 0)),
        (memory("Anna likes her new job", id="job"), unit(1, 0, 0, 0)),
        (memory("Anna and Tom went hiking", id="hiking"), unit(1, 0, 0, 0)),
    )
    hits = index.search_sparse(filt(), ENCODER.encode_query("where in Lisbon is Anna"), 10)
    assert hits[0].memory_id == "lisbon"
    assert {h.memory_id for h in hits} == {"lisbon", "job", "hiking"}
    assert index.search_sparse(filt(), ENCODER.encode_query("what was it"), 10) == []


def test_tenants_are_isolated_even_with_the_same_memory_id(index: VectorIndex) -> None:
    add(index, "t1", (memory("tenant one secret", id="m-1"), unit(1, 0, 0, 0)))
    add(index, "t2", (memory("tenant two secret", id="m-1", version=5), unit(1, 0, 0, 0)))
    add(index, "t2", (memory("only in two", id="m-2"), unit(1, 0, 0, 0)))
    assert search_ids(index, filt("t1")) == {"m-1"}
    assert index.versions("t1", ["m-1", "m-2"]) == {"m-1": 1}
    assert index.versions("t2", ["m-1", "m-2"]) == {"m-1": 5, "m-2": 1}
    secret = ENCODER.encode_query("secret two")
    assert [h.memory_id for h in index.search_sparse(filt("t1"), secret, 10)] == ["m-1"]
    # A guessed id or filter from the other tenant finds nothing of it.
    assert search_ids(index, filt("t1", user_id="u1", session_id="")) == {"m-1"}
    assert index.dense_vectors("t1", ["m-2"]) == {}
    index.delete("t1", ["m-2"])
    assert index.count("t2") == 2
    index.delete("t1", ["m-1"])
    assert index.count("t1") == 0
    assert index.count("t2") == 2


def test_upsert_replaces_and_delete_removes(index: VectorIndex) -> None:
    add(index, "t1", (memory("old text", id="m"), unit(1, 0, 0, 0)))
    add(index, "t1", (memory("new text", id="m", version=2), unit(0, 1, 0, 0)))
    assert index.count("t1") == 1
    assert index.versions("t1", ["m"]) == {"m": 2}
    np.testing.assert_allclose(index.dense_vectors("t1", ["m"])["m"], unit(0, 1, 0, 0), atol=1e-5)
    assert index.search_sparse(filt(), ENCODER.encode_query("old"), 10) == []
    index.delete("t1", ["m", "never-indexed"])
    assert index.count("t1") == 0
    assert search_ids(index, filt()) == set()


def test_a_memory_naming_a_successor_is_superseded_while_still_valid(index: VectorIndex) -> None:
    v = unit(1, 0, 0, 0)
    # A successor named with the end of validity still ahead: only superseded_by says so.
    add(
        index,
        "t1",
        (memory(id="replaced", superseded_by="current", valid_to=NOW + 3600), v),
        (memory(id="current"), v),
    )
    assert search_ids(index, filt()) == {"current"}
    sparse = index.search_sparse(filt(), ENCODER.encode_query("a memory"), 10)
    assert [c.memory_id for c in sparse] == ["current"]
    assert search_ids(index, filt(include_superseded=True)) == {"replaced", "current"}


def test_reusable_vectors_only_where_the_indexed_text_is_the_same(index: VectorIndex) -> None:
    same, edited = memory("unchanged text", id="same"), memory("first text", id="edited")
    add(index, "t1", (same, unit(1, 0, 0, 0)), (edited, unit(0, 1, 0, 0)))
    add(index, "t2", (memory("unchanged text", id="same"), unit(0, 0, 1, 0)))
    wanted = {
        "same": key_hash(memory("unchanged text", id="same", version=2)),
        "edited": key_hash(memory("second text", id="edited", version=2)),
        "never-indexed": key_hash(memory("unchanged text")),
    }
    reused = index.reusable_vectors("t1", wanted)
    assert set(reused) == {"same"}
    np.testing.assert_allclose(reused["same"], unit(1, 0, 0, 0), atol=1e-5)
    # The other tenant's point with the same id and text is its own.
    np.testing.assert_allclose(
        index.reusable_vectors("t2", wanted)["same"], unit(0, 0, 1, 0), atol=1e-5
    )
    assert index.reusable_vectors("t3", wanted) == {}


def test_scope_filters(index: VectorIndex) -> None:
    v = unit(1, 0, 0, 0)
    add(
        index,
        "t1",
        (memory(id="a", user_id="alice", agent_id="bot", session_id="s1"), v),
        (memory(id="b", user_id="alice", agent_id="other", session_id="s2"), v),
        (memory(id="c", user_id="bob", cube_id="team"), v),
        (memory(id="d", user_id="alice", cube_id="private"), v),
    )
    assert search_ids(index, filt(user_id="alice")) == {"a", "b", "d"}
    assert search_ids(index, filt(user_id="alice", agent_id="bot")) == {"a"}
    assert search_ids(index, filt(user_id="alice", session_id="s2")) == {"b"}
    # With cubes the user is the reader: bob's memory in a shared cube matches for alice.
    assert search_ids(index, filt(user_id="alice", cube_ids=["team"])) == {"c"}
    assert search_ids(index, filt(user_id="alice", cube_ids=["team", "private"])) == {"c", "d"}
    assert search_ids(index, filt(user_id="nobody")) == set()


def test_kind_tier_tag_and_metadata_filters(index: VectorIndex) -> None:
    v = unit(1, 0, 0, 0)
    add(
        index,
        "t1",
        (memory(id="fact", tags=("work", "urgent"), metadata={"source": "email"}), v),
        (
            memory(
                id="msg",
                kind=memory_pb2.MEMORY_KIND_MESSAGE,
                tier=memory_pb2.MEMORY_TIER_SHORT,
                tags=("work",),
                metadata={"source": "chat", "lang": "en"},
            ),
            v,
        ),
        (memory(id="profile", kind=memory_pb2.MEMORY_KIND_PROFILE, tier=3), v),
    )
    assert search_ids(index, filt(kinds=[memory_pb2.MEMORY_KIND_MESSAGE])) == {"msg"}
    kinds = [memory_pb2.MEMORY_KIND_FACT, memory_pb2.MEMORY_KIND_PROFILE]
    assert search_ids(index, filt(kinds=kinds)) == {"fact", "profile"}
    assert search_ids(index, filt(tiers=[memory_pb2.MEMORY_TIER_LONG])) == {"profile"}
    assert search_ids(index, filt(tags=["work"])) == {"fact", "msg"}
    assert search_ids(index, filt(tags=["work", "urgent"])) == {"fact"}, "tags: all must match"
    assert search_ids(index, filt(metadata={"source": "chat"})) == {"msg"}
    assert search_ids(index, filt(metadata={"source": "chat", "lang": "de"})) == set()


def test_time_range_superseded_expired_and_valid_at(index: VectorIndex) -> None:
    v = unit(1, 0, 0, 0)
    t0 = 1_700_000_000.0
    add(
        index,
        "t1",
        (memory(id="old", created_at=t0), v),
        (memory(id="new", created_at=t0 + 100), v),
        (memory(id="lived-in-paris", created_at=t0, valid_to=t0 + 50, superseded_by="x"), v),
        (memory(id="lives-in-rome", created_at=t0 + 50), v),
        (memory(id="expired", created_at=t0, expires_at=NOW - 1), v),
        (memory(id="expires-later", created_at=t0, expires_at=NOW + 1000), v),
    )
    assert search_ids(index, filt()) == {"old", "new", "lives-in-rome", "expires-later"}
    both = search_ids(index, filt(include_superseded=True))
    assert both == {"old", "new", "lived-in-paris", "lives-in-rome", "expires-later"}
    after = filt(created_after=_ts(t0 + 10))
    assert search_ids(index, after) == {"new", "lives-in-rome"}
    window = filt(created_after=_ts(t0 + 10), created_before=_ts(t0 + 100))
    assert search_ids(index, window) == {"lives-in-rome"}
    # What was true at t0 + 20: Paris (superseded since), not Rome (not yet asserted).
    assert search_ids(index, filt(valid_at=t0 + 20)) == {"old", "lived-in-paris", "expires-later"}


def test_counts_ids_and_persistence(index_factory: IndexFactory) -> None:
    index = index_factory()
    add(index, "t1", *[(memory(id=f"m{i}"), unit(1, i, 0, 0)) for i in range(25)])
    add(index, "t2", (memory(id="other"), unit(1, 0, 0, 0)))
    assert index.count("t1") == 25
    assert sorted(index.memory_ids("t1")) == sorted(f"m{i}" for i in range(25))
    reopened = index_factory()  # closes the first: one process per store
    assert reopened.count("t1") == 25
    assert reopened.versions("t2", ["other"]) == {"other": 1}
    assert search_ids(reopened, filt("t2")) == {"other"}


def _ts(seconds: float) -> object:
    from tests.search.factories import ts

    return ts(seconds)
