"""Entity tables: many entities' facts in one file, one entity per row.

A table is CSV (UTF-8, with or without a byte-order mark) or, when ``pyarrow`` is
importable, Parquet. Column names are input names; an optional ``entity`` (or ``id``)
column names each row's entity. This module only reads: it never parses a value. CSV
cells stay text, so ``7,341.03`` and ``12.42%`` reach the facts validator exactly as
typed and are read there as decimals, never through a binary float. An empty cell means
"not given" and is left out of the row's facts, so an input's ``default`` applies.

Each row's facts are a ``perfrules.Facts`` whose spans point at the row's cells, so a
bad value is shown with a caret under the cell it came from.

>>> rows = loads_table("entity,在编人数,编外人员数\\n商务局,127,18\\n贸促委,49,\\n")
>>> [(row.number, row.entity, dict(row.facts)) for row in rows]
[(1, '商务局', {'在编人数': '127', '编外人员数': '18'}), (2, '贸促委', {'在编人数': '49'})]
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import NamedTuple

from perfrules.diagnostics import Diagnostic
from perfrules.errors import FactsError
from perfrules.facts import Facts
from perfrules.source import Source, Span

__all__ = ["ENTITY_COLUMNS", "TABLE_SUFFIXES", "Row", "is_table", "load_table", "loads_table"]

ENTITY_COLUMNS = ("entity", "id")
"""Columns that name the entity instead of giving an input, in order of preference."""

TABLE_SUFFIXES = (".csv", ".parquet", ".pq")


class Row(NamedTuple):
    """One entity of a table: ``number`` counts entity rows from 1 (the header is not a
    row); ``entity`` is the entity column's cell, or ``"row N"`` when there is none;
    ``facts`` maps input names to the cells given, as read (text for CSV)."""

    number: int
    entity: str
    facts: Facts


def is_table(path: str | Path) -> bool:
    """Whether ``path`` names an entity table (by its suffix) rather than a facts file."""
    return Path(path).suffix.lower() in TABLE_SUFFIXES


def load_table(path: str | Path) -> list[Row]:
    """Read an entity table file, CSV or Parquet by its suffix.

    Raises:
        FactsError: the file cannot be read, is not a table, has no or duplicate
            column names, or rows with more cells than the header (PR520-PR522).
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in TABLE_SUFFIXES:
        raise _error("PR520", f"an entity table must be .csv or .parquet, not {path.name}")
    if suffix != ".csv":
        return _parquet(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise _error("PR520", f"cannot read the table {path}: {error}") from None
    return loads_table(text, name=str(path))


def loads_table(text: str, *, name: str = "<table>") -> list[Row]:
    """Read an entity table from CSV text (a leading byte-order mark is ignored).

    Raises:
        FactsError: as ``load_table``.
    """
    source = Source(name, text.removeprefix("\ufeff"))
    records = list(_records(source))
    while records and not any(cell.strip() for cell in records[0][0]):
        records.pop(0)  # blank lines above the header
    if not records:
        raise _error("PR520", f"the table {name} has no header row naming its columns")
    (header, header_start, _), body = records[0], records[1:]
    header = [cell.strip() for cell in header]
    _check_header(header, header_start, source, body)
    _check_widths(header, body, source)
    header_spans = _cell_spans(source, header_start, header)
    return [
        _row(number, header, header_spans, cells, _cell_spans(source, start, cells), source)
        for number, (cells, start, _) in enumerate((r for r in body if any(c.strip() for c in r[0])), start=1)
    ]


# ---- CSV --------------------------------------------------------------------------------------


def _records(source: Source):
    """(cells, start offset, end offset) of each CSV record; a quoted cell may span lines."""
    reader = csv.reader(io.StringIO(source.text, newline=""), strict=True)  # an open quote is an error
    line = 1
    try:
        for cells in reader:
            start, end = _line_start(source, line), _line_start(source, reader.line_num + 1)
            line = reader.line_num + 1
            yield cells, start, end
    except csv.Error as error:
        span = Span(source, source.offset(line, 1), source.offset(line, 1) + 1)
        raise _error("PR520", f"the table is not valid CSV: {error}", span) from None


def _line_start(source: Source, line: int) -> int:
    return source.offset(line, 1) if line <= source.text.count("\n") + 1 else len(source.text)


def _check_header(header: list[str], start: int, source: Source, body: list = ()) -> None:
    spans = _cell_spans(source, start, header)
    seen: dict[str, Span | None] = {}
    problems = []
    for i, (column, span) in enumerate(zip(header, spans, strict=True)):
        if not column:
            # Spreadsheets export trailing empty columns; only a column with values needs a name.
            if any(i < len(cells) and cells[i].strip() for cells, _, _ in body):
                problems.append(Diagnostic("PR521", f"column {i + 1} of the table has values but no name",
                                           Span(source, start, start + 1)))
        elif column in seen:
            problems.append(Diagnostic("PR521", f"the table has two columns named {column}", span,
                                       notes=(("the first is here", seen[column]),)))
        seen.setdefault(column, span)
    if problems:
        raise FactsError(problems)


def _check_widths(header: list[str], body: list, source: Source) -> None:
    problems = [
        Diagnostic("PR522", f"this row has {len(cells)} cells, the header names {len(header)} columns",
                   Span(source, start, max(start, end - 1)),
                   hint="a value holding a comma must be quoted (\"1,234.5\"), or the header lacks a column")
        for cells, start, end in body
        if len(cells) > len(header) and any(c.strip() for c in cells[len(header):])
    ]
    if problems:
        raise FactsError(problems)


def _cell_spans(source: Source, start: int, cells: list[str]) -> list[Span | None]:
    """Where each cell's text stands in the record, found left to right; None when a
    cell's text is not in the file as typed (a quote doubled inside it)."""
    spans, cursor = [], start
    for cell in cells:
        at = source.text.find(cell.strip(), cursor) if cell.strip() else -1
        if at < 0:
            spans.append(None)
            continue
        spans.append(Span(source, at, at + len(cell.strip())))
        cursor = at + len(cell.strip())
    return spans


def _row(number: int, header: list[str], header_spans: list, cells: list[str], spans: list,
         source: Source) -> Row:
    values, where, named = {}, {}, {}
    for i, column in enumerate(header):
        cell = cells[i].strip() if i < len(cells) else ""
        if column.lower() in ENTITY_COLUMNS:
            named[column.lower()] = cell
        elif cell:
            values[column] = cell
            where[column] = (header_spans[i], spans[i])
    return Row(number, _entity(named, number), Facts(values, spans=where, source=source))


def _entity(named: dict, number: int) -> str:
    return next((str(named[c]) for c in ENTITY_COLUMNS if _given(named.get(c))), f"row {number}")


# ---- Parquet ----------------------------------------------------------------------------------


def _parquet(path: Path) -> list[Row]:
    try:
        import pyarrow.parquet as parquet  # optional: only tables in Parquet need it
    except ImportError:
        raise _error("PR520", f"reading {path.name} needs pyarrow (pip install pyarrow), or save it as CSV") from None
    try:
        table = parquet.read_table(path)
    except (OSError, ValueError) as error:
        raise _error("PR520", f"cannot read the table {path}: {error}") from None
    columns = table.column_names
    _check_header(columns, 0, Source(str(path), ""))
    rows = []
    for number, record in enumerate(table.to_pylist(), start=1):
        # Decimal columns arrive as Decimal, whole numbers as int; a float column is read
        # by the validator from its shortest repr, the number the writer meant.
        values = {k: v for k, v in record.items() if k.lower() not in ENTITY_COLUMNS and _given(v)}
        named = {k.lower(): v for k, v in record.items() if k.lower() in ENTITY_COLUMNS}
        rows.append(Row(number, _entity(named, number), Facts(values, source=Source(str(path), ""))))
    return rows


def _given(value) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def _error(code: str, message: str, span: Span | None = None) -> FactsError:
    return FactsError([Diagnostic(code, message, span)])
