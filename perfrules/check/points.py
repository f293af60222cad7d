"""Points: maxima add up, and what a rule can score fits its max (PR401-PR406, PR417).

A rubric's points are a tree: members add up to their group, parts to their indicator,
checklist items to their rule, top-level members to ``total``. Score formulas are bounded
by interval arithmetic (``check/ranges.py``); reaching beyond ``[0, max]`` is only a
warning, since the runtime keeps every score within it, but an author who caps on purpose
writes ``min(…, max)`` and hears nothing. A formula that is always above the max, or
always below 0, is always limited: PR417 says so instead.
"""

from __future__ import annotations

from decimal import Decimal

from perfrules import nodes
from perfrules.check.kinds import environment
from perfrules.check.ranges import range_of, value_ranges
from perfrules.check.tree import DEDUCTIONS, RULE_BASES, definitions, groups, members, parts, rules
from perfrules.diagnostics import Diagnostics
from perfrules.fmt import number_text
from perfrules.intervals import INF
from perfrules.kinds import FLAG, POINTS, UNKNOWN, kind_of


def check_points(tree: nodes.Ruleset, diagnostics: Diagnostics) -> None:
    """Report maxima that do not add up and scores that can leave ``[0, max]``.

    Args:
        tree: The parsed ruleset.
        diagnostics: Receives PR401-PR406.
    """
    _check_total(tree, diagnostics)
    for group in groups(tree):
        _check_sum(group.members, group, "members", diagnostics)
        _check_zero(group, diagnostics)
    ranges, kinds, known = value_ranges(tree), environment(tree), definitions(tree)
    for rule in rules(tree):
        _check_zero(rule, diagnostics)
        # Two bases are PR407's; which points should add up is then anyone's guess.
        summed = _base_count(rule) == 1
        if parts(rule) and summed:
            _check_sum(parts(rule), rule, "parts", diagnostics)
        for clause in rule.clauses:
            _check_clause(clause, rule, ranges, kinds, known, summed, diagnostics)


def _base_count(rule) -> int:
    return sum(isinstance(c, RULE_BASES) for c in rule.clauses) + bool(parts(rule))


def _name(node) -> str:
    return f"{type(node).__name__.lower()} {node.name}"


def _n(value: Decimal) -> str:
    return number_text(value)


def _points(value: Decimal) -> str:
    return f"{_n(value)} point" + ("" if value == 1 else "s")


def _check_total(tree: nodes.Ruleset, diagnostics: Diagnostics) -> None:
    totals = tree.of_type(nodes.Total)
    if not totals:
        return
    added = sum((m.points for m in members(tree)), Decimal(0))
    if added != totals[0].points:
        diagnostics.error(
            "PR401", f"the top-level groups and indicators add up to {_n(added)}, the total is "
                     f"{_n(totals[0].points)}", totals[0].span)


def _check_sum(children, parent, what: str, diagnostics: Diagnostics, span=None) -> None:
    added = sum((c.points for c in children), Decimal(0))
    if added != parent.points:
        diagnostics.error(
            "PR401", f"{what} of {parent.name} add up to {_n(added)}, its max is {_n(parent.points)}",
            span or parent.name_span, hint=f"the difference is {_n(abs(parent.points - added))}")


def _check_zero(node, diagnostics: Diagnostics) -> None:
    if node.points == 0:
        diagnostics.warning("PR405", f"{_name(node)} has 0 points", node.name_span,
                            hint="a rule worth nothing never changes a score; give it points or delete it")


def _check_clause(clause, rule, ranges, kinds, known, summed: bool, diagnostics: Diagnostics) -> None:
    match clause:
        case nodes.Checklist(items=items):
            if summed:
                _check_sum(items, rule, "checklist items", diagnostics, span=clause.span)
            for item in items:
                _check_item(item, ranges, kinds, known, diagnostics)
        case nodes.Score(formula=formula):
            _check_formula(formula, rule, ranges, kinds, known, diagnostics)
        case nodes.OnZero(points=points) if points is not None and points > rule.points:
            diagnostics.error(
                "PR406", f"on zero denominator gives {_points(points)}, more than {_name(rule)}'s max "
                         f"of {_n(rule.points)}", clause.span, hint="write `on zero denominator → full` for the max")
        case _ if isinstance(clause, DEDUCTIONS):
            _check_deduction(clause, diagnostics)


def _check_item(item: nodes.CheckItem, ranges, kinds, known, diagnostics: Diagnostics) -> None:
    if item.points == 0:
        diagnostics.warning("PR405", "a checklist item with 0 points", item.span,
                            hint="an item worth nothing never changes a score; give it points or delete it")
    if kind_of(item.test, kinds) != POINTS:
        return
    values = range_of(item.test, ranges)
    if values is not None and values.high > item.points:
        _report_judged(item.test, values.high, item.points, f"the item's {_points(item.points)}", known,
                       diagnostics)


def _report_judged(expr: nodes.Expr, high: Decimal, points: Decimal, limit: str, known,
                   diagnostics: Diagnostics) -> None:
    declared = known.get(expr.name) if isinstance(expr, nodes.Ref) else None
    reach = "no upper bound" if high == INF else f"up to {_n(high)}"
    if isinstance(declared, nodes.Input) and declared.range is not None:
        diagnostics.error(
            "PR404", f"judged input {declared.name} can give {reach}, more than {limit}", expr.span,
            hint=f"give it the range the points allow: `judged 0..{_n(points)}`",
            notes=((f"{declared.name}'s range is declared here", declared.range.span),))
    else:
        diagnostics.error("PR404", f"this judged score can give {reach}, more than {limit}", expr.span,
                          hint="scale it down, or cap it with `min(…)`")


def _check_formula(formula: nodes.Expr, rule, ranges, kinds, known, diagnostics: Diagnostics) -> None:
    kind = kind_of(formula, kinds)
    values = range_of(formula, ranges)
    # A flag, money or a clash is PR215 or PR210; its bounds would say nothing more.
    if values is None or kind in (FLAG, UNKNOWN) or kind.name == "amount":
        return
    limit = f"{_name(rule)}'s max of {_n(rule.points)}"
    if values.high > rule.points and _is_judged_input(formula, known):
        _report_judged(formula, values.high, rule.points, limit, known, diagnostics)
    elif values.low > rule.points:
        diagnostics.warning(
            "PR417", f"the score formula is always at least {_n(values.low)}, above {limit}: the cap always "
                     f"bites, so {_name(rule)} always scores {_n(rule.points)}", formula.span,
            hint="check the formula's scale and its inputs' ranges")
    elif values.high > rule.points:
        reach = "has no upper bound" if values.high == INF else f"can reach {_n(values.high)}"
        diagnostics.warning(
            "PR402", f"the score formula {reach}, above {limit}", formula.span,
            hint=f"if the cap is intended, say so: `min(…, {_n(rule.points)})`; or declare ranges on its inputs")
    if values.high < 0:
        diagnostics.warning(
            "PR417", f"the score formula is always below 0 (at most {_n(values.high)}): the floor always bites, "
                     f"so {_name(rule)} always scores 0", formula.span,
            hint="check the formula's signs and its inputs' ranges")
    elif values.low < 0:
        reach = "has no lower bound" if values.low == -INF else f"can go down to {_n(values.low)}"
        diagnostics.warning(
            "PR403", f"the score formula {reach}, below 0", formula.span,
            hint="if the floor is intended, say so: `max(…, 0)`; or declare ranges on its inputs")


def _is_judged_input(expr: nodes.Expr, known) -> bool:
    declared = known.get(expr.name) if isinstance(expr, nodes.Ref) else None
    return isinstance(declared, nodes.Input) and declared.kind == "judged"


def _check_deduction(clause, diagnostics: Diagnostics) -> None:
    if clause.points <= 0:
        diagnostics.error("PR405", f"a deduction of {_n(clause.points)} points deducts nothing", clause.span,
                          hint="deduct a positive number of points, or delete the clause")
    if isinstance(clause, nodes.DeductPerUnit) and clause.unit.value <= 0:
        diagnostics.error(
            "PR405", f"a unit of {_n(clause.unit.value)} cannot be counted; a unit must be above 0",
            clause.unit.span, hint="write the size of one unit, e.g. `per started 1% of …`")
