"""Run the same facts through the Python evaluator and a SQL engine, and compare.

Facts go to both sides as the same cell texts, so both read them (``facts`` in Python,
``perfrules.sql.inputs`` in SQL). An outcome is either the scores (every indicator by
path, the total and the grade) or the row's error codes.
"""

from __future__ import annotations

import re
from decimal import Decimal

import perfrules
from perfrules.errors import EvaluationError, FactsError


def cell(value) -> str | None:
    """A facts value as the text a CSV cell would hold."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def cells(ruleset: perfrules.Ruleset, facts: dict) -> list[str | None]:
    return [cell(facts.get(slot.name)) for slot in ruleset.model.inputs]


def python_outcome(ruleset: perfrules.Ruleset, row: list[str | None]):
    given = {slot.name: text for slot, text in zip(ruleset.model.inputs, row) if text is not None and text.strip()}
    try:
        result = ruleset.evaluate(given)
    except FactsError as error:
        return ("facts", frozenset((d.code, _subject(d.message)) for d in error.diagnostics))
    except EvaluationError as error:
        return ("zero", frozenset(d.code for d in error.diagnostics))
    scores = {"/".join(rule.path): result.find("/".join(rule.path)).score for rule in ruleset.model.rules()}
    return ("scores", scores, result.total, result.grade)


def sql_outcome(ruleset: perfrules.Ruleset, record: dict):
    error = record["error"]
    if error is not None:
        reasons = error.split("; PR")
        reasons = [reasons[0]] + ["PR" + r for r in reasons[1:]]
        codes = {(r[:5], r.split(" ")[1]) for r in reasons}
        if {code for code, _ in codes} == {"PR804"}:
            return ("python",)  # on a boundary Python decides: the runner hands it to Python
        if all(code != "PR601" for code, _ in codes):
            return ("facts", frozenset(codes))
        return ("zero", frozenset(code for code, _ in codes))
    scores = {"/".join(rule.path): record["/".join(rule.path)] for rule in ruleset.model.rules()}
    return ("scores", scores, record["total"], record["grade"])


def _subject(message: str) -> str:
    match = re.match(r"the facts do not give (\S+)", message)
    return match.group(1) if match else message.split(" ")[0]


def agree(python, sql) -> bool:
    if sql[0] == "python":
        return python[0] == "scores"
    if python[0] != sql[0]:
        return False
    if python[0] == "scores":
        _, p_scores, p_total, p_grade = python
        _, s_scores, s_total, s_grade = sql
        return (all(Decimal(p_scores[k]) == Decimal(s_scores[k]) for k in p_scores)
                and Decimal(p_total) == Decimal(s_total) and p_grade == s_grade)
    if python[0] == "zero":
        return python[1] == sql[1]
    return python[1] == sql[1]
