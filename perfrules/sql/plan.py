"""Layers of SELECTs: every intermediate value used twice is computed once, as a column.

A value used twice (a rate compared with each band of a tiers, a numerator that is both
tested and divided) would otherwise be copied into each use, and nested ``min``/``max``
would copy it exponentially. ``Plan.put`` names an expression; when the query is built,
a named expression used once is written in place, and one used more often gets its own
column in the first layer after the columns it reads. The query is then one SELECT per
layer, each adding its columns to everything below (``SELECT *, … FROM (…)``).

Column names are generated (``__pr12``); names from the ruleset never become columns
until the last SELECT, where they are quoted identifiers.
"""

from __future__ import annotations

from collections import Counter

from sqlglot import exp

from perfrules.sql.dialects import Dialect

PREFIX = "__pr"
_MAX_INLINE_DEPTH = 40  # deeper expressions get a column even when used once: the
# renderer and the engines' parsers recurse once per level


# Expressions that need no parentheses wherever they are written.
_ATOMS = (exp.Column, exp.Literal, exp.Cast, exp.Paren, exp.Case, exp.Boolean, exp.Null, exp.Anonymous)


def column(name: str) -> exp.Column:
    return exp.Column(this=exp.to_identifier(name, quoted=True))


def alias(expression: exp.Expression, name: str) -> exp.Alias:
    return exp.Alias(this=expression, alias=exp.to_identifier(name, quoted=True))


def is_simple(expression: exp.Expression) -> bool:
    """Cheap enough to repeat: a column or a literal, maybe cast, negated or tested for NULL."""
    while isinstance(expression, (exp.Cast, exp.Not, exp.Paren, exp.Is)):
        if isinstance(expression, exp.Is) and not isinstance(expression.expression, exp.Null):
            return False
        if isinstance(expression, exp.TryCast):
            return False
        expression = expression.this
    return isinstance(expression, (exp.Column, exp.Literal, exp.Boolean, exp.Null))


def _guarded(expression: exp.Expression, guard: exp.Expression | None) -> exp.Expression:
    if guard is None:
        return expression
    return exp.Case(ifs=[exp.If(this=guard.copy(), true=expression)], default=exp.Null())


class Plan:
    """The named expressions of one query; layer 0 is the SELECT from the source table."""

    def __init__(self, dialect: Dialect) -> None:
        self.dialect = dialect
        self._source: list[exp.Alias] = []
        self._named: dict[str, exp.Expression] = {}  # in the order they were named
        self._guard_of: dict[str, exp.Expression] = {}  # the guard a named expression was made under
        self._own: set[str] = set()
        # While set, each new column is computed only where it holds (NULL elsewhere):
        # an input's default is worked out only in the rows that leave the input out.
        self.guard: exp.Expression | None = None

    def source(self, expression: exp.Expression, hint: str) -> exp.Column:
        """A column of layer 0, read straight from the source table."""
        name = self._name(hint)
        self._source.append(alias(expression, name))
        return column(name)

    def put(self, expression: exp.Expression, hint: str = "", *, column_of_its_own: bool = False) -> exp.Expression:
        """``expression`` under a name (simple expressions are returned as they are);
        ``column_of_its_own``: never written in place (a guard is tested in many places)."""
        if is_simple(expression) and not column_of_its_own:
            return expression
        name = self._name(hint)
        if column_of_its_own:
            self._own.add(name)
        self._named[name] = expression
        if self.guard is not None:
            self._guard_of[name] = self.guard
        return column(name)

    def _name(self, hint: str) -> str:
        return f"{PREFIX}{len(self._source) + len(self._named)}{hint}"

    # ---- building the query
    def query(self, table: exp.Expression, outputs: list[exp.Expression]) -> exp.Select:
        """The whole query: layer 0 from ``table``, each further layer over the one below,
        and ``outputs`` over the last."""
        uses = Counter(c.name for e in [*self._named.values(), *outputs] for c in e.find_all(exp.Column))
        uses.update(c.name for g in self._guard_of.values() for c in g.find_all(exp.Column))
        uses.update({name: 2 for name in self._own})
        written: dict[str, exp.Expression] = {}  # a name used once, as it is written in place
        depth: dict[str, int] = {}
        layer_of = {a.alias: 0 for a in self._source}
        layers: list[list[exp.Alias]] = [list(self._source)]
        for name, expression in self._named.items():
            if uses[name] == 0:
                continue
            guard = self._guard_of.get(name)
            expression, level = self._substitute(expression, written, depth, guard)
            if uses[name] == 1 and level < _MAX_INLINE_DEPTH:
                written[name], depth[name] = expression, level
                continue
            expression = _guarded(expression, guard)
            layer = 1 + max((layer_of.get(c.name, 0) for c in expression.find_all(exp.Column)), default=0)
            # (a guard is a column of its own, made before what it guards: in a layer below)
            while len(layers) <= layer:
                layers.append([])
            layers[layer].append(alias(expression, name))
            layer_of[name] = layer
        outputs = [self._substitute(output, written, depth, None)[0] for output in outputs]
        return self._nest(table, layers, outputs)

    def _substitute(self, expression: exp.Expression, written: dict, depth: dict,
                    guard: exp.Expression | None) -> tuple[exp.Expression, int]:
        """``expression`` with the names used once written in place; one made under another
        guard than ``guard`` keeps its own (under the same guard, testing it again is waste)."""
        level = max((c.depth + depth.get(c.name, 0) for c in expression.find_all(exp.Column)), default=0)
        if not any(c.name in written for c in expression.find_all(exp.Column)):
            return expression, level

        def replace(node):
            if isinstance(node, exp.Column) and node.name in written:
                found = written[node.name].copy()  # builders share nodes between trees: copy
                own = self._guard_of.get(node.name)
                if own is not None and own != guard:
                    found = _guarded(found, own)
                return found if isinstance(found, _ATOMS) else exp.Paren(this=found)
            return node

        return expression.transform(replace, copy=True), level

    def _nest(self, table: exp.Expression, layers: list, outputs: list) -> exp.Select:
        select = exp.Select(expressions=list(layers[0]) or [exp.Star()])
        select.set("from_", exp.From(this=table))
        for number, layer in enumerate(layers[1:], start=1):
            if layer:
                select = self._over(select, [exp.Star(), *layer], f"{PREFIX}_l{number}")
        return self._over(select, outputs, f"{PREFIX}_out")

    def _over(self, inner: exp.Select, expressions: list, name: str) -> exp.Select:
        if self.dialect.fence:
            inner.set("offset", exp.Offset(expression=exp.Literal.number(0)))
        outer = exp.Select(expressions=expressions)
        subquery = exp.Subquery(this=inner, alias=exp.TableAlias(this=exp.to_identifier(name, quoted=True)))
        outer.set("from_", exp.From(this=subquery))
        return outer
