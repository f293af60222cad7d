"""The canonical layout: spellings, line breaking, comments, and ``perfrules fmt``."""

from __future__ import annotations

from pathlib import Path

import pytest

from perfrules.cli import main
from perfrules.fmt_layout import WIDTH, format_text, format_tree, name_text
from perfrules.parse import parse, parse_with_comments
from perfrules.source import cells

ROOT = Path(__file__).resolve().parents[1]


def fmt(text: str, **options) -> str:
    return format_text(text, **options)


def body(text: str) -> str:
    """The formatted text without its header line."""
    return fmt(text).split("\n", 1)[1]


# ---- spellings and numbers -------------------------------------------------------------------


def test_every_symbol_gets_its_canonical_spelling():
    text = ('ruleset "r"\ninput a: percent\ninput b: count\n'
            'indicator x 1 { tiers a: >= 90％ -> 1；<90%->０ }\n'
            'indicator y 1 { score min(a*2, b/b) ； deduct 0.50 when not (a<=1 and b!=2) }\n')
    assert body(text) == (
        "input a: percent\ninput b: count\n"
        "indicator x 1 {\n  tiers a: ≥ 90% → 1; < 90% → 0\n}\n"
        "indicator y 1 {\n  score min(a × 2, b / b)\n  deduct 0.5 when not (a ≤ 1 and b ≠ 2)\n}\n"
    )


def test_numbers_lose_trailing_zeros_and_keep_percent_signs():
    text = 'ruleset "r" input a: percent 0.0%..100.00% indicator x 1.0 { tiers a: < 5.50% → 1.00; ≥ 5.5% → 0 }'
    assert "input a: percent 0%..100%" in fmt(text)
    assert "indicator x 1 {" in fmt(text) and "< 5.5% → 1; ≥ 5.5% → 0" in fmt(text)


def test_parentheses_only_where_precedence_needs_them():
    text = 'ruleset "r" input a: count input b: count indicator x 1 = ((a + b)) × (a - (b - 1)) / -(a)'
    assert "= (a + b) × (a - (b - 1)) / -a" in fmt(text)


def test_a_rule_scored_by_one_formula_is_written_short_when_it_fits():
    assert body('ruleset "r" input a: judged 0..1 indicator x 1 { score a }') == (
        "input a: judged 0..1\nindicator x 1 = a\n")
    two = body('ruleset "r" input a: judged 0..1 indicator x 1 { score a; rounding down 1 }')
    assert "indicator x 1 {\n  score a\n  rounding down 1\n}" in two


def test_names_are_quoted_only_when_they_must_be():
    assert name_text("编外人员控制率") == "编外人员控制率"
    assert name_text("score") == "score"  # a keyword, but not where a name is expected
    assert name_text("社会效益、经济效益") == '"社会效益、经济效益"'
    assert name_text("Ｑ1") == '"Ｑ1"'  # bare, it would be read as Q1
    assert name_text('say "x"') == '“say "x"”'


def test_texts_holding_quote_marks_use_another_quote_style():
    text = 'ruleset "r" description “he said \"yes\"” input a: flag 「“引号”」 indicator x 1 = 1'
    again = parse(fmt(text))
    assert again.description == 'he said "yes"' and again.statements[0].description == "“引号”"


# ---- line breaking -----------------------------------------------------------------------------


LONG = "部门（单位）本年度实际支出的公用经费总额与预算安排的公用经费总额的比率，用以反映和考核部门（单位）对机构运转成本的实际控制程度。"


def test_a_long_text_moves_below_its_line_and_is_cut_at_punctuation():
    out = fmt(f'ruleset "r" input a: judged 0..1 indicator 公用经费控制率 6 "{LONG}" = a')
    lines = out.splitlines()
    start = lines.index("indicator 公用经费控制率 6")
    assert lines[start + 1].startswith('  "部门') and lines[start + 1][-2] in "，）"  # cut after a mark
    assert lines[start + 2].endswith('。" {') and lines[start + 3] == "  score a"
    assert max(cells(line) for line in lines) <= WIDTH
    assert parse(out).statements[1].description == LONG


def test_a_text_is_cut_after_a_mark_rather_than_at_a_later_space():
    text = ("criterion 4 (功能分类和经济分类编制准确，年度中间无大量调剂，未发生项目之间频繁调剂): "
            "the assessor's score out of 1; the rubric sets no threshold for 大量调剂")
    lines = fmt(f'ruleset "r" input 评分: judged 0..1 "{text}" indicator x 1 = 评分').splitlines()
    assert lines[2] == '  "criterion 4 (功能分类和经济分类编制准确，年度中间无大量调剂，未发生项目之间频繁调剂): "'
    assert lines[3] == '  "the assessor\'s score out of 1; the rubric sets no threshold for 大量调剂"'


def test_a_text_leaves_room_for_the_brace_after_it():
    lines = fmt(f'ruleset "r" input a: judged 0..1 indicator x 1 "{"一" * 58}" {{ score a }}').splitlines()
    assert max(cells(line) for line in lines) <= WIDTH and lines[-3] == '  "一" {'  # not an empty piece


def test_a_width_of_none_puts_every_unit_on_one_line():
    tree = parse(f'ruleset "r" input a: judged 0..1 indicator x 6 "{LONG}" = a')
    assert f'indicator x 6 "{LONG}" = a' in format_tree(tree, width=None)


def test_bands_go_one_a_line_with_aligned_arrows_when_they_do_not_fit():
    out = fmt('ruleset "r" input a: percent indicator x 1 { tiers a: < 5% → 1; 5%..<10% → 0.5; ≥ 10% → 0 }',
              width=40)
    assert "  tiers a {\n    < 5%     → 1\n    5%..<10% → 0.5\n    ≥ 10%    → 0\n  }\n" in out


def test_a_long_formula_breaks_inside_a_call_then_before_operators():
    terms = " + ".join(f"min(第{n}季度分季执行率, 100%) × 1" for n in "一二三四")
    text = f'ruleset "r" indicator 预算执行率 6 {{ score min({terms} + 全年平均执行率 × 2, 6) }}'
    out = fmt(text, width=80)
    lines = out.splitlines()
    i = lines.index("  score min(")
    assert lines[i + 1].startswith("    min(第一季度分季执行率, 100%) × 1 + ")
    assert all(line.startswith("      + ") for line in lines[i + 2:i + 4])
    assert lines[i + 4] == "    6)"
    assert parse(out) == parse(text)


def test_a_checklist_criterion_continues_under_its_first_string():
    text = f'ruleset "r" input f: flag indicator x 25 {{ checklist {{ 25 "{LONG * 2}" : f }} }}'
    lines = fmt(text).splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith('    25 "'))
    assert lines[first + 1].startswith('       "')  # under the opening quote of the first string
    assert lines[first + 2].endswith('" : f')


# ---- comments and blank lines ----------------------------------------------------------------


COMMENTED = """\
# top of the file

ruleset "r"   # the header
input a: percent    # trailing on an input
# before the group


# (two blank lines above become one)
group g 1 {   # opening the group
  # before the indicator
  indicator x 1 {
    tiers a {
      < 5% → 1   # the first band
      ≥ 5% → 0
    }
    # before the closing brace
  }
}  # after the group
let unused = a +
  # inside a let
  a
# at the end
"""


def test_comments_keep_their_places():
    assert fmt(COMMENTED) == """\
# top of the file

ruleset "r"  # the header
input a: percent  # trailing on an input
# before the group

# (two blank lines above become one)
group g 1 {  # opening the group
  # before the indicator
  indicator x 1 {
    tiers a {
      < 5% → 1  # the first band
      ≥ 5% → 0
    }
    # before the closing brace
  }
}  # after the group
let unused = a + a  # inside a let
# at the end
"""


def test_comments_survive_in_order_and_formatting_is_idempotent():
    once = fmt(COMMENTED)
    assert [c.text for c in parse_with_comments(once)[1]] == [c.text for c in parse_with_comments(COMMENTED)[1]]
    assert fmt(once) == once
    assert parse(once) == parse(COMMENTED)


def test_a_trailing_comment_goes_with_the_last_unit_on_its_line():
    out = fmt('ruleset "r"\ninput a: flag input b: flag  # about b\nindicator x 1 { deduct 1 when a }\n')
    assert "input a: flag\ninput b: flag  # about b\n" in out


def test_a_comment_among_bands_keeps_the_bands_one_a_line():
    out = fmt('ruleset "r" input a: percent\nindicator x 1 {\n  tiers a: < 5% → 1  # low\n    ≥ 5% → 0\n}\n')
    assert "  tiers a {\n    < 5% → 1  # low\n    ≥ 5% → 0\n  }" in out


# ---- perfrules fmt ---------------------------------------------------------------------------


MESSY = 'ruleset "r"\ninput a: judged 0..1\nindicator x 1 {score a}  # kept\n'


def test_fmt_rewrites_in_place_and_a_second_run_changes_nothing(tmp_path, capsys):
    path = tmp_path / "r.rules"
    path.write_text(MESSY, encoding="utf-8")
    assert main(["fmt", str(path)]) == 0
    assert path.read_text(encoding="utf-8") == fmt(MESSY)
    assert "1 of 1 file reformatted" in capsys.readouterr().err
    assert main(["fmt", "--check", str(path)]) == 0


def test_fmt_check_lists_the_files_that_would_change_and_writes_nothing(tmp_path, capsys):
    messy, tidy = tmp_path / "messy.rules", tmp_path / "tidy.rules"
    messy.write_text(MESSY, encoding="utf-8")
    tidy.write_text(fmt(MESSY), encoding="utf-8")
    assert main(["fmt", "--check", str(messy), str(tidy)]) == 1
    out, err = capsys.readouterr()
    assert out.splitlines() == [str(messy)] and "1 of 2 files would be reformatted" in err
    assert messy.read_text(encoding="utf-8") == MESSY


def test_fmt_diff_prints_a_unified_diff_and_writes_nothing(tmp_path, capsys):
    path = tmp_path / "r.rules"
    path.write_text(MESSY, encoding="utf-8")
    assert main(["fmt", "--diff", str(path)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"--- {path}\n+++ {path} (formatted)\n")
    assert "-indicator x 1 {score a}  # kept\n+indicator x 1 = a  # kept\n" in out
    assert path.read_text(encoding="utf-8") == MESSY


def test_fmt_leaves_a_file_that_does_not_parse_and_says_why(tmp_path, capsys):
    broken, fine = tmp_path / "broken.rules", tmp_path / "fine.rules"
    broken.write_text('ruleset "r" indicator x 1 { tiers a: < 5% 1 }', encoding="utf-8")
    fine.write_text(MESSY, encoding="utf-8")
    assert main(["fmt", str(broken), str(fine)]) == 1
    err = capsys.readouterr().err
    assert "error[PR102]" in err and "1 could not be read or parsed" in err
    assert broken.read_text(encoding="utf-8").endswith("< 5% 1 }")
    assert fine.read_text(encoding="utf-8") == fmt(MESSY)


@pytest.mark.parametrize("path", sorted((ROOT / "rulesets").rglob("*.rules")), ids=lambda p: p.name)
def test_seed_rulesets_format_without_loss(path):
    text = path.read_text(encoding="utf-8")
    once = fmt(text)
    assert parse(once) == parse(text) and fmt(once) == once
    assert max(cells(line) for line in once.splitlines() if not line.lstrip().startswith("#")) <= WIDTH


@pytest.mark.parametrize("module", ["perfrules.parse", "perfrules.fmt", "perfrules.fmt_layout",
                                    "perfrules.fingerprint", "perfrules.diff_render"])
def test_docstring_examples_run(module):
    import doctest
    import importlib

    assert doctest.testmod(importlib.import_module(module)).failed == 0


def test_every_shipped_ruleset_is_in_canonical_form():
    # The project's own rulesets show the layout `perfrules fmt` writes; CI keeps them so.
    from pathlib import Path

    from perfrules.cli import main

    shipped = sorted(str(p) for p in (Path(__file__).parents[1] / "rulesets").rglob("*.rules"))
    assert shipped and main(["fmt", "--check", *shipped]) == 0
