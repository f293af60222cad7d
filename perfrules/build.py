"""Checked model → a compiled ``Ruleset`` you can evaluate.

The generated source is verified, registered in ``linecache`` under a synthetic file
name (so tracebacks and debuggers show it), compiled and executed in a namespace that
holds only ``Decimal`` and ``runtime``.

Two entry points score an entity: ``score`` runs a second generated function that
computes the scores without the explanation (``codegen_score``); ``evaluate`` runs it
too and returns a ``Result`` whose explained tree ``runtime.score`` builds when it is
first read. Both first try the generated fast reader, which accepts
facts that are already typed, and fall back to ``facts.read`` for anything it does not.
"""

from __future__ import annotations

import contextlib
import decimal
import functools
import gc
import linecache
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

from perfrules import codegen, facts, model, runtime
from perfrules.check import check
from perfrules.diagnostics import Diagnostic
from perfrules.errors import InternalError
from perfrules.parse import parse
from perfrules.result import Node, Result, RulesetInfo
from perfrules.scores import Layout, Scores

# Missing-input patterns remembered per ruleset (see Ruleset._inputs); a bound keeps a
# stream of odd rows from growing it without end.
_PATTERNS = 4096


class Ruleset:
    """A checked and compiled ruleset.

    >>> ruleset = loads('ruleset "r" input a: count indicator x 2 { deduct 1 per a }')
    >>> str(ruleset.evaluate({"a": 1}).total)
    '1.00'
    """

    def __init__(self, checked: model.Ruleset, *, filename: str = "<string>") -> None:
        self.model = checked
        self.python_source = codegen.generate(checked)
        self._filename = f"<perfrules {filename}@{checked.fingerprint[:8]}>"
        self._observe = _compile(self.python_source, self._filename)["observe"]
        self._complete = {()}  # missing-input patterns that facts.read accepted

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

    @functools.cached_property
    def scorer_source(self) -> str:
        """The Python that ``score`` runs; generated and compiled on first use."""
        from perfrules import codegen_score  # only for score(): import perfrules stays light

        return codegen_score.generate_scorer(self.model)

    @functools.cached_property
    def _score(self) -> Callable:
        return _compile(self.scorer_source, self._filename.replace("<perfrules", "<perfrules score"))["score"]

    @functools.cached_property
    def _read_row(self) -> Callable:
        from perfrules import codegen_score

        source = codegen_score.generate_reader(self.model)
        namespace = _compile(source, self._filename.replace("<perfrules", "<perfrules read"), type=type)
        return namespace["read_row"]

    @functools.cached_property
    def _names(self) -> tuple[str, ...]:
        return tuple(slot.name for slot in self.model.inputs)

    @functools.cached_property
    def layout(self) -> Layout:
        """The groups and indicators that ``Scores`` of this ruleset hold, in order."""
        return Layout(self.model)

    @functools.cached_property
    def _indicators(self) -> tuple[model.Rule, ...]:
        return tuple(self.model.rules())

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
        return self.evaluate_inputs(self._inputs(given))

    def evaluate_inputs(self, inputs: tuple) -> Result:
        """``evaluate`` for input values already read: what ``read_facts`` returns.

        The fast scorer gives the total and grade (and raises any error) now; the tree is
        the one ``runtime.score`` builds, made when the result's ``root`` is first read.
        """
        scores = self.score_inputs(inputs)
        return Result.lazy(self._info, scores.grade, scores.total, scores.max,
                           functools.partial(self._explained, inputs, scores))

    def _explained(self, inputs: tuple, scores: Scores) -> Node:
        """The tree of a lazy result: every site, then ``runtime.score``, the semantics."""
        with decimal.localcontext(runtime.CONTEXT):
            sites = self._observe(inputs)
        explained = runtime.score(self.model, inputs, sites)
        if Scores.of(explained, self.layout) != scores or str(explained.total) != str(scores.total):
            # The result already said its total and grade: never show a tree that disagrees.
            raise InternalError([Diagnostic(
                "PR901", f"the generated scorer and the explanation of {self.name} disagree (total "
                         f"{scores.total} against {explained.total}); this is a bug in perfrules, please report it")])
        return explained.root

    @functools.cached_property
    def _info(self) -> RulesetInfo:
        return RulesetInfo(self.model.name, self.model.version, self.model.fingerprint)

    def evaluate_many(self, rows, *, explain: bool = False, keep=()):
        """Score many entities: an iterable of mappings, or a pandas or Polars DataFrame
        or an Arrow table with one column per input. See ``perfrules.batch``."""
        from perfrules import batch  # pandas, Polars and Arrow are imported only when given

        return batch.evaluate_many(self, rows, explain=explain, keep=keep)

    def score(self, given: Mapping) -> Scores:
        """Score one entity without the explanation: the fast path.

        The same scores as ``evaluate`` (total, grade, every group and indicator, to the
        last digit), the same errors, and no ``why``. Facts that are already typed
        (``Decimal`` or ``int`` numbers, ``bool`` flags) skip conversion.

        >>> ruleset = loads('ruleset "r" input a: count indicator x 2 { deduct 1 per a }')
        >>> ruleset.score({"a": 1}).total
        Decimal('1.00')

        Raises:
            FactsError: as ``evaluate``.
            EvaluationError: as ``evaluate``.
        """
        return self.score_inputs(self._inputs(given))

    def score_inputs(self, inputs: tuple) -> Scores:
        """``score`` for input values already read: what ``read_facts`` returns, and
        nothing else (the scorer relies on their kinds and ranges having been checked)."""
        with decimal.localcontext(runtime.CONTEXT):
            try:
                grade, values = self._score(inputs)
            except runtime.Unanswered as stop:
                raise runtime.unanswered_error(self.model, self._indicators[stop.indicator], stop.error) from None
            except runtime.NotGiven as error:
                raise runtime.not_given_error(error) from None
        return Scores(self.layout, grade, values)

    def interpret(self, given: Mapping) -> Result:
        """The same as ``evaluate``, by the reference interpreter: the test oracle."""
        from perfrules import interp

        inputs = facts.read(self.model, given)
        return runtime.score(self.model, inputs, interp.observe(self.model, inputs))

    def read_facts(self, given: Mapping) -> tuple:
        """The input values in slot order, checked: ``facts.read``, faster for typed facts.

        Raises:
            FactsError: every missing, unknown, ill-typed or out-of-range value at once.
        """
        return self._inputs(given)

    def read_row(self, row: tuple) -> tuple:
        """``read_facts`` for a row of values in slot order (None where a value is missing),
        as a batch holds them."""
        try:
            values, missing = self._read_row(row)
        except runtime.Rejected:
            pass
        else:
            if missing in self._complete:
                return self._left_out(values, missing)
        return self._inputs({slot.name: v for slot, v in zip(self.model.inputs, row) if v is not None})

    def _inputs(self, given: Mapping) -> tuple:
        try:
            values, missing = self._read_row(tuple(map(given.get, self._names)))
        except runtime.Rejected:
            pass
        else:
            # An unknown name or an explicit None makes len() differ: facts.read reports it.
            if missing in self._complete and len(given) == len(values) - len(missing):
                return self._left_out(values, missing)
        values = facts.read(self.model, given)
        if len(self._complete) < _PATTERNS:
            # Whether a left-out input is needed depends only on which inputs are left out.
            self._complete.add(tuple(i for i, v in enumerate(values) if v is None or isinstance(v, runtime.Missing)))
        return values

    def _left_out(self, values: tuple, missing: tuple) -> tuple:
        """As facts.read leaves them: None where a default computes the input, else a value
        that fails if used (no rule needs it: facts.read accepted this pattern)."""
        if not missing:
            return values
        values, markers = list(values), self._markers
        for index in missing:
            values[index] = markers[index]
        return tuple(values)

    @functools.cached_property
    def _markers(self) -> tuple:
        """What ``_left_out`` puts in each slot: None, or the shared not-given marker."""
        return tuple(None if slot.default is not None else runtime.not_given(slot.name) for slot in self.model.inputs)

    def __repr__(self) -> str:
        return f"<Ruleset {self.name!r} version {self.version!r} {self.fingerprint}>"


def _compile(source: str, filename: str, **names) -> dict:
    with _gc_paused():  # ast.parse of a large ruleset's code makes millions of objects
        tree = codegen.verify(source)
        code = compile(tree, filename, "exec")
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    namespace = {"__builtins__": {}, "D": decimal.Decimal, "rt": runtime, **names}
    exec(code, namespace)  # noqa: S102 - built from checked values only
    return namespace


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    # Parsing and checking allocate many small objects and free none of them; the cyclic
    # collector would walk the whole heap again and again for nothing (quadratic in the
    # size of the ruleset). Reference counting still frees everything as usual.
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def build(checked: model.Ruleset, *, filename: str = "<string>") -> Ruleset:
    """Compile a checked model."""
    with _gc_paused():
        return Ruleset(checked, filename=filename)


def loads(text: str, *, name: str = "<string>") -> Ruleset:
    """Parse, check and compile ruleset text.

    Raises:
        ParseError: the text is not in the language.
        CheckError: the ruleset is wrong; every problem is listed.
    """
    with _gc_paused():
        return build(check(parse(text, name=name)), filename=name)


def load(path: str | Path) -> Ruleset:
    """Parse, check and compile a ruleset file (UTF-8)."""
    path = Path(path)
    return loads(path.read_text(encoding="utf-8"), name=str(path))
