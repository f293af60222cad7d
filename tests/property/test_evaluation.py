"""Properties of evaluation over random rulesets and facts biased to band edges."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

import perfrules
from perfrules.errors import EvaluationError
from tests import strategies


def _build(text: str) -> perfrules.Ruleset:
    return perfrules.loads(text, name="generated.rules")


def _outcome(evaluate, facts):
    try:
        return evaluate(facts)
    except EvaluationError as error:
        return [d.render() for d in error.diagnostics]


@given(st.data())
def test_compiled_evaluator_agrees_with_the_interpreter(data):
    ruleset = _build(data.draw(strategies.ruleset_texts()))
    facts = data.draw(strategies.facts_for(ruleset.model))
    assert _outcome(ruleset.evaluate, facts) == _outcome(ruleset.interpret, facts)


@given(st.data())
def test_every_score_is_within_zero_and_its_max(data):
    ruleset = _build(data.draw(strategies.ruleset_texts()))
    facts = data.draw(strategies.facts_for(ruleset.model))
    try:
        result = ruleset.evaluate(facts)
    except EvaluationError:
        return  # an unanswered zero denominator: its own test pins the message
    for node in result.root.walk():
        assert Decimal(0) <= node.score <= node.max, node
    assert result.total == sum(n.score for n in result.indicators())


@given(st.data())
def test_rising_tiers_never_score_less_for_a_larger_input(data):
    maximum = data.draw(st.sampled_from([Decimal(1), Decimal(3), Decimal(6)]))
    band_text = data.draw(strategies.bands(maximum, rising=True))
    ruleset = _build(f'ruleset "m"\ninput x: percent\nindicator t {maximum} {{ tiers x: {band_text} }}')
    values = data.draw(st.lists(st.sampled_from(strategies.edges(ruleset.model)) | st.decimals(0, 2, places=4),
                                min_size=2, max_size=6))
    scores = [ruleset.evaluate({"x": v}).total for v in sorted(values)]
    assert scores == sorted(scores)


@given(points=st.decimals(Decimal("0.1"), 5, places=1), count=st.integers(0, 1000),
       maximum=st.sampled_from([Decimal(1), Decimal(5), Decimal(8)]))
def test_deductions_never_go_below_zero(points, count, maximum):
    ruleset = _build(f'ruleset "d"\ninput n: count\nindicator x {maximum} {{ deduct {points} per n }}')
    score = ruleset.evaluate({"n": count}).total
    assert score == max(Decimal(0), maximum - points * count)


@pytest.mark.parametrize("value", ["0.9", "4.575", "0.3"])
def test_values_that_floats_get_wrong_are_exact(value):
    # 0.9 stored just below 0.9 must still reach the ≥ 90% band; 4.575 rounds half up.
    ruleset = _build('ruleset "e"\ninput x: number\nindicator a 5 = x\n'
                     'indicator b 1 { tiers x: >= 0.9 → 1; < 0.9 → 0 }')
    result = ruleset.evaluate({"x": float(value)})
    assert result.find("a").score == Decimal(value).quantize(Decimal("0.01"), rounding="ROUND_HALF_UP")
    assert result.find("b").score == (1 if Decimal(value) >= Decimal("0.9") else 0)
