"""Audit a report: compare what it printed with what the ruleset computes from the facts.

Indicator scores and the total are compared exactly: a report prints them rounded as the
ruleset rounds them, so 5.73 against a computed 5.75 is a disagreement. Figures (rates,
ratios: lets or inputs of the ruleset) are compared at the precision the report printed:
the computed value is rounded half-up to the printed number of decimals (of a percent
when the figure is printed as one), and the finding says so. Each disagreement carries
the computed side's explanation, and names the other disagreements it follows from.

This module decides and explains; ``render_audit`` presents. Nothing here scores: the
values come from ``Ruleset.evaluate`` and the reference interpreter's site values.
"""

from __future__ import annotations

import decimal
from collections.abc import Mapping
from decimal import Decimal

import attrs

from perfrules import facts, interp, model, nodes
from perfrules.build import Ruleset
from perfrules.diagnostics import Diagnostic, did_you_mean
from perfrules.fmt import expr_text, short_number
from perfrules.reported import Number, Printed, Reported, ReportedError, parse_number
from perfrules.result import Result, RulesetInfo
from perfrules.runtime import Missing, left_out, show_value


@attrs.frozen
class Finding:
    """One printed value against its computed counterpart.

    ``section`` is indicator, total, grade or figure; ``target`` what it resolved to (a
    node's path joined by `` / `` or a let's or input's name); ``computed`` is shown at
    the printed precision and ``exact`` in full when that rounding changed it;
    ``difference`` is reported − computed in the printed unit (``pp``: percentage points).
    """

    section: str
    name: str
    target: str
    reported: str
    computed: str
    agrees: bool
    difference: str | None = None
    exact: str | None = None
    precision: str | None = None
    explanation: tuple[str, ...] = ()
    follows_from: tuple[str, ...] = ()  # names of other disagreeing findings it uses

    def to_dict(self) -> dict:
        return attrs.asdict(self, value_serializer=lambda _, __, v: list(v) if isinstance(v, tuple) else v)


@attrs.frozen
class Audit:
    """Every comparison of one report, in the order of the reported file."""

    ruleset: RulesetInfo
    findings: tuple[Finding, ...]

    @property
    def disagreements(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if not f.agrees)

    @property
    def agrees(self) -> bool:
        return not self.disagreements

    def to_dict(self) -> dict:
        return {
            "ruleset": attrs.asdict(self.ruleset),
            "agrees": self.agrees,
            "findings": [f.to_dict() for f in self.findings],
        }


def audit(ruleset: Ruleset, given: Mapping, reported: Reported) -> Audit:
    """Compare a report's printed values with what ``ruleset`` computes from ``given``.

    Args:
        ruleset: The compiled ruleset the report claims to apply.
        given: The entity's facts (a mapping or ``perfrules.Facts``).
        reported: What the report printed (``perfrules.reported.load_reported``).

    Returns:
        An ``Audit`` with one finding per printed value; ``.agrees`` is False when any differs.

    Raises:
        ReportedError: a name the ruleset does not have, or a printed value that is not a
            number (PR531-PR534), all at once; checked before the facts are read.
        FactsError, EvaluationError: as ``Ruleset.evaluate``.
    """
    targets = _resolve(ruleset.model, reported)
    result = ruleset.evaluate(given)
    values = _Values(ruleset.model, given)
    context = _Context(ruleset.model, result, values)
    findings = [
        *(_indicator(context, printed, targets[printed.name]) for printed in reported.indicators),
        *([_total(context, reported, targets)] if reported.total else []),
        *([_grade(context, reported.grade)] if reported.grade else []),
        *(_figure(context, printed, targets[printed.name]) for printed in reported.figures),
    ]
    return Audit(result.ruleset, _link(ruleset.model, findings))


# ---- names ------------------------------------------------------------------------------------


def _tree_paths(ruleset: model.Ruleset) -> list[tuple[str, ...]]:
    paths = [g.path for g in ruleset.groups() if g.path]
    for rule in ruleset.rules():
        paths.append(rule.path)
        paths.extend(part.path for part in _parts(rule))
    return paths


def _parts(rule: model.Rule):
    for part in rule.parts:
        yield part
        yield from _parts(part)


def _resolve(ruleset: model.Ruleset, reported: Reported) -> dict[str, object]:
    """Reported name → node path (indicators) or symbol name (figures); every problem at once."""
    paths, problems, targets = _tree_paths(ruleset), [], {}
    for printed in reported.indicators:
        wanted = tuple(part.strip() for part in printed.name.split("/"))
        found = [p for p in paths if p[-len(wanted):] == wanted]
        if len(found) == 1:
            targets[printed.name] = found[0]
        elif found:
            listed = "; ".join(" / ".join(p) for p in found)
            problems.append(Diagnostic("PR532", f"{printed.name} names several nodes of {ruleset.name}: {listed}",
                                       printed.name_span, hint="give more of the path, as a/b"))
        else:
            problems.append(Diagnostic("PR531", f"{ruleset.name} has no indicator, part or group named "
                                                f"{printed.name}", printed.name_span,
                                       hint=did_you_mean(wanted[-1], {p[-1] for p in paths})))
        problems.extend(_not_a_number(printed))
    for printed in reported.figures:
        if printed.name in ruleset.symbols:
            targets[printed.name] = printed.name
        else:
            problems.append(Diagnostic("PR533", f"{ruleset.name} has no let or input named {printed.name}",
                                       printed.name_span, hint=did_you_mean(printed.name, ruleset.symbols)))
        problems.extend(_not_a_number(printed))
    if reported.total:
        problems.extend(_not_a_number(reported.total))
    if problems:
        raise ReportedError(problems)
    return targets


def _not_a_number(printed: Printed) -> list[Diagnostic]:
    if parse_number(printed.text) is not None:
        return []
    return [Diagnostic("PR534", f"{printed.name} is printed as {printed.text!r}, which is not a number",
                       printed.span, hint='write it as the report prints it: 5.73 or "115.82%"')]


# ---- computed values --------------------------------------------------------------------------


class _Values:
    """The exact value of every input and let for one entity (the interpreter's sites)."""

    def __init__(self, ruleset: model.Ruleset, given: Mapping) -> None:
        self.ruleset = ruleset
        self.inputs = facts.read(ruleset, given)
        self.sites = interp.observe(ruleset, self.inputs)

    def value(self, name: str):
        kind, index = self.ruleset.symbols[name]
        if kind == "let":
            return self.sites[index]
        slot = self.ruleset.inputs[index]
        if self.inputs[index] is None and slot.default is not None:
            return self.sites[slot.default]
        return self.inputs[index]

    def shown(self, name: str) -> str:
        kind, index = self.ruleset.symbols[name]
        value = self.value(name)
        if kind == "let":
            return show_value(value, self.ruleset.sites[index].kind.name)
        slot = self.ruleset.inputs[index]
        shown = show_value(value, "ratio" if slot.kind in ("percent", "ratio") else slot.kind)
        return f"{shown} {slot.unit}" if slot.unit and isinstance(value, Decimal) else shown

    def defining(self, name: str) -> nodes.Expr | None:
        """The expression that computed ``name``: a let's, or a default that was used."""
        kind, index = self.ruleset.symbols[name]
        if kind == "let":
            return self.ruleset.sites[index].expr
        slot = self.ruleset.inputs[index]
        if self.inputs[index] is None and slot.default is not None:
            return self.ruleset.sites[slot.default].expr
        return None


@attrs.frozen
class _Context:
    ruleset: model.Ruleset
    result: Result
    values: _Values

    def node(self, path: tuple[str, ...]):
        return next(n for n in self.result.root.walk() if n.path == path)


# ---- findings ---------------------------------------------------------------------------------


def _indicator(context: _Context, printed: Printed, path: tuple[str, ...]) -> Finding:
    node = context.node(path)
    reported = parse_number(printed.text).value
    lines = [f"{i}. {step.text()}" for i, step in enumerate(node.why, 1)]
    lines.extend(f"{name} = {shown}" for name, shown in node.values)
    if node.kind == "group":
        lines.append("the sum of its members' scores: " + ", ".join(
            f"{c.name} {_plain(c.score)}" for c in node.children))
    return _numeric("indicator", printed.name, " / ".join(path), printed.text, reported, node.score,
                    explanation=tuple(lines))


def _total(context: _Context, reported: Reported, targets: dict) -> Finding:
    result, printed = context.result, reported.total
    lines = ["the sum of the indicator scores (groups and the total are not rounded again)"]
    by_path = {targets[p.name]: parse_number(p.text).value for p in reported.indicators}
    leaves = [n.path for n in result.indicators()]
    if all(path in by_path for path in leaves):
        added = sum((by_path[path] for path in leaves), Decimal(0))
        lines.append(f"the reported indicator scores add up to {_plain(added)}")
    return _numeric("total", "total", "总分", printed.text, parse_number(printed.text).value, result.total,
                    explanation=tuple(lines))


def _grade(context: _Context, printed: Printed) -> Finding:
    result = context.result
    computed = result.grade or "(no grade)"
    band = _grade_band(context.ruleset, result.total)
    lines = (f"总分 {_plain(result.total)} is in the band {band} → {computed}",) if band else ()
    agrees = printed.text.strip() == computed
    return Finding("grade", "grade", "评分等级", printed.text, computed, agrees, explanation=lines)


def _grade_band(ruleset: model.Ruleset, total: Decimal) -> str | None:
    if ruleset.grade is None:
        return None
    return next((g.band.text for g in ruleset.grade.bands if g.band.contains(total)), None)


def _figure(context: _Context, printed: Printed, name: str) -> Finding:
    value = context.values.value(name)
    lines = _figure_explanation(context.values, name)
    if isinstance(value, Decimal):
        return _at_precision(printed, name, parse_number(printed.text), value, lines)
    # Not a number to compare: not given (and no default), a zero denominator, or a flag.
    if left_out(value):
        computed = "(not given)"
    elif isinstance(value, Missing):
        computed = "(zero denominator)"
    else:
        computed = context.values.shown(name)
    return Finding("figure", printed.name, name, printed.text, computed, False, explanation=lines)


def _at_precision(printed: Printed, name: str, number: Number, value: Decimal, lines) -> Finding:
    """Round the computed value as the report printed its figure, half-up, and compare."""
    unit = "%" if number.is_percent else ""
    scaled = value * 100 if number.is_percent else value
    shown = number.value * 100 if number.is_percent else number.value
    rounded = _round(scaled, number.places)
    agrees = rounded == shown
    difference = None if agrees else _signed(_round(shown - rounded, number.places)) + (" pp" if unit else "")
    precision = (f"rounded half-up to {number.places} decimal{'s' if number.places != 1 else ''}"
                 f"{' of a percent' if unit else ''}, as printed")
    exact = short_number(scaled) + unit if rounded != scaled else None
    return Finding("figure", printed.name, name, printed.text, format(rounded, "f") + unit, agrees,
                   difference, exact, precision, lines)


def _figure_explanation(values: _Values, name: str) -> tuple[str, ...]:
    kind, index = values.ruleset.symbols[name]
    expr = values.defining(name)
    if expr is None:
        given = values.inputs[index] if kind == "input" else None
        return (f"{name} is given in the facts: {values.shown(name)}" if not left_out(given)
                else f"the facts do not give {name}",)
    label = "" if kind == "let" else " (not given in the facts; its default)"
    formula = expr_text(expr)
    filled = expr_text(expr, values.shown)
    return (f"{name}{label} = {formula} = {filled} = {values.shown(name)}",)


def _numeric(section: str, name: str, target: str, text: str, reported: Decimal, computed: Decimal, *,
             explanation: tuple[str, ...]) -> Finding:
    agrees = reported == computed
    difference = None if agrees else _signed(reported - computed)
    return Finding(section, name, target, text, _plain(computed), agrees, difference,
                   explanation=explanation)


# ---- what a disagreement follows from --------------------------------------------------------


def _link(ruleset: model.Ruleset, findings: list[Finding]) -> tuple[Finding, ...]:
    """Name, on each disagreement, the other disagreements among the values it uses."""
    wrong_figures = {f.target: f.name for f in findings if f.section == "figure" and not f.agrees}
    wrong_scores = [f.name for f in findings if f.section == "indicator" and not f.agrees]
    total_wrong = [f.name for f in findings if f.section == "total" and not f.agrees]
    linked = []
    for finding in findings:
        if finding.agrees:
            linked.append(finding)
            continue
        uses = _uses(ruleset, finding)
        follows = [wrong_figures[t] for t in sorted(uses) if t in wrong_figures and t != finding.target]
        if finding.section == "total":
            follows = wrong_scores
        elif finding.section == "grade":
            follows = total_wrong
        linked.append(attrs.evolve(finding, follows_from=tuple(follows)))
    return tuple(linked)


def _uses(ruleset: model.Ruleset, finding: Finding) -> set[str]:
    """The inputs and lets a finding's computed value depends on."""
    if finding.section == "indicator":
        path = tuple(finding.target.split(" / "))
        rules = [r for rule in ruleset.rules() for r in (rule, *_parts(rule)) if r.path[: len(path)] == path]
        return {name for rule in rules for name in (*rule.inputs, *rule.lets)}
    if finding.section == "figure":
        return _refs(ruleset, finding.target, set())
    return set()


def _refs(ruleset: model.Ruleset, name: str, seen: set[str]) -> set[str]:
    kind, index = ruleset.symbols[name]
    site = index if kind == "let" else ruleset.inputs[index].default
    if site is None:
        return seen
    for ref in (n for n in nodes.walk(ruleset.sites[site].expr) if isinstance(n, nodes.Ref)):
        if ref.name not in seen:
            seen.add(ref.name)
            _refs(ruleset, ref.name, seen)
    return seen


# ---- numbers ----------------------------------------------------------------------------------


def _round(value: Decimal, places: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=decimal.ROUND_HALF_UP)


def _plain(value: Decimal) -> str:
    # "f" keeps the places the value holds (5.70 stays 5.70) and never uses an exponent.
    return format(value, "f")


def _signed(value: Decimal) -> str:
    return ("+" if value > 0 else "") + format(value, "f")
