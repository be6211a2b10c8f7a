"""How stored jobs and memories are shown through ThoughtService."""

from __future__ import annotations

from memgrid.common.v1 import memory_pb2
from memgrid.memory.v1 import job_pb2
from memgrid.thought.v1 import request_response_pb2 as tpb
from memgrid_runtime.job_events import event_user

from services.thought_engine import records
from services.thought_engine.job_note import is_degraded
from services.thought_engine.patterns import PatternKind
from services.thought_engine.reconcile import StoredFact

_JOB_STATES = {
    job_pb2.JOB_STATE_PENDING: tpb.JOB_STATE_PENDING,
    job_pb2.JOB_STATE_LEASED: tpb.JOB_STATE_RUNNING,
    job_pb2.JOB_STATE_DONE: tpb.JOB_STATE_DONE,
    job_pb2.JOB_STATE_DEAD: tpb.JOB_STATE_DEAD,
}
_PATTERN_KINDS = {
    PatternKind.RECURRING_TOPIC.value: tpb.PATTERN_KIND_RECURRING_TOPIC,
    PatternKind.CO_OCCURRING_ENTITIES.value: tpb.PATTERN_KIND_CO_OCCURRING_ENTITIES,
    PatternKind.TIME_OF_DAY_HABIT.value: tpb.PATTERN_KIND_TIME_OF_DAY_HABIT,
    PatternKind.WEEKDAY_HABIT.value: tpb.PATTERN_KIND_WEEKDAY_HABIT,
}


def job_view(job: job_pb2.Job) -> tpb.Job:
    return tpb.Job(
        id=job.id,
        topic=job.topic,
        state=_JOB_STATES.get(job.state, tpb.JOB_STATE_UNSPECIFIED),
        attempts=job.attempts,
        max_attempts=job.max_attempts,
        last_error=job.last_error,
        note=job.note,
        degraded=is_degraded(job.note),
        created_at=job.created_at,
        updated_at=job.updated_at,
        user_id=event_user(job.event),
    )


def profile_entry(fact: StoredFact) -> tpb.ProfileEntry:
    return tpb.ProfileEntry(
        key=fact.fact.attribute,
        value=fact.fact.value,
        memory_id=fact.id,
        subject=fact.fact.subject,
        valid_from=records.to_timestamp(fact.valid_from),
        confidence=fact.fact.confidence,
        source_message_ids=list(fact.fact.source_message_ids),
    )


def pattern_view(memory: memory_pb2.Memory) -> tpb.Pattern:
    metadata = memory.metadata
    evidence = records.split_ids(metadata.get(records.EVIDENCE, ""))
    return tpb.Pattern(
        memory_id=memory.id,
        kind=_PATTERN_KINDS.get(
            metadata.get(records.PATTERN_KIND, ""), tpb.PATTERN_KIND_UNSPECIFIED
        ),
        key=metadata.get(records.PATTERN_KEY, ""),
        description=memory.content,
        support=int(metadata.get(records.SUPPORT, "0")),
        confidence=float(metadata.get(records.CONFIDENCE, "0")),
        evidence_message_ids=list(evidence or memory.source_message_ids),
        updated_at=memory.updated_at,
    )
