"""What the fast scorer can decide when it is generated, from the checked model alone.

Three questions, each answered conservatively (a "don't know" costs a comparison, never
a wrong score):

- which band tests the bands before already decide (``band_conditions``);
- where a rule's value can lie before its [0, max] limit (``decided_bounds``), so a
  comparison that can never hold is left out;
- whether every way a rule can end is a constant (``is_constant``), so its limit and
  rounding are applied once, here, by ``runtime.settle``.
"""

from __future__ import annotations

import decimal
from decimal import Decimal

from perfrules import model, nodes, runtime

Bounds = tuple[Decimal | None, Decimal | None]  # None: unbounded on that side
_UNKNOWN: Bounds = (None, None)
_ZERO = Decimal(0)
# Bounds are sums of a few constants; a wide context keeps them exact.
_EXACT = decimal.Context(prec=200, traps=[decimal.Inexact, decimal.InvalidOperation])


# ---- bands ---------------------------------------------------------------------------------


def band_conditions(bands, subject: str, constant) -> list[str | None]:
    """The test of each band, given that the tests of the bands before it failed.

    A side is left out when the bands before already cover every value beyond it, so
    ``≥ 90% → 1; 75%..<90% → 0.7`` tests ``x >= 0.9`` then ``x >= 0.75`` only. ``None``
    means the band takes every value that reaches it; the list stops there.
    """
    tests: list[str | None] = []
    before: list[model.Band] = []
    for band in bands:
        parts = []
        if not band.is_otherwise:
            if band.low is not None and not _covered(before, band.low, not band.low_closed, below=True):
                parts.append(f"{subject} {'>=' if band.low_closed else '>'} {constant(band.low)}")
            if band.high is not None and not _covered(before, band.high, not band.high_closed, below=False):
                parts.append(f"{subject} {'<=' if band.high_closed else '<'} {constant(band.high)}")
        tests.append(" and ".join(parts) or None)
        if not parts:
            break
        before.append(band)
    return tests


def _covered(bands: list[model.Band], edge: Decimal, closed: bool, *, below: bool) -> bool:
    """Whether ``bands`` together hold every value beyond ``edge``: below it (``v < edge``,
    or ``v <= edge`` when ``closed``) or above it (``v > edge``, or ``v >= edge``)."""
    if below:  # mirror: a value below the edge is a negated value above the negated edge
        bands = [_mirror(b) for b in bands]
        edge = -edge
    return _covered_above(bands, edge, closed)


def _mirror(band: model.Band) -> model.Band:
    return model.Band(
        low=-band.high if band.high is not None else None, high=-band.low if band.low is not None else None,
        low_closed=band.high_closed, high_closed=band.low_closed, is_otherwise=band.is_otherwise,
        points=band.points, text=band.text,
    )


def _covered_above(bands: list[model.Band], start: Decimal, closed: bool) -> bool:
    # Walk up from the start of the ray through bands that reach it, until one has no end.
    for _ in range(2 * len(bands) + 1):
        reach = None
        for band in bands:
            if band.is_otherwise or not _reaches(band, start, closed):
                continue
            if band.high is None:
                return True
            step = (band.high, not band.high_closed)  # where the ray starts after this band
            if reach is None or _further(step, reach):
                reach = step
        if reach is None or not _further(reach, (start, closed)):
            return False
        start, closed = reach
    return False


def _reaches(band: model.Band, start: Decimal, closed: bool) -> bool:
    """The band holds the values of the ray just after its start (and the start itself
    when ``closed``)."""
    if band.low is not None and (band.low > start or (band.low == start and closed and not band.low_closed)):
        return False
    if band.high is None:
        return True
    return band.high > start or (band.high == start and closed and band.high_closed)


def _further(a: tuple[Decimal, bool], b: tuple[Decimal, bool]) -> bool:
    # A ray starting at (value, closed): (5, open) starts after (5, closed).
    return a[0] > b[0] or (a[0] == b[0] and b[1] and not a[1])


# ---- bounds of a rule's value ---------------------------------------------------------------


def decided_bounds(ruleset: model.Ruleset, rule: model.Rule) -> Bounds:
    """Where the value of ``rule`` lies before its limit, as far as the model tells."""
    try:
        with decimal.localcontext(_EXACT):
            outcomes = [_body(ruleset, rule)]
            outcomes += [(rule.max, rule.max)] if rule.exemptions else []
            outcomes += [(_ZERO, _ZERO)] if rule.vetoes else []
            outcomes += [(rule.on_zero, rule.on_zero)] if rule.has_on_zero else []
            return _hull(outcomes)
    except decimal.DecimalException:
        return _UNKNOWN


def settled_bounds(rule: model.Rule) -> Bounds:
    """Where the score of ``rule`` lies after its limit and rounding."""
    high = rule.max
    if rule.rounding is not None:
        high = rule.max.quantize(Decimal(1).scaleb(-rule.rounding.places), rounding=decimal.ROUND_CEILING)
    return (_ZERO, high)


def _body(ruleset: model.Ruleset, rule: model.Rule) -> Bounds:
    if rule.parts:
        value = _add([settled_bounds(p) for p in rule.parts])
    elif rule.base is None:
        value = (rule.max, rule.max)
    elif isinstance(rule.base, model.Tiers):
        points = [b.points for b in rule.base.bands]
        value = (min(points), max(points))
    elif isinstance(rule.base, model.Formula):
        value = site_bounds(ruleset, rule.base.site)
    else:
        value = _add([_item(ruleset, item) for item in rule.base.items])
    for deduction in rule.deductions:
        low, high = _deduction(ruleset, deduction)
        value = (_sub(value[0], high), _sub(value[1], low))
    return value


def _item(ruleset: model.Ruleset, item: model.Item) -> Bounds:
    if item.judged:
        return site_bounds(ruleset, item.site)
    return (min(_ZERO, item.points), max(_ZERO, item.points))


def _deduction(ruleset: model.Ruleset, deduction: model.Deduction) -> Bounds:
    points = deduction.points
    if deduction.form == "when":
        return (min(_ZERO, points), max(_ZERO, points))
    if deduction.form == "per_unit":
        # units = ceiling or floor of (excess ≥ 0) / unit: at least 0 when unit > 0
        return (_ZERO, None) if points >= 0 and deduction.unit > 0 else _UNKNOWN
    low, high = site_bounds(ruleset, deduction.site)
    if points >= 0 and low is not None and low >= 0:
        return (_ZERO, None if high is None else points * high)
    return _UNKNOWN


def site_bounds(ruleset: model.Ruleset, index: int) -> Bounds:
    """Bounds of a site that is a constant or an input the facts reader checks."""
    expr = ruleset.sites[index].expr
    if isinstance(expr, nodes.Number):
        return (expr.value, expr.value)
    if not isinstance(expr, nodes.Ref) or ruleset.symbols[expr.name][0] != "input":
        return _UNKNOWN
    slot = ruleset.inputs[ruleset.symbols[expr.name][1]]
    if slot.default is not None or slot.kind == "flag":
        return _UNKNOWN  # a default is computed, not checked
    low = slot.low if slot.low is not None else (None if slot.kind == "number" else _ZERO)
    return (low, slot.high)


def _add(terms: list[Bounds]) -> Bounds:
    low, high = _ZERO, _ZERO
    for term_low, term_high in terms:
        low, high = _sum(low, term_low), _sum(high, term_high)
    return (low, high)


def _sum(a: Decimal | None, b: Decimal | None) -> Decimal | None:
    return None if a is None or b is None else a + b


def _sub(a: Decimal | None, b: Decimal | None) -> Decimal | None:
    return None if a is None or b is None else a - b


def _hull(outcomes: list[Bounds]) -> Bounds:
    lows, highs = [o[0] for o in outcomes], [o[1] for o in outcomes]
    return (None if None in lows else min(lows), None if None in highs else max(highs))


# ---- rules that end in a constant ----------------------------------------------------------


def is_constant(rule: model.Rule) -> bool:
    """Every way the rule can end assigns a constant: no parts, formula, checklist or
    deduction, only bands, a full score, exemptions, vetoes and the zero answer."""
    return not rule.parts and not rule.deductions and (rule.base is None or isinstance(rule.base, model.Tiers))


def settle(rule: model.Rule, points: Decimal) -> Decimal | None:
    """The rule's final score when its value is ``points``, or None if that would raise."""
    try:
        return runtime.settle(points, rule.max, rule.rounding)
    except decimal.DecimalException:
        return None
