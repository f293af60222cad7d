"""Score bounds (``check/bounds.py``) and the warnings drawn from them (``check/reach.py``):
exact bounds on small rulesets, soundness against evaluation over random rulesets, each
warning's code, message and place, silence on the seeds, and ``check --bounds``."""

from __future__ import annotations

import textwrap
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import perfrules
from perfrules.check import PASSES
from perfrules import nodes
from perfrules.check.bounds import context_of, score_bounds
from perfrules.check.ranges import truth_of
from perfrules.cli import main
from perfrules.diagnostics import Diagnostics
from perfrules.errors import EvaluationError
from perfrules.parse import parse
from tests import strategies

ROOT = Path(__file__).resolve().parents[1]
SEEDS = sorted((ROOT / "rulesets").rglob("*.rules"))
TWO_SEEDS = [ROOT / "rulesets" / "shenzhen" / f"department-overall-{year}.rules" for year in (2023, 2024)]
D = Decimal


def bounds(text: str) -> dict:
    found = score_bounds(parse(textwrap.dedent(text)))
    return {"/".join(path): (str(low), str(high)) for path, (low, high) in found.items()}


def warnings(text: str, codes=None) -> list[tuple[str, str, str]]:
    diagnostics = Diagnostics()
    for check_pass in PASSES:
        check_pass(parse(textwrap.dedent(text), name="t.rules"), diagnostics)
    return [(d.code, d.message, "%d:%d" % d.span.line_col) for d in diagnostics.sorted()
            if codes is None or d.code in codes]


# ---- bounds --------------------------------------------------------------------------------------


def test_bands_count_only_where_the_subject_can_go():
    found = bounds("""\
        ruleset "t"
        input 满意度: percent 0%..85%
        input 率: percent
        indicator a 6 { tiers 满意度: ≥ 95% → 6; 90%..<95% → 4; 80%..<90% → 2; < 80% → 1 }
        indicator b 3 { tiers 率: < 90% → 3; 90%..100% → 2; > 100% → 0 }
        """)
    assert found["a"] == ("1.00", "2.00") and found["b"] == ("0.00", "3.00") and found[""] == ("1.00", "5.00")


def test_formulas_deductions_and_the_limits():
    found = bounds("""\
        ruleset "t"
        rounding down 1
        input 率: percent 0%..100%
        input 数: count
        input 调整率: percent 0%..25%
        indicator a 6 = 率 × 4 + 1
        indicator b 5 { deduct 1 per 数 }
        indicator c 1 { deduct 0.1 per started 1% of 调整率 above 10% }
        indicator d 1 { deduct 0.1 per whole 1% of 调整率 above 10%; rounding half_up 2 }
        indicator e 6 = 率 × 6 - 2
        input 微调率: percent 0%..10.5%
        indicator f 1 { deduct 0.1 per started 1% of 微调率 above 10% }
        indicator g 1 { deduct 0.1 per whole 1% of 微调率 above 10% }
        """)
    assert found["a"] == ("1.0", "5.0")
    assert found["b"] == ("0.0", "5.0")
    assert found["c"] == ("0.0", "1.0")  # 15 begun points above 10% take 1.5: floored at 0
    assert found["d"] == ("0.00", "1.00")
    assert found["e"] == ("0.0", "4.0")
    assert found["f"] == ("0.9", "1.0") and found["g"] == ("1.0", "1.0")  # half a point: begun, not whole


def test_checklists_guards_parts_and_zero_denominators():
    found = bounds("""\
        ruleset "t"
        input 评: judged 0..0.5
        input 有: flag
        input 率: percent 0%..100%
        input 完成: count
        input 计划: count
        indicator a 2 { checklist { 1: 有; 1: 评 } }
        indicator b 2 { checklist { 1: 率 <= 100%; 1: 率 > 100% } }
        indicator c 3 {
          veto when 有
          part p1 1 = 评
          part p2 2 { exempt when 率 >= 0%; deduct 1 when 有 }
        }
        indicator d 6 { score min(完成 / 计划, 50%) × 6; on zero denominator → full }
        indicator e 6 { score min(完成 / 计划, 50%) × 6 }
        indicator f 2 { part p 2 { score min(完成 / 计划, 50%) × 2 }; on zero denominator → full }
        let 完成率 = 完成 / 计划
        let 半完成率 = 完成率 × 0.5
        indicator g 6 { score min(半完成率, 25%) × 12; on zero denominator → full }
        """)
    assert found["a"] == ("0.00", "1.50")
    assert found["b"] == ("1.00", "1.00")  # the first item always, the second never
    assert found["c/p1"] == ("0", "0.5") and found["c/p2"] == ("2", "2") and found["c"] == ("0.00", "2.50")
    assert found["d"] == ("0.00", "6.00")  # 计划 = 0 scores full
    assert found["e"] == ("0.00", "3.00")
    assert found["f/p"] == ("0", "1.0") and found["f"] == ("0.00", "2.00")  # the part passes its zero up
    assert found["g"] == ("0.00", "6.00")  # through two lets


@pytest.mark.parametrize("path", TWO_SEEDS, ids=lambda p: p.name)
def test_seed_bounds(path):
    found = score_bounds(parse(path.read_text(encoding="utf-8")))
    by_name = {p[-1]: v for p, v in found.items() if p}
    assert found[()] == (D(1), D(100))
    assert by_name["公众或服务对象满意度"] == (D(1), D(6))  # its lowest band gives 1
    assert by_name["项目完成及时性"] == (D(0), D(6))
    assert by_name["部门预算公开"] == (D(0), D("1.5"))


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_no_score_falls_outside_its_bounds(data):
    text = data.draw(strategies.ruleset_texts())
    ruleset = perfrules.loads(text)
    found = score_bounds(parse(text))
    facts = data.draw(strategies.facts_for(ruleset.model))
    try:
        result = ruleset.evaluate(facts)
    except EvaluationError:
        return
    for node in result.root.walk():
        low, high = found[node.path]
        assert low <= node.score <= high, (node.path, node.score, low, high)


@pytest.mark.parametrize(("condition", "expected"), [
    ("r < 0%", False), ("r < 100%", None), ("r < 101%", True), ("r <= 100%", True), ("r <= 0%", None),
    ("r > 100%", False), ("r >= 100%", None), ("r >= 0%", True), ("n = -1", False), ("r = 50%", None),
    ("r != 200%", True), ("r != 50%", None), ("1 = 1", True), ("yes", True), ("f", None),
    ("r < 0% or f", None), ("r <= 100% or f", True), ("r < 0% and f", False), ("r <= 100% and f", None),
    ("not (r < 0%)", True), ("ok", True), ("not ok", False),
])
def test_truth_of_conditions_by_ranges(condition, expected):
    tree = parse(f'ruleset "t"\ninput r: percent 0%..100%\ninput n: count\ninput f: flag\nlet ok = r <= 100%\n'
                 f"let c = {condition}\n")
    context = context_of(tree)
    assert truth_of(tree.of_type(nodes.Let)[1].value, context.ranges, context.known) is expected


# ---- warnings ------------------------------------------------------------------------------------


def test_a_band_out_of_the_subjects_reach():
    assert warnings("""\
        ruleset "t"
        input 率: percent 0%..100%
        input 分: percent 0%..100%
        indicator a 3 { tiers 率: < 90% → 3; 90%..100% → 2; > 100% → 0 }
        indicator b 1 { tiers 分: < 50% → 0; ≥ 50% → 1; otherwise → 0 }
        """) == [
        ("PR306", "band > 100% is never reached: 率 is always 0%..100%", "4:52"),
        ("PR306", "band otherwise is never reached: the other bands cover every value 分 can take (0%..100%)",
         "5:48"),
    ]


def test_a_grade_band_out_of_the_totals_reach():
    assert warnings("""\
        ruleset "t"
        input 分: judged 0..80
        indicator a 100 = 分
        grade { ≥ 90 → 优; 60..<90 → 中; < 60 → 差 }
        """, {"PR306"}) == [("PR306", "grade band ≥ 90 is never reached: the total is always 0..80", "4:9")]


def test_checklist_items_decided_by_ranges():
    assert warnings("""\
        ruleset "t"
        input 回复率: percent 0%..100%
        input 件数: count
        indicator a 3 { checklist { 1: 回复率 > 100%; 1: 回复率 <= 100% and 件数 >= 0; 1: 件数 > 3 } }
        """) == [
        ("PR413", "this checklist item is never met: 回复率 > 100% never holds", "4:32"),
        ("PR414", "this checklist item is always met: 回复率 ≤ 100% and 件数 ≥ 0 always holds", "4:47"),
    ]


def test_a_max_out_of_reach_and_when_a_narrower_warning_explains_it():
    assert warnings("""\
        ruleset "t"
        input 率: percent 0%..100%
        input 评: judged 0..0.8
        indicator a 6 { tiers 率: ≥ 95% → 5; < 95% → 1 }
        indicator b 1 = 评
        indicator c 2 { part p 1 = 评; part q 1 = 1 }
        indicator d 3 { tiers 率: < 90% → 2; 90%..100% → 2; > 100% → 3 }
        """) == [
        ("PR415", "indicator a can score at most 5, never its max of 6", "4:11"),
        ("PR415", "indicator b can score at most 0.8, never its max of 1", "5:11"),
        ("PR415", "part p can score at most 0.8, never its max of 1", "6:22"),  # not c as well
        ("PR306", "band > 100% is never reached: 率 is always 0%..100%", "7:52"),  # not PR415
    ]


def test_caps_and_floors_never_needed_or_always_biting():
    assert warnings("""\
        ruleset "t"
        input 率: percent 0%..100%
        input 数: count
        indicator a 1 = min(率, 100%)
        indicator b 1 = max(率, 0%)
        indicator c 1 = max(率, 100%)
        indicator d 1 = min(率, 0%, 50%)
        indicator e 1 = min(数 / 10, 1)
        """, {"PR416", "PR417"}) == [
        ("PR416", "the cap 100% in min(率, 100%) is never needed: the other arguments are always 0%..100%",
         "4:17"),
        ("PR416", "the floor 0% in max(率, 0%) is never needed: the other arguments are always 0%..100%", "5:17"),
        ("PR417", "the floor 100% in max(率, 100%) always bites: the other arguments are always 0%..100%, so "
                  "the result is always 100%", "6:17"),
        ("PR417", "the cap 0% in min(率, 0%, 50%) always bites: the other arguments are always 0%..100%, so "
                  "the result is always 0%", "7:17"),
    ]


def test_a_score_formula_always_limited():
    assert warnings("""\
        ruleset "t"
        input 率: percent 0%..100%
        indicator a 1 = 率 + 2
        indicator b 1 = 率 - 2
        """, {"PR402", "PR403", "PR415", "PR417"}) == [
        ("PR417", "the score formula is always at least 2, above indicator a's max of 1: the cap always bites, "
                  "so indicator a always scores 1", "3:17"),
        ("PR417", "the score formula is always below 0 (at most -1): the floor always bites, so indicator b "
                  "always scores 0", "4:17"),
    ]


def test_vetoes_and_exemptions_decided_in_advance():
    assert warnings("""\
        ruleset "t"
        input 计划: count
        input 率: percent 0%..100%
        input 违规: flag
        indicator a 6 { exempt when 计划 < 0; score 率 × 6 }
        indicator b 6 { veto when 率 <= 100%; score 率 × 6 }
        indicator c 1 { exempt when 违规; deduct 1 when 计划 < 0 }
        indicator d 1 { veto when 违规; deduct 1 when 计划 >= 0 }
        """, {"PR418"}) == [
        ("PR418", "`exempt when 计划 < 0` never holds, so it never changes indicator a's score", "5:29"),
        ("PR418", "`veto when 率 ≤ 100%` always holds, so indicator b always scores 0", "6:27"),
        ("PR418", "`exempt when 违规` never changes the score: indicator c always scores its max of 1 without "
                  "it", "7:17"),
        ("PR418", "`veto when 违规` never changes the score: indicator d always scores 0 without it", "8:17"),
    ]


def test_a_guard_that_divides_by_zero_under_on_zero():
    found = warnings("""\
        ruleset "t"
        input 实际: amount 万元
        input 计划: amount 万元
        indicator a 1 { veto when 实际 / 计划 > 100%; score min(实际 / 计划, 100%); on zero denominator → full }
        indicator b 1 { veto when 实际 > 计划; score min(实际 / 计划, 100%); on zero denominator → full }
        indicator c 1 { veto when 实际 / 计划 > 100%; score min(实际 / 计划, 100%); on zero denominator → 0 }
        indicator d 1 { exempt when 实际 / 计划 > 100%; score min(实际 / 计划, 100%); on zero denominator → 0 }
        indicator e 2 { part p 1 { veto when 实际 / 计划 > 100%; score 1 }; part q 1 = 1; on zero denominator → 0 }
        indicator f 1 { exempt when 实际 / 计划 < 0%; veto when 实际 > 计划; score 1; on zero denominator → full }
        """, {"PR418", "PR419"})
    assert found == [
        ("PR419", "`veto when 实际 / 计划 > 100%` can meet a zero denominator, and then indicator a scores the 1 "
                  "of `on zero denominator`, not the 0 the veto gives", "4:27"),
        ("PR419", "`exempt when 实际 / 计划 > 100%` can meet a zero denominator, and then indicator d scores the "
                  "0 of `on zero denominator`, not the 1 the exemption gives", "7:29"),
        ("PR419", "`veto when 实际 / 计划 > 100%` can meet a zero denominator, which part p passes to indicator e: "
                  "that then scores the 0 of `on zero denominator`, whatever the veto gives", "8:38"),
    ]  # f: the exemption never holds, but a zero scores full, as if it did: neither PR418 nor PR419


def test_no_reach_warnings_while_there_are_errors():
    assert [c for c, _, _ in warnings("""\
        ruleset "t"
        input 率: percent 0%..100%
        indicator a 3 { tiers 率: < 90% → 3; 90%..100% → 2; > 100% → 0 }
        indicator b 1 = 未知
        """)] == ["PR201"]


@pytest.mark.parametrize("path", SEEDS, ids=lambda p: p.name)
def test_the_seeds_are_clean(path):
    assert warnings(path.read_text(encoding="utf-8")) == []


# ---- the command line ----------------------------------------------------------------------------


def test_check_bounds_prints_every_level(capsys):
    seed = ROOT / "rulesets" / "shenzhen" / "department-overall-2024.rules"
    assert main(["check", "--bounds", str(seed)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "部门整体支出绩效评价指标评分表: lowest..highest score of the max"
    assert out[1].split() == ["部门决策", "0..20", "of", "20"]
    rows = {line.split()[0]: line.split()[1] for line in out[1:] if line.strip()}
    assert rows["公众或服务对象满意度"] == "1..6" and rows["部门预算公开"] == "0..1.5" and rows["total"] == "1..100"
    assert out[2].startswith("  预算编制 ") and out[3].startswith("    预算编制合理性 ")


def test_check_bounds_prints_nothing_for_a_broken_file(capsys, tmp_path):
    broken = tmp_path / "broken.rules"
    broken.write_text('ruleset "r"\nindicator a 1 = 未知\n', encoding="utf-8")
    assert main(["check", "--bounds", str(broken)]) == 1
    assert capsys.readouterr().out == ""
