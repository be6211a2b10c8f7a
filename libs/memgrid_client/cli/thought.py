"""What the thought engine derives and runs: profile, patterns, consolidate, background jobs
and feedback."""

from __future__ import annotations

import argparse
import time

from memgrid.gateway.v1 import request_response_pb2 as gw

from memgrid_client.cli.common import Parser, enum_argument, fail, print_json
from memgrid_client.sync_client import Memgrid

VERDICT = enum_argument(gw.FeedbackVerdict.DESCRIPTOR, "FEEDBACK_VERDICT_", "verdict")
_FINISHED = (gw.JOB_STATE_DONE, gw.JOB_STATE_DEAD)
_POLL_SECONDS = 0.5


def register(commands: argparse._SubParsersAction[Parser]) -> None:
    profile = commands.add_parser("profile", help="a user's profile and facts about others")
    profile.add_argument("--user", required=True, help="user_id")
    profile.set_defaults(run=_profile)

    patterns = commands.add_parser("patterns", help="patterns detected across sessions")
    patterns.add_argument("--user", required=True, help="user_id")
    patterns.add_argument("--page-size", type=int, default=50)
    patterns.add_argument("--page-token", default="")
    patterns.set_defaults(run=_patterns)

    consolidate = commands.add_parser(
        "consolidate", help="consolidate a user's (or one session's) memories now"
    )
    consolidate.add_argument("--user", required=True, help="user_id")
    consolidate.add_argument("--session", default="", help="only this session")
    consolidate.add_argument(
        "--wait", type=float, metavar="SECONDS", help="poll the job until it finishes"
    )
    consolidate.set_defaults(run=_consolidate)

    jobs = commands.add_parser("jobs", help="background jobs").add_subparsers(
        dest="action", required=True
    )
    get = jobs.add_parser("get", help="show a job")
    get.add_argument("job_id")
    get.set_defaults(run=_get_job)
    retry = jobs.add_parser("retry", help="run a DEAD job again")
    retry.add_argument("job_id")
    retry.set_defaults(run=_retry_job)

    feedback = commands.add_parser("feedback", help="mark a retrieved memory useful or not")
    feedback.add_argument("id", help="memory id")
    feedback.add_argument("verdict", type=VERDICT, help="useful or not-useful")
    feedback.set_defaults(run=_feedback)


def _profile(client: Memgrid, args: argparse.Namespace) -> None:
    print_json(client.get_profile(args.user))


def _patterns(client: Memgrid, args: argparse.Namespace) -> None:
    print_json(
        client.list_patterns(args.user, page_size=args.page_size, page_token=args.page_token)
    )


def _consolidate(client: Memgrid, args: argparse.Namespace) -> int:
    started = client.consolidate(args.user, session_id=args.session)
    if args.wait is None:
        print_json(started)
        return 0
    deadline = time.monotonic() + args.wait
    while True:
        job = client.get_job(started.job_id)
        if job.state in _FINISHED:
            print_json(job)
            return 0 if job.state == gw.JOB_STATE_DONE else 1
        if time.monotonic() >= deadline:
            print_json(job)
            fail(f"job {job.id} still {gw.JobState.Name(job.state)} after {args.wait:g} s")
        time.sleep(_POLL_SECONDS)


def _get_job(client: Memgrid, args: argparse.Namespace) -> None:
    print_json(client.get_job(args.job_id))


def _retry_job(client: Memgrid, args: argparse.Namespace) -> None:
    print_json(client.retry_job(args.job_id))


def _feedback(client: Memgrid, args: argparse.Namespace) -> None:
    print_json(client.record_feedback(args.id, args.verdict))
