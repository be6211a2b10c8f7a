"""Search through the gateway: read-your-writes, updates, deletes, tenants, outages."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from memgrid.common.v1 import memory_pb2 as common
from memgrid_runtime import errors


def _user() -> str:
    return f"s-{uuid.uuid4().hex[:8]}"


def _search_state(reply) -> int:
    return next(p.state for p in reply.propagation if p.store == "search")


async def test_written_memory_is_searchable_when_the_write_returns(client_a):
    user = _user()
    reply = await client_a.add_memories(
        [
            common.NewMemory(scope=common.Scope(user_id=user), content=text)
            for text in (
                "My sister Clara works as a nurse in Lyon",
                "I adopted a grey cat named Pixel last spring",
                "Our team ships the billing service every Thursday",
            )
        ]
    )
    assert _search_state(reply) == common.PROPAGATION_STATE_DONE
    found = await client_a.search("what pet do I have?", common.MemoryFilter(user_id=user), k=3)
    assert found.hits[0].memory.content == "I adopted a grey cat named Pixel last spring"
    explanation = found.hits[0].explanation
    assert explanation.dense_rank >= 1
    assert found.embedding_model


async def test_update_is_searchable_and_delete_is_never_returned(client_a):
    user = _user()
    memory = await client_a.add_memory("I drive a red bicycle to work", user_id=user)
    await client_a.update_memory(
        memory.id, common.MemoryUpdate(content="I take the tram to the office"), ["content"]
    )
    found = await client_a.search("tram commute", common.MemoryFilter(user_id=user))
    assert [h.memory.content for h in found.hits] == ["I take the tram to the office"]
    assert found.hits[0].memory.version == 2

    deleted = await client_a.delete_memory(memory.id)
    assert _search_state(deleted) == common.PROPAGATION_STATE_DONE
    for query in ("tram", "bicycle", "office commute"):
        found = await client_a.search(query, common.MemoryFilter(user_id=user))
        assert memory.id not in {h.memory.id for h in found.hits}


async def test_search_never_crosses_tenants(client_a, client_b):
    user = _user()
    secret = await client_a.add_memory("The vault code is 4711", user_id=user)
    found = await client_b.search("vault code", common.MemoryFilter(user_id=user), k=100)
    assert list(found.hits) == []
    found = await client_b.search(
        secret.id, common.MemoryFilter(user_id=user, session_id=""), k=100
    )
    assert list(found.hits) == []


async def test_search_in_a_cube_needs_read_access(client_a):
    owner, stranger = _user(), _user()
    cube = "sc-" + owner
    await client_a.create_cube(cube, owner_user_id=owner)
    await client_a.add_memory("The recipe needs saffron", user_id=owner, cube_id=cube)
    with pytest.raises(errors.PermissionDenied):
        await client_a.search("recipe", common.MemoryFilter(user_id=stranger, cube_ids=[cube]))
    await client_a.share_cube(cube, owner_user_id=owner, reader_user_id=stranger)
    found = await client_a.search("recipe", common.MemoryFilter(user_id=stranger, cube_ids=[cube]))
    assert [h.memory.content for h in found.hits] == ["The recipe needs saffron"]


async def test_bad_search_requests_name_the_field(client_a):
    with pytest.raises(errors.InvalidArgument) as caught:
        await client_a.search("", common.MemoryFilter(user_id="u"))
    assert "query" in [v.field for v in caught.value.violations]
    with pytest.raises(errors.InvalidArgument) as caught:
        await client_a.search("x", common.MemoryFilter(user_id="u"), k=1000)
    assert "k" in [v.field for v in caught.value.violations]
    with pytest.raises(errors.InvalidArgument) as caught:
        await client_a.search("x", common.MemoryFilter(user_id="u"), min_score=2.0)
    assert [v.field for v in caught.value.violations] == ["min_score"]


async def test_turns_are_found_by_their_speaker_beside_the_turn_that_matched(client_a):
    user = _user()
    scope = common.Scope(user_id=user, session_id="run")
    turns = [
        ("Caroline", common.ROLE_USER, "What got you into running?"),
        ("Melanie", common.ROLE_ASSISTANT, "This has been great for my mental health."),
        ("Caroline", common.ROLE_USER, "Did you watch the match yesterday?"),
    ]
    said = await client_a.add_messages(
        scope,
        [common.NewMessage(role=role, speaker=name, content=text) for name, role, text in turns],
    )
    assert [m.speaker for m in said.memories] == ["Caroline", "Melanie", "Caroline"]
    for i in range(20):
        await client_a.add_memory(f"Shopping list number {i}: bread and milk", user_id=user)
    found = await client_a.search(
        "What got Melanie into running?", common.MemoryFilter(user_id=user), k=3
    )
    ids = [hit.memory.id for hit in found.hits]
    # The answer shares one word with the question; its neighbour, the question, matched.
    assert said.memories[1].id in ids[:2], [h.memory.content for h in found.hits]
    answer = found.hits[ids.index(said.memories[1].id)]
    assert answer.explanation.neighbour_term > 0.0
    assert answer.explanation.speaker_term > 0.0


async def test_scores_are_a_match_strength_a_caller_can_threshold(client_a):
    user = _user()
    for text in ("I adopted a grey cat named Pixel", "My dentist appointment is on Tuesday"):
        await client_a.add_memory(text, user_id=user)
    flt = common.MemoryFilter(user_id=user)
    related = await client_a.search("when is my dentist appointment?", flt)
    assert related.hits[0].score > 0.8
    unrelated = await client_a.search("quantum chromodynamics lattice", flt)
    assert all(0.0 <= hit.score < 0.2 for hit in unrelated.hits)
    assert (
        list((await client_a.search("quantum chromodynamics lattice", flt, min_score=0.5)).hits)
        == []
    )


async def test_search_outage_fails_fast_and_the_outbox_catches_up(stack, client_a):
    suite = stack.local_suite()
    user = _user()
    suite.kill("search")
    try:
        with pytest.raises(errors.Unavailable):
            await client_a.search("anything", common.MemoryFilter(user_id=user))
        written = await client_a.add_memories(
            [common.NewMemory(scope=common.Scope(user_id=user), content="Kiwi fruit for breakfast")]
        )
        assert _search_state(written) == common.PROPAGATION_STATE_PENDING
    finally:
        await suite.restart("search")
    async with asyncio.timeout(30):
        while True:
            try:
                found = await client_a.search("breakfast", common.MemoryFilter(user_id=user))
            except errors.Unavailable:
                found = None
            if found is not None and found.hits:
                break
            await asyncio.sleep(0.2)
    assert found.hits[0].memory.id == written.memories[0].id
