"""perfrules.testing: strategies respect kinds and ranges; property helpers pass on good
results and fail readably on bad ones."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import perfrules
from perfrules import result, testing
from perfrules.facts import load_facts, read

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "rulesets" / "shenzhen" / "department-overall-2024.rules"
SEED_FACTS = ROOT / "rulesets" / "shenzhen" / "examples" / "commerce-2024.yaml"

RANGED = perfrules.loads("""ruleset "范围" version "1"
input 满意度: percent 60%..100%
input 人数: count 5..8
input 金额: amount 万元 10..20
input 变动: number -5..5
input 评分: judged 0..2
input 公开: flag
input 率: percent default 满意度
indicator 满意 2 { tiers 满意度: ≥ 95% → 2; 80%..<95% → 1; < 80% → 0 }
indicator 其他 2 {
  deduct 0.5 per 人数
  deduct 1 when 公开 and 金额 > 15 and 变动 < 0
  deduct 0.1 per started 1% of 率 above 50%
}
indicator 判 2 = 评分
""", name="范围.rules")

LADDER = 'ruleset "单调"\ninput x: percent\nindicator a 2 {{ tiers x: {bands} }}\n'


@pytest.fixture(scope="module")
def seed():
    return perfrules.load(SEED)


# ---- strategies ------------------------------------------------------------------------------


@settings(max_examples=80)
@given(testing.facts_for(RANGED))
def test_facts_respect_every_kind_and_range(facts):
    # 满意度 is 60%..100%: the edges at 50% of the deduction must not be drawn for it.
    values = dict(zip([s.name for s in RANGED.model.inputs], read(RANGED.model, facts)))  # no FactsError
    assert Decimal("0.6") <= values["满意度"] <= 1 and 5 <= values["人数"] <= 8
    assert 10 <= values["金额"] <= 20 and -5 <= values["变动"] <= 5 and 0 <= values["评分"] <= 2
    assert isinstance(values["公开"], bool)


def test_edges_lie_on_and_beside_every_band_bound_and_threshold():
    assert testing.edges(RANGED) == [Decimal(v) for v in (
        "0.4999", "0.5", "0.5001", "0.7999", "0.8", "0.8001", "0.9499", "0.95", "0.9501")]
    assert testing.edges(RANGED) == testing.edges(RANGED.model)


@settings(max_examples=15)
@given(st.data())
def test_facts_for_the_seed_are_biased_to_its_edges(seed, data):
    facts = data.draw(testing.facts_for(seed))
    try:
        seed.evaluate(facts)  # valid facts: never a FactsError
    except perfrules.EvaluationError as error:
        assert {d.code for d in error.diagnostics} == {"PR601"}  # a zero amount the rubric leaves open


@settings(max_examples=20)
@given(text=testing.rulesets(), data=st.data())
def test_random_rulesets_load_and_satisfy_the_property_helpers(text, data):
    ruleset = perfrules.loads(text, name="generated.rules")
    facts = data.draw(testing.facts_for(ruleset))
    testing.assert_compiled_equals_interpreted(ruleset, facts)
    try:
        testing.assert_bounded(ruleset, facts)
        testing.assert_deductions_floored(ruleset, facts)
    except perfrules.EvaluationError:
        pass  # a zero denominator no rule covers; the agreement above still held


# ---- property helpers on real results --------------------------------------------------------


def test_the_helpers_pass_on_the_seed(seed):
    facts = load_facts(SEED_FACTS)
    assert testing.assert_bounded(seed, facts).total == Decimal("94.54")
    testing.assert_deductions_floored(seed, {**facts, "预算编制不符合项数": 9, "调整调剂资金累计额": 50000})
    testing.assert_compiled_equals_interpreted(seed, facts)
    testing.assert_monotone(seed, "满意度", {**facts, "满意度": "79%"}, {**facts, "满意度": "96%"}, "rises")
    testing.assert_monotone(seed, "编外人员数", {**facts, "编外人员数": 1}, {**facts, "编外人员数": 30}, "falls",
                            node="编外人员控制率")


def test_monotone_fails_with_the_numbers_when_the_score_moves_the_wrong_way():
    ruleset = perfrules.loads(LADDER.format(bands="< 50% → 2; ≥ 50% → 1"))
    with pytest.raises(AssertionError) as caught:
        testing.assert_monotone(ruleset, "x", {"x": "60%"}, {"x": "40%"}, "rises")
    assert str(caught.value) == ("the total falls from 2.00 to 1.00 as x grows from 40% to 60%; "
                                 "it should never fall as x grows")
    testing.assert_monotone(ruleset, "x", {"x": "60%"}, {"x": "40%"}, "falls")


def test_monotone_rejects_misuse():
    ruleset = perfrules.loads('ruleset "m"\ninput x: percent\ninput y: percent\n'
                              "indicator a 2 { tiers x: < 50% → 2; ≥ 50% → 1 }\nindicator b 1 = y\n")
    with pytest.raises(ValueError, match="differ only in x, but they differ in y too"):
        testing.assert_monotone(ruleset, "x", {"x": 0, "y": 0}, {"x": 1, "y": 1})
    with pytest.raises(ValueError, match="m has no input xx; did you mean x"):
        testing.assert_monotone(ruleset, "xx", {"x": 0, "y": 0}, {"x": 1, "y": 0})
    with pytest.raises(ValueError, match="direction must be"):
        testing.assert_monotone(ruleset, "x", {"x": 0, "y": 0}, {"x": 1, "y": 0}, "up")


# ---- property helpers on broken results ------------------------------------------------------


@attrs.frozen
class _Stub:
    """A ruleset whose results are doctored, to show that the helpers catch bad ones."""

    real: perfrules.Ruleset
    change: object
    interpreted_too: bool = False

    def evaluate(self, facts):
        return self.change(self.real.evaluate(facts))

    def interpret(self, facts):
        scored = self.real.interpret(facts)
        return self.change(scored) if self.interpreted_too else scored

    @property
    def model(self):
        return self.real.model


def _doctor(name: str, **changes):
    def change(scored: result.Result) -> result.Result:
        def visit(node):
            node = attrs.evolve(node, children=tuple(visit(c) for c in node.children))
            return attrs.evolve(node, **changes) if node.name == name else node
        return attrs.evolve(scored, root=visit(scored.root))
    return change


def test_bounded_names_the_node_out_of_bounds(seed):
    stub = _Stub(seed, _doctor("编外人员控制率", score=Decimal("1.5")))
    with pytest.raises(AssertionError) as caught:
        testing.assert_bounded(stub, load_facts(SEED_FACTS))
    message = str(caught.value)
    assert message.startswith("scores out of bounds:\n  部门管理 / 人员管理 scores 1.00, its members add up to 2.50\n"
                              "  部门管理 / 人员管理 / 编外人员控制率 scores 1.5, outside [0, 1]\n")
    assert "\nfacts: {" in message


def test_deductions_floored_catches_a_negative_score_and_a_wrong_one():
    ruleset = perfrules.loads('ruleset "d"\ninput n: count\nindicator x 5 { deduct 2 per n }\n')
    with pytest.raises(AssertionError, match=r"x scores -1; base 5 less 6 kept within \[0, 5\] is 0"):
        testing.assert_deductions_floored(_Stub(ruleset, _doctor("x", score=Decimal(-1))), {"n": 3})
    with pytest.raises(AssertionError, match=r"x scores 2; base 5 less 2 kept within \[0, 5\] is 3"):
        testing.assert_deductions_floored(_Stub(ruleset, _doctor("x", score=Decimal(2))), {"n": 1})
    testing.assert_deductions_floored(ruleset, {"n": 3})


def test_compiled_equals_interpreted_names_where_they_differ(seed):
    stub = _Stub(seed, _doctor("预算执行率", score=Decimal("5.74")))
    with pytest.raises(AssertionError) as caught:
        testing.assert_compiled_equals_interpreted(stub, load_facts(SEED_FACTS))
    assert str(caught.value).startswith(
        "compiled and interpreted differ at 部门绩效 / 效率性 / 预算执行率: compiled 5.74 (formula = 5.7319), "
        "interpreted 5.73 (formula = 5.7319); facts {")
    agreeing = _Stub(seed, _doctor("预算执行率", score=Decimal("5.74")), interpreted_too=True)
    testing.assert_compiled_equals_interpreted(agreeing, load_facts(SEED_FACTS))
