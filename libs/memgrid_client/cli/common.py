"""What every command group shares: the parser's one-line errors, enum and time arguments,
the scope flags, and JSON output."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from datetime import datetime
from typing import Any, NoReturn

from google.protobuf.descriptor import EnumDescriptor
from google.protobuf.json_format import MessageToDict
from google.protobuf.message import Message
from memgrid.common.v1 import memory_pb2 as common

from memgrid_client.errors import InvalidArgument, MemgridError
from memgrid_client.sync_client import Memgrid

# What a command runs once the client is connected; returns the exit status (None: 0).
Handler = Callable[[Memgrid, argparse.Namespace], int | None]


class Parser(argparse.ArgumentParser):
    """argparse with a one-line error (`memgrid add: argument --kind: unknown kind ...`),
    so that a script's log shows what was wrong, not a usage screen."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message} (see {self.prog} --help)\n")


def enum_argument(enum: EnumDescriptor, prefix: str, what: str) -> Callable[[str], Any]:
    """An argparse type taking an enum value by its short name (`fact` for
    MEMORY_KIND_FACT, `not-useful` for FEEDBACK_VERDICT_NOT_USEFUL), case-insensitive."""
    numbers = {
        value.name[len(prefix) :].lower().replace("_", "-"): value.number
        for value in enum.values
        if value.number != 0
    }

    def parse(text: str) -> Any:
        name = text.strip().lower().replace("_", "-")
        if name not in numbers:
            raise argparse.ArgumentTypeError(
                f"unknown {what} {text!r} (valid: {', '.join(numbers)})"
            )
        return numbers[name]

    parse.__name__ = what  # argparse names the type in its own messages
    return parse


def time_argument(text: str) -> datetime:
    """An RFC 3339 / ISO 8601 time with its offset, e.g. 2025-03-03T09:00:00Z."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a time like 2025-03-03T09:00:00Z"
        ) from None
    if moment.tzinfo is None:
        raise argparse.ArgumentTypeError(f"{text!r} needs a time zone (Z or +01:00)")
    return moment


def add_scope_arguments(parser: argparse.ArgumentParser, *, session_required: bool = False) -> None:
    parser.add_argument("--user", required=True, help="user_id: whose memories")
    parser.add_argument("--agent", default="", help="agent_id")
    parser.add_argument("--session", default="", required=session_required, help="session_id")
    parser.add_argument("--cube", default="", help="cube_id")


def scope(args: argparse.Namespace) -> common.Scope:
    return common.Scope(
        user_id=args.user, agent_id=args.agent, session_id=args.session, cube_id=args.cube
    )


def memory_filter(args: argparse.Namespace, **extra: Any) -> common.MemoryFilter:
    return common.MemoryFilter(
        user_id=args.user,
        agent_id=args.agent,
        session_id=args.session,
        cube_ids=[args.cube] if args.cube else [],
        **extra,
    )


MEMORY_KIND = enum_argument(common.MemoryKind.DESCRIPTOR, "MEMORY_KIND_", "kind")
ROLE = enum_argument(common.Role.DESCRIPTOR, "ROLE_", "role")


def as_dict(message: Message) -> dict[str, Any]:
    return MessageToDict(message, preserving_proto_field_name=True)


def print_json(value: Message | dict[str, Any] | list[Any]) -> None:
    document = as_dict(value) if isinstance(value, Message) else value
    print(json.dumps(document, indent=2, ensure_ascii=False))


def fail(message: str, status: int = 1) -> NoReturn:
    print(f"memgrid: {message}", file=sys.stderr)
    raise SystemExit(status)


def key_values(pairs: list[str], flag: str) -> dict[str, str]:
    """KEY=VALUE arguments as a dict; exits with a one-line error on one without '='."""
    result = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            fail(f"{flag} {pair!r}: expected KEY=VALUE", status=2)
        result[key] = value
    return result


def report(error: MemgridError) -> None:
    """The server's error on stderr: its code and message, and each bad field on a line
    of its own (the message of an INVALID_ARGUMENT would list them all again)."""
    if isinstance(error, InvalidArgument):
        print(f"memgrid: {error.code.name}: invalid request", file=sys.stderr)
        for violation in error.violations:
            where = f"{violation.field}: " if violation.field else ""
            print(f"  {where}{violation.description}", file=sys.stderr)
    else:
        print(f"memgrid: {error.code.name}: {error.message}", file=sys.stderr)
