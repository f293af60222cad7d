"""Propose facts that reach every band of every ``tiers``, and both sides of every band
edge: the subject just below, at and just above each boundary (``perfrules cases``).

The step beside an edge is one unit in the last decimal place the ruleset uses (its
numbers, band ends, ``round`` places), so a ruleset that rounds rates to four places
gets 4.99% / 5% / 5.01%. Each proposal starts from baseline facts and changes only the
inputs the subject reads. The proposer solves the common shapes of a subject exactly:
an input, ``a / b`` and ``a / (a + b)`` of two inputs, lets and ``round`` around them.
Every proposal is then checked by computing the subject's value with the reference
interpreter: a value it cannot hit exactly is reported as not reachable, with the
reason, never approximated. Scores come from the ruleset, never from here.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction

import attrs
import yaml

from perfrules import interp, model, nodes, result, runtime
from perfrules.errors import EvaluationError, FactsError
from perfrules.facts import read
from perfrules.fmt import expr_text, number_text

_SIDES = ("below", "at", "above")


class Unreachable(Exception):
    """The proposer cannot make the subject take the value; the message says why."""


@attrs.frozen
class Row:
    """One proposed value of a tiers subject and what the ruleset does with it."""

    path: tuple[str, ...]  # the indicator or part
    subject: str
    edge: Decimal | None  # the band boundary; None for a value inside a band
    side: str  # below, at, above or inside
    target: Decimal
    percent: bool = False  # the subject is a ratio, shown as a percent
    changes: tuple[tuple[str, object], ...] = ()  # inputs set on top of the baseline
    band: str | None = None  # the band matched, as text with its points
    score: Decimal | None = None  # the rule's score
    reason: str | None = None  # what decided the score when no band did (a veto …)
    problem: str | None = None  # why the value could not be reached

    @property
    def reached(self) -> bool:
        return self.problem is None


@attrs.frozen
class Proposal:
    ruleset: model.Ruleset
    baseline: dict = attrs.field(eq=False)
    step: Decimal
    rows: tuple[Row, ...]
    unreached: tuple[tuple[tuple[str, ...], str], ...]  # (rule path, band text) no row reached


def propose(ruleset, baseline: Mapping | None = None, *, step: Decimal | None = None) -> Proposal:
    """Propose facts for every band edge of a compiled ruleset.

    Args:
        ruleset: A compiled ``Ruleset``.
        baseline: Facts to start from; by default, ``default_facts`` of the ruleset.
        step: The distance beside each edge; by default one unit in the last decimal
            place the ruleset uses.

    Returns:
        The rows, one per value tried, and the bands no row reached.
    """
    checked = ruleset.model
    base = dict(baseline) if baseline is not None else default_facts(checked)
    step = step if step is not None else ruleset_step(checked)
    rows, unreached = [], []
    for rule in _tiers_rules(checked):
        found = _Prober(ruleset, base, rule, step).rows()
        rows.extend(found)
        hit = {row.band for row in found if row.reached}
        unreached.extend((rule.path, _band_text(b)) for b in rule.base.bands if _band_text(b) not in hit)
    return Proposal(checked, base, step, tuple(rows), tuple(unreached))


def default_facts(checked: model.Ruleset) -> dict:
    """Plain facts for every input without a default: flags no, counts 10, amounts 100,
    judged scores at their top, percents and numbers in the middle of their range."""
    facts = {}
    for slot in checked.inputs:
        if slot.default is None:
            facts[slot.name] = _plain_value(slot)
    return facts


def _plain_value(slot: model.InputSlot):
    if slot.kind == "flag":
        return False
    if slot.kind == "judged":
        return slot.high
    if slot.low is not None and slot.high is not None:
        middle = (slot.low + slot.high) / 2
        return int(middle) if slot.kind == "count" else middle
    fallback = {"count": 10, "amount": Decimal(100), "number": Decimal(0)}.get(slot.kind, Decimal("0.5"))
    return slot.low if slot.low is not None and slot.low > (fallback or 0) else fallback


def ruleset_step(checked: model.Ruleset) -> Decimal:
    """One unit in the last decimal place of any number the ruleset writes."""
    places = [_places(v) for v in _numbers(checked)]
    places.extend(n.places for site in checked.sites for n in nodes.walk(site.expr) if isinstance(n, nodes.Round))
    return Decimal(1).scaleb(-max(places, default=0))


def _numbers(checked: model.Ruleset):
    for site in checked.sites:
        yield from (n.value for n in nodes.walk(site.expr) if isinstance(n, nodes.Number))
    for rule in checked.all_rules():
        if isinstance(rule.base, model.Tiers):
            yield from (v for b in rule.base.bands for v in (b.low, b.high) if v is not None)
        for deduction in rule.deductions:
            yield from (v for v in (deduction.unit, deduction.threshold) if v is not None)


def _places(value: Decimal) -> int:
    return max(0, -value.normalize().as_tuple().exponent)


def _band_text(band: model.Band) -> str:
    return f"{band.text} → {number_text(band.points)}"


def _tiers_rules(checked: model.Ruleset):
    return [r for r in checked.all_rules() if isinstance(r.base, model.Tiers)]


# ---- one tiers rule --------------------------------------------------------------------------


class _Prober:
    def __init__(self, ruleset, baseline: dict, rule: model.Rule, step: Decimal) -> None:
        self.ruleset = ruleset
        self.model = ruleset.model
        self.baseline = baseline
        self.rule = rule
        self.site = self.model.sites[rule.base.site]
        # A count never takes a fraction, so its neighbours are one whole unit away.
        self.step = max(step, Decimal(1)) if self.site.kind.name == "count" else step

    def rows(self) -> list[Row]:
        rows, tried = [], set()
        for edge in sorted({v for b in self.rule.base.bands for v in (b.low, b.high) if v is not None}):
            for side, target in zip(_SIDES, (edge - self.step, edge, edge + self.step)):
                if target not in tried:
                    tried.add(target)
                    rows.append(self.row(edge, side, target))
        reached = {r.band for r in rows if r.reached}
        for band in self.rule.base.bands:
            inside = _inside(band)
            if _band_text(band) not in reached and inside is not None and inside not in tried:
                tried.add(inside)
                rows.append(self.row(None, "inside", inside))
        return rows

    def row(self, edge: Decimal | None, side: str, target: Decimal) -> Row:
        subject = expr_text(self.site.expr)
        row = Row(self.rule.path, subject, edge, side, target, self.site.kind.name == "ratio")
        try:
            changes = solve(self.model, self.site.expr, target)
            facts = {**self.baseline, **changes}
            self.verify(facts, target)
            scored = self.ruleset.evaluate(facts)
        except (Unreachable, FactsError, EvaluationError) as error:
            return attrs.evolve(row, problem=_first_line(error))
        node = next(n for n in scored.root.walk() if n.path == self.rule.path)
        band = next((s for s in node.why if isinstance(s, result.BandMatched)), None)
        matched = f"{band.band} → {number_text(band.points)}" if band else None
        return attrs.evolve(row, changes=tuple(changes.items()), band=matched, score=node.score,
                            reason=None if band else node.reason)

    def verify(self, facts: dict, target: Decimal) -> None:
        value = interp.observe(self.model, read(self.model, facts))[self.site.index]
        if isinstance(value, runtime.Missing):
            raise Unreachable("a denominator is zero there")
        if value != target:
            raise Unreachable(f"the facts give {value}, not {target}")


def _inside(band: model.Band) -> Decimal | None:
    # A value strictly inside a band both of whose ends are known: their midpoint.
    if band.low is not None and band.high is not None and band.low < band.high:
        return (band.low + band.high) / 2
    return None


def _first_line(error: Exception) -> str:
    if isinstance(error, (FactsError, EvaluationError)):
        return error.diagnostics[0].message
    return str(error)


# ---- solving a subject for a value -----------------------------------------------------------


def solve(checked: model.Ruleset, expr: nodes.Expr, target: Decimal) -> dict:
    """Input values that make ``expr`` equal ``target`` exactly, for the shapes the
    proposer knows: an input; ``a / b`` and ``a / (a + b)`` of inputs; lets and ``round``
    around those.

    Raises:
        Unreachable: another shape, or a value the shape cannot take.
    """
    expr = _unwrap(checked, expr, target)
    match expr:
        case nodes.Ref(name=name):
            return {name: _input_value(checked, name, target)}
        case nodes.Binary(op="/", left=nodes.Ref() as a, right=nodes.Binary(op="+") as total):
            return _share(checked, a, total, target)
        case nodes.Binary(op="/", left=nodes.Ref(name=a), right=nodes.Ref(name=b)):
            return _quotient(checked, _input(checked, a), _input(checked, b), target)
    raise Unreachable(f"cannot solve {expr_text(expr)} for a value; give such facts by hand")


def _unwrap(checked: model.Ruleset, expr: nodes.Expr, target: Decimal) -> nodes.Expr:
    """Replace lets by their expressions and drop a ``round`` that keeps the target as is."""
    while True:
        match expr:
            case nodes.Ref(name=name) if checked.symbols[name][0] == "let":
                expr = checked.sites[checked.symbols[name][1]].expr
            case nodes.Round(operand=operand, places=places):
                if runtime.round_(target, places, "down") != target:
                    raise Unreachable(f"{expr_text(expr)} never has more than {places} decimal places")
                expr = operand
            case _:
                return expr


def _input(checked: model.Ruleset, name: str) -> model.InputSlot:
    kind, index = checked.symbols[name]
    if kind != "input":
        raise Unreachable(f"{name} is computed, not an input")
    return checked.inputs[index]


def _input_value(checked: model.Ruleset, name: str, target: Decimal):
    slot = _input(checked, name)
    if slot.kind == "flag":
        raise Unreachable(f"{name} is a flag")
    if slot.kind == "count":
        if target != target.to_integral_value():
            raise Unreachable(f"{name} is a count and cannot be {number_text(target)}")
        return int(target)
    return target


def _quotient(checked, a: model.InputSlot, b: model.InputSlot, target: Decimal) -> dict:
    # a / b = p / q in lowest terms: a = p, b = q is the smallest exact choice.
    if target < 0 or a.name == b.name:
        raise Unreachable(f"{a.name} / {b.name} cannot be {number_text(target, percent=True)}")
    ratio = Fraction(target)
    return {a.name: _whole(a, ratio.numerator), b.name: _whole(b, ratio.denominator)}


def _share(checked, a_ref: nodes.Ref, total: nodes.Binary, target: Decimal) -> dict:
    # a / (a + b) = p / q: a = p, b = q - p; it is never negative and never above 100%.
    others = [t for t in (total.left, total.right) if not (isinstance(t, nodes.Ref) and t.name == a_ref.name)]
    if len(others) != 1 or not isinstance(others[0], nodes.Ref):
        raise Unreachable(f"cannot solve {a_ref.name} / ({expr_text(total)}) for a value; give such facts by hand")
    a, b = _input(checked, a_ref.name), _input(checked, others[0].name)
    if not Decimal(0) <= target <= 1:
        raise Unreachable(f"{a.name} / ({expr_text(total)}) is never {number_text(target, percent=True)}")
    ratio = Fraction(target)
    return {a.name: _whole(a, ratio.numerator), b.name: _whole(b, ratio.denominator - ratio.numerator)}


def _whole(slot: model.InputSlot, value: int):
    return value if slot.kind == "count" else Decimal(value)


# ---- rendering -------------------------------------------------------------------------------


def render_text(proposal: Proposal, *, width: int = 200) -> str:
    """The proposal as a table a rubric author can review, one row per value tried."""
    if not proposal.rows:
        return "nothing to propose: the ruleset has no tiers\n"
    from rich import box
    from rich.console import Console
    from rich.table import Table

    table = Table(box=box.SIMPLE, header_style="bold")
    for header in ("rule", "edge", "value", "facts", "band", "score"):
        table.add_column(header, overflow="fold", justify="right" if header == "score" else "left")
    previous = None
    for row in proposal.rows:
        rule = f"{_path(row.path)}\n{row.subject}" if row.path != previous else ""
        previous = row.path
        table.add_row(rule, *_cells(proposal.ruleset, row))
    buffer = _console_text(Console, table, width)
    return buffer + "".join(f"not reached: {_path(path)}: band {band}\n" for path, band in proposal.unreached)


def _cells(checked: model.Ruleset, row: Row) -> list[str]:
    edge = f"{row.side} {_value(row, row.edge)}" if row.edge is not None else row.side
    if not row.reached:
        return [edge, _value(row, row.target), "", f"not reachable by the proposer: {row.problem}", ""]
    facts = ", ".join(f"{name} = {_fact_text(checked, name, v)}" for name, v in row.changes)
    band = row.band or f"no band: {row.reason}"
    return [edge, _value(row, row.target), facts, band, format(row.score, "f")]


def _console_text(console_class, table, width: int) -> str:
    import io

    buffer = io.StringIO()
    console = console_class(file=buffer, width=width, color_system=None, force_terminal=False,
                            highlight=False, emoji=False, markup=False, legacy_windows=False)
    console.print(table)
    return "\n".join(line.rstrip() for line in buffer.getvalue().splitlines()).strip("\n") + "\n"


def _value(row: Row, value: Decimal) -> str:
    return number_text(value, percent=row.percent)


def _fact_text(checked: model.Ruleset, name: str, value) -> str:
    slot = checked.inputs[checked.symbols[name][1]]
    if isinstance(value, bool):
        return "yes" if value else "no"
    return number_text(Decimal(value), percent=slot.kind in ("percent", "ratio"))


def _path(path: tuple[str, ...]) -> str:
    return " / ".join(path)


def render_yaml(proposal: Proposal, *, facts_path: str | None = None) -> str:
    """A cases file skeleton: one case per reached row, expecting the score the ruleset
    computes now. ``facts_path`` (relative to the ruleset) names the baseline facts;
    without it the baseline is written inline."""

    names = _short_names(proposal.ruleset)
    cases = [_case(proposal.ruleset, names, row) for row in proposal.rows if row.reached]
    document = {"facts": facts_path if facts_path is not None else _facts_data(proposal.ruleset, proposal.baseline),
                "cases": cases}
    header = (
        f"# Cases proposed by `perfrules cases` for {proposal.ruleset.name}: each expects the score\n"
        "# the ruleset computes now. Review every expectation against the rubric before keeping it.\n"
    )
    body = yaml.dump(document, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1000)
    return header + body


def _case(checked: model.Ruleset, names: dict, row: Row) -> dict:
    value = _value(row, row.target)
    edge = f" ({row.side} {_value(row, row.edge)})" if row.edge is not None and row.side != "at" else ""
    decided = f"band {row.band}" if row.band else row.reason
    return {
        "name": f"{names[row.path]} {value}{edge}",
        "note": f"{row.subject} = {value}: {decided}",
        "with": _facts_data(checked, dict(row.changes)),
        "expect": {names[row.path]: row.score},
    }


def _facts_data(checked: model.Ruleset, facts: Mapping) -> dict:
    data = {}
    for name, value in facts.items():
        kind, index = checked.symbols.get(name, ("input", None))
        slot = checked.inputs[index] if index is not None else None
        if isinstance(value, Decimal) and slot is not None and slot.kind in ("percent", "ratio"):
            value = number_text(value, percent=True)
        data[name] = value
    return data


def _short_names(checked: model.Ruleset) -> dict:
    """The shortest path suffix that names each rule alone, as cases files write it."""
    paths = [r.path for r in checked.all_rules()] + [g.path for g in checked.groups() if g.path]
    names = {}
    for path in paths:
        for size in range(1, len(path) + 1):
            suffix = path[-size:]
            if sum(1 for p in paths if p[-size:] == suffix) == 1:
                names[path] = "/".join(suffix)
                break
    return names


class _Dumper(yaml.SafeDumper):
    """Decimals as plain YAML numbers, which perfrules reads back digit for digit."""


def _represent_decimal(dumper, value: Decimal):
    text = number_text(value)
    tag = "int" if value == value.to_integral_value() and "." not in text else "float"
    return dumper.represent_scalar(f"tag:yaml.org,2002:{tag}", text)


_Dumper.add_representer(Decimal, _represent_decimal)
