"""Score bounds: the lowest and highest score each indicator, part and group can reach.

Interval arithmetic over the declared input ranges (``check/ranges.py``), step by step
as ``runtime`` scores a rule: an exemption that may hold adds the max, a veto that may
hold adds 0; otherwise the base (the points of every band the subject can reach, a
formula's range, a checklist's items, the parts' sum, or the max) less the deductions;
a denominator that may be 0 adds `on zero denominator`'s points; the whole is kept
within ``[0, max]`` and rounded as the rule is. Bounds over-approximate: no score falls
outside them, though not every value inside need occur. They are meant for a ruleset
that checks; on a broken one they are whatever the broken parts allow.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

import attrs

from perfrules import nodes, runtime
from perfrules.check.bands import band_interval, domain_of
from perfrules.check.kinds import environment
from perfrules.check.ranges import range_of, truth_of, value_ranges
from perfrules.check.tree import (
    DEDUCTIONS, clause_expressions, definition_expr, definitions, members, own_clauses, parts, per_tree, refs,
)
from perfrules.fmt import number_text
from perfrules.intervals import INF, Range, gaps
from perfrules.source import cells
from perfrules.kinds import FLAG, kind_of

_ZERO = Decimal(0)
DEFAULT_ROUNDING = ("half_up", 2)


@attrs.frozen
class Context:
    """What bounding a rule needs from the rest of the ruleset."""

    ranges: dict  # name → Range | None, from value_ranges
    kinds: dict  # name → Kind
    known: dict  # name → Input | Let
    rounding: tuple[str, int]  # the ruleset's default (mode, places)
    zero_prone: frozenset  # lets and defaulted inputs whose value may meet a zero denominator
    # id(rule) → its rule_bounds: reach asks for every rule's bounds and for the total's,
    # which sums them. Keyed by identity, as the rules of the tree are alive while it is.
    bounds: dict = attrs.field(factory=dict, eq=False, repr=False)
    reached: dict = attrs.field(factory=dict, eq=False, repr=False)  # id(tiers) → reachable_bands


@per_tree
def context_of(tree: nodes.Ruleset) -> Context:
    """Ranges, kinds and definitions of a ruleset, worked out once."""
    ranges, known = value_ranges(tree), definitions(tree)
    roundings = tree.of_type(nodes.Rounding)
    rounding = (roundings[-1].mode, roundings[-1].places) if roundings else DEFAULT_ROUNDING
    return Context(ranges, environment(tree), known, rounding, _zero_prone(known, ranges))


def _zero_prone(known: dict, ranges: dict) -> frozenset:
    prone: set[str] = set()
    changed = True
    while changed:  # a fixpoint: a let is prone when what it uses is
        changed = False
        for name, node in known.items():
            expr = definition_expr(node)
            if name in prone or expr is None:
                continue
            if _divides_by_zero(expr, ranges) or any(r.name in prone for r in refs(expr)):
                prone.add(name)
                changed = True
    return frozenset(prone)


def _divides_by_zero(expr: nodes.Expr, ranges: dict) -> bool:
    for node in nodes.walk(expr):
        if isinstance(node, nodes.Binary) and node.op == "/":
            divisor = range_of(node.right, ranges)
            if divisor is None or divisor.low <= 0 <= divisor.high:
                return True
    return False


def may_meet_zero(expr: nodes.Expr, context: Context) -> bool:
    """Whether evaluating ``expr`` may meet a zero denominator, here or in a let it uses."""
    return _divides_by_zero(expr, context.ranges) or any(r.name in context.zero_prone for r in refs(expr))


def score_bounds(tree: nodes.Ruleset) -> dict[tuple[str, ...], tuple[Decimal, Decimal]]:
    """The lowest and highest score of every group, indicator and part.

    Args:
        tree: A parsed ruleset that checks.

    Returns:
        Path (names from the top, as in results) → (lowest, highest); ``()`` is the total.

    >>> from perfrules.parse import parse
    >>> score_bounds(parse('ruleset "r" input n: count indicator a 5 { deduct 2 per n }'))[("a",)]
    (Decimal('0.00'), Decimal('5.00'))
    """
    context, found = context_of(tree), {}
    found[()] = _sum(_member(m, (), context, found) for m in members(tree))
    return {path: (r.low, r.high) for path, r in found.items()}


def _member(node, path: tuple[str, ...], context: Context, found: dict) -> Range:
    path = path + (node.name,)
    if isinstance(node, nodes.Group):
        bounds = _sum(_member(m, path, context, found) for m in node.members)
    else:
        bounds = rule_bounds(node, context)
        for part in parts(node):
            _member(part, path, context, found)
    found[path] = bounds
    return bounds


def _sum(ranges: Iterable[Range]) -> Range:
    result = Range.point(_ZERO)
    for r in ranges:
        result = result + r
    return result


def hull(ranges: Iterable[Range]) -> Range:
    """The smallest range holding all of ``ranges``."""
    ranges = list(ranges)
    return Range(min(r.low for r in ranges), max(r.high for r in ranges))


# ---- one rule ---------------------------------------------------------------------------------


def rule_bounds(rule, context: Context, *, exemptions: bool = True, vetoes: bool = True) -> Range:
    """The scores ``rule`` (an indicator or a part) can reach, limited and rounded.

    With ``exemptions`` or ``vetoes`` False, as if the rule had none of them.
    """
    if not (exemptions and vetoes):
        return _rule_bounds(rule, context, exemptions, vetoes)
    known = context.bounds.get(id(rule))
    if known is None:
        known = context.bounds[id(rule)] = _rule_bounds(rule, context, True, True)
    return known


def _rule_bounds(rule, context: Context, exemptions: bool, vetoes: bool) -> Range:
    outcomes = []
    exempt = _any_holds(own_clauses(rule, nodes.Exempt), context) if exemptions else False
    veto = _any_holds(own_clauses(rule, nodes.Veto), context) if vetoes else False
    raw = raw_bounds(rule, context)
    if exempt is not False:
        outcomes.append(Range.point(rule.points))
    if exempt is not True and veto is not False:
        outcomes.append(Range.point(_ZERO))
    if exempt is not True and veto is not True:
        outcomes.append(raw)
    on_zero = own_clauses(rule, nodes.OnZero)
    if on_zero and may_meet_zero_in_rule(rule, context):
        outcomes.append(Range.point(rule.points if on_zero[0].points is None else on_zero[0].points))
    return _rounded(limit(hull(outcomes), rule.points), rounding_of(rule, context))


def raw_bounds(rule, context: Context) -> Range:
    """The base less the deductions, before the limits: what a formula rule computes."""
    result = base_bounds(rule, context)
    for clause in own_clauses(rule, DEDUCTIONS):
        result = result - deduction_bounds(clause, context)
    return result


def base_bounds(rule, context: Context) -> Range:
    if parts(rule):
        return _sum(rule_bounds(p, context) for p in parts(rule))
    for clause in rule.clauses:
        match clause:
            case nodes.Tiers():
                reached = [_points(b, rule) for b, ok in reachable_bands(clause, context) if ok]
                return hull(Range.point(p) for p in reached or [_points(b, rule) for b in clause.bands])
            case nodes.Score(formula=formula):
                return _known(range_of(formula, context.ranges))
            case nodes.Checklist(items=items):
                return _sum(item_bounds(item, context) for item in items)
    return Range.point(rule.points)  # deductions only: the rule starts from its max


def _points(band, rule) -> Decimal:
    return rule.points if band.points is None else band.points


def _known(values: Range | None) -> Range:
    return Range.unbounded() if values is None else values


def reachable_bands(tiers: nodes.Tiers, context: Context) -> list[tuple[nodes.Band, bool]]:
    """Each band, and whether some value its subject can take falls in it."""
    known = context.reached.get(id(tiers))
    if known is None:
        known = context.reached[id(tiers)] = _reachable_bands(tiers, context)
    return known


def _reachable_bands(tiers: nodes.Tiers, context: Context) -> list[tuple[nodes.Band, bool]]:
    domain = domain_of(range_of(tiers.subject, context.ranges))
    regular = [band_interval(b) for b in tiers.bands if not b.interval.is_otherwise]
    found = []
    for band in tiers.bands:
        if band.interval.is_otherwise:
            found.append((band, bool(gaps(regular, domain))))
        else:
            found.append((band, not band_interval(band).intersect(domain).is_empty))
    return found


def item_bounds(item: nodes.CheckItem, context: Context) -> Range:
    """What one checklist item can award: its points or none, or a judged score."""
    if kind_of(item.test, context.kinds) != FLAG:
        return _known(range_of(item.test, context.ranges))
    return _either(truth_of(item.test, context.ranges, context.known), item.points)


def deduction_bounds(clause, context: Context) -> Range:
    """The points a deduction can take away (never negative for positive points)."""
    points = Range.point(clause.points)
    match clause:
        case nodes.DeductWhen(condition=condition):
            return _either(truth_of(condition, context.ranges, context.known), clause.points)
        case nodes.DeductPerItem(count=count):
            return points * _known(range_of(count, context.ranges))
        case nodes.DeductPerUnit(subject=subject):
            measured = _known(range_of(subject, context.ranges))
            return points * Range(_units(clause, measured.low), _units(clause, measured.high))
    raise TypeError(clause)


def _units(clause: nodes.DeductPerUnit, value: Decimal) -> Decimal:
    # As runtime counts them: the excess over the threshold in units, begun or whole.
    if value.is_infinite():
        return INF if value > 0 else _ZERO
    threshold = clause.threshold.value if clause.threshold is not None else _ZERO
    excess = max(value - threshold, _ZERO)
    rounding = ROUND_CEILING if clause.counting == "started" else ROUND_FLOOR
    return (excess / clause.unit.value).to_integral_value(rounding=rounding)


def _either(truth: bool | None, points: Decimal) -> Range:
    if truth is None:
        return Range(_ZERO, points)
    return Range.point(points if truth else _ZERO)


def _any_holds(guards, context: Context) -> bool | None:
    truths = [truth_of(g.condition, context.ranges, context.known) for g in guards]
    if True in truths:
        return True
    return None if None in truths else False


def may_meet_zero_in_rule(rule, context: Context) -> bool:
    """Whether a zero denominator can reach ``rule``: in its clauses, or in a part that
    passes it up because it has no `on zero denominator` of its own."""
    for clause in rule.clauses:
        if isinstance(clause, nodes.Part):
            if not own_clauses(clause, nodes.OnZero) and may_meet_zero_in_rule(clause, context):
                return True
        elif any(may_meet_zero(e, context) for e in clause_expressions(clause)):
            return True
    return False


def limit(values: Range, maximum: Decimal) -> Range:
    """``values`` kept within ``[0, maximum]``, as the runtime keeps every score."""
    def within(v: Decimal) -> Decimal:
        return min(max(v, _ZERO), maximum)
    return Range(within(values.low), within(values.high))


def rounding_of(rule, context: Context) -> tuple[str, int] | None:
    """How a rule's score is rounded: its own clause, else the ruleset's for an indicator."""
    own = own_clauses(rule, nodes.Rounding)
    if own:
        return own[0].mode, own[0].places
    return None if isinstance(rule, nodes.Part) else context.rounding


def _rounded(values: Range, rounding: tuple[str, int] | None) -> Range:
    # Rounding in any mode never reorders two values, so rounding the ends is exact.
    if rounding is None:
        return values
    mode, places = rounding
    return Range(runtime.round_(values.low, places, mode), runtime.round_(values.high, places, mode))


# ---- shown by `perfrules check --bounds` ----------------------------------------------------


def render_bounds(tree: nodes.Ruleset) -> str:
    """One line per group, indicator and part (indented by depth): lowest..highest of max."""
    found = score_bounds(tree)
    rows = [(f"{'  ' * depth}{path[-1] if path else 'total'}", found[path], maximum)
            for path, depth, maximum in _rows(tree)]
    width = max(cells(label) for label, _, _ in rows)
    lines = [f"{tree.name}: lowest..highest score of the max"]
    for label, (low, high), maximum in rows:
        lines.append(f"{label}{' ' * (width - cells(label))}  {_n(low)}..{_n(high)} of {_n(maximum)}")
    return "\n".join(lines) + "\n"


def _rows(tree: nodes.Ruleset):
    def walk(node, path, depth):
        path = path + (node.name,)
        yield path, depth, node.points
        children = node.members if isinstance(node, nodes.Group) else parts(node)
        for child in children:
            yield from walk(child, path, depth + 1)

    for member in members(tree):
        yield from walk(member, (), 0)
    totals = tree.of_type(nodes.Total)
    yield (), 0, totals[0].points if totals else sum((m.points for m in members(tree)), _ZERO)


def _n(value: Decimal) -> str:
    return number_text(value)
