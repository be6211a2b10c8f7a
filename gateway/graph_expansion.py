"""Graph expansion of a search: memories linked to the entities a query names.

"What did the person my sister works with recommend?" names entities; the graph knows which
memories mention them or their neighbours, even when those memories share no words with
the query. Those memories are fused into the search ranking with reciprocal rank fusion,
after the same filter the search applied (the graph knows tenants, not users or kinds).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass

from google.protobuf.timestamp_pb2 import Timestamp
from memgrid.common.v1 import memory_pb2 as common

# At most this many candidate names per query: each is one key lookup in the graph.
MAX_CANDIDATES = 12
# Hops from a named entity; 2 answers "the person my sister works with".
EXPANSION_HOPS = 2
# RRF constant and the graph list's weight against the search list's 1.0: the graph adds
# evidence, it should not outvote a strong textual match.
RRF_K = 60
GRAPH_WEIGHT = 0.5

_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'._-]*")
# Words that name nothing; kept as one readable block.
_STOPWORDS = frozenset(
    """
    a about after again all am an and any are as at be been before being but by can
    could did do does doing for from had has have having he her here hers him his how
    i if in into is it its just me more most my myself no nor not now of on once only
    or other our ours out over own same she should so some such than that the their
    theirs them then there these they this those through to too under until up very
    was we were what when where which while who whom why will with would you your
    yours
    """.split()  # noqa: SIM905
)


def candidate_names(query: str) -> list[str]:
    """Names a query may mention: runs of capitalised words first ("Clara", "New York"),
    then every word that is not a stopword ("sister"), then adjacent pairs of those
    ("billing service"). The graph matches names case-insensitively; case only sets the
    order, which decides what is kept when there are more than MAX_CANDIDATES."""
    words = _WORD.findall(query)
    candidates: list[str] = []

    def add(name: str) -> None:
        if name.lower() not in {c.lower() for c in candidates}:
            candidates.append(name)

    run: list[str] = []
    for word in [*words, ""]:
        if word[:1].isupper() and word.lower() not in _STOPWORDS:
            run.append(word)
            continue
        if run:
            add(" ".join(run))
            run = []
    content = [w for w in words if w.lower() not in _STOPWORDS]
    for word in content:
        add(word)
    for first, second in itertools.pairwise(content):
        if first.lower() != second.lower():
            add(f"{first} {second}")
    return candidates[:MAX_CANDIDATES]


@dataclass(frozen=True)
class GraphHit:
    memory_id: str
    hops: int
    confidence: float


def fuse(
    search_ids: Sequence[str], graph_hits: Sequence[GraphHit], k: int
) -> list[tuple[str, float]]:
    """Reciprocal rank fusion of the search ranking and the graph's: (memory id, fused
    score), best first."""
    scores: dict[str, float] = {}
    for rank, memory_id in enumerate(search_ids, start=1):
        scores[memory_id] = scores.get(memory_id, 0.0) + 1.0 / (RRF_K + rank)
    for rank, hit in enumerate(graph_hits, start=1):
        scores[hit.memory_id] = scores.get(hit.memory_id, 0.0) + GRAPH_WEIGHT / (RRF_K + rank)
    ordered = sorted(scores.items(), key=lambda item: item[1], reverse=True)
    return ordered[:k]


def matches_filter(
    memory: common.Memory,
    memory_filter: common.MemoryFilter,
    *,
    now: Timestamp,
    valid_at: Timestamp | None = None,
) -> bool:
    """Whether a memory passes the filter exactly as the search service applies it
    (services/search/filters.py): graph hits must not widen what a search may return.

    With cube_ids, user_id is the reader (whose access the gateway checked), so cube
    membership decides. valid_at asks what was true then; without it, superseded memories
    are left out unless include_superseded. Expiry is memory-store's: it returns no expired
    memory to hydrate."""
    scope = memory.scope
    if memory_filter.cube_ids:
        if scope.cube_id not in memory_filter.cube_ids:
            return False
    elif memory_filter.user_id and scope.user_id != memory_filter.user_id:
        return False
    if memory_filter.agent_id and scope.agent_id != memory_filter.agent_id:
        return False
    if memory_filter.session_id and scope.session_id != memory_filter.session_id:
        return False
    if memory_filter.kinds and memory.kind not in memory_filter.kinds:
        return False
    if memory_filter.tiers and memory.tier not in memory_filter.tiers:
        return False
    if not set(memory_filter.tags) <= set(memory.tags):
        return False
    if any(memory.metadata.get(key) != value for key, value in memory_filter.metadata.items()):
        return False
    created = memory.created_at.ToNanoseconds()
    after, before = memory_filter.created_after, memory_filter.created_before
    if memory_filter.HasField("created_after") and created < after.ToNanoseconds():
        return False
    if memory_filter.HasField("created_before") and created >= before.ToNanoseconds():
        return False
    ends = memory.valid_to.ToNanoseconds() if memory.HasField("valid_to") else None
    if valid_at is not None:
        at = valid_at.ToNanoseconds()
        return memory.valid_from.ToNanoseconds() <= at and (ends is None or ends > at)
    if memory_filter.include_superseded:
        return True
    return not memory.superseded_by and (ends is None or ends > now.ToNanoseconds())
