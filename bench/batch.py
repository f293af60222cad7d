"""Batch scoring throughput on DuckDB: perfrules against the same rubric written by hand.

``measure(rows)`` generates ``rows`` entities of the 2024 seed rubric in DuckDB itself
(typed columns: BOOLEAN flags, INTEGER counts, DECIMAL amounts, rates and scores, half
of the quarterly rates left out so that their defaults compute them), then times

- the hand-written query ``bench/baseline_duckdb.sql`` (no validation, DOUBLE division),
- ``perfrules.sql.duckdb_runner.score_table`` on the same table (validation, exact
  arithmetic, rejects),

both from a DuckDB table into a DuckDB table and from a Parquet file into a Parquet
file. Each figure is the best of a few runs, wall-clock, with DuckDB's default threads.

    python bench/batch.py [ROWS]
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import duckdb

HERE = Path(__file__).resolve().parent
RULESET = HERE.parent / "rulesets" / "shenzhen" / "department-overall-2024.rules"
BASELINE = (HERE / "baseline_duckdb.sql").read_text(encoding="utf-8")
REPEATS = 3


def measure(rows: int) -> list[tuple[str, float, float]]:
    """[(label, seconds, rows per second)] for each way of scoring ``rows`` entities."""
    import perfrules
    from perfrules.sql.duckdb_runner import score_table

    ruleset = perfrules.load(RULESET)
    con = duckdb.connect()
    _generate(con, ruleset, rows)
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        facts = Path(tmp) / "facts.parquet"
        con.execute(f"COPY facts TO '{facts}' (FORMAT parquet)")
        runs = {
            "hand-written DuckDB SQL, table → table":
                lambda: con.execute(f"CREATE OR REPLACE TEMP TABLE hand AS {BASELINE}"),
            "perfrules score (DuckDB), table → table":
                lambda: score_table(ruleset, con.table("facts"), connection=con),
            "hand-written DuckDB SQL, Parquet → Parquet":
                lambda: con.execute(f"COPY ({_over_parquet(facts)}) TO '{Path(tmp) / 'hand.parquet'}' "
                                    "(FORMAT parquet)"),
            "perfrules score (DuckDB), Parquet → Parquet":
                lambda: score_table(ruleset, facts, out=Path(tmp) / "scores.parquet", connection=con),
        }
        best = {label: float("inf") for label in runs}
        for _ in range(REPEATS):
            for label, run in runs.items():
                started = time.perf_counter()
                run()
                best[label] = min(best[label], time.perf_counter() - started)
        results = [(label, seconds, rows / seconds) for label, seconds in best.items()]
    return results


def _over_parquet(path: Path) -> str:
    return BASELINE.replace("FROM facts", f"FROM read_parquet('{path}')")


def _generate(con, ruleset, rows: int) -> None:
    """``rows`` plausible entities in the table ``facts``, made by DuckDB from hashes."""
    columns = ", ".join(f"{_value(slot, n)} AS {_quote(slot.name)}" for n, slot in enumerate(ruleset.model.inputs))
    con.execute(f"CREATE OR REPLACE TABLE facts AS SELECT i AS id, {columns} FROM range({rows}) AS t(i)")


def _value(slot, n: int) -> str:
    h = f"hash(i, {n})"
    if slot.kind == "flag":
        return f"({h} % 10 <> 0)"
    if slot.kind == "count":
        return f"(1 + {h} % 40)::INTEGER"
    if slot.kind == "amount":  # 1,000.00 to 1,000,000.00 万元
        return f"((100000 + {h} % 99900000)::DECIMAL(12, 0) / 100)::DECIMAL(12, 2)"
    if slot.kind == "judged":
        top = int(slot.high * 100)
        return f"(({top // 2} + {h} % {top - top // 2 + 1})::DECIMAL(8, 0) / 100)::DECIMAL(8, 2)"
    if slot.default is not None:  # the report's printed rate, given for half of the entities
        return f"CASE WHEN {h} % 2 = 0 THEN NULL ELSE ((2000 + {h} % 10000)::DECIMAL(8, 0) / 10000)::DECIMAL(8, 4) END"
    return f"((7000 + {h} % 3001)::DECIMAL(8, 0) / 10000)::DECIMAL(8, 4)"


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def main(argv: list[str]) -> None:
    rows = int(argv[0]) if argv else 1_000_000
    print(f"{rows:,} entities of {RULESET.name}")
    for label, seconds, per_second in measure(rows):
        print(f"  {label:<46} {seconds:7.3f} s  {per_second:12,.0f} rows/s")


if __name__ == "__main__":
    sys.path.insert(0, str(HERE.parent))
    main(sys.argv[1:])
