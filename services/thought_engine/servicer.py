"""ThoughtService: the calls built on the engine's knowledge, scoped by the request's tenant."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator

import grpc
from memgrid.common.v1 import memory_pb2
from memgrid.thought.v1 import request_response_pb2 as tpb
from memgrid.thought.v1 import service_pb2_grpc
from memgrid_runtime.errors import NotFound

from services.thought_engine import validation
from services.thought_engine.chat import ChatService
from services.thought_engine.feedback_recorder import FeedbackRecorder
from services.thought_engine.job_plan import QUEUE, consolidation_event
from services.thought_engine.memory_store_client import MemoryStoreClient
from services.thought_engine.profile import ProfileReader
from services.thought_engine.views import job_view, pattern_view, profile_entry

_DEFAULT_PAGE_SIZE = 50


class ThoughtServicer(service_pb2_grpc.ThoughtServiceServicer):
    def __init__(
        self,
        store: MemoryStoreClient,
        profiles: ProfileReader,
        feedback: FeedbackRecorder,
        chat: ChatService,
    ) -> None:
        self._store = store
        self._profiles = profiles
        self._feedback = feedback
        self._chat = chat

    async def Consolidate(
        self, request: tpb.ConsolidateRequest, context: grpc.aio.ServicerContext
    ) -> tpb.ConsolidateResponse:
        validation.check_consolidate(request)
        job, created = await self._store.enqueue(
            request.tenant_id,
            QUEUE,
            consolidation_event(request.user_id, request.session_id),
            # One waiting consolidation per user (and session) is enough: a second request
            # before it runs would do the same work.
            dedup_key=_consolidation_key(request),
        )
        return tpb.ConsolidateResponse(job_id=job.id, created=created)

    async def GetJob(
        self, request: tpb.GetJobRequest, context: grpc.aio.ServicerContext
    ) -> tpb.GetJobResponse:
        validation.check_get_job(request)
        job = await self._store.get_job(request.tenant_id, request.job_id)
        if job.queue != QUEUE:
            # Other consumers' jobs are not this service's to show.
            raise NotFound("job", request.job_id)
        return tpb.GetJobResponse(job=job_view(job))

    async def RetryJob(
        self, request: tpb.RetryJobRequest, context: grpc.aio.ServicerContext
    ) -> tpb.RetryJobResponse:
        validation.check_retry_job(request)
        job = await self._store.get_job(request.tenant_id, request.job_id)
        if job.queue != QUEUE:
            raise NotFound("job", request.job_id)
        retried = await self._store.retry_dead_job(request.tenant_id, request.job_id)
        return tpb.RetryJobResponse(job=job_view(retried))

    async def GetProfile(
        self, request: tpb.GetProfileRequest, context: grpc.aio.ServicerContext
    ) -> tpb.GetProfileResponse:
        validation.check_get_profile(request)
        profile = await self._profiles.read(request.tenant_id, request.user_id)
        return tpb.GetProfileResponse(
            entries=[profile_entry(fact) for fact in profile.own],
            related_facts=[profile_entry(fact) for fact in profile.related],
        )

    async def ListPatterns(
        self, request: tpb.ListPatternsRequest, context: grpc.aio.ServicerContext
    ) -> tpb.ListPatternsResponse:
        validation.check_list_patterns(request)
        memories, token = await self._store.list_page(
            request.tenant_id,
            memory_pb2.MemoryFilter(
                user_id=request.user_id, kinds=[memory_pb2.MEMORY_KIND_PATTERN]
            ),
            request.page_size or _DEFAULT_PAGE_SIZE,
            request.page_token,
        )
        return tpb.ListPatternsResponse(
            patterns=[pattern_view(m) for m in memories], next_page_token=token
        )

    async def RecordFeedback(
        self, request: tpb.RecordFeedbackRequest, context: grpc.aio.ServicerContext
    ) -> tpb.RecordFeedbackResponse:
        validation.check_record_feedback(request)
        memory, change = await self._feedback.record(
            request.tenant_id,
            request.memory_id,
            useful=request.verdict == tpb.FEEDBACK_VERDICT_USEFUL,
        )
        return tpb.RecordFeedbackResponse(
            memory=memory,
            importance_before=change.before,
            importance_after=change.after,
            feedback_count=change.feedback_count,
            explanation=change.explanation,
        )

    async def Chat(
        self, request: tpb.ChatRequest, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[tpb.ChatResponse]:
        validation.check_chat(request)
        async for response in self._chat.chat(request):
            yield response


def _consolidation_key(request: tpb.ConsolidateRequest) -> str:
    scope = f"{request.tenant_id}|{request.user_id}|{request.session_id}"
    return "consolidate:" + hashlib.sha256(scope.encode()).hexdigest()[:40]
