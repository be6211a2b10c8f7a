"""The note a worker leaves on a job it acks: what the pass did, which path ran, and why.

The note is the job's only record of a degraded run (an LLM that timed out, answered
invalid JSON or hit the tenant's budget), so such a note starts with DEGRADED_PREFIX and
GetJob reports `degraded` from it.
"""

from __future__ import annotations

from collections import Counter

from services.thought_engine.consolidation import PassReport
from services.thought_engine.reconcile import Action

DEGRADED_PREFIX = "degraded: "
MAX_NOTE_CHARS = 2048
_LISTED_DECISIONS = 4


def is_degraded(note: str) -> bool:
    return note.startswith(DEGRADED_PREFIX)


def render(report: PassReport) -> str:
    parts = [_facts(report), _episodes(report), _graph(report)]
    if report.heat is not None:
        heat = report.heat
        parts.append(
            f"heat: {heat.updated} updated, {len(heat.promoted)} promoted to LONG "
            f"(+{heat.promoted_facts} facts), {len(heat.retired)} retired"
        )
    if report.patterns is not None:
        patterns = report.patterns
        parts.append(
            f"patterns: {patterns.created} new, {patterns.updated} updated, "
            f"{patterns.unchanged} unchanged"
        )
    degraded = _degraded_reasons(report)
    body = "; ".join(part for part in parts if part)
    note = f"{DEGRADED_PREFIX}{' / '.join(degraded)} | {body}" if degraded else body
    return note if len(note) <= MAX_NOTE_CHARS else note[: MAX_NOTE_CHARS - 1] + "\u2026"


def _facts(report: PassReport) -> str:
    decisions = [d for result in report.facts for d in result.decisions]
    if not report.facts:
        return ""
    counts = Counter(d.action for d in decisions)
    paths = sorted({f"{r.path.value}: {r.path_reason}" for r in report.facts})
    repaired = sum(r.repaired for r in report.facts)
    text = (
        f"facts: {counts[Action.ADD]} added, {counts[Action.UPDATE]} updated, "
        f"{counts[Action.SUPERSEDE]} superseded, {counts[Action.SKIP]} skipped"
        + (f", {repaired} repaired" if repaired else "")
        + f" ({'; '.join(paths)})"
    )
    notable = [d for d in decisions if d.action is not Action.SKIP][:_LISTED_DECISIONS]
    if notable:
        # Ids and attributes only: a note outlives the memories it mentions (a delete
        # cannot reach into it), so it must not quote what they say. Each fact's own
        # metadata keeps the reason for its decision.
        text += (
            " ("
            + "; ".join(f"{d.action.value} {d.fact.attribute} -> {d.stored_id}" for d in notable)
            + ")"
        )
    return text


def _episodes(report: PassReport) -> str:
    spilled = sum(r.spilled for r in report.episodes)
    if not spilled:
        return ""
    created = sum(len(r.episode_ids) for r in report.episodes)
    paths = Counter(o.path.value for r in report.episodes for o in r.summaries)
    how = ", ".join(f"{count} {path}" for path, count in sorted(paths.items()))
    return f"episodes: {created} created from {spilled} spilled turns" + (
        f" ({how})" if how else ""
    )


def _graph(report: PassReport) -> str:
    if not report.facts:
        return ""
    if not report.graph_deployed:
        return "graph: not deployed"
    entities = sum(len(u.entities) for u in report.graph)
    relations = sum(len(u.relations) for u in report.graph)
    invalidated = sum(len(u.invalidations) for u in report.graph)
    return f"graph: {entities} entities, {relations} relations, {invalidated} invalidated"


def _degraded_reasons(report: PassReport) -> list[str]:
    reasons = [f"facts {r.path_reason}" for r in report.facts if r.degraded]
    summaries = [o for r in report.episodes for o in r.summaries if o.degraded]
    if summaries:
        reasons.append(f"{len(summaries)} summaries {summaries[0].reason}")
    return reasons
