"""Formatting never changes meaning, keeps every comment, and reaches a fixed point at once.

Three sources of rulesets: every ``.rules`` file in the repository that parses, random
valid rulesets (``perfrules.testing.ruleset_texts``) with comments and layout noise added,
and random texts the grammar accepts (``from_lark``), which reach names, quotes, ids,
full-width spellings and shapes no valid ruleset generator would write.
"""

from __future__ import annotations

from pathlib import Path

import lark
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.lark import from_lark

from perfrules import testing
from perfrules.errors import ParseError
from perfrules.fingerprint import fingerprint
from perfrules.fmt_comments import attach
from perfrules.fmt_layout import format_tree
from perfrules.parse import parse, parse_with_comments

ROOT = Path(__file__).resolve().parents[2]
# Each example parses and lays out a ruleset twice; half the profile's examples keep the
# suite fast, and the ci profile still runs more of them.
_HALF = settings(max_examples=max(10, settings.default.max_examples // 2))
_GRAMMAR = lark.Lark((ROOT / "grammar" / "perfrules.lark").read_text(encoding="utf-8"), parser="lalr")


def _format(text: str, width: int | None):
    tree, comments = parse_with_comments(text)
    options = {} if width is None else {"width": width}
    return tree, comments, format_tree(tree, notes=attach(tree, comments, text), **options)


def assert_formats_without_loss(text: str, *, width: int | None = None) -> str:
    tree, comments, once = _format(text, width)
    again, kept, twice = _format(once, width)
    assert again == tree, once
    assert [c.text for c in kept] == [c.text.rstrip() for c in comments], once
    assert twice == once
    return once


def _repository_rulesets() -> list[Path]:
    found = []
    for path in sorted(p for pattern in ("rulesets/**/*.rules", "tests/**/*.rules", "docs/**/*.rules")
                       for p in ROOT.glob(pattern)):
        try:
            parse(path.read_text(encoding="utf-8"))
        except ParseError:
            continue  # the corpus of parse errors: nothing to format
        found.append(path)
    return found


@pytest.mark.parametrize("path", _repository_rulesets(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_ruleset_in_the_repository_formats_without_loss(path):
    assert_formats_without_loss(path.read_text(encoding="utf-8"))


@st.composite
def commented(draw) -> str:
    """A valid ruleset with comments on lines of their own, after code, and blank lines."""
    lines = draw(testing.ruleset_texts()).splitlines()
    out = []
    for number, line in enumerate(lines):
        choice = draw(st.sampled_from(["plain", "own", "after", "blank"]))
        if choice == "own":
            out.append(f"{' ' * draw(st.integers(0, 6))}# own {number}")
        elif choice == "blank":
            out.append("")
        out.append(line + (f"  # after {number}" if choice == "after" else ""))
    return "\n".join(out) + "\n"


@st.composite
def relaid(draw) -> tuple[str, str]:
    """A valid ruleset, and the same text with its lines joined and indented at random."""
    text = draw(testing.ruleset_texts())
    noisy = "".join(
        ch if ch != "\n" else draw(st.sampled_from(["\n", " ", "\n    ", " ;\n"]))
        for ch in text
    )
    return text, noisy


@_HALF
@given(commented(), st.sampled_from([None, 50]))
def test_comments_survive_and_formatting_is_idempotent(text, width):
    assert_formats_without_loss(text, width=width)


@_HALF
@given(relaid())
def test_layout_does_not_matter_to_the_canonical_form_or_the_fingerprint(texts):
    (tree, _, tidy), (noisy_tree, _, from_noise) = _format(texts[0], None), _format(texts[1], None)
    assert from_noise == tidy
    assert fingerprint(noisy_tree) == fingerprint(tree)


@settings(_HALF, suppress_health_check=list(HealthCheck))
@given(from_lark(_GRAMMAR, start="start"), st.sampled_from([None, 30]))
def test_any_text_the_grammar_accepts_formats_without_loss(text, width):
    try:
        parse(text)
    except ParseError:
        return  # the grammar fuzzer reaches limits the parser enforces (nesting, places)
    assert_formats_without_loss(text, width=width)
