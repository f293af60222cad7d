"""Scores without the explanation: what ``Ruleset.score`` returns.

A ``Scores`` holds the total, the grade and the score of every group and indicator, as
``Decimal``s, in the order of ``Result.root.walk()`` (parts are left out: an exempted
indicator has none). It is small and immutable, and it shares one ``Layout`` (the paths)
with every other ``Scores`` of the same ruleset, so making one costs a tuple.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from perfrules import model
from perfrules.result import Result


class Layout:
    """The groups and indicators of a ruleset, in walk order: paths, kinds and maxima."""

    __slots__ = ("name", "version", "fingerprint", "paths", "kinds", "maxima", "places", "grades",
                 "indicator_positions")

    def __init__(self, ruleset: model.Ruleset) -> None:
        nodes = list(_walk(ruleset.root))
        self.name, self.version, self.fingerprint = ruleset.name, ruleset.version, ruleset.fingerprint
        self.paths = tuple(n.path for n in nodes)
        self.kinds = tuple("group" if isinstance(n, model.GroupNode) else n.kind for n in nodes)
        self.maxima = tuple(n.max for n in nodes)
        # decimal places of each score: its rounding, or for a group the most of its members
        self.places = tuple(_places(n) for n in nodes)
        self.grades = tuple(g.label for g in ruleset.grade.bands) if ruleset.grade else ()
        self.indicator_positions = tuple(i for i, kind in enumerate(self.kinds) if kind == "indicator")


def _places(node) -> int | None:
    if isinstance(node, model.GroupNode):
        members = [_places(c) for c in node.children]
        return None if None in members else max(members, default=0)
    return node.rounding.places if node.rounding is not None else None


def _walk(node):
    yield node
    if isinstance(node, model.GroupNode):
        for child in node.children:
            yield from _walk(child)


_set = object.__setattr__  # Scores refuses setattr; its constructor goes around that


class Scores:
    """The total, grade and group and indicator scores of one entity.

    >>> import perfrules
    >>> ruleset = perfrules.loads('ruleset "r" input a: count indicator x 2 { deduct 1 per a }')
    >>> scores = ruleset.score({"a": 1})
    >>> str(scores.total), scores["x"], scores.indicators
    ('1.00', Decimal('1.00'), {('r', 'x'): Decimal('1.00')})
    """

    __slots__ = ("_layout", "_grade", "_values")

    def __init__(self, layout: Layout, grade: int | None, values: tuple) -> None:
        # grade: the index of the grade band (or None); values: one score per layout node
        _set(self, "_layout", layout)
        _set(self, "_grade", grade)
        _set(self, "_values", values)

    @classmethod
    def of(cls, result: Result, layout: Layout) -> Scores:
        """The scores of a full ``Result`` (from ``evaluate``), for comparing the two."""
        found = {n.path: n.score for n in result.root.walk() if n.kind != "part"}
        grade = layout.grades.index(result.grade) if result.grade is not None else None
        return cls(layout, grade, tuple(found[path] for path in layout.paths))

    def __setattr__(self, name, value):
        raise AttributeError("Scores is immutable")

    @property
    def grade(self) -> str | None:
        """The label of the grade band the total falls in; None without a grade scale."""
        return self._layout.grades[self._grade] if self._grade is not None else None

    @property
    def total(self) -> Decimal:
        return self._values[0]

    @property
    def values(self) -> tuple[Decimal, ...]:
        """Every score in the layout's order: the total first, then groups and indicators."""
        return self._values

    @property
    def max(self) -> Decimal:
        return self._layout.maxima[0]

    @property
    def indicators(self) -> dict[tuple[str, ...], Decimal]:
        """Path → score of every indicator (三级指标), in the rubric's order."""
        paths, values = self._layout.paths, self._values
        return {paths[i]: values[i] for i in self._layout.indicator_positions}

    def items(self) -> Iterator[tuple[tuple[str, ...], str, Decimal]]:
        """(path, kind, score) of every group and indicator, top group first."""
        return zip(self._layout.paths, self._layout.kinds, self._values)

    def __getitem__(self, name: str) -> Decimal:
        """The score of the group or indicator called ``name``, or whose path ends with
        ``name``'s ``/``-separated names, as ``Result.find``.

        Raises:
            KeyError: no node has that name, or several do.
        """
        wanted = tuple(part.strip() for part in name.split("/"))
        found = [v for path, v in zip(self._layout.paths, self._values) if path[-len(wanted):] == wanted]
        if len(found) != 1:
            raise KeyError(name)
        return found[0]

    def to_dict(self) -> dict:
        """JSON-ready, every number a decimal string; the shape of ``Result.to_dict`` without
        the explanation."""
        return {
            "ruleset": {"name": self._layout.name, "version": self._layout.version,
                        "fingerprint": self._layout.fingerprint},
            "total": str(self.total), "max": str(self.max), "grade": self.grade,
            "indicators": [{"path": list(p), "score": str(s)} for p, s in self.indicators.items()],
        }

    def __eq__(self, other) -> bool:
        if not isinstance(other, Scores):
            return NotImplemented
        return (self._layout.paths, self._values, self._grade) == (other._layout.paths, other._values, other._grade)

    def __hash__(self) -> int:
        return hash((self._layout.paths, self._values, self._grade))

    def __repr__(self) -> str:
        return f"Scores(total={self.total}, grade={self.grade!r}, {len(self._layout.indicator_positions)} indicators)"

