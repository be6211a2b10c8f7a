"""The pattern step: PATTERN memories from the user's recent sessions.

Runs when a session starts and on on-demand consolidation, over the user's messages of the
last `horizon` (at most `max_turns` of them, the latest). Each pattern has a stable key, so
a pattern found again updates its memory (description, support, evidence) instead of adding
one; two memories with one key (two replicas raced) are folded into the older one.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from memgrid.common.v1 import memory_pb2

from services.thought_engine import records
from services.thought_engine.entities import named_entities
from services.thought_engine.memory_store_client import MemoryStoreClient
from services.thought_engine.patterns import PatternCandidate, PatternParams, detect_patterns


@dataclass(frozen=True)
class PatternStepResult:
    created: int
    updated: int
    unchanged: int


class PatternStep:
    def __init__(
        self,
        store: MemoryStoreClient,
        params: PatternParams,
        *,
        horizon: timedelta,
        max_turns: int,
        clock: Callable[[], datetime],
    ) -> None:
        self._store = store
        self._params = params
        self._horizon = horizon
        self._max_turns = max_turns
        self._clock = clock

    async def run(self, tenant_id: str, scope: memory_pb2.Scope) -> PatternStepResult:
        now = self._clock()
        messages = await self._store.list_all(
            tenant_id,
            memory_pb2.MemoryFilter(
                user_id=scope.user_id,
                kinds=[memory_pb2.MEMORY_KIND_MESSAGE],
                created_after=records.to_timestamp(now - self._horizon),
            ),
        )
        turns = [records.turn_of(m) for m in messages[-self._max_turns :]]
        entities, _ = named_entities(turns)
        candidates = detect_patterns(turns, entities, self._params)
        stored = await self._store.list_all(
            tenant_id,
            memory_pb2.MemoryFilter(user_id=scope.user_id, kinds=[memory_pb2.MEMORY_KIND_PATTERN]),
        )
        by_key: dict[str, list[memory_pb2.Memory]] = defaultdict(list)
        for memory in stored:
            if records.PATTERN_KEY in memory.metadata:
                by_key[memory.metadata[records.PATTERN_KEY]].append(memory)
        for duplicates in by_key.values():
            await self._fold(tenant_id, duplicates, now)

        new = [c for c in candidates if c.key not in by_key]
        if new:
            await self._store.create_memories(
                tenant_id,
                [_new_pattern(scope, c) for c in new],
                idempotency_key=_idempotency_key(scope.user_id, new),
            )
        updated = 0
        for candidate in candidates:
            if candidate.key in by_key:
                updated += await self._refresh(tenant_id, by_key[candidate.key][0], candidate)
        return PatternStepResult(len(new), updated, len(candidates) - len(new) - updated)

    async def _refresh(
        self, tenant_id: str, memory: memory_pb2.Memory, candidate: PatternCandidate
    ) -> int:
        metadata = records.metadata_with(memory, _pattern_metadata(candidate))
        sources = _sources(candidate)
        if (
            memory.content == candidate.description
            and dict(memory.metadata) == metadata
            and list(memory.source_message_ids) == sources
        ):
            return 0
        await self._store.update_memory(
            tenant_id,
            memory.id,
            memory_pb2.MemoryUpdate(
                content=candidate.description, metadata=metadata, source_message_ids=sources
            ),
            ["content", "metadata", "source_message_ids"],
            expected_version=memory.version,
        )
        return 1

    async def _fold(
        self, tenant_id: str, duplicates: Sequence[memory_pb2.Memory], now: datetime
    ) -> None:
        keep, *extra = duplicates  # oldest first, as memory-store lists them
        for memory in extra:
            await self._store.update_memory(
                tenant_id,
                memory.id,
                memory_pb2.MemoryUpdate(valid_to=records.to_timestamp(now), superseded_by=keep.id),
                ["valid_to", "superseded_by"],
                expected_version=memory.version,
            )


def _pattern_metadata(candidate: PatternCandidate) -> dict[str, str]:
    return {
        records.PATTERN_KEY: candidate.key,
        records.PATTERN_KIND: candidate.kind.value,
        records.SUPPORT: str(candidate.support),
        records.CONFIDENCE: f"{candidate.confidence:.3f}",
        records.EVIDENCE: records.join_ids(candidate.evidence_message_ids),
    }


def _new_pattern(scope: memory_pb2.Scope, candidate: PatternCandidate) -> memory_pb2.NewMemory:
    return memory_pb2.NewMemory(
        scope=memory_pb2.Scope(user_id=scope.user_id, cube_id=scope.cube_id),
        kind=memory_pb2.MEMORY_KIND_PATTERN,
        # A habit or a recurring interest is long-term knowledge about the user.
        tier=memory_pb2.MEMORY_TIER_LONG,
        content=candidate.description,
        metadata=_pattern_metadata(candidate),
        source_message_ids=_sources(candidate),
    )


def _sources(candidate: PatternCandidate) -> list[str]:
    return list(candidate.evidence_message_ids[-records.MAX_SOURCE_IDS :])


def _idempotency_key(user_id: str, candidates: Sequence[PatternCandidate]) -> str:
    text = "|".join(
        sorted(f"{c.key}:{c.support}:{','.join(c.evidence_message_ids)}" for c in candidates)
    )
    digest = hashlib.sha256(f"{user_id}|{text}".encode()).hexdigest()[:40]
    return f"thought:patterns:{digest}"
