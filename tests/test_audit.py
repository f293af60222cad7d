"""Report audit: the seed reports' printed values against the seed rulesets.

The expected values are the reports' own: S24
printed 二季度分季执行率 115.82% where 59.41% / 50% = 118.82%, and scored 预算执行率 5.73
(correct 5.75) and the total 94.54 (correct 94.56) from it; S23's scores all reproduce,
and its printed 全年平均执行率 91.25% is the mean of rounded terms (91.3575% by the rubric).
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

import perfrules
from perfrules.audit import audit
from perfrules.cli import main
from perfrules.facts import load_facts
from perfrules.reported import Number, ReportedError, loads_reported, parse_number
from perfrules.render_audit import render_markdown, render_text, summary

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "rulesets/shenzhen"
EXAMPLES = SEEDS / "examples"
RULES_2024 = SEEDS / "department-overall-2024.rules"
RULES_2023 = SEEDS / "department-overall-2023.rules"


@pytest.fixture(scope="module")
def ruleset_2024():
    return perfrules.load(RULES_2024)


@pytest.fixture(scope="module")
def corrected(ruleset_2024):
    reported = (EXAMPLES / "commerce-2024.reported.yaml").read_text(encoding="utf-8")
    return audit(ruleset_2024, load_facts(EXAMPLES / "commerce-2024-corrected.yaml"), loads_reported(reported))


def by_name(found, name):
    return next(f for f in found.findings if f.name == name)


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


# ---- the 2024 report against its raw 表7 amounts ---------------------------------------------------


def test_s24_with_raw_amounts_flags_the_q2_slip_and_what_follows_from_it(corrected):
    assert [(f.section, f.name, f.reported, f.computed, f.difference) for f in corrected.disagreements] == [
        ("indicator", "预算执行率", "5.73", "5.75", "-0.02"),
        ("total", "total", "94.54", "94.56", "-0.02"),
        ("figure", "第二季度分季执行率", "115.82%", "118.82%", "-3.00 pp"),
        # Genuinely different too: the report's mean is taken with its wrong 115.82%.
        ("figure", "全年平均执行率", "98.76%", "99.51%", "-0.75 pp"),
    ]
    assert len(corrected.findings) == 21 + 2 + 5


def test_s24_every_other_score_and_the_grade_agree(corrected):
    agreeing = [f.name for f in corrected.findings if f.agrees]
    assert len(agreeing) == 24 and "grade" in agreeing and "第一季度分季执行率" in agreeing
    assert by_name(corrected, "政府采购执行情况").computed == "1.93"
    assert by_name(corrected, "项目完成及时性").computed == "5.88"


def test_s24_disagreements_say_what_they_follow_from(corrected):
    assert by_name(corrected, "预算执行率").follows_from == ("全年平均执行率", "第二季度分季执行率")
    assert by_name(corrected, "全年平均执行率").follows_from == ("第二季度分季执行率",)
    assert by_name(corrected, "第二季度分季执行率").follows_from == ()
    assert by_name(corrected, "total").follows_from == ("预算执行率",)


def test_s24_disagreements_are_explained(corrected):
    q2 = by_name(corrected, "第二季度分季执行率")
    assert q2.explanation == (
        "第二季度分季执行率 (not given in the facts; its default) = "
        "round(round(第二季度累计支出 / 第二季度指标金额, 4) / 50%, 4) = "
        "round(round(198882.89 万元 / 334748.99 万元, 4) / 50%, 4) = 118.82%",
    )
    assert q2.precision == "rounded half-up to 2 decimals of a percent, as printed"
    mean = by_name(corrected, "全年平均执行率")
    assert mean.exact == "99.505%"
    assert mean.explanation[0].endswith("= mean(103.52%, 118.82%, 83.05%, 92.63%) = 99.505%")
    score = by_name(corrected, "预算执行率")
    assert score.explanation[0].endswith("+ 99.505% × 2, 6) = 5.7469")
    assert score.explanation[1] == "2. rounded 5.7469 → 5.75 (half_up, 2 places)"
    assert by_name(corrected, "total").explanation[-1] == "the reported indicator scores add up to 94.54"


def test_s24_with_the_printed_figures_agrees_throughout(ruleset_2024):
    reported = (EXAMPLES / "commerce-2024.reported.yaml").read_text(encoding="utf-8")
    found = audit(ruleset_2024, load_facts(EXAMPLES / "commerce-2024.yaml"), loads_reported(reported))
    assert found.agrees
    assert by_name(found, "全年平均执行率").computed == "98.76%"  # 98.755% half-up
    assert summary(found) == ("no disagreement: all 21 indicator scores agree; the total agrees; "
                              "the grade agrees; all 5 figures agree")


# ---- the 2023 report ------------------------------------------------------------------------------


def test_s23_confirms_every_score_and_flags_only_the_printed_mean():
    ruleset = perfrules.load(RULES_2023)
    reported = (EXAMPLES / "trade-promotion-2023.reported.yaml").read_text(encoding="utf-8")
    found = audit(ruleset, load_facts(EXAMPLES / "trade-promotion-2023.yaml"), loads_reported(reported))
    assert all(f.agrees for f in found.findings if f.section != "figure")
    assert by_name(found, "total").computed == "96.77" and by_name(found, "预算执行率").computed == "5.48"
    assert [(f.name, f.reported, f.computed, f.exact) for f in found.findings if f.section == "figure"] == [
        ("第一季度分季执行率", "0.86", "0.86", "0.8576"),
        ("第二季度分季执行率", "0.96", "0.96", "0.9628"),
        ("第三季度分季执行率", "0.87", "0.87", "0.8691"),
        ("第四季度分季执行率", "0.96", "0.96", "0.9648"),
        ("全年平均执行率", "91.25%", "91.36%", "91.3575%"),
    ]
    assert [f.name for f in found.disagreements] == ["全年平均执行率"]
    assert by_name(found, "全年平均执行率").difference == "-0.11 pp"


# ---- comparison rules -----------------------------------------------------------------------------


SMALL = """ruleset "小" version "1"
input 完成数: count
input 计划数: count
let 完成率 = 完成数 / 计划数
group 效率性 4 {
  indicator 及时性 2 = 完成率 × 2
  indicator 完成度 2 = 完成率 × 2
}
group 公平性 2 { indicator 及时性 2 = 完成率 × 2 }
grade { ≥ 5 → 优; < 5 → 差 }
"""
FACTS = {"完成数": 2, "计划数": 3}  # 完成率 66.666…%, each score 1.33, total 3.99


def small_audit(text: str):
    return audit(perfrules.loads(SMALL), FACTS, loads_reported(text))


@pytest.mark.parametrize(("printed", "agrees"), [
    ("66.67%", True), ("66.7%", True), ("67%", True), ("0.67", True), ("0.6667", True),
    ("66.66%", False), ("66.6%", False), ("0.66", False),
])
def test_figures_are_compared_half_up_at_the_printed_precision(printed, agrees):
    found = small_audit(f'figures: {{完成率: "{printed}"}}')
    assert found.agrees is agrees


def test_half_up_not_half_even():
    # 2/8 = 25% exactly; 0.125 at 2 places is 0.13 half-up and 0.12 half-even.
    ruleset = perfrules.loads(SMALL)
    assert audit(ruleset, {"完成数": 1, "计划数": 8}, loads_reported('figures: {完成率: "0.13"}')).agrees
    assert not audit(ruleset, {"完成数": 1, "计划数": 8}, loads_reported('figures: {完成率: "0.12"}')).agrees


def test_scores_and_the_total_are_compared_exactly():
    found = small_audit("indicators: {效率性/及时性: 1.3, 完成度: 1.33}\ntotal: 3.99")
    assert [(f.name, f.agrees, f.difference) for f in found.findings] == [
        ("效率性/及时性", False, "-0.03"), ("完成度", True, None), ("total", True, None)]


def test_a_grade_disagreement_follows_from_the_total():
    found = small_audit("total: 5.2\ngrade: 优")
    assert [(f.section, f.computed, f.follows_from) for f in found.disagreements] == [
        ("total", "3.99", ()), ("grade", "差", ("total",))]
    assert found.findings[1].explanation == ("总分 3.99 is in the band < 5 → 差",)


def test_a_given_input_is_explained_as_given():
    found = small_audit("figures: {完成数: 3}")
    assert found.findings[0].explanation == ("完成数 is given in the facts: 2",)
    assert found.findings[0].difference == "+1"


def test_a_group_can_be_audited_as_the_sum_of_its_members():
    found = small_audit("indicators: {效率性: 2.66}")
    assert found.agrees
    assert found.findings[0].explanation[-1] == "the sum of its members' scores: 及时性 1.33, 完成度 1.33"


ZERO = """ruleset "零" version "1"
input 完成数: count
input 计划数: count
input 备注数: count
input 公开: flag
let 完成率 = 完成数 / 计划数
indicator 及时性 2 { score 完成率 × 2  on zero denominator → full }
indicator 公开 1 { checklist { 1: 公开 } }
"""


def test_a_figure_without_a_number_to_compare_disagrees_and_says_why():
    found = audit(perfrules.loads(ZERO), {"完成数": 0, "计划数": 0, "公开": "yes"},
                  loads_reported('figures: {完成率: "100%", 备注数: 3, 公开: 1}'))
    assert [(f.computed, f.agrees, f.explanation) for f in found.findings] == [
        ("(zero denominator)", False, ("完成率 = 完成数 / 计划数 = 0 / 0 = (zero denominator)",)),
        ("(not given)", False, ("the facts do not give 备注数",)),
        ("yes", False, ("公开 is given in the facts: yes",)),
    ]


def test_printed_numbers_are_read_exactly_as_printed():
    assert parse_number(" 93. 14% ") == Number(Decimal("0.9314"), 2, True)  # PDF extraction spaces
    assert (parse_number("7,341.03").value, parse_number("７．５").places) == (parse_number("7341.03").value, 1)
    assert parse_number("五") is None and parse_number("NaN") is None
    assert parse_number("1,2") is None  # a comma only groups thousands


# ---- problems in the reported file ----------------------------------------------------------------


def problems(text: str) -> list[tuple[str, str]]:
    with pytest.raises(ReportedError) as caught:
        small_audit(text)
    return [(d.code, d.hint or d.message) for d in caught.value.diagnostics]


def test_unknown_and_ambiguous_names_are_errors_with_hints():
    assert problems("indicators: {完成读: 1}\nfigures: {完成律: 1%}") == [
        ("PR531", "did you mean 完成度?"), ("PR533", "did you mean 完成率?")]
    assert problems("indicators: {及时性: 1}") == [("PR532", "give more of the path, as a/b")]


def test_values_that_are_not_numbers_and_unknown_sections_are_errors():
    assert problems("total: 很好\nindicators: {完成度: 1.33}") == [
        ("PR534", 'write it as the report prints it: 5.73 or "115.82%"')]
    # The file's shape is checked when it is read, before any name is looked up.
    assert problems("total: 很好\nindicators: {完成度: []}") == [
        ("PR530", "indicators: 完成度 must be one printed value")]
    assert problems("totals: 1") == [("PR530", "did you mean total?")]
    with pytest.raises(ReportedError):
        loads_reported("[1, 2]")
    with pytest.raises(ReportedError):
        loads_reported("total: [")


# ---- the command ----------------------------------------------------------------------------------


def test_cli_flags_the_2024_slip_and_exits_1(capsys):
    code, out, _ = run(capsys, "audit", RULES_2024, EXAMPLES / "commerce-2024-corrected.yaml",
                       EXAMPLES / "commerce-2024.reported.yaml")
    assert code == 1
    assert "figure 第二季度分季执行率: reported 115.82%, computed 118.82% (rounded half-up to 2 decimals" in out
    assert "indicator 部门绩效 / 效率性 / 预算执行率: reported 5.73, computed 5.75, difference -0.02" in out
    assert "total 总分: reported 94.54, computed 94.56, difference -0.02" in out
    assert "    follows from: 全年平均执行率, 第二季度分季执行率 (also disagree)\n" in out
    assert out.rstrip().endswith("4 disagreements: 1 of 21 indicator scores disagree; the total disagrees; "
                                 "the grade agrees; 2 of 5 figures disagree")


def test_cli_confirms_the_printed_2024_figures_and_exits_0(capsys):
    code, out, _ = run(capsys, "audit", RULES_2024, EXAMPLES / "commerce-2024.yaml",
                       EXAMPLES / "commerce-2024.reported.yaml", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["agrees"] is True and len(data["findings"]) == 28


def test_cli_markdown_and_errors(capsys, tmp_path, corrected):
    assert "| indicator | 预算执行率 | 5.73 | 5.75 | -0.02 | **differs** |" in render_markdown(corrected)
    assert render_text(corrected).count("DIFFERS") == 4
    bad = tmp_path / "bad.reported.yaml"
    bad.write_text("indicators:\n  预算执行:  5.73\n", encoding="utf-8")
    code, out, err = run(capsys, "audit", RULES_2024, EXAMPLES / "commerce-2024.yaml", bad)
    assert (code, out) == (1, "")
    assert "error[PR531]" in err and "did you mean 预算执行率?" in err and "bad.reported.yaml:2:3" in err
    code, _, err = run(capsys, "audit", RULES_2024, EXAMPLES / "commerce-2024.yaml")
    assert code == 2
    facts = tmp_path / "facts.yaml"
    facts.write_text("在编人数: 127\n", encoding="utf-8")
    code, out, err = run(capsys, "audit", RULES_2024, facts, EXAMPLES / "commerce-2024.reported.yaml")
    assert (code, out) == (1, "") and "error[PR501]" in err
