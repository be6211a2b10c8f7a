"""Memories: add, get, history, list, search, context, update, delete, erase a user."""

from __future__ import annotations

import argparse
from datetime import timedelta

from memgrid.common.v1 import memory_pb2 as common

from memgrid_client.cli.common import (
    MEMORY_KIND,
    Parser,
    add_scope_arguments,
    as_dict,
    key_values,
    memory_filter,
    print_json,
    time_argument,
)
from memgrid_client.sync_client import Memgrid


def register(commands: argparse._SubParsersAction[Parser]) -> None:
    add = commands.add_parser("add", help="store a memory")
    add_scope_arguments(add)
    add.add_argument("content")
    add.add_argument("--kind", type=MEMORY_KIND, default=common.MEMORY_KIND_FACT, help="fact, ...")
    add.add_argument("--tag", action="append", default=[], help="repeatable")
    add.add_argument("--meta", action="append", default=[], metavar="KEY=VALUE", help="repeatable")
    add.add_argument("--importance", type=float, help="0..1")
    add.add_argument("--ttl-days", type=float, help="expire after this many days")
    add.set_defaults(run=_add)

    get = commands.add_parser("get", help="show a memory")
    get.add_argument("id")
    get.set_defaults(run=_get)

    history = commands.add_parser("history", help="every version of a memory")
    history.add_argument("id")
    history.set_defaults(run=_history)

    listing = commands.add_parser("list", help="a page of memories, oldest first")
    add_scope_arguments(listing)
    listing.add_argument("--kind", type=MEMORY_KIND, action="append", default=[])
    listing.add_argument("--page-size", type=int, default=50)
    listing.add_argument("--page-token", default="")
    listing.set_defaults(run=_list)

    search = commands.add_parser("search", help="hybrid search")
    add_scope_arguments(search)
    search.add_argument("query")
    search.add_argument("-k", type=int, default=10)
    search.add_argument("--kind", type=MEMORY_KIND, action="append", default=[])
    search.add_argument("--min-score", type=float, default=0.0, help="0..1")
    search.set_defaults(run=_search)

    context = commands.add_parser(
        "context", help="a prompt-ready block: profile, recent turns, relevant memories"
    )
    context.add_argument("--user", required=True, help="user_id: whose context")
    context.add_argument("--session", default="", help="session_id: its recent turns too")
    context.add_argument("query")
    context.add_argument("--max-tokens", type=int, default=0, help="budget (0: 2000)")
    context.add_argument("--json", action="store_true", help="the whole reply, not the text")
    context.set_defaults(run=_context)

    update = commands.add_parser("update", help="change a memory's content, tags, ...")
    update.add_argument("id")
    update.add_argument("--content")
    update.add_argument("--tag", action="append", help="replaces the tags; repeatable")
    update.add_argument("--meta", action="append", metavar="KEY=VALUE", help="replaces them")
    update.add_argument("--importance", type=float, help="0..1")
    update.add_argument("--expires-at", type=time_argument, help="RFC 3339 time")
    update.add_argument("--expected-version", type=int, default=0, help="0: any")
    update.set_defaults(run=_update)

    delete = commands.add_parser("delete", help="delete a memory everywhere")
    delete.add_argument("id")
    delete.set_defaults(run=_delete)

    erase = commands.add_parser(
        "erase-user", help="erase everything of one user, everywhere; prints the receipt"
    )
    erase.add_argument("--user", required=True, help="user_id")
    erase.set_defaults(run=_erase_user)


def _add(client: Memgrid, args: argparse.Namespace) -> None:
    print_json(
        client.add_memory(
            args.content,
            user_id=args.user,
            kind=args.kind,
            agent_id=args.agent,
            session_id=args.session,
            cube_id=args.cube,
            tags=args.tag,
            metadata=key_values(args.meta, "--meta"),
            importance=args.importance,
            ttl=timedelta(days=args.ttl_days) if args.ttl_days is not None else None,
        )
    )


def _get(client: Memgrid, args: argparse.Namespace) -> None:
    print_json(client.get_memory(args.id))


def _history(client: Memgrid, args: argparse.Namespace) -> None:
    print_json({"versions": [as_dict(v) for v in client.get_memory_history(args.id)]})


def _list(client: Memgrid, args: argparse.Namespace) -> None:
    print_json(
        client.list_memories(
            memory_filter(args, kinds=args.kind),
            page_size=args.page_size,
            page_token=args.page_token,
        )
    )


def _search(client: Memgrid, args: argparse.Namespace) -> None:
    print_json(
        client.search(
            args.query, memory_filter(args, kinds=args.kind), k=args.k, min_score=args.min_score
        )
    )


def _context(client: Memgrid, args: argparse.Namespace) -> None:
    reply = client.get_context(
        args.query, user_id=args.user, session_id=args.session, max_tokens=args.max_tokens
    )
    if args.json:
        print_json(reply)
    else:
        print(reply.text)


def _update(client: Memgrid, args: argparse.Namespace) -> None:
    update = common.MemoryUpdate()
    paths = []
    if args.content is not None:
        update.content = args.content
        paths.append("content")
    if args.tag is not None:
        update.tags.extend(args.tag)
        paths.append("tags")
    if args.meta is not None:
        update.metadata.update(key_values(args.meta, "--meta"))
        paths.append("metadata")
    if args.importance is not None:
        update.importance = args.importance
        paths.append("importance")
    if args.expires_at is not None:
        update.expires_at.FromDatetime(args.expires_at)
        paths.append("expires_at")
    print_json(client.update_memory(args.id, update, paths, expected_version=args.expected_version))


def _delete(client: Memgrid, args: argparse.Namespace) -> None:
    print_json(client.delete_memory(args.id))


def _erase_user(client: Memgrid, args: argparse.Namespace) -> None:
    print_json(client.erase_user(args.user))
