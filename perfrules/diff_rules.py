"""The comparisons behind ``diff.compare``: one matched pair of rules, groups, or
definitions at a time, each giving ``Change`` values with their effect.

Expressions are compared as syntax trees (spans ignored), and a name means the same in
both versions only when its definition does, all the way down to the inputs (kind, unit,
default). Exact regions come from ``diff_regions``; where none is computable, the note
says where scores *may* differ rather than pretend.
"""

from __future__ import annotations

import difflib
from collections import Counter
from decimal import Decimal

from perfrules import model, nodes
from perfrules.diff import SCORES, TEXT, Change
from perfrules.diff_clauses import checklist, clauses
from perfrules.diff_definitions import definitions, grades
from perfrules.diff_regions import Region, partition_regions, pieces
from perfrules.fmt import expr_text, number_text

_HOLDS = "holds"


def scoring_key(rule: model.Rule, ruleset: model.Ruleset):
    """A rule's scoring as comparable values: equal keys score every set of facts alike."""
    expr = lambda site: ruleset.sites[site].expr  # noqa: E731 - a local shorthand
    base = rule.base
    if isinstance(base, model.Tiers):
        base = ("tiers", expr(base.site), tuple(_band_key(b) for b in base.bands))
    elif isinstance(base, model.Formula):
        base = ("formula", expr(base.site))
    elif isinstance(base, model.Checklist):
        base = ("checklist", tuple((i.points, expr(i.site)) for i in base.items))
    deductions = tuple((d.form, d.points, expr(d.site), d.counting, d.unit, d.threshold) for d in rule.deductions)
    guards = tuple(tuple(expr(g.site) for g in gs) for gs in (rule.exemptions, rule.vetoes))
    parts = tuple(scoring_key(p, ruleset) for p in rule.parts)
    return rule.max, base, deductions, guards, parts, rule.has_on_zero, rule.on_zero, rule.rounding


def _scaled(old: nodes.Expr, new: nodes.Expr):
    """``E × a`` and ``E × b`` (either way round): (E, a, b); else None."""
    def split(expr):
        if isinstance(expr, nodes.Binary) and expr.op == "*":
            if isinstance(expr.right, nodes.Number):
                return expr.left, expr.right.value
            if isinstance(expr.left, nodes.Number):
                return expr.right, expr.left.value
        return None

    a, b = split(old), split(new)
    if a is None or b is None or a[0] != b[0]:
        return None
    return a[0], a[1], b[1]


def _band_key(band: model.Band):
    return band.low, band.high, band.low_closed, band.high_closed, band.is_otherwise, band.points


def _refs(expr: nodes.Expr) -> list[str]:
    return list(dict.fromkeys(n.name for n in nodes.walk(expr) if isinstance(n, nodes.Ref)))


class Comparer:
    """Compares parts of two checked rulesets; ``diff.compare`` walks the matched pairs."""

    def __init__(self, old: model.Ruleset, new: model.Ruleset) -> None:
        self.old, self.new = old, new
        self._names: dict[str, bool] = {}

    # ---- meaning of expressions
    def same(self, old_expr: nodes.Expr, new_expr: nodes.Expr) -> bool:
        """Same expression, and every name in it defined the same way in both versions.

        Clauses are reported as changed when their own expressions differ; a changed
        definition is reported once, for the let or input, with the rules it affects."""
        return old_expr == new_expr and all(self._same_name(n) for n in _refs(old_expr))

    def _same_name(self, name: str) -> bool:
        if name not in self._names:
            self._names[name] = False  # a checked ruleset has no cycles; this only guards
            self._names[name] = self._same_definition(name)
        return self._names[name]

    def _same_definition(self, name: str) -> bool:
        old, new = self.old.symbols.get(name), self.new.symbols.get(name)
        if old is None or new is None or old[0] != new[0]:
            return False
        if old[0] == "let":
            return self.same(self.old.sites[old[1]].expr, self.new.sites[new[1]].expr)
        a, b = self.old.inputs[old[1]], self.new.inputs[new[1]]
        if (a.kind, a.unit, a.default is None) != (b.kind, b.unit, b.default is None):
            return False
        return a.default is None or self.same(self.old.sites[a.default].expr, self.new.sites[b.default].expr)

    def _site(self, ruleset: model.Ruleset, site: int) -> nodes.Expr:
        return ruleset.sites[site].expr

    def _text(self, ruleset: model.Ruleset, site: int) -> str:
        return expr_text(ruleset.sites[site].expr)

    # ---- the whole ruleset
    def ruleset(self) -> list[Change]:
        changes = [Change("ruleset", (), aspect, TEXT, before, after)
                   for aspect, before, after in (("name", self.old.name, self.new.name),
                                                 ("version", self.old.version, self.new.version),
                                                 ("description", self.old.description, self.new.description))
                   if before != after]
        if self.old.root.max != self.new.root.max:
            changes.append(Change("ruleset", (), "total", SCORES, _n(self.old.root.max), _n(self.new.root.max),
                                  note="the maximum of the whole ruleset"))
        if self.old.rounding != self.new.rounding:
            users = tuple(r.path for r in self.new.rules() if r.rounding == self.new.rounding)
            changes.append(Change("ruleset", (), "rounding", SCORES, _rounding(self.old.rounding),
                                  _rounding(self.new.rounding), note=_ROUNDING_NOTE, affects=users))
        return changes + grades(self) + definitions(self)

    # ---- groups and rules
    def group(self, old: model.GroupNode, new: model.GroupNode) -> list[Change]:
        changes = []
        if old.max != new.max:
            changes.append(Change("group", new.path, "max", SCORES, _n(old.max), _n(new.max),
                                  note="a group scores the sum of its members; their points changed"))
        changes += self._texts("group", new.path, old, new)
        return changes

    def _texts(self, what: str, path, old, new) -> list[Change]:
        found = []
        if old.description != new.description:
            found.append(Change(what, path, "description", TEXT, old.description, new.description))
        if old.stable_id != new.stable_id:
            found.append(Change(what, path, "id", TEXT, old.stable_id, new.stable_id))
        return found

    def rule(self, old: model.Rule, new: model.Rule, indicator: tuple[str, ...]) -> list[Change]:
        """Every change between two matched indicators or parts."""
        here = _Here(new.kind, new.path, (indicator,), exact=not (new.vetoes or new.exemptions or new.deductions))
        changes = []
        if old.max != new.max:
            regions, note = self._max(old, new)
            changes.append(here.change("max", SCORES, _n(old.max), _n(new.max), regions=regions, note=note))
        changes += self._texts(new.kind, new.path, old, new)
        changes += self._base(old, new, here)
        changes += clauses(self, old, new, here)
        return changes

    def _base(self, old: model.Rule, new: model.Rule, here) -> list[Change]:
        a, b = old.base, new.base
        if type(a) is not type(b):
            note = "scores may differ wherever the two ways of scoring give different points"
            return [here.change("base", SCORES, _base_text(self.old, old), _base_text(self.new, new), note=note)]
        if isinstance(a, model.Tiers):
            return self._tiers(a, b, here)
        if isinstance(a, model.Formula) and self._site(self.old, a.site) != self._site(self.new, b.site):
            return [self._formula(self._site(self.old, a.site), self._site(self.new, b.site), here)]
        if isinstance(a, model.Checklist):
            return checklist(self, a, b, here)
        return []

    def _max(self, old: model.Rule, new: model.Rule) -> tuple[tuple[Region, ...], str]:
        """Where a new max changes scores: exactly for a rule that starts full and deducts
        per item counted (扣完为止), else a note that says where it may."""
        simple = (old.base is None and new.base is None and not (old.parts or new.parts)
                  and not (old.exemptions or new.exemptions or old.vetoes or new.vetoes))
        if not (simple and len(old.deductions) == len(new.deductions) == 1):
            return (), _max_note(old, new)
        a, b = old.deductions[0], new.deductions[0]
        if a.form != "per_item" or b.form != "per_item" or self._site(self.old, a.site) != self._site(self.new, b.site):
            return (), _max_note(old, new)
        subject, regions, count = self._text(self.new, b.site), [], 0
        while count <= _FULL_ROWS:
            before, after = (max(r.max - d.points * count, Decimal(0)) for r, d in ((old, a), (new, b)))
            if before == after == 0:
                return tuple(regions), "counts beyond these score 0 in both versions"
            if before != after:
                regions.append(Region(subject, f"= {count}", _n(before), _n(after)))
            count += 1
        return tuple(regions), f"and so on for larger counts of {subject}"

    def _formula(self, old: nodes.Expr, new: nodes.Expr, here) -> Change:
        before, after = expr_text(old), expr_text(new)
        scaled = _scaled(old, new)
        if scaled is None:
            note = "scores may differ wherever the two formulas give different values (each kept within [0, max])"
            return here.change("formula", SCORES, before, after, note=note)
        # Said in the note, not as a region: the region would be a condition on a formula,
        # and reports such as perfrules impact show a formula change as before → after.
        factor, old_k, new_k = scaled
        return here.change("formula", SCORES, before, after,
                           note=f"the same formula scaled differently: scores differ wherever {expr_text(factor)} "
                                f"≠ 0, × {_n(old_k)} → × {_n(new_k)}, each kept within [0, max]")

    def _tiers(self, a: model.Tiers, b: model.Tiers, here) -> list[Change]:
        before, after = _bands_text(a.bands), _bands_text(b.bands)
        old_subject, new_subject = self._site(self.old, a.site), self._site(self.new, b.site)
        subjects = (expr_text(old_subject), expr_text(new_subject))
        if old_subject != new_subject:
            note = f"scores may differ wherever the bands of `{subjects[0]}` and of `{subjects[1]}` disagree"
            return [here.change("bands", SCORES, f"tiers {subjects[0]}: {before}",
                                f"tiers {subjects[1]}: {after}", note=note)]
        old_pieces, new_pieces = pieces(a.bands, _points), pieces(b.bands, _points)
        percent = self.new.sites[b.site].kind.name == "ratio"
        regions = partition_regions(old_pieces, new_pieces, subjects[1], percent=percent, show=_n)
        if not regions:
            if before == after:
                return []
            return [here.change("bands", TEXT, before, after, note="the bands are written differently; "
                                "every value scores the same")]
        notes = [here.caveat()] + ([] if self.same(old_subject, new_subject) else
                                   [f"{subjects[1]} itself is computed differently too (see its definition)"])
        note = "; ".join(n for n in notes if n) or None
        return [here.change("bands", SCORES, before, after, regions=regions, note=note)]

    # ---- added and removed
    def removed(self, what: str, node) -> Change:
        path = node.path
        return Change(what, path, "removed", SCORES, _summary(node), None,
                      note=f"its score (up to {_n(node.max)}) no longer counts", affects=_own(what, path))

    def added(self, what: str, node) -> Change:
        path = node.path
        return Change(what, path, "added", SCORES, None, _summary(node),
                      note=f"its score (up to {_n(node.max)}) now counts", affects=_own(what, path))

    # ---- patterns
    def remarks(self, changes: list[Change]) -> tuple[str, ...]:
        renames = [c for c in changes if c.aspect == "renamed" and c.what == "group"]
        return tuple(_swaps(renames) + _affixes(renames))


class _Here:
    """Where a rule change is, and what every change there affects."""

    def __init__(self, what: str, path, affects, *, exact: bool) -> None:
        self.what, self.path, self.affects, self.exact = what, path, affects, exact

    def change(self, aspect: str, effect: str, before=None, after=None, **extra) -> Change:
        affects = self.affects if effect == SCORES else ()
        return Change(self.what, self.path, aspect, effect, before, after, affects=affects, **extra)

    def caveat(self) -> str | None:
        if self.exact:
            return None
        return "these are the rule's points before its vetoes, exemptions and deductions, which apply to both"


_FULL_ROWS = 10  # counts listed one by one for a rule that starts full


def _max_note(old: model.Rule, new: model.Rule) -> str:
    low = _n(min(old.max, new.max))
    notes = []
    if new.exemptions:
        notes.append(f"an exemption now gives {_n(new.max)}")
    if new.base is None and not new.parts:
        notes.append("the rule starts full, so scores differ wherever its deductions leave points")
    elif isinstance(new.base, model.Formula):
        notes.append(f"scores differ wherever the formula gives more than {low}")
    else:
        notes.append("bands, items or parts decide the score; a `full` band or item shows as its own change")
    return "; ".join(notes)
_ROUNDING_NOTE = "scores may differ wherever an indicator's exact score rounds differently"


def _own(what: str, path) -> tuple:
    return (path,) if what == "indicator" else ()


def _points(band: model.Band) -> Decimal:
    return band.points


def _n(value) -> str:
    return number_text(value) if isinstance(value, Decimal) else str(value)


def _rounding(rounding: model.Rounding) -> str:
    return f"{rounding.mode} {rounding.places}"


def _bands_text(bands) -> str:
    return "; ".join(f"{b.text} → {_n(b.points)}" for b in bands)


def _base_text(ruleset: model.Ruleset, rule: model.Rule) -> str:
    base = rule.base
    if isinstance(base, model.Tiers):
        return f"tiers {expr_text(ruleset.sites[base.site].expr)}: {_bands_text(base.bands)}"
    if isinstance(base, model.Formula):
        return f"score {expr_text(ruleset.sites[base.site].expr)}"
    if isinstance(base, model.Checklist):
        return f"checklist of {len(base.items)} items"
    return "the sum of its parts" if rule.parts else "full, less deductions"


def _summary(node) -> str:
    what = "group" if isinstance(node, model.GroupNode) else node.kind
    return f"{what} {node.name} {_n(node.max)}"


def _similar(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a, b).ratio()


def _swaps(renames: list[Change]) -> list[str]:
    """Two groups whose new labels are each closer to the other's old label."""
    found = []
    for i, first in enumerate(renames):
        for second in renames[i + 1:]:
            if (_similar(first.after, second.before) > _similar(first.after, first.before)
                    and _similar(second.after, first.before) > _similar(second.after, second.before)):
                found.append(f"labels swapped: {first.before} is now {first.after} and {second.before} is now "
                             f"{second.after}; each group kept its members")
    return found


def _affixes(renames: list[Change]) -> list[str]:
    """Several renames that only drop or add the same prefix or suffix."""
    patterns = Counter()
    for change in renames:
        old, new = change.before, change.after
        if old.startswith(new) and new:
            patterns[("dropping the suffix", old[len(new):])] += 1
        elif new.startswith(old) and old:
            patterns[("adding the suffix", new[len(old):])] += 1
        elif old.endswith(new) and new:
            patterns[("dropping the prefix", old[: len(old) - len(new)])] += 1
        elif new.endswith(old) and old:
            patterns[("adding the prefix", new[: len(new) - len(old)])] += 1
    return [f"{count} groups renamed by {how} {affix}" for (how, affix), count in patterns.items() if count > 1]
