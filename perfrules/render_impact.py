"""Renderers of an ``Impact``: a terminal table (one row per entity, one column per moved
indicator) and a summary, plain text, Markdown and JSON.

This module only presents; every total, delta and cause comes from ``perfrules.impact``.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from decimal import Decimal

from rich import box
from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from perfrules.diagnostics import render
from perfrules.explain import PIPE_WIDTH
from perfrules.impact import Compared, Impact, to_dict


def _signed(value: Decimal) -> str:
    return ("+" if value > 0 else "") + format(value, "f")


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _version(info) -> str:
    return info.version or info.fingerprint[:8]


def _headline(found: Impact) -> str:
    old, new = found.old, found.new
    name = old.name if old.name == new.name else f"{old.name} → {new.name}"
    return f"impact of {name} version {_version(old)} → {_version(new)}"


def _moved_columns(found: Impact) -> list[int]:
    """Indexes of the matched indicators that moved for at least one entity."""
    return [i for i, _ in enumerate(found.matches) if any(c.deltas[i].change for c in found.compared)]


def _grade(c: Compared) -> str:
    return f"{c.old_grade} → {c.new_grade}" if c.grade_changed else (c.new_grade or "")


def _row_cells(c: Compared, columns: list[int]) -> list[str]:
    deltas = [_signed(c.deltas[i].change) if c.deltas[i].change else "" for i in columns]
    return [str(c.number), c.entity, format(c.old_total, "f"), format(c.new_total, "f"),
            _signed(c.change) if c.change else "0", _grade(c), *deltas]


def summary_lines(found: Impact, *, top: int = 5) -> Iterator[str]:
    """The summary: counts, grade changes, the largest moves and their causes."""
    failed = f", {len(found.failed)} not compared (listed after this summary)" if found.failed else ""
    yield f"{_count(len(found.compared), 'entity', 'entities')} compared{failed}"
    changes = found.grade_changes()
    yield ("no entity changes grade" if not changes else
           f"{_count(len(changes), 'entity changes', 'entities change')} grade: " + "; ".join(
               f"{c.entity} {c.old_grade} → {c.new_grade} ({_signed(c.change)})" for c in changes))
    largest = found.largest(top)
    yield "largest moves:" if largest else "largest moves: none"
    for c in largest:
        yield f"  {c.entity}: {_signed(c.change)} ({c.old_total} → {c.new_total})"
    if found.causes:
        yield "causes:"
    for cause in found.causes:
        spread = _signed(cause.low) if cause.low == cause.high else f"{_signed(cause.low)} … {_signed(cause.high)}"
        yield (f"  {cause.indicator}: moved {_count(cause.entities, 'entity', 'entities')} ({spread}), "
               f"{_signed(cause.total)} in all")
        yield from (f"    {change}" for change in cause.changes)


_SIDES = {"facts": "its facts cannot be read", "old": "the old version rejects its facts",
          "new": "the new version rejects its facts"}


def render_failures(found: Impact, *, limit: int = 5) -> str:
    """Each entity that was not compared, with its first ``limit`` diagnostics."""
    blocks = [f"row {f.number} {f.entity}: not compared, {_SIDES[f.side]}\n{render(f.diagnostics, limit=limit)}"
              for f in found.failed]
    return "\n\n".join(blocks) + ("\n" if blocks else "")


def render_table(found: Impact) -> Table:
    """One row per compared entity; one column per indicator that moved anywhere."""
    columns = _moved_columns(found)
    table = Table(box=box.SIMPLE, header_style="bold")
    for header in ("row", "entity", "old", "new", "Δ", "grade"):
        table.add_column(header, justify="right" if header in ("row", "old", "new", "Δ") else "left",
                         overflow="fold")
    for i in columns:
        table.add_column(f"Δ {found.matches[i].label}", justify="right", overflow="fold")
    for c in found.compared:
        cells = _row_cells(c, columns)
        table.add_row(*cells[:5], Text(cells[5], style="bold" if c.grade_changed else ""), *cells[6:])
    return table


def render_text(found: Impact, *, top: int = 5, width: int | None = None) -> str:
    """Table and summary as plain text without colour (failures: ``render_failures``)."""
    buffer = io.StringIO()
    console = Console(file=buffer, width=width or PIPE_WIDTH, color_system=None, force_terminal=False,
                      highlight=False, emoji=False, markup=False, legacy_windows=False)
    console.print(render_renderable(found, top=top))
    return "\n".join(line.rstrip() for line in buffer.getvalue().splitlines()).strip("\n") + "\n"


def render_renderable(found: Impact, *, top: int = 5) -> Group:
    return Group(Text(_headline(found)), render_table(found), Text("\n".join(summary_lines(found, top=top))))


def _md(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def render_markdown(found: Impact, *, top: int = 5) -> str:
    """The table and summary as Markdown."""
    columns = _moved_columns(found)
    headers = ["row", "entity", "old", "new", "Δ", "grade", *(f"Δ {found.matches[i].label}" for i in columns)]
    lines = [f"**{_md(_headline(found))}**", "", "| " + " | ".join(_md(h) for h in headers) + " |",
             "|" + "|".join("---" if h in ("entity", "grade") else "---:" for h in headers) + "|"]
    lines += ["| " + " | ".join(_md(cell) for cell in _row_cells(c, columns)) + " |" for c in found.compared]
    lines.append("")
    lines += [f"{'  ' * ((len(line) - len(line.lstrip())) // 2)}- {_md(line.strip())}"
              for line in summary_lines(found, top=top)]
    if found.failed:
        lines.append("")
    for f in found.failed:
        lines.append(f"- row {f.number} {_md(f.entity)}: not compared, {_SIDES[f.side]}: "
                     + "; ".join(_md(d.message) for d in f.diagnostics[:5])
                     + (f"; … and {len(f.diagnostics) - 5} more" if len(f.diagnostics) > 5 else ""))
    return "\n".join(lines) + "\n"


def render_json(found: Impact, *, top: int = 5) -> str:
    return json.dumps(to_dict(found, top=top), ensure_ascii=False, indent=2) + "\n"
