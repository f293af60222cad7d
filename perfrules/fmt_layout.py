"""The canonical layout of a whole ruleset: ``perfrules fmt`` and the fingerprint.

One layout, decided by the syntax tree alone (and, when formatting a file, by where its
comments and blank lines were):

* two spaces per level; every statement, clause, band of a block ``tiers`` and checklist
  item on lines of its own; blank lines kept between units, one at most;
* symbols in one spelling (``→ ≤ ≥ ≠ × %``), numbers without trailing zeros, names bare
  unless they need quotes;
* a line holds what fits in ``WIDTH`` terminal cells (CJK counts two): ``tiers`` and
  ``grade`` bands go on one line ``a → 1; b → 0`` when they fit, else one per line with
  the arrows aligned; a text that does not fit moves below its line and is cut into
  adjacent strings, at punctuation where it can; a long formula breaks inside a function
  call (one argument a line) or before ``+ - × / and or``;
* an indicator or part scored by one formula is written ``= EXPR`` when it fits on a line.

The text always parses back to an equal tree, and formatting it again changes nothing;
``tests/property/test_fmt_roundtrip.py`` checks both.
"""

from __future__ import annotations

import re
import unicodedata

from perfrules import nodes
from perfrules.fmt import bound_text, expr_chain, expr_text, interval_text, number_text, quote
from perfrules.fmt_comments import Notes, attach, key
from perfrules.parse import parse_with_comments
from perfrules.source import cells

WIDTH = 120
INDENT = "  "
_MARKS = set("，。；、：！？）」”,.;:!?)")
_MIN_PIECE = 8  # cells: a text is never cut into pieces shorter than this
_IDENT = re.compile(r"[^\W\d]\w*")  # the grammar's IDENT


def format_text(text: str, *, name: str = "<string>", width: int = WIDTH) -> str:
    """The canonical layout of ruleset ``text``, comments kept.

    Raises:
        ParseError: ``text`` is not a ruleset.

    >>> print(format_text('ruleset "r"  indicator a 1 {score  x*2 # doubled\\n}'), end="")
    ruleset "r"
    indicator a 1 {
      score x × 2  # doubled
    }
    """
    tree, comments = parse_with_comments(text, name=name)
    return format_tree(tree, notes=attach(tree, comments, text), width=width)


def format_tree(tree: nodes.Ruleset, *, notes: Notes | None = None, width: int | None = WIDTH) -> str:
    """The canonical text of a syntax tree; ``width=None`` puts every unit on one line."""
    return _Printer(width, notes or Notes()).ruleset(tree)


def name_text(name: str) -> str:
    """A group, indicator, part or grade name: bare when it reads back unchanged."""
    if _IDENT.fullmatch(name) and unicodedata.normalize("NFKC", name) == name:
        return name
    return quote(name)


def _points(points) -> str:
    return "full" if points is None else number_text(points)


class _Printer:
    def __init__(self, width: int | None, notes: Notes) -> None:
        self.width = width
        self.notes = notes
        self.out: list[str] = []
        self.fresh = True  # nothing printed yet in this block: no blank line here

    # ---- lines and comments
    def fits(self, line: str) -> bool:
        return self.width is None or cells(line) <= self.width

    def emit(self, lines: list[str]) -> None:
        self.out.extend(line.rstrip() for line in lines)
        self.fresh = False

    def blank(self) -> None:
        if not self.fresh and self.out and self.out[-1]:
            self.out.append("")

    def notes_before(self, notes, indent: str) -> None:
        for note in notes:
            if note.blank_before:
                self.blank()
            self.emit([indent + note.text])

    def unit(self, node, indent: str, lines: list[str], blank_default: bool = False) -> None:
        """Print a unit on its lines, with the comments before and after it."""
        k = key(node)
        self.notes_before(self.notes.leading.get(k, ()), indent)
        if (k in self.notes.blank) if self.notes.blank is not None else blank_default:
            self.blank()
        self.emit(lines)
        self.after(self.notes.trailing.get(k, ()), indent)

    def after(self, comments, indent: str) -> None:
        if comments:
            self.out[-1] += "  " + comments[0]
            self.emit([indent + c for c in comments[1:]])

    def block(self, node, indent: str, head: list[str], body, blank_default: bool = False) -> None:
        """Print ``head {``, then ``body(inner indent)``, comments, ``}``."""
        k = key(node)
        inner = indent + INDENT
        self.notes_before(self.notes.leading.get(k, ()), indent)
        if (k in self.notes.blank) if self.notes.blank is not None else blank_default:
            self.blank()
        self.emit(head)
        self.after(self.notes.opening.get(k, ()), inner)
        self.fresh = True
        body(inner)
        self.notes_before(self.notes.closing.get(k, ()), inner)
        self.emit([indent + "}"])
        self.after(self.notes.trailing.get(k, ()), indent)

    # ---- texts and formulas
    def texts(self, head: str, text: str | None, indent: str, tail: str = "") -> list[str]:
        """``head "text"tail`` on one line if it fits, else the text below, cut to fit."""
        if text is None:
            return [head + tail]
        one = f"{head} {quote(text)}{tail}"
        if self.fits(one):
            return [one]
        inner = indent + INDENT
        return [head] + self.wrapped(text, inner, inner, tail)

    def wrapped(self, text: str, first: str, rest: str, tail: str) -> list[str]:
        """``text`` as adjacent strings, the first after ``first``, the others after ``rest``."""
        pieces, prefix = [], first
        while True:
            room = None if self.width is None else self.width - cells(prefix) - 2
            if room is None or cells(text) + cells(tail) <= room or cells(text) <= _MIN_PIECE:
                pieces.append(prefix + quote(text) + tail)
                return pieces
            squeeze = cells(tail) if cells(text) <= room else 0
            cut = _cut(text, max(room - squeeze, _MIN_PIECE))
            pieces.append(prefix + quote(text[:cut]))
            text, prefix = text[cut:], rest

    def expr(self, expr: nodes.Expr, head: str, indent: str, tail: str = "") -> list[str]:
        """``head EXPR tail``, broken inside a call or before operators when too long."""
        one = head + expr_text(expr) + tail
        if self.fits(one):
            return [one]
        inner = indent + INDENT
        if isinstance(expr, nodes.Call) and expr.args:
            lines = [f"{head}{expr.function}("]
            for i, arg in enumerate(expr.args):
                end = "," if i < len(expr.args) - 1 else ")" + tail
                lines += self.expr(arg, inner, inner, end)
            return lines
        chain = expr_chain(expr)
        if chain is None:
            return [one]
        first, rest = chain
        lines, line = [], head + first
        for op, operand in rest:
            if self.fits(f"{line} {op} {operand}"):
                line = f"{line} {op} {operand}"
            else:
                lines.append(line)
                line = f"{inner}{op} {operand}"
        return lines + [line + tail]

    # ---- the ruleset
    def ruleset(self, tree: nodes.Ruleset) -> str:
        head = "ruleset " + quote(tree.name)
        if tree.version is not None:
            head += " version " + quote(tree.version)
        lines = [head] + ([] if tree.description is None else self.texts("description", tree.description, ""))
        header = self.notes.header
        self.notes_before(self.notes.leading.get(header, ()), "")
        if self.notes.blank is not None and header in self.notes.blank:
            self.blank()
        self.emit(lines)
        self.after(self.notes.trailing.get(header, ()), "")
        previous = None
        for statement in tree.statements:
            self.statement(statement, "", _apart(previous, statement))
            previous = statement
        self.notes_before(self.notes.end, "")
        return "\n".join(self.out) + "\n"

    def statement(self, node, indent: str, apart: bool = False) -> None:
        match node:
            case nodes.Group():
                self.group(node, indent, apart)
            case nodes.Indicator() | nodes.Part():
                self.rule(node, indent, apart)
            case nodes.Grade():
                self.grade(node, indent, apart)
            case nodes.Input():
                self.unit(node, indent, self.input(node, indent), apart)
            case nodes.Let():
                self.unit(node, indent, self.let(node, indent), apart)
            case _:
                self.unit(node, indent, self.simple(node, indent), apart)

    def input(self, node: nodes.Input, indent: str) -> list[str]:
        head = f"{indent}input {node.name}: {node.kind}"
        head += f" {node.unit}" if node.unit else ""
        if node.range is not None:
            head += f" {bound_text(node.range.low)}..{bound_text(node.range.high)}"
        if node.default is None:
            return self.texts(head, node.description, indent)
        described = head if node.description is None else f"{head} {quote(node.description)}"
        if self.fits(f"{described} default {expr_text(node.default)}"):
            return [f"{described} default {expr_text(node.default)}"]
        lines = self.texts(head, node.description, indent)
        return lines + self.expr(node.default, indent + INDENT + "default ", indent + INDENT)

    def let(self, node: nodes.Let, indent: str) -> list[str]:
        head = f"{indent}let {node.name} = "
        if node.description is None or self.fits(f"{head}{expr_text(node.value)} {quote(node.description)}"):
            lines = self.expr(node.value, head, indent)
            return lines if node.description is None else [f"{lines[0]} {quote(node.description)}"]
        inner = indent + INDENT
        return self.expr(node.value, head, indent) + self.wrapped(node.description, inner, inner, "")

    def group(self, node: nodes.Group, indent: str, apart: bool = False) -> None:
        head = self.texts(self.rule_head("group", node, indent), node.description, indent, " {")
        previous = None

        def body(inner: str) -> None:
            nonlocal previous
            for member in node.members:
                self.statement(member, inner, previous is not None and _apart(previous, member))
                previous = member

        self.block(node, indent, head, body, apart)

    def rule_head(self, word: str, node, indent: str) -> str:
        head = f"{indent}{word} {name_text(node.name)} {number_text(node.points)}"
        return head if node.stable_id is None else f"{head} id {quote(node.stable_id)}"

    def rule(self, node, indent: str, apart: bool = False) -> None:
        word = "indicator" if isinstance(node, nodes.Indicator) else "part"
        head = self.rule_head(word, node, indent)
        if _is_formula_only(node) and not self.notes.is_busy(node):
            one = self.texts(head, node.description, indent, " = " + expr_text(node.clauses[0].formula))
            if len(one) == 1 and self.fits(one[0]):
                return self.unit(node, indent, one, apart)

        def body(inner: str) -> None:
            for clause in node.clauses:
                self.clause(clause, inner)

        self.block(node, indent, self.texts(head, node.description, indent, " {"), body, apart)

    # ---- clauses
    def clause(self, node, indent: str) -> None:
        match node:
            case nodes.Part():
                self.rule(node, indent)
            case nodes.Tiers():
                self.bands(node, f"{indent}tiers {expr_text(node.subject)}", indent, _points_of)
            case nodes.Checklist():
                self.block(node, indent, [indent + "checklist {"], lambda inner: self.items(node, inner))
            case nodes.Veto(condition=condition, reason=reason) | nodes.Exempt(condition=condition, reason=reason):
                word = "veto" if isinstance(node, nodes.Veto) else "exempt"
                self.unit(node, indent, self.guard(f"{indent}{word} when ", condition, reason, indent))
            case _:
                self.unit(node, indent, self.simple(node, indent))

    def simple(self, node, indent: str) -> list[str]:
        match node:
            case nodes.Score(formula=formula):
                return self.expr(formula, indent + "score ", indent)
            case nodes.DeductPerItem(points=points, count=count):
                return self.expr(count, f"{indent}deduct {number_text(points)} per ", indent)
            case nodes.DeductPerUnit():
                above = "" if node.threshold is None else f" above {bound_text(node.threshold)}"
                head = f"{indent}deduct {number_text(node.points)} per {node.counting} {bound_text(node.unit)} of "
                return self.expr(node.subject, head, indent, above)
            case nodes.DeductWhen(points=points, condition=condition):
                return self.expr(condition, f"{indent}deduct {number_text(points)} when ", indent)
            case nodes.OnZero(points=points):
                return [f"{indent}on zero denominator → {_points(points)}"]
            case nodes.Rounding(mode=mode, places=places):
                return [f"{indent}rounding {mode} {places}"]
            case nodes.Monotone(direction=direction, input=name):
                return [f"{indent}{direction} with {name}"]
            case nodes.Total(points=points):
                return [f"{indent}total {number_text(points)}"]
        raise TypeError(f"not a clause: {node!r}")

    def guard(self, head: str, condition: nodes.Expr, reason: str | None, indent: str) -> list[str]:
        if reason is None:
            return self.expr(condition, head, indent)
        one = f"{head}{expr_text(condition)} {quote(reason)}"
        if self.fits(one):
            return [one]
        inner = indent + INDENT
        return self.expr(condition, head, indent) + self.wrapped(reason, inner, inner, "")

    def items(self, checklist: nodes.Checklist, indent: str) -> None:
        for item in checklist.items:
            self.unit(item, indent, self.item(item, indent))

    def item(self, item: nodes.CheckItem, indent: str) -> list[str]:
        """``POINTS "criterion" : TEST``; a long criterion is continued under its first
        string, and the test follows on the last line if it fits there, else below."""
        points = number_text(item.points)
        if item.text is None:
            return self.expr(item.test, f"{indent}{points}: ", indent)
        under = indent + " " * (len(points) + 1)
        lines = self.wrapped(item.text, f"{indent}{points} ", under, "")
        test = f" : {expr_text(item.test)}"
        if self.fits(lines[-1] + test):
            return lines[:-1] + [lines[-1] + test]
        return lines + self.expr(item.test, under + ": ", under)

    def bands(self, node, head: str, indent: str, value, apart: bool = False) -> None:
        """``tiers`` or ``grade``: bands on one line when they fit, else one a line."""
        texts = [(interval_text(b.interval), value(b)) for b in node.bands]
        opener = ": " if isinstance(node, nodes.Tiers) else " { "
        closer = "" if isinstance(node, nodes.Tiers) else " }"
        one = head + opener + "; ".join(f"{i} → {v}" for i, v in texts) + closer
        if self.fits(one) and not self.notes.is_busy(node):
            return self.unit(node, indent, [one], apart)
        column = max(cells(i) for i, _ in texts)

        def body(inner: str) -> None:
            for band, (interval, shown) in zip(node.bands, texts):
                pad = " " * (column - cells(interval))
                self.unit(band, inner, [f"{inner}{interval}{pad} → {shown}"])

        self.block(node, indent, [head + " {"], body, apart)

    def grade(self, node: nodes.Grade, indent: str, apart: bool = False) -> None:
        head = indent + "grade" + ("" if node.name is None else " " + name_text(node.name))
        self.bands(node, head, indent, lambda band: name_text(band.label), apart)


def _points_of(band) -> str:
    return _points(band.points)


def _is_formula_only(node) -> bool:
    return len(node.clauses) == 1 and isinstance(node.clauses[0], nodes.Score)


def _apart(previous, node) -> bool:
    """Without a source to follow: a blank line between statements of different sorts,
    and around every group, indicator and grade."""
    if previous is None:
        return True
    blocks = (nodes.Group, nodes.Indicator, nodes.Grade)
    return type(previous) is not type(node) or isinstance(node, blocks) or isinstance(previous, blocks)


def _cut(text: str, room: int) -> int:
    """Where to cut ``text`` so its first piece takes at most ``room`` cells: after the
    last punctuation mark (and its space) in the second half of that room, else after the
    last space there, else at the room. A piece never starts with a space or a mark."""
    used, end = 0, 0
    while end < len(text) and used + cells(text[end]) <= room:
        used += cells(text[end])
        end += 1
    end = max(end, 1)
    if end >= len(text):
        return end
    start = end
    while start > 1 and cells(text[: start - 1]) >= room // 2:
        start -= 1
    for rank in (2, 1):
        found = next((i for i in range(end, start - 1, -1) if _break_rank(text, i) == rank), None)
        if found is not None:
            return found
    return end


def _break_rank(text: str, i: int) -> int:
    """2 after a punctuation mark (or a mark and a space), 1 after a space, else 0."""
    if i >= len(text) or text[i] in _MARKS or text[i] == " ":
        return 0
    before = text[i - 1]
    if before in _MARKS or (before == " " and i > 1 and text[i - 2] in _MARKS):
        return 2
    return 1 if before == " " else 0
