"""Changes in what rules build on: inputs, lets and the grade scale.

An input's kind, unit or default changes the values rules read, so it may change the
scores of every rule that reads it; its range only changes which facts are accepted. A
let whose expression changes may change the scores of every rule that uses it. Grade
bands are compared exactly, like tiers, on the total.
"""

from __future__ import annotations

from perfrules import model
from perfrules.diff import FACTS, SCORES, TEXT, Change
from perfrules.diff_regions import partition_regions, pieces, same_partition
from perfrules.fmt import expr_text, number_text


def definitions(cmp) -> list[Change]:
    return _inputs(cmp) + _lets(cmp)


def _readers(ruleset: model.Ruleset, name: str, field: str) -> tuple[tuple[str, ...], ...]:
    """The indicators whose rules (parts included) use ``name`` as an input or a let."""
    return tuple(r.path for r in ruleset.rules() if any(name in getattr(x, field) for x in _with_parts(r)))


def _with_parts(rule: model.Rule):
    yield rule
    for part in rule.parts:
        yield from _with_parts(part)


def _inputs(cmp) -> list[Change]:
    old = {i.name: i for i in cmp.old.inputs}
    new = {i.name: i for i in cmp.new.inputs}
    changes = [Change("input", (name,), "removed", FACTS, _declared(old[name]), None,
                      note="facts no longer need it") for name in old if name not in new]
    for name in (n for n in new if n in old):
        changes += _input(cmp, old[name], new[name])
    changes += [Change("input", (name,), "added", FACTS, None, _declared(new[name]),
                       note="facts must give it" + ("" if new[name].default is None else " or leave it to its default"))
                for name in new if name not in old]
    return changes


def _declared(slot: model.InputSlot) -> str:
    shown = f"{slot.kind} {slot.unit}" if slot.unit else slot.kind
    return shown + (f" {_range(slot)}" if slot.low is not None or slot.high is not None else "")


def _range(slot: model.InputSlot) -> str:
    def end(value):
        return "…" if value is None else number_text(value, percent=slot.kind == "percent")

    return f"{end(slot.low)}..{end(slot.high)}"


def _input(cmp, a: model.InputSlot, b: model.InputSlot) -> list[Change]:
    path, readers = (b.name,), _readers(cmp.new, b.name, "inputs")
    changes = []
    if (a.kind, a.unit) != (b.kind, b.unit):
        changes.append(Change("input", path, "kind", SCORES, _declared(a), _declared(b), affects=readers,
                              note="its values are read differently by every rule that uses it"))
    if (a.low, a.high) != (b.low, b.high):
        changes.append(Change("input", path, "range", FACTS, _range(a), _range(b),
                              note="facts outside the new range are refused"))
    defaults = [None if s.default is None else m.sites[s.default].expr for s, m in ((a, cmp.old), (b, cmp.new))]
    if defaults[0] != defaults[1]:
        shown = [None if d is None else expr_text(d) for d in defaults]
        changes.append(Change("input", path, "default", SCORES, *shown, affects=readers,
                              note="scores may differ for facts that leave it out"))
    if a.description != b.description:
        changes.append(Change("input", path, "description", TEXT, a.description, b.description))
    return changes


def _lets(cmp) -> list[Change]:
    old = {d.name: d for d in cmp.old.lets}
    new = {d.name: d for d in cmp.new.lets}
    changes = [Change("let", (name,), "removed", TEXT, _value(cmp.old, old[name]), None,
                      note="the rules that used it show their own changes") for name in old if name not in new]
    for name in (n for n in new if n in old):
        a, b = old[name], new[name]
        if cmp.old.sites[a.site].expr != cmp.new.sites[b.site].expr:
            before, after = _value(cmp.old, a), _value(cmp.new, b)
            changes.append(Change("let", (name,), "value", SCORES, before, after,
                                  affects=_readers(cmp.new, name, "lets"),
                                  note=f"scores may differ wherever {name} now has another value"))
        if a.description != b.description:
            changes.append(Change("let", (name,), "description", TEXT, a.description, b.description))
    changes += [Change("let", (name,), "added", TEXT, None, _value(cmp.new, new[name]),
                       note="the rules that use it show their own changes") for name in new if name not in old]
    return changes


def _value(ruleset: model.Ruleset, let: model.LetDef) -> str:
    return expr_text(ruleset.sites[let.site].expr)


def grades(cmp) -> list[Change]:
    a, b = cmp.old.grade, cmp.new.grade
    if a is None and b is None:
        return []
    if a is None or b is None:
        shown = [None if g is None else _grade_text(g) for g in (a, b)]
        return [Change("grade", (), "added" if a is None else "removed", SCORES, *shown,
                       note="results " + ("now" if a is None else "no longer") + " carry a grade")]
    changes = []
    if a.name != b.name:
        changes.append(Change("grade", (), "name", TEXT, a.name, b.name))
    old, new = pieces([g.band for g in a.bands], _label(a)), pieces([g.band for g in b.bands], _label(b))
    if old == new:
        return changes
    subject = b.name or "the total"
    regions = partition_regions(old, new, subject, percent=False, show=str)
    if same_partition(old, new) and _is_renaming(old, new):
        return changes + [Change("grade", (), "labels", TEXT, _grade_text(a), _grade_text(b),
                                 note="the same bands under other labels")]
    return changes + [Change("grade", (), "bands", SCORES, _grade_text(a), _grade_text(b), regions=regions,
                             note="grades differ there; scores do not")]


def _label(scale: model.GradeScale):
    labels = {id(g.band): g.label for g in scale.bands}
    return lambda band: labels[id(band)]


def _grade_text(scale: model.GradeScale) -> str:
    return "; ".join(f"{g.band.text} → {g.label}" for g in scale.bands)


def _is_renaming(old, new) -> bool:
    """Same cuts, and each old label became one new label that was not already in use
    (优 → A is a renaming; 优 and 良 trading bands is not)."""
    mapping = {}
    for (_, before), (_, after) in zip(sorted(old, key=lambda p: p[0].low), sorted(new, key=lambda p: p[0].low)):
        if mapping.setdefault(before, after) != after:
            return False
    moved = {after for before, after in mapping.items() if after != before}
    return len(set(mapping.values())) == len(mapping) and not moved & mapping.keys()
