"""Find the grammar and build the Lark parser once per process.

The grammar's single source of truth is ``grammar/perfrules.lark`` at the top of the
checkout. The wheel carries a copy at ``perfrules/grammar/perfrules.lark``. In an
editable install the package resolves to the checkout, so the top-level file is the
fallback, and it keeps grammar edits live during development.
"""

from __future__ import annotations

import functools
from importlib import resources
from pathlib import Path

import lark


def grammar_text() -> str:
    shipped = resources.files("perfrules") / "grammar" / "perfrules.lark"
    if shipped.is_file():
        return shipped.read_text(encoding="utf-8")
    checkout = Path(__file__).resolve().parents[1] / "grammar" / "perfrules.lark"
    return checkout.read_text(encoding="utf-8")


@functools.cache
def parser() -> lark.Lark:
    return lark.Lark(
        grammar_text(),
        parser="lalr",
        lexer="contextual",
        propagate_positions=True,
        maybe_placeholders=True,
    )
