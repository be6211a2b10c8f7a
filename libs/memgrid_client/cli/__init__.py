"""`memgrid`: the gateway's API from the command line.

Memories (add, get, history, list, search, update, delete, erase-user), conversation turns
(messages add / list), what the thought engine derives (profile, patterns, consolidate,
jobs, feedback), chat, graph queries, cubes, and export / import as NDJSON.

Reads MEMGRID_ADDRESS (default 127.0.0.1:50051) and MEMGRID_API_KEY (default: the key
`make run` configures). Prints JSON on stdout. Exits 1 with the server's error (each bad
field on a line of its own) or when the gateway cannot be reached, 2 on a bad argument.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from memgrid_client.cli import chat, cubes, graph, memories, messages, thought, transfer
from memgrid_client.cli.common import Parser, fail, report
from memgrid_client.cli.reachability import unreachable_reason
from memgrid_client.connection import address_and_key_from_env
from memgrid_client.errors import MemgridError
from memgrid_client.sync_client import Memgrid

__all__ = ["main"]

# Every command group, in the order `memgrid --help` lists them.
_GROUPS = (memories, messages, thought, chat, graph, cubes, transfer)


def _parser() -> Parser:
    parser = Parser(prog="memgrid", description=__doc__.splitlines()[0])
    address, api_key = address_and_key_from_env()
    parser.add_argument("--address", default=address, help="the gateway (MEMGRID_ADDRESS)")
    parser.add_argument("--api-key", default=api_key, help="(MEMGRID_API_KEY)")
    parser.add_argument(
        "--timeout", type=float, default=10.0, help="seconds per call, retries included"
    )
    parser.add_argument(
        "--connect-timeout",
        type=float,
        default=3.0,
        help="seconds to reach the gateway before giving up",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for group in _GROUPS:
        group.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    # A gateway that is down would otherwise show only once every retry has used up the
    # whole --timeout, as DEADLINE_EXCEEDED; a refused connection is reported at once.
    why = unreachable_reason(args.address, args.connect_timeout)
    if why is not None:
        fail(f"cannot reach the gateway at {args.address}: {why} (is it running? see --address)")
    try:
        with Memgrid(args.address, args.api_key, timeout=args.timeout) as client:
            status = args.run(client, args)
    except MemgridError as error:
        report(error)
        raise SystemExit(1) from None
    except BrokenPipeError:
        # `memgrid export ... | head`: the reader has what it wanted.
        sys.stderr.close()
        raise SystemExit(1) from None
    raise SystemExit(status or 0)
