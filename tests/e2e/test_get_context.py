"""GetContext on the whole suite: the profile, the session's recent turns and the memories
for the query in one block fitted to the caller's budget, scoped like Search."""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import grpc
import pytest
from google.protobuf import timestamp_pb2
from memgrid.common.v1 import memory_pb2 as common
from memgrid.gateway.v1 import request_response_pb2 as gw
from memgrid_client.client import MemgridClient
from memgrid_client.sync_client import Memgrid
from memgrid_runtime import errors
from memgrid_suite.launcher import SERVICES, Suite

from gateway.context import estimate_tokens
from tests.e2e.conftest import BOUND_USER, KEY_A_BOUND, Stack

FIRST_VISIT = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
TEA_FACT = "Dana drinks jasmine tea every morning."
TEA_QUERY = "Which tea does Dana drink?"


def _stamp(moment: datetime) -> timestamp_pb2.Timestamp:
    stamp = timestamp_pb2.Timestamp()
    stamp.FromDatetime(moment)
    return stamp


def _turns(start: datetime, *lines: tuple[int, str]) -> list[common.NewMessage]:
    return [
        common.NewMessage(
            role=role, content=content, occurred_at=_stamp(start + timedelta(minutes=i))
        )
        for i, (role, content) in enumerate(lines)
    ]


@dataclass(frozen=True)
class Remembered:
    user: str
    session_turns: list[common.Memory]
    other_session_turns: list[common.Memory]
    tea_fact: common.Memory


async def _consolidated(client: MemgridClient, user: str) -> None:
    started = await client.consolidate(user)
    deadline = time.monotonic() + 60
    while (job := await client.get_job(started.job_id)).state != gw.JOB_STATE_DONE:
        assert job.state != gw.JOB_STATE_DEAD, job.last_error
        assert time.monotonic() < deadline, "consolidation not done within 60 s"
        await asyncio.sleep(0.1)


@pytest.fixture(scope="module")
async def remembered(stack: Stack) -> Remembered:
    """A user with a profile, two sessions, and a fact drawn from the earlier one."""
    user = f"ctx-{uuid.uuid4().hex[:8]}"
    async with stack.client(stack.key_a) as client:
        earlier = await client.add_messages(
            common.Scope(user_id=user, session_id="earlier"),
            _turns(
                FIRST_VISIT - timedelta(days=20),
                (common.ROLE_USER, "Hi, my name is Dana. I live in Paris."),
                (common.ROLE_USER, "Every morning I make myself a pot of jasmine tea."),
                (common.ROLE_ASSISTANT, "Jasmine tea is a lovely way to start the day."),
            ),
        )
        now = await client.add_messages(
            common.Scope(user_id=user, session_id="now"),
            _turns(
                FIRST_VISIT,
                (common.ROLE_USER, "I am planning a weekend trip to Lyon."),
                (common.ROLE_ASSISTANT, "Lyon is two hours from Paris by train."),
                (common.ROLE_USER, "Can you suggest a cafe there?"),
            ),
        )
        fact = common.NewMemory(
            scope=common.Scope(user_id=user),
            kind=common.MEMORY_KIND_FACT,
            content=TEA_FACT,
            source_message_ids=[earlier.memories[1].id],
            valid_from=_stamp(FIRST_VISIT - timedelta(days=20)),
        )
        tea = (await client.add_memories([fact])).memories[0]
        await _consolidated(client, user)
    return Remembered(user, list(now.memories), list(earlier.memories), tea)


async def test_the_context_holds_the_profile_the_sessions_turns_and_the_dated_sourced_memory(
    client_a: MemgridClient, remembered: Remembered
) -> None:
    context = await client_a.get_context(
        TEA_QUERY, user_id=remembered.user, session_id="now", max_tokens=4000
    )

    assert ("lives_in", "Paris") in {(e.key, e.value) for e in context.profile}
    assert "- lives_in: Paris" in context.text
    # The session's turns only, oldest first; the earlier session's are not recent.
    assert [m.id for m in context.recent_turns] == [m.id for m in remembered.session_turns]
    assert '[2025-03-03 09:02] user: "Can you suggest a cafe there?"' in context.text
    # The fact, with its date and the message it came from, in the text and the parts.
    found = [hit.memory for hit in context.memories]
    assert remembered.tea_fact.id in [m.id for m in found]
    source = remembered.other_session_turns[1].id
    assert (
        f'- [2025-02-11] "{TEA_FACT}" (fact {remembered.tea_fact.id}; from messages {source})'
        in context.text
    )
    # Sections in priority order.
    text = context.text
    assert text.index("- lives_in") < text.index("cafe there") < text.index(TEA_FACT)
    assert context.tokens_used == estimate_tokens(context.text) <= context.max_tokens == 4000
    assert context.omitted == gw.ContextOmissions()
    assert list(context.degraded) == []


async def test_without_a_session_there_are_no_recent_turns(
    stack: Stack, client_a: MemgridClient, remembered: Remembered
) -> None:
    context = await client_a.get_context(TEA_QUERY, user_id=remembered.user)

    def from_the_sync_client() -> gw.GetContextResponse:
        with Memgrid(stack.address, stack.key_a) as memgrid:
            return memgrid.get_context(TEA_QUERY, user_id=remembered.user)

    assert (await asyncio.to_thread(from_the_sync_client)).text == context.text
    assert list(context.recent_turns) == []
    assert "Recent turns" not in context.text
    assert context.max_tokens == 2000
    assert remembered.tea_fact.id in [hit.memory.id for hit in context.memories]


async def test_a_smaller_budget_keeps_fewer_items_and_stays_within_it(
    client_a: MemgridClient, remembered: Remembered
) -> None:
    async def context(max_tokens: int) -> gw.GetContextResponse:
        return await client_a.get_context(
            TEA_QUERY, user_id=remembered.user, session_id="now", max_tokens=max_tokens
        )

    whole = await context(4000)
    assert whole.omitted == gw.ContextOmissions()
    sizes = []
    for budget in (120, 60, 25):
        part = await context(budget)
        assert part.tokens_used == estimate_tokens(part.text) <= budget
        # What is kept comes first in priority order; the rest is reported as omitted.
        assert list(part.profile) == list(whole.profile[: len(part.profile)])
        assert list(part.recent_turns) == list(
            whole.recent_turns[len(whole.recent_turns) - len(part.recent_turns) :]
        )
        assert part.omitted.profile_entries == len(whole.profile) - len(part.profile)
        assert part.omitted.recent_turns == len(whole.recent_turns) - len(part.recent_turns)
        assert part.omitted.memories >= len(whole.memories) - len(part.memories) > 0
        sizes.append(len(part.profile) + len(part.recent_turns) + len(part.memories))
    assert sizes == sorted(sizes, reverse=True) and sizes[0] > sizes[-1]

    nothing_fits = await context(1)
    assert (nothing_fits.text, nothing_fits.tokens_used) == ("", 0)
    assert nothing_fits.omitted.profile_entries == len(whole.profile)


async def test_another_users_or_tenants_memories_never_appear(
    stack: Stack, client_a: MemgridClient, client_b: MemgridClient, remembered: Remembered
) -> None:
    secret = "Dana secretly prefers green tea with honey."
    # The same user id in tenant B, and another user of tenant A, both talking about tea.
    await client_b.add_memory(secret, user_id=remembered.user)
    await client_b.add_messages(
        common.Scope(user_id=remembered.user, session_id="now"),
        _turns(FIRST_VISIT, (common.ROLE_USER, "Tenant B's turn about oolong tea.")),
    )
    neighbour = "Eve drinks jasmine tea every morning too."
    await client_a.add_memory(neighbour, user_id=f"eve-{uuid.uuid4().hex[:6]}")

    mine = await client_a.get_context(TEA_QUERY, user_id=remembered.user, session_id="now")
    for part in (secret, "oolong", neighbour):
        assert part not in mine.text
    seen = [m.scope.user_id for m in (*mine.recent_turns, *(h.memory for h in mine.memories))]
    assert set(seen) == {remembered.user}

    theirs = await client_b.get_context(TEA_QUERY, user_id=remembered.user, session_id="now")
    assert secret in theirs.text and "oolong" in theirs.text
    for part in (TEA_FACT, "Lyon", "Paris"):
        assert part not in theirs.text

    async with stack.client(KEY_A_BOUND) as bound:
        with pytest.raises(errors.PermissionDenied):
            await bound.get_context(TEA_QUERY, user_id=remembered.user)
        own = await bound.get_context(TEA_QUERY, user_id=BOUND_USER)
        assert TEA_FACT not in own.text


async def test_without_search_or_thought_engine_the_context_says_what_it_went_without(
    stack: Stack, remembered: Remembered
) -> None:
    suite = stack.local_suite()
    # A second gateway on the same memory-store, with neither search nor a thought engine.
    bare = Suite(
        data_dir=suite.data_dir / "bare-gateway",
        log_dir=suite.log_dir / "bare-gateway" if suite.log_dir else None,
        ephemeral_ports=True,
        api_keys=suite.api_keys,
        services=tuple(s for s in SERVICES if s.name == "gateway"),
        env={
            **suite.env,
            "MEMGRID_INTERNAL_TOKEN": suite.internal_token,
            "MEMGRID_MEMORY_STORE_TARGET": suite.address_of("memory-store"),
        },
    )
    await bare.start()
    try:
        async with MemgridClient(bare.gateway_address, stack.key_a) as client:
            context = await client.get_context(TEA_QUERY, user_id=remembered.user, session_id="now")
    finally:
        await bare.stop()

    assert sorted(context.degraded) == ["search", "thought-engine"]
    assert [m.id for m in context.recent_turns] == [m.id for m in remembered.session_turns]
    assert (list(context.profile), list(context.memories)) == ([], [])
    assert "Can you suggest a cafe there?" in context.text


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"user_id": ""}, "user_id"),
        ({"query": "  "}, "query"),
        ({"query": "x" * 4097}, "query"),
        ({"session_id": "not a session id"}, "session_id"),
        ({"max_tokens": -1}, "max_tokens"),
        ({"max_tokens": 32_001}, "max_tokens"),
        ({"max_memories": 101}, "max_memories"),
        ({"max_recent_turns": -5}, "max_recent_turns"),
        ({"min_score": 1.5}, "min_score"),
    ],
)
async def test_bad_requests_name_the_field(
    client_a: MemgridClient, arguments: dict[str, object], field: str
) -> None:
    request = {"query": TEA_QUERY, "user_id": "someone", **arguments}
    with pytest.raises(errors.InvalidArgument) as caught:
        await client_a.get_context(**request)
    assert caught.value.code is grpc.StatusCode.INVALID_ARGUMENT
    assert [v.field for v in caught.value.violations] == [field]
