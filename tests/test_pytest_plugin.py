"""The pytest plugin: `pytest rulesets/` collects every case, and a failing case reads well.

Each test runs pytest in a subprocess, as a user would, with the plugin registered by
perfrules' own ``pytest11`` entry point.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]

RULES = """ruleset "插件" version "1"
input 编外人员数: count
input 在编人数: count
let 编外人员控制率 = 编外人员数 / (在编人数 + 编外人员数)
indicator 编外人员控制率 1 { tiers 编外人员控制率: < 5% → 1; 5%..10% → 0.5; > 10% → 0 }
"""


def _pytest(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args],
                          cwd=cwd, capture_output=True, text=True, encoding="utf-8", timeout=120)


def _case_count(path: Path) -> int:
    return len(yaml.safe_load(path.read_text(encoding="utf-8"))["cases"])


def test_pytest_rulesets_collects_and_passes_every_seed_case():
    run = _pytest("rulesets/", "-v", cwd=ROOT)
    expected = sum(_case_count(p) for p in ROOT.glob("rulesets/**/*.cases.yaml"))
    assert run.returncode == 0, run.stdout + run.stderr
    assert re.search(rf"\b{expected} passed\b", run.stdout), run.stdout
    assert "department-overall-2024.cases.yaml::深圳市商务局 2024 as the report scores it PASSED" in run.stdout


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "插件.rules").write_text(RULES, encoding="utf-8")
    return tmp_path


def test_a_failing_case_shows_expected_actual_and_the_explanation(folder):
    (folder / "插件.cases.yaml").write_text(
        "cases:\n"
        "  - {name: 通过, facts: {编外人员数: 1, 在编人数: 99}, expect: {编外人员控制率: 1}}\n"
        "  - {name: 失败, facts: {编外人员数: 5, 在编人数: 95}, expect: {编外人员控制率: 1}}\n",
        encoding="utf-8")
    run = _pytest(str(folder), cwd=folder)
    assert run.returncode == 1
    assert "1 failed, 1 passed" in run.stdout
    assert "case 失败 (" in run.stdout and "插件.cases.yaml:3:12) failed" in run.stdout
    assert "编外人员控制率: expected 1, got 0.50" in run.stdout
    assert "steps   1. 编外人员控制率 = 5%, band 5%..10% → 0.5" in run.stdout
    assert "Traceback" not in run.stdout and "runtest" not in run.stdout


def test_a_broken_cases_file_fails_collection_with_its_diagnostic(folder):
    (folder / "插件.cases.yaml").write_text("cases: [{name: a, expect: {编外人员控制: 1}}]\n", encoding="utf-8")
    run = _pytest(str(folder), cwd=folder)
    assert run.returncode != 0
    assert "error[PR703]" in run.stdout and "did you mean 编外人员控制率?" in run.stdout
    assert "Traceback" not in run.stdout


def test_a_cases_file_without_its_ruleset_says_so(tmp_path):
    (tmp_path / "孤.cases.yaml").write_text("cases: [{name: a, expect: {total: 1}}]\n", encoding="utf-8")
    run = _pytest(str(tmp_path), cwd=tmp_path)
    assert run.returncode != 0
    assert "孤.cases.yaml has no ruleset beside it: expected 孤.rules" in run.stdout
