"""GetContext: what an agent should know to answer its user, as text fitted to a budget.

Three parts, read concurrently over the paths the public API already has: the user's
profile (GetProfile's, from the thought engine), the session's recent turns (its messages
still in the short-term window, read from memory-store as Chat reads them) and the
memories Search finds for the query (ranked by the search service, hydrated from
memory-store). They are then written into one block of text in priority order, profile,
recent turns, memories, until the caller's token budget is spent.

Tokens are estimated, not counted: the larger of characters / 4 and whitespace-separated
words, rounded up. A tokenizer would tie the gateway to one model family and cost far more
than the rest of the call; the estimate is close for English prose (about 4 characters a
token) and never below one token a word. Callers leave the model some headroom.
"""

from __future__ import annotations

import asyncio
import heapq
import json
import math
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC
from typing import TYPE_CHECKING

from google.protobuf import timestamp_pb2
from memgrid.common.v1 import memory_pb2 as common
from memgrid.gateway.v1 import request_response_pb2 as gw
from memgrid.memory.v1 import request_response_pb2 as store
from memgrid_runtime.errors import Unavailable
from memgrid_runtime.field_rules import Violations, check_id

from gateway.remote import downstream

if TYPE_CHECKING:
    from memgrid.memory.v1.service_pb2_grpc import MemoryStoreServiceAsyncStub

DEFAULT_MAX_TOKENS = 2000
MAX_TOKENS_LIMIT = 32_000
DEFAULT_MAX_MEMORIES = 10
# Search's own bound on k.
MAX_MEMORIES_LIMIT = 100
DEFAULT_MAX_RECENT_TURNS = 10
MAX_RECENT_TURNS_LIMIT = 100
# Search's own bound on a query.
MAX_QUERY_BYTES = 4096
# Pages of the session's short-term window; it holds MEMGRID_THOUGHT_SHORT_WINDOW turns
# (20 by default) once the thought engine runs, more only while it does not.
_TURNS_PAGE_SIZE = 1000

PROFILE_HEADING = "What is known about the user:"
TURNS_HEADING = "Recent turns of this conversation, oldest first:"
MEMORIES_HEADING = "Memories that may bear on the query, best match first:"

SearchMemories = Callable[[str, gw.SearchRequest], Awaitable[gw.SearchResponse]]
ReadProfile = Callable[[str, str], Awaitable[gw.GetProfileResponse]]


def estimate_tokens(text: str) -> int:
    """The larger of characters / 4 and words, rounded up (see the module docstring)."""
    return max(math.ceil(len(text) / 4), len(text.split()))


def check_request(request: gw.GetContextRequest) -> None:
    """INVALID_ARGUMENT naming every bad field, before anything is read."""
    v = Violations()
    check_id(v, "user_id", request.user_id)
    if request.session_id:
        check_id(v, "session_id", request.session_id)
    size = len(request.query.encode())
    if not request.query.strip():
        v.add("query", "required: what the context is for (usually the user's last message)")
    elif size > MAX_QUERY_BYTES:
        v.add("query", f"{size} bytes; at most {MAX_QUERY_BYTES}")
    for field, value, limit, default in (
        ("max_tokens", request.max_tokens, MAX_TOKENS_LIMIT, DEFAULT_MAX_TOKENS),
        ("max_memories", request.max_memories, MAX_MEMORIES_LIMIT, DEFAULT_MAX_MEMORIES),
        (
            "max_recent_turns",
            request.max_recent_turns,
            MAX_RECENT_TURNS_LIMIT,
            DEFAULT_MAX_RECENT_TURNS,
        ),
    ):
        if not 0 <= value <= limit:
            v.add(field, f"must be 1..{limit} (0 means {default}), got {value}")
    # `not <=` also refuses NaN.
    if not 0.0 <= request.min_score <= 1.0:
        v.add("min_score", f"must be 0..1, got {request.min_score}")
    v.raise_if_any()


class ContextBuilder:
    """Reads the three parts and fits them to the budget. The search and profile paths are
    the servicer's own (the same hydration and thought-engine mapping as Search and
    GetProfile). The servicer passes the caller's tenant, having checked that the caller's
    key may name the request's user; every part reads that user's memories only."""

    def __init__(
        self,
        memory_store: MemoryStoreServiceAsyncStub,
        search: SearchMemories,
        profile: ReadProfile,
    ) -> None:
        self._store = memory_store
        self._search = search
        self._profile = profile

    async def build(self, tenant: str, request: gw.GetContextRequest) -> gw.GetContextResponse:
        check_request(request)
        (profile, profile_degraded), (hits, search_degraded), turns = await asyncio.gather(
            self._read_profile(tenant, request.user_id),
            self._find_memories(tenant, request),
            self._recent_turns(tenant, request),
        )
        response = fit_to_budget(
            request.max_tokens or DEFAULT_MAX_TOKENS, profile=profile, turns=turns, hits=hits
        )
        response.degraded.extend([*profile_degraded, *search_degraded])
        return response

    async def _read_profile(
        self, tenant: str, user_id: str
    ) -> tuple[list[gw.ProfileEntry], list[str]]:
        try:
            reply = await self._profile(tenant, user_id)
        except Unavailable:
            return [], ["thought-engine"]
        return [*reply.entries, *reply.related_facts], []

    async def _find_memories(
        self, tenant: str, request: gw.GetContextRequest
    ) -> tuple[list[gw.SearchHit], list[str]]:
        """Search's hits, and what it skipped: all of it ("search") or a retriever."""
        try:
            reply = await self._search(
                tenant,
                gw.SearchRequest(
                    query=request.query,
                    filter=common.MemoryFilter(user_id=request.user_id),
                    k=request.max_memories or DEFAULT_MAX_MEMORIES,
                    min_score=request.min_score,
                ),
            )
        except Unavailable:
            return [], ["search"]
        return list(reply.hits), list(reply.degraded)

    async def _recent_turns(
        self, tenant: str, request: gw.GetContextRequest
    ) -> list[common.Memory]:
        """The session's newest turns in the short-term window, oldest first."""
        if not request.session_id:
            return []
        limit = request.max_recent_turns or DEFAULT_MAX_RECENT_TURNS
        window_filter = common.MemoryFilter(
            user_id=request.user_id,
            session_id=request.session_id,
            kinds=[common.MEMORY_KIND_MESSAGE],
            tiers=[common.MEMORY_TIER_SHORT],
        )
        newest: list[common.Memory] = []
        token = ""
        while True:
            page = await downstream(
                self._store.ListMemories(
                    store.ListMemoriesRequest(
                        tenant_id=tenant,
                        filter=window_filter,
                        page_size=_TURNS_PAGE_SIZE,
                        page_token=token,
                    )
                )
            )
            newest = heapq.nlargest(limit, [*newest, *page.memories], key=lambda m: m.session_seq)
            token = page.next_page_token
            if not token:
                return sorted(newest, key=lambda m: m.session_seq)


def fit_to_budget(
    max_tokens: int,
    *,
    profile: Sequence[gw.ProfileEntry],
    turns: Sequence[common.Memory],
    hits: Sequence[gw.SearchHit],
) -> gw.GetContextResponse:
    """The context text and its parts: profile entries, then the newest turns, then the
    best memories not already shown in those, each part until the next item would pass
    the budget. `turns` are oldest first; `hits` best first."""
    text = _Text(max_tokens)

    profile_lines = [_profile_line(entry) for entry in profile]
    kept_profile = text.fitting(PROFILE_HEADING, profile_lines)
    text.add(PROFILE_HEADING, profile_lines[:kept_profile])

    kept_turns = text.fitting(TURNS_HEADING, [_turn_line(m) for m in reversed(turns)])
    shown_turns = list(turns[len(turns) - kept_turns :])
    text.add(TURNS_HEADING, [_turn_line(m) for m in shown_turns])

    # A profile entry is a PROFILE or FACT memory, and a turn a MESSAGE one, that Search
    # may find as well: each is shown once, where it ranks first.
    shown_ids = {e.memory_id for e in profile[:kept_profile]} | {m.id for m in shown_turns}
    candidates = [hit for hit in hits if hit.memory.id not in shown_ids]
    memory_lines = [_memory_line(hit.memory) for hit in candidates]
    kept_memories = text.fitting(MEMORIES_HEADING, memory_lines)
    text.add(MEMORIES_HEADING, memory_lines[:kept_memories])

    block = text.render()
    return gw.GetContextResponse(
        text=block,
        tokens_used=estimate_tokens(block),
        max_tokens=max_tokens,
        profile=profile[:kept_profile],
        recent_turns=shown_turns,
        memories=candidates[:kept_memories],
        omitted=gw.ContextOmissions(
            profile_entries=len(profile) - kept_profile,
            recent_turns=len(turns) - kept_turns,
            memories=len(candidates) - kept_memories,
        ),
    )


@dataclass(frozen=True)
class _Size:
    """What the estimate of a text needs: its characters and words, and its line count,
    since lines are joined by newlines."""

    chars: int = 0
    words: int = 0
    lines: int = 0

    def plus(self, lines: Sequence[str]) -> _Size:
        newlines = len(lines) if self.lines else len(lines) - 1
        return _Size(
            self.chars + sum(len(line) for line in lines) + max(newlines, 0),
            self.words + sum(len(line.split()) for line in lines),
            self.lines + len(lines),
        )

    @property
    def tokens(self) -> int:
        """estimate_tokens of the text, without building it."""
        return max(math.ceil(self.chars / 4), self.words)


class _Text:
    """Lines of the context, and the size of the text they make."""

    def __init__(self, max_tokens: int) -> None:
        self._budget = max_tokens
        self._lines: list[str] = []
        self._size = _Size()

    def fitting(self, heading: str, items: Sequence[str]) -> int:
        """How many of items, taken in order, fit beside the part's heading."""
        size = self._size.plus(self._opening(heading))
        count = 0
        for item in items:
            size = size.plus([item])
            if size.tokens > self._budget:
                break
            count += 1
        return count

    def add(self, heading: str, items: Sequence[str]) -> None:
        """Adds a part; one with no items adds nothing, not even its heading."""
        if not items:
            return
        lines = [*self._opening(heading), *items]
        self._size = self._size.plus(lines)
        self._lines.extend(lines)

    def render(self) -> str:
        return "\n".join(self._lines)

    def _opening(self, heading: str) -> list[str]:
        # A blank line between parts.
        return ["", heading] if self._lines else [heading]


def _profile_line(entry: gw.ProfileEntry) -> str:
    about = "" if entry.subject in ("", "user") else f"{entry.subject} "
    since = f" (since {_day(entry.valid_from)})" if entry.HasField("valid_from") else ""
    return f"- {about}{entry.key}: {entry.value}{since}"


def _turn_line(memory: common.Memory) -> str:
    role = common.Role.Name(memory.role).removeprefix("ROLE_").lower()
    speaker = f" ({memory.speaker})" if memory.speaker else ""
    return f"[{_minute(_when(memory))}] {role}{speaker}: {_quoted(memory.content)}"


def _memory_line(memory: common.Memory) -> str:
    kind = common.MemoryKind.Name(memory.kind).removeprefix("MEMORY_KIND_").lower()
    sources = (
        f"; from messages {', '.join(memory.source_message_ids)}"
        if memory.source_message_ids
        else ""
    )
    return f"- [{_day(_when(memory))}] {_quoted(memory.content)} ({kind} {memory.id}{sources})"


def _when(memory: common.Memory) -> timestamp_pb2.Timestamp:
    """When what the memory says happened or became true (a turn's occurred_at), else
    when it was stored."""
    return memory.valid_from if memory.HasField("valid_from") else memory.created_at


def _day(stamp: timestamp_pb2.Timestamp) -> str:
    return stamp.ToDatetime(tzinfo=UTC).strftime("%Y-%m-%d")


def _minute(stamp: timestamp_pb2.Timestamp) -> str:
    return stamp.ToDatetime(tzinfo=UTC).strftime("%Y-%m-%d %H:%M")


def _quoted(content: str) -> str:
    """Content as a JSON string: on one line, and never mistaken for the context's own
    structure (as Chat quotes memories in its prompt)."""
    return json.dumps(content, ensure_ascii=False)
