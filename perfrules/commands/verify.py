"""``perfrules test`` runs the author cases of rulesets and measures their coverage;
``perfrules cases`` proposes facts for every band edge.

The cases of ``NAME.rules`` live in ``NAME.cases.yaml`` beside it (``perfrules.cases``).
Failures and coverage are results, so they go to standard output; a ruleset or cases file
that cannot be used is a diagnostic, on standard error. Exit codes: 0 every case passed
and coverage reached ``--min-coverage``; 1 a failure, coverage below it, or an error in a
ruleset, a cases file or facts; 2 a usage error.
"""

from __future__ import annotations

import os
from decimal import Decimal, InvalidOperation
from pathlib import Path

import click

import perfrules
from perfrules import cases, coverage, propose
from perfrules.diagnostics import Diagnostic, render
from perfrules.errors import InternalError, PerfrulesError
from perfrules.facts import load_facts

EXIT_OK, EXIT_ERRORS = 0, 1
_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


class _DecimalType(click.ParamType):
    """A decimal read from its text, so ``--step 0.0001`` is exactly 0.0001."""

    name = "decimal"

    def __init__(self, low: Decimal | None = None, high: Decimal | None = None) -> None:
        self.low, self.high = low, high

    def convert(self, value, param, ctx) -> Decimal:
        if isinstance(value, Decimal):
            return value
        try:
            number = Decimal(str(value).strip().rstrip("%"))
        except InvalidOperation:
            self.fail(f"{value!r} is not a number", param, ctx)
        if not number.is_finite() or (self.low is not None and number < self.low) or (
                self.high is not None and number > self.high):
            self.fail(f"{value} is out of range", param, ctx)
        return number


# ---- perfrules test ---------------------------------------------------------------------------


@click.command(name="test")
@click.argument("rulesets", nargs=-1, required=True, type=_FILE)
@click.option("--min-coverage", type=_DecimalType(Decimal(0), Decimal(100)), default=None, metavar="N",
              help="Fail when a ruleset's cases cover less than N percent of its elements.")
def test(rulesets: tuple[Path, ...], min_coverage: Decimal | None) -> int:
    """Run the cases of each RULESET (NAME.cases.yaml beside NAME.rules) and report coverage."""
    failed = False
    for path in rulesets:
        failed |= not _test_one(path, min_coverage)
    return EXIT_ERRORS if failed else EXIT_OK


def _test_one(path: Path, min_coverage: Decimal | None) -> bool:
    """Run one ruleset's cases and print failures and coverage; True when all is well."""
    loaded = _load(path)
    if loaded is None:
        return False
    ruleset, case_file = loaded
    outcomes = cases.run_file(ruleset, case_file)
    for outcome in outcomes:
        if not outcome.passed:
            click.echo(cases.render_failure(outcome))
    passed = sum(o.passed for o in outcomes)
    measured = coverage.measure(ruleset.model, [o.result for o in outcomes if o.result is not None])
    click.echo(f"{path}: {len(outcomes)} cases, {passed} passed, {len(outcomes) - passed} failed")
    click.echo(measured.render_text(str(path)), nl=False)
    enough = min_coverage is None or measured.percent >= min_coverage
    if not enough:
        click.echo(f"{path}: coverage {coverage.percent_text(measured.percent)} is below "
                   f"--min-coverage {min_coverage}%")
    return passed == len(outcomes) and enough


def _load(path: Path):
    """The compiled ruleset and its cases, or None after reporting why they cannot be used."""
    try:
        ruleset = perfrules.load(path)
        return ruleset, cases.load_cases(cases.cases_path(path), ruleset.model)
    except InternalError:
        raise
    except PerfrulesError as error:
        click.echo(render(error.diagnostics), err=True)
    except (OSError, UnicodeDecodeError) as error:
        click.echo(render([Diagnostic("PR701", f"cannot read {path}: {error}")]), err=True)
    return None


# ---- perfrules cases --------------------------------------------------------------------------


@click.command(name="cases")
@click.argument("ruleset", type=_FILE)
@click.option("--facts", "facts_path", type=_FILE, default=None,
              help="Baseline facts to start from (default: plain values from the inputs' kinds and ranges).")
@click.option("--format", "output", type=click.Choice(["text", "yaml"]), default="text", show_default=True,
              help="A table to review, or a cases file skeleton expecting the computed scores.")
@click.option("--step", type=_DecimalType(Decimal(0)), default=None, metavar="DECIMAL",
              help="Distance beside each band edge (default: one unit in the ruleset's last decimal place).")
def cases_command(ruleset: Path, facts_path: Path | None, output: str, step: Decimal | None) -> int:
    """Propose facts reaching every band of RULESET and both sides of every band edge."""
    compiled = perfrules.load(ruleset)
    baseline = load_facts(facts_path) if facts_path is not None else None
    if step is not None and step <= 0:
        raise click.BadParameter("the step must be above zero", param_hint="--step")
    proposal = propose.propose(compiled, baseline, step=step)
    if output == "yaml":
        relative = os.path.relpath(facts_path, ruleset.parent) if facts_path is not None else None
        click.echo(propose.render_yaml(proposal, facts_path=relative), nl=False)
    else:
        click.echo(f"{ruleset}: edges ± {proposal.step}, from "
                   f"{facts_path if facts_path is not None else 'plain values for every input'}")
        click.echo(propose.render_text(proposal), nl=False)
    return EXIT_OK


COMMANDS: list = [test, cases_command]
