"""Heat, promotion and retirement of MID episodes, from visits memory-store counted."""

from __future__ import annotations

from datetime import timedelta

from memgrid.common.v1 import memory_pb2 as mpb
from memgrid.memory.v1 import request_response_pb2 as mrr

from services.thought_engine import records
from services.thought_engine.heat_step import segment_state
from services.thought_engine.tiers import HeatParams
from tests.thought_engine.conftest import MemoryStoreServer
from tests.thought_engine.conversations import COOKING, HIKING, taxes
from tests.thought_engine.support import TENANT, append, engine, memories_of, scope

EPISODE = mpb.MEMORY_KIND_EPISODE


async def spilled_cooking_and_hiking(memory_store: MemoryStoreServer) -> list[mpb.Memory]:
    store = memory_store.client
    said = await append(store, COOKING + HIKING + taxes(20))
    await engine(store).steps.facts.run(
        TENANT, scope(), [records.turn_of(m) for m in said], deadline=None
    )
    await engine(store).steps.episodes.run(TENANT, scope(), flush=False, deadline=None)
    return await memories_of(store, EPISODE)


async def visit(memory_store: MemoryStoreServer, memory_id: str, times: int) -> None:
    for _ in range(times):
        await memory_store.stub.RecordVisits(
            mrr.RecordVisitsRequest(tenant_id=TENANT, ids=[memory_id], interaction_length=1)
        )


async def test_a_visited_episode_heats_up_and_is_promoted_to_long_with_its_facts(
    memory_store: MemoryStoreServer,
) -> None:
    store = memory_store.client
    cooking, hiking = await spilled_cooking_and_hiking(memory_store)
    await visit(memory_store, hiking.id, 3)

    result = await engine(store).steps.heat.run(TENANT, "alice")

    assert result.promoted == (hiking.id,)
    promoted = await store.get_memory(TENANT, hiking.id)
    assert promoted.tier == mpb.MEMORY_TIER_LONG
    assert promoted.metadata[records.PROMOTED].startswith("heat ")
    assert promoted.metadata[records.ACTIVE] == "0"
    assert promoted.metadata[records.VISITS_SEEN] == "3"
    # 3 visits + ln(1 + 10 turns) + 1, barely decayed: over the threshold of 6.
    assert 6.0 <= promoted.heat <= 6.4
    still_mid = await store.get_memory(TENANT, cooking.id)
    assert still_mid.tier == mpb.MEMORY_TIER_MID

    again = await engine(store).steps.heat.run(TENANT, "alice")

    assert again.promoted == ()
    assert again.updated == 0


async def test_facts_said_in_a_promoted_episode_go_long_term_with_it(
    memory_store: MemoryStoreServer,
) -> None:
    store = memory_store.client
    said = await append(store, [("user", "My brother works at Airbus."), *COOKING[1:], *taxes(30)])
    steps = engine(store).steps
    await steps.facts.run(TENANT, scope(), [records.turn_of(m) for m in said], deadline=None)
    await steps.episodes.run(TENANT, scope(), flush=False, deadline=None)
    (episode,) = [
        e for e in await memories_of(store, EPISODE) if said[0].id in e.source_message_ids
    ]
    await visit(memory_store, episode.id, 5)

    result = await steps.heat.run(TENANT, "alice")

    assert result.promoted_facts == 1
    (fact,) = await memories_of(store, mpb.MEMORY_KIND_FACT)
    assert (fact.content, fact.tier) == ("User's brother works at Airbus.", mpb.MEMORY_TIER_LONG)


async def test_beyond_capacity_the_coldest_episode_is_retired_not_deleted(
    memory_store: MemoryStoreServer,
) -> None:
    store = memory_store.client
    cooking, hiking = await spilled_cooking_and_hiking(memory_store)
    await visit(memory_store, cooking.id, 1)

    result = await engine(store, MEMGRID_THOUGHT_MID_CAPACITY="1").steps.heat.run(TENANT, "alice")

    assert result.retired == (hiking.id,)
    retired = await store.get_memory(TENANT, hiking.id)
    assert (retired.tier, retired.metadata[records.ACTIVE]) == (mpb.MEMORY_TIER_MID, "0")
    assert (await store.get_memory(TENANT, cooking.id)).metadata[records.ACTIVE] == "1"


async def test_visits_decay_with_the_time_since_they_happened(
    memory_store: MemoryStoreServer,
) -> None:
    (cooking, _) = await spilled_cooking_and_hiking(memory_store)
    await visit(memory_store, cooking.id, 2)
    visited = await memory_store.client.get_memory(TENANT, cooking.id)
    params = HeatParams(half_life=timedelta(days=7))
    at_visit = records.from_timestamp(visited.last_visited_at)

    now = segment_state(visited, at_visit, params)
    week_later = segment_state(visited, at_visit + timedelta(days=7), params)

    assert now.visits == week_later.visits == 2.0
    assert now.last_access_at == at_visit
