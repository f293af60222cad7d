"""The checking passes: each diagnostic's code, message and position, and clean rulesets
that must stay clean. Also the interval algebra the band and points passes stand on."""

from __future__ import annotations

import textwrap
from decimal import Decimal
from pathlib import Path

import pytest
import lark
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.lark import from_lark

from perfrules.check import PASSES, check
from perfrules.diagnostics import Diagnostics
from perfrules.errors import CheckError, ParseError
from perfrules.intervals import INF, Interval, Range, gaps, overlaps
from perfrules.parse import parse

ROOT = Path(__file__).resolve().parents[1]


def diagnose(text: str) -> list[tuple[str, str, str]]:
    """(code, message, "line:col") of every diagnostic of every pass, in source order."""
    return [(d.code, d.message, _where(d)) for d in _diagnostics(text)]


def _diagnostics(text: str):
    tree = parse(textwrap.dedent(text), name="t.rules")
    diagnostics = Diagnostics()
    for check_pass in PASSES:
        check_pass(tree, diagnostics)
    return diagnostics.sorted()


def _where(diagnostic) -> str:
    line, col = diagnostic.span.line_col
    return f"{line}:{col}"


def only(text: str) -> tuple[str, str, str]:
    found = diagnose(text)
    assert len(found) == 1, found
    return found[0]


def one(text: str, code: str):
    """The single diagnostic with ``code``, as a Diagnostic (for hints and notes)."""
    found = [d for d in _diagnostics(text) if d.code == code]
    assert len(found) == 1, found
    return found[0]


# ---- structure -------------------------------------------------------------------------------


def test_two_bases_are_reported_at_the_second():
    text = """\
        ruleset "t"
        input 率: percent
        indicator 控制率 1 {
          tiers 率: < 5% → 1; ≥ 5% → 0
          score 率
        }
        """
    assert diagnose(text)[0] == (
        "PR407", "indicator 控制率 has both tiers and score; a rule is scored by one of tiers, score, "
                 "checklist or parts", "5:3")
    assert one(text, "PR407").notes[0][0] == "its tiers is here"
    assert _where_span(one(text, "PR407").notes[0][1]) == "4:3"


def _where_span(span) -> str:
    return "%d:%d" % span.line_col


def test_parts_are_one_base_but_not_with_a_checklist():
    clean = """\
        ruleset "t"
        input a: judged 0..1
        indicator 合计 2 {
          part 甲 1 = a
          part 乙 1 = a
        }
        """
    assert diagnose(clean) == []
    mixed = clean.replace("  part 乙 1 = a\n", "  part 乙 1 = a\n  checklist { 1 \"x\": a }\n")
    assert [d[0] for d in diagnose(mixed)] == ["PR407"]


def test_clause_given_twice_in_a_rule_and_at_the_top():
    text = """\
        ruleset "t"
        total 1
        total 1
        rounding half_up 2
        rounding down 2
        input a: judged 0..1
        indicator 甲 1 {
          score a
          on zero denominator → 0
          on zero denominator → full
        }
        grade { otherwise → 优 }
        grade { otherwise → 良 }
        """
    assert diagnose(text) == [
        ("PR408", "the ruleset has a second `total`; only one is allowed", "3:1"),
        ("PR408", "the ruleset has a second `rounding`; only one is allowed", "5:1"),
        ("PR408", "indicator 甲 has a second `on zero denominator`; only one is allowed", "10:3"),
        ("PR408", "the ruleset has a second `grade`; only one is allowed", "13:1"),
    ]


def test_a_rule_needs_a_base_or_a_deduction():
    vetoed = """\
        ruleset "t"
        input 违规: flag
        indicator 合规性 3 { veto when 违规 }
        """
    assert only(vetoed) == (
        "PR409", "indicator 合规性 has no way to score: no tiers, score, checklist, parts or deduction", "3:11")
    deducting = vetoed.replace("veto when 违规", "deduct 1 when 违规")
    assert diagnose(deducting) == []


def test_rounding_places_stay_within_ten():
    text = """\
        ruleset "t"
        rounding half_up 11
        input a: judged 0..1
        indicator 甲 1 { score round(a, 12) rounding down 10 }
        """
    assert diagnose(text) == [
        ("PR411", "rounding to 11 places is out of range 0..10", "2:1"),
        ("PR412", "round to 12 places is out of range 0..10", "4:23"),
    ]


# ---- names -----------------------------------------------------------------------------------


def test_unknown_name_with_and_without_a_suggestion():
    text = """\
        ruleset "t"
        input 核定编制数: count
        input 在编人数: count
        let 控制率 = 在编人数 / 核定编织数
        indicator 甲 1 { tiers 控制率 + 完全不同: ≤ 100% → 1; > 100% → 0 }
        """
    assert diagnose(text) == [
        ("PR201", "unknown name 核定编织数", "4:18"),
        ("PR201", "unknown name 完全不同", "5:29"),
    ]
    assert one(text.replace(" + 完全不同", ""), "PR201").hint == "did you mean 核定编制数?"
    assert one(text.replace("/ 核定编织数", "/ 核定编制数"), "PR201").hint == "declare it with `input` or `let`"


def test_inputs_and_lets_share_one_namespace():
    text = """\
        ruleset "t"
        input 人数: count
        let 人数 = 1
        indicator 甲 1 { deduct 1 per 人数 }
        """
    assert only(text) == ("PR202", "人数 is already declared as an input", "3:5")
    assert _where_span(one(text, "PR202").notes[0][1]) == "2:7"


def test_siblings_need_distinct_names_cousins_do_not():
    text = """\
        ruleset "t"
        input n: count
        group 甲 2 {
          indicator 重名 1 { deduct 1 per n }
          indicator 重名 1 { deduct 1 per n }
        }
        group 乙 2 {
          indicator 重名 2 {
            part 部分 1 { deduct 1 per n }
            part 部分 1 { deduct 1 per n }
          }
        }
        indicator 甲 1 { deduct 1 per n }
        """
    assert diagnose(text) == [
        ("PR202", "group 甲 already has a member named 重名", "5:13"),
        ("PR202", "indicator 重名 already has a member named 部分", "10:10"),
        ("PR202", "the ruleset already has a member named 甲", "13:11"),
    ]


def test_cycles_are_named_once_from_their_first_declaration():
    text = """\
        ruleset "t"
        input n: count default 丙
        let 甲 = 乙 + 1
        let 乙 = 丙 * 2
        let 丙 = 甲 - n
        let 自己 = 自己 + 1
        let 旁观 = 甲 + 自己
        indicator x 1 { deduct 1 per 旁观 }
        """
    assert diagnose(text) == [
        ("PR203", "the default of input n depends on itself: n → 丙 → n", "2:7"),
        ("PR203", "let 自己 depends on itself: 自己 → 自己", "6:5"),
    ]


def test_a_cycle_of_lets_only():
    text = """\
        ruleset "t"
        let 甲 = 乙 + 1
        let 乙 = 甲 * 2
        indicator x 1 { deduct 1 per 甲 }
        """
    found = one(text, "PR203")
    assert (found.message, _where(found)) == ("let 甲 depends on itself: 甲 → 乙 → 甲", "2:5")
    assert [(t, _where_span(s)) for t, s in found.notes] == [("甲 uses 乙 here", "2:9"), ("乙 uses 甲 here", "3:9")]


def test_functions_and_their_arguments():
    text = """\
        ruleset "t"
        input a: count
        let b = mins(a, 1) + abs(a, 2) + min() + max(a, 1, 2) + abs(a)
        indicator x 1 { deduct 1 per b }
        """
    assert diagnose(text) == [
        ("PR204", "unknown function mins", "3:9"),
        ("PR205", "abs takes exactly 1 argument, given 2", "3:22"),
        ("PR205", "min takes at least 1 argument, given 0", "3:34"),
    ]
    assert one(text, "PR204").hint == "did you mean min?"


def test_unused_inputs_and_lets_are_warnings():
    text = """\
        ruleset "t"
        input 用到: count
        input 间接: count
        input 没用: count
        let 中间 = 间接 × 2
        let 闲置 = 1
        indicator x 1 { deduct 1 per 用到 + 中间 }
        """
    found = _diagnostics(text)
    assert [(d.code, d.severity, d.message, _where(d)) for d in found] == [
        ("PR206", "warning", "input 没用 is never used", "4:7"),
        ("PR206", "warning", "let 闲置 is never used", "6:5"),
    ]


def test_judged_input_needs_a_range():
    assert only("""\
        ruleset "t"
        input 评分: judged
        indicator x 1 = 评分
        """) == ("PR207", "judged input 评分 has no range", "2:7")


# ---- kinds -----------------------------------------------------------------------------------

KINDS = """\
    ruleset "t"
    input 人数: count
    input 比率: percent
    input 万: amount 万元
    input 元: amount 元
    input 旗: flag
    input 评: judged 0..1
    indicator x 1 {{ score {expr} }}
    """


def kinds_of(expr: str) -> list[tuple[str, str, str]]:
    """Diagnostics of names and kinds for ``score expr`` over one input of each kind,
    unused inputs aside (bounds of the score are another test's business)."""
    return [d for d in diagnose(KINDS.format(expr=expr)) if d[0].startswith("PR2") and d[0] != "PR206"]


@pytest.mark.parametrize(("expr", "message"), [
    ("人数 + 比率", "cannot add a count and a ratio"),
    ("万 - 元", "cannot subtract an amount in 元 from an amount in 万元"),
    ("万 * 万 / 万", "cannot multiply an amount in 万元 by an amount in 万元"),
    ("评 / 旗", "cannot divide a judged score by a flag"),
    ("-旗", "cannot negate a flag"),
    ("round(旗, 2)", "cannot round a flag"),
    ("abs(旗)", "cannot take abs of a flag"),
    ("min(人数, 比率, 1)", "min mixes a count and a ratio"),
])
def test_arithmetic_that_mixes_kinds(expr, message):
    assert kinds_of(expr) == [("PR210", message, "8:23")]


@pytest.mark.parametrize("expr", [
    "比率 × 1", "人数 / 人数 × 0.5", "万 / 万", "min(比率, 100%)", "评 × 比率", "mean(比率, 50%) + 1",
    "(人数 + 1) / 人数", "round(比率, 4)",
])
def test_arithmetic_that_means_something(expr):
    assert kinds_of(expr) == []


def test_a_clash_is_reported_once_and_unknown_names_stay_silent():
    assert kinds_of("(人数 + 比率) × 2 + 1") == [("PR210", "cannot add a count and a ratio", "8:24")]
    assert kinds_of("未知 + 比率") == [("PR201", "unknown name 未知", "8:23")]


@pytest.mark.parametrize(("condition", "code", "message"), [
    ("人数 > 比率", "PR211", "cannot compare a count with a ratio"),
    ("旗 = 1", "PR211", "cannot compare a flag with a number"),
    ("旗 < 旗", "PR211", "flags have no order: they are yes or no"),
    ("万 >= 元", "PR211", "cannot compare an amount in 万元 with an amount in 元"),
    ("比率 < 5", "PR212", "比率 is a ratio, compared with the plain number 5"),
    ("-1 < 比率", "PR212", "比率 is a ratio, compared with the plain number -1"),
    ("人数 and 旗", "PR213", "`and` needs a flag (yes or no), not a count"),
    ("not 比率", "PR213", "`not` needs a flag (yes or no), not a ratio"),
])
def test_conditions_and_comparisons(condition, code, message):
    text = KINDS.format(expr="1").replace("score 1", f"score 评 deduct 1 when {condition}")
    found = [d for d in diagnose(text) if d[0] != "PR206"]
    assert [(c, m) for c, m, _ in found] == [(code, message)]


@pytest.mark.parametrize("condition", ["比率 > 0", "比率 <= 5%", "人数 > 3", "旗 = no", "旗 != 旗", "评 ≥ 0.5",
                                       "not 旗 or 万 > 10"])
def test_conditions_that_mean_something(condition):
    text = KINDS.format(expr="1").replace("score 1", f"score 评 deduct 1 when {condition}")
    assert [d for d in diagnose(text) if d[0] != "PR206"] == []


def test_plain_number_hint_says_what_it_means():
    text = KINDS.format(expr="1").replace("score 1", "score 评 deduct 1 when 比率 < 5")
    assert one(text, "PR212").hint == "write 5% for 5 percent; a plain 5 is 500%"


def test_bounds_in_the_wrong_form():
    text = """\
        ruleset "t"
        input 比率: percent 0..100
        input 人数: count 0%..100%
        indicator a 1 { tiers 比率: < 5 → 1; ≥ 5% → 0 }
        indicator b 1 { tiers 人数: < 5% → 1; ≥ 5% → 0 }
        indicator c 1 { deduct 0.1 per started 1 of 比率 above 10 }
        indicator d 1 { tiers 比率: < 0 → 0; 0..<5% → 1; ≥ 5% → 0 }
        """
    assert diagnose(text) == [
        ("PR212", "比率 is a ratio, bounded by the plain number 100", "2:22"),
        ("PR212", "人数 is a count, bounded by the percent 100%", "3:21"),
        ("PR212", "比率 is a ratio, bounded by the plain number 5", "4:29"),
        ("PR212", "人数 is a count, bounded by the percent 5%", "5:29"),
        ("PR212", "人数 is a count, bounded by the percent 5%", "5:39"),
        ("PR212", "比率 is a ratio, bounded by the plain number 1", "6:40"),
        ("PR212", "比率 is a ratio, bounded by the plain number 10", "6:54"),
    ]


def test_grade_bounds_are_points_not_percents():
    text = """\
        ruleset "t"
        input a: judged 0..100
        indicator x 100 = a
        grade { ≥ 90% → 优; < 90% → 差 }
        """
    assert [d[:2] for d in diagnose(text)] == [("PR212", "the total is a number, bounded by the percent 90%")] * 2


def test_checklist_tests_are_flags_or_judged_scores():
    text = """\
        ruleset "t"
        input 旗: flag
        input 评: judged 0..1
        input 回复: count
        input 件数: count
        indicator x 4 {
          checklist {
            1 "flag": 旗
            1 "judged": 评
            1 "condition": 回复 >= 件数
            1 "ratio": 回复 / 件数
          }
        }
        """
    assert diagnose(text) == [
        ("PR214", "a checklist item's test must be a flag or a judged score, not a ratio", "11:16")]


@pytest.mark.parametrize(("clause", "message"), [
    ("score 旗", "a score must be a number, but this is a flag"),
    ("score 万", "a score must be a number, but this is an amount in 万元: money is not points"),
    ("deduct 1 per 万", "`deduct … per` needs a count, but this is an amount in 万元"),
    ("deduct 1 per 旗", "`deduct … per` needs a count, but this is a flag"),
    ("tiers 旗: = 0 → 0; otherwise → 1", "tiers needs a number to place in its bands, but this is a flag"),
    ("deduct 1 per started 1 of 旗", "`deduct … per … of` needs a number to measure, but this is a flag"),
])
def test_what_is_scored_must_be_a_number(clause, message):
    text = KINDS.format(expr="1").replace("score 1", clause)
    found = [d for d in diagnose(text) if d[0] != "PR206"]
    assert [(c, m) for c, m, _ in found] == [("PR215", message)]


def test_bands_over_money_are_fine():
    text = KINDS.format(expr="1").replace("score 1", "tiers 万: ≤ 10 → 1; > 10 → 0")
    assert [d for d in diagnose(text) if d[0] != "PR206"] == []


def test_defaults_have_their_inputs_kind():
    text = """\
        ruleset "t"
        input 支出: amount 万元
        input 指标: amount 万元
        input 进度: percent default 支出 - 指标
        input 件数: count default 0
        input 比例: percent default 支出 / 指标
        indicator x 1 { deduct 1 per 件数 deduct 1 when 进度 < 比例 }
        """
    assert diagnose(text) == [
        ("PR216", "the default of 进度 is an amount in 万元, but 进度 is declared percent", "4:27")]


# ---- bands -----------------------------------------------------------------------------------


def test_a_gap_is_named_exactly_in_percent_form():
    text = """\
        ruleset "t"
        input 预算执行率: percent
        indicator x 4 {
          tiers 预算执行率: ≥ 90% → 4; 80%..<90% → 3; < 79% → 0
        }
        """
    found = one(text, "PR301")
    assert (found.message, _where(found)) == ("no band covers 79% ≤ 预算执行率 < 80%", "4:42")
    assert found.hint == "write `< 80%` to close the gap, or add `otherwise → POINTS`"
    assert [(t, _where_span(s)) for t, s in found.notes] == [("the next band starts here", "4:27")]


def test_gaps_are_within_what_the_subject_can_be():
    text = """\
        ruleset "t"
        input 率: percent
        input 数: number
        input 评: judged 0..10
        indicator a 1 { tiers 率: 0..<5% → 1; ≥ 5% → 0 }
        indicator b 1 { tiers 数: 0..<5 → 1; ≥ 5 → 0 }
        indicator c 1 { tiers 评: 0..5 → 1; 6..10 → 0 }
        indicator d 1 { tiers 率: 0..<5% → 1; 5%..10% → 0 }
        """
    assert diagnose(text) == [
        ("PR301", "no band covers 数 < 0", "6:26"),
        ("PR301", "no band covers 5 < 评 < 6", "7:26"),
        ("PR301", "no band covers 率 > 10%", "8:38"),
    ]


def test_otherwise_covers_gaps_but_not_overlaps():
    text = """\
        ruleset "t"
        input 率: percent
        indicator a 1 { tiers 率: < 5% → 1; otherwise → 0 }
        indicator b 1 { tiers 率: < 5% → 1; ≤ 5% → 1; otherwise → 0 }
        """
    assert diagnose(text) == [("PR302", "bands < 5% and ≤ 5% both cover 率 < 5%", "4:36")]


def test_overlaps_name_both_bands_and_the_shared_values():
    text = """\
        ruleset "t"
        input 率: percent
        indicator a 3 { tiers 率: < 90% → 3; 90%..100% → 2; ≥ 100% → 0 }
        indicator b 3 { tiers 率: ≥ 50% → 3; < 90% → 2 }
        """
    assert diagnose(text) == [
        ("PR302", "bands 90%..100% and ≥ 100% both cover 率 = 100%", "3:52"),
        ("PR302", "bands ≥ 50% and < 90% both cover 50% ≤ 率 < 90%", "4:37"),
    ]
    assert _where_span(one(text.replace("≥ 100%", "> 100%"), "PR302").notes[0][1]) == "4:26"


@pytest.mark.parametrize("bands", [
    "< 5% → 1; 5%..10% → 0.5; > 10% → 0",
    "< 5% → 1; = 5% → 0.7; 5%<..<10% → 0.5; ≥ 10% → 0",
    "≤ 5% → 1; 5%<..10% → 0.5; 10%<..20% → 0.2; > 20% → 0",
    "otherwise → 1",
])
def test_complete_band_lists_are_clean(bands):
    assert diagnose(f'ruleset "t"\ninput 率: ratio\nindicator a 1 {{ tiers 率: {bands} }}\n') == []


def test_empty_bands_and_the_gaps_they_leave_are_told_once():
    text = """\
        ruleset "t"
        input 率: percent
        indicator a 1 { tiers 率: ≥ 90% → 1; 90%..<75% → 0.7; < 75% → 0 }
        indicator b 1 { tiers 率: < 5% → 1; 5%..<5% → 0.5; > 5% → 0 }
        """
    assert diagnose(text) == [
        ("PR303", "band 90%..<75% is empty: 90% is above 75%", "3:37"),
        ("PR303", "band 5%..<5% is empty: it leaves out 5%, its only value", "4:36"),
    ]


def test_one_otherwise_and_no_band_above_the_max():
    text = """\
        ruleset "t"
        input 率: percent
        indicator a 6 { tiers 率: ≥ 95% → 8; otherwise → full; otherwise → 0 }
        """
    assert diagnose(text) == [
        ("PR305", "band ≥ 95% gives 8 points, more than indicator a's max of 6", "3:26"),
        ("PR304", "a second `otherwise` band; only one may take what is left", "3:55"),
    ]


def test_grade_bands_cover_zero_to_the_total():
    text = """\
        ruleset "t"
        total 100
        input a: judged 0..100
        indicator x 100 = a
        grade 等级 { ≥ 90 → 优; 80..<89 → 良; 60..<80 → 中 }
        """
    found = [d for d in _diagnostics(text)]
    assert [(d.code, d.message, _where(d)) for d in found] == [
        ("PR301", "no band covers 89 ≤ total < 90", "5:22"),
        ("PR301", "no band covers 0 ≤ total < 60", "5:35"),
    ]
    assert found[0].hint == "write `80..<90` to close the gap, or add `otherwise → LABEL`"
    assert found[1].hint == "add a band `< 60 → LABEL`"
    clean = text.replace("80..<89", "80..<90").replace("60..<80 → 中", "60..<80 → 中; < 60 → 差")
    assert diagnose(clean) == []


# ---- points ----------------------------------------------------------------------------------


def test_maxima_add_up_at_every_level():
    text = """\
        ruleset "t"
        total 100
        input n: count
        input f: flag
        group 部门管理 20 {
          indicator 甲 9 { deduct 1 per n }
          indicator 乙 10 {
            part 丙 3 { deduct 1 per n }
            part 丁 3 { deduct 1 per n }
          }
        }
        indicator 戊 5 { checklist { 2 "a": f 2 "b": f } }
        """
    assert diagnose(text) == [
        ("PR401", "the top-level groups and indicators add up to 25, the total is 100", "2:1"),
        ("PR401", "members of 部门管理 add up to 19, its max is 20", "5:7"),
        ("PR401", "parts of 乙 add up to 6, its max is 10", "7:13"),
        ("PR401", "checklist items of 戊 add up to 4, its max is 5", "12:17"),
    ]


SCORE = """\
    ruleset "t"
    input 完成: count
    input 计划: count
    input 满意度: percent 0%..100%
    input 评: judged -1..1
    indicator x 6 {{
      score {formula}
      on zero denominator → full
    }}
    """


@pytest.mark.parametrize(("formula", "code", "message"), [
    ("完成 / 计划 × 6", "PR402", "the score formula has no upper bound, above indicator x's max of 6"),
    ("满意度 × 10", "PR402", "the score formula can reach 10, above indicator x's max of 6"),
    ("(满意度 - 80%) × 30", "PR403", "the score formula can go down to -24, below 0"),
    ("6 - 完成", "PR403", "the score formula has no lower bound, below 0"),
    ("评 × 6", "PR403", "the score formula can go down to -6, below 0"),
    ("满意度 × 6 - 0.01", "PR403", "the score formula can go down to -0.01, below 0"),
    ("满意度 × 6 + 0.01", "PR402", "the score formula can reach 6.01, above indicator x's max of 6"),
])
def test_score_formulas_that_can_leave_zero_to_max(formula, code, message):
    found = [d for d in _diagnostics(SCORE.format(formula=formula)) if d.code in ("PR402", "PR403")]
    assert [(d.code, d.severity, d.message, _where(d)) for d in found] == [(code, "warning", message, "7:9")]


@pytest.mark.parametrize("formula", [
    "min(完成 / 计划, 100%) × 6", "满意度 × 6", "min(完成 / 计划 × 6, 6)", "max(评, 0) × 6",
    "mean(满意度, 50%) × 6", "abs(评) × 6", "round(满意度, 2) × 6", "6 × 满意度 - 0", "max(6 - 完成, 0)",
])
def test_score_formulas_within_zero_to_max(formula):
    # mean(满意度, 50%) × 6 stays within 1.5..4.5: within [0, 6], though never 6 (PR415).
    assert [d for d in diagnose(SCORE.format(formula=formula)) if d[0] in ("PR402", "PR403")] == []


def test_judged_ranges_fit_their_points():
    text = """\
        ruleset "t"
        input 大: judged 0..3
        input 小: judged 0..1
        indicator x 2 {
          checklist { 1 "a": 大 1 "b": 小 }
        }
        indicator y 1 = 大
        indicator z 1 { checklist { 1 "c": 小 × 2 } }
        """
    assert diagnose(text) == [
        ("PR404", "judged input 大 can give up to 3, more than the item's 1 point", "5:22"),
        ("PR404", "judged input 大 can give up to 3, more than indicator y's max of 1", "7:17"),
        ("PR404", "this judged score can give up to 2, more than the item's 1 point", "8:36"),
    ]


def test_zero_points_deductions_and_units():
    text = """\
        ruleset "t"
        input n: count
        input 率: percent
        group g 1 {
          indicator a 1 { deduct 0 per n }
          indicator b 0 { deduct 1 per started 0% of 率 }
        }
        """
    found = [(d.code, d.severity, d.message, _where(d)) for d in _diagnostics(text)]
    assert found == [
        ("PR405", "error", "a deduction of 0 points deducts nothing", "5:19"),
        ("PR405", "warning", "indicator b has 0 points", "6:13"),
        ("PR405", "error", "a unit of 0 cannot be counted; a unit must be above 0", "6:40"),
    ]


def test_on_zero_denominator_within_the_max():
    text = SCORE.format(formula="min(完成 / 计划, 100%) × 6").replace("→ full", "→ 7")
    assert [d for d in diagnose(text) if d[0] != "PR206"] == [
        ("PR406", "on zero denominator gives 7 points, more than indicator x's max of 6", "8:3")]


# ---- all passes together, and check() ---------------------------------------------------------


BROKEN = """\
    ruleset "t"
    total 10
    input 率: percent
    input 评: judged
    input 闲: count
    let 环 = 环 + 1
    indicator a 5 {
      tiers 率: < 5% → 1; 6%..10% → 6
      on zero denominator → 1
      on zero denominator → 1
    }
    indicator b 4 = 率 + 人 + 评
    """


def test_every_pass_reports_in_one_run():
    assert diagnose(BROKEN) == [
        ("PR401", "the top-level groups and indicators add up to 9, the total is 10", "2:1"),
        ("PR207", "judged input 评 has no range", "4:7"),
        ("PR206", "input 闲 is never used", "5:7"),
        ("PR203", "let 环 depends on itself: 环 → 环", "6:5"),
        ("PR206", "let 环 is never used", "6:5"),
        ("PR301", "no band covers 5% ≤ 率 < 6%", "8:12"),
        ("PR301", "no band covers 率 > 10%", "8:22"),
        ("PR305", "band 6%..10% gives 6 points, more than indicator a's max of 5", "8:22"),
        ("PR408", "indicator a has a second `on zero denominator`; only one is allowed", "10:3"),
        ("PR201", "unknown name 人", "12:21"),
    ]


def test_check_error_carries_errors_and_warnings_in_source_order():
    with pytest.raises(CheckError) as raised:
        check(parse(textwrap.dedent(BROKEN), name="t.rules"))
    codes = [d.code for d in raised.value.diagnostics]
    assert {"PR201", "PR203", "PR206", "PR207", "PR301", "PR305", "PR401", "PR408"} <= set(codes)
    assert "warning[PR206]: input 闲 is never used" in str(raised.value)
    starts = [d.span.start for d in raised.value.diagnostics]
    assert starts == sorted(starts)


def test_warnings_alone_do_not_stop_check_and_ride_on_the_model():
    model = check(parse('ruleset "t"\ninput 闲: count\ninput a: judged 0..1\nindicator x 1 = a\n'))
    assert [(d.code, d.message) for d in model.warnings] == [("PR206", "input 闲 is never used")]


@pytest.mark.parametrize("path", sorted((ROOT / "rulesets").rglob("*.rules")), ids=lambda p: p.name)
def test_seed_rulesets_check_without_any_diagnostic(path):
    model = check(parse(path.read_text(encoding="utf-8"), name=str(path)))
    assert list(model.warnings) == []


_GRAMMAR = lark.Lark((ROOT / "grammar" / "perfrules.lark").read_text(encoding="utf-8"), parser="lalr")


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(from_lark(_GRAMMAR, start="start"))
def test_passes_never_crash_and_always_point_somewhere(text):
    # Whatever the parser accepts, however wrong, gets diagnostics, never an exception.
    try:
        tree = parse(text)
    except ParseError:
        return
    diagnostics = Diagnostics()
    for check_pass in PASSES:
        check_pass(tree, diagnostics)
    for diagnostic in diagnostics.items:
        assert diagnostic.span is not None and diagnostic.render()


# ---- intervals -------------------------------------------------------------------------------


def _i(low, low_closed, high, high_closed) -> Interval:
    return Interval.from_bounds(_decimal(low), low_closed, _decimal(high), high_closed)


def _decimal(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def test_cuts_order_open_and_closed_ends():
    assert _i(5, True, 5, True).describe() == "x = 5"
    assert _i(5, True, 5, False).is_empty and _i(5, False, 5, True).is_empty
    assert gaps([_i(None, True, 5, False), _i(5, True, None, True)], Interval.everything()) == []
    [hole] = gaps([_i(None, True, 5, False), _i(5, False, None, True)], Interval.everything())
    assert hole.describe() == "x = 5" and hole.band_text() == "= 5"
    [(first, second, common)] = overlaps([_i(None, True, 5, True), _i(5, True, None, True)])
    assert (first, second, common.describe()) == (0, 1, "x = 5")


def test_interval_text_in_percent_form():
    assert _i("0.79", True, "0.8", False).describe("率", percent=True) == "79% ≤ 率 < 80%"
    assert _i("0.05", False, "0.1", True).band_text(percent=True) == "5%<..10%"
    assert _i(None, True, "0.8", False).band_text(percent=True) == "< 80%"
    assert _i("0.9", True, None, True).band_text(percent=True) == "≥ 90%"


_POINTS = st.integers(-4, 4)
_ENDS = st.tuples(st.one_of(st.none(), _POINTS), st.booleans())


@st.composite
def _intervals(draw):
    (low, low_closed), (high, high_closed) = draw(_ENDS), draw(_ENDS)
    return _i(low, low_closed, high, high_closed)


def _contains(interval: Interval, x: Decimal) -> bool:
    low, high = interval.low, interval.high
    above = x > low.value or (x == low.value and interval.low_closed)
    below = x < high.value or (x == high.value and interval.high_closed)
    return above and below


_SAMPLES = [Decimal(n) / 2 for n in range(-12, 13)]  # every bound and every point between two


@given(st.lists(_intervals(), max_size=5), _intervals())
def test_gaps_are_exactly_the_uncovered_values(intervals, within):
    holes = gaps(intervals, within)
    for x in _SAMPLES:
        uncovered = _contains(within, x) and not any(_contains(i, x) for i in intervals if not i.is_empty)
        assert uncovered == any(_contains(h, x) for h in holes)
    assert all(not h.is_empty for h in holes)


@given(st.lists(_intervals(), max_size=5))
def test_overlaps_are_exactly_the_values_covered_twice(intervals):
    found = overlaps(intervals)
    for i, j, common in found:
        assert not common.is_empty and i < j
    for x in _SAMPLES:
        twice = [k for k, interval in enumerate(intervals) if _contains(interval, x) and not interval.is_empty]
        pairs = {(i, j) for i, j, common in found if _contains(common, x)}
        assert pairs == {(a, b) for a in twice for b in twice if a < b}


_FINITE = st.integers(-20, 20).map(Decimal)


@st.composite
def _ranges(draw):
    low, high = sorted([draw(_FINITE), draw(_FINITE)])
    return Range(low, high), draw(st.integers(low, high)), draw(st.booleans()), draw(st.booleans())


@given(_ranges(), _ranges())
def test_range_arithmetic_holds_every_result(left, right):
    (a, x, _, _), (b, y, _, _) = left, right
    x, y = Decimal(x), Decimal(y)
    for op, value in ((Range.__add__, x + y), (Range.__sub__, x - y), (Range.__mul__, x * y)):
        result = op(a, b)
        assert result.low <= value <= result.high
    if y != 0:
        result = a / b
        assert result.low <= x / y <= result.high
    assert abs(a).low <= abs(x) <= abs(a).high


def test_ranges_with_infinite_ends():
    ratio = Range(Decimal(0), INF)
    assert ratio / ratio == Range(Decimal(0), INF)
    assert Range(Decimal(0), Decimal(1)) * ratio == Range(Decimal(0), INF)
    assert Range.point(Decimal(6)) - ratio == Range(-INF, Decimal(6))
    assert Range(Decimal(-1), Decimal(1)).reciprocal() == Range.unbounded()
    assert Range(Decimal("0.994"), Decimal("0.996")).round(2) == Range(Decimal("0.99"), Decimal("1.00"))


def test_an_input_range_no_value_fits_is_an_empty_range():
    found = diagnose('ruleset "r"\ninput x: number 5..1\nindicator i 1 = min(max(x, 0), 1)')
    assert ("PR303", "the range 5..1 of x is empty: 5 is above 1", "2:17") in found
