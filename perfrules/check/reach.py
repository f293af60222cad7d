"""Reach: clauses that can never matter, by the bounds of ``check/bounds.py`` (warnings).

A band no value of its subject falls in (PR306), a checklist item that is never or
always met (PR413, PR414), a max no score reaches (PR415), a cap or floor that is never
needed (PR416) or always bites (PR417), a veto or exemption decided in advance (PR418),
and a veto or exemption whose condition can meet a zero denominator, which then scores
`on zero denominator` instead (PR419). Every warning rests on interval arithmetic, which
over-approximates, so what it says never happens indeed never happens.

This pass runs only on a ruleset without errors: on a broken one the bounds would mostly
repeat what the errors say.
"""

from __future__ import annotations

from bisect import bisect_left
from decimal import Decimal

from perfrules import nodes
from perfrules.check.bands import band_interval, domain_of
from perfrules.check.bounds import (
    Context, context_of, may_meet_zero, raw_bounds, reachable_bands, rule_bounds, score_bounds,
)
from perfrules.check.ranges import range_of, truth_of
from perfrules.check.tree import expression_nodes, members, own_clauses, parts
from perfrules.diagnostics import Diagnostics
from perfrules.fmt import expr_text, interval_text, number_text
from perfrules.intervals import INF, Range, largest, smallest
from perfrules.kinds import FLAG, kind_of


def check_reach(tree: nodes.Ruleset, diagnostics: Diagnostics) -> None:
    """Warn about bands, items, maxima, caps, floors, vetoes and exemptions that never matter.

    Args:
        tree: The parsed ruleset.
        diagnostics: Receives PR306 and PR413-PR419; left alone when it holds an error.
    """
    if diagnostics.has_errors:
        return
    context = context_of(tree)
    explained = sorted(d.span.start for d in diagnostics.items if d.code in _EXPLAINS_MAX and d.span)
    for member in members(tree):
        _check_member(member, context, explained, diagnostics)
    for node in expression_nodes(tree):
        if isinstance(node, nodes.Call) and node.function in ("min", "max"):
            _check_cap(node, context, diagnostics)
    _check_grade(tree, diagnostics)


def _check_member(node, context: Context, explained: list[int], diagnostics: Diagnostics) -> None:
    if isinstance(node, nodes.Group):
        for member in node.members:
            _check_member(member, context, explained, diagnostics)
    else:
        _check_rule(node, context, explained, diagnostics)


# Warnings that already say why a rule falls short of its max: PR415 would only echo them.
_EXPLAINS_MAX = {"PR306", "PR413", "PR414", "PR417", "PR418"}


def _check_rule(rule, context: Context, explained: list[int], diagnostics: Diagnostics, answerer=None) -> None:
    # `answerer` is the rule whose `on zero denominator` answers a zero met here: its own, or
    # for a part without one, its indicator's.
    answerer = rule if own_clauses(rule, nodes.OnZero) else answerer
    before = len(diagnostics.items)
    for part in parts(rule):
        _check_rule(part, context, explained, diagnostics, answerer)
    for clause in rule.clauses:
        match clause:
            case nodes.Tiers():
                _check_bands(clause, context, diagnostics)
            case nodes.Checklist(items=items):
                for item in items:
                    _check_item(item, context, diagnostics)
            case nodes.Veto() | nodes.Exempt():
                _check_guard(clause, rule, answerer, context, diagnostics)
    # `explained` holds earlier passes' warnings (PR417 of points), by where they start.
    said = any(d.code in _EXPLAINS_MAX | {"PR415"} for d in diagnostics.items[before:])
    earlier = rule.span is not None and bisect_left(explained, rule.span.start) < bisect_left(explained, rule.span.end)
    if not (said or earlier):
        _check_max(rule, context, diagnostics)


def _name(rule) -> str:
    return f"{'part' if isinstance(rule, nodes.Part) else 'indicator'} {rule.name}"


def _n(value: Decimal, percent: bool = False) -> str:
    return number_text(value, percent=percent)


def range_text(values: Range, *, percent: bool = False) -> str:
    """``0%..90%``, ``≥ 0``, ``≤ 5`` or ``every value``."""
    if values.low == -INF and values.high == INF:
        return "any value"
    if values.high == INF:
        return f"≥ {_n(values.low, percent)}"
    if values.low == -INF:
        return f"≤ {_n(values.high, percent)}"
    return f"{_n(values.low, percent)}..{_n(values.high, percent)}"


# ---- bands -------------------------------------------------------------------------------------


def _check_bands(tiers: nodes.Tiers, context: Context, diagnostics: Diagnostics) -> None:
    values = range_of(tiers.subject, context.ranges) or Range.unbounded()
    percent = any(b.is_percent for band in tiers.bands for b in (band.interval.low, band.interval.high) if b)
    subject = expr_text(tiers.subject)
    for band, reached in reachable_bands(tiers, context):
        if reached:
            continue
        if band.interval.is_otherwise:
            why = f"the other bands cover every value {subject} can take ({range_text(values, percent=percent)})"
        else:
            why = f"{subject} is always {range_text(values, percent=percent)}"
        _report_band(interval_text(band.interval), why, band.span, tiers.subject, context, diagnostics)


def _report_band(band: str, why: str, span, subject, context: Context, diagnostics: Diagnostics) -> None:
    declared = context.known.get(subject.name) if isinstance(subject, nodes.Ref) else None
    notes = ()
    if isinstance(declared, nodes.Input) and declared.range is not None:
        notes = ((f"{declared.name}'s range is declared here", declared.range.span),)
    diagnostics.warning("PR306", f"band {band} is never reached: {why}", span,
                        hint="delete the band, or widen the declared range if such values occur", notes=notes)


def _check_grade(tree: nodes.Ruleset, diagnostics: Diagnostics) -> None:
    grades = tree.of_type(nodes.Grade)
    if not grades:
        return
    low, high = score_bounds(tree)[()]
    reachable = domain_of(Range(low, high))
    for band in grades[0].bands:
        if band.interval.is_otherwise or not band_interval(band).intersect(reachable).is_empty:
            continue
        diagnostics.warning(
            "PR306", f"grade band {interval_text(band.interval)} is never reached: the total is always "
                     f"{range_text(Range(low, high))}", band.span,
            hint="check the grade's bounds against the indicators' points")


# ---- checklist items, vetoes and exemptions ----------------------------------------------------


def _check_item(item: nodes.CheckItem, context: Context, diagnostics: Diagnostics) -> None:
    if kind_of(item.test, context.kinds) != FLAG:
        return
    truth = truth_of(item.test, context.ranges, context.known)
    test = expr_text(item.test)
    if truth is False:
        diagnostics.warning("PR413", f"this checklist item is never met: {test} never holds", item.test.span,
                            hint="check the comparison's direction and the inputs' ranges")
    elif truth is True:
        diagnostics.warning("PR414", f"this checklist item is always met: {test} always holds", item.test.span,
                            hint=f"the item always adds {_n(item.points)} point{'' if item.points == 1 else 's'}; "
                                 "check the comparison")


def _check_guard(guard, rule, answerer, context: Context, diagnostics: Diagnostics) -> None:
    word = "veto" if isinstance(guard, nodes.Veto) else "exempt"
    clause = f"{word} when {expr_text(guard.condition)}"
    if answerer is not None and may_meet_zero(guard.condition, context):
        # Meeting a zero acts as the guard holding would, or as something else: either way
        # the guard matters, whether or not its condition can hold.
        _check_guard_zero(guard, clause, rule, answerer, diagnostics)
        return
    truth = truth_of(guard.condition, context.ranges, context.known)
    if truth is False:
        diagnostics.warning("PR418", f"`{clause}` never holds, so it never changes {_name(rule)}'s score",
                            guard.condition.span, hint="check the comparison's direction and the inputs' ranges")
        return
    if truth is True:
        exempt = word == "veto" and _any_may_hold(own_clauses(rule, nodes.Exempt), context)
        outcome = ("0 unless an exemption applies" if exempt else "0") if word == "veto" else \
            f"its max of {_n(rule.points)}"
        diagnostics.warning("PR418", f"`{clause}` always holds, so {_name(rule)} always scores {outcome}",
                            guard.condition.span, hint="check the comparison's direction and the inputs' ranges")
        return
    _check_guard_matters(guard, clause, rule, context, diagnostics)


def _any_may_hold(guards, context: Context) -> bool:
    return any(truth_of(g.condition, context.ranges, context.known) is not False for g in guards)


def _check_guard_matters(guard, clause: str, rule, context: Context, diagnostics: Diagnostics) -> None:
    if isinstance(guard, nodes.Veto):
        without = rule_bounds(rule, context, vetoes=False)
        pointless = without.high <= 0
        anyway = "0"
    else:
        without = rule_bounds(rule, context, exemptions=False)
        pointless = without.low >= rule.points
        anyway = f"its max of {_n(rule.points)}"
    if pointless:
        diagnostics.warning("PR418", f"`{clause}` never changes the score: {_name(rule)} always scores "
                                     f"{anyway} without it", guard.span, hint="delete the clause")


def _check_guard_zero(guard, clause: str, rule, answerer, diagnostics: Diagnostics) -> None:
    on_zero = own_clauses(answerer, nodes.OnZero)[0]
    points = answerer.points if on_zero.points is None else on_zero.points
    instead = Decimal(0) if isinstance(guard, nodes.Veto) else rule.points
    what = "veto" if isinstance(guard, nodes.Veto) else "exemption"
    if answerer is not rule:
        message = (f"`{clause}` can meet a zero denominator, which {_name(rule)} passes to {_name(answerer)}: "
                   f"that then scores the {_n(points)} of `on zero denominator`, whatever the {what} gives")
    elif points != instead:
        message = (f"`{clause}` can meet a zero denominator, and then {_name(rule)} scores the {_n(points)} of "
                   f"`on zero denominator`, not the {_n(instead)} the {what} gives")
    else:
        return  # the zero scores what the guard would: harmless
    diagnostics.warning(
        "PR419", message, guard.condition.span,
        hint="compare without dividing: `实际 > 计划` says what `实际 / 计划 > 100%` says, and never "
             "divides by zero", notes=(("the `on zero denominator` that answers it is here", on_zero.span),))


# ---- maxima, caps and floors ----------------------------------------------------------------------


def _check_max(rule, context: Context, diagnostics: Diagnostics) -> None:
    high = rule_bounds(rule, context).high
    if high >= rule.points:
        return
    diagnostics.warning("PR415", f"{_name(rule)} can score at most {_n(high)}, never its max of "
                                 f"{_n(rule.points)}", rule.name_span, hint=_max_hint(rule, context))


def _max_hint(rule, context: Context) -> str:
    tiers = own_clauses(rule, nodes.Tiers)
    if tiers:
        return "its best band gives less than the max: write `full` for the top band's points"
    if own_clauses(rule, nodes.Score):
        best = raw_bounds(rule, context).high
        return f"its formula reaches at most {_n(best)}: scale it to the max, or lower the max"
    return "raise the points that fall short (items, judged ranges, parts), or lower the max"


def _check_cap(call: nodes.Call, context: Context, diagnostics: Diagnostics) -> None:
    constants = [a for a in call.args if _constant(a) is not None]
    others = [range_of(a, context.ranges) for a in call.args if _constant(a) is None]
    if not constants or not others or None in others:
        return
    is_cap = call.function == "min"
    bound = (min if is_cap else max)(_constant(a) for a in constants)
    rest = (smallest if is_cap else largest)(others)
    what = f"the {'cap' if is_cap else 'floor'} {_n(bound, _is_percent(constants))} in {expr_text(call)}"
    shown = range_text(rest, percent=_is_percent(constants))
    if (rest.high <= bound) if is_cap else (rest.low >= bound):
        diagnostics.warning("PR416", f"{what} is never needed: the other arguments are always {shown}",
                            call.span, hint="delete it, or check the inputs' ranges")
    elif (rest.low >= bound) if is_cap else (rest.high <= bound):
        diagnostics.warning("PR417", f"{what} always bites: the other arguments are always {shown}, so the "
                                     f"result is always {_n(bound, _is_percent(constants))}",
                            call.span, hint="`min(…, c)` caps and `max(…, c)` floors: check which one is meant, "
                                            "and the inputs' ranges")


def _constant(expr: nodes.Expr) -> Decimal | None:
    match expr:
        case nodes.Number(value=value):
            return value
        case nodes.Negate(operand=nodes.Number(value=value)):
            return -value
    return None


def _is_percent(constants) -> bool:
    return any(isinstance(c, nodes.Number) and c.is_percent for c in constants)
