"""Renderers of an ``Audit``: a terminal table with the disagreements explained, plain
text, Markdown and JSON.

This module only presents: every value, difference and explanation line comes from the
findings (``perfrules.audit``); nothing here compares or rounds.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator

from rich import box
from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from perfrules.audit import Audit, Finding
from perfrules.explain import PIPE_WIDTH

_SECTIONS = (("indicator", "indicator scores"), ("total", "total"), ("grade", "grade"), ("figure", "figures"))


def summary(audit: Audit) -> str:
    """One line: how many values were compared and which sections disagree.

    >>> summary(Audit(None, ()))
    'nothing compared'
    """
    parts = []
    for section, label in _SECTIONS:
        found = [f for f in audit.findings if f.section == section]
        if not found:
            continue
        wrong = sum(not f.agrees for f in found)
        if section in ("total", "grade"):
            parts.append(f"the {label} {'disagrees' if wrong else 'agrees'}")
        else:
            parts.append(f"{wrong} of {len(found)} {label} disagree" if wrong
                         else f"all {len(found)} {label} agree")
    if not parts:
        return "nothing compared"
    verdict = f"{len(audit.disagreements)} disagreement{'s' if len(audit.disagreements) != 1 else ''}"
    return f"{verdict}: {'; '.join(parts)}" if audit.disagreements else f"no disagreement: {'; '.join(parts)}"


def _ruleset_line(audit: Audit) -> str:
    info = audit.ruleset
    version = f" · version {info.version}" if info.version else ""
    return f"{info.name}{version} · fingerprint {info.fingerprint}"


def _computed_cell(finding: Finding) -> str:
    return finding.computed if finding.exact is None else f"{finding.computed} ({finding.exact})"


# ---- terminal and plain text -------------------------------------------------------------------


def render_table(audit: Audit) -> Table:
    """Every comparison, one row each, as a rich renderable."""
    table = Table(box=box.SIMPLE, header_style="bold", caption=_ruleset_line(audit), caption_justify="left")
    for header, justify in (("", "left"), ("name", "left"), ("reported", "right"), ("computed", "right"),
                            ("difference", "right"), ("", "left")):
        table.add_column(header, justify=justify, overflow="fold")
    for f in audit.findings:
        status = Text("agrees", style="green") if f.agrees else Text("DIFFERS", style="bold red")
        table.add_row(f.section, Text(f.name), f.reported, _computed_cell(f), f.difference or "", status)
    return table


def _details(audit: Audit) -> Iterator[str]:
    for f in audit.disagreements:
        yield ""
        difference = f", difference {f.difference}" if f.difference else ""
        precision = f" ({f.precision})" if f.precision else ""
        yield f"{f.section} {f.target}: reported {f.reported}, computed {f.computed}{precision}{difference}"
        yield from (f"    {line}" for line in f.explanation)
        if f.follows_from:
            yield f"    follows from: {', '.join(f.follows_from)} (also disagree{'s' if len(f.follows_from) == 1 else ''})"


def render_renderable(audit: Audit) -> Group:
    """The table, each disagreement explained, and the summary line."""
    lines = [*_details(audit), "", summary(audit)]
    return Group(render_table(audit), Text("\n".join(lines)))


def render_text(audit: Audit, *, width: int | None = None) -> str:
    """``render_renderable`` as plain text without colour, ``width`` cells wide at most."""
    buffer = io.StringIO()
    console = Console(file=buffer, width=width or PIPE_WIDTH, color_system=None, force_terminal=False,
                      highlight=False, emoji=False, markup=False, legacy_windows=False)
    console.print(render_renderable(audit))
    return "\n".join(line.rstrip() for line in buffer.getvalue().splitlines()).strip("\n") + "\n"


# ---- Markdown and JSON ------------------------------------------------------------------------


def _md(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def render_markdown(audit: Audit) -> str:
    """A Markdown table of every comparison, then each disagreement explained."""
    lines = ["| | name | reported | computed | difference | |", "|---|---|---:|---:|---:|---|"]
    for f in audit.findings:
        cells = [f.section, f.name, f.reported, _computed_cell(f), f.difference or "",
                 "agrees" if f.agrees else "**differs**"]
        lines.append("| " + " | ".join(_md(c) for c in cells) + " |")
    for f in audit.disagreements:
        precision = f" ({f.precision})" if f.precision else ""
        lines += ["", f"**{_md(f.section)} {_md(f.target)}**: reported {_md(f.reported)}, computed "
                      f"{_md(f.computed)}{_md(precision)}" + (f", difference {f.difference}" if f.difference else ""),
                  ""]
        lines += [f"- {_md(line)}" for line in f.explanation]
        if f.follows_from:
            lines.append(f"- follows from: {_md(', '.join(f.follows_from))}")
    lines += ["", _md(summary(audit)), "", _md(_ruleset_line(audit))]
    return "\n".join(lines) + "\n"


def render_json(audit: Audit) -> str:
    """``Audit.to_dict`` as JSON; every number stays the text it was printed or computed as."""
    return json.dumps(audit.to_dict(), ensure_ascii=False, indent=2) + "\n"
