"""The SQLite backend: one file in WAL mode, the embedded default.

sqlite3 calls block, so none of them runs on the event loop: each connection lives on its
own thread and a whole transaction runs there in one go. The store's operations are
coroutines that await nothing but their Transaction, whose SQLite methods complete at once;
so a transaction's coroutine runs to completion on the connection's thread without an event
loop (`_run_inline`), and the event loop pays one thread hop per transaction rather than
one per statement.

One writer thread owns the only write connection: SQLite admits one writer at a time
anyway. Writes run one after another, never interleaved (which is what makes job leasing
exclusive here), and are group-committed: the writes that queue up while a commit is
syncing share the next transaction, each under its own savepoint, so one fsync acknowledges
them all and one failing write does not fail the others. Reads use a few more connections,
each on its own thread; WAL lets them run while a write is in progress.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TypeVar

from memgrid_runtime.errors import Unavailable

from .clock import Clock, SystemClock
from .config import StoreConfig
from .database import Dialect, Result, Row, Work
from .schema import apply_migrations
from .sql_store import SqlMemoryStore

SQLITE_DIALECT = Dialect(
    name="sqlite",
    blob_type="BLOB",
    float_type="REAL",
    skip_locked="",
    for_update="",
    random_token="lower(hex(randomblob(16)))",
)

# FULL fsyncs the WAL on every commit, so an acknowledged write survives a power cut, not
# just a process crash; NORMAL (durable across process crashes only) is there for those
# who measure and choose it.
Synchronous = Literal["FULL", "NORMAL"]

_BUSY_TIMEOUT_MS = 5_000
# Primary result codes that mean the database cannot be used right now, as opposed to a
# bug in a statement: BUSY, LOCKED, READONLY, IOERR, CORRUPT, FULL, CANTOPEN.
_UNAVAILABLE_CODES = {5, 6, 8, 10, 11, 13, 14}
# Writes that share one transaction at most; bounds how long the first of them waits.
_MAX_GROUP = 64

_T = TypeVar("_T")
# Per write of a group: whether it succeeded, and its result or its exception.
_Outcome = tuple[bool, Any]


class _ConnectionThread:
    """One sqlite3 connection and the one thread that may use it."""

    def __init__(self, connect: Callable[[], sqlite3.Connection], name: str) -> None:
        self._connect = connect
        self._connection: sqlite3.Connection | None = None
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)

    async def run(self, call: Callable[[sqlite3.Connection], _T]) -> _T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self._on_thread, call)

    def _on_thread(self, call: Callable[[sqlite3.Connection], _T]) -> _T:
        if self._connection is None:
            self._connection = self._connect()
        return call(self._connection)

    async def close(self) -> None:
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self._executor, self._close_on_thread)
        await asyncio.to_thread(self._executor.shutdown)

    def _close_on_thread(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


class _SqliteTransaction:
    """Statements on the connection's own thread; every method completes without waiting."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._connection = connection

    @property
    def dialect(self) -> Dialect:
        return SQLITE_DIALECT

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        return self._connection.execute(sql, params).rowcount

    async def execute_many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if rows:
            self._connection.executemany(sql, rows)

    async def fetch_all(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        return self._connection.execute(sql, params).fetchall()

    async def fetch_one(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        row: Row | None = self._connection.execute(sql, params).fetchone()
        return row

    async def lock_keys(self, keys: Sequence[str]) -> None:
        """Nothing to do: write transactions already run one at a time."""


@dataclass
class _PendingWrite:
    work: Work[Any]
    outcome: asyncio.Future[Any]


class SqliteDatabase:
    def __init__(self, writer: _ConnectionThread, readers: list[_ConnectionThread]) -> None:
        self._writer = writer
        self._pending: list[_PendingWrite] = []
        self._committer: asyncio.Task[None] | None = None
        self._readers: asyncio.Queue[_ConnectionThread] = asyncio.Queue()
        self._all_readers = readers
        for reader in readers:
            self._readers.put_nowait(reader)

    @classmethod
    def open(cls, path: Path, *, synchronous: Synchronous, reader_count: int) -> SqliteDatabase:
        path.parent.mkdir(parents=True, exist_ok=True)
        writer = _ConnectionThread(lambda: _connect_writer(path, synchronous), "sqlite-writer")
        readers = [
            _ConnectionThread(lambda: _connect_reader(path), f"sqlite-reader-{index}")
            for index in range(reader_count)
        ]
        return cls(writer, readers)

    @property
    def dialect(self) -> Dialect:
        return SQLITE_DIALECT

    async def write(self, work: Work[Result]) -> Result:
        """Queues `work` for the committer and returns once its transaction is durable."""
        pending = _PendingWrite(work, asyncio.get_running_loop().create_future())
        self._pending.append(pending)
        if self._committer is None or self._committer.done():
            self._committer = asyncio.create_task(self._commit_pending())
        result: Result = await pending.outcome
        return result

    async def read(self, work: Work[Result]) -> Result:
        reader = await self._readers.get()
        try:
            return await reader.run(lambda connection: _read_on_thread(connection, work))
        except sqlite3.OperationalError as error:
            if _is_unavailable(error):
                raise Unavailable(f"SQLite database unavailable: {error}") from error
            raise
        finally:
            self._readers.put_nowait(reader)

    async def close(self) -> None:
        if self._committer is not None:
            await self._committer
        await self._writer.close()
        for reader in self._all_readers:
            await reader.close()

    async def _commit_pending(self) -> None:
        try:
            while self._pending:
                group = self._pending[:_MAX_GROUP]
                del self._pending[:_MAX_GROUP]
                # A caller that gave up (cancelled) before its turn is not run at all.
                group = [pending for pending in group if not pending.outcome.done()]
                if group:
                    await self._commit_group(group)
        finally:
            for pending in self._pending:
                if not pending.outcome.done():
                    pending.outcome.set_exception(Unavailable("the SQLite writer stopped"))

    async def _commit_group(self, group: list[_PendingWrite]) -> None:
        works = [pending.work for pending in group]
        try:
            outcomes = await self._writer.run(
                lambda connection: _write_on_thread(connection, works)
            )
        except BaseException as error:
            for pending in group:
                if not pending.outcome.done():
                    pending.outcome.set_exception(_as_group_failure(error))
            if not isinstance(error, Exception):
                raise
            return
        for pending, (succeeded, value) in zip(group, outcomes, strict=True):
            if pending.outcome.done():
                continue
            if succeeded:
                pending.outcome.set_result(value)
            else:
                pending.outcome.set_exception(value)


async def open_sqlite_store(
    path: Path,
    config: StoreConfig,
    *,
    synchronous: Synchronous = "FULL",
    reader_count: int = 2,
    clock: Clock | None = None,
) -> SqlMemoryStore:
    """Opens (creating if needed) the SQLite file at `path` and brings its schema up to date."""
    the_clock = clock or SystemClock()
    database = SqliteDatabase.open(path, synchronous=synchronous, reader_count=reader_count)
    try:
        await database.write(lambda tx: apply_migrations(tx, the_clock))
    except BaseException:
        await database.close()
        raise
    return SqlMemoryStore(database, config, the_clock)


def _write_on_thread(connection: sqlite3.Connection, works: list[Work[Any]]) -> list[_Outcome]:
    """Runs a group of writes in one transaction and commits it.

    A write that raises is undone (its savepoint, or the whole transaction when it is
    alone) and reported; a database failure fails the whole group.
    """
    transaction = _SqliteTransaction(connection)
    alone = len(works) == 1
    outcomes: list[_Outcome] = []
    _begin(connection, "BEGIN IMMEDIATE")
    try:
        for work in works:
            if not alone:
                connection.execute("SAVEPOINT one_write")
            try:
                result = _run_inline(work, transaction)
            except sqlite3.OperationalError:
                raise
            except Exception as error:
                connection.execute("ROLLBACK" if alone else "ROLLBACK TO one_write")
                outcomes.append((False, error))
            else:
                outcomes.append((True, result))
            if not alone:
                connection.execute("RELEASE one_write")
        if connection.in_transaction:
            connection.execute("COMMIT")
    except BaseException:
        if connection.in_transaction:
            connection.execute("ROLLBACK")
        raise
    return outcomes


def _read_on_thread(connection: sqlite3.Connection, work: Work[Result]) -> Result:
    # BEGIN pins one snapshot for every statement of the read.
    _begin(connection, "BEGIN")
    try:
        return _run_inline(work, _SqliteTransaction(connection))
    finally:
        connection.execute("ROLLBACK")


def _run_inline(work: Work[Result], transaction: _SqliteTransaction) -> Result:
    """Runs a transaction's coroutine to completion right here, without an event loop.

    It can, because everything it awaits is a _SqliteTransaction method, which never
    suspends. Anything that does suspend is a bug in the operation, reported as such.
    """
    coroutine = work(transaction)
    try:
        coroutine.send(None)
    except StopIteration as finished:
        result: Result = finished.value
        return result
    coroutine.close()
    raise RuntimeError("a SQLite transaction awaited something other than its Transaction")


def _is_unavailable(error: sqlite3.OperationalError) -> bool:
    return error.sqlite_errorcode & 0xFF in _UNAVAILABLE_CODES


def _as_group_failure(error: BaseException) -> BaseException:
    """What each write of a group that failed as a whole is told."""
    if isinstance(error, sqlite3.OperationalError) and _is_unavailable(error):
        return Unavailable(f"SQLite database unavailable: {error}")
    if isinstance(error, Exception):
        return error
    return Unavailable("the SQLite write was interrupted")


def _connect_writer(path: Path, synchronous: Synchronous) -> sqlite3.Connection:
    connection = _connect(path)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute(f"PRAGMA synchronous={synchronous}")
    return connection


def _connect_reader(path: Path) -> sqlite3.Connection:
    connection = _connect(path)
    connection.execute("PRAGMA query_only=ON")
    return connection


def _connect(path: Path) -> sqlite3.Connection:
    # isolation_level=None: the module must not open transactions behind our back; every
    # transaction is begun and ended explicitly here.
    connection = sqlite3.connect(path, isolation_level=None, check_same_thread=True)
    connection.execute(f"PRAGMA busy_timeout={_BUSY_TIMEOUT_MS}")
    return connection


def _begin(connection: sqlite3.Connection, begin: str) -> None:
    # A transaction left open by a failure between statements was never committed, so
    # nobody was told it succeeded: discard it.
    if connection.in_transaction:
        connection.execute("ROLLBACK")
    connection.execute(begin)
