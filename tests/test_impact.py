"""Impact of a ruleset change on data: the 2025 draft against 2024 on the shipped entities,
the 2023 → 2024 relabelling (no score moves), matching, and rows that cannot be compared.

The draft moves the 编外人员控制率 bands from 5%/10% to 10%/15% and 2 points from 项目完成及时性
(6 → 4) to 重点工作完成情况 (8 → 10); the expected deltas follow from the rubric by hand:
S24 (编外 18/145 = 12.41%, 49/50 projects, no unfinished key task) gains 0.5 + 2 − 1.96.
"""

from __future__ import annotations

import json
import sys
from decimal import Decimal
from pathlib import Path

import pytest

import perfrules
from perfrules.cli import main
from perfrules.impact import impact, match_indicators, read_entities
from perfrules.render_impact import render_markdown, render_text, summary_lines
from perfrules.tables import loads_table

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "rulesets/shenzhen"
EXAMPLES = SEEDS / "examples"
RULES_2023 = SEEDS / "department-overall-2023.rules"
RULES_2024 = SEEDS / "department-overall-2024.rules"
DRAFT = EXAMPLES / "department-overall-2025-draft.rules"
ENTITIES = EXAMPLES / "entities.csv"

D = Decimal


@pytest.fixture(scope="module")
def rulesets():
    return {name: perfrules.load(path) for name, path in
            (("2023", RULES_2023), ("2024", RULES_2024), ("draft", DRAFT))}


@pytest.fixture(scope="module")
def draft_impact(rulesets):
    rows, failed = read_entities([ENTITIES])
    return impact(rulesets["2024"], rulesets["draft"], rows, failed=failed)


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


# ---- the shipped example ------------------------------------------------------------------------


def test_every_entity_old_and_new_total_and_grade(draft_impact):
    assert [(c.entity, c.old_total, c.new_total, c.old_grade, c.new_grade) for c in draft_impact.compared] == [
        ("深圳市商务局 2024", D("94.54"), D("95.08"), "优", "优"),   # the report's 94.54
        ("深圳市贸促委 2023", D("96.77"), D("96.77"), "优", "优"),   # the report's 96.77
        ("示例甲 良优之间", D("89.66"), D("90.16"), "良", "优"),
        ("示例乙 重点工作未完成", D("82.46"), D("82.86"), "良", "良"),
        ("示例丙 项目完成率低", D("80.46"), D("79.76"), "良", "中"),
        ("示例丁 编外恰为5%", D("95.16"), D("95.66"), "优", "优"),
        ("示例戊 编外恰为10%", D("96.80"), D("96.92"), "优", "优"),
    ]
    assert draft_impact.failed == ()


def test_per_indicator_deltas(draft_impact):
    moved = {c.entity: {d.match.label: d.change for d in c.moved()} for c in draft_impact.compared}
    assert moved == {
        # 12.41% leaves > 10% (0) for 10%..15% (0.5); 49/50 × 4 = 3.92 was 49/50 × 6 = 5.88.
        "深圳市商务局 2024": {"编外人员控制率": D("0.50"), "重点工作完成情况": D("2.00"), "项目完成及时性": D("-1.96")},
        # 42.35% 编外 stays > 15%: 0; 14/14 projects: 6 → 4; no unfinished key task: 8 → 10.
        "深圳市贸促委 2023": {"重点工作完成情况": D("2.00"), "项目完成及时性": D("-2.00")},
        "示例甲 良优之间": {"编外人员控制率": D("0.50"), "重点工作完成情况": D("2.00"), "项目完成及时性": D("-2.00")},
        # 2 unfinished: 8 − 8 = 0 → 10 − 8 = 2; 40/50: 4.8 → 3.2; 编外 15.89% > 15% both times.
        "示例乙 重点工作未完成": {"重点工作完成情况": D("2.00"), "项目完成及时性": D("-1.60")},
        # 3 unfinished: 0 both times (扣完为止); 30/50: 3.6 → 2.4; 编外 11.97%: 0 → 0.5.
        "示例丙 项目完成率低": {"编外人员控制率": D("0.50"), "项目完成及时性": D("-1.20")},
        # exactly 5%: the old band 5%..10% (0.5), the new < 10% (1).
        "示例丁 编外恰为5%": {"编外人员控制率": D("0.50"), "重点工作完成情况": D("2.00"), "项目完成及时性": D("-2.00")},
        # exactly 10%: 0.5 in both (old 5%..10%, new 10%..15%, both closed); 47/50: 5.64 → 3.76.
        "示例戊 编外恰为10%": {"重点工作完成情况": D("2.00"), "项目完成及时性": D("-1.88")},
    }


def test_summary_counts_grade_changes_ranks_moves_and_names_causes(draft_impact):
    assert [(c.entity, c.old_grade, c.new_grade) for c in draft_impact.grade_changes()] == [
        ("示例甲 良优之间", "良", "优"), ("示例丙 项目完成率低", "良", "中")]
    assert [(c.entity, c.change) for c in draft_impact.largest(3)] == [
        ("示例丙 项目完成率低", D("-0.70")), ("深圳市商务局 2024", D("0.54")), ("示例甲 良优之间", D("0.50"))]
    assert [(c.indicator, c.entities, c.total, c.low, c.high) for c in draft_impact.causes] == [
        ("部门绩效 / 效率性 / 项目完成及时性", 7, D("-12.64"), D("-2.00"), D("-1.20")),
        ("部门绩效 / 效率性 / 重点工作完成情况", 6, D("12.00"), D("2.00"), D("2.00")),
        ("部门管理 / 人员管理 / 编外人员控制率", 4, D("2.00"), D("0.50"), D("0.50")),
    ]


def test_causes_name_the_rule_changes_behind_each_moved_indicator(draft_impact):
    pytest.importorskip("perfrules.diff")
    changes = {c.indicator.split(" / ")[-1]: c.changes for c in draft_impact.causes}
    assert changes["项目完成及时性"][0] == "points 6 → 4"
    assert "formula: min(已完成项目数 / 计划完成项目总数, 100%) × 6 → min(已完成项目数 / 计划完成项目总数, 100%) × 4" \
        in changes["项目完成及时性"]
    assert changes["重点工作完成情况"] == ("points 8 → 10",)
    # Where the bands differ, exactly: 5% and 12.41% are inside these regions, 10% is not.
    assert changes["编外人员控制率"] == (
        "bands: 编外人员控制率 in [5%, 10%): 0.5 → 1; 编外人员控制率 in (10%, 15%]: 0 → 0.5",)


def test_text_and_markdown_show_the_table_and_summary(draft_impact):
    text = render_text(draft_impact)
    assert "impact of 部门整体支出绩效评价指标评分表 version 2024 → 2025-draft" in text
    assert "示例甲 良优之间         89.66   90.16   +0.50   良 → 优" in text
    lines = list(summary_lines(draft_impact, top=2))
    assert lines[:6] == [
        "7 entities compared",
        "2 entities change grade: 示例甲 良优之间 良 → 优 (+0.50); 示例丙 项目完成率低 良 → 中 (-0.70)",
        "largest moves:",
        "  示例丙 项目完成率低: -0.70 (80.46 → 79.76)",
        "  深圳市商务局 2024: +0.54 (94.54 → 95.08)",
        "causes:",
    ]
    markdown = render_markdown(draft_impact)
    assert "| 1 | 深圳市商务局 2024 | 94.54 | 95.08 | +0.54 | 优 | +0.50 | +2.00 | -1.96 |" in markdown


# ---- versions that relabel ----------------------------------------------------------------------


def test_2023_to_2024_matches_every_indicator_by_name_and_nothing_moves(rulesets):
    matches = match_indicators(rulesets["2023"].model, rulesets["2024"].model)
    # The 一级/二级 labels differ, so no path pairs; a stable id, where the seeds give one, comes first.
    assert len(matches) == 21 and {m.by for m in matches} <= {"id", "name"}
    rows = [r for r in loads_table(ENTITIES.read_text(encoding="utf-8"))][:2]
    found = impact(rulesets["2023"], rulesets["2024"], rows)
    assert [(c.old_total, c.new_total, c.moved()) for c in found.compared] == [
        (D("94.54"), D("94.54"), ()), (D("96.77"), D("96.77"), ())]
    assert found.causes == ()


OLD = """ruleset "v" version "1"
input a: count
input b: count
group 甲 4 {
  indicator 完成 2 id "done" { deduct 1 per a }
  indicator 质量 2 { deduct 1 per b }
}
"""
NEW = """ruleset "v" version "2"
input a: count
input c: count
group 乙 5 {
  indicator 按期完成 3 id "done" { deduct 1 per a }
  indicator 新增 2 { deduct 1 per c }
}
"""


def test_stable_ids_match_renamed_indicators_and_the_rest_are_added_or_removed():
    old, new = perfrules.loads(OLD), perfrules.loads(NEW)
    assert [(m.old, m.new, m.by) for m in match_indicators(old.model, new.model)] == [
        (("甲", "完成"), ("乙", "按期完成"), "id"),
        (None, ("乙", "新增"), "added"),
        (("甲", "质量"), None, "removed"),
    ]


def test_inputs_of_one_version_only_are_no_error_for_the_other():
    old, new = perfrules.loads(OLD), perfrules.loads(NEW)
    rows = loads_table("entity,a,b,c\nx,1,1,0\n")
    found = impact(old, new, rows)
    assert found.failed == ()
    entity, = found.compared
    assert (entity.old_total, entity.new_total) == (D("2.00"), D("4.00"))
    assert {d.match.by: d.change for d in entity.moved()} == {"id": D("1.00"), "added": D("2.00"), "removed": D("-1.00")}
    pytest.importorskip("perfrules.diff")
    causes = {c.indicator: c.changes for c in found.causes}
    assert causes == {"乙 / 按期完成": ("points 2 → 3",), "乙 / 新增": ("added: indicator 新增 2",),
                      "甲 / 质量": ("removed: indicator 质量 2",)}


def test_without_the_diff_causes_name_the_points(monkeypatch):
    monkeypatch.setitem(sys.modules, "perfrules.diff", None)  # import fails as if it were absent
    monkeypatch.delattr(perfrules, "diff", raising=False)
    old, new = perfrules.loads(OLD), perfrules.loads(NEW)
    found = impact(old, new, loads_table("entity,a,b,c\nx,1,1,0\n"))
    assert {c.indicator: c.changes for c in found.causes} == {
        "乙 / 按期完成": ("points 2 → 3",), "乙 / 新增": ("added, 2 points",), "甲 / 质量": ("removed, was 2 points",)}
    rows, _ = read_entities([ENTITIES])
    draft = impact(perfrules.load(RULES_2024), perfrules.load(DRAFT), rows)
    assert {c.indicator.split(" / ")[-1]: c.changes for c in draft.causes} == {
        "项目完成及时性": ("points 6 → 4",), "重点工作完成情况": ("points 8 → 10",),
        "编外人员控制率": ("scored differently, points unchanged (1)",)}


# ---- rows that cannot be compared ---------------------------------------------------------------


def test_a_bad_row_is_reported_and_the_others_are_compared(tmp_path, capsys):
    lines = ENTITIES.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    bad = lines[3].split(",")
    bad[header.index("编外人员数")] = "十一"
    table = tmp_path / "entities.csv"
    table.write_text("\n".join([lines[0], lines[1], ",".join(bad), lines[2]]) + "\n", encoding="utf-8")
    code, out, err = run(capsys, "impact", RULES_2024, DRAFT, table)
    assert code == 1
    assert "2 entities compared, 1 not compared (listed after this summary)" in out
    assert "row 2 示例甲 良优之间: not compared, the old version rejects its facts" in err
    assert "error[PR503]: 编外人员数 must be a whole number, got '十一'" in err
    assert f"--> {table}:3:" in err


def test_facts_files_are_entities_and_unreadable_or_incomplete_ones_are_reported(tmp_path, capsys):
    broken = tmp_path / "broken.yaml"
    broken.write_text("在编人数: [\n", encoding="utf-8")
    incomplete = tmp_path / "incomplete.yaml"
    incomplete.write_text("在编人数: 3\n", encoding="utf-8")
    code, out, err = run(capsys, "impact", RULES_2023, RULES_2024, EXAMPLES / "commerce-2024.yaml",
                         EXAMPLES / "trade-promotion-2023.yaml", incomplete, broken, "--format", "json")
    assert code == 1
    data = json.loads(out)
    assert [(e["entity"], e["old"]["total"], e["new"]["total"]) for e in data["entities"]] == [
        ("commerce-2024.yaml", "94.54", "94.54"), ("trade-promotion-2023.yaml", "96.77", "96.77")]
    assert [(f["row"], f["entity"], f["side"]) for f in data["failed"]] == [
        (3, "incomplete.yaml", "old"), (4, "broken.yaml", "facts")]
    assert "PR501" in data["failed"][0]["diagnostics"][0]
    assert "PR510" in data["failed"][1]["diagnostics"][0]


def test_cli_impact_on_the_shipped_example(capsys):
    code, out, err = run(capsys, "impact", RULES_2024, DRAFT, ENTITIES, "--format", "json", "--top", "1")
    assert (code, err) == (0, "")
    data = json.loads(out)
    assert data["summary"]["largest_moves"] == [{"row": 5, "entity": "示例丙 项目完成率低", "change": "-0.70"}]
    assert [g["entity"] for g in data["summary"]["grade_changes"]] == ["示例甲 良优之间", "示例丙 项目完成率低"]
    code, _, err = run(capsys, "impact", RULES_2024, DRAFT, ENTITIES, EXAMPLES / "commerce-2024.yaml")
    assert code == 2 and "give one table, or facts files only" in err


TWINS = """ruleset "同名" version "{v}"
input a: count
group 甲 2 {{ indicator 及时性 2 {{ deduct {d} per a }} }}
group 乙 2 {{ indicator 及时性 2 {{ deduct 1 per a }} }}
"""


def test_indicators_with_one_name_in_two_groups_are_matched_by_path_not_by_name():
    old, new = perfrules.loads(TWINS.format(v=1, d=1)), perfrules.loads(TWINS.format(v=2, d=2))
    entity, = impact(old, new, loads_table("a\n1\n")).compared
    assert [(d.match.by, d.match.new, d.change) for d in entity.deltas] == [
        ("path", ("甲", "及时性"), D("-1.00")), ("path", ("乙", "及时性"), D("0.00"))]
    renamed = perfrules.loads(TWINS.format(v=3, d=1).replace("乙", "丙"))
    assert [m.by for m in match_indicators(old.model, renamed.model)] == ["path", "added", "removed"]


def test_a_name_unique_in_both_versions_pairs_indicators_whose_groups_were_renamed():
    old = perfrules.loads(OLD)
    relabelled = perfrules.loads(OLD.replace("group 甲", "group 甲指标").replace(' id "done"', ""))
    assert [(m.old, m.new, m.by) for m in match_indicators(old.model, relabelled.model)] == [
        (("甲", "完成"), ("甲指标", "完成"), "name"), (("甲", "质量"), ("甲指标", "质量"), "name")]
