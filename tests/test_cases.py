"""Author cases: the cases file format, its diagnostics, running cases, and `perfrules test`."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

import perfrules
from perfrules import cases
from perfrules.cli import main

ROOT = Path(__file__).resolve().parents[1]
SEEDS = sorted((ROOT / "rulesets" / "shenzhen").glob("*.rules"))

RULES = """ruleset "部门评分表" version "1"
total 3
input 编外人员数: count
input 在编人数: count
input 公开评分: judged 0..1
input 涉密: flag default no
let 编外人员控制率 = 编外人员数 / (在编人数 + 编外人员数)
group 部门管理 2 {
  group 人员管理 2 {
    indicator 编外人员控制率 1 { tiers 编外人员控制率: < 5% → 1; 5%..10% → 0.5; > 10% → 0 }
    indicator 信息公开 1 { exempt when 涉密; score 公开评分 }
  }
}
group 其他 1 {
  indicator 信息公开 1 = 公开评分
}
grade { ≥ 2.5 → 优; < 2.5 → 差 }
"""
FACTS = "编外人员数: 3\n在编人数: 97\n公开评分: 0.8\n"


@pytest.fixture(scope="module")
def ruleset():
    return perfrules.loads(RULES, name="部门.rules")


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "部门.rules").write_text(RULES, encoding="utf-8")
    (tmp_path / "facts.yaml").write_text(FACTS, encoding="utf-8")
    return tmp_path


def _load(ruleset, text: str, base: Path = Path(".")) -> cases.CaseFile:
    return cases.loads_cases(text, ruleset.model, name="部门.cases.yaml", base=base)


def _errors(ruleset, text: str) -> list:
    with pytest.raises(cases.CasesError) as caught:
        _load(ruleset, text)
    return list(caught.value.diagnostics)


# ---- paths -----------------------------------------------------------------------------------


def test_cases_live_beside_their_ruleset():
    assert cases.cases_path("a/b/2024.rules") == Path("a/b/2024.cases.yaml")
    assert cases.ruleset_path("a/b/2024.cases.yaml") == Path("a/b/2024.rules")


# ---- reading ---------------------------------------------------------------------------------


def test_facts_from_a_file_inline_and_overlaid(ruleset, folder):
    text = """facts: facts.yaml
cases:
  - name: from the file
    expect: {编外人员控制率: 1}
  - name: overlaid
    with: {编外人员数: 5, 在编人数: 95}
    expect: {编外人员控制率: 0.5}
  - name: inline
    facts: {编外人员数: 11, 在编人数: 89, 公开评分: 1}
    expect: {人员管理/编外人员控制率: 0}
"""
    loaded = _load(ruleset, text, base=folder)
    assert [c.name for c in loaded.cases] == ["from the file", "overlaid", "inline"]
    assert dict(loaded.cases[0].facts) == {"编外人员数": 3, "在编人数": 97, "公开评分": Decimal("0.8")}
    assert dict(loaded.cases[1].facts)["编外人员数"] == 5 and dict(loaded.cases[1].facts)["公开评分"] == Decimal("0.8")
    assert dict(loaded.cases[2].facts) == {"编外人员数": 11, "在编人数": 89, "公开评分": 1}
    assert all(cases.run_case(ruleset, c).passed for c in loaded.cases)


def test_expected_scores_are_exact_decimals_and_grades_labels(ruleset):
    loaded = _load(ruleset, "cases:\n  - name: a\n    facts: {编外人员数: 0, 在编人数: 1, 公开评分: 0.8}\n"
                            "    expect: {total: 2.60, grade: 优, 部门管理: '1.8'}\n")
    assert [(e.key, e.expected) for e in loaded.cases[0].expectations] == [
        ("total", Decimal("2.60")), ("grade", "优"), ("部门管理", Decimal("1.8"))]
    assert cases.run_case(ruleset, loaded.cases[0]).passed


@pytest.mark.parametrize(("text", "code", "message", "where"), [
    ("cases: [{name: a, expect: {total: 1}}]\nfact: x.yaml\n", "PR702",
     "the cases file has no key fact; the keys are facts, cases", "2:1"),
    ("cases: [{expect: {total: 1}}]\n", "PR702", "every case needs a `name:`", "1:9"),
    ("cases: [{name: a}]\n", "PR702", "case a needs `expect:`", "1:9"),
    ("cases: [{name: a, expect: {编外人员控制: 1}}]\n", "PR703",
     "部门评分表 has no indicator, part or group named 编外人员控制", "1:28"),
    ("cases: [{name: a, expect: {信息公开: 1}}]\n", "PR704",
     "several nodes are named 信息公开: 部门管理/人员管理/信息公开, 其他/信息公开; write more of the path", "1:28"),
    ("cases: [{name: a, expect: {total: lots}}]\n", "PR705", "the expected score of total must be a number", "1:35"),
    ("cases: [{name: a, expect: {编外人员控制率: 2}}]\n", "PR705",
     "编外人员控制率 can score 0 to 1, so it cannot be expected to score 2", "1:37"),
    ("cases: [{name: a, expect: {grade: 良}}]\n", "PR705", "良 is not a grade of 部门评分表 (差, 优)", "1:35"),
    ("cases: [{name: a, expect: {total: 1}}, {name: a, expect: {total: 1}}]\n", "PR706",
     "two cases are named a", "1:47"),
    ("cases: [{name: a, expect: {total: 1}, with: 3}]\n", "PR702", "`with:` must be", "1:45"),
    ("cases:\n  - name: a\n   expect: {}\n", "PR701", "the cases file is not valid YAML", "3:4"),
    ("- just a list\n", "PR702", "the cases file must be a mapping", "1:1"),
])
def test_problems_are_diagnostics_with_positions(ruleset, text, code, message, where):
    found = _errors(ruleset, text)
    assert found[0].code == code
    assert message in found[0].message
    assert str(found[0].span) == f"部门.cases.yaml:{where}"


def test_unknown_names_suggest_the_closest(ruleset):
    found = _errors(ruleset, "cases: [{name: a, expect: {编外人员控制: 1}, wiht: {}}]\n")
    assert [(d.code, d.hint) for d in found] == [
        ("PR703", "did you mean 编外人员控制率?"), ("PR702", "did you mean with?")]


def test_every_problem_is_reported_at_once(ruleset):
    found = _errors(ruleset, "cases:\n  - {name: a, expect: {无: 1}}\n  - {name: b, expect: {total: x}}\n")
    assert [d.code for d in found] == ["PR703", "PR705"]


def test_a_missing_cases_file_says_where_it_was_looked_for(ruleset, tmp_path):
    with pytest.raises(cases.CasesError, match=r"no cases file .*部门\.cases\.yaml; write one beside the ruleset"):
        cases.load_cases(tmp_path / "部门.cases.yaml", ruleset.model)


def test_a_facts_file_that_cannot_be_read_is_placed_on_its_path(ruleset, folder):
    with pytest.raises(cases.CasesError) as caught:
        _load(ruleset, "facts: missing.yaml\ncases: [{name: a, expect: {total: 1}}]\n", base=folder)
    (diagnostic,) = caught.value.diagnostics
    assert "cannot read the facts file" in diagnostic.message and str(diagnostic.span) == "部门.cases.yaml:1:8"


# ---- running ---------------------------------------------------------------------------------


def test_a_mismatch_gives_expected_actual_and_the_explanation(ruleset):
    case = _load(ruleset, "cases:\n  - name: 边界\n    facts: {编外人员数: 5, 在编人数: 95, 公开评分: 1}\n"
                          "    expect: {编外人员控制率: 1, total: 2.5, grade: 差}\n").cases[0]
    outcome = cases.run_case(ruleset, case)
    assert not outcome.passed
    assert [(m.expectation.key, m.actual) for m in outcome.mismatches] == [
        ("编外人员控制率", Decimal("0.50")), ("grade", "优")]
    text = cases.render_failure(outcome)
    assert text.startswith("case 边界 (部门.cases.yaml:2:11) failed\n")
    assert "  编外人员控制率: expected 1, got 0.50  (部门.cases.yaml:4:14)\n" in text
    assert "band 5%..10% → 0.5" in text  # the explanation of the actual score
    assert "  grade: expected 差, got 优" in text and "total 2.50 of 3" in text


def test_a_total_mismatch_shows_the_scoring_table(ruleset):
    case = _load(ruleset, "cases: [{name: t, facts: {编外人员数: 5, 在编人数: 95, 公开评分: 1}, expect: {total: 3}}]\n").cases[0]
    text = cases.render_failure(cases.run_case(ruleset, case))
    assert "total: expected 3, got 2.50" in text and "总分" in text


def test_facts_problems_fail_the_case_with_diagnostics_in_the_cases_file(ruleset):
    case = _load(ruleset, "cases: [{name: a, facts: {编外人员: 1, 在编人数: 1, 公开评分: 2}, expect: {total: 1}}]\n").cases[0]
    outcome = cases.run_case(ruleset, case)
    assert outcome.result is None and not outcome.passed
    codes = [(d.code, str(d.span)) for d in outcome.error.diagnostics]
    assert ("PR502", "部门.cases.yaml:1:27") in codes and ("PR505", "部门.cases.yaml:1:51") in codes
    assert "error[PR502]" in cases.render_failure(outcome)


def test_null_in_with_leaves_an_input_out_so_its_default_applies(ruleset):
    loaded = _load(ruleset, "facts: {编外人员数: 0, 在编人数: 1, 公开评分: 0, 涉密: yes}\ncases:\n"
                            "  - {name: given, expect: {人员管理/信息公开: 1}}\n"
                            "  - {name: left out, with: {涉密: null}, expect: {人员管理/信息公开: 0}}\n")
    assert [cases.run_case(ruleset, c).passed for c in loaded.cases] == [True, True]


# ---- perfrules test --------------------------------------------------------------------------


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def test_the_seed_rulesets_pass_their_cases_with_full_coverage(capsys):
    code, out, err = run(capsys, "test", *map(str, SEEDS), "--min-coverage", "100")
    assert code == 0, out + err
    for path in SEEDS:
        assert re.search(rf"{re.escape(str(path))}: (\d+) cases, \1 passed, 0 failed", out)
        assert re.search(rf"{re.escape(str(path))}: (\d+) of \1 elements covered \(100\.0%\)", out)


def test_a_failing_case_exits_1_and_prints_the_failure(capsys, folder):
    (folder / "部门.cases.yaml").write_text(
        "facts: facts.yaml\ncases:\n  - {name: ok, expect: {编外人员控制率: 1}}\n"
        "  - {name: wrong, expect: {编外人员控制率: 0.5}}\n", encoding="utf-8")
    code, out, err = run(capsys, "test", str(folder / "部门.rules"))
    assert code == 1
    assert "case wrong" in out and "expected 0.5, got 1.00" in out and "case ok" not in out
    assert "2 cases, 1 passed, 1 failed" in out


def test_coverage_below_the_minimum_exits_1_and_lists_what_is_missing(capsys, folder):
    (folder / "部门.cases.yaml").write_text(
        "facts: facts.yaml\ncases: [{name: ok, expect: {编外人员控制率: 1}}]\n", encoding="utf-8")
    code, out, err = run(capsys, "test", str(folder / "部门.rules"), "--min-coverage", "50")
    assert code == 1
    assert "1 cases, 1 passed, 0 failed" in out
    assert re.search(r"部门\.rules:10:\d+: band 部门管理 / 人员管理 / 编外人员控制率: 5%\.\.10% → 0\.5 \(never matched\)", out)
    assert "coverage 33.3% is below --min-coverage 50%" in out
    assert run(capsys, "test", str(folder / "部门.rules"), "--min-coverage", "33.3")[0] == 0


def test_a_broken_cases_file_exits_1_with_its_diagnostics(capsys, folder):
    (folder / "部门.cases.yaml").write_text("cases: [{name: a, expect: {无此项: 1}}]\n", encoding="utf-8")
    code, out, err = run(capsys, "test", str(folder / "部门.rules"))
    assert code == 1 and "error[PR703]" in err and "部门.cases.yaml:1:28" in err


def test_a_ruleset_without_cases_exits_1(capsys, folder):
    code, out, err = run(capsys, "test", str(folder / "部门.rules"))
    assert code == 1 and "no cases file" in err


@pytest.mark.parametrize("argv", [["--min-coverage", "150"], ["--min-coverage", "lots"], []])
def test_usage_errors_exit_2(capsys, folder, argv):
    paths = [str(folder / "部门.rules")] if argv else []
    assert run(capsys, "test", *paths, *argv)[0] == 2
