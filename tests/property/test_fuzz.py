"""Robustness of the front end: any text either loads or fails with perfrules diagnostics.

Texts come from the grammar itself (``hypothesis.extra.lark.from_lark``), which reaches
every construct, and from mutations of the seed rulesets (slices deleted, duplicated or
swapped, full-width and stray characters inserted), which stay close to what authors
write. Every example runs under an alarm, so a hang fails the test instead of stalling
it. Very large files, long formulas and deep nesting must fail cleanly or load in
bounded time.
"""

from __future__ import annotations

import re
import signal
import time
from contextlib import contextmanager
from pathlib import Path

import lark
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.lark import from_lark

import perfrules
from perfrules._grammar import grammar_text
from perfrules.check import check
from perfrules.errors import PerfrulesError
from perfrules.parse import parse

ROOT = Path(__file__).resolve().parents[2]
SEEDS = [(ROOT / "rulesets" / "shenzhen" / f"department-overall-{y}.rules").read_text(encoding="utf-8")
         for y in (2023, 2024)]
SECONDS = 20  # per example; loading a seed takes well under one
_CODE = re.compile(r"PR[1-4]\d\d")
# What authors type by mistake or by habit: full-width punctuation, CJK marks, invisible
# and control characters, quotes, comment and escape signs.
_STRAY = "（）：；，｛｝→≥≤％　、。【】“”「」\"'#\\\t\u200b\ufeff\x00\r"


class _Hang(Exception):
    pass


@contextmanager
def _deadline(seconds: float):
    def stop(signum, frame):
        raise _Hang(f"no answer within {seconds} s")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def assert_loads_or_fails_cleanly(text: str) -> None:
    """``loads`` either succeeds or raises a PerfrulesError whose diagnostics are placed."""
    try:
        with _deadline(SECONDS):
            perfrules.loads(text, name="fuzz.rules")
    except PerfrulesError as error:
        assert error.diagnostics, "an error without a diagnostic"
        for diagnostic in error.diagnostics:
            assert _CODE.fullmatch(diagnostic.code), diagnostic
            assert diagnostic.span is not None, diagnostic
            assert 0 <= diagnostic.span.start <= diagnostic.span.end <= len(text), diagnostic
            assert diagnostic.render()


# ---- texts from the grammar ---------------------------------------------------------------------

_GRAMMAR = lark.Lark(grammar_text(), parser="lalr", lexer="contextual")


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(from_lark(_GRAMMAR, start="start"))
def test_any_text_of_the_grammar_loads_or_fails_with_diagnostics(text):
    assert_loads_or_fails_cleanly(text)


# ---- mutations of the seeds ---------------------------------------------------------------------


@st.composite
def mutated_seeds(draw) -> str:
    text = draw(st.sampled_from(SEEDS))
    for _ in range(draw(st.integers(1, 4))):
        text = draw(_mutation(text))
    return text


def _mutation(text: str) -> st.SearchStrategy[str]:
    place = st.integers(0, len(text))
    length = st.integers(1, 40)
    return st.one_of(
        st.tuples(place, length).map(lambda t: text[: t[0]] + text[t[0] + t[1]:]),  # delete
        st.tuples(place, length).map(lambda t: text[: t[0]] + text[t[0]: t[0] + t[1]] * 2 + text[t[0] + t[1]:]),
        st.tuples(place, place, length).map(lambda t: _swap(text, *t)),
        st.tuples(place, st.sampled_from(_STRAY)).map(lambda t: text[: t[0]] + t[1] + text[t[0]:]),  # insert
    )


def _swap(text: str, first: int, second: int, length: int) -> str:
    first, second = sorted((first, second))
    if second < first + length:
        return text
    a, b = text[first: first + length], text[second: second + length]
    return text[:first] + b + text[first + length: second] + a + text[second + len(b):]


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(mutated_seeds())
def test_a_mutated_seed_loads_or_fails_with_diagnostics(text):
    assert_loads_or_fails_cleanly(text)


@pytest.mark.parametrize("stray", list(_STRAY))
def test_a_stray_character_in_a_band_list_is_a_placed_parse_error(stray):
    text = SEEDS[1].replace("≥ 95% → 6;", f"≥ 95% → 6;{stray}", 1)
    assert_loads_or_fails_cleanly(text)


# ---- size and depth ------------------------------------------------------------------------------


def _large(indicators: int, last: str = "") -> str:
    lines = ['ruleset "large" version "1"', "input 率: percent 0%..100%", "input 数: count",
             "input 额: amount 万元", "input 计划: amount 万元", f"group 全部 {3 * indicators + (1 if last else 0)} {{"]
    kinds = [
        "{{ rises with 率; tiers 率: ≥ 90% → 3; 60%..<90% → 2; < 60% → 0 }}",
        "{{ falls with 数; deduct 1 per 数 }}",
        "{{ rises with 额; score min(额 / 计划, 100%) × 3; on zero denominator → full }}",
    ]
    lines += [f"  indicator 指标{i} 3 " + kinds[i % 3].format() for i in range(indicators)]
    return "\n".join(lines + ([last] if last else []) + ["}", ""])


def test_five_thousand_indicators_check_in_bounded_time():
    text = _large(5000)
    started = time.perf_counter()
    with _deadline(120):
        checked = check(parse(text, name="large.rules"))
    elapsed = time.perf_counter() - started
    assert len(list(checked.rules())) == 5000 and checked.warnings == ()
    assert elapsed < 60, f"5,000 indicators took {elapsed:.1f} s to check"


@pytest.mark.parametrize(("last", "code", "where"), [
    ("  indicator 末尾 1 { tiers 率: ≥ 90% 1; < 90% → 0 }", "PR102", "2007:35"),  # the arrow is missing
    ("  indicator 末尾 1 { tiers 未知率: ≥ 90% → 1; < 90% → 0 }", "PR201", "2007:26"),
])
def test_a_large_file_with_a_mistake_on_its_last_line_reports_it_there(last, code, where):
    with _deadline(120):
        with pytest.raises(PerfrulesError) as raised:
            perfrules.loads(_large(2000, last), name="large.rules")
    [diagnostic] = raised.value.diagnostics
    assert diagnostic.code == code and "%d:%d" % diagnostic.span.line_col == where


_X = 'ruleset "r"\ninput x: number\n'


@pytest.mark.parametrize(("text", "codes"), [
    (_X + "indicator a 5 = " + " + ".join(["x"] * 5000), ["PR104"]),  # long and flat is deep on the left
    (_X + "indicator a 5 = " + "-" * 3000 + "x", ["PR104"]),
    (_X + "indicator a 5 = " + "(" * 3000 + "x" + ")" * 3000, []),  # parentheses alone are no nesting
    ('ruleset "r"\n' + "group g 1 {\n" * 500 + "indicator a 1 = 1\n" + "}\n" * 500, ["PR104"]),
    (_X + "let y = " + "min(" * 400 + "x" + ", 1)" * 400 + "\nindicator a 1 = y", ["PR104"]),
])
def test_long_and_deep_texts_load_or_fail_cleanly(text, codes):
    try:
        with _deadline(60):
            perfrules.loads(text)
    except PerfrulesError as error:
        assert [d.code for d in error.diagnostics] == codes
    else:
        assert codes == []
