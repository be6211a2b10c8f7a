"""The pieces of graph expansion: which names a query offers the graph, how the graph's
ranking fuses with the search's, and that graph hits obey the search's filter."""

from __future__ import annotations

from google.protobuf.timestamp_pb2 import Timestamp
from memgrid.common.v1 import memory_pb2 as common

from gateway.graph_expansion import GraphHit, candidate_names, fuse, matches_filter


def _ts(seconds: int) -> Timestamp:
    return Timestamp(seconds=seconds)


NOW = _ts(1_000_000)


def _memory(**fields) -> common.Memory:
    memory = common.Memory(
        id="m",
        scope=common.Scope(user_id="ana"),
        kind=common.MEMORY_KIND_FACT,
        tier=common.MEMORY_TIER_MID,
        created_at=_ts(500_000),
        valid_from=_ts(500_000),
    )
    for name, value in fields.items():
        if isinstance(value, common.Scope | Timestamp):
            getattr(memory, name).CopyFrom(value)
        elif name in ("tags",):
            memory.tags.extend(value)
        elif name == "metadata":
            memory.metadata.update(value)
        else:
            setattr(memory, name, value)
    return memory


def test_candidates_put_capitalised_names_first_and_drop_stopwords():
    names = candidate_names("What did the colleague of my sister Clara at New York Times suggest?")
    assert names[:2] == ["Clara", "New York Times"]
    assert "sister" in names and "colleague" in names
    assert not {"What", "did", "the", "my", "of", "at"} & set(names)
    assert len(names) <= 12


def test_candidates_are_unique_regardless_of_case():
    assert candidate_names("Paris paris PARIS") == ["Paris"]


def test_fusion_ranks_agreement_first_and_graph_only_hits_below_text_hits():
    fused = fuse(["a", "b", "c"], [GraphHit("d", 1, 0.9), GraphHit("c", 2, 0.5)], k=4)
    ranked = [memory_id for memory_id, _ in fused]
    # c, found by both, comes first; d, found only by the graph (and at half weight),
    # comes after every text hit.
    assert ranked == ["c", "a", "b", "d"]
    assert [score for _, score in fused] == sorted((score for _, score in fused), reverse=True)
    assert [memory_id for memory_id, _ in fuse(["a"], [GraphHit("b", 1, 1.0)], k=1)] == ["a"]


def test_filter_keeps_users_apart():
    assert matches_filter(_memory(), common.MemoryFilter(user_id="ana"), now=NOW)
    assert not matches_filter(_memory(), common.MemoryFilter(user_id="bob"), now=NOW)


def test_filter_with_cubes_matches_by_cube_whoever_wrote():
    in_cube = _memory(scope=common.Scope(user_id="owner", cube_id="recipes"))
    reader = common.MemoryFilter(user_id="reader", cube_ids=["recipes"])
    assert matches_filter(in_cube, reader, now=NOW)
    assert not matches_filter(_memory(), reader, now=NOW)


def test_filter_on_kind_tier_tags_metadata_and_time():
    memory = _memory(tags=["home", "city"], metadata={"source": "chat"})
    assert matches_filter(memory, common.MemoryFilter(tags=["home"]), now=NOW)
    assert not matches_filter(memory, common.MemoryFilter(tags=["home", "work"]), now=NOW)
    assert not matches_filter(
        memory, common.MemoryFilter(kinds=[common.MEMORY_KIND_EPISODE]), now=NOW
    )
    assert not matches_filter(memory, common.MemoryFilter(tiers=[common.MEMORY_TIER_LONG]), now=NOW)
    assert not matches_filter(memory, common.MemoryFilter(metadata={"source": "mail"}), now=NOW)
    assert matches_filter(memory, common.MemoryFilter(created_after=_ts(400_000)), now=NOW)
    assert not matches_filter(memory, common.MemoryFilter(created_before=_ts(500_000)), now=NOW)


def test_superseded_memories_only_when_asked_or_valid_then():
    old = _memory(valid_to=_ts(900_000), superseded_by="newer")
    assert not matches_filter(old, common.MemoryFilter(), now=NOW)
    assert matches_filter(old, common.MemoryFilter(include_superseded=True), now=NOW)
    assert matches_filter(old, common.MemoryFilter(), now=NOW, valid_at=_ts(600_000))
    assert not matches_filter(old, common.MemoryFilter(), now=NOW, valid_at=_ts(950_000))
    assert not matches_filter(old, common.MemoryFilter(), now=NOW, valid_at=_ts(100_000))
