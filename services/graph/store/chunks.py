"""Splits long parameter lists so that no single query carries an unbounded batch.

FalkorDB receives parameters as text in the query header, so one huge UNWIND list costs a
huge parse; a thousand rows per query keeps both backends near their best throughput.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TypeVar

T = TypeVar("T")

CHUNK_SIZE = 1000


def chunked(items: Sequence[T], size: int = CHUNK_SIZE) -> Iterator[list[T]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])
