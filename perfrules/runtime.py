"""The semantics of perfrules, and the only place they live.

Both back ends call these functions: generated code calls the expression helpers
(``div``, ``min_``, ``round_`` …) for every site, and then ``score`` turns the site
values into a result tree: exemptions, vetoes, bands, formulas, checklists, deductions,
the [0, max] limits and rounding. Arithmetic is ``Decimal`` in a fixed context that is
never the caller's.
"""

from __future__ import annotations

import decimal
from decimal import Decimal

from perfrules import model, result
from perfrules.diagnostics import Diagnostic
from perfrules.errors import EvaluationError, InternalError
from perfrules.explain_plan import Plan, plan_of
from perfrules.fmt import expr_text, number_text

__all__ = [
    "CONTEXT", "Unavailable", "ZeroDenominator", "Missing", "div", "min_", "max_", "mean", "sum_", "abs_", "round_",
    # for the fast scorer and reader (codegen_score)
    "zero_denominator", "value", "no_band", "unanswered", "odd_number", "odd_flag",
]

# 28 significant digits for quotients that do not terminate; every trap that would
# otherwise turn a mistake into a silent NaN or infinity is on.
CONTEXT = decimal.Context(
    prec=28,
    rounding=decimal.ROUND_HALF_EVEN,
    traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow],
)

ROUNDING_MODES = {
    "half_up": decimal.ROUND_HALF_UP,
    "half_even": decimal.ROUND_HALF_EVEN,
    "half_down": decimal.ROUND_HALF_DOWN,
    "up": decimal.ROUND_UP,
    "down": decimal.ROUND_DOWN,
    "ceiling": decimal.ROUND_CEILING,
    "floor": decimal.ROUND_FLOOR,
}
_ZERO = Decimal(0)


class Unavailable(Exception):
    """A value could not be had: a zero denominator, or an input the facts left out."""


class NotGiven(Unavailable):
    """An input the facts left out. Facts validation makes sure no rule needs it, so it can
    only reach a let or a default that nothing needed this time."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


class ZeroDenominator(Unavailable):
    """A division by zero at division ``ordinal`` of site ``site``."""

    def __init__(self, site: int, ordinal: int) -> None:
        super().__init__(site, ordinal)
        self.site = site
        self.ordinal = ordinal


class Missing:
    """The value of a site that met a zero denominator or an input not given.

    Any use of it raises the original error again, so a let that divides by zero only
    matters to the rules that actually use it, and they can say what it scores; a let
    built on an input the facts left out never matters (validation saw to that).
    """

    __slots__ = ("error",)

    def __init__(self, error: Unavailable) -> None:
        self.error = error

    def _raise(self, *args):
        raise self.error

    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _raise
    __truediv__ = __rtruediv__ = __neg__ = __abs__ = __bool__ = _raise
    __lt__ = __le__ = __gt__ = _raise
    __ge__ = _raise
    __hash__ = None

    def __eq__(self, other):
        # Two markers compare as their reasons do, so read values can be compared; against
        # a value the marker still raises, or a condition on it would quietly be false.
        if isinstance(other, Missing):
            return type(self.error) is type(other.error) and self.error.args == other.error.args
        raise self.error

    def __ne__(self, other):
        return not self.__eq__(other)

    def __getattr__(self, name):
        raise self.error

    def __repr__(self) -> str:
        return f"Missing({self.error!r})"


class _LeftOut(Missing):
    """``Missing(NotGiven(name))`` that can be shared: each use of ``error`` makes a new
    exception, so raising it again and again piles no traceback onto one object. Reading
    facts that leave inputs out then costs a lookup, not a new exception per input."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:  # noqa: D107 - no error is made until one is used
        self.name = name

    @property
    def error(self) -> NotGiven:
        return NotGiven(self.name)


def not_given(name: str) -> Missing:
    """The value of an input the facts left out and no rule needs."""
    marker = _LEFT_OUT.get(name)
    if marker is None:
        if len(_LEFT_OUT) >= _LEFT_OUT_KEPT:
            _LEFT_OUT.clear()
        marker = _LEFT_OUT[name] = _LeftOut(name)
    return marker


_LEFT_OUT: dict[str, Missing] = {}  # input name → its marker
_LEFT_OUT_KEPT = 1 << 16  # input names are few; the bound is only against misuse


# ---- expression helpers (called by generated code and the interpreter) --------------------


def div(left: Decimal, right: Decimal, site: int, ordinal: int) -> Decimal:
    if right == 0:
        raise ZeroDenominator(site, ordinal)
    return left / right


def zero_denominator(site: int, ordinal: int):
    """Raise what ``div`` raises; generated code that inlines a division calls it."""
    raise ZeroDenominator(site, ordinal)


def min_(*values: Decimal) -> Decimal:
    best = values[0]
    for value in values[1:]:
        if value < best:
            best = value
    return best


def max_(*values: Decimal) -> Decimal:
    best = values[0]
    for value in values[1:]:
        if value > best:
            best = value
    return best


def sum_(*values: Decimal) -> Decimal:
    total = _ZERO
    for value in values:
        total = total + value
    return total


def mean(*values: Decimal) -> Decimal:
    return sum_(*values) / len(values)


def abs_(value: Decimal) -> Decimal:
    return abs(value)


def round_(value: Decimal, places: int, mode: str) -> Decimal:
    exponent = _EXPONENTS.get(places)
    if exponent is None:
        exponent = _EXPONENTS[places] = Decimal(1).scaleb(-places)
    return value.quantize(exponent, rounding=ROUNDING_MODES[mode])


_EXPONENTS: dict[int, Decimal] = {}  # places → 1E-places, made once


# ---- the fast reader's uncommon cases -------------------------------------------------------


class Rejected(Exception):
    """A fact the fast reader leaves to ``facts.read``, which converts it or reports it."""


def odd_number(value, missing: tuple, slot: int, low: Decimal | None, high: Decimal | None):
    """A number that is not already a checked ``Decimal``: left out (recorded in
    ``missing``), an ``int`` within [low, high] (made a Decimal, as facts.read does), or
    ``Rejected``."""
    if value is None:
        return None, missing + (slot,)
    if type(value) is int and (low is None or value >= low) and (high is None or value <= high):
        return Decimal(value), missing
    raise Rejected


def odd_flag(value, missing: tuple, slot: int):
    """A flag that is not ``True`` or ``False``: left out, or ``Rejected``."""
    if value is None:
        return None, missing + (slot,)
    raise Rejected


# ---- faults of scoring, shared by ``score`` and the fast scorer ---------------------------


class Unanswered(Exception):
    """A zero denominator reached indicator number ``indicator`` (in ``rules()`` order)
    and no rule said what it scores. Callers turn it into an ``EvaluationError``."""

    def __init__(self, indicator: int, error: ZeroDenominator) -> None:
        super().__init__(indicator, error)
        self.indicator = indicator
        self.error = error


def unanswered(indicator: int, error: ZeroDenominator):
    raise Unanswered(indicator, error)


def value(site_value):
    """A site's value for scoring: an ``rt.Missing`` raises its zero denominator here."""
    if isinstance(site_value, Missing):
        raise site_value.error
    return site_value


def no_band(subject_value):
    # The checker rejects gaps; this guards a hand-made model.
    raise AssertionError(f"no band covers {subject_value}")


def not_given_error(error: NotGiven) -> InternalError:
    """A rule reached an input the facts left out: facts validation should have said so."""
    return InternalError([Diagnostic(
        "PR902", f"a rule used {error.name}, which the facts left out and validation did not ask for; "
                 "this is a bug in perfrules, please report it")])


def unanswered_error(ruleset: model.Ruleset, rule: model.Rule, error: ZeroDenominator) -> EvaluationError:
    """The error for a zero denominator that ``rule`` (an indicator) does not answer."""
    site = ruleset.sites[error.site]
    division = model.divisions(site.expr)[error.ordinal]
    where = " › ".join(rule.path)
    through = f" (in {site.owner[0]})" if site.role in ("let", "default") else ""
    return EvaluationError([Diagnostic(
        "PR601", f"{expr_text(division)} has a zero denominator{through}, needed by {where}",
        division.span, hint="say what the rule scores then: `on zero denominator → POINTS`",
        notes=(("the rule is here", rule.span),),
    )])


# ---- scoring from site values --------------------------------------------------------------


def score(ruleset: model.Ruleset, inputs: tuple, sites: list) -> result.Result:
    """Score every rule from the inputs and the site values, and build the result tree.

    Raises:
        EvaluationError: a zero denominator that no rule says how to score.
    """
    scorer = _Scorer(ruleset, plan_of(ruleset), inputs, sites)
    with decimal.localcontext(CONTEXT):
        root = scorer.group(ruleset.root)
    grade = _grade(ruleset.grade, root.score)
    info = result.RulesetInfo(ruleset.name, ruleset.version, ruleset.fingerprint)
    return result.Result(info, root, grade)


def _grade(scale: model.GradeScale | None, total: Decimal) -> str | None:
    if scale is None:
        return None
    for grade_band in scale.bands:
        if grade_band.band.contains(total):
            return grade_band.label
    return None


class _Scorer:
    def __init__(self, ruleset: model.Ruleset, plan: Plan, inputs: tuple, sites: list) -> None:
        self.ruleset = ruleset
        self.plan = plan
        self.inputs = inputs
        self.sites = sites
        self.shown: dict[str, str] = {}  # name → its value as shown, once per evaluation

    def group(self, group: model.GroupNode) -> result.Node:
        children = tuple(
            self.group(c) if isinstance(c, model.GroupNode) else self.indicator(c) for c in group.children
        )
        total = _ZERO
        for child in children:
            total = total + child.score
        return result.Node("group", group.name, group.path, total, group.max, (), children,
                           description=group.description)

    def indicator(self, rule: model.Rule) -> result.Node:
        try:
            return self.rule(rule)
        except ZeroDenominator as error:
            raise unanswered_error(self.ruleset, rule, error) from None
        except NotGiven as error:
            raise not_given_error(error) from None

    def rule(self, rule: model.Rule) -> result.Node:
        try:
            score, why, parts = self._decide(rule)
        except ZeroDenominator as error:
            if not rule.has_on_zero:
                raise
            division = self._division_text(error)
            score, why, parts = rule.on_zero, [result.ZeroDenominatorScored(division, rule.on_zero)], ()
        score, limits = _limit(score, rule.max)
        why.extend(limits)
        if rule.rounding is not None:
            rounded = round_(score, rule.rounding.places, rule.rounding.mode)
            if rounded != score:
                why.append(result.Rounded(score, rounded, rule.rounding.mode, rule.rounding.places))
            score = rounded
        values = tuple([(name, self._shown_name(name)) for name in rule.lets]) if rule.lets else ()
        return result.Node(rule.kind, rule.name, rule.path, score, rule.max, tuple(why), parts,
                           self._inputs_read(rule), rule.description, values)

    def _decide(self, rule: model.Rule):
        for guard in rule.exemptions:
            if self._value(guard.site):
                return rule.max, [result.Exempted(guard.text, guard.reason, rule.max)], ()
        for guard in rule.vetoes:
            if self._value(guard.site):
                return _ZERO, [result.Vetoed(guard.text, guard.reason)], ()
        parts = tuple(self.rule(p) for p in rule.parts)
        why: list = []
        if parts:
            base = _ZERO
            for part in parts:
                base = base + part.score
            why.append(result.PartsAdded(base))
        elif rule.base is None:
            base = rule.max
            why.append(result.StartsFull(rule.max))
        else:
            base = self._base(rule.base, why)
        for deduction in rule.deductions:
            amount, measure = self._deduct(deduction)
            why.append(result.Deducted(deduction.text, measure, amount))
            base -= amount
        return base, why, parts

    def _base(self, base: model.Base, why: list) -> Decimal:
        if isinstance(base, model.Tiers):
            value = self._value(base.site)
            band = next((b for b in base.bands if b.contains(value)), None)
            if band is None:
                no_band(value)
            why.append(result.BandMatched(self.plan.texts[base.site], self._show(base.site, value),
                                          band.text, band.points))
            return band.points
        if isinstance(base, model.Formula):
            value = self._value(base.site)
            why.append(result.FormulaValue(self.plan.texts[base.site], self._filled(base.site), value))
            return value
        total = _ZERO
        for item in base.items:
            value = self._value(item.site)
            if item.judged:
                awarded, met = value, None
            else:
                awarded, met = (item.points if value else _ZERO), bool(value)
            why.append(result.ItemScored(item.text, self.plan.texts[item.site], item.points, awarded, met))
            total += awarded
        return total

    def _deduct(self, deduction: model.Deduction) -> tuple[Decimal, str]:
        value = self._value(deduction.site)
        if deduction.form == "when":
            return (deduction.points if value else _ZERO), ("holds" if value else "does not hold")
        if deduction.form == "per_item":
            return deduction.points * value, f"{number_text(value)} counted"
        threshold = deduction.threshold if deduction.threshold is not None else _ZERO
        excess = max(value - threshold, _ZERO)
        rounding = decimal.ROUND_CEILING if deduction.counting == "started" else decimal.ROUND_FLOOR
        units = (excess / deduction.unit).to_integral_value(rounding=rounding)
        shown = self._show(deduction.site, value)
        return deduction.points * units, f"{shown}, {number_text(units)} {deduction.counting} units"

    # ---- values and how they are shown
    def _value(self, site: int):
        value = self.sites[site]
        if isinstance(value, Missing):
            raise value.error
        return value

    def _show(self, site: int, value) -> str:
        return show_value(value, self.plan.kinds[site])

    def _filled(self, site: int) -> str:
        """The formula with each name replaced by its value as shown."""
        pieces = self.plan.template(self.ruleset, site)
        if pieces is None:
            return expr_text(self.ruleset.sites[site].expr, self._shown_name)
        filled = pieces[:]
        for n in range(1, len(pieces), 2):
            filled[n] = self._shown_name(pieces[n])
        return "".join(filled)

    def _shown_name(self, name: str) -> str:
        shown = self.shown.get(name)
        if shown is None:
            shown = self.shown[name] = self._show_name(name)
        return shown

    def _show_name(self, name: str) -> str:
        kind, index, default, shown_kind, unit = self.plan.names[name]
        if kind == "input":
            value = self.inputs[index]
            if value is None and default is not None:
                value = self.sites[default]
            shown = show_value(value, shown_kind)
            return f"{shown} {unit}" if unit and isinstance(value, Decimal) else shown
        return show_value(self.sites[index], shown_kind)

    def _inputs_read(self, rule: model.Rule) -> tuple[tuple[str, str], ...]:
        # An input left out because a given figure made it unnecessary is not "read".
        inputs, shown = self.inputs, self._shown_name
        return tuple([(name, shown(name)) for name, index, has_default in self.plan.reads[id(rule)]
                      if has_default or not left_out(inputs[index])])

    def _division_text(self, error: ZeroDenominator) -> str:
        site = self.ruleset.sites[error.site]
        return expr_text(model.divisions(site.expr)[error.ordinal])


def left_out(value) -> bool:
    """Whether an input's value says the facts left it out (None awaits its default)."""
    return value is None or (isinstance(value, Missing) and isinstance(value.error, NotGiven))


def settle(score: Decimal, maximum: Decimal, rounding: model.Rounding | None) -> Decimal:
    """A rule's score after its [0, max] limit and its rounding, as ``score`` applies them."""
    with decimal.localcontext(CONTEXT):
        score = _limit(score, maximum)[0]
        return round_(score, rounding.places, rounding.mode) if rounding is not None else score


def _limit(score: Decimal, maximum: Decimal) -> tuple[Decimal, list]:
    if score > maximum:
        return maximum, [result.Capped(score, maximum)]
    if score < 0:
        return _ZERO, [result.Floored(score)]
    return score, []


def show_value(value, kind: str) -> str:
    """A value as an explanation shows it: ratios as percents, long quotients shortened."""
    if isinstance(value, Missing):
        return "(not given)" if isinstance(value.error, NotGiven) else "(zero denominator)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is None:
        return "(not given)"
    if kind == "ratio":
        return _short(value * 100) + "%"
    return _short(value)


_short = result.shown_number  # one definition, shared with the steps' texts
