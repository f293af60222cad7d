"""The syntax tree of a ruleset: frozen attrs classes, one per grammar rule.

Nodes are values. Every node keeps the ``Span`` it came from, declared with
``eq=False`` so that two texts differing only in layout give equal trees. Tokens are
turned into values once, in ``parse``: ``5%`` is ``Decimal("0.05")`` here, ``≥`` is
``">="``, full-width digits are ASCII. Nothing downstream looks at token text.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Union

import attrs

from perfrules.source import Span

_span = attrs.field(eq=False, repr=False, default=None)


# ---- expressions --------------------------------------------------------------------------


@attrs.frozen
class Number:
    """A literal. ``is_percent`` remembers that it was written ``5%`` (value 0.05)."""

    value: Decimal
    is_percent: bool = False
    span: Span = _span


@attrs.frozen
class Ref:
    """A use of an input or a ``let`` by name."""

    name: str
    span: Span = _span


@attrs.frozen
class Flag:
    """The literal ``yes`` or ``no``."""

    value: bool
    span: Span = _span


@attrs.frozen
class Negate:
    operand: Expr
    span: Span = _span


@attrs.frozen
class Not:
    operand: Expr
    span: Span = _span


@attrs.frozen
class Binary:
    """Arithmetic: ``op`` is one of ``+ - * /``."""

    op: str
    left: Expr
    right: Expr
    span: Span = _span


@attrs.frozen
class Compare:
    """``op`` is one of ``< <= > >= = !=``."""

    op: str
    left: Expr
    right: Expr
    span: Span = _span


@attrs.frozen
class Logical:
    """``op`` is ``and`` or ``or``."""

    op: str
    left: Expr
    right: Expr
    span: Span = _span


@attrs.frozen
class Call:
    """A function call: ``min``, ``max``, ``mean``, ``sum``, ``abs``."""

    function: str
    args: tuple[Expr, ...]
    span: Span = _span


@attrs.frozen
class Round:
    """``round(x, places[, mode])``: an explicit rounding of an intermediate value."""

    operand: Expr
    places: int
    mode: str | None
    span: Span = _span


Expr = Union[Number, Ref, Flag, Negate, Not, Binary, Compare, Logical, Call, Round]


# ---- intervals and bands -----------------------------------------------------------------


@attrs.frozen
class Bound:
    """One end of an interval as written: its value and whether it was a percent."""

    value: Decimal
    is_percent: bool = False
    span: Span = _span


@attrs.frozen
class Interval:
    """A set of values: ``low``/``high`` are None when unbounded on that side.

    ``a..b`` is closed; ``a..<b`` leaves out b; ``< b`` is ``(-inf, b)``;
    ``otherwise`` is written as ``is_otherwise`` and covers what no other band does.
    """

    low: Bound | None = None
    high: Bound | None = None
    low_closed: bool = True
    high_closed: bool = True
    is_otherwise: bool = False
    span: Span = _span


@attrs.frozen
class Band:
    """``interval → points``; ``points`` None means ``full`` (the rule's max)."""

    interval: Interval
    points: Decimal | None
    span: Span = _span


@attrs.frozen
class GradeBand:
    interval: Interval
    label: str
    span: Span = _span


# ---- rule clauses ------------------------------------------------------------------------


@attrs.frozen
class Tiers:
    """Score by the band that contains the subject's value."""

    subject: Expr
    bands: tuple[Band, ...]
    span: Span = _span


@attrs.frozen
class Score:
    """Score by a formula (``score x / y × 6``, or ``= judged``), kept within [0, max]."""

    formula: Expr
    span: Span = _span


@attrs.frozen
class CheckItem:
    """A criterion worth ``points``: met when ``test`` is a true flag, or judged 0..points."""

    points: Decimal
    text: str | None
    test: Expr
    span: Span = _span


@attrs.frozen
class Checklist:
    items: tuple[CheckItem, ...]
    span: Span = _span


@attrs.frozen
class DeductPerItem:
    """``deduct 1 per 不符合项数``: points for each item counted."""

    points: Decimal
    count: Expr
    span: Span = _span


@attrs.frozen
class DeductPerUnit:
    """``deduct 0.1 per started 1% of 调整率 above 10%``.

    ``counting`` is ``started`` (a begun unit counts: ceiling) or ``whole`` (floor).
    """

    points: Decimal
    counting: str
    unit: Bound
    subject: Expr
    threshold: Bound | None
    span: Span = _span


@attrs.frozen
class DeductWhen:
    """``deduct 0.5 when not 按时公开``: points once when the condition holds."""

    points: Decimal
    condition: Expr
    span: Span = _span


@attrs.frozen
class Veto:
    """The rule scores 0 when the condition holds."""

    condition: Expr
    reason: str | None
    span: Span = _span


@attrs.frozen
class Exempt:
    """The rule scores its max when the condition holds."""

    condition: Expr
    reason: str | None
    span: Span = _span


@attrs.frozen
class OnZero:
    """What the rule scores when a denominator it needs is zero (None: full)."""

    points: Decimal | None
    span: Span = _span


@attrs.frozen
class Monotone:
    """``rises with x`` / ``falls with x``: the author's claim that the rule's score never
    decreases (rises) or never increases (falls) as input x grows; checked."""

    direction: str  # rises or falls
    input: str
    span: Span = _span


@attrs.frozen
class Rounding:
    """``rounding half_up 2``: the mode and decimal places of a rule's score."""

    mode: str
    places: int
    span: Span = _span


@attrs.frozen
class Part:
    """A scored piece of an indicator with its own max (三公经费 3 of 公用经费控制率 6)."""

    name: str
    points: Decimal
    description: str | None
    clauses: tuple[Clause, ...]
    span: Span = _span
    name_span: Span = _span
    stable_id: str | None = None


Clause = Union[
    Part, Tiers, Score, Checklist, DeductPerItem, DeductPerUnit, DeductWhen, Veto, Exempt, OnZero, Rounding,
    Monotone,
]


@attrs.frozen
class Indicator:
    """A leaf of the rubric (三级指标): it has points and clauses that score it."""

    name: str
    points: Decimal
    description: str | None
    clauses: tuple[Clause, ...]
    span: Span = _span
    name_span: Span = _span
    stable_id: str | None = None


@attrs.frozen
class Group:
    """一级 or 二级 指标: its children's maxima add up to its points."""

    name: str
    points: Decimal
    description: str | None
    members: tuple[Union[Group, Indicator], ...]
    span: Span = _span
    name_span: Span = _span
    stable_id: str | None = None


# ---- declarations and the ruleset ---------------------------------------------------------


@attrs.frozen
class Input:
    """A fact the ruleset needs. ``kind`` is count, amount, percent, ratio, flag, judged
    or number; ``default`` computes it when the facts leave it out."""

    name: str
    kind: str
    unit: str | None
    range: Interval | None
    description: str | None
    default: Expr | None
    span: Span = _span
    name_span: Span = _span


@attrs.frozen
class Let:
    """A named intermediate value."""

    name: str
    value: Expr
    description: str | None
    span: Span = _span
    name_span: Span = _span


@attrs.frozen
class Grade:
    """Grade bands on the total (综合评分 → 优 / 良 / 中 / 差)."""

    name: str | None
    bands: tuple[GradeBand, ...]
    span: Span = _span


@attrs.frozen
class Total:
    points: Decimal
    span: Span = _span


Statement = Union[Input, Let, Group, Indicator, Grade, Rounding, Total]


@attrs.frozen
class Ruleset:
    """A whole ruleset file: its header and its statements in source order."""

    name: str
    version: str | None
    description: str | None
    statements: tuple[Statement, ...]
    span: Span = _span

    def of_type(self, cls: type) -> tuple:
        return tuple(s for s in self.statements if isinstance(s, cls))


def walk(node) -> Iterator[object]:
    """Every node below ``node`` (itself included), depth first, in source order."""
    stack = [node]
    while stack:  # iterative: checking walks every expression of a ruleset several times
        node = stack.pop()
        yield node
        below = children(node)
        if below:
            stack.extend(reversed(below))


def children(node) -> list | tuple:
    """The nodes directly below ``node``, in source order."""
    kind = type(node)
    # Expressions are most of any walk: their children are known without looking.
    if kind in _LEAVES:
        return ()
    if kind in _PAIRS:
        return (node.left, node.right)
    if kind in _UNARY:
        return (node.operand,)
    if kind is Call:
        return node.args
    found = []
    for name in _TREE_FIELDS[type(node)]:
        value = getattr(node, name)
        if type(value) is tuple:
            found.extend(child for child in value if type(child) in _TREE_FIELDS)
        elif type(value) in _TREE_FIELDS:
            found.append(value)
    return found


_LEAVES = frozenset((Number, Ref, Flag))
_PAIRS = frozenset((Binary, Compare, Logical))
_UNARY = frozenset((Negate, Not, Round))

# Each node class → the names of the fields that may hold nodes (those compared for
# equality: spans are not). Worked out once, as ``attrs.fields`` per node was most of a walk.
_TREE_FIELDS = {
    cls: tuple(field.name for field in attrs.fields(cls) if field.eq)
    for cls in list(vars().values())
    if isinstance(cls, type) and attrs.has(cls) and cls.__module__ == __name__
}
