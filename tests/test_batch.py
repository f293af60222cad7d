"""``Ruleset.evaluate_many``: every input shape gives the same shape back, every row is
scored or reported, and no float reaches the arithmetic."""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

import perfrules
from perfrules.errors import EvaluationError, FactsError
from perfrules.scores import Scores

pandas = pytest.importorskip("pandas")
polars = pytest.importorskip("polars")
pyarrow = pytest.importorskip("pyarrow")

RULES = """ruleset "b" version "1"
input 人数: count
input 编制: count
input 满意度: percent 0%..100%
input 公开: flag
let 控制率 = 人数 / 编制
group 全部 8 {
  indicator 控制 1 { tiers 控制率: ≤ 100% → 1; > 100% → 0 }
  indicator 满意 6 { tiers 满意度: ≥ 95% → 6; 90%..<95% → 4; < 90% → 1 }
  indicator 公开性 1 { deduct 0.5 when not 公开 }
}
grade { ≥ 7 → 优; < 7 → 其他 }
"""
GOOD = {"人数": 9, "编制": 10, "满意度": Decimal("0.9"), "公开": True}
COLUMNS = ["全部/控制", "全部/满意", "全部/公开性"]


@pytest.fixture(scope="module")
def ruleset():
    return perfrules.loads(RULES, name="b.rules")


def _rows():
    return [
        GOOD,
        {**GOOD, "满意度": Decimal("0.8999"), "公开": False},
        {**GOOD, "人数": -1},                  # a fact out of range
        {**GOOD, "编制": 0},                   # a zero denominator nobody answers
        {**GOOD, "满意度": "95%"},             # text, read as facts are
    ]


def test_an_iterable_gives_a_list_with_each_error_in_place(ruleset):
    out = ruleset.evaluate_many(_rows())
    assert [type(o) for o in out] == [Scores, Scores, FactsError, EvaluationError, Scores]
    assert [o.total for o in out if isinstance(o, Scores)] == [Decimal("6.00"), Decimal("2.50"), Decimal("8.00")]
    assert out[0] == ruleset.score(GOOD)
    assert "PR504" in str(out[2]) and "PR601" in str(out[3])


def test_explain_gives_results(ruleset):
    out = ruleset.evaluate_many(_rows()[:2], explain=True)
    assert out == [ruleset.evaluate(r) for r in _rows()[:2]]


def _frame_rows():
    # floats, as a spreadsheet would give them; None where a row has no value
    return [
        {"人数": 9, "编制": 10, "满意度": 0.9, "公开": True},
        {"人数": 9, "编制": 10, "满意度": 0.8999, "公开": False},
        {"人数": -1, "编制": 10, "满意度": 0.9, "公开": True},
        {"人数": 9, "编制": 0, "满意度": 0.9, "公开": True},
        {"人数": 9, "编制": 10, "满意度": None, "公开": True},
    ]


def _check_frame(totals, grades, errors, scores):
    assert totals[:2] == [Decimal("6.00"), Decimal("2.50")] and totals[2:] == [None, None, None]
    assert grades == ["其他", "其他", None, None, None]
    assert errors[:2] == [None, None]
    assert errors[2].startswith("PR504: 人数 cannot be negative")
    assert errors[3].startswith("PR601: 人数 / 编制 has a zero denominator")
    assert errors[4].startswith("PR501: the facts do not give 满意度")
    # 0.9 as a float is 0.90000000000000002…; read through repr it is 0.9, in the ≥ 90% band
    assert scores == [Decimal("4.00"), Decimal("1.00"), None, None, None]


def test_pandas_in_pandas_out_keeping_the_index(ruleset):
    frame = pandas.DataFrame(_frame_rows(), index=[f"d{i}" for i in range(5)])
    frame["部门"] = [f"部门{i}" for i in range(5)]
    out = ruleset.evaluate_many(frame, keep=["部门"])
    assert isinstance(out, pandas.DataFrame) and list(out.index) == list(frame.index)
    assert list(out.columns) == ["部门", *COLUMNS, "total", "grade", "error"]
    assert all(isinstance(v, Decimal) for v in out["total"].dropna())
    _check_frame(list(out["total"].where(out["total"].notna(), None)), list(out["grade"].where(out["grade"].notna(), None)),
                 list(out["error"].where(out["error"].notna(), None)), list(out["全部/满意"].where(out["全部/满意"].notna(), None)))


def test_polars_in_polars_out(ruleset):
    out = ruleset.evaluate_many(polars.DataFrame(_frame_rows()))
    assert isinstance(out, polars.DataFrame) and out.height == 5
    assert out.schema["total"] == polars.Decimal(38, 2)
    _check_frame(out["total"].to_list(), out["grade"].to_list(), out["error"].to_list(), out["全部/满意"].to_list())


def test_arrow_in_arrow_out(ruleset):
    table = pyarrow.Table.from_pylist(_frame_rows())
    out = ruleset.evaluate_many(table)
    assert isinstance(out, pyarrow.Table) and out.num_rows == 5
    assert out.schema.field("total").type == pyarrow.decimal128(38, 2)
    _check_frame(out["total"].to_pylist(), out["grade"].to_pylist(), out["error"].to_pylist(),
                 out["全部/满意"].to_pylist())


def test_decimal_columns_stay_exact(ruleset):
    table = pyarrow.table({"人数": [9], "编制": [10], "满意度": pyarrow.array([Decimal("0.95")], pyarrow.decimal128(5, 4)),
                           "公开": [True]})
    assert ruleset.evaluate_many(table)["全部/满意"].to_pylist() == [Decimal("6.00")]


def test_a_column_that_is_not_an_input_stops_the_batch(ruleset):
    frame = pandas.DataFrame([{**GOOD, "满意": 1}])
    with pytest.raises(FactsError, match="column 满意, which is not an input") as raised:
        ruleset.evaluate_many(frame)
    assert raised.value.diagnostics[0].hint == "did you mean 满意度?"
    with pytest.raises(TypeError):
        ruleset.evaluate_many([GOOD], keep=["x"])


def test_explain_adds_the_explanation_as_json(ruleset):
    out = ruleset.evaluate_many(pandas.DataFrame(_frame_rows()[:1]), explain=True)
    assert json.loads(out["explanation"][0])["total"] == "6.00"
    assert out["total"][0] == Decimal("6.00")


def test_importing_perfrules_imports_no_frame_library():
    code = ("import sys, perfrules; r = perfrules.loads('ruleset \"r\" input a: count indicator x 1 { deduct 1 per a }');"
            "r.evaluate_many([{'a': 0}]); print(sorted(m for m in ('pandas', 'polars', 'pyarrow', 'numpy') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parents[1])
    assert out.stdout.strip() == "[]"
