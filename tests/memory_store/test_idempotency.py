"""Contract: idempotency keys make retried writes safe."""

from __future__ import annotations

import asyncio

import pytest
from memgrid_runtime.errors import FailedPrecondition, NotFound

from services.memory_store.store.config import StoreConfig
from services.memory_store.store.sql_store import SqlMemoryStore
from tests.memory_store.support import (
    OTHER_TENANT,
    TENANT,
    all_jobs,
    append_request,
    create_request,
    new_memory,
)


async def test_a_retry_replays_the_first_response_and_writes_nothing(
    store: SqlMemoryStore,
) -> None:
    request = create_request(new_memory("a"), new_memory("b"), idempotency_key="req-1")
    first = await store.create_memories(request)
    jobs = len(await all_jobs(store))

    retry = await store.create_memories(request)

    assert not first.replayed
    assert retry.replayed
    assert list(retry.memories) == list(first.memories)
    assert list(retry.outcomes) == list(first.outcomes)
    assert await store.count_memories(TENANT) == 2
    assert len(await all_jobs(store)) == jobs


async def test_the_same_key_with_another_request_is_refused(store: SqlMemoryStore) -> None:
    await store.create_memories(create_request(new_memory("a"), idempotency_key="req-1"))
    with pytest.raises(FailedPrecondition) as caught:
        await store.create_memories(create_request(new_memory("b"), idempotency_key="req-1"))
    assert caught.value.reason == "IDEMPOTENCY_KEY_REUSED"
    with pytest.raises(FailedPrecondition):
        await store.append_messages(append_request("a", idempotency_key="req-1"))
    assert await store.count_memories(TENANT) == 1


async def test_keys_belong_to_one_tenant(store: SqlMemoryStore) -> None:
    await store.create_memories(create_request(new_memory("a"), idempotency_key="req-1"))
    other = await store.create_memories(
        create_request(new_memory("a"), tenant_id=OTHER_TENANT, idempotency_key="req-1")
    )
    assert not other.replayed
    assert await store.count_memories(OTHER_TENANT) == 1


async def test_appends_replay_too(store: SqlMemoryStore) -> None:
    request = append_request("hello", idempotency_key="turn-1")
    first = await store.append_messages(request)
    retry = await store.append_messages(request)
    assert retry.replayed
    assert list(retry.memories) == list(first.memories)
    follow_up = await store.append_messages(append_request("next"))
    assert [m.session_seq for m in follow_up.memories] == [2]


async def test_a_failed_write_does_not_use_up_its_key(store: SqlMemoryStore) -> None:
    request = create_request(new_memory("x", cube_id="notes"), idempotency_key="req-1")
    with pytest.raises(NotFound):
        await store.create_memories(request)
    await store.create_cube(TENANT, "notes", "alice", "Notes", "")
    response = await store.create_memories(request)
    assert not response.replayed
    assert await store.count_memories(TENANT) == 1


async def test_keys_expire_after_the_retention(store_factory, clock) -> None:
    store = await store_factory(StoreConfig(idempotency_retention_seconds=3600))
    await store.create_memories(create_request(new_memory("a"), idempotency_key="req-1"))
    clock.advance(3599)
    assert await store.delete_expired_idempotency_keys() == 0
    with pytest.raises(FailedPrecondition):
        await store.create_memories(create_request(new_memory("b"), idempotency_key="req-1"))

    clock.advance(2)
    # Past the retention the key is free even before the sweeper removes it...
    reused = await store.create_memories(create_request(new_memory("b"), idempotency_key="req-1"))
    assert not reused.replayed
    clock.advance(3601)
    # ...and the sweeper removes it.
    assert await store.delete_expired_idempotency_keys() == 1


async def test_concurrent_retries_write_once(store_factory) -> None:
    replicas = [await store_factory(), await store_factory()]
    request = create_request(new_memory("once"), idempotency_key="req-1")

    responses = await asyncio.gather(*(replicas[n % 2].create_memories(request) for n in range(10)))

    assert sum(not response.replayed for response in responses) == 1
    assert {response.memories[0].id for response in responses} == {responses[0].memories[0].id}
    assert await replicas[0].count_memories(TENANT) == 1
