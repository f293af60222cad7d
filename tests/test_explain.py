"""Renderers of a result, on hand-built trees: what a reader of the table, the Markdown,
the JSON and an explanation must be able to rely on."""

import json
import re
from decimal import Decimal

import pytest

from perfrules import explain
from perfrules.result import (
    BandMatched, Deducted, FormulaValue, Node, PartsAdded, Result, Rounded, RulesetInfo, StartsFull,
)
from perfrules.source import cells

D = Decimal


def indicator(path, score, max_, *why, inputs=(), children=(), kind="indicator"):
    return Node(kind, path[-1], tuple(path), D(score), D(max_), tuple(why), tuple(children), tuple(inputs))


def group(path, *children):
    score = sum((c.score for c in children), D(0))
    return Node("group", path[-1] if path else "", tuple(path), score, sum((c.max for c in children), D(0)),
                children=tuple(children))


CONTROL = indicator(
    ["部门管理", "人员管理", "编外人员控制率"], "0.50", "1",
    BandMatched("编外人员控制率", "≈6.976744%", "5%..10%", D("0.5")),
    inputs=[("编外人员数", "3"), ("在编人数", "40")],
)
DISCLOSURE = indicator(["部门管理", "人员管理", "人员信息公开"], "0.80", "1",
                       FormulaValue("公开评分", "公开评分", D("0.8")), inputs=[("公开评分", "0.8")])
ADJUST = indicator(
    ["部门管理", "预算管理", "预算调整"], "0.60", "1",
    PartsAdded(D("0.6")), Rounded(D("0.6"), D("0.60"), "half_up", 2),
    inputs=[("调整率", "12.5%"), ("公开评分", "0.8")],
    children=[
        indicator(["部门管理", "预算管理", "预算调整", "调整"], "0.2", "0.5",
                  StartsFull(D("0.5")), Deducted("deduct 0.1 per started 1% of 调整率 above 10%",
                                                 "12.5%, 3 started units", D("0.3")),
                  inputs=[("调整率", "12.5%")], kind="part"),
        indicator(["部门管理", "预算管理", "预算调整", "公开"], "0.4", "0.5",
                  FormulaValue("公开评分 × 0.5", "0.8 × 0.5", D("0.4")), inputs=[("公开评分", "0.8")], kind="part"),
    ],
)
# An indicator straight under a top-level group: depth varies within one ruleset.
SATISFACTION = indicator(["满意度"], "2.00", "6", BandMatched("满意度", "85%", "80%..<90%", D("2")))
INFO = RulesetInfo("部门整体支出绩效评价指标评分表", "2024", "e22f7d3195951ec7")
RESULT = Result(
    INFO,
    group([], group(["部门管理"], group(["部门管理", "人员管理"], CONTROL, DISCLOSURE),
                    group(["部门管理", "预算管理"], ADJUST)), SATISFACTION),
    "良",
)


def deep_result():
    leaf = indicator(["一", "二", "三", "四", "末级指标"], "1.00", "1", FormulaValue("x", "x", D(1)))
    tree = group([], group(["一"], group(["一", "二"], group(["一", "二", "三"], group(["一", "二", "三", "四"], leaf)))))
    return Result(RulesetInfo("深", None, "0123456789abcdef"), tree, None)


def table_lines(text):
    return [line for line in text.splitlines() if line.strip()]


# ---- text table ----------------------------------------------------------------------------


def test_columns_are_the_levels_then_points_score_and_reason():
    header = table_lines(explain.render_text(RESULT))[0]
    assert header.split() == ["一级指标", "二级指标", "三级指标", "分值", "得分", "说明"]


def test_level_columns_follow_the_deepest_path():
    header = table_lines(explain.render_text(deep_result()))[0]
    assert header.split()[:5] == ["一级指标", "二级指标", "三级指标", "四级指标", "五级指标"]
    assert explain.level_headers(12)[9:] == ["十级指标", "11级指标", "12级指标"]


def test_a_group_name_is_shown_only_on_the_row_where_it_starts():
    text = explain.render_text(RESULT)
    assert text.count("部门管理") == 1
    assert text.count("人员管理") == 1
    disclosure = next(line for line in table_lines(text) if "人员信息公开" in line)
    assert disclosure.split()[0] == "人员信息公开"  # both of its groups started on the row above


def test_every_indicator_has_its_row_with_max_score_and_reason():
    text = explain.render_text(RESULT)
    for node, score in [(CONTROL, "0.50"), (DISCLOSURE, "0.80"), (ADJUST, "0.60"), (SATISFACTION, "2.00")]:
        row = next(line for line in table_lines(text) if node.name in line)
        assert re.search(rf"\s{node.max}\s+{re.escape(score)}\s", row), row
    assert "band 5%..10% → 0.5" in text
    assert "parts add up to 0.6" in text  # the decisive step, not the rounding after it


def test_footer_has_total_max_and_grade_and_caption_names_the_ruleset():
    lines = table_lines(explain.render_text(RESULT))
    footer = next(line for line in lines if "总分" in line)
    assert footer.split() == ["总分", "9", "3.90", "等级", "良"]
    assert lines[-1] == "部门整体支出绩效评价指标评分表 · version 2024 · fingerprint e22f7d3195951ec7"


def test_a_result_without_grade_or_version_leaves_them_out():
    lines = table_lines(explain.render_text(deep_result()))
    assert next(line for line in lines if "总分" in line).split() == ["总分", "1", "1.00"]
    assert lines[-1] == "深 · fingerprint 0123456789abcdef"


def test_scores_line_up_by_display_cells_not_characters():
    # The names on these rows differ in length, and CJK characters take two cells: the
    # right-justified score must still end in the same terminal column on every row.
    lines = [line for line in table_lines(explain.render_text(RESULT)) if re.search(r"\d\.\d\d\s", line)]
    ends = {cells(line[: m.end()]) for line in lines for m in [re.search(r"\s(\d+\.\d\d)(?=\s)", line)]}
    assert len(lines) == 5 and len(ends) == 1


def test_plain_text_has_no_colour_and_keeps_to_its_width():
    text = explain.render_text(RESULT, width=60)
    assert "\x1b[" not in text
    assert max(cells(line) for line in text.splitlines()) <= 60
    assert max(cells(line) for line in explain.render_text(RESULT).splitlines()) <= explain.PIPE_WIDTH


def test_names_are_not_read_as_rich_markup():
    odd = indicator(["[bold]组[/bold]", "指标[red]"], "1", "1")
    text = explain.render_text(Result(INFO, group([], group(["[bold]组[/bold]"], odd)), None))
    assert "[bold]组[/bold]" in text and "指标[red]" in text


# ---- Markdown ------------------------------------------------------------------------------


def md_cells(row):
    # Split on pipes that are not escaped; drop the empty strings outside the outer pipes.
    return [cell.strip() for cell in re.split(r"(?<!\\)\|", row)[1:-1]]


def test_markdown_is_a_table_with_the_same_number_of_cells_on_every_row():
    text = explain.render_markdown(RESULT)
    rows = [line for line in text.splitlines() if line.startswith("|")]
    assert md_cells(rows[0]) == ["一级指标", "二级指标", "三级指标", "分值", "得分", "说明"]
    assert re.fullmatch(r"\|(?:-{3,}:?\|){6}", rows[1])
    assert {len(md_cells(row)) for row in rows} == {6}
    assert len(rows) == 2 + 4


def test_markdown_shows_group_names_once_and_total_grade_ruleset():
    text = explain.render_markdown(RESULT)
    assert text.count("部门管理") == 1 and text.count("人员管理") == 1
    assert "总分 3.90 / 9" in text and "等级 良" in text
    assert "部门整体支出绩效评价指标评分表 · version 2024 · fingerprint e22f7d3195951ec7" in text


def test_markdown_escapes_pipes_in_cells():
    odd = indicator(["组", "a|b"], "1", "1", FormulaValue("x | y", "x | y", D(1)))
    rows = [line for line in explain.render_markdown(Result(INFO, group([], group(["组"], odd)), None)).splitlines()
            if line.startswith("|")]
    assert md_cells(rows[2])[:2] == ["组", "a\\|b"]
    assert len(md_cells(rows[2])) == len(md_cells(rows[0])) == 5


# ---- JSON ----------------------------------------------------------------------------------


def test_json_round_trips_with_every_number_a_decimal_string():
    data = json.loads(explain.render_json(RESULT))
    assert data == RESULT.to_dict()
    assert (data["total"], data["max"], data["grade"]) == ("3.90", "9", "良")
    assert "部门管理" in explain.render_json(RESULT)  # not \\u escapes

    def numbers(value):
        if isinstance(value, dict):
            return [v for key, item in value.items() for v in ([item] if key in ("score", "max") else numbers(item))]
        if isinstance(value, list):
            return [v for item in value for v in numbers(item)]
        return []

    found = numbers(data)
    assert found and all(isinstance(v, str) and Decimal(v) == Decimal(v) for v in found)
    assert D(data["indicators"][0]["score"]) == D("0.50")


# ---- explanation ---------------------------------------------------------------------------


def test_explanation_gives_path_score_inputs_and_numbered_steps():
    text = explain.render_explanation(RESULT, "编外人员控制率")
    assert text.splitlines()[0] == "indicator 部门管理 / 人员管理 / 编外人员控制率"
    assert "score   0.50 of 1" in text
    assert re.search(r"inputs  编外人员数 = 3\n\s+在编人数 = 40\n", text)
    assert "1. 编外人员控制率 = ≈6.976744%, band 5%..10% → 0.5" in text


def test_explanation_lists_steps_in_order_and_parts_indented():
    lines = explain.render_explanation(RESULT, "预算调整").splitlines()
    part_line = lines.index("  part 部门管理 / 预算管理 / 预算调整 / 调整")
    starts = next(i for i, line in enumerate(lines) if "1. starts from 0.5" in line)
    deducted = next(i for i, line in enumerate(lines) if "2. deduct 0.1 per started 1%" in line)
    assert part_line < starts < deducted
    assert lines[deducted].startswith("    ") and "→ −0.3" in lines[deducted]
    # The indicator's own steps come last, after its parts, at the indicator's indent.
    assert lines[-2:] == ["  steps   1. parts add up to 0.6", "          2. rounded 0.6 → 0.6 (half_up, 2 places)"]


def test_explanation_of_a_part_by_its_path_and_of_a_group():
    assert explain.render_explanation(RESULT, "部门管理/预算管理/预算调整/公开").startswith("part 部门管理 / 预算管理 / 预算调整 / 公开\n")
    group_text = explain.render_explanation(RESULT, "人员管理")
    assert group_text.startswith("group 部门管理 / 人员管理\n  score   1.30 of 2\n")
    assert group_text.index("编外人员控制率") < group_text.index("人员信息公开")


def test_explanation_of_an_unknown_name_raises_key_error():
    with pytest.raises(KeyError):
        explain.render_explanation(RESULT, "预算执行率")
