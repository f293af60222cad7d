"""Exact interval algebra on ``Decimal``: band intervals for gap and overlap checks, and
value ranges for bounding formulas.

Two kinds of value live here, both frozen:

* ``Interval`` is a set of values as a band writes it, each end open, closed or
  unbounded. Its ends are ``Cut`` values: a cut sits just below or just above a number,
  so ``a ≤ x`` and ``x < a`` meet at the same cut and ordering cuts orders the ends of
  intervals with their open and closed sides respected. Gaps and overlaps are then
  plain comparisons, with no off-by-epsilon anywhere.
* ``Range`` is a closed ``[low, high]`` with ``Decimal`` infinities, for interval
  arithmetic over formulas (what a score can reach). It over-approximates: a range may
  hold values the formula never takes, never the other way round.

This module knows nothing of rulesets; the checker turns nodes into these values.
"""

from __future__ import annotations

import decimal
from collections.abc import Iterable, Sequence
from decimal import Decimal

import attrs

from perfrules.fmt import number_text

INF = Decimal("Infinity")
_BELOW, _ABOVE = 0, 1
# Our own contexts, so neither the caller's precision nor its traps change a bound. A
# quotient such as 2/3 does not fit in 28 digits: low ends round down and high ends up,
# so a range still holds every value it stands for.
_DOWN = decimal.Context(prec=28, rounding=decimal.ROUND_FLOOR, traps=[decimal.DivisionByZero, decimal.Overflow])
_UP = _DOWN.copy()
_UP.rounding = decimal.ROUND_CEILING


@attrs.frozen
class Cut:
    """A point between values: just below ``value`` (side 0) or just above it (side 1).

    Ordered by (value, side). Written out rather than ``order=True``: attrs' ordering goes
    through a generic tuple of the fields, and checking compares cuts some 100,000 times
    for a large ruleset.
    """

    value: Decimal
    side: int

    def __lt__(self, other: Cut) -> bool:
        return (self.value, self.side) < (other.value, other.side)

    def __le__(self, other: Cut) -> bool:
        return (self.value, self.side) <= (other.value, other.side)

    def __gt__(self, other: Cut) -> bool:
        return (self.value, self.side) > (other.value, other.side)

    def __ge__(self, other: Cut) -> bool:
        return (self.value, self.side) >= (other.value, other.side)


@attrs.frozen
class Interval:
    """The values between two cuts: ``low < x < high`` in cut order."""

    low: Cut
    high: Cut

    @classmethod
    def from_bounds(cls, low: Decimal | None, low_closed: bool,
                    high: Decimal | None, high_closed: bool) -> Interval:
        """An interval from band ends; None is unbounded on that side.

        >>> Interval.from_bounds(Decimal(5), True, Decimal(5), False).is_empty
        True
        """
        low_cut = Cut(-INF, _BELOW) if low is None else Cut(low, _BELOW if low_closed else _ABOVE)
        high_cut = Cut(INF, _BELOW) if high is None else Cut(high, _ABOVE if high_closed else _BELOW)
        return cls(low_cut, high_cut)

    @classmethod
    def everything(cls) -> Interval:
        return cls.from_bounds(None, True, None, True)

    @property
    def is_empty(self) -> bool:
        return self.low >= self.high

    @property
    def low_closed(self) -> bool:
        return self.low.side == _BELOW

    @property
    def high_closed(self) -> bool:
        return self.high.side == _ABOVE

    def intersect(self, other: Interval) -> Interval:
        return Interval(max(self.low, other.low), min(self.high, other.high))

    def describe(self, subject: str = "x", *, percent: bool = False) -> str:
        """The set as an inequality: ``79% ≤ x < 80%``, ``x = 5``, ``x ≥ 90``."""
        low, high = self.low.value, self.high.value
        low_sign, high_sign = ("≤" if self.low_closed else "<"), ("≤" if self.high_closed else "<")
        if low == high:
            return f"{subject} = {_number(low, percent)}"
        if low == -INF and high == INF:
            return f"every value of {subject}"
        if low == -INF:
            return f"{subject} {high_sign} {_number(high, percent)}"
        if high == INF:
            return f"{subject} {'≥' if self.low_closed else '>'} {_number(low, percent)}"
        return f"{_number(low, percent)} {low_sign} {subject} {high_sign} {_number(high, percent)}"

    def band_text(self, *, percent: bool = False) -> str:
        """The set as a band is written: ``< 80%``, ``5%..<10%``, ``≥ 90``."""
        low, high = self.low.value, self.high.value
        if low == -INF and high == INF:
            return "otherwise"
        if low == -INF:
            return f"{'≤' if self.high_closed else '<'} {_number(high, percent)}"
        if high == INF:
            return f"{'≥' if self.low_closed else '>'} {_number(low, percent)}"
        if low == high:
            return f"= {_number(low, percent)}"
        left = "" if self.low_closed else "<"
        right = "" if self.high_closed else "<"
        return f"{_number(low, percent)}{left}..{right}{_number(high, percent)}"


def _number(value: Decimal, percent: bool) -> str:
    return number_text(value, percent=percent)


def gaps(intervals: Iterable[Interval], within: Interval) -> list[Interval]:
    """The parts of ``within`` that no interval covers, lowest first.

    >>> [g.describe() for g in gaps([Interval.from_bounds(None, True, Decimal(1), False),
    ...                              Interval.from_bounds(Decimal(2), True, None, True)],
    ...                             Interval.everything())]
    ['1 ≤ x < 2']
    """
    holes, cursor = [], within.low
    for interval in sorted((i for i in intervals if not i.is_empty), key=lambda i: i.low):
        if interval.low > cursor:
            hole = Interval(cursor, min(interval.low, within.high))
            if not hole.is_empty:
                holes.append(hole)
        cursor = max(cursor, interval.high)
    if cursor < within.high:
        holes.append(Interval(cursor, within.high))
    return holes


def overlaps(intervals: Sequence[Interval]) -> list[tuple[int, int, Interval]]:
    """Every pair ``(i, j)`` with ``i < j`` whose intervals share values, and what they share."""
    found = []
    for i, first in enumerate(intervals):
        for j in range(i + 1, len(intervals)):
            common = first.intersect(intervals[j])
            if not common.is_empty:
                found.append((i, j, common))
    return found


# ---- value ranges ------------------------------------------------------------------------


@attrs.frozen
class Range:
    """Every value a formula may take lies in ``[low, high]``; the ends may be infinite."""

    low: Decimal
    high: Decimal

    @classmethod
    def point(cls, value: Decimal) -> Range:
        return cls(value, value)

    @classmethod
    def unbounded(cls) -> Range:
        return cls(-INF, INF)

    def __add__(self, other: Range) -> Range:
        return Range(_DOWN.add(self.low, other.low), _UP.add(self.high, other.high))

    def __neg__(self) -> Range:
        return Range(-self.high, -self.low)

    def __sub__(self, other: Range) -> Range:
        return self + (-other)

    def __mul__(self, other: Range) -> Range:
        pairs = [(a, b) for a in (self.low, self.high) for b in (other.low, other.high)]
        return Range(min(_times(a, b, _DOWN) for a, b in pairs), max(_times(a, b, _UP) for a, b in pairs))

    def __truediv__(self, other: Range) -> Range:
        return self * other.reciprocal()

    def reciprocal(self) -> Range:
        # Dividing by exactly zero is a zero denominator, scored by `on zero denominator`
        # or stopped at run time, so a divisor [0, b] acts as (0, b] here.
        low, high = self.low, self.high
        if low > 0 or high < 0:
            return Range(_inverse(high, _DOWN), _inverse(low, _UP))
        if low == 0 and high > 0:
            return Range(_inverse(high, _DOWN), INF)
        if high == 0 and low < 0:
            return Range(-INF, _inverse(low, _UP))
        return Range.unbounded()

    def __abs__(self) -> Range:
        if self.low >= 0:
            return self
        if self.high <= 0:
            return -self
        return Range(Decimal(0), max(-self.low, self.high))

    def round(self, places: int) -> Range:
        """A range that holds every rounding of its values to ``places``, in any mode."""
        step = Decimal(1).scaleb(-places)
        return Range(_quantize(self.low, step, decimal.ROUND_FLOOR),
                     _quantize(self.high, step, decimal.ROUND_CEILING))

    def __str__(self) -> str:
        low = "-∞" if self.low == -INF else number_text(self.low)
        high = "∞" if self.high == INF else number_text(self.high)
        return f"[{low}, {high}]"


def smallest(ranges: Sequence[Range]) -> Range:
    """The range of ``min(a, b, …)``."""
    return Range(min(r.low for r in ranges), min(r.high for r in ranges))


def largest(ranges: Sequence[Range]) -> Range:
    """The range of ``max(a, b, …)``."""
    return Range(max(r.low for r in ranges), max(r.high for r in ranges))


def total(ranges: Sequence[Range]) -> Range:
    """The range of ``sum(a, b, …)``."""
    result = Range.point(Decimal(0))
    for r in ranges:
        result = result + r
    return result


def _times(a: Decimal, b: Decimal, context: decimal.Context) -> Decimal:
    # At an end of a range, 0 × ∞ stands for 0 × (a large number), which is 0.
    if a == 0 or b == 0:
        return Decimal(0)
    return context.multiply(a, b)


def _inverse(value: Decimal, context: decimal.Context) -> Decimal:
    return Decimal(0) if value.is_infinite() else context.divide(1, value)


def _quantize(value: Decimal, step: Decimal, rounding: str) -> Decimal:
    if value.is_infinite():
        return value
    return value.quantize(step, rounding=rounding, context=_DOWN)
