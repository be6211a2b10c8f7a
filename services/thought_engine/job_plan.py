"""Turns a leased batch of "thought" jobs into units of work.

Every AppendMessages puts one messages.appended job in the queue, so a busy session has
many jobs waiting: they are merged into one session pass over all their turns, which is
what lets consolidation keep up with a conversation however fast it goes. On-demand
consolidations become user passes. The thought queue subscribes to nothing else; a job with
another event (enqueued by hand, or written before queues subscribed) is acked as ignored.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from memgrid.common.v1 import memory_pb2
from memgrid.memory.v1 import job_pb2

QUEUE = "thought"
# The cases of memory.v1 JobEvent this queue acts on.
MESSAGES_APPENDED = "messages_appended"
CONSOLIDATION_REQUESTED = "consolidation_requested"


@dataclass
class SessionUnit:
    tenant_id: str
    scope: memory_pb2.Scope
    message_ids: list[str] = field(default_factory=list)
    first_seq: int = 0
    """The lowest session_seq of the appended turns."""
    last_seq: int = 0
    jobs: list[job_pb2.Job] = field(default_factory=list)

    @property
    def session_started(self) -> bool:
        return self.first_seq == 1


@dataclass
class UserUnit:
    tenant_id: str
    user_id: str
    session_id: str
    jobs: list[job_pb2.Job] = field(default_factory=list)


@dataclass(frozen=True)
class Rejected:
    job: job_pb2.Job
    error: str


@dataclass
class Plan:
    units: list[SessionUnit | UserUnit] = field(default_factory=list)
    ignored: list[job_pb2.Job] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)


def consolidation_event(user_id: str, session_id: str) -> job_pb2.JobEvent:
    return job_pb2.JobEvent(
        consolidation_requested=job_pb2.ConsolidationRequested(
            user_id=user_id, session_id=session_id
        )
    )


def plan(jobs: Sequence[job_pb2.Job]) -> Plan:
    result = Plan()
    sessions: dict[tuple[str, str, str], SessionUnit] = {}
    users: dict[tuple[str, str, str], UserUnit] = {}
    for job in jobs:
        case = job.event.WhichOneof("event")
        if case == MESSAGES_APPENDED:
            problem = _add_appended(sessions, job, job.event.messages_appended)
        elif case == CONSOLIDATION_REQUESTED:
            problem = _add_requested(users, job, job.event.consolidation_requested)
        else:
            result.ignored.append(job)
            continue
        if problem:
            result.rejected.append(Rejected(job, f"incomplete {job.topic} event: {problem}"))
    result.units = [*sessions.values(), *users.values()]
    return result


def _add_appended(
    sessions: dict[tuple[str, str, str], SessionUnit],
    job: job_pb2.Job,
    appended: job_pb2.MessagesAppended,
) -> str:
    """Merges the event into its session's unit; returns what is missing, if anything.

    memory-store validates events it is asked to enqueue; these checks catch the events it
    typed from jobs written before events were (schema version 4)."""
    scope = appended.scope
    if not scope.user_id or not scope.session_id:
        return "scope.user_id and scope.session_id are required"
    if not appended.memory_ids or not all(appended.memory_ids):
        return "memory_ids must be a list of ids"
    if appended.first_session_seq < 1 or appended.last_session_seq < appended.first_session_seq:
        return "first_session_seq and last_session_seq must be positive and in order"
    key = (job.tenant_id, scope.user_id, scope.session_id)
    unit = sessions.get(key)
    if unit is None:
        unit = sessions[key] = SessionUnit(
            job.tenant_id, scope, first_seq=appended.first_session_seq
        )
    unit.message_ids.extend(i for i in appended.memory_ids if i not in unit.message_ids)
    unit.first_seq = min(unit.first_seq, appended.first_session_seq)
    unit.last_seq = max(unit.last_seq, appended.last_session_seq)
    unit.jobs.append(job)
    return ""


def _add_requested(
    users: dict[tuple[str, str, str], UserUnit],
    job: job_pb2.Job,
    requested: job_pb2.ConsolidationRequested,
) -> str:
    if not requested.user_id:
        return "user_id is required"
    key = (job.tenant_id, requested.user_id, requested.session_id)
    unit = users.setdefault(key, UserUnit(job.tenant_id, requested.user_id, requested.session_id))
    unit.jobs.append(job)
    return ""
