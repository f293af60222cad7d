"""Structure: what a rule or a ruleset may hold, and how often (PR407-PR412).

A rule is scored by exactly one base (tiers, score, checklist, or its parts) or by
deductions from its max; some clauses may appear once only; rounding places stay within
what a printed score can use. This pass reads shapes only; names, kinds and numbers are
the other passes' business.
"""

from __future__ import annotations

from perfrules import nodes
from perfrules.check.tree import DEDUCTIONS, RULE_BASES, expression_nodes, rules
from perfrules.diagnostics import Diagnostics

MAX_PLACES = 10
_BASE_NAMES = {nodes.Tiers: "tiers", nodes.Score: "score", nodes.Checklist: "checklist", nodes.Part: "parts"}
_ONCE_IN_RULE = {nodes.OnZero: "on zero denominator", nodes.Rounding: "rounding"}
_ONCE_IN_RULESET = {nodes.Grade: "grade", nodes.Total: "total", nodes.Rounding: "rounding"}


def check_structure(tree: nodes.Ruleset, diagnostics: Diagnostics) -> None:
    """Report rules with two bases or none, repeated clauses and rounding places out of range.

    Args:
        tree: The parsed ruleset.
        diagnostics: Receives PR407, PR408, PR409, PR411 and PR412.
    """
    for rule in rules(tree):
        _check_bases(rule, diagnostics)
        _check_once(rule.clauses, _ONCE_IN_RULE, f"{_kind(rule)} {rule.name}", diagnostics)
        _check_scorable(rule, diagnostics)
        for clause in rule.clauses:
            if isinstance(clause, nodes.Rounding):
                _check_places(clause, diagnostics)
    _check_once(tree.statements, _ONCE_IN_RULESET, "the ruleset", diagnostics)
    for rounding in tree.of_type(nodes.Rounding):
        _check_places(rounding, diagnostics)
    for node in expression_nodes(tree):
        if isinstance(node, nodes.Round) and not 0 <= node.places <= MAX_PLACES:
            diagnostics.error(
                "PR412", f"round to {node.places} places is out of range 0..{MAX_PLACES}", node.span,
                hint="round(x, 4) keeps four decimals, e.g. 0.1234 = 12.34%")


def _kind(rule) -> str:
    return "part" if isinstance(rule, nodes.Part) else "indicator"


def _check_bases(rule, diagnostics: Diagnostics) -> None:
    # Parts are one base however many there are: their scores are summed.
    bases, seen_part = [], False
    for clause in rule.clauses:
        if isinstance(clause, nodes.Part):
            if seen_part:
                continue
            seen_part = True
        if isinstance(clause, (*RULE_BASES, nodes.Part)):
            bases.append(clause)
    first = bases[0] if bases else None
    for extra in bases[1:]:
        diagnostics.error(
            "PR407",
            f"{_kind(rule)} {rule.name} has both {_base(first)} and {_base(extra)}; "
            "a rule is scored by one of tiers, score, checklist or parts",
            extra.span,
            hint="split the rule into parts, each with its own points and one way to score",
            notes=((f"its {_base(first)} is here", first.span),),
        )


def _base(clause) -> str:
    return _BASE_NAMES[type(clause)]


def _check_once(statements, once: dict, owner: str, diagnostics: Diagnostics) -> None:
    first: dict[type, object] = {}
    for statement in statements:
        cls = type(statement)
        if cls not in once:
            continue
        if cls not in first:
            first[cls] = statement
            continue
        diagnostics.error(
            "PR408", f"{owner} has a second `{once[cls]}`; only one is allowed", statement.span,
            hint="keep one and delete the other",
            notes=((f"the first `{once[cls]}` is here", first[cls].span),),
        )


def _check_scorable(rule, diagnostics: Diagnostics) -> None:
    if any(isinstance(c, (*RULE_BASES, nodes.Part, *DEDUCTIONS)) for c in rule.clauses):
        return
    diagnostics.error(
        "PR409", f"{_kind(rule)} {rule.name} has no way to score: no tiers, score, checklist, parts or deduction",
        rule.name_span,
        hint="add `score …`, `tiers …`, a `checklist`, parts, or a `deduct` clause (a rule that only "
             "deducts starts from its max)",
    )


def _check_places(rounding: nodes.Rounding, diagnostics: Diagnostics) -> None:
    if 0 <= rounding.places <= MAX_PLACES:
        return
    diagnostics.error(
        "PR411", f"rounding to {rounding.places} places is out of range 0..{MAX_PLACES}", rounding.span,
        hint="scores are usually printed to 2 places: `rounding half_up 2`",
    )
