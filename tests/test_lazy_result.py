"""``evaluate`` returns a lazy ``Result``: the total and grade come from the fast scorer,
the tree is built when ``root`` is first read. These tests hold it to the tree that
``runtime.score`` builds eagerly from the same inputs (the semantics), node by node and
step by step, on the seeds and on random rulesets and facts, errors included.

``test_fast_path`` compares ``score`` with ``evaluate``; now that ``evaluate``'s errors come
from the fast scorer too, the comparison with the eager path's errors lives here.
"""

from __future__ import annotations

import copy
import decimal
import pickle
from decimal import Decimal
from pathlib import Path

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import perfrules
from perfrules import explain, runtime
from perfrules.errors import EvaluationError, InternalError
from perfrules.result import Result
from tests import strategies

SHENZHEN = Path(__file__).resolve().parents[1] / "rulesets" / "shenzhen"
SEEDS = [
    (SHENZHEN / "department-overall-2024.rules", SHENZHEN / "examples" / "commerce-2024.yaml"),
    (SHENZHEN / "department-overall-2024.rules", SHENZHEN / "examples" / "commerce-2024-corrected.yaml"),
    (SHENZHEN / "department-overall-2023.rules", SHENZHEN / "examples" / "trade-promotion-2023.yaml"),
]


def _eager(ruleset: perfrules.Ruleset, facts) -> Result:
    """The result as ``evaluate`` built it before it was lazy: every site, then the tree."""
    inputs = ruleset.read_facts(facts)
    with decimal.localcontext(runtime.CONTEXT):
        sites = ruleset._observe(inputs)
    return runtime.score(ruleset.model, inputs, sites)


def _built(result: Result) -> bool:
    try:
        object.__getattribute__(result, "root")
    except AttributeError:
        return False
    return True


def _outcome(make):
    try:
        return make()
    except (EvaluationError, InternalError) as error:
        return type(error).__name__, [d.render() for d in error.diagnostics]


def assert_same(lazy: Result, eager: Result) -> None:
    """Everything a reader of the result can see, read from the lazy result first."""
    assert not _built(lazy)
    # what the result says before its tree exists: every digit of the total
    assert (str(lazy.total), str(lazy.max), lazy.grade, lazy.ruleset) == (
        str(eager.total), str(eager.max), eager.grade, eager.ruleset)
    nodes = list(lazy.root.walk())
    assert _built(lazy)
    expected = list(eager.root.walk())
    assert len(nodes) == len(expected)
    for node, other in zip(nodes, expected):
        # field by field, so a failure names the node and the field
        for field in attrs.fields(type(node)):
            if field.name != "children":
                assert getattr(node, field.name) == getattr(other, field.name), (node.path, field.name)
        assert [str(s) for s in (node.score, node.max)] == [str(s) for s in (other.score, other.max)]
        assert [s.text() for s in node.why] == [s.text() for s in other.why], node.path
        assert node.reason == other.reason
    assert lazy == eager and eager == lazy and hash(lazy) == hash(eager)
    assert (str(lazy.total), lazy.grade) == (str(eager.total), eager.grade)  # the same after the tree exists
    assert lazy.to_dict() == eager.to_dict()
    assert explain.render_text(lazy) == explain.render_text(eager)
    assert explain.render_markdown(lazy) == explain.render_markdown(eager)
    for node in expected[1:]:
        name = "/".join(node.path)
        assert explain.render_explanation(lazy, name) == explain.render_explanation(eager, name)


@pytest.mark.parametrize(("rules", "facts"), SEEDS, ids=lambda p: p.stem)
def test_the_lazy_tree_is_the_eager_tree_on_the_seeds(rules, facts):
    ruleset = perfrules.load(rules)
    given_facts = perfrules.load_facts(facts)
    assert_same(ruleset.evaluate(given_facts), _eager(ruleset, given_facts))
    typed = {s.name: v for s, v in zip(ruleset.model.inputs, ruleset.read_facts(given_facts))
             if v is not None and not runtime.left_out(v)}
    assert_same(ruleset.evaluate(typed), _eager(ruleset, given_facts))  # through the generated reader
    assert_same(ruleset.evaluate_inputs(ruleset.read_facts(typed)), _eager(ruleset, typed))


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.data())
def test_the_lazy_tree_is_the_eager_tree_on_random_rulesets(data):
    ruleset = perfrules.loads(data.draw(strategies.ruleset_texts()), name="generated.rules")
    facts = data.draw(strategies.facts_for(ruleset.model))
    eager = _outcome(lambda: _eager(ruleset, facts))
    lazy = _outcome(lambda: ruleset.evaluate(facts))
    if isinstance(eager, Result):
        assert isinstance(lazy, Result), lazy
        assert_same(lazy, eager)
    else:
        assert lazy == eager  # the same error, at the same division, from the fast scorer


def test_a_lazy_result_is_frozen_and_copies_as_its_tree():
    ruleset = perfrules.load(SEEDS[0][0])
    given_facts = perfrules.load_facts(SEEDS[0][1])
    eager = _eager(ruleset, given_facts)
    lazy = ruleset.evaluate(given_facts)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        lazy.grade = "差"
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        lazy.root = eager.root
    assert not _built(lazy)
    assert pickle.loads(pickle.dumps(lazy)) == eager  # builds it: a pickle holds no ruleset
    for copied in (copy.copy(lazy), copy.deepcopy(lazy), attrs.evolve(lazy)):
        assert copied == eager and copied.total == eager.total
    assert repr(ruleset.evaluate(given_facts)) == repr(eager)
    with pytest.raises(AttributeError):
        lazy.no_such_field  # noqa: B018


def test_a_tree_that_disagrees_with_the_total_is_refused():
    ruleset = perfrules.load(SEEDS[0][0])
    given_facts = perfrules.load_facts(SEEDS[0][1])
    fast = ruleset._score
    ruleset._score = lambda x: (lambda grade, values: (grade, (values[0] + 1, *values[1:])))(*fast(x))
    lazy = ruleset.evaluate(given_facts)
    assert lazy.total == Decimal("95.54")
    with pytest.raises(InternalError, match="disagree"):
        lazy.root  # noqa: B018
