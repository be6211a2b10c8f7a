"""Grouping a leased batch: one pass per session, per requested user; the rest ignored."""

from __future__ import annotations

import json

from memgrid.common.v1 import memory_pb2 as mpb
from memgrid.memory.v1 import job_pb2

from services.thought_engine.job_plan import SessionUnit, UserUnit, consolidation_payload, plan


def appended(
    job_id: str, session: str, ids: list[str], first_seq: int, tenant: str = "t"
) -> job_pb2.Job:
    payload = {
        "tenant_id": tenant,
        "scope": {"user_id": "alice", "agent_id": "", "session_id": session, "cube_id": ""},
        "memory_ids": ids,
        "first_session_seq": first_seq,
        "last_session_seq": first_seq + len(ids) - 1,
    }
    return job_pb2.Job(
        id=job_id, tenant_id=tenant, topic="messages.appended", payload_json=json.dumps(payload)
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


def test_requested_consolidations_become_user_passes_and_other_topics_are_ignored() -> None:
    jobs = [
        job_pb2.Job(
            id="c1",
            tenant_id="t",
            topic="consolidation.requested",
            payload_json=consolidation_payload("alice", ""),
        ),
        job_pb2.Job(id="u1", tenant_id="t", topic="memory.upserted", payload_json="{}"),
        job_pb2.Job(id="d1", tenant_id="t", topic="memory.deleted", payload_json="{}"),
    ]

    work = plan(jobs)

    (unit,) = work.units
    assert isinstance(unit, UserUnit)
    assert (unit.user_id, unit.session_id, [j.id for j in unit.jobs]) == ("alice", "", ["c1"])
    assert [j.id for j in work.ignored] == ["u1", "d1"]


def test_a_malformed_payload_is_rejected_with_what_is_wrong() -> None:
    bad = [
        job_pb2.Job(id="a", topic="messages.appended", payload_json="{"),
        job_pb2.Job(id="b", topic="messages.appended", payload_json='{"scope": {"user_id": "u"}}'),
        job_pb2.Job(
            id="c",
            topic="messages.appended",
            payload_json='{"scope": {"user_id": "u", "session_id": "s"}, "memory_ids": [1]}',
        ),
        job_pb2.Job(id="d", topic="consolidation.requested", payload_json='{"user_id": ""}'),
    ]

    work = plan(bad)

    assert not work.units
    assert [(r.job.id, r.error.split(": ", 1)[1]) for r in work.rejected] == [
        (
            "a",
            "not JSON (Expecting property name enclosed in double quotes: line 1 column 2 "
            "(char 1))",
        ),
        ("b", "session_id must be a non-empty string"),
        ("c", "memory_ids must be a list of ids"),
        ("d", "user_id must be a non-empty string"),
    ]
