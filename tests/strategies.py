"""Hypothesis strategies: random valid rulesets, as text, and facts for a checked model.

Rulesets are generated as text so every property exercises the parser, the checker and
the build as well. Facts are biased toward the edges of bands and deduction thresholds,
where exact and binary arithmetic part ways.
"""

from __future__ import annotations

from decimal import Decimal

from hypothesis import strategies as st

from perfrules import model
from perfrules.fmt import number_text

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


def _pct(value: Decimal) -> str:
    return number_text(value, percent=True)


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
    """A random ruleset that checks without errors."""
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


def edges(ruleset: model.Ruleset) -> list[Decimal]:
    """Values at and beside every band bound and deduction threshold of a ruleset."""
    found = set()
    for rule in _all_rules(ruleset):
        if isinstance(rule.base, model.Tiers):
            for band in rule.base.bands:
                found.update(v for v in (band.low, band.high) if v is not None)
        for deduction in rule.deductions:
            if deduction.threshold is not None:
                found.add(deduction.threshold)
    step = Decimal("0.0001")
    return sorted({v + d for v in found for d in (-step, 0, step) if v + d >= 0})


def _all_rules(ruleset: model.Ruleset):
    stack = list(ruleset.rules())
    while stack:
        rule = stack.pop()
        yield rule
        stack.extend(rule.parts)


@st.composite
def facts_for(draw, ruleset: model.Ruleset) -> dict:
    """Valid facts for every input of ``ruleset``, biased toward band edges."""
    near_edges = edges(ruleset)
    facts = {}
    for slot in ruleset.inputs:
        if slot.default is not None and draw(st.booleans()):
            continue  # let the default compute it
        facts[slot.name] = draw(_value(slot, near_edges))
    return facts


def _value(slot: model.InputSlot, near_edges: list[Decimal]):
    if slot.kind == "flag":
        return st.booleans()
    if slot.kind == "count":
        return st.integers(0, 30)
    if slot.kind == "amount":
        return st.decimals(0, 10000, places=2)
    if slot.kind == "judged":
        return st.decimals(slot.low, slot.high, places=2)
    if slot.kind in ("percent", "ratio"):
        plain = st.decimals(0, 2, places=4)
        as_text = plain.map(lambda v: _pct(v))
        choices = [plain, as_text]
        if near_edges:
            choices.insert(0, st.sampled_from(near_edges))
        return st.one_of(*choices)
    return st.decimals(-10, 10, places=3)
