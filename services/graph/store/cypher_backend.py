"""What the shared Cypher implementation needs from a database: run queries in a unit of
work. FalkorDB and Neo4j each provide one (store/falkordb.py, store/neo4j.py)."""

from __future__ import annotations

import abc
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, Protocol, TypeVar

T = TypeVar("T")
Row = dict[str, Any]


class CypherRunner(Protocol):
    async def run(self, query: str, params: Mapping[str, Any]) -> list[Row]:
        """Runs one query with its parameters and returns every row, keyed by column."""
        ...

    async def run_each(self, query: str, param_sets: Sequence[Mapping[str, Any]]) -> None:
        """Runs a write query once per parameter set, discarding its rows. The sets must be
        independent (any order gives the same result), so that a backend may overlap them."""
        ...


Work = Callable[[CypherRunner], Awaitable[T]]


class CypherBackend(abc.ABC):
    """Runs units of work. Values are always passed as parameters, never in query text.

    A unit of work may run more than once (Neo4j retries transient failures), so it must
    keep its state local. On Neo4j a write unit is one transaction; FalkorDB has no
    multi-query transactions, so there every query is atomic on its own and every write
    unit is written to converge when it is retried after a partial failure.
    """

    name: str

    @abc.abstractmethod
    async def read(self, work: Work[T]) -> T: ...

    @abc.abstractmethod
    async def write(self, work: Work[T]) -> T: ...

    @abc.abstractmethod
    async def ping(self) -> None:
        """Returns when the database answers; raises Unavailable otherwise."""

    @abc.abstractmethod
    async def close(self) -> None: ...
