"""`perfrules cases`: facts at, just below and just above every band edge, exactly."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

import perfrules
from perfrules import cases, interp, propose
from perfrules.cli import main
from perfrules.facts import load_facts, read

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "rulesets" / "shenzhen" / "department-overall-2024.rules"
SEED_FACTS = ROOT / "rulesets" / "shenzhen" / "examples" / "commerce-2024.yaml"

RULES = """ruleset "提议" version "1"
input 编外人员数: count
input 在编人数: count
input 支出: amount 万元
input 预算: amount 万元
input 满意度: percent 0%..100%
input 件数: count
let 编外率 = 编外人员数 / (在编人数 + 编外人员数)
let 执行率 = round(支出 / 预算, 4)
group 组 5 {
  indicator 编外 1 { tiers 编外率: < 5% → 1; 5%..10% → 0.5; > 10% → 0 }
  indicator 执行 1 { tiers 执行率: ≥ 90% → 1; < 90% → 0 }
  indicator 满意 1 { tiers 满意度: ≥ 100% → 1; otherwise → 0 }
  indicator 件 1 { tiers 件数: ≤ 2 → 1; > 2 → 0 }
  indicator 合 1 { tiers min(满意度, 执行率): ≥ 50% → 1; < 50% → 0 }
}
"""


@pytest.fixture(scope="module")
def ruleset():
    return perfrules.loads(RULES, name="提议.rules")


@pytest.fixture(scope="module")
def proposal(ruleset):
    return propose.propose(ruleset)


def _rows(proposal, rule: str) -> list:
    return [r for r in proposal.rows if r.path[-1] == rule]


def test_the_step_is_one_unit_in_the_last_place_the_ruleset_uses(ruleset):
    assert propose.ruleset_step(ruleset.model) == Decimal("0.0001")  # round(…, 4)
    plain = perfrules.loads('ruleset "p"\ninput x: percent\nindicator a 1 { tiers x: < 5% → 1; ≥ 5% → 0 }')
    assert propose.ruleset_step(plain.model) == Decimal("0.01")
    assert [r.target for r in propose.propose(plain).rows] == [Decimal("0.04"), Decimal("0.05"), Decimal("0.06")]


def test_a_share_of_two_counts_is_solved_exactly(proposal):
    rows = _rows(proposal, "编外")
    assert [(r.side, r.target, r.changes, r.band, r.score) for r in rows[:3]] == [
        ("below", Decimal("0.0499"), (("编外人员数", 499), ("在编人数", 9501)), "< 5% → 1", Decimal("1.00")),
        ("at", Decimal("0.05"), (("编外人员数", 1), ("在编人数", 19)), "5%..10% → 0.5", Decimal("0.50")),
        ("above", Decimal("0.0501"), (("编外人员数", 501), ("在编人数", 9499)), "5%..10% → 0.5", Decimal("0.50")),
    ]
    assert [r.band for r in rows[3:]] == ["5%..10% → 0.5", "5%..10% → 0.5", "> 10% → 0"]


def test_a_quotient_under_round_is_solved_when_the_value_keeps_its_places(proposal):
    rows = _rows(proposal, "执行")
    assert [(r.target, dict(r.changes), r.band) for r in rows] == [
        (Decimal("0.8999"), {"支出": 8999, "预算": 10000}, "< 90% → 0"),
        (Decimal("0.9"), {"支出": 9, "预算": 10}, "≥ 90% → 1"),
        (Decimal("0.9001"), {"支出": 9001, "预算": 10000}, "≥ 90% → 1"),
    ]


def test_an_input_is_set_directly_and_its_range_is_respected(proposal):
    rows = _rows(proposal, "满意")
    assert [(r.target, r.band) for r in rows[:2]] == [(Decimal("0.9999"), "otherwise → 0"), (Decimal("1"), "≥ 100% → 1")]
    above = rows[2]
    assert not above.reached and above.problem.startswith("满意度 must be within 0%..100%, got 100.01%")


def test_a_count_subject_steps_by_whole_units(proposal):
    rows = _rows(proposal, "件")
    assert [(r.target, dict(r.changes), r.score) for r in rows] == [
        (Decimal(1), {"件数": 1}, Decimal("1.00")), (Decimal(2), {"件数": 2}, Decimal("1.00")),
        (Decimal(3), {"件数": 3}, Decimal("0.00"))]


def test_shapes_it_cannot_solve_are_reported_not_guessed(proposal):
    rows = _rows(proposal, "合")
    assert rows and not any(r.reached for r in rows)
    assert rows[0].problem == "cannot solve min(满意度, 执行率) for a value; give such facts by hand"
    assert {band for path, band in proposal.unreached if path[-1] == "合"} == {"≥ 50% → 1", "< 50% → 0"}


@pytest.mark.parametrize(("expr", "target", "problem"), [
    ("编外率", Decimal("1.2"), "编外人员数 / (在编人数 + 编外人员数) is never 120%"),
    ("执行率", Decimal("0.12345"), "round(支出 / 预算, 4) never has more than 4 decimal places"),
    ("件数", Decimal("2.5"), "件数 is a count and cannot be 2.5"),
])
def test_values_a_shape_cannot_take_are_unreachable(ruleset, expr, target, problem):
    subject = perfrules.parse(f'ruleset "x"\nlet y = {expr}\n').statements[0].value
    with pytest.raises(propose.Unreachable, match=re.escape(problem)):
        propose.solve(ruleset.model, subject, target)


def test_every_reached_row_hits_its_value_exactly(ruleset, proposal):
    # Independent of the proposer's own check: recompute the subject from the facts.
    for row in (r for r in proposal.rows if r.reached):
        facts = {**proposal.baseline, **dict(row.changes)}
        rule = next(r for r in ruleset.model.rules() if r.path == row.path)
        value = interp.observe(ruleset.model, read(ruleset.model, facts))[rule.base.site]
        assert value == row.target, row


def test_a_solution_that_misses_its_value_is_reported_not_kept(ruleset, monkeypatch):
    # The proposer checks every solution by computing the subject; a wrong one is refused.
    monkeypatch.setattr(propose, "solve", lambda model, expr, target: {"件数": 7})
    rows = _rows(propose.propose(ruleset), "件")
    assert [r.problem for r in rows] == ["the facts give 7, not 1", "the facts give 7, not 2", "the facts give 7, not 3"]


def test_the_seed_proposal_reaches_every_band_on_both_sides_of_every_edge():
    ruleset = perfrules.load(SEED)
    proposal = propose.propose(ruleset, load_facts(SEED_FACTS))
    assert proposal.unreached == () and all(r.reached for r in proposal.rows)
    edges = {(r.path, r.edge) for r in proposal.rows}
    for path, edge in edges:
        sides = {r.side for r in proposal.rows if (r.path, r.edge) == (path, edge)}
        assert sides == {"below", "at", "above"}, (path, edge)
    assert len(edges) == 13


def test_the_yaml_skeleton_is_a_cases_file_that_passes(ruleset, proposal):
    text = propose.render_yaml(proposal)
    loaded = cases.loads_cases(text, ruleset.model, name="提议.cases.yaml")
    assert len(loaded.cases) == sum(r.reached for r in proposal.rows)
    assert all(cases.run_case(ruleset, c).passed for c in loaded.cases)
    assert "- name: 编外 4.99% (below 5%)\n" in text
    assert "    编外人员数: 499\n" in text and "  满意度: 50%\n" in text  # the inline baseline


def test_cli_text_table(capsys):
    assert main(["cases", str(SEED), "--facts", str(SEED_FACTS)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"{SEED}: edges ± 0.0001, from {SEED_FACTS}\n")
    assert "4.99%" in out and "编外人员数 = 499, 在编人数 = 9501" in out and "< 5% → 1" in out


def test_cli_yaml_names_the_facts_relative_to_the_ruleset(capsys):
    assert main(["cases", str(SEED), "--facts", str(SEED_FACTS), "--format", "yaml"]) == 0
    out = capsys.readouterr().out
    assert "\nfacts: examples/commerce-2024.yaml\ncases:\n" in out
    loaded = cases.loads_cases(out, perfrules.load(SEED).model, base=SEED.parent)
    assert len(loaded.cases) == 39


def test_cli_step_option(capsys, tmp_path):
    path = tmp_path / "p.rules"
    path.write_text('ruleset "p"\ninput x: percent\nindicator a 1 { tiers x: < 5% → 1; ≥ 5% → 0 }\n', encoding="utf-8")
    assert main(["cases", str(path), "--step", "0.001"]) == 0
    assert "4.9%" in capsys.readouterr().out
    assert main(["cases", str(path), "--step", "0"]) == 2
    assert main(["cases", str(path), "--step", "x"]) == 2


def test_a_ruleset_without_tiers_has_nothing_to_propose(capsys, tmp_path):
    path = tmp_path / "无.rules"
    path.write_text('ruleset "无"\ninput x: judged 0..1\nindicator a 1 = x\n', encoding="utf-8")
    assert main(["cases", str(path)]) == 0
    assert capsys.readouterr().out.endswith("nothing to propose: the ruleset has no tiers\n")
