"""The SQL back end on a real PostgreSQL server scores every row as the Python evaluator does.

The server is started by ``conftest.postgres_server`` (installed with apt when missing).
For each seed ruleset the query is compiled twice, for a table of text cells (as a CSV
gives them) and for typed columns (BOOLEAN, NUMERIC(p, s)); Hypothesis draws batches of
rows (``batches``), each batch is copied into its table and scored by one run of the
query, and every row is compared with ``Ruleset.evaluate``: every indicator, the total,
the grade, or the error codes with the input each is about.
"""

from __future__ import annotations

import time
from decimal import Decimal, localcontext

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlglot import exp

import perfrules
from perfrules.cli import main
from perfrules.sql import compile_query, dialects
from perfrules.sql.exact import Dec, cast, literal
from tests.sql import batches, differential
from tests.sql.batches import SEEDS, Seed

BATCHES = 8  # per ruleset and kind of table; a batch is 80 to 160 rows and one query (0.1 to 0.7 s)


class Bench:
    """A seed ruleset's two tables on the server, and the query compiled for each."""

    def __init__(self, connection, year: str) -> None:
        self.connection = connection
        self.seed = Seed(SEEDS[year])
        self.queries = {}
        for kind in ("text", "typed"):
            table = f"facts_{year}_{kind}"
            declared = ", ".join(f'"{slot.name}" {self._type(slot, kind)}' for slot in self.seed.inputs)
            connection.execute(f'DROP TABLE IF EXISTS "{table}"')
            connection.execute(f'CREATE TABLE "{table}" ("n" BIGINT, {declared})')
            columns = self.seed.columns if kind == "typed" else None
            query = compile_query(self.seed.model, dialect="postgres", table=table, columns=columns, row="n")
            self.queries[kind] = (table, query.sql(dialect="postgres"))

    def _type(self, slot, kind: str) -> str:
        if kind == "text":
            return "TEXT"
        if slot.kind == "flag":
            return "BOOLEAN"
        t = self.seed.decimal_type(slot)
        return f"NUMERIC({t.precision}, {t.scale})"

    def run(self, kind: str, rows: list) -> list[dict]:
        table, query = self.queries[kind]
        names = ", ".join(f'"{slot.name}"' for slot in self.seed.inputs)
        with self.connection.cursor() as cursor:
            cursor.execute(f'TRUNCATE "{table}"')
            with cursor.copy(f'COPY "{table}" ("n", {names}) FROM STDIN') as copy:
                for n, row in enumerate(rows, start=1):
                    copy.write_row([n, *row])
            cursor.execute(query)
            return batches.records(self.seed, cursor.fetchall())


_BENCHES: dict[str, Bench] = {}


@pytest.fixture(scope="module")
def bench(postgres):
    def get(year: str) -> Bench:
        if year not in _BENCHES:
            _BENCHES[year] = Bench(postgres, year)
        return _BENCHES[year]

    yield get
    _BENCHES.clear()


@pytest.mark.parametrize("kind", ["text", "typed"])
@pytest.mark.parametrize("year", sorted(SEEDS))
@batches.server_settings(BATCHES)
@given(data=st.data())
def test_postgres_scores_every_row_as_python_does(bench, year, kind, data):
    seat = bench(year)
    rows, wide = data.draw(batches.batch(seat.seed, kind), label="batch")
    started = time.monotonic()
    found = seat.run(kind, rows)
    outcomes = batches.compare(seat.seed, rows, found, wide)
    print(f"postgres {year} {kind}: {len(rows)} rows in {time.monotonic() - started:.2f} s, {outcomes}")


def test_the_commerce_report_and_its_neighbours_on_the_edges(bench):
    # The 2024 report of 深圳市商务局 (94.54, 优), and the same facts with the rates moved
    # onto and beside band edges, and halfway between two hundredths.
    seat = bench("2024")
    facts = dict(perfrules.load_facts(batches.COMMERCE))
    variants = [{}, {"在编人数": "127", "核定编制数": "127"}, {"在编人数": "128", "核定编制数": "127"},
                {"编外人员数": "5", "在编人数": "95"}, {"编外人员数": "10", "在编人数": "90"},
                {"编外人员数": "1", "在编人数": "9"}, {"调整调剂资金累计额": "14", "部门预算总规模": "100"},
                {"调整调剂资金累计额": "14.0001", "部门预算总规模": "100"},
                {"实际采购金额": "915", "采购计划金额": "1000"}, {"实际采购金额": "0", "采购计划金额": "0"},
                {"在用固定资产原值": "90", "固定资产原值总额": "100"}, {"满意度": "89.995%"}, {"满意度": "0.9"}]
    rows = [differential.cells(seat.seed.ruleset, {**facts, **change}) for change in variants]
    found = seat.run("text", rows)
    outcomes = batches.compare(seat.seed, rows, found)
    assert outcomes.get("scores", 0) >= len(variants) - 2
    assert found[0]["total"] == perfrules.load(SEEDS["2024"]).evaluate(facts).total


def test_the_printed_query_runs_on_postgres_as_printed(postgres, capsys):
    # `perfrules sql RULESET --dialect postgres`, exactly as printed, on a table named facts.
    seed = Seed(SEEDS["2024"])
    code = main(["sql", str(SEEDS["2024"]), "--dialect", "postgres", "--key", "entity"])
    printed = capsys.readouterr().out
    assert code == 0 and printed.rstrip().endswith(";")
    postgres.execute("DROP TABLE IF EXISTS facts")
    declared = ", ".join(f'"{slot.name}" TEXT' for slot in seed.inputs)
    postgres.execute(f'CREATE TABLE facts ("entity" TEXT, {declared})')
    facts = dict(perfrules.load_facts(batches.COMMERCE))
    rows = [["商务局", *differential.cells(seed.ruleset, facts)],
            ["空表", *[None] * len(seed.inputs)]]
    with postgres.cursor() as cursor:
        with cursor.copy(f'COPY facts ("entity", {", ".join(chr(34) + s.name + chr(34) for s in seed.inputs)}) '
                         "FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute(printed)
        result = cursor.fetchall()
        names = [d.name for d in cursor.description]
    by_entity = {r[0]: dict(zip(["entity", "row", *seed.paths, "total", "grade", "error"], r)) for r in result}
    assert names[:2] == ["entity", "row"] and names[-3:] == ["total", "grade", "error"]
    assert (by_entity["商务局"]["total"], by_entity["商务局"]["grade"], by_entity["商务局"]["error"]) == (
        seed.ruleset.evaluate(facts).total, "优", None)
    assert by_entity["空表"]["total"] is None and by_entity["空表"]["error"].startswith("PR501 ")



@pytest.mark.parametrize("digits", [18, 19, 38])
@batches.server_settings(3)
@given(data=st.data())
def test_whole_numbers_divide_exactly(postgres, digits, data):
    pairs = data.draw(st.lists(batches.divisions(digits, digits), min_size=20, max_size=60))
    dialect = dialects.get("postgres")
    found = []
    for a, b in pairs:
        dec = Dec(digits, 0)
        with localcontext() as exact:
            exact.prec = 100  # literal() normalizes, which Python's 28 digits would round
            quotient = dialect.trunc_div(cast(literal(Decimal(a)), dec), cast(literal(Decimal(b)), dec), digits)
            found.append(exp.select(cast(quotient, Dec(digits, 0))).sql(dialect="postgres"))
    values = postgres.execute(" UNION ALL ".join(f"({q})" for q in found)).fetchall()
    wrong = [(a, b, q) for (a, b), (q,) in zip(pairs, values) if int(q) != batches.truncated(a, b)]
    assert not wrong, f"wrong quotients (a, b, PostgreSQL): {wrong[:3]}"


@batches.server_settings(3)
@given(st.lists(batches.wide_operands(), min_size=10, max_size=30))
def test_products_and_sums_at_the_widest_types_are_exact(postgres, operands):
    query, expected = batches.arithmetic_query("postgres", operands)
    found = postgres.execute(query.sql(dialect="postgres")).fetchone()
    wrong = [(i, f, e) for i, (f, e) in enumerate(zip(found, expected)) if f is None or Decimal(f) != e]
    assert not wrong, f"inexact (column, PostgreSQL, exact): {wrong[:3]} of {operands}"
