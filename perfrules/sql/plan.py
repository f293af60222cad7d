"""Layers of SELECTs: every intermediate value is computed once, as a column.

A value used twice (a rate compared with each band of a tiers, a numerator that is both
tested and divided) would otherwise be copied into each use, and nested ``min``/``max``
would copy it exponentially. ``Plan.put`` gives an expression its own column in the first
layer after the columns it reads; the query is then one SELECT per layer, each adding its
columns to everything below (``SELECT *, … FROM (…)``).

Column names are generated (``__pr12``); names from the ruleset never become columns
until the last SELECT, where they are quoted identifiers.
"""

from __future__ import annotations

from sqlglot import exp

from perfrules.sql.dialects import Dialect

PREFIX = "__pr"


def column(name: str) -> exp.Column:
    return exp.Column(this=exp.to_identifier(name, quoted=True))


def alias(expression: exp.Expression, name: str) -> exp.Alias:
    return exp.Alias(this=expression, alias=exp.to_identifier(name, quoted=True))


def is_simple(expression: exp.Expression) -> bool:
    """Cheap enough to repeat: a column or a literal, maybe cast, negated or tested for NULL."""
    while isinstance(expression, (exp.Cast, exp.Not, exp.Paren, exp.Is)):
        if isinstance(expression, exp.Is) and not isinstance(expression.expression, exp.Null):
            return False
        expression = expression.this
    return isinstance(expression, (exp.Column, exp.Literal, exp.Boolean, exp.Null))


class Plan:
    """The layers of one query; layer 0 is the SELECT from the source table."""

    def __init__(self, dialect: Dialect) -> None:
        self.dialect = dialect
        self.layers: list[list[exp.Alias]] = [[]]
        self._layer_of: dict[str, int] = {}

    def source(self, expression: exp.Expression, hint: str) -> exp.Column:
        """A column of layer 0, read straight from the source table."""
        return self._add(expression, 0, hint)

    def put(self, expression: exp.Expression, hint: str = "") -> exp.Expression:
        """``expression`` as a column of its own (simple expressions are returned as they are)."""
        if is_simple(expression):
            return expression
        reads = [self._layer_of.get(c.name, 0) for c in expression.find_all(exp.Column)]
        return self._add(expression, max(reads, default=0) + 1, hint)

    def _add(self, expression: exp.Expression, layer: int, hint: str) -> exp.Column:
        name = f"{PREFIX}{len(self._layer_of)}{hint}"
        while len(self.layers) <= layer:
            self.layers.append([])
        self.layers[layer].append(alias(expression, name))
        self._layer_of[name] = layer
        return column(name)

    def query(self, table: exp.Expression, outputs: list[exp.Expression], where=None) -> exp.Select:
        """The whole query: layer 0 from ``table`` (filtered by ``where``), each further
        layer over the one below, and ``outputs`` over the last."""
        select = exp.Select(expressions=list(self.layers[0]) or [exp.Star()])
        select.set("from_", exp.From(this=table))
        if where is not None:
            select.set("where", exp.Where(this=where))
        for number, layer in enumerate(self.layers[1:], start=1):
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
