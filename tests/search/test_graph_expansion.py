"""Graph expansion in the search service: which names a query offers the graph, and how
the graph's memories join the ranking (under the caller's filter, at the graph's weight)."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import grpc
import pytest
from memgrid.common.v1 import graph_pb2, memory_pb2
from memgrid.graph.v1 import request_response_pb2 as grr
from memgrid.graph.v1 import service_pb2_grpc
from memgrid_runtime.channels import connect
from memgrid_suite.launcher import free_port

from services.graph.store.cypher_store import CypherGraphStore
from services.graph.store.falkordb import FalkorDBBackend
from services.graph.store.falkordb_process import FalkorDBProcess
from services.search.documents import build_points
from services.search.embedding import OnnxEmbedder
from services.search.filters import build_index_filter
from services.search.graph_expansion import GraphExpander, UnknownNames, candidate_names
from services.search.index import open_index
from services.search.retrieval import HybridRetriever
from services.search.sparse import SparseEncoder
from tests.graph.conftest import serve_graph, short_temp_dir
from tests.search.factories import memory

NOW = 1_700_000_000.0


def test_candidates_put_capitalised_names_first_and_drop_stopwords():
    names = candidate_names("What did the colleague of my sister Clara at New York Times suggest?")
    assert names[:2] == ["Clara", "New York Times"]
    assert "sister" in names and "colleague" in names
    assert not {"What", "did", "the", "my", "of", "at"} & set(names)
    assert len(names) <= 12


def test_candidates_are_unique_regardless_of_case():
    assert candidate_names("Paris paris PARIS") == ["Paris"]


@pytest.fixture
async def graph_channel() -> AsyncIterator[grpc.aio.Channel]:
    """A real GraphService on FalkorDB, seeded: user u1's Ottoline is mentioned by memory
    "book", user u2's Ottoline by memory "other-user"."""
    data_dir = short_temp_dir("mg-search-graph-")
    process = FalkorDBProcess(data_dir)
    process.start()
    backend = FalkorDBBackend.connect(str(process.socket_path), "expansion")
    await backend.ensure_schema()
    store = CypherGraphStore(backend)
    server = await serve_graph(store)
    channel = connect(server.address, default_timeout=20.0)
    for user, memory_id in (("u1", "book"), ("u2", "other-user")):
        await service_pb2_grpc.GraphServiceStub(channel).Upsert(
            grr.UpsertRequest(
                tenant_id="t1",
                user_id=user,
                entities=[graph_pb2.Entity(name="Ottoline", type="person")],
                mentions=[graph_pb2.Mention(memory_id=memory_id, entity="Ottoline")],
            )
        )
    yield channel
    await channel.close(None)
    await server.stop(0)
    await store.close()
    process.stop()
    shutil.rmtree(data_dir, ignore_errors=True)


async def test_graph_memories_join_the_ranking_under_the_callers_filter(
    onnx_embedder: OnnxEmbedder, tmp_path: Path, graph_channel: grpc.aio.Channel
) -> None:
    index = open_index("qdrant-edge", dim=384, path=tmp_path / "edge")
    memories = [
        memory("She recommended the book Dune to me.", id="book"),
        memory("Ottoline once lived in Paris.", id="other-user", user_id="u2"),
        *(memory(f"a note about errand {i}", id=f"n{i}") for i in range(20)),
    ]
    dense = await onnx_embedder.embed([m.content for m in memories])
    index.upsert(build_points("t1", memories, dense, SparseEncoder()))
    retriever = HybridRetriever(
        onnx_embedder, index, SparseEncoder(), graph=GraphExpander(graph_channel)
    )
    flt = build_index_filter("t1", memory_pb2.MemoryFilter(user_id="u1"), now=NOW)
    hits, degraded = await retriever.search_with_status(
        flt, "What did Ottoline suggest?", 5, graph_user_id="u1"
    )
    assert degraded == []
    by_id = {hit.memory_id: hit for hit in hits}
    # The turn shares no word with the query; the graph links it through "Ottoline".
    assert hits[0].memory_id == "book"
    assert (by_id["book"].graph_rank, by_id["book"].graph_hops) == (1, 1)
    # u2's Ottoline is in u2's graph only.
    assert "other-user" not in by_id
    assert by_id["book"].graph_rank == 1 and all(
        hit.graph_rank == 0 for hit in hits if hit.memory_id != "book"
    )
    index.close()


async def test_a_graph_that_cannot_answer_degrades_the_search(
    onnx_embedder: OnnxEmbedder, tmp_path: Path
) -> None:
    index = open_index("qdrant-edge", dim=384, path=tmp_path / "edge")
    notes = [memory("Notes about Pemberton and the garden", id="p")]
    index.upsert(
        build_points("t1", notes, await onnx_embedder.embed([notes[0].content]), SparseEncoder())
    )
    # Nothing listens on this port: the graph is down.
    channel = connect(f"127.0.0.1:{free_port()}", default_timeout=2.0)
    retriever = HybridRetriever(onnx_embedder, index, SparseEncoder(), graph=GraphExpander(channel))
    flt = build_index_filter("t1", memory_pb2.MemoryFilter(user_id="u1"), now=NOW)
    hits, degraded = await retriever.search_with_status(
        flt, "Pemberton garden", 5, graph_user_id="u1"
    )
    assert degraded == ["graph"] and [hit.memory_id for hit in hits] == ["p"]
    await channel.close(None)
    index.close()


async def test_names_the_graph_does_not_know_are_not_asked_about_again(
    graph_channel: grpc.aio.Channel,
) -> None:
    """A query naming nothing the graph knows costs one graph call, not one per search,
    until the remembered answer is older than its TTL; each user's answers are their own."""
    now = [0.0]
    expander = GraphExpander(graph_channel, UnknownNames(ttl_seconds=30, clock=lambda: now[0]))
    asked: list[list[str]] = []
    real_call = expander._stub.RelatedMemories

    def counting(request: grr.RelatedMemoriesRequest, **kwargs: object) -> object:
        asked.append(list(request.entities))
        return real_call(request, **kwargs)

    expander._stub.RelatedMemories = counting  # type: ignore[method-assign]

    first = await expander.related("t1", "u1", "Ottoline and Zebulon", 10)
    assert [c.memory_id for c in first] == ["book"]
    assert await expander.related("t1", "u1", "zebulon", 10) == []
    assert len(asked) == 1, "an unknown name alone asks the graph nothing"
    # A known name is still asked about, without the unknown one.
    assert [c.memory_id for c in await expander.related("t1", "u1", "Zebulon Ottoline", 10)] == [
        "book"
    ]
    assert "Ottoline" in asked[-1] and "Zebulon" not in asked[-1]
    # Another user's graph may know the name: their search asks.
    await expander.related("t1", "u2", "Zebulon", 10)
    assert asked[-1] == ["Zebulon"]
    # Past the TTL the graph is asked again (it may have learnt the name since).
    now[0] = 31.0
    await expander.related("t1", "u1", "Zebulon", 10)
    assert asked[-1] == ["Zebulon"]
