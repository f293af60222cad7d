"""The front end: every spelling an author may type, spans, and errors in their words."""

from decimal import Decimal

import pytest

from perfrules import nodes
from perfrules.errors import ParseError
from perfrules.parse import parse

ASCII = """ruleset "r" version "1"
input 比率: percent
input 人数: count
let 调整 = (人数 + 1) * 2 / 4 - 1
indicator 控制率 1 { tiers 比率: < 5% -> 1; 5%..10% -> 0.5; > 10% -> 0 }
indicator 人员 1 { veto when 人数 >= 3 and 比率 <= 1% ; score 调整 }
"""
FULL_WIDTH = """ruleset "r" version "1"
input 比率： percent
input 人数： count
let 调整 ＝ （人数 ＋ 1） × ２ ÷ ４ － 1
indicator 控制率 1 ｛ tiers 比率： ＜ ５％ → 1； ５％..１０％ → ０．５； ＞ 10％ → 0 ｝
indicator 人员 1 { veto when 人数 ≧ 3 and 比率 ≦ 1％ ； score 调整 }
"""


def test_full_width_and_cjk_spellings_mean_the_same_as_ascii():
    assert parse(FULL_WIDTH) == parse(ASCII)


@pytest.mark.parametrize("spelling", ["<=", "≤", "≦", "＜＝"])
def test_every_spelling_of_at_most(spelling):
    tree = parse(f'ruleset "r" input a: count indicator x 1 {{ tiers a: {spelling} 3 → 1; > 3 → 0 }}')
    band = tree.of_type(nodes.Indicator)[0].clauses[0].bands[0]
    assert band.interval.high == nodes.Bound(Decimal(3)) and band.interval.high_closed


@pytest.mark.parametrize(("text", "low_closed", "high_closed"), [
    ("5%..10%", True, True), ("5%..<10%", True, False), ("5%<..10%", False, True),
    ("5%<..<10%", False, False), ("5%～10%", True, True), ("5%~10%", True, True),
])
def test_range_forms(text, low_closed, high_closed):
    tree = parse(f'ruleset "r" input a: percent indicator x 1 {{ tiers a: {text} → 1; otherwise → 0 }}')
    interval = tree.of_type(nodes.Indicator)[0].clauses[0].bands[0].interval
    assert (interval.low.value, interval.high.value) == (Decimal("0.05"), Decimal("0.1"))
    assert (interval.low_closed, interval.high_closed) == (low_closed, high_closed)
    assert interval.low.is_percent


def test_layout_and_comments_do_not_change_the_tree():
    one_line = 'ruleset "r" input a: count indicator x 2 { deduct 1 per a }'
    spread = """# a comment
ruleset "r"   # trailing
input a:
   count
indicator x 2 {
    deduct 1 per a     # 发现一项不符合的扣1分
}
"""
    assert parse(one_line) == parse(spread)


def test_spans_point_at_the_source():
    text = 'ruleset "r"\ninput 编外人员数: count\nindicator "社会效益、经济效益" 25 = 编外人员数'
    tree = parse(text, name="x.rules")
    indicator = tree.of_type(nodes.Indicator)[0]
    assert indicator.name == "社会效益、经济效益"
    assert str(indicator.name_span) == "x.rules:3:11"
    ref = indicator.clauses[0].formula
    assert text[ref.span.start:ref.span.end] == "编外人员数"


def test_texts_in_a_row_are_joined():
    tree = parse('ruleset "r" description "第一行，" “第二行” indicator x 1 = 1')
    assert tree.description == "第一行，第二行"


def test_full_and_percent_points():
    tree = parse('ruleset "r" input a: percent indicator x 3 { tiers a: ≥ 95% → full; < 95% → 1.5 } ')
    bands = tree.of_type(nodes.Indicator)[0].clauses[0].bands
    assert [b.points for b in bands] == [None, Decimal("1.5")]


def test_operator_precedence():
    tree = parse('ruleset "r" input a: number let x = -a + a * a / 2 > 1 or not a = 1 and yes indicator i 1 = 1')
    value = tree.of_type(nodes.Let)[0].value
    assert isinstance(value, nodes.Logical) and value.op == "or"
    assert isinstance(value.right, nodes.Logical) and value.right.op == "and"
    assert isinstance(value.left.left, nodes.Binary) and value.left.left.op == "+"
    assert value.left.left.right.op == "/"


@pytest.mark.parametrize(("text", "code", "words", "column"), [
    ('ruleset "r" indicator x 1 { tiers a: < 5% 1 }', "PR102", "unexpected number 1; expected → or ->", 43),
    ('ruleset "r" indicator x 1 { tiers a: < 5% → 1、 }', "PR101", "unexpected character '、'", 46),
    ('ruleset "r" indicator x { }', "PR102", "unexpected '{'; expected a number", 25),
    ('ruleset "r" group g 1 {', "PR103", "the ruleset ends too early", 23),
    ('ruleset "r" input x count', "PR102", "unexpected name count; expected :", 21),
])
def test_errors_say_what_was_expected_in_the_authors_words(text, code, words, column):
    with pytest.raises(ParseError) as caught:
        parse(text, name="e.rules")
    diagnostic = caught.value.diagnostics[0]
    assert diagnostic.code == code and words in diagnostic.message
    assert diagnostic.span.line_col == (1, column)
    assert "__ANON" not in str(caught.value) and "_ARROW" not in str(caught.value)


def test_caret_sits_under_the_wide_characters():
    with pytest.raises(ParseError) as caught:
        parse('ruleset "r"\nindicator 编外人员 1 { score 比率 比率 }', name="e.rules")
    lines = str(caught.value).splitlines()
    source_line, caret_line = lines[3], lines[4]
    assert source_line.endswith("indicator 编外人员 1 { score 比率 比率 }")
    # 编外人员 and the first 比率 are 12 cells: the caret is under the second 比率
    prefix = source_line.index("indicator")
    assert caret_line[prefix:].lstrip(" ").startswith("^^^^")
    assert caret_line.index("^") - prefix == len("indicator ") + 8 + len(" 1 { score ") + 4 + 1


@pytest.mark.parametrize("deep", [
    "-" * 3000 + "1",                            # too deep for the parser's tree walk
    "(1 + " * 3000 + "1" + ")" * 3000,
    "(1 + " * 70 + "1" + ")" * 70,               # parses, but too deep to compile
    "not " * 3000 + "yes",
])
def test_deep_nesting_fails_cleanly(deep):
    with pytest.raises(ParseError) as caught:
        parse(f'ruleset "r" indicator x 1 = {deep}')
    assert caught.value.diagnostics[0].code == "PR104"


def test_redundant_parentheses_are_not_nesting():
    import perfrules
    ruleset = perfrules.loads('ruleset "r" indicator x 1 = ' + "(" * 500 + "1" + ")" * 500)
    assert ruleset.evaluate({}).total == 1
