"""The HNSW maintenance build on a small real Qdrant Edge index: it builds a graph, swaps
it in without losing or changing what searches find, and refuses an index in use."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from memgrid_runtime.errors import FailedPrecondition

from services.search.hnsw import (
    BACKUP_SUFFIX,
    BUILDING_SUFFIX,
    build_hnsw,
    graph_segments,
    sibling,
)
from services.search.index.base import IndexFilter, IndexPoint, Match
from services.search.index.qdrant_edge_index import QdrantEdgeIndex
from services.search.sparse import SparseEncoder

TENANT = "t1"
DIM = 16
POINTS = 600
USERS = 12
# Small enough that even this index's segment (38 KB of vectors) gets a graph; without it
# Qdrant's 10 MB default leaves the segment plain and there is nothing to build.
THRESHOLD_KB = 1
REPO_ROOT = Path(__file__).resolve().parents[2]


def vectors() -> np.ndarray:
    matrix = np.random.default_rng(5).standard_normal((POINTS, DIM)).astype(np.float32)
    return matrix / np.linalg.norm(matrix, axis=1, keepdims=True)


@pytest.fixture
def index_dir(tmp_path: Path) -> Path:
    path = tmp_path / "search-index"
    index = QdrantEdgeIndex(path, DIM)
    encoder = SparseEncoder()
    index.upsert(
        [
            IndexPoint(
                tenant_id=TENANT,
                memory_id=f"m{i}",
                version=1,
                dense=vector.tolist(),
                sparse=encoder.encode_document(f"memory number {i}"),
                payload={
                    "tenant_id": TENANT,
                    "memory_id": f"m{i}",
                    "version": 1,
                    "user_id": f"u{i % USERS}",
                },
            )
            for i, vector in enumerate(vectors())
        ]
    )
    index.close()
    return path


def top_ids(index: QdrantEdgeIndex, query: np.ndarray, user_id: str | None) -> list[str]:
    must = (Match("user_id", user_id),) if user_id else ()
    hits = index.search_dense(IndexFilter(TENANT, must=must), query.tolist(), 10)
    return [hit.memory_id for hit in hits]


def test_build_swaps_in_a_graph_and_searches_find_the_same(index_dir: Path) -> None:
    queries = vectors()[:20]
    index = QdrantEdgeIndex(index_dir, DIM)
    filtered_before = [top_ids(index, q, f"u{i % USERS}") for i, q in enumerate(queries)]
    index.close()
    assert graph_segments(index_dir) == 0

    report = build_hnsw(index_dir, indexing_threshold_kb=THRESHOLD_KB)

    assert report.optimized
    assert report.points == POINTS
    assert report.graph_segments >= 1
    assert graph_segments(index_dir) == report.graph_segments
    assert not sibling(index_dir, BUILDING_SUFFIX).exists()
    assert not sibling(index_dir, BACKUP_SUFFIX).exists()
    index = QdrantEdgeIndex(index_dir, DIM)
    try:
        assert index.count(TENANT) == POINTS
        filtered_after = [top_ids(index, q, f"u{i % USERS}") for i, q in enumerate(queries)]
        tenant_wide = [top_ids(index, q, None) for q in queries]
    finally:
        index.close()
    # A filter matching 50 points is answered exactly, graph or not.
    assert filtered_after == filtered_before
    # Each query is a stored vector: the graph search must find that point first.
    assert [ids[0] for ids in tenant_wide] == [f"m{i}" for i in range(len(queries))]


def test_below_the_threshold_nothing_is_built_and_nothing_lost(index_dir: Path) -> None:
    report = build_hnsw(index_dir)

    assert not report.optimized
    assert report.graph_segments == 0
    index = QdrantEdgeIndex(index_dir, DIM)
    try:
        assert index.count(TENANT) == POINTS
    finally:
        index.close()


def test_keep_backup_keeps_the_original(index_dir: Path) -> None:
    build_hnsw(index_dir, keep_backup=True)

    backup = sibling(index_dir, BACKUP_SUFFIX)
    assert (backup / "edge_config.json").is_file()
    assert (index_dir / "edge_config.json").is_file()


def test_refuses_an_index_that_a_service_has_open(index_dir: Path) -> None:
    serving = QdrantEdgeIndex(index_dir, DIM)
    try:
        with pytest.raises(FailedPrecondition) as raised:
            build_hnsw(index_dir)
        assert raised.value.reason == "INDEX_IN_USE"
        assert not sibling(index_dir, BUILDING_SUFFIX).exists()
        assert serving.count(TENANT) == POINTS
    finally:
        serving.close()
    assert graph_segments(index_dir) == 0


def test_refuses_a_directory_that_is_not_an_index(tmp_path: Path) -> None:
    with pytest.raises(FailedPrecondition) as raised:
        build_hnsw(tmp_path)
    assert raised.value.reason == "NOT_AN_INDEX"


def test_finishes_a_swap_interrupted_between_its_renames(index_dir: Path) -> None:
    index_dir.rename(sibling(index_dir, BACKUP_SUFFIX))

    report = build_hnsw(index_dir)

    assert report.points == POINTS
    assert not sibling(index_dir, BACKUP_SUFFIX).exists()


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "services.search.hnsw", *args],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_cli_builds_and_reports(index_dir: Path) -> None:
    done = run_cli("--index-dir", str(index_dir), "--indexing-threshold-kb", str(THRESHOLD_KB))

    assert done.returncode == 0, done.stderr
    assert f"{POINTS:,} points" in done.stdout
    assert "with an HNSW graph" in done.stdout


def test_cli_fails_with_a_message_while_the_index_is_in_use(index_dir: Path) -> None:
    serving = QdrantEdgeIndex(index_dir, DIM)
    try:
        done = run_cli("--index-dir", str(index_dir))
    finally:
        serving.close()

    assert done.returncode == 1
    assert "Stop the search service" in done.stderr
