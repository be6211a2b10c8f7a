"""The spill step of a consolidation pass: the short-term window overflows into episodes.

A session's SHORT messages are its short-term window. Once it holds more than `capacity`
turns, the oldest spill out in whole chunks of `chunk` turns by session_seq: each chunk is
split by topic (tiers.spill), every topic becomes an EPISODE memory (MID, with its summary)
and the chunk's messages move to MID. Reading only the window keeps a pass's cost flat
however long the conversation gets.

Chunks are fixed by sequence numbers, so a retried job spills the same turns again, and
turns that an episode of their chunk already covers are not summarised twice: episodes are
created before the messages move, and a pass that dies in between is finished by the next.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from google.protobuf import timestamp_pb2
from memgrid.common.v1 import memory_pb2

from services.thought_engine import records
from services.thought_engine.conversation import Turn
from services.thought_engine.embedding import Embed
from services.thought_engine.llm_pipeline import CognitionPipeline, Outcome
from services.thought_engine.memory_store_client import MemoryStoreClient
from services.thought_engine.segmentation import SegmentationParams
from services.thought_engine.summarize import EpisodeSummary
from services.thought_engine.tiers import HeatParams, spill


@dataclass(frozen=True)
class WindowParams:
    capacity: int = 20
    """Turns a session's short-term window keeps."""
    chunk: int = 20
    """Turns that spill together; the window holds capacity .. capacity + chunk - 1."""

    def __post_init__(self) -> None:
        if self.capacity < 1 or self.chunk < 1:
            raise ValueError("the window capacity and the spill chunk are at least 1 turn")


@dataclass(frozen=True)
class EpisodeStepResult:
    spilled: int
    """Messages moved from SHORT to MID."""
    episode_ids: tuple[str, ...]
    """Episodes created by this pass."""
    summaries: tuple[Outcome[EpisodeSummary], ...]


class EpisodeStep:
    def __init__(
        self,
        store: MemoryStoreClient,
        pipeline: CognitionPipeline,
        embed: Embed,
        *,
        window: WindowParams,
        heat: HeatParams,
        segmentation: SegmentationParams,
        clock: Callable[[], datetime],
    ) -> None:
        self._store = store
        self._pipeline = pipeline
        self._embed = embed
        self._window = window
        self._heat = heat
        self._segmentation = segmentation
        self._clock = clock

    async def run(
        self,
        tenant_id: str,
        scope: memory_pb2.Scope,
        *,
        flush: bool,
        deadline: float | None,
    ) -> EpisodeStepResult:
        """Spills what overflows the window; `flush` spills everything but the last
        `capacity` turns, whole chunks or not (on-demand consolidation)."""
        window = await self._store.list_all(
            tenant_id,
            memory_pb2.MemoryFilter(
                user_id=scope.user_id,
                session_id=scope.session_id,
                kinds=[memory_pb2.MEMORY_KIND_MESSAGE],
                tiers=[memory_pb2.MEMORY_TIER_SHORT],
            ),
        )
        if not window:
            return EpisodeStepResult(0, (), ())
        window.sort(key=lambda m: m.session_seq)
        boundary = spill_boundary(window[-1].session_seq, self._window, flush=flush)
        spilled = [m for m in window if m.session_seq <= boundary]
        created: list[str] = []
        summaries: list[Outcome[EpisodeSummary]] = []
        for index, chunk in itertools.groupby(spilled, key=self._chunk_of):
            chunk_messages = list(chunk)
            ids, outcomes = await self._episodes(
                tenant_id, scope, f"{scope.session_id}#{index}", chunk_messages, deadline
            )
            created.extend(ids)
            summaries.extend(outcomes)
            await self._move_to_mid(tenant_id, chunk_messages)
        return EpisodeStepResult(len(spilled), tuple(created), tuple(summaries))

    def spill_due(self, first_seq: int, last_seq: int) -> bool:
        """Whether turns first_seq..last_seq, just appended, completed a chunk that must
        leave the window. Passes whose turns complete none skip reading the window; turns
        a failed pass left behind spill with the next chunk, or when its job is retried."""
        before = spill_boundary(first_seq - 1, self._window, flush=False)
        return spill_boundary(last_seq, self._window, flush=False) > before

    def _chunk_of(self, message: memory_pb2.Memory) -> int:
        return (message.session_seq - 1) // self._window.chunk

    async def _episodes(
        self,
        tenant_id: str,
        scope: memory_pb2.Scope,
        chunk_key: str,
        messages: Sequence[memory_pb2.Memory],
        deadline: float | None,
    ) -> tuple[list[str], list[Outcome[EpisodeSummary]]]:
        # An episode is created after the turns it covers, so only the session's newest
        # rows need looking at, however long the session is.
        since = min(m.created_at.ToMicroseconds() for m in messages) - 1
        existing = await self._store.list_all(
            tenant_id,
            memory_pb2.MemoryFilter(
                user_id=scope.user_id,
                session_id=scope.session_id,
                kinds=[memory_pb2.MEMORY_KIND_EPISODE],
                metadata={records.CHUNK: chunk_key},
                include_superseded=True,
                created_after=_timestamp_from_micros(since),
            ),
        )
        covered = {message_id for e in existing for message_id in e.source_message_ids}
        turns = [records.turn_of(m) for m in messages if m.id not in covered]
        if not turns:
            return [], []
        now = self._clock()
        result = spill(
            turns,
            (),
            self._embed,
            now,
            new_segment_id=segment_key,
            params=self._heat,
            segmentation=self._segmentation,
        )
        by_id = {turn.message_id: turn for turn in turns}
        new_memories = []
        outcomes = []
        for segment in result.segments:
            segment_turns = [by_id[i] for i in segment.message_ids]
            outcome = await self._pipeline.summarize(tenant_id, segment_turns, deadline=deadline)
            outcomes.append(outcome)
            new_memories.append(_episode(scope, chunk_key, segment.id, outcome, now))
        created = await self._store.create_memories(
            tenant_id,
            new_memories,
            idempotency_key=_idempotency_key([s.id for s in result.segments]),
        )
        return [memory.id for memory in created], outcomes

    async def _move_to_mid(self, tenant_id: str, messages: Sequence[memory_pb2.Memory]) -> None:
        update = memory_pb2.MemoryUpdate(tier=memory_pb2.MEMORY_TIER_MID)
        # One call (one transaction) per spill, not one per message.
        await self._store.update_memories(
            tenant_id, [(m.id, update, ["tier"], m.version) for m in messages]
        )


def spill_boundary(last_seq: int, window: WindowParams, *, flush: bool) -> int:
    """The highest session_seq that leaves the window (0: none)."""
    overflow = last_seq - window.capacity
    if overflow <= 0:
        return 0
    return overflow if flush else overflow // window.chunk * window.chunk


def segment_key(turns: Sequence[Turn]) -> str:
    """Names a topic segment by its turns, so the same turns always make the same episode."""
    digest = hashlib.sha256("|".join(t.message_id for t in turns).encode()).hexdigest()
    return f"seg_{digest[:24]}"


def _episode(
    scope: memory_pb2.Scope,
    chunk_key: str,
    segment_id: str,
    outcome: Outcome[EpisodeSummary],
    now: datetime,
) -> memory_pb2.NewMemory:
    summary = outcome.value
    return memory_pb2.NewMemory(
        scope=scope,
        kind=memory_pb2.MEMORY_KIND_EPISODE,
        tier=memory_pb2.MEMORY_TIER_MID,
        content=summary.text,
        source_message_ids=list(summary.source_message_ids),
        valid_from=records.to_timestamp(summary.started_at),
        metadata={
            records.CHUNK: chunk_key,
            records.SEGMENT: segment_id,
            records.KEYWORDS: records.clip(",".join(summary.keywords)),
            records.PATH: outcome.path.value,
            records.ENDED_AT: summary.ended_at.isoformat(),
            records.ACTIVE: "1",
            records.VISITS: "0",
            records.VISITS_SEEN: "0",
            records.LAST_ACCESS_AT: now.isoformat(),
        },
    )


def _idempotency_key(segment_ids: Sequence[str]) -> str:
    digest = hashlib.sha256("|".join(sorted(segment_ids)).encode()).hexdigest()[:40]
    return f"thought:episodes:{digest}"


def _timestamp_from_micros(micros: int) -> timestamp_pb2.Timestamp:
    stamp = timestamp_pb2.Timestamp()
    stamp.FromMicroseconds(micros)
    return stamp
