"""Importance learning from "useful" / "not useful" feedback on a retrieved memory.

Each feedback moves importance part of the way towards 1 (useful) or 0 (not useful):

    step = rate / sqrt(1 + earlier_feedback) * (target - importance), capped at max_step

so the first judgements count most and a memory with a long record is hard to swing (one
user clicking "not useful" fifty times cannot bury it). Importance stays within
[floor, ceiling]: feedback alone never makes a memory unretrievable nor pins it on top.
Every change comes with the sentence that explains it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class FeedbackParams:
    rate: float = 0.3
    max_step: float = 0.15
    floor: float = 0.05
    ceiling: float = 0.95

    def __post_init__(self) -> None:
        if not 0 <= self.floor < self.ceiling <= 1:
            raise ValueError("need 0 <= floor < ceiling <= 1")
        if not 0 < self.rate <= 1 or not 0 < self.max_step <= 1:
            raise ValueError("rate and max_step must be in (0, 1]")


@dataclass(frozen=True)
class ImportanceChange:
    memory_id: str
    before: float
    after: float
    feedback_count: int
    """Feedback received so far, this one included."""
    explanation: str


def apply_feedback(
    memory_id: str,
    importance: float,
    earlier_feedback: int,
    useful: bool,
    params: FeedbackParams | None = None,
) -> ImportanceChange:
    params = params or FeedbackParams()
    if earlier_feedback < 0:
        raise ValueError("earlier_feedback cannot be negative")
    before = min(max(importance, 0.0), 1.0)
    target = params.ceiling if useful else params.floor
    rate = params.rate / math.sqrt(1 + earlier_feedback)
    step = max(-params.max_step, min(params.max_step, rate * (target - before)))
    step = max(step, 0.0) if useful else min(step, 0.0)
    # Feedback never moves importance against its verdict, even when it starts out of bounds
    # (set by extraction, say): the bound only limits how far feedback pushes it.
    if useful:
        after = min(before + step, max(before, params.ceiling))
    else:
        after = max(before + step, min(before, params.floor))
    after = round(after, 4)
    verdict = "useful" if useful else "not useful"
    if after == round(before, 4):
        explanation = f"marked {verdict}; importance already at its bound {after:.2f}"
    else:
        explanation = (
            f"marked {verdict}: importance {before:.2f} -> {after:.2f} "
            f"(rate {rate:.3f} after {earlier_feedback} earlier feedback, "
            f"towards {target:.2f}, step capped at {params.max_step:.2f})"
        )
    return ImportanceChange(memory_id, before, after, earlier_feedback + 1, explanation)
