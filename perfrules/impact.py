"""Impact of a ruleset change on data: score every entity with the old and the new version.

For each entity (a row of a table, or a facts file) both versions are evaluated; an
entity whose facts one version rejects is reported with that version's diagnostics and
the run goes on, so every entity is either compared or reported. Indicators are matched
between the versions by stable id, else by path, else by a name that is unique in both,
so a version that renames its groups (the 2023 and 2024 seeds swap 部门决策 and 部门管理)
still compares indicator by indicator.

The summary counts grade changes, ranks the largest moves and attributes each moved
indicator to its causes: the rule changes ``perfrules.diff`` finds when it is available,
else the indicator itself (with its points in both versions).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from decimal import Decimal
from pathlib import Path

import attrs

from perfrules import model
from perfrules.build import Ruleset
from perfrules.diagnostics import Diagnostic
from perfrules.errors import PerfrulesError
from perfrules.facts import Facts, load_facts
from perfrules.result import Result, RulesetInfo
from perfrules.tables import Row, is_table, load_table

_ZERO = Decimal(0)


@attrs.frozen
class Match:
    """One indicator in either version: its path in each (None when it is only in one)."""

    old: tuple[str, ...] | None
    new: tuple[str, ...] | None
    by: str  # id, path, name, added or removed
    old_max: Decimal | None = None
    new_max: Decimal | None = None

    @property
    def label(self) -> str:
        return (self.new or self.old)[-1]


@attrs.frozen
class Delta:
    match: Match
    old: Decimal | None
    new: Decimal | None

    @property
    def change(self) -> Decimal:
        return (self.new or _ZERO) - (self.old or _ZERO)


@attrs.frozen
class Compared:
    """One entity scored by both versions."""

    number: int
    entity: str
    old_total: Decimal
    new_total: Decimal
    old_grade: str | None
    new_grade: str | None
    deltas: tuple[Delta, ...]  # every matched indicator, moved or not

    @property
    def change(self) -> Decimal:
        return self.new_total - self.old_total

    @property
    def grade_changed(self) -> bool:
        return self.old_grade != self.new_grade

    def moved(self) -> tuple[Delta, ...]:
        return tuple(d for d in self.deltas if d.change)


@attrs.frozen
class Failed:
    """One entity that could not be compared: which side rejected it (facts, old, new) and why."""

    number: int
    entity: str
    side: str
    diagnostics: tuple[Diagnostic, ...]


@attrs.frozen
class Cause:
    """Why an indicator moved: its rule changes (from the diff) or the indicator itself."""

    indicator: str
    changes: tuple[str, ...]
    entities: int  # how many entities it moved
    total: Decimal  # the sum of its deltas over all entities
    low: Decimal
    high: Decimal


@attrs.frozen
class Impact:
    old: RulesetInfo
    new: RulesetInfo
    matches: tuple[Match, ...]
    compared: tuple[Compared, ...]
    failed: tuple[Failed, ...]
    causes: tuple[Cause, ...]

    def grade_changes(self) -> tuple[Compared, ...]:
        return tuple(c for c in self.compared if c.grade_changed)

    def largest(self, n: int = 5) -> tuple[Compared, ...]:
        """The ``n`` entities that moved most (by |Δ total|; ties in table order), movers only."""
        movers = [c for c in self.compared if c.change]
        return tuple(sorted(movers, key=lambda c: -abs(c.change))[:n])


# ---- entities ---------------------------------------------------------------------------------


def read_entities(paths: Iterable[str | Path]) -> tuple[list[Row], list[Failed]]:
    """The entities of DATA: one table's rows, or one entity per facts file (named by its
    file name). A facts file that cannot be read is a ``Failed`` entity, not an error.

    Raises:
        FactsError: a table that cannot be read as a whole (PR520-PR522).
    """
    paths = [Path(p) for p in paths]
    if len(paths) == 1 and is_table(paths[0]):
        return load_table(paths[0]), []
    rows, failed = [], []
    for number, path in enumerate(paths, start=1):
        try:
            rows.append(Row(number, path.name, load_facts(path)))
        except PerfrulesError as error:
            failed.append(Failed(number, path.name, "facts", error.diagnostics))
    return rows, failed


# ---- matching indicators ----------------------------------------------------------------------


def match_indicators(old: model.Ruleset, new: model.Ruleset) -> tuple[Match, ...]:
    """Pair the indicators of two versions: by stable id, then path, then unique name.

    Returns the pairs in the new version's order, then the indicators only the old has.
    """
    old_rules, new_rules = list(old.rules()), list(new.rules())
    pairs: dict[int, tuple[str, model.Rule]] = {}  # index in new_rules → (matched by, old rule)
    taken: set[int] = set()
    for by, key in (("id", _stable_id), ("path", _path), ("name", _unique_name(old_rules, new_rules))):
        olds = {key(r): i for i, r in enumerate(old_rules) if i not in taken and key(r) is not None}
        for j, rule in enumerate(new_rules):
            i = olds.get(key(rule)) if j not in pairs and key(rule) is not None else None
            if i is not None and i not in taken:
                pairs[j] = (by, old_rules[i])
                taken.add(i)
    matches = [
        Match(pairs[j][1].path, rule.path, pairs[j][0], pairs[j][1].max, rule.max) if j in pairs
        else Match(None, rule.path, "added", None, rule.max)
        for j, rule in enumerate(new_rules)
    ]
    matches += [Match(r.path, None, "removed", r.max, None) for i, r in enumerate(old_rules) if i not in taken]
    return tuple(matches)


def _stable_id(rule: model.Rule) -> str | None:
    return rule.stable_id


def _path(rule: model.Rule) -> tuple[str, ...]:
    return rule.path


def _unique_name(old_rules: list[model.Rule], new_rules: list[model.Rule]):
    def unique(rules: list[model.Rule]) -> set[str]:
        counts = Counter(r.name for r in rules)
        return {name for name, count in counts.items() if count == 1}

    both = unique(old_rules) & unique(new_rules)
    return lambda rule: rule.name if rule.name in both else None


# ---- comparing --------------------------------------------------------------------------------


def impact(old: Ruleset, new: Ruleset, rows: Iterable[Row], *, failed: Iterable[Failed] = (),
           explain_change=None) -> Impact:
    """Score every entity with both versions and compare.

    Args:
        old, new: The two compiled versions.
        rows: The entities (``perfrules.tables.Row``), e.g. from ``read_entities``.
        failed: Entities already known not to be comparable (unreadable facts files).
        explain_change: ``f(match) -> tuple[str, ...]``, the rule changes behind a moved
            indicator; defaults to the diff of the two versions when ``perfrules.diff``
            is available, else to the indicator's points in each version.

    Returns:
        An ``Impact``: every entity compared or failed, in the order given.
    """
    matches = match_indicators(old.model, new.model)
    compared, failures = [], list(failed)
    for row in rows:
        outcome = _compare(old, new, matches, row)
        (compared if isinstance(outcome, Compared) else failures).append(outcome)
    failures.sort(key=lambda f: f.number)
    explain_change = explain_change or _explainer(old, new)
    causes = _causes(matches, compared, explain_change)
    return Impact(RulesetInfo(old.name, old.version, old.fingerprint),
                  RulesetInfo(new.name, new.version, new.fingerprint),
                  matches, tuple(compared), tuple(failures), causes)


def _compare(old: Ruleset, new: Ruleset, matches: tuple[Match, ...], row: Row) -> Compared | Failed:
    results = {}
    for side, ruleset, other in (("old", old, new), ("new", new, old)):
        try:
            results[side] = ruleset.evaluate(_facts_for(row.facts, ruleset.model, other.model))
        except PerfrulesError as error:
            return Failed(row.number, row.entity, side, error.diagnostics)
    before, after = results["old"], results["new"]
    deltas = tuple(Delta(m, _score(before, m.old), _score(after, m.new)) for m in matches)
    return Compared(row.number, row.entity, before.total, after.total, before.grade, after.grade, deltas)


def _facts_for(facts: Mapping, ruleset: model.Ruleset, other: model.Ruleset) -> Mapping:
    """The facts one version reads: an input only the other version has is not an error
    here; a name neither version knows still is."""
    keep = [k for k in facts if k in ruleset.symbols or k not in other.symbols]
    if len(keep) == len(facts):
        return facts
    spans = getattr(facts, "spans", {})
    return Facts({k: facts[k] for k in keep}, spans={k: spans[k] for k in keep if k in spans},
                 source=getattr(facts, "source", None))


def _score(result: Result, path: tuple[str, ...] | None) -> Decimal | None:
    if path is None:
        return None
    return next(n.score for n in result.indicators() if n.path == path)


# ---- causes -----------------------------------------------------------------------------------


def _causes(matches, compared: list[Compared], explain_change) -> tuple[Cause, ...]:
    causes = []
    for index, match in enumerate(matches):
        changes = [c.deltas[index].change for c in compared if c.deltas[index].change]
        if not changes:
            continue
        causes.append(Cause(" / ".join(match.new or match.old), tuple(explain_change(match)), len(changes),
                            sum(changes, _ZERO), min(changes), max(changes)))
    return tuple(sorted(causes, key=lambda c: -abs(c.total)))


def _explainer(old: Ruleset, new: Ruleset):
    """The changes behind a moved indicator: from the semantic diff when it can be imported,
    else the indicator's points in each version."""
    try:
        from perfrules import diff
    except ImportError:
        return _points_only
    found = diff.compare(old.model, new.model)

    def explain(match: Match) -> tuple[str, ...]:
        changes = found.for_indicator(match.new or match.old)
        texts = tuple(_change_text(c) for c in changes if c.alters_scores)
        return texts or _points_only(match)

    return explain


def _change_text(change) -> str:
    """One change of ``perfrules.diff`` in a line: ``points 8 → 10``, ``bands: 编外人员控制率 in
    (10%, 15%]: 0 → 0.5``, ``formula: … → …``."""
    where = "" if change.what == "indicator" else f"{' / '.join(change.path)}: "
    if change.aspect == "max":
        return f"{where}points {change.before} → {change.after}"
    if change.regions:
        return f"{where}{change.aspect}: " + "; ".join(region.text() for region in change.regions)
    if change.before is not None and change.after is not None:
        return f"{where}{change.aspect}: {change.before} → {change.after}"
    if change.before is not None or change.after is not None:
        return f"{where}{change.aspect}: {change.after if change.before is None else change.before}"
    return f"{where}{change.aspect}" + (f" ({change.note})" if change.note else "")


def _points_only(match: Match) -> tuple[str, ...]:
    if match.old is None:
        return (f"added, {_n(match.new_max)} points",)
    if match.new is None:
        return (f"removed, was {_n(match.old_max)} points",)
    if match.old_max != match.new_max:
        return (f"points {_n(match.old_max)} → {_n(match.new_max)}",)
    return (f"scored differently, points unchanged ({_n(match.new_max)})",)


def _n(value: Decimal | None) -> str:
    return "" if value is None else format(value.normalize(), "f")


# ---- JSON-ready -------------------------------------------------------------------------------


def to_dict(found: Impact, *, top: int = 5) -> dict:
    """The impact for programs: every number a decimal string, names readable."""
    return {
        "old": attrs.asdict(found.old),
        "new": attrs.asdict(found.new),
        "entities": [_compared_dict(c) for c in found.compared],
        "failed": [{"row": f.number, "entity": f.entity, "side": f.side,
                    "diagnostics": [d.render() for d in f.diagnostics]} for f in found.failed],
        "summary": {
            "compared": len(found.compared),
            "failed": len(found.failed),
            "grade_changes": [{"row": c.number, "entity": c.entity, "old": c.old_grade, "new": c.new_grade}
                              for c in found.grade_changes()],
            "largest_moves": [{"row": c.number, "entity": c.entity, "change": str(c.change)}
                              for c in found.largest(top)],
            "causes": [{"indicator": c.indicator, "changes": list(c.changes), "entities": c.entities,
                        "total": str(c.total), "low": str(c.low), "high": str(c.high)} for c in found.causes],
        },
    }


def _compared_dict(c: Compared) -> dict:
    return {
        "row": c.number, "entity": c.entity,
        "old": {"total": str(c.old_total), "grade": c.old_grade},
        "new": {"total": str(c.new_total), "grade": c.new_grade},
        "change": str(c.change),
        "indicators": [{"indicator": list(d.match.new or d.match.old), "matched_by": d.match.by,
                        "old": _text(d.old), "new": _text(d.new), "change": str(d.change)} for d in c.moved()],
    }


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)
