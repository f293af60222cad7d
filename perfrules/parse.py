"""Text → ``nodes.Ruleset``, or a ``ParseError`` in the author's words (PR1xx).

This module and ``parse_nodes`` (which makes the nodes while Lark parses, tokens becoming
values there, once) are the only ones that see Lark. Its exceptions are translated here,
and its terminal names are mapped to what an author types (``→ or ->``), so nothing past
them knows Lark exists. Lark itself is imported by the first parse, not by
``import perfrules``.
"""

from __future__ import annotations

import functools
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

    from perfrules import parse_nodes

    here = parse_nodes.current
    here.source, here.dropped, here.problem = source, _dropped(lark_parser), None
    try:
        tree = lark_parser.parse(source.text)  # the transformer's nodes: no parse tree is built
        if here.problem is not None:
            raise here.problem
        _check_nesting(tree, source)
        return tree
    except lark.exceptions.UnexpectedInput as error:
        raise ParseError([_diagnose(error, source)]) from None
    except RecursionError:
        raise _too_deep(source) from None
    finally:
        here.source = here.problem = None


@functools.cache
def _dropped(lark_parser: lark.Lark) -> frozenset[str]:
    from perfrules.parse_nodes import dropped_tokens

    return dropped_tokens(lark_parser.terminals)


# Rubric formulas nest a few levels; generated code adds a level of parentheses per
# operator and Python refuses more than 200, so deeper text is refused here, with a place.
MAX_NESTING = 60


def _too_deep(source: Source, span: Span | None = None) -> ParseError:
    span = span or Span(source, 0, min(1, len(source.text)))
    return ParseError([Diagnostic("PR104", f"the ruleset nests more than {MAX_NESTING} levels deep", span,
                                  hint="split long formulas into `let` definitions")])


def _check_nesting(tree: nodes.Ruleset, source: Source) -> None:
    level, depth = [tree], 0
    while level:  # level by level: no recursion, and cheaper than a depth-first walk
        if depth > MAX_NESTING:
            raise _too_deep(source, _first_too_deep(tree).span)
        level = [child for node in level for child in nodes.children(node)]
        depth += 1


def _first_too_deep(tree: nodes.Ruleset):
    """The node the message points at: the first one too deep, depth first, last child first."""
    stack = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_NESTING:
            return node
        stack.extend((child, depth + 1) for child in nodes.children(node))
    raise AssertionError("no node is too deep")


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
