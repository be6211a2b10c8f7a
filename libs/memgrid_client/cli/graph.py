"""Graph queries: entities by name, neighbours, a shortest path, related memories, and the
graph around one memory. Every one reads one user's graph."""

from __future__ import annotations

import argparse

from memgrid.common.v1 import graph_pb2 as graph

from memgrid_client.cli.common import (
    Parser,
    add_scope_arguments,
    enum_argument,
    memory_filter,
    print_json,
)
from memgrid_client.sync_client import Memgrid

MATCH = enum_argument(graph.EntityMatch.DESCRIPTOR, "ENTITY_MATCH_", "match")
DIRECTION = enum_argument(graph.Direction.DESCRIPTOR, "DIRECTION_", "direction")


def register(commands: argparse._SubParsersAction[Parser]) -> None:
    group = commands.add_parser("graph", help="entities and relations of a user's graph")
    queries = group.add_subparsers(dest="query", required=True)

    entities = queries.add_parser("entities", help="entities whose name or alias matches")
    entities.add_argument("name")
    entities.add_argument("--user", required=True, help="user_id")
    entities.add_argument(
        "--match",
        type=MATCH,
        default=graph.ENTITY_MATCH_UNSPECIFIED,
        help="exact, alias or prefix (default: the name or an alias equals it)",
    )
    entities.add_argument("--limit", type=int, default=0)
    entities.set_defaults(run=_entities)

    neighbors = queries.add_parser("neighbors", help="entities within --hops of one")
    neighbors.add_argument("entity")
    neighbors.add_argument("--user", required=True, help="user_id")
    neighbors.add_argument("--hops", type=int, default=1, help="1..4")
    neighbors.add_argument("--relation", action="append", default=[], help="only these types")
    neighbors.add_argument("--direction", type=DIRECTION, default=graph.DIRECTION_UNSPECIFIED)
    neighbors.add_argument("--limit", type=int, default=0)
    neighbors.set_defaults(run=_neighbors)

    path = queries.add_parser("path", help="a fewest-hops path between two entities")
    path.add_argument("source")
    path.add_argument("target")
    path.add_argument("--user", required=True, help="user_id")
    path.add_argument("--max-hops", type=int, default=0)
    path.set_defaults(run=_path)

    related = queries.add_parser("related", help="memories mentioning entities or neighbours")
    related.add_argument("entities", nargs="+")
    add_scope_arguments(related)
    related.add_argument("--hops", type=int, default=1)
    related.add_argument("--limit", type=int, default=0)
    related.set_defaults(run=_related)

    memory = queries.add_parser("memory", help="the entities a memory mentions, and around")
    memory.add_argument("id", help="memory id")
    memory.add_argument("--user", required=True, help="user_id")
    memory.add_argument("--hops", type=int, default=1)
    memory.add_argument("--limit", type=int, default=0)
    memory.set_defaults(run=_memory_graph)


def _entities(client: Memgrid, args: argparse.Namespace) -> None:
    print_json(
        client.find_entities(args.name, user_id=args.user, match=args.match, limit=args.limit)
    )


def _neighbors(client: Memgrid, args: argparse.Namespace) -> None:
    relations = graph.RelationFilter(types=args.relation, direction=args.direction)
    print_json(
        client.get_neighbors(
            args.entity,
            user_id=args.user,
            hops=args.hops,
            relation_filter=relations,
            limit=args.limit,
        )
    )


def _path(client: Memgrid, args: argparse.Namespace) -> None:
    print_json(
        client.shortest_path(args.source, args.target, user_id=args.user, max_hops=args.max_hops)
    )


def _related(client: Memgrid, args: argparse.Namespace) -> None:
    print_json(
        client.get_related_memories(
            args.entities, memory_filter(args), hops=args.hops, limit=args.limit
        )
    )


def _memory_graph(client: Memgrid, args: argparse.Namespace) -> None:
    print_json(
        client.get_memory_graph(args.id, user_id=args.user, hops=args.hops, limit=args.limit)
    )
