"""Where two versions of a rule score differently, computed exactly on ``Decimal`` intervals.

A ``tiers`` rule (or a grade scale) is a partition of its subject's values into intervals
with points (or labels). Intersecting the old partition with the new one gives pieces on
which both versions are constant, so the pieces whose values differ are exactly where the
scores differ. A per-unit deduction is constant between the steps of both versions' unit
grids, so the same piecewise comparison is exact there too, up to a horizon past the last
threshold, after which the difference is stated as a rule.

Everything here works on values (model bands, decimals); nothing reads ruleset text.
"""

from __future__ import annotations

import decimal
import itertools
from collections.abc import Callable, Sequence
from decimal import Decimal

import attrs

from perfrules import model
from perfrules.fmt import number_text
from perfrules.intervals import INF, Interval, gaps

_STEPS = 1  # unit steps past the last threshold listed one by one; the tail says the rest


@attrs.frozen
class Region:
    """Scores differ where ``subject`` is ``where``: ``before`` in the old version,
    ``after`` in the new (``编外人员控制率 in (8%, 10%]: 0.5 → 0``)."""

    subject: str
    where: str
    before: str
    after: str
    interval: Interval | None = attrs.field(default=None, eq=False, repr=False)

    def text(self) -> str:
        return f"{self.subject} {self.where}: {self.before} → {self.after}"


def where_text(interval: Interval, *, percent: bool = False) -> str:
    """``in (8%, 10%]``, ``> 10%``, ``≤ 5%``, ``= 5%``, or ``anywhere``."""
    low, high = interval.low.value, interval.high.value
    if low == high:
        return f"= {_n(low, percent)}"
    if low == -INF and high == INF:
        return "anywhere"
    if low == -INF:
        return f"{'≤' if interval.high_closed else '<'} {_n(high, percent)}"
    if high == INF:
        return f"{'≥' if interval.low_closed else '>'} {_n(low, percent)}"
    left, right = ("[" if interval.low_closed else "("), ("]" if interval.high_closed else ")")
    return f"in {left}{_n(low, percent)}, {_n(high, percent)}{right}"


def _n(value: Decimal, percent: bool) -> str:
    return number_text(value, percent=percent)


def pieces(bands: Sequence[model.Band], value: Callable[[model.Band], object]) -> list[tuple[Interval, object]]:
    """A band list as (interval, value) pieces; ``otherwise`` becomes the holes the others leave."""
    found = [(Interval.from_bounds(b.low, b.low_closed, b.high, b.high_closed), value(b))
             for b in bands if not b.is_otherwise]
    for band in bands:
        if band.is_otherwise:
            found += [(hole, value(band)) for hole in gaps([i for i, _ in found], Interval.everything())]
    return found


def partition_regions(old: list[tuple[Interval, object]], new: list[tuple[Interval, object]],
                      subject: str, *, percent: bool, show: Callable[[object], str]) -> tuple[Region, ...]:
    """Every maximal interval where both partitions have a piece and their values differ."""
    differing = []
    for (a, before), (b, after) in itertools.product(old, new):
        common = a.intersect(b)
        if not common.is_empty and before != after:
            differing.append((common, before, after))
    differing.sort(key=lambda d: d[0].low)
    merged: list[tuple[Interval, object, object]] = []
    for interval, before, after in differing:
        if merged and merged[-1][0].high == interval.low and merged[-1][1:] == (before, after):
            merged[-1] = (Interval(merged[-1][0].low, interval.high), before, after)
        else:
            merged.append((interval, before, after))
    return tuple(Region(subject, where_text(i, percent=percent), show(b), show(a), interval=i)
                 for i, b, a in merged)


def same_partition(old: list[tuple[Interval, object]], new: list[tuple[Interval, object]]) -> bool:
    """Do both cut the values at the same places (only the values of pieces may differ)?"""
    return sorted((i.low, i.high) for i, _ in old) == sorted((i.low, i.high) for i, _ in new)


def per_unit_regions(old: model.Deduction, new: model.Deduction, subject: str,
                     *, percent: bool) -> tuple[tuple[Region, ...], str | None]:
    """Where two per-unit deductions on the same subject, unit and counting take off
    different amounts, step by step, and what holds beyond the listed steps."""
    t_old, t_new = _threshold(old), _threshold(new)
    unit = old.unit
    top = max(t_old, t_new) + _STEPS * unit
    cuts = sorted({t + k * unit for t in (t_old, t_new) for k in range(int((top - t) / unit) + 1)} | {top})
    started = old.counting == "started"
    found = []
    for low, high in itertools.pairwise(cuts):
        # Counting started units is constant on (low, high]; whole units on [low, high).
        inside = (low + high) / 2
        before, after = _amount(old, inside), _amount(new, inside)
        if before != after:
            found.append((_cut_interval(low, high, started), -before, -after))
    tail = _tail(old, new, t_old, t_new, top, percent, subject)
    return partition_regions([(i, b) for i, b, _ in found], [(i, a) for i, _, a in found],
                             subject, percent=percent, show=_signed), tail


def _cut_interval(low: Decimal, high: Decimal, started: bool) -> Interval:
    return Interval.from_bounds(low, not started, high, started)


def _threshold(deduction: model.Deduction) -> Decimal:
    return deduction.threshold if deduction.threshold is not None else Decimal(0)


def _amount(deduction: model.Deduction, value: Decimal) -> Decimal:
    excess = value - _threshold(deduction)
    if excess <= 0:
        return Decimal(0)
    units = excess / deduction.unit
    rounding = decimal.ROUND_CEILING if deduction.counting == "started" else decimal.ROUND_FLOOR
    counted = units.to_integral_value(rounding=rounding)
    return deduction.points * counted


def _tail(old, new, t_old, t_new, top, percent, subject) -> str | None:
    """What holds past ``top``, where both grids repeat."""
    if old.points != new.points:
        more = number_text(abs(new.points - old.points))
        bigger = "more" if new.points > old.points else "less"
        return f"beyond {subject} {_n(top, percent)}, each further unit takes off {more} {bigger}"
    shift = (t_old - t_new) / old.unit
    if shift == 0:
        return None
    size = number_text(abs(shift * old.points)) if shift == shift.to_integral_value() else None
    bigger = "more" if shift > 0 else "less"
    if size is not None:
        return f"beyond {subject} {_n(top, percent)}, the new version takes off {size} {bigger}"
    return f"beyond {subject} {_n(top, percent)}, the difference alternates with each unit"


def _signed(value: Decimal) -> str:
    return "0" if value == 0 else ("−" + number_text(-value) if value < 0 else number_text(value))
