"""IndexWriter on the real embedder and a real Qdrant Edge index."""

from __future__ import annotations

import asyncio
from pathlib import Path

import numpy as np
import pytest
from memgrid.common.v1 import memory_pb2

from services.search.embedding import OnnxEmbedder
from services.search.filters import build_index_filter
from services.search.index import VectorIndex, open_index
from services.search.index_writer import IndexWriter, Outcome
from services.search.sparse import SparseEncoder
from tests.search.embedders import CountingEmbedder
from tests.search.factories import memory


async def test_a_write_whose_caller_gives_up_still_lands_and_is_not_embedded_twice(
    onnx_embedder: OnnxEmbedder, tmp_path: Path
) -> None:
    index = open_index("qdrant-edge", dim=onnx_embedder.dim, path=tmp_path / "index")
    embedder = CountingEmbedder(onnx_embedder)
    writer = IndexWriter(embedder, index, SparseEncoder())
    memories = [memory(f"note {n} about the garden shed", id=f"m{n}") for n in range(3)]

    embedder.release.clear()
    caller = asyncio.create_task(writer.write("t1", memories))
    await embedder.started.wait()
    caller.cancel()  # e.g. the gateway's indexing deadline passed mid-embedding
    with pytest.raises(asyncio.CancelledError):
        await caller
    embedder.release.set()
    for _ in range(100):
        if index.versions("t1", [m.id for m in memories]) == {m.id: 1 for m in memories}:
            break
        await asyncio.sleep(0.05)
    assert index.versions("t1", [m.id for m in memories]) == {m.id: 1 for m in memories}

    # The outbox delivers the same versions later: nothing is embedded again.
    results = await writer.write("t1", memories)
    assert [r.outcome for r in results] == [Outcome.STALE] * 3
    assert sum(embedder.calls) == 3
    index.close()


async def test_a_new_version_with_the_same_text_keeps_its_vector_and_a_new_text_is_embedded(
    onnx_embedder: OnnxEmbedder, tmp_path: Path
) -> None:
    index = open_index("qdrant-edge", dim=onnx_embedder.dim, path=tmp_path / "index")
    embedder = CountingEmbedder(onnx_embedder)
    writer = IndexWriter(embedder, index, SparseEncoder())
    first = memory("my sister lives in Lyon", id="m1", tier=memory_pb2.MEMORY_TIER_SHORT)
    await writer.write("t1", [first])
    before = index.dense_vectors("t1", ["m1"])["m1"]

    # The thought engine moves the turn to the mid tier: a new version, the same text.
    moved = memory("my sister lives in Lyon", id="m1", version=2, tier=memory_pb2.MEMORY_TIER_MID)
    results = await writer.write("t1", [moved])
    assert [r.outcome for r in results] == [Outcome.INDEXED]
    assert sum(embedder.calls) == 1
    assert index.versions("t1", ["m1"]) == {"m1": 2}
    assert np.array_equal(index.dense_vectors("t1", ["m1"])["m1"], before)
    tier = build_index_filter(
        "t1", memory_pb2.MemoryFilter(user_id="u1", tiers=[memory_pb2.MEMORY_TIER_MID]), now=2e9
    )
    assert [c.memory_id for c in index.find(tier, 10)] == ["m1"]

    edited = memory("my sister lives in Lisbon now", id="m1", version=3)
    await writer.write("t1", [edited])
    assert sum(embedder.calls) == 2
    assert not np.array_equal(index.dense_vectors("t1", ["m1"])["m1"], before)
    index.close()


async def test_the_same_version_written_twice_at_once_is_embedded_once(
    onnx_embedder: OnnxEmbedder, tmp_path: Path
) -> None:
    index = open_index("qdrant-edge", dim=onnx_embedder.dim, path=tmp_path / "index")
    embedder = CountingEmbedder(onnx_embedder)
    writer = IndexWriter(embedder, index, SparseEncoder())
    memories = [memory(f"note {n} about the garden shed", id=f"m{n}") for n in range(3)]

    # The gateway's IndexMemories is still embedding when the outbox delivers the same
    # write (with one more memory of its batch).
    embedder.release.clear()
    gateway = asyncio.create_task(writer.write("t1", memories[:2]))
    await embedder.started.wait()
    outbox = asyncio.create_task(writer.write("t1", memories))
    await asyncio.sleep(0.05)
    embedder.release.set()
    from_gateway, from_outbox = await gateway, await outbox

    assert sorted(embedder.calls) == [1, 2]
    assert [r.outcome for r in from_gateway] == [Outcome.INDEXED] * 2
    assert [r.outcome for r in from_outbox] == [Outcome.STALE] * 2 + [Outcome.INDEXED]
    assert index.versions("t1", [m.id for m in memories]) == {m.id: 1 for m in memories}
    index.close()


class FlushCountingIndex:
    """The real index, counting the flushes asked of it."""

    def __init__(self, inner: VectorIndex) -> None:
        self.inner = inner
        self.flushes = 0

    def __getattr__(self, name: str) -> object:
        return getattr(self.inner, name)

    def flush(self) -> None:
        self.flushes += 1
        self.inner.flush()


async def test_the_index_is_flushed_after_writes_and_not_while_idle(
    onnx_embedder: OnnxEmbedder, tmp_path: Path
) -> None:
    index = FlushCountingIndex(
        open_index("qdrant-edge", dim=onnx_embedder.dim, path=tmp_path / "index")
    )
    writer = IndexWriter(onnx_embedder, index, SparseEncoder())  # type: ignore[arg-type]
    stop = asyncio.Event()
    flushing = asyncio.create_task(writer.flush_periodically(stop, 0.05))

    await asyncio.sleep(0.2)
    assert index.flushes == 0  # nothing written yet
    await writer.write("t1", [memory("my sister lives in Lyon", id="m1")])
    await asyncio.sleep(0.2)
    assert index.flushes == 1
    await writer.remove("t1", ["m1"])
    await asyncio.sleep(0.2)
    assert index.flushes == 2

    stop.set()
    await flushing
    index.inner.close()
    reopened = open_index("qdrant-edge", dim=onnx_embedder.dim, path=tmp_path / "index")
    assert reopened.count("t1") == 0
    reopened.close()
