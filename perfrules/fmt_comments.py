"""Where each comment of a ruleset goes when the formatter lays it out again.

The syntax tree has no comments, so the formatter re-attaches them by position to the
*units* it prints on lines of their own: the header, statements, clauses, bands and
checklist items. A comment after code on its line (a trailing comment) stays at the end
of the line of the last unit that ends there (the outermost, if several do), or else at the end of the opening line
of the unit it sits in. A comment on a line of its own goes before the next unit of the
block it sits in, or before the block's closing brace when nothing follows. Blank lines
between units and comments are remembered (one at most), so sections stay apart.

This module only decides; ``fmt_layout`` prints. Nothing here changes the tree.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import attrs

from perfrules import nodes
from perfrules.parse import Comment

Key = tuple[str, int, int]
HEADER = "header"
_SPACE = " \t\r\n;；"


@attrs.frozen
class Note:
    """A comment on a line of its own, and whether a blank line comes before it."""

    text: str
    blank_before: bool = False


@attrs.frozen
class Notes:
    """The comments of a ruleset, attached to units by ``key``; empty without a source."""

    leading: Mapping[Key, tuple[Note, ...]] = attrs.Factory(dict)
    trailing: Mapping[Key, tuple[str, ...]] = attrs.Factory(dict)
    opening: Mapping[Key, tuple[str, ...]] = attrs.Factory(dict)
    closing: Mapping[Key, tuple[Note, ...]] = attrs.Factory(dict)
    blank: frozenset[Key] | None = None  # units with a blank line before; None: no source
    end: tuple[Note, ...] = ()
    header: Key | None = None

    def is_busy(self, node) -> bool:
        """Does a comment sit inside ``node`` (so it cannot be printed on one line)?"""
        inner = [key(c) for c in children(node)]
        own = key(node)
        return bool(self.opening.get(own) or self.closing.get(own)) or any(
            self.leading.get(k) or self.trailing.get(k) for k in inner
        )


def key(node) -> Key | None:
    """What identifies a unit: its class and where it is (units never share both)."""
    span = getattr(node, "span", None)
    return None if span is None else (type(node).__name__, span.start, span.end)


def children(node) -> tuple:
    """The units a unit prints inside itself, each on lines of its own."""
    match node:
        case nodes.Ruleset(statements=members) | nodes.Group(members=members):
            return members
        case nodes.Indicator(clauses=members) | nodes.Part(clauses=members):
            return members
        case nodes.Tiers(bands=members) | nodes.Grade(bands=members) | nodes.Checklist(items=members):
            return members
    return ()


@attrs.define
class _Unit:
    key: Key
    start: int
    end: int
    children: list[_Unit]


def attach(tree: nodes.Ruleset, comments: Sequence[Comment], text: str) -> Notes:
    """Attach every comment of ``text`` (parsed as ``tree``) to a unit.

    Returns:
        The notes ``fmt_layout`` prints; every comment is in exactly one place.
    """
    header = _Unit((HEADER, tree.span.start, _header_end(tree, comments, text)), tree.span.start, 0, [])
    header.end = header.key[2]
    root = _Unit(("file", -1, len(text) + 1), -1, len(text) + 1, [header, *map(_unit, tree.statements)])
    units = list(_flatten(root))[1:]
    found = _Found()
    for comment in comments:
        _place(comment, root, units, text, found)
    blank = frozenset(u.key for u in units if _blank_before(text, u.start))
    return Notes(_freeze(found.leading), _freeze(found.trailing), _freeze(found.opening),
                 _freeze(found.closing), blank, tuple(found.end), header.key)


@attrs.define
class _Found:
    leading: dict = attrs.Factory(dict)
    trailing: dict = attrs.Factory(dict)
    opening: dict = attrs.Factory(dict)
    closing: dict = attrs.Factory(dict)
    end: list = attrs.Factory(list)


def _unit(node) -> _Unit:
    return _Unit(key(node), node.span.start, node.span.end, [_unit(c) for c in children(node)])


def _flatten(unit: _Unit):
    yield unit
    for child in unit.children:
        yield from _flatten(child)


def _place(comment: Comment, root: _Unit, units: list[_Unit], text: str, found: _Found) -> None:
    start = comment.span.start
    line_start = text.rfind("\n", 0, start) + 1
    container = _innermost(root, start)
    if text[line_start:start].strip(_SPACE):
        ended = [u for u in units if u.end <= start and "\n" not in text[u.end:start]]
        if ended:
            # the last unit to end there; of units ending together, the outermost
            _add(found.trailing, min(ended, key=lambda u: (-u.end, u.start)).key, text_of(comment))
        else:
            _add(found.trailing if not container.children else found.opening, container.key, text_of(comment))
        return
    note = Note(text_of(comment), _blank_before(text, start))
    if not container.children and container is not root:
        _add(found.trailing, container.key, text_of(comment))  # inside a unit printed as a whole
        return
    following = next((c for c in container.children if c.start > start), None)
    if following is not None:
        _add(found.leading, following.key, note)
    elif container is root:
        found.end.append(note)
    else:
        _add(found.closing, container.key, note)


def _innermost(unit: _Unit, position: int) -> _Unit:
    for child in unit.children:
        if child.start < position < child.end:
            return _innermost(child, position)
    return unit


def _add(table: dict, where: Key, item) -> None:
    table.setdefault(where, []).append(item)


def _freeze(table: dict) -> dict:
    return {k: tuple(v) for k, v in table.items()}


def _blank_before(text: str, position: int) -> bool:
    """Is there an empty line between ``position`` and the code or comment before it?"""
    newlines, i = 0, position
    while i > 0 and text[i - 1] in _SPACE:
        i -= 1
        newlines += text[i] == "\n"
    return newlines >= 2


def _header_end(tree: nodes.Ruleset, comments: Sequence[Comment], text: str) -> int:
    """Where the header's last token ends: before the first statement, its comments and
    the white space around them."""
    end = tree.statements[0].span.start if tree.statements else len(text)
    comment_starts = {c.span.end: c.span.start for c in comments}
    while True:
        while end > tree.span.start and text[end - 1] in _SPACE:
            end -= 1
        if end not in comment_starts:
            return end
        end = comment_starts[end]


def text_of(comment: Comment) -> str:
    """A comment as printed: white space at its end is not kept."""
    return comment.text.rstrip()
