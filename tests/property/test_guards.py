"""A veto can only lower a score and an exemption only raise it, over random rules.

Each example scores one rule with and without a guard on the same facts. By the runtime's
semantics a veto scores 0 and an exemption the max, so the guard can only move the score
the right way, with one exception the checker knows about: a guard whose condition meets a
zero denominator makes the rule score its `on zero denominator` points, which may be more
than a veto's 0 or less than an exemption's max. There the checker must have warned
(PR419). And when the checker says a guard is decided in advance (PR418), the scores with
and without it must agree with what it said.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

import perfrules
from perfrules.errors import EvaluationError
from tests import strategies

MAXIMA = [Decimal(n) for n in ("1", "2", "3", "5")]


def _ruleset(maximum: Decimal, clauses: str) -> perfrules.Ruleset:
    text = f'ruleset "guards"\n{strategies.DECLARATIONS}indicator i {maximum} {{ {clauses} }}\n'
    return perfrules.loads(text, name="guards.rules")


def _score(ruleset: perfrules.Ruleset, facts) -> Decimal | None:
    try:
        return ruleset.evaluate(facts).find("i").score
    except EvaluationError:
        return None  # a zero denominator nobody answers: no score to compare


def _new(code: str, bare: perfrules.Ruleset, guarded: perfrules.Ruleset) -> list[str]:
    """The ``code`` warnings the added guard brought (the drawn body may have guards of its own)."""
    before = Counter(w.message for w in bare.warnings if w.code == code)
    return list((Counter(w.message for w in guarded.warnings if w.code == code) - before).elements())


# Conditions that divide by figures the facts below often make 0.
_DIVIDING = st.sampled_from(["c0 / c1 > 50%", "r0 >= 50%", "a0 / a1 < 100%", "not (q0 > 10%)", "r1 = 0%"])


@st.composite
def _guarded(draw):
    maximum = draw(st.sampled_from(MAXIMA))
    body = draw(strategies.bodies(maximum))
    if "on zero" not in body and draw(st.booleans()):
        body += f"; on zero denominator → {draw(st.sampled_from(['full', '0', str(maximum / 2)]))}"
    word = draw(st.sampled_from(["veto", "exempt"]))
    guard = f"{word} when {draw(strategies.conditions() | _DIVIDING)}"
    on_part = "part pa 1 {" in body and draw(st.booleans())  # then it moves its indicator's score
    guarded = body.replace("part pa 1 {", f"part pa 1 {{ {guard};", 1) if on_part else f"{guard}; {body}"
    # The score the guard gives when it holds: the rule's, or none the indicator shows.
    extreme = None if on_part else (Decimal(0) if word == "veto" else maximum)
    return (maximum, extreme), word, _ruleset(maximum, body), _ruleset(maximum, guarded), guarded


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_a_veto_never_raises_a_score_and_an_exemption_never_lowers_one(data):
    (_, extreme), word, bare, guarded, clauses = data.draw(_guarded())
    facts = data.draw(strategies.facts_for(guarded.model))
    if data.draw(st.booleans()):
        facts |= {"c0": 0, "c1": 0, "a0": 0, "a1": 0}  # every ratio of the declarations divides by 0
    before, after = _score(bare, facts), _score(guarded, facts)
    if before is None or after is None:
        return
    wrong_way = after > before if word == "veto" else after < before
    warned = _new("PR419", bare, guarded)
    # Only a zero denominator in the guard's condition can move the score the wrong way,
    # or anywhere but to the guard's own score, and then PR419 has said so.
    assert warned or not wrong_way, (clauses, before, after)
    if not warned and extreme is not None:
        assert after in (before, extreme), (clauses, before, after)


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_a_guard_decided_in_advance_acts_as_the_checker_said(data):
    (maximum, extreme), word, bare, guarded, clauses = data.draw(_guarded())
    said = " ".join(_new("PR418", bare, guarded))
    facts = data.draw(strategies.facts_for(guarded.model))
    before, after = _score(bare, facts), _score(guarded, facts)
    if not said or before is None or after is None or any(w.code == "PR419" for w in guarded.warnings):
        return
    if "never holds" in said or "never changes" in said:
        assert after == before, (said, clauses)
    elif extreme is None:
        return  # a part's guard: the indicator's score also counts the other parts
    elif "always scores 0 unless an exemption applies" in said:
        assert after in (0, maximum), (said, clauses)
    elif "always holds" in said:
        assert after == extreme, (said, clauses)
