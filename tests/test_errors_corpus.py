"""The corpus of broken inputs: one case per diagnostic code, each with what perfrules prints.

``tests/errors/PRxxx-short-name.rules`` must fail (or warn) with code PRxxx and nothing
else; so must the cases of the later stages, in ``tests/errors/<stage>/`` (see
``make_reference``). ``PRxxx-short-name.expected`` holds the rendered message.
``pytest --update-golden`` rewrites the expected files and docs/reference/diagnostics.md;
review the diff, carets under Chinese text especially.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.errors import make_reference

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "errors"
_EMITTED = re.compile(r'"(PR\d{3})"')
_RENDERED = re.compile(r"^(?:error|warning)\[(PR\d{3})\]", re.MULTILINE)


def _updating(request) -> bool:
    return bool(request.config.getoption("--update-golden", default=False))


def _emitted_codes() -> set[str]:
    # Every stage, the SQL backend included: a code anywhere in perfrules is a code users can meet.
    sources = sorted((ROOT / "perfrules").rglob("*.py"))
    return {code for path in sources for code in _EMITTED.findall(path.read_text(encoding="utf-8"))}


@pytest.mark.parametrize("case", make_reference.cases(), ids=lambda p: p.stem)
def test_corpus_case_renders_as_expected(case: Path, request):
    rendered = make_reference.render_case(case)
    expected = make_reference.expected_of(case)
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
    assert {"PR101", "PR201", "PR301", "PR401", "PR501", "PR601", "PR701"} <= emitted  # the scan itself works
    assert emitted - covered == make_reference.NO_EXAMPLE


def test_internal_codes_are_emitted_and_have_no_example():
    # NO_EXAMPLE must not outlive the codes it excuses, nor hide a code that users can cause.
    covered = {make_reference.code_of(p) for p in make_reference.cases()}
    assert make_reference.NO_EXAMPLE <= _emitted_codes()
    assert make_reference.NO_EXAMPLE & covered == set()
    assert all(code.startswith("PR9") for code in make_reference.NO_EXAMPLE)


def test_every_corpus_code_is_documented():
    covered = {make_reference.code_of(p) for p in make_reference.cases()}
    assert covered - make_reference.CODES.keys() == set()
    assert make_reference.CODES.keys() - covered == make_reference.NO_EXAMPLE


def test_every_corpus_file_belongs_to_a_case():
    # An orphan .expected or facts file would be a case that is never run.
    belonging = {f for case in make_reference.cases()
                 for f in (*make_reference.files_of(case), make_reference.expected_of(case))}
    present = {p for p in CORPUS.rglob("*") if p.is_file() and p.name.startswith("PR")}
    assert sorted(p.relative_to(CORPUS).as_posix() for p in present - belonging) == []
    assert sorted(p.relative_to(CORPUS).as_posix() for p in belonging - present
                  if p.suffix != ".expected") == []


def test_reference_page_is_up_to_date(request):
    page = make_reference.reference()
    if _updating(request):
        make_reference.PAGE.write_text(page, encoding="utf-8")
    assert make_reference.PAGE.read_text(encoding="utf-8") == page, (
        "docs/reference/diagnostics.md is stale; run pytest --update-golden "
        "(or .venv/bin/python tests/errors/make_reference.py)")
