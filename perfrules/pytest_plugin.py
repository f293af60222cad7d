"""pytest plugin: ``pytest rulesets/`` collects the author cases of every ruleset.

Each ``NAME.cases.yaml`` becomes a collector of one test item per case, scored with the
``NAME.rules`` beside it. A failing case shows each expected and actual score with the
explanation of the actual one, as ``perfrules test`` prints it, not a Python traceback.
A ruleset or cases file with errors fails collection with its diagnostics.

Installed perfrules registers this module under the ``pytest11`` entry point; disable it
with ``-p no:perfrules``. perfrules itself is imported only when a cases file is found,
so suites without one pay nothing.
"""

from __future__ import annotations

from pathlib import Path

import pytest

SUFFIX = ".cases.yaml"


def pytest_collect_file(file_path: Path, parent: pytest.Collector):
    if file_path.name.endswith(SUFFIX):
        return CasesFile.from_parent(parent, path=file_path)
    return None


class CaseFailed(Exception):
    """A case whose scores differ from its expectations, or whose facts are wrong."""

    def __init__(self, outcome) -> None:
        super().__init__(outcome.case.name)
        self.outcome = outcome


class CasesFile(pytest.File):
    """One cases file: its ruleset is loaded once, then each case is an item."""

    def collect(self):
        import perfrules
        from perfrules import cases

        rules = cases.ruleset_path(self.path)
        if not rules.is_file():
            raise _NoRuleset(f"{self.path} has no ruleset beside it: expected {rules.name}")
        ruleset = perfrules.load(rules)
        for case in cases.load_cases(self.path, ruleset.model).cases:
            yield CaseItem.from_parent(self, name=case.name, ruleset=ruleset, case=case)

    def repr_failure(self, excinfo):
        from perfrules.errors import InternalError, PerfrulesError

        error = excinfo.value
        if isinstance(error, _NoRuleset) or (isinstance(error, PerfrulesError)
                                              and not isinstance(error, InternalError)):
            return str(error)
        return super().repr_failure(excinfo)


class _NoRuleset(Exception):
    pass


class CaseItem(pytest.Item):
    """One case of a cases file."""

    def __init__(self, *, ruleset, case, **kwargs) -> None:
        super().__init__(**kwargs)
        self.ruleset = ruleset
        self.case = case

    def runtest(self) -> None:
        from perfrules import cases

        outcome = cases.run_case(self.ruleset, self.case)
        if not outcome.passed:
            raise CaseFailed(outcome)

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, CaseFailed):
            from perfrules import cases

            return cases.render_failure(excinfo.value.outcome)
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self):
        span = self.case.span
        line = span.line_col[0] - 1 if span is not None else None
        return self.path, line, f"case {self.name}"
