"""The rules that give a new memory its server-owned values: hash, defaults and heat."""

from __future__ import annotations

import hashlib
import math

from memgrid.common.v1 import memory_pb2

DEFAULT_KIND = memory_pb2.MEMORY_KIND_FACT
DEFAULT_IMPORTANCE = 0.5
# A visit counts this much heat on its own; the interaction length adds to it.
VISIT_HEAT = 1.0
INTERACTION_HEAT_SCALE = 0.25


def normalise_content(content: str) -> str:
    """The form two contents are compared in: trimmed, single-spaced, case-folded."""
    return " ".join(content.split()).casefold()


def content_hash(content: str) -> str:
    return hashlib.sha256(normalise_content(content).encode("utf-8")).hexdigest()


def default_tier(kind: memory_pb2.MemoryKind.ValueType) -> memory_pb2.MemoryTier.ValueType:
    if kind == memory_pb2.MEMORY_KIND_MESSAGE:
        return memory_pb2.MEMORY_TIER_SHORT
    if kind == memory_pb2.MEMORY_KIND_PROFILE:
        return memory_pb2.MEMORY_TIER_LONG
    return memory_pb2.MEMORY_TIER_MID


def heat_gain(interaction_length: int) -> float:
    """Heat one visit adds (MemoryOS: visits plus interaction length).

    The length counts logarithmically so that one very long exchange cannot outweigh many
    visits; decay over time is the thought engine's job, not the store's.
    """
    return VISIT_HEAT + INTERACTION_HEAT_SCALE * math.log1p(max(interaction_length, 0))
