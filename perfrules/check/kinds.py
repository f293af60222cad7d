"""Kinds: every expression means something for what it is used for (PR210-PR216).

``perfrules.kinds`` works out kinds; this pass says where they clash. A clash is
reported once, at the innermost node whose operands have known kinds: ``kind_of`` turns
a clash into UNKNOWN, and UNKNOWN (an unknown name, a clash below) is never reported
again, so one mistake gives one message.
"""

from __future__ import annotations

from perfrules import nodes
from perfrules.check.names import FUNCTIONS
from perfrules.check.tree import definitions_in_order, fold_definitions, per_tree, rules
from perfrules.diagnostics import Diagnostics
from perfrules.fmt import expr_text, number_text
from perfrules.kinds import (
    COUNT, FLAG, NUMBER, POINTS, RATIO, UNKNOWN, Kind, combine, comparable, from_declaration, kind_of,
)

_VERBS = {"+": "add {} and {}", "-": "subtract {1} from {0}", "*": "multiply {} by {}", "/": "divide {} by {}"}
_ORDERING = {"<", "<=", ">", ">="}
_SCORE = "a score must be a number"
_FLAG_HINT = "a flag is yes or no, not a number; use it as a condition (`deduct P when …`, `veto when …`)"


def check_kinds(tree: nodes.Ruleset, diagnostics: Diagnostics) -> None:
    """Report kind clashes in expressions and in the places expressions are used.

    Args:
        tree: The parsed ruleset.
        diagnostics: Receives PR210-PR216.
    """
    env = environment(tree)
    for node in definitions_in_order(tree):
        if isinstance(node, nodes.Let):
            _check_expr(node.value, env, diagnostics)
        else:
            _check_input(node, env, diagnostics)
    for rule in rules(tree):
        for clause in rule.clauses:
            _check_clause(clause, env, diagnostics)
    for grade in tree.of_type(nodes.Grade):
        for band in grade.bands:
            for bound in _bounds(band.interval):
                _check_bound(bound, NUMBER, "the total", diagnostics)


@per_tree
def environment(tree: nodes.Ruleset) -> dict[str, Kind]:
    """The kind of every input and let; a let in a cycle is UNKNOWN (PR203 reports it)."""
    return fold_definitions(tree, lambda n: from_declaration(n.kind, n.unit), kind_of, UNKNOWN)


def describe(kind: Kind) -> str:
    """A kind as a message names it: ``a count``, ``an amount in 万元``."""
    if kind.name == "amount":
        return f"an amount in {kind.unit}" if kind.unit else "an amount"
    return {"points": "a judged score", "unknown": "a value of unknown kind"}.get(kind.name, f"a {kind.name}")


# ---- expressions --------------------------------------------------------------------------


def _check_expr(expr: nodes.Expr, env, diagnostics: Diagnostics) -> None:
    for node in nodes.walk(expr):
        match node:
            case nodes.Binary():
                _check_binary(node, env, diagnostics)
            case nodes.Negate() | nodes.Round() if kind_of(node.operand, env) == FLAG:
                verb = "negate" if isinstance(node, nodes.Negate) else "round"
                diagnostics.error("PR210", f"cannot {verb} a flag", node.span, hint=_FLAG_HINT)
            case nodes.Call() if node.function in FUNCTIONS:
                _check_call(node, env, diagnostics)
            case nodes.Compare():
                _check_compare(node, env, diagnostics)
            case nodes.Logical(op=op, left=left, right=right):
                _check_condition(left, f"`{op}`", env, diagnostics)
                _check_condition(right, f"`{op}`", env, diagnostics)
            case nodes.Not(operand=operand):
                _check_condition(operand, "`not`", env, diagnostics)


def _check_binary(node: nodes.Binary, env, diagnostics: Diagnostics) -> None:
    left, right = kind_of(node.left, env), kind_of(node.right, env)
    if UNKNOWN in (left, right) or combine(node.op, left, right) != UNKNOWN:
        return
    message = "cannot " + _VERBS[node.op].format(describe(left), describe(right))
    diagnostics.error("PR210", message, node.span, hint=_clash_hint(left, right))


def _clash_hint(left: Kind, right: Kind) -> str | None:
    if FLAG in (left, right):
        return _FLAG_HINT
    if left.name == right.name == "amount":
        if left.unit != right.unit:
            return "declare both amounts in the same unit"
        return "an amount times an amount is not a quantity a rubric scores"
    if RATIO in (left, right):
        return "a ratio is a share such as 5%; to take a share of a quantity, multiply by it"
    return None


def _check_call(call: nodes.Call, env, diagnostics: Diagnostics) -> None:
    kinds = [kind_of(a, env) for a in call.args]
    if FLAG in kinds:
        diagnostics.error("PR210", f"cannot take {call.function} of a flag", call.span, hint=_FLAG_HINT)
        return
    if UNKNOWN in kinds or not kinds:
        return
    result = kinds[0]
    for kind in kinds[1:]:
        combined = combine("+", result, kind)
        if combined == UNKNOWN:
            diagnostics.error("PR210", f"{call.function} mixes {describe(result)} and {describe(kind)}",
                              call.span, hint=_clash_hint(result, kind))
            return
        result = combined


def _check_compare(node: nodes.Compare, env, diagnostics: Diagnostics) -> None:
    left, right = kind_of(node.left, env), kind_of(node.right, env)
    if UNKNOWN in (left, right):
        return
    if not comparable(left, right):
        diagnostics.error("PR211", f"cannot compare {describe(left)} with {describe(right)}", node.span,
                          hint=_FLAG_HINT if FLAG in (left, right) else _clash_hint(left, right))
    elif left == right == FLAG and node.op in _ORDERING:
        diagnostics.error("PR211", "flags have no order: they are yes or no", node.span,
                          hint="compare flags with = or ≠, or use the flag itself as a condition")
    elif left == RATIO:
        _check_plain_number(node.right, expr_text(node.left), diagnostics)
    elif right == RATIO:
        _check_plain_number(node.left, expr_text(node.right), diagnostics)


def _check_plain_number(expr: nodes.Expr, subject: str, diagnostics: Diagnostics) -> None:
    # `执行率 < 5` almost always means 5%, which as a ratio is 0.05.
    sign, literal = (-1, expr.operand) if isinstance(expr, nodes.Negate) else (1, expr)
    if isinstance(literal, nodes.Number) and not literal.is_percent and literal.value != 0:
        _report_plain_number(sign * literal.value, subject, expr.span, diagnostics)


def _report_plain_number(value, subject: str, span, diagnostics: Diagnostics, how: str = "compared with") -> None:
    plain, percent = number_text(value), number_text(value * 100)
    diagnostics.error(
        "PR212", f"{subject} is a ratio, {how} the plain number {plain}", span,
        hint=f"write {plain}% for {plain} percent; a plain {plain} is {percent}%")


def _check_condition(expr: nodes.Expr, where: str, env, diagnostics: Diagnostics) -> None:
    kind = kind_of(expr, env)
    if kind in (FLAG, UNKNOWN):
        return
    diagnostics.error("PR213", f"{where} needs a flag (yes or no), not {describe(kind)}", expr.span,
                      hint=f"compare it to make a flag, e.g. `{expr_text(expr)} > 0`")


# ---- where expressions are used ----------------------------------------------------------


def _check_clause(clause, env, diagnostics: Diagnostics) -> None:
    match clause:
        case nodes.Veto(condition=condition) | nodes.Exempt(condition=condition):
            _check_expr(condition, env, diagnostics)
            word = "veto" if isinstance(clause, nodes.Veto) else "exempt"
            _check_condition(condition, f"`{word} when`", env, diagnostics)
        case nodes.DeductWhen(condition=condition):
            _check_expr(condition, env, diagnostics)
            _check_condition(condition, "`deduct … when`", env, diagnostics)
        case nodes.Checklist(items=items):
            for item in items:
                _check_expr(item.test, env, diagnostics)
                _check_item(item, env, diagnostics)
        case nodes.Score(formula=formula):
            _check_expr(formula, env, diagnostics)
            _check_scored(formula, _SCORE, env, diagnostics)
        case nodes.Tiers(subject=subject, bands=bands):
            _check_expr(subject, env, diagnostics)
            _check_tiers(subject, bands, env, diagnostics)
        case nodes.DeductPerItem(count=count):
            _check_expr(count, env, diagnostics)
            _check_scored(count, "`deduct … per` needs a count", env, diagnostics)
        case nodes.DeductPerUnit(subject=subject, unit=unit, threshold=threshold):
            _check_expr(subject, env, diagnostics)
            kind = kind_of(subject, env)
            if kind == FLAG:
                _report_scored_flag(subject, "`deduct … per … of` needs a number to measure", diagnostics)
            for bound in (unit, threshold):
                if bound is not None:
                    _check_bound(bound, kind, expr_text(subject), diagnostics)


def _check_item(item: nodes.CheckItem, env, diagnostics: Diagnostics) -> None:
    kind = kind_of(item.test, env)
    if kind in (FLAG, POINTS, UNKNOWN):
        return
    diagnostics.error(
        "PR214", f"a checklist item's test must be a flag or a judged score, not {describe(kind)}",
        item.test.span,
        hint=f"make it a condition such as `{expr_text(item.test)} ≥ …`, or score it with a `judged` input")


def _check_scored(expr: nodes.Expr, what: str, env, diagnostics: Diagnostics) -> None:
    kind = kind_of(expr, env)
    if kind == FLAG:
        _report_scored_flag(expr, what, diagnostics)
    elif kind.name == "amount" and what == _SCORE:
        diagnostics.error(
            "PR215", f"{what}, but this is {describe(kind)}: money is not points", expr.span,
            hint="divide by an amount in the same unit to get a ratio, e.g. `实际 / 计划 × 1`")
    elif kind.name == "amount":
        diagnostics.error(
            "PR215", f"{what}, but this is {describe(kind)}", expr.span,
            hint=f"to deduct per unit of money, write `deduct P per started 1 of {expr_text(expr)}`: "
                 f"P for each begun 1 {kind.unit or 'unit'}")


def _report_scored_flag(expr: nodes.Expr, what: str, diagnostics: Diagnostics) -> None:
    diagnostics.error("PR215", f"{what}, but this is a flag", expr.span,
                      hint="score a flag with a checklist item or `deduct P when …`")


def _check_tiers(subject: nodes.Expr, bands, env, diagnostics: Diagnostics) -> None:
    kind = kind_of(subject, env)
    if kind == FLAG:
        _report_scored_flag(subject, "tiers needs a number to place in its bands", diagnostics)
        return
    for band in bands:
        for bound in _bounds(band.interval):
            _check_bound(bound, kind, expr_text(subject), diagnostics)


def _bounds(interval: nodes.Interval) -> tuple[nodes.Bound, ...]:
    return tuple(b for b in (interval.low, interval.high) if b is not None)


def is_mismatched(bound: nodes.Bound, kind: Kind) -> bool:
    """Whether a bound is written in the wrong form for its subject: a plain number for a
    ratio (`< 5` meant 5%) or a percent for a count, an amount or a number."""
    if bound.value == 0:
        return False
    if kind == RATIO:
        return not bound.is_percent
    return bound.is_percent and (kind in (COUNT, NUMBER) or kind.name == "amount")


def _check_bound(bound: nodes.Bound, kind: Kind, subject: str, diagnostics: Diagnostics) -> None:
    if not is_mismatched(bound, kind):
        return
    if kind == RATIO:
        _report_plain_number(bound.value, subject, bound.span, diagnostics, "bounded by")
        return
    shown = number_text(bound.value, percent=True)
    diagnostics.error(
        "PR212", f"{subject} is {describe(kind)}, bounded by the percent {shown}", bound.span,
        hint=f"a percent is a ratio ({shown} = {number_text(bound.value)}); drop the % or use a ratio "
             "such as `部分 / 总数`")


def _check_input(node: nodes.Input, env, diagnostics: Diagnostics) -> None:
    declared = from_declaration(node.kind, node.unit)
    if node.range is not None and node.kind != "judged":
        for bound in _bounds(node.range):
            _check_bound(bound, declared, node.name, diagnostics)
    if node.default is None:
        return
    _check_expr(node.default, env, diagnostics)
    given = kind_of(node.default, env)
    if given in (declared, NUMBER, UNKNOWN):
        return
    if FLAG not in (given, declared) and combine("+", declared, given) == declared:
        return
    declared_text = f"{node.kind} {node.unit}" if node.unit else node.kind
    diagnostics.error(
        "PR216", f"the default of {node.name} is {describe(given)}, but {node.name} is declared {declared_text}",
        node.default.span, notes=((f"{node.name} is declared here", node.name_span),))
