"""Bands: every value in exactly one band, no band worth more than its rule (PR301-PR305).

The bands of a ``tiers`` must cover every value its subject can take: the subject's
range (``check/ranges.py``) is the domain, so ``0..<5%`` may start a ratio's bands while
a plain number needs bands down to minus infinity. Grade bands must cover ``[0, total]``,
since a score never leaves it. ``otherwise`` takes whatever is left, so it silences gaps,
never overlaps. All of this is exact, on ``perfrules.intervals``.
"""

from __future__ import annotations

from decimal import Decimal

from perfrules import nodes
from perfrules.check.kinds import environment, is_mismatched
from perfrules.check.ranges import range_of, value_ranges
from perfrules.check.tree import members, own_clauses, rules
from perfrules.diagnostics import Diagnostics
from perfrules.fmt import interval_text, number_text
from perfrules.intervals import INF, Interval, Range, gaps, overlaps
from perfrules.kinds import NUMBER, kind_of


def check_bands(tree: nodes.Ruleset, diagnostics: Diagnostics) -> None:
    """Report gaps, overlaps, empty bands, extra ``otherwise`` and bands above the max.

    Args:
        tree: The parsed ruleset.
        diagnostics: Receives PR301-PR305 (PR303 for input ranges too).
    """
    env, kinds = value_ranges(tree), environment(tree)
    for rule in rules(tree):
        for tiers in own_clauses(rule, nodes.Tiers):
            subject = tiers.subject.name if isinstance(tiers.subject, nodes.Ref) else "x"
            domain = domain_of(range_of(tiers.subject, env))
            _check_band_list(tiers, domain, subject, kind_of(tiers.subject, kinds), diagnostics)
            _check_points(tiers.bands, rule, diagnostics)
    for grade in tree.of_type(nodes.Grade):
        domain = domain_of(Range(Decimal(0), _total(tree)))
        _check_band_list(grade, domain, "total", NUMBER, diagnostics)
    for declared in tree.of_type(nodes.Input):
        _check_input_range(declared, diagnostics)


def _check_input_range(declared: nodes.Input, diagnostics: Diagnostics) -> None:
    # A range no value fits would make the facts refuse every value: say so here instead.
    written = declared.range
    if written is not None and written.low.value > written.high.value:
        diagnostics.error(
            "PR303", f"the range {interval_text(written)} of {declared.name} is empty: "
                     f"{_bound(written.low)} is above {_bound(written.high)}",
            written.span, hint="write the smaller bound first")


def _total(tree: nodes.Ruleset) -> Decimal:
    totals = tree.of_type(nodes.Total)
    if totals:
        return totals[0].points
    return sum((m.points for m in members(tree)), Decimal(0))


def domain_of(values: Range | None) -> Interval:
    """The values a subject can take, as an interval; everything when not known."""
    if values is None:
        return Interval.everything()
    low = None if values.low == -INF else values.low
    high = None if values.high == INF else values.high
    return Interval.from_bounds(low, True, high, True)


def band_interval(band) -> Interval:
    """The values a written band (of tiers or grade) holds; not for `otherwise`."""
    written = band.interval
    return Interval.from_bounds(
        written.low.value if written.low else None, written.low_closed,
        written.high.value if written.high else None, written.high_closed,
    )


def _check_band_list(owner, domain: Interval, subject: str, kind, diagnostics: Diagnostics) -> None:
    bands = owner.bands
    percent = any(b.is_percent for band in bands for b in (band.interval.low, band.interval.high) if b)
    otherwise = [b for b in bands if b.interval.is_otherwise]
    for extra in otherwise[1:]:
        diagnostics.error("PR304", "a second `otherwise` band; only one may take what is left", extra.span,
                          notes=(("the first `otherwise` is here", otherwise[0].span),))
    regular = [b for b in bands if not b.interval.is_otherwise]
    intervals = [band_interval(b) for b in regular]
    for band, interval in zip(regular, intervals):
        if interval.is_empty:
            _report_empty(band, diagnostics)
    # `< 5` on a ratio is 500%: once PR212 said so, gaps and overlaps would only confuse.
    if any(is_mismatched(b, kind) for band in regular for b in (band.interval.low, band.interval.high) if b):
        return
    for i, j, common in overlaps(intervals):
        _report_overlap(regular[i], regular[j], common.describe(subject, percent=percent), diagnostics)
    # An empty band was meant to cover something: its gap is the same mistake, told once.
    if otherwise or any(i.is_empty for i in intervals):
        return
    for hole in gaps(intervals, domain):
        _report_gap(hole, owner, intervals, subject, percent, diagnostics)


def _report_empty(band, diagnostics: Diagnostics) -> None:
    written = band.interval
    text = interval_text(written)
    if written.low.value > written.high.value:
        why, hint = f"{_bound(written.low)} is above {_bound(written.high)}", "write the smaller bound first"
    else:
        why, hint = f"it leaves out {_bound(written.low)}, its only value", f"write `= {_bound(written.low)}`"
    diagnostics.error("PR303", f"band {text} is empty: {why}", band.span, hint=hint)


def _bound(bound: nodes.Bound) -> str:
    return number_text(bound.value, percent=bound.is_percent)


def _report_overlap(first, second, common: str, diagnostics: Diagnostics) -> None:
    # The error goes to the later band in the text; the note points back at the earlier.
    earlier, later = sorted((first, second), key=lambda b: b.span.start if b.span else 0)
    diagnostics.error(
        "PR302",
        f"bands {interval_text(earlier.interval)} and {interval_text(later.interval)} both cover {common}",
        later.span,
        hint="every value must be in one band: make one end open with `..<`, `<..`, `<` or `>`",
        notes=(("the other band is here", earlier.span),),
    )


def _report_gap(hole: Interval, owner, intervals, subject: str, percent: bool,
                diagnostics: Diagnostics) -> None:
    bands = [b for b in owner.bands if not b.interval.is_otherwise]
    below = next((b for b, i in zip(bands, intervals) if i.high == hole.low), None)
    above = next((b for b, i in zip(bands, intervals) if i.low == hole.high), None)
    target = "LABEL" if isinstance(owner, nodes.Grade) else "POINTS"
    if below is not None and above is not None:
        reach = Interval(band_interval(below).low, hole.high).band_text(percent=percent)
        hint = f"write `{reach}` to close the gap, or add `otherwise → {target}`"
    else:
        hint = f"add a band `{_open_ended(hole, below, above).band_text(percent=percent)} → {target}`"
    # The caret goes under the band below the gap, else the one above, else the whole list.
    where = below or above or owner
    notes = (("the next band starts here", above.span),) if below is not None and above is not None else ()
    diagnostics.error("PR301", f"no band covers {hole.describe(subject, percent=percent)}", where.span,
                      hint=hint, notes=notes)


def _open_ended(hole: Interval, below, above) -> Interval:
    # A gap at either end of the domain is best closed by a band open to that side,
    # as rubrics write them: `< 60% 得0分`, `≥ 90 优`.
    everything = Interval.everything()
    if below is None and above is not None:
        return Interval(everything.low, hole.high)
    if above is None and below is not None:
        return Interval(hole.low, everything.high)
    return hole


def _check_points(bands, rule, diagnostics: Diagnostics) -> None:
    for band in bands:
        if band.points is not None and band.points > rule.points:
            kind = "part" if isinstance(rule, nodes.Part) else "indicator"
            diagnostics.error(
                "PR305",
                f"band {interval_text(band.interval)} gives {number_text(band.points)} point"
                f"{'' if band.points == 1 else 's'}, "
                f"more than {kind} {rule.name}'s max of {number_text(rule.points)}",
                band.span, hint="write `full` for the rule's max", notes=((f"{kind} {rule.name} is here", rule.name_span),))
