"""Lark's reductions → ``nodes``, while the LALR parser runs (no parse tree is built).

``parse`` hands an instance of ``ToNodes`` to Lark as its ``transformer``: Lark's
documented fast path for LALR, which calls one method per rule as the rule is reduced.
Building the tree first and transforming it after took two thirds of the parse of a large
ruleset, and most of that was Lark's tree and position bookkeeping.

An embedded transformer gets no ``meta``, so the spans are worked out here, exactly as
``propagate_positions`` did: a node runs from the first to the last thing it was reduced
from, keywords and brackets included. That is why the parser keeps every token
(``keep_all_tokens``); ``_shaped`` reads the positions off the raw children, then drops
the tokens Lark would have filtered out (anonymous strings such as ``"indicator"`` and
``_NAMED`` terminals; every named terminal of the grammar is a pattern or an alternation,
so the two sets do not overlap). Values that are not nodes (a text, a header, ``full``)
travel up in an ``_At`` that remembers where they were; an expression in parentheses in a
``_Paren``, so that its own span stays the expression's while the node around it starts or
ends at the parenthesis, as Lark's container positions had it.

What a parse needs to know is per thread (``current``), set by ``parse`` around the call.
This module imports Lark: ``parse`` imports it on the first parse only. The instance is
pickled with the cached parser by reference to this module and class.
"""

from __future__ import annotations

import threading
import unicodedata
from decimal import Decimal

from lark import Token, Transformer, Tree

from perfrules import nodes
from perfrules.diagnostics import Diagnostic
from perfrules.errors import ParseError
from perfrules.source import Span

_OPERATORS = {
    "LT": "<", "LE": "<=", "GT": ">", "GE": ">=", "EQ": "=", "NE": "!=",
    "PLUS": "+", "MINUS": "-", "TIMES": "*", "DIVIDE": "/",
}

_NODES = frozenset(c for c in vars(nodes).values() if isinstance(c, type) and c.__module__ == nodes.__name__)

# The parse of this thread: ``source`` for the spans, ``dropped`` (``dropped_tokens`` of the
# parser), and ``problem``, the first error found in a reduction. That is raised once the
# whole text has parsed, so that a syntax error further on is still the one reported (as
# when the tree was transformed after the parse).
current = threading.local()


class _At:
    """A value that is not a node, and where it was written."""

    __slots__ = ("value", "start", "end")

    def __init__(self, value, start: int, end: int) -> None:
        self.value, self.start, self.end = value, start, end


class _Paren:
    """An expression and where the text around it that belongs to it ends: its parentheses,
    or the keyword of a rule that only passes it on (``default (x)``)."""

    __slots__ = ("node", "start", "end")

    def __init__(self, node, start: int, end: int) -> None:
        self.node, self.start, self.end = node, start, end


def _shaped(build, *, keep_tokens: bool = False):
    """Lark's callback for a rule: ``build(self, span, *children)`` with the children the
    parse tree had (tokens filtered out, ``None`` for an absent optional)."""

    def callback(self, children):
        here = current
        # Nearly every rule starts and ends with something written; None is an absent `[x]`.
        first = children[0] if children else None
        if first is None:
            first = next((c for c in children if c is not None), None)
        if first is None:
            span = None
        else:
            last = children[-1]
            if last is None:
                last = next(c for c in reversed(children) if c is not None)
            kind = type(first)
            start = first.start_pos if kind is Token else first.start if kind is _At or kind is _Paren \
                else first.span.start
            kind = type(last)
            end = last.end_pos if kind is Token else last.end if kind is _At or kind is _Paren else last.span.end
            span = Span(here.source, start, end)
        dropped = here.dropped
        args = []
        for child in children:
            kind = type(child)
            if kind is Token:
                if keep_tokens or child.type not in dropped:
                    args.append(child)
            elif kind is _At:
                args.append(child.value)
            elif kind is _Paren:
                args.append(child.node)
            else:
                args.append(child)
        result = build(self, span, *args)
        if span is None:
            return result
        if type(result) in _NODES:  # a node passed up (`default expr`) keeps the rule's extent
            return result if result.span is span else _Paren(result, span.start, span.end)
        return _At(result, span.start, span.end)

    callback.__name__ = build.__name__
    return callback


def _normal(text: str) -> str:
    """Full-width digits, points and percent signs become ASCII (NFKC)."""
    return unicodedata.normalize("NFKC", text)


def _decimal(token: Token) -> Decimal:
    return Decimal(_normal(token.value))


def _percent(token: Token) -> Decimal:
    return Decimal(_normal(token.value).rstrip("%")) / 100


def _points(token: Token | None) -> Decimal | None:
    """A band's points; None stands for `full`."""
    return None if token is None else _decimal(token)


def _unquote(token: Token) -> str:
    return token.value[1:-1]


def _name(token: Token) -> str:
    return _normal(token.value) if token.type == "IDENT" else _unquote(token)


def _places(token: Token) -> int:
    places = _decimal(token)
    if places != places.to_integral_value() and getattr(current, "problem", None) is None:
        current.problem = ParseError([Diagnostic("PR105", f"decimal places must be a whole number, not {token.value}",
                                                 Span(current.source, token.start_pos, token.end_pos))])
    return int(places)


def _present(values: tuple):
    """The one value of an optional group such as ``[_COMMA rounding_mode]``: with every
    token kept, an absent group leaves a ``None`` for each of its symbols."""
    return next((v for v in values if v is not None), None)


def _tspan(token: Token) -> Span:
    return Span(current.source, token.start_pos, token.end_pos)


class ToNodes(Transformer):
    """One method per grammar rule, each a few lines; ``span`` is where the rule matched."""

    def __default__(self, data, children, meta):
        # Lark's own helpers (``_top*`` becomes ``__start_star_0``) stay trees, which Lark
        # splices into the rule that uses them; a rule of ours without a method is a bug.
        if data[0] != "_":
            raise AssertionError(f"the grammar rule {data!r} has no method in ToNodes")
        return Tree(data, children)

    # ---- header and declarations
    @_shaped
    def start(self, span, header, *statements):
        name, version, description = header
        return nodes.Ruleset(name, version, description, statements, span=span)

    @_shaped
    def header(self, span, name, version, description):
        return name, version, description

    @_shaped
    def version(self, span, text):
        return text

    @_shaped
    def description(self, span, text):
        return text

    @_shaped
    def text(self, span, *tokens):
        return "".join(_unquote(t) for t in tokens)

    @_shaped
    def input(self, span, name, kind, range_, description, default):
        kind_name, unit = kind
        return nodes.Input(_name(name), kind_name, unit, range_, description, default,
                           span=span, name_span=_tspan(name))

    @_shaped
    def kind(self, span, kind, unit):
        return kind.value, (unit.value if unit is not None else None)

    @_shaped
    def range(self, span, low, high):
        return nodes.Interval(low, high, span=span)

    @_shaped
    def input_default(self, span, expr):
        return expr

    @_shaped
    def let(self, span, name, _eq, value, description):
        return nodes.Let(_name(name), value, description, span=span, name_span=_tspan(name))

    @_shaped
    def total(self, span, points):
        return nodes.Total(_decimal(points), span=span)

    @_shaped
    def rounding(self, span, mode, places):
        return nodes.Rounding(mode, _places(places), span=span)

    def _mode(self, span, token):
        return token.value

    rounding_mode = _shaped(_mode, keep_tokens=True)  # `!rounding_mode`: its keyword is the value

    # ---- the tree
    @_shaped
    def group(self, span, name, points, stable_id, description, *members):
        return nodes.Group(_name(name), _decimal(points), description, members,
                           span=span, name_span=_tspan(name), stable_id=stable_id)

    @staticmethod
    def _rule(cls, span, name, points, stable_id, description, body):
        if body and type(body[0]) is Token:  # `= expr` shorthand for `score expr`
            body = (nodes.Score(body[1], span=body[1].span),)
        return cls(_name(name), _decimal(points), description, tuple(body),
                   span=span, name_span=_tspan(name), stable_id=stable_id)

    @_shaped
    def indicator(self, span, name, points, stable_id, description, *body):
        return self._rule(nodes.Indicator, span, name, points, stable_id, description, body)

    @_shaped
    def part(self, span, name, points, stable_id, description, *body):
        return self._rule(nodes.Part, span, name, points, stable_id, description, body)

    @_shaped
    def stable_id(self, span, token):
        return _unquote(token)

    @_shaped
    def monotone(self, span, direction, name):
        return nodes.Monotone(direction.value, _name(name), span=span)

    # ---- clauses
    @_shaped
    def tiers(self, span, subject, *bands):
        return nodes.Tiers(subject, bands, span=span)

    @_shaped
    def band(self, span, interval, points):
        return nodes.Band(interval, _points(points), span=span)

    @_shaped
    def full(self, span):
        return None

    @_shaped
    def score(self, span, formula):
        return nodes.Score(formula, span=span)

    @_shaped
    def checklist(self, span, *items):
        return nodes.Checklist(items, span=span)

    @_shaped
    def check_item(self, span, points, text, test):
        return nodes.CheckItem(_decimal(points), text, test, span=span)

    @_shaped
    def deduct_per_item(self, span, points, count):
        return nodes.DeductPerItem(_decimal(points), count, span=span)

    @_shaped
    def deduct_per_unit(self, span, points, counting, unit, subject, *threshold):
        return nodes.DeductPerUnit(_decimal(points), counting, unit, subject, _present(threshold), span=span)

    counting = _shaped(_mode, keep_tokens=True)  # `!counting`

    @_shaped
    def deduct_when(self, span, points, condition):
        return nodes.DeductWhen(_decimal(points), condition, span=span)

    @_shaped
    def veto(self, span, condition, reason):
        return nodes.Veto(condition, reason, span=span)

    @_shaped
    def exempt(self, span, condition, reason):
        return nodes.Exempt(condition, reason, span=span)

    @_shaped
    def on_zero(self, span, points):
        return nodes.OnZero(_points(points), span=span)

    # ---- bands and grades
    @_shaped
    def grade(self, span, name, *bands):
        return nodes.Grade(_name(name) if name is not None else None, bands, span=span)

    @_shaped
    def grade_band(self, span, interval, label):
        return nodes.GradeBand(interval, _name(label), span=span)

    @_shaped
    def bound(self, span, *tokens):
        sign = -1 if len(tokens) == 2 else 1
        token = tokens[-1]
        is_percent = token.type == "PERCENT"
        value = _percent(token) if is_percent else _decimal(token)
        return nodes.Bound(sign * value, is_percent, span=span)

    @_shaped
    def below(self, span, _op, bound):
        return nodes.Interval(high=bound, high_closed=False, span=span)

    @_shaped
    def at_most(self, span, _op, bound):
        return nodes.Interval(high=bound, high_closed=True, span=span)

    @_shaped
    def above(self, span, _op, bound):
        return nodes.Interval(low=bound, low_closed=False, span=span)

    @_shaped
    def at_least(self, span, _op, bound):
        return nodes.Interval(low=bound, low_closed=True, span=span)

    @_shaped
    def exactly(self, span, _op, bound):
        return nodes.Interval(bound, bound, span=span)

    @_shaped
    def between(self, span, low, low_open, high_open, high):
        return nodes.Interval(low, high, low_open is None, high_open is None, span=span)

    @_shaped
    def otherwise(self, span):
        return nodes.Interval(is_otherwise=True, span=span)

    # ---- expressions
    def atom(self, children):
        # Only `( expr )` reaches here (the other atoms have aliases): with its parentheses
        # kept it has three children, so Lark no longer inlines it.
        opening, inner, closing = children
        node = inner.node if type(inner) is _Paren else inner
        return _Paren(node, opening.start_pos, closing.end_pos)

    @_shaped
    def number(self, span, token):
        return nodes.Number(_decimal(token), span=span)

    @_shaped
    def percent(self, span, token):
        return nodes.Number(_percent(token), is_percent=True, span=span)

    @_shaped
    def ref(self, span, token):
        return nodes.Ref(_name(token), span=span)

    @_shaped
    def yes(self, span):
        return nodes.Flag(True, span=span)

    @_shaped
    def no(self, span):
        return nodes.Flag(False, span=span)

    @_shaped
    def call(self, span, function, *args):
        return nodes.Call(_name(function), tuple(a for a in args if a is not None), span=span)

    @_shaped
    def round_(self, span, operand, places, *mode):
        return nodes.Round(operand, _places(places), _present(mode), span=span)

    @_shaped
    def binary(self, span, left, op, right):
        return nodes.Binary(_OPERATORS[op.type], left, right, span=span)

    @_shaped
    def compare(self, span, left, op, right):
        return nodes.Compare(_OPERATORS[op.type], left, right, span=span)

    @_shaped
    def negate(self, span, _minus, operand):
        return nodes.Negate(operand, span=span)

    @_shaped
    def not_(self, span, operand):
        return nodes.Not(operand, span=span)

    @_shaped
    def and_(self, span, left, right):
        return nodes.Logical("and", left, right, span=span)

    @_shaped
    def or_(self, span, left, right):
        return nodes.Logical("or", left, right, span=span)


def dropped_tokens(terminals) -> frozenset[str]:
    """The token types a parse tree leaves out: anonymous strings and ``_NAMES``."""
    return frozenset(t.name for t in terminals if t.name.startswith("_") or t.pattern.type == "str")
