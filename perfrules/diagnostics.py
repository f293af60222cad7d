"""Diagnostics: what a stage found wrong, where, and how to show it.

A ``Diagnostic`` is a frozen value; ``Diagnostics`` collects them for one stage so that
every problem is reported in one run; ``render`` draws the compiler-style message with a
caret placed by terminal cells, so it sits under the right character in Chinese text.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence

import attrs

from perfrules.source import Span, cells

MAX_SHOWN = 20


@attrs.frozen
class Diagnostic:
    """One problem: a stable code, a message naming both sides, and where it is."""

    code: str
    message: str
    span: Span | None = None
    severity: str = "error"
    hint: str | None = None
    notes: tuple[tuple[str, Span | None], ...] = ()

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def render(self) -> str:
        """The message as a compiler would print it, with the source line and a caret."""
        lines = [f"{self.severity}[{self.code}]: {self.message}"]
        if self.span is not None:
            lines.extend(_snippet(self.span))
        for text, span in self.notes:
            where = f" ({span})" if span is not None else ""
            lines.append(f"   = note: {text}{where}")
        if self.hint:
            lines.append(f"   = hint: {self.hint}")
        return "\n".join(lines)


def _snippet(span: Span) -> list[str]:
    line, col = span.line_col
    text = span.source.line_text(line)
    end_line, end_col = span.source.line_col(max(span.start, span.end - 1))
    width = (end_col + 1 if end_line == line else len(text) + 1) - col
    number = str(line)
    pad = " " * len(number)
    caret = " " * cells(text[: col - 1]) + "^" * max(1, cells(text[col - 1 : col - 1 + width]))
    return [
        f"{pad}--> {span}",
        f"{pad} |",
        f"{number} | {text}",
        f"{pad} | {caret}",
    ]


def render(diagnostics: Sequence[Diagnostic], *, limit: int = MAX_SHOWN) -> str:
    """Render diagnostics, at most ``limit`` of them, then a count of the rest."""
    shown = [d.render() for d in diagnostics[:limit]]
    if len(diagnostics) > limit:
        shown.append(f"… and {len(diagnostics) - limit} more")
    return "\n\n".join(shown)


def closest(name: str, candidates: Iterable[str]) -> str | None:
    """The candidate most like ``name``, or None. difflib compares CJK text fine."""
    close = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.5)
    return close[0] if close else None


def did_you_mean(name: str, candidates: Iterable[str]) -> str | None:
    """A hint naming the closest candidate, or None."""
    found = closest(name, candidates)
    return f"did you mean {found}?" if found else None


@attrs.define
class Diagnostics:
    """The bag one stage fills; raise it once at the end of the stage."""

    items: list[Diagnostic] = attrs.field(factory=list)

    def error(self, code: str, message: str, span: Span | None, **extra) -> None:
        self.items.append(Diagnostic(code, message, span, "error", **extra))

    def warning(self, code: str, message: str, span: Span | None, **extra) -> None:
        self.items.append(Diagnostic(code, message, span, "warning", **extra))

    @property
    def has_errors(self) -> bool:
        return any(d.is_error for d in self.items)

    def sorted(self) -> tuple[Diagnostic, ...]:
        """In source order, so a reader meets them top to bottom."""
        def key(d: Diagnostic):
            return (d.span.source.name, d.span.start) if d.span else ("", -1)
        return tuple(sorted(self.items, key=key))
