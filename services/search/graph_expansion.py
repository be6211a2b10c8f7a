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
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
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
# How long a name the graph said it does not know is not asked about again for that user.
# A name the graph learns meanwhile (a consolidation pass) joins expansion at most this late;
# consolidation itself runs seconds to minutes after the turns that name it.
UNKNOWN_NAME_TTL_SECONDS = 30.0
# Users whose unknown names are remembered, least recently searched dropped first.
_MAX_REMEMBERED_USERS = 4096
_MAX_UNKNOWN_NAMES_PER_USER = 1024

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


class UnknownNames:
    """Per user, the names the graph recently said it does not know. Most queries name
    nothing the graph knows ("what did she say about the weekend?"): remembering that
    spares the graph call for every such search after the first."""

    def __init__(
        self,
        ttl_seconds: float = UNKNOWN_NAME_TTL_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._ttl = ttl_seconds
        self._clock = clock
        self._by_user: OrderedDict[tuple[str, str], dict[str, float]] = OrderedDict()

    def unknown(self, tenant_id: str, user_id: str, names: Sequence[str]) -> set[str]:
        """Those of `names` (compared case-insensitively) known to be unknown now."""
        remembered = self._by_user.get((tenant_id, user_id))
        if not remembered:
            return set()
        self._by_user.move_to_end((tenant_id, user_id))
        now = self._clock()
        return {n for n in names if remembered.get(n.casefold(), 0.0) > now}

    def remember(self, tenant_id: str, user_id: str, names: Sequence[str]) -> None:
        if not names:
            return
        key = (tenant_id, user_id)
        remembered = self._by_user.setdefault(key, {})
        self._by_user.move_to_end(key)
        now = self._clock()
        for name in names:
            remembered[name.casefold()] = now + self._ttl
        if len(remembered) > _MAX_UNKNOWN_NAMES_PER_USER:
            live = {n: until for n, until in remembered.items() if until > now}
            newest = sorted(live.items(), key=lambda item: item[1])[-_MAX_UNKNOWN_NAMES_PER_USER:]
            self._by_user[key] = dict(newest)
        while len(self._by_user) > _MAX_REMEMBERED_USERS:
            self._by_user.popitem(last=False)


class GraphExpander:
    """Asks the graph service for the memories linked to a query's entities, and asks
    nothing when every name the query offers is one the graph recently did not know."""

    def __init__(self, channel: grpc.aio.Channel, unknown: UnknownNames | None = None) -> None:
        self._stub = service_pb2_grpc.GraphServiceStub(channel)
        self._unknown = unknown or UnknownNames()

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
        offered = candidate_names(query)
        unknown = self._unknown.unknown(tenant_id, user_id, offered)
        names = [name for name in offered if name not in unknown]
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
        self._unknown.remember(tenant_id, user_id, reply.unknown_entities)
        return [GraphCandidate(m.memory_id, m.hops, m.confidence) for m in reply.memories]
