"""Names: every name used is declared once, lets do not loop, functions exist (PR201-PR207).

Inputs and lets share one namespace; groups, indicators and parts need distinct names
only among siblings, since a path (部门管理 › 人员管理 › 编外人员控制率) names them.
Hints come from ``did_you_mean`` over the names in scope, which works on CJK text.
"""

from __future__ import annotations


from perfrules import nodes
from perfrules.check.tree import (
    clause_expressions, definition_expr, definitions, definitions_in_order, expression_nodes, members, parts, refs,
    rules,
)
from perfrules.diagnostics import Diagnostics, closest, did_you_mean

# As in did_you_mean, so a name counts as meant exactly when the hint names it.
# Function name → (fewest, most) arguments; None is no limit.
FUNCTIONS = {"min": (1, None), "max": (1, None), "mean": (1, None), "sum": (1, None), "abs": (1, 1)}


def check_names(tree: nodes.Ruleset, diagnostics: Diagnostics) -> None:
    """Report unknown, duplicate, circular and unused names, and bad function calls.

    Args:
        tree: The parsed ruleset.
        diagnostics: Receives PR201-PR207.
    """
    _check_duplicate_definitions(tree, diagnostics)
    _check_siblings(members(tree), "the ruleset", diagnostics)
    for parent in _parents(tree):
        children = parent.members if isinstance(parent, nodes.Group) else parts(parent)
        _check_siblings(children, _describe(parent), diagnostics)
    known = definitions(tree)
    for node in expression_nodes(tree):
        if isinstance(node, nodes.Ref) and node.name not in known:
            diagnostics.error("PR201", f"unknown name {node.name}", node.span,
                              hint=did_you_mean(node.name, known) or "declare it with `input` or `let`")
        elif isinstance(node, nodes.Call):
            _check_call(node, diagnostics)
    _check_cycles(known, diagnostics)
    _check_unused(tree, diagnostics)
    for node in tree.of_type(nodes.Input):
        if node.kind == "judged" and node.range is None:
            diagnostics.error(
                "PR207", f"judged input {node.name} has no range", node.name_span,
                hint=f"say what an assessor may give: `input {node.name}: judged 0..1`")


def _describe(node) -> str:
    return f"{type(node).__name__.lower()} {node.name}"


def _parents(tree: nodes.Ruleset):
    """Every group, indicator and part: whatever may have named children."""
    stack = list(members(tree))
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, nodes.Group):
            stack.extend(node.members)
    yield from (r for r in rules(tree) if isinstance(r, nodes.Part))


def _check_duplicate_definitions(tree: nodes.Ruleset, diagnostics: Diagnostics) -> None:
    first: dict[str, nodes.Input | nodes.Let] = {}
    for node in definitions_in_order(tree):
        previous = first.setdefault(node.name, node)
        if previous is node:
            continue
        diagnostics.error(
            "PR202", f"{node.name} is already declared as {_declared(previous)}", node.name_span,
            hint="inputs and lets share one namespace; rename one of them",
            notes=(("the first declaration is here", previous.name_span),),
        )


def _declared(node) -> str:
    return "a let" if isinstance(node, nodes.Let) else "an input"


def _check_siblings(children, parent: str, diagnostics: Diagnostics) -> None:
    first: dict[str, object] = {}
    for child in children:
        previous = first.setdefault(child.name, child)
        if previous is child:
            continue
        diagnostics.error(
            "PR202", f"{parent} already has a member named {child.name}", child.name_span,
            hint="members of one group, or parts of one indicator, need distinct names",
            notes=(("the first one is here", previous.name_span),),
        )


def _check_call(call: nodes.Call, diagnostics: Diagnostics) -> None:
    if call.function not in FUNCTIONS:
        hint = did_you_mean(call.function, [*FUNCTIONS, "round"])
        diagnostics.error("PR204", f"unknown function {call.function}", call.span,
                          hint=hint or f"the functions are {', '.join(FUNCTIONS)} and round")
        return
    fewest, most = FUNCTIONS[call.function]
    count = len(call.args)
    if count < fewest or (most is not None and count > most):
        wanted = "exactly 1 argument" if most == 1 else f"at least {fewest} argument"
        diagnostics.error("PR205", f"{call.function} takes {wanted}, given {count}", call.span)


def _check_cycles(known: dict, diagnostics: Diagnostics) -> None:
    # Lets and input defaults form a graph; a cycle means a value needs itself first.
    graph = {name: node for name, node in known.items() if definition_expr(node) is not None}
    edges = {name: [r.name for r in refs(definition_expr(node)) if r.name in graph] for name, node in graph.items()}
    reach = {name: _reachable(name, edges) for name in graph}
    reported: set[str] = set()
    for name in graph:  # declaration order: each loop is reported at its first member
        if name in reported or name not in reach[name]:
            continue
        reported.update(m for m in reach[name] if name in reach[m])
        _report_cycle(_shortest_cycle(name, edges), graph, diagnostics)


def _reachable(start: str, edges: dict) -> set[str]:
    seen, stack = set(), list(edges[start])
    while stack:
        name = stack.pop()
        if name not in seen:
            seen.add(name)
            stack.extend(edges[name])
    return seen


def _shortest_cycle(start: str, edges: dict) -> list[str]:
    """The names along a shortest way from ``start`` back to itself (start not repeated)."""
    came_from: dict[str, str] = {}
    queue = [start]
    while queue:
        name = queue.pop(0)
        for used in edges[name]:
            if used == start:
                path = [name]
                while path[-1] != start:
                    path.append(came_from[path[-1]])
                return path[::-1]
            if used not in came_from:
                came_from[used] = name
                queue.append(used)
    raise AssertionError(f"{start} is not on a cycle")


def _report_cycle(cycle: list[str], graph: dict, diagnostics: Diagnostics) -> None:
    start = graph[cycle[0]]
    what = f"let {start.name}" if isinstance(start, nodes.Let) else f"the default of input {start.name}"
    steps = list(zip(cycle, cycle[1:] + cycle[:1]))
    notes = tuple(
        (f"{user} uses {used} here", _use(graph[user], used).span) for user, used in steps
    )
    diagnostics.error(
        "PR203", f"{what} depends on itself: {' → '.join(cycle + cycle[:1])}", start.name_span,
        hint="compute one of them from inputs only", notes=notes,
    )


def _use(node, name: str) -> nodes.Ref:
    return next(r for r in refs(definition_expr(node)) if r.name == name)


def _check_unused(tree: nodes.Ruleset, diagnostics: Diagnostics) -> None:
    known = definitions(tree)
    used: set[str] = set()
    for node in definitions_in_order(tree):
        expr = definition_expr(node)
        if expr is not None:
            used.update(r.name for r in refs(expr) if r.name != node.name)
    for rule in rules(tree):
        for clause in rule.clauses:
            if not isinstance(clause, nodes.Part):
                used.update(r.name for r in _refs_of_clause(clause))
    # A misspelt use (PR201) still means the name it resembles is wanted: say it once.
    used.update(closest(name, known) for name in used - known.keys())
    for node in known.values():
        if node.name not in used:
            diagnostics.warning(
                "PR206", f"{_declared(node).split()[1]} {node.name} is never used", node.name_span,
                hint="delete it, or use it in a rule")


def _refs_of_clause(clause):
    for expr in clause_expressions(clause):
        yield from refs(expr)
