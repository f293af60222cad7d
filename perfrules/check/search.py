"""Search for a counterexample to a claim that a rule rises (or falls) with an input.

When ``check/direction.py`` cannot prove a claim, Hypothesis looks for two sets of facts
that differ only in input x and score the wrong way round. The other inputs the rule
reads are drawn within their kinds and ranges; x is drawn the same way, or equal to (or
next to) another drawn figure of its kind, since a veto such as ``实际 > 计划`` turns
exactly there. Inputs the rule does not read are held at a neutral value, and only the
claim's own indicator is scored, so the rest of the ruleset cannot interfere. Facts on
which the rule has no score (a zero denominator it does not answer, a part hidden by its
indicator's veto) are skipped. A failure is shrunk to a small counterexample.

The search is deterministic (derandomized, no example database) and bounded by
``max_examples``. It runs in a thread of its own, so that a check called from inside a
Hypothesis test is a separate run, not a nested one.
"""

from __future__ import annotations

import math
import threading
from decimal import Decimal

import attrs
from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis import strategies as st
from hypothesis.errors import HypothesisException

from perfrules import model
from perfrules.errors import EvaluationError, FactsError
from perfrules.fmt import number_text

MAX_EXAMPLES = 200
_PLACES = {"amount": 2, "percent": 4, "ratio": 4, "judged": 2, "number": 3}
_WIDTH = {"count": 40, "amount": 10000, "percent": 2, "ratio": 2, "number": 200, "judged": 1}


@attrs.frozen
class Counterexample:
    """Two facts that differ only in ``name``, and the rule's scores on each."""

    name: str
    low: Decimal  # the smaller value of the input
    high: Decimal
    score_at_low: Decimal
    score_at_high: Decimal
    others: tuple[tuple[str, str], ...]  # the other inputs the rule reads, as shown
    shown_low: str = ""  # low and high as a message shows them (5%, 100 万元)
    shown_high: str = ""


class _Found(Exception):
    def __init__(self, counterexample: Counterexample) -> None:
        super().__init__(counterexample)
        self.counterexample = counterexample


def find_counterexample(checked: model.Ruleset, path: tuple[str, ...], claim: str, name: str, *,
                        max_examples: int = MAX_EXAMPLES) -> Counterexample | None:
    """Search facts for a violation of ``claim`` (rises or falls) of the rule at ``path``.

    Returns:
        The shrunk counterexample, or None when ``max_examples`` tries found none.
    """
    from perfrules.build import build  # late: building needs the checker that imports this

    rule, indicator = _find(checked, path)
    alone = attrs.evolve(checked, root=attrs.evolve(checked.root, children=(indicator,), max=indicator.max),
                         grade=None)
    probe = _Probe(build(alone), rule, indicator, {slot.name: slot for slot in checked.inputs}, claim, name)
    return _isolated(lambda: probe.run(max_examples))


def _find(checked: model.Ruleset, path: tuple[str, ...]):
    for indicator in checked.rules():
        if indicator.path == path[: len(indicator.path)]:
            rule = indicator
            for name in path[len(indicator.path):]:
                rule = next(p for p in rule.parts if p.name == name)
            return rule, indicator
    raise KeyError(path)


def _isolated(function):
    box: dict = {}

    def run() -> None:
        try:
            box["value"] = function()
        except BaseException as error:  # noqa: BLE001 - handed back to the caller's thread
            box["error"] = error

    thread = threading.Thread(target=run, name="perfrules-search", daemon=True)
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]
    return box.get("value")


class _Probe:
    def __init__(self, compiled, rule: model.Rule, indicator: model.Rule, slots: dict, claim: str,
                 name: str) -> None:
        self.compiled, self.rule, self.claim, self.name = compiled, rule, claim, name
        self.x = slots[name]
        # A part scores only when its indicator does, so its sibling parts' inputs vary too.
        self.varied = [slots[n] for n in indicator.inputs if n != name]
        self.shown = [slots[n] for n in rule.inputs if n != name]
        self.fixed = {n: _neutral(s) for n, s in slots.items() if n not in indicator.inputs and n != name}

    def run(self, max_examples: int) -> Counterexample | None:
        @settings(max_examples=max_examples, derandomize=True, database=None, deadline=None,
                  suppress_health_check=list(HealthCheck), phases=(Phase.generate, Phase.shrink),
                  verbosity=Verbosity.quiet, report_multiple_bugs=False, print_blob=False)
        @given(st.data())
        def probe(data) -> None:
            self.try_once(data)

        try:
            probe()
        except _Found as found:
            return found.counterexample
        except HypothesisException:
            return None
        return None

    def try_once(self, data) -> None:
        facts = dict(self.fixed)
        for slot in self.varied:
            value = data.draw(_given_or_default(slot), label=slot.name)
            if value is not None:
                facts[slot.name] = value
        candidates = _candidates(self.x, [facts.get(s.name) for s in self.varied if _alike(s, self.x)])
        low, high = sorted((data.draw(candidates, label="low"), data.draw(candidates, label="high")))
        if low == high:
            return
        at_low, at_high = self._score(facts | {self.name: low}), self._score(facts | {self.name: high})
        if at_low is None or at_high is None:
            return
        if (at_low > at_high) if self.claim == "rises" else (at_low < at_high):
            others = tuple((s.name, show(s, facts.get(s.name))) for s in self.shown)
            raise _Found(Counterexample(self.name, low, high, at_low, at_high, others,
                                        show(self.x, low), show(self.x, high)))

    def _score(self, facts: dict) -> Decimal | None:
        try:
            result = self.compiled.evaluate(facts)
        except (EvaluationError, FactsError):  # no score; FactsError only for a range such as 5..1
            return None
        return next((n.score for n in result.root.walk() if n.path == self.rule.path), None)


def _bounds(slot: model.InputSlot) -> tuple[Decimal, Decimal]:
    low = slot.low if slot.low is not None else Decimal(-100 if slot.kind == "number" else 0)
    high = slot.high if slot.high is not None else low + _WIDTH[slot.kind]
    return low, max(low, high)


def values_of(slot: model.InputSlot) -> st.SearchStrategy:
    """Valid values of one input: within its kind and declared range."""
    if slot.kind == "flag":
        return st.booleans()
    low, high = _bounds(slot)
    first, last = math.ceil(low), math.floor(high)
    if slot.kind == "count":
        return st.integers(first, max(first, last)).map(Decimal)
    # Whole numbers (whole percents) first, so that a counterexample shrinks to readable ones.
    scale = 100 if slot.kind in ("percent", "ratio") else 1
    whole = st.integers(math.ceil(low * scale), math.floor(high * scale)).map(lambda n: Decimal(n) / scale)
    exact = st.decimals(low, high, places=_PLACES[slot.kind], allow_nan=False, allow_infinity=False)
    return st.one_of(whole, exact) if math.ceil(low * scale) <= math.floor(high * scale) else exact


def _given_or_default(slot: model.InputSlot) -> st.SearchStrategy:
    # An input with a default may be left out, so that its default computes it.
    values = values_of(slot)
    return st.one_of(st.none(), values) if slot.default is not None else values


def _alike(slot: model.InputSlot, x: model.InputSlot) -> bool:
    return slot.kind == x.kind and slot.unit == x.unit and slot.kind != "flag"


def _candidates(x: model.InputSlot, pool: list) -> st.SearchStrategy:
    low, high = _bounds(x)
    step = Decimal(1) if x.kind == "count" else Decimal(1).scaleb(-_PLACES[x.kind])
    # The figure itself first, then just above and just below: what shrinking prefers.
    near = list(dict.fromkeys(v + d for v in pool if v is not None for d in (0, step, -step) if low <= v + d <= high))
    values = values_of(x)
    return st.one_of(st.sampled_from(near), values) if near else values


def _neutral(slot: model.InputSlot):
    if slot.kind == "flag":
        return False
    low, high = _bounds(slot)
    return min(max(Decimal(0), low), high)


def show(slot: model.InputSlot, value) -> str:
    """A value as a message shows it: percents as percents, amounts with their unit."""
    if value is None:
        return "its default"
    if isinstance(value, bool):
        return "yes" if value else "no"
    text = number_text(value, percent=slot.kind in ("percent", "ratio"))
    return f"{text} {slot.unit}" if slot.unit else text
