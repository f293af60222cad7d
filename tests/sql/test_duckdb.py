"""The SQL back end on DuckDB scores every row as the Python evaluator does.

Differential tests: Hypothesis draws batches of rows for both seed rulesets (facts biased
to band edges by ``perfrules.testing``, then some cells replaced by the traps of real
tables: halfway values, percents written ``85%`` or ``0.85``, full-width digits, left-out
and invalid cells, zeros where a rate divides, values too long for the SQL columns). Each
batch is loaded into one DuckDB table, as a CSV gives it (every cell text) and as typed
columns (DECIMAL, BOOLEAN), scored by the compiled query once, and every row is compared
with ``Ruleset.evaluate``: every indicator, the total, the grade, or the error codes with
the input each is about.

Then the float traps, one test each, which fail if the query divides as DuckDB does
(a DECIMAL divided by a DECIMAL is a DOUBLE in DuckDB), and ``duckdb_runner.score_table``
on a table, a DataFrame, Parquet and CSV.
"""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlglot import exp

import perfrules
from perfrules import testing
from perfrules.sql import SqlError, compile_query, typed_columns
from perfrules.sql.compile import BOUNDARY
from perfrules.sql.duckdb_runner import score_table
from perfrules.sql.exact import Dec
from perfrules.sql.inputs import Limits
from tests.sql.differential import cell, difference, python_outcome, reasons, sql_outcome, wide_defaults

pyarrow = pytest.importorskip("pyarrow")
pandas = pytest.importorskip("pandas")

ROOT = Path(__file__).resolve().parents[2]
SEEDS = {year: ROOT / f"rulesets/shenzhen/department-overall-{year}.rules" for year in ("2023", "2024")}
COMMERCE = ROOT / "rulesets/shenzhen/examples/commerce-2024.yaml"
ENTITIES = ROOT / "rulesets/shenzhen/examples/entities.csv"

# A batch costs one run of a query of a few hundred kilobytes (about half a second): few
# examples, many rows in each.
# Shrinking would rerun a half-second query thousands of times: a failure names its rows and cells instead.
BATCHES = settings(max_examples=6, deadline=None, database=None, phases=[Phase.explicit, Phase.generate],
                   suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                          HealthCheck.large_base_example])

# ---- the traps of real tables, by kind; those marked wide are beyond the SQL columns ------

TRAPS = {
    "count": ["0", "1.5", "-1", "abc", "１２", "1,000", "  7 ", "3.0", "1e1", "12345678901"],
    "amount": ["0", "-0.01", "x", "4.575", "0.9", "7,341.03", "１２３.４５", "1e3", "0.005",
               "1234567890123", "0.00001", "13", "100"],
    "percent": ["85%", "0.85", "0.9", "100%", "５％", "0%", "-5%", "abc", " 90 % ", "95.5%", "0.0000001",
                "12.3456789%", "4.575%"],
    "ratio": ["85%", "0.85", "0.9", "1", "0", "abc", "0.0000001"],
    "judged": ["0.9", "0.5", "1.5", "-0.5", "x", "0.12345", "4.575", "0", "1"],
    "number": ["4.575", "-3", "0", "x", "1.2345678"],
    "flag": ["是", "否", "Y", "n", "TRUE", "no", "maybe", "1", " yes "],
}
WIDE = {"count": {"12345678901"}, "amount": {"1234567890123", "0.00001"},
        "percent": {"0.0000001", "12.3456789%"}, "ratio": {"0.0000001"}, "judged": {"0.12345"},
        "number": {"1.2345678"}}


def _kind(slot) -> str:
    return slot.kind


@st.composite
def text_rows(draw, ruleset):
    """One row of cells as a CSV gives them, and the inputs whose cell is too wide for SQL."""
    inputs = ruleset.model.inputs
    facts = draw(testing.facts_for(ruleset))
    row = [cell(facts.get(slot.name)) for slot in inputs]
    wide = set()
    for _ in range(draw(st.sampled_from([0, 0, 0, 1, 1, 2, 3]))):
        i = draw(st.integers(0, len(inputs) - 1))
        slot = inputs[i]
        row[i] = draw(st.sampled_from([None, "", " ", *TRAPS[_kind(slot)]]))
        wide.discard(slot.name)
        if row[i] in WIDE.get(_kind(slot), ()):
            wide.add(slot.name)
    return row, frozenset(wide)


@st.composite
def typed_rows(draw, ruleset):
    """One row of typed cells (Decimal, bool, None), as Parquet or a DataFrame gives them."""
    inputs = ruleset.model.inputs
    facts = draw(testing.facts_for(ruleset))
    row = [_typed(slot, facts.get(slot.name)) for slot in inputs]
    for _ in range(draw(st.sampled_from([0, 0, 1, 2]))):
        i = draw(st.integers(0, len(inputs) - 1))
        slot = inputs[i]
        if slot.kind == "flag":
            row[i] = draw(st.sampled_from([None, True, False]))
        else:
            # within what the column's DECIMAL type holds: a typed column cannot hold more
            above = (slot.high + 1) if slot.high is not None else Decimal(9999)
            traps = [None, Decimal(0), Decimal(-1), above, Decimal(100)]
            if slot.kind != "count":
                traps += [Decimal("0.9"), Decimal("4.575"), Decimal("-0.0001")]
            row[i] = draw(st.sampled_from(traps))
    return row


def _typed(slot, value):
    if value is None or slot.kind == "flag":
        return value
    if isinstance(value, str):  # a percent written "12.5%"
        return Decimal(value.rstrip("%")) / 100
    return Decimal(value)


# ---- one DuckDB connection per seed ruleset: a table of text and one of typed columns -----


class Bench:
    """A seed ruleset compiled once for a table of text and once for typed columns; each
    batch replaces the table's rows and runs the view once."""

    def __init__(self, path: Path) -> None:
        self.ruleset = perfrules.load(path)
        self.inputs = self.ruleset.model.inputs
        self.con = duckdb.connect()
        typed = typed_columns(self.ruleset.model)
        self.types = {}
        for slot in self.inputs:
            t = typed[slot.name]
            self.types[slot.name] = (pyarrow.bool_() if t.kind == "boolean"
                                     else pyarrow.decimal128(Dec(t.digits, t.scale).precision, t.scale))
        for name, columns in (("text", None), ("typed", typed)):
            declared = ", ".join(f'"{s.name}" {"VARCHAR" if columns is None else _duck(self.types[s.name])}'
                                 for s in self.inputs)
            self.con.execute(f'CREATE TABLE facts_{name} ("n" BIGINT, {declared})')
            query = compile_query(self.ruleset.model, table=f"facts_{name}", columns=columns, row="n")
            self.con.execute(f"CREATE VIEW scored_{name} AS {query.sql(dialect='duckdb')}")

    def run(self, kind: str, rows: list[list]) -> list[dict]:
        arrays = {"n": pyarrow.array(range(1, len(rows) + 1), pyarrow.int64())}
        for i, slot in enumerate(self.inputs):
            arrow_type = pyarrow.string() if kind == "text" else self.types[slot.name]
            arrays[slot.name] = pyarrow.array([row[i] for row in rows], arrow_type)
        batch = pyarrow.table(arrays)  # noqa: F841 - read by name below
        self.con.execute(f"DELETE FROM facts_{kind}")
        self.con.execute(f"INSERT INTO facts_{kind} SELECT * FROM batch")
        cursor = self.con.execute(f'SELECT * FROM scored_{kind} ORDER BY "row"')
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, record)) for record in cursor.fetchall()]


def _duck(arrow_type) -> str:
    return "BOOLEAN" if arrow_type == pyarrow.bool_() else f"DECIMAL({arrow_type.precision}, {arrow_type.scale})"


_BENCHES: dict[str, Bench] = {}


def bench(year: str) -> Bench:
    if year not in _BENCHES:
        _BENCHES[year] = Bench(SEEDS[year])
    return _BENCHES[year]


def _compare(ruleset, rows: list, records: list[dict], wide: list = None) -> None:
    assert [r["row"] for r in records] == list(range(1, len(rows) + 1))
    problems = []
    for i, (row, record) in enumerate(zip(rows, records)):
        too_wide = (wide[i] if wide else frozenset()) | wide_defaults(ruleset, row)
        found = difference(python_outcome(ruleset, row), sql_outcome(ruleset, record), wide=too_wide)
        if found:
            given = {s.name: v for s, v in zip(ruleset.model.inputs, row)}
            problems.append(f"row {i + 1}: {found}\n  cells: {given}")
    assert not problems, "\n".join(problems[:3])


# ---- differential tests on the seed rulesets -------------------------------------------------


@pytest.mark.parametrize("year", sorted(SEEDS))
@BATCHES
@given(data=st.data())
def test_text_cells_score_as_python_scores_them(year, data):
    seed = bench(year)
    drawn = data.draw(st.lists(text_rows(seed.ruleset), min_size=1, max_size=25), label="rows")
    rows, wide = [r for r, _ in drawn], [w for _, w in drawn]
    _compare(seed.ruleset, rows, seed.run("text", rows), wide)


@pytest.mark.parametrize("year", sorted(SEEDS))
@BATCHES
@given(data=st.data())
def test_typed_cells_score_as_python_scores_them(year, data):
    seed = bench(year)
    rows = data.draw(st.lists(typed_rows(seed.ruleset), min_size=1, max_size=30), label="rows")
    _compare(seed.ruleset, rows, seed.run("typed", rows))


def test_the_example_entities_score_as_python_scores_them():
    # The entities of the examples, each also with one cell at a time set to a trap: every
    # kind of problem, and the rows around band edges the examples were written for.
    seed = bench("2024")
    with ENTITIES.open(encoding="utf-8", newline="") as handle:
        entities = [[r[s.name] or None for s in seed.inputs] for r in csv.DictReader(handle)]
    rows, wide = list(entities), [frozenset()] * len(entities)
    for i, slot in enumerate(seed.inputs):
        for j, trap in enumerate(TRAPS[slot.kind][:4]):
            row = list(entities[(i + j) % len(entities)])
            row[i] = trap
            rows.append(row)
            wide.append(frozenset())
    records = seed.run("text", rows)
    _compare(seed.ruleset, rows, records, wide)
    assert sum(r["error"] is None for r in records) > len(entities)  # the traps did not reject everything


@settings(max_examples=8, deadline=None, database=None, phases=[Phase.explicit, Phase.generate],
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(text=testing.rulesets(), data=st.data())
def test_random_rulesets_score_as_python_scores_them(text, data):
    ruleset = perfrules.loads(text)
    rows = data.draw(st.lists(text_rows(ruleset), min_size=1, max_size=12), label="rows")
    con = duckdb.connect()
    columns = ", ".join(f'"{s.name}" VARCHAR' for s in ruleset.model.inputs)
    con.execute(f'CREATE TABLE facts ("n" BIGINT, {columns})')
    con.executemany(f"INSERT INTO facts VALUES (?{', ?' * len(ruleset.model.inputs)})",
                    [[i + 1, *row] for i, (row, _) in enumerate(rows)])
    try:
        query = compile_query(ruleset.model, row="n")
    except SqlError as error:
        # A value that could need more than 38 digits is refused when the query is built
        # (PR801), never computed wrongly; the Python evaluator scores such a ruleset.
        assert {d.code for d in error.diagnostics} == {"PR801"}
        return
    cursor = con.execute(query.sql(dialect="duckdb") + ' ORDER BY "row"')
    names = [d[0] for d in cursor.description]
    records = [dict(zip(names, record)) for record in cursor.fetchall()]
    _compare(ruleset, [r for r, _ in rows], records, [w for _, w in rows])


# ---- the float traps ---------------------------------------------------------------------------


def test_duckdb_divides_decimals_into_doubles_so_the_query_never_divides():
    # The trap itself: in DuckDB a DECIMAL divided by a DECIMAL is a DOUBLE...
    con = duckdb.connect()
    assert con.execute("SELECT typeof(CAST(14 AS DECIMAL(18, 4)) / CAST(100 AS DECIMAL(18, 4)))").fetchone() == (
        "DOUBLE",)
    # ...so the compiled query has no division: only whole numbers divided into whole numbers.
    for path in SEEDS.values():
        query = compile_query(perfrules.load(path).model)
        assert list(query.find_all(exp.Div)) == []
        assert list(query.find_all(exp.IntDiv))  # the rates are there, as whole-number divisions


def _seed_row(year: str, **changes) -> list[str | None]:
    facts = perfrules.load_facts(COMMERCE)
    facts = {**{k: v for k, v in facts.items()}, **changes}
    return [cell(facts.get(slot.name)) for slot in bench(year).inputs]


def test_a_started_unit_of_exactly_14_percent_minus_10_is_four_units():
    # deduct 0.1 per started 1% of 调整调剂比例 above 10%: at 14 / 100 that is 4 units, 0.4.
    # In doubles 14/100 − 0.10 is 0.04000000000000001, whose ceiling in 1% units is 5.
    con = duckdb.connect()
    naive = con.execute("SELECT ceil((CAST(14 AS DECIMAL(18, 4)) / CAST(100 AS DECIMAL(18, 4)) - 0.10) / 0.01)")
    assert naive.fetchone()[0] == 5
    seed = bench("2024")
    rows = [_seed_row("2024", 调整调剂资金累计额="14", 部门预算总规模="100"),
            _seed_row("2024", 调整调剂资金累计额="14.0001", 部门预算总规模="100")]
    records = seed.run("text", rows)
    _compare(seed.ruleset, rows, records)
    # 财务合规性 is three parts of 1: 违规支出 1, 调整调剂规范性 1 − 0.4 (then − 0.5 just above), 会计核算 1
    assert [r["部门管理/资金管理/财务合规性"] for r in records] == [Decimal("2.60"), Decimal("2.50")]


@pytest.mark.parametrize(("mode", "expected"), [("half_up", "4.58"), ("half_even", "4.58"),
                                                 ("half_down", "4.57"), ("down", "4.57"), ("up", "4.58")])
def test_a_halfway_score_is_rounded_by_the_ruleset_mode(mode, expected):
    # 45.75 / 10 is 4.575 exactly; the double nearest to it is 4.57499999999999996…
    ruleset = perfrules.loads(f"""ruleset "r" rounding {mode} 2
input 得分合计: number 0..50
input 评分: judged 0..5
input 完成数: amount 万元
input 计划数: amount 万元
indicator 平均得分 5 {{ score 得分合计 / 10 }}
indicator 评价 5 = 评分
indicator 完成率 5 {{ score min(完成数 / 计划数, 100%) × 5 }}
""")
    con = duckdb.connect()
    con.execute('CREATE TABLE facts ("得分合计" VARCHAR, "评分" VARCHAR, "完成数" VARCHAR, "计划数" VARCHAR)')
    rows = [["45.75", "4.575", "91.5", "100"], ["45.75", "4.575", "45.75", "50"]]
    con.executemany("INSERT INTO facts VALUES (?, ?, ?, ?)", rows)
    cursor = con.execute(compile_query(ruleset.model).sql(dialect="duckdb"))
    names = [d[0] for d in cursor.description]
    records = [dict(zip(names, r)) for r in cursor.fetchall()]
    _compare(ruleset, rows, records)
    for record in records:
        assert {record["平均得分"], record["评价"], record["完成率"]} == {Decimal(expected)}


def test_a_tenth_given_as_a_double_is_read_as_the_tenth_that_was_written():
    # 0.9 in a float column is 0.90000000000000002…; the ≥ 90% band must take it, and 0.8999 not.
    ruleset = perfrules.loads("""ruleset "r"
input 满意度: percent 0%..100%
indicator 满意 6 { tiers 满意度: ≥ 90% → 6; 80%..<90% → 4; < 80% → 0 }
""")
    frame = pandas.DataFrame({"满意度": [0.9, 0.8999, 0.1 + 0.7, None]})
    con = duckdb.connect()
    summary = score_table(ruleset, frame, connection=con)
    scores = con.execute('SELECT "满意", "error" FROM __pr_scored ORDER BY rowid').fetchall()
    assert scores[:2] == [(Decimal("6.00"), None), (Decimal("4.00"), None)]
    for value, (score, _) in zip([0.9, 0.8999], scores):
        assert ruleset.evaluate({"满意度": value}).find("满意").score == score
    # 0.1 + 0.7 is 0.7999999999999999 as a double, 16 decimals: refused, never rounded to 0.8
    assert scores[2][1].startswith("PR805 满意度 has more than 4 digits before the point or 6 after it")
    assert "'0.7999999999999999'" in scores[2][1]
    # and a row whose every cell is empty is no row at all, as in a CSV
    assert (summary.read, summary.scored, summary.rejected) == (3, 2, 1)


def test_a_value_beyond_the_sql_columns_is_refused_not_rounded():
    # Python reads 0.123456789 exactly; the SQL columns of a ratio carry 6 decimals: PR805.
    seed = bench("2024")
    rows = [_seed_row("2024", 满意度="12.3456789%"), _seed_row("2024", 满意度="12.3456%")]
    records = seed.run("text", rows)
    assert reasons(records[0]["error"]) == [
        "PR805 满意度 has more than 4 digits before the point or 6 after it, which the SQL backend does not "
        "compute exactly; got '12.3456789%'; needed by 部门绩效 › 公平性 › 公众或服务对象满意度"]
    _compare(seed.ruleset, rows[1:], [dict(records[1], row=1)])
    wider = compile_query(seed.ruleset.model, limits=Limits(ratio=(4, 8)), row=False).sql(dialect="duckdb")
    assert "DECIMAL(12, 8)" in wider  # a caller who needs more digits can have them


# ---- score_table: where the facts come from, and where the rows go ----------------------------


@pytest.fixture(scope="module")
def seed_2024():
    return bench("2024").ruleset


def _bad_table(tmp_path: Path) -> Path:
    """The example entities and three bad rows: a negative count and a word for a flag in one
    row, a blank cell that is needed, and a zero budget the rate divides by."""
    with ENTITIES.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    bad = [dict(rows[0], entity="坏行一", 在编人数="-3", 涉密免于公开="maybe"),
           dict(rows[0], entity="坏行二", 满意度=""),
           dict(rows[0], entity="坏行三", 部门预算总规模="0")]
    path = tmp_path / "table.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows[:2] + bad[:2] + rows[2:] + bad[2:])
    return path


def _read(path: Path) -> list[dict]:
    con = duckdb.connect()
    reader = {".csv": "read_csv", ".parquet": "read_parquet", ".jsonl": "read_json"}[path.suffix]
    args = ", all_varchar = true" if reader == "read_csv" else ""
    cursor = con.execute(f"SELECT * FROM {reader}(?{args})", [str(path)])
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, r)) for r in cursor.fetchall()]


def test_a_csv_is_scored_in_place_with_rejects_and_counts_that_add_up(seed_2024, tmp_path):
    table = _bad_table(tmp_path)
    summary = score_table(seed_2024, table, out=tmp_path / "out.csv")
    assert (summary.read, summary.scored, summary.rejected) == (10, 7, 3)
    assert summary.read == summary.scored + summary.rejected
    assert summary.line() == "read 10, scored 7, rejected 3"
    assert summary.rejects == tmp_path / "out.rejects.csv"
    rejects = {r["row"]: r for r in _read(summary.rejects)}
    assert sorted(rejects, key=int) == ["3", "4", "10"]  # row numbers among the table's data rows
    assert rejects["3"]["entity"] == "坏行一"
    assert [r[:5] for r in reasons(rejects["3"]["reasons"])] == ["PR503", "PR504"]  # every reason, in order
    assert reasons(rejects["4"]["reasons"])[0].startswith("PR501 the facts do not give 满意度")
    assert rejects["10"]["reasons"].startswith("PR601 ")
    scored = _read(tmp_path / "out.csv")
    assert [r["row"] for r in scored] == ["1", "2", "5", "6", "7", "8", "9"]
    with table.open(encoding="utf-8", newline="") as handle:
        cells = [[r[s.name] or None for s in seed_2024.model.inputs] for r in csv.DictReader(handle)]
    for record in scored:
        python = python_outcome(seed_2024, cells[int(record["row"]) - 1])
        assert python[0] == "scores"
        assert Decimal(record["total"]) == python[2] and record["grade"] == python[3]
        assert {k: Decimal(record[k]) for k in python[1]} == python[1]


def _expected_totals(seed) -> list[Decimal]:
    with ENTITIES.open(encoding="utf-8", newline="") as handle:
        rows = [{k: v for k, v in r.items() if v and k != "entity"} for r in csv.DictReader(handle)]
    return [seed.evaluate(r).total for r in rows]


def test_parquet_a_dataframe_and_a_duckdb_table_score_as_python(seed_2024, tmp_path):
    expected = _expected_totals(seed_2024)
    con = duckdb.connect()
    con.execute("CREATE TABLE entities AS SELECT * FROM read_csv(?, header = true)", [str(ENTITIES)])
    parquet = tmp_path / "entities.parquet"
    con.execute(f"COPY entities TO '{parquet}' (FORMAT parquet)")
    frame = con.execute("SELECT * FROM entities").df()
    # (the CSV itself, every cell text, is scored in place by the tests above and below)
    for source, connection in ((parquet, None), (frame, None), (con.table("entities"), con)):
        out = tmp_path / "out.jsonl"
        summary = score_table(seed_2024, source, out=out, connection=connection)
        assert (summary.read, summary.scored, summary.rejected) == (len(expected), len(expected), 0)
        lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
        assert [Decimal(str(r["total"])) for r in lines] == expected, type(source)
    # typed columns were read as typed: DuckDB gave the counts as integers and the money as doubles
    assert dict(con.execute("SELECT column_name, column_type FROM (DESCRIBE entities)").fetchall())["在编人数"] == "BIGINT"


def test_a_row_on_a_boundary_is_handed_to_python(tmp_path):
    # 1 / 3 × 3 is exactly 100%; Python's 28 digits make it 99.99…%, below the band edge.
    ruleset = perfrules.load(ROOT / "tests/errors/sql/PR804-boundary-row.rules")
    table = ROOT / "tests/errors/sql/PR804-boundary-row.csv"
    con = duckdb.connect()
    summary = score_table(ruleset, table, out=tmp_path / "out.parquet", connection=con)
    assert (summary.read, summary.scored, summary.rejected, summary.by_python) == (2, 2, 0, 1)
    scored = {r["entity"]: r for r in _read(tmp_path / "out.parquet")}
    python = ruleset.evaluate({"分摊份数": 3, "完成份数": 1}).find("完成情况").score
    assert scored["乙单位"]["完成情况"] == python == Decimal("0.00")
    assert scored["甲单位"]["完成情况"] == Decimal("2.00")
    # the query alone marks that row rather than give its exact (and un-Pythonic) 2.00
    query = compile_query(ruleset.model, table=exp.Table(this=exp.to_identifier("__pr_source")), keys=("entity",))
    marked = con.execute(f'SELECT "entity", "error" FROM ({query.sql(dialect="duckdb")})').fetchall()
    assert dict(marked) == {"甲单位": None, "乙单位": BOUNDARY}


def test_a_directory_of_tables_is_one_table(seed_2024, tmp_path):
    folder = tmp_path / "tables"
    folder.mkdir()
    lines = ENTITIES.read_text(encoding="utf-8").splitlines()
    (folder / "a.csv").write_text("\n".join(lines[:3]) + "\n", encoding="utf-8")
    (folder / "b.csv").write_text("\n".join([lines[0], *lines[3:]]) + "\n", encoding="utf-8")
    summary = score_table(seed_2024, folder, out=tmp_path / "out.csv")
    assert (summary.read, summary.scored, summary.rejected) == (len(lines) - 1, len(lines) - 1, 0)
    totals = sorted(Decimal(r["total"]) for r in _read(tmp_path / "out.csv"))
    assert totals == sorted(_expected_totals(seed_2024))


def test_a_negative_or_out_of_range_cell_is_rejected_without_stopping_the_query():
    # The rate divides by the budget: a negative budget once reached a cast proved for
    # values that are never negative, and DuckDB stopped the query for every row.
    seed = bench("2023")
    rows = [_seed_row("2023", 部门预算总规模="-0.01"), _seed_row("2023", 效果性评分="-3"),
            _seed_row("2023", 满意度="150%"), _seed_row("2023")]
    records = seed.run("text", rows)
    _compare(seed.ruleset, rows, records)
    assert [r["error"][:5] if r["error"] else None for r in records] == ["PR504", "PR505", "PR505", None]
