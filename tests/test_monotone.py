"""Monotonicity claims: the static proofs (``check/direction.py``), the search for a
counterexample (``check/search.py``) and the pass that reports them (``check/monotone.py``).

The proofs are checked for soundness against evaluation over random rulesets; the search
is checked by flipping every claim of a seed ruleset and expecting a counterexample to each.
"""

from __future__ import annotations

import re
import textwrap
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import perfrules
from perfrules import nodes
from perfrules.check import PASSES
from perfrules.check import search
from perfrules.check.bounds import context_of
from perfrules.check.direction import Directions
from perfrules.check.search import values_of
from perfrules.check.tree import own_clauses, rules, rules_with_paths
from perfrules.diagnostics import Diagnostics
from perfrules.errors import CheckError, EvaluationError
from perfrules.parse import parse
from tests import strategies

ROOT = Path(__file__).resolve().parents[1]
SEEDS = [ROOT / "rulesets" / "shenzhen" / f"department-overall-{year}.rules" for year in (2023, 2024)]
NAMES = {(True, True): "constant", (True, False): "rises", (False, True): "falls", (False, False): "unknown"}

DECLARATIONS = """\
ruleset "t"
input x: number 0..100
input y: number 0..100
input n: number
input q: number 0..100 default x / 4
"""


def direction(expr: str, name: str = "x") -> str:
    tree = parse(DECLARATIONS + f"let e = {expr}\n")
    found = Directions(name, context_of(tree)).of(tree.of_type(nodes.Let)[0].value)
    return NAMES[(found.up, found.down)]


@pytest.mark.parametrize(("expr", "expected"), [
    ("x + y", "rises"), ("y - x", "falls"), ("-x", "falls"), ("y × 2", "constant"),
    ("x × 2", "rises"), ("x × -2", "falls"), ("x × y", "rises"), ("x × x", "rises"), ("x × n", "unknown"),
    ("(x - 50) × (x - 50)", "unknown"), ("x / 4", "rises"), ("x / y", "rises"), ("x / n", "unknown"),
    ("1 / (x + 1)", "falls"), ("y / x", "falls"), ("1 / (x - 50)", "unknown"),
    ("x / (x + y)", "rises"), ("y / (x + y)", "falls"), ("x / (y + x)", "rises"),
    ("min(x, 50)", "rises"), ("max(y, x)", "rises"), ("mean(x, y)", "rises"), ("sum(x, -y)", "rises"),
    ("abs(x)", "rises"), ("abs(-x)", "rises"), ("abs(n + x)", "unknown"), ("round(x, 1)", "rises"),
    ("q", "rises"), ("q - x", "unknown"), ("x - x", "unknown"),  # sound, not complete
    ("x > 5", "rises"), ("x <= y", "falls"), ("not (x > 5)", "falls"), ("x > 5 and y > 5", "rises"),
    ("x > 5 or x < 2", "unknown"), ("x = 5", "unknown"), ("y = 5", "constant"), ("yes", "constant"),
])
def test_directions_of_expressions(expr, expected):
    assert direction(expr) == expected


def test_a_let_in_a_loop_proves_nothing():
    tree = parse(DECLARATIONS + "let a = b + x\nlet b = a\n")
    assert not Directions("x", context_of(tree)).of(nodes.Ref("a")).up


# ---- the pass ---------------------------------------------------------------------------------------


def diagnose(text: str, codes=("PR201", "PR420", "PR421", "PR422", "PR423")) -> list:
    diagnostics = Diagnostics()
    for check_pass in PASSES:
        check_pass(parse(textwrap.dedent(text), name="t.rules"), diagnostics)
    return [d for d in diagnostics.sorted() if d.code in codes]


RULE = """\
    ruleset "t"
    input 率: percent 0%..100%
    input 完成: count
    input 计划: count
    input 违规: flag
    input 额: amount 万元
    input 默认率: percent default round(额 / (额 + 1), 4)
    indicator a 6 {{
      {body}
    }}
    """


@pytest.mark.parametrize("body", [
    "rises with 率; tiers 率: < 60% → 0; 60%..<90% → 3; ≥ 90% → 6",
    "falls with 率; tiers 率: < 60% → 6; 60%..<90% → 3; ≥ 90% → 0",
    "rises with 率; tiers 率: < 60% → 0; 60%..100% → 6; > 100% → 1",  # that band is out of reach
    "rises with 率; tiers 率: < 60% → 0; otherwise → 6",
    "rises with 完成; score min(完成 / 计划, 100%) × 6; on zero denominator → full",
    "falls with 计划; score min(完成 / 计划, 100%) × 6; on zero denominator → full",
    "falls with 完成; deduct 1 per 完成; deduct 0.5 when 完成 > 3; deduct 0.1 per started 1 of 完成 above 2",
    "rises with 率; exempt when 率 ≥ 95%; veto when 率 < 10% and 违规; score 率 × 6",
    "rises with 率; checklist { 3: 率 > 50%; 3: not (率 < 20%) }",
    "rises with 率; part p 3 { tiers 率: < 50% → 0; ≥ 50% → 3 }; part r 3 = 率 × 3",
    "rises with 额; tiers 默认率: < 50% → 0; ≥ 50% → 6",
])
def test_claims_proved_from_structure_need_no_search(body, monkeypatch):
    monkeypatch.setattr(search, "find_counterexample", _no_search)
    assert diagnose(RULE.format(body=body)) == []


def _no_search(*args, **kwargs):
    raise AssertionError("searched a claim the structure proves")


@pytest.mark.parametrize(("body", "blamed"), [
    ("rises with 率; tiers 率: < 40% → 0; 40%..60% → 6; > 60% → 0", "tiers 率"),
    ("rises with 率; tiers 率: 40%..60% → 6; otherwise → 0", "tiers 率"),
    ("rises with 率; exempt when 率 < 10%; score 率 × 6", "exempt when 率 < 10%"),
    ("falls with 计划; score min(完成 / 计划, 100%) × 6; on zero denominator → 0",
     "on zero denominator, since whether a denominator is 0 depends on it"),
    # 计划 = 0: below 50% the `and` reaches the division and scores full; from 50% it stops first.
    ("rises with 率; deduct 0.1 when 率 < 50% and 完成 / 计划 > 100%; score 率 × 6; on zero denominator → full",
     "on zero denominator, since whether a denominator is 0 depends on it"),
    ("rises with 完成; deduct 1 per 完成", "deduct 1 per 完成"),
])
def test_claims_refuted_with_a_counterexample(body, blamed):
    [found] = diagnose(RULE.format(body=body))
    assert found.code == "PR420" and found.severity == "error"
    assert re.fullmatch(r"indicator a is declared to (rise|fall) with \S+, but it scores [\d.]+ at \S+ = \S+( 万元)? "
                        r"and [\d.]+ at \S+ = \S+( 万元)?(, with .*)?", found.message), found.message
    assert found.notes[0][0].endswith(blamed)


def test_the_counterexample_is_concrete_and_shown_in_the_inputs_terms():
    [found] = diagnose(RULE.format(body="rises with 完成; veto when 完成 > 计划; score min(完成 / 计划, 100%) × 6"))
    assert found.message == ("indicator a is declared to rise with 完成, but it scores 6 at 完成 = 1 and 0 at "
                             "完成 = 2, with 计划 = 1")
    assert found.notes[0][0].endswith("veto when 完成 > 计划") and "%d:%d" % found.notes[0][1].line_col == "9:18"


def test_a_violation_is_an_error_that_stops_loading():
    with pytest.raises(CheckError) as raised:
        perfrules.loads(textwrap.dedent(RULE.format(body="rises with 完成; deduct 1 per 完成")))
    assert [d.code for d in raised.value.diagnostics if d.is_error] == ["PR420"]


def test_a_claim_neither_proved_nor_refuted_is_a_warning():
    body = "rises with 完成; tiers 完成 / max(计划, 完成): ≥ 100% → 6; < 100% → 0; on zero denominator → full"
    [found] = diagnose(RULE.format(body=body))
    assert (found.code, found.severity) == ("PR421", "warning")
    assert found.message == ("could not prove that indicator a rises with 完成; 200 searched cases found no "
                             "counterexample")


def test_the_search_is_deterministic():
    text = RULE.format(body="rises with 率; tiers 率: < 37% → 0; 37%..61% → 6; > 61% → 1")
    first, second = diagnose(text), diagnose(text)
    assert [d.message for d in first] == [d.message for d in second] and first[0].code == "PR420"


@pytest.mark.parametrize(("claim", "code", "message", "hint"), [
    ("rises with 完成数", "PR201", "unknown name 完成数", "did you mean 完成?"),
    ("rises with 默认", "PR201", "unknown name 默认", "did you mean 默认率?"),
    ("falls with 违规", "PR422", "违规 is a flag: yes or no cannot rise or fall", None),
    ("rises with 完成率", "PR422", "完成率 is a let, not an input: a claim is about an input the facts give",
     "name one of the inputs it is computed from: 完成, 计划"),
    ("rises with 额", "PR423", "indicator a never reads 额: its score does not depend on it", None),
])
def test_claims_must_name_a_numeric_input_the_rule_reads(claim, code, message, hint):
    text = RULE.format(body=f"{claim}; tiers 完成率: < 50% → 0; ≥ 50% → 6").replace(
        "indicator a", "let 完成率 = 完成 / 计划\nindicator a")
    [found] = diagnose(text)
    assert (found.code, found.message) == (code, message)
    if hint:
        assert found.hint == hint


def test_claim_names_are_checked_even_when_other_errors_stop_the_proofs():
    text = RULE.format(body="rises with 完成数; score 未知 × 6")
    assert [d.code for d in diagnose(text)] == ["PR201", "PR201"]
    wrong = RULE.format(body="rises with 完成; deduct 1 per 完成") + "indicator b 1 = 未知\n"
    assert [d.code for d in diagnose(wrong)] == ["PR201"]  # no proof, no search, until it is fixed


@settings(max_examples=3, deadline=None)
@given(st.integers(0, 5))
def test_a_check_inside_a_hypothesis_test_runs_its_own_search(n):
    # Nested @given fails Hypothesis's health check; the search runs in a thread of its own.
    text = RULE.format(body=f"rises with 率; tiers 率: < {40 + n}% → 0; {40 + n}%..60% → 6; > 60% → 0")
    assert [d.code for d in diagnose(text)] == ["PR420"]


# ---- the seeds ---------------------------------------------------------------------------------------


def _claims(tree):
    return [(rule, claim) for rule in rules(tree) for claim in own_clauses(rule, nodes.Monotone)]


@pytest.mark.parametrize("path", SEEDS, ids=lambda p: p.name)
def test_every_seed_claim_is_proved_statically(path):
    tree = parse(path.read_text(encoding="utf-8"))
    context = context_of(tree)
    claims = _claims(tree)
    assert len(claims) == 18
    for rule, claim in claims:
        assert Directions(claim.input, context).of_rule(rule)[0].holds(claim.direction), (rule.name, claim)


def test_every_flipped_seed_claim_is_refuted():
    text = SEEDS[1].read_text(encoding="utf-8")
    flipped = re.sub(r"\b(rises|falls) with", lambda m: ("falls" if m[1] == "rises" else "rises") + " with", text)
    found = diagnose(flipped)
    assert [d.code for d in found] == ["PR420"] * 18
    assert {d.message.split(" is declared")[0] for d in found} >= {
        "indicator 预算编制规范性", "part 调整调剂规范性", "part 三公经费", "indicator 编外人员控制率", "indicator 预算执行率"}


def test_the_procurement_rate_does_not_rise_with_spending():
    # The seeds say why they make no such claim; this is the counterexample.
    text = SEEDS[1].read_text(encoding="utf-8")
    anchor = "        # not `rises with 实际采购金额`"
    assert anchor in text
    [found] = diagnose(text.replace(anchor, "        rises with 实际采购金额\n" + anchor))
    assert found.message == ("part 执行率 is declared to rise with 实际采购金额, but it scores 1 at 实际采购金额 = "
                             "1 万元 and 0 at 实际采购金额 = 1.01 万元, with 采购计划金额 = 1 万元")


# ---- soundness -------------------------------------------------------------------------------------------

_NUMERIC = ("p0", "p1", "c0", "c1", "a0", "a1", "j0")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_what_the_structure_proves_evaluation_never_contradicts(data):
    text = data.draw(strategies.ruleset_texts())
    ruleset, tree = perfrules.loads(text), parse(text)
    context = context_of(tree)
    slots = {slot.name: slot for slot in ruleset.model.inputs}
    name = data.draw(st.sampled_from(_NUMERIC))
    proved = {}
    for path, rule in rules_with_paths(tree):
        found = Directions(name, context).of_rule(rule)[0]
        if found.up or found.down:
            proved[path] = found
    facts = data.draw(strategies.facts_for(ruleset.model))
    low, high = sorted(data.draw(st.lists(values_of(slots[name]), min_size=2, max_size=2, unique=True)))
    at_low, at_high = _scores(ruleset, facts | {name: low}), _scores(ruleset, facts | {name: high})
    for path, found in proved.items():
        if path in at_low and path in at_high:
            assert not found.up or at_low[path] <= at_high[path], (path, name, low, high)
            assert not found.down or at_low[path] >= at_high[path], (path, name, low, high)


def _scores(ruleset, facts) -> dict[tuple[str, ...], Decimal]:
    try:
        result = ruleset.evaluate(facts)
    except EvaluationError:
        return {}
    return {node.path: node.score for node in result.root.walk() if node.kind in ("indicator", "part")}


def test_a_range_no_value_fits_is_reported_and_not_searched():
    text = 'ruleset "t"\ninput x: number 5..1\nindicator a 1 { rises with x; tiers x × x: < 3 → 0; otherwise → 1 }\n'
    # The empty range is an error (PR303); claims of a ruleset with errors are not searched.
    assert [d.code for d in diagnose(text, codes=("PR303", "PR420", "PR421"))] == ["PR303"]
