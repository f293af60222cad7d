"""What explanations need of a checked model, prepared once per model.

``runtime.score`` shows, for every evaluation, the text of the expressions a rule used,
its formula with the values filled in, and the inputs it read. None of that text depends
on the facts, so it is worked out here once per model (and kept for as long as the model
lives): scoring semantics stay in ``runtime``; this module only prepares text.
"""

from __future__ import annotations

import weakref

from perfrules import model
from perfrules.fmt import expr_text


class Plan:
    """What explanations need of a model that does not change between evaluations: the
    text of every site, formulas with holes for values, and which inputs each rule reads."""

    def __init__(self, ruleset: model.Ruleset) -> None:
        self.texts = [expr_text(site.expr) for site in ruleset.sites]
        self.kinds = [site.kind.name for site in ruleset.sites]
        self.templates: dict[int, list[str] | None] = {}
        self.names = {name: _naming(ruleset, kind, index) for name, (kind, index) in ruleset.symbols.items()}
        self.reads: dict[int, tuple] = {}  # id(rule) → (name, slot, has default) of the inputs it reads
        slots = {slot.name: slot for slot in ruleset.inputs}
        for rule in _every_rule(ruleset):
            self.reads[id(rule)] = tuple((n, slots[n].index, slots[n].default is not None) for n in rule.inputs)

    def template(self, ruleset: model.Ruleset, site: int) -> list[str] | None:
        """The formula's text split around its names: text, name, text, name, …, text."""
        if site not in self.templates:
            marked = expr_text(ruleset.sites[site].expr, lambda name: f"{_HOLE}{name}{_HOLE}")
            pieces = marked.split(_HOLE)
            names_ok = all(_HOLE not in name for name in pieces[1::2])
            self.templates[site] = pieces if names_ok and len(pieces) % 2 == 1 else None
        return self.templates[site]


_HOLE = "\x00"  # no name can hold it
_PLANS: dict[int, Plan] = {}


def plan_of(ruleset: model.Ruleset) -> Plan:
    # One plan per model, for as long as the model lives (models are not hashable).
    plan = _PLANS.get(id(ruleset))
    if plan is None:
        plan = _PLANS[id(ruleset)] = Plan(ruleset)
        weakref.finalize(ruleset, _PLANS.pop, id(ruleset), None)
    return plan


def _naming(ruleset: model.Ruleset, kind: str, index: int) -> tuple:
    if kind == "input":
        slot = ruleset.inputs[index]
        shown_kind = "ratio" if slot.kind in ("percent", "ratio") else slot.kind
        return ("input", index, slot.default, shown_kind, slot.unit)
    return ("let", index, None, ruleset.sites[index].kind.name, None)


def _every_rule(ruleset: model.Ruleset):
    stack = list(ruleset.rules())
    while stack:
        rule = stack.pop()
        yield rule
        stack.extend(rule.parts)
