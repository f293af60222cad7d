"""Batches of facts for the differential tests on database servers (PostgreSQL, Spark).

A batch is many rows of one seed ruleset's inputs, drawn by Hypothesis: valid facts biased
to band edges (``perfrules.testing.facts_for``), then cells replaced by the traps of real
tables: halfway values (4.575, 0.9), percents written ``85%`` or ``0.85``, full-width
digits and thousands separators, blank and left-out cells, words where numbers belong,
zero denominators, rates exactly halfway between two hundredths, and values longer than
the SQL columns carry (which SQL refuses with PR805 where Python reads them).

A server costs seconds per query, so a test draws few batches of many rows and runs the
compiled query once per batch; ``compare`` then checks every row against
``Ruleset.evaluate`` (``differential``) and names the rows that differ.
"""

from __future__ import annotations

from decimal import Decimal, localcontext
from pathlib import Path

from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st

import perfrules
from perfrules import facts, interp, model, nodes, runtime, testing
from perfrules.diagnostics import Diagnostics
from perfrules.sql import inputs, typed_columns
from perfrules.sql.inputs import Limits
from perfrules.sql.exact import Dec
from tests.sql import differential

ROOT = Path(__file__).resolve().parents[2]
SEEDS = {year: ROOT / f"rulesets/shenzhen/department-overall-{year}.rules" for year in ("2023", "2024")}
COMMERCE = ROOT / "rulesets/shenzhen/examples/commerce-2024.yaml"


def server_settings(batches: int):
    """Few examples (a query costs seconds), no shrinking (a failure names its rows, and
    shrinking would rerun the query hundreds of times), no deadline, no example database."""
    return settings(max_examples=batches, deadline=None, database=None, phases=[Phase.explicit, Phase.generate],
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.large_base_example])


# ---- the traps, by kind; a cell in WIDE is longer than the SQL columns of its kind carry ------

TRAPS = {
    "count": ["0", "1.5", "-1", "abc", "１２", "1,000", "  7 ", "3.0", "1e1", "12345678901"],
    "amount": ["0", "0", "-0.01", "x", "4.575", "0.9", "7,341.03", "１２３.４５", "1e3", "0.005", "1_000",
               "1234567890123", "0.00001", "13", "100"],
    "percent": ["85%", "0.85", "85", "0.9", "100%", "５％", "0%", "-5%", "abc", " 90 % ", "95.5%", "0.0000001",
                "12.3456789%", "4.575%", "89.995%"],
    "ratio": ["85%", "0.85", "0.9", "1", "0", "abc", "0.0000001"],
    "judged": ["0.9", "0.5", "1.5", "-0.5", "x", "0.12345", "4.575", "0", "1", "0.995", "24.995"],
    "number": ["4.575", "-3", "0", "x", "1.2345678"],
    "flag": ["是", "否", "Y", "n", "TRUE", "no", "maybe", "1", " yes ", "Yes"],
}
WIDE = {"count": {"12345678901"}, "amount": {"1234567890123", "0.00001"},
        "percent": {"0.0000001", "12.3456789%"}, "ratio": {"0.0000001"}, "judged": {"0.12345"},
        "number": {"1.2345678"}}
BLANKS = [None, "", " ", "\u3000"]


class Seed:
    """A seed ruleset, its inputs, and the divisions of its rates: (numerator inputs,
    denominator inputs) of every division whose sides read inputs directly."""

    def __init__(self, path: Path) -> None:
        self.ruleset = perfrules.load(path)
        self.model = self.ruleset.model
        self.inputs = self.model.inputs
        self.index = {slot.name: slot.index for slot in self.inputs}
        self.columns = typed_columns(self.model)
        self.divisions = []
        for site in self.model.sites:
            for division in model.divisions(site.expr):
                top, bottom = _inputs_of(self.model, division.left), _inputs_of(self.model, division.right)
                if bottom:
                    self.divisions.append((top, bottom))
        self.paths = ["/".join(rule.path) for rule in self.model.rules()]

    def groups(self) -> list[list[int]]:
        """The inputs in groups that divisions and defaults tie together, as indexes."""
        parent = list(range(len(self.inputs)))

        def root(i: int) -> int:
            while parent[i] != i:
                i = parent[i]
            return i

        ties = [top + bottom for top, bottom in self.divisions]
        ties += [[slot.name, *_inputs_of(self.model, self.model.sites[slot.default].expr)]
                 for slot in self.inputs if slot.default is not None]
        for names in ties:
            for name in names[1:]:
                parent[root(self.index[name])] = root(self.index[names[0]])
        found: dict[int, list[int]] = {}
        for i in range(len(self.inputs)):
            found.setdefault(root(i), []).append(i)
        return list(found.values())

    def wide_defaults(self, row: list) -> frozenset[str]:
        """The inputs the row leaves out whose default computes more integer digits than the
        SQL columns of the input carry: SQL refuses those (PR805), Python scores them."""
        found = set()
        for slot in self.inputs:
            cell = row[slot.index]
            if slot.default is None or not (cell is None or (isinstance(cell, str) and not cell.strip())):
                continue
            site = self.model.sites[slot.default]
            env = dict.fromkeys(self.index)
            for name in _inputs_of(self.model, site.expr):
                raw = row[self.index[name]]
                problems = Diagnostics()
                dependency = self.inputs[self.index[name]]
                if raw is None or (isinstance(raw, str) and not raw.strip()) or raw in WIDE.get(dependency.kind, ()):
                    break  # the default is not computed in SQL: its input is missing or refused
                env[name] = facts._value(dependency, raw, None, problems)
                if problems.has_errors:
                    break
            else:
                with localcontext(runtime.CONTEXT):
                    value = interp._site_value(site, env, self.model.rounding.mode)
                limit = inputs._narrowed(Limits().of(slot), slot).digits
                if isinstance(value, Decimal) and abs(value) >= Decimal(10) ** limit:
                    found.add(slot.name)
        return frozenset(found)

    def decimal_type(self, slot) -> Dec:
        column = self.columns[slot.name]
        return Dec(column.digits, column.scale)


def _inputs_of(checked: model.Ruleset, expr: nodes.Expr) -> list[str]:
    names = []
    for ref in (n for n in nodes.walk(expr) if isinstance(n, nodes.Ref)):
        kind, _ = checked.symbols[ref.name]
        if kind == "input" and ref.name not in names:
            names.append(ref.name)
    return names


@st.composite
def text_rows(draw, seed: Seed):
    """One row of cells as a CSV gives them, and the inputs whose cell is too wide for SQL."""
    facts = draw(testing.facts_for(seed.ruleset))
    row = [differential.cell(facts.get(slot.name)) for slot in seed.inputs]
    wide = set()
    shape = draw(st.sampled_from(["plain", "traps", "traps", "zero", "halfway", "blank"]))
    if shape == "zero" and seed.divisions:
        _, bottom = draw(st.sampled_from(seed.divisions))
        for name in bottom:  # every input of the denominator: 在编人数 + 编外人员数 is 0 only so
            row[seed.index[name]] = draw(st.sampled_from(["0", "0.00", "0%"] if
                                                         seed.inputs[seed.index[name]].kind == "percent" else
                                                         ["0", "0.00", "0.0"]))
    elif shape == "halfway" and seed.divisions:
        top, bottom = draw(st.sampled_from([d for d in seed.divisions if len(d[0]) == 1 and len(d[1]) == 1]
                                           or seed.divisions))
        # a rate of n.5 thousandths (0.915, 0.0625 after × 0.5): halfway between two hundredths
        denominator = draw(st.sampled_from(["1000", "200", "2000", "40"]))
        numerator = Decimal(denominator) * Decimal(draw(st.integers(0, 1200)) * 10 + 5) / Decimal(10000)
        for name in bottom:
            row[seed.index[name]] = denominator
        row[seed.index[top[0]]] = _plain(numerator, seed.inputs[seed.index[top[0]]])
    elif shape == "blank":
        for _ in range(draw(st.integers(1, 3))):
            row[draw(st.integers(0, len(row) - 1))] = draw(st.sampled_from(BLANKS))
    if shape in ("traps", "zero"):
        for _ in range(draw(st.integers(1, 3))):
            i = draw(st.integers(0, len(row) - 1))
            slot = seed.inputs[i]
            row[i] = draw(st.sampled_from(TRAPS[slot.kind] + BLANKS[:2]))
    for slot, text in zip(seed.inputs, row):
        if text in WIDE.get(slot.kind, ()):
            wide.add(slot.name)
    return row, frozenset(wide)


def _plain(value: Decimal, slot) -> str:
    if slot.kind == "count":
        return str(value.to_integral_value())
    return format(value.normalize(), "f")


@st.composite
def typed_rows(draw, seed: Seed):
    """One row of typed cells (Decimal, bool, None) that fit the columns of ``typed_columns``."""
    facts = draw(testing.facts_for(seed.ruleset))
    row = [_typed(slot, facts.get(slot.name)) for slot in seed.inputs]
    shape = draw(st.sampled_from(["plain", "traps", "traps", "zero"]))
    if shape == "zero" and seed.divisions:
        _, bottom = draw(st.sampled_from(seed.divisions))
        for name in bottom:
            row[seed.index[name]] = Decimal(0)
    if shape != "plain":
        for _ in range(draw(st.integers(1, 3))):
            i = draw(st.integers(0, len(row) - 1))
            slot = seed.inputs[i]
            if slot.kind == "flag":
                row[i] = draw(st.sampled_from([None, True, False]))
            else:
                above = (slot.high + 1) if slot.high is not None else Decimal("12345")
                row[i] = draw(st.sampled_from([None, Decimal(0), Decimal(-1), above, Decimal("0.9"), Decimal(100),
                                               Decimal("4.575"), Decimal("0.85"), Decimal("0.995")]))
    # a typed column holds only what its type holds: values it cannot are left out
    for i, slot in enumerate(seed.inputs):
        value = row[i]
        if isinstance(value, Decimal):
            t = seed.decimal_type(slot)
            if value != value.quantize(Decimal(1).scaleb(-t.scale)) or abs(value) >= Decimal(10) ** t.digits:
                row[i] = None
            else:
                row[i] = value.quantize(Decimal(1).scaleb(-t.scale))
    return row


def _typed(slot, value):
    if value is None or slot.kind == "flag":
        return value
    if isinstance(value, str):  # a percent written "12.5%"
        return Decimal(value.rstrip("%")) / 100
    return Decimal(value)


def batch(seed: Seed, kind: str, drawn: int = 20, shifts: int = 8):
    """A strategy for one batch: (rows, wide) of text cells, or (rows, None) of typed cells.

    Hypothesis draws up to ``drawn`` rows (a row is some hundred choices, and an example
    holds only so many); the batch is those rows and ``shifts - 1`` recombinations of
    them, each taking every group of inputs (those divided by one another move together,
    so that a zero or halfway rate stays one) from another drawn row.
    """
    rows = text_rows(seed) if kind == "text" else typed_rows(seed).map(lambda row: (row, None))
    return st.lists(rows, min_size=drawn // 2, max_size=drawn).map(lambda found: _recombined(seed, found, shifts))


def _recombined(seed: Seed, drawn: list, shifts: int):
    n = len(drawn)
    groups = seed.groups()
    rows, wide = [], []
    for k in range(shifts):
        for i in range(n):
            row, too_wide = [None] * len(seed.inputs), set()
            for g, members in enumerate(groups):
                source, source_wide = drawn[(i + k * (g + 1)) % n]
                for index in members:
                    row[index] = source[index]
                    if source_wide and seed.inputs[index].name in source_wide:
                        too_wide.add(seed.inputs[index].name)
            rows.append(row)
            wide.append(frozenset(too_wide))
    return rows, (wide if drawn[0][1] is not None else None)


def records(seed: Seed, rows: list) -> list[dict]:
    """The result rows of a query compiled with ``row=...`` and no keys, read by position:
    PostgreSQL cuts names longer than 63 bytes, and some indicator paths are longer."""
    names = ["row", *seed.paths, "total", "grade", "error"]
    found = []
    for values in rows:
        values = list(values)
        assert len(values) == len(names), f"{len(values)} columns, expected {len(names)}"
        found.append(dict(zip(names, values)))
    return found


def compare(seed: Seed, rows: list, found: list[dict], wide: list | None = None) -> dict:
    """Every row of ``found`` (in ``row`` order) agrees with Python on ``rows``; returns a
    count of the outcomes, so that a test can see the batch reached what it meant to."""
    found = sorted(found, key=lambda record: record["row"])
    assert [int(r["row"]) for r in found] == list(range(1, len(rows) + 1))
    problems, outcomes = [], {}
    for i, (row, record) in enumerate(zip(rows, found)):
        python = differential.python_outcome(seed.ruleset, row)
        sql = differential.sql_outcome(seed.ruleset, record)
        outcomes[sql[0]] = outcomes.get(sql[0], 0) + 1
        too_wide = (wide[i] if wide else frozenset()) | seed.wide_defaults(row)
        problem = differential.difference(python, sql, wide=too_wide)
        if problem:
            given = {s.name: v for s, v in zip(seed.inputs, row)}
            problems.append(f"row {i + 1}: {problem}\n  cells: {given}\n  SQL error: {record['error']}")
    assert not problems, f"{len(problems)} of {len(rows)} rows differ:\n" + "\n".join(problems[:4])
    return outcomes


# ---- whole-number division, the one operation each dialect spells its own way -------------------


@st.composite
def divisions(draw, digits: int, quotient_digits: int):
    """(a, b) whole, |a| and b below 10**digits, b > 0, |a / b| below 10**quotient_digits:
    quotients near the largest, remainders of 0, 1 and b - 1 (where a rounded quotient
    would tip over), and negative dividends."""
    b = draw(st.one_of(st.integers(1, 10 ** digits - 1), st.sampled_from([1, 2, 3, 7, 10 ** (digits // 2) + 1,
                                                                          10 ** digits - 1])))
    top = min(10 ** quotient_digits - 1, (10 ** digits - 1) // b)
    q = draw(st.one_of(st.integers(0, top), st.sampled_from([top, max(0, top - 1), top // 2])))
    r = draw(st.sampled_from([0, 1, b - 1, b // 2]) | st.integers(0, b - 1))
    a = q * b + r
    if a >= 10 ** digits:
        a = q * b
    return (-a if draw(st.booleans()) else a), b


def truncated(a: int, b: int) -> int:
    q = abs(a) // b
    return -q if a < 0 else q


# ---- products and sums at the widest types the compiler allows ---------------------------------

WIDE_TYPES = [(Dec(19, 0), Dec(19, 0)), (Dec(11, 6), Dec(11, 8)), (Dec(10, 10), Dec(8, 9)), (Dec(2, 16), Dec(2, 17)),
              (Dec(30, 4), Dec(3, 0)), (Dec(16, 4), Dec(4, 6)), (Dec(35, 2), Dec(1, 0))]


@st.composite
def wide_operands(draw):
    """(a, a's type, b, b's type), values of every digit their type allows, often the largest."""
    at, bt = draw(st.sampled_from(WIDE_TYPES))

    def value(t: Dec) -> Decimal:
        top = 10 ** t.precision - 1
        n = draw(st.sampled_from([top, -top, top - 1, 1, 0]) | st.integers(-top, top))
        return Decimal(f"{n}E-{t.scale}")  # exact: scaleb would round to 28 digits

    if draw(st.booleans()):  # a chain (a × b) × c, each product as wide as allowed
        at, bt, ct = draw(st.sampled_from(CHAINS))
        return value(at), at, value(bt), bt, value(ct), ct
    return value(at), at, value(bt), bt


# Spark would type a × b a digit wider than proved, and (a × b) × c past 38 digits, with
# its last decimal rounded away, unless a × b is cast to the type proved for it.
CHAINS = [(Dec(5, 8), Dec(4, 8), Dec(4, 8)), (Dec(10, 2), Dec(10, 2), Dec(9, 2))]


def arithmetic_query(dialect_name: str, operands: list) -> tuple:
    """One SELECT of the exact product and sum of each operand pair, built by ``exact.Arith``
    as the compiler builds them; and the values Python expects."""
    from sqlglot import exp

    from perfrules.sql import dialects
    from perfrules.sql.exact import Arith, cast, literal
    from perfrules.sql.plan import Plan

    dialect = dialects.get(dialect_name)
    arith = Arith(Plan(dialect), dialect)
    columns, expected = [], []
    for i, (a, at, b, bt, *chained) in enumerate(operands):
        with localcontext() as exact:
            exact.prec = 100  # literal() normalizes, which Python's 28 digits would round
            x, y = cast(literal(a), at), cast(literal(b), bt)
            z = cast(literal(chained[0]), chained[1]) if chained else None
        product, pt = arith._mul(x, at, y, bt)
        if chained:
            product, pt = arith._mul(product, pt, z, chained[1])
        columns.append(cast(product, pt).as_(f"p{i}"))
        with localcontext() as exact:
            exact.prec = 100  # Python's 28 digits would round the widest products
            expected.append(a * b * chained[0] if chained else a * b)
            if at.plus(bt).precision <= 38:  # (the compiler refuses a wider sum)
                total, st_ = arith._add(x.copy(), at, y.copy(), bt, exp.Add)
                columns.append(cast(total, st_).as_(f"s{i}"))
                expected.append(a + b)
    return exp.select(*columns), expected
