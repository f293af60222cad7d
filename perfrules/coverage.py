"""Coverage of a ruleset's elements by a set of results (``perfrules test``).

An element is a place in the rubric where a case can go one way or another: a band of a
``tiers``, a checklist item, a deduction, a veto, an exemption, a grade band. Each
element needs certain outcomes before it counts as covered:

- a band, when some result matched it;
- a checklist item, when the results saw it both award its points and withhold them
  (a flag item met and not met; a judged item scored in full and below full). An item
  only ever seen met has never shown that its test can fail, and a test on the wrong
  input, or negated, would pass unnoticed;
- a deduction, when it took something off; a veto or an exemption, when it fired;
- a grade band, when some total fell in it.

Coverage is read from the ``why`` steps of results and their totals, matched against
the checked model, whose spans give each element's source line. Nothing here scores.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_FLOOR, Decimal

import attrs

from perfrules import model, result
from perfrules.fmt import expr_text, number_text
from perfrules.source import Span

_NAMES = {"band": "band", "item": "item", "deduction": "deduction", "veto": "veto",
          "exemption": "exemption", "grade": "grade band"}
_PLURALS = {"band": "bands", "item": "items", "deduction": "deductions", "veto": "vetoes",
            "exemption": "exemptions", "grade": "grade bands"}
_SHORT = 40  # criteria run to paragraphs; the report shows their start


@attrs.frozen
class Element:
    """One element of a ruleset. ``index`` orders elements of one kind within a rule."""

    kind: str  # band, item, deduction, veto, exemption or grade
    path: tuple[str, ...]  # the rule's path; () for grade bands
    index: int
    text: str
    needs: frozenset[str]  # the outcomes that cover it
    span: Span | None = attrs.field(default=None, eq=False, repr=False)

    @property
    def where(self) -> str:
        """``file:line:column`` of the element in its ruleset."""
        return str(self.span) if self.span is not None else "?"

    def describe(self) -> str:
        owner = " / ".join(self.path)
        return f"{owner}: {self.text}" if owner else self.text


@attrs.frozen
class Coverage:
    """The elements of one ruleset and the outcomes the results showed for each."""

    elements: tuple[Element, ...]
    seen: tuple[frozenset[str], ...]  # per element

    def is_covered(self, position: int) -> bool:
        return self.elements[position].needs <= self.seen[position]

    @property
    def covered(self) -> int:
        return sum(self.is_covered(i) for i in range(len(self.elements)))

    @property
    def percent(self) -> Decimal:
        """Covered elements in percent, exact; 100 for a ruleset without elements."""
        if not self.elements:
            return Decimal(100)
        return Decimal(100) * self.covered / len(self.elements)

    def uncovered(self) -> list[tuple[Element, frozenset[str]]]:
        """Each uncovered element with the outcomes it still lacks, in source order."""
        found = [(e, e.needs - self.seen[i]) for i, e in enumerate(self.elements) if not self.is_covered(i)]
        return sorted(found, key=lambda pair: pair[0].span.start if pair[0].span is not None else -1)

    def render_text(self, name: str) -> str:
        """A summary line, the count per kind, then each uncovered element with its line."""
        lines = [f"{name}: {self.covered} of {len(self.elements)} elements covered ({percent_text(self.percent)})"]
        lines.append("  " + ", ".join(self._per_kind()))
        for element, missing in self.uncovered():
            lines.append(f"  {element.where}: {_NAMES[element.kind]} {element.describe()} "
                         f"(never {' or '.join(sorted(missing))})")
        return "\n".join(lines) + "\n"

    def _per_kind(self) -> list[str]:
        counts = {}
        for i, element in enumerate(self.elements):
            done, total = counts.get(element.kind, (0, 0))
            counts[element.kind] = (done + self.is_covered(i), total + 1)
        return [f"{_PLURALS[k]} {done}/{total}" for k, (done, total) in counts.items()]


def percent_text(value: Decimal) -> str:
    # Rounded down, so 99.97% never reads as a misleading 100.0%.
    return f"{value.quantize(Decimal('0.1'), rounding=ROUND_FLOOR)}%"


# ---- the elements of a model -----------------------------------------------------------------


def elements(ruleset: model.Ruleset) -> tuple[Element, ...]:
    """Every element of a checked ruleset, rule by rule in source order, grade bands last."""
    found: list[Element] = []
    for rule in ruleset.rules():
        found.extend(_rule_elements(ruleset, rule))
    if ruleset.grade is not None:
        found.extend(
            Element("grade", (), i, f"{g.band.text} → {g.label}", frozenset({"reached"}), g.band.span)
            for i, g in enumerate(ruleset.grade.bands)
        )
    return tuple(found)


def _rule_elements(ruleset: model.Ruleset, rule: model.Rule):
    for i, guard in enumerate(rule.exemptions):
        yield Element("exemption", rule.path, i, _guard_text(guard), frozenset({"fired"}), guard.span)
    for i, guard in enumerate(rule.vetoes):
        yield Element("veto", rule.path, i, _guard_text(guard), frozenset({"fired"}), guard.span)
    if isinstance(rule.base, model.Tiers):
        for i, band in enumerate(rule.base.bands):
            yield Element("band", rule.path, i, f"{band.text} → {_n(band.points)}", frozenset({"matched"}), band.span)
    elif isinstance(rule.base, model.Checklist):
        for i, item in enumerate(rule.base.items):
            needs = {"full", "below full"} if item.judged else {"met", "not met"}
            yield Element("item", rule.path, i, _item_text(ruleset, item), frozenset(needs), item.span)
    for part in rule.parts:
        yield from _rule_elements(ruleset, part)
    for i, deduction in enumerate(rule.deductions):
        yield Element("deduction", rule.path, i, deduction.text, frozenset({"deducted"}), deduction.span)


def _guard_text(guard: model.Guard) -> str:
    return f"when {guard.text}"


def _item_text(ruleset: model.Ruleset, item: model.Item) -> str:
    if not item.text:
        # Without a criterion, the test is what tells the item apart.
        return expr_text(ruleset.sites[item.site].expr)
    return f'"{item.text[:_SHORT]}…"' if len(item.text) > _SHORT else f'"{item.text}"'


def _n(value: Decimal) -> str:
    return number_text(value)


# ---- outcomes in results ---------------------------------------------------------------------


def measure(ruleset: model.Ruleset, results: Iterable[result.Result]) -> Coverage:
    """The coverage of ``ruleset``'s elements by ``results`` (each from that ruleset)."""
    found = elements(ruleset)
    position = {(e.kind, e.path, e.index): i for i, e in enumerate(found)}
    seen: list[set[str]] = [set() for _ in found]
    rules = {r.path: r for r in ruleset.all_rules()}
    for scored in results:
        for key, outcome in _outcomes(ruleset, rules, scored):
            if key in position:
                seen[position[key]].add(outcome)
    return Coverage(found, tuple(frozenset(s) for s in seen))


def _outcomes(ruleset: model.Ruleset, rules: dict, scored: result.Result):
    for node in scored.root.walk():
        rule = rules.get(node.path) if node.kind != "group" else None
        if rule is not None:
            yield from _node_outcomes(rule, node)
    if ruleset.grade is not None:
        for i, grade_band in enumerate(ruleset.grade.bands):
            if grade_band.band.contains(scored.total):
                yield ("grade", (), i), "reached"


def _node_outcomes(rule: model.Rule, node: result.Node):
    items = deductions = 0
    for step in node.why:
        match step:
            case result.Exempted():
                yield ("exemption", rule.path, _guard_index(rule.exemptions, step)), "fired"
            case result.Vetoed():
                yield ("veto", rule.path, _guard_index(rule.vetoes, step)), "fired"
            case result.BandMatched(band=text):
                bands = rule.base.bands if isinstance(rule.base, model.Tiers) else ()
                yield ("band", rule.path, next((i for i, b in enumerate(bands) if b.text == text), -1)), "matched"
            case result.ItemScored(points=points, awarded=awarded, met=met):
                if met is None:
                    outcome = "full" if awarded == points else "below full"
                else:
                    outcome = "met" if met else "not met"
                yield ("item", rule.path, items), outcome
                items += 1
            case result.Deducted(amount=amount):
                if amount > 0:
                    yield ("deduction", rule.path, deductions), "deducted"
                deductions += 1


def _guard_index(guards: tuple[model.Guard, ...], step) -> int:
    # Steps carry the condition's text and reason, not a position; the first guard that
    # reads alike is the one that fired, since guards are tried in order.
    for i, guard in enumerate(guards):
        if guard.text == step.condition and guard.reason == step.reason:
            return i
    return -1


