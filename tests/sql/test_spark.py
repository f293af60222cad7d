"""The SQL back end on Spark (local mode) scores every row as the Python evaluator does.

One Spark session serves every test (``conftest.spark``). For each seed ruleset the query
is compiled for a view of text cells (as a CSV gives them) and for typed columns
(BOOLEAN, DECIMAL(p, s)); Hypothesis draws batches of rows (``batches``), each batch
becomes the view's DataFrame and is scored by one run of the query, and every row is
compared with ``Ruleset.evaluate``: every indicator, the total, the grade, or the error
codes with the input each is about.

Spark plans a query of this size in seconds, so there are few batches, of many rows.
"""

from __future__ import annotations

import time
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlglot import exp

import perfrules
from perfrules.cli import main
from perfrules.sql import compile_query, dialects
from perfrules.sql.exact import Dec, cast
from perfrules.sql.plan import column
from tests.sql import batches, differential
from tests.sql.batches import SEEDS, Seed

BATCHES = 2  # per ruleset and kind of table


def _schema(seed: Seed, kind: str, *, key: tuple = ("n", "long")):
    from pyspark.sql import types

    fields = [types.StructField(key[0], types.LongType() if key[1] == "long" else types.StringType())]
    for slot in seed.inputs:
        if kind == "text":
            field_type = types.StringType()
        elif slot.kind == "flag":
            field_type = types.BooleanType()
        else:
            t = seed.decimal_type(slot)
            field_type = types.DecimalType(t.precision, t.scale)
        fields.append(types.StructField(slot.name, field_type))
    return types.StructType(fields)


class Bench:
    """A seed ruleset compiled for a view of text cells and one of typed cells."""

    def __init__(self, spark, year: str) -> None:
        self.spark = spark
        self.seed = Seed(SEEDS[year])
        self.queries = {}
        for kind in ("text", "typed"):
            view = f"facts_{year}_{kind}"
            columns = self.seed.columns if kind == "typed" else None
            query = compile_query(self.seed.model, dialect="spark", table=view, columns=columns, row="n")
            self.queries[kind] = (view, query.sql(dialect="spark"))

    def run(self, kind: str, rows: list) -> list[dict]:
        view, query = self.queries[kind]
        frame = self.spark.createDataFrame([[n, *row] for n, row in enumerate(rows, start=1)],
                                           _schema(self.seed, kind))
        frame.createOrReplaceTempView(view)
        return batches.records(self.seed, [list(r) for r in self.spark.sql(query).collect()])


_BENCHES: dict[str, Bench] = {}


@pytest.fixture(scope="module")
def bench(spark):
    def get(year: str) -> Bench:
        if year not in _BENCHES:
            _BENCHES[year] = Bench(spark, year)
        return _BENCHES[year]

    yield get
    _BENCHES.clear()


@pytest.mark.parametrize("kind", ["text", "typed"])
@pytest.mark.parametrize("year", sorted(SEEDS))
@batches.server_settings(BATCHES)
@given(data=st.data())
def test_spark_scores_every_row_as_python_does(bench, year, kind, data):
    seat = bench(year)
    rows, wide = data.draw(batches.batch(seat.seed, kind, drawn=24, shifts=10), label="batch")
    started = time.monotonic()
    found = seat.run(kind, rows)
    outcomes = batches.compare(seat.seed, rows, found, wide)
    print(f"spark {year} {kind}: {len(rows)} rows in {time.monotonic() - started:.2f} s, {outcomes}")


def test_the_printed_query_runs_on_spark_as_printed(spark, capsys):
    # `perfrules sql RULESET --dialect spark`, exactly as printed, on a view named facts;
    # its rows are numbered in the order they are read.
    seed = Seed(SEEDS["2023"])
    code = main(["sql", str(SEEDS["2023"]), "--dialect", "spark", "--key", "entity"])
    printed = capsys.readouterr().out
    assert code == 0 and printed.rstrip().endswith(";")
    facts = dict(perfrules.load_facts(batches.COMMERCE))
    rows = [["商务局", *differential.cells(seed.ruleset, facts)],
            ["空表", *[None] * len(seed.inputs)],
            ["零预算", *differential.cells(seed.ruleset, {**facts, "采购计划金额": "0", "实际采购金额": "0"})]]
    spark.createDataFrame(rows, _schema(seed, "text", key=("entity", "text"))).createOrReplaceTempView("facts")
    result = spark.sql(printed).collect()
    names = result[0].__fields__
    assert names[:2] == ["entity", "row"] and names[-3:] == ["total", "grade", "error"]
    by_entity = {r["entity"]: r for r in result}
    assert [by_entity[e]["row"] for e in ("商务局", "空表", "零预算")] == [1, 2, 3]
    expected = seed.ruleset.evaluate(facts)
    assert (by_entity["商务局"]["total"], by_entity["商务局"]["grade"], by_entity["商务局"]["error"]) == (
        expected.total, expected.grade, None)
    assert isinstance(by_entity["商务局"]["total"], Decimal)
    assert by_entity["空表"]["total"] is None and by_entity["空表"]["error"].startswith("PR501 ")
    python = differential.python_outcome(seed.ruleset, rows[2][1:])
    assert differential.sql_outcome(seed.ruleset, by_entity["零预算"].asDict())[0] == python[0]


@pytest.mark.parametrize("digits", [18, 19, 28, 38])
@batches.server_settings(2)
@given(data=st.data())
def test_whole_numbers_divide_exactly_past_64_bits(spark, digits, data):
    # Spark's a DIV b is a BIGINT that wraps past 18 digits: longer quotients are divided as
    # DECIMAL (rounded to 6 places) and the floor corrected. Every quotient the compiler may
    # ask for (up to max_quotient_digits) must be exact, remainders b - 1 and negatives too.
    from pyspark.sql import types

    dialect = dialects.get("spark")
    quotient_digits = min(digits, dialect.max_quotient_digits)
    pairs = data.draw(st.lists(batches.divisions(digits, quotient_digits), min_size=20, max_size=60))
    t = types.DecimalType(digits, 0)
    frame = spark.createDataFrame([(Decimal(a), Decimal(b)) for a, b in pairs],
                                  types.StructType([types.StructField("a", t), types.StructField("b", t)]))
    frame.createOrReplaceTempView("pairs")
    dec = Dec(digits, 0)
    quotient = dialect.trunc_div(cast(column("a"), dec), cast(column("b"), dec), digits)
    query = exp.select(column("a"), column("b"), cast(quotient, Dec(quotient_digits + 1, 0)).as_("q")).from_("pairs")
    found = [(int(r["a"]), int(r["b"]), r["q"]) for r in spark.sql(query.sql(dialect="spark")).collect()]
    wrong = [(a, b, q, batches.truncated(a, b)) for a, b, q in found if q is None or int(q) != batches.truncated(a, b)]
    assert not wrong, f"{len(wrong)} of {len(found)} quotients wrong (a, b, Spark, exact): {wrong[:3]}"


@batches.server_settings(2)
@given(st.lists(batches.wide_operands(), min_size=10, max_size=30))
def test_products_and_sums_at_the_widest_types_are_exact(spark, operands):
    # Spark types a product one digit wider than its operands and, past 38 digits, rounds
    # its decimals away: the compiler declares the type it proved instead (declares_types).
    query, expected = batches.arithmetic_query("spark", operands)
    found = list(spark.sql(query.sql(dialect="spark")).collect()[0])
    wrong = [(i, f, e) for i, (f, e) in enumerate(zip(found, expected)) if f is None or Decimal(f) != e]
    assert not wrong, f"inexact (column, Spark, exact): {wrong[:3]} of {operands}"
