"""Run the same facts through the Python evaluator and a SQL engine, and compare.

Facts go to both sides as the same cells (the texts a CSV gives, or the typed values of a
Parquet file or a DataFrame), so both read them (``facts`` in Python,
``perfrules.sql.inputs`` in SQL). An outcome is either the scores (every indicator by
path, the total and the grade) or the row's error codes, each with the input it is about.
"""

from __future__ import annotations

import decimal
import re
from decimal import Decimal

import perfrules
from perfrules import facts, interp, runtime
from perfrules.diagnostics import Diagnostics
from perfrules.errors import EvaluationError, FactsError
from perfrules.sql.inputs import Limits


def cell(value) -> str | None:
    """A facts value as the text a CSV cell would hold."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def cells(ruleset: perfrules.Ruleset, facts: dict) -> list[str | None]:
    return [cell(facts.get(slot.name)) for slot in ruleset.model.inputs]


def python_outcome(ruleset: perfrules.Ruleset, row: list):
    """Python's outcome for one row of cells (texts, decimals, booleans; None or blank: not given)."""
    given = {slot.name: value for slot, value in zip(ruleset.model.inputs, row)
             if value is not None and not (isinstance(value, str) and not value.strip())}
    try:
        result = ruleset.evaluate(given)
    except FactsError as error:
        return ("facts", frozenset((d.code, _subject(d.message)) for d in error.diagnostics))
    except EvaluationError as error:
        return ("zero", frozenset(d.code for d in error.diagnostics))
    scores = {"/".join(rule.path): result.find("/".join(rule.path)).score for rule in ruleset.model.rules()}
    return ("scores", scores, result.total, result.grade)


def reasons(error: str) -> list[str]:
    """The reasons of a row's ``error`` column, each starting with its code."""
    return re.split(r"; (?=PR\d{3} )", error)


def sql_outcome(ruleset: perfrules.Ruleset, record: dict):
    error = record["error"]
    if error is not None:
        codes = {(r[:5], _subject(r[6:])) for r in reasons(error)}
        if {code for code, _ in codes} == {"PR804"}:
            return ("python",)  # on a boundary Python decides: the runner hands it to Python
        if all(code != "PR601" for code, _ in codes):
            return ("facts", frozenset(codes))
        return ("zero", frozenset(code for code, _ in codes))
    scores = {"/".join(rule.path): record["/".join(rule.path)] for rule in ruleset.model.rules()}
    return ("scores", scores, record["total"], record["grade"])


def _subject(message: str) -> str:
    # The input a facts message is about: "X must be …", "the facts do not give X (…)", or
    # "the default of X computes …".
    match = re.match(r"(?:the facts do not give|the default of) (\S+)", message)
    return match.group(1) if match else message.split(" ")[0]


def wide_defaults(ruleset: perfrules.Ruleset, row: list, limits: Limits = Limits()) -> frozenset[str]:
    """Inputs the row leaves out whose default computes a value with more digits before the
    point than the SQL columns carry for the input's kind: SQL refuses them (PR805) where
    Python scores. Worked out with the reference interpreter, from the cells Python reads
    and SQL carries (a default reading a cell SQL refuses has no value there either)."""
    checked = ruleset.model
    env = {}
    for slot, value in zip(checked.inputs, row):
        env[slot.name] = None
        if value is not None and not (isinstance(value, str) and not value.strip()):
            problems = Diagnostics()
            read = facts._value(slot, value, None, problems)
            if not problems.has_errors and not (isinstance(read, Decimal) and _too_wide(read, limits.of(slot))):
                env[slot.name] = read
    found = set()
    with decimal.localcontext(runtime.CONTEXT):
        for site in checked.sites:
            name = site.owner[0]
            if site.role not in ("let", "default") or (site.role == "default" and env[name] is not None):
                continue
            try:
                value = interp._site_value(site, env, checked.rounding.mode)
            except Exception:  # noqa: BLE001 - an input it reads is not given or not valid: no value
                value = None
            value = value if isinstance(value, Decimal) else None
            env[name] = value
            slot = next((s for s in checked.inputs if s.name == name), None) if site.role == "default" else None
            if slot is not None and value is not None and abs(value) >= Decimal(10) ** limits.of(slot).digits:
                found.add(name)
    return frozenset(found)


def agree(python, sql) -> bool:
    return difference(python, sql) is None


def difference(python, sql, *, wide: frozenset[str] = frozenset()) -> str | None:
    """Why the two outcomes of one row differ, or None when they agree.

    ``wide``: inputs whose cell has more digits than the SQL columns carry. SQL refuses
    such a cell (PR805) where Python reads it: for those inputs PR805, and only PR805, is
    expected, whatever Python said of them; the rest of the row must agree as it is.
    """
    if wide:
        expected = {(code, subject) for code, subject in (python[1] if python[0] == "facts" else ())
                    if subject not in wide} | {("PR805", name) for name in wide}
        if sql[0] != "facts" or set(sql[1]) != expected:
            return f"expected the facts codes {sorted(expected)} (cells too wide for SQL), SQL gave {sql}"
        return None
    if sql[0] == "python":
        return None if python[0] == "scores" else f"SQL handed the row to Python, but Python gave {python}"
    if python[0] != sql[0]:
        return f"Python gave {python}, SQL gave {sql}"
    if python[0] == "scores":
        _, p_scores, p_total, p_grade = python
        _, s_scores, s_total, s_grade = sql
        wrong = [f"{k}: Python {p_scores[k]}, SQL {s_scores[k]}" for k in p_scores
                 if s_scores[k] is None or Decimal(p_scores[k]) != Decimal(s_scores[k])]
        if s_total is None or Decimal(p_total) != Decimal(s_total):
            wrong.append(f"total: Python {p_total}, SQL {s_total}")
        if p_grade != s_grade:
            wrong.append(f"grade: Python {p_grade}, SQL {s_grade}")
        return "; ".join(wrong) or None
    if python[1] != sql[1]:
        return f"Python gave {sorted(python[1])}, SQL gave {sorted(sql[1])}"
    return None


def _too_wide(value: Decimal, dec) -> bool:
    """More digits before the point, or decimals after it, than ``dec`` carries."""
    decimals = max(0, -value.normalize().as_tuple().exponent) if value else 0
    return abs(value) >= Decimal(10) ** dec.digits or decimals > dec.scale
