"""The semantic diff: matching across versions, the effect of each change, exact regions
where scores differ, the seed rubrics' diff, and ``perfrules diff``."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import perfrules
from perfrules import testing
from perfrules.check import check
from perfrules.cli import main
from perfrules.diff import FACTS, SCORES, TEXT, compare
from perfrules.diff_render import inline_diff, render_markdown, render_text, summary, to_dict
from perfrules.parse import parse

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "rulesets" / "shenzhen"
GOLDEN = Path(__file__).parent / "golden"

BASE = '''ruleset "r" version "1"
input 编外人员数: count
input 在编人数: count
input 调整调剂比例: percent
input 违规: flag
input 公开: flag
input 及时: flag
let 编外人员控制率 = 编外人员数 / (在编人数 + 编外人员数)
group 管理 3 {
  group 人员管理 1 {
    indicator 编外人员控制率 1 { tiers 编外人员控制率: < 5% → 1; 5%..10% → 0.5; > 10% → 0 }
  }
  group 财务 2 {
    indicator 调整 1 { deduct 0.1 per started 1% of 调整调剂比例 above 10% }
    indicator 公开 1 {
      veto when 违规 "违规的，得0分"
      checklist { 0.5 "按规定公开": 公开; 0.5 "及时公开": 及时 }
    }
  }
}
grade 等级 { ≥ 2.5 → 优; 1.5..<2.5 → 良; < 1.5 → 差 }
'''


def diff_of(new_text: str, old_text: str = BASE):
    return compare(parse(old_text), parse(new_text))


def edit(*replacements: tuple[str, str]) -> str:
    text = BASE
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new)
    return text


def only(changes, aspect: str):
    [change] = [c for c in changes if c.aspect == aspect]
    return change


# ---- bands and grades: exact regions --------------------------------------------------------


def test_a_moved_band_edge_says_exactly_where_scores_differ_and_how():
    found = diff_of(edit(("5%..10% → 0.5; > 10% → 0", "5%..8% → 0.5; > 8% → 0")))
    change = only(found.changes, "bands")
    assert change.effect == SCORES and change.path == ("管理", "人员管理", "编外人员控制率")
    assert [r.text() for r in change.regions] == ["编外人员控制率 in (8%, 10%]: 0.5 → 0"]
    assert change.affects == (("管理", "人员管理", "编外人员控制率"),)
    assert "    where   编外人员控制率 in (8%, 10%]: 0.5 → 0" in render_text(found).splitlines()
    assert found.alters_scores


def test_an_edge_that_changes_sides_differs_at_one_value():
    found = diff_of(edit(("< 5% → 1; 5%..10%", "≤ 5% → 1; 5%<..10%")))
    assert [r.text() for r in only(found.changes, "bands").regions] == ["编外人员控制率 = 5%: 0.5 → 1"]


def test_regions_merge_across_pieces_that_differ_alike():
    found = diff_of(edit(("< 5% → 1; 5%..10% → 0.5", "< 3% → 1; 3%..<4% → 0.5; 4%..10% → 0.5")))
    assert [r.text() for r in only(found.changes, "bands").regions] == ["编外人员控制率 in [3%, 5%): 1 → 0.5"]


def test_otherwise_is_the_values_the_other_bands_leave():
    found = diff_of(edit(("< 5% → 1; 5%..10% → 0.5; > 10% → 0", "< 2% → 1; otherwise → 0")))
    assert [r.text() for r in only(found.changes, "bands").regions] == [
        "编外人员控制率 in [2%, 5%): 1 → 0", "编外人员控制率 in [5%, 10%]: 0.5 → 0"]


def test_bands_cut_differently_but_scoring_alike_are_a_text_change():
    found = diff_of(edit(("> 10% → 0", "10%<..20% → 0; > 20% → 0")))
    change = only(found.changes, "bands")
    assert change.effect == TEXT and change.regions == () and not found.alters_scores


def test_grade_bands_are_compared_exactly_on_the_total():
    found = diff_of(edit(("≥ 2.5 → 优; 1.5..<2.5", "≥ 2 → 优; 1.5..<2")))
    change = only(found.changes, "bands")
    assert change.what == "grade" and [r.text() for r in change.regions] == ["等级 in [2, 2.5): 良 → 优"]


def test_grade_labels_renamed_alone_alter_no_score():
    found = diff_of(edit(("→ 优", "→ A"), ("→ 良", "→ B"), ("→ 差", "→ C")))
    assert only(found.changes, "labels").effect == TEXT and not found.alters_scores


def test_grade_labels_traded_between_bands_alter_grades():
    found = diff_of(edit(("→ 优; 1.5..<2.5 → 良", "→ 良; 1.5..<2.5 → 优")))
    change = only(found.changes, "bands")
    assert change.effect == SCORES and [r.text() for r in change.regions] == [
        "等级 in [1.5, 2.5): 良 → 优", "等级 ≥ 2.5: 优 → 良"]


# ---- deductions, checklists, vetoes ------------------------------------------------------


def test_a_lower_deduction_threshold_is_listed_unit_by_unit():
    change = only(diff_of(edit(("above 10%", "above 8%"))).changes, "deduction")
    assert [r.text() for r in change.regions] == [
        "调整调剂比例 in (8%, 9%]: 0 → −0.1",
        "调整调剂比例 in (9%, 10%]: 0 → −0.2",
        "调整调剂比例 in (10%, 11%]: −0.1 → −0.3",
    ]
    assert change.note.startswith("beyond 调整调剂比例 11%, the new version takes off 0.2 more")


def test_a_larger_deduction_per_unit_grows_with_the_units():
    change = only(diff_of(edit(("deduct 0.1 per", "deduct 0.2 per"))).changes, "deduction")
    assert [r.text() for r in change.regions] == ["调整调剂比例 in (10%, 11%]: −0.1 → −0.2"]
    assert "each further unit takes off 0.1 more" in change.note


def test_whole_units_count_from_the_threshold_itself():
    found = diff_of(edit(("started 1% of 调整调剂比例 above 10%", "whole 1% of 调整调剂比例 above 9%")),
                    edit(("started 1% of 调整调剂比例 above 10%", "whole 1% of 调整调剂比例 above 10%")))
    assert [r.text() for r in only(found.changes, "deduction").regions] == [
        "调整调剂比例 in [10%, 11%): 0 → −0.1"]


def test_checklist_points_and_criteria_are_told_apart():
    found = diff_of(edit(('0.5 "按规定公开": 公开; 0.5 "及时公开"', '0.7 "按规定公开": 公开; 0.3 "按时公开"')))
    points = [c for c in found.changes if c.aspect == "item points"]
    assert [r.text() for c in points for r in c.regions] == ["公开 holds: 0.5 → 0.7", "及时 holds: 0.5 → 0.3"]
    criterion = only(found.changes, "criterion")
    assert (criterion.effect, criterion.before, criterion.after) == (TEXT, "及时公开", "按时公开")


def test_a_veto_added_or_reworded():
    added = only(diff_of(edit(("veto when 违规 \"违规的，得0分\"", "veto when 违规 \"违规的，得0分\"\n veto when not 公开"))
                         ).changes, "veto added")
    assert [r.text() for r in added.regions] == ["not 公开 holds: as scored by the rule → 0"]
    reworded = only(diff_of(edit(("违规的，得0分", "违规支出的，本项得0分"))).changes, "veto reason")
    assert reworded.effect == TEXT


# ---- the tree: matching, moves, renames, maxima ------------------------------------------------


def test_a_stable_id_follows_a_rename_and_a_move():
    old = edit(("indicator 调整 1 {", 'indicator 调整 1 id "adj" {'))
    moved = '  indicator 调整规范性 1 id "adj" { deduct 0.1 per started 1% of 调整调剂比例 above 10% }\n'
    new = edit(("group 人员管理 1 {\n", "group 人员管理 2 {\n" + moved), ("group 财务 2", "group 财务 1"),
               ("    indicator 调整 1 { deduct 0.1 per started 1% of 调整调剂比例 above 10% }\n", ""))
    found = diff_of(new, old)
    [match] = [m for m in found.matches if m.what == "indicator" and m.by == "id"]
    assert match.old_path == ("管理", "财务", "调整") and match.new_path == ("管理", "人员管理", "调整规范性")
    renamed, moved = only(found.changes, "renamed"), only(found.changes, "moved")
    assert (renamed.effect, renamed.before, renamed.after) == (TEXT, "调整", "调整规范性")
    assert (moved.effect, moved.before, moved.after) == (SCORES, "管理 › 财务", "管理 › 人员管理")


def test_without_ids_an_unchanged_rule_is_found_by_its_scoring():
    found = diff_of(edit(("indicator 调整 1", "indicator 调整规范性 1")))
    [match] = [m for m in found.matches if m.new_path[-1] == "调整规范性"]
    assert match.by == "scoring" and not found.alters_scores


def test_groups_are_matched_by_members_so_swapped_labels_show():
    swapped = edit(("group 人员管理 1", "group 财务X 1"), ("group 财务 2", "group 人员管理X 2"))
    found = diff_of(swapped)
    renames = {(c.before, c.after) for c in found.changes if c.aspect == "renamed"}
    assert renames == {("人员管理", "财务X"), ("财务", "人员管理X")}
    assert found.remarks[0].startswith("labels swapped: 人员管理 is now 财务X and 财务 is now 人员管理X")
    assert not found.alters_scores


def test_a_group_keeping_only_half_its_members_is_not_the_same_group():
    members = "; ".join(f"indicator {n} 1 = a" for n in "wxyz")
    old = f'ruleset "m"\ninput a: judged 0..1\ngroup 甲 4 {{ {members} }}\n'
    new = ('ruleset "m"\ninput a: judged 0..1\ngroup 乙 2 { indicator w 1 = a; indicator x 1 = a }\n'
           'group 丙 1 { indicator y 1 = a }\ngroup 丁 1 { indicator z 1 = a }\n')
    found = diff_of(new, old)
    assert [m for m in found.matches if m.what == "group"] == []
    assert {(c.aspect, c.path) for c in found.changes if c.what == "group"} == {
        ("removed", ("甲",)), ("added", ("乙",)), ("added", ("丙",)), ("added", ("丁",))}


def test_added_and_removed_indicators_and_changed_maxima():
    new = edit(("group 管理 3", "group 管理 4"), ("group 财务 2", "group 财务 3"),
               ("indicator 调整 1 {", "indicator 调整 2 {"),
               ("indicator 公开 1 {\n      veto when 违规 \"违规的，得0分\"\n      checklist { 0.5 \"按规定公开\": 公开; "
                "0.5 \"及时公开\": 及时 }\n    }", "indicator 新增 1 = 0"))
    found = diff_of(new)
    assert {(c.what, c.aspect, c.before, c.after) for c in found.changes if c.aspect in ("max", "total")} == {
        ("indicator", "max", "1", "2"), ("group", "max", "2", "3"), ("group", "max", "3", "4"),
        ("ruleset", "total", "3", "4")}
    assert only(found.changes, "removed").path == ("管理", "财务", "公开")
    assert only(found.changes, "added").path == ("管理", "财务", "新增")
    assert all(c.effect == SCORES for c in found.changes if c.aspect in ("added", "removed"))


def test_a_new_max_of_a_rule_that_starts_full_is_listed_count_by_count():
    old = 'ruleset "k"\ninput 未完成: count\nindicator 重点工作 8 { deduct 4 per 未完成 }\n'
    change = only(diff_of(old.replace("重点工作 8", "重点工作 10"), old).changes, "max")
    assert [r.text() for r in change.regions] == ["未完成 = 0: 8 → 10", "未完成 = 1: 4 → 6", "未完成 = 2: 0 → 2"]
    assert change.note == "counts beyond these score 0 in both versions"


def test_a_formula_scaled_differently_says_where():
    old = 'ruleset "k"\ninput r: percent\nindicator 及时 6 = min(r, 100%) × 6\n'
    change = only(diff_of(old.replace("= min(r, 100%) × 6", "= 4 × min(r, 100%)"), old).changes, "formula")
    assert change.note.startswith("the same formula scaled differently: scores differ wherever min(r, 100%) ≠ 0, "
                                  "× 6 → × 4")


# ---- definitions -------------------------------------------------------------------------------


def test_a_changed_let_names_the_indicators_it_may_move():
    found = diff_of(edit(("编外人员数 / (在编人数 + 编外人员数)", "编外人员数 / 在编人数")))
    change = only(found.changes, "value")
    assert change.what == "let" and change.effect == SCORES
    assert change.affects == (("管理", "人员管理", "编外人员控制率"),)
    assert found.for_indicator(("管理", "人员管理", "编外人员控制率")) == (change,)


def test_an_input_range_changes_the_facts_accepted_not_the_scores():
    found = diff_of(edit(("input 调整调剂比例: percent", "input 调整调剂比例: percent 0%..100%")))
    change = only(found.changes, "range")
    assert change.effect == FACTS and not found.alters_scores


# ---- exactness, checked against evaluation ---------------------------------------------------


def _tiers_ruleset(bands: str) -> perfrules.Ruleset:
    return perfrules.loads(f'ruleset "t"\ninput p0: percent\nindicator x 3 {{ tiers p0: {bands} }}\n')


@settings(max_examples=max(10, settings.default.max_examples // 3), deadline=None)
@given(testing.bands(Decimal(3)), testing.bands(Decimal(3)), st.data())
def test_regions_are_exactly_where_evaluated_scores_differ(old_bands, new_bands, data):
    old, new = _tiers_ruleset(old_bands), _tiers_ruleset(new_bands)
    regions = [r for c in compare(old, new).changes for r in c.regions]
    values = sorted(set(testing.edges(old.model) + testing.edges(new.model)))
    for value in values + [data.draw(st.decimals(0, 2, places=4))]:
        before = old.evaluate({"p0": value}).total
        after = new.evaluate({"p0": value}).total
        inside = [r for r in regions if _contains(r.interval, value)]
        assert len(inside) == (before != after)
        if inside:
            assert (Decimal(inside[0].before), Decimal(inside[0].after)) == (before, after)


def _contains(interval, value: Decimal) -> bool:
    from perfrules.intervals import Interval

    return not interval.intersect(Interval.from_bounds(value, True, value, True)).is_empty


# ---- the two seed rubrics ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def seeds():
    old, new = (check(parse((SEEDS / f"department-overall-{year}.rules").read_text(encoding="utf-8")))
                for year in (2023, 2024))
    return compare(old, new)


def test_the_seed_rubrics_score_alike(seeds):
    assert not seeds.alters_scores and seeds.of_effect(SCORES) == () and seeds.of_effect(FACTS) == ()
    assert render_text(seeds).splitlines()[3] == (
        "No change alters scores: every set of facts scores the same under both versions.")
    assert len([m for m in seeds.matches if m.what == "indicator"]) == 21


def test_the_seed_diff_shows_the_label_swap_and_the_renamed_second_level(seeds):
    assert seeds.remarks == (
        "labels swapped: 部门管理指标 is now 部门决策 and 部门决策指标 is now 部门管理; each group kept its members",
        "12 groups renamed by dropping the suffix 指标",
    )
    renames = {(c.before, c.after): c for c in seeds.changes if c.aspect == "renamed"}
    assert renames[("部门管理指标", "部门决策")].note == "the same members: 预算编制, 目标设置"
    assert renames[("预算编制指标", "预算编制")].path == ("部门决策", "预算编制")
    assert all(c.effect == TEXT for c in renames.values()) and len(renames) == 14


def test_the_seed_diff_shows_the_changed_criterion_of_效果性(seeds):
    change = only(seeds.changes, "criterion")
    assert change.path == ("部门绩效", "效果性", "社会效益、经济效益、生态效益等") and change.effect == TEXT
    assert "可持续影响等方面，至少选择三个方面" in change.before and "生态效益三个方面" in change.after
    assert "[-、可持续影响等方面，至少选择-]三个方面" in inline_diff(change.before, change.after)


@pytest.mark.parametrize(("name", "render"), [("text", render_text), ("markdown", render_markdown)])
def test_the_seed_diff_matches_its_golden_file(seeds, request, name, render):
    expected = GOLDEN / f"seeds-2023-2024.diff.{name}.expected"
    if request.config.getoption("--update-golden", default=False):
        expected.write_text(render(seeds), encoding="utf-8")
    assert render(seeds) == expected.read_text(encoding="utf-8")


# ---- perfrules diff ----------------------------------------------------------------------------


def test_diff_command_prints_each_format_and_exits_0(capsys):
    old, new = str(SEEDS / "department-overall-2023.rules"), str(SEEDS / "department-overall-2024.rules")
    assert main(["diff", old, new, "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["alters_scores"] is False and data["new"]["version"] == "2024"
    assert {c["effect"] for c in data["changes"]} == {"text"}
    assert main(["diff", old, new, "--exit-code"]) == 0
    assert capsys.readouterr().out == render_text(compare(perfrules.load(old), perfrules.load(new)))


def test_diff_exit_code_says_when_scores_change(tmp_path, capsys):
    old, new = tmp_path / "old.rules", tmp_path / "new.rules"
    old.write_text(BASE, encoding="utf-8")
    new.write_text(edit(("5%..10% → 0.5; > 10% → 0", "5%..8% → 0.5; > 8% → 0")), encoding="utf-8")
    assert main(["diff", str(old), str(new)]) == 0
    assert main(["diff", str(old), str(new), "--exit-code"]) == 1
    assert "编外人员控制率 in (8%, 10%]: 0.5 → 0" in capsys.readouterr().out


def test_diff_of_a_ruleset_with_errors_reports_them(tmp_path, capsys):
    bad = tmp_path / "bad.rules"
    bad.write_text(BASE.replace("> 10% → 0", "> 11% → 0"), encoding="utf-8")
    assert main(["diff", str(bad), str(bad)]) == 1
    assert "PR301" in capsys.readouterr().err


def test_one_line_summaries_for_other_reports():
    found = diff_of(edit(("5%..10% → 0.5; > 10% → 0", "5%..8% → 0.5; > 8% → 0"), ('version "1"', 'version "2"')))
    assert [summary(c) for c in found.for_indicator(("管理", "人员管理", "编外人员控制率"))] == [
        "bands of 管理 › 人员管理 › 编外人员控制率: 编外人员控制率 in (8%, 10%]: 0.5 → 0"]
    assert summary(only(found.changes, "version")) == "version of the ruleset: 1 → 2"


def test_the_json_lists_regions_and_matches():
    data = to_dict(diff_of(edit(("5%..10% → 0.5; > 10% → 0", "5%..8% → 0.5; > 8% → 0"))))
    [change] = [c for c in data["changes"] if c["aspect"] == "bands"]
    assert change["regions"] == [{"subject": "编外人员控制率", "where": "in (8%, 10%]", "before": "0.5", "after": "0",
                                  "text": "编外人员控制率 in (8%, 10%]: 0.5 → 0"}]
    assert {"what": "indicator", "old_path": ["管理", "财务", "调整"], "new_path": ["管理", "财务", "调整"],
            "by": "path"} in data["matches"]
