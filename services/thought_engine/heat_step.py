"""The heat step of a consolidation pass: decay, promotion and eviction of MID episodes.

memory-store counts visits (RecordVisits, on every retrieval) but never decays anything;
this step folds the visits counted since the last pass into each active MID episode's
decayed visit count (tiers.record_visit), writes the heat back where it moved, promotes
episodes whose heat crossed the threshold to LONG (with the facts said in them), and
retires the coldest beyond the mid tier's capacity from the active set. Retired episodes
stay stored: they only stop being candidates, which keeps this step's cost bounded.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from memgrid.common.v1 import memory_pb2

from services.thought_engine import records
from services.thought_engine.memory_store_client import MemoryStoreClient
from services.thought_engine.tiers import (
    HeatParams,
    MidSegment,
    evictions,
    heat,
    promotions,
    record_visit,
)

# Heat is written back when it moved by more than this share: decay alone changes it a
# little on every pass, and each write is a new version that search re-indexes.
_HEAT_WRITE_CHANGE = 0.1
_NO_CENTROID = np.zeros(1, dtype=np.float32)


@dataclass(frozen=True)
class HeatStepResult:
    updated: int
    promoted: tuple[str, ...]
    promoted_facts: int
    retired: tuple[str, ...]


class HeatStep:
    def __init__(
        self,
        store: MemoryStoreClient,
        params: HeatParams,
        *,
        mid_capacity: int,
        clock: Callable[[], datetime],
    ) -> None:
        self._store = store
        self._params = params
        self._capacity = mid_capacity
        self._clock = clock

    async def run(self, tenant_id: str, user_id: str) -> HeatStepResult:
        episodes = await self._store.list_all(
            tenant_id,
            memory_pb2.MemoryFilter(
                user_id=user_id,
                kinds=[memory_pb2.MEMORY_KIND_EPISODE],
                tiers=[memory_pb2.MEMORY_TIER_MID],
                metadata={records.ACTIVE: "1"},
            ),
        )
        now = self._clock()
        segments = {e.id: segment_state(e, now, self._params) for e in episodes}
        promoted = {
            p.segment_id: p.reason for p in promotions(list(segments.values()), now, self._params)
        }
        staying = [s for s in segments.values() if s.id not in promoted]
        retired = set(evictions(staying, self._capacity, now, self._params))
        writes = []
        for episode in episodes:
            changes = self._changes(episode, segments[episode.id], now, promoted, retired)
            if changes is not None:
                update, paths = changes
                writes.append((episode.id, update, paths, episode.version))
        # One call for the pass's episodes, not one per episode.
        if writes:
            await self._store.update_memories(tenant_id, writes)
        updated = len(writes)
        promoted_facts = 0
        for episode in episodes:
            if episode.id in promoted:
                promoted_facts += await self._promote_facts(tenant_id, user_id, episode)
        return HeatStepResult(updated, tuple(promoted), promoted_facts, tuple(sorted(retired)))

    def _changes(
        self,
        episode: memory_pb2.Memory,
        segment: MidSegment,
        now: datetime,
        promoted: dict[str, str],
        retired: set[str],
    ) -> tuple[memory_pb2.MemoryUpdate, list[str]] | None:
        value = heat(segment, now, self._params)
        absorbed = episode.visit_count != int(episode.metadata.get(records.VISITS_SEEN, "0"))
        moved = abs(value - episode.heat) > _HEAT_WRITE_CHANGE * max(episode.heat, 1e-6)
        if not (absorbed or moved or episode.id in promoted or episode.id in retired):
            return None
        metadata = {
            records.VISITS: f"{segment.visits:.4f}",
            records.VISITS_SEEN: str(episode.visit_count),
            records.LAST_ACCESS_AT: segment.last_access_at.isoformat(),
        }
        update = memory_pb2.MemoryUpdate(heat=round(value, 4))
        paths = ["heat", "metadata"]
        if episode.id in promoted:
            metadata[records.PROMOTED] = records.clip(promoted[episode.id])
            metadata[records.ACTIVE] = "0"
            update.tier = memory_pb2.MEMORY_TIER_LONG
            paths.append("tier")
        elif episode.id in retired:
            metadata[records.ACTIVE] = "0"
        update.metadata.update(records.metadata_with(episode, metadata))
        return update, paths

    async def _promote_facts(self, tenant_id: str, user_id: str, episode: memory_pb2.Memory) -> int:
        """Facts said in a promoted episode are long-term knowledge now, like its summary."""
        said = set(episode.source_message_ids)
        facts = await self._store.list_all(
            tenant_id,
            memory_pb2.MemoryFilter(
                user_id=user_id,
                kinds=[memory_pb2.MEMORY_KIND_FACT],
                tiers=[memory_pb2.MEMORY_TIER_MID],
            ),
        )
        moved = 0
        for fact in facts:
            sources = records.split_ids(fact.metadata.get(records.SOURCES, ""))
            if said.intersection(sources or fact.source_message_ids):
                await self._store.update_memory(
                    tenant_id,
                    fact.id,
                    memory_pb2.MemoryUpdate(tier=memory_pb2.MEMORY_TIER_LONG),
                    ["tier"],
                    expected_version=fact.version,
                )
                moved += 1
        return moved


def segment_state(episode: memory_pb2.Memory, now: datetime, params: HeatParams) -> MidSegment:
    """The episode as a mid-term segment, with the visits counted since the last pass."""
    metadata = episode.metadata
    last_access = (
        datetime.fromisoformat(metadata[records.LAST_ACCESS_AT])
        if records.LAST_ACCESS_AT in metadata
        else records.from_timestamp(episode.created_at)
    )
    segment = MidSegment(
        id=episode.id,
        message_ids=tuple(episode.source_message_ids),
        centroid=_NO_CENTROID,
        last_access_at=last_access,
        visits=float(metadata.get(records.VISITS, "0")),
    )
    new_visits = episode.visit_count - int(metadata.get(records.VISITS_SEEN, "0"))
    if new_visits > 0:
        visited_at = (
            records.from_timestamp(episode.last_visited_at)
            if episode.HasField("last_visited_at")
            else now
        )
        # memory-store keeps only the last visit's time: the new ones count from then.
        for _ in range(new_visits):
            segment = record_visit(segment, max(visited_at, segment.last_access_at), params)
    return segment
