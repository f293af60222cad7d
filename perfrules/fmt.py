"""Canonical text of expressions, intervals and numbers.

Explanations show formulas as canonical text (with values filled in where asked), and
the formatter of whole rulesets builds on the same functions, so a formula reads the
same in a ruleset, a message and an explanation.
"""

from __future__ import annotations

from collections.abc import Callable
import decimal
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
        # A context wide enough for any value we show: quantize must not overflow 28 digits.
        wide = decimal.Context(prec=max(28, value.adjusted() + places + 2))
        return "≈" + _plain(value.quantize(Decimal(1).scaleb(-places), context=wide))
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


def expr_chain(expr: nodes.Expr) -> tuple[str, list[tuple[str, str]]] | None:
    """A run of one precedence level (``a + b - c``, ``p and q and r``) as its first
    operand's text and ``(operator, operand text)`` pairs, so a long formula can break
    before an operator; None when ``expr`` is not such a run."""
    if not isinstance(expr, (nodes.Binary, nodes.Logical)):
        return None
    level = _PRECEDENCE[expr.op]
    rest, node = [], expr
    while isinstance(node, (nodes.Binary, nodes.Logical)) and _PRECEDENCE[node.op] == level:
        shown = _SHOWN[node.op] if isinstance(node, nodes.Binary) else node.op
        rest.append((shown, _text(node.right, None, level + 1)))
        node = node.left
    return _text(node, None, level), rest[::-1]


# Texts are quoted with the first style that can hold them; a text holding every closing
# mark is written as adjacent pieces, which the parser joins again.
_QUOTES = (('"', '"'), ("“", "”"), ("「", "」"))


def quote(text: str) -> str:
    """``text`` as one or more adjacent string literals that read back as ``text``.

    >>> quote('说明') + " " + quote('say "yes"')
    '"说明" “say "yes"”'
    """
    pieces, start = [], 0
    while True:
        best = max(_QUOTES, key=lambda q: _run_end(text, start, q[1]))
        end = _run_end(text, start, best[1])
        pieces.append(best[0] + text[start:end] + best[1])
        if end >= len(text):
            return " ".join(pieces)
        start = end


def _run_end(text: str, start: int, closing: str) -> int:
    found = text.find(closing, start)
    return len(text) if found < 0 else found
