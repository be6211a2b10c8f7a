"""Grouping a leased batch: one pass per session, per requested user; the rest ignored."""

from __future__ import annotations

from memgrid.common.v1 import memory_pb2 as mpb
from memgrid.memory.v1 import job_pb2

from services.thought_engine.job_plan import SessionUnit, UserUnit, consolidation_event, plan


def appended_event(
    session: str, ids: list[str], first_seq: int, user: str = "alice"
) -> job_pb2.JobEvent:
    return job_pb2.JobEvent(
        messages_appended=job_pb2.MessagesAppended(
            scope=mpb.Scope(user_id=user, session_id=session),
            memory_ids=ids,
            first_session_seq=first_seq,
            last_session_seq=first_seq + len(ids) - 1,
        )
    )


def appended(
    job_id: str, session: str, ids: list[str], first_seq: int, tenant: str = "t"
) -> job_pb2.Job:
    return job_pb2.Job(
        id=job_id,
        tenant_id=tenant,
        topic="messages.appended",
        event=appended_event(session, ids, first_seq),
    )


def test_jobs_of_one_session_merge_into_one_pass_over_all_their_turns() -> None:
    jobs = [
        appended("j1", "s1", ["m1", "m2"], 1),
        appended("j2", "s2", ["n1"], 4),
        appended("j3", "s1", ["m3"], 3),
        appended("j4", "s1", ["m3"], 3),
        appended("j5", "s1", ["x1"], 1, tenant="other"),
    ]

    work = plan(jobs)

    s1, s2, other = work.units
    assert isinstance(s1, SessionUnit) and isinstance(s2, SessionUnit)
    assert (s1.message_ids, [j.id for j in s1.jobs], s1.session_started) == (
        ["m1", "m2", "m3"],
        ["j1", "j3", "j4"],
        True,
    )
    assert (s1.scope, s2.session_started) == (mpb.Scope(user_id="alice", session_id="s1"), False)
    assert isinstance(other, SessionUnit) and other.tenant_id == "other"


def test_requested_consolidations_become_user_passes_and_other_events_are_ignored() -> None:
    changed = job_pb2.MemoryChanged(memory_id="m1", version=1)
    jobs = [
        job_pb2.Job(id="c1", tenant_id="t", event=consolidation_event("alice", "")),
        job_pb2.Job(id="u1", tenant_id="t", event=job_pb2.JobEvent(memory_upserted=changed)),
        job_pb2.Job(id="d1", tenant_id="t", event=job_pb2.JobEvent(memory_deleted=changed)),
        job_pb2.Job(id="e1", tenant_id="t"),
    ]

    work = plan(jobs)

    (unit,) = work.units
    assert isinstance(unit, UserUnit)
    assert (unit.user_id, unit.session_id, [j.id for j in unit.jobs]) == ("alice", "", ["c1"])
    assert [j.id for j in work.ignored] == ["u1", "d1", "e1"]


def test_an_incomplete_event_is_rejected_with_what_is_missing() -> None:
    # memory-store validates what it enqueues; these are what typing a pre-v4 job can give.
    bad = [
        job_pb2.Job(id="b", topic="messages.appended", event=appended_event("", ["m1"], 1)),
        job_pb2.Job(id="c", topic="messages.appended", event=appended_event("s", [], 1)),
        job_pb2.Job(id="e", topic="messages.appended", event=appended_event("s", ["m1"], 0)),
        job_pb2.Job(id="d", topic="consolidation.requested", event=consolidation_event("", "s")),
    ]

    work = plan(bad)

    assert not work.units
    assert [(r.job.id, r.error.split(": ", 1)[1]) for r in work.rejected] == [
        ("b", "scope.user_id and scope.session_id are required"),
        ("c", "memory_ids must be a list of ids"),
        ("e", "first_session_seq and last_session_seq must be positive and in order"),
        ("d", "user_id is required"),
    ]
