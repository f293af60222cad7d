"""Changes in the clauses of a matched rule: checklist items, deductions, vetoes and
exemptions, ``on zero denominator``, rounding and monotonicity claims.

Clauses are paired by what they test or count first, then by position, so an edited
clause shows as changed and an inserted one as added.
"""

from __future__ import annotations

from collections.abc import Sequence

from perfrules import model
from perfrules.diff import SCORES, TEXT, Change
from perfrules.diff_regions import Region, per_unit_regions
from perfrules.fmt import expr_text, number_text


def pair_up(olds: Sequence, news: Sequence, *keyings) -> tuple[list, list, list]:
    """Pair items of two lists: by each ``(old keys, new keys)`` in turn, then by position.

    Returns:
        (pairs of indices, old indices left, new indices left).
    """
    left_old, left_new, pairs = list(range(len(olds))), list(range(len(news))), []
    for old_keys, new_keys in keyings:
        for i in list(left_old):
            j = next((j for j in left_new if new_keys[j] == old_keys[i]), None)
            if j is not None:
                pairs.append((i, j))
                left_old.remove(i)
                left_new.remove(j)
    n = min(len(left_old), len(left_new))
    pairs += zip(left_old[:n], left_new[:n])
    return sorted(pairs), left_old[n:], left_new[n:]


def _expr(ruleset: model.Ruleset, site: int):
    return ruleset.sites[site].expr


def _text(ruleset: model.Ruleset, site: int) -> str:
    return expr_text(ruleset.sites[site].expr)


def _minus(points) -> str:
    return "0" if not points else "−" + number_text(points)


# ---- checklists -----------------------------------------------------------------------------


def checklist(cmp, a: model.Checklist, b: model.Checklist, here) -> list[Change]:
    tests = ([_expr(cmp.old, i.site) for i in a.items], [_expr(cmp.new, i.site) for i in b.items])
    texts = ([i.text for i in a.items], [i.text for i in b.items])
    pairs, removed, added = pair_up(a.items, b.items, tests, texts)
    changes = []
    for i, j in pairs:
        changes += _item(cmp, a.items[i], b.items[j], j + 1, here)
    for i in removed:
        changes.append(_item_gone(cmp.old, a.items[i], "item removed", here, before=True))
    for j in added:
        changes.append(_item_gone(cmp.new, b.items[j], "item added", here, before=False))
    return changes


def _item(cmp, old: model.Item, new: model.Item, number: int, here) -> list[Change]:
    changes, label = [], f"item {number}"
    test = _text(cmp.new, new.site)
    if _expr(cmp.old, old.site) != _expr(cmp.new, new.site):
        before = _text(cmp.old, old.site)
        note = f"{label}: scores may differ wherever `{before}` and `{test}` disagree"
        changes.append(here.change("item test", SCORES, before, test, note=note))
    if old.points != new.points:
        points = number_text(old.points), number_text(new.points)
        if new.judged:
            changes.append(here.change("item points", SCORES, *points, note=f"{label}: the judged score {test} "
                                       f"is now out of {points[1]}"))
        else:
            region = Region(test, "holds", *points)
            changes.append(here.change("item points", SCORES, *points, regions=(region,), note=label))
    if old.text != new.text:
        changes.append(here.change("criterion", TEXT, old.text, new.text, note=label))
    return changes


def _item_gone(ruleset: model.Ruleset, item: model.Item, aspect: str, here, *, before: bool) -> Change:
    test, points = _text(ruleset, item.site), number_text(item.points)
    shown = f"{points} {item.text or ''}: {test}".replace("  ", " ")
    if item.judged:
        return here.change(aspect, SCORES, *((shown, None) if before else (None, shown)),
                           note=f"the judged score {test} (up to {points}) {'no longer' if before else 'now'} counts")
    region = Region(test, "holds", points, "0") if before else Region(test, "holds", "0", points)
    return here.change(aspect, SCORES, *((shown, None) if before else (None, shown)), regions=(region,))


# ---- the other clauses ----------------------------------------------------------------------


def clauses(cmp, old: model.Rule, new: model.Rule, here) -> list[Change]:
    return (_deductions(cmp, old.deductions, new.deductions, here)
            + _guards(cmp, old.exemptions, new.exemptions, here, "exemption", "full")
            + _guards(cmp, old.vetoes, new.vetoes, here, "veto", "0")
            + _on_zero(old, new, here) + _rounding(cmp, old, new, here) + _claims(old, new, here))


def _deductions(cmp, olds, news, here) -> list[Change]:
    keys = ([(d.form, _expr(cmp.old, d.site)) for d in olds], [(d.form, _expr(cmp.new, d.site)) for d in news])
    pairs, removed, added = pair_up(olds, news, keys)
    changes = [c for i, j in pairs for c in _deduction(cmp, olds[i], news[j], here)]
    changes += [here.change("deduction removed", SCORES, olds[i].text, None,
                            note=_where_deducts(cmp.old, olds[i], "no longer")) for i in removed]
    changes += [here.change("deduction added", SCORES, None, news[j].text,
                            note=_where_deducts(cmp.new, news[j], "now")) for j in added]
    return changes


def _where_deducts(ruleset, deduction: model.Deduction, when: str) -> str:
    subject = _text(ruleset, deduction.site)
    if deduction.form == "when":
        return f"where `{subject}` holds, {_minus(deduction.points)} {when} applies"
    return f"wherever `{subject}` counts any units, the deduction {when} applies"


def _deduction(cmp, old: model.Deduction, new: model.Deduction, here) -> list[Change]:
    same_subject = _expr(cmp.old, old.site) == _expr(cmp.new, new.site)
    if old.text == new.text and same_subject:
        return []
    subject = _text(cmp.new, new.site)
    change = lambda **extra: here.change("deduction", SCORES, old.text, new.text, **extra)  # noqa: E731
    caveat = "amounts before the rule's [0, max] limits"
    if not same_subject or old.form != new.form:
        return [change(note="scores may differ wherever the two deductions take off different amounts")]
    if old.form == "when":
        return [change(regions=(Region(subject, "holds", _minus(old.points), _minus(new.points)),), note=caveat)]
    if old.form == "per_item":
        region = Region(subject, "≥ 1", f"{_minus(old.points)} each", f"{_minus(new.points)} each")
        return [change(regions=(region,), note=caveat)]
    if (old.unit, old.counting) != (new.unit, new.counting):
        return [change(note="scores may differ wherever the two deductions count different units")]
    percent = cmp.new.sites[new.site].kind.name == "ratio"
    regions, tail = per_unit_regions(old, new, subject, percent=percent)
    return [change(regions=regions, note="; ".join(filter(None, [tail, caveat])))]


def _guards(cmp, olds, news, here, word: str, decides: str) -> list[Change]:
    keys = ([_expr(cmp.old, g.site) for g in olds], [_expr(cmp.new, g.site) for g in news])
    pairs, removed, added = pair_up(olds, news, keys)
    changes = []
    for i, j in pairs:
        a, b = olds[i], news[j]
        if _expr(cmp.old, a.site) != _expr(cmp.new, b.site):
            note = f"where `{a.text}` and `{b.text}` disagree, the rule scores {decides} in one version only"
            changes.append(here.change(word, SCORES, a.text, b.text, note=note))
        if a.reason != b.reason:
            changes.append(here.change(f"{word} reason", TEXT, a.reason, b.reason, note=b.text))
    for i in removed:
        region = Region(olds[i].text, "holds", decides, "as scored by the rule")
        changes.append(here.change(f"{word} removed", SCORES, olds[i].text, None, regions=(region,)))
    for j in added:
        region = Region(news[j].text, "holds", "as scored by the rule", decides)
        changes.append(here.change(f"{word} added", SCORES, None, news[j].text, regions=(region,)))
    return changes


def _on_zero(old: model.Rule, new: model.Rule, here) -> list[Change]:
    shown = [number_text(r.on_zero) if r.has_on_zero else "an evaluation error" for r in (old, new)]
    if shown[0] == shown[1]:
        return []
    region = Region("a denominator it needs", "is zero", *shown)
    return [here.change("on zero denominator", SCORES, *shown, regions=(region,))]


def _rounding(cmp, old: model.Rule, new: model.Rule, here) -> list[Change]:
    if old.rounding == new.rounding or (old.rounding == cmp.old.rounding and new.rounding == cmp.new.rounding):
        return []  # a change of the ruleset's default is reported once, for the ruleset
    shown = [f"{r.rounding.mode} {r.rounding.places}" if r.rounding else "none" for r in (old, new)]
    return [here.change("rounding", SCORES, *shown, note="scores may differ wherever the exact score rounds "
                        "differently")]


def _claims(old: model.Rule, new: model.Rule, here) -> list[Change]:
    if old.monotone == new.monotone:
        return []
    shown = ["; ".join(f"{d} with {name}" for d, name in r.monotone) or "none" for r in (old, new)]
    return [here.change("claims", TEXT, *shown, note="a checked claim; it changes no score")]
