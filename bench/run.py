"""perfrules benchmarks: one command, one table of ratios against baselines timed in the same run.

    .venv/bin/python bench/run.py            # everything (a few minutes)
    .venv/bin/python bench/run.py --quick    # fewer rounds, no 5,000-leaf ruleset

What is measured (see bench/README.md for what each side includes):

1. one evaluation of the 2024 seed ruleset, without and with the explanation, against
   ``baseline_decimal`` (hand-written ``Decimal`` code) timed in interleaved bursts; the
   explanation is built when first read, so a row also times reading all of it;
2. parse + check + compile of the seed ruleset and of generated rulesets of 100, 1,000
   and 5,000 leaf indicators, and the time per leaf, to show the growth is linear;
3. ``import perfrules``;
4. batch scoring in Python (``evaluate_many``) in rows per second, and, when
   ``bench/batch.py`` is present, its perfrules-on-DuckDB against hand-written DuckDB SQL.

Before timing anything it checks that perfrules and the baseline give the same scores on
the seed facts and on random facts. Times are CPU time of the measuring thread (or
process), which a neighbour's job on a shared machine disturbs far less than wall time.
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

import baseline_decimal  # noqa: E402
import baseline_float  # noqa: E402
import facts as random_facts  # noqa: E402
import generate  # noqa: E402
from timer import compare, once  # noqa: E402

import perfrules  # noqa: E402
from perfrules import explain, runtime  # noqa: E402

SEED = ROOT / "rulesets" / "shenzhen" / "department-overall-2024.rules"
SEED_FACTS = [ROOT / "rulesets" / "shenzhen" / "examples" / f"commerce-2024{s}.yaml" for s in ("", "-corrected")]


class Table:
    """Rows of: what, measured, against, ratio, target, met."""

    def __init__(self) -> None:
        self.rows: list[tuple[str, ...]] = []

    def add(self, what: str, measured: str, against: str = "", ratio: float | None = None,
            target: str = "", met: bool | None = None) -> None:
        self.rows.append((what, measured, against, "" if ratio is None else f"{ratio:.2f}x", target,
                          "" if met is None else ("yes" if met else "NO")))

    def section(self, title: str) -> None:
        self.rows.append((f"**{title}**", "", "", "", "", ""))

    def render(self) -> str:
        head = ("", "measured", "against", "ratio", "target", "met")
        lines = [f"| {' | '.join(head)} |", f"|{'|'.join('---' for _ in head)}|"]
        lines += [f"| {' | '.join(row)} |" for row in self.rows]
        return "\n".join(lines)


def _us(ns: float) -> str:
    return f"{ns / 1000:.1f} µs"


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 10 else f"{seconds:.1f} s"


# ---- 0. the baseline is the same rubric ----------------------------------------------------


def check_agreement(ruleset: perfrules.Ruleset, rows: list[dict]) -> None:
    for n, row in enumerate(rows):
        scores = ruleset.score(row)
        total, grade, indicators = baseline_decimal.score(row)
        assert (total, grade) == (scores.total, scores.grade), (row, total, scores.total)
        assert list(indicators.values()) == list(scores.indicators.values()), row
        assert str(total) == str(scores.total)
        if n < 200:  # and the explained result, its tree built, says the same
            result = ruleset.evaluate(row)
            assert [node.score for node in result.indicators()] == list(indicators.values()), row
            assert (str(result.root.score), result.grade) == (str(total), grade), row


def float_disagreement(rows: list[dict]) -> float:
    wrong = 0
    for row in rows:
        total, grade, _ = baseline_decimal.score(row)
        float_total, float_grade, _ = baseline_float.score(baseline_float.floats(row))
        wrong += Decimal(repr(float_total)) != total or float_grade != grade
    return wrong / len(rows)


# ---- 1. one evaluation -------------------------------------------------------------------------


def _typed(ruleset: perfrules.Ruleset, given) -> dict:
    """The facts as the baseline takes them: typed values, and an input the facts leave out
    left out (not the marker ``read_facts`` puts in its slot, which no caller would pass)."""
    return {s.name: v for s, v in zip(ruleset.model.inputs, ruleset.read_facts(given))
            if not runtime.left_out(v)}


def _read_everything(ruleset: perfrules.Ruleset, typed: dict) -> None:
    """evaluate, then read the whole explanation, so that a lazy tree is paid for: every
    node's one-line reason (what the table shows) and the full text of every node (its
    inputs, values and every step), as ``perfrules explain`` prints it, group by group."""
    result = ruleset.evaluate(typed)
    for node in result.root.walk():
        node.reason  # noqa: B018
    for group in result.root.children:
        explain.render_explanation(result, "/".join(group.path))


def evaluation(table: Table, ruleset: perfrules.Ruleset, rounds: int) -> None:
    given = perfrules.load_facts(SEED_FACTS[0])
    typed = _typed(ruleset, given)
    values = ruleset.read_facts(typed)
    as_floats = baseline_float.floats(typed)
    cases = {
        "baseline": lambda: baseline_decimal.score(typed),
        "float": lambda: baseline_float.score(as_floats),
        "score_inputs": lambda: ruleset.score_inputs(values),
        "score": lambda: ruleset.score(typed),
        "evaluate": lambda: ruleset.evaluate(typed),
        "read": lambda: _read_everything(ruleset, typed),
        "text": lambda: ruleset.score(given),
    }
    t = {timing.name: timing for timing in compare(cases, baseline="baseline", rounds=rounds)}
    base = _us(t["baseline"].ns)
    table.section("One evaluation of the 2024 seed (21 indicators, 66 inputs)")
    table.add("hand-written Decimal: typed dict in, 21 scores + total + grade out", base)
    table.add("hand-written float (reference; not exact)", _us(t["float"].ns), base, t["float"].ratio)
    table.add("perfrules `score_inputs(values)`: typed values in, no checks (like for like)",
              _us(t["score_inputs"].ns), base, t["score_inputs"].ratio, "≤ 1.0", t["score_inputs"].ratio <= 1.0)
    table.add("perfrules `score(dict)`: typed dict in, every fact checked", _us(t["score"].ns), base,
              t["score"].ratio, "≤ 1.0", t["score"].ratio <= 1.0)
    table.add("perfrules `evaluate(dict)`: full explanation (built when first read)", _us(t["evaluate"].ns), base,
              t["evaluate"].ratio, "≤ 3.0", t["evaluate"].ratio <= 3.0)
    table.add("perfrules `evaluate(dict)`, then read the whole explanation (every node's reason and full text)",
              _us(t["read"].ns), base, t["read"].ratio)
    table.add("perfrules `score(Facts)`: the YAML facts, text values such as \"85%\"", _us(t["text"].ns), base,
              t["text"].ratio)


# ---- 2. compile time ---------------------------------------------------------------------------


def _stages(text: str, name: str) -> dict[str, float]:
    from perfrules.build import _gc_paused
    from perfrules.check import check
    from perfrules.parse import parse

    times: dict[str, float] = {}
    with _gc_paused():  # what perfrules.loads does
        start = time.process_time()
        tree = parse(text, name=name)
        times["parse"] = time.process_time() - start
        model = check(tree)
        times["check"] = time.process_time() - start - times["parse"]
        ruleset = perfrules.build(model, filename=name)
        times["compile"] = time.process_time() - start - times["parse"] - times["check"]
    start = time.process_time()
    ruleset._score, ruleset._read_row  # noqa: B018 - the scorer and reader compile on first use
    times["scorer"] = time.process_time() - start
    return times


def compile_times(table: Table, sizes: list[int]) -> None:
    table.section("Parse + check + compile (CPU time)")
    cold = _subprocess_seconds(f"import perfrules, time; t = time.process_time(); perfrules.load({str(SEED)!r}); "
                               "print(time.process_time() - t)")
    table.add("seed ruleset, first load in a fresh process (builds the LALR parser)", _ms(cold), "",
              None, "≤ 50 ms", cold <= 0.05)
    seed = [_stages(SEED.read_text(encoding="utf-8"), str(SEED)) for _ in range(5)]
    warm = statistics.median(s["parse"] + s["check"] + s["compile"] for s in seed)
    table.add(f"seed ruleset, parser built ({_split(seed)})", _ms(warm), "", None, "≤ 50 ms", warm <= 0.05)
    per_leaf = {}
    for n in sizes:
        runs = [_stages(generate.ruleset_text(n), f"generated-{n}.rules") for _ in range(1 if n >= 5000 else 3)]
        total = min(s["parse"] + s["check"] + s["compile"] for s in runs)
        per_leaf[n] = total / n
        target = ("≤ 3 s", total <= 3) if n == 5000 else ("", None)
        table.add(f"{n:,} leaves ({_split(runs)}; µs per leaf {per_leaf[n] * 1e6:.0f})", _ms(total), "", None, *target)
    if len(per_leaf) > 1:
        small, large = min(per_leaf), max(per_leaf)
        growth = per_leaf[large] / per_leaf[small]
        table.add(f"time per leaf at {large:,} / at {small:,} (1.0 is linear)", f"{growth:.2f}", "", None,
                  "close to 1", growth < 1.6)


def _split(runs: list[dict[str, float]]) -> str:
    best = min(runs, key=lambda s: s["parse"] + s["check"] + s["compile"])
    return ", ".join(f"{k} {_ms(v)}" for k, v in best.items())


def _subprocess_seconds(code: str, repeat: int = 5) -> float:
    outs = [float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                                 cwd=ROOT).stdout.strip().splitlines()[-1]) for _ in range(repeat)]
    return statistics.median(outs)


# ---- 3. import time -----------------------------------------------------------------------------


def import_time(table: Table) -> None:
    table.section("Import")
    cumulative = []
    for _ in range(7):
        err = subprocess.run([sys.executable, "-X", "importtime", "-c", "import perfrules"], capture_output=True,
                             text=True, check=True, cwd=ROOT).stderr
        line = next(line for line in err.splitlines() if line.rstrip().endswith("| perfrules"))
        cumulative.append(int(line.split("|")[1]) / 1e6)
    seconds = statistics.median(cumulative)
    table.add("`import perfrules` (-X importtime, cumulative, median of 7)", _ms(seconds), "", None, "≤ 150 ms",
              seconds <= 0.15)
    cpu = _subprocess_seconds("import time; t = time.process_time(); import perfrules; print(time.process_time() - t)")
    table.add("`import perfrules` (CPU time in a fresh process)", _ms(cpu), "", None, "≤ 150 ms", cpu <= 0.15)


# ---- 4. batch -------------------------------------------------------------------------------------


def batch(table: Table, ruleset: perfrules.Ruleset, rows: int) -> None:
    table.section(f"Batch: {rows:,} random rows of the 2024 seed")
    data = random_facts.rows(rows, seed=2)
    base = _rate(lambda: [baseline_decimal.score(row) for row in data], rows)
    table.add("hand-written Decimal, a Python loop", f"{base:,.0f} rows/s")
    for name, frame in [("list of dicts", data), *_frames(data)]:
        rate = _rate(lambda frame=frame: ruleset.evaluate_many(frame), rows)
        table.add(f"perfrules `evaluate_many({name})`", f"{rate:,.0f} rows/s", "the loop", rate / base)
    _sql_batch(table, rows)


def _rate(run, rows: int) -> float:
    return rows / once(run, repeat=3)


def _frames(data: list[dict]):
    try:
        import pyarrow
    except ImportError:
        return
    names = list(dict.fromkeys(name for row in data for name in row))  # from_pylist keeps the first row's keys only
    table = pyarrow.table({name: [row.get(name) for row in data] for name in names})
    yield "Arrow table", table
    try:
        import polars
        yield "Polars DataFrame", polars.from_arrow(table)
    except ImportError:
        pass
    try:
        yield "pandas DataFrame", table.to_pandas()
    except ImportError:
        pass


def _sql_batch(table: Table, rows: int) -> None:
    """bench/batch.py (the SQL backend's): ``measure(rows)`` returns rows of
    (what, measured, against, ratio, target, met) for this table."""
    path = HERE / "batch.py"
    if not path.exists():
        table.add("perfrules on DuckDB vs hand-written DuckDB SQL", "(bench/batch.py not present)")
        return
    spec = importlib.util.spec_from_file_location("bench_batch", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    measure = getattr(module, "measure", None) or getattr(module, "run", None)
    if measure is None:
        table.add("perfrules on DuckDB vs hand-written DuckDB SQL", "(bench/batch.py has no measure(rows))")
        return
    for row in measure(rows):
        if isinstance(row, dict):
            table.add(str(row.get("what", "")), str(row.get("measured", "")), str(row.get("against", "")),
                      row.get("ratio"), str(row.get("target", "")), row.get("met"))
        else:
            table.add(*(str(cell) for cell in row))


# ---- main ----------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds, no 5,000-leaf ruleset")
    parser.add_argument("--rows", type=int, default=None, help="batch rows (default 20,000; quick 5,000)")
    args = parser.parse_args(argv)
    ruleset = perfrules.load(SEED)
    typed = [_typed(ruleset, perfrules.load_facts(f)) for f in SEED_FACTS]
    check_agreement(ruleset, typed + random_facts.rows(2000, seed=1))
    table = Table()
    evaluation(table, ruleset, rounds=11 if args.quick else 31)
    compile_times(table, [100, 1000] if args.quick else [100, 1000, 5000])
    import_time(table)
    batch(table, ruleset, args.rows or (5000 if args.quick else 20000))
    ordinary = float_disagreement(random_facts.rows(5000, seed=3, edges=0))
    edges = float_disagreement(random_facts.rows(5000, seed=4, edges=1))
    print(table.render())
    print(f"\nAgreement: perfrules and the hand-written Decimal code give the same 21 scores, total and grade on "
          f"the 2 seed facts and 2,000 random rows. The float version differs from both on "
          f"{ordinary:.1%} of ordinary rows and {edges:.1%} of rows built on band edges and halfway values.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
