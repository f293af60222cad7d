"""Facts are read exactly, from every format, and every bad value is reported at once."""

from decimal import Decimal

import pytest

import perfrules
from perfrules.errors import FactsError
from perfrules.facts import loads_facts

RULES = """ruleset "t"
input 比率: percent
input 人数: count
input 金额: amount 万元
input 涉密: flag
input 评分: judged 0..1
input 满意度: percent 0%..100%
group g 6 {
  indicator a 1 { tiers 比率: < 5% → 1; ≥ 5% → 0 }
  indicator b 1 { deduct 1 per 人数 }
  indicator c 1 { veto when 金额 > 10000; score 1 }
  indicator d 1 { exempt when 涉密; score 0 }
  indicator e 1 = 评分
  indicator f 1 { tiers 满意度: ≥ 95% → 1; < 95% → 0 }
}
"""
GOOD_YAML = """
比率: 4.99%      # a percent string
人数: 0
金额: "7,341.03"
涉密: 否
评分: 0.8
满意度: 0.95     # a ratio
"""


@pytest.fixture(scope="module")
def ruleset():
    return perfrules.loads(RULES, name="t.rules")


def test_yaml_numbers_are_read_from_their_text_not_through_floats(ruleset):
    facts = loads_facts("比率: 0.1\n人数: 1\n金额: 0.3\n涉密: no\n评分: 0.7\n满意度: 1", name="f.yaml")
    assert facts["比率"] == Decimal("0.1") and isinstance(facts["金额"], Decimal)
    assert facts["比率"] + facts["金额"] == Decimal("0.4")  # 0.1 + 0.3 in floats is 0.4000000000000001


def test_percent_forms_and_separators(ruleset):
    result = ruleset.evaluate(loads_facts(GOOD_YAML, name="f.yaml"))
    shown = dict(result.find("a").inputs)
    assert shown == {"比率": "4.99%"}
    assert result.find("a").score == Decimal(1)
    assert result.find("f").score == Decimal(1)  # 0.95 is 95%, on the ≥ 95% edge
    assert dict(result.find("c").inputs) == {"金额": "7341.03 万元"}


@pytest.mark.parametrize("fmt,text", [
    ("json", '{"比率": "4.99%", "人数": 0, "金额": 7341.03, "涉密": false, "评分": 0.8, "满意度": 0.95}'),
    # TOML needs CJK keys quoted
    ("toml", '"比率" = "4.99%"\n"人数" = 0\n"金额" = 7341.03\n"涉密" = false\n"评分" = 0.8\n"满意度" = 0.95\n'),
])
def test_json_and_toml_give_the_same_result_as_yaml(ruleset, fmt, text):
    expected = ruleset.evaluate(loads_facts(GOOD_YAML, name="f.yaml"))
    facts = loads_facts(text, name=f"f.{fmt}", format=fmt)
    assert facts["金额"] == Decimal("7341.03")
    assert ruleset.evaluate(facts) == expected


def test_python_floats_are_taken_by_their_shortest_text(ruleset):
    facts = {"比率": 0.0499, "人数": 0, "金额": 0.1, "涉密": False, "评分": 0.8, "满意度": 0.95}
    assert dict(ruleset.evaluate(facts).find("c").inputs) == {"金额": "0.1 万元"}


def test_every_problem_is_reported_at_once_with_input_and_indicator(ruleset):
    text = "比率: 12\n人数: 1.5\n金额: -3\n涉密: maybe\n评分: 2\n满意度: 120%\n满意: 1\n"
    with pytest.raises(FactsError) as caught:
        ruleset.evaluate(loads_facts(text, name="bad.yaml"))
    codes = [d.code for d in caught.value.diagnostics]
    assert codes == ["PR503", "PR504", "PR503", "PR505", "PR505", "PR502"]
    message = str(caught.value)
    assert "人数 is a count and must be a whole number, got 1.5; needed by g › b" in message
    assert "金额 cannot be negative, got -3; needed by g › c" in message
    assert "评分 must be within 0..1, got 2; needed by g › e" in message
    assert "满意度 must be within 0%..100%, got 120%; needed by g › f" in message
    assert "did you mean 满意度?" in message
    # the percent without a sign is a ratio of 12 (1200%): accepted, not a silent 12%
    assert "比率" not in message
    assert " --> bad.yaml:2:5" in message  # a caret under the bad value in the facts file


def test_missing_inputs_name_their_indicators_and_declaration(ruleset):
    with pytest.raises(FactsError) as caught:
        ruleset.evaluate({"比率": "1%"})
    assert len(caught.value.diagnostics) == 5
    first = caught.value.diagnostics[0].render()
    assert "the facts do not give 人数 (a whole number), needed by g › b" in first
    assert "declared here (t.rules:3:7)" in first


def test_malformed_files_are_facts_errors_with_positions():
    with pytest.raises(FactsError) as caught:
        loads_facts("a: 1\n b: [\n", name="bad.yaml")
    assert caught.value.diagnostics[0].code == "PR510"
    assert "bad.yaml:" in str(caught.value)
    with pytest.raises(FactsError, match="not valid JSON"):
        loads_facts("{", name="bad.json", format="json")
    with pytest.raises(FactsError, match="must be a mapping"):
        loads_facts("- 1\n- 2\n", name="list.yaml")
    with pytest.raises(FactsError, match="YAML, JSON or TOML"):
        perfrules.load_facts(__file__)


def test_an_unclosed_bracket_is_shown_where_it_opens_not_past_the_end():
    with pytest.raises(FactsError) as caught:
        loads_facts("人数: 1\n比率: {a: 2\n", name="open.yaml")
    line, col = caught.value.diagnostics[0].span.line_col
    assert (line, col) == (2, 5)
