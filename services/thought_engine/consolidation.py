"""One consolidation pass: the steps a job runs, in the order that keeps each retry safe.

A session pass (turns were appended) extracts and reconciles the facts the new turns state,
sends entities and relations to the graph, spills the short-term window into episodes when
the new turns completed a chunk, refreshes heat and promotion when something spilled, and
detects patterns when a session starts. A user pass (on-demand consolidation) does the same
for every session that still has short-term turns, spilling all but the last window, then
always refreshes heat and patterns. Every step is idempotent on its own, so a job that died
half way is finished by its next attempt without duplicating anything.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from memgrid.common.v1 import memory_pb2

from services.thought_engine import records
from services.thought_engine.conversation import Turn
from services.thought_engine.episode_step import EpisodeStep, EpisodeStepResult
from services.thought_engine.fact_step import FactStep, FactStepResult
from services.thought_engine.graph_sink import GraphSink
from services.thought_engine.graph_update import GraphUpdate, graph_update
from services.thought_engine.heat_step import HeatStep, HeatStepResult
from services.thought_engine.memory_store_client import MemoryStoreClient
from services.thought_engine.pattern_step import PatternStep, PatternStepResult


@dataclass
class PassReport:
    facts: list[FactStepResult] = field(default_factory=list)
    episodes: list[EpisodeStepResult] = field(default_factory=list)
    graph: list[GraphUpdate] = field(default_factory=list)
    graph_deployed: bool = True
    heat: HeatStepResult | None = None
    patterns: PatternStepResult | None = None


@dataclass(frozen=True)
class Steps:
    facts: FactStep
    episodes: EpisodeStep
    heat: HeatStep
    patterns: PatternStep


class Consolidator:
    def __init__(
        self, store: MemoryStoreClient, steps: Steps, graph: GraphSink | None = None
    ) -> None:
        self._store = store
        self._steps = steps
        self._graph = graph

    async def session_pass(
        self,
        tenant_id: str,
        scope: memory_pb2.Scope,
        message_ids: Sequence[str],
        *,
        seqs: tuple[int, int],
        deadline: float | None,
    ) -> PassReport:
        """A pass over turns appended to one session; `seqs` is the first and the last
        session_seq among them."""
        report = PassReport(graph_deployed=self._graph is not None)
        # Deleted since they were appended: nothing to learn from them any more.
        messages = await self._store.batch_get(tenant_id, message_ids)
        turns = [records.turn_of(m) for m in messages]
        await self._learn_facts(tenant_id, scope, turns, deadline, report)
        first_seq, last_seq = seqs
        if self._steps.episodes.spill_due(first_seq, last_seq):
            spilled = await self._steps.episodes.run(
                tenant_id, scope, flush=False, deadline=deadline
            )
            report.episodes.append(spilled)
            if spilled.spilled:
                report.heat = await self._steps.heat.run(tenant_id, scope.user_id)
        if first_seq == 1:
            report.patterns = await self._steps.patterns.run(tenant_id, scope)
        return report

    async def user_pass(
        self, tenant_id: str, user_id: str, session_id: str, *, deadline: float | None
    ) -> PassReport:
        report = PassReport(graph_deployed=self._graph is not None)
        window = await self._store.list_all(
            tenant_id,
            memory_pb2.MemoryFilter(
                user_id=user_id,
                session_id=session_id,
                kinds=[memory_pb2.MEMORY_KIND_MESSAGE],
                tiers=[memory_pb2.MEMORY_TIER_SHORT],
            ),
        )
        sessions: dict[str, list[memory_pb2.Memory]] = {}
        for message in window:
            sessions.setdefault(message.scope.session_id, []).append(message)
        for messages in sessions.values():
            scope = messages[0].scope
            turns = [records.turn_of(m) for m in messages]
            await self._learn_facts(tenant_id, scope, turns, deadline, report)
            report.episodes.append(
                await self._steps.episodes.run(tenant_id, scope, flush=True, deadline=deadline)
            )
        report.heat = await self._steps.heat.run(tenant_id, user_id)
        owner = window[0].scope if window else memory_pb2.Scope(user_id=user_id)
        report.patterns = await self._steps.patterns.run(tenant_id, owner)
        return report

    async def _learn_facts(
        self,
        tenant_id: str,
        scope: memory_pb2.Scope,
        turns: Sequence[Turn],
        deadline: float | None,
        report: PassReport,
    ) -> None:
        if not turns:
            return
        facts = await self._steps.facts.run(tenant_id, scope, turns, deadline=deadline)
        report.facts.append(facts)
        if self._graph is None:
            return
        update = graph_update(
            scope.user_id, turns, facts.facts, provenance=f"thought-engine:{facts.path.value}"
        )
        # The memories' user owns what was extracted from them (one graph per user).
        await self._graph.apply(tenant_id, scope.user_id, update)
        report.graph.append(update)
