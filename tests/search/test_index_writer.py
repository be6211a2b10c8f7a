"""IndexWriter on the real embedder and a real Qdrant Edge index."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from services.search.embedding import OnnxEmbedder
from services.search.index import open_index
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
