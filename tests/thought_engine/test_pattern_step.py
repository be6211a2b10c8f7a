"""PATTERN memories from crafted sessions: recurring topics, co-occurring entities, habits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from memgrid.common.v1 import memory_pb2 as mpb

from services.thought_engine import records
from services.thought_engine.pattern_step import PatternStep
from services.thought_engine.patterns import PatternParams
from tests.thought_engine.conftest import MemoryStoreServer
from tests.thought_engine.conversations import T0
from tests.thought_engine.support import TENANT, append, engine, memories_of, scope

SATURDAY_MORNINGS = [T0 + timedelta(days=5 + 7 * week, hours=-1) for week in range(3)]
WEDNESDAY_EVENING = T0 + timedelta(days=9, hours=10)


async def hiking_saturdays(memory_store: MemoryStoreServer) -> list[list[mpb.Memory]]:
    sessions = []
    for week, start in enumerate(SATURDAY_MORNINGS):
        sessions.append(
            await append(
                memory_store.client,
                [
                    ("user", f"Hiking again today with Anna near Chamonix, week {week}."),
                    ("assistant", "Enjoy the mountains!"),
                    ("user", "The hiking trail was steep but Anna loved Chamonix."),
                ],
                session_id=f"hike-{week}",
                start=start,
            )
        )
    sessions.append(
        await append(
            memory_store.client,
            [("user", "I need help with my tax return deductions.")],
            session_id="taxes",
            start=WEDNESDAY_EVENING,
        )
    )
    return sessions


async def test_recurring_topics_entities_and_habits_become_patterns_with_evidence(
    memory_store: MemoryStoreServer,
) -> None:
    store = memory_store.client
    sessions = await hiking_saturdays(memory_store)
    patterns = engine(store).steps.patterns

    result = await patterns.run(TENANT, scope("taxes"))

    stored = {
        m.metadata[records.PATTERN_KEY]: m
        for m in await memories_of(store, mpb.MEMORY_KIND_PATTERN)
    }
    assert result.created == len(stored)
    assert {
        "topic:hik",
        "entities:anna|chamonix",
        "weekday_habit:activity:saturday",
        "time_of_day_habit:activity:morning",
        "weekday_habit:topic:hik:saturday",
    } <= set(stored)
    topic = stored["topic:hik"]
    assert topic.content == "Recurring topic: hiking (3 of 4 sessions)"
    assert (topic.kind, topic.tier) == (mpb.MEMORY_KIND_PATTERN, mpb.MEMORY_TIER_LONG)
    assert topic.metadata[records.SUPPORT] == "3"
    assert topic.metadata[records.CONFIDENCE] == "0.750"
    hiking_user_turns = [m.id for s in sessions[:3] for m in s if m.role == mpb.ROLE_USER]
    assert list(topic.source_message_ids) == hiking_user_turns
    saturday = stored["weekday_habit:activity:saturday"]
    assert saturday.content == "User is usually active on Saturdays (3 of 4 sessions)"
    assert list(saturday.source_message_ids) == [s[0].id for s in sessions[:3]]


async def test_a_pattern_found_again_updates_its_memory_instead_of_adding_one(
    memory_store: MemoryStoreServer,
) -> None:
    store = memory_store.client
    await hiking_saturdays(memory_store)
    patterns = engine(store).steps.patterns
    await patterns.run(TENANT, scope("taxes"))
    before = {m.id: m for m in await memories_of(store, mpb.MEMORY_KIND_PATTERN)}

    unchanged = await patterns.run(TENANT, scope("taxes"))
    await append(
        store,
        [("user", "More hiking this weekend, Chamonix with Anna once more.")],
        session_id="hike-3",
        start=SATURDAY_MORNINGS[-1] + timedelta(days=7),
    )
    grown = await patterns.run(TENANT, scope("hike-3"))

    assert (unchanged.created, unchanged.updated) == (0, 0)
    assert grown.created == 0 and grown.updated >= 1
    after = {m.id: m for m in await memories_of(store, mpb.MEMORY_KIND_PATTERN)}
    assert set(after) == set(before)
    topic = next(m for m in after.values() if m.metadata[records.PATTERN_KEY] == "topic:hik")
    assert topic.content == "Recurring topic: hiking (4 of 5 sessions)"
    assert topic.version == 2


async def test_patterns_only_look_at_the_recent_horizon(memory_store: MemoryStoreServer) -> None:
    store = memory_store.client
    await hiking_saturdays(memory_store)
    in_a_year = datetime.now(UTC) + timedelta(days=365)
    patterns = PatternStep(
        store, PatternParams(), horizon=timedelta(days=90), max_turns=100, clock=lambda: in_a_year
    )

    result = await patterns.run(TENANT, scope("taxes"))

    assert result.created == 0
