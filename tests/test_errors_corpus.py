"""The corpus of broken rulesets: one per diagnostic code, each with what perfrules prints.

``tests/errors/PRxxx-short-name.rules`` must fail (or warn) with code PRxxx and nothing
else; ``PRxxx-short-name.expected`` holds the rendered message. ``pytest --update-golden``
rewrites the expected files and docs/reference/diagnostics.md; review the diff, carets
under Chinese text especially.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.errors import make_reference

ROOT = Path(__file__).resolve().parents[1]
_EMITTED = re.compile(r'"(PR\d{3})"')
_RENDERED = re.compile(r"^(?:error|warning)\[(PR\d{3})\]", re.MULTILINE)


def _updating(request) -> bool:
    return bool(request.config.getoption("--update-golden", default=False))


def _emitted_codes() -> set[str]:
    sources = [*sorted((ROOT / "perfrules" / "check").glob("*.py")), ROOT / "perfrules" / "parse.py"]
    return {code for path in sources for code in _EMITTED.findall(path.read_text(encoding="utf-8"))}


@pytest.mark.parametrize("case", make_reference.cases(), ids=lambda p: p.stem)
def test_corpus_case_renders_as_expected(case: Path, request):
    rendered = make_reference.render_case(case)
    expected = case.with_suffix(".expected")
    if _updating(request):
        expected.write_text(rendered, encoding="utf-8")
    assert expected.is_file(), f"{expected.name} is missing; run pytest --update-golden and review it"
    assert rendered == expected.read_text(encoding="utf-8")


@pytest.mark.parametrize("case", make_reference.cases(), ids=lambda p: p.stem)
def test_corpus_case_shows_its_own_code_only(case: Path):
    # A focused example: a second code in it would be a cascade or a muddled example.
    codes = set(_RENDERED.findall(make_reference.render_case(case)))
    assert codes == {make_reference.code_of(case)}


def test_every_emitted_code_has_a_corpus_case():
    covered = {make_reference.code_of(p) for p in make_reference.cases()}
    emitted = _emitted_codes()
    assert {"PR101", "PR201", "PR301", "PR401"} <= emitted  # the scan itself works
    assert emitted - covered == set()


def test_every_corpus_code_is_documented():
    covered = {make_reference.code_of(p) for p in make_reference.cases()}
    assert covered - make_reference.CODES.keys() == set()
    assert make_reference.CODES.keys() - covered == set()


def test_every_expected_file_has_its_ruleset():
    orphans = [p.name for p in (ROOT / "tests" / "errors").glob("*.expected") if not p.with_suffix(".rules").is_file()]
    assert orphans == []


def test_reference_page_is_up_to_date(request):
    page = make_reference.reference()
    if _updating(request):
        make_reference.PAGE.write_text(page, encoding="utf-8")
    assert make_reference.PAGE.read_text(encoding="utf-8") == page, (
        "docs/reference/diagnostics.md is stale; run pytest --update-golden "
        "(or .venv/bin/python tests/errors/make_reference.py)")
