"""Directions: how a value moves as one input grows, proved from the rules' structure.

A ``Direction`` records two facts about a value as input x grows, every other input held:
it never decreases (``up``), it never increases (``down``). Both means it does not depend
on x; neither means nothing is proved. The rules are the textbook ones: sums keep
directions, subtraction and negation flip them, a product or quotient keeps or flips
them by the signs the ranges prove (``check/ranges.py``), min, max, mean and round keep
them, comparisons and logic on flags too (a flag rises when it turns from no to yes).

For a rule the same reasoning follows ``runtime``: bands whose points are ordered along
the values the subject can reach, checklist items, deductions (flipped), exemptions
(which give the max), vetoes (which give 0, flipped), parts. ``on zero denominator``
gives a constant, which is harmless only when whether a denominator is 0 cannot depend
on x; otherwise nothing is proved. Proofs are sound, not complete: what is not proved
is left to the search in ``check/search.py``.
"""

from __future__ import annotations

import attrs

from perfrules import nodes
from perfrules.check.bands import band_interval, domain_of
from perfrules.check.bounds import Context, may_meet_zero
from perfrules.check.ranges import range_of
from perfrules.check.tree import DEDUCTIONS, clause_expressions, definition_expr, own_clauses, refs
from perfrules.intervals import Range, gaps


@attrs.frozen
class Direction:
    up: bool  # never decreases as x grows
    down: bool  # never increases as x grows

    @property
    def is_constant(self) -> bool:
        return self.up and self.down

    def flip(self) -> Direction:
        return Direction(self.down, self.up)

    def join(self, other: Direction) -> Direction:
        """The direction of a value that moves with both (a sum, a min, an `and`)."""
        return Direction(self.up and other.up, self.down and other.down)

    def then(self, outer: Direction) -> Direction:
        """The direction of ``outer(self)``: a function with direction ``outer`` applied to this."""
        if self.is_constant or outer.is_constant:
            return CONSTANT
        return Direction((outer.up and self.up) or (outer.down and self.down),
                         (outer.up and self.down) or (outer.down and self.up))

    def holds(self, claim: str) -> bool:
        """Whether this proves the claim ``rises`` or ``falls``."""
        return self.up if claim == "rises" else self.down


CONSTANT, RISING, FALLING, UNKNOWN = Direction(True, True), Direction(True, False), Direction(False, True), \
    Direction(False, False)


@attrs.frozen
class Component:
    """What one clause of a rule does to the rule's score as x grows."""

    direction: Direction
    clause: object  # the clause (or part) it comes from, for messages


class Directions:
    """Directions of expressions and rules with respect to one input."""

    def __init__(self, name: str, context: Context) -> None:
        self.name = name
        self.context = context
        self._names: dict[str, Direction] = {}

    # ---- expressions
    def of(self, expr: nodes.Expr) -> Direction:
        match expr:
            case nodes.Number() | nodes.Flag():
                return CONSTANT
            case nodes.Ref(name=name):
                return self.of_name(name)
            case nodes.Negate(operand=operand) | nodes.Not(operand=operand):
                return self.of(operand).flip()
            case nodes.Round(operand=operand):
                return self.of(operand)
            case nodes.Logical(left=left, right=right):
                return self.of(left).join(self.of(right))
            case nodes.Compare(op=op, left=left, right=right):
                return self._compare(op, left, right)
            case nodes.Binary(op=op, left=left, right=right):
                return self._binary(op, left, right)
            case nodes.Call(function="abs", args=(arg,)):
                return self._abs(arg)
            case nodes.Call(function=function, args=args) if function in ("min", "max", "sum", "mean") and args:
                return _join(self.of(a) for a in args)
        return UNKNOWN

    def of_name(self, name: str) -> Direction:
        if name == self.name:
            return RISING
        if name not in self._names:
            self._names[name] = UNKNOWN  # a loop (PR203) proves nothing
            self._names[name] = self._of_definition(self.context.known.get(name))
        return self._names[name]

    def _of_definition(self, node) -> Direction:
        if node is None:
            return UNKNOWN
        if isinstance(node, nodes.Input) and node.default is None:
            return CONSTANT
        # An input with a default is either given (constant) or computed by it: both must hold.
        return self.of(definition_expr(node))

    def _range(self, expr: nodes.Expr) -> Range | None:
        return range_of(expr, self.context.ranges)

    def _sign(self, expr: nodes.Expr) -> int:
        """1: never negative; -1: never positive; 0: either or not known."""
        values = self._range(expr)
        if values is None:
            return 0
        return 1 if values.low >= 0 else (-1 if values.high <= 0 else 0)

    def _compare(self, op: str, left, right) -> Direction:
        # `a < b` turns true as a falls or b grows; `a > b` the other way round.
        if op in ("<", "<="):
            return self.of(left).flip().join(self.of(right))
        if op in (">", ">="):
            return self.of(left).join(self.of(right).flip())
        both = self.of(left).join(self.of(right))
        return CONSTANT if both.is_constant else UNKNOWN

    def _binary(self, op: str, left, right) -> Direction:
        if op == "+":
            return self.of(left).join(self.of(right))
        if op == "-":
            return self.of(left).join(self.of(right).flip())
        if op == "*":
            return self._scaled(self.of(left), self._sign(left), self.of(right), self._sign(right))
        return self._divide(left, right)

    def _scaled(self, first: Direction, first_sign: int, second: Direction, second_sign: int) -> Direction:
        """The direction of a product from its factors' directions and signs."""
        if first.is_constant and second.is_constant:
            return CONSTANT
        if second.is_constant:
            return _by_sign(first, second_sign)
        if first.is_constant:
            return _by_sign(second, first_sign)
        # Two moving factors of one sign: f·g = (−f)(−g) keeps directions on either side.
        if first_sign == second_sign == 1:
            return first.join(second)
        if first_sign == second_sign == -1:
            return first.flip().join(second.flip())
        return UNKNOWN

    def _divide(self, left, right) -> Direction:
        share = _share(left, right)
        if share is not None and self._sign(left) == self._sign(share) == 1:
            # a / (a + g) with a, g ≥ 0 grows with a and falls with g.
            return self.of(left).join(self.of(share).flip())
        divisor, sign = self.of(right), self._sign(right)
        if sign == 0 and not divisor.is_constant:
            return UNKNOWN  # a divisor that may change sign: 1/d jumps across 0
        # Where a divisor of one sign is not 0, 1/d falls as d grows; 0 is a zero denominator.
        return self._scaled(self.of(left), self._sign(left), divisor.flip(), sign)

    def _abs(self, arg) -> Direction:
        sign, direction = self._sign(arg), self.of(arg)
        if direction.is_constant:
            return CONSTANT
        return _by_sign(direction, sign)

    # ---- rules
    def of_rule(self, rule) -> tuple[Direction, tuple[Component, ...]]:
        """The direction of a rule's score, and what each clause contributes to it."""
        components = tuple(c for clause in rule.clauses for c in self._clause(clause, rule))
        return _join(c.direction for c in components), components

    def _clause(self, clause, rule) -> tuple[Component, ...]:
        match clause:
            case nodes.Part():
                return (Component(self.of_rule(clause)[0], clause),)
            case nodes.Tiers(subject=subject):
                return (Component(self.of(subject).then(self._band_order(clause, rule)), clause),)
            case nodes.Score(formula=formula):
                return (Component(self.of(formula), clause),)
            case nodes.Checklist(items=items):
                return tuple(Component(self.of(item.test), item) for item in items)
            case nodes.Exempt(condition=condition):
                return (Component(self.of(condition), clause),)
            case nodes.Veto(condition=condition):
                return (Component(self.of(condition).flip(), clause),)
            case nodes.OnZero(points=points):
                return (Component(self._on_zero(rule, rule.points if points is None else points), clause),)
        if isinstance(clause, DEDUCTIONS):
            return (Component(self.of(clause_expressions(clause)[0]).flip(), clause),)
        return ()

    def _band_order(self, tiers: nodes.Tiers, rule) -> Direction:
        """How the points move along the values the subject can reach, lowest first."""
        domain = domain_of(self._range(tiers.subject))
        regular = [b for b in tiers.bands if not b.interval.is_otherwise]
        pieces = [(band_interval(b).intersect(domain), b) for b in regular]
        others = [b for b in tiers.bands if b.interval.is_otherwise]
        if others:
            pieces += [(hole, others[0]) for hole in gaps([band_interval(b) for b in regular], domain)]
        ordered = [b for piece, b in sorted(pieces, key=lambda p: p[0].low) if not piece.is_empty]
        points = [rule.points if b.points is None else b.points for b in ordered]
        pairs = list(zip(points, points[1:]))
        return Direction(all(a <= b for a, b in pairs), all(a >= b for a, b in pairs))

    def _on_zero(self, rule, points) -> Direction:
        """What `on zero denominator → points` does as x grows. Where meeting a zero depends
        on x only through growing divisors that are never negative, the zero is met on the
        lowest values of x (a falling condition), through falling divisors on the highest:
        then `full` acts as an exemption and 0 as a veto on that condition."""
        met = self._zero_condition(rule)
        if met.is_constant:
            return CONSTANT
        if points == rule.points:
            return met
        return met.flip() if points == 0 else UNKNOWN

    def _zero_condition(self, rule) -> Direction:
        """The direction of the condition "a zero denominator is met" in x."""
        found, seen = CONSTANT, set()
        for expr in _rule_exprs(rule):
            found = found.join(self._zero_condition_in(expr, seen))
        return found

    def _zero_condition_in(self, expr: nodes.Expr, seen: set) -> Direction:
        found = CONSTANT
        for node in nodes.walk(expr):
            match node:
                case nodes.Binary(op="/", right=right) if not _excludes_zero(self._range(right)):
                    divisor = self.of(right)
                    # A divisor ≥ 0 that grows is 0 on a lowest stretch of x only.
                    found = found.join(divisor.flip() if self._sign(right) == 1 else
                                       (CONSTANT if divisor.is_constant else UNKNOWN))
                case nodes.Logical(left=left, right=right):
                    # `a and b` evaluates b only when a holds: x decides whether b's zero is met.
                    if not self.of(left).is_constant and may_meet_zero(right, self.context):
                        found = UNKNOWN
        for definition in self._definitions_used(expr, seen):
            found = found.join(self._zero_condition_in(definition, seen))
        return found

    def _definitions_used(self, expr: nodes.Expr, seen: set) -> list[nodes.Expr]:
        found = []
        for ref in refs(expr):
            node = self.context.known.get(ref.name)
            value = definition_expr(node) if node is not None else None
            if ref.name in seen or ref.name == self.name or value is None:
                continue
            seen.add(ref.name)
            found.append(value)
        return found


def _join(directions) -> Direction:
    result = CONSTANT
    for direction in directions:
        result = result.join(direction)
    return result


def _by_sign(direction: Direction, sign: int) -> Direction:
    if sign == 1:
        return direction
    return direction.flip() if sign == -1 else UNKNOWN


def _share(left: nodes.Expr, right: nodes.Expr) -> nodes.Expr | None:
    """g when ``right`` is ``left + g`` or ``g + left`` (a share of a whole), else None."""
    if isinstance(right, nodes.Binary) and right.op == "+":
        if right.left == left and right.right != left:
            return right.right
        if right.right == left and right.left != left:
            return right.left
    return None


def _excludes_zero(values: Range | None) -> bool:
    return values is not None and (values.low > 0 or values.high < 0)


def _rule_exprs(rule):
    """The expressions a rule evaluates, with those of parts that pass a zero up to it."""
    for clause in rule.clauses:
        if isinstance(clause, nodes.Part):
            if not own_clauses(clause, nodes.OnZero):
                yield from _rule_exprs(clause)
        else:
            yield from clause_expressions(clause)
