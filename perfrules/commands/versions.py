"""``perfrules fmt`` lays rulesets out canonically; ``perfrules diff`` compares two versions.

fmt rewrites files in place, or with ``--check`` lists the files it would change (exit 1
if any), or with ``--diff`` prints the changes as a unified diff. A file that does not
parse is reported and left alone (exit 1). Before writing, fmt makes sure the new text
parses to the same tree with the same comments; if not, that is a bug in perfrules and
nothing is written.

diff prints what changed between two checked rulesets and where scores differ. It exits
0 on success whatever the differences, like a report; ``--exit-code`` makes it exit 1
when some change alters scores, for CI jobs that must notice.
"""

from __future__ import annotations

import difflib
from pathlib import Path

import click

from perfrules import diff_render
from perfrules.check import check
from perfrules.diagnostics import Diagnostic
from perfrules.diff import compare
from perfrules.errors import InternalError, ParseError
from perfrules.fmt_comments import attach
from perfrules.fmt_layout import format_tree
from perfrules.parse import parse, parse_with_comments
from perfrules.source import Source, Span

EXIT_OK, EXIT_ERRORS = 0, 1
_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


def _read(path: Path) -> str | None:
    """The file's text, or None after saying why it cannot be read."""
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        click.echo(f"error: {path} is not UTF-8 text; save the ruleset as UTF-8", err=True)
    except OSError as error:
        click.echo(f"error: cannot read {path}: {error.strerror or error}", err=True)
    return None


def formatted(text: str, *, name: str) -> str:
    """The canonical layout of ``text``, verified to mean the same and keep every comment.

    Raises:
        ParseError: ``text`` is not a ruleset.
        InternalError: the layout would change the meaning or lose a comment (a bug).
    """
    tree, comments = parse_with_comments(text, name=name)
    result = format_tree(tree, notes=attach(tree, comments, text))
    again, kept = parse_with_comments(result, name=name)
    if again != tree or [c.text for c in kept] != [c.text for c in comments]:
        span = Span(Source(name, text), 0, min(1, len(text)))
        raise InternalError([Diagnostic("PR901", f"formatting {name} would change its meaning or its "
                                        "comments; nothing was written", span)])
    return result


@click.command(name="fmt")
@click.argument("files", nargs=-1, required=True, type=_FILE)
@click.option("--check", "check_only", is_flag=True, help="Write nothing; list the files that would change.")
@click.option("--diff", "show_diff", is_flag=True, help="Write nothing; print the changes as a unified diff.")
def fmt_command(files: tuple[Path, ...], check_only: bool, show_diff: bool) -> int:
    """Lay out ruleset FILES canonically, in place, keeping comments."""
    errors, changed = 0, []
    for path in files:
        text = _read(path)
        try:
            result = None if text is None else formatted(text, name=str(path))
        except ParseError as error:
            click.echo(str(error), err=True)
            result = None
        if result is None:
            errors += 1
        elif result != text:
            changed.append(path)
            _apply(path, text, result, write=not (check_only or show_diff), show=show_diff, listed=check_only)
    _summarise(len(files), changed, errors, written=not (check_only or show_diff))
    return EXIT_ERRORS if errors or (check_only and changed) else EXIT_OK


def _apply(path: Path, text: str, result: str, *, write: bool, show: bool, listed: bool) -> None:
    if show:
        click.echo("".join(difflib.unified_diff(text.splitlines(True), result.splitlines(True),
                                                f"{path}", f"{path} (formatted)")), nl=False)
    if listed:
        click.echo(str(path))
    if write:
        path.write_text(result, encoding="utf-8")
        click.echo(f"reformatted {path}", err=True)


def _summarise(total: int, changed: list[Path], errors: int, *, written: bool) -> None:
    verb = "reformatted" if written else "would be reformatted"
    parts = [f"{len(changed)} of {total} file{'s' if total != 1 else ''} {verb}"]
    if errors:
        parts.append(f"{errors} could not be read or parsed")
    click.echo(", ".join(parts), err=True)


@click.command(name="diff")
@click.argument("old", type=_FILE)
@click.argument("new", type=_FILE)
@click.option("--format", "output", type=click.Choice(["text", "markdown", "json"]), default="text",
              show_default=True, help="Text for a terminal, Markdown for a change log, JSON for programs.")
@click.option("--exit-code", is_flag=True, help="Exit 1 when some change alters scores.")
def diff_command(old: Path, new: Path, output: str, exit_code: bool) -> int:
    """Compare two versions of a ruleset: what changed, and where scores differ."""
    trees = []
    for path in (old, new):
        text = _read(path)
        if text is None:
            return EXIT_ERRORS
        trees.append(check(parse(text, name=str(path))))
    found = compare(*trees)
    render = {"text": diff_render.render_text, "markdown": diff_render.render_markdown,
              "json": diff_render.render_json}[output]
    click.echo(render(found), nl=False)
    return EXIT_ERRORS if exit_code and found.alters_scores else EXIT_OK


COMMANDS: list = [fmt_command, diff_command]
