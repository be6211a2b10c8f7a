"""Graph expansion: the memories linked to the entities a query names, as a third
candidate list beside the dense and the sparse one.

"What did the person my sister works with recommend?" names entities; the graph knows which
memories mention them or their neighbours, even when those memories share no words with
the query. The retriever fuses this list with the other two the same way (relative scores,
with its own weight, retrieval.py), after the caller's filter: the graph is the filter's
user's, but knows nothing of kinds, sessions or times, so its memories are looked up in
the index under the same filter the other retrievers used, and those it does not match
are dropped.
"""

from __future__ import annotations

import itertools
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass

import grpc
from memgrid.graph.v1 import request_response_pb2 as grr
from memgrid.graph.v1 import service_pb2_grpc
from memgrid_runtime.errors import Unavailable

log = logging.getLogger(__name__)

SERVICE = "memgrid.graph.v1.GraphService"
# RelatedMemories only reads: safe to retry on UNAVAILABLE.
IDEMPOTENT_METHODS = [f"{SERVICE}/RelatedMemories"]

# At most this many candidate names per query: each is one key lookup in the graph.
MAX_CANDIDATES = 12
# Hops from a named entity; 2 answers "the person my sister works with".
EXPANSION_HOPS = 2

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
class GraphCandidate:
    memory_id: str
    # From the nearest named entity to one the memory mentions; 0: it mentions one.
    hops: int
    confidence: float

    @property
    def score(self) -> float:
        """Nearer and more confident links score higher; 1.0 for a sure direct mention."""
        return self.confidence / (1 + self.hops)


class GraphExpander:
    """Asks the graph service for the memories linked to a query's entities."""

    def __init__(self, channel: grpc.aio.Channel) -> None:
        self._stub = service_pb2_grpc.GraphServiceStub(channel)

    async def related(
        self,
        tenant_id: str,
        user_id: str,
        query: str,
        limit: int,
        exclude_ids: Sequence[str] = (),
    ) -> list[GraphCandidate]:
        """Nearest first. Raises Unavailable when the graph cannot answer, so that the
        search can go on without it and say so."""
        names = candidate_names(query)
        if not names:
            return []
        try:
            reply = await self._stub.RelatedMemories(
                grr.RelatedMemoriesRequest(
                    tenant_id=tenant_id,
                    user_id=user_id,
                    entities=names,
                    hops=EXPANSION_HOPS,
                    limit=limit,
                    exclude_memory_ids=list(exclude_ids),
                )
            )
        except grpc.aio.AioRpcError as exc:
            log.warning("graph expansion skipped: %s", exc.details())
            raise Unavailable("graph expansion unavailable", reason="GRAPH_DEGRADED") from None
        return [GraphCandidate(m.memory_id, m.hops, m.confidence) for m in reply.memories]
