"""Text → ``nodes.Ruleset``, or a ``ParseError`` in the author's words (PR1xx).

This is the only module that sees Lark. Its exceptions are translated here, and its
terminal names are mapped to what an author types (``→ or ->``), so nothing past this
module knows Lark exists. Tokens become values here, once. Lark itself is imported by the
first parse, not by ``import perfrules``.
"""

from __future__ import annotations

import functools
import unicodedata
from decimal import Decimal
from typing import TYPE_CHECKING

import attrs

from perfrules import nodes
from perfrules._grammar import collecting_comments, commenting_parser, parser
from perfrules.diagnostics import Diagnostic
from perfrules.errors import ParseError
from perfrules.source import Source, Span

if TYPE_CHECKING:
    import lark
    from lark import Token

_OPERATORS = {
    "LT": "<", "LE": "<=", "GT": ">", "GE": ">=", "EQ": "=", "NE": "!=",
    "PLUS": "+", "MINUS": "-", "TIMES": "*", "DIVIDE": "/",
}

# What to call a terminal in a message. Keywords not listed are shown as themselves.
_TERMINAL_NAMES = {
    "_ARROW": "→ or ->", "_COLON": ":", "_COMMA": ",",
    "_LPAREN": "(", "_RPAREN": ")", "_LBRACE": "{", "_RBRACE": "}", "_RANGE": "..",
    "LT": "<", "LE": "≤ or <=", "GT": ">", "GE": "≥ or >=", "EQ": "=", "NE": "≠ or !=",
    "PLUS": "+", "MINUS": "-", "TIMES": "× or *", "DIVIDE": "/ or ÷",
    "NUMBER": "a number", "PERCENT": "a percent such as 5%", "STRING": 'a quoted text "…"',
    "IDENT": "a name", "KIND": "a kind (count, amount, percent, ratio, flag, judged, number)",
    "$END": "the end of the file",
}
_EXPRESSION_START = {"IDENT", "NUMBER", "PERCENT", "_LPAREN", "MINUS", "NOT", "ROUND", "YES", "NO"}

# Characters authors reach for that the language spells differently.
_LOOKALIKES = {
    "、": "separate items with ; or ；",
    "。": "end a band or item with ; or ；, or just a new line",
    "【": "quote texts with \"…\" or “…”", "】": "quote texts with \"…\" or “…”",
    "《": "quote texts with \"…\" or “…”", "》": "quote texts with \"…\" or “…”",
    "'": "quote texts with \"…\" or “…”", "\t": "",
    "'": "quote texts with \"…\" or “…”",
}


def parse(text: str, *, name: str = "<string>") -> nodes.Ruleset:
    """Parse ruleset text into a syntax tree.

    Args:
        text: The ruleset, as written.
        name: The file name shown in messages.

    Returns:
        The frozen syntax tree.

    Raises:
        ParseError: the text is not in the language; the error says where and what was
            expected there.

    >>> parse('ruleset "r" indicator a 1 = 1').name
    'r'
    """
    return _parse(Source(name, text), parser())


@attrs.frozen
class Comment:
    """A ``#`` comment as written (without its line break), and where it is."""

    text: str
    span: Span = attrs.field(eq=False, repr=False)


def parse_with_comments(text: str, *, name: str = "<string>") -> tuple[nodes.Ruleset, tuple[Comment, ...]]:
    """Parse like ``parse``, and also return the comments in source order (for ``fmt``).

    >>> parse_with_comments('ruleset "r"  # 2024\\nindicator a 1 = 1')[1]
    (Comment(text='# 2024'),)
    """
    source = Source(name, text)
    with collecting_comments() as tokens:
        tree = _parse(source, commenting_parser())
    return tree, tuple(Comment(t.value.rstrip("\r"), Span(source, t.start_pos, t.end_pos)) for t in tokens)


def _parse(source: Source, lark_parser: lark.Lark) -> nodes.Ruleset:
    import lark

    text = source.text
    try:
        tree = _to_nodes()(source).transform(lark_parser.parse(text))
        _check_nesting(tree, source)
        return tree
    except lark.exceptions.VisitError as error:
        if isinstance(error.orig_exc, ParseError):
            raise error.orig_exc from None
        if isinstance(error.orig_exc, RecursionError):
            raise _too_deep(source) from None
        raise
    except lark.exceptions.UnexpectedInput as error:
        raise ParseError([_diagnose(error, source)]) from None
    except RecursionError:
        raise _too_deep(source) from None


# Rubric formulas nest a few levels; generated code adds a level of parentheses per
# operator and Python refuses more than 200, so deeper text is refused here, with a place.
MAX_NESTING = 60


def _too_deep(source: Source, span: Span | None = None) -> ParseError:
    span = span or Span(source, 0, min(1, len(source.text)))
    return ParseError([Diagnostic("PR104", f"the ruleset nests more than {MAX_NESTING} levels deep", span,
                                  hint="split long formulas into `let` definitions")])


def _check_nesting(tree: nodes.Ruleset, source: Source) -> None:
    stack = [(tree, 0)]
    while stack:  # iterative: the point is to refuse trees too deep to recurse into
        node, depth = stack.pop()
        if depth > MAX_NESTING:
            raise _too_deep(source, node.span)
        for field in attrs.fields(type(node)):
            value = getattr(node, field.name) if field.eq else None
            for child in value if isinstance(value, tuple) else (value,):
                if attrs.has(type(child)):
                    stack.append((child, depth + 1))


def _diagnose(error: lark.exceptions.UnexpectedInput, source: Source) -> Diagnostic:
    import lark

    if isinstance(error, lark.exceptions.UnexpectedCharacters):
        char = source.text[error.pos_in_stream]
        span = Span(source, error.pos_in_stream, error.pos_in_stream + 1)
        hint = _LOOKALIKES.get(char) or None
        return Diagnostic("PR101", f"unexpected character {char!r}", span, hint=hint)
    if isinstance(error, lark.exceptions.UnexpectedEOF):
        end = len(source.text.rstrip())
        span = Span(source, max(0, end - 1), end)
        return Diagnostic("PR103", "the ruleset ends too early", span,
                          hint=f"expected {_expected(error.expected)}")
    token: Token = error.token
    expected = getattr(error, "accepts", None) or error.expected
    if token.type == "$END":
        end = len(source.text.rstrip())
        return Diagnostic("PR103", "the ruleset ends too early",
                          Span(source, max(0, end - 1), end),
                          hint=f"expected {_expected(expected)}")
    span = Span(source, token.start_pos, token.end_pos)
    return Diagnostic("PR102", f"unexpected {_describe(token)}; expected {_expected(expected)}", span)


def _describe(token: Token) -> str:
    if token.type in ("IDENT", "NUMBER", "PERCENT"):
        return f"{_TERMINAL_NAMES[token.type].removeprefix('a ').removeprefix('an ')} {token.value}"
    return f"{token.value!r}" if token.type != "STRING" else f"text {token.value}"


def _expected(names) -> str:
    names = set(names)
    words = []
    if len(names & _EXPRESSION_START) >= 3:
        names -= _EXPRESSION_START
        words.append("an expression")
    for name in sorted(names, key=lambda n: (n not in _TERMINAL_NAMES, n)):
        words.append(_TERMINAL_NAMES.get(name) or f"`{_keyword(name)}`")
    if len(words) > 8:
        words = words[:8] + ["…"]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def _keyword(terminal: str) -> str:
    for definition in parser().terminals:
        if definition.name == terminal and definition.pattern.type == "str":
            return definition.pattern.value
    return terminal.lower()


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


@functools.cache
def _to_nodes() -> type[lark.Transformer]:
    """The transformer class, made by the first parse: importing this module does not import Lark."""
    from lark import Token, Transformer, v_args

    @v_args(inline=True, meta=True)
    class _ToNodes(Transformer):
        """Lark tree → nodes, one method per grammar rule, each a few lines."""

        def __init__(self, source: Source) -> None:
            super().__init__()
            self.source = source

        def _span(self, meta) -> Span | None:
            if getattr(meta, "empty", True):
                return None
            return Span(self.source, meta.start_pos, meta.end_pos)

        def _tspan(self, token: Token) -> Span:
            return Span(self.source, token.start_pos, token.end_pos)

        def _places(self, token: Token) -> int:
            places = _decimal(token)
            if places != places.to_integral_value():
                raise ParseError([Diagnostic("PR105", f"decimal places must be a whole number, not {token.value}",
                                             self._tspan(token))])
            return int(places)

        def _name(self, token: Token) -> str:
            return _normal(token.value) if token.type == "IDENT" else _unquote(token)

        # ---- header and declarations
        def start(self, meta, header, *statements):
            name, version, description = header
            return nodes.Ruleset(name, version, description, statements, span=self._span(meta))

        def header(self, meta, name, version, description):
            return name, version, description

        def version(self, meta, text):
            return text

        def description(self, meta, text):
            return text

        def text(self, meta, *tokens):
            return "".join(_unquote(t) for t in tokens)

        def input(self, meta, name, kind, range_, description, default):
            kind_name, unit = kind
            return nodes.Input(self._name(name), kind_name, unit, range_, description, default,
                               span=self._span(meta), name_span=self._tspan(name))

        def kind(self, meta, kind, unit):
            return kind.value, (unit.value if unit is not None else None)

        def range(self, meta, low, high):
            return nodes.Interval(low, high, span=self._span(meta))

        def input_default(self, meta, expr):
            return expr

        def let(self, meta, name, _eq, value, description):
            return nodes.Let(self._name(name), value, description,
                             span=self._span(meta), name_span=self._tspan(name))

        def total(self, meta, points):
            return nodes.Total(_decimal(points), span=self._span(meta))

        def rounding(self, meta, mode, places):
            return nodes.Rounding(mode, self._places(places), span=self._span(meta))

        def rounding_mode(self, meta, token):
            return token.value

        # ---- the tree
        def group(self, meta, name, points, stable_id, description, *members):
            return nodes.Group(self._name(name), _decimal(points), description, members,
                               span=self._span(meta), name_span=self._tspan(name), stable_id=stable_id)

        def _rule(self, cls, meta, name, points, stable_id, description, body):
            if body and isinstance(body[0], Token):  # `= expr` shorthand for `score expr`
                body = (nodes.Score(body[1], span=body[1].span),)
            return cls(self._name(name), _decimal(points), description, tuple(body),
                       span=self._span(meta), name_span=self._tspan(name), stable_id=stable_id)

        def indicator(self, meta, name, points, stable_id, description, *body):
            return self._rule(nodes.Indicator, meta, name, points, stable_id, description, body)

        def part(self, meta, name, points, stable_id, description, *body):
            return self._rule(nodes.Part, meta, name, points, stable_id, description, body)

        def stable_id(self, meta, token):
            return _unquote(token)

        def monotone(self, meta, direction, name):
            return nodes.Monotone(direction.value, self._name(name), span=self._span(meta))

        # ---- clauses
        def tiers(self, meta, subject, *bands):
            return nodes.Tiers(subject, bands, span=self._span(meta))

        def band(self, meta, interval, points):
            return nodes.Band(interval, _points(points), span=self._span(meta))

        def full(self, meta):
            return None

        def score(self, meta, formula):
            return nodes.Score(formula, span=self._span(meta))

        def checklist(self, meta, *items):
            return nodes.Checklist(items, span=self._span(meta))

        def check_item(self, meta, points, text, test):
            return nodes.CheckItem(_decimal(points), text, test, span=self._span(meta))

        def deduct_per_item(self, meta, points, count):
            return nodes.DeductPerItem(_decimal(points), count, span=self._span(meta))

        def deduct_per_unit(self, meta, points, counting, unit, subject, threshold):
            return nodes.DeductPerUnit(_decimal(points), counting, unit, subject, threshold,
                                       span=self._span(meta))

        def counting(self, meta, token):
            return token.value

        def deduct_when(self, meta, points, condition):
            return nodes.DeductWhen(_decimal(points), condition, span=self._span(meta))

        def veto(self, meta, condition, reason):
            return nodes.Veto(condition, reason, span=self._span(meta))

        def exempt(self, meta, condition, reason):
            return nodes.Exempt(condition, reason, span=self._span(meta))

        def on_zero(self, meta, points):
            return nodes.OnZero(_points(points), span=self._span(meta))

        # ---- bands and grades
        def grade(self, meta, name, *bands):
            label = self._name(name) if name is not None else None
            return nodes.Grade(label, bands, span=self._span(meta))

        def grade_band(self, meta, interval, label):
            return nodes.GradeBand(interval, self._name(label), span=self._span(meta))

        def bound(self, meta, *tokens):
            sign = -1 if len(tokens) == 2 else 1
            token = tokens[-1]
            is_percent = token.type == "PERCENT"
            value = _percent(token) if is_percent else _decimal(token)
            return nodes.Bound(sign * value, is_percent, span=self._span(meta))

        def below(self, meta, _op, bound):
            return nodes.Interval(high=bound, high_closed=False, span=self._span(meta))

        def at_most(self, meta, _op, bound):
            return nodes.Interval(high=bound, high_closed=True, span=self._span(meta))

        def above(self, meta, _op, bound):
            return nodes.Interval(low=bound, low_closed=False, span=self._span(meta))

        def at_least(self, meta, _op, bound):
            return nodes.Interval(low=bound, low_closed=True, span=self._span(meta))

        def exactly(self, meta, _op, bound):
            return nodes.Interval(bound, bound, span=self._span(meta))

        def between(self, meta, low, low_open, high_open, high):
            return nodes.Interval(low, high, low_open is None, high_open is None, span=self._span(meta))

        def otherwise(self, meta):
            return nodes.Interval(is_otherwise=True, span=self._span(meta))

        # ---- expressions
        def number(self, meta, token):
            return nodes.Number(_decimal(token), span=self._span(meta))

        def percent(self, meta, token):
            return nodes.Number(_percent(token), is_percent=True, span=self._span(meta))

        def ref(self, meta, token):
            return nodes.Ref(self._name(token), span=self._span(meta))

        def yes(self, meta):
            return nodes.Flag(True, span=self._span(meta))

        def no(self, meta):
            return nodes.Flag(False, span=self._span(meta))

        def call(self, meta, function, *args):
            args = tuple(a for a in args if a is not None)
            return nodes.Call(self._name(function), args, span=self._span(meta))

        def round_(self, meta, operand, places, mode):
            return nodes.Round(operand, self._places(places), mode, span=self._span(meta))

        def binary(self, meta, left, op, right):
            return nodes.Binary(_OPERATORS[op.type], left, right, span=self._span(meta))

        def compare(self, meta, left, op, right):
            return nodes.Compare(_OPERATORS[op.type], left, right, span=self._span(meta))

        def negate(self, meta, _minus, operand):
            return nodes.Negate(operand, span=self._span(meta))

        def not_(self, meta, operand):
            return nodes.Not(operand, span=self._span(meta))

        def and_(self, meta, left, right):
            return nodes.Logical("and", left, right, span=self._span(meta))

        def or_(self, meta, left, right):
            return nodes.Logical("or", left, right, span=self._span(meta))

    return _ToNodes
