"""Checked model → a compiled ``Ruleset`` you can evaluate.

The generated source is verified, registered in ``linecache`` under a synthetic file
name (so tracebacks and debuggers show it), compiled and executed in a namespace that
holds only ``Decimal`` and ``runtime``.
"""

from __future__ import annotations

import decimal
import linecache
from collections.abc import Callable, Mapping
from pathlib import Path

from perfrules import codegen, facts, interp, model, runtime
from perfrules.check import check
from perfrules.parse import parse
from perfrules.result import Result


class Ruleset:
    """A checked and compiled ruleset.

    >>> ruleset = loads('ruleset "r" input a: count indicator x 2 { deduct 1 per a }')
    >>> str(ruleset.evaluate({"a": 1}).total)
    '1.00'
    """

    def __init__(self, checked: model.Ruleset, *, filename: str = "<string>") -> None:
        self.model = checked
        self.python_source = codegen.generate(checked)
        self._observe = _compile(self.python_source, f"<perfrules {filename}@{checked.fingerprint[:8]}>")

    @property
    def name(self) -> str:
        return self.model.name

    @property
    def version(self) -> str | None:
        return self.model.version

    @property
    def fingerprint(self) -> str:
        return self.model.fingerprint

    @property
    def warnings(self) -> tuple:
        return self.model.warnings

    def evaluate(self, given: Mapping) -> Result:
        """Score one entity.

        Args:
            given: input name → value: a mapping (from Python, JSON, YAML or TOML) or the
                ``Facts`` of ``perfrules.facts.load_facts``. Percents may be ``"12.42%"``
                or ``0.1242``.

        Returns:
            The result tree, with every score a ``Decimal``.

        Raises:
            FactsError: every missing, unknown, ill-typed or out-of-range value at once.
            EvaluationError: a zero denominator that no rule says how to score.
        """
        inputs = facts.read(self.model, given)
        with decimal.localcontext(runtime.CONTEXT):
            sites = self._observe(inputs)
        return runtime.score(self.model, inputs, sites)

    def interpret(self, given: Mapping) -> Result:
        """The same as ``evaluate``, by the reference interpreter: the test oracle."""
        inputs = facts.read(self.model, given)
        return runtime.score(self.model, inputs, interp.observe(self.model, inputs))

    def __repr__(self) -> str:
        return f"<Ruleset {self.name!r} version {self.version!r} {self.fingerprint}>"


def _compile(source: str, filename: str) -> Callable:
    codegen.verify(source)
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    namespace = {"__builtins__": {}, "D": decimal.Decimal, "rt": runtime}
    exec(compile(source, filename, "exec"), namespace)  # noqa: S102 - built from checked values only
    return namespace["observe"]


def build(checked: model.Ruleset, *, filename: str = "<string>") -> Ruleset:
    """Compile a checked model."""
    return Ruleset(checked, filename=filename)


def loads(text: str, *, name: str = "<string>") -> Ruleset:
    """Parse, check and compile ruleset text.

    Raises:
        ParseError: the text is not in the language.
        CheckError: the ruleset is wrong; every problem is listed.
    """
    return build(check(parse(text, name=name)), filename=name)


def load(path: str | Path) -> Ruleset:
    """Parse, check and compile a ruleset file (UTF-8)."""
    path = Path(path)
    return loads(path.read_text(encoding="utf-8"), name=str(path))
