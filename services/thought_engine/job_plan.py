"""Turns a leased batch of "thought" jobs into units of work.

Every AppendMessages puts one messages.appended job in the queue, so a busy session has
many jobs waiting: they are merged into one session pass over all their turns, which is
what lets consolidation keep up with a conversation however fast it goes. On-demand
consolidations become user passes. The outbox also sends the thought queue every other
memory change (memory.upserted, memory.deleted), the engine's own writes included; the
engine derives nothing from those, so they are acked as ignored.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from memgrid.common.v1 import memory_pb2
from memgrid.memory.v1 import job_pb2

QUEUE = "thought"
MESSAGES_APPENDED = "messages.appended"
CONSOLIDATION_REQUESTED = "consolidation.requested"


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


def consolidation_payload(user_id: str, session_id: str) -> str:
    return json.dumps({"user_id": user_id, "session_id": session_id}, sort_keys=True)


def plan(jobs: Sequence[job_pb2.Job]) -> Plan:
    result = Plan()
    sessions: dict[tuple[str, str, str], SessionUnit] = {}
    users: dict[tuple[str, str, str], UserUnit] = {}
    for job in jobs:
        if job.topic not in (MESSAGES_APPENDED, CONSOLIDATION_REQUESTED):
            result.ignored.append(job)
            continue
        try:
            payload = _payload(job)
            if job.topic == MESSAGES_APPENDED:
                _add_appended(sessions, job, payload)
            else:
                _add_requested(users, job, payload)
        except ValueError as error:
            result.rejected.append(Rejected(job, f"malformed {job.topic} payload: {error}"))
    result.units = [*sessions.values(), *users.values()]
    return result


def _payload(job: job_pb2.Job) -> dict[str, Any]:
    try:
        payload = json.loads(job.payload_json or "{}")
    except json.JSONDecodeError as error:
        raise ValueError(f"not JSON ({error})") from None
    if not isinstance(payload, dict):
        raise ValueError("not a JSON object")
    return payload


def _text(payload: dict[str, Any], key: str, *, required: bool) -> str:
    value = payload.get(key, "")
    if not isinstance(value, str) or (required and not value):
        raise ValueError(f"{key} must be a {'non-empty ' if required else ''}string")
    return value


def _add_appended(
    sessions: dict[tuple[str, str, str], SessionUnit], job: job_pb2.Job, payload: dict[str, Any]
) -> None:
    raw_scope = payload.get("scope")
    if not isinstance(raw_scope, dict):
        raise ValueError("scope must be an object")
    scope = memory_pb2.Scope(
        user_id=_text(raw_scope, "user_id", required=True),
        agent_id=_text(raw_scope, "agent_id", required=False),
        session_id=_text(raw_scope, "session_id", required=True),
        cube_id=_text(raw_scope, "cube_id", required=False),
    )
    ids = payload.get("memory_ids")
    if not isinstance(ids, list) or not all(isinstance(i, str) and i for i in ids):
        raise ValueError("memory_ids must be a list of ids")
    first_seq, last_seq = payload.get("first_session_seq"), payload.get("last_session_seq")
    if not isinstance(first_seq, int) or not isinstance(last_seq, int) or first_seq < 1:
        raise ValueError("first_session_seq and last_session_seq must be positive integers")
    key = (job.tenant_id, scope.user_id, scope.session_id)
    unit = sessions.get(key)
    if unit is None:
        unit = sessions[key] = SessionUnit(job.tenant_id, scope, first_seq=first_seq)
    unit.message_ids.extend(i for i in ids if i not in unit.message_ids)
    unit.first_seq = min(unit.first_seq, first_seq)
    unit.last_seq = max(unit.last_seq, last_seq)
    unit.jobs.append(job)


def _add_requested(
    users: dict[tuple[str, str, str], UserUnit], job: job_pb2.Job, payload: dict[str, Any]
) -> None:
    user_id = _text(payload, "user_id", required=True)
    session_id = _text(payload, "session_id", required=False)
    key = (job.tenant_id, user_id, session_id)
    users.setdefault(key, UserUnit(job.tenant_id, user_id, session_id)).jobs.append(job)
