"""The ``perfrules`` command: check, score, explain and build rulesets.

Exit codes: 0 success; 1 the ruleset or the facts have errors (reported with their
diagnostics); 2 a usage error (bad option, missing file, unknown indicator); 3 a bug in
perfrules itself. A mistake of the user's never shows a traceback: every
``PerfrulesError`` is printed as its rendered diagnostics. An unexpected exception prints
one line asking for a report, and the traceback only with ``--debug``.

``main`` returns the exit code instead of exiting, so tests can call ``main([...])``.
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Sequence
from pathlib import Path

import click

import perfrules
from perfrules import explain
from perfrules.diagnostics import Diagnostic, did_you_mean, render
from perfrules.errors import InternalError, PerfrulesError
from perfrules.facts import load_facts
from perfrules.result import Result

EXIT_OK, EXIT_ERRORS, EXIT_USAGE, EXIT_BUG = 0, 1, 2, 3

_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


class _RulesetFileError(click.ClickException):
    """A ruleset file that cannot be read as text: the user's to fix, so exit 1, no traceback."""

    exit_code = EXIT_ERRORS

    def show(self, file=None) -> None:
        click.echo(f"error: {self.message}", err=True)


class _Cli(click.Group):
    """Turns perfrules' own errors and unexpected exceptions into exit codes."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except InternalError as error:
            return _report_bug(error, debug=ctx.params.get("debug", False))
        except PerfrulesError as error:
            click.echo(str(error), err=True)
            return EXIT_ERRORS
        except Exception as error:  # noqa: BLE001 - the last line of defence; see _report_bug
            return _report_bug(error, debug=ctx.params.get("debug", False))


def _report_bug(error: Exception, *, debug: bool) -> int:
    what = type(error).__name__
    if isinstance(error, PerfrulesError):
        click.echo(str(error), err=True)  # already rendered, with its own diagnostics
    else:
        what += f": {error}"
    click.echo(f"perfrules: internal error ({what}); this is a bug in perfrules, "
               "please report it" + ("" if debug else " (rerun with --debug for the traceback)"), err=True)
    if debug:
        click.echo("".join(traceback.format_exception(error)), err=True, nl=False)
    return EXIT_BUG


@click.group(cls=_Cli, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(perfrules.__version__, prog_name="perfrules")
@click.option("--debug", is_flag=True, help="Show the traceback of an internal error.")
def cli(debug: bool) -> None:
    """Check, score and explain scoring rubrics written in the perfrules language."""


def _load_ruleset(path: Path) -> perfrules.Ruleset:
    try:
        return perfrules.load(path)
    except UnicodeDecodeError as error:
        line = error.object[: error.start].count(b"\n") + 1
        raise _RulesetFileError(f"{path} is not UTF-8 text (byte 0x{error.object[error.start]:02x} on line "
                                f"{line}); save the ruleset as UTF-8") from None
    except OSError as error:
        raise _RulesetFileError(f"cannot read {path}: {error.strerror or error}") from None


def _score(ruleset_path: Path, facts_path: Path) -> Result:
    ruleset = _load_ruleset(ruleset_path)
    return ruleset.evaluate(load_facts(facts_path))


# ---- check ----------------------------------------------------------------------------------


@cli.command()
@click.argument("files", nargs=-1, required=True, type=_FILE)
@click.option("--bounds", "show_bounds", is_flag=True,
              help="Also print the lowest and highest score each indicator and part can reach.")
def check(files: tuple[Path, ...], show_bounds: bool) -> int:
    """Check ruleset FILES and report every error and warning."""
    errors = warnings = 0
    for path in files:
        file_errors, file_warnings = _check_one(path)
        errors, warnings = errors + file_errors, warnings + file_warnings
        if show_bounds and not file_errors:
            from perfrules.check.bounds import render_bounds
            click.echo(render_bounds(perfrules.parse(path.read_text(encoding="utf-8"), name=str(path))))
    click.echo(f"{_count(len(files), 'file')} checked: {_count(errors, 'error')}, "
               f"{_count(warnings, 'warning')}", err=True)
    return EXIT_ERRORS if errors else EXIT_OK


def _check_one(path: Path) -> tuple[int, int]:
    """Report one file's diagnostics; return how many errors and warnings it has."""
    try:
        found = tuple(_load_ruleset(path).warnings)
    except _RulesetFileError as error:
        # A file that cannot be read counts as one error, and the other files are still checked.
        error.show()
        return 1, 0
    except PerfrulesError as error:
        if isinstance(error, InternalError):
            raise
        found = error.diagnostics
    if found:
        click.echo(render(found) + "\n", err=True)
    errors = sum(d.is_error for d in found)
    return errors, len(found) - errors


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


# ---- score and explain ----------------------------------------------------------------------


@cli.command()
@click.argument("ruleset", type=_FILE)
@click.argument("facts", type=click.Path(exists=True, path_type=Path))
@click.option("--format", "output", type=click.Choice(["text", "json", "markdown"]), default="text",
              show_default=True, help="How to print the scoring table.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="For a table of facts: where the scored rows go (.csv, .parquet or .jsonl).")
@click.option("--rejects", type=click.Path(dir_okay=False, path_type=Path),
              help="For a table: where rejected rows go, with every reason [default: next to --out].")
@click.option("--engine", type=click.Choice(["duckdb", "python"]), default="duckdb", show_default=True,
              help="For a table: score it in DuckDB (exact SQL) or with the Python evaluator.")
@click.option("--key", "keys", multiple=True, help="For a table: a column to copy to the results.")
def score(ruleset: Path, facts: Path, output: str, out: Path | None, rejects: Path | None, engine: str,
          keys: tuple[str, ...]) -> int:
    """Score the FACTS of one entity with RULESET and print the table.

    FACTS may also be a table, one entity per row (.csv, .parquet, or a directory of
    them): every row is scored, the results go to --out and the rejected rows, with
    their row number and every reason, to --rejects.
    """
    from perfrules.tables import is_table

    if facts.is_dir() or is_table(facts):
        from perfrules.commands.batch import score_table

        return score_table(ruleset, facts, out=out, rejects=rejects, engine=engine, keys=keys)
    result = _score(ruleset, facts)
    if output == "json":
        click.echo(explain.render_json(result), nl=False)
    elif output == "markdown":
        click.echo(explain.render_markdown(result), nl=False)
    elif _is_terminal():
        from rich.console import Console  # colour and the terminal's own width
        Console().print(explain.render_table(result))
    else:
        click.echo(explain.render_text(result), nl=False)
    return EXIT_OK


def _is_terminal() -> bool:
    # Tests and pipes replace sys.stdout with objects that are not terminals.
    return hasattr(sys.stdout, "isatty") and sys.stdout.isatty()


@cli.command(name="explain")
@click.argument("ruleset", type=_FILE)
@click.argument("facts", type=_FILE)
@click.argument("name")
def explain_command(ruleset: Path, facts: Path, name: str) -> int:
    """Explain how NAME (an indicator, part or group, or its path a/b/c) was scored."""
    result = _score(ruleset, facts)
    _check_name(result, name)
    click.echo(explain.render_explanation(result, name), nl=False)
    return EXIT_OK


def _check_name(result: Result, name: str) -> None:
    nodes = [n for n in result.root.walk() if n.path]
    named = result.matching(name)
    if len(named) == 1:
        return
    if named:
        paths = ", ".join("/".join(n.path) for n in named)
        raise click.BadParameter(f"several nodes are named {name}: {paths}; give the path", param_hint="NAME")
    hint = did_you_mean(name, [n.name for n in nodes])
    raise click.BadParameter(f"{result.ruleset.name} has no indicator, part or group named {name}"
                             + (f"; {hint}" if hint else ""), param_hint="NAME")


# ---- build ---------------------------------------------------------------------------------


@cli.command()
@click.argument("ruleset", type=_FILE)
@click.option("--emit-python", is_flag=True, help="Print the generated Python source.")
def build(ruleset: Path, emit_python: bool) -> int:
    """Compile RULESET; with --emit-python, print the Python it compiles to."""
    compiled = _load_ruleset(ruleset)
    if emit_python:
        click.echo(compiled.python_source, nl=not compiled.python_source.endswith("\n"))
    else:
        version = f" version {compiled.version}" if compiled.version else ""
        click.echo(f"{ruleset}: {compiled.name}{version}, fingerprint {compiled.fingerprint}")
    return EXIT_OK


# ---- entry point ---------------------------------------------------------------------------


def _register_area_commands() -> None:
    import importlib

    from perfrules.commands import AREAS

    for area in AREAS:
        for command in importlib.import_module(f"perfrules.commands.{area}").COMMANDS:
            cli.add_command(command)


_register_area_commands()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default ``sys.argv[1:]``) and return the exit code."""
    try:
        code = cli.main(args=list(argv) if argv is not None else None, prog_name="perfrules",
                        standalone_mode=False)
    except click.ClickException as error:
        error.show()
        return error.exit_code
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        return EXIT_ERRORS
    return code if isinstance(code, int) else EXIT_OK

