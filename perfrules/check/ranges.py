"""The values an expression can take, by interval arithmetic over the inputs' ranges.

Counts, amounts and percents are ≥ 0 and unbounded above unless a range is declared;
judged inputs stay within their range; numbers are unbounded; flags are not numbers
(None). The result over-approximates, so a pass may warn about values that never occur
but never misses one that does. None means "not a number, or not known": passes stay
silent about it, since another pass has reported why.

``truth_of`` does the same for conditions: True when a condition holds for every value
the ranges allow, False when it holds for none, None when it may go either way. Since
the ranges over-approximate, True and False are proofs; None is only "not proved".
"""

from __future__ import annotations

from decimal import Decimal

from perfrules import nodes
from perfrules.check.kinds import is_mismatched
from perfrules.check.names import FUNCTIONS
from perfrules.check.structure import MAX_PLACES
from perfrules.check.tree import definitions, fold_definitions, per_tree
from perfrules.intervals import INF, Range, largest, smallest, total
from perfrules.kinds import from_declaration

_ORDER = {  # op → (always holds, never holds) for ranges l and r
    "<": (lambda l, r: l.high < r.low, lambda l, r: l.low >= r.high),
    "<=": (lambda l, r: l.high <= r.low, lambda l, r: l.low > r.high),
    ">": (lambda l, r: l.low > r.high, lambda l, r: l.high <= r.low),
    ">=": (lambda l, r: l.low >= r.high, lambda l, r: l.high < r.low),
    "=": (lambda l, r: l.low == l.high == r.low == r.high, lambda l, r: l.high < r.low or r.high < l.low),
}
_BINARY = {"+": Range.__add__, "-": Range.__sub__, "*": Range.__mul__, "/": Range.__truediv__}
_CALLS = {"min": smallest, "max": largest, "sum": total, "abs": lambda rs: abs(rs[0]),
          "mean": lambda rs: total(rs) / Range.point(Decimal(len(rs)))}


@per_tree
def value_ranges(tree: nodes.Ruleset) -> dict[str, Range | None]:
    """The range of every input and let; a let in a cycle gets None."""
    return fold_definitions(tree, input_range, range_of)


def input_range(node: nodes.Input) -> Range | None:
    """What the facts may give for an input (its default is held to the same range)."""
    if node.kind == "flag":
        return None
    declared = from_declaration(node.kind, node.unit)
    written = (node.range.low, node.range.high) if node.range is not None else ()
    # A range in the wrong form (`percent 0..100`) is PR212's; the kind's domain stands in.
    if written and not any(is_mismatched(b, declared) for b in written):
        low, high = written[0].value, written[1].value
        return Range(low, high) if low <= high else None
    if node.kind == "judged":
        return None
    if node.kind == "number":
        return Range.unbounded()
    return Range(Decimal(0), INF)


def range_of(expr: nodes.Expr, env: dict[str, Range | None]) -> Range | None:
    """The values ``expr`` can take, or None when it is not a number or not known."""
    match expr:
        case nodes.Number(value=value):
            return Range.point(value)
        case nodes.Ref(name=name):
            return env.get(name)
        case nodes.Negate(operand=operand):
            inner = range_of(operand, env)
            return None if inner is None else -inner
        case nodes.Round(operand=operand, places=places):
            inner = range_of(operand, env)
            return None if inner is None else inner.round(min(max(places, 0), MAX_PLACES))
        case nodes.Binary(op=op, left=left, right=right):
            sides = range_of(left, env), range_of(right, env)
            return None if None in sides else _BINARY[op](*sides)
        case nodes.Call(function=function, args=args) if function in FUNCTIONS:
            return _call(function, [range_of(a, env) for a in args])
    return None


def _call(function: str, ranges: list) -> Range | None:
    fewest, most = FUNCTIONS[function]
    if None in ranges or len(ranges) < fewest or (most is not None and len(ranges) > most):
        return None
    return _CALLS[function](ranges)


def truth_of(expr: nodes.Expr, env: dict[str, Range | None], known: dict | None = None) -> bool | None:
    """Whether a condition always holds (True), never holds (False), or may (None).

    Args:
        expr: A flag-valued expression.
        env: Value ranges, from ``value_ranges``.
        known: Inputs and lets by name (``tree.definitions``), to look into flag lets.

    >>> truth_of(nodes.Compare("<", nodes.Number(Decimal(-1)), nodes.Ref("n")), {"n": Range(Decimal(0), INF)})
    True
    """
    return _truth(expr, env, known or {}, frozenset())


def _truth(expr, env, known, seen: frozenset) -> bool | None:
    match expr:
        case nodes.Flag(value=value):
            return value
        case nodes.Not(operand=operand):
            inner = _truth(operand, env, known, seen)
            return None if inner is None else not inner
        case nodes.Logical(op=op, left=left, right=right):
            sides = (_truth(left, env, known, seen), _truth(right, env, known, seen))
            decisive = op == "or"  # True decides an `or`, False an `and`
            return decisive if decisive in sides else (None if None in sides else not decisive)
        case nodes.Compare(op=op, left=left, right=right):
            return _compare(op, range_of(left, env), range_of(right, env))
        case nodes.Ref(name=name) if isinstance(known.get(name), nodes.Let) and name not in seen:
            return _truth(known[name].value, env, known, seen | {name})
    return None


def _compare(op: str, left: Range | None, right: Range | None) -> bool | None:
    if left is None or right is None:
        return None
    if op == "!=":
        equal = _compare("=", left, right)
        return None if equal is None else not equal
    always, never = _ORDER[op]
    if always(left, right):
        return True
    return False if never(left, right) else None
