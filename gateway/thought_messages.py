"""Between the public thought calls (memgrid.gateway.v1) and the thought engine's own API.

The public messages mirror the engine's field for field, minus the tenant, which the
gateway adds from the caller's API key: the public contract must not depend on internal
packages, so the mapping is spelled out here once.
"""

from __future__ import annotations

from memgrid.gateway.v1 import request_response_pb2 as gw
from memgrid.thought.v1 import request_response_pb2 as tpb

_JOB_STATES = {
    tpb.JOB_STATE_PENDING: gw.JOB_STATE_PENDING,
    tpb.JOB_STATE_RUNNING: gw.JOB_STATE_RUNNING,
    tpb.JOB_STATE_DONE: gw.JOB_STATE_DONE,
    tpb.JOB_STATE_DEAD: gw.JOB_STATE_DEAD,
}
_PATTERN_KINDS = {
    tpb.PATTERN_KIND_RECURRING_TOPIC: gw.PATTERN_KIND_RECURRING_TOPIC,
    tpb.PATTERN_KIND_CO_OCCURRING_ENTITIES: gw.PATTERN_KIND_CO_OCCURRING_ENTITIES,
    tpb.PATTERN_KIND_TIME_OF_DAY_HABIT: gw.PATTERN_KIND_TIME_OF_DAY_HABIT,
    tpb.PATTERN_KIND_WEEKDAY_HABIT: gw.PATTERN_KIND_WEEKDAY_HABIT,
}
# An unknown verdict passes through as UNSPECIFIED, which the engine rejects by field name.
_VERDICTS = {
    gw.FEEDBACK_VERDICT_USEFUL: tpb.FEEDBACK_VERDICT_USEFUL,
    gw.FEEDBACK_VERDICT_NOT_USEFUL: tpb.FEEDBACK_VERDICT_NOT_USEFUL,
}


def job(internal: tpb.Job) -> gw.Job:
    return gw.Job(
        id=internal.id,
        topic=internal.topic,
        state=_JOB_STATES.get(internal.state, gw.JOB_STATE_UNSPECIFIED),
        attempts=internal.attempts,
        max_attempts=internal.max_attempts,
        last_error=internal.last_error,
        note=internal.note,
        degraded=internal.degraded,
        created_at=internal.created_at,
        updated_at=internal.updated_at,
    )


def profile_entry(internal: tpb.ProfileEntry) -> gw.ProfileEntry:
    return gw.ProfileEntry(
        key=internal.key,
        value=internal.value,
        memory_id=internal.memory_id,
        subject=internal.subject,
        valid_from=internal.valid_from,
        confidence=internal.confidence,
        source_message_ids=internal.source_message_ids,
    )


def pattern(internal: tpb.Pattern) -> gw.Pattern:
    return gw.Pattern(
        memory_id=internal.memory_id,
        kind=_PATTERN_KINDS.get(internal.kind, gw.PATTERN_KIND_UNSPECIFIED),
        key=internal.key,
        description=internal.description,
        support=internal.support,
        confidence=internal.confidence,
        evidence_message_ids=internal.evidence_message_ids,
        updated_at=internal.updated_at,
    )


def verdict(public: gw.FeedbackVerdict.ValueType) -> tpb.FeedbackVerdict.ValueType:
    return _VERDICTS.get(public, tpb.FEEDBACK_VERDICT_UNSPECIFIED)


def chat_request(tenant_id: str, public: gw.ChatRequest) -> tpb.ChatRequest:
    return tpb.ChatRequest(
        tenant_id=tenant_id,
        scope=public.scope,
        message=public.message,
        k=public.k,
        idempotency_key=public.idempotency_key,
    )


def chat_response(internal: tpb.ChatResponse) -> gw.ChatResponse:
    event = internal.WhichOneof("event")
    if event == "context":
        context = internal.context
        return gw.ChatResponse(
            context=gw.ChatContext(
                memories=context.memories,
                profile=[profile_entry(entry) for entry in context.profile],
                degraded=context.degraded,
            )
        )
    if event == "delta":
        return gw.ChatResponse(delta=internal.delta)
    completed = internal.completed
    return gw.ChatResponse(
        completed=gw.ChatCompleted(
            answer=completed.answer,
            user_message_id=completed.user_message_id,
            assistant_message_id=completed.assistant_message_id,
            model=completed.model,
            prompt_tokens=completed.prompt_tokens,
            completion_tokens=completed.completion_tokens,
        )
    )
