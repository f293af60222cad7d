"""Renderers of a scored ``Result``: a terminal table, plain text, Markdown, JSON and the
full explanation of one node.

This module only presents. Every score, max, reason and step text comes from the result
tree (``perfrules.result``); nothing here scores, rounds or sums. Numbers are printed as
the tree holds them (``format(d, "f")``), so a table never disagrees with the JSON.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from decimal import Decimal

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from perfrules.result import Node, Result

# Wide enough for three levels of long Chinese names and a reason, so that a table
# piped to a file or a CI log does not fold every cell.
PIPE_WIDTH = 160

_LEVEL_NUMERALS = "一二三四五六七八九十"


def level_headers(depth: int) -> list[str]:
    """Headers of the level columns: 一级指标, 二级指标, … as the rubrics name them."""
    return [
        f"{_LEVEL_NUMERALS[i]}级指标" if i < len(_LEVEL_NUMERALS) else f"{i + 1}级指标"
        for i in range(depth)
    ]


def _number(value: Decimal) -> str:
    # "f" avoids exponents (Decimal("1E+1") → "10") and keeps the places the tree holds.
    return format(value, "f")


def _depth(result: Result) -> int:
    return max((len(n.path) for n in result.indicators()), default=1)


def _level_cells(path: tuple[str, ...], previous: tuple[str, ...], depth: int) -> list[str]:
    """The level columns of one row: a group's name only on the row where it starts,
    as the printed 评分表 merge a group's cells down its rows."""
    cells = []
    for level in range(depth):
        starts_here = level < len(path) and path[: level + 1] != previous[: level + 1]
        cells.append(path[level] if starts_here else "")
    return cells


def _rows(result: Result) -> Iterator[tuple[list[str], Node]]:
    depth, previous = _depth(result), ()
    for node in result.indicators():
        yield _level_cells(node.path, previous, depth), node
        previous = node.path


def _ruleset_line(result: Result) -> str:
    info = result.ruleset
    version = f" · version {info.version}" if info.version else ""
    return f"{info.name}{version} · fingerprint {info.fingerprint}"


def _grade_text(result: Result) -> str:
    return f"等级 {result.grade}" if result.grade else ""


# ---- terminal table ------------------------------------------------------------------------


def render_table(result: Result) -> Table:
    """The scoring table as a rich renderable, for ``Console.print``.

    Cells are ``Text`` objects, never markup strings, so a name holding ``[`` prints as is.
    """
    headers = level_headers(_depth(result))
    table = Table(
        box=box.SIMPLE, show_footer=True, header_style="bold",
        caption=_ruleset_line(result), caption_justify="left",
    )
    for i, header in enumerate(headers):
        table.add_column(header, footer=Text("总分" if i == 0 else "", style="bold"), overflow="fold")
    table.add_column("分值", footer=_number(result.max), justify="right", no_wrap=True)
    table.add_column("得分", footer=Text(_number(result.total), style="bold"), justify="right", no_wrap=True)
    table.add_column("说明", footer=Text(_grade_text(result), style="bold"), overflow="fold")
    for levels, node in _rows(result):
        cells = [Text(name, style="bold" if name and i < len(node.path) - 1 else "") for i, name in enumerate(levels)]
        table.add_row(*cells, _number(node.max), Text(_number(node.score), style="cyan"), Text(node.reason))
    return table


def render_text(result: Result, *, width: int | None = None) -> str:
    """The scoring table as plain text without colour, ``width`` cells wide at most
    (default ``PIPE_WIDTH``). East-Asian wide characters count as two cells."""
    buffer = io.StringIO()
    console = Console(
        file=buffer, width=width or PIPE_WIDTH, color_system=None, force_terminal=False,
        highlight=False, emoji=False, markup=False, legacy_windows=False,
    )
    console.print(render_table(result))
    # rich pads every line to the table's width; trailing blanks only upset diffs.
    return "\n".join(line.rstrip() for line in buffer.getvalue().splitlines()).strip("\n") + "\n"


# ---- Markdown and JSON ---------------------------------------------------------------------


def _md_cell(text: str) -> str:
    # A pipe would end the cell and a newline the row.
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _md_row(cells: list[str]) -> str:
    return "| " + " | ".join(_md_cell(c) for c in cells) + " |"


def render_markdown(result: Result) -> str:
    """The scoring table as a GitHub-flavoured Markdown table, then total, grade and ruleset."""
    headers = [*level_headers(_depth(result)), "分值", "得分", "说明"]
    lines = [_md_row(headers), "|" + "|".join("---:" if h in ("分值", "得分") else "---" for h in headers) + "|"]
    for levels, node in _rows(result):
        lines.append(_md_row([*levels, _number(node.max), _number(node.score), node.reason]))
    lines.append("")
    grade = f"，{_grade_text(result)}" if result.grade else ""
    lines.append(f"**总分 {_number(result.total)} / {_number(result.max)}**{_md_cell(grade)}")
    lines.append("")
    lines.append(_md_cell(_ruleset_line(result)))
    return "\n".join(lines) + "\n"


def render_json(result: Result) -> str:
    """``Result.to_dict`` as JSON; every number is a decimal string, names stay readable."""
    return json.dumps(result.to_dict(), ensure_ascii=False, indent=2) + "\n"


# ---- explanation of one node -------------------------------------------------------------


def render_explanation(result: Result, name: str) -> str:
    """The full reasoning for one group, indicator or part, for ``perfrules explain``.

    Args:
        result: A scored result.
        name: A node's name, or its path joined by ``/`` when the name is not unique.

    Returns:
        Plain text: the node's path, score and max, the inputs it read, its parts (or a
        group's members) explained the same way and indented, then its steps in order.

    Raises:
        KeyError: no node has that name, or several do.
    """
    lines: list[str] = []
    _explain(result.find(name), "", lines)
    return "\n".join(lines) + "\n"


def _explain(node: Node, indent: str, lines: list[str]) -> None:
    # Appends to one list: nested generators would pass every line through each level.
    inner = indent + "  "
    lines.append(f"{indent}{node.kind} {' / '.join(node.path) or _root_name(node)}")
    if node.description:
        lines.append(f"{inner}{node.description}")
    lines.append(f"{inner}score   {_number(node.score)} of {_number(node.max)}")
    _block(inner, "inputs", [f"{key} = {value}" for key, value in node.inputs], lines)
    _block(inner, "values", [f"{key} = {value}" for key, value in node.values], lines)
    for child in node.children:
        _explain(child, inner, lines)
    # Parts come before the steps: "parts add up to …" and what follows act on them.
    _block(inner, "steps", [f"{i}. {step.text()}" for i, step in enumerate(node.why, 1)], lines)


def _root_name(node: Node) -> str:
    """The root group has no name of its own; call it what it is."""
    return node.name or "(whole ruleset)"


def _block(indent: str, label: str, items: list[str], lines: list[str]) -> None:
    # "inputs  a = 1" then further lines aligned under the first value.
    for i, item in enumerate(items):
        lines.append(f"{indent}{label if i == 0 else '':<8}{item}")
