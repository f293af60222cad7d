"""Write docs/reference/diagnostics.md from the corpus of broken inputs in tests/errors/.

Each ``PRxxx-short-name.rules`` here fails its check with its code. The other stages have
a directory each, whose cases bring the files that stage reads (``STAGE_DIRS``):
``facts/`` a ruleset and its facts (``.yaml``), ``tables/`` an entity table (``.csv``),
``reported/`` a ruleset, facts and a ``.reported.yaml``, ``evaluation/`` a ruleset and
facts, ``cases/`` a ruleset and its ``.cases.yaml``, ``sql/`` a ruleset with, when the
case needs them, a table (``.csv``, scored as ``perfrules score … --out`` scores it) and
the options of ``compile_query`` (``.sql.yaml``). ``PRxxx-short-name.expected`` holds
what perfrules prints for a case, run through the functions the CLI calls, in the case's
directory. The reference page is generated from the corpus and from ``CODES`` below, so
its examples are the tested ones and cannot drift:

    .venv/bin/python tests/errors/make_reference.py      # or: pytest --update-golden

``tests/test_errors_corpus.py`` checks the expected files and that the page is current.
Internal errors (``NO_EXAMPLE``) are perfrules' own bugs: documented, with no example.
"""

from __future__ import annotations

import contextlib
import re
import sys
from collections.abc import Callable
from pathlib import Path

import attrs

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
PAGE = ROOT / "docs" / "reference" / "diagnostics.md"
_CODE = re.compile(r"^(PR\d{3})-")


@attrs.frozen
class Code:
    title: str
    meaning: str
    fix: str


STAGES = (  # (lowest code, heading, what raises it), in code order
    ("PR100", "Parsing (PR1xx)", ""),
    ("PR200", "Names and kinds (PR2xx)", ""),
    ("PR300", "Bands (PR3xx)", ""),
    ("PR400", "Points, structure, bounds and claims (PR4xx)", ""),
    ("PR500", "Facts (PR501–PR510)",
     "`perfrules.load_facts` and `Ruleset.evaluate` raise `FactsError` with every problem of the facts "
     "at once. Each message names the input, the kind it must be and the indicators that need it."),
    ("PR520", "Entity tables (PR520–PR522)",
     "`perfrules.tables.load_table` (`perfrules impact` given one table) raises `FactsError` for a table "
     "that cannot be read as a whole; a bad cell is reported by the facts codes, under the cell."),
    ("PR530", "Reported figures (PR530–PR534)",
     "`perfrules audit` reads the reported file (`perfrules.reported.load_reported`) and resolves its "
     "names against the ruleset (`perfrules.audit.audit`) before it checks the facts, and raises "
     "`ReportedError` with every problem at once."),
    ("PR600", "Evaluation (PR6xx)", "`Ruleset.evaluate` raises `EvaluationError` for facts the rules do not cover."),
    ("PR700", "Author cases (PR7xx)",
     "`perfrules verify` reads `NAME.cases.yaml` beside `NAME.rules` (`perfrules.cases.load_cases`) and "
     "checks it against the ruleset before any case runs; `CasesError` has every problem at once."),
    ("PR800", "SQL back end (PR8xx)",
     "`perfrules sql` (`perfrules.sql.compile_query`) raises `SqlError` for a ruleset or a table it cannot "
     "compute exactly in SQL. `perfrules score RULESET TABLE --out …` (`perfrules.sql.duckdb_runner.score_table`) "
     "scores on DuckDB and writes each row it cannot score to the rejects file, with the row number and "
     "every reason; the query of `perfrules sql` gives the same reasons in its `error` column. The examples "
     "show each reason of a rejected row on a line of its own."),
    ("PR900", "Internal errors (PR9xx)",
     "An `InternalError` is a bug in perfrules, never in the ruleset or the facts: the command prints it, "
     "says it is a bug and exits with status 3. There is no example to copy; please report it."),
)

CODES = {
    "PR101": Code(
        "unexpected character",
        "The text holds a character the language does not use, such as `、` or `。` between bands, or "
        "`【…】` around a text.",
        "Use `;` or `；` (or a new line) between bands and items, and `\"…\"`, `“…”` or `「…」` around texts.",
    ),
    "PR102": Code(
        "unexpected token",
        "A word, number or sign stands where the grammar expects something else; the message says what "
        "was expected there, in the spellings an author types.",
        "Add what is missing (often the arrow `→` of a band) or remove what is extra.",
    ),
    "PR103": Code(
        "the ruleset ends too early",
        "The file ends inside a statement, typically before a closing `}`.",
        "Close every `{` and finish the last statement; the hint lists what may come next.",
    ),
    "PR104": Code(
        "nesting too deep",
        "An expression nests more levels than a compiled evaluator can hold.",
        "Split the formula into `let` definitions.",
    ),
    "PR105": Code(
        "fractional decimal places",
        "A `rounding` clause or a `round(x, places)` gives a number of places that is not whole.",
        "Write a whole number of places, such as `rounding half_up 2`.",
    ),
    "PR201": Code(
        "unknown name",
        "An expression uses a name that no `input` or `let` declares. The hint names the closest "
        "declared name.",
        "Fix the spelling, or declare the name.",
    ),
    "PR202": Code(
        "duplicate name",
        "Two inputs or lets have the same name (they share one namespace), or two members of one group, "
        "or two parts of one indicator, have the same name. The note points at the first one.",
        "Rename or delete one of them.",
    ),
    "PR203": Code(
        "circular definition",
        "A `let`, or an input's `default`, needs its own value, directly or through others. The message "
        "names the whole cycle and the notes show where each step uses the next.",
        "Compute one of the values from inputs only.",
    ),
    "PR204": Code(
        "unknown function",
        "A call names a function the language does not have. The functions are `min`, `max`, `mean`, "
        "`sum` and `abs`, plus `round(x, places[, mode])`.",
        "Use one of them; the hint names the closest.",
    ),
    "PR205": Code(
        "wrong number of arguments",
        "`abs` takes exactly one argument; `min`, `max`, `mean` and `sum` take at least one.",
        "Give the function the arguments it takes.",
    ),
    "PR206": Code(
        "unused input or let (warning)",
        "An input or a let that no rule, let or default uses. This is a warning: the ruleset still "
        "checks, and the warning is on `model.warnings`.",
        "Delete it, or use it in the rule it was meant for.",
    ),
    "PR207": Code(
        "judged input without a range",
        "A `judged` input is an assessor's score; without a range nobody knows what scale to score on.",
        "Give it the range of its points: `input 效果性评分: judged 0..25`.",
    ),
    "PR210": Code(
        "arithmetic that mixes kinds",
        "An arithmetic operation (or `min`, `max`, `mean`, `sum`, `abs`, `round`, `-x`) combines values "
        "whose kinds cannot mean anything together: a count and a percent, an amount and a ratio, "
        "`万元` and `元`, two amounts multiplied, or a flag in arithmetic. Both kinds are named. "
        "`count / count` and `amount / amount` (same unit) are ratios, and a plain number adapts to the "
        "other side.",
        "Make both sides the same kind: declare amounts in one unit, divide to get a ratio, use a flag as "
        "a condition.",
    ),
    "PR211": Code(
        "comparison between incomparable kinds",
        "A comparison between values of kinds that cannot be compared (a count with a percent, money "
        "with a ratio, a flag with a number), or an ordering (`<`, `≥` …) of flags.",
        "Compare like with like; compare flags with `=` or `≠`, or use the flag as the condition itself.",
    ),
    "PR212": Code(
        "ratio written as a plain number, or a percent for a count",
        "A ratio or percent is compared with a plain number other than 0: `< 5` means 500%, not 5%. "
        "This is checked in comparisons, tiers band bounds, input ranges and the unit and threshold of "
        "`deduct … per … of … above …`. The reverse is reported too: a count, amount or number "
        "subject with a percent bound, and a percent bound in a grade (the total is points).",
        "Write the percent sign (`5%`); for a count, drop the % or compare a ratio.",
    ),
    "PR213": Code(
        "condition that is not a flag",
        "`veto when`, `exempt when`, `deduct … when` and the operands of `and`, `or` and `not` need a "
        "flag (yes or no), not a number or an amount.",
        "Compare the value to make a flag: `veto when 实际采购金额 > 采购计划金额`.",
    ),
    "PR214": Code(
        "checklist test that is neither a flag nor a judged score",
        "A checklist item scores all its points when its test is a true flag, or the assessor's number "
        "when the test is a judged score. Any other kind (a ratio, a count) has no meaning there.",
        "Turn it into a condition (`回复件数 >= 信访件数`) or score it with a `judged` input.",
    ),
    "PR215": Code(
        "score, count or subject of the wrong kind",
        "A `score` formula (or `= …`) must be a number: a flag is not a score, and money is not points. "
        "`deduct P per …` needs a count, not a flag or an amount (deduct per unit of money with "
        "`deduct P per started 1 of …`). A `tiers` subject and a `deduct … per … of` subject cannot be "
        "a flag. Bands over an amount are allowed: `超支金额 > 10 → 0` is meaningful.",
        "Divide an amount by an amount in the same unit to get a ratio; score a flag with a checklist "
        "item or `deduct P when …`.",
    ),
    "PR216": Code(
        "default of another kind",
        "An input's `default` computes a value of a kind other than the input's declared kind (a plain "
        "number is accepted for any numeric input).",
        "Compute the declared kind, e.g. a percent as `累计支出 / 指标金额`.",
    ),
    "PR301": Code(
        "gap between bands",
        "Some values fall in no band of a `tiers` or of the `grade`. The message names them exactly, in "
        "percent form when the bands were written as percents. For `tiers`, the values are those the "
        "subject can take: counts, amounts and percents are ≥ 0 (or within their declared range), so "
        "`0..<5%` may start a ratio's bands, while a plain number needs bands down to minus infinity. "
        "For `grade`, the values are `[0, total]`, the only scores there are (total is `total`, or the "
        "sum of the top-level points). An `otherwise` band silences gaps. The caret is under the band "
        "below the gap; the note points at the band above it.",
        "Make neighbouring bands meet: one side closed and the other open at the same bound "
        "(`< 80%` then `80%..<90%`). The hint shows the band that closes the gap.",
    ),
    "PR302": Code(
        "overlapping bands",
        "Some values are in two bands, so the points would depend on band order. The message names both "
        "bands and the values they share; the note points at the other band. `otherwise` does not excuse "
        "an overlap.",
        "Make one end open: `90%..<100%` then `≥ 100%`.",
    ),
    "PR303": Code(
        "empty band",
        "A band that holds no value: `a..b` with a > b, or `a..<a`, `a<..a`, `a<..<a`. Gaps are not "
        "reported for a band list with an empty band, since the empty band is usually the one meant to "
        "fill them.",
        "Write the smaller bound first, or `= a` for a single value.",
    ),
    "PR304": Code(
        "more than one otherwise",
        "A band list has two `otherwise` bands; only one can take what the others leave.",
        "Keep one `otherwise`.",
    ),
    "PR305": Code(
        "band above the rule's max",
        "A band gives more points than its indicator or part is worth.",
        "Lower the band's points, or write `full` for the rule's max.",
    ),
    "PR306": Code(
        "band never reached (warning)",
        "No value the subject can take falls in this band: the subject's range, worked out by interval "
        "arithmetic from the inputs' declared ranges, misses it. An `otherwise` band is never reached when "
        "the other bands already cover every value; a grade band, when the total cannot reach it.",
        "Delete the band, or widen the input's declared range if such values do occur.",
    ),
    "PR401": Code(
        "points do not add up",
        "Children's maxima must add up to their parent's: the members of a group to its points, the "
        "parts of an indicator to its points, the items of a checklist to its rule's points, and the "
        "top-level groups and indicators to `total` when it is declared. Both numbers are named.",
        "Change a child's points or the parent's max; the hint gives the difference.",
    ),
    "PR402": Code(
        "score formula can exceed the max (warning)",
        "Interval arithmetic over the inputs' ranges shows that a `score` formula can go above its "
        "rule's max. The runtime caps the score at the max anyway; the warning asks whether that cap is "
        "meant. Counts, amounts and percents are ≥ 0 and unbounded above unless a range is declared; "
        "judged inputs stay within their range; a division by a value that can be 0 or unbounded is "
        "unbounded.",
        "Say the cap is intended with `min(…, max)` (as `min(执行率, 100%) × 1`), or declare ranges on "
        "the inputs.",
    ),
    "PR403": Code(
        "score formula can go below 0 (warning)",
        "Like PR402, for the floor: the formula can be negative, and the runtime raises it to 0.",
        "Say the floor is intended with `max(…, 0)`, or declare ranges on the inputs.",
    ),
    "PR404": Code(
        "judged range above the points",
        "A judged score used as a checklist item's test, or as a rule's whole score (`= 评分`), can "
        "give more than the item's or rule's points. A checklist item awards the judged number as is, so "
        "this would overstate the score.",
        "Declare the judged input's range as `0..POINTS`.",
    ),
    "PR405": Code(
        "zero or negative points",
        "A deduction of 0 points, or a `per … of` unit that is not above 0, is an error. A group, "
        "indicator, part or checklist item worth 0 points is a warning: it never changes a score.",
        "Give it points, or delete it; write a unit such as `1%`.",
    ),
    "PR406": Code(
        "on zero denominator above the max",
        "`on zero denominator → P` gives more points than the rule is worth.",
        "Write `on zero denominator → full` for the max, or a smaller number.",
    ),
    "PR407": Code(
        "more than one base",
        "A rule is scored by exactly one of `tiers`, `score`, `checklist` or its parts; this one has two. "
        "The note points at the first.",
        "Split the rule into parts, each with its own points and one way to score.",
    ),
    "PR408": Code(
        "clause given twice",
        "A clause that may appear once was given twice: `on zero denominator` or `rounding` in one rule, "
        "or `grade`, `total` or `rounding` at the top level. The note points at the first.",
        "Keep one.",
    ),
    "PR409": Code(
        "no way to score",
        "An indicator or part has no `tiers`, `score`, `checklist`, parts or deduction, so nothing says "
        "what it scores (exemptions and vetoes only decide between its max and 0).",
        "Add a base, or a deduction (a rule with deductions only starts from its max).",
    ),
    "PR411": Code(
        "rounding places out of range",
        "`rounding MODE PLACES` takes 0 to 10 places.",
        "Use a number of places from 0 to 10; scores are usually printed to 2.",
    ),
    "PR412": Code(
        "round places out of range",
        "`round(x, places)` takes 0 to 10 places.",
        "Use a number of places from 0 to 10; `round(x, 4)` keeps a rate to two decimals of a percent.",
    ),
    "PR413": Code(
        "checklist item never met (warning)",
        "An item's condition is false for every value its inputs can take (by interval arithmetic over "
        "their declared ranges), so the item never scores.",
        "Check the comparison's direction (`>` for `≥`) and the inputs' ranges.",
    ),
    "PR414": Code(
        "checklist item always met (warning)",
        "An item's condition holds for every value its inputs can take, so its points are a fixed bonus.",
        "Check the comparison; a criterion that cannot fail is usually a slip.",
    ),
    "PR415": Code(
        "max never reached (warning)",
        "The highest score the rule can reach, by interval arithmetic over its bands, formula, items, parts "
        "and deductions, stays below its max. Not reported when a narrower warning in the rule (PR306, "
        "PR413, PR414, PR417, PR418) already says why.",
        "Give the best band `full`, scale the formula to the max, or lower the max.",
    ),
    "PR416": Code(
        "cap or floor never needed (warning)",
        "A constant in `min(…, c)` (a cap) that the other arguments never exceed, or in `max(…, c)` (a "
        "floor) that they never go below: it never changes the value.",
        "Delete it, or check the inputs' declared ranges.",
    ),
    "PR417": Code(
        "cap or floor always bites (warning)",
        "A cap `min(…, c)` that the other arguments never go below, or a floor `max(…, c)` they never "
        "exceed, so the result is always c; or a score formula always above its rule's max (always "
        "capped) or always below 0 (always floored).",
        "`min` caps and `max` floors: check which one is meant, and the inputs' ranges.",
    ),
    "PR418": Code(
        "veto or exemption decided in advance (warning)",
        "A `veto when` or `exempt when` whose condition never holds or always holds, or that never changes "
        "the score (a veto on a rule that scores 0 anyway, an exemption on one that always scores its max).",
        "Check the condition's direction and the inputs' ranges, or delete the clause.",
    ),
    "PR419": Code(
        "veto or exemption that can meet a zero denominator (warning)",
        "The condition divides by a value that can be 0, in a rule with `on zero denominator` (or in a part "
        "whose indicator has one): when it is 0 the rule scores the `on zero denominator` points, not the 0 of "
        "the veto (or the max of the exemption). A veto would then raise a score it was meant to zero. Such a "
        "guard is never reported as decided in advance (PR418): the zero acts whether or not it can hold.",
        "Compare without dividing: `实际 > 计划` rather than `实际 / 计划 > 100%`.",
    ),
    "PR420": Code(
        "monotonicity claim violated",
        "A rule declares `rises with x` (its score never decreases as input x grows) or `falls with x`, "
        "and perfrules found two facts that differ only in x and score the wrong way round. The message "
        "gives both values of x, the other inputs the rule reads and both scores; the note points at the "
        "clause that stopped the static proof. Claims that perfrules cannot prove from the rule's structure "
        "are searched with Hypothesis, deterministically.",
        "Fix the rule, or drop the claim if the rubric does not make it.",
    ),
    "PR421": Code(
        "monotonicity claim not proved (warning)",
        "The rule's structure does not prove the claim, and a bounded search found no counterexample. The "
        "note points at the clause that stopped the proof.",
        "Write the rule so its structure shows the direction (see Verification), or accept the warning.",
    ),
    "PR422": Code(
        "claim about something that is not a numeric input",
        "`rises with` and `falls with` name an input the facts give: not a let (claim it of the inputs it "
        "is computed from) and not a flag (yes or no cannot grow).",
        "Name an input; the hint lists those the let uses.",
    ),
    "PR423": Code(
        "claim about an input the rule never reads (warning)",
        "The rule's score does not depend on the claimed input at all, so the claim says nothing; usually a "
        "slip for another input.",
        "Name an input the rule reads, or delete the claim.",
    ),
    # ---- facts (perfrules.load_facts, Ruleset.evaluate): FactsError, every problem at once
    "PR501": Code(
        "input missing from the facts",
        "The facts leave out an input that a rule needs (directly, through a let, or through the default "
        "of another input they leave out) and that has no `default`. The message gives the input's kind "
        "and the indicators that need it; the note points at its declaration. An input no rule needs "
        "this time may be left out.",
        "Add the input to the facts, or give it a `default` in the ruleset.",
    ),
    "PR502": Code(
        "name that is not an input",
        "The facts give a name the ruleset does not declare as an input, usually a misspelt one; the hint "
        "names the closest input. `evaluate_many` reports a frame column that is not an input, or a "
        "`keep` name that is not a column or that clashes with an output column, the same way.",
        "Fix the spelling, or delete the value; `keep=[...]` copies an extra column to the output.",
    ),
    "PR503": Code(
        "value of the wrong kind",
        "A value cannot be read as its input's kind: text where a number is needed, a fraction for a "
        "count, a list or mapping, or anything but yes or no for a flag. Numbers may be written "
        "`7,341.03`, in full-width digits, and percents as `\"12.42%\"` or `0.1242`.",
        "Write the value as the kind the message names.",
    ),
    "PR504": Code(
        "negative value",
        "A count, amount, percent or ratio without a declared range is below 0.",
        "Correct the value; if negative values are real, declare a range on the input (`input 结余: amount 万元 -100..100`).",
    ),
    "PR505": Code(
        "value outside the declared range",
        "A value lies outside its input's declared range, such as a judged score above its scale.",
        "Correct the value, or widen the range in the ruleset if such values do occur.",
    ),
    "PR510": Code(
        "facts file unreadable",
        "The facts file cannot be read, is not valid YAML, JSON or TOML (the caret shows where the parser "
        "gave up), has another suffix, or is not a mapping of input names to values.",
        "Write one `input name: value` per line, in a `.yaml`, `.json` or `.toml` file saved as UTF-8.",
    ),
    # ---- entity tables (perfrules.tables.load_table): FactsError
    "PR520": Code(
        "table unreadable",
        "An entity table cannot be read: a suffix other than `.csv` or `.parquet`, a file that is not "
        "UTF-8, invalid CSV, no header row, or Parquet without pyarrow installed.",
        "Save the table as UTF-8 CSV whose first row names the columns (inputs, and `entity` or `id`).",
    ),
    "PR521": Code(
        "bad column name",
        "Two columns of the header have the same name (the note points at the first), or a column holds "
        "values but has no name. Empty unnamed columns, which spreadsheets export, are ignored.",
        "Rename or delete one of the columns; name every column that has values.",
    ),
    "PR522": Code(
        "row wider than the header",
        "A row has more cells than the header names columns, usually because a number written with a "
        "thousands separator (`7,341.03`) was not quoted and split into two cells.",
        "Quote such cells (`\"7,341.03\"`) or write numbers without separators.",
    ),
    # ---- reported figures (perfrules.reported.load_reported, perfrules.audit.audit): ReportedError
    "PR530": Code(
        "reported file unreadable",
        "The reported file cannot be read, is not valid YAML, is empty, or is not a mapping with the "
        "sections `indicators`, `total`, `grade` and `figures`; or a section, or a value in one, has the "
        "wrong shape.",
        "Write the file in the shape shown in [Audit a report](../how-to/audit-a-report.md); the hint "
        "names the section meant.",
    ),
    "PR531": Code(
        "reported indicator not in the ruleset",
        "An entry of `indicators` names no indicator, part or group of the ruleset, by name or as a path "
        "suffix `a/b`.",
        "Write the name as the ruleset spells it; the hint names the closest.",
    ),
    "PR532": Code(
        "reported name fits several nodes",
        "An entry of `indicators` names several nodes of the ruleset (the message lists them), so the "
        "audit cannot tell which one the report printed.",
        "Give more of the path, as `项目管理/及时性`.",
    ),
    "PR533": Code(
        "reported figure not in the ruleset",
        "An entry of `figures` names no let or input of the ruleset.",
        "Write the name of the let or input the figure is; the hint names the closest. Declare a `let` "
        "for a figure the ruleset does not compute yet.",
    ),
    "PR534": Code(
        "printed value not a number",
        "A printed score, total or figure is not a number as a report prints one (`5.73`, `\"115.82%\"`, "
        "`7,341.03`; spaces and full-width digits are allowed).",
        "Copy the number alone, without units such as `分`.",
    ),
    # ---- evaluation (Ruleset.evaluate): EvaluationError
    "PR601": Code(
        "unanswered zero denominator",
        "A division the rule needs has a zero denominator for these facts, and the rule has no "
        "`on zero denominator` clause saying what it scores then. The message names the division, the "
        "let it is in if any, and the rule; the note points at the rule.",
        "Add `on zero denominator → POINTS` to the rule (the rubric usually says what a department "
        "without the base scores), or correct the facts.",
    ),
    # ---- author cases (perfrules.cases.load_cases, `perfrules verify`): CasesError
    "PR701": Code(
        "cases file unreadable",
        "The cases file `NAME.cases.yaml` beside `NAME.rules` is missing, cannot be read, or is not valid "
        "YAML; the caret shows where the YAML parser gave up.",
        "Write the cases file beside the ruleset; quote texts that hold `: `, such as case names.",
    ),
    "PR702": Code(
        "cases file of the wrong shape",
        "A key is unknown (the hint names the closest), given twice, or missing (`cases:`, a case's "
        "`name:` or `expect:`), or a value has the wrong shape, such as `with:` that is not a mapping.",
        "Use the keys `facts` and `cases` at the top, and `name`, `facts`, `with`, `expect` and `note` in "
        "a case.",
    ),
    "PR703": Code(
        "expectation names no node",
        "A key of `expect` names no group, indicator or part of the ruleset, and is not `total` or "
        "`grade`.",
        "Write the name as the ruleset spells it; the hint names the closest.",
    ),
    "PR704": Code(
        "expectation names several nodes",
        "A key of `expect` names several nodes of the ruleset (the message lists their paths).",
        "Write more of the path, as `项目管理/及时性`.",
    ),
    "PR705": Code(
        "impossible expectation",
        "An expected score is not a number or lies outside 0 to the node's max, or an expected grade is "
        "not a grade of the ruleset (or the ruleset has no grade scale).",
        "Expect a score the node can give, or a grade of the scale.",
    ),
    "PR706": Code(
        "two cases with one name",
        "Two cases of the file have the same name, so a failure could not say which one failed.",
        "Give every case its own name.",
    ),
    # ---- the SQL back end (perfrules.sql): SqlError, or a reason in a row's error column
    "PR801": Code(
        "a value could need more than 38 digits in SQL",
        "SQL engines compute exactly with DECIMALs of at most 38 digits. Working out the digits each "
        "intermediate value of the ruleset may need (the digits the inputs carry, products adding them "
        "up), perfrules found one that could need more, so the query could not be exact. The message "
        "names the expression and where it is used. The Python evaluator scores such a ruleset.",
        "Give the inputs the expression reads a range (`input 单价: number 0..10000`), so that fewer "
        "digits are needed, or score this ruleset with `perfrules score … --engine python`.",
    ),
    "PR802": Code(
        "column of binary floats",
        "A column of the table holds binary floating-point numbers (DOUBLE, REAL, FLOAT), which this SQL "
        "engine does not turn back into the decimal that was written, so a score could be read from "
        "0.8999999999999999 instead of 0.9. DuckDB reads them exactly and does not report this.",
        "Store the column as DECIMAL or as text, or declare it so in `columns`.",
    ),
    "PR803": Code(
        "two result columns with one name",
        "The result has a column per indicator, named by its path, beside the key columns and the columns "
        "`row`, `total`, `grade` and `error`. An indicator called `row`, `total`, `grade` or `error`, or "
        "a key column named like an indicator or like one of those, would give two columns one name.",
        "Rename the indicator, or the key column.",
    ),
    "PR804": Code(
        "row on a boundary that the Python evaluator decides",
        "The SQL query computes every value exactly. The Python evaluator carries a quotient to 28 digits, "
        "so where an exact value lies exactly on a band edge or a rounding boundary, as `1 / 3 × 3` on "
        "`≥ 100%`, Python's 28 digits (0.999…9) may fall on the other side. Such a row is marked with this "
        "reason in the `error` column instead of being scored differently from Python. "
        "`perfrules score … --out` hands these rows to the Python evaluator and scores them: only a query "
        "run by hand shows it.",
        "Score the marked rows with the Python evaluator (`perfrules score RULESET FACTS`, "
        "`Ruleset.evaluate`), as `perfrules score … --out` does, or write the expression without the "
        "quotient inside (`完成份数 × 3 / 分摊份数`).",
    ),
    "PR805": Code(
        "cell with more digits than SQL carries",
        "A value has more digits before or after the point than the query carries for its kind (by "
        "default 10 for counts; 12 and 4 decimals for amounts; 4 and 6 for percents and ratios; 9 and 4 "
        "for judged scores; 12 and 6 for numbers), or an input's default computes such a value. It is "
        "refused rather than rounded: the row is rejected, with the input and the value.",
        "Correct the value if it was mistyped, or score the table with `perfrules score … --engine python`, "
        "which carries any number of digits. From Python, `compile_query(…, limits=Limits(amount=(12, 6)))` "
        "carries more (an amount in 万元 to the cent needs 6 decimals).",
    ),
    # ---- internal errors: InternalError, a bug in perfrules; no corpus example
    "PR901": Code(
        "generated code or layout failed verification (internal error)",
        "The Python code generated for a ruleset failed its allow-list verification, or `perfrules fmt` "
        "would have changed a ruleset's meaning or lost a comment (nothing is written then). Ruleset text "
        "never reaches generated code, so this is a bug in perfrules, not in the ruleset. The command "
        "exits with the internal-error status.",
        "Report it, with the ruleset and the output of `perfrules --debug …`.",
    ),
    "PR902": Code(
        "input used that the facts left out (internal error)",
        "A rule used an input the facts left out although facts validation did not ask for it (PR501 "
        "should have). This is a bug in perfrules, not in the facts.",
        "Report it, with the ruleset, the facts and the output of `perfrules --debug …`; giving the input "
        "in the facts works around it.",
    ),
}


NO_EXAMPLE = frozenset({"PR901", "PR902"})
"""Codes of perfrules' own bugs: documented on the page, deliberately without a corpus example."""


def _clean(ruleset):
    # The ruleset only sets the scene for a later stage; a warning of its own would muddle the example.
    assert not ruleset.warnings, f"the example's ruleset {ruleset.name} should check without warnings"
    return ruleset


def _check(stem: str) -> str:
    from perfrules.check import check
    from perfrules.diagnostics import render
    from perfrules.parse import parse

    name = stem + ".rules"
    return render(check(parse(Path(name).read_text(encoding="utf-8"), name=name)).warnings)


def _facts(stem: str) -> None:
    import perfrules

    _clean(perfrules.load(stem + ".rules")).evaluate(perfrules.load_facts(stem + ".yaml"))


def _table(stem: str) -> None:
    from perfrules.tables import load_table

    load_table(stem + ".csv")


def _reported(stem: str) -> None:
    # In the order of `perfrules audit`: ruleset, reported file, facts, then the audit itself.
    import perfrules
    from perfrules.audit import audit
    from perfrules.reported import load_reported

    ruleset = _clean(perfrules.load(stem + ".rules"))
    printed = load_reported(stem + ".reported.yaml")
    audit(ruleset, perfrules.load_facts(stem + ".yaml"), printed)


def _cases(stem: str) -> None:
    # As `perfrules verify` reads them: the cases file beside the ruleset, checked against its model.
    import perfrules
    from perfrules import cases

    ruleset = _clean(perfrules.load(stem + ".rules"))
    cases.load_cases(cases.cases_path(stem + ".rules"), ruleset.model)


def _sql(stem: str) -> str | None:
    """As `perfrules sql` compiles a ruleset, or, with a table, as `perfrules score TABLE --out`
    scores it (or, with ``run: query``, as the query of `perfrules sql` scores it on DuckDB)."""
    import csv
    import tempfile

    import yaml

    import perfrules
    from perfrules.sql import ColumnType, compile_query

    ruleset = _clean(perfrules.load(stem + ".rules"))
    options_file = Path(stem + ".sql.yaml")
    options = yaml.safe_load(options_file.read_text(encoding="utf-8")) if options_file.exists() else {}
    columns = options.get("columns")
    if columns is not None:
        columns = {name: ColumnType(kind) for name, kind in columns.items()}
    table = Path(stem + ".csv")
    if not table.exists():
        compile_query(ruleset.model, dialect=options.get("dialect", "duckdb"), columns=columns,
                      keys=options.get("keys", ()))
        return None
    if options.get("run") == "query":
        import duckdb

        con = duckdb.connect()
        con.read_csv(str(table), header=True, all_varchar=True).create_view("facts")
        query = compile_query(ruleset.model, dialect="duckdb", keys=("entity",)).sql(dialect="duckdb")
        rows = con.execute(f'SELECT "row", "entity", "error" FROM ({query}) WHERE "error" IS NOT NULL '
                           'ORDER BY "row"').fetchall()
        return _rejected(rows)
    from perfrules.sql.duckdb_runner import score_table

    with tempfile.TemporaryDirectory() as scratch:
        summary = score_table(ruleset, table, out=Path(scratch) / "results.csv")
        with open(summary.rejects, encoding="utf-8", newline="") as handle:
            rows = [(r["row"], r["entity"], r["reasons"]) for r in csv.DictReader(handle)]
    return summary.line() + "\n" + _rejected(rows)


def _rejected(rows) -> str:
    """Each reason of each rejected row as a diagnostic of its own, led by the row."""
    from perfrules.diagnostics import Diagnostic, render

    found = []
    for row, entity, reasons in rows:
        for reason in re.split(r"; (?=PR\d{3} )", reasons):
            code, message = reason.split(" ", 1)
            found.append(Diagnostic(code, f"row {row} ({entity}): {message}"))
    return render(found)


@attrs.frozen
class Stage:
    """A directory of the corpus: the file that names a case, the files the page shows for it
    (in that order; ``optional`` ones only where a case has them), and how perfrules is run on them."""

    primary: str
    shown: tuple[str, ...]
    run: Callable[[str], str | None]
    optional: tuple[str, ...] = ()


STAGE_DIRS = {
    "": Stage(".rules", (".rules",), _check),
    "facts": Stage(".rules", (".rules", ".yaml"), _facts),
    "tables": Stage(".csv", (".csv",), _table),
    "reported": Stage(".rules", (".rules", ".yaml", ".reported.yaml"), _reported),
    "evaluation": Stage(".rules", (".rules", ".yaml"), _facts),
    "cases": Stage(".rules", (".rules", ".cases.yaml"), _cases),
    "sql": Stage(".rules", (".rules", ".csv", ".sql.yaml"), _sql, optional=(".csv", ".sql.yaml")),
}


def cases() -> list[Path]:
    """Every corpus case (the file that names it), in code order."""
    found = [path for directory, stage in STAGE_DIRS.items() for path in (HERE / directory).glob("PR*" + stage.primary)]
    return sorted(found, key=lambda path: (code_of(path), path.name))


def code_of(path: Path) -> str:
    return _CODE.match(path.name).group(1)


def stage_of(path: Path) -> Stage:
    return STAGE_DIRS["" if path.parent == HERE else path.parent.name]


def _stem(path: Path) -> str:
    return path.name.removesuffix(stage_of(path).primary)


def expected_of(path: Path) -> Path:
    return path.parent / (_stem(path) + ".expected")


def files_of(path: Path) -> list[Path]:
    """The input files of a case, in the order the page shows them."""
    stage = stage_of(path)
    files = [path.parent / (_stem(path) + suffix) for suffix in stage.shown]
    return [f for f, suffix in zip(files, stage.shown) if suffix not in stage.optional or f.exists()]


def render_case(path: Path) -> str:
    """What perfrules prints for a corpus case: the error, or the warnings of a clean check."""
    # Imported here so that running this file as a script can put the checkout on sys.path first.
    from perfrules.errors import PerfrulesError

    # Run where the files are, with the names a user types there: paths in the messages are
    # relative, so the expected files are the same on every machine.
    with contextlib.chdir(path.parent):
        try:
            shown = stage_of(path).run(_stem(path))
        except PerfrulesError as error:
            return str(error) + "\n"
    return (shown if shown is not None else "perfrules reported no problem") + "\n"


def _stage_heading(code: str) -> tuple[str, str]:
    return next((heading, about) for lowest, heading, about in reversed(STAGES) if code >= lowest)


def reference() -> str:
    """The whole reference page, from CODES and the corpus's cases and .expected files."""
    by_code: dict[str, list[Path]] = {}
    for path in cases():
        by_code.setdefault(code_of(path), []).append(path)
    example = (HERE / "PR301-gap-between-bands.expected").read_text(encoding="utf-8").rstrip("\n")
    lines = [_INTRO.format(example=example), "| code | meaning |", "|---|---|"]
    lines += [f"| [{code}](#{code.lower()}) | {CODES[code].title} |" for code in sorted(CODES)]
    stage = None
    for code in sorted(CODES):
        if _stage_heading(code) != stage:
            stage = _stage_heading(code)
            lines += ["", f"## {stage[0]}"] + (["", stage[1]] if stage[1] else [])
        lines += _section(code, by_code.get(code, []))
    return "\n".join(lines) + "\n"


def _section(code: str, paths: list[Path]) -> list[str]:
    entry = CODES[code]
    lines = ["", f"### {code}", "", f"**{entry.title}.** {entry.meaning}", "", f"*Fix:* {entry.fix}"]
    for path in paths:
        for i, file in enumerate(files_of(path)):
            lines += _file_block(file, "with " if i else "")
        expected = expected_of(path).read_text(encoding="utf-8").rstrip("\n")
        lines += ["", "gives", "", "```text", expected, "```"]
    return lines


def _file_block(path: Path, lead: str) -> list[str]:
    name = path.relative_to(ROOT).as_posix()
    text = path.read_text(encoding="utf-8").rstrip("\n")
    if not text.strip():
        return ["", f"{lead}`{name}` (an empty file)"]
    language = "yaml" if path.name.endswith(".yaml") else "text"  # never ```rules: these do not check
    return ["", f"{lead}`{name}`:", "", f"```{language}", text, "```"]


_INTRO = """\
# Diagnostic codes

<!-- Generated by tests/errors/make_reference.py from tests/errors/; do not edit by hand. -->

Every problem perfrules reports has a stable code: `PR` and three digits, by stage. A
message names what is wrong and both sides of it, points at the exact place with a caret,
and may add notes (related places) and a hint (how to fix it):

```text
{example}
```

Parsing stops at the first error. Checking reports every problem of every pass in one run,
errors and warnings together, in source order, and raises `CheckError` when there is an
error. Warnings alone do not stop `check`: they are on the model's `warnings`. The later
stages (facts, entity tables, reported figures, evaluation, author cases, the SQL back end)
each raise one error holding every problem they found, or, scoring a table, list every
problem of a rejected row; each section says what raises it. Each example
below is a file of the test corpus, with the facts, table, reported or cases file it needs,
shown with what perfrules prints for it when run in the example's directory.
"""


def main() -> int:
    PAGE.write_text(reference(), encoding="utf-8")
    print(f"wrote {PAGE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
