"""The exceptions perfrules raises: one base class, one subclass per stage.

Every error carries the diagnostics that explain it; ``str(error)`` renders them all,
so a caller that only prints the exception still shows codes, positions and carets.
"""

from __future__ import annotations

from collections.abc import Sequence

from perfrules.diagnostics import Diagnostic, render


class PerfrulesError(Exception):
    """Base class of every error perfrules raises for a problem in its input."""

    def __init__(self, diagnostics: Sequence[Diagnostic]) -> None:
        self.diagnostics = tuple(diagnostics)
        super().__init__(render(self.diagnostics))


class ParseError(PerfrulesError):
    """The ruleset text is not in the language (PR1xx). Stops at the first error."""


class CheckError(PerfrulesError):
    """The ruleset parses but is wrong: names, kinds, bands, points (PR2xx-PR4xx)."""


class FactsError(PerfrulesError, ValueError):
    """Facts are missing, unknown, ill-typed or out of range (PR5xx), all of them."""


class EvaluationError(PerfrulesError):
    """A fault the rules do not cover, such as a zero denominator (PR6xx)."""


class InternalError(PerfrulesError):
    """Generated code failed verification: a bug in perfrules, never the user's."""
