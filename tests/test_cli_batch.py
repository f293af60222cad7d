"""``perfrules sql`` and ``perfrules score RULESET TABLE --out``: the batch commands.

``perfrules sql`` prints one query that sqlglot reads back and, for DuckDB, scores as the
Python evaluator does. ``perfrules score`` on a table writes the scored rows and the
rejected ones (row number and every reason), says "read N, scored S, rejected R", and
exits 1 when a row was rejected. The progress bar is tested with a fake clock.
"""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
import sqlglot
from sqlglot import exp

import perfrules
from perfrules.cli import main
from perfrules.commands import batch

ROOT = Path(__file__).resolve().parents[1]
RULESET = ROOT / "rulesets/shenzhen/department-overall-2024.rules"
ENTITIES = ROOT / "rulesets/shenzhen/examples/entities.csv"


@pytest.fixture(scope="module")
def ruleset():
    return perfrules.load(RULESET)


def _python_rows() -> list[dict]:
    with ENTITIES.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _python_totals(ruleset) -> dict[str, Decimal]:
    return {r["entity"]: ruleset.evaluate({k: v for k, v in r.items() if v and k != "entity"}).total
            for r in _python_rows()}


# ---- perfrules sql -------------------------------------------------------------------------


def _one_query(text: str, dialect: str) -> exp.Select:
    statements = [s for s in sqlglot.parse(text, read=dialect) if s is not None]
    assert len(statements) == 1 and isinstance(statements[0], exp.Select)
    return statements[0]


@pytest.mark.parametrize("dialect", ["duckdb", "postgres", "spark"])
def test_sql_prints_one_query_that_parses_back(dialect, tmp_path, capsys):
    # A ruleset of a few rows of the seed (the seed's own query is read back below, for DuckDB).
    rules = tmp_path / "excerpt.rules"
    rules.write_text("""ruleset "节选" version "1"
input 编外人员数: count
input 在编人数: count
input 采购计划金额: amount 万元
input 实际采购金额: amount 万元
let 编外人员控制率 = 编外人员数 / (在编人数 + 编外人员数)
group 部门管理 3 {
  indicator 编外人员控制率 1 {
    tiers 编外人员控制率: < 5% → 1; 5%..10% → 0.5; > 10% → 0
    on zero denominator → full
  }
  indicator 政府采购执行情况 2 {
    veto when 实际采购金额 > 采购计划金额 "实际采购金额大于采购计划金额"
    score min(实际采购金额 / 采购计划金额, 100%) × 2
    on zero denominator → 0
  }
}
""", encoding="utf-8")
    assert main(["sql", str(rules), "--dialect", dialect, "--key", "entity"]) == 0
    query = _one_query(capsys.readouterr().out, dialect)
    names = [e.alias_or_name for e in query.expressions]
    assert names == ["entity", "row", "部门管理/编外人员控制率", "部门管理/政府采购执行情况", "total", "grade", "error"]
    if dialect != "spark":  # (Spark divides long DECIMALs and corrects the floor by multiplying back)
        assert not list(query.find_all(exp.Div))  # every quotient a whole-number division


def test_the_duckdb_query_scores_the_examples_as_python_does(ruleset, capsys):
    assert main(["sql", str(RULESET), "--key", "entity"]) == 0
    text = capsys.readouterr().out
    assert len([e.alias_or_name for e in _one_query(text, "duckdb").expressions]) == 2 + 21 + 3
    query = text.rstrip().rstrip(";")
    con = duckdb.connect()
    con.read_csv(str(ENTITIES), header=True, all_varchar=True).create_view("facts")
    scored = con.execute(f'SELECT "entity", "total", "grade", "error" FROM ({query})').fetchall()
    expected = _python_totals(ruleset)
    assert {entity: total for entity, total, _, _ in scored} == expected
    assert {error for *_, error in scored} == {None}
    grades = {entity: ruleset.evaluate({k: v for k, v in r.items() if v and k != "entity"}).grade
              for r in _python_rows() for entity in [r["entity"]]}
    assert {entity: grade for entity, _, grade, _ in scored} == grades


def test_sql_typed_reads_decimal_columns(capsys):
    assert main(["sql", str(RULESET), "--typed", "--table", "warehouse.facts"]) == 0
    text = capsys.readouterr().out
    assert '"warehouse"."facts"' in text
    assert "REGEXP" not in text.upper()  # typed columns are not parsed from text


def test_sql_refusal_is_a_diagnostic_not_a_traceback(capsys):
    code = main(["sql", str(ROOT / "tests/errors/sql/PR803-indicator-named-row.rules")])
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith("error[PR803]: the indicator row would share its result column")
    assert "Traceback" not in err


# ---- perfrules score TABLE --out -------------------------------------------------------------


def _table_with_bad_rows(tmp_path: Path) -> Path:
    rows = _python_rows()
    bad = [dict(rows[0], entity="坏行", 在编人数="-3", 涉密免于公开="maybe"),
           dict(rows[1], entity="缺满意度", 满意度="")]
    path = tmp_path / "table.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows([rows[0], bad[0], *rows[1:], bad[1]])
    return path


def _read(path: Path) -> list[dict]:
    if path.suffix == ".jsonl":
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    if path.suffix == ".parquet":
        cursor = duckdb.connect().execute("SELECT * FROM read_parquet(?)", [str(path)])
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, r)) for r in cursor.fetchall()]
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize("suffix", [".parquet", ".jsonl"])  # (.csv: below)
def test_score_a_clean_table_writes_every_row_and_exits_0(ruleset, suffix, tmp_path, capsys):
    out = tmp_path / f"results{suffix}"
    assert main(["score", str(RULESET), str(ENTITIES), "--out", str(out)]) == 0
    assert capsys.readouterr().err.strip().splitlines()[-1] == "read 7, scored 7, rejected 0"
    rows = _read(out)
    assert {r["entity"]: Decimal(str(r["total"])) for r in rows} == _python_totals(ruleset)
    assert [int(r["row"]) for r in rows] == list(range(1, 8))
    assert _read(tmp_path / f"results.rejects{suffix}") == []


def test_score_a_table_with_bad_rows_rejects_them_with_every_reason_and_exits_1(ruleset, tmp_path, capsys):
    table = _table_with_bad_rows(tmp_path)
    found = {}
    for engine in ("duckdb", "python"):
        out, rejects = tmp_path / f"{engine}.csv", tmp_path / f"{engine}.bad.csv"
        code = main(["score", str(RULESET), str(table), "--out", str(out), "--rejects", str(rejects),
                     "--engine", engine])
        err = capsys.readouterr().err
        assert code == 1, engine
        assert err.strip().splitlines()[-1] == "read 9, scored 7, rejected 2", engine
        bad = {r["row"]: r for r in _read(rejects)}
        assert sorted(bad, key=int) == ["2", "9"], engine
        assert bad["2"]["entity"] == "坏行"
        reasons = bad["2"]["reasons"]
        assert "PR503 涉密免于公开 must be yes or no, got 'maybe'" in reasons, engine
        assert "PR504 在编人数 cannot be negative, got -3" in reasons, engine
        assert bad["9"]["reasons"].startswith("PR501 the facts do not give 满意度"), engine
        scored = _read(out)
        assert {r["entity"]: Decimal(r["total"]) for r in scored} == _python_totals(ruleset), engine
        found[engine] = [{k: v if k in ("entity", "grade") else Decimal(v) for k, v in r.items()} for r in scored]
    assert found["duckdb"] == found["python"]  # every indicator of every row, and the row numbers


def test_a_directory_of_tables_and_a_key_column(ruleset, tmp_path, capsys):
    folder = tmp_path / "tables"
    folder.mkdir()
    rows = _python_rows()
    for name, part in (("a.csv", rows[:3]), ("b.csv", rows[3:])):
        with (folder / name).open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=["部门编码", *rows[0]])
            writer.writeheader()
            writer.writerows(dict(r, 部门编码=f"D{i:02d}") for i, r in enumerate(part))
    found = {}
    for engine in ("duckdb", "python"):
        out = tmp_path / f"{engine}.csv"
        assert main(["score", str(RULESET), str(folder), "--out", str(out), "--key", "部门编码",
                     "--engine", engine]) == 0
        assert capsys.readouterr().err.strip().endswith("read 7, scored 7, rejected 0")
        found[engine] = scored = _read(out)
        assert {r["entity"]: Decimal(r["total"]) for r in scored} == _python_totals(ruleset)
        assert [(r["row"], r["部门编码"]) for r in scored] == [
            ("1", "D00"), ("2", "D01"), ("3", "D02"), ("4", "D00"), ("5", "D01"), ("6", "D02"), ("7", "D03")]
        assert list(scored[0])[:3] == ["entity", "部门编码", "row"]
    assert found["duckdb"] == found["python"]


@pytest.mark.parametrize(("args", "message"), [
    ([], "scoring a table needs --out"),
    (["--out", "results.xlsx"], "results.xlsx: results go to .csv, .parquet or .jsonl files"),
    (["--out", "results.csv", "--rejects", "bad.txt"], "bad.txt: results go to"),
])
def test_usage_errors_exit_2_without_a_traceback(args, message, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["score", str(RULESET), str(ENTITIES), *args]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []  # nothing written


def test_a_column_that_is_not_an_input_is_an_error_not_a_traceback(tmp_path, capsys):
    table = tmp_path / "t.csv"
    table.write_text("entity,满意度x\n甲,85%\n", encoding="utf-8")
    assert main(["score", str(RULESET), str(table), "--out", str(tmp_path / "o.csv")]) == 1
    err = capsys.readouterr().err
    assert "error[PR502]" in err and "满意度x" in err and "Traceback" not in err


# ---- the progress bar ------------------------------------------------------------------------


class _Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_progress_shows_only_on_a_terminal(monkeypatch):
    monkeypatch.setattr(batch.sys.stderr, "isatty", lambda: False, raising=False)
    with batch._Progress() as progress:
        assert progress is None  # the runner then reports no progress at all


def test_progress_waits_a_second_then_draws_and_stops(monkeypatch):
    clock = _Clock()
    monkeypatch.setattr(batch.time, "monotonic", clock)
    monkeypatch.setattr(batch.sys.stderr, "isatty", lambda: True, raising=False)
    drawn = []

    class Bar:  # stands in for rich's Progress: what was drawn, and whether it was stopped
        def __init__(self, *columns, **options):
            drawn.append(("made", options.get("transient")))

        def start(self):
            drawn.append(("start",))

        def add_task(self, name, total):
            drawn.append(("task", total))
            return 7

        def update(self, task, completed):
            drawn.append(("update", task, completed))

        def stop(self):
            drawn.append(("stop",))

    import rich.progress

    monkeypatch.setattr(rich.progress, "Progress", Bar)
    with batch._Progress() as progress:
        progress(0.1)
        clock.now += 0.5
        progress(0.3)
        assert drawn == []  # a short run shows nothing
        clock.now += 0.6
        progress(0.5)
        progress(1.0)
    assert drawn == [("made", True), ("start",), ("task", 1.0), ("update", 7, 0.5), ("update", 7, 1.0), ("stop",)]


def test_a_short_run_never_draws(monkeypatch):
    clock = _Clock()
    monkeypatch.setattr(batch.time, "monotonic", clock)
    monkeypatch.setattr(batch.sys.stderr, "isatty", lambda: True, raising=False)
    progress = batch._Progress()
    with progress as report:
        report(1.0)
    assert progress._bar is None
