"""Semantic diff of two versions of a ruleset: what changed, and where scores differ.

``compare(old, new)`` matches the groups, indicators and parts of two checked rulesets and
lists every change as a ``Change`` value, each with its effect:

* ``scores``: some facts score differently. ``regions`` says exactly where and how much
  when that is computable (bands, grade bands, per-unit deductions, checklist items,
  vetoes); otherwise ``note`` says honestly where scores *may* differ;
* ``facts``: the facts a ruleset needs or accepts changed (an input added, a range);
* ``text``: nothing scores differently: labels, descriptions, criteria, reasons, claims.

Matching, in order: an author's stable ``id``; then for indicators the path, then the
name, then identical scoring (each only when unique on both sides); for groups, their
members first (a group whose members mostly match another's is that group, whatever its
label: this is how swapped labels show), then path, then name. Parts are matched inside
matched indicators by id, name, then scoring. ``diff_render`` prints a ``Diff``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator

import attrs

from perfrules import model, nodes
from perfrules.diff_regions import Region
from perfrules.result import RulesetInfo

SCORES, FACTS, TEXT = "scores", "facts", "text"


@attrs.frozen
class Change:
    """One change. ``path`` is where it is in the new version (in the old for a removal);
    for inputs and lets it is the name. ``affects`` lists the indicators (new paths) whose
    scores it may move."""

    what: str  # ruleset, input, let, group, indicator, part, grade
    path: tuple[str, ...]
    aspect: str  # added, removed, renamed, moved, max, bands, formula, item, deduction, …
    effect: str  # scores, facts or text
    before: str | None = None
    after: str | None = None
    regions: tuple[Region, ...] = ()
    note: str | None = None
    old_path: tuple[str, ...] | None = None
    affects: tuple[tuple[str, ...], ...] = ()

    @property
    def alters_scores(self) -> bool:
        return self.effect == SCORES


@attrs.frozen
class Match:
    """A group, indicator or part of the old version and its counterpart, and how found."""

    what: str
    old_path: tuple[str, ...]
    new_path: tuple[str, ...]
    by: str  # id, path, name, scoring or members


@attrs.frozen
class Diff:
    old: RulesetInfo
    new: RulesetInfo
    changes: tuple[Change, ...]
    matches: tuple[Match, ...]
    remarks: tuple[str, ...] = ()  # patterns across changes: swapped labels, a suffix dropped

    @property
    def alters_scores(self) -> bool:
        return any(c.alters_scores for c in self.changes)

    def of_effect(self, effect: str) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if c.effect == effect)

    def for_indicator(self, path: tuple[str, ...]) -> tuple[Change, ...]:
        """The changes that may move the score of the indicator at ``path`` (new or old path):
        its own, its parts', and those of the definitions and settings it uses."""
        path = tuple(path)
        return tuple(c for c in self.changes if path in c.affects)


def compare(old, new) -> Diff:
    """Compare two versions of a ruleset.

    Args:
        old: The earlier version: a syntax tree, a checked model or a compiled ``Ruleset``.
        new: The later version, likewise.

    Returns:
        Every change, with its effect and, where computable, where scores differ.

    Raises:
        CheckError: a syntax tree that does not check.
    """
    from perfrules.diff_rules import Comparer  # the rule comparisons build on the types above

    old_model, new_model = _model(old), _model(new)
    old_tree, new_tree = _Tree.of(old_model), _Tree.of(new_model)
    _match_tree(old_tree, new_tree)
    comparer = Comparer(old_model, new_model)
    changes = comparer.ruleset() + _tree_changes(old_tree, new_tree, comparer)
    matches = tuple(Match(e.what, e.path, e.partner.path, e.by) for e in old_tree.all() if e.partner)
    info = (RulesetInfo(m.name, m.version, m.fingerprint) for m in (old_model, new_model))
    return Diff(*info, tuple(changes), matches, comparer.remarks(changes))


def _model(value) -> model.Ruleset:
    if isinstance(value, model.Ruleset):
        return value
    if isinstance(value, nodes.Ruleset):
        from perfrules.check import check

        return check(value)
    return value.model  # a compiled perfrules.Ruleset


# ---- the two trees and matching -------------------------------------------------------------


@attrs.define(eq=False)
class _Entity:
    what: str  # group, indicator or part
    node: model.GroupNode | model.Rule
    parent: _Entity | None
    ruleset: model.Ruleset
    members: list[_Entity] = attrs.Factory(list)
    partner: _Entity | None = None
    by: str | None = None

    @property
    def path(self) -> tuple[str, ...]:
        return self.node.path

    @property
    def name(self) -> str:
        return self.node.name


@attrs.define
class _Tree:
    ruleset: model.Ruleset
    groups: list[_Entity] = attrs.Factory(list)
    indicators: list[_Entity] = attrs.Factory(list)

    @classmethod
    def of(cls, ruleset: model.Ruleset) -> _Tree:
        tree = cls(ruleset)
        for child in ruleset.root.children:
            tree._add(child, None)
        return tree

    def _add(self, node, parent: _Entity | None) -> _Entity:
        if isinstance(node, model.GroupNode):
            entity = _Entity("group", node, parent, self.ruleset)
            self.groups.append(entity)
            entity.members = [self._add(c, entity) for c in node.children]
        else:
            entity = _Entity("indicator", node, parent, self.ruleset)
            self.indicators.append(entity)
            entity.members = [_part(p, entity) for p in node.parts]
        return entity

    def all(self) -> Iterator[_Entity]:
        yield from self.groups
        for indicator in self.indicators:
            yield indicator
            yield from _parts(indicator)


def _part(rule: model.Rule, parent: _Entity) -> _Entity:
    entity = _Entity("part", rule, parent, parent.ruleset)
    entity.members = [_part(p, entity) for p in rule.parts]
    return entity


def _parts(entity: _Entity) -> Iterator[_Entity]:
    for part in entity.members:
        yield part
        yield from _parts(part)


def _pair(old: _Entity, new: _Entity, by: str) -> None:
    old.partner, new.partner, old.by, new.by = new, old, by, by


def _match_by(olds: list[_Entity], news: list[_Entity], key: Callable, by: str) -> None:
    """Pair entities whose key is the same and unique on both sides among the unpaired."""
    free_old = [e for e in olds if e.partner is None]
    free_new = [e for e in news if e.partner is None]
    old_keys = Counter(key(e) for e in free_old)
    new_keys = Counter(key(e) for e in free_new)
    by_key = {key(e): e for e in free_new}
    for entity in free_old:
        k = key(entity)
        if k is not None and old_keys[k] == 1 and new_keys[k] == 1:
            _pair(entity, by_key[k], by)


def _scoring(entity: _Entity):
    """What an indicator or part scores, without its name and texts: equal means same scores."""
    from perfrules.diff_rules import scoring_key

    return scoring_key(entity.node, entity.ruleset)


def _match_tree(old: _Tree, new: _Tree) -> None:
    for key, by in ((lambda e: e.node.stable_id, "id"), (lambda e: e.path, "path"),
                    (lambda e: e.name, "name"), (_scoring, "scoring")):
        _match_by(old.indicators, new.indicators, key, by)
    _match_by(old.groups, new.groups, lambda e: e.node.stable_id, "id")
    _match_by_members(old.groups)
    for key, by in ((lambda e: e.path, "path"), (lambda e: e.name, "name")):
        _match_by(old.groups, new.groups, key, by)
    _match_parts(old.indicators)


def _match_parts(entities: list[_Entity]) -> None:
    for entity in entities:
        if entity.partner is None or not (entity.members or entity.partner.members):
            continue
        for key, by in ((lambda e: e.node.stable_id, "id"), (lambda e: e.name, "name"), (_scoring, "scoring")):
            _match_by(entity.members, entity.partner.members, key, by)
        _match_parts(entity.members)


def _match_by_members(old_groups: list[_Entity]) -> None:
    """Pair groups that hold mostly the same members, deepest first, until none is left."""
    progress = True
    while progress:
        progress = False
        for group in old_groups:
            if group.partner is not None:
                continue
            best = _best_holder(group)
            if best is not None and _best_holder(best) is group:
                _pair(group, best, "members")
                progress = True


def _best_holder(group: _Entity) -> _Entity | None:
    """The unpaired group of the other version holding most of ``group``'s members'
    partners, if it holds more than half of them and they are more than half of its own."""
    holders = Counter(m.partner.parent for m in group.members
                      if m.partner is not None and m.partner.parent is not None)
    ranked = [(h, n) for h, n in holders.most_common() if h.partner is None and h.what == "group"]
    if not ranked or (len(ranked) > 1 and ranked[1][1] == ranked[0][1]):
        return None
    holder, shared = ranked[0]
    return holder if 2 * shared > len(group.members) and 2 * shared > len(holder.members) else None


# ---- changes of the tree -------------------------------------------------------------------


def _tree_changes(old: _Tree, new: _Tree, comparer) -> list[Change]:
    changes: list[Change] = []
    for entity in old.all():
        if entity.partner is None:
            changes.append(comparer.removed(entity.what, entity.node))
            continue
        changes += _placement(entity)
        if entity.what == "group":
            changes += comparer.group(entity.node, entity.partner.node)
        else:
            changes += comparer.rule(entity.node, entity.partner.node, _indicator_path(entity.partner))
    changes += [comparer.added(e.what, e.node) for e in new.all() if e.partner is None]
    return changes


def _indicator_path(entity: _Entity) -> tuple[str, ...]:
    while entity.what == "part":
        entity = entity.parent
    return entity.path


def _placement(entity: _Entity) -> list[Change]:
    """Renamed and moved: a matched node under another name or another parent."""
    new = entity.partner
    found = []
    text = (entity.what, new.path)
    if entity.name != new.name:
        found.append(Change(*text, "renamed", TEXT, entity.name, new.name, old_path=entity.path,
                            note=_kept(entity)))
    old_parent = entity.parent.partner if entity.parent is not None else None
    if old_parent is not new.parent and entity.what != "part":
        before = " › ".join(entity.parent.path) if entity.parent else "(top level)"
        after = " › ".join(new.parent.path) if new.parent else "(top level)"
        note = "scores are the same; the subtotals of the two places differ by its score"
        found.append(Change(*text, "moved", SCORES, before, after, note=note, old_path=entity.path))
    return found


def _kept(entity: _Entity) -> str | None:
    if entity.by == "members":
        return "the same members: " + ", ".join(m.partner.name for m in entity.members if m.partner)
    return None if entity.by in ("name", "path") else f"matched by {entity.by}"
