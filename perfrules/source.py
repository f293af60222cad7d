"""Source text and positions in it.

This module owns the mapping from character offsets to lines, columns and terminal
cells. Nodes store offsets only (``Span``); lines and columns are worked out when a
message is rendered, so positions never go stale and layout never changes equality.
"""

from __future__ import annotations

import bisect
import functools
import unicodedata

import attrs


@attrs.frozen
class Source:
    """A named text: a ruleset file, a facts file, or a string given to ``loads``."""

    name: str
    text: str = attrs.field(repr=False)

    @functools.cached_property
    def _line_starts(self) -> tuple[int, ...]:
        starts = [0]
        starts.extend(i + 1 for i, ch in enumerate(self.text) if ch == "\n")
        return tuple(starts)

    def line_col(self, offset: int) -> tuple[int, int]:
        """Return the 1-based line and column (in characters) of ``offset``."""
        offset = max(0, min(offset, len(self.text)))
        line = bisect.bisect_right(self._line_starts, offset)
        return line, offset - self._line_starts[line - 1] + 1

    def line_text(self, line: int) -> str:
        """Return line ``line`` (1-based) without its newline."""
        start = self._line_starts[line - 1]
        end = self.text.find("\n", start)
        return self.text[start : end if end >= 0 else len(self.text)].rstrip("\r")

    def offset(self, line: int, col: int) -> int:
        """Return the offset of a 1-based line and column."""
        line = max(1, min(line, len(self._line_starts)))
        return self._line_starts[line - 1] + col - 1


@attrs.frozen
class Span:
    """A range of characters ``[start, end)`` in one source."""

    source: Source = attrs.field(eq=False, repr=False)
    start: int
    end: int

    @property
    def line_col(self) -> tuple[int, int]:
        return self.source.line_col(self.start)

    def __str__(self) -> str:
        line, col = self.line_col
        return f"{self.source.name}:{line}:{col}"


def cells(text: str) -> int:
    """Terminal cells taken by ``text``: wide and full-width characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
