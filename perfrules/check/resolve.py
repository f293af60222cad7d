"""Build the checked model from a syntax tree that passed every check.

Names become slots, ``full`` becomes a number, bands are put in order, and every
expression a rule needs becomes a numbered site. Lets and input defaults come first, in
an order where each is computed after what it uses.
"""

from __future__ import annotations

from decimal import Decimal

from perfrules import model, nodes
from perfrules.diagnostics import Diagnostic
from perfrules.fingerprint import fingerprint
from perfrules.fmt import bound_text, expr_text, interval_text, number_text
from perfrules.kinds import FLAG, Kind, from_declaration, kind_of

DEFAULT_ROUNDING = model.Rounding("half_up", 2)


def resolve(tree: nodes.Ruleset, *, warnings: tuple[Diagnostic, ...] = ()) -> model.Ruleset:
    return _Resolver(tree).build(warnings)


def refs(expr: nodes.Expr) -> list[str]:
    """Names an expression uses, in order of first use."""
    return list(dict.fromkeys(n.name for n in nodes.walk(expr) if isinstance(n, nodes.Ref)))


class _Resolver:
    def __init__(self, tree: nodes.Ruleset) -> None:
        self.tree = tree
        self.inputs = tree.of_type(nodes.Input)
        self.lets = tree.of_type(nodes.Let)
        self.env: dict[str, Kind] = {i.name: from_declaration(i.kind, i.unit) for i in self.inputs}
        self.sites: list[model.Site] = []
        self.symbols: dict[str, tuple[str, int]] = {
            i.name: ("input", index) for index, i in enumerate(self.inputs)
        }
        self.default_sites: dict[str, int] = {}
        self.let_defs: list[model.LetDef] = []
        self.readers: dict[str, list[tuple[str, ...]]] = {i.name: [] for i in self.inputs}
        self.uses: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}  # see _uses_of
        rounding = tree.of_type(nodes.Rounding)
        self.rounding = model.Rounding(rounding[-1].mode, rounding[-1].places) if rounding else DEFAULT_ROUNDING

    def build(self, warnings) -> model.Ruleset:
        self._definitions()
        members = [s for s in self.tree.statements if isinstance(s, (nodes.Group, nodes.Indicator))]
        children = tuple(self._member(m, ()) for m in members)
        totals = self.tree.of_type(nodes.Total)
        total = totals[-1].points if totals else sum((c.max for c in children), Decimal(0))
        root = model.GroupNode(self.tree.name, (), total, self.tree.description, children, span=self.tree.span)
        inputs = tuple(
            model.InputSlot(
                i.name, index, i.kind, i.unit,
                i.range.low.value if i.range and i.range.low else None,
                i.range.high.value if i.range and i.range.high else None,
                i.description, self.default_sites.get(i.name),
                tuple(dict.fromkeys(self.readers[i.name])), span=i.name_span,
            )
            for index, i in enumerate(self.inputs)
        )
        result = model.Ruleset(
            self.tree.name, self.tree.version, self.tree.description, fingerprint(self.tree),
            inputs, tuple(self.let_defs), tuple(self.sites), dict(self.symbols), root,
            self._grade(), self.rounding, warnings=tuple(warnings),
        )
        return result

    # ---- lets and defaults, each after what it uses
    def _definitions(self) -> None:
        pending = {l.name: l for l in self.lets}
        pending.update({i.name: i for i in self.inputs if i.default is not None})
        done: set[str] = set()

        def visit(name: str) -> None:
            if name in done or name not in pending:
                return
            done.add(name)
            node = pending[name]
            expr = node.value if isinstance(node, nodes.Let) else node.default
            for used in refs(expr):
                visit(used)
            if isinstance(node, nodes.Let):
                self.env[name] = kind_of(expr, self.env)
                site = self._site(expr, "let", (name,))
                self.symbols[name] = ("let", site)
                self.let_defs.append(model.LetDef(name, site, node.description, span=node.name_span))
            else:
                self.default_sites[name] = self._site(expr, "default", (name,))

        for name in pending:
            visit(name)

    def _site(self, expr: nodes.Expr, role: str, owner: tuple[str, ...]) -> int:
        index = len(self.sites)
        self.sites.append(model.Site(index, expr, role, owner, kind_of(expr, self.env)))
        return index

    # ---- the tree
    def _member(self, node, path: tuple[str, ...]):
        path = path + (node.name,)
        if isinstance(node, nodes.Group):
            children = tuple(self._member(m, path) for m in node.members)
            return model.GroupNode(node.name, path, node.points, node.description, children,
                                   stable_id=node.stable_id, span=node.span)
        rule = self._rule(node, path, "indicator")
        for name in rule.inputs:
            self.readers[name].append(path)
        return rule

    def _rule(self, node, path: tuple[str, ...], kind: str) -> model.Rule:
        first_site = len(self.sites)
        base, parts, deductions, exemptions, vetoes = None, [], [], [], []
        has_on_zero, on_zero, rounding, monotone = False, Decimal(0), None, []
        for clause in node.clauses:
            match clause:
                case nodes.Part():
                    parts.append(self._rule(clause, path + (clause.name,), "part"))
                case nodes.Tiers():
                    base = self._tiers(clause, path, node.points)
                case nodes.Score(formula=formula):
                    base = model.Formula(self._site(formula, "formula", path), span=clause.span)
                case nodes.Checklist(items=items):
                    base = model.Checklist(tuple(self._item(i, path) for i in items), span=clause.span)
                case nodes.DeductPerItem() | nodes.DeductPerUnit() | nodes.DeductWhen():
                    deductions.append(self._deduction(clause, path))
                case nodes.Veto(condition=condition, reason=reason):
                    vetoes.append(self._guard(condition, reason, path, clause))
                case nodes.Exempt(condition=condition, reason=reason):
                    exemptions.append(self._guard(condition, reason, path, clause))
                case nodes.OnZero(points=points):
                    has_on_zero, on_zero = True, node.points if points is None else points
                case nodes.Rounding(mode=mode, places=places):
                    rounding = model.Rounding(mode, places)
                case nodes.Monotone(direction=direction, input=name):
                    monotone.append((direction, name))
        if rounding is None and kind == "indicator":
            rounding = self.rounding
        read, lets = self._names_used(self.sites[first_site:])
        return model.Rule(
            kind, node.name, path, node.points, node.description, tuple(exemptions), tuple(vetoes),
            base, tuple(parts), tuple(deductions), has_on_zero, on_zero, rounding, read, lets,
            tuple(monotone), node.stable_id, span=node.span,
        )

    def _tiers(self, clause: nodes.Tiers, path, maximum: Decimal) -> model.Tiers:
        site = self._site(clause.subject, "subject", path)
        bands = tuple(sorted((_band(b, maximum) for b in clause.bands), key=_band_order))
        return model.Tiers(site, bands, span=clause.span)

    def _item(self, item: nodes.CheckItem, path) -> model.Item:
        site = self._site(item.test, "test", path)
        judged = self.sites[site].kind != FLAG
        return model.Item(item.points, item.text, site, judged, span=item.span)

    def _deduction(self, clause, path) -> model.Deduction:
        points = clause.points
        match clause:
            case nodes.DeductPerItem(count=count):
                site = self._site(count, "count", path)
                text = f"deduct {_n(points)} per {expr_text(count)}"
                return model.Deduction("per_item", points, site, text, span=clause.span)
            case nodes.DeductPerUnit(counting=counting, unit=unit, subject=subject, threshold=threshold):
                site = self._site(subject, "subject", path)
                above = f" above {_bound(threshold)}" if threshold else ""
                text = f"deduct {_n(points)} per {counting} {_bound(unit)} of {expr_text(subject)}{above}"
                return model.Deduction(
                    "per_unit", points, site, text, counting, unit.value,
                    threshold.value if threshold else None, span=clause.span,
                )
            case nodes.DeductWhen(condition=condition):
                site = self._site(condition, "condition", path)
                text = f"deduct {_n(points)} when {expr_text(condition)}"
                return model.Deduction("when", points, site, text, span=clause.span)
        raise TypeError(clause)

    def _guard(self, condition, reason, path, clause) -> model.Guard:
        site = self._site(condition, "condition", path)
        return model.Guard(site, reason, expr_text(condition), span=clause.span)

    def _names_used(self, sites) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The inputs and the lets these sites use, directly or through lets and defaults,
        each in order of first use."""
        inputs: dict[str, None] = {}
        lets: dict[str, None] = {}
        for site in sites:
            used_inputs, used_lets = self._uses(site.expr)
            inputs.update(dict.fromkeys(used_inputs))  # keeps the first place of a name
            lets.update(dict.fromkeys(used_lets))
        return tuple(inputs), tuple(lets)

    def _uses(self, expr) -> tuple[tuple[str, ...], tuple[str, ...]]:
        inputs: dict[str, None] = {}
        lets: dict[str, None] = {}
        for name in refs(expr):
            kind, index = self.symbols.get(name, (None, None))
            if kind in ("input", "let"):
                used_inputs, used_lets = self._uses_of(name, kind, index)
                inputs.update(dict.fromkeys(used_inputs))
                lets.update(dict.fromkeys(used_lets))
        return tuple(inputs), tuple(lets)

    def _uses_of(self, name: str, kind: str, index: int) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """What using a let or an input brings in: itself, after what its definition or
        default uses. Worked out once per name: every rule that reads a let asked again."""
        known = self.uses.get(name)
        if known is None:
            if kind == "let":
                inputs, lets = self._uses(self.sites[index].expr)
                known = inputs, tuple(dict.fromkeys((*lets, name)))
            else:
                default = self.inputs[index].default
                inputs, lets = self._uses(default) if default is not None else ((), ())
                known = tuple(dict.fromkeys((*inputs, name))), lets
            self.uses[name] = known
        return known

    def _grade(self) -> model.GradeScale | None:
        grades = self.tree.of_type(nodes.Grade)
        if not grades:
            return None
        grade = grades[-1]
        bands = [model.GradeBand(_band(nodes.Band(b.interval, Decimal(0), span=b.span), Decimal(0)), b.label)
                 for b in grade.bands]
        return model.GradeScale(grade.name, tuple(sorted(bands, key=lambda g: _band_order(g.band))))


def _band(band: nodes.Band, maximum: Decimal) -> model.Band:
    interval = band.interval
    return model.Band(
        interval.low.value if interval.low else None,
        interval.high.value if interval.high else None,
        interval.low_closed, interval.high_closed, interval.is_otherwise,
        maximum if band.points is None else band.points,
        interval_text(interval), span=band.span,
    )


def _band_order(band: model.Band):
    # Lowest values first; `otherwise` last, since it takes what the others leave.
    if band.is_otherwise:
        return (2, Decimal(0), 0)
    if band.low is None:
        return (0, Decimal(0), 0)
    return (1, band.low, 0 if band.low_closed else 1)


def _n(value: Decimal) -> str:
    return number_text(value)


def _bound(bound: nodes.Bound) -> str:
    return bound_text(bound)
