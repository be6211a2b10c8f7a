"""The facts step of a consolidation pass: extract, reconcile with what is stored, write back.

Only the stored facts that new ones can collide with are read (by subject and attribute,
history included), so the cost follows what was said, not how much is stored. Writes are
ordered so that a crash anywhere leaves a state the next attempt finishes: new facts are
created first (a retry finds them and reconciles to SKIP), then old facts are ended, and a
supersession left half done is repaired before reconciling (fact_repair).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from memgrid.common.v1 import memory_pb2

from services.thought_engine import records
from services.thought_engine.conversation import Turn
from services.thought_engine.fact_repair import repairs
from services.thought_engine.facts import Fact
from services.thought_engine.llm_pipeline import CognitionPath, CognitionPipeline
from services.thought_engine.memory_store_client import MemoryStoreClient
from services.thought_engine.reconcile import Action, Decision, StoredFact, reconcile

_FACT_KINDS = [memory_pb2.MEMORY_KIND_FACT, memory_pb2.MEMORY_KIND_PROFILE]


@dataclass(frozen=True)
class FactStepResult:
    decisions: tuple[Decision, ...]
    """In the order the facts were said; ids are memory ids."""
    repaired: int
    path: CognitionPath
    path_reason: str
    degraded: bool
    facts: tuple[StoredFact, ...]
    """Every stored fact of the reconciled subjects and attributes afterwards, history
    included: what the graph's relations are derived from."""


class FactStep:
    def __init__(self, store: MemoryStoreClient, pipeline: CognitionPipeline) -> None:
        self._store = store
        self._pipeline = pipeline

    async def run(
        self,
        tenant_id: str,
        scope: memory_pb2.Scope,
        turns: Sequence[Turn],
        *,
        deadline: float | None,
    ) -> FactStepResult:
        outcome = await self._pipeline.extract_facts(tenant_id, turns, deadline=deadline)
        if not outcome.value:
            return FactStepResult((), 0, outcome.path, outcome.reason, outcome.degraded, ())
        memories = await self._stored(tenant_id, scope.user_id, outcome.value)
        repaired = await self._repair(tenant_id, memories)
        stored = {
            fact.id: fact for m in memories.values() if (fact := records.stored_fact(m)) is not None
        }
        result = reconcile(stored.values(), outcome.value)
        ids = await self._write(tenant_id, scope, result.changed, result.decisions, memories)
        decisions = tuple(_with_memory_ids(d, ids) for d in result.decisions)
        facts = tuple(_fact_with_memory_ids(f, ids) for f in result.facts)
        return FactStepResult(
            decisions, repaired, outcome.path, outcome.reason, outcome.degraded, facts
        )

    async def _stored(
        self, tenant_id: str, user_id: str, facts: Sequence[Fact]
    ) -> dict[str, memory_pb2.Memory]:
        memories: dict[str, memory_pb2.Memory] = {}
        for key in records.keys_to_reconcile(facts):
            found = await self._store.list_all(
                tenant_id,
                memory_pb2.MemoryFilter(
                    user_id=user_id,
                    kinds=_FACT_KINDS,
                    metadata={records.FACT_KEY: key},
                    include_superseded=True,
                ),
            )
            memories.update((m.id, m) for m in found)
        return memories

    async def _repair(self, tenant_id: str, memories: dict[str, memory_pb2.Memory]) -> int:
        stored = [f for m in memories.values() if (f := records.stored_fact(m)) is not None]
        fixes = repairs(stored)
        for fix in fixes:
            memory = memories[fix.ended.id]
            memories[memory.id] = await self._end(tenant_id, memory, fix.ended, fix.reason)
        return len(fixes)

    async def _write(
        self,
        tenant_id: str,
        scope: memory_pb2.Scope,
        changed: Sequence[StoredFact],
        decisions: Sequence[Decision],
        memories: dict[str, memory_pb2.Memory],
    ) -> dict[str, str]:
        """Writes the reconciled changes; returns reconcile's id of each new fact -> its
        memory id (stored facts keep theirs)."""
        notes = _decision_notes(decisions)
        new = [fact for fact in changed if fact.id not in memories]
        existing = [fact for fact in changed if fact.id in memories]
        ids = {fact.id: fact.id for fact in existing}
        if new:
            created = await self._store.create_memories(
                tenant_id,
                [_new_memory(scope, fact, notes[fact.id]) for fact in new],
                idempotency_key=_idempotency_key([fact.id for fact in new]),
            )
            ids.update((fact.id, memory.id) for fact, memory in zip(new, created, strict=True))
            for fact, memory in zip(new, created, strict=True):
                if not fact.current:
                    # Said after another value in the same batch, or before the current one:
                    # history from the start.
                    ended = _resolved(fact, ids, memory.id)
                    await self._end(tenant_id, memory, ended, notes[fact.id])
        for fact in existing:
            resolved = _resolved(fact, ids, fact.id)
            await self._update(tenant_id, memories[fact.id], resolved, notes[fact.id])
        return ids

    async def _update(
        self, tenant_id: str, memory: memory_pb2.Memory, fact: StoredFact, note: str
    ) -> None:
        was = records.stored_fact(memory)
        if fact.valid_to is not None and was is not None and was.current:
            await self._end(tenant_id, memory, fact, note)
            return
        metadata = records.metadata_with(memory, records.fact_metadata(fact.fact, note))
        sources = records.provenance(fact.fact.source_message_ids)
        update = memory_pb2.MemoryUpdate(
            content=fact.fact.statement, metadata=metadata, source_message_ids=sources
        )
        paths = ["metadata"]
        if memory.content != fact.fact.statement:
            paths.append("content")
        if list(memory.source_message_ids) != sources:
            # A restated fact rests on more messages now: memory-store's erasure keeps it
            # while any of them lives.
            paths.append("source_message_ids")
        await self._store.update_memory(
            tenant_id, memory.id, update, paths, expected_version=memory.version
        )

    async def _end(
        self, tenant_id: str, memory: memory_pb2.Memory, ended: StoredFact, note: str
    ) -> memory_pb2.Memory:
        """Ends a fact's validity: it stays readable as history of its successor."""
        assert ended.valid_to is not None and ended.superseded_by is not None
        metadata = records.metadata_with(memory, records.fact_metadata(ended.fact, note))
        update = memory_pb2.MemoryUpdate(
            metadata=metadata,
            valid_to=records.to_timestamp(ended.valid_to),
            superseded_by=ended.superseded_by,
        )
        return await self._store.update_memory(
            tenant_id,
            memory.id,
            update,
            ["metadata", "valid_to", "superseded_by"],
            expected_version=memory.version,
        )


def _decision_notes(decisions: Sequence[Decision]) -> dict[str, str]:
    """What each written fact's metadata says about how it came to be, by reconcile id."""
    notes: dict[str, list[str]] = defaultdict(list)
    for decision in decisions:
        if decision.action is Action.SKIP:
            continue
        notes[decision.stored_id].append(f"{decision.action.value}: {decision.reason}")
        if decision.superseded_id is not None:
            notes[decision.superseded_id].append(f"SUPERSEDED: {decision.reason}")
    return defaultdict(str, {key: records.clip(" | ".join(value)) for key, value in notes.items()})


def _new_memory(scope: memory_pb2.Scope, fact: StoredFact, note: str) -> memory_pb2.NewMemory:
    return memory_pb2.NewMemory(
        # Facts belong to the user, not to the session or agent that heard them.
        scope=memory_pb2.Scope(user_id=scope.user_id, cube_id=scope.cube_id),
        kind=records.fact_kind(fact.fact),
        content=fact.fact.statement,
        metadata=records.fact_metadata(fact.fact, note),
        source_message_ids=records.provenance(fact.fact.source_message_ids),
        valid_from=records.to_timestamp(fact.valid_from),
    )


def _resolved(fact: StoredFact, ids: dict[str, str], memory_id: str) -> StoredFact:
    return StoredFact(
        id=memory_id,
        fact=fact.fact,
        valid_from=fact.valid_from,
        valid_to=fact.valid_to,
        superseded_by=ids.get(fact.superseded_by, fact.superseded_by)
        if fact.superseded_by
        else None,
        version=fact.version,
    )


def _with_memory_ids(decision: Decision, ids: dict[str, str]) -> Decision:
    return Decision(
        decision.action,
        decision.fact,
        decision.reason,
        ids.get(decision.stored_id, decision.stored_id),
        ids.get(decision.superseded_id, decision.superseded_id) if decision.superseded_id else None,
    )


def _fact_with_memory_ids(fact: StoredFact, ids: dict[str, str]) -> StoredFact:
    return _resolved(fact, ids, ids.get(fact.id, fact.id))


def _idempotency_key(fact_ids: Sequence[str]) -> str:
    # A retried RPC (the first attempt committed, its answer was lost) replays the result.
    digest = hashlib.sha256("|".join(sorted(fact_ids)).encode()).hexdigest()[:40]
    return f"thought:facts:{digest}"
