"""Commands of the audit area: ``impact`` (a ruleset change on data) and ``audit`` (a
report against its ruleset).

Exit codes as in ``perfrules.cli``: 0 all agree (audit) or every entity compared
(impact); 1 a disagreement, an entity that could not be compared, or errors in the
ruleset, facts or reported file (printed as diagnostics); 2 a usage error.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from perfrules import audit as auditing
from perfrules import impact as impacting
from perfrules import render_audit, render_impact
from perfrules.facts import load_facts
from perfrules.reported import load_reported
from perfrules.tables import is_table

EXIT_OK, EXIT_ERRORS = 0, 1
_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)
_FORMAT = click.Choice(["text", "markdown", "json"])


def _load_ruleset(path: Path):
    # Imported here: perfrules.cli registers this module while it is being imported.
    from perfrules.cli import _load_ruleset as load

    return load(path)


def _print(renderable, text: str) -> None:
    if hasattr(sys.stdout, "isatty") and sys.stdout.isatty():
        from rich.console import Console  # colour and the terminal's own width

        Console().print(renderable)
    else:
        click.echo(text, nl=False)


@click.command()
@click.argument("ruleset", type=_FILE)
@click.argument("facts", type=_FILE)
@click.argument("reported", type=_FILE)
@click.option("--format", "output", type=_FORMAT, default="text", show_default=True,
              help="How to print the comparison.")
def audit(ruleset: Path, facts: Path, reported: Path, output: str) -> int:
    """Compare what a report printed (REPORTED) with what RULESET computes from FACTS.

    REPORTED is YAML: indicators (name → printed score), total, grade, and figures
    (let or input name → printed value, e.g. "115.82%"). Exits 1 when any disagrees.
    """
    compiled = _load_ruleset(ruleset)
    printed = load_reported(reported)
    found = auditing.audit(compiled, load_facts(facts), printed)
    if output == "json":
        click.echo(render_audit.render_json(found), nl=False)
    elif output == "markdown":
        click.echo(render_audit.render_markdown(found), nl=False)
    else:
        _print(render_audit.render_renderable(found), render_audit.render_text(found))
    return EXIT_OK if found.agrees else EXIT_ERRORS


@click.command()
@click.argument("old", type=_FILE)
@click.argument("new", type=_FILE)
@click.argument("data", nargs=-1, required=True, type=_FILE)
@click.option("--format", "output", type=_FORMAT, default="text", show_default=True,
              help="How to print the comparison.")
@click.option("--top", type=click.IntRange(min=1), default=5, show_default=True,
              help="How many of the largest moves the summary lists.")
def impact(old: Path, new: Path, data: tuple[Path, ...], output: str, top: int) -> int:
    """Score DATA with the OLD and the NEW ruleset and show what changes.

    DATA is one table (CSV or Parquet, one entity per row) or several facts files.
    Exits 1 when an entity could not be compared (its diagnostics are printed).
    """
    if len(data) > 1 and any(is_table(path) for path in data):
        raise click.BadParameter("give one table, or facts files only", param_hint="DATA")
    before, after = _load_ruleset(old), _load_ruleset(new)
    rows, failed = impacting.read_entities(data)
    found = impacting.impact(before, after, rows, failed=failed)
    if output == "json":
        click.echo(render_impact.render_json(found, top=top), nl=False)
    elif output == "markdown":
        click.echo(render_impact.render_markdown(found, top=top), nl=False)
    else:
        _print(render_impact.render_renderable(found, top=top), render_impact.render_text(found, top=top))
        if found.failed:
            click.echo("\n" + render_impact.render_failures(found), err=True, nl=False)
    return EXIT_ERRORS if found.failed else EXIT_OK


COMMANDS = [impact, audit]
