"""Monotonicity: `rises with x` and `falls with x` claims, proved or refuted (PR420-PR423).

A claim says a rule's score never decreases (rises) or never increases (falls) as input x
grows, every other input held. ``check/direction.py`` tries to prove it from the rule's
structure. What it cannot prove, ``check/search.py`` searches for a counterexample with
Hypothesis: a violation is an error that shows two values of x, the other inputs and the
two scores (PR420); a claim neither proved nor refuted is a warning (PR421). A claim must
name a numeric input (PR201, PR422); one about an input the rule never reads holds
trivially and is probably a slip (PR423).

Proofs need a ruleset without errors, and the search needs its model: while other passes
report errors, only the claims' names are checked.
"""

from __future__ import annotations

from perfrules import nodes
from perfrules.check.bounds import context_of
from perfrules.check.tree import (
    clause_expressions, definition_expr, definitions, own_clauses, refs, rules_with_paths,
)
from perfrules.diagnostics import Diagnostics, did_you_mean
from perfrules.fmt import expr_text, number_text


def check_monotone(tree: nodes.Ruleset, diagnostics: Diagnostics) -> None:
    """Prove every claim, or search for a counterexample to it.

    Args:
        tree: The parsed ruleset.
        diagnostics: Receives PR201 and PR420-PR423.
    """
    known = definitions(tree)
    claims = [(path, rule, claim) for path, rule in rules_with_paths(tree)
              for claim in own_clauses(rule, nodes.Monotone)]
    named = [(path, rule, claim) for path, rule, claim in claims if _check_name(claim, known, diagnostics)]
    if not named or diagnostics.has_errors:
        return
    from perfrules.check.direction import Directions  # only for a ruleset that claims something

    context, unproven = context_of(tree), []
    for path, rule, claim in named:
        if claim.input not in _inputs_read(rule, known):
            _report_vacuous(rule, claim, known, diagnostics)
            continue
        direction, components = Directions(claim.input, context).of_rule(rule)
        if not direction.holds(claim.direction):
            unproven.append((path, rule, claim, _blame(components, claim.direction)))
    if unproven:
        _search(tree, unproven, diagnostics)


def _name(rule) -> str:
    return f"{'part' if isinstance(rule, nodes.Part) else 'indicator'} {rule.name}"


def _check_name(claim: nodes.Monotone, known: dict, diagnostics: Diagnostics) -> bool:
    node = known.get(claim.input)
    inputs = [n for n, d in known.items() if isinstance(d, nodes.Input) and d.kind != "flag"]
    if node is None:
        diagnostics.error("PR201", f"unknown name {claim.input}", claim.span,
                          hint=did_you_mean(claim.input, inputs) or "a claim names an input declared with `input`")
        return False
    if isinstance(node, nodes.Let):
        diagnostics.error("PR422", f"{claim.input} is a let, not an input: a claim is about an input the facts give",
                          claim.span, hint=_inputs_hint(node, known),
                          notes=((f"{claim.input} is defined here", node.name_span),))
        return False
    if node.kind == "flag":
        diagnostics.error("PR422", f"{claim.input} is a flag: yes or no cannot rise or fall", claim.span,
                          hint="claim it of a number, a count, an amount, a percent or a judged score",
                          notes=((f"{claim.input} is declared here", node.name_span),))
        return False
    return True


def _inputs_hint(let: nodes.Let, known: dict) -> str:
    used = [r.name for r in refs(let.value) if isinstance(known.get(r.name), nodes.Input)]
    if not used:
        return "name one of the inputs it is computed from"
    return f"name one of the inputs it is computed from: {', '.join(dict.fromkeys(used))}"


def _inputs_read(rule, known: dict) -> set[str]:
    """The inputs a rule (with its parts) reads, through lets and defaults."""
    found: set[str] = set()
    seen: set[str] = set()
    pending = [e for clause in rule.clauses for e in _exprs(clause)]
    while pending:
        for ref in refs(pending.pop()):
            node = known.get(ref.name)
            if ref.name in seen or node is None:
                continue
            seen.add(ref.name)
            if isinstance(node, nodes.Input):
                found.add(ref.name)
            if definition_expr(node) is not None:
                pending.append(definition_expr(node))
    return found


def _exprs(clause):
    if isinstance(clause, nodes.Part):
        return [e for c in clause.clauses for e in _exprs(c)]
    return list(clause_expressions(clause))


def _report_vacuous(rule, claim: nodes.Monotone, known: dict, diagnostics: Diagnostics) -> None:
    read = sorted(_inputs_read(rule, known))
    diagnostics.warning(
        "PR423", f"{_name(rule)} never reads {claim.input}: its score does not depend on it",
        claim.span, hint=did_you_mean(claim.input, read) or "delete the claim, or name an input the rule reads")


def _blame(components, claim: str):
    """The first clause whose direction stops the proof."""
    return next((c.clause for c in components if not c.direction.holds(claim)), None)


# ---- the search ------------------------------------------------------------------------------


def _search(tree: nodes.Ruleset, unproven: list, diagnostics: Diagnostics) -> None:
    # Late: Hypothesis is loaded only by a ruleset with a claim that needs searching.
    from perfrules.check.resolve import resolve
    from perfrules.check.search import MAX_EXAMPLES, find_counterexample

    checked = resolve(tree)
    for path, rule, claim, blame in unproven:
        found = find_counterexample(checked, path, claim.direction, claim.input)
        notes = _blame_note(blame, claim)
        if found is not None:
            _report_violation(rule, claim, found, notes, diagnostics)
        else:
            diagnostics.warning(
                "PR421", f"could not prove that {_name(rule)} {claim.direction} with {claim.input}; "
                         f"{MAX_EXAMPLES} searched cases found no counterexample", claim.span, notes=notes,
                hint="the proof follows ordered bands, sums, products and quotients of known sign, min, max, "
                     "deductions, checklists and guards; a rule built otherwise is searched, not proved")


def _blame_note(blame, claim: nodes.Monotone) -> tuple:
    if blame is None or blame.span is None:
        return ()
    way = "fall" if claim.direction == "rises" else "rise"
    return ((f"this may make the score {way} as {claim.input} grows: {_clause_text(blame)}", blame.span),)


def _clause_text(clause) -> str:
    match clause:
        case nodes.Veto(condition=c):
            return f"veto when {expr_text(c)}"
        case nodes.Exempt(condition=c):
            return f"exempt when {expr_text(c)}"
        case nodes.Part(name=name):
            return f"part {name}"
        case nodes.OnZero():
            return "on zero denominator, since whether a denominator is 0 depends on it"
        case nodes.CheckItem(test=test):
            return f"checklist item {expr_text(test)}"
    match clause:
        case nodes.Tiers(subject=subject):
            return f"tiers {expr_text(subject)}"
        case nodes.Score(formula=formula):
            text = expr_text(formula)
            return f"score {text}" if len(text) <= _SHORT else "the score formula"
        case nodes.DeductPerItem(points=p, count=count):
            return f"deduct {_n(p)} per {expr_text(count)}"
        case nodes.DeductPerUnit(points=p, subject=subject):
            return f"deduct {_n(p)} per … of {expr_text(subject)}"
        case nodes.DeductWhen(points=p, condition=condition):
            return f"deduct {_n(p)} when {expr_text(condition)}"
    return "this clause"


_SHORT = 60


def _report_violation(rule, claim: nodes.Monotone, found, notes, diagnostics: Diagnostics) -> None:
    x = claim.input
    given = f", with {', '.join(f'{n} = {v}' for n, v in found.others)}" if found.others else ""
    way = "rise" if claim.direction == "rises" else "fall"
    diagnostics.error(
        "PR420", f"{_name(rule)} is declared to {way} with {x}, but it scores {_n(found.score_at_low)} at "
                 f"{x} = {found.shown_low} and {_n(found.score_at_high)} at {x} = {found.shown_high}{given}",
        claim.span, notes=notes,
        hint=f"change the rule, or drop `{claim.direction} with {x}` if the rubric does not say so")


def _n(value) -> str:
    return number_text(value)
