"""Value kinds and their arithmetic: what a count, an amount or a ratio may be mixed with.

``kind_of`` works out the kind of any expression from the kinds of the names it uses.
It never raises: where kinds clash it returns ``UNKNOWN`` and the checker
(``check/kinds.py``) reports the clash with both sides named.
"""

from __future__ import annotations

from collections.abc import Mapping

import attrs

from perfrules import nodes


@attrs.frozen
class Kind:
    """``name`` is count, amount, ratio, flag, points, number or unknown."""

    name: str
    unit: str | None = None

    def __str__(self) -> str:
        return f"{self.name} {self.unit}" if self.unit else self.name


COUNT = Kind("count")
RATIO = Kind("ratio")
FLAG = Kind("flag")
POINTS = Kind("points")
NUMBER = Kind("number")
UNKNOWN = Kind("unknown")


def from_declaration(kind: str, unit: str | None) -> Kind:
    """The kind of a declared input: ``percent`` is a ratio, ``judged`` is points."""
    return {
        "count": COUNT,
        "percent": RATIO,
        "ratio": RATIO,
        "flag": FLAG,
        "judged": POINTS,
        "number": NUMBER,
    }.get(kind) or Kind("amount", unit)


def kind_of(expr: nodes.Expr, env: Mapping[str, Kind]) -> Kind:
    """The kind of ``expr`` given the kinds of names; UNKNOWN where kinds clash."""
    match expr:
        case nodes.Number(is_percent=True):
            return RATIO
        case nodes.Number():
            return NUMBER
        case nodes.Flag() | nodes.Not() | nodes.Compare() | nodes.Logical():
            return FLAG
        case nodes.Ref(name=name):
            return env.get(name, UNKNOWN)
        case nodes.Negate(operand=operand) | nodes.Round(operand=operand):
            # Arithmetic on a flag means nothing, even with one operand.
            kind = kind_of(operand, env)
            return UNKNOWN if kind == FLAG else kind
        case nodes.Binary(op=op, left=left, right=right):
            return combine(op, kind_of(left, env), kind_of(right, env))
        case nodes.Call(args=args):
            kinds = [kind_of(a, env) for a in args]
            result = kinds[0] if kinds and kinds[0] != FLAG else UNKNOWN
            for kind in kinds[1:]:
                result = combine("+", result, kind)
            return result
    return UNKNOWN


def combine(op: str, left: Kind, right: Kind) -> Kind:
    """The kind of ``left op right``; UNKNOWN when the two cannot be combined."""
    if UNKNOWN in (left, right) or FLAG in (left, right):
        return UNKNOWN
    if op in "+-":
        return _same(left, right)
    if op == "*":
        if left == NUMBER or left == RATIO:
            return right if right != NUMBER or left == NUMBER else RATIO
        if right in (NUMBER, RATIO):
            return left
        return UNKNOWN if left.name == "amount" and right.name == "amount" else NUMBER
    # division
    if right in (NUMBER, RATIO):
        return left
    if left == right or (left.name == right.name == "amount" and left.unit == right.unit):
        return RATIO
    if left.name == "amount" and right.name == "amount":
        return UNKNOWN
    return NUMBER


def comparable(left: Kind, right: Kind) -> bool:
    """Whether ``left < right`` means something."""
    if FLAG in (left, right):
        # A flag is yes or no: it compares with a flag only, never with a number.
        return left == right
    return _same(left, right) != UNKNOWN


def _same(left: Kind, right: Kind) -> Kind:
    if left == right:
        return left
    if left == NUMBER:
        return right
    if right == NUMBER:
        return left
    if {left, right} == {POINTS, RATIO}:
        # A ratio times points (执行率 × 1分) is a score; adding the two is common.
        return POINTS
    return UNKNOWN
