"""One row of the `make bench` table, and the table itself.

Every benchmark's main() returns its figures as Rows; perf/bench.py runs them one after
the other and prints every row in one table, each beside the echo ceiling its own script
measured in the same run (the machine's load moves between scripts, so a ratio is only
meaningful against the ceiling taken alongside it).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass(frozen=True)
class Row:
    """A benchmark figure as printed: `value` is already formatted with its unit."""

    section: str  # the benchmark it comes from, e.g. "search"
    figure: str  # what was measured, e.g. "Search at 10,000 via gateway (64 conc.)"
    value: str  # e.g. "412 req/s, p95 38.1 ms"
    target: str = ""  # e.g. ">= 500 req/s, p95 <= 30 ms"; empty when there is none
    met: bool | None = None  # None when there is no target
    # figure's req/s divided by the echo ceiling's req/s measured by the same script
    ratio_to_ceiling: float | None = None

    @property
    def verdict(self) -> str:
        if self.met is None:
            return ""
        return "meets" if self.met else "MISSES"


def ceiling_row(section: str, concurrency: int, value: str) -> Row:
    """The echo ceiling a benchmark measured, as the row its other figures are divided by."""
    figure = f"echo ceiling (grpc.aio, {concurrency} conc.)"
    return Row(section, figure, value, ratio_to_ceiling=1.0)


def print_columns(headers: Sequence[str], cells: Sequence[Sequence[str]]) -> None:
    """Any table as aligned plain-text columns."""
    widths = [
        max(len(h), *(len(c[i]) for c in cells)) if cells else len(h) for i, h in enumerate(headers)
    ]
    print("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip())
    print("  ".join("-" * w for w in widths))
    for cell in cells:
        print("  ".join(c.ljust(w) for c, w in zip(cell, widths, strict=True)).rstrip())


def print_markdown_columns(headers: Sequence[str], cells: Sequence[Sequence[str]]) -> None:
    """Any table as Markdown, for pasting into an issue note."""
    print("| " + " | ".join(headers) + " |")
    print("|" + "---|" * len(headers))
    for cell in cells:
        print("| " + " | ".join(cell) + " |")


ROW_HEADERS = ("section", "figure", "value", "x ceiling", "target", "")


def _row_cells(rows: Sequence[Row]) -> list[tuple[str, ...]]:
    return [
        (
            r.section,
            r.figure,
            r.value,
            f"{r.ratio_to_ceiling:.2f}" if r.ratio_to_ceiling is not None else "",
            r.target,
            r.verdict,
        )
        for r in rows
    ]


def print_table(rows: Sequence[Row], *, title: str = "") -> None:
    if title:
        print(f"\n{title}")
    print_columns(ROW_HEADERS, _row_cells(rows))


def print_markdown(rows: Sequence[Row]) -> None:
    """The same table as Markdown, for pasting into an issue note."""
    print_markdown_columns(ROW_HEADERS, _row_cells(rows))


def write_json(rows: Iterable[Row], path: Path) -> None:
    path.write_text(json.dumps([asdict(r) for r in rows], indent=2) + "\n")


def read_json(path: Path) -> list[Row]:
    return [Row(**raw) for raw in json.loads(path.read_text())]
