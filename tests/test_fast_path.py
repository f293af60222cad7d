"""The fast path (``Ruleset.score`` and the generated facts reader) agrees with
``evaluate``: the same scores to the last digit, the same grade, the same errors.

``runtime.score`` defines the semantics; these tests hold the generated scorer to it over
random rulesets, on the seed rubrics and at the edges the code generator reasons about
(bands it leaves untested, limits it leaves out, zero denominators).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import perfrules
from perfrules import codegen, model
from perfrules.codegen_bounds import band_conditions
from perfrules.errors import EvaluationError, FactsError, InternalError
from perfrules.scores import Scores
from tests import strategies

SHENZHEN = Path(__file__).resolve().parents[1] / "rulesets" / "shenzhen"
SEEDS = [
    (SHENZHEN / "department-overall-2024.rules", SHENZHEN / "examples" / "commerce-2024.yaml"),
    (SHENZHEN / "department-overall-2024.rules", SHENZHEN / "examples" / "commerce-2024-corrected.yaml"),
    (SHENZHEN / "department-overall-2023.rules", SHENZHEN / "examples" / "trade-promotion-2023.yaml"),
]


def _outcome(ruleset: perfrules.Ruleset, facts, *, fast: bool):
    """Scores (with every value as text, so 1.0 and 1.00 differ), or the rendered error."""
    try:
        scores = ruleset.score(facts) if fast else Scores.of(ruleset.evaluate(facts), ruleset.layout)
    except (EvaluationError, FactsError) as error:
        return type(error).__name__, [d.render() for d in error.diagnostics]
    return scores.grade, [(path, kind, str(value)) for path, kind, value in scores.items()]


def _typed(ruleset: perfrules.Ruleset, facts) -> dict:
    """The same facts as the reader returns them: Decimal numbers, bool flags."""
    values = ruleset.read_facts(facts)
    return {slot.name: v for slot, v in zip(ruleset.model.inputs, values) if v is not None}


@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.data())
def test_score_agrees_with_evaluate_on_random_rulesets(data):
    ruleset = perfrules.loads(data.draw(strategies.ruleset_texts()), name="generated.rules")
    facts = data.draw(strategies.facts_for(ruleset.model))
    expected = _outcome(ruleset, facts, fast=False)
    assert _outcome(ruleset, facts, fast=True) == expected
    typed = _typed(ruleset, facts)
    assert ruleset.read_facts(typed) == ruleset.read_facts(facts)
    assert _outcome(ruleset, typed, fast=True) == expected  # the generated reader's path


@pytest.mark.parametrize(("rules", "facts"), SEEDS, ids=lambda p: p.stem)
def test_score_agrees_with_evaluate_on_the_seeds(rules, facts):
    ruleset = perfrules.load(rules)
    given = perfrules.load_facts(facts)
    assert _outcome(ruleset, given, fast=True) == _outcome(ruleset, given, fast=False)
    assert _outcome(ruleset, _typed(ruleset, given), fast=True) == _outcome(ruleset, given, fast=False)


def test_scores_of_the_2024_seed():
    ruleset = perfrules.load(SEEDS[0][0])
    scores = ruleset.score(perfrules.load_facts(SEEDS[0][1]))
    assert (scores.total, scores.grade, scores.max) == (Decimal("94.54"), "优", 100)
    assert scores["预算执行率"] == Decimal("5.73") and scores["部门管理"] == Decimal("18.93")
    assert len(scores.indicators) == 21
    assert scores.to_dict()["indicators"][0] == {"path": ["部门决策", "预算编制", "预算编制合理性"],
                                                "score": "5.00"}
    with pytest.raises(AttributeError):
        scores.grade = "差"
    with pytest.raises(KeyError):
        scores["no such indicator"]


# ---- the facts reader --------------------------------------------------------------------

READER = """ruleset "r"
input n: count
input a: amount 万元
input j: judged 0..1
input f: flag
input x: number
input p: percent default round(a / (a + 1), 2)
input b: amount 万元
indicator i 5 { deduct 1 per n; deduct 0.5 when f }
indicator k 3 { score min(max(j + p + x, 0), 3) }
"""


@pytest.mark.parametrize("facts", [
    {"n": 1, "a": Decimal(50), "j": Decimal("0.5"), "f": True, "x": Decimal(-2)},       # int count, default used
    {"n": Decimal(1), "a": Decimal(50), "j": 1, "f": False, "x": 0, "p": "12%"},        # a string: facts.read
    {"n": 2, "a": 50.5, "j": Decimal("0.25"), "f": "是", "x": Decimal("1E+1")},            # float and text
    {"n": -1, "a": Decimal(50), "j": Decimal("1.5"), "f": 1, "x": Decimal("NaN")},       # every kind of wrong
    {"n": Decimal("1.5"), "a": Decimal("Infinity"), "j": True, "f": None, "x": "x"},
    {"n": 1, "a": Decimal(1), "j": Decimal(0), "f": True, "x": 0, "unknown": 1},         # an unknown name
    {"n": 1, "a": Decimal(1), "j": Decimal(0), "f": True, "x": 0, "b": None},           # an explicit None
    {"n": True, "a": Decimal(1), "j": Decimal(0), "f": True},                            # a bool for a number, x missing
])
def test_reader_accepts_and_rejects_as_facts_read(facts):
    ruleset = perfrules.loads(READER)
    assert _outcome(ruleset, facts, fast=True) == _outcome(ruleset, facts, fast=False)
    try:
        expected = perfrules.facts.read(ruleset.model, facts)
    except FactsError as error:
        with pytest.raises(FactsError) as raised:
            ruleset.read_facts(facts)
        assert raised.value.diagnostics == error.diagnostics
    else:
        got = ruleset.read_facts(facts)
        assert got == expected and [type(v) for v in got] == [type(v) for v in expected]


def test_a_left_out_input_is_needed_again_when_its_default_is_left_out_too():
    ruleset = perfrules.load(SEEDS[0][0])
    facts = _typed(ruleset, perfrules.load_facts(SEEDS[0][1]))  # rates given, amounts left out
    assert ruleset.score(facts).total == Decimal("94.54")
    assert ruleset.score(facts).total == Decimal("94.54")  # the pattern is known now
    without_rate = {k: v for k, v in facts.items() if k != "第一季度分季执行率"}
    with pytest.raises(FactsError, match="PR501"):
        ruleset.score(without_rate)  # same amounts left out, but now they are needed


# ---- what the generator leaves out -------------------------------------------------------


def _band(low, high, low_closed=True, high_closed=False, otherwise=False) -> model.Band:
    return model.Band(low, high, low_closed, high_closed, otherwise, Decimal(0), "")


@st.composite
def band_lists(draw):
    """Disjoint bands (gaps allowed) over a few cut points, in any order."""
    cuts = sorted(draw(st.sets(st.integers(0, 6), min_size=1, max_size=5)))
    edges = [None, *[Decimal(c) for c in cuts], None]
    bands = []
    for low, high in zip(edges, edges[1:]):
        if draw(st.booleans()) or len(edges) == 3:
            low_closed = low is not None and draw(st.booleans())
            high_closed = high is not None and not (low is not None and low == high) and draw(st.booleans())
            bands.append(_band(low, high, low_closed, high_closed))
    for cut in cuts:  # a point band where neither neighbour holds the cut
        if draw(st.booleans()):
            value = Decimal(cut)
            if not any(b.contains(value) for b in bands):
                bands.append(_band(value, value, True, True))
    order = draw(st.permutations(bands))
    if draw(st.booleans()):
        order = [*order, _band(None, None, otherwise=True)]
    return order


@settings(max_examples=300, deadline=None)
@given(band_lists(), st.lists(st.decimals(-1, 7, places=1), min_size=1, max_size=10))
def test_band_conditions_pick_the_band_that_contains_the_value(bands, values):
    tests = band_conditions(bands, "v", lambda d: f"D({str(d)!r})")
    for value in values:
        expected = next((n for n, b in enumerate(bands) if b.contains(value)), None)
        found = next((n for n, t in enumerate(tests) if t is None or eval(t, {"D": Decimal, "v": value})), None)
        assert found == expected, (bands, tests, value)


def test_band_conditions_leave_out_what_the_bands_before_decide():
    descending = [_band(Decimal("0.9"), None), _band(Decimal("0.75"), Decimal("0.9")), _band(None, Decimal("0.75"))]
    assert band_conditions(descending, "v", str) == ["v >= 0.9", "v >= 0.75", None]
    ascending = [_band(None, Decimal("0.05")), _band(Decimal("0.05"), Decimal("0.1"), True, True),
                 _band(Decimal("0.1"), None, False)]
    assert band_conditions(ascending, "v", str) == ["v < 0.05", "v <= 0.1", None]


ZERO = """ruleset "z"
input a: count
input b: count
let r = a / b
indicator x 2 { veto when r > 100%; score min(r, 100%) × 2 }
indicator y 1 { tiers r: >= 50% → 1; < 50% → 0; on zero denominator → 0.5 }
indicator w 1 { score max(1 - abs(r - 100%), 0); on zero denominator → full }
"""


@pytest.mark.parametrize("facts", [{"a": 1, "b": 2}, {"a": 0, "b": 0}, {"a": 3, "b": 0}])
def test_zero_denominators_are_met_where_evaluate_meets_them(facts):
    ruleset = perfrules.loads(ZERO)
    assert _outcome(ruleset, facts, fast=True) == _outcome(ruleset, facts, fast=False)


def test_a_zero_denominator_nobody_answers_names_the_rule():
    with pytest.raises(EvaluationError, match=r"a / b has a zero denominator \(in r\), needed by x"):
        perfrules.loads(ZERO).score({"a": 0, "b": 0})


HOSTILE = """ruleset "x'); __import__('os').system('echo pwned'); ('"
input 恶意_name: number “"); import os #”
group "}); __import__('os') #" 1 {
  indicator "\\n__import__('os')" 1 { score min(恶意_name, 1) }
}
grade "') + __import__('os') #" { >= 1 → "'); __import__('os') #"; < 1 → 差 }
"""


def test_hostile_names_stay_out_of_the_scorer_and_the_reader():
    ruleset = perfrules.loads(HOSTILE, name="hostile.rules")
    assert "__import__" not in ruleset.scorer_source and "import" not in ruleset.scorer_source
    scores = ruleset.score({"恶意_name": 1})
    assert scores.total == 1 and scores.grade == "'); __import__('os') #"
    for bad in ["def score(x):\n    return x.__class__\n", "def evil(x):\n    return x\n",
                "def score(x, y=rt):\n    return y\n", "def score(x):\n    return x[0]\n"]:
        with pytest.raises(InternalError):
            codegen.verify(bad)


@settings(max_examples=300, deadline=None)
@given(st.decimals(allow_nan=False, allow_infinity=False) | st.decimals(-10**6, 10**6, places=8) | st.sampled_from(
    [Decimal("-0"), Decimal("-0.00"), Decimal("1E+2"), Decimal("0.0000001"), Decimal("1.000000"), Decimal("5E-7")]))
def test_explanations_show_numbers_as_fmt_does(value):
    from perfrules.fmt import short_number
    from perfrules.runtime import _short

    def outcome(show):
        try:
            return show(value)
        except ArithmeticError as error:  # too many digits to shorten, in both
            return type(error)
    assert outcome(_short) == outcome(short_number)
