"""Find the grammar and build the Lark parser once per process.

The grammar's single source of truth is ``grammar/perfrules.lark`` at the top of the
checkout. The wheel carries a copy at ``perfrules/grammar/perfrules.lark``. In an
editable install the package resolves to the checkout, so the top-level file is the
fallback, and it keeps grammar edits live during development.
"""

from __future__ import annotations

import contextlib
import functools
import threading
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import lark


def grammar_text() -> str:
    shipped = resources.files("perfrules") / "grammar" / "perfrules.lark"
    if shipped.is_file():
        return shipped.read_text(encoding="utf-8")
    checkout = Path(__file__).resolve().parents[1] / "grammar" / "perfrules.lark"
    return checkout.read_text(encoding="utf-8")


_OPTIONS = {"parser": "lalr", "lexer": "contextual", "propagate_positions": True, "maybe_placeholders": True}


@functools.cache
def parser() -> lark.Lark:
    return lark.Lark(grammar_text(), **_OPTIONS)


# The formatter needs the comments the grammar ignores. A second parser hands each one to
# the list of the thread that is parsing; ``parser()`` itself stays as fast as before.
_sinks = threading.local()


def _keep_comment(token: lark.Token) -> lark.Token:
    sink = getattr(_sinks, "comments", None)
    if sink is not None:
        sink.append(token)
    return token


@functools.cache
def commenting_parser() -> lark.Lark:
    return lark.Lark(grammar_text(), lexer_callbacks={"COMMENT": _keep_comment}, **_OPTIONS)


@contextlib.contextmanager
def collecting_comments() -> Iterator[list[lark.Token]]:
    """Collect the comment tokens ``commenting_parser()`` meets inside the block."""
    _sinks.comments = found = []
    try:
        yield found
    finally:
        _sinks.comments = None
