"""Background cognition through the gateway, on the whole suite: turns become facts, a
profile, superseded history, episodes and patterns; feedback changes ranking; Chat answers
through a real LLM; bad turns are rejected with the field named."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta

import pytest
from google.protobuf import timestamp_pb2
from memgrid.common.v1 import memory_pb2 as common
from memgrid.gateway.v1 import request_response_pb2 as gw
from memgrid_client.client import MemgridClient
from memgrid_runtime import errors

from tests.e2e.conftest import Stack

ROLES = {"user": common.ROLE_USER, "assistant": common.ROLE_ASSISTANT}
MONDAY_MORNING = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


def _user() -> str:
    return f"t-{uuid.uuid4().hex[:8]}"


def _turns(
    lines: Sequence[tuple[str, str]], start: datetime = MONDAY_MORNING
) -> list[common.NewMessage]:
    moments = [start + timedelta(minutes=i) for i in range(len(lines))]
    return [
        common.NewMessage(role=ROLES[role], content=content, occurred_at=_stamp(moment))
        for (role, content), moment in zip(lines, moments, strict=True)
    ]


def _stamp(moment: datetime) -> timestamp_pb2.Timestamp:
    stamp = timestamp_pb2.Timestamp()
    stamp.FromDatetime(moment)
    return stamp


async def _consolidated(client: MemgridClient, user: str, session_id: str = "") -> gw.Job:
    """Requests a consolidation and waits until its job is done."""
    started = await client.consolidate(user, session_id=session_id)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        job = await client.get_job(started.job_id)
        if job.state == gw.JOB_STATE_DONE:
            return job
        assert job.state != gw.JOB_STATE_DEAD, job.last_error
        await asyncio.sleep(0.1)
    raise AssertionError(f"consolidation job {started.job_id} not done within 60 s")


async def _search_until(
    client: MemgridClient,
    query: str,
    memory_filter: common.MemoryFilter,
    found: Callable[[gw.SearchResponse], bool],
) -> gw.SearchResponse:
    """Searches until `found` holds: consolidation's memories reach the index through the
    outbox, a moment after its job is done."""
    deadline = time.monotonic() + 30
    while not found(reply := await client.search(query, memory_filter)):
        assert time.monotonic() < deadline, [h.memory.content for h in reply.hits]
        await asyncio.sleep(0.2)
    return reply


def _profile(reply: gw.GetProfileResponse) -> set[tuple[str, str, str]]:
    return {(e.subject, e.key, e.value) for e in (*reply.entries, *reply.related_facts)}


async def test_turns_become_a_profile_and_a_move_supersedes_with_history_kept(
    client_a: MemgridClient, client_b: MemgridClient
) -> None:
    user = _user()
    scope = common.Scope(user_id=user, session_id="first")
    said = await client_a.add_messages(
        scope,
        _turns(
            [
                ("user", "Hi, my name is Dana. I live in Paris and I'm allergic to peanuts."),
                ("assistant", "Nice to meet you, Dana. You live in Rome, right?"),
                ("user", "No, Paris. My sister Anna works at Google."),
            ]
        ),
    )
    job = await _consolidated(client_a, user)

    profile = await client_a.get_profile(user)
    assert _profile(profile) == {
        ("user", "name", "Dana"),
        ("user", "lives_in", "Paris"),
        ("user", "allergic_to", "peanuts"),
        ("user's sister", "name", "Anna"),
        ("user's sister", "works_at", "Google"),
    }
    paris = next(e for e in profile.entries if e.key == "lives_in")
    assert list(paris.source_message_ids) == [said.memories[0].id]
    assert job.note.startswith("facts: ")
    assert _profile(await client_b.get_profile(user)) == set()

    moved_at = MONDAY_MORNING + timedelta(days=30)
    await client_a.add_messages(
        common.Scope(user_id=user, session_id="later"),
        _turns([("user", "Big news: I moved to Berlin.")], start=moved_at),
    )
    await _consolidated(client_a, user)

    now = await client_a.get_profile(user)
    assert ("user", "lives_in", "Berlin") in _profile(now)
    assert ("user", "lives_in", "Paris") not in _profile(now)
    berlin = next(e for e in now.entries if e.key == "lives_in")
    history = await client_a.list_memories(
        common.MemoryFilter(
            user_id=user, kinds=[common.MEMORY_KIND_PROFILE], include_superseded=True
        )
    )
    old = next(m for m in history.memories if m.id == paris.memory_id)
    assert old.superseded_by == berlin.memory_id
    assert old.valid_to.ToDatetime(tzinfo=UTC) == moved_at
    versions = await client_a.get_memory_history(paris.memory_id)
    assert [v.change_type for v in versions] == [
        common.CHANGE_TYPE_CREATED,
        common.CHANGE_TYPE_SUPERSEDED,
    ]
    assert versions[-1].memory.metadata["thought.decision"].startswith("SUPERSEDED: contradicts")
    # Current before stale: the turn that said Paris ranks below what holds now.
    found = await _search_until(
        client_a,
        "Where does Dana live?",
        common.MemoryFilter(user_id=user),
        # Both the new fact and the old one's superseded version are indexed.
        lambda reply: (
            "User lives in Berlin." in {h.memory.content for h in reply.hits}
            and "User lives in Paris." not in {h.memory.content for h in reply.hits}
        ),
    )
    contents = [hit.memory.content for hit in found.hits]
    said_paris = said.memories[0].content
    current = next(i for i, hit in enumerate(found.hits) if "Berlin" in hit.memory.content)
    assert current < contents.index(said_paris), contents


async def test_a_long_conversation_spills_into_topic_episodes(client_a: MemgridClient) -> None:
    user = _user()
    cooking = [
        ("user", "I want to cook fresh pasta tonight for my family."),
        ("assistant", "Fresh pasta needs flour, eggs and a little olive oil."),
        ("user", "How long should I knead the pasta dough?"),
        ("assistant", "Knead the dough for about ten minutes until it is smooth."),
        ("user", "Should the pasta dough rest before rolling it?"),
        ("assistant", "Let the dough rest thirty minutes, then roll the pasta thin."),
        ("user", "What sauce goes with fresh pasta, a tomato sauce?"),
        ("assistant", "A simple tomato sauce with basil suits fresh pasta well."),
        ("user", "Great, I will cook the pasta with tomato sauce."),
        ("assistant", "Enjoy cooking your pasta dinner!"),
    ]
    hiking = [
        ("user", "Next weekend I am hiking in the Alps near Chamonix."),
        ("assistant", "Hiking in the Alps needs good boots and layers."),
        ("user", "Which hiking trail near Chamonix has glacier views?"),
        ("assistant", "The Grand Balcon Nord trail has glacier views of the Alps."),
        ("user", "How long is that hiking trail in hours?"),
        ("assistant", "The trail takes about three hours of hiking."),
        ("user", "Do I need crampons for the glacier hiking trail?"),
        ("assistant", "No crampons are needed on that hiking trail in summer."),
        ("user", "I will pack my boots for the Alps hiking trip."),
        ("assistant", "Have a wonderful hiking trip in the Alps!"),
    ]
    small_talk = [("user", f"Thanks, one more question {i} about the weather.") for i in range(20)]
    said = await client_a.add_messages(
        common.Scope(user_id=user, session_id="long"), _turns(cooking + hiking + small_talk)
    )
    await _consolidated(client_a, user)

    episodes = await client_a.list_memories(
        common.MemoryFilter(user_id=user, kinds=[common.MEMORY_KIND_EPISODE])
    )
    ids = [m.id for m in said.memories]
    by_sources = {tuple(e.source_message_ids): e for e in episodes.memories}
    assert tuple(ids[:10]) in by_sources and tuple(ids[10:20]) in by_sources
    assert "pasta" in by_sources[tuple(ids[:10])].content
    assert "Chamonix" in by_sources[tuple(ids[10:20])].content
    window = await client_a.list_memories(
        common.MemoryFilter(
            user_id=user, kinds=[common.MEMORY_KIND_MESSAGE], tiers=[common.MEMORY_TIER_SHORT]
        )
    )
    # The short-term window keeps the last 20 turns; everything older went to MID.
    assert [m.id for m in window.memories] == ids[-20:]


async def test_sessions_on_saturday_mornings_about_hiking_become_patterns(
    client_a: MemgridClient,
) -> None:
    user = _user()
    first_saturday = MONDAY_MORNING + timedelta(days=5, hours=-1)
    for week in range(3):
        await client_a.add_messages(
            common.Scope(user_id=user, session_id=f"hike-{week}"),
            _turns(
                [
                    ("user", f"Hiking again today with Anna near Chamonix, week {week}."),
                    ("assistant", "Enjoy the mountains!"),
                ],
                start=first_saturday + timedelta(days=7 * week),
            ),
        )
    await _consolidated(client_a, user)

    reply = await client_a.list_patterns(user)

    patterns = {p.key: p for p in reply.patterns}
    assert patterns["topic:hik"].description == "Recurring topic: hiking (3 of 3 sessions)"
    assert patterns["topic:hik"].kind == gw.PATTERN_KIND_RECURRING_TOPIC
    assert len(patterns["topic:hik"].evidence_message_ids) == 3
    assert patterns["entities:anna|chamonix"].kind == gw.PATTERN_KIND_CO_OCCURRING_ENTITIES
    saturday = patterns["weekday_habit:activity:saturday"]
    assert saturday.description == "User is usually active on Saturdays (3 of 3 sessions)"
    assert patterns["time_of_day_habit:activity:morning"].support == 3
    # Patterns stand for many turns at once: Search leaves them out unless asked for.
    query = "Recurring topic: hiking with Anna near Chamonix"
    asked = await _search_until(
        client_a,
        query,
        common.MemoryFilter(user_id=user, kinds=[common.MEMORY_KIND_PATTERN]),
        lambda reply: bool(reply.hits),
    )
    assert {h.memory.kind for h in asked.hits} == {common.MEMORY_KIND_PATTERN}
    default = await client_a.search(query, common.MemoryFilter(user_id=user))
    assert default.hits and common.MEMORY_KIND_PATTERN not in {h.memory.kind for h in default.hits}


async def test_every_derived_memory_cites_the_turns_it_came_from(client_a: MemgridClient) -> None:
    user = _user()
    lines = [
        ("user", "Hi, my name is Odile. I live in Nantes and I work as a luthier."),
        ("assistant", "Nice to meet you, Odile."),
        *[
            (("user", "assistant")[i % 2], f"We keep talking about violin varnish, part {i}.")
            for i in range(44)
        ],
    ]
    said = await client_a.add_messages(common.Scope(user_id=user, session_id="s"), _turns(lines))
    await _consolidated(client_a, user)
    stored = await client_a.list_memories(common.MemoryFilter(user_id=user), page_size=500)
    derived = [m for m in stored.memories if m.kind != common.MEMORY_KIND_MESSAGE]
    kinds = {m.kind for m in derived}
    assert {common.MEMORY_KIND_EPISODE, common.MEMORY_KIND_PROFILE} <= kinds, kinds
    said_ids = {m.id for m in said.memories}
    for memory in derived:
        assert memory.source_message_ids, memory
        assert set(memory.source_message_ids) <= said_ids, memory
    # A hit shows where it came from, so an agent can cite the turns.
    profile_only = common.MemoryFilter(user_id=user, kinds=[common.MEMORY_KIND_PROFILE])
    found = await _search_until(
        client_a, "Where does Odile live?", profile_only, lambda reply: bool(reply.hits)
    )
    assert found.hits[0].memory.source_message_ids[0] == said.memories[0].id


async def test_a_memory_marked_useful_moves_up_in_search(client_a: MemgridClient) -> None:
    user = _user()
    text = "The Thai place on Main Street makes the best green curry in town."
    older = await client_a.add_memory(text, user_id=user)
    newer = await client_a.add_memory(text, user_id=user)
    query, where = "best green curry", common.MemoryFilter(user_id=user)

    before = await client_a.search(query, where, k=2)
    feedback = await client_a.record_feedback(older.id, gw.FEEDBACK_VERDICT_USEFUL)
    after = await client_a.search(query, where, k=2)

    # Equally relevant, so recency put the newer one first until feedback spoke.
    assert [h.memory.id for h in before.hits] == [newer.id, older.id]
    assert feedback.importance_after > feedback.importance_before
    assert feedback.propagation[0].state == common.PROPAGATION_STATE_DONE
    assert [h.memory.id for h in after.hits] == [older.id, newer.id]
    assert after.hits[0].explanation.importance_term > after.hits[1].explanation.importance_term


async def test_job_status_belongs_to_its_tenant(
    client_a: MemgridClient, client_b: MemgridClient
) -> None:
    user = _user()
    job = await _consolidated(client_a, user)

    with pytest.raises(errors.NotFound):
        await client_b.get_job(job.id)
    with pytest.raises(errors.NotFound):
        await client_a.get_job("01a1f000-0000-7000-8000-000000000000")
    assert (job.state, job.attempts, job.degraded) == (gw.JOB_STATE_DONE, 1, False)


async def test_only_a_dead_job_of_ones_own_tenant_is_retried(
    client_a: MemgridClient, client_b: MemgridClient
) -> None:
    job = await _consolidated(client_a, _user())

    with pytest.raises(errors.NotFound):
        await client_b.retry_job(job.id)
    with pytest.raises(errors.FailedPrecondition) as not_dead:
        await client_a.retry_job(job.id)
    with pytest.raises(errors.InvalidArgument) as empty:
        await client_a.retry_job("")
    assert not_dead.value.reason == "JOB_NOT_DEAD"
    assert [v.field for v in empty.value.violations] == ["job_id"]
    assert (await client_a.get_job(job.id)).state == gw.JOB_STATE_DONE


@pytest.mark.parametrize(
    ("messages", "field"),
    [
        ([common.NewMessage(role=common.ROLE_USER, content="")], "messages[0].content"),
        (
            [
                common.NewMessage(role=common.ROLE_USER, content="fine"),
                common.NewMessage(role=42, content="who said this?"),  # type: ignore[arg-type]
            ],
            "messages[1].role",
        ),
        ([common.NewMessage(content="no role at all")], "messages[0].role"),
        ([common.NewMessage(role=common.ROLE_USER, content="x")] * 1001, "messages"),
    ],
)
async def test_bad_turns_are_rejected_with_the_field_named_and_store_nothing(
    client_a: MemgridClient, messages: list[common.NewMessage], field: str
) -> None:
    user = _user()
    with pytest.raises(errors.InvalidArgument) as caught:
        await client_a.add_messages(common.Scope(user_id=user, session_id="s"), messages)

    assert field in [v.field for v in caught.value.violations]
    listed = await client_a.list_memories(common.MemoryFilter(user_id=user))
    assert list(listed.memories) == []


async def test_bad_thought_requests_name_the_field(client_a: MemgridClient) -> None:
    with pytest.raises(errors.InvalidArgument) as profile:
        await client_a.get_profile("")
    with pytest.raises(errors.InvalidArgument) as feedback:
        await client_a.record_feedback("m1", gw.FEEDBACK_VERDICT_UNSPECIFIED)

    assert [v.field for v in profile.value.violations] == ["user_id"]
    assert [v.field for v in feedback.value.violations] == ["verdict"]


async def test_chat_streams_an_answer_from_the_llm_and_remembers_the_exchange(
    stack: Stack, client_a: MemgridClient, llm_gateway: str
) -> None:
    user = _user()
    await client_a.add_messages(
        common.Scope(user_id=user, session_id="facts"), _turns([("user", "I live in Lisbon.")])
    )
    await _consolidated(client_a, user)
    scope = common.Scope(user_id=user, session_id="chat")

    async with MemgridClient(llm_gateway, stack.key_a) as chat_client:
        events = [e async for e in chat_client.chat(scope, "Which city do I live in?")]

    kinds = [e.WhichOneof("event") for e in events]
    assert kinds[0] == "context" and kinds[-1] == "completed"
    assert set(kinds[1:-1]) <= {"delta"}
    assert ("user", "lives_in", "Lisbon") in {
        (p.subject, p.key, p.value) for p in events[0].context.profile
    }
    assert any("Lisbon" in m.content for m in events[0].context.memories)
    completed = events[-1].completed
    assert completed.model == "gemma-3-270m"
    assert completed.answer == "".join(e.delta for e in events[1:-1]).strip()
    stored = await client_a.list_memories(common.MemoryFilter(user_id=user, session_id="chat"))
    assert [(m.role, m.content) for m in stored.memories][:1] == [
        (common.ROLE_USER, "Which city do I live in?")
    ]
    assert stored.memories[0].id == completed.user_message_id
