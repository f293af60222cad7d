"""Author cases: ``NAME.cases.yaml`` beside ``NAME.rules``, read, checked and run.

A cases file names facts and the scores they must give::

    facts: examples/commerce-2024.yaml     # optional: the facts every case starts from
    cases:
      - name: 编外人员 just below 5%
        with: {编外人员数: 4, 在编人数: 96}   # laid over the facts; null leaves one out
        expect:
          编外人员控制率: 1                  # an indicator, part or group, or a/b path suffix
          total: 95.04
          grade: 优

A case's ``facts`` is a path (relative to the cases file) or an inline mapping; without
it the file's ``facts`` is used. Everything in the file is checked against the ruleset
before any case runs, and every problem is reported at once with its line and column
(PR7xx). Running a case never raises for a wrong score: the outcome lists each
mismatch with the explanation of the actual score.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path

import attrs
import yaml

from perfrules import explain, model
from perfrules.diagnostics import Diagnostics, did_you_mean
from perfrules.errors import EvaluationError, FactsError, PerfrulesError
from perfrules.facts import Facts, from_yaml_mapping, load_facts, yaml_error_span
from perfrules.result import Result
from perfrules.source import Source, Span

SUFFIX = ".cases.yaml"
_FILE_KEYS = ("facts", "cases")
_CASE_KEYS = ("name", "facts", "with", "expect", "note")
_SPECIAL = ("total", "grade")


class CasesError(PerfrulesError, ValueError):
    """A cases file that cannot be read or does not fit its ruleset (PR7xx), every problem."""


@attrs.frozen
class Expectation:
    """``key`` as written (a node name or path suffix, ``total`` or ``grade``) and the
    expected score (a Decimal) or grade label (a str)."""

    key: str
    expected: Decimal | str
    span: Span | None = attrs.field(default=None, eq=False, repr=False)


@attrs.frozen
class Case:
    name: str
    facts: Facts = attrs.field(eq=False)
    expectations: tuple[Expectation, ...]
    span: Span | None = attrs.field(default=None, eq=False, repr=False)


@attrs.frozen
class CaseFile:
    path: Path
    cases: tuple[Case, ...]


@attrs.frozen
class Mismatch:
    expectation: Expectation
    actual: Decimal | str | None
    explanation: str


@attrs.frozen
class Outcome:
    """What one case gave: its result and mismatches, or the error that stopped it."""

    case: Case
    result: Result | None
    mismatches: tuple[Mismatch, ...] = ()
    error: PerfrulesError | None = None

    @property
    def passed(self) -> bool:
        return self.error is None and not self.mismatches


def cases_path(ruleset_path: str | Path) -> Path:
    """Where the cases of a ruleset live: ``a/NAME.rules`` → ``a/NAME.cases.yaml``."""
    path = Path(ruleset_path)
    return path.with_name(path.name.removesuffix(".rules") + SUFFIX)


def ruleset_path(path: str | Path) -> Path:
    """The ruleset a cases file belongs to: ``a/NAME.cases.yaml`` → ``a/NAME.rules``."""
    path = Path(path)
    return path.with_name(path.name.removesuffix(SUFFIX) + ".rules")


# ---- reading ---------------------------------------------------------------------------------


def load_cases(path: str | Path, ruleset: model.Ruleset) -> CaseFile:
    """Read a cases file and check it against ``ruleset`` (the checked model).

    Raises:
        CasesError: the file is unreadable, not YAML, or has any problem (all of them).
        FactsError: a facts file it names cannot be read.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CasesError([_problem("PR701", f"no cases file {path}; write one beside the ruleset")]) from None
    except (OSError, UnicodeDecodeError) as error:
        raise CasesError([_problem("PR701", f"cannot read the cases file {path}: {error}")]) from None
    return loads_cases(text, ruleset, name=str(path), base=path.parent)


def loads_cases(text: str, ruleset: model.Ruleset, *, name: str = "<cases>", base: Path = Path(".")) -> CaseFile:
    """Read cases from text; facts paths are relative to ``base``."""
    source = Source(name, text)
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as error:
        span = yaml_error_span(error, source)
        raise CasesError([_problem("PR701", f"the cases file is not valid YAML: {getattr(error, 'problem', error)}",
                                   span)]) from None
    reader = _Reader(source, ruleset, base)
    cases = reader.file(root)
    if reader.diagnostics.has_errors:
        raise CasesError(reader.diagnostics.sorted())
    return CaseFile(Path(name), cases)


def _problem(code: str, message: str, span: Span | None = None, **extra):
    diagnostics = Diagnostics()
    diagnostics.error(code, message, span, **extra)
    return diagnostics.items[0]


class _Reader:
    """Walks the YAML nodes, collecting every problem before giving up."""

    def __init__(self, source: Source, ruleset: model.Ruleset, base: Path) -> None:
        self.source = source
        self.ruleset = ruleset
        self.base = base
        self.diagnostics = Diagnostics()
        self.paths = _node_paths(ruleset)
        self.facts_files: dict[Path, Facts | None] = {}

    def span(self, node: yaml.Node) -> Span:
        return Span(self.source, node.start_mark.index, node.end_mark.index)

    def error(self, code: str, message: str, node: yaml.Node | None, **extra) -> None:
        self.diagnostics.error(code, message, self.span(node) if node is not None else None, **extra)

    def file(self, root) -> tuple[Case, ...]:
        fields = self.mapping(root, "the cases file", _FILE_KEYS)
        if fields is None:
            return ()
        default = self.facts(fields["facts"]) if "facts" in fields else Facts({})
        listed = fields.get("cases")
        if not isinstance(listed, yaml.SequenceNode) or not listed.value:
            self.error("PR702", "the cases file needs `cases:`, a list of cases", listed or root)
            return ()
        cases = [c for node in listed.value if (c := self.case(node, default)) is not None]
        self.unique(cases)
        return tuple(cases)

    def mapping(self, node, what: str, allowed: Sequence[str]) -> dict | None:
        if not isinstance(node, yaml.MappingNode):
            self.error("PR702", f"{what} must be a mapping", node)
            return None
        fields = {}
        for key, value in node.value:
            if key.value not in allowed:
                self.error("PR702", f"{what} has no key {key.value}; the keys are {', '.join(allowed)}", key,
                           hint=did_you_mean(str(key.value), allowed))
            elif key.value in fields:
                self.error("PR702", f"{key.value} is given twice", key)
            fields[key.value] = value
        return fields

    def case(self, node, default: Facts) -> Case | None:
        fields = self.mapping(node, "a case", _CASE_KEYS)
        if fields is None:
            return None
        name = fields.get("name")
        if not isinstance(name, yaml.ScalarNode) or not name.value:
            self.error("PR702", "every case needs a `name:`", name or node)
            return None
        facts = self.facts(fields["facts"]) if "facts" in fields else default
        if "with" in fields:
            facts = _overlay(facts, self.inline(fields["with"], "`with:`"))
        if "expect" not in fields:
            self.error("PR702", f"case {name.value} needs `expect:`, the scores its facts must give", node)
        expectations = self.expectations(fields.get("expect")) if "expect" in fields else ()
        return Case(str(name.value), facts, expectations, span=self.span(name))

    def facts(self, node) -> Facts:
        if isinstance(node, yaml.ScalarNode) and node.tag.endswith(":str"):
            path = self.base / node.value
            if path not in self.facts_files:
                try:
                    self.facts_files[path] = load_facts(path)
                except FactsError as error:
                    self.facts_files[path] = None
                    for d in error.diagnostics:
                        self.diagnostics.items.append(attrs.evolve(d, span=d.span or self.span(node)))
            return self.facts_files[path] or Facts({})
        return self.inline(node, "`facts:`")

    def inline(self, node, what: str) -> Facts:
        if not isinstance(node, yaml.MappingNode):
            self.error("PR702", f"{what} must be a facts file's path or a mapping of input names to values", node)
            return Facts({})
        return from_yaml_mapping(node, self.source)

    def expectations(self, node) -> tuple[Expectation, ...]:
        if not isinstance(node, yaml.MappingNode) or not node.value:
            self.error("PR702", "`expect:` must map names (or total, grade) to expected scores", node)
            return ()
        found = (self.expectation(key, value) for key, value in node.value)
        return tuple(e for e in found if e is not None)

    def expectation(self, key, value) -> Expectation | None:
        name = str(key.value)
        if name == "grade":
            return self.grade(value)
        if name != "total" and not self.resolve(name, key):
            return None
        number = _decimal(value)
        if number is None:
            self.error("PR705", f"the expected score of {name} must be a number, got {value.value!r}", value)
            return None
        maximum = self.ruleset.root.max if name == "total" else self.paths[_match(self.paths, name)[0]]
        if not Decimal(0) <= number <= maximum:
            self.error("PR705", f"{name} can score 0 to {maximum}, so it cannot be expected to score {number}", value)
            return None
        return Expectation(name, number, span=self.span(key))

    def grade(self, value) -> Expectation | None:
        labels = [g.label for g in self.ruleset.grade.bands] if self.ruleset.grade else []
        if not labels:
            self.error("PR705", f"{self.ruleset.name} has no grade scale, so no grade can be expected", value)
        elif value.value not in labels:
            self.error("PR705", f"{value.value} is not a grade of {self.ruleset.name} ({', '.join(labels)})", value,
                       hint=did_you_mean(str(value.value), labels))
        else:
            return Expectation("grade", str(value.value), span=self.span(value))
        return None

    def resolve(self, name: str, key) -> bool:
        found = _match(self.paths, name)
        if len(found) == 1:
            return True
        if found:
            listed = ", ".join("/".join(p) for p in found)
            self.error("PR704", f"several nodes are named {name}: {listed}; write more of the path", key)
        else:
            names = {p[-1] for p in self.paths} | set(_SPECIAL)
            self.error("PR703", f"{self.ruleset.name} has no indicator, part or group named {name}", key,
                       hint=did_you_mean(name.split("/")[-1].strip(), names))
        return False

    def unique(self, cases: list[Case]) -> None:
        first: dict[str, Case] = {}
        for case in cases:
            if case.name in first:
                # Point at both: the author has to decide which of the two to rename.
                self.diagnostics.error("PR706", f"two cases are named {case.name}", case.span,
                                       notes=(("the first case of that name", first[case.name].span),),
                                       hint="give each case its own name: failures and coverage are reported by name")
            first.setdefault(case.name, case)


def _node_paths(ruleset: model.Ruleset) -> dict[tuple[str, ...], Decimal]:
    """Every group, indicator and part path, with its max."""
    paths: dict[tuple[str, ...], Decimal] = {}

    def visit(node) -> None:
        if node.path:
            paths[node.path] = node.max
        for child in getattr(node, "children", ()) or getattr(node, "parts", ()):
            visit(child)

    visit(ruleset.root)
    return paths


def _match(paths, name: str) -> list[tuple[str, ...]]:
    # The same rule as Result.matching, so a name that checks here finds its node there.
    wanted = tuple(part.strip() for part in name.split("/"))
    return [p for p in paths if p[-len(wanted):] == wanted]


def _decimal(node) -> Decimal | None:
    if not isinstance(node, yaml.ScalarNode) or node.tag.endswith((":bool", ":null")):
        return None
    try:
        number = Decimal(node.value.replace("_", "").strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _overlay(base: Facts, extra: Facts) -> Facts:
    return Facts({**base, **extra}, spans={**base.spans, **extra.spans}, source=extra.source)


# ---- running ---------------------------------------------------------------------------------


def run_case(ruleset, case: Case) -> Outcome:
    """Score a case's facts with a compiled ruleset and compare every expectation."""
    try:
        scored = ruleset.evaluate(case.facts)
    except (FactsError, EvaluationError) as error:
        return Outcome(case, None, error=error)
    mismatches = tuple(m for e in case.expectations if (m := _compare(scored, e)) is not None)
    return Outcome(case, scored, mismatches)


def run_file(ruleset, case_file: CaseFile) -> tuple[Outcome, ...]:
    return tuple(run_case(ruleset, case) for case in case_file.cases)


def _compare(scored: Result, expectation: Expectation) -> Mismatch | None:
    if expectation.key == "grade":
        actual = scored.grade
        explanation = f"total {_number(scored.total)} of {_number(scored.max)}\n" + explain.render_text(scored)
    elif expectation.key == "total":
        actual = scored.total
        explanation = explain.render_text(scored)
    else:
        actual = scored.find(expectation.key).score
        explanation = explain.render_explanation(scored, expectation.key)
    if actual == expectation.expected:
        return None
    return Mismatch(expectation, actual, explanation)


def render_failure(outcome: Outcome) -> str:
    """Each mismatch of a failed case: expected, actual, and how the actual was scored."""
    where = f" ({outcome.case.span})" if outcome.case.span else ""
    lines = [f"case {outcome.case.name}{where} failed"]
    if outcome.error is not None:
        lines.append(str(outcome.error))
    for mismatch in outcome.mismatches:
        expectation = mismatch.expectation
        at = f"  ({expectation.span})" if expectation.span else ""
        lines.append(f"  {expectation.key}: expected {_shown(expectation.expected)}, "
                     f"got {_shown(mismatch.actual)}{at}")
        lines.extend(("    " + line).rstrip() for line in mismatch.explanation.rstrip("\n").splitlines())
    return "\n".join(lines) + "\n"


def _shown(value) -> str:
    if isinstance(value, Decimal):
        return _number(value)
    return "no grade" if value is None else str(value)


def _number(value: Decimal) -> str:
    return format(value, "f")
