"""The short-term window spilling into topic episodes, on a real memory-store."""

from __future__ import annotations

import pytest
from memgrid.common.v1 import memory_pb2 as mpb

from services.thought_engine import records
from services.thought_engine.episode_step import WindowParams, spill_boundary
from tests.thought_engine.conftest import MemoryStoreServer
from tests.thought_engine.conversations import COOKING, HIKING, taxes
from tests.thought_engine.support import TENANT, append, engine, memories_of, scope

MESSAGE, EPISODE = mpb.MEMORY_KIND_MESSAGE, mpb.MEMORY_KIND_EPISODE


@pytest.mark.parametrize(
    ("last_seq", "flush", "boundary"),
    [(20, False, 0), (39, False, 0), (40, False, 20), (59, False, 20), (60, False, 40),
     (30, True, 10), (15, True, 0)],
)  # fmt: skip
def test_whole_chunks_leave_the_window_unless_flushed(
    last_seq: int, flush: bool, boundary: int
) -> None:
    assert spill_boundary(last_seq, WindowParams(capacity=20, chunk=20), flush=flush) == boundary


@pytest.mark.parametrize(
    ("first_seq", "last_seq", "due"),
    [(1, 39, False), (1, 40, True), (40, 40, True), (41, 59, False), (39, 41, True),
     (55, 61, True), (61, 79, False)],
)  # fmt: skip
def test_a_spill_is_due_when_the_new_turns_complete_a_chunk(
    memory_store: MemoryStoreServer, first_seq: int, last_seq: int, due: bool
) -> None:
    episodes = engine(memory_store.client).steps.episodes

    assert episodes.spill_due(first_seq, last_seq) is due


async def test_turns_appended_one_by_one_spill_chunk_by_chunk_through_the_jobs(
    memory_store: MemoryStoreServer,
) -> None:
    store = memory_store.client
    worker = engine(store).workers
    assert worker is not None
    for line in COOKING + HIKING + taxes(25):
        await append(store, [line])
        await worker.run_once()

    assert (
        await tiers_by_position(memory_store)
        == [mpb.MEMORY_TIER_MID] * 20 + [mpb.MEMORY_TIER_SHORT] * 25
    )
    assert len(await memories_of(store, EPISODE)) == 2


async def tiers_by_position(memory_store: MemoryStoreServer) -> list[int]:
    messages = await memories_of(memory_store.client, MESSAGE, session_id="s1")
    return [m.tier for m in sorted(messages, key=lambda m: m.session_seq)]


async def test_the_overflow_becomes_one_episode_per_topic_and_leaves_the_window(
    memory_store: MemoryStoreServer,
) -> None:
    store = memory_store.client
    said = await append(store, COOKING + HIKING + taxes(25))
    episodes = engine(store).steps.episodes

    result = await episodes.run(TENANT, scope(), flush=False, deadline=None)

    assert result.spilled == 20
    assert (
        await tiers_by_position(memory_store)
        == [mpb.MEMORY_TIER_MID] * 20 + [mpb.MEMORY_TIER_SHORT] * 25
    )
    cooking, hiking = await memories_of(store, EPISODE)
    assert list(result.episode_ids) == [cooking.id, hiking.id]
    assert list(cooking.source_message_ids) == [m.id for m in said[:10]]
    assert list(hiking.source_message_ids) == [m.id for m in said[10:20]]
    assert cooking.content.startswith("User: I want to cook fresh pasta tonight")
    assert "Chamonix" in hiking.content
    assert (hiking.tier, hiking.scope) == (mpb.MEMORY_TIER_MID, scope())
    assert hiking.valid_from == said[10].valid_from
    assert hiking.metadata[records.CHUNK] == "s1#0"
    assert hiking.metadata[records.KEYWORDS].startswith("hiking,trail,alps")
    assert hiking.metadata[records.PATH] == "deterministic"

    again = await episodes.run(TENANT, scope(), flush=False, deadline=None)

    assert (again.spilled, again.episode_ids) == (0, ())
    assert len(await memories_of(store, EPISODE)) == 2


async def test_a_pass_that_died_before_moving_the_turns_is_finished_without_new_episodes(
    memory_store: MemoryStoreServer,
) -> None:
    store = memory_store.client
    await append(store, COOKING + HIKING + taxes(20))
    episodes = engine(store).steps.episodes
    await episodes.run(TENANT, scope(), flush=False, deadline=None)
    # The state a crash after creating the episodes leaves: the turns are still SHORT.
    for message in (await memories_of(store, MESSAGE, session_id="s1"))[:20]:
        await store.update_memory(
            TENANT,
            message.id,
            mpb.MemoryUpdate(tier=mpb.MEMORY_TIER_SHORT),
            ["tier"],
            expected_version=message.version,
        )
    before = await memories_of(store, EPISODE)

    retry = await episodes.run(TENANT, scope(), flush=False, deadline=None)

    assert (retry.spilled, retry.episode_ids) == (20, ())
    assert [m.id for m in await memories_of(store, EPISODE)] == [m.id for m in before]
    assert (
        await tiers_by_position(memory_store)
        == [mpb.MEMORY_TIER_MID] * 20 + [mpb.MEMORY_TIER_SHORT] * 20
    )


async def test_a_flush_spills_all_but_the_window_whole_chunk_or_not(
    memory_store: MemoryStoreServer,
) -> None:
    store = memory_store.client
    await append(store, COOKING + taxes(20))
    episodes = engine(store).steps.episodes

    waiting = await episodes.run(TENANT, scope(), flush=False, deadline=None)
    flushed = await episodes.run(TENANT, scope(), flush=True, deadline=None)

    assert waiting.spilled == 0
    assert flushed.spilled == 10
    (cooking,) = await memories_of(store, EPISODE)
    assert "pasta" in cooking.content
    assert (
        await tiers_by_position(memory_store)
        == [mpb.MEMORY_TIER_MID] * 10 + [mpb.MEMORY_TIER_SHORT] * 20
    )


async def test_the_window_size_and_chunk_come_from_settings(
    memory_store: MemoryStoreServer,
) -> None:
    store = memory_store.client
    await append(store, COOKING)
    episodes = engine(
        store, MEMGRID_THOUGHT_SHORT_WINDOW="4", MEMGRID_THOUGHT_SPILL_CHUNK="3"
    ).steps.episodes

    result = await episodes.run(TENANT, scope(), flush=False, deadline=None)

    assert result.spilled == 6
    assert (
        await tiers_by_position(memory_store)
        == [mpb.MEMORY_TIER_MID] * 6 + [mpb.MEMORY_TIER_SHORT] * 4
    )
    chunks = [m.metadata[records.CHUNK] for m in await memories_of(store, EPISODE)]
    assert set(chunks) == {"s1#0", "s1#1"}
