"""FalkorDB queries written and read without the falkordb client's query path.

Measured under load, the client library cost the graph service more CPU than FalkorDB
spent on the queries: its asyncio QueryResult parses every value of a result set through
a coroutine of its own (an await per cell), and its parameter formatting walks every
value through a chain of isinstance checks (most of an upsert's time went there). This
module builds the same command (parameters in a `CYPHER name=value ...` header, compact
result set asked for) and reads the compact reply directly. The graph's queries return
only scalars and lists of them; any other value (a node, an edge, a map) is a TypeError.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from redis.exceptions import ResponseError

from services.graph.store.cypher_backend import Row

# Value types of the compact result set (falkordb-py's ResultSetScalarTypes).
_NULL = 1
_STRING = 2
_INTEGER = 3
_BOOLEAN = 4
_DOUBLE = 5
_ARRAY = 6
# Strings and integers arrive already typed (the client decodes responses).
_AS_SENT = (_STRING, _INTEGER)


def query_command(
    graph: str, query: str, params: Mapping[str, Any], *, read_only: bool, timeout_ms: int
) -> tuple[Any, ...]:
    """The GRAPH.QUERY / GRAPH.RO_QUERY command asking for a compact result set."""
    header = "".join([f"{_quoted_name(name)}={literal(value)} " for name, value in params.items()])
    return (
        "GRAPH.RO_QUERY" if read_only else "GRAPH.QUERY",
        graph,
        "CYPHER " + header + query,
        "--compact",
        "timeout",
        timeout_ms,
    )


def literal(value: Any) -> str:
    """A parameter value as a Cypher literal of the header: strings double-quoted with
    backslash and quote escaped, maps with backquoted keys, lists, numbers, booleans, null.

    Upserts send tens of thousands of values per query, so strings (most of them) are
    quoted inline rather than through a call each, and map keys' text is cached."""
    kind = type(value)
    if kind is str:
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if kind is dict:
        return (
            "{"
            + ",".join(
                [
                    _map_key(key)
                    + (
                        '"' + item.replace("\\", "\\\\").replace('"', '\\"') + '"'
                        if type(item) is str
                        else literal(item)
                    )
                    for key, item in value.items()
                ]
            )
            + "}"
        )
    if kind is list or kind is tuple:
        return "[" + ",".join([literal(item) for item in value]) + "]"
    if value is None:
        return "null"
    if kind is bool:
        return "true" if value else "false"
    if kind is int or kind is float:
        return repr(value)
    raise TypeError(f"cannot send a {kind.__name__} as a FalkorDB parameter")


@functools.lru_cache(maxsize=256)
def _map_key(name: str) -> str:
    return _quoted_name(name) + ":"


def _quoted_name(name: str) -> str:
    # FalkorDB's header parser has no escape for a backquote inside a quoted name.
    if not name or "`" in name:
        raise ValueError(f"parameter and map key names need 1+ characters and no '`': {name!r}")
    return f"`{name}`"


def rows(response: list[Any]) -> list[Row]:
    """The rows of a compact reply: [header, records, statistics], or [statistics] for a
    query that returns nothing. A run-time error arrives as the reply's last element."""
    if isinstance(response[-1], ResponseError):
        raise response[-1]
    if len(response) == 1:
        return []
    columns = [name for _, name in response[0]]
    return [
        dict(
            zip(
                columns,
                [value if kind in _AS_SENT else _value(kind, value) for kind, value in record],
                strict=True,
            )
        )
        for record in response[1]
    ]


def _value(kind: int, value: Any) -> Any:
    if kind in _AS_SENT:
        return value
    if kind == _NULL:
        return None
    if kind == _DOUBLE:
        return float(value)
    if kind == _ARRAY:
        return [_value(item_kind, item) for item_kind, item in value]
    if kind == _BOOLEAN:
        return value == "true"
    raise TypeError(
        f"FalkorDB returned a value of type {kind}; the graph's queries return scalars and lists"
    )
