"""Finishing supersessions that a crash or a concurrent worker left half done.

A contradiction is written in two steps (create the new fact, then end the old one), and
two replicas may reconcile one user's facts at once, so stored facts can end up with two
current values where only one may hold: two places the user lives in, or likes and
dislikes of the same thing. Before reconciling, such a group is repaired the way
reconciliation would have decided it: the value said last stays current and ends the
others, which stay as history.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Sequence

from services.thought_engine.reconcile import StoredFact
from services.thought_engine.text import normalise


@dataclasses.dataclass(frozen=True)
class Repair:
    ended: StoredFact
    """The stored fact after the repair: valid_to and superseded_by set."""
    reason: str


def repairs(stored: Sequence[StoredFact]) -> list[Repair]:
    """The stored facts to end, each superseded by the value said after it."""
    current = [s for s in stored if s.current]
    conflicts: dict[tuple[str, ...], list[StoredFact]] = defaultdict(list)
    for s in current:
        subject = normalise(s.fact.subject)
        if s.fact.spec.single_valued:
            conflicts[(subject, s.fact.attribute)].append(s)
        if s.fact.spec.opposite is not None:
            pair = "|".join(sorted((s.fact.attribute, s.fact.spec.opposite)))
            conflicts[(subject, pair, normalise(s.fact.value))].append(s)
    found: dict[str, Repair] = {}
    for group in conflicts.values():
        if len({normalise(s.fact.value) + "|" + s.fact.attribute for s in group}) < 2:
            continue
        ordered = sorted(group, key=lambda s: (s.valid_from, s.id))
        latest = ordered[-1]
        for older in ordered[:-1]:
            if older.id in found:
                continue
            ended = dataclasses.replace(
                older,
                valid_to=latest.valid_from,
                superseded_by=latest.id,
                version=older.version + 1,
            )
            reason = (
                f"repaired: {older.fact.attribute}={older.fact.value!r} was still current "
                f"beside {latest.fact.attribute}={latest.fact.value!r} (id {latest.id}), "
                "said later"
            )
            found[older.id] = Repair(ended, reason)
    return list(found.values())
