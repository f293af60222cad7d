"""The documentation builds, and every ```rules example in it is a ruleset that checks.

A ```rules block must be a complete ruleset; fragments belong in ```text blocks. So an
example a reader copies into a file is known to parse and check as printed.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from perfrules.check import check
from perfrules.parse import parse

ROOT = Path(__file__).resolve().parents[1]
_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>[^\n`]*)$")


def _rules_blocks(path: Path) -> list[tuple[int, str]]:
    """(line of the opening fence, text) of each ```rules block in a Markdown file."""
    blocks, lines = [], path.read_text(encoding="utf-8").splitlines()
    opened = None  # (fence, language, first line, body lines)
    for number, line in enumerate(lines, start=1):
        match = _FENCE.match(line)
        if opened is None:
            if match:
                opened = (match["fence"], match["info"].strip(), number, [])
        elif match and match["fence"].startswith(opened[0]) and not match["info"].strip():
            fence, language, first, body = opened
            if language == "rules":
                blocks.append((first, "\n".join(body) + "\n"))
            opened = None
        else:
            opened[3].append(line)
    return blocks


def _documents() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]


def _examples():
    for path in _documents():
        for line, text in _rules_blocks(path):
            where = f"{path.relative_to(ROOT).as_posix()}:{line}"
            yield pytest.param(where, text, id=where)


def test_docs_have_rules_examples():
    assert len(list(_examples())) >= 10


@pytest.mark.parametrize(("where", "text"), list(_examples()))
def test_rules_example_parses_and_checks(where, text):
    path, line = where.rsplit(":", 1)
    # Blank lines in front make messages point at the line in the Markdown file.
    check(parse("\n" * int(line) + text, name=path))


@pytest.mark.slow
def test_site_builds_strictly(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=ROOT, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert (tmp_path / "site" / "index.html").is_file()


def test_quoted_fingerprints_belong_to_rulesets_that_exist():
    # Outputs pasted into the docs carry a fingerprint; when a ruleset changes, the quote
    # goes stale. Every fingerprint quoted must be that of a shipped ruleset or of a
    # ```rules block in the docs, so a stale output fails here instead of misleading.
    current = {check(parse(path.read_text(encoding="utf-8"), name=str(path))).fingerprint
               for path in ROOT.joinpath("rulesets").rglob("*.rules")}
    current |= {check(parse(text, name=str(where))).fingerprint for where, text in _examples_texts()}
    quoted = {(path.relative_to(ROOT).as_posix(), found)
              for path in _documents()
              for found in re.findall(r"fingerprint\W{0,12}([0-9a-f]{16})\b", path.read_text(encoding="utf-8"))}
    assert quoted, "the docs quote no fingerprint: this test has nothing to check"
    stale = sorted((where, found) for where, found in quoted if found not in current)
    assert not stale, f"stale fingerprints (rerun the command and paste its output): {stale}"


def _examples_texts():
    for path in _documents():
        for line, text in _rules_blocks(path):
            yield f"{path.name}:{line}", text


def test_generated_code_quoted_in_the_docs_is_what_perfrules_emits():
    # docs/explanation/generated-code.md quotes `--emit-python` for the ruleset just above.
    from perfrules import loads

    page = ROOT / "docs" / "explanation" / "generated-code.md"
    (line, rules), *_ = _rules_blocks(page)
    text = page.read_text(encoding="utf-8")
    quoted = text.split("--emit-python` prints for it:\n\n```text\n", 1)[1].split("```", 1)[0]
    assert quoted == loads(rules).python_source
