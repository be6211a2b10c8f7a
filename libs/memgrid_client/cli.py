"""`memgrid`: add, get, list, search and delete memories, and see or retry background jobs.

Reads MEMGRID_ADDRESS (default 127.0.0.1:50051) and MEMGRID_API_KEY (default: the key
`make run` configures). Prints JSON; exits 1 with the server's error on failure.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any

from google.protobuf.json_format import MessageToDict
from google.protobuf.message import Message
from memgrid.common.v1 import memory_pb2 as common

from memgrid_client.connection import address_and_key_from_env
from memgrid_client.errors import InvalidArgument, MemgridError
from memgrid_client.sync_client import Memgrid


def _json(message: Message) -> str:
    return json.dumps(MessageToDict(message, preserving_proto_field_name=True), indent=2)


def _filter(args: argparse.Namespace) -> common.MemoryFilter:
    return common.MemoryFilter(
        user_id=args.user,
        agent_id=args.agent or "",
        session_id=args.session or "",
        cube_ids=[args.cube] if args.cube else [],
    )


def _run(args: argparse.Namespace) -> None:
    with Memgrid(args.address, args.api_key, timeout=args.timeout) as client:
        reply: Any
        if args.command == "add":
            kind = common.MemoryKind.Value("MEMORY_KIND_" + args.kind.upper())
            reply = client.add_memory(
                args.content,
                user_id=args.user,
                kind=kind,
                agent_id=args.agent or "",
                session_id=args.session or "",
                cube_id=args.cube or "",
                tags=args.tag or [],
            )
        elif args.command == "get":
            reply = client.get_memory(args.id)
        elif args.command == "history":
            for version in client.get_memory_history(args.id):
                print(_json(version))
            return
        elif args.command == "list":
            reply = client.list_memories(
                _filter(args), page_size=args.page_size, page_token=args.page_token
            )
        elif args.command == "search":
            reply = client.search(args.query, _filter(args), k=args.k)
        elif args.command == "delete":
            reply = client.delete_memory(args.id)
        elif args.command == "erase-user":
            reply = client.erase_user(args.user)
        elif args.command == "jobs":
            if args.action == "get":
                reply = client.get_job(args.job_id)
            else:
                reply = client.retry_job(args.job_id)
        print(_json(reply))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="memgrid", description=__doc__.splitlines()[0])
    address, api_key = address_and_key_from_env()
    parser.add_argument("--address", default=address)
    parser.add_argument("--api-key", default=api_key)
    parser.add_argument(
        "--timeout", type=float, default=10.0, help="seconds per command, retries included"
    )
    commands = parser.add_subparsers(dest="command", required=True)

    def scoped(name: str, help_text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text)
        sub.add_argument("--user", required=True, help="user_id")
        sub.add_argument("--agent")
        sub.add_argument("--session")
        sub.add_argument("--cube")
        return sub

    add = scoped("add", "store a memory")
    add.add_argument("content")
    add.add_argument("--kind", default="fact", help="fact, profile, episode, procedure, ...")
    add.add_argument("--tag", action="append")
    commands.add_parser("get", help="show a memory").add_argument("id")
    commands.add_parser("history", help="every version of a memory").add_argument("id")
    commands.add_parser("delete", help="delete a memory everywhere").add_argument("id")
    commands.add_parser(
        "erase-user", help="erase everything of one user, everywhere; prints the receipt"
    ).add_argument("--user", required=True, help="user_id")
    listing = scoped("list", "page through memories")
    listing.add_argument("--page-size", type=int, default=50)
    listing.add_argument("--page-token", default="")
    search = scoped("search", "hybrid search")
    search.add_argument("query")
    search.add_argument("-k", type=int, default=10)
    jobs = commands.add_parser("jobs", help="background jobs").add_subparsers(
        dest="action", required=True
    )
    jobs.add_parser("get", help="show a job").add_argument("job_id")
    jobs.add_parser("retry", help="run a DEAD job again").add_argument("job_id")
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    try:
        _run(args)
    except MemgridError as exc:
        print(f"memgrid: {exc.code.name}: {exc.message}", file=sys.stderr)
        if isinstance(exc, InvalidArgument):
            for violation in exc.violations:
                print(f"  {violation.field}: {violation.description}", file=sys.stderr)
        raise SystemExit(1) from None
    except ValueError as exc:  # an unknown --kind
        print(f"memgrid: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
