"""Checked model → one SQL query that scores every row of a table of facts.

The query reads one entity per row, a column per input (``inputs``), computes every site
and rule exactly (``rules``, ``exact``) in layers of SELECTs (``plan``), and returns one
row per entity: the key columns, ``row``, one column per indicator named by its path
(``部门管理/人员管理/编外人员控制率``), ``total``, ``grade`` and ``error``. ``error`` lists
every reason the row could not be scored, with facts' codes (PR501-PR505, PR805) or,
when the facts are valid, every indicator that met a zero denominator it does not score
(PR601); the scores of such a row are NULL, as Python would score nothing.

The query is a sqlglot expression tree built from the model: names become quoted
identifiers, texts become string literals, numbers become DECIMAL literals. No SQL text
is formatted from the ruleset, and nothing here parses SQL.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

from sqlglot import exp

from perfrules import model, nodes
from perfrules.diagnostics import Diagnostic
from perfrules.errors import PerfrulesError
from perfrules.facts import kind_text
from perfrules.fmt import expr_text
from perfrules.sql import dialects, inputs
from perfrules.sql.exact import TRUE, Arith, Dec, Num, TooWide, any_of, both, case, cast, literal, negate, paren
from perfrules.sql.inputs import TEXT, ColumnType, Limits
from perfrules.sql.plan import Plan, alias, column
from perfrules.sql.rules import Expressions, Scorer

RESERVED = ("row", "total", "grade", "error")
BOUNDARY = ("PR804 a value the Python evaluator carries to 28 digits is exactly on a band edge or "
            "rounding boundary here, where Python's approximation decides; score this row in Python")


class SqlError(PerfrulesError):
    """The ruleset or the table cannot be computed exactly in this SQL dialect (PR801-PR803)."""


def compile_query(ruleset: model.Ruleset, *, dialect: str = "duckdb", table: str | exp.Expression = "facts",
                  columns: Mapping[str, ColumnType] | None = None, keys: Sequence[str] = (),
                  row: str | bool | None = None, limits: Limits = Limits(), blank_rejected: bool = True,
                  optimistic: bool = False) -> exp.Select:
    """The query that scores every row of ``table``.

    Args:
        ruleset: a checked model (``perfrules.load(...).model``).
        dialect: duckdb, postgres or spark.
        table: a table name (dots separate schema and table), or a sqlglot expression.
        columns: the table's columns and what they hold; by default every input, as text.
            An input without a column is not given in any row.
        keys: columns copied to the result as they are, to tell the rows apart.
        row: a column numbering the rows; by default ``ROW_NUMBER() OVER ()``; False for
            no ``row`` column (a window over all rows keeps an engine from working in
            parallel: DuckDB numbers the rows of the stored result instead).
        limits: how many digits each kind of input carries (``inputs.Limits``).
        blank_rejected: NULL the scores of a row with an error; a caller that drops those
            rows anyway saves the work.
        optimistic: (DuckDB) let products that could exceed 64 bits be computed in 64 bits;
            DuckDB then fails with an overflow error instead of giving a wrong result, and the
            caller runs the query again without this.

    Raises:
        SqlError: a value could need more than 38 digits (PR801), or a column type the
            dialect cannot read exactly (PR802).

    >>> import perfrules
    >>> r = perfrules.loads('ruleset "r" input a: count indicator x 2 { deduct 1 per a }')
    >>> "ROW_NUMBER() OVER ()" in compile_query(r.model).sql(dialect="duckdb")
    True
    """
    if columns is None:
        columns = {slot.name: TEXT for slot in ruleset.inputs}
    compiler = _Compiler(ruleset, dialects.get(dialect), limits, optimistic)
    return compiler.query(_table(table), dict(columns), tuple(keys), row, blank_rejected)


def _table(table: str | exp.Expression) -> exp.Expression:
    if isinstance(table, exp.Expression):
        return table
    parts = [exp.to_identifier(part, quoted=True) for part in table.split(".")]
    return exp.Table(this=parts[-1], db=parts[-2] if len(parts) > 1 else None,
                     catalog=parts[-3] if len(parts) > 2 else None)


class _Compiler:
    def __init__(self, ruleset: model.Ruleset, dialect: dialects.Dialect, limits: Limits,
                 optimistic: bool) -> None:
        self.ruleset = ruleset
        self.dialect = dialect
        self.limits = limits
        self.plan = Plan(dialect)
        self.arith = Arith(self.plan, dialect, optimistic=optimistic)
        self.refusals: list = []  # (condition, message) of values SQL cannot carry

    def query(self, table: exp.Expression, columns: dict, keys: tuple, row: str | bool | None,
              blank_rejected: bool) -> exp.Select:
        _check_names(self.ruleset, keys)
        key_columns = [self.plan.source(column(key), "k") for key in keys]
        row_column = None
        if row is not False:
            row_column = self.plan.source(column(row) if row else self.dialect.row_number(), "row")
        read = self._inputs(columns)
        env = {name: value.value for name, value in read.items()}
        expressions = Expressions(self.arith, self.ruleset, env)
        self._lets_and_defaults(expressions, read)
        scores, zeros = self._indicators(Scorer(expressions))
        # Each score in its result type once, as a column: the result and the total read it.
        scores = {rule: (value if value_type == dec else self.plan.put(cast(value, dec), column_of_its_own=True), dec)
                  for rule, (value, value_type, dec) in scores.items()}
        total = self._total(scores)
        error = self._error(read, zeros)
        valid = exp.Is(this=error, expression=exp.Null())

        def scored(value: exp.Expression) -> exp.Expression:
            return case([(valid, value)], exp.Null()) if blank_rejected else value

        outputs = [alias(k, name) for k, name in zip(key_columns, keys)]
        if row_column is not None:
            outputs.append(alias(row_column, "row"))
        for rule, (value, dec) in scores.items():
            outputs.append(alias(scored(value), "/".join(rule.path)))
        outputs.append(alias(scored(cast(total.n, total.t)), "total"))
        outputs.append(alias(scored(self._grade(total)), "grade"))
        outputs.append(alias(error, "error"))
        return self.plan.query(table, outputs)

    # ---- facts
    def _inputs(self, columns: dict) -> dict[str, inputs.Input]:
        read = {}
        for slot in self.ruleset.inputs:
            column_type = columns.get(slot.name)
            if column_type is not None and column_type.kind == "double" and self.dialect.name != "duckdb":
                raise SqlError([Diagnostic("PR802", f"the column {slot.name} holds binary floats, which "
                                           f"{self.dialect.name} does not print exactly; give it as DECIMAL or text",
                                           slot.span)])
            raw = self.plan.source(column(slot.name), "r") if column_type is not None else None
            read[slot.name] = inputs.read(self.plan, slot, raw, column_type or inputs.ABSENT, self.limits)
        return read

    def _lets_and_defaults(self, expressions: Expressions, read: dict) -> None:
        for site in self.ruleset.sites:
            if site.role not in ("let", "default"):
                continue
            name = site.owner[0]
            if site.role == "default":
                self.plan.guard = self.plan.put(negate(read[name].present), column_of_its_own=True)
            try:
                value = self._guarded(site, lambda: expressions.site(site.index))
            finally:
                self.plan.guard = None
            if site.role == "default":
                given = read[name]
                value = self._guarded(site, lambda: self._given_or(given, value))
            expressions.env[name] = value

    def _given_or(self, given: inputs.Input, default):
        if isinstance(default, Num):
            default = self._narrow(given, default)
            chosen = self.arith.choose(given.present, given.value, default)
            return self.arith.keep(chosen)
        b = case([(given.present, given.value.b)], default.b)
        z = both(negate(given.present), default.z) if default.z is not None else None
        return self.arith.keep_bool(type(default)(b, z))

    def _narrow(self, given: inputs.Input, default: Num) -> Num:
        """A computed default within the digits a given value may have (PR805 beyond)."""
        limit = given.value.t.digits
        if default.d is not None or default.t.digits <= limit:
            return default
        default = self.arith.keep(default)
        fits = exp.LT(this=exp.Abs(this=default.n), expression=literal(Decimal(10) ** limit))
        unchecked = negate(given.present) if default.z is None else both(negate(given.present), negate(default.z))
        slot = given.slot
        self.refusals.append((both(unchecked, negate(fits)), exp.Literal.string(
            f"PR805 the default of {slot.name} computes a value with more than {limit} digits before the point, "
            "which the SQL backend does not compute exactly")))
        narrowed = case([(fits, cast(default.n, Dec(limit, default.t.scale)))], exp.Null())
        return Num(narrowed, Dec(limit, default.t.scale), z=default.z, nonneg=default.nonneg,
                   inexact=default.inexact)

    def _guarded(self, site: model.Site, build):
        try:
            return build()
        except TooWide as error:
            # In the author's words: the let (or the input's default) and the inputs it reads.
            where = f"the let {site.owner[0]}" if site.role == "let" else f"the default of {site.owner[0]}"
            read = list(dict.fromkeys(n.name for n in nodes.walk(site.expr) if isinstance(n, nodes.Ref)))
            raise SqlError([Diagnostic(
                "PR801", f"{expr_text(site.expr)} ({where}) could need {error.needed} digits, more than the "
                         f"{error.limit} a SQL DECIMAL holds exactly",
                site.expr.span, hint=f"give {', '.join(read) or 'the inputs it reads'} a range, so that fewer "
                                     "digits are needed, or score this ruleset with --engine python")]) from None

    # ---- rules
    def _indicators(self, scorer: Scorer):
        scores, zeros = {}, {}
        for rule in self.ruleset.rules():
            first_site = _sites_of(rule)[0] if _sites_of(rule) else None
            try:
                score, zero = scorer.rule(rule)
            except TooWide as error:
                span = self.ruleset.sites[first_site].expr.span if first_site is not None else rule.span
                raise SqlError([Diagnostic(
                    "PR801", f"scoring {' › '.join(rule.path)} could need {error.needed} digits in SQL, "
                             f"more than the {error.limit} it computes exactly", span,
                    hint="give the inputs it reads a range, so that fewer digits are needed, or score this "
                         "ruleset with --engine python")]) from None
            places = rule.rounding.places if rule.rounding else score.t.scale
            scores[rule] = (score.n, score.t, self._stored(Dec(Dec.of(rule.max).digits, max(places, score.t.scale))))
            if zero is not None:
                zeros[rule] = zero
        return scores, zeros

    def _stored(self, dec: Dec) -> Dec:
        """A result column's type. DuckDB keeps a DECIMAL of up to 4 digits in 16 bits, and
        writes such columns to a table or Parquet at half the speed of 32-bit ones (21 score
        columns of a million rows: 0.19 s against 0.08 s); 9 digits are still 32 bits."""
        if self.dialect.name == "duckdb" and dec.precision < 9:
            return Dec(9 - dec.scale, dec.scale)
        return dec

    def _total(self, scores: dict) -> Num:
        """The exact sum of the rounded indicator scores, added in pairs, each partial sum
        as narrow as its maxima allow (21 terms would otherwise widen past 64 bits).

        DuckDB types each sum itself, a digit wider than its operands: added in pairs, 21
        scores of 9 digits need 14, so the partial sums go uncast there (a narrowing cast
        tests every value) and only the total is cast to its type."""
        terms = [(value, dec, rule.max) for rule, (value, dec) in scores.items()]
        widest = max((dec.precision for _, dec, _ in terms), default=0) + (len(terms) - 1).bit_length()
        loose = self.dialect.name == "duckdb" and widest <= 18
        while len(terms) > 1:
            paired = []
            for (a, at, am), (b, bt, bm) in zip(terms[::2], terms[1::2]):
                dec = Dec(Dec.of(am + bm).digits, max(at.scale, bt.scale))
                added = exp.Add(this=paren(a), expression=paren(b))
                paired.append((exp.Paren(this=added) if loose else cast(added, dec), dec, am + bm))
            if len(terms) % 2:
                paired.append(terms[-1])
            terms = paired
        value, dec, maximum = terms[0]
        if loose and len(scores) > 1:
            dec = self._stored(dec)
            value = cast(value, dec)
        return self.arith.keep(Num(value, dec, nonneg=True, high=maximum))

    def _grade(self, total: Num) -> exp.Expression:
        scale = self.ruleset.grade
        if scale is None:
            return exp.Cast(this=exp.Null(), to=self.dialect.text())
        scorer = Scorer(Expressions(self.arith, self.ruleset, {}))
        tests = scorer.band_tests(total, [g.band for g in scale.bands])
        whens = [(test, exp.Literal.string(g.label)) for test, g in zip(tests, scale.bands)]
        return case(whens, exp.Cast(this=exp.Null(), to=self.dialect.text()))

    # ---- reasons a row is not scored
    def _error(self, read: dict, zeros: dict) -> exp.Expression:
        problems = [p for value in read.values() for p in value.problems] + self.refusals
        needed = _Needed(self.ruleset, read)
        quick = [value.invalid for value in read.values()] + [condition for condition, _ in self.refusals]
        for slot in self.ruleset.inputs:
            if slot.default is None:
                missing = both(negate(read[slot.name].present), needed.of(slot.name))
                kind = kind_text(slot)
                problems.append((missing, exp.Literal.string(
                    f"PR501 the facts do not give {slot.name} ({kind}), "
                    f"needed by {'; '.join(' › '.join(p) for p in slot.used_by)}")))
                quick.append(missing)
        negatives = [value.negative_of for value in read.values() if value.negative_of is not None]
        if negatives:
            # LEAST skips NULLs in every engine (sqlglot would rewrite exp.Least to propagate them).
            least = exp.Anonymous(this="LEAST", expressions=negatives) if len(negatives) > 1 else negatives[0]
            quick.append(exp.LT(this=least, expression=literal(Decimal(0))))
        facts = self._reasons(problems, any_of(*quick))
        zero_reasons = [(zero, exp.Literal.string(
            f"PR601 {self._divisions(rule)} has a zero denominator, needed by {' › '.join(rule.path)}"))
            for rule, zero in zeros.items()]
        later = []
        if zero_reasons:
            later.append(self._reasons(zero_reasons, any_of(*(zero for zero, _ in zero_reasons))))
        boundary = any_of(*self.arith.boundaries)
        if boundary is not None:
            later.append(self._reasons([(TRUE, exp.Literal.string(BOUNDARY))], boundary))
        if not later:
            return facts
        return self.plan.put(exp.Coalesce(this=facts, expressions=later))

    def _reasons(self, problems: list, anything: exp.Expression | None) -> exp.Expression:
        """Every message whose condition holds, joined; only rows where ``anything`` holds
        evaluate the messages' own conditions."""
        problems = [(condition, message) for condition, message in problems
                    if condition is not None and not (isinstance(condition, exp.Boolean) and not condition.this)]
        none = exp.Cast(this=exp.Null(), to=self.dialect.text())
        if not problems or anything is None:
            return none
        parts = [case([(condition, message)], exp.Null()) for condition, message in problems]
        joined = self.dialect.join_texts("; ", parts)  # CONCAT_WS, in chunks where arguments are limited
        return self.plan.put(case([(self.plan.put(anything), joined)], none))

    def _divisions(self, rule: model.Rule) -> str:
        texts = []
        for index in _sites_of(rule, self.ruleset):
            for division in model.divisions(self.ruleset.sites[index].expr):
                text = expr_text(division)
                if text not in texts:
                    texts.append(text)
        return " or ".join(texts) or "a division"


class _Needed:
    """Which inputs a row needs, as ``facts._needed`` decides: those the rules read, and
    those the default of a needed input reads when the row leaves that input out."""

    def __init__(self, ruleset: model.Ruleset, read: dict) -> None:
        self.ruleset = ruleset
        self.read = read
        self.direct = set()
        for site in ruleset.sites:
            if site.role not in ("let", "default"):
                self.direct |= self._inputs(site.expr)
        self.users = {}  # input → inputs whose default reads it
        for slot in ruleset.inputs:
            if slot.default is not None:
                for name in self._inputs(ruleset.sites[slot.default].expr):
                    self.users.setdefault(name, []).append(slot.name)
        self._memo: dict[str, exp.Expression | None] = {}

    def of(self, name: str) -> exp.Expression:
        condition = self._of(name)
        return condition if condition is not None else exp.Boolean(this=False)

    def _of(self, name: str) -> exp.Expression | None:
        if name in self.direct:
            return TRUE
        if name not in self._memo:
            self._memo[name] = None  # defaults are acyclic; this only guards a hand-made model
            ways = []
            for user in self.users.get(name, []):
                user_needed = self._of(user)
                if user_needed is not None:
                    ways.append(both(negate(self.read[user].present), user_needed))
            self._memo[name] = any_of(*ways)
        return self._memo[name]

    def _inputs(self, expr: nodes.Expr) -> set[str]:
        found, seen = set(), set()
        stack = [expr]
        while stack:
            for ref in (n for n in nodes.walk(stack.pop()) if isinstance(n, nodes.Ref)):
                kind, index = self.ruleset.symbols[ref.name]
                if kind == "input":
                    found.add(ref.name)
                elif index not in seen:
                    seen.add(index)
                    stack.append(self.ruleset.sites[index].expr)
        return found


def _sites_of(rule: model.Rule, ruleset: model.Ruleset | None = None) -> list[int]:
    """The sites a rule evaluates, its parts' too, and (with ``ruleset``) the lets and
    defaults they read."""
    found = []
    stack = [rule]
    while stack:
        current = stack.pop()
        stack.extend(current.parts)
        found += [g.site for g in (*current.exemptions, *current.vetoes)]
        found += [d.site for d in current.deductions]
        base = current.base
        if isinstance(base, (model.Tiers, model.Formula)):
            found.append(base.site)
        elif isinstance(base, model.Checklist):
            found += [item.site for item in base.items]
    if ruleset is None:
        return found
    lets = [ruleset.symbols[name][1] for name in rule.lets]
    defaults = [slot.default for slot in ruleset.inputs if slot.name in rule.inputs and slot.default is not None]
    return sorted(set(found) | set(lets) | set(defaults))


def _check_names(ruleset: model.Ruleset, keys: tuple) -> None:
    # Say which of the two to rename, and point at the indicator: an indicator called
    # `row` clashes with the result's own column even when no key column is given.
    for rule in ruleset.rules():
        name = "/".join(rule.path)
        if name in RESERVED:
            raise SqlError([Diagnostic(
                "PR803", f"the indicator {name} would share its result column with the {name} column "
                         "every scored row has", rule.span,
                hint=f"rename the indicator; {', '.join(RESERVED)} name the result's own columns")])
        if name in keys:
            raise SqlError([Diagnostic(
                "PR803", f"the key column {name} would share its result column with the indicator {name}",
                rule.span, hint="rename the key column in the table")])
    reserved = [k for k in keys if k in RESERVED]
    if reserved:
        raise SqlError([Diagnostic("PR803", f"the key column {reserved[0]} would share its result column with "
                                            f"the {reserved[0]} column every scored row has",
                                   hint="rename the key column in the table")])
