"""Export and import of memories as NDJSON: a backup, or a move to another user or tenant.

An export is one JSON object a line, oldest memory first:

    {"format": "memgrid.export/1", "exported_at": "2025-03-03T09:00:00Z",
     "memory": {...the memgrid.common.v1.Memory, as proto JSON...}}

Each line stands alone (no header), so a file can be split, concatenated, or resumed at
any line. It holds the current memories a ListMemories filter matches, superseded ones
left out (the API cannot re-create a memory as superseded).

An import re-creates each memory with what a client may set: scope (the user replaced when
asked), kind, tier, content, metadata, tags, importance, valid_from, the expiry (the
lifetime the memory had left when it was exported), and source_message_ids, rewritten to
the ids the same import gave those messages (ids it did not import are dropped, so an
imported memory never points at a memory of the user it was exported from). Conversation
turns go through AddMessages, keeping role, speaker and occurred_at (their valid_from);
the target's thought engine then consolidates them as it would any new turns. What the
server owns (id, version, created_at, heat, visits, session_seq) is new.

Imports are idempotent: lines are sent in batches of fixed line ranges (lines 1..500,
501..1000, ...), and each request's idempotency key is derived from the lines it carries
and the target user. Importing the same file again, whole or from any batch boundary,
replays the batches already stored (memory-store returns their first result and writes
nothing) for as long as memory-store keeps idempotency keys (24 h by default).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TextIO

from google.protobuf import duration_pb2, timestamp_pb2
from google.protobuf.json_format import MessageToDict, ParseDict, ParseError
from memgrid.common.v1 import memory_pb2 as common

from memgrid_client.errors import InvalidArgument
from memgrid_client.sync_client import Memgrid

FORMAT = "memgrid.export/1"
DEFAULT_EXPORT_PAGE_SIZE = 500
DEFAULT_IMPORT_BATCH_SIZE = 500
# An imported memory that had less than this left before it expired keeps this much, so
# that its request is still valid (a TTL must be positive).
_MIN_TTL_SECONDS = 1
_ITEM_PATH = re.compile(r"^(memories|messages)\[(\d+)\](.*)$")


class BadRecord(ValueError):
    """A line of an export that cannot be imported; `line` is its 1-based number."""

    def __init__(self, line: int, problem: str) -> None:
        super().__init__(f"line {line}: {problem}")
        self.line = line
        self.problem = problem


@dataclass(frozen=True)
class ExportRecord:
    """One line of an export: a memory and when it was exported."""

    memory: common.Memory
    exported_at: datetime

    def to_line(self) -> str:
        document = {
            "format": FORMAT,
            "exported_at": _rfc3339(self.exported_at),
            "memory": MessageToDict(self.memory, preserving_proto_field_name=True),
        }
        return json.dumps(document, ensure_ascii=False, separators=(",", ":"))


@dataclass(frozen=True)
class ExportPage:
    """Where an export stands after a page: lines written by this call, and the token that
    continues after them ("" once every memory is written)."""

    lines_written: int
    next_page_token: str


def export_memories(
    client: Memgrid,
    memory_filter: common.MemoryFilter,
    out: TextIO,
    *,
    page_token: str = "",
    page_size: int = DEFAULT_EXPORT_PAGE_SIZE,
    on_page: Callable[[ExportPage], None] | None = None,
) -> int:
    """Writes every memory matching the filter (which names the user, as every read does)
    to out, one line each, a ListMemories page at a time, starting after page_token.

    out is flushed after each page, and then on_page is called: a caller that records the
    page's token (and the file's size) can resume an interrupted export from there.
    Returns the number of lines written.
    """
    exported_at = datetime.now(timezone.utc)
    written = 0
    while True:
        page = client.list_memories(memory_filter, page_size=page_size, page_token=page_token)
        for memory in page.memories:
            out.write(ExportRecord(memory, exported_at).to_line() + "\n")
        written += len(page.memories)
        out.flush()
        page_token = page.next_page_token
        if on_page is not None:
            on_page(ExportPage(written, page_token))
        if not page_token:
            return written


def parse_record(line: str, number: int) -> ExportRecord:
    """The record on one line of an export; BadRecord naming the line and what is wrong."""
    try:
        document = json.loads(line)
    except ValueError as error:
        raise BadRecord(number, f"not JSON ({error})") from None
    if not isinstance(document, dict):
        raise BadRecord(number, "not a JSON object")
    if document.get("format") != FORMAT:
        raise BadRecord(number, f"format is {document.get('format')!r}, expected {FORMAT!r}")
    if not isinstance(document.get("memory"), dict):
        raise BadRecord(number, "memory: required, an object")
    try:
        memory = ParseDict(document["memory"], common.Memory())
    except ParseError as error:
        raise BadRecord(number, f"memory: {error}") from None
    exported_at = timestamp_pb2.Timestamp()
    try:
        exported_at.FromJsonString(str(document.get("exported_at")))
    except ValueError:
        raise BadRecord(number, "exported_at: required, an RFC 3339 time") from None
    if not memory.content:
        raise BadRecord(number, "memory.content: required")
    if not memory.scope.user_id:
        raise BadRecord(number, "memory.scope.user_id: required")
    return ExportRecord(memory, exported_at.ToDatetime(tzinfo=timezone.utc))


def read_records(lines: Iterable[str], *, skip: int = 0) -> Iterator[tuple[int, ExportRecord]]:
    """(line number, record) for every non-blank line after the first `skip`."""
    for number, line in enumerate(lines, start=1):
        if number > skip and line.strip():
            yield number, parse_record(line, number)


@dataclass
class ImportProgress:
    """How far an import is: every line up to `confirmed_line` is stored (or was already,
    by an earlier run of the same import: `replayed` counts those memories)."""

    confirmed_line: int = 0
    created: int = 0
    replayed: int = 0


def import_memories(
    client: Memgrid,
    lines: Iterable[str],
    *,
    user_id: str | None = None,
    skip: int = 0,
    batch_size: int = DEFAULT_IMPORT_BATCH_SIZE,
    on_batch: Callable[[ImportProgress], None] | None = None,
) -> ImportProgress:
    """Re-creates the memories of an export's lines, into user_id when given (else each
    memory's own user), starting after line `skip`.

    on_batch is called once each batch of lines is stored. A bad line raises BadRecord
    (the batches before it are stored); an INVALID_ARGUMENT from the gateway is raised as
    BadRecord naming the line it was about. Other errors propagate as MemgridError; the
    progress passed to on_batch says which line a rerun can --skip to.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    importer = _Importer(client, user_id)
    importer.progress.confirmed_line = skip
    pending: list[_Item] = []
    last_line = skip
    for number, line in enumerate(lines, start=1):
        if number <= skip:
            continue
        if pending and (number - 1) // batch_size != (pending[0].line - 1) // batch_size:
            importer.store(pending, through_line=number - 1)
            pending = []
            if on_batch is not None:
                on_batch(importer.progress)
        if line.strip():
            pending.append(_Item(number, line.strip(), parse_record(line, number)))
        last_line = number
    if pending:
        importer.store(pending, through_line=last_line)
        if on_batch is not None:
            on_batch(importer.progress)
    importer.progress.confirmed_line = last_line
    return importer.progress


@dataclass(frozen=True)
class _Item:
    """A line of the batch being imported: its number, its text, and what it holds."""

    line: int
    text: str
    record: ExportRecord


@dataclass
class _Request:
    """One AddMessages (a run of one session's turns) or AddMemories of a batch."""

    messages_scope: common.Scope | None
    items: list[_Item] = field(default_factory=list)


class _Importer:
    def __init__(self, client: Memgrid, user_id: str | None) -> None:
        self._client = client
        self._user_id = user_id
        # Old id -> id in the target, for rewriting source_message_ids.
        self._new_ids: dict[str, str] = {}
        self.progress = ImportProgress()

    def store(self, batch: Sequence[_Item], *, through_line: int) -> None:
        for request in self._requests(batch):
            self._send(request)
        self.progress.confirmed_line = through_line

    def _scope(self, record: ExportRecord) -> common.Scope:
        scope = common.Scope()
        scope.CopyFrom(record.memory.scope)
        if self._user_id:
            scope.user_id = self._user_id
        return scope

    def _requests(self, batch: Sequence[_Item]) -> list[_Request]:
        """The batch as requests in line order: a run of turns of one session is one
        AddMessages, a run of anything else one AddMemories (sources before what cites
        them, as the export's order has them)."""
        requests: list[_Request] = []
        for item in batch:
            memory = item.record.memory
            is_turn = (
                memory.kind == common.MEMORY_KIND_MESSAGE
                and memory.scope.session_id != ""
                and memory.role != common.ROLE_UNSPECIFIED
            )
            scope = self._scope(item.record) if is_turn else None
            if not requests or requests[-1].messages_scope != scope:
                requests.append(_Request(scope))
            requests[-1].items.append(item)
        return requests

    def _key(self, request: _Request) -> str:
        digest = hashlib.sha256(FORMAT.encode())
        digest.update(b"\0" + (self._user_id or "").encode())
        for item in request.items:
            digest.update(b"\0" + item.text.encode())
        return f"import-{digest.hexdigest()[:48]}"

    def _send(self, request: _Request) -> None:
        key = self._key(request)
        try:
            if request.messages_scope is not None:
                turns = [_new_message(item.record) for item in request.items]
                reply = self._client.add_messages(
                    request.messages_scope, turns, idempotency_key=key
                )
                memories, replayed = reply.memories, reply.replayed
            else:
                new = [self._new_memory(item.record) for item in request.items]
                added = self._client.add_memories(new, idempotency_key=key)
                memories, replayed = added.memories, added.replayed
        except InvalidArgument as error:
            raise _bad_record(error, request) from error
        for item, stored in zip(request.items, memories, strict=True):
            self._new_ids[item.record.memory.id] = stored.id
        if replayed:
            self.progress.replayed += len(memories)
        else:
            self.progress.created += len(memories)

    def _new_memory(self, record: ExportRecord) -> common.NewMemory:
        memory = record.memory
        new = common.NewMemory(
            scope=self._scope(record),
            kind=memory.kind,
            tier=memory.tier,
            content=memory.content,
            metadata=dict(memory.metadata),
            tags=list(memory.tags),
            importance=memory.importance,
            source_message_ids=[
                self._new_ids[old] for old in memory.source_message_ids if old in self._new_ids
            ],
        )
        if memory.HasField("valid_from"):
            new.valid_from.CopyFrom(memory.valid_from)
        if memory.HasField("expires_at"):
            # What was left at export time, not at import time: the request (and so its
            # idempotency) is the same however often the file is imported.
            left = memory.expires_at.ToDatetime(tzinfo=timezone.utc) - record.exported_at
            new.ttl.CopyFrom(
                duration_pb2.Duration(seconds=max(_MIN_TTL_SECONDS, int(left.total_seconds())))
            )
        return new


def _new_message(record: ExportRecord) -> common.NewMessage:
    memory = record.memory
    turn = common.NewMessage(
        role=memory.role,
        content=memory.content,
        metadata=dict(memory.metadata),
        speaker=memory.speaker,
    )
    if memory.HasField("valid_from"):
        turn.occurred_at.CopyFrom(memory.valid_from)
    return turn


def _bad_record(error: InvalidArgument, request: _Request) -> BadRecord | InvalidArgument:
    """The gateway's first violation about an item, as a BadRecord on that item's line."""
    for violation in error.violations:
        match = _ITEM_PATH.match(violation.field)
        if match and int(match[2]) < len(request.items):
            line = request.items[int(match[2])].line
            return BadRecord(line, f"memory{match[3]}: {violation.description}")
    return error


def _rfc3339(moment: datetime) -> str:
    timestamp = timestamp_pb2.Timestamp()
    timestamp.FromDatetime(moment)
    return timestamp.ToJsonString()
