"""Writes memories into the index, idempotently by (id, version)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import Enum

import numpy as np
from memgrid.common.v1 import memory_pb2

from services.search.documents import build_points, key_hash, key_text
from services.search.embedding import Embedder
from services.search.index.base import VectorIndex
from services.search.sparse import SparseEncoder

log = logging.getLogger(__name__)


class Outcome(Enum):
    INDEXED = "indexed"
    STALE = "stale"


@dataclass(frozen=True)
class WriteResult:
    memory_id: str
    outcome: Outcome
    indexed_version: int


class IndexWriter:
    def __init__(self, embedder: Embedder, index: VectorIndex, sparse: SparseEncoder) -> None:
        self._embedder = embedder
        self._index = index
        self._sparse = sparse
        # Version check and upsert must not interleave with another writer's, or an older
        # version could overwrite a newer one. Embedding (the slow part) stays outside.
        self._lock = asyncio.Lock()
        self._written_since_flush = False
        # Memory versions being embedded now, by (tenant, id, version): a second write of
        # the same version waits for that vector instead of running the model again.
        self._embedding: dict[tuple[str, str, int], asyncio.Future[np.ndarray]] = {}
        # Writes whose caller gave up, still running to the end (see write()).
        self._abandoned: set[asyncio.Task[list[WriteResult]]] = set()

    @property
    def index(self) -> VectorIndex:
        return self._index

    async def flush_periodically(self, stop: asyncio.Event, interval_seconds: float) -> None:
        """Flushes the index every interval in which something was written, until stop.

        Qdrant Edge logs every write to its WAL and drops the log only up to a flush; it
        never flushes by itself. Unflushed, the log grew by every upsert for as long as the
        service ran (90 MB for 40,000 points, mapped into the process, so its RSS grew with
        it), and a restart after a crash replayed all of it (4.0 s for those 40,000 points
        against 0.3 s flushed; the longer the uptime, the longer the replay).
        """
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), interval_seconds)
            if self._written_since_flush:
                self._written_since_flush = False
                try:
                    await asyncio.to_thread(self._index.flush)
                except Exception:
                    self._written_since_flush = True
                    log.exception("flushing the index failed; retrying at the next interval")

    async def write(
        self, tenant_id: str, memories: Sequence[memory_pb2.Memory], *, force: bool = False
    ) -> list[WriteResult]:
        """Indexes each memory unless the index already has its version or a newer one.

        force re-embeds regardless (a rebuild, e.g. after changing the model).

        A write runs to the end even when its caller gives up, e.g. the gateway's indexing
        budget on AddMemories runs out: embedding is the expensive part, and a write dropped
        after it would be embedded again when the outbox delivers the same memories. Run to
        the end, it leaves their versions in the index and the outbox's job finds nothing
        left to do.
        """
        if not memories:
            return []
        task = asyncio.create_task(self._write(tenant_id, memories, force=force))
        try:
            return await asyncio.shield(task)
        except asyncio.CancelledError:
            if not task.done():
                self._abandoned.add(task)
                task.add_done_callback(self._abandoned_done)
            raise

    def _abandoned_done(self, task: asyncio.Task[list[WriteResult]]) -> None:
        self._abandoned.discard(task)
        if not task.cancelled() and (error := task.exception()) is not None:
            # Nobody awaits it any more; the outbox retries these memories.
            log.warning("index write finished after its caller left, and failed: %r", error)

    async def _write(
        self, tenant_id: str, memories: Sequence[memory_pb2.Memory], *, force: bool
    ) -> list[WriteResult]:
        ids = [m.id for m in memories]
        known = {} if force else await asyncio.to_thread(self._index.versions, tenant_id, ids)
        fresh = [m for m in memories if m.version > known.get(m.id, 0)]
        vectors = await self._vectors(tenant_id, fresh, known, force=force) if fresh else {}
        async with self._lock:
            if not force:
                known = await asyncio.to_thread(self._index.versions, tenant_id, ids)
            to_write = [m for m in fresh if force or m.version > known.get(m.id, 0)]
            if to_write:
                dense = np.stack([vectors[(m.id, m.version)] for m in to_write])
                points = build_points(tenant_id, to_write, dense, self._sparse)
                await asyncio.to_thread(self._index.upsert, points)
                self._written_since_flush = True
        written = {m.id: m.version for m in to_write}
        return [
            WriteResult(m.id, Outcome.INDEXED, m.version)
            if m.id in written
            else WriteResult(m.id, Outcome.STALE, known.get(m.id, m.version))
            for m in memories
        ]

    async def _vectors(
        self,
        tenant_id: str,
        memories: Sequence[memory_pb2.Memory],
        known: Mapping[str, int],
        *,
        force: bool,
    ) -> dict[tuple[str, int], np.ndarray]:
        """The dense vector of each memory version, running the model only for those that
        need it. Under load the same version arrives twice at once (the gateway's
        IndexMemories that gave up, and then the outbox's job for the same write), and the
        thought engine bumps versions without touching the text (tiers): both used to be
        embedded again, which is what made a busy search service fall further behind."""
        vectors: dict[tuple[str, int], np.ndarray] = {}
        if not force:
            indexed = {m.id: key_hash(m) for m in memories if m.id in known}
            reused = await asyncio.to_thread(self._index.reusable_vectors, tenant_id, indexed)
            vectors.update({(m.id, m.version): reused[m.id] for m in memories if m.id in reused})
        waiting: dict[tuple[str, int], asyncio.Future[np.ndarray]] = {}
        mine: dict[tuple[str, int], asyncio.Future[np.ndarray]] = {}
        to_embed: list[memory_pb2.Memory] = []
        for m in memories:
            key = (m.id, m.version)
            if key in vectors or key in mine:
                continue
            flight = (tenant_id, *key)
            if not force and flight in self._embedding:
                waiting[key] = self._embedding[flight]
                continue
            future = asyncio.get_running_loop().create_future()
            mine[key] = future
            to_embed.append(m)
            if not force:
                self._embedding[flight] = future
        try:
            if to_embed:
                dense = await self._embedder.embed([key_text(m) for m in to_embed])
                for m, vector in zip(to_embed, dense, strict=True):
                    mine[(m.id, m.version)].set_result(vector)
        except BaseException as error:
            for future in mine.values():
                if future.done():
                    continue
                if isinstance(error, asyncio.CancelledError):
                    future.cancel()
                else:
                    future.set_exception(error)
                    # Marked as read: no other writer may be waiting for it.
                    future.exception()
            raise
        finally:
            for m in to_embed:
                if self._embedding.get((tenant_id, m.id, m.version)) is mine[(m.id, m.version)]:
                    del self._embedding[(tenant_id, m.id, m.version)]
        vectors.update({key: future.result() for key, future in mine.items()})
        for key, future in waiting.items():
            vectors[key] = await asyncio.shield(future)
        return vectors

    async def remove(self, tenant_id: str, memory_ids: Sequence[str]) -> int:
        """Removes the memories; returns how many were indexed."""
        if not memory_ids:
            return 0
        async with self._lock:
            present = await asyncio.to_thread(self._index.versions, tenant_id, memory_ids)
            await asyncio.to_thread(self._index.delete, tenant_id, list(memory_ids))
            self._written_since_flush = True
        return len(present)
