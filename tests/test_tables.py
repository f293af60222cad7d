"""Entity tables: rows, entity names, empty cells, exact text, and errors that point at the cell."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

import perfrules
from perfrules.errors import FactsError
from perfrules.tables import Row, is_table, load_table, loads_table

ROOT = Path(__file__).resolve().parents[1]
ENTITIES = ROOT / "rulesets/shenzhen/examples/entities.csv"

RULES = """ruleset "表" version "1"
input 编外人员数: count
input 在编人数: count
input 采购金额: amount 万元
input 系数: ratio default 10%
let 编外人员控制率 = 编外人员数 / (在编人数 + 编外人员数)
indicator 编外人员控制率 1 { tiers 编外人员控制率: < 5% → 1; 5%..10% → 0.5; > 10% → 0 }
indicator 采购 3 = min(系数 × 3, 3)
indicator 金额 1 { veto when 采购金额 > 100 checklist { 1: yes } }
"""


def codes(error: pytest.ExceptionInfo) -> list[str]:
    return [d.code for d in error.value.diagnostics]


# ---- rows ---------------------------------------------------------------------------------------


def test_rows_are_numbered_named_and_keep_cells_as_text():
    rows = loads_table("entity,编外人员数,在编人数,采购金额\n商务局,18,127,\"7,341.03\"\n贸促委,36,49,145.53\n")
    assert rows == [
        Row(1, "商务局", rows[0].facts),
        Row(2, "贸促委", rows[1].facts),
    ]
    assert dict(rows[0].facts) == {"编外人员数": "18", "在编人数": "127", "采购金额": "7,341.03"}
    number, entity, facts = rows[1]  # a row unpacks as (number, entity, facts)
    assert (number, entity, facts["采购金额"]) == (2, "贸促委", "145.53")


def test_an_empty_cell_is_not_given_so_the_default_applies():
    ruleset = perfrules.loads(RULES)
    rows = loads_table("entity,编外人员数,在编人数,采购金额,系数\n甲,1,99,5,\n乙,1,99,5,50%\n")
    assert "系数" not in rows[0].facts
    assert [str(ruleset.evaluate(row.facts).find("采购").score) for row in rows] == ["0.30", "1.50"]


def test_id_names_the_entity_and_entity_is_preferred_and_a_row_without_one_is_row_n():
    assert [r.entity for r in loads_table("id,在编人数\nA-1,3\n,4\n")] == ["A-1", "row 2"]
    assert [r.entity for r in loads_table("ID,Entity,在编人数\nx,商务局,3\ny,,4\n")] == ["商务局", "y"]
    assert [r.entity for r in loads_table("在编人数\n3\n")] == ["row 1"]
    assert [r.entity for r in loads_table("entity ,在编人数\n 商务局 ,3\n")] == ["商务局"]  # cells are trimmed


def test_blank_lines_are_skipped_and_quoted_cells_may_hold_commas_and_newlines():
    rows = loads_table('\n,\nentity,在编人数\n\n"商务局, 本级",3\n"两行\n名称",4\n\n')
    assert [(r.number, r.entity, r.facts["在编人数"]) for r in rows] == [(1, "商务局, 本级", "3"), (2, "两行\n名称", "4")]


def test_a_byte_order_mark_is_not_part_of_the_first_column(tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes("\ufeffentity,在编人数\n商务局,127\n".encode("utf-8"))
    assert [(r.entity, dict(r.facts)) for r in load_table(path)] == [("商务局", {"在编人数": "127"})]
    assert [r.entity for r in loads_table("\ufeffentity,在编人数\n商务局,127\n")] == ["商务局"]


def test_values_are_read_exactly_never_through_a_float():
    ruleset = perfrules.loads(RULES)
    row, = loads_table("编外人员数,在编人数,采购金额,系数\n1,99,5,0.1\n")
    # 0.1 × 3 is 0.30000000000000004 in binary floating point.
    assert ruleset.evaluate(row.facts).find("采购").why[0].value == Decimal("0.3")


def test_a_bad_cell_is_reported_with_a_caret_under_it():
    ruleset = perfrules.loads(RULES)
    row, = loads_table("entity,编外人员数,在编人数,采购金额\n商务局,十八,127,5\n", name="表.csv")
    with pytest.raises(FactsError) as caught:
        ruleset.evaluate(row.facts)
    assert codes(caught) == ["PR503"]
    assert "--> 表.csv:2:5" in str(caught.value)
    assert str(caught.value).splitlines()[-1].endswith("| " + " " * 7 + "^^^^")  # 商务局, takes 7 cells; 十八 is 4 wide


def test_the_shipped_entity_table():
    rows = load_table(ENTITIES)
    assert [r.entity for r in rows] == [
        "深圳市商务局 2024", "深圳市贸促委 2023", "示例甲 良优之间", "示例乙 重点工作未完成",
        "示例丙 项目完成率低", "示例丁 编外恰为5%", "示例戊 编外恰为10%",
    ]
    s24, s23 = rows[0].facts, rows[1].facts
    # S24 gives 表7's printed 分季执行率, S23 the amounts they come from: empty cells differ.
    assert s24["第二季度分季执行率"] == "115.82%" and "第二季度累计支出" not in s24
    assert s23["第二季度累计支出"] == "2283.69" and "第二季度分季执行率" not in s23


# ---- errors -------------------------------------------------------------------------------------


def test_two_columns_with_one_name_are_an_error_pointing_at_the_second():
    with pytest.raises(FactsError) as caught:
        loads_table("entity,在编人数,在编人数\nx,1,2\n", name="t.csv")
    assert codes(caught) == ["PR521"]
    assert "t.csv:1:13" in str(caught.value) and "the first is here (t.csv:1:8)" in str(caught.value)


def test_an_unnamed_column_is_an_error_only_when_it_holds_values():
    assert len(loads_table("entity,在编人数,\nx,1,\n")) == 1  # a spreadsheet's trailing empty column
    with pytest.raises(FactsError) as caught:
        loads_table("entity,,在编人数\nx,5,1\n")
    assert codes(caught) == ["PR521"]
    assert "column 2" in str(caught.value)


def test_a_row_longer_than_the_header_is_an_error():
    with pytest.raises(FactsError) as caught:
        loads_table("entity,在编人数\nx,1\ny,2,3\nz,3,,\n", name="t.csv")
    assert codes(caught) == ["PR522"]  # z's extra cell is empty: not a problem
    assert "this row has 3 cells, the header names 2 columns" in str(caught.value)
    assert "t.csv:3:1" in str(caught.value)


@pytest.mark.parametrize("text", ["", "\n\n", ",,\n"])
def test_a_table_without_a_header_is_an_error(text):
    with pytest.raises(FactsError) as caught:
        loads_table(text)
    assert codes(caught) == ["PR520"]


def test_only_csv_and_parquet_are_tables(tmp_path):
    assert is_table("a.csv") and is_table("B.CSV") and is_table("a.parquet") and not is_table("a.yaml")
    path = tmp_path / "a.xlsx"
    path.write_bytes(b"PK")
    with pytest.raises(FactsError) as caught:
        load_table(path)
    assert codes(caught) == ["PR520"] and "must be .csv or .parquet" in str(caught.value)


def test_a_table_that_is_not_utf8_is_an_error(tmp_path):
    path = tmp_path / "gbk.csv"
    path.write_bytes("entity,在编人数\n商务局,1\n".encode("gbk"))
    with pytest.raises(FactsError) as caught:
        load_table(path)
    assert codes(caught) == ["PR520"]


# ---- Parquet ------------------------------------------------------------------------------------


def test_parquet_rows_keep_decimals_and_leave_out_nulls(tmp_path):
    pa = pytest.importorskip("pyarrow")
    parquet = pytest.importorskip("pyarrow.parquet")
    table = pa.table({
        "entity": ["商务局", None],
        "编外人员数": [18, 3],
        "在编人数": [127, 57],
        "采购金额": pa.array([Decimal("7341.03"), None], type=pa.decimal128(12, 2)),
    })
    path = tmp_path / "e.parquet"
    parquet.write_table(table, path)
    rows = load_table(path)
    assert [(r.number, r.entity) for r in rows] == [(1, "商务局"), (2, "row 2")]
    assert rows[0].facts["采购金额"] == Decimal("7341.03") and "采购金额" not in rows[1].facts
    ruleset = perfrules.loads(RULES)
    assert str(ruleset.evaluate(rows[0].facts).total) == "0.30"


def test_an_unterminated_quote_is_an_error_not_a_row_without_facts():
    from perfrules.errors import PerfrulesError
    from perfrules.tables import loads_table

    with pytest.raises(PerfrulesError) as caught:
        loads_table('entity,在编人数\n"商务局,127\n', name="t.csv")
    assert caught.value.diagnostics[0].code == "PR520"
