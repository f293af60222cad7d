"""Coverage per rule element: what each kind of element needs, read from results."""

from __future__ import annotations

from decimal import Decimal

import pytest

import perfrules
from perfrules import coverage

RULES = """ruleset "覆盖" version "1"
input 率: percent
input 违规: flag
input 涉密: flag
input 差评: flag
input 公开: flag
input 评分: judged 0..1
input 不符合项数: count
group 组 6 {
  indicator 分档 1 { tiers 率: < 5% → 1; 5%..10% → 0.5; > 10% → 0 }
  indicator 清单 2 {
    exempt when 涉密
    veto when 违规
    veto when 差评
    checklist { 1 "按规定公开": 公开; 1: 评分 }
  }
  indicator 扣分 3 {
    part 甲 2 { deduct 1 per 不符合项数 }
    part 乙 1 { deduct 0.5 when not 公开 }
  }
}
grade { ≥ 5 → 优; < 5 → 差 }
"""
BASE = {"率": "3%", "违规": False, "涉密": False, "差评": False, "公开": True, "评分": 1, "不符合项数": 0}


@pytest.fixture(scope="module")
def ruleset():
    return perfrules.loads(RULES, name="覆盖.rules")


def _measure(ruleset, *changes: dict) -> coverage.Coverage:
    return coverage.measure(ruleset.model, [ruleset.evaluate({**BASE, **c}) for c in changes])


def _seen(found: coverage.Coverage) -> dict:
    return {(e.kind, e.path[-1] if e.path else "", e.index): found.seen[i] for i, e in enumerate(found.elements)}


def test_the_elements_of_a_ruleset_with_their_lines(ruleset):
    found = coverage.elements(ruleset.model)
    assert [(e.kind, "/".join(e.path), e.text, e.where) for e in found] == [
        ("band", "组/分档", "< 5% → 1", "覆盖.rules:10:29"),
        ("band", "组/分档", "5%..10% → 0.5", "覆盖.rules:10:39"),
        ("band", "组/分档", "> 10% → 0", "覆盖.rules:10:54"),
        ("exemption", "组/清单", "when 涉密", "覆盖.rules:12:5"),
        ("veto", "组/清单", "when 违规", "覆盖.rules:13:5"),
        ("veto", "组/清单", "when 差评", "覆盖.rules:14:5"),
        ("item", "组/清单", '"按规定公开"', "覆盖.rules:15:17"),
        ("item", "组/清单", "评分", "覆盖.rules:15:32"),
        ("deduction", "组/扣分/甲", "deduct 1 per 不符合项数", "覆盖.rules:18:16"),
        ("deduction", "组/扣分/乙", "deduct 0.5 when not 公开", "覆盖.rules:19:16"),
        ("grade", "", "< 5 → 差", "覆盖.rules:22:18"),
        ("grade", "", "≥ 5 → 优", "覆盖.rules:22:9"),
    ]


def test_a_band_is_covered_when_matched(ruleset):
    seen = _seen(_measure(ruleset, {"率": "5%"}, {"率": "10%"}))
    assert seen[("band", "分档", 0)] == frozenset()
    assert seen[("band", "分档", 1)] == {"matched"}
    assert seen[("band", "分档", 2)] == frozenset()


def test_a_flag_item_needs_to_be_seen_met_and_not_met(ruleset):
    met_only = _measure(ruleset, {})
    position = next(i for i, e in enumerate(met_only.elements) if e.kind == "item" and e.index == 0)
    assert met_only.seen[position] == {"met"} and not met_only.is_covered(position)
    both = _measure(ruleset, {}, {"公开": False})
    assert both.seen[position] == {"met", "not met"} and both.is_covered(position)


def test_a_judged_item_needs_to_be_seen_in_full_and_below(ruleset):
    seen = _seen(_measure(ruleset, {"评分": 1}, {"评分": Decimal("0.4")}))
    assert seen[("item", "清单", 1)] == {"full", "below full"}
    assert _seen(_measure(ruleset, {"评分": Decimal("0.4")}, {"评分": 0}))[("item", "清单", 1)] == {"below full"}


def test_a_deduction_is_covered_only_when_it_takes_something_off(ruleset):
    assert _seen(_measure(ruleset, {}))[("deduction", "甲", 0)] == frozenset()
    seen = _seen(_measure(ruleset, {"不符合项数": 1}))
    assert seen[("deduction", "甲", 0)] == {"deducted"} and seen[("deduction", "乙", 0)] == frozenset()


def test_vetoes_are_told_apart_and_the_exemption_comes_first(ruleset):
    seen = _seen(_measure(ruleset, {"差评": True}))
    assert (seen[("veto", "清单", 0)], seen[("veto", "清单", 1)]) == (frozenset(), {"fired"})
    seen = _seen(_measure(ruleset, {"涉密": True, "违规": True}))
    assert seen[("exemption", "清单", 0)] == {"fired"} and seen[("veto", "清单", 0)] == frozenset()
    # A guarded rule never reaches its checklist, so its items see nothing.
    assert seen[("item", "清单", 0)] == frozenset()


def test_grade_bands_are_reached_by_totals(ruleset):
    seen = _seen(_measure(ruleset, {}))  # 1 + 2 + 3 = 6
    assert (seen[("grade", "", 0)], seen[("grade", "", 1)]) == (frozenset(), {"reached"})


def test_percent_and_the_report(ruleset):
    found = _measure(ruleset, {}, {"率": "7%", "评分": 0})  # totals 6 and 4.5
    assert (found.covered, len(found.elements)) == (5, 12)
    assert found.percent == Decimal(100) * 5 / 12
    text = found.render_text("覆盖.rules")
    assert text.splitlines()[0] == "覆盖.rules: 5 of 12 elements covered (41.6%)"
    assert text.splitlines()[1] == ("  bands 2/3, exemptions 0/1, vetoes 0/2, items 1/2, deductions 0/2, "
                                    "grade bands 2/2")
    assert "  覆盖.rules:10:54: band 组 / 分档: > 10% → 0 (never matched)" in text
    assert '  覆盖.rules:15:17: item 组 / 清单: "按规定公开" (never not met)' in text
    assert "  覆盖.rules:19:16: deduction 组 / 扣分 / 乙: deduct 0.5 when not 公开 (never deducted)" in text
    listed = [line.split(":")[1] for line in text.splitlines()[2:]]
    assert listed == sorted(listed, key=int)  # in source order


def test_percent_text_never_rounds_up_to_full():
    assert coverage.percent_text(Decimal("99.99")) == "99.9%"
    assert coverage.percent_text(Decimal(100)) == "100.0%"


def test_a_ruleset_without_elements_is_fully_covered():
    ruleset = perfrules.loads('ruleset "空"\ninput x: judged 0..1\nindicator a 1 = x\n')
    found = coverage.measure(ruleset.model, [])
    assert (found.elements, found.percent) == ((), 100)
