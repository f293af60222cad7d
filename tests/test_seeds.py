"""The two seed rubrics, written as rulesets, reproduce the seed reports' scores.

The expected numbers are the ones the reports print (评分表 column 分数, 综合评分,
评分等级), keyed by indicator name: that is the specification. The only departure is
the corrected 2024 facts, where the report's slip in 表7 (二季度分季执行率 115.82% for
59.41% / 50% = 118.82%) is undone, giving 预算执行率 5.75 and 94.56.
"""

from decimal import Decimal
from pathlib import Path

import pytest

import perfrules
from perfrules.facts import load_facts

SHENZHEN = Path(__file__).resolve().parents[1] / "rulesets" / "shenzhen"
RULES_2024 = SHENZHEN / "department-overall-2024.rules"
RULES_2023 = SHENZHEN / "department-overall-2023.rules"
FACTS_2024 = SHENZHEN / "examples" / "commerce-2024.yaml"
FACTS_2024_CORRECTED = SHENZHEN / "examples" / "commerce-2024-corrected.yaml"
FACTS_2023 = SHENZHEN / "examples" / "trade-promotion-2023.yaml"

# 深圳市商务局 2024 年度部门整体绩效评价报告, 附件 评分表, column 分数.
REPORTED_2024 = {
    "预算编制合理性": "5",
    "预算编制规范性": "5",
    "绩效目标完整性": "3",
    "绩效指标明确性": "7",
    "政府采购执行情况": "1.93",
    "财务合规性": "3",
    "预决算信息公开": "3",
    "项目实施程序": "2",
    "项目监管": "2",
    "资产管理安全性": "2",
    "固定资产利用率": "1",
    "财政供养人员控制率": "1",
    "编外人员控制率": "0",
    "管理制度健全性": "3",
    "公用经费控制率": "6",
    "预算执行率": "5.73",
    "重点工作完成情况": "8",
    "项目完成及时性": "5.88",
    "社会效益、经济效益、生态效益等": "25",
    "群众信访办理情况": "3",
    "公众或服务对象满意度": "2",
}

# The same report with 表7's 二季度分季执行率 recomputed from its own amounts.
CORRECTED_2024 = {**REPORTED_2024, "预算执行率": "5.75"}

# 深圳市贸促委 2023 年度部门整体绩效评价报告, 部门整体支出绩效评分表, column 分数.
REPORTED_2023 = {
    "预算编制合理性": "4.8",
    "预算编制规范性": "5",
    "绩效目标完整性": "3",
    "绩效指标明确性": "6.7",
    "政府采购执行情况": "1.99",
    "财务合规性": "3",
    "预决算信息公开": "3",
    "项目实施程序": "2",
    "项目监管": "1.8",
    "资产管理安全性": "2",
    "固定资产利用率": "1",
    "财政供养人员控制率": "1",
    "编外人员控制率": "0",
    "管理制度健全性": "3",
    "公用经费控制率": "5",
    "预算执行率": "5.48",
    "重点工作完成情况": "8",
    "项目完成及时性": "6",
    "社会效益、经济效益、生态效益等": "25",
    "群众信访办理情况": "3",
    "公众或服务对象满意度": "6",
}

SEEDS = {
    # id: (ruleset, facts, indicator scores, 综合评分, 评分等级, 一级 subtotals)
    "commerce-2024": (RULES_2024, FACTS_2024, REPORTED_2024, "94.54", "优",
                      {"部门决策": "20", "部门管理": "18.93", "部门绩效": "55.61"}),
    "commerce-2024-corrected": (RULES_2024, FACTS_2024_CORRECTED, CORRECTED_2024, "94.56", "优",
                                {"部门决策": "20", "部门管理": "18.93", "部门绩效": "55.63"}),
    "trade-promotion-2023": (RULES_2023, FACTS_2023, REPORTED_2023, "96.77", "优",
                             {"部门管理指标": "19.5", "部门决策指标": "18.79", "部门绩效指标": "58.48"}),
}


@pytest.fixture(scope="module")
def rulesets():
    return {path: perfrules.load(path) for path in (RULES_2024, RULES_2023)}


def _evaluate(rulesets, seed):
    rules, facts = SEEDS[seed][:2]
    return rulesets[rules].evaluate(load_facts(facts))


@pytest.mark.parametrize("path", [RULES_2024, RULES_2023], ids=lambda p: p.stem)
def test_ruleset_checks_without_warnings(path):
    ruleset = perfrules.load(path)
    assert ruleset.warnings == ()
    assert ruleset.model.root.max == 100
    assert len(list(ruleset.model.rules())) == 21


@pytest.mark.parametrize("seed", SEEDS)
def test_every_indicator_score_is_the_reported_one(rulesets, seed):
    expected = SEEDS[seed][2]
    result = _evaluate(rulesets, seed)
    scores = {node.name: node.score for node in result.indicators()}
    assert list(scores) == list(expected)  # the 21 三级 indicators, in the table's order
    wrong = {name: (str(scores[name]), printed) for name, printed in expected.items()
             if scores[name] != Decimal(printed)}
    assert wrong == {}


@pytest.mark.parametrize("seed", SEEDS)
def test_total_grade_and_subtotals(rulesets, seed):
    _, _, _, total, grade, subtotals = SEEDS[seed]
    result = _evaluate(rulesets, seed)
    assert result.total == Decimal(total)
    assert result.max == 100
    assert result.grade == grade
    assert {name: result.find(name).score for name in subtotals} == {
        name: Decimal(value) for name, value in subtotals.items()}


@pytest.mark.parametrize("seed", SEEDS)
def test_compiled_and_interpreted_agree(rulesets, seed):
    rules, facts = SEEDS[seed][:2]
    ruleset = rulesets[rules]
    given = load_facts(facts)
    assert ruleset.evaluate(given) == ruleset.interpret(given)


def test_2024_second_quarter_correction(rulesets):
    """表7 prints 二季度分季执行率 115.82%; its amounts give 59.41% / 50% = 118.82%."""
    reported = _evaluate(rulesets, "commerce-2024").find("预算执行率")
    corrected = _evaluate(rulesets, "commerce-2024-corrected").find("预算执行率")
    assert dict(reported.inputs)["第二季度分季执行率"] == "115.82%"
    assert dict(corrected.inputs)["第二季度分季执行率"] == "118.82%"
    # the other three quarters come out as 表7 prints them
    for quarter, printed in (("第一", "103.52%"), ("第三", "83.05%"), ("第四", "92.63%")):
        assert dict(corrected.inputs)[f"{quarter}季度分季执行率"] == printed
    assert (reported.score, corrected.score) == (Decimal("5.73"), Decimal("5.75"))


def test_2023_budget_execution_from_amounts(rulesets):
    """5.48 from the raw amounts: 85.76%, 96.28%, 86.91%, 96.48%; 5.48145 → 5.48 (half-up)."""
    node = _evaluate(rulesets, "trade-promotion-2023").find("预算执行率")
    shown = dict(node.inputs)
    assert [shown[f"第{q}季度分季执行率"] for q in "一二三四"] == ["85.76%", "96.28%", "86.91%", "96.48%"]
    assert node.score == Decimal("5.48")


@pytest.mark.parametrize("seed", SEEDS)
def test_both_versions_score_alike(rulesets, seed):
    """The 2023 and 2024 rubrics differ in labels and texts only: same scores on any facts."""
    given = load_facts(SEEDS[seed][1])
    by_version = [
        {node.name: node.score for node in rulesets[path].evaluate(given).indicators()}
        for path in (RULES_2024, RULES_2023)
    ]
    assert by_version[0] == by_version[1]
