"""`memgrid chat`: asks the user's memories a question through the gateway's LLM, printing
the answer as it streams (or every event as a JSON line with --json)."""

from __future__ import annotations

import argparse
import json

from memgrid_client.cli.common import Parser, add_scope_arguments, as_dict, scope
from memgrid_client.client import CHAT_TIMEOUT_SECONDS
from memgrid_client.sync_client import Memgrid


def register(commands: argparse._SubParsersAction[Parser]) -> None:
    chat = commands.add_parser("chat", help="answer from the user's memories (needs an LLM)")
    add_scope_arguments(chat, session_required=True)
    chat.add_argument("message")
    chat.add_argument("-k", type=int, default=0, help="memories to recall (0: the default)")
    chat.add_argument("--json", action="store_true", help="every event as a JSON line")
    chat.add_argument(
        "--answer-timeout",
        type=float,
        default=CHAT_TIMEOUT_SECONDS,
        help=f"seconds for the whole answer (default {CHAT_TIMEOUT_SECONDS:g})",
    )
    chat.set_defaults(run=_chat)


def _chat(client: Memgrid, args: argparse.Namespace) -> None:
    events = client.chat(scope(args), args.message, k=args.k, timeout=args.answer_timeout)
    for event in events:
        if args.json:
            print(json.dumps(as_dict(event), ensure_ascii=False), flush=True)
        elif event.WhichOneof("event") == "delta":
            print(event.delta, end="", flush=True)
    if not args.json:
        print()
