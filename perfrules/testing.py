"""Testing tools for developers who embed perfrules: Hypothesis strategies and property
helpers usable in any pytest suite.

Strategies: ``facts_for(ruleset)`` draws valid facts for a checked ruleset, respecting
every input's kind and range and biased toward band edges and deduction thresholds,
where exact and binary arithmetic part ways; ``rulesets()`` draws random valid ruleset
texts for fuzzing, as text so that a property exercises the parser, the checker and the
build too; ``edges(ruleset)`` lists the values at and beside every edge.

Property helpers (``assert_bounded``, ``assert_monotone``, ``assert_deductions_floored``,
``assert_compiled_equals_interpreted``) raise ``AssertionError`` with a message that
names the rule, the numbers and the facts. They judge results; they never score:
scoring lives in ``runtime`` alone.

>>> from hypothesis import given, strategies as st
>>> import perfrules
>>> from perfrules import testing
>>> ruleset = perfrules.loads('ruleset "r" input x: percent 0%..100% '
...                           'indicator t 1 { tiers x: < 5% → 1; ≥ 5% → 0 }')
>>> @given(testing.facts_for(ruleset))
... def test_bounded(facts):
...     testing.assert_bounded(ruleset, facts)
>>> test_bounded()
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

import attrs
from hypothesis import strategies as st

from perfrules import facts as facts_module
from perfrules import model, result
from perfrules.diagnostics import did_you_mean
from perfrules.errors import EvaluationError
from perfrules.fmt import number_text

__all__ = [
    "assert_bounded", "assert_compiled_equals_interpreted", "assert_deductions_floored", "assert_monotone",
    "bands", "conditions", "edges", "facts_for", "ratios", "ruleset_texts", "rulesets",
]

CUTS = [Decimal(x) for x in ("0", "0.05", "0.1", "0.5", "0.75", "0.9", "1", "1.2")]
SUBJECTS = ("p0", "p1", "r0", "r1")
DECLARATIONS = """input p0: percent
input p1: percent
input c0: count
input c1: count
input a0: amount 万元
input a1: amount 万元
input j0: judged 0..1
input f0: flag
input f1: flag
input q0: percent default round(a0 / (a0 + a1), 4)
let r0 = c0 / (c0 + c1)
let r1 = round(q0, 2)
"""
EDGE_STEP = Decimal("0.0001")  # 0.01%: reports print rates to two decimals of a percent


def _pct(value: Decimal) -> str:
    return number_text(value, percent=True)


def _model(ruleset) -> model.Ruleset:
    # Accept the compiled Ruleset of perfrules.load as well as a checked model.
    return ruleset if isinstance(ruleset, model.Ruleset) else ruleset.model


# ---- random ruleset texts ------------------------------------------------------------------

RATIO_LEAVES = st.sampled_from(["p0", "p1", "r0", "r1", "q0", "5%", "10%", "100%", "c0 / c1", "a0 / a1"])
MODES = ["half_up", "half_even", "down", "up", "ceiling", "floor", "half_down"]


def ratios(depth: int = 2) -> st.SearchStrategy[str]:
    """Ratio-valued expressions using every arithmetic form and function."""
    if depth == 0:
        return RATIO_LEAVES
    sub = ratios(depth - 1)
    return st.one_of(
        RATIO_LEAVES,
        st.tuples(st.sampled_from(["min", "max", "mean", "sum"]), sub, sub).map(lambda t: f"{t[0]}({t[1]}, {t[2]})"),
        st.tuples(sub, st.sampled_from(["+", "-"]), sub).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
        st.tuples(sub, st.sampled_from(["× 2", "/ 4", "× 0.5"])).map(lambda t: f"{t[0]} {t[1]}"),
        sub.map(lambda e: f"abs({e} - 50%)"),
        sub.map(lambda e: f"-{e}"),
        st.tuples(sub, st.integers(0, 4), st.sampled_from(MODES)).map(lambda t: f"round({t[0]}, {t[1]}, {t[2]})"),
    )


def conditions(depth: int = 2) -> st.SearchStrategy[str]:
    """Flag-valued expressions: comparisons of every kind, and, or, not."""
    compare = st.tuples(ratios(1), st.sampled_from(["<", "<=", ">", ">=", "=", "!=", "≤", "≥"]), ratios(1))
    leaves = st.one_of(st.sampled_from(["f0", "f1", "yes", "no", "c0 <= c1", "a0 > a1"]),
                       compare.map(lambda t: f"{t[0]} {t[1]} {t[2]}"))
    if depth == 0:
        return leaves
    sub = conditions(depth - 1)
    return st.one_of(
        leaves,
        sub.map(lambda e: f"not ({e})"),
        st.tuples(sub, st.sampled_from(["and", "or"]), sub).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
    )


def points(maximum: Decimal) -> st.SearchStrategy[Decimal]:
    steps = int(maximum * 10)
    return st.integers(0, steps).map(lambda n: Decimal(n) / 10)


@st.composite
def bands(draw, maximum: Decimal, *, rising: bool = False) -> str:
    """A gap-free, overlap-free band list; with ``rising``, points never fall as values grow."""
    cuts = sorted(draw(st.sets(st.sampled_from(CUTS), min_size=1, max_size=4)))
    # closed_below[i]: does the band below cut i include the cut itself?
    closed_below = [draw(st.booleans()) for _ in cuts]
    values = [draw(points(maximum)) for _ in range(len(cuts) + 1)]
    if rising:
        values.sort()
    texts = [f"{'<=' if closed_below[0] else '<'} {_pct(cuts[0])}"]
    for i in range(len(cuts) - 1):
        low_open = "<" if closed_below[i] else ""
        high_open = "" if closed_below[i + 1] else "<"
        texts.append(f"{_pct(cuts[i])}{low_open}..{high_open}{_pct(cuts[i + 1])}")
    texts.append(f"{'>' if closed_below[-1] else '>='} {_pct(cuts[-1])}")
    return "; ".join(f"{t} → {number_text(v)}" for t, v in zip(texts, values))


@st.composite
def bodies(draw, maximum: Decimal, *, allow_parts: bool = True) -> str:
    """The clauses of one indicator or part worth ``maximum``: every base and guard."""
    shapes = ["tiers", "score", "deduct_item", "deduct_unit"]
    if maximum >= 2:
        shapes.append("checklist")
    if allow_parts and maximum >= 2:
        shapes.append("parts")
    shape = draw(st.sampled_from(shapes))
    m = number_text(maximum)
    clauses = []
    if draw(st.booleans()):
        guard = draw(st.sampled_from(["veto when", "exempt when", "deduct 0.5 when"]))
        clauses.append(f"{guard} {draw(conditions())}")
    if shape == "tiers":
        subject = draw(st.sampled_from(SUBJECTS) | ratios())
        clauses.append(f"tiers {subject}: {draw(bands(maximum))}")
    elif shape == "score":
        clauses.append("score " + draw(st.sampled_from([
            f"min(r0, 100%) × {m}", f"min(a0 / a1, 1) × {m}", f"mean(p0, p1) × {m}",
            f"max(p0 - 10%, 0) × {m}", "j0", f"min(q0 × {m}, {m})",
        ]) | ratios().map(lambda e: f"min(max({e}, 0), 1) × {m}")))
    elif shape == "deduct_item":
        clauses.append(f"deduct {draw(st.sampled_from(['0.5', '1', '4']))} per c0")
    elif shape == "deduct_unit":
        counting = draw(st.sampled_from(["started", "whole"]))
        clauses.append(f"deduct 0.1 per {counting} 1% of p0 above 10%")
    elif shape == "checklist":
        test = draw(st.sampled_from(["f0"]) | conditions(1))
        clauses.append(f'checklist {{ 1 "judged": j0; {number_text(maximum - 1)} "flag": {test} }}')
    else:
        first = Decimal(1)
        clauses.append(f"part pa 1 {{ {draw(bodies(first, allow_parts=False))} }}")
        clauses.append(f"part pb {number_text(maximum - first)} {{ {draw(bodies(maximum - first, allow_parts=False))} }}")
    if draw(st.booleans()):
        clauses.append(f"on zero denominator → {draw(st.sampled_from(['full', '0', number_text(maximum / 2)]))}")
    return "; ".join(clauses)


@st.composite
def ruleset_texts(draw) -> str:
    """A random ruleset that checks without errors, as text."""
    maxima = draw(st.lists(st.sampled_from([Decimal(n) for n in ("1", "2", "3", "5", "6")]), min_size=1, max_size=5))
    mode = draw(st.sampled_from(["half_up", "half_even", "down"]))
    indicators = "\n".join(
        f"  indicator i{n} {number_text(m)} {{ {draw(bodies(m))} }}" for n, m in enumerate(maxima)
    )
    total = number_text(sum(maxima))
    return (
        f'ruleset "generated" version "1"\nrounding {mode} 2\n{DECLARATIONS}'
        f"group g {total} {{\n{indicators}\n}}\n"
        f"grade {{ >= {total} → 满分; < {total} → 其他 }}\n"
    )


def rulesets() -> st.SearchStrategy[str]:
    """Random valid ruleset texts, for fuzzing: ``perfrules.loads(text)`` never fails."""
    return ruleset_texts()


# ---- facts for a checked ruleset -----------------------------------------------------------


def edges(ruleset) -> list[Decimal]:
    """Values at and one ``EDGE_STEP`` beside every band bound and deduction threshold
    of a ruleset (a compiled ``Ruleset`` or its model), not negative, in order."""
    found = set()
    for rule in _model(ruleset).all_rules():
        if isinstance(rule.base, model.Tiers):
            for band in rule.base.bands:
                found.update(v for v in (band.low, band.high) if v is not None)
        for deduction in rule.deductions:
            if deduction.threshold is not None:
                found.add(deduction.threshold)
    return sorted({v + d for v in found for d in (-EDGE_STEP, 0, EDGE_STEP) if v + d >= 0})


@st.composite
def facts_for(draw, ruleset) -> dict:
    """Valid facts for every input of ``ruleset`` (compiled, or its model): each value of
    the input's kind and within its range, percents as text or ratios, biased toward
    band edges. An input with a default is sometimes left out, so the default computes it."""
    checked = _model(ruleset)
    near_edges = edges(checked)
    facts = {}
    for slot in checked.inputs:
        if slot.default is not None and draw(st.booleans()):
            continue
        facts[slot.name] = draw(_value(slot, near_edges))
    return facts


def _value(slot: model.InputSlot, near_edges: list[Decimal]):
    low = slot.low if slot.low is not None else (Decimal(-10) if slot.kind == "number" else Decimal(0))
    if slot.kind == "flag":
        return st.booleans()
    if slot.kind == "count":
        first = int(low.to_integral_value(rounding="ROUND_CEILING"))
        last = int(slot.high.to_integral_value(rounding="ROUND_FLOOR")) if slot.high is not None else first + 30
        return st.integers(first, last)
    if slot.kind == "judged":
        return st.decimals(slot.low, slot.high, places=2)
    high = slot.high if slot.high is not None else {"amount": Decimal(10000), "number": Decimal(10)}.get(
        slot.kind, Decimal(2))
    if slot.kind == "amount":
        return st.decimals(low, high, places=2)
    if slot.kind == "number":
        return st.decimals(low, high, places=3)
    plain = st.decimals(low, high, places=4)
    choices = [plain, plain.map(_pct)]
    inside = [v for v in near_edges if low <= v <= high]
    if inside:
        choices.insert(0, st.sampled_from(inside))
    return st.one_of(*choices)


# ---- property helpers ----------------------------------------------------------------------


def assert_bounded(ruleset, facts: Mapping) -> result.Result:
    """Every group, indicator and part scores within ``[0, max]``, every group is the sum
    of its members, and the total the sum of the indicators.

    Returns:
        The result, for further checks.

    Raises:
        AssertionError: naming each node out of bounds or not adding up.
    """
    scored = ruleset.evaluate(facts)
    problems = []
    for node in scored.root.walk():
        if not Decimal(0) <= node.score <= node.max:
            problems.append(f"{_where(node)} scores {node.score}, outside [0, {node.max}]")
        if node.kind == "group":
            added = sum((c.score for c in node.children), Decimal(0))
            if added != node.score:
                problems.append(f"{_where(node)} scores {node.score}, its members add up to {added}")
    _fail_if(problems, "scores out of bounds", facts)
    return scored


def assert_monotone(ruleset, input: str, facts_a: Mapping, facts_b: Mapping, direction: str = "rises",
                    *, node: str | None = None) -> None:
    """The score of ``node`` (default: the total) does not move against ``direction`` when
    only ``input`` changes between ``facts_a`` and ``facts_b``.

    Args:
        ruleset: A compiled ``Ruleset``.
        input: The name of the input that differs.
        facts_a, facts_b: Facts that agree on every other input.
        direction: ``"rises"`` (the score never falls as the input grows) or ``"falls"``.
        node: A group, indicator or part name or path suffix; None for the total.

    Raises:
        ValueError: a bad direction, an unknown input, or facts that differ elsewhere too.
        AssertionError: the score moved the wrong way.
    """
    if direction not in ("rises", "falls"):
        raise ValueError(f"direction must be 'rises' or 'falls', not {direction!r}")
    index = _input_index(ruleset.model, input)
    values = [facts_module.read(ruleset.model, f) for f in (facts_a, facts_b)]
    others = [s.name for s in ruleset.model.inputs if s.index != index and values[0][s.index] != values[1][s.index]]
    if others:
        raise ValueError(f"the facts must differ only in {input}, but they differ in {', '.join(others)} too")
    if None in (values[0][index], values[1][index]):
        raise ValueError(f"both facts must give {input}")
    (x_low, low), (x_high, high) = sorted(
        [(values[0][index], facts_a), (values[1][index], facts_b)], key=lambda pair: pair[0])
    score_low, score_high = (_score_of(ruleset.evaluate(f), node) for f in (low, high))
    wrong = score_high < score_low if direction == "rises" else score_high > score_low
    if wrong:
        moved = "falls" if score_high < score_low else "rises"
        slot = ruleset.model.inputs[index]
        raise AssertionError(
            f"{node or 'the total'} {moved} from {score_low} to {score_high} as {input} grows from "
            f"{_shown(slot, x_low)} to {_shown(slot, x_high)}; it should never {_against(direction)} "
            f"as {input} grows")


def assert_deductions_floored(ruleset, facts: Mapping) -> result.Result:
    """Deductions never take a score below zero (扣完为止), and a rule that deducts scores
    exactly its base less its deductions, kept within ``[0, max]`` (then rounded).

    Raises:
        AssertionError: naming the rule, its base, its deductions and its score.
    """
    scored = ruleset.evaluate(facts)
    problems = [p for n in scored.root.walk() if (p := _deduction_problem(n))]
    _fail_if(problems, "deductions not floored at zero", facts)
    return scored


def assert_compiled_equals_interpreted(ruleset, facts: Mapping) -> None:
    """The compiled evaluator and the reference interpreter give the same result (or the
    same evaluation error).

    Raises:
        AssertionError: naming the first node where they differ.
    """
    compiled, interpreted = _outcome(ruleset.evaluate, facts), _outcome(ruleset.interpret, facts)
    if compiled == interpreted:
        return
    if isinstance(compiled, result.Result) and isinstance(interpreted, result.Result):
        for left, right in zip(compiled.root.walk(), interpreted.root.walk()):
            # A node's own fields, not its members': name the node that differs, not its group.
            if attrs.evolve(left, children=()) != attrs.evolve(right, children=()):
                raise AssertionError(
                    f"compiled and interpreted differ at {_where(left)}: compiled {left.score} "
                    f"({left.reason}), interpreted {right.score} ({right.reason}); facts {dict(facts)!r}")
    raise AssertionError(f"compiled gives {_brief(compiled)}, interpreted {_brief(interpreted)}; "
                         f"facts {dict(facts)!r}")


def _deduction_problem(node: result.Node) -> str | None:
    deducted = [s.amount for s in node.why if isinstance(s, result.Deducted)]
    if not deducted:
        return None
    base = _base(node.why)
    limited = min(max(base - sum(deducted), Decimal(0)), node.max)
    rounded = next((s for s in node.why if isinstance(s, result.Rounded)), None)
    expected = rounded.after if rounded is not None and rounded.before == limited else limited
    if node.score < 0 or node.score != expected:
        taken = " + ".join(str(d) for d in deducted)
        return f"{_where(node)} scores {node.score}; base {base} less {taken} kept within [0, {node.max}] is {limited}"
    return None


def _base(why) -> Decimal:
    """The score a rule had before its deductions, as its steps tell it."""
    items = [s.awarded for s in why if isinstance(s, result.ItemScored)]
    if items:
        return sum(items, Decimal(0))
    for step in why:
        match step:
            case result.BandMatched(points=value) | result.StartsFull(points=value):
                return value
            case result.FormulaValue(value=value) | result.PartsAdded(total=value):
                return value
    return Decimal(0)


def _outcome(evaluate, facts):
    try:
        return evaluate(facts)
    except EvaluationError as error:
        return tuple(d.render() for d in error.diagnostics)


def _brief(outcome) -> str:
    if isinstance(outcome, result.Result):
        return f"total {outcome.total}"
    return "the error " + "; ".join(line.splitlines()[0] for line in outcome)


def _input_index(checked: model.Ruleset, name: str) -> int:
    for slot in checked.inputs:
        if slot.name == name:
            return slot.index
    hint = did_you_mean(name, [s.name for s in checked.inputs])
    raise ValueError(f"{checked.name} has no input {name}" + (f"; {hint}" if hint else ""))


def _score_of(scored: result.Result, node: str | None) -> Decimal:
    return scored.total if node is None else scored.find(node).score


def _against(direction: str) -> str:
    return "fall" if direction == "rises" else "rise"


def _shown(slot: model.InputSlot, value) -> str:
    return number_text(value, percent=slot.kind in ("percent", "ratio"))


def _where(node: result.Node) -> str:
    return " / ".join(node.path) or "the total"


def _fail_if(problems: list[str], what: str, facts: Mapping) -> None:
    if problems:
        listed = "\n".join(f"  {p}" for p in problems)
        raise AssertionError(f"{what}:\n{listed}\nfacts: {dict(facts)!r}")
