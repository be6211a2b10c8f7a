"""`memgrid export` and `memgrid import`: a user's memories to and from NDJSON (the format
and what an import re-creates: memgrid_client/transfer.py).

An export to a file keeps a cursor beside it (FILE.cursor: the page token after the last
page written, and the file's size then), so `--resume` continues an interrupted export
where its last page ended; the cursor is removed once the export is complete. An import
checks every line of a file before it writes anything; interrupted, it is resumed by
running it again (stored batches replay without writing) or with --skip N.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TextIO

from memgrid.common.v1 import memory_pb2 as common

from memgrid_client.cli.common import (
    MEMORY_KIND,
    Parser,
    add_scope_arguments,
    fail,
    memory_filter,
    print_json,
    report,
)
from memgrid_client.cli.progress import Progress
from memgrid_client.errors import MemgridError
from memgrid_client.sync_client import Memgrid
from memgrid_client.transfer import (
    DEFAULT_EXPORT_PAGE_SIZE,
    DEFAULT_IMPORT_BATCH_SIZE,
    BadRecord,
    ExportPage,
    ImportProgress,
    export_memories,
    import_memories,
    read_records,
)


def register(commands: argparse._SubParsersAction[Parser]) -> None:
    export = commands.add_parser("export", help="a user's memories as NDJSON")
    add_scope_arguments(export)
    export.add_argument("--kind", type=MEMORY_KIND, action="append", default=[])
    export.add_argument("-o", "--output", metavar="FILE", help="default: stdout")
    export.add_argument(
        "--resume", action="store_true", help="continue the interrupted export into FILE"
    )
    export.add_argument("--page-size", type=int, default=DEFAULT_EXPORT_PAGE_SIZE)
    export.set_defaults(run=_export)

    imports = commands.add_parser("import", help="re-create the memories of an export")
    imports.add_argument("file", help="an export's NDJSON; - reads stdin")
    imports.add_argument("--user", help="import into this user (default: each line's own)")
    imports.add_argument(
        "--skip", type=int, default=0, metavar="N", help="start after line N (already imported)"
    )
    imports.add_argument("--batch-size", type=int, default=DEFAULT_IMPORT_BATCH_SIZE)
    imports.set_defaults(run=_import)


# Export


def _export(client: Memgrid, args: argparse.Namespace) -> None:
    selection = memory_filter(args, kinds=args.kind)
    progress = Progress("export", None, "memories")
    if args.output is None:
        if args.resume:
            fail("--resume needs the --output FILE of the interrupted export", 2)
        export_memories(
            client,
            selection,
            sys.stdout,
            page_size=args.page_size,
            on_page=lambda page: progress.update(page.lines_written),
        )
        progress.finish()
        return
    path = Path(args.output)
    cursor = _Cursor(path.with_name(path.name + ".cursor"))
    if args.resume:
        state = cursor.load()
        if state.complete:
            fail(f"the export in {path} is complete; nothing to resume")
        with _truncated(path, state.size) as out:
            total = _export_pages(client, selection, args.page_size, out, cursor, progress, state)
    else:
        with path.open("w", encoding="utf-8") as out:
            start = _Position(page_token="", lines=0, size=0, complete=False)
            cursor.save(start)
            total = _export_pages(client, selection, args.page_size, out, cursor, progress, start)
    progress.finish()
    cursor.remove()
    print_json({"file": str(path), "memories": total})


@dataclass(frozen=True)
class _Position:
    """Where an export into a file stands: the token of the next page, and the lines and
    bytes on disk before it."""

    page_token: str
    lines: int
    size: int
    complete: bool


def _export_pages(
    client: Memgrid,
    selection: common.MemoryFilter,
    page_size: int,
    out: TextIO,
    cursor: _Cursor,
    progress: Progress,
    start: _Position,
) -> int:
    def saved(page: ExportPage) -> None:
        # The cursor may only name lines that are on disk.
        os.fsync(out.fileno())
        cursor.save(
            _Position(
                page_token=page.next_page_token,
                lines=start.lines + page.lines_written,
                size=os.fstat(out.fileno()).st_size,
                complete=not page.next_page_token,
            )
        )
        progress.update(start.lines + page.lines_written)

    written = export_memories(
        client,
        selection,
        out,
        page_token=start.page_token,
        page_size=page_size,
        on_page=saved,
    )
    return start.lines + written


class _Cursor:
    """FILE.cursor: where an export into FILE stands, replaced whole after each page."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> _Position:
        try:
            return _Position(**json.loads(self.path.read_text(encoding="utf-8")))
        except FileNotFoundError:
            fail(f"no {self.path}: nothing to resume (run the export without --resume)")
        except (ValueError, TypeError) as error:
            fail(f"{self.path} is damaged ({error}); run the export again without --resume")

    def save(self, position: _Position) -> None:
        partial = self.path.with_name(self.path.name + ".partial")
        partial.write_text(json.dumps(asdict(position)), encoding="utf-8")
        os.replace(partial, self.path)

    def remove(self) -> None:
        self.path.unlink(missing_ok=True)


@contextmanager
def _truncated(path: Path, size: int) -> Iterator[TextIO]:
    """path opened for appending after its first `size` bytes: a page written after the
    cursor was saved goes, to be written again."""
    with path.open("r+b") as raw:
        raw.truncate(size)
    with path.open("a", encoding="utf-8") as out:
        yield out


# Import


def _import(client: Memgrid, args: argparse.Namespace) -> int:
    if args.skip < 0 or args.batch_size < 1:
        fail("--skip must be >= 0 and --batch-size >= 1", 2)
    name = "stdin" if args.file == "-" else args.file
    total = None if args.file == "-" else _checked_line_count(Path(args.file), args.skip)
    progress = Progress("import", total, "lines")
    confirmed = ImportProgress(confirmed_line=args.skip)

    def stored(batch: ImportProgress) -> None:
        confirmed.confirmed_line = batch.confirmed_line
        progress.update(batch.confirmed_line)

    with _lines(args.file) as lines:
        try:
            result = import_memories(
                client,
                lines,
                user_id=args.user,
                skip=args.skip,
                batch_size=args.batch_size,
                on_batch=stored,
            )
        except BadRecord as error:
            progress.finish()
            print(f"memgrid: {name} {error}", file=sys.stderr)
            _resume_hint(confirmed.confirmed_line, args.skip)
            return 1
        except MemgridError as error:
            progress.finish()
            report(error)
            _resume_hint(confirmed.confirmed_line, args.skip)
            return 1
        except KeyboardInterrupt:
            progress.finish()
            _resume_hint(confirmed.confirmed_line, args.skip)
            return 130
    progress.finish()
    print_json(
        {
            "lines": result.confirmed_line,
            "skipped": args.skip,
            "created": result.created,
            "replayed": result.replayed,
        }
    )
    return 0


def _checked_line_count(path: Path, skip: int) -> int:
    """Every line of the file after `skip` parses, before anything is written; the count
    of lines, for the progress bar."""
    count = 0
    try:
        with path.open(encoding="utf-8") as lines:
            for _ in read_records(lines, skip=skip):
                pass
        with path.open(encoding="utf-8") as lines:
            count = sum(1 for _ in lines)
    except BadRecord as error:
        fail(f"{path} {error}; nothing was imported")
    except (OSError, UnicodeDecodeError) as error:
        fail(f"{path}: {error}")
    return count


@contextmanager
def _lines(source: str) -> Iterator[TextIO]:
    if source == "-":
        yield sys.stdin
    else:
        with open(source, encoding="utf-8") as lines:
            yield lines


def _resume_hint(confirmed_line: int, skip: int) -> None:
    if confirmed_line > skip:
        print(
            f"memgrid: lines 1-{confirmed_line} are imported. To continue, run the same"
            f" command again (imported batches replay, writing nothing) or add"
            f" --skip {confirmed_line}",
            file=sys.stderr,
        )
