"""Expressions and rules in SQL: ``interp`` and ``runtime.score``, one row at a time.

``Scorer`` follows ``runtime._Scorer`` step for step: exemptions first, then vetoes, then
the base (parts, tiers, formula, checklist, or the max), deductions summed, the result
kept within [0, max], rounded when the rule rounds. Where Python meets a zero denominator
and raises, the SQL value carries the condition ``z``; a rule with ``on zero
denominator`` scores its points where ``z`` holds, and an indicator without it reports
``z`` as the row's error. Conditions short-circuit as Python's ``and``/``or`` do, so a
zero denominator on the side Python never evaluates does not count.
"""

from __future__ import annotations

from decimal import Decimal

import attrs
from sqlglot import exp

from perfrules import model, nodes
from perfrules.sql.exact import FALSE, TRUE, Arith, Bool, Dec, Num, any_of, both, negate

_COMPARE = {"<": exp.LT, "<=": exp.LTE, ">": exp.GT, ">=": exp.GTE, "=": exp.EQ, "!=": exp.NEQ}


class Expressions:
    """Compiles expressions of one ruleset; ``env`` maps input and let names to values."""

    def __init__(self, arith: Arith, ruleset: model.Ruleset, env: dict) -> None:
        self.arith = arith
        self.ruleset = ruleset
        self.env = env
        self._sites: dict[int, Num | Bool] = {}

    def site(self, index: int) -> Num | Bool:
        """The value of a site, computed once and kept in columns."""
        if index not in self._sites:
            value = self.expr(self.ruleset.sites[index].expr)
            self._sites[index] = self.keep(value)
        return self._sites[index]

    def keep(self, value: Num | Bool) -> Num | Bool:
        return self.arith.keep_bool(value) if isinstance(value, Bool) else self.arith.keep(value)

    def expr(self, expr: nodes.Expr) -> Num | Bool:
        a = self.arith
        match expr:
            case nodes.Number(value=value):
                return a.const(value)
            case nodes.Flag(value=value):
                return Bool(TRUE if value else FALSE)
            case nodes.Ref(name=name):
                return self.env[name]
            case nodes.Negate(operand=operand):
                return a.neg(self.expr(operand))
            case nodes.Not(operand=operand):
                value = self.expr(operand)
                return Bool(negate(value.b), value.z)
            case nodes.Logical(op=op, left=left, right=right):
                return self._logical(op, self.keep(self.expr(left)), self.expr(right))
            case nodes.Binary(op=op, left=left, right=right):
                return self._binary(op, self.expr(left), self.expr(right))
            case nodes.Compare(op=op, left=left, right=right):
                return self._compare(op, self.expr(left), self.expr(right))
            case nodes.Call(function=function, args=args):
                return self._call(function, [self.expr(arg) for arg in args])
            case nodes.Round(operand=operand, places=places, mode=mode):
                return a.round(self.expr(operand), places, mode or self.ruleset.rounding.mode)
        raise TypeError(f"not an expression: {expr!r}")

    def _logical(self, op: str, left: Bool, right: Bool) -> Bool:
        # Python's `a and b` evaluates b only when a holds; `a or b` only when a fails.
        if op == "and":
            reached = left.b
            value = both(left.b, right.b)
        else:
            reached = negate(left.b)
            value = exp.Or(this=exp.Paren(this=left.b), expression=exp.Paren(this=right.b))
        z = any_of(left.z, both(reached, right.z) if right.z is not None else None)
        return Bool(value, z)

    def _binary(self, op: str, left: Num, right: Num) -> Num:
        if op == "+":
            return self.arith.add(left, right)
        if op == "-":
            return self.arith.add(left, right, subtract=True)
        if op == "*":
            return self.arith.mul(left, right)
        return self.arith.div(left, right)

    def _compare(self, op: str, left, right) -> Bool:
        if isinstance(left, Bool):
            return Bool(_COMPARE[op](this=exp.Paren(this=left.b), expression=exp.Paren(this=right.b)),
                        any_of(left.z, right.z))
        return self.arith.compare(left, op, right)

    def _call(self, function: str, args: list[Num]) -> Num:
        a = self.arith
        if function in ("min", "max"):
            return a.extreme(args, "<" if function == "min" else ">")
        if function == "abs":
            return a.abs(args[0])
        total = args[0]
        for arg in args[1:]:
            total = a.add(total, arg)
        if function == "sum":
            return total
        return a.div(total, a.const(Decimal(len(args))))  # mean


class Scorer:
    """Scores rules: each returns its score and the condition of an unhandled zero denominator."""

    def __init__(self, expressions: Expressions) -> None:
        self.x = expressions
        self.arith = expressions.arith

    def rule(self, rule: model.Rule) -> tuple[Num, exp.Expression | None]:
        a = self.arith
        parts = [self.rule(part) for part in rule.parts]
        body = self._body(rule, parts)
        zero = body.z
        guards = [self.x.site(g.site) for g in (*rule.exemptions, *rule.vetoes)]
        for guard in reversed(guards):
            reached = both(negate(guard.b), zero) if zero is not None else None
            zero = any_of(guard.z, reached)
        score = _clean(body)
        if rule.vetoes:
            vetoed = _any(self.x.site(g.site).b for g in rule.vetoes)
            score = a.choose(vetoed, a.const(Decimal(0)), score)
        if rule.exemptions:
            exempt = _any(self.x.site(g.site).b for g in rule.exemptions)
            score = a.choose(exempt, a.const(rule.max), score)
        if zero is not None and rule.has_on_zero:
            score = a.choose(a.plan.put(zero), a.const(rule.on_zero), score)
        score = self._limit(a.keep(score), rule.max)
        if rule.rounding is not None:
            score = a.round(score, rule.rounding.places, rule.rounding.mode)
        unhandled = None if rule.has_on_zero or zero is None else a.plan.put(zero)
        return a.keep(score), unhandled

    def _body(self, rule: model.Rule, parts: list) -> Num:
        a = self.arith
        if parts:
            base = parts[0][0]
            for score, _ in parts[1:]:
                base = a.add(base, score)
            base = _with_zero(base, any_of(*(z for _, z in parts)))
        elif rule.base is None:
            base = a.const(rule.max)
        else:
            base = self._base(rule.base)
        for deduction in rule.deductions:
            base = a.add(base, self._deduction(deduction), subtract=True)
        return a.keep(base)

    def _base(self, base: model.Base) -> Num:
        a = self.arith
        if isinstance(base, model.Formula):
            return self.x.site(base.site)
        if isinstance(base, model.Tiers):
            return self._tiers(base)
        total = None
        for item in base.items:
            value = self.x.site(item.site)
            if not item.judged:
                value = _with_zero(a.choose(value.b, a.const(item.points), a.const(Decimal(0))), value.z)
            total = value if total is None else a.add(total, value)
        return total

    def _tiers(self, tiers: model.Tiers) -> Num:
        a = self.arith
        subject = self.x.site(tiers.site)
        tests = self.band_tests(subject, tiers.bands)
        score = a.const(tiers.bands[-1].points)
        for band, test in reversed(list(zip(tiers.bands[:-1], tests))):
            score = a.choose(test, a.const(band.points), score)
        return _with_zero(score, subject.z)

    def band_tests(self, value: Num, bands) -> list[exp.Expression]:
        """For each band, the test that picks it when the bands before it did not: bands in
        ascending order, each starting where the one before ends, need only their upper
        end tested (and the first its lower end)."""
        if not _contiguous(bands):
            return [self.contains(value, band) for band in bands]
        tests = []
        for i, band in enumerate(bands):
            below = self._side(value, "<=" if band.high_closed else "<", band.high) if band.high is not None else TRUE
            if i == 0 and band.low is not None:
                below = both(self._side(value, ">=" if band.low_closed else ">", band.low), below)
            tests.append(below)
        return tests

    def _side(self, value: Num, op: str, bound: Decimal) -> exp.Expression:
        return self.arith.compare(_clean(value), op, self.arith.const(bound)).b

    def contains(self, value: Num, band: model.Band) -> exp.Expression:
        """``band.contains(value)``, by exact comparisons."""
        checks = []
        if band.is_otherwise:
            return TRUE
        if band.low is not None:
            checks.append(self.arith.compare(_clean(value), ">=" if band.low_closed else ">",
                                             self.arith.const(band.low)).b)
        if band.high is not None:
            checks.append(self.arith.compare(_clean(value), "<=" if band.high_closed else "<",
                                             self.arith.const(band.high)).b)
        return both(*checks) if len(checks) == 2 else checks[0]

    def _deduction(self, deduction: model.Deduction) -> Num:
        a = self.arith
        value = self.x.site(deduction.site)
        points = a.const(deduction.points)
        if deduction.form == "when":
            return _with_zero(a.choose(value.b, points, a.const(Decimal(0))), value.z)
        if deduction.form == "per_item":
            return a.mul(points, value)
        threshold = a.const(deduction.threshold if deduction.threshold is not None else Decimal(0))
        excess = a.extreme([a.add(value, threshold, subtract=True), a.const(Decimal(0))], ">")
        mode = "ceiling" if deduction.counting == "started" else "floor"
        units = a.round(a.div(excess, a.const(deduction.unit)), 0, mode)
        return a.mul(points, units)

    def _limit(self, score: Num, maximum: Decimal) -> Num:
        """``runtime._limit``: within [0, max]; a side the score cannot pass is not tested."""
        a = self.arith
        limited = score
        if not score.nonneg:
            below = a.compare(score, "<", a.const(Decimal(0)), decides=False).b
            limited = a.choose(below, a.const(Decimal(0)), limited)
        if score.high is None or score.high > maximum:
            top = a.const(maximum)
            limited = a.choose(a.compare(score, ">", top, decides=False).b, top, limited)
        return attrs.evolve(limited, nonneg=True, high=min(maximum, limited.high or maximum),
                            bound=Dec.of(maximum).digits)


def _contiguous(bands) -> bool:
    """Whether the bands run upward without gaps or overlaps (no ``otherwise``)."""
    for before, after in zip(bands, bands[1:]):
        if before.is_otherwise or after.is_otherwise or before.high is None or after.low is None:
            return False
        if before.high != after.low or before.high_closed == after.low_closed:
            return False
    return not (bands and bands[-1].is_otherwise)


def _clean(value: Num) -> Num:
    return attrs.evolve(value, z=None)


def _with_zero(value: Num, zero: exp.Expression | None) -> Num:
    return attrs.evolve(value, z=any_of(value.z, zero))


def _any(conditions) -> exp.Expression:
    return any_of(*conditions)
