"""A plain-text progress line on stderr for long exports and imports.

On a terminal it redraws one line (`import  [########............]  4000/10000 lines`); into
a file or pipe it writes a line at each tenth of the way (or, with no total known, at every
update), so a log shows where a long run had got to without a line per batch.
"""

from __future__ import annotations

import sys
from typing import TextIO

_WIDTH = 30


class Progress:
    def __init__(self, label: str, total: int | None, unit: str, out: TextIO = sys.stderr):
        self._label = label
        self._total = total
        self._unit = unit
        self._out = out
        self._redraw = out.isatty()
        self._last_tenth = -1

    def update(self, done: int) -> None:
        if self._total:
            tenth = min(10, done * 10 // self._total)
            if not self._redraw and tenth == self._last_tenth:
                return
            self._last_tenth = tenth
            filled = min(_WIDTH, done * _WIDTH // self._total)
            bar = "#" * filled + "." * (_WIDTH - filled)
            text = f"{self._label} [{bar}] {done}/{self._total} {self._unit}"
        else:
            text = f"{self._label}: {done} {self._unit}"
        if self._redraw:
            self._out.write("\r" + text)
        else:
            self._out.write(text + "\n")
        self._out.flush()

    def finish(self) -> None:
        """Ends a redrawn line, so that what is printed next starts on its own."""
        if self._redraw:
            self._out.write("\n")
            self._out.flush()
