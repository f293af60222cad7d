"""Walks over the syntax tree that several passes share.

Only iteration lives here: which nodes are rules, which expressions a ruleset holds,
what a let or a default uses. No pass logic and no diagnostics.
"""

from __future__ import annotations

import functools
import weakref
from collections.abc import Callable, Iterator
from typing import TypeVar

from perfrules import nodes

_T = TypeVar("_T")

RULE_BASES = (nodes.Tiers, nodes.Score, nodes.Checklist)
DEDUCTIONS = (nodes.DeductPerItem, nodes.DeductPerUnit, nodes.DeductWhen)


def per_tree(work: Callable[[nodes.Ruleset], _T]) -> Callable[[nodes.Ruleset], _T]:
    """``work(tree)`` done once for the tree it was last asked about (by identity).

    Every pass of one check wants the rules, expressions, kinds, ranges and definitions of
    the same tree; working them out again per pass was a fifth of checking a large
    ruleset. The tree is held weakly, and what ``work`` returns is shared: callers must
    not change it.
    """
    last: tuple = (lambda: None, None)

    @functools.wraps(work)
    def cached(tree: nodes.Ruleset) -> _T:
        nonlocal last
        held, value = last  # one read: another thread may replace it meanwhile
        if held() is tree:
            return value
        value = work(tree)
        last = (weakref.ref(tree), value)
        return value

    return cached


def members(tree: nodes.Ruleset) -> tuple:
    """The top-level groups and indicators, in source order."""
    return tuple(s for s in tree.statements if isinstance(s, (nodes.Group, nodes.Indicator)))


def groups(tree: nodes.Ruleset) -> Iterator[nodes.Group]:
    """Every group, depth first."""
    stack = list(reversed(members(tree)))
    while stack:
        node = stack.pop()
        if isinstance(node, nodes.Group):
            yield node
            stack.extend(reversed(node.members))


@per_tree
def rules(tree: nodes.Ruleset) -> tuple[nodes.Indicator | nodes.Part, ...]:
    """Every indicator and every part (parts right after their indicator), depth first."""
    return tuple(rule for member in members(tree) for rule in _rules(member))


def _rules(node) -> Iterator:
    if isinstance(node, nodes.Group):
        for member in node.members:
            yield from _rules(member)
        return
    yield node
    for part in parts(node):
        yield from _rules(part)


def rules_with_paths(tree: nodes.Ruleset) -> Iterator[tuple[tuple[str, ...], nodes.Indicator | nodes.Part]]:
    """Every indicator and part with its path (names from the top, as in results)."""
    def walk(node, path):
        path = path + (node.name,)
        if isinstance(node, nodes.Group):
            for member in node.members:
                yield from walk(member, path)
            return
        yield path, node
        for part in parts(node):
            yield from walk(part, path)

    for member in members(tree):
        yield from walk(member, ())


def parts(rule) -> tuple[nodes.Part, ...]:
    return tuple(c for c in rule.clauses if isinstance(c, nodes.Part))


def own_clauses(rule, cls) -> tuple:
    """The clauses of ``rule`` (not of its parts) that are instances of ``cls``."""
    return tuple(c for c in rule.clauses if isinstance(c, cls))


@per_tree
def definitions(tree: nodes.Ruleset) -> dict[str, nodes.Input | nodes.Let]:
    """Inputs and lets by name; the first declaration wins (PR202 reports the others)."""
    found: dict[str, nodes.Input | nodes.Let] = {}
    for statement in tree.statements:
        if isinstance(statement, (nodes.Input, nodes.Let)):
            found.setdefault(statement.name, statement)
    return found


def definition_expr(node: nodes.Input | nodes.Let) -> nodes.Expr | None:
    """What a let computes, or an input's default."""
    return node.value if isinstance(node, nodes.Let) else node.default


def clause_expressions(clause) -> tuple[nodes.Expr, ...]:
    """The expressions a clause evaluates (not those of a part's own clauses)."""
    match clause:
        case nodes.Tiers(subject=e) | nodes.Score(formula=e) | nodes.DeductPerItem(count=e):
            return (e,)
        case nodes.DeductPerUnit(subject=e) | nodes.DeductWhen(condition=e):
            return (e,)
        case nodes.Veto(condition=e) | nodes.Exempt(condition=e):
            return (e,)
        case nodes.Checklist(items=items):
            return tuple(item.test for item in items)
    return ()


@per_tree
def expressions(tree: nodes.Ruleset) -> tuple[nodes.Expr, ...]:
    """Every top expression of the ruleset: lets, defaults, then the rules' clauses."""
    found = [e for e in map(definition_expr, definitions_in_order(tree)) if e is not None]
    for rule in rules(tree):
        for clause in rule.clauses:
            found.extend(clause_expressions(clause))
    return tuple(found)


@per_tree
def expression_nodes(tree: nodes.Ruleset) -> tuple:
    """Every node of every top expression, each expression depth first, in the order of
    ``expressions``: what three passes look through for names, calls and roundings."""
    return tuple(node for expr in expressions(tree) for node in nodes.walk(expr))


def definitions_in_order(tree: nodes.Ruleset) -> tuple:
    """Every input and let, duplicates included, in source order."""
    return tuple(s for s in tree.statements if isinstance(s, (nodes.Input, nodes.Let)))


def refs(expr: nodes.Expr) -> Iterator[nodes.Ref]:
    """Every name use in ``expr``, in source order."""
    return (n for n in nodes.walk(expr) if isinstance(n, nodes.Ref))


def fold_definitions(tree: nodes.Ruleset, of_input, of_let, in_cycle=None) -> dict:
    """A value for every input and let: ``of_input(input)``, then ``of_let(expr, values)``
    for each let once the values it uses are known. A let in a cycle (PR203 reports it)
    gets ``in_cycle``. Kinds and value ranges are both worked out this way."""
    known = definitions(tree)
    values = {name: of_input(n) for name, n in known.items() if isinstance(n, nodes.Input)}
    pending = {name: n.value for name, n in known.items() if isinstance(n, nodes.Let)}
    while pending:
        ready = [name for name, expr in pending.items() if not any(r.name in pending for r in refs(expr))]
        if not ready:
            break
        for name in ready:
            values[name] = of_let(pending.pop(name), values)
    values.update(dict.fromkeys(pending, in_cycle))
    return values
