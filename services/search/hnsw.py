"""`python -m services.search.hnsw --index-dir DIR`: builds the HNSW graph of a Qdrant Edge
index directory while the search service that owns it is stopped.

Why a maintenance step and not a background thread: Qdrant Edge's optimize() holds the GIL
for its whole run (6 s at 30k points, about a minute at 100k), and a gRPC server in that
process stops answering meanwhile. Nor is the graph needed for what memgrid serves: every
search is filtered by tenant and user, and the keyword payload indexes answer those in well
under a millisecond by scanning only the user's points (perf/search_bench.py measures
filtered and tenant-wide searches before and after this build). HNSW pays off only for
broad, tenant-wide searches.

How it stays safe:
- It opens the shard first. Qdrant Edge locks a shard's WAL for one process, so this fails
  while a search service is running on DIR, and the lock it then holds keeps a service from
  starting on DIR (and writing what the swap would throw away) until the build is done.
- It builds on a copy (DIR.hnsw-building) and swaps it in only once optimize() succeeded:
  a crash or Ctrl-C during the build leaves DIR as it was.
- The swap is two renames, DIR -> DIR.pre-hnsw and the copy -> DIR; the next run finishes
  one that was interrupted between them by restoring DIR.pre-hnsw.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import qdrant_edge as qe
from memgrid_runtime.errors import FailedPrecondition

from services.search.index.base import DENSE, SPARSE

BUILDING_SUFFIX = ".hnsw-building"
BACKUP_SUFFIX = ".pre-hnsw"
# Qdrant Edge writes this file into every shard directory it creates.
SHARD_MARKER = "edge_config.json"


@dataclass(frozen=True)
class HnswBuildReport:
    index_dir: Path
    points: int
    segments_before: int
    segments_after: int
    # Segments whose dense vectors now have an HNSW graph.
    graph_segments: int
    # False when optimize() found nothing to do (e.g. every segment below the threshold).
    optimized: bool
    copy_seconds: float
    build_seconds: float

    def summary(self) -> str:
        return (
            f"{self.index_dir}: {self.points:,} points; segments {self.segments_before} -> "
            f"{self.segments_after}, {self.graph_segments} with an HNSW graph; "
            f"copy {self.copy_seconds:.1f} s, build {self.build_seconds:.1f} s"
            + ("" if self.optimized else " (nothing to optimize)")
        )


def sibling(index_dir: Path, suffix: str) -> Path:
    return index_dir.with_name(index_dir.name + suffix)


def graph_segments(index_dir: Path) -> int:
    """Segments with a dense HNSW graph on disk. Reads Qdrant's directory layout, which
    ShardInfo does not expose (its indexed_vectors_count also counts plain segments)."""
    return sum(1 for _ in index_dir.glob(f"segments/*/vector_index-{DENSE}/graph.bin"))


def restore_interrupted_swap(index_dir: Path) -> bool:
    """Puts DIR.pre-hnsw back when a previous run stopped between its two renames."""
    backup = sibling(index_dir, BACKUP_SUFFIX)
    if index_dir.exists() or not backup.exists():
        return False
    backup.rename(index_dir)
    return True


def _open_exclusively(index_dir: Path) -> qe.EdgeShard:
    if not (index_dir / SHARD_MARKER).is_file():
        raise FailedPrecondition(
            f"{index_dir} is not a Qdrant Edge index directory (no {SHARD_MARKER})",
            reason="NOT_AN_INDEX",
        )
    try:
        return qe.EdgeShard.load(str(index_dir))
    except Exception as error:  # the engine reports a held WAL lock this way
        raise FailedPrecondition(
            f"cannot open {index_dir}: {error}. Stop the search service that uses it first",
            reason="INDEX_IN_USE",
        ) from error


def _build_config(indexing_threshold_kb: int | None) -> qe.EdgeConfig | None:
    if indexing_threshold_kb is None:
        return None
    # The engine wants a vector section in any config; the sparse one is restated as the
    # index created it, and everything left out keeps its persisted value.
    return qe.EdgeConfig(
        sparse_vectors={SPARSE: qe.EdgeSparseVectorParams(modifier=qe.Modifier.Idf)},
        optimizers=qe.EdgeOptimizersConfig(indexing_threshold=indexing_threshold_kb),
    )


def build_hnsw(
    index_dir: Path, *, indexing_threshold_kb: int | None = None, keep_backup: bool = False
) -> HnswBuildReport:
    """Optimizes a copy of the stopped index at index_dir and swaps it in.

    indexing_threshold_kb: segments with at least this much dense vector data get a graph
    (Qdrant's default, 10 MB, is about 6,500 MiniLM vectors); it is persisted in the index.
    keep_backup keeps the original as DIR.pre-hnsw instead of deleting it.
    Raises FailedPrecondition when DIR is not an index or a process has it open."""
    index_dir = index_dir.resolve()
    restore_interrupted_swap(index_dir)
    building = sibling(index_dir, BUILDING_SUFFIX)
    backup = sibling(index_dir, BACKUP_SUFFIX)
    original = _open_exclusively(index_dir)
    try:
        if backup.exists():
            raise FailedPrecondition(
                f"{backup} exists from an earlier run: remove it or move it away first",
                reason="BACKUP_EXISTS",
            )
        original.flush()
        before = original.info()
        shutil.rmtree(building, ignore_errors=True)
        started = time.perf_counter()
        # The WAL lock file is copied as a plain file: a lock is not copied with it.
        shutil.copytree(index_dir, building)
        copied = time.perf_counter()
        try:
            shard = qe.EdgeShard.load(str(building), _build_config(indexing_threshold_kb))
            optimized = shard.optimize()
            shard.flush()
            after = shard.info()
            shard.close()
        except BaseException:
            shutil.rmtree(building, ignore_errors=True)
            raise
        built = time.perf_counter()
        index_dir.rename(backup)
        building.rename(index_dir)
    finally:
        original.close()
    if not keep_backup:
        shutil.rmtree(backup)
    return HnswBuildReport(
        index_dir=index_dir,
        points=after.points_count,
        segments_before=before.segments_count,
        segments_after=after.segments_count,
        graph_segments=graph_segments(index_dir),
        optimized=optimized,
        copy_seconds=copied - started,
        build_seconds=built - copied,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m services.search.hnsw",
        description="Build the HNSW graph of a stopped search service's Qdrant Edge index.",
    )
    parser.add_argument(
        "--index-dir",
        type=Path,
        required=True,
        help="the service's MEMGRID_SEARCH_INDEX_PATH; the service must be stopped",
    )
    parser.add_argument(
        "--indexing-threshold-kb",
        type=int,
        help="give segments with at least this much dense vector data a graph "
        "(default: the index's setting, else Qdrant's 10 MB)",
    )
    parser.add_argument(
        "--keep-backup", action="store_true", help="keep the original as DIR.pre-hnsw"
    )
    args = parser.parse_args(argv)
    if args.indexing_threshold_kb is not None and args.indexing_threshold_kb < 1:
        parser.error("--indexing-threshold-kb must be at least 1")
    try:
        report = build_hnsw(
            args.index_dir,
            indexing_threshold_kb=args.indexing_threshold_kb,
            keep_backup=args.keep_backup,
        )
    except FailedPrecondition as error:
        print(f"hnsw: {error.message}", file=sys.stderr)
        return 1
    print(report.summary())
    return 0


if __name__ == "__main__":
    sys.exit(main())
