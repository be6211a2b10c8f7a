"""The narrow seam between the store's logic and a SQL backend.

The store's operations are written once, as async functions over a `Transaction`, in SQL
that SQLite and PostgreSQL both accept (`?` placeholders; the PostgreSQL transaction
rewrites them). The few real differences live in `Dialect`.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

Row = tuple[Any, ...]
Result = TypeVar("Result")


@dataclass(frozen=True)
class Dialect:
    name: str
    blob_type: str
    float_type: str
    # Appended to a SELECT that picks rows to update, so concurrent writers skip or wait
    # for each other's rows. Empty on SQLite, where the single writer already serialises.
    skip_locked: str
    for_update: str
    # An SQL expression yielding a fresh random hex string for every row it is evaluated on.
    random_token: str


class Transaction(Protocol):
    """One open transaction; everything done through it commits or rolls back together."""

    @property
    def dialect(self) -> Dialect: ...

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Runs a statement and returns how many rows it changed."""
        ...

    async def execute_many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None: ...

    async def fetch_all(self, sql: str, params: Sequence[Any] = ()) -> list[Row]: ...

    async def fetch_one(self, sql: str, params: Sequence[Any] = ()) -> Row | None: ...

    async def lock_keys(self, keys: Sequence[str]) -> None:
        """Serialises concurrent transactions that touch the same logical keys (e.g. a dedup
        key that no unique index covers) until this transaction ends."""
        ...


# The body of one transaction. A coroutine that awaits nothing but its Transaction: that
# lets SQLite run it to completion on its connection's thread (see sqlite.py).
Work = Callable[[Transaction], Coroutine[Any, Any, Result]]


class Database(Protocol):
    @property
    def dialect(self) -> Dialect: ...

    async def write(self, work: Work[Result]) -> Result:
        """Runs `work` in a write transaction and commits it; may run it again after a
        transient conflict, so `work` must not have effects outside the transaction."""
        ...

    async def read(self, work: Work[Result]) -> Result:
        """Runs `work`, which only reads. Every statement sees committed data only; two
        statements of one read may see different commits (PostgreSQL, READ COMMITTED)."""
        ...

    async def close(self) -> None: ...


def placeholders(count: int) -> str:
    """`?, ?, ?` for an IN list of `count` values."""
    return ", ".join("?" * count)
