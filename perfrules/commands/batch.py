"""Commands of the batch area: ``perfrules sql``, and the table half of ``perfrules score``.

``perfrules sql RULESET --dialect duckdb|postgres|spark`` prints the query that scores a
whole table of facts (``perfrules.sql``). ``perfrules score RULESET DATA.csv --out …``
scores every row of a table, on DuckDB by default (``perfrules.sql.duckdb_runner``) or
with the Python evaluator (``--engine python``, ``Ruleset.evaluate_many``), writes the
scored rows and the rejected ones, and ends with "read N, scored S, rejected R".

Exit codes as in ``perfrules.cli``: 0 every row was scored, 1 some rows were rejected
(they are in the rejects file) or the ruleset has errors, 2 a usage error.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from perfrules.errors import PerfrulesError

EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2
_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)
_OUTPUTS = (".csv", ".parquet", ".pq", ".jsonl", ".json")


def _load_ruleset(path: Path):
    # Imported here: perfrules.cli registers this module while it is being imported.
    from perfrules.cli import _load_ruleset as load

    return load(path)


@click.command(name="sql")
@click.argument("ruleset", type=_FILE)
@click.option("--dialect", type=click.Choice(["duckdb", "postgres", "spark"]), default="duckdb",
              show_default=True, help="The SQL engine the query is for.")
@click.option("--table", default="facts", show_default=True,
              help="The table of facts: one row per entity, a column per input (schema.table allowed).")
@click.option("--key", "keys", multiple=True, help="A column to copy to the results (repeatable).")
@click.option("--typed", is_flag=True,
              help="Columns hold BOOLEAN flags and DECIMAL numbers, not text (as read from CSV).")
def sql(ruleset: Path, dialect: str, table: str, keys: tuple[str, ...], typed: bool) -> int:
    """Print the query that scores every row of a table of facts with RULESET.

    The query returns one row per entity: the key columns, row, one column per indicator
    named by its path, total, grade and error (every reason a row is not scored).
    """
    from perfrules.sql import compile_query, typed_columns

    checked = _load_ruleset(ruleset).model
    columns = typed_columns(checked) if typed else None
    query = compile_query(checked, dialect=dialect, table=table, keys=keys, columns=columns)
    click.echo(query.sql(dialect=dialect, pretty=True) + ";")
    return EXIT_OK


def score_table(ruleset_path: Path, data: Path, *, out: Path | None, rejects: Path | None, engine: str,
                keys: tuple[str, ...]) -> int:
    """``perfrules score`` for a table of facts (``perfrules.cli`` hands it over)."""
    if out is None:
        raise click.UsageError("scoring a table needs --out RESULTS.csv|parquet|jsonl")
    for path in (out, rejects):
        if path is not None and path.suffix.lower() not in _OUTPUTS:
            raise click.UsageError(f"{path.name}: results go to .csv, .parquet or .jsonl files")
    ruleset = _load_ruleset(ruleset_path)
    if engine == "python":
        summary = _python(ruleset, data, out, rejects, keys)
    else:
        from perfrules.sql.duckdb_runner import score_table as run

        with _Progress() as progress:
            summary = run(ruleset, data, out=out, rejects=rejects, keys=keys, progress=progress)
    click.echo(summary.line(), err=True)
    return EXIT_ERRORS if summary.rejected else EXIT_OK


class _Progress:
    """A rich progress bar on a terminal, shown only once a run has lasted a second."""

    def __init__(self) -> None:
        self._bar = None
        self._task = None
        self._started = time.monotonic()
        self._shown = hasattr(sys.stderr, "isatty") and sys.stderr.isatty()

    def __enter__(self):
        return self if self._shown else None

    def __call__(self, done: float) -> None:
        if self._bar is None:
            if time.monotonic() - self._started < 1.0:
                return
            from rich.progress import BarColumn, Progress, TimeElapsedColumn

            self._bar = Progress("scoring", BarColumn(), "{task.percentage:>3.0f}%", TimeElapsedColumn(),
                                 transient=True)
            self._bar.start()
            self._task = self._bar.add_task("scoring", total=1.0)
        self._bar.update(self._task, completed=done)

    def __exit__(self, *exc) -> None:
        if self._bar is not None:
            self._bar.stop()


def _python(ruleset, data: Path, out: Path, rejects: Path | None, keys: tuple[str, ...]):
    """The same run with the Python evaluator, row by row (the reference; slower)."""
    import duckdb

    from perfrules.sql.duckdb_runner import Summary, default_rejects, write_rows
    from perfrules.tables import load_table

    started = time.perf_counter()
    rows = load_table(data) if not data.is_dir() else [r for f in sorted(data.iterdir()) for r in load_table(f)]
    # A directory is one table, numbered across its files as DuckDB numbers it (each file counts from 1).
    rows = [row._replace(number=number) for number, row in enumerate(rows, start=1)]
    # --key columns are copied to the results, as DuckDB copies them; they are not inputs.
    kept = [{key: row.facts.get(key) for key in keys} for row in rows]
    facts = [{name: value for name, value in row.facts.items() if name not in keys} if keys else row.facts
             for row in rows]
    many = getattr(ruleset, "evaluate_many", None)
    outcomes = many(facts) if many else [_one(ruleset, f) for f in facts]
    paths = ["/".join(rule.path) for rule in ruleset.model.rules()]
    scored, rejected = [], []
    for row, keep, outcome in zip(rows, kept, outcomes):
        if isinstance(outcome, PerfrulesError):
            reasons = "; ".join(f"{d.code} {d.message}" for d in outcome.diagnostics)
            rejected.append({"row": row.number, "entity": row.entity, **keep, "reasons": reasons})
            continue
        values = {"entity": row.entity, **keep, "row": row.number}
        values.update({p: _score_of(outcome, p) for p in paths})
        values.update(total=outcome.total, grade=outcome.grade)
        scored.append(values)
    rejects = rejects or default_rejects(out)
    write_rows(duckdb.connect(), scored, ["entity", *keys, "row", *paths, "total", "grade"], out)
    write_rows(duckdb.connect(), rejected, ["row", "entity", *keys, "reasons"], rejects)
    return Summary(len(rows), len(scored), len(rejected), len(rows), out, rejects, time.perf_counter() - started)


def _one(ruleset, facts):
    try:
        return ruleset.evaluate(facts)
    except PerfrulesError as error:
        return error


def _score_of(outcome, path: str):
    # evaluate_many gives Scores (indexed by path); evaluate gives a Result tree.
    return outcome.find(path).score if hasattr(outcome, "find") else outcome[path]


COMMANDS = [sql]
