"""Facts in SQL: read each input's column exactly, and say what is wrong with it.

This is ``facts.read`` for a table, one row per entity, in SQL. A column may hold text
(CSV is read as text) or typed values (Parquet, a DataFrame, a database table):

- **text** is read as ``facts`` reads a string: full-width digits and spaces folded,
  spaces removed, ``12.42%`` as 0.1242 for percents and ratios, thousands separators
  (``7,341.03``), underscores, exponents; flags are yes/no, true/false, y/n, 是/否;
- **DECIMAL and integers** are taken as they are; **BOOLEAN** is a flag; a **DOUBLE**
  (DuckDB only) is read from its shortest text, the number the writer meant, as
  ``facts`` reads a Python float.

An empty or blank cell means the input is not given, as ``perfrules.tables`` reads it.
Each problem is a condition and a message, with ``facts``' codes (PR501, PR503-PR505), in
the same order of precedence. One more is particular to SQL: **PR805**, a value with
more integer digits or decimals than the query carries for its kind (``Limits``). Such a
value is refused rather than rounded; Python would have scored it.
"""

from __future__ import annotations

from decimal import Decimal

import attrs
from sqlglot import exp

from perfrules import model
from perfrules.facts import kind_text, range_text  # one wording for Python and SQL messages
from perfrules.sql.exact import FALSE, TRUE, Bool, Dec, Num, any_of, both, case, cast, literal, negate, paren
from perfrules.sql.plan import Plan

_WHITESPACE = "".join(chr(i) for i in range(0x3001) if chr(i).isspace())
# NFKC folds full-width ASCII to ASCII and these spaces to a plain space.
_FOLD_FROM = "".join(chr(i) for i in range(0xFF01, 0xFF5F)) + "\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006" \
    "\u2007\u2008\u2009\u200a\u202f\u205f\u3000"
_FOLD_TO = "".join(chr(i) for i in range(0x21, 0x7F)) + " " * 15
_YES, _NO = ("yes", "true", "是", "y"), ("no", "false", "否", "n")
_NUMBER = r"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$"
_THOUSANDS = r"^-?[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?$"


@attrs.frozen
class Limits:
    """How many integer digits and decimals each kind of input carries in SQL.

    A range on the input narrows the digits further. Wider limits cost speed (past 18
    digits DuckDB computes in 128 bits) and leave less room for products and fractions,
    which must fit 38 digits.
    """

    count: tuple[int, int] = (10, 0)
    amount: tuple[int, int] = (12, 4)
    ratio: tuple[int, int] = (4, 6)
    judged: tuple[int, int] = (9, 4)
    number: tuple[int, int] = (12, 6)

    def of(self, slot: model.InputSlot) -> Dec:
        if slot.kind == "flag":
            return Dec(1, 0)  # unused: a flag is a BOOLEAN
        digits, scale = getattr(self, "ratio" if slot.kind == "percent" else slot.kind)
        return Dec(digits, scale)


@attrs.frozen
class ColumnType:
    """What a source column holds: text, boolean, decimal (digits, scale), double, absent.

    For a typed column, what a pass over the table proved may be added: ``low`` and
    ``high``, the smallest and largest value in it, and ``complete``, no row leaves it
    empty. The checks these settle are then left out of the query.
    """

    kind: str
    digits: int = 0
    scale: int = 0
    low: Decimal | None = None
    high: Decimal | None = None
    complete: bool = False


TEXT = ColumnType("text")
ABSENT = ColumnType("absent")


def typed_columns(ruleset: model.Ruleset, limits: Limits | None = None) -> dict[str, ColumnType]:
    """The columns of a typed table of facts: BOOLEAN flags, DECIMAL(p, s) numbers as the
    limits carry them (``perfrules sql --typed``)."""
    limits = limits or Limits()
    columns = {}
    for slot in ruleset.inputs:
        if slot.kind == "flag":
            columns[slot.name] = ColumnType("boolean")
        else:
            dec = limits.of(slot)
            columns[slot.name] = ColumnType("decimal", dec.digits, dec.scale)
    return columns


@attrs.frozen
class Input:
    """One input of one row: whether it is given, its value (NULL when it cannot be read),
    and the problems found, as (condition, message) pairs."""

    slot: model.InputSlot
    present: exp.Expression
    value: Num | Bool
    problems: tuple[tuple[exp.Expression, exp.Expression], ...]
    # Whether any problem holds, cheaply: true, or NULL/false when none does. A column whose
    # only possible problem is a negative value gives it as ``negative_of`` instead, so
    # that one LEAST(...) < 0 can test them all.
    invalid: exp.Expression | None = None
    negative_of: exp.Expression | None = None


def read(plan: Plan, slot: model.InputSlot, raw: exp.Expression | None, column: ColumnType,
         limits: Limits) -> Input:
    """The SQL reading of input ``slot`` from ``raw`` (None: the table has no such column)."""
    if raw is None or column.kind == "absent":
        value = Bool(exp.Null()) if slot.kind == "flag" else Num(exp.Null(), limits.of(slot))
        return Input(slot, FALSE, value, ())
    if column.kind == "double":
        raw = exp.Cast(this=exp.Cast(this=raw, to=exp.DataType.build("DOUBLE")), to=plan.dialect.text())
        column = TEXT
    elif column.kind == "other":
        raw, column = exp.Cast(this=raw, to=plan.dialect.text()), TEXT
    reader = _Reader(plan, slot, raw, column, limits)
    return reader.flag() if slot.kind == "flag" else reader.number()


class _Reader:
    def __init__(self, plan: Plan, slot, raw, column: ColumnType, limits: Limits) -> None:
        self.plan, self.slot, self.raw, self.column = plan, slot, raw, column
        self.dialect = plan.dialect
        self.parse_type = limits.of(slot)
        self.value_type = _narrowed(self.parse_type, slot)
        if column.kind == "text":
            blank = exp.EQ(this=_trim(raw), expression=exp.Literal.string(""))
            self.present = plan.put(negate(exp.Or(this=exp.Is(this=raw, expression=exp.Null()), expression=blank)))
        elif column.complete:
            self.present = TRUE
        else:
            self.present = plan.put(exp.Not(this=exp.Is(this=raw, expression=exp.Null())))

    # ---- flags
    def flag(self) -> Input:
        if self.column.kind == "boolean":
            return Input(self.slot, self.present, Bool(self.raw), ())
        if self.column.kind != "text":
            return Input(self.slot, self.present, Bool(exp.Null()), ((self.present, self._bad("yes or no")),),
                         self.present)
        word = self.plan.put(exp.Lower(this=_trim(self.raw)))
        value = self.plan.put(case([(_among(word, _YES), TRUE), (_among(word, _NO), FALSE)], exp.Null()))
        unknown = both(self.present, exp.Is(this=value, expression=exp.Null()))
        return Input(self.slot, self.present, Bool(value), ((unknown, self._bad("yes or no")),), unknown)

    # ---- numbers
    def number(self) -> Input:
        if self.column.kind == "boolean":
            return Input(self.slot, self.present, Num(exp.Null(), self.value_type), ((self.present, self._bad()),),
                         self.present)
        found = self._typed() if self.column.kind == "decimal" else self._text()
        problems = self._problems(found)
        # A value the row is rejected for (negative, outside the input's range) must not reach
        # the arithmetic: its types are proved from those claims (never negative, at most the
        # range's end), and a cast proved from them fails in DuckDB, which stops the whole query.
        refused = any_of(found.negative if self._checks_sign() else None,
                         self._outside(found.parsed) if self.slot.low is not None or self.slot.high is not None
                         else None)
        parsed = found.parsed if refused is None else self.plan.put(case([(refused, exp.Null())], found.parsed))
        value = self._value(parsed)
        conditions = [found.bad, found.not_whole if self.slot.kind == "count" else None, found.wide]
        if self.slot.low is not None or self.slot.high is not None:
            conditions.append(self._outside(found.parsed))
        negative_of = None
        if self._checks_sign() and not (isinstance(found.negative, exp.Boolean) and not found.negative.this):
            if self.column.kind == "decimal" and not any_of(*conditions):
                negative_of = self.raw
            else:
                conditions.append(found.negative)
        return Input(self.slot, self.present, value, problems, any_of(*conditions), negative_of)

    def _problems(self, found: _Found) -> tuple:
        """facts' order of precedence: unreadable, then not whole, then negative, then out
        of range; a value SQL cannot carry exactly is refused when nothing else is wrong."""
        problems, cleared = [], self.present
        for condition, message in (
            (found.bad, self._bad()),
            (found.not_whole if self.slot.kind == "count" else None, self._whole()),
            (found.negative if self._checks_sign() else None, self._negative_message()),
        ):
            if condition is not None:
                problems.append((both(cleared, condition), message))
                cleared = both(cleared, negate(condition))
        if self.slot.low is not None or self.slot.high is not None:
            outside = self._outside(found.parsed)
            problems.append((both(cleared, outside), self._message(
                "PR505", f"must be within {range_text(self.slot)}, got ")))
        problems.append((both(cleared, found.wide), self._too_wide()))
        return tuple(problems)

    def _outside(self, x: exp.Expression) -> exp.Expression:
        """Outside the input's range; a side the column's values are known to keep is not tested."""
        low, high = self.slot.low, self.slot.high
        if low is not None and self.column.low is not None and self.column.low >= low:
            low = None
        if high is not None and self.column.high is not None and self.column.high <= high:
            high = None
        return negate(self._within(x, low, high))

    def _value(self, parsed: exp.Expression) -> Num:
        nonneg = self.slot.kind != "number" and (self.slot.low is None or self.slot.low >= 0)
        nonneg = nonneg or (self.column.low is not None and self.column.low >= 0)
        highs = [h for h in (self.slot.high, self.column.high) if h is not None]
        high = min(highs) if highs else None
        positive = self.column.low is not None and self.column.low > 0
        if self.value_type == self.parse_type:
            return Num(parsed, self.parse_type, nonneg=nonneg, high=high, positive=positive)
        if self.dialect.name == "duckdb":  # NULL where out of range, in one step
            narrow = self.plan.put(exp.TryCast(this=parsed, to=self.value_type.type()))
        else:
            fits = self._within(parsed, self.slot.low, self.slot.high)
            narrow = self.plan.put(case([(fits, cast(parsed, self.value_type))], exp.Null()))
        return Num(narrow, self.value_type, nonneg=nonneg, high=high, positive=positive)

    def _typed(self) -> _Found:
        x, t = self.raw, self.parse_type
        not_whole = None
        if self.slot.kind == "count" and self.column.scale > 0:
            not_whole = exp.NEQ(this=exp.Floor(this=paren(x)), expression=x)
        negative = exp.LT(this=x, expression=literal(Decimal(0)))
        if self.column.low is not None and self.column.low >= 0:
            negative = FALSE
        own = Dec(self.column.digits, self.column.scale)
        if own.digits <= t.digits and own.scale <= t.scale:
            self.parse_type = own  # a narrower column is taken as it is: fewer digits to carry
            # Narrowing to the range costs a cast per row; only a wide column is worth it.
            self.value_type = _narrowed(own, self.slot) if own.precision > 9 else own
            return _Found(x, None, not_whole, negative, FALSE)
        checks = []
        if self.column.digits > t.digits:
            checks.append(exp.LT(this=exp.Abs(this=x), expression=literal(Decimal(10) ** t.digits)))
        if self.column.scale > t.scale:
            step = literal(Decimal(1).scaleb(-t.scale))
            checks.append(exp.EQ(this=exp.Mod(this=paren(x), expression=step), expression=literal(Decimal(0))))
        fits = self.plan.put(both(*checks))
        parsed = self.plan.put(case([(fits, cast(x, t))], exp.Null()))
        return _Found(parsed, None, not_whole, negative, negate(fits))

    def _text(self) -> _Found:
        """Plain digits take a short way; anything else is read in full, only where needed."""
        t = self.parse_type
        plain = rf"^[0-9]{{1,{t.digits}}}" + (rf"(\.[0-9]{{0,{t.scale}}})?$" if t.scale else "$")
        fast = self.plan.put(self.dialect.matches(self.raw, plain))
        slow = self.plan.put(both(self.present, negate(fast)))
        parts = _SlowParts(self.plan, self.raw, slow, percent=self.slot.kind in ("percent", "ratio"))
        exact = both(parts.decimals_at_most(t.scale), parts.digits_at_most(t.digits))
        read_slow = both(slow, both(parts.ok, exact))
        parsed = self.plan.put(case([(fast, cast(self.raw, t)), (read_slow, parts.value(t))], exp.Null()))
        readable = both(slow, parts.ok)
        return _Found(parsed, both(slow, negate(parts.ok)), both(readable, negate(parts.decimals_at_most(0))),
                      both(readable, parts.negative), both(readable, negate(exact)))

    def _checks_sign(self) -> bool:
        return self.slot.low is None and self.slot.kind != "number"

    @staticmethod
    def _within(x, low, high) -> exp.Expression:
        checks = []
        if low is not None:
            checks.append(exp.GTE(this=x, expression=literal(low)))
        if high is not None:
            checks.append(exp.LTE(this=x, expression=literal(high)))
        if not checks:
            return TRUE
        return both(*checks) if len(checks) == 2 else checks[0]

    # ---- messages, in facts' words
    def _bad(self, what: str | None = None) -> exp.Expression:
        return self._message("PR503", f"must be {what or kind_text(self.slot)}, got ", quote=True)

    def _whole(self) -> exp.Expression:
        return self._message("PR503", "is a count and must be a whole number, got ", quote=True)

    def _negative_message(self) -> exp.Expression:
        return self._message("PR504", "cannot be negative, got ")

    def _too_wide(self) -> exp.Expression:
        t = self.parse_type
        return self._message("PR805", f"has more than {t.digits} digits before the point or {t.scale} after it, "
                                      "which the SQL backend does not compute exactly; got ", quote=True)

    def _message(self, code: str, text: str, *, quote: bool = False) -> exp.Expression:
        shown = self.raw if self.column.kind == "text" else exp.Cast(this=self.raw, to=self.dialect.text())
        if quote:
            shown = _concat(exp.Literal.string("'"), shown, exp.Literal.string("'"))
        users = "; ".join(" › ".join(path) for path in self.slot.used_by) or "no indicator"
        return _concat(exp.Literal.string(f"{code} {self.slot.name} {text}"), shown,
                       exp.Literal.string(f"; needed by {users}"))


@attrs.frozen
class _Found:
    """A number read from its column: the value (NULL where it cannot be carried exactly)
    and the conditions under which it is unreadable, not whole, negative or too wide."""

    parsed: exp.Expression
    bad: exp.Expression | None
    not_whole: exp.Expression | None
    negative: exp.Expression
    wide: exp.Expression


class _SlowParts:
    """The pieces of a number written any way ``facts`` accepts, each NULL where ``slow``
    is false, so that plain digits never pay for them."""

    def __init__(self, plan: Plan, raw: exp.Expression, slow: exp.Expression, *, percent: bool) -> None:
        self.plan, self.slow = plan, slow
        dialect = plan.dialect
        folded = exp.Anonymous(this="TRANSLATE", expressions=[raw, exp.Literal.string(_FOLD_FROM),
                                                              exp.Literal.string(_FOLD_TO)])
        t = self._put(_trim(_replace(folded, " ", "")))
        last = exp.Right(this=t, expression=exp.Literal.number(1))
        self.percent = self._put(exp.EQ(this=last, expression=exp.Literal.string("%"))) if percent else FALSE
        body = self._put(case([(self.percent, exp.Left(this=t, expression=exp.Sub(
            this=exp.Length(this=t), expression=exp.Literal.number(1))))], t))
        grouped = dialect.matches(body, _THOUSANDS)
        c = self._put(_trim(_replace(case([(grouped, _replace(body, ",", ""))], body), "_", "")))
        self.c = c
        self.ok = self._put(dialect.matches(c, _NUMBER))
        lower = exp.Lower(this=c)
        e_at = self._put(exp.StrPosition(this=lower, substr=exp.Literal.string("e")))
        has_e = exp.GT(this=e_at, expression=exp.Literal.number(0))
        mantissa = self._put(case([(has_e, exp.Left(this=lower, expression=exp.Sub(
            this=e_at, expression=exp.Literal.number(1))))], lower))
        exponent_text = case([(has_e, exp.Substring(this=lower, start=exp.Add(
            this=e_at, expression=exp.Literal.number(1))))], exp.Literal.string("0"))
        exponent_digits = _strip(_replace(_replace(exponent_text, "+", ""), "-", ""), "LEADING", "0")
        huge = exp.GT(this=exp.Length(this=exponent_digits), expression=exp.Literal.number(4))
        self.exponent = self._put(case([(both(self.ok, negate(huge)), exp.Cast(
            this=exponent_text, to=exp.DataType.build("INT")))], exp.Literal.number(0)))
        self.huge = self._put(both(self.ok, huge))
        dot = self._put(exp.StrPosition(this=mantissa, substr=exp.Literal.string(".")))
        has_dot = exp.GT(this=dot, expression=exp.Literal.number(0))
        fraction = self._put(case([(has_dot, _strip(exp.Substring(this=mantissa, start=exp.Add(
            this=dot, expression=exp.Literal.number(1))), "TRAILING", "0"))], exp.Literal.string("")))
        integer = case([(has_dot, exp.Left(this=mantissa, expression=exp.Sub(
            this=dot, expression=exp.Literal.number(1))))], mantissa)
        self.integer = self._put(_strip(_replace(_replace(integer, "+", ""), "-", ""), "LEADING", "0"))
        shift = case([(self.percent, exp.Literal.number(2))], exp.Literal.number(0))
        self.decimals = self._put(exp.Add(this=exp.Sub(this=exp.Length(this=fraction), expression=self.exponent),
                                          expression=shift))
        self.digits = self._put(exp.Sub(this=exp.Add(this=exp.Length(this=self.integer), expression=self.exponent),
                                        expression=shift))
        minus = exp.EQ(this=exp.Left(this=c, expression=exp.Literal.number(1)), expression=exp.Literal.string("-"))
        nonzero = exp.Or(this=exp.NEQ(this=self.integer, expression=exp.Literal.string("")),
                         expression=exp.NEQ(this=fraction, expression=exp.Literal.string("")))
        self.negative = self._put(both(minus, nonzero))

    def _put(self, expression: exp.Expression) -> exp.Expression:
        return self.plan.put(case([(self.slow, expression)], exp.Null()))

    def decimals_at_most(self, n: int) -> exp.Expression:
        return both(negate(self.huge), exp.LTE(this=self.decimals, expression=exp.Literal.number(n)))

    def digits_at_most(self, n: int) -> exp.Expression:
        return both(negate(self.huge), exp.LTE(this=self.digits, expression=exp.Literal.number(n)))

    def value(self, t: Dec) -> exp.Expression:
        """The number as ``t``; only where it has been checked to fit ``t`` exactly."""
        body_type = Dec(t.digits + 2, max(0, t.scale - 2))
        as_percent = cast(exp.Mul(this=cast(self.c, body_type), expression=literal(Decimal("0.01"))), t)
        return case([(self.percent, as_percent)], cast(self.c, t))


def _narrowed(t: Dec, slot: model.InputSlot) -> Dec:
    """The input's type once its range is checked: fewer digits when the range says so."""
    if slot.low is None or slot.high is None:
        return t
    widest = max(abs(slot.low), abs(slot.high))
    return Dec(min(t.digits, Dec.of(widest).digits), t.scale)


def _trim(x: exp.Expression) -> exp.Expression:
    return exp.Trim(this=x, expression=exp.Literal.string(_WHITESPACE), position="BOTH")


def _strip(x: exp.Expression, position: str, characters: str) -> exp.Expression:
    return exp.Trim(this=x, expression=exp.Literal.string(characters), position=position)


def _replace(x: exp.Expression, old: str, new: str) -> exp.Expression:
    return exp.Anonymous(this="REPLACE", expressions=[x, exp.Literal.string(old), exp.Literal.string(new)])


def _among(x: exp.Expression, words: tuple[str, ...]) -> exp.Expression:
    return exp.In(this=x, expressions=[exp.Literal.string(w) for w in words])


def _concat(*parts: exp.Expression) -> exp.Expression:
    result = parts[0]
    for part in parts[1:]:
        result = exp.DPipe(this=result, expression=part, safe=True)
    return result
