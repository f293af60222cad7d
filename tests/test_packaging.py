"""Packaging: the grammar ships inside the wheel, and an installed wheel scores a seed.

The slow test builds the sdist and, from it, the wheel (as ``python -m build`` does),
installs the wheel in a fresh virtualenv (dependencies from the package index, through
pip's cache) and runs the installed ``perfrules`` from a directory outside the checkout,
so nothing can be picked up from the source tree by accident.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

from perfrules import _grammar

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "rulesets" / "shenzhen"
RULESET_2024 = SEEDS / "department-overall-2024.rules"
FACTS_2024 = SEEDS / "examples" / "commerce-2024.yaml"
BIN = "Scripts" if os.name == "nt" else "bin"


# ---- the grammar resource ------------------------------------------------------------------


def test_grammar_is_the_top_level_file():
    expected = (ROOT / "grammar" / "perfrules.lark").read_text(encoding="utf-8")
    assert _grammar.grammar_text() == expected


# ---- README and CI agree -------------------------------------------------------------------


def _command_lines(text: str, needle: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if needle in line and not line.lstrip().startswith("#")]


def test_ci_runs_exactly_the_readme_test_command():
    readme = _command_lines((ROOT / "README.md").read_text(encoding="utf-8"), "-m pytest")
    ci = _command_lines((ROOT / ".ci" / "run").read_text(encoding="utf-8"), "-m pytest")
    assert len(readme) == 1, f"the README should give one test command, found {readme}"
    assert ci == readme


def test_readme_scores_an_existing_ruleset_with_existing_facts():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = re.findall(r"perfrules score (\S+\.rules) (\S+\.(?:ya?ml|json|toml))", readme)
    # Paths into the repository must exist; bare names (demo.rules) are files the reader saves.
    in_repository = [(r, f) for r, f in commands if "/" in r or "/" in f]
    assert in_repository, "the README should score a bundled ruleset with bundled facts"
    for ruleset, facts in in_repository:
        assert (ROOT / ruleset).is_file(), f"the README scores {ruleset}, which does not exist"
        assert (ROOT / facts).is_file(), f"the README reads {facts}, which does not exist"


# ---- the built distributions ---------------------------------------------------------------


def _run(args: list, *, cwd: Path, timeout: int = 300) -> subprocess.CompletedProcess:
    done = subprocess.run(
        [str(a) for a in args], cwd=cwd, capture_output=True, text=True,
        stdin=subprocess.DEVNULL, timeout=timeout,
    )
    assert done.returncode == 0, f"{' '.join(map(str, args))} exited {done.returncode}\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="module")
def dists(tmp_path_factory) -> Path:
    """The sdist and, built from it, the wheel."""
    out = tmp_path_factory.mktemp("dist")
    _run([sys.executable, "-m", "build", "--outdir", out, ROOT], cwd=out)
    return out


@pytest.fixture(scope="module")
def installed(dists, tmp_path_factory) -> Path:
    """A fresh virtualenv with the wheel installed; returns its bin directory."""
    venv = tmp_path_factory.mktemp("venv")
    _run([sys.executable, "-m", "venv", venv], cwd=venv)
    wheel = next(dists.glob("*.whl"))
    _run([venv / BIN / "python", "-m", "pip", "install", "--quiet", wheel], cwd=venv)
    return venv / BIN


@pytest.mark.slow
def test_wheel_contains_the_grammar(dists):
    wheel = next(dists.glob("*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "perfrules/grammar/perfrules.lark" in names
    shipped = zipfile.ZipFile(wheel).read("perfrules/grammar/perfrules.lark").decode("utf-8")
    assert shipped == (ROOT / "grammar" / "perfrules.lark").read_text(encoding="utf-8")


@pytest.mark.slow
def test_sdist_contains_the_grammar_directory(dists):
    sdist = next(dists.glob("*.tar.gz"))
    with tarfile.open(sdist) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    assert "grammar/perfrules.lark" in names
    assert "pyproject.toml" in names


@pytest.mark.slow
def test_installed_wheel_scores_the_2024_seed(installed, tmp_path):
    if not (RULESET_2024.is_file() and FACTS_2024.is_file()):
        pytest.skip(f"the seed ruleset or facts are not in the checkout yet ({RULESET_2024.relative_to(ROOT)})")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    done = _run([installed / "perfrules", "score", RULESET_2024, FACTS_2024, "--format", "json"], cwd=outside)
    result = json.loads(done.stdout)
    assert result["total"] == "94.54"
    assert result["grade"] == "优"


@pytest.mark.slow
def test_installed_wheel_checks_every_bundled_ruleset(installed, tmp_path):
    rulesets = sorted((ROOT / "rulesets").rglob("*.rules"))
    if not rulesets:
        pytest.skip("no bundled rulesets in the checkout yet")
    _run([installed / "python", "-m", "perfrules", "check", *rulesets], cwd=tmp_path)
