"""The fingerprint names a ruleset's meaning: layout and comments keep it, any change of
meaning (a band edge, a point, a text, a name) gives another, and every result carries it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import perfrules
from perfrules import explain
from perfrules.fingerprint import canonical_text, fingerprint
from perfrules.fmt_layout import format_text
from perfrules.parse import parse

ROOT = Path(__file__).resolve().parents[1]
SEED = (ROOT / "rulesets" / "shenzhen" / "department-overall-2024.rules").read_text(encoding="utf-8")
SMALL = '''ruleset "编外" version "1"
input 编外人员数: count
input 在编人数: count
let 编外人员控制率 = 编外人员数 / (在编人数 + 编外人员数)
indicator 编外人员控制率 1 "比率" {
  tiers 编外人员控制率: < 5% → 1; 5%..10% → 0.5; > 10% → 0
}
'''


def fp(text: str) -> str:
    return fingerprint(parse(text))


def test_the_fingerprint_of_a_known_ruleset_is_pinned():
    # The canonical text is the fingerprint's definition: changing how it is written
    # changes every archived fingerprint, so it must be a deliberate change.
    assert fp(SMALL) == "c51170524584abcc"
    assert canonical_text(parse(SMALL)).splitlines()[-3:] == [
        'indicator 编外人员控制率 1 "比率" {',
        "  tiers 编外人员控制率: < 5% → 1; 5%..10% → 0.5; > 10% → 0",
        "}",
    ]


@pytest.mark.parametrize("relaid", [
    SMALL.replace("\n", "\n\n"),
    SMALL.replace("→", "->").replace("..", "～").replace(";", "；"),
    SMALL.replace("indicator", "# a comment\nindicator").replace("}", "}  # closing"),
    SMALL.replace("< 5%", "<5.0%").replace("0.5", "0.50").replace("(", "（").replace(")", "）"),
    " ".join(SMALL.split()),
])
def test_layout_spelling_and_comments_keep_the_fingerprint(relaid):
    assert fp(relaid) == fp(SMALL)


def test_formatting_a_seed_ruleset_keeps_its_fingerprint():
    assert fp(format_text(SEED)) == fp(SEED)


@pytest.mark.parametrize("edited", [
    SMALL.replace("5%..10%", "5%..<10%").replace("> 10%", "≥ 10%"),  # a band edge changes sides
    SMALL.replace("→ 0.5", "→ 0.4"),
    SMALL.replace('"比率"', '"比率。"'),  # a description
    SMALL.replace('version "1"', 'version "2"'),
    SMALL.replace("indicator 编外人员控制率 1", "indicator 编外人员控制率 1 id \"x\""),
    SMALL.replace("(在编人数 + 编外人员数)", "(编外人员数 + 在编人数)"),  # same value, other formula
])
def test_any_change_of_meaning_changes_the_fingerprint(edited):
    assert parse(edited) != parse(SMALL)
    assert fp(edited) != fp(SMALL)


def test_equal_fingerprints_mean_equal_trees_because_the_canonical_text_reads_back():
    # fmt is injective on trees since parse(fmt(t)) == t (tests/property/test_fmt_roundtrip.py),
    # so equal canonical texts, hence equal hashes barring a SHA-256 collision, mean equal trees.
    tree = parse(SEED)
    assert parse(canonical_text(tree)) == tree


def test_every_result_names_the_ruleset_with_its_fingerprint():
    ruleset = perfrules.loads(SMALL)
    result = ruleset.evaluate({"编外人员数": 1, "在编人数": 9})
    assert ruleset.fingerprint == fp(SMALL) == result.ruleset.fingerprint
    assert json.loads(explain.render_json(result))["ruleset"] == {
        "name": "编外", "version": "1", "fingerprint": fp(SMALL)}
    assert explain.render_text(result).rstrip().endswith(f"编外 · version 1 · fingerprint {fp(SMALL)}")
    assert f"fingerprint {fp(SMALL)}" in explain.render_markdown(result)


@given(st.sampled_from(["\n", "\n\n", "  ", "\t"]))
def test_white_space_between_tokens_never_matters(space):
    assert fp(SMALL.replace(" ", space).replace("input\n", "input ")) == fp(SMALL)
