"""ThoughtService on a real aio server (port 0) over a real memory-store: each RPC's wiring,
tenant scoping, and errors that reach the client as rich statuses naming the field."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import grpc
import pytest
from memgrid.common.v1 import memory_pb2 as mpb
from memgrid.thought.v1 import request_response_pb2 as tpb
from memgrid.thought.v1 import service_pb2_grpc
from memgrid_runtime import errors
from memgrid_runtime.channels import connect
from memgrid_runtime.server import GrpcService, start_server
from memgrid_runtime.settings import ServerSettings

from services.memory_store.store.config import JobPolicy, StoreConfig
from services.thought_engine.__main__ import SERVICE
from services.thought_engine.job_plan import consolidation_event
from services.thought_engine.settings import ThoughtEngineSettings
from services.thought_engine.wiring import Engine, build_engine
from tests.thought_engine.conftest import MemoryStoreServer, serve_memory_store
from tests.thought_engine.support import OTHER_TENANT, TENANT, append, settings

if TYPE_CHECKING:
    from memgrid.thought.v1.service_pb2_grpc import ThoughtServiceAsyncStub


@dataclass
class Thought:
    stub: ThoughtServiceAsyncStub
    engine: Engine
    memory_store: MemoryStoreServer

    async def work(self) -> int:
        assert self.engine.workers is not None
        return await self.engine.workers.run_once()


@asynccontextmanager
async def serve_thought(
    memory_store: MemoryStoreServer, engine_settings: ThoughtEngineSettings
) -> AsyncIterator[Thought]:
    engine = build_engine(engine_settings, memory_store.client)
    running = await start_server(
        ServerSettings.for_tests("thought-engine"),
        [
            GrpcService(
                SERVICE, engine.servicer, service_pb2_grpc.add_ThoughtServiceServicer_to_server
            )
        ],
    )
    channel = connect(running.address)
    try:
        yield Thought(service_pb2_grpc.ThoughtServiceStub(channel), engine, memory_store)
    finally:
        await channel.close(None)
        await running.stop(0)
        await engine.close()


@pytest.fixture
async def thought(memory_store: MemoryStoreServer) -> AsyncIterator[Thought]:
    async with serve_thought(memory_store, settings()) as service:
        yield service


async def rpc_error(call: Awaitable[Any]) -> errors.MemgridError:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await call
    return errors.from_rpc_error(caught.value)


def fields(error: errors.MemgridError) -> list[str]:
    assert isinstance(error, errors.InvalidArgument)
    return [v.field for v in error.violations]


async def test_consolidate_enqueues_one_job_that_get_job_follows_to_done(
    thought: Thought,
) -> None:
    await append(thought.memory_store.client, [("user", "I live in Paris.")])
    request = tpb.ConsolidateRequest(tenant_id=TENANT, user_id="alice")

    first = await thought.stub.Consolidate(request)
    second = await thought.stub.Consolidate(request)
    waiting = await thought.stub.GetJob(tpb.GetJobRequest(tenant_id=TENANT, job_id=first.job_id))
    await thought.work()
    done = await thought.stub.GetJob(tpb.GetJobRequest(tenant_id=TENANT, job_id=first.job_id))

    assert (first.created, second.created, second.job_id) == (True, False, first.job_id)
    assert (waiting.job.state, waiting.job.topic) == (
        tpb.JOB_STATE_PENDING,
        "consolidation.requested",
    )
    assert (done.job.state, done.job.attempts, done.job.degraded) == (tpb.JOB_STATE_DONE, 1, False)
    # The turn's own job ran first in the batch; the consolidation found it known.
    assert done.job.note.startswith("facts: 0 added, 0 updated, 0 superseded, 1 skipped")
    assert "heat: " in done.job.note and "patterns: " in done.job.note


async def test_get_job_shows_only_the_tenants_own_thought_jobs(thought: Thought) -> None:
    job = await thought.stub.Consolidate(tpb.ConsolidateRequest(tenant_id=TENANT, user_id="alice"))
    search_job = await thought.memory_store.client.enqueue(
        TENANT, "search", consolidation_event("alice", ""), ""
    )

    other_tenant = await rpc_error(
        thought.stub.GetJob(tpb.GetJobRequest(tenant_id=OTHER_TENANT, job_id=job.job_id))
    )
    other_queue = await rpc_error(
        thought.stub.GetJob(tpb.GetJobRequest(tenant_id=TENANT, job_id=search_job[0].id))
    )

    assert isinstance(other_tenant, errors.NotFound)
    assert isinstance(other_queue, errors.NotFound)


async def test_a_dead_job_shows_its_error(tmp_path: Path) -> None:
    config = StoreConfig(jobs=JobPolicy(max_attempts=1))
    async with (
        serve_memory_store(tmp_path / "store.db", config) as memory_store,
        serve_thought(memory_store, settings()) as thought,
    ):
        job = await memory_store.enqueue_untyped_consolidation(TENANT)
        await thought.work()

        reply = await thought.stub.GetJob(tpb.GetJobRequest(tenant_id=TENANT, job_id=job.id))

    assert reply.job.state == tpb.JOB_STATE_DEAD
    assert reply.job.last_error == "incomplete consolidation.requested event: user_id is required"


async def test_get_profile_lists_the_current_facts_of_the_user_and_of_their_people(
    thought: Thought,
) -> None:
    said = await append(
        thought.memory_store.client,
        [("user", "I live in Paris. My sister Anna works at Google. I moved to Berlin.")],
    )
    await thought.work()

    profile = await thought.stub.GetProfile(
        tpb.GetProfileRequest(tenant_id=TENANT, user_id="alice")
    )
    nobody = await thought.stub.GetProfile(tpb.GetProfileRequest(tenant_id=TENANT, user_id="bob"))
    elsewhere = await thought.stub.GetProfile(
        tpb.GetProfileRequest(tenant_id=OTHER_TENANT, user_id="alice")
    )

    assert [(e.key, e.value) for e in profile.entries] == [("lives_in", "Berlin")]
    assert list(profile.entries[0].source_message_ids) == [said[0].id]
    assert [(e.subject, e.key, e.value) for e in profile.related_facts] == [
        ("user's sister", "name", "Anna"),
        ("user's sister", "works_at", "Google"),
    ]
    assert not nobody.entries and not elsewhere.entries


async def test_list_patterns_pages_through_the_users_patterns(thought: Thought) -> None:
    store = thought.memory_store.client
    for week in range(3):
        await append(
            store,
            [("user", f"Hiking with Anna near Chamonix again, week {week}.")],
            session_id=f"hike-{week}",
        )
    await thought.stub.Consolidate(tpb.ConsolidateRequest(tenant_id=TENANT, user_id="alice"))
    await thought.work()

    first = await thought.stub.ListPatterns(
        tpb.ListPatternsRequest(tenant_id=TENANT, user_id="alice", page_size=2)
    )
    rest = await thought.stub.ListPatterns(
        tpb.ListPatternsRequest(
            tenant_id=TENANT, user_id="alice", page_size=100, page_token=first.next_page_token
        )
    )

    patterns = [*first.patterns, *rest.patterns]
    assert len(first.patterns) == 2 and first.next_page_token and not rest.next_page_token
    topic = next(p for p in patterns if p.key == "topic:hik")
    assert topic.kind == tpb.PATTERN_KIND_RECURRING_TOPIC
    assert (topic.support, round(topic.confidence, 3)) == (3, 1.0)
    assert len(topic.evidence_message_ids) == 3
    assert {p.kind for p in patterns} >= {
        tpb.PATTERN_KIND_RECURRING_TOPIC,
        tpb.PATTERN_KIND_CO_OCCURRING_ENTITIES,
    }


async def test_feedback_moves_importance_and_counts_the_judgements(thought: Thought) -> None:
    (memory,) = await thought.memory_store.client.create_memories(
        TENANT,
        [mpb.NewMemory(scope=mpb.Scope(user_id="alice"), content="The Thai place is great.")],
        idempotency_key="",
    )

    useful = await thought.stub.RecordFeedback(
        tpb.RecordFeedbackRequest(
            tenant_id=TENANT, memory_id=memory.id, verdict=tpb.FEEDBACK_VERDICT_USEFUL
        )
    )
    not_useful = await thought.stub.RecordFeedback(
        tpb.RecordFeedbackRequest(
            tenant_id=TENANT, memory_id=memory.id, verdict=tpb.FEEDBACK_VERDICT_NOT_USEFUL
        )
    )

    assert (useful.importance_before, round(useful.importance_after, 3)) == (0.5, 0.635)
    assert useful.feedback_count == 1
    assert useful.explanation.startswith("marked useful: importance 0.50 -> 0.64")
    assert round(useful.memory.importance, 3) == 0.635
    assert not_useful.feedback_count == 2
    assert not_useful.importance_after < not_useful.importance_before
    stored = await thought.memory_store.client.get_memory(TENANT, memory.id)
    assert stored.importance == pytest.approx(not_useful.importance_after)


async def test_feedback_on_a_memory_the_tenant_does_not_have_is_not_found(
    thought: Thought,
) -> None:
    (memory,) = await thought.memory_store.client.create_memories(
        OTHER_TENANT,
        [mpb.NewMemory(scope=mpb.Scope(user_id="alice"), content="Theirs.")],
        idempotency_key="",
    )

    error = await rpc_error(
        thought.stub.RecordFeedback(
            tpb.RecordFeedbackRequest(
                tenant_id=TENANT, memory_id=memory.id, verdict=tpb.FEEDBACK_VERDICT_USEFUL
            )
        )
    )

    assert isinstance(error, errors.NotFound)


async def test_bad_requests_name_every_bad_field(thought: Thought) -> None:
    stub = thought.stub
    consolidate = await rpc_error(stub.Consolidate(tpb.ConsolidateRequest(session_id="bad id")))
    feedback = await rpc_error(
        stub.RecordFeedback(tpb.RecordFeedbackRequest(tenant_id=TENANT, memory_id="m1"))
    )
    patterns = await rpc_error(
        stub.ListPatterns(tpb.ListPatternsRequest(tenant_id=TENANT, user_id="a", page_size=-1))
    )
    chat = stub.Chat(
        tpb.ChatRequest(tenant_id=TENANT, scope=mpb.Scope(user_id="alice"), message="  ", k=99)
    )
    chat_error = await rpc_error(chat.read())

    assert fields(consolidate) == ["tenant_id", "user_id", "session_id"]
    assert fields(feedback) == ["verdict"]
    assert fields(patterns) == ["page_size"]
    assert fields(chat_error) == ["scope.session_id", "message", "k"]


async def test_chat_without_an_llm_is_a_failed_precondition(thought: Thought) -> None:
    call = thought.stub.Chat(
        tpb.ChatRequest(
            tenant_id=TENANT, scope=mpb.Scope(user_id="alice", session_id="s1"), message="Hi"
        )
    )

    error = await rpc_error(call.read())

    assert isinstance(error, errors.FailedPrecondition)
    assert error.reason == "LLM_NOT_CONFIGURED"


async def test_chat_streams_an_answer_from_the_llm_and_stores_the_exchange_once(
    memory_store: MemoryStoreServer, llm_base_url: str
) -> None:
    llm = settings(
        MEMGRID_LLM_BASE_URL=llm_base_url,
        MEMGRID_LLM_MODEL="gemma-3-270m",
        MEMGRID_LLM_TIMEOUT_SECONDS="110",
        MEMGRID_THOUGHT_CHAT_MAX_TOKENS="16",
    )
    await append(memory_store.client, [("user", "I live in Paris.")])
    # Consolidated without the model: this test is about Chat, and extraction through a
    # 270M model is slow and unreliable.
    deterministic = build_engine(settings(), memory_store.client).workers
    assert deterministic is not None
    await deterministic.run_once()
    async with serve_thought(memory_store, llm) as thought:
        request = tpb.ChatRequest(
            tenant_id=TENANT,
            scope=mpb.Scope(user_id="alice", session_id="s1"),
            message="Where do I live?",
            idempotency_key="chat-1",
        )

        events = [event async for event in thought.stub.Chat(request, timeout=120)]
        replayed = [event async for event in thought.stub.Chat(request, timeout=10)]

    kinds = [event.WhichOneof("event") for event in events]
    assert kinds[0] == "context" and kinds[-1] == "completed"
    assert set(kinds[1:-1]) <= {"delta"}
    context, completed = events[0].context, events[-1].completed
    assert [(e.key, e.value) for e in context.profile] == [("lives_in", "Paris")]
    assert list(context.degraded) == ["search"]
    assert completed.answer == "".join(e.delta for e in events[1:-1]).strip()
    assert completed.model == "gemma-3-270m"
    stored = await memory_store.client.batch_get(
        TENANT, [completed.user_message_id, completed.assistant_message_id]
    )
    assert stored[0].content == "Where do I live?"
    assert stored[0].role == mpb.ROLE_USER
    if completed.answer:
        assert (stored[1].role, stored[1].content) == (mpb.ROLE_ASSISTANT, completed.answer)
    assert replayed[-1].completed.user_message_id == completed.user_message_id
    assert replayed[-1].completed.answer == completed.answer
    session = await memory_store.client.list_all(
        TENANT, mpb.MemoryFilter(user_id="alice", session_id="s1")
    )
    # The earlier turn and one exchange: the replay stored nothing.
    assert len(session) == 1 + (2 if completed.answer else 1)


async def test_a_dead_job_is_retried_in_its_tenant_only_and_once(tmp_path: Path) -> None:
    config = StoreConfig(jobs=JobPolicy(max_attempts=1))
    async with (
        serve_memory_store(tmp_path / "store.db", config) as memory_store,
        serve_thought(memory_store, settings()) as thought,
    ):
        job = await memory_store.enqueue_untyped_consolidation(TENANT)
        await thought.work()
        search_job, _ = await memory_store.client.enqueue(
            TENANT, "search", consolidation_event("alice", ""), ""
        )

        other_tenant = await rpc_error(
            thought.stub.RetryJob(tpb.RetryJobRequest(tenant_id=OTHER_TENANT, job_id=job.id))
        )
        other_queue = await rpc_error(
            thought.stub.RetryJob(tpb.RetryJobRequest(tenant_id=TENANT, job_id=search_job.id))
        )
        empty = await rpc_error(thought.stub.RetryJob(tpb.RetryJobRequest(tenant_id=TENANT)))
        still_dead = await thought.stub.GetJob(tpb.GetJobRequest(tenant_id=TENANT, job_id=job.id))
        retried = await thought.stub.RetryJob(tpb.RetryJobRequest(tenant_id=TENANT, job_id=job.id))
        again = await rpc_error(
            thought.stub.RetryJob(tpb.RetryJobRequest(tenant_id=TENANT, job_id=job.id))
        )

    assert isinstance(other_tenant, errors.NotFound)
    assert isinstance(other_queue, errors.NotFound)
    assert isinstance(empty, errors.InvalidArgument)
    assert [v.field for v in empty.violations] == ["job_id"]
    assert still_dead.job.state == tpb.JOB_STATE_DEAD
    assert (retried.job.state, retried.job.attempts) == (tpb.JOB_STATE_PENDING, 0)
    assert isinstance(again, errors.FailedPrecondition)
    assert again.reason == "JOB_NOT_DEAD"
