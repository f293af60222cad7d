"""Batch scoring on DuckDB: a table of facts in, scores and rejects out.

``score_table`` reads CSV (every column as text), Parquet or a DataFrame in place,
scores every row with the query of ``compile``, and writes the scored rows to one file
and the rejected rows, each with its row number and every reason, to another. The run
counts the rows read, scored and rejected; the three always add up.

Three things make it fast without giving up exactness:

- a first pass over typed columns (min, max, count: aggregates, far cheaper than a test
  per row) proves what the data cannot do, for instance be negative, out of range, empty
  or zero where it divides; the query is compiled for that table and leaves those tests
  out (``ColumnType.low``, ``high``, ``complete``);
- the query is first run *optimistic*: DuckDB multiplies DECIMALs of up to 18 digits in
  64 bits, and raises an overflow error rather than wrap; only if it does is the query
  run again with 128-bit products;
- rows the query flags as sitting exactly on a boundary that Python's 28-digit quotients
  decide (PR804) are scored by the Python evaluator, so every score is Python's.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from decimal import Decimal
from pathlib import Path

import attrs
import duckdb
from sqlglot import exp

from perfrules import model
from perfrules.diagnostics import Diagnostic
from perfrules.errors import FactsError, PerfrulesError
from perfrules.sql.compile import BOUNDARY, RESERVED, compile_query
from perfrules.sql.inputs import ABSENT, TEXT, ColumnType
from perfrules.sql.plan import column

ENTITY_COLUMNS = ("entity", "id")  # as perfrules.tables: they name the entity, they are not inputs
_SOURCE, _SCORED, _RESCUED = "__pr_source", "__pr_scored", "__pr_rescued"
# CREATE TABLE AS keeps the order of the rows it reads (so does UPDATE): the stored row's
# id is its place in the table, counted from 0, without a window that would serialise it.
_ROW = "(rowid + 1)"
_FORMATS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet", ".jsonl": "json", ".json": "json"}


@attrs.frozen
class Summary:
    """What a batch run did: rows read, scored and rejected (read = scored + rejected), how
    many of the scored the Python evaluator decided, and where the results went."""

    read: int
    scored: int
    rejected: int
    by_python: int
    out: Path | None
    rejects: Path | None
    seconds: float

    def line(self) -> str:
        return f"read {self.read}, scored {self.scored}, rejected {self.rejected}"


def score_table(ruleset, source, *, out: str | Path | None = None, rejects: str | Path | None = None,
                keys: Sequence[str] = (), connection: duckdb.DuckDBPyConnection | None = None,
                progress: Callable[[float], None] | None = None) -> Summary:
    """Score every row of ``source`` with ``ruleset`` (a ``perfrules.Ruleset``).

    Args:
        source: a ``.csv`` or ``.parquet`` file, a directory or glob of them, a pandas,
            Polars or Arrow frame, or a relation of ``connection``. Columns are named after inputs; ``entity`` and ``id``
            and the ``keys`` are copied to the results.
        out: where scored rows go (``.csv``, ``.parquet`` or ``.jsonl``); without it the
            results stay in the connection's ``__pr_scored`` table.
        rejects: where rejected rows go, with their row number and reasons (same formats).
        progress: called now and then with the fraction done, while the query runs.

    Raises:
        FactsError: a column that is neither an input nor a key (PR502), or a table that
            cannot be read (PR520).
    """
    started = time.perf_counter()
    con = connection or duckdb.connect()
    checked = ruleset.model
    columns = _register(con, source)
    keys = _keys(checked, columns, keys)
    types = _column_types(con, checked, columns)
    source_rows = _nonblank(types, keys, columns)
    query = _query(checked, types, keys, source_rows)
    _run(con, query, progress)
    by_python = _rescue(con, ruleset, checked, columns, source_rows)
    read, rejected = con.execute(f'SELECT count(*), count("error") FROM {_SCORED}').fetchall()[0]
    if out is not None:
        _write(con, checked, keys, Path(out), Path(rejects) if rejects else default_rejects(Path(out)))
    return Summary(read, read - rejected, rejected, by_python, Path(out) if out else None,
                   (Path(rejects) if rejects else default_rejects(Path(out))) if out else None,
                   time.perf_counter() - started)


def default_rejects(out: Path) -> Path:
    """``results.csv`` → ``results.rejects.csv``: next to the results, in their format."""
    return out.with_name(f"{out.stem}.rejects{out.suffix}")


# ---- reading the source ----------------------------------------------------------------------


def _register(con, source) -> dict[str, str]:
    """Make ``source`` the view ``__pr_source``; return its columns and DuckDB types."""
    try:
        if isinstance(source, (str, Path)):
            path = Path(source)
            pattern = str(path / "*") if path.is_dir() else str(path)
            kind = _kind_of(path)
            relation = (con.read_csv(pattern, header=True, all_varchar=True) if kind == ".csv"
                        else con.read_parquet(pattern))
            relation.create_view(_SOURCE, replace=True)
        elif isinstance(source, duckdb.DuckDBPyRelation):
            source.create_view(_SOURCE, replace=True)
        else:
            con.register(_SOURCE, source)
        described = con.execute(f"DESCRIBE SELECT * FROM {_SOURCE}").fetchall()
    except duckdb.Error as error:
        raise FactsError([Diagnostic("PR520", f"cannot read the table {source}: {error}")]) from None
    return {name: str(kind) for name, kind, *_ in described}


def _kind_of(path: Path) -> str:
    if path.is_dir():
        suffixes = {p.suffix.lower() for p in path.iterdir() if p.suffix.lower() in (".csv", ".parquet", ".pq")}
        if len(suffixes) != 1:
            raise FactsError([Diagnostic("PR520", f"{path} must hold .csv or .parquet files, one kind only")])
        return ".csv" if suffixes == {".csv"} else ".parquet"
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".parquet", ".pq"):
        raise FactsError([Diagnostic("PR520", f"a table must be .csv or .parquet, not {path.name}")])
    return ".csv" if suffix == ".csv" else ".parquet"


def _keys(checked: model.Ruleset, columns: dict, keys: Sequence[str]) -> tuple[str, ...]:
    inputs = {slot.name for slot in checked.inputs}
    kept = [c for c in columns if c.lower() in ENTITY_COLUMNS and c not in inputs] + list(keys)
    unknown = [c for c in keys if c not in columns]
    if unknown:
        raise FactsError([Diagnostic("PR520", f"the table has no column {unknown[0]} to keep")])
    extra = [c for c in columns if c not in inputs and c not in kept]
    if extra:
        raise FactsError([Diagnostic(
            "PR502", f"the table has columns that are not inputs of {checked.name}: {', '.join(extra)}",
            hint="name them with --key to copy them to the results")])
    clash = [k for k in kept if k in RESERVED]
    if clash:
        raise FactsError([Diagnostic("PR520", f"a key column may not be called {clash[0]}")])
    return tuple(dict.fromkeys(kept))


def _column_types(con, checked: model.Ruleset, columns: dict) -> dict[str, ColumnType]:
    """What each input column holds and, for typed columns, what DuckDB's statistics or
    one aggregate pass proved of it."""
    types = {}
    for slot in checked.inputs:
        if slot.name in columns:
            types[slot.name] = _declared(columns[slot.name])
    typed = [name for name, t in types.items() if t.kind in ("decimal", "boolean")]
    if not typed:
        return types
    proved = _statistics(con, types, typed)
    types.update(proved)
    typed = [name for name in typed if name not in proved]
    if not typed:
        return types
    select = [exp.Count(this=exp.Star())]
    for name in typed:
        select.append(exp.Count(this=column(name)))
        if types[name].kind == "decimal":
            select += [exp.Min(this=column(name)), exp.Max(this=column(name))]
    query = exp.Select(expressions=select)
    query.set("from_", exp.From(this=exp.Table(this=exp.to_identifier(_SOURCE))))
    found = list(con.execute(query.sql(dialect="duckdb")).fetchall()[0])
    rows = found.pop(0)
    for name in typed:
        complete = found.pop(0) == rows
        low = high = None
        if types[name].kind == "decimal":
            low, high = _decimal(found.pop(0)), _decimal(found.pop(0))
        types[name] = attrs.evolve(types[name], low=low, high=high, complete=complete)
    return types


def _statistics(con, types: dict, typed: list[str]) -> dict[str, ColumnType]:
    """What DuckDB already knows of the columns, without reading them: the bounds and
    null flags it keeps for a table (zone maps) or reads from a Parquet file's footer.
    Reading them costs milliseconds; the aggregate pass reads every value (a quarter of a
    second for a million rows of Parquet, decoded twice). DuckDB's own filters skip data
    by these statistics, so they are as trustworthy as its answers; they may be wider than
    the data (a proof then leaves a test in), never narrower. A column they say nothing
    about (a DataFrame, an empty table) is left to the aggregate pass."""
    select = [exp.Anonymous(this="stats", expressions=[column(name)]) for name in typed]
    query = exp.Select(expressions=select).from_(exp.Table(this=exp.to_identifier(_SOURCE))).limit(1)
    try:
        found = con.execute(query.sql(dialect="duckdb")).fetchone()
    except duckdb.Error:
        return {}
    proved = {}
    for name, stats in zip(typed, found or ()):
        if not isinstance(stats, dict) or not isinstance(stats.get("has_null"), bool):
            continue
        low = high = None
        if types[name].kind == "decimal":
            low, high = stats.get("min"), stats.get("max")
            if not all(isinstance(v, (int, Decimal)) and not isinstance(v, bool) for v in (low, high)):
                continue
            low, high = Decimal(low), Decimal(high)
        proved[name] = attrs.evolve(types[name], low=low, high=high, complete=not stats["has_null"])
    return proved


def _declared(duck_type: str) -> ColumnType:
    text = duck_type.upper()
    if text == "BOOLEAN":
        return ColumnType("boolean")
    if text.startswith("DECIMAL("):
        precision, scale = (int(x) for x in text[8:-1].split(","))
        return ColumnType("decimal", precision - scale, scale)
    integers = {"TINYINT": 3, "SMALLINT": 5, "INTEGER": 10, "BIGINT": 19, "HUGEINT": 39,
                "UTINYINT": 3, "USMALLINT": 5, "UINTEGER": 10, "UBIGINT": 20, "UHUGEINT": 39}
    if text in integers:
        return ColumnType("decimal", integers[text], 0)
    if text in ("DOUBLE", "FLOAT", "REAL"):
        return ColumnType("double")
    if text == "VARCHAR":
        return TEXT
    return ColumnType("other")


def _decimal(value) -> Decimal | None:
    return None if value is None else Decimal(value)


# ---- the query -------------------------------------------------------------------------------


_COMPILED: dict = {}  # the same ruleset on a table of the same shape and ranges: the same query


def _query(checked: model.Ruleset, types: dict, keys: tuple, source: exp.Expression) -> Callable[[bool], str]:
    def build(optimistic: bool) -> str:
        key = (id(checked), checked.fingerprint, tuple(types.items()), keys, source.sql(), optimistic)
        if key not in _COMPILED:
            if len(_COMPILED) > 32:
                _COMPILED.clear()
            query = compile_query(checked, dialect="duckdb", table=source, columns=types, keys=keys, row=False,
                                  blank_rejected=False, optimistic=optimistic)
            _COMPILED[key] = (checked, query.sql(dialect="duckdb"))
        return _COMPILED[key][1]

    return build


def _nonblank(types: dict, keys: tuple, columns: dict) -> exp.Expression:
    """The source without rows whose every cell is empty, as ``perfrules.tables`` skips them."""
    table = exp.Table(this=exp.to_identifier(_SOURCE))
    if any(t.complete for t in types.values()):
        return table  # a column without an empty cell: no row is all empty
    blanks = []
    for name in [*types, *keys]:
        cell = column(name)
        blank = exp.Is(this=cell, expression=exp.Null())
        if columns[name] == "VARCHAR":
            trimmed = exp.Trim(this=cell, position="BOTH")
            blank = exp.Or(this=blank, expression=exp.EQ(this=trimmed, expression=exp.Literal.string("")))
        blanks.append(exp.Paren(this=blank))
    if not blanks:
        return table
    every = blanks[0]
    for blank in blanks[1:]:
        every = exp.And(this=every, expression=blank)
    select = exp.Select(expressions=[exp.Star()])
    select.set("from_", exp.From(this=table))
    select.set("where", exp.Where(this=exp.Not(this=exp.Paren(this=every))))
    return exp.Subquery(this=select, alias=exp.TableAlias(this=exp.to_identifier("__pr_rows")))


def _run(con, query: Callable[[bool], str], progress) -> None:
    try:
        _execute(con, f"CREATE OR REPLACE TEMP TABLE {_SCORED} AS {query(True)}", progress)
    except duckdb.OutOfRangeException:
        # A product past 64 bits in some row: DuckDB refused it, so nothing was approximated.
        _execute(con, f"CREATE OR REPLACE TEMP TABLE {_SCORED} AS {query(False)}", progress)


def _execute(con, sql: str, progress) -> None:
    if progress is None:
        con.execute(sql)
        return
    failure: list[BaseException] = []

    def work() -> None:
        try:
            con.execute(sql)
        except BaseException as error:  # noqa: BLE001 - handed back to the caller's thread
            failure.append(error)

    worker = threading.Thread(target=work, daemon=True)
    worker.start()
    while worker.is_alive():
        worker.join(0.2)
        done = con.query_progress()
        if done >= 0:
            progress(done / 100)
    if failure:
        raise failure[0]
    progress(1.0)


# ---- rows Python decides ---------------------------------------------------------------------


def _rescue(con, ruleset, checked: model.Ruleset, columns: dict, source: exp.Expression) -> int:
    """Score with Python the rows flagged PR804; return how many there were."""
    rows = [r for (r,) in con.execute(f'SELECT {_ROW} FROM {_SCORED} WHERE "error" = ?', [BOUNDARY]).fetchall()]
    if not rows:
        return 0
    names = [slot.name for slot in checked.inputs if slot.name in columns]
    cells = ", ".join(_quoted(n) for n in names)
    # Stored as the query stored them: the same rows, in the same order, so the same rowid.
    con.execute(f"CREATE OR REPLACE TEMP TABLE __pr_again AS SELECT {cells} FROM {source.sql(dialect='duckdb')}")
    wanted = con.execute(f"SELECT rowid + 1, {cells} FROM __pr_again WHERE rowid + 1 IN "
                         f"(SELECT unnest(?::BIGINT[]))", [rows]).fetchall()
    paths = ["/".join(rule.path) for rule in checked.rules()]
    results = []
    for row, *values in wanted:
        facts = {n: v for n, v in zip(names, values) if v is not None and not (isinstance(v, str) and not v.strip())}
        try:
            result = ruleset.evaluate(facts)
        except PerfrulesError as error:
            reasons = "; ".join(f"{d.code} {d.message}" for d in error.diagnostics)
            results.append((row, [None] * len(paths), None, None, reasons))
            continue
        scores = [result.find(path).score for path in paths]
        results.append((row, scores, result.total, result.grade, None))
    _merge(con, paths, results)
    return len(rows)


def _merge(con, paths: list[str], results: list) -> None:
    """Replace the flagged rows' scores (or error) with Python's."""
    con.execute(f"CREATE OR REPLACE TEMP TABLE {_RESCUED} (row BIGINT, scores VARCHAR[], total VARCHAR, "
                "grade VARCHAR, error VARCHAR)")
    con.executemany(f"INSERT INTO {_RESCUED} VALUES (?, ?, ?, ?, ?)",
                    [(row, [None if s is None else str(s) for s in scores], None if total is None else str(total),
                      grade, error) for row, scores, total, grade, error in results])
    sets = [f'{_quoted(p)} = CAST(r.scores[{i + 1}] AS DECIMAL(38, 10))' for i, p in enumerate(paths)]
    con.execute(f"UPDATE {_SCORED} AS s SET {', '.join(sets)}, total = CAST(r.total AS DECIMAL(38, 10)), "
                f"grade = r.grade, error = r.error FROM {_RESCUED} AS r WHERE s.rowid + 1 = r.row")


def _quoted(name: str) -> str:
    return exp.to_identifier(name, quoted=True).sql(dialect="duckdb")


# ---- writing ---------------------------------------------------------------------------------


def _write(con, checked: model.Ruleset, keys: tuple, out: Path, rejects: Path) -> None:
    paths = ["/".join(rule.path) for rule in checked.rules()]
    scored = ", ".join([*(_quoted(c) for c in keys), f'{_ROW} AS "row"',
                        *(_quoted(c) for c in [*paths, "total", "grade"])])
    # The table keeps the rows in order: CREATE TABLE AS preserves it, UPDATE works in place.
    _copy(con, f'SELECT {scored} FROM {_SCORED} WHERE "error" IS NULL', out)
    rejected = ", ".join([f'{_ROW} AS "row"', *(_quoted(c) for c in keys)])
    _copy(con, f'SELECT {rejected}, "error" AS reasons FROM {_SCORED} WHERE "error" IS NOT NULL', rejects)


def write_rows(con, rows: list[dict], columns: list[str], path: Path) -> None:
    """Write Python rows (decimals, text, numbers) to ``path`` as ``_copy`` writes a query."""
    kinds = {}
    for name in columns:
        values = [row.get(name) for row in rows if row.get(name) is not None]
        if values and all(isinstance(v, Decimal) for v in values):
            scale = max(max(-v.as_tuple().exponent, 0) for v in values)
            kinds[name] = f"DECIMAL(38, {min(scale, 10)})"
        elif values and all(isinstance(v, int) and not isinstance(v, bool) for v in values):
            kinds[name] = "BIGINT"
        else:
            kinds[name] = "VARCHAR"
    table = "__pr_written"
    con.execute(f"CREATE OR REPLACE TEMP TABLE {table} ({', '.join(f'{_quoted(c)} {kinds[c]}' for c in columns)})")
    if rows:
        con.executemany(f"INSERT INTO {table} VALUES ({', '.join('?' for _ in columns)})",
                        [[None if row.get(c) is None else (row[c] if kinds[c] != "VARCHAR" else str(row[c]))
                          for c in columns] for row in rows])
    _copy(con, f"SELECT * FROM {table}", path)


def _copy(con, select: str, path: Path) -> None:
    kind = _FORMATS.get(path.suffix.lower())
    if kind is None:
        raise FactsError([Diagnostic("PR520", f"results must go to .csv, .parquet or .jsonl, not {path.name}")])
    path.parent.mkdir(parents=True, exist_ok=True)
    options = {"csv": "FORMAT csv, HEADER true", "parquet": "FORMAT parquet", "json": "FORMAT json"}[kind]
    literal = exp.Literal.string(str(path)).sql(dialect="duckdb")
    con.execute(f"COPY ({select}) TO {literal} ({options})")


__all__ = ["ABSENT", "Summary", "default_rejects", "score_table", "write_rows"]
