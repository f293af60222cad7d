"""Checked model → Python source of the fast path: ``read_row(x)`` and ``score(x)``.

``score`` computes every site as ``observe`` does (the same ``Emitter``, in the same
order), then scores the rules the way ``runtime.score`` does, minus the explanation:
exemptions, vetoes, parts, bands, formulas, checklists, deductions, the [0, max] limits
and rounding, in the runtime's order and with the runtime's Decimal operations, so totals
agree to the last digit and a zero denominator is met at the same place. Bands become
``if``/``elif`` comparisons against hoisted constants; a test that the bands before it
already decide is left out. ``runtime`` stays the definition: a differential test holds
this code to it over random rulesets.

``read_row`` accepts facts that are already typed (``Decimal`` or ``int`` numbers,
``bool`` flags) when every value is in range, and raises ``runtime.Rejected`` for anything
else, which the caller hands to ``facts.read``: conversions and error messages live there
only. It takes the values in slot order, so no name reaches its code.

Like ``codegen``, this module reads the model only; ruleset values reach the code as
``D('…')`` constants.
"""

from __future__ import annotations

from decimal import Decimal

from perfrules import codegen_bounds, model, runtime
from perfrules.codegen import Emitter

_PRECISION = runtime.CONTEXT.prec


def generate_scorer(ruleset: model.Ruleset) -> str:
    """Python source defining ``score(x)``: from the input values in slot order (what
    ``facts.read`` returns) to ``grade, (total, …)``: the index of the grade band (or
    None), and the score of every group and indicator in the order of
    ``Result.root.walk()`` without parts. Raises what ``runtime.score`` raises, except
    that an unanswered zero denominator is ``runtime.Unanswered``.
    """
    writer = _ScoreWriter(ruleset)
    return writer.emitter.module(writer.scorer())


def generate_reader(ruleset: model.Ruleset) -> str:
    """Python source defining ``read_row(x)``: for the values of the inputs in slot order
    (None where the facts leave one out), ``(values, missing)`` when every value is
    already typed and in range (``missing``: the slots left out); it raises
    ``runtime.Rejected`` for any other value. It needs ``type`` in its namespace."""
    writer = _ScoreWriter(ruleset)
    return writer.emitter.module(writer.reader())


class _ScoreWriter:
    def __init__(self, ruleset: model.Ruleset) -> None:
        self.ruleset = ruleset
        self.emitter = Emitter(ruleset)
        self.order: list[str | None] = []  # result variables, in walk order
        self._rules = 0
        self._indicators = 0

    # ---- read ---------------------------------------------------------------------------

    def reader(self) -> list[str]:
        slots = ", ".join(f"i{slot.index}" for slot in self.ruleset.inputs)
        lines = ["def read_row(x):", f"    {self.emitter.unpack('x')}", "    m = ()"]
        for slot in self.ruleset.inputs:
            lines += self._check_slot(slot)
        return lines + [f"    return ({slots},), m" if slots else "    return (), m"]

    def _check_slot(self, slot: model.InputSlot) -> list[str]:
        # The common case inline; the rest (left out, an int, anything else) in rt.odd_*.
        # A value left out is common (a figure given in place of its inputs): noted here,
        # as rt.odd_* would, without a call.
        v, k = f"i{slot.index}", slot.index
        left_out = [f"        if {v} is None:", f"            m = m + ({k:d},)", "        else:"]
        if slot.kind == "flag":
            return [f"    if {v} is not True and {v} is not False:", *left_out,
                    f"            {v}, m = rt.odd_flag({v}, m, {k:d})"]
        low, high = self._bounds(slot)
        checks = [f"{v}.is_finite()"]
        checks += [f"{v} == {v}.to_integral_value()"] if slot.kind == "count" else []
        checks += [f"{v} >= {low}"] if low != "None" else []
        checks += [f"{v} <= {high}"] if high != "None" else []
        return [f"    if not (type({v}) is D and {' and '.join(checks)}):", *left_out,
                f"            {v}, m = rt.odd_number({v}, m, {k:d}, {low}, {high})"]

    def _bounds(self, slot: model.InputSlot) -> tuple[str, str]:
        # What facts.read asks of a number: not negative unless declared, then in range.
        low = slot.low if slot.low is not None else (None if slot.kind == "number" else Decimal(0))
        return (self.emitter.constant(low) if low is not None else "None",
                self.emitter.constant(slot.high) if slot.high is not None else "None")

    # ---- score --------------------------------------------------------------------------

    def scorer(self) -> list[str]:
        lines = ["def score(x):", f"    {self.emitter.unpack('x')}"]
        for site in self.ruleset.sites:
            lines += self.emitter.site(site)
        total = self._group(self.ruleset.root, lines)
        lines += self._grade(total)
        return lines + [f"    return grade, ({', '.join(self.order)},)"]

    def _group(self, group: model.GroupNode, lines: list[str]) -> str:
        position = self._reserve()
        children = []
        for child in group.children:
            if isinstance(child, model.GroupNode):
                children.append(self._group(child, lines))
            else:
                children.append(self._indicator(child, lines))
        variable = f"g{position}"
        lines.append(f"    {variable} = {self._sum(children)}")
        self.order[position] = variable
        return variable

    def _indicator(self, rule: model.Rule, lines: list[str]) -> str:
        position = self._reserve()
        body: list[str] = []
        variable = self._rule(rule, body, "        ")
        lines += [f"    # indicator {self._indicators}", "    try:", *body,
                  "    except rt.ZeroDenominator as error:", f"        rt.unanswered({self._indicators:d}, error)"]
        self._indicators += 1
        self.order[position] = variable
        return variable

    def _reserve(self) -> int:
        self.order.append(None)
        return len(self.order) - 1

    def _rule(self, rule: model.Rule, lines: list[str], indent: str) -> str:
        """Lines that score ``rule`` into a new variable, as runtime's ``_Scorer.rule``."""
        v = f"v{self._rules}"
        self._rules += 1
        c = self.emitter.constant
        settled = _settled(rule)
        point = (lambda p: c(settled[p, str(p)])) if settled else c
        decide: list[str] = []
        self._decide(rule, v, point, decide, indent + "    " if rule.has_on_zero else indent)
        if rule.has_on_zero:
            lines += [f"{indent}try:", *decide, f"{indent}except rt.ZeroDenominator:",
                      f"{indent}    {v} = {point(rule.on_zero)}"]
        else:
            lines += decide
        if not settled:
            lines += self._limit_and_round(rule, v, indent)
        return v

    def _limit_and_round(self, rule: model.Rule, v: str, indent: str) -> list[str]:
        c, lines = self.emitter.constant, []
        low, high = codegen_bounds.decided_bounds(self.ruleset, rule)
        if high is None or high > rule.max:  # otherwise the comparison could never hold
            lines += [f"{indent}if {v} > {c(rule.max)}:", f"{indent}    {v} = {c(rule.max)}"]
        if low is None or low < 0:
            keyword = "elif" if lines else "if"
            lines += [f"{indent}{keyword} {v} < {c(Decimal(0))}:", f"{indent}    {v} = {c(Decimal(0))}"]
        if rule.rounding is not None:
            lines.append(f"{indent}{v} = {v}.quantize({self._exponent(rule.rounding.places)}, "
                         f"{runtime.ROUNDING_MODES[rule.rounding.mode]!r})")
        return lines

    def _decide(self, rule: model.Rule, v: str, point, lines: list[str], indent: str) -> None:
        guards = [(g, rule.max) for g in rule.exemptions] + [(g, Decimal(0)) for g in rule.vetoes]
        if not guards:
            self._body(rule, v, point, lines, indent)
            return
        for n, (guard, points) in enumerate(guards):
            keyword = "if" if n == 0 else "elif"
            lines += [f"{indent}{keyword} {self._site(guard.site)}:", f"{indent}    {v} = {point(points)}"]
        lines.append(f"{indent}else:")
        self._body(rule, v, point, lines, indent + "    ")

    def _body(self, rule: model.Rule, v: str, point, lines: list[str], indent: str) -> None:
        if rule.parts:
            parts = [self._rule(part, lines, indent) for part in rule.parts]
            lines.append(f"{indent}{v} = {self._sum(parts)}")
        elif rule.base is None:
            lines.append(f"{indent}{v} = {point(rule.max)}")
        elif isinstance(rule.base, model.Tiers):
            lines += self._tiers(rule.base, v, point, indent)
        elif isinstance(rule.base, model.Formula):
            value = self._site(rule.base.site)
            # runtime reads the value (and raises a zero denominator) before anything else
            shown = f"rt.value({value})" if self._may_be_zero(rule.base.site) else value
            lines.append(f"{indent}{v} = {shown}")
        else:
            lines.append(f"{indent}{v} = {self._checklist(rule.base)}")
        for deduction in rule.deductions:
            lines += self._deduct(deduction, v, indent)

    def _tiers(self, tiers: model.Tiers, v: str, point, indent: str) -> list[str]:
        subject = self._site(tiers.site)
        tests = codegen_bounds.band_conditions(tiers.bands, subject, self.emitter.constant)
        lines = []
        if tests and tests[0] is None and self._may_be_zero(tiers.site):
            lines.append(f"{indent}rt.value({subject})")  # no comparison would touch it
        for n, (band, test) in enumerate(zip(tiers.bands, tests)):
            if test is None:  # the bands before leave only this one
                assign = f"{v} = {point(band.points)}"
                return lines + ([f"{indent}else:", f"{indent}    {assign}"] if n else [f"{indent}{assign}"])
            lines += [f"{indent}{'elif' if n else 'if'} {test}:", f"{indent}    {v} = {point(band.points)}"]
        return lines + [f"{indent}else:", f"{indent}    rt.no_band({subject})"]

    def _checklist(self, checklist: model.Checklist) -> str:
        zero = self.emitter.constant(Decimal(0))
        terms = []
        for item in checklist.items:
            value = self._site(item.site)
            terms.append(value if item.judged else f"({self.emitter.constant(item.points)} if {value} else {zero})")
        first = checklist.items[0] if checklist.items else None
        # Decimal(0) + points is points itself when points is a plain non-negative constant.
        if first is not None and not first.judged and _is_plain(first.points):
            return " + ".join(terms)
        return " + ".join([zero, *terms])

    def _deduct(self, deduction: model.Deduction, v: str, indent: str) -> list[str]:
        c, value = self.emitter.constant, self._site(deduction.site)
        points, zero = c(deduction.points), c(Decimal(0))
        if deduction.form == "when":
            return [f"{indent}{v} = {v} - ({points} if {value} else {zero})"]
        if deduction.form == "per_item":
            return [f"{indent}{v} = {v} - {points} * {value}"]
        threshold = c(deduction.threshold if deduction.threshold is not None else Decimal(0))
        rounding = "ROUND_CEILING" if deduction.counting == "started" else "ROUND_FLOOR"
        t = self.emitter._temp()
        return [
            f"{indent}{t} = {value} - {threshold}",
            f"{indent}if {zero} > {t}:",  # builtin max(excess, 0) keeps excess unless 0 is larger
            f"{indent}    {t} = {zero}",
            f"{indent}{v} = {v} - {points} * ({t} / {c(deduction.unit)}).to_integral_value({rounding!r})",
        ]

    def _grade(self, total: str) -> list[str]:
        scale = self.ruleset.grade
        if scale is None:
            return ["    grade = None"]
        bands = [g.band for g in scale.bands]
        tests = codegen_bounds.band_conditions(bands, total, self.emitter.constant)
        lines = []
        for n, test in enumerate(tests):
            if test is None:
                return lines + (["    else:", f"        grade = {n:d}"] if n else [f"    grade = {n:d}"])
            lines += [f"    {'elif' if n else 'if'} {test}:", f"        grade = {n:d}"]
        return lines + ["    else:", "        grade = None"]

    # ---- helpers

    def _site(self, index: int) -> str:
        return self.emitter.site_value(index)

    def _may_be_zero(self, index: int) -> bool:
        return self.emitter.site_value(index) in self.emitter.zero_valued

    def _sum(self, terms: list[str]) -> str:
        # runtime sums from Decimal(0): sum(scores, _ZERO)
        return " + ".join([self.emitter.constant(Decimal(0)), *terms])

    def _exponent(self, places: int) -> str:
        return self.emitter.constant(Decimal(1).scaleb(-int(places)))


def _settled(rule: model.Rule) -> dict[tuple, Decimal] | None:
    """Each constant the rule can end with → its final score, when every way it can end
    is a constant; else None. Keyed by value and text: Decimal('1') == Decimal('1.0'),
    but without rounding each keeps its own exponent."""
    if not codegen_bounds.is_constant(rule):
        return None
    outcomes = [rule.max, Decimal(0), rule.on_zero]
    if isinstance(rule.base, model.Tiers):
        outcomes += [band.points for band in rule.base.bands]
    settled = {}
    for points in outcomes:
        final = codegen_bounds.settle(rule, points)
        if final is None:
            return None
        settled[points, str(points)] = final
    return settled


def _is_plain(points: Decimal) -> bool:
    sign, digits, exponent = points.as_tuple()
    return points.is_finite() and not sign and exponent <= 0 and len(digits) <= _PRECISION
