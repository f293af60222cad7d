"""The SQL backend: a ruleset compiled to one query that scores a whole table of facts.

``compile_query`` builds the query as a sqlglot expression tree from the checked model,
for DuckDB, PostgreSQL or Spark; ``to_sql`` renders it. Scores are exact and rounded as
the Python evaluator rounds them (see ``exact`` and docs/explanation/exact-sql.md).
``perfrules.sql.duckdb_runner`` scores CSV, Parquet and DataFrames with it on DuckDB.
"""

from __future__ import annotations

from perfrules.sql.compile import RESERVED, SqlError, compile_query
from perfrules.sql.dialects import DIALECTS
from perfrules.sql.inputs import ColumnType, Limits, typed_columns

__all__ = ["DIALECTS", "RESERVED", "ColumnType", "Limits", "SqlError", "compile_query", "to_sql", "typed_columns"]


def to_sql(ruleset, *, dialect: str = "duckdb", pretty: bool = False, **options) -> str:
    """The scoring query for ``ruleset`` (a ``perfrules.Ruleset`` or its model) as text.

    Options are those of ``compile_query``.
    """
    checked = getattr(ruleset, "model", ruleset)
    return compile_query(checked, dialect=dialect, **options).sql(dialect=dialect, pretty=pretty)
