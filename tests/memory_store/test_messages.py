"""Contract: appending conversation turns to sessions."""

from __future__ import annotations

import asyncio

from google.protobuf import timestamp_pb2
from memgrid.common.v1 import memory_pb2 as mpb

from services.memory_store.store.sql_store import SqlMemoryStore
from tests.memory_store.support import TENANT, all_jobs, append_request


async def test_turns_are_numbered_after_the_sessions_last(store: SqlMemoryStore) -> None:
    first = await store.append_messages(append_request("hello", "hi there"))
    second = await store.append_messages(append_request("how are you?"))
    other_session = await store.append_messages(append_request("new chat", session_id="s2"))

    assert [m.session_seq for m in first.memories] == [1, 2]
    assert [m.session_seq for m in second.memories] == [3]
    assert [m.session_seq for m in other_session.memories] == [1]
    hello, reply = first.memories
    assert (hello.kind, hello.tier, hello.role) == (
        mpb.MEMORY_KIND_MESSAGE,
        mpb.MEMORY_TIER_SHORT,
        mpb.ROLE_USER,
    )
    assert reply.role == mpb.ROLE_ASSISTANT
    assert hello.scope.session_id == "session-1"
    assert await store.get_memory(TENANT, reply.id) == reply
    listed = await store.list_memories(TENANT, mpb.MemoryFilter(session_id="session-1"), 10)
    assert [m.content for m in listed.memories] == ["hello", "hi there", "how are you?"]


async def test_occurred_at_becomes_valid_from(store: SqlMemoryStore, clock) -> None:
    request = append_request("said yesterday")
    said = timestamp_pb2.Timestamp()
    said.FromMicroseconds(clock.now_us() - 86_400_000_000)
    request.messages[0].occurred_at.CopyFrom(said)
    [message] = (await store.append_messages(request)).memories
    assert message.valid_from == said
    assert message.created_at.ToMicroseconds() == clock.now_us()


async def test_concurrent_appends_never_share_or_skip_a_number(store_factory) -> None:
    # Two store instances on one database: two service replicas appending to one session.
    replicas = [await store_factory(), await store_factory()]

    async def append(n: int):
        replica = replicas[n % 2]
        return await replica.append_messages(append_request(f"{n}a", f"{n}b", f"{n}c"))

    responses = await asyncio.gather(*(append(n) for n in range(20)))

    numbers = sorted(m.session_seq for r in responses for m in r.memories)
    assert numbers == list(range(1, 61))
    for response in responses:
        seqs = [m.session_seq for m in response.memories]
        assert seqs == list(range(seqs[0], seqs[0] + 3))


async def test_the_session_consumer_gets_one_job_per_append(store: SqlMemoryStore) -> None:
    response = await store.append_messages(append_request("one", "two"))
    ids = [m.id for m in response.memories]

    search_jobs = await all_jobs(store, "search")
    assert sorted(job.memory_id for job in search_jobs) == sorted(ids)
    assert {job.event.WhichOneof("event") for job in search_jobs} == {"memory_upserted"}
    # The graph subscribes to deletes only.
    assert await all_jobs(store, "graph") == []
    [thought] = await all_jobs(store, "thought")
    assert thought.topic == "messages.appended"
    appended = thought.event.messages_appended
    assert list(appended.memory_ids) == ids
    assert (appended.first_session_seq, appended.last_session_seq) == (1, 2)
    assert appended.scope.session_id == "session-1"
