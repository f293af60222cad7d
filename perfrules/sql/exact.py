"""Exact arithmetic on SQL values: decimals of known scale, and fractions of two decimals.

The Python evaluator computes in ``Decimal``: sums, differences and products exact,
quotients to 28 significant digits, then explicit rounding. SQL engines have no such
type: DuckDB divides two DECIMALs into a DOUBLE, Spark rounds quotients to a scale of its
choosing, PostgreSQL to another. So no value here is ever divided:

- a number is a DECIMAL(p, s) whose precision and scale are worked out at compile time
  (``Dec``), so ``+ - ×`` are exact in every engine;
- a quotient stays a fraction ``n / d`` of two such decimals with ``d > 0`` (``Num``);
  comparing it with anything cross-multiplies (``a / b < c`` ⇔ ``a < c × b``);
- rounding a fraction to ``k`` places, or counting the units of a deduction, divides two
  whole numbers (``n × 10^k`` by ``d``) exactly, and rounds the remainder by the mode's
  own rule, never by the engine's ``ROUND``.

The SQL result is therefore the exact rational value, rounded as the ruleset says. It
equals the Python evaluator's unless a value lies within 10^-28 of a rounding tie or a
band edge without being on it, which bounded inputs rule out (docs/explanation/exact-sql.md).

Every type is checked against 38 digits, the widest DECIMAL of DuckDB and Spark: a value
that might not fit raises ``TooWide`` at compile time, instead of overflowing at run time.
A division by zero never happens either: the denominator is replaced by 1 and the value
carries ``z``, the SQL condition "a zero denominator was met", as the Python evaluator
carries ``runtime.Missing``.
"""

from __future__ import annotations

import decimal
from decimal import Decimal

import attrs
from sqlglot import exp

from perfrules.sql.dialects import Dialect
from perfrules.sql.plan import Plan

MAX_DIGITS = 38
TRUE, FALSE = exp.Boolean(this=True), exp.Boolean(this=False)


class TooWide(Exception):
    """An intermediate value could need more digits than the engine's DECIMAL holds."""

    def __init__(self, needed: int, limit: int = MAX_DIGITS) -> None:
        super().__init__(needed, limit)
        self.needed = needed
        self.limit = limit


@attrs.frozen
class Dec:
    """The type of an exact decimal: ``|value| < 10**digits`` and ``value × 10**scale`` is whole."""

    digits: int
    scale: int

    @property
    def precision(self) -> int:
        return max(1, self.digits + self.scale)

    def type(self) -> exp.DataType:
        _fits(self.precision)
        return exp.DataType(this=exp.DataType.Type.DECIMAL, expressions=[
            exp.DataTypeParam(this=exp.Literal.number(self.precision)),
            exp.DataTypeParam(this=exp.Literal.number(self.scale))])

    @classmethod
    def of(cls, value: Decimal) -> Dec:
        value = value.normalize()
        scale = max(0, -value.as_tuple().exponent)
        return cls(max(0, value.adjusted() + 1) if value else 0, scale)

    def plus(self, other: Dec) -> Dec:
        return Dec(max(self.digits, other.digits) + 1, max(self.scale, other.scale))

    def times(self, other: Dec) -> Dec:
        result = Dec(self.digits + other.digits, self.scale + other.scale)
        _fits(result.precision)
        if result.scale > 6:
            # Spark types a product one digit wider than its operands together, and past 38
            # digits trims the scale down to 6, rounding: keep below that.
            _fits(self.precision + other.precision + 1)
        return result

    def join(self, other: Dec) -> Dec:
        result = Dec(max(self.digits, other.digits), max(self.scale, other.scale))
        _fits(result.precision)
        return result


def _fits(digits: int) -> None:
    if digits > MAX_DIGITS:
        raise TooWide(digits)


ONE = Dec(1, 0)


@attrs.frozen
class Num:
    """The exact value ``n / d`` (``d`` absent means 1, and ``d > 0``), ``z`` when a zero
    denominator was met on the way; ``nonneg`` when it is known never to be negative;
    ``high``, a number it never exceeds, when known; ``bound``: ``|value| < 10**bound``
    when tighter than the types say. The bounds let limits skip tests that cannot fail."""

    n: exp.Expression
    t: Dec
    d: exp.Expression | None = None
    dt: Dec | None = None
    z: exp.Expression | None = None
    nonneg: bool = False
    bound: int | None = None
    high: Decimal | None = None
    # Python's Decimal may hold a different value: a quotient it carried to 28 digits, or
    # a result longer than 28 digits it rounded. Decisions on such a value are checked.
    inexact: bool | exp.Expression = False  # or the condition, row by row
    positive: bool = False  # known to be above zero: never a zero denominator
    # When the exact value is a short decimal (a band edge, a rounding boundary), Python
    # holds exactly that too: true of exact values, of one quotient of exact values, and
    # of such a quotient plus an exact value or times 2s and 5s. Not of 1/3 × 3.
    faithful: bool = True

    @property
    def digits(self) -> int:
        """Integer digits of the value: a nonzero denominator is at least 10**-scale."""
        if self.bound is not None:
            return self.bound
        return self.t.digits + (self.dt.scale if self.d is not None else 0)


@attrs.frozen
class Bool:
    """A condition, and when evaluating it met a zero denominator."""

    b: exp.Expression
    z: exp.Expression | None = None


def paren(expression: exp.Expression) -> exp.Expression:
    atoms = (exp.Column, exp.Literal, exp.Cast, exp.Paren, exp.Case, exp.Boolean, exp.Null, exp.Anonymous)
    return expression if isinstance(expression, atoms) else exp.Paren(this=expression)


def cast(expression: exp.Expression, dec: Dec) -> exp.Cast:
    return exp.Cast(this=expression, to=dec.type())


def literal(value: Decimal) -> exp.Cast:
    return cast(exp.Literal.number(format(value.normalize(), "f")), Dec.of(value))


def any_of(*conditions: exp.Expression | None) -> exp.Expression | None:
    """OR of the conditions that are present; None when none is (FALSE ones are dropped)."""
    present = [c for c in conditions if c is not None and not _is(c, False)]
    if not present:
        return None
    if any(_is(c, True) for c in present):
        return TRUE
    if len(present) == 1:
        return present[0]
    half = len(present) // 2  # a balanced tree: long chains would nest past Python's recursion limit
    return exp.Or(this=paren(any_of(*present[:half])), expression=paren(any_of(*present[half:])))


def both(*conditions: exp.Expression) -> exp.Expression:
    """AND of the conditions, with TRUE and FALSE folded away."""
    present = [c for c in conditions if not _is(c, True)]
    if any(_is(c, False) for c in present):
        return FALSE
    if not present:
        return TRUE
    if len(present) == 1:
        return present[0]
    half = len(present) // 2
    return exp.And(this=paren(both(*present[:half])), expression=paren(both(*present[half:])))


def _is(condition: exp.Expression, value: bool) -> bool:
    return isinstance(condition, exp.Boolean) and condition.this is value


def negate(condition: exp.Expression) -> exp.Expression:
    if isinstance(condition, exp.Boolean):
        return FALSE if condition.this else TRUE
    if isinstance(condition, exp.Not):
        return condition.this.this if isinstance(condition.this, exp.Paren) else condition.this
    return exp.Not(this=paren(condition))


def case(whens: list[tuple[exp.Expression, exp.Expression]], default: exp.Expression | None) -> exp.Case:
    ifs = [exp.If(this=condition, true=value) for condition, value in whens]
    return exp.Case(ifs=ifs, default=default)


def _binary(kind, left: exp.Expression, right: exp.Expression) -> exp.Expression:
    return kind(this=paren(left), expression=paren(right))


class Arith:
    """Builds exact operations on ``Num`` and ``Bool`` values for one dialect, putting
    operands that are used twice into columns of their own."""

    def __init__(self, plan: Plan, dialect: Dialect, *, optimistic: bool = False) -> None:
        self.plan = plan
        self.dialect = dialect
        # DuckDB multiplies DECIMALs of up to 18 digits in 64 bits, and fails (never wraps)
        # when a product does not fit: an optimistic query lets it, and is run again
        # without the optimism if it fails (duckdb_runner).
        self.optimistic = optimistic
        # Conditions under which the exact value sits exactly on a boundary that Python
        # decides with a 28-digit approximation: such a row is Python's to score.
        self.boundaries: list[exp.Expression] = []

    # ---- building blocks
    def const(self, value: Decimal) -> Num:
        return Num(literal(value), Dec.of(value), nonneg=value >= 0, high=value, positive=value > 0)

    def keep(self, x: Num) -> Num:
        """``x`` with each part in a column, so that it can be used more than once."""
        return attrs.evolve(x, n=self.plan.put(x.n), d=self.plan.put(x.d) if x.d is not None else None,
                            z=self.plan.put(x.z) if x.z is not None else None)

    def keep_bool(self, x: Bool) -> Bool:
        return Bool(self.plan.put(x.b), self.plan.put(x.z) if x.z is not None else None)

    def _mul(self, a: exp.Expression, at: Dec, b: exp.Expression, bt: Dec) -> tuple[exp.Expression, Dec]:
        result = at.times(bt)
        if _is_one(b):
            return a, at
        if _is_one(a):
            return b, bt
        return self._retype(_binary(exp.Mul, self._wide_enough(a, at, result), b), result), result

    def _wide_enough(self, a: exp.Expression, at: Dec, product: Dec) -> exp.Expression:
        """DuckDB multiplies two DECIMALs of up to 18 digits in 64 bits and fails when the
        product does not fit: give it a 128-bit operand when the product may need one."""
        if self.dialect.name != "duckdb" or self.optimistic or product.precision <= 18 or at.precision > 18:
            return a
        return cast(a, Dec(19 - at.scale, at.scale))

    def _add(self, a: exp.Expression, at: Dec, b: exp.Expression, bt: Dec, op) -> tuple[exp.Expression, Dec]:
        result = at.plus(bt)
        _fits(result.precision)
        return self._retype(_binary(op, a, b), result), result

    def _retype(self, expression: exp.Expression, dec: Dec) -> exp.Expression:
        """Declare the type of a sum or product where the engine would otherwise widen it
        past what ``Dec`` proved (Spark); DuckDB and PostgreSQL infer it themselves."""
        return cast(expression, dec) if self.dialect.declares_types else expression

    # ---- arithmetic
    def add(self, x: Num, y: Num, *, subtract: bool = False) -> Num:
        op = exp.Sub if subtract else exp.Add
        nonneg = x.nonneg and y.nonneg and not subtract
        if subtract:
            high = x.high if x.high is not None and y.nonneg else None
        else:
            high = x.high + y.high if x.high is not None and y.high is not None else None
        positive = not subtract and ((x.positive and y.nonneg) or (y.positive and x.nonneg))
        faithful = (x.inexact is False and y.faithful) or (y.inexact is False and x.faithful)
        if x.d is None and y.d is None:
            n, t = self._add(x.n, x.t, y.n, y.t, op)
            return Num(n, t, z=any_of(x.z, y.z), nonneg=nonneg, high=high, inexact=_inexact(t, x, y),
                       positive=positive, faithful=faithful and t.precision <= 28)
        if x.d is not None and y.d is not None and x.d == y.d:
            n, t = self._add(x.n, x.t, y.n, y.t, op)
            return Num(n, t, x.d, x.dt, any_of(x.z, y.z), nonneg, high=high, inexact=_any_inexact(x, y),
                       positive=positive, faithful=faithful)
        left, lt = self._mul(x.n, x.t, *_den(y))
        right, rt = self._mul(y.n, y.t, *_den(x))
        n, t = self._add(left, lt, right, rt, op)
        d, dt = self._mul(*_den(x), *_den(y))
        return Num(n, t, d, dt, any_of(x.z, y.z), nonneg, high=high, inexact=_any_inexact(x, y),
                   positive=positive, faithful=faithful)

    def mul(self, x: Num, y: Num) -> Num:
        n, t = self._mul(x.n, x.t, y.n, y.t)
        if x.d is None and y.d is None:
            d, dt = None, None
        else:
            d, dt = self._mul(*_den(x), *_den(y))
        both_known = x.nonneg and y.nonneg and x.high is not None and y.high is not None
        faithful = ((x.inexact is False and y.inexact is False and t.precision <= 28)
                    or (_tens(y) and x.faithful) or (_tens(x) and y.faithful))
        return Num(n, t, d, dt, any_of(x.z, y.z), x.nonneg and y.nonneg,
                   high=x.high * y.high if both_known else None,
                   inexact=_inexact(t, x, y) if d is None else _any_inexact(x, y), positive=x.positive and y.positive,
                   faithful=faithful)

    def neg(self, x: Num) -> Num:
        return attrs.evolve(x, n=exp.Neg(this=paren(x.n)), nonneg=False, high=Decimal(0) if x.nonneg else None,
                            positive=False)

    def abs(self, x: Num) -> Num:
        return attrs.evolve(x, n=exp.Abs(this=x.n), nonneg=True, high=None)

    def div(self, x: Num, y: Num) -> Num:
        """``x / y``; where ``y`` is 0 the result is flagged ``z`` and its denominator is 1."""
        constant = _constant_value(y)
        if constant is not None and constant != 0 and y.d is None:
            return self._div_constant(x, constant)
        y = self.keep(y)
        if y.positive:  # the data never has a zero here (or the constant is not zero)
            n, t = self._mul(x.n, x.t, *_den(y))
            d, dt = self._mul(*_den(x), y.n, y.t)
            return self._quotient(Num(n, t, d, dt, any_of(x.z, y.z), x.nonneg, None, positive=x.positive), x, y)
        zero = exp.EQ(this=paren(y.n), expression=literal(Decimal(0)))
        n, t = self._mul(x.n, x.t, *_den(y))
        safe = case([(zero, literal(Decimal(1)))], y.n if y.nonneg else exp.Abs(this=y.n))
        d, dt = self._mul(*_den(x), safe, y.t.join(ONE))
        if not y.nonneg:
            n = case([(exp.LT(this=paren(y.n), expression=literal(Decimal(0))), exp.Neg(this=paren(n)))], n)
        nonneg = x.nonneg and y.nonneg
        return self._quotient(Num(n, t, d, dt, any_of(x.z, y.z, zero), nonneg, None), x, y)

    def _quotient(self, q: Num, *operands: Num) -> Num:
        """``q``, a fresh quotient, knowing when Python's 28 digits hold it exactly: when it
        ends within a few decimals (tested only where a decision needs to know)."""
        q = attrs.evolve(self.keep(q), faithful=all(x.inexact is False for x in operands))
        places = min(12, MAX_DIGITS - 1 - q.t.precision, 28 - q.digits)
        if places < 1:
            return attrs.evolve(q, inexact=True)
        # Tested only where a decision is on its boundary: rare, so 128 bits cost nothing.
        wide = cast(q.n, Dec(MAX_DIGITS - q.t.scale, q.t.scale)) if self.dialect.name == "duckdb" else q.n
        shifted = _binary(exp.Mul, wide, literal(Decimal(10) ** places))
        endless = exp.NEQ(this=exp.Mod(this=paren(shifted), expression=paren(q.d)), expression=literal(Decimal(0)))
        inexact = _any_inexact(*operands)
        if inexact is True:
            return attrs.evolve(q, inexact=True)
        return attrs.evolve(q, inexact=any_of(endless, None if inexact is False else inexact))

    def _div_constant(self, x: Num, constant: Decimal) -> Num:
        inverse = Decimal(1) / constant
        if inverse * constant == 1 and len(inverse.normalize().as_tuple().digits) <= 10:
            return self.mul(x, self.const(inverse))  # x / 25% is x × 4; x / 4 is x × 0.25
        # x / (p/q) is x × q / p, in whole numbers: x / 75% is 4x / 3.
        p, q = abs(constant).as_integer_ratio()
        x = self.mul(x, self.const(Decimal(q))) if q != 1 else x
        divisor = self.const(Decimal(p))
        d, dt = self._mul(*_den(x), divisor.n, divisor.t)
        n = x.n if constant > 0 else exp.Neg(this=paren(x.n))
        high = None
        if x.high is not None and x.nonneg and constant > 0:
            with decimal.localcontext() as context:
                context.rounding = decimal.ROUND_CEILING
                high = x.high / Decimal(p)
        return self._quotient(Num(n, x.t, d, dt, x.z, x.nonneg and constant > 0, high=high), x)

    # ---- comparisons and choices
    def compare(self, x: Num, op: str, y: Num, *, decides: bool = True) -> Bool:
        """``x op y`` by cross-multiplication. ``decides``: the outcome chooses what is
        scored (min and max only choose between nearly equal values, which is harmless)."""
        if x.d is not None and x.d == y.d:  # one denominator, and it is positive
            left, left_t, right, right_t = x.n, x.t, y.n, y.t
        else:
            left, left_t = self._mul(x.n, x.t, *_den(y))
            right, right_t = self._mul(y.n, y.t, *_den(x))
        left_t.join(right_t)  # both sides are widened to one type
        inexact = _any_inexact(x, y)
        if decides and inexact is not False:
            if not (x.faithful and y.faithful):
                self._on_edge(_binary(exp.EQ, left, right), inexact)
        kinds = {"<": exp.LT, "<=": exp.LTE, ">": exp.GT, ">=": exp.GTE, "=": exp.EQ, "!=": exp.NEQ}
        return Bool(_binary(kinds[op], left, right), any_of(x.z, y.z))

    def choose(self, condition: exp.Expression, a: Num, b: Num) -> Num:
        """``a`` where ``condition`` holds, else ``b``; ``z`` follows the branch taken."""
        if condition is None or _is(condition, False):
            return b
        if _is(condition, True):
            return a
        n = case([(condition, a.n)], b.n)
        d = dt = None
        if a.d is not None or b.d is not None:
            a_d, a_dt = _den(a)
            b_d, b_dt = _den(b)
            d, dt = case([(condition, a_d)], b_d), a_dt.join(b_dt)
        z = None
        if a.z is not None or b.z is not None:
            z = case([(condition, a.z if a.z is not None else FALSE)], b.z if b.z is not None else FALSE)
        bound = max(a.digits, b.digits)
        high = max(a.high, b.high) if a.high is not None and b.high is not None else None
        if a.inexact is b.inexact or (a.inexact is False and b.inexact is False):
            inexact = a.inexact
        elif a.inexact is True and b.inexact is True:
            inexact = True
        else:
            inexact = case([(condition, _sql(a.inexact))], _sql(b.inexact))
        return Num(n, a.t.join(b.t), d, dt, z, a.nonneg and b.nonneg, bound, high, inexact,
                   a.positive and b.positive, a.faithful and b.faithful)

    def extreme(self, values: list[Num], op: str) -> Num:
        """``min`` (op ``<``) or ``max`` (op ``>``): the first value no later one beats."""
        best = self.keep(values[0])
        zero = best.z
        for value in values[1:]:
            value = self.keep(value)
            zero = any_of(zero, value.z)
            beats = self.compare(value, op, best, decides=False).b
            best = self.keep(self.choose(beats, attrs.evolve(value, z=None), attrs.evolve(best, z=None)))
        # max(x, 0) is never negative; min is only when all of its values are not.
        nonneg = any(v.nonneg for v in values) if op == ">" else all(v.nonneg for v in values)
        positive = any(v.positive for v in values) if op == ">" else all(v.positive for v in values)
        highs = [v.high for v in values if v.high is not None]
        if op == ">":
            high = max(highs) if len(highs) == len(values) else None
        else:
            high = min(highs) if highs else None
        return attrs.evolve(best, z=self.plan.put(zero) if zero is not None else None, nonneg=nonneg, high=high,
                            positive=positive)

    def either(self, condition: Bool, when_true: Num, when_false: Num) -> Num:
        """A choice on a condition that may itself have met a zero denominator."""
        result = self.choose(condition.b, when_true, when_false)
        return attrs.evolve(result, z=any_of(condition.z, result.z))

    # ---- rounding to places, by the ruleset's modes
    def round(self, x: Num, places: int, mode: str) -> Num:
        """``x`` rounded to ``places`` decimals by ``mode`` (runtime.ROUNDING_MODES), exactly."""
        if x.d is None and x.t.scale <= places:
            return x
        if x.d is None and mode in _DECIMAL_ROUNDING and x.inexact is False:
            return self._round_decimal(x, places, mode)
        x = self.keep(x)
        if x.d is None:
            x = attrs.evolve(x, d=literal(Decimal(1)), dt=ONE)
        small = self._small_case(x, places)
        if small is not None:
            return self._split(x, places, mode, *small)
        return self._round_fraction(x, places, mode)

    def _round_fraction(self, x: Num, places: int, mode: str) -> Num:
        numerator, denominator, digits = self._whole_ratio(x, places)
        quotient_digits = x.digits + places + 1
        if quotient_digits > self.dialect.max_quotient_digits:
            raise TooWide(quotient_digits, self.dialect.max_quotient_digits)
        q_dec = Dec(quotient_digits, 0)
        if x.nonneg and mode in _ONE_DIVISION:
            rounded, boundary = self._round_nonneg(numerator, denominator, mode, q_dec, digits)
            if x.inexact is not False:
                if not x.faithful:
                    self._on_edge(boundary, x.inexact)
        else:
            q, remainder = self._floor_div(numerator, denominator, q_dec, digits)
            rounded = self._by_mode(q, remainder, denominator, numerator, mode, x.nonneg, q_dec, digits[1])
            if x.inexact is not False:
                if not x.faithful:
                    self._on_edge(self._on_boundary(remainder, denominator, mode, digits[1]), x.inexact)
        scaled, t = self._mul(cast(rounded, q_dec), q_dec, literal(Decimal(1).scaleb(-places)), Dec(0, places))
        return Num(scaled, t, z=x.z, nonneg=x.nonneg, bound=x.digits + 1, high=_rounded_high(x.high, places))

    def _small_case(self, x: Num, places: int):
        """On DuckDB, a fraction whose whole-number form needs 128 bits is usually small
        enough for 64: the types that fit 18 digits, and the test that the row fits them."""
        if self.dialect.name != "duckdb" or x.d is None:
            return None
        _, _, digits = self._whole_ratio(x, places)
        if max(digits) <= 18:
            return None
        sd = x.dt.scale
        shift = places + sd + max(0, x.t.scale - places - sd)
        n_digits, d_digits = 18 - shift, 18 - (shift - places)
        if n_digits < 1 or d_digits < 1 or (n_digits >= x.t.digits and d_digits >= x.dt.digits):
            return None
        n_type, d_type = Dec(min(n_digits, x.t.digits), x.t.scale), Dec(min(d_digits, x.dt.digits), sd)
        fits = both(exp.LT(this=exp.Abs(this=x.n), expression=literal(Decimal(10) ** n_type.digits)),
                    exp.LT(this=x.d, expression=literal(Decimal(10) ** d_type.digits)))
        return self.plan.put(fits, column_of_its_own=True), n_type, d_type

    def _split(self, x: Num, places: int, mode: str, fits, n_type: Dec, d_type: Dec) -> Num:
        """Round in 64 bits where the row fits them, in 128 elsewhere; each side's columns
        are computed only in its own rows."""
        outer = self.plan.guard
        narrow = attrs.evolve(x, n=cast(x.n, n_type), t=n_type, d=cast(x.d, d_type), dt=d_type, z=None)
        self.plan.guard = self.plan.put(fits if outer is None else both(outer, fits), column_of_its_own=True)
        try:
            small = self._round_fraction(narrow, places, mode)
            self.plan.guard = self.plan.put(negate(fits) if outer is None else both(outer, negate(fits)),
                                            column_of_its_own=True)
            large = self._round_fraction(attrs.evolve(x, z=None), places, mode)
        finally:
            self.plan.guard = outer
        result = self.choose(fits, small, large)
        return attrs.evolve(result, z=x.z, nonneg=x.nonneg, high=_rounded_high(x.high, places), inexact=False,
                            positive=False)

    def _round_nonneg(self, a, b, mode: str, q_dec: Dec, digits) -> tuple[exp.Expression, exp.Expression]:
        """A / B ≥ 0 rounded by one whole division (floor is A div B, ceiling (A + B - 1) div
        B, half up (2A + B) div 2B), and whether A / B is on a boundary of the mode: the
        quotient times the divisor gives the dividend back (a product, not another division)."""
        a_digits, b_digits = digits
        if mode in ("floor", "down", "ceiling", "up"):
            a = self.plan.put(a)
            if mode in ("floor", "down"):
                top, size = a, max(digits)
            else:
                top = cast(exp.Sub(this=exp.Add(this=paren(a), expression=paren(b)), expression=literal(Decimal(1))),
                           Dec(max(digits) + 1, 0))
                size = max(digits) + 1
            _fits(size)
            q = self.plan.put(cast(self.dialect.trunc_div(top, b, size), q_dec))
            return q, exp.EQ(this=cast(_binary(exp.Mul, q, b), Dec(a_digits, 0)), expression=paren(a))
        if max(a_digits + 1, b_digits) + 1 > 18 >= max(digits) and self.dialect.name == "duckdb":
            # (2A + B) would need 128 bits where A and B do not: A div B, plus one if
            # the remainder is at least half of B.
            q = self.plan.put(cast(self.dialect.trunc_div(a, b, max(digits)), q_dec))
            twice = self.plan.put(cast(exp.Mul(this=paren(exp.Mod(this=paren(a), expression=paren(b))),
                                                expression=literal(Decimal(2))), Dec(b_digits + 1, 0)))
            up = exp.GTE(this=twice, expression=paren(b))
            rounded = case([(up, cast(exp.Add(this=q, expression=literal(Decimal(1))), q_dec))], q)
            return rounded, exp.EQ(this=twice, expression=paren(b))
        two = literal(Decimal(2))
        size = max(a_digits + 1, b_digits) + 1
        _fits(size)
        top = self.plan.put(cast(exp.Add(this=exp.Mul(this=paren(a), expression=two), expression=paren(b)),
                                 Dec(size, 0)))
        bottom = self.plan.put(cast(exp.Mul(this=paren(b), expression=two.copy()), Dec(b_digits + 1, 0)))
        q = self.plan.put(cast(self.dialect.trunc_div(top, bottom, size), q_dec))
        return q, exp.EQ(this=cast(_binary(exp.Mul, q, bottom), Dec(size, 0)), expression=top)

    def _round_decimal(self, x: Num, places: int, mode: str) -> Num:
        """A decimal rounded half up by a cast, or toward ±∞ by FLOOR and CEIL: each engine
        does these exactly (tests/sql/test_rounding.py checks the ties in every dialect)."""
        result = Dec(x.digits + 1, places)
        if mode == "half_up":
            return Num(cast(x.n, result), result, z=x.z, nonneg=x.nonneg, bound=x.digits + 1,
                       high=_rounded_high(x.high, places))
        x = self.keep(x)
        shifted, shifted_t = self._mul(x.n, x.t, *_power(places))
        down, up = exp.Floor(this=shifted), exp.Ceil(this=shifted)
        negative = exp.LT(this=x.n, expression=literal(Decimal(0)))
        whole = {
            "floor": down,
            "ceiling": up,
            "down": down if x.nonneg else case([(negative, up)], down),
            "up": up if x.nonneg else case([(negative, down)], up),
        }[mode]
        whole_t = Dec(shifted_t.digits + 1, 0)
        n, t = self._mul(cast(whole, whole_t), whole_t, literal(Decimal(1).scaleb(-places)), Dec(0, places))
        return Num(cast(n, result), result, z=x.z, nonneg=x.nonneg, bound=x.digits + 1,
                   high=_rounded_high(x.high, places))

    def _whole_ratio(self, x: Num, places: int):
        """Whole numbers A, B > 0 with A / B = value × 10**places, and their digits.

        With n = N / 10**sn and d = D / 10**sd: A = n × 10**(places + sd + e) and
        B = d × 10**(sd + e), e ≥ 0 just large enough for A to be whole.
        """
        sd = x.dt.scale if x.d is not None else 0
        e = max(0, x.t.scale - places - sd)
        numerator, a_t = self._whole(x.n, x.t, places + sd + e)
        if x.d is None:
            denominator, b_t = literal(Decimal(10) ** e), Dec.of(Decimal(10) ** e)
        else:
            denominator, b_t = self._whole(x.d, x.dt, sd + e)
        return self.plan.put(numerator), self.plan.put(denominator), (a_t.digits, b_t.digits)

    def _whole(self, x: exp.Expression, t: Dec, shift: int) -> tuple[exp.Expression, Dec]:
        """``x × 10**shift``, a whole number since shift ≥ t.scale, as DECIMAL(p, 0)."""
        result = Dec(t.digits + shift, 0)
        _fits(result.precision)
        if t.precision + shift + 2 > MAX_DIGITS:
            # Spark types the product DECIMAL(38, s'), s' ≥ min(scale, 6) or the scale itself:
            # the whole value must fit the integer digits left in either case.
            _fits(result.digits + max(6, t.scale))
        if shift == 0:
            return cast(x, result), result
        x = self._wide_enough(x, t, Dec(t.digits + shift, t.scale))
        return cast(_binary(exp.Mul, x, literal(Decimal(10) ** shift)), result), result

    def _on_edge(self, boundary: exp.Expression, inexact: bool | exp.Expression) -> None:
        """Flag the rows on ``boundary`` whose value Python may hold inexactly. The second
        test costs a 128-bit division: a CASE keeps it to the rows on the boundary (an AND
        in a SELECT list evaluates both sides everywhere)."""
        if inexact is True:
            self.boundaries.append(boundary)
        elif inexact is not False:
            self.boundaries.append(case([(boundary, inexact)], FALSE))

    def _on_boundary(self, remainder, denominator, mode: str, b_digits: int) -> exp.Expression:
        """Whether the exact value is where ``mode`` changes its mind: a multiple of the last
        place (directed modes), or a half (half modes)."""
        if mode.startswith("half"):
            twice = cast(exp.Mul(this=paren(remainder), expression=literal(Decimal(2))), Dec(b_digits + 1, 0))
            return exp.EQ(this=twice, expression=paren(denominator))
        return exp.EQ(this=paren(remainder), expression=literal(Decimal(0)))

    def _floor_div(self, a, b, q_dec: Dec, digits) -> tuple[exp.Expression, exp.Expression]:
        """floor(a / b) and a - b × floor(a / b), for whole a and b > 0."""
        r_dec = Dec(digits[1], 0)
        truncated = self.plan.put(cast(self.dialect.trunc_div(a, b, max(digits)), q_dec))
        mod = self.plan.put(cast(exp.Mod(this=paren(a), expression=paren(b)), r_dec))  # the sign of a
        negative = exp.LT(this=mod, expression=literal(Decimal(0)))
        floor = case([(negative, cast(exp.Sub(this=truncated, expression=literal(Decimal(1))), q_dec))], truncated)
        remainder = case([(negative, cast(exp.Add(this=mod, expression=paren(b)), r_dec))], mod)
        return self.plan.put(floor), self.plan.put(remainder)

    def _by_mode(self, q, r, b, a, mode: str, nonneg: bool, q_dec: Dec, b_digits: int) -> exp.Expression:
        one = literal(Decimal(1))
        up = cast(exp.Add(this=paren(q), expression=one), q_dec)
        inexact = exp.GT(this=paren(r), expression=literal(Decimal(0)))
        positive = TRUE if nonneg else exp.GTE(this=paren(a), expression=literal(Decimal(0)))
        twice = cast(exp.Mul(this=paren(r), expression=literal(Decimal(2))), Dec(b_digits + 1, 0))
        above = exp.GT(this=twice, expression=paren(b))
        tie = exp.EQ(this=twice, expression=paren(b))
        odd = exp.NEQ(this=exp.Mod(this=paren(q), expression=literal(Decimal(2))), expression=literal(Decimal(0)))
        rules = {
            "floor": [],
            "ceiling": [(inexact, up)],
            "down": [(both(negate(positive), inexact), up)],
            "up": [(both(positive, inexact), up)],
            "half_up": [(above, up), (both(tie, positive), up)],
            "half_down": [(above, up), (both(tie, negate(positive)), up)],
            "half_even": [(above, up), (both(tie, odd), up)],
        }[mode]
        return case(rules, q) if rules else q


# Engines round a DECIMAL cast to fewer places half away from zero (half_up); FLOOR and
# CEIL of a DECIMAL are exact. Other modes, and fractions, divide whole numbers instead.
_DECIMAL_ROUNDING = ("half_up", "floor", "ceiling", "down", "up")
# Modes that round a value known not to be negative with one whole division.
_ONE_DIVISION = ("half_up", "floor", "ceiling", "down", "up")


def _tens(x: Num) -> bool:
    """A constant made of 2s and 5s (0.5, 4, 100): multiplying by it keeps a short decimal short."""
    value = _constant_value(x)
    if value is None or x.d is not None or value == 0:
        return False
    p, _ = abs(value).as_integer_ratio()
    for factor in (2, 5):
        while p % factor == 0:
            p //= factor
    return p == 1


def _inexact(t: Dec, *operands: Num) -> bool | exp.Expression:
    # Python rounds a result to 28 significant digits; shorter results of exact values are exact.
    return True if t.precision > 28 else _any_inexact(*operands)


def _any_inexact(*operands: Num) -> bool | exp.Expression:
    flags = [x.inexact for x in operands]
    if any(flag is True for flag in flags):
        return True
    found = any_of(*(flag for flag in flags if flag is not False))
    return False if found is None else found


def _sql(flag: bool | exp.Expression) -> exp.Expression:
    if isinstance(flag, bool):
        return TRUE if flag else FALSE
    return flag


def _rounded_high(high: Decimal | None, places: int) -> Decimal | None:
    # Rounding never moves a value past its bound rounded up to the same places.
    if high is None:
        return None
    return high.quantize(Decimal(1).scaleb(-places), rounding=decimal.ROUND_CEILING)


def _den(x: Num) -> tuple[exp.Expression, Dec]:
    if x.d is None:
        return literal(Decimal(1)), ONE
    return x.d, x.dt


def _power(exponent: int) -> tuple[exp.Expression, Dec]:
    value = Decimal(10) ** exponent
    return literal(value), Dec.of(value)


def _is_one(expression: exp.Expression) -> bool:
    return isinstance(expression, exp.Cast) and isinstance(expression.this, exp.Literal) \
        and not expression.this.is_string and Decimal(expression.this.this) == 1


def _constant_value(x: Num) -> Decimal | None:
    if isinstance(x.n, exp.Cast) and isinstance(x.n.this, exp.Literal) and not x.n.this.is_string:
        return Decimal(x.n.this.this)
    if isinstance(x.n, exp.Neg) and _constant_value(Num(x.n.this, x.t)) is not None:
        return -_constant_value(Num(x.n.this, x.t))
    return None
