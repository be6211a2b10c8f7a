"""GetContext's fitting of profile, turns and memories to a token budget
(gateway/context.py), at every budget from nothing to everything."""

from __future__ import annotations

from google.protobuf import timestamp_pb2
from memgrid.common.v1 import memory_pb2 as common
from memgrid.gateway.v1 import request_response_pb2 as gw

from gateway.context import estimate_tokens, fit_to_budget


def _at(seconds: int) -> timestamp_pb2.Timestamp:
    return timestamp_pb2.Timestamp(seconds=1_740_000_000 + seconds)


PROFILE = [
    gw.ProfileEntry(key="name", value="Dana", subject="user", memory_id="p1", valid_from=_at(0)),
    gw.ProfileEntry(key="works_at", value="Google", subject="user's sister", memory_id="p2"),
]
TURNS = [
    common.Memory(
        id=f"t{seq}",
        kind=common.MEMORY_KIND_MESSAGE,
        role=common.ROLE_USER if seq % 2 else common.ROLE_ASSISTANT,
        content=f"turn number {seq} of the session, with a few more words in it",
        session_seq=seq,
        valid_from=_at(60 * seq),
    )
    for seq in range(1, 5)
]
HITS = [
    gw.SearchHit(memory=memory, score=score)
    for memory, score in (
        (
            common.Memory(
                id="f1",
                kind=common.MEMORY_KIND_FACT,
                content="Dana drinks jasmine tea.",
                source_message_ids=["m1", "m2"],
                created_at=_at(0),
            ),
            0.9,
        ),
        # Also the newest turn, and the profile entry p1: shown once, where it ranks first.
        (TURNS[-1], 0.8),
        (common.Memory(id="p1", kind=common.MEMORY_KIND_PROFILE, content="User is Dana."), 0.7),
        (common.Memory(id="e1", kind=common.MEMORY_KIND_EPISODE, content="A long talk."), 0.5),
    )
]


def _fit(max_tokens: int) -> gw.GetContextResponse:
    return fit_to_budget(max_tokens, profile=PROFILE, turns=TURNS, hits=HITS)


def test_the_estimate_is_the_larger_of_a_quarter_of_the_characters_and_the_words() -> None:
    assert estimate_tokens("") == 0
    assert estimate_tokens("abcdefghi") == 3
    assert estimate_tokens("a b c d e") == 5


def test_everything_fits_a_large_budget_once_in_priority_order() -> None:
    context = _fit(10_000)

    assert context.text.splitlines() == [
        "What is known about the user:",
        "- name: Dana (since 2025-02-19)",
        "- user's sister works_at: Google",
        "",
        "Recent turns of this conversation, oldest first:",
        *(
            f"[2025-02-19 21:{20 + seq:02d}] {'user' if seq % 2 else 'assistant'}: "
            f'"turn number {seq} of the session, with a few more words in it"'
            for seq in range(1, 5)
        ),
        "",
        "Memories that may bear on the query, best match first:",
        '- [2025-02-19] "Dana drinks jasmine tea." (fact f1; from messages m1, m2)',
        '- [1970-01-01] "A long talk." (episode e1)',
    ]
    assert [hit.memory.id for hit in context.memories] == ["f1", "e1"]
    assert context.omitted == gw.ContextOmissions()
    assert context.tokens_used == estimate_tokens(context.text)


def test_every_budget_is_kept_and_what_is_left_out_is_reported() -> None:
    profile_kept = 0
    for budget in range(0, _fit(10_000).tokens_used + 1):
        context = _fit(budget)
        assert context.tokens_used == estimate_tokens(context.text) <= budget
        # The first part in priority never shrinks as the budget grows.
        assert len(context.profile) >= profile_kept
        profile_kept = len(context.profile)
        kept = (len(context.profile), len(context.recent_turns), len(context.memories))
        # The newest turns are the ones kept, shown oldest first.
        assert list(context.recent_turns) == TURNS[len(TURNS) - len(context.recent_turns) :]
        assert context.omitted.profile_entries == len(PROFILE) - len(context.profile)
        assert context.omitted.recent_turns == len(TURNS) - len(context.recent_turns)
    assert kept == (len(PROFILE), len(TURNS), 2)
