"""The command line: exit codes, where messages go, and what the user sees, including the
golden table and explanation of the 2024 seed rubric."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import perfrules
from perfrules.cli import main
from perfrules.diagnostics import Diagnostic
from perfrules.errors import InternalError
from perfrules.source import cells

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = Path(__file__).parent / "golden"
SEED_RULES = ROOT / "rulesets/shenzhen/department-overall-2024.rules"
SEED_FACTS = ROOT / "rulesets/shenzhen/examples/commerce-2024.yaml"

RULES = """ruleset "部门评分表" version "2024"
input 编外人员数: count
input 在编人数: count
input 公开评分: judged 0..1
let 编外人员控制率 = 编外人员数 / (在编人数 + 编外人员数)
group 部门管理 2 {
  group 人员管理 2 {
    indicator 编外人员控制率 1 { tiers 编外人员控制率: < 5% → 1; 5%..10% → 0.5; > 10% → 0 }
    indicator 人员信息公开 1 = 公开评分
  }
}
grade { ≥ 1.5 → 优; < 1.5 → 差 }
"""
FACTS = "编外人员数: 3\n在编人数: 40\n公开评分: 0.8\n"
BROKEN = 'ruleset "坏"\ninput 比率: percent\nindicator 控制率 1 { tiers 比率: < 5% → 1; ≥ 5% 0 }\n'


@pytest.fixture
def files(tmp_path):
    paths = {"rules": tmp_path / "部门.rules", "facts": tmp_path / "facts.yaml", "broken": tmp_path / "broken.rules"}
    paths["rules"].write_text(RULES, encoding="utf-8")
    paths["facts"].write_text(FACTS, encoding="utf-8")
    paths["broken"].write_text(BROKEN, encoding="utf-8")
    return {key: str(path) for key, path in paths.items()}


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err or "--debug" in argv
    return code, out, err


# ---- check ----------------------------------------------------------------------------------


def test_check_a_good_ruleset_exits_0(capsys, files):
    code, out, err = run(capsys, "check", files["rules"])
    assert code == 0
    assert err.strip().splitlines()[-1] == "1 file checked: 0 errors, 0 warnings"


def test_check_a_broken_ruleset_prints_code_and_caret_to_stderr(capsys, files):
    code, out, err = run(capsys, "check", files["broken"])
    assert code == 1 and out == ""
    assert "error[PR102]" in err and f"{files['broken']}:3:" in err
    source_line = next(line for line in err.splitlines() if "tiers 比率" in line)
    caret_line = err.splitlines()[err.splitlines().index(source_line) + 1]
    assert re.fullmatch(r"\s*\|\s+\^+", caret_line)
    # The caret sits under the 0 that should have had an arrow before it, counted in cells.
    assert cells(caret_line[: caret_line.index("^")]) == cells(source_line[: source_line.rindex("0 }")])
    assert err.strip().splitlines()[-1] == "1 file checked: 1 error, 0 warnings"


def test_check_many_files_counts_them_all_and_goes_on_after_a_bad_one(capsys, files, tmp_path):
    latin = tmp_path / "gbk.rules"
    latin.write_bytes('ruleset "评分"\n'.encode("gbk"))
    code, out, err = run(capsys, "check", files["broken"], str(latin), files["rules"])
    assert code == 1
    assert f"{latin} is not UTF-8 text" in err
    assert err.strip().splitlines()[-1] == "3 files checked: 2 errors, 0 warnings"


def test_check_with_warnings_only_exits_0(capsys, files, monkeypatch):
    class Loaded:
        warnings = (Diagnostic("PR206", "input 备用 is never used", severity="warning"),)

    monkeypatch.setattr(perfrules, "load", lambda path: Loaded())
    code, out, err = run(capsys, "check", files["rules"])
    assert code == 0
    assert "warning[PR206]: input 备用 is never used" in err
    assert err.strip().splitlines()[-1] == "1 file checked: 0 errors, 1 warning"


def test_check_a_missing_file_is_a_usage_error(capsys, tmp_path):
    code, out, err = run(capsys, "check", str(tmp_path / "无.rules"))
    assert code == 2 and "does not exist" in err


def test_check_without_files_is_a_usage_error(capsys):
    assert run(capsys, "check")[0] == 2


# ---- score ----------------------------------------------------------------------------------


def test_score_prints_the_table(capsys, files):
    code, out, err = run(capsys, "score", files["rules"], files["facts"])
    assert code == 0 and err == ""
    assert out.split("\n")[0].split() == ["一级指标", "二级指标", "三级指标", "分值", "得分", "说明"]
    assert re.search(r"总分\s+2\s+1\.30\s+等级 差", out)
    assert "\x1b[" not in out  # not a terminal: no colour


def test_score_json_parses(capsys, files):
    code, out, err = run(capsys, "score", files["rules"], files["facts"], "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert (data["total"], data["max"], data["grade"]) == ("1.30", "2", "差")
    assert [i["score"] for i in data["indicators"]] == ["0.50", "0.80"]


def test_score_markdown(capsys, files):
    code, out, err = run(capsys, "score", files["rules"], files["facts"], "--format", "markdown")
    assert code == 0
    assert out.startswith("| 一级指标 | 二级指标 | 三级指标 | 分值 | 得分 | 说明 |\n|---|")


def test_score_with_bad_facts_reports_every_problem_and_exits_1(capsys, files, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("编外人员数: 3.5\n在编人数: 40\n多余: 1\n", encoding="utf-8")
    code, out, err = run(capsys, "score", files["rules"], str(bad))
    assert code == 1 and out == ""
    assert {"PR501", "PR502", "PR503"} <= set(re.findall(r"error\[(PR\d+)\]", err))


def test_score_with_a_broken_ruleset_exits_1(capsys, files):
    code, out, err = run(capsys, "score", files["broken"], files["facts"])
    assert code == 1 and "error[PR102]" in err


def test_score_with_a_ruleset_that_is_not_utf8_exits_1(capsys, files, tmp_path):
    latin = tmp_path / "gbk.rules"
    latin.write_bytes(RULES.encode("gbk"))
    code, out, err = run(capsys, "score", str(latin), files["facts"])
    assert code == 1 and "is not UTF-8 text (byte 0x" in err and "on line 1" in err


def test_score_usage_errors_exit_2(capsys, files, tmp_path):
    assert run(capsys, "score", files["rules"], files["facts"], "--format", "pdf")[0] == 2
    assert run(capsys, "score", files["rules"], str(tmp_path / "missing.yaml"))[0] == 2
    assert run(capsys, "score", files["rules"])[0] == 2
    assert run(capsys, "score", str(tmp_path), files["facts"])[0] == 2  # a directory


# ---- explain --------------------------------------------------------------------------------


def test_explain_a_known_indicator(capsys, files):
    code, out, err = run(capsys, "explain", files["rules"], files["facts"], "编外人员控制率")
    assert code == 0
    assert out.startswith("indicator 部门管理 / 人员管理 / 编外人员控制率\n")
    assert "band 5%..10% → 0.5" in out


def test_explain_an_unknown_name_exits_2_with_a_suggestion(capsys, files):
    code, out, err = run(capsys, "explain", files["rules"], files["facts"], "编外人员控制")
    assert code == 2 and out == ""
    assert "no indicator, part or group named 编外人员控制" in err
    assert "did you mean 编外人员控制率?" in err


def test_explain_an_ambiguous_name_asks_for_the_path(capsys, tmp_path, files):
    rules = tmp_path / "twice.rules"
    rules.write_text('ruleset "r"\ninput a: count\ngroup 甲 2 { indicator 公开 1 = 1 indicator x 1 { deduct 1 per a } }\n'
                     "group 乙 1 { indicator 公开 1 = 1 }\n", encoding="utf-8")
    facts = tmp_path / "a.json"
    facts.write_text('{"a": 0}', encoding="utf-8")
    code, out, err = run(capsys, "explain", str(rules), str(facts), "公开")
    assert code == 2 and "甲/公开, 乙/公开" in err
    assert run(capsys, "explain", str(rules), str(facts), "乙/公开")[0] == 0


def test_explain_with_bad_facts_exits_1_before_looking_at_the_name(capsys, files, tmp_path):
    empty = tmp_path / "empty.yaml"
    empty.write_text("{}\n", encoding="utf-8")
    assert run(capsys, "explain", files["rules"], str(empty), "无此指标")[0] == 1


# ---- build, version, internal errors ---------------------------------------------------------


def test_build_emits_the_generated_python(capsys, files):
    code, out, err = run(capsys, "build", files["rules"], "--emit-python")
    assert code == 0
    assert out.rstrip("\n") == perfrules.load(files["rules"]).python_source.rstrip("\n")
    compile(out, "<emitted>", "exec")


def test_build_without_emit_names_the_ruleset_and_broken_exits_1(capsys, files):
    code, out, err = run(capsys, "build", files["rules"])
    assert code == 0 and "部门评分表 version 2024, fingerprint " in out
    assert run(capsys, "build", files["broken"], "--emit-python")[0] == 1


def test_version_and_unknown_command(capsys):
    code, out, err = run(capsys, "--version")
    assert code == 0 and out.strip() == f"perfrules, version {perfrules.__version__}"
    assert run(capsys, "frobnicate")[0] == 2


def test_an_internal_error_is_one_line_and_the_traceback_needs_debug(capsys, files, monkeypatch):
    def explode(path):
        raise RuntimeError("boom")

    monkeypatch.setattr(perfrules, "load", explode)
    code, out, err = run(capsys, "score", files["rules"], files["facts"])
    assert code == 3
    assert "internal error (RuntimeError: boom)" in err and "please report" in err
    assert "Traceback" not in err
    code, out, err = run(capsys, "--debug", "score", files["rules"], files["facts"])
    assert code == 3 and "Traceback" in err and "RuntimeError: boom" in err


def test_an_internal_error_of_perfrules_shows_its_diagnostic_once(capsys, files, monkeypatch):
    def fail_verification(path):
        raise InternalError([Diagnostic("PR901", "generated code failed verification: Lambda")])

    monkeypatch.setattr(perfrules, "load", fail_verification)
    code, out, err = run(capsys, "build", files["rules"], "--emit-python")
    assert code == 3 and err.count("generated code failed verification") == 1
    assert "internal error (InternalError)" in err


def test_python_dash_m_perfrules_in_a_subprocess(files):
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    scored = subprocess.run([sys.executable, "-m", "perfrules", "score", files["rules"], files["facts"],
                             "--format", "json"], capture_output=True, text=True, encoding="utf-8", env=env, cwd=ROOT)
    assert scored.returncode == 0, scored.stderr
    assert json.loads(scored.stdout)["total"] == "1.30"
    checked = subprocess.run([sys.executable, "-m", "perfrules", "check", files["broken"]],
                             capture_output=True, text=True, encoding="utf-8", env=env, cwd=ROOT)
    assert checked.returncode == 1 and "error[PR102]" in checked.stderr and "Traceback" not in checked.stderr


# ---- golden files of the 2024 seed rubric -----------------------------------------------------


@pytest.mark.parametrize(("golden", "argv"), [
    ("commerce-2024.table.expected", ["score", str(SEED_RULES), str(SEED_FACTS)]),
    ("commerce-2024.explain-预算执行率.expected", ["explain", str(SEED_RULES), str(SEED_FACTS), "预算执行率"]),
])
def test_seed_rubric_output_matches_its_golden_file(capsys, request, golden, argv):
    if not SEED_RULES.exists():
        pytest.skip("the 2024 seed rubric is not in this checkout")
    code, out, err = run(capsys, *argv)
    assert code == 0, err
    # Paths differ between checkouts; the output must not depend on them.
    assert str(ROOT) not in out
    expected = GOLDEN / golden
    if request.config.getoption("--update-golden", default=False):
        expected.write_text(out, encoding="utf-8")
    if not expected.exists():
        pytest.fail(f"{expected.name} is missing; run pytest --update-golden and review it")
    assert out == expected.read_text(encoding="utf-8")
