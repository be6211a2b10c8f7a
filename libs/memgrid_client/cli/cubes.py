"""Cubes: named memory containers a user owns and may share read-only."""

from __future__ import annotations

import argparse

from memgrid_client.cli.common import Parser, as_dict, print_json
from memgrid_client.sync_client import Memgrid


def register(commands: argparse._SubParsersAction[Parser]) -> None:
    group = commands.add_parser("cubes", help="named memory containers")
    actions = group.add_subparsers(dest="action", required=True)

    create = actions.add_parser("create", help="a new cube owned by --user")
    create.add_argument("cube_id")
    create.add_argument("--user", required=True, help="the owner's user_id")
    create.add_argument("--name", default="")
    create.add_argument("--description", default="")
    create.set_defaults(run=_create)

    listing = actions.add_parser("list", help="cubes the user owns or may read")
    listing.add_argument("--user", required=True, help="user_id")
    listing.set_defaults(run=_list)

    for name, run, help_text in (
        ("share", _share, "let another user read a cube"),
        ("unshare", _unshare, "revoke a reader's access"),
    ):
        grant = actions.add_parser(name, help=help_text)
        grant.add_argument("cube_id")
        grant.add_argument("--user", required=True, help="the owner's user_id")
        grant.add_argument("--reader", required=True, help="the reader's user_id")
        grant.set_defaults(run=run)


def _create(client: Memgrid, args: argparse.Namespace) -> None:
    print_json(
        client.create_cube(
            args.cube_id, owner_user_id=args.user, name=args.name, description=args.description
        )
    )


def _list(client: Memgrid, args: argparse.Namespace) -> None:
    print_json({"cubes": [as_dict(cube) for cube in client.list_cubes(args.user)]})


def _share(client: Memgrid, args: argparse.Namespace) -> None:
    print_json(client.share_cube(args.cube_id, owner_user_id=args.user, reader_user_id=args.reader))


def _unshare(client: Memgrid, args: argparse.Namespace) -> None:
    print_json(
        client.unshare_cube(args.cube_id, owner_user_id=args.user, reader_user_id=args.reader)
    )
