"""The checked model: what the back ends evaluate.

``check`` builds it from a syntax tree that passed every pass, so everything here is
resolved and consistent: names are slots, ``full`` is a number, bands are in order, and
every expression the rules need is a numbered *site*. Both back ends (the interpreter
and generated code) compute one value per site; ``runtime`` then scores the rules from
those values, so the two can only differ in how they evaluate expressions.

The model holds no source text, only spans for messages: ``codegen`` reads it and never
sees the ruleset as text.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Union

import attrs

from perfrules import nodes
from perfrules.kinds import Kind
from perfrules.source import Span

_span = attrs.field(eq=False, repr=False, default=None)


@attrs.frozen
class Site:
    """An expression whose value a rule needs. ``role`` says what for (let, default,
    subject, formula, test, count, condition); ``owner`` is the rule's path or the name
    of the let or input it defines."""

    index: int
    expr: nodes.Expr
    role: str
    owner: tuple[str, ...]
    kind: Kind


@attrs.frozen
class InputSlot:
    name: str
    index: int
    kind: str  # as declared: count, amount, percent, ratio, flag, judged, number
    unit: str | None
    low: Decimal | None
    high: Decimal | None
    description: str | None
    default: int | None  # the site that computes it when the facts leave it out
    used_by: tuple[tuple[str, ...], ...]  # paths of the indicators that read it
    span: Span = _span


@attrs.frozen
class LetDef:
    name: str
    site: int
    description: str | None
    span: Span = _span


@attrs.frozen
class Band:
    """A checked band: exact bounds, points resolved (``full`` is the max)."""

    low: Decimal | None
    high: Decimal | None
    low_closed: bool
    high_closed: bool
    is_otherwise: bool
    points: Decimal
    text: str  # the band as canonical text, for explanations: "5%..10%"
    span: Span = _span

    def contains(self, value: Decimal) -> bool:
        if self.is_otherwise:
            return True
        if self.low is not None and (value < self.low or (value == self.low and not self.low_closed)):
            return False
        if self.high is not None and (value > self.high or (value == self.high and not self.high_closed)):
            return False
        return True


@attrs.frozen
class Tiers:
    site: int
    bands: tuple[Band, ...]  # otherwise last
    span: Span = _span


@attrs.frozen
class Formula:
    site: int
    span: Span = _span


@attrs.frozen
class Item:
    points: Decimal
    text: str | None
    site: int
    judged: bool  # the test is a judged number, not a flag
    span: Span = _span


@attrs.frozen
class Checklist:
    items: tuple[Item, ...]
    span: Span = _span


Base = Union[Tiers, Formula, Checklist]


@attrs.frozen
class Deduction:
    """``form`` is per_item, per_unit or when. For per_unit, ``counting`` is started or
    whole, ``unit`` the size of one unit and ``threshold`` where counting starts."""

    form: str
    points: Decimal
    site: int
    text: str  # the clause as canonical text, for explanations
    counting: str | None = None
    unit: Decimal | None = None
    threshold: Decimal | None = None
    span: Span = _span


@attrs.frozen
class Guard:
    """A veto or an exemption: its condition's site and the author's reason."""

    site: int
    reason: str | None
    text: str  # the condition as canonical text
    span: Span = _span


@attrs.frozen
class Rounding:
    mode: str
    places: int


@attrs.frozen
class Rule:
    """An indicator or a part: everything needed to score it."""

    kind: str  # indicator or part
    name: str
    path: tuple[str, ...]
    max: Decimal
    description: str | None
    exemptions: tuple[Guard, ...]
    vetoes: tuple[Guard, ...]
    base: Base | None
    parts: tuple[Rule, ...]
    deductions: tuple[Deduction, ...]
    has_on_zero: bool
    on_zero: Decimal  # what a zero denominator scores, when has_on_zero
    rounding: Rounding | None  # None for parts without their own clause
    inputs: tuple[str, ...]  # the inputs it reads, directly or through lets
    lets: tuple[str, ...] = ()  # the lets it uses, directly or through other lets
    monotone: tuple[tuple[str, str], ...] = ()  # (rises or falls, input name) claimed
    stable_id: str | None = None
    span: Span = _span


@attrs.frozen
class GroupNode:
    name: str
    path: tuple[str, ...]
    max: Decimal
    description: str | None
    children: tuple[Union[GroupNode, Rule], ...]
    stable_id: str | None = None
    span: Span = _span


@attrs.frozen
class GradeBand:
    band: Band  # its points are unused (0)
    label: str


@attrs.frozen
class GradeScale:
    name: str | None
    bands: tuple[GradeBand, ...]


@attrs.frozen
class Ruleset:
    name: str
    version: str | None
    description: str | None
    fingerprint: str
    inputs: tuple[InputSlot, ...]
    lets: tuple[LetDef, ...]
    sites: tuple[Site, ...]  # in evaluation order: lets and defaults before their users
    symbols: dict  # name -> ("input", slot index) or ("let", site index)
    root: GroupNode  # named after the ruleset; its max is the total
    grade: GradeScale | None
    rounding: Rounding
    # Warnings from checking: beside the model's value, not part of it.
    warnings: tuple = attrs.field(default=(), eq=False, repr=False)

    def rules(self):
        """Every indicator, depth first, in source order (parts are inside them)."""
        return _rules(self.root)

    def groups(self):
        return _groups(self.root)

    def all_rules(self):
        """Every indicator and every part at any depth, in source order."""
        for rule in self.rules():
            yield from _with_parts(rule)


def _rules(node):
    for child in node.children:
        if isinstance(child, GroupNode):
            yield from _rules(child)
        else:
            yield child


def _with_parts(rule):
    yield rule
    for part in rule.parts:
        yield from _with_parts(part)


def _groups(node):
    yield node
    for child in node.children:
        if isinstance(child, GroupNode):
            yield from _groups(child)


def optional_inputs(ruleset: Ruleset) -> frozenset[str]:
    """Inputs without a default that facts may leave out: no rule reaches them except
    through the default of another input (a printed figure given in their place) or
    through lets that no rule uses. Everything else a rule reads must be given."""
    reached: set[str] = set()
    seen_lets: set[int] = set()
    stack = [site.expr for site in ruleset.sites if site.role not in ("let", "default")]
    while stack:
        for ref in (n for n in nodes.walk(stack.pop()) if isinstance(n, nodes.Ref)):
            kind, index = ruleset.symbols[ref.name]
            if kind == "let" and index not in seen_lets:
                seen_lets.add(index)
                stack.append(ruleset.sites[index].expr)
            elif kind == "input":
                reached.add(ref.name)  # a default is not followed: its figure may be given
    return frozenset(s.name for s in ruleset.inputs if s.default is None and s.name not in reached)


def divisions(expr: nodes.Expr) -> tuple[nodes.Binary, ...]:
    """The divisions of an expression in pre-order. A division's ordinal in this tuple is
    its id at run time, in both back ends, so a zero denominator can be pointed at."""
    return tuple(n for n in nodes.walk(expr) if isinstance(n, nodes.Binary) and n.op == "/")
