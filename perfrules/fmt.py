"""Canonical text of expressions, intervals and numbers.

Explanations show formulas as canonical text (with values filled in where asked), and
the formatter of whole rulesets builds on the same functions, so a formula reads the
same in a ruleset, a message and an explanation.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from perfrules import nodes

_PRECEDENCE = {"or": 1, "and": 2, "not": 3, "compare": 4, "+": 5, "-": 5, "*": 6, "/": 6, "neg": 7}
_SHOWN = {"*": "×", "/": "/", "+": "+", "-": "-", "<": "<", "<=": "≤", ">": ">", ">=": "≥", "=": "=", "!=": "≠"}


def number_text(value: Decimal, *, percent: bool = False) -> str:
    """``Decimal("0.05")`` → ``5%`` when percent, else the plain decimal without exponent."""
    if percent:
        return _plain(value * 100) + "%"
    return _plain(value)


def short_number(value: Decimal, places: int = 6) -> str:
    """A number for reading: exact when short, else ``≈`` and ``places`` decimals."""
    if value.as_tuple().exponent < -places:
        return "≈" + _plain(value.quantize(Decimal(1).scaleb(-places)))
    return _plain(value)


def _plain(value: Decimal) -> str:
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def expr_text(expr: nodes.Expr, show: Callable[[str], str | None] | None = None) -> str:
    """Canonical text of ``expr``. ``show(name)`` may return a value to print instead of
    a name, as explanations do to fill a formula in."""
    return _text(expr, show, 0)


def _text(expr, show, outer: int) -> str:
    match expr:
        case nodes.Number(value=value, is_percent=is_percent):
            return number_text(value, percent=is_percent)
        case nodes.Flag(value=value):
            return "yes" if value else "no"
        case nodes.Ref(name=name):
            shown = show(name) if show else None
            return shown if shown is not None else name
        case nodes.Call(function=function, args=args):
            return f"{function}({', '.join(_text(a, show, 0) for a in args)})"
        case nodes.Round(operand=operand, places=places, mode=mode):
            tail = f", {mode}" if mode else ""
            return f"round({_text(operand, show, 0)}, {places}{tail})"
        case nodes.Negate(operand=operand):
            return _wrap(f"-{_text(operand, show, _PRECEDENCE['neg'])}", _PRECEDENCE["neg"], outer)
        case nodes.Not(operand=operand):
            return _wrap(f"not {_text(operand, show, _PRECEDENCE['not'])}", _PRECEDENCE["not"], outer)
        case nodes.Binary(op=op, left=left, right=right):
            p = _PRECEDENCE[op]
            return _wrap(f"{_text(left, show, p)} {_SHOWN[op]} {_text(right, show, p + 1)}", p, outer)
        case nodes.Compare(op=op, left=left, right=right):
            p = _PRECEDENCE["compare"]
            return _wrap(f"{_text(left, show, p + 1)} {_SHOWN[op]} {_text(right, show, p + 1)}", p, outer)
        case nodes.Logical(op=op, left=left, right=right):
            p = _PRECEDENCE[op]
            return _wrap(f"{_text(left, show, p)} {op} {_text(right, show, p + 1)}", p, outer)
    raise TypeError(f"not an expression: {expr!r}")


def _wrap(text: str, inner: int, outer: int) -> str:
    return f"({text})" if inner < outer else text


def bound_text(bound: nodes.Bound) -> str:
    return number_text(bound.value, percent=bound.is_percent)


def interval_text(interval: nodes.Interval) -> str:
    """Canonical text of a band's interval: ``< 5%``, ``5%..<10%``, ``otherwise``."""
    if interval.is_otherwise:
        return "otherwise"
    low, high = interval.low, interval.high
    if low is not None and high is not None:
        if low == high and interval.low_closed and interval.high_closed:
            return f"= {bound_text(low)}"
        left = "" if interval.low_closed else "<"
        right = "" if interval.high_closed else "<"
        return f"{bound_text(low)}{left}..{right}{bound_text(high)}"
    if high is not None:
        return f"{'≤' if interval.high_closed else '<'} {bound_text(high)}"
    if low is not None:
        return f"{'≥' if interval.low_closed else '>'} {bound_text(low)}"
    return "otherwise"
