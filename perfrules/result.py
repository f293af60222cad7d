"""The result of scoring: a frozen tree of groups, indicators and parts, each with its
score, its max and why.

``Ruleset.evaluate`` returns the total and grade at once and builds the tree the first
time something reads ``root`` (``Result.lazy``): most callers read the total, and
building 50 frozen nodes, their steps and texts costs twenty times the scoring. Either
way the tree is the one ``runtime.score`` builds, and a ``Result`` compares, hashes,
prints and pickles as its complete tree.

``why`` is a tuple of steps, in the order the rule applied them: the exemption or veto
that decided it, the band that matched, the formula with values filled in, checklist
items, deductions, the cap or floor that bit, the rounding. Renderers (``explain``)
turn this tree into text, Markdown or JSON; nothing here formats for a terminal.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal

import attrs

from perfrules.fmt import short_number


# ---- steps ---------------------------------------------------------------------------------


@attrs.frozen
class Exempted:
    condition: str
    reason: str | None
    points: Decimal

    def text(self) -> str:
        why = f" ({self.reason})" if self.reason else ""
        return f"exempt: {self.condition}{why} → full {_n(self.points)}"


@attrs.frozen
class Vetoed:
    condition: str
    reason: str | None

    def text(self) -> str:
        why = f" ({self.reason})" if self.reason else ""
        return f"veto: {self.condition}{why} → 0"


@attrs.frozen
class BandMatched:
    subject: str
    value: str  # the subject's value as shown (percent for ratios)
    band: str
    points: Decimal

    def text(self) -> str:
        return f"{self.subject} = {self.value}, band {self.band} → {_n(self.points)}"


@attrs.frozen
class FormulaValue:
    formula: str
    filled: str
    value: Decimal

    def text(self) -> str:
        if self.filled in (self.formula, _n(self.value)):
            return f"{self.formula} = {_n(self.value)}"
        return f"{self.formula} = {self.filled} = {_n(self.value)}"


@attrs.frozen
class ItemScored:
    criterion: str | None
    test: str
    points: Decimal
    awarded: Decimal
    met: bool | None  # None for judged items

    def text(self) -> str:
        label = self.criterion or self.test
        if self.met is None:
            return f"{label}: judged {_n(self.awarded)} of {_n(self.points)}"
        return f"{label}: {'met' if self.met else 'not met'} → {_n(self.awarded)} of {_n(self.points)}"


@attrs.frozen
class StartsFull:
    points: Decimal

    def text(self) -> str:
        return f"starts from {_n(self.points)}"


@attrs.frozen
class PartsAdded:
    total: Decimal

    def text(self) -> str:
        return f"parts add up to {_n(self.total)}"


@attrs.frozen
class Deducted:
    clause: str
    measure: str  # what was counted, as shown: "2 items", "3 started 1% above 10%"
    amount: Decimal

    def text(self) -> str:
        taken = f"−{_n(self.amount)}" if self.amount else "nothing deducted"
        return f"{self.clause}: {self.measure} → {taken}"


@attrs.frozen
class Capped:
    before: Decimal
    limit: Decimal

    def text(self) -> str:
        return f"{_n(self.before)} is above the max, capped at {_n(self.limit)}"


@attrs.frozen
class Floored:
    before: Decimal

    def text(self) -> str:
        return f"{_n(self.before)} is below zero, floored at 0"


@attrs.frozen
class Rounded:
    before: Decimal
    after: Decimal
    mode: str
    places: int

    def text(self) -> str:
        return f"rounded {_n(self.before)} → {_n(self.after)} ({self.mode}, {self.places} places)"


@attrs.frozen
class ZeroDenominatorScored:
    division: str
    points: Decimal

    def text(self) -> str:
        return f"{self.division} has a zero denominator → {_n(self.points)} (on zero denominator)"


Step = (
    Exempted | Vetoed | BandMatched | FormulaValue | ItemScored | StartsFull | PartsAdded
    | Deducted | Capped | Floored | Rounded | ZeroDenominatorScored
)


def _n(value: Decimal) -> str:
    # Steps are read by people; the exact values stay in the tree.
    return shown_number(value)


def shown_number(value: Decimal) -> str:
    """``fmt.short_number(value)``, without its ``as_tuple`` and ``format`` when ``str``
    already writes the value plainly (no exponent): then the digits after the point are
    the exponent, and the text is the one ``format(value, "f")`` gives."""
    text = str(value)
    if "E" in text or not value.is_finite():
        return short_number(value)
    point = text.find(".")
    if point < 0:
        return "0" if text == "-0" else text
    if len(text) - point - 1 > _SHORT_PLACES:
        return short_number(value)
    text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


_SHORT_PLACES = 6  # short_number's default


# ---- the tree -------------------------------------------------------------------------------


@attrs.frozen
class Node:
    """One group, indicator or part of the result."""

    kind: str  # group, indicator or part
    name: str
    path: tuple[str, ...]  # names from the top group down to this node
    score: Decimal
    max: Decimal
    why: tuple[Step, ...] = ()
    children: tuple[Node, ...] = ()
    inputs: tuple[tuple[str, str], ...] = ()  # (input name, value as shown) it read
    description: str | None = None
    values: tuple[tuple[str, str], ...] = ()  # (let name, value as shown) it used

    def walk(self) -> Iterator[Node]:
        """This node and every node below it, depth first, in order."""
        # A stack, not nested generators: each node would pass through one per level.
        found, stack = [], [self]
        while stack:
            node = stack.pop()
            found.append(node)
            if node.children:
                stack.extend(reversed(node.children))
        return iter(found)

    @property
    def reason(self) -> str:
        """A short reason for tables: what decided the score, in one line."""
        decisive = [s for s in self.why if not isinstance(s, (Rounded, StartsFull))]
        if not decisive:
            return ""
        items = [s for s in decisive if isinstance(s, ItemScored)]
        if items and decisive[-1] is items[-1]:
            return _checklist_summary(items)
        last = decisive[-1]
        if isinstance(last, FormulaValue) and len(last.text()) > _BRIEF:
            return f"{last.formula} = {_n(last.value)}" if len(last.formula) <= _BRIEF else f"formula = {_n(last.value)}"
        return last.text()


_BRIEF = 80
_set = object.__setattr__  # frozen classes refuse setattr; Result.lazy and its build go around it


def _checklist_summary(items: list[ItemScored]) -> str:
    met = sum(1 for i in items if i.met)
    judged = [i for i in items if i.met is None]
    awarded = sum((i.awarded for i in items), Decimal(0))
    parts = []
    if len(items) > len(judged):
        parts.append(f"{met} of {len(items) - len(judged)} criteria met")
    if judged:
        parts.append(f"{len(judged)} judged")
    return f"{', '.join(parts)} → {_n(awarded)}"


@attrs.frozen
class RulesetInfo:
    name: str
    version: str | None
    fingerprint: str


@attrs.frozen
class Result:
    """The scored tree of one entity, and which ruleset made it."""

    ruleset: RulesetInfo
    root: Node
    grade: str | None
    # A lazy result's (build, total, max) until and after ``root`` is read: see ``lazy``.
    _pending: tuple | None = attrs.field(default=None, init=False, eq=False, hash=False, repr=False)

    @classmethod
    def lazy(cls, ruleset: RulesetInfo, grade: str | None, total: Decimal, maximum: Decimal,
             build: Callable[[], Node]) -> Result:
        """A result whose tree ``build()`` makes when ``root`` is first read. ``total``
        and ``grade`` must be what that tree says (``build`` is expected to check it)."""
        self = object.__new__(cls)
        _set(self, "ruleset", ruleset)
        _set(self, "grade", grade)
        _set(self, "_pending", (build, total, maximum))
        return self

    def __getattr__(self, name: str):
        # Python calls this only when normal lookup fails: for ``root``, when its slot is
        # still empty. Two threads may both build; they build equal trees, one is kept.
        if name == "root":
            pending = object.__getattribute__(self, "_pending")
            if pending is not None:
                root = pending[0]()
                _set(self, "root", root)
                return root
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def __reduce__(self):
        # A copy or a pickle holds the tree, not the way to build it (it holds the ruleset).
        return Result, (self.ruleset, self.root, self.grade)

    @property
    def total(self) -> Decimal:
        pending = self._pending
        return self.root.score if pending is None else pending[1]

    @property
    def max(self) -> Decimal:
        pending = self._pending
        return self.root.max if pending is None else pending[2]

    def indicators(self) -> Iterator[Node]:
        """The leaves of the rubric (三级指标), in order."""
        return (n for n in self.root.walk() if n.kind == "indicator")

    def find(self, name: str) -> Node:
        """The node with this name, or whose path ends with ``name``'s ``/``-separated
        names (``效率性/预算执行率``).

        Raises:
            KeyError: no node has that name, or several do (give more of the path then).
        """
        found = self.matching(name)
        if len(found) != 1:
            raise KeyError(name)
        return found[0]

    def matching(self, name: str) -> list[Node]:
        """Every node ``find`` could mean by ``name``."""
        wanted = tuple(part.strip() for part in name.split("/"))
        return [n for n in self.root.walk() if n.path and n.path[-len(wanted):] == wanted]

    def to_dict(self) -> dict:
        """JSON-ready: every number is a decimal string."""
        return {
            "ruleset": attrs.asdict(self.ruleset),
            "total": str(self.total),
            "max": str(self.max),
            "grade": self.grade,
            "indicators": [_leaf_dict(n) for n in self.indicators()],
        }


def _leaf_dict(node: Node) -> dict:
    data = {
        "path": list(node.path),
        "score": str(node.score),
        "max": str(node.max),
        "why": [step.text() for step in node.why],
        "inputs": dict(node.inputs),
    }
    if node.values:
        data["values"] = dict(node.values)
    if node.children:
        data["parts"] = [_leaf_dict(p) for p in node.children]
    return data
