"""Conversation turns: `messages add` appends turns to a session, `messages list` shows a
session's turns in order.

Turns come as arguments (`"user: I live in Paris"`, the role before the first colon) or as
a JSON array (`--json FILE`, `-` for stdin) of objects with role, content and optionally
speaker, occurred_at (RFC 3339) and metadata.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from google.protobuf.json_format import ParseDict, ParseError
from memgrid.common.v1 import memory_pb2 as common

from memgrid_client.cli.common import (
    ROLE,
    Parser,
    add_scope_arguments,
    as_dict,
    fail,
    memory_filter,
    print_json,
    scope,
)
from memgrid_client.sync_client import Memgrid


def register(commands: argparse._SubParsersAction[Parser]) -> None:
    group = commands.add_parser("messages", help="conversation turns of a session")
    actions = group.add_subparsers(dest="action", required=True)

    add = actions.add_parser("add", help="append turns to a session")
    add_scope_arguments(add, session_required=True)
    add.add_argument("turns", nargs="*", metavar="ROLE: TEXT", help='e.g. "user: hello"')
    add.add_argument("--json", metavar="FILE", help="a JSON array of turns; - reads stdin")
    add.add_argument("--speaker", default="", help="who spoke the argument turns, by name")
    add.set_defaults(run=_add)

    listing = actions.add_parser("list", help="a session's turns, in order")
    add_scope_arguments(listing, session_required=True)
    listing.set_defaults(run=_list)


def _add(client: Memgrid, args: argparse.Namespace) -> None:
    if bool(args.turns) == bool(args.json):
        fail('give the turns as arguments ("user: hello") or with --json, one of them', 2)
    turns = _json_turns(args.json) if args.json else _argument_turns(args.turns, args.speaker)
    print_json(client.add_messages(scope(args), turns))


def _list(client: Memgrid, args: argparse.Namespace) -> None:
    turns = client.iter_memories(memory_filter(args, kinds=[common.MEMORY_KIND_MESSAGE]))
    ordered = sorted(turns, key=lambda memory: memory.session_seq)
    print_json({"messages": [as_dict(memory) for memory in ordered]})


def _argument_turns(texts: list[str], speaker: str) -> list[common.NewMessage]:
    turns = []
    for number, text in enumerate(texts, start=1):
        role, sep, content = text.partition(":")
        if not sep:
            fail(f'turn {number}: start it with its role, as in "user: {text}"', 2)
        try:
            parsed_role = ROLE(role)
        except argparse.ArgumentTypeError as error:
            fail(f"turn {number}: {error}", 2)
        turns.append(common.NewMessage(role=parsed_role, content=content.strip(), speaker=speaker))
    return turns


def _json_turns(source: str) -> list[common.NewMessage]:
    try:
        text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
        document = json.loads(text)
    except (OSError, ValueError) as error:
        fail(f"--json {source}: {error}", 2)
    if not isinstance(document, list):
        fail(f"--json {source}: expected a JSON array of turns", 2)
    return [_json_turn(number, item) for number, item in enumerate(document, start=1)]


def _json_turn(number: int, item: Any) -> common.NewMessage:
    if not isinstance(item, dict):
        fail(f"turn {number}: expected an object with role and content", 2)
    fields = dict(item)
    role = fields.pop("role", None)
    if not isinstance(role, str):
        fail(f"turn {number}: role: required (user, assistant, system, tool)", 2)
    try:
        turn = ParseDict(fields, common.NewMessage())
        turn.role = ROLE(role)
    except (ParseError, argparse.ArgumentTypeError) as error:
        fail(f"turn {number}: {error}", 2)
    return turn
