"""Scoring many entities at once: ``Ruleset.evaluate_many``.

Rows come as an iterable of mappings, a pandas or Polars DataFrame, or an Arrow table,
and the result has the same shape. Every row is either scored or reported: a row whose
facts are wrong (or that meets an unanswered zero denominator) comes back with its error
in place, never dropped and never stopping the others.

Frames are read column by column, exactly: a ``Decimal`` column as is, integers and
booleans as Python ``int`` and ``bool``, text through ``facts.read`` as any facts, and a
float column through ``repr`` (the shortest text that reads back as the float, which is
what ``facts.read`` does with one float), never through binary arithmetic. A null or NaN
cell is a missing value. pandas, Polars and pyarrow are imported only when such an
object is passed: a frame is recognised by the module its type comes from.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from decimal import Decimal

from perfrules.diagnostics import Diagnostic, did_you_mean
from perfrules.errors import FactsError, PerfrulesError

_FRAMES = {("pandas", "DataFrame"), ("polars", "DataFrame"), ("pyarrow", "Table")}
_RESERVED = ("total", "grade", "error", "explanation")


def evaluate_many(ruleset, rows, *, explain: bool = False, keep: Sequence[str] = ()):
    """Score every row.

    Args:
        ruleset: the compiled ``perfrules.Ruleset``.
        rows: an iterable of mappings (input name → value), or a pandas DataFrame, a
            Polars DataFrame or a pyarrow Table with one column per input.
        explain: build the full explained ``Result`` of each row (slower) instead of its
            ``Scores``; in a frame, an ``explanation`` column holds it as JSON text.
        keep: frame columns that are not inputs (an id, a name) to copy to the output.

    Returns:
        For an iterable, a list with one item per row: its ``Scores`` (or ``Result``), or
        the ``FactsError``/``EvaluationError`` that row raised. For a frame, a frame of the
        same library and length (pandas keeps the index): the kept columns, one column
        per indicator named by its path (``部门决策/预算编制/预算编制合理性``) holding exact
        decimals, ``total``, ``grade``, and ``error`` (null when the row was scored).

    Raises:
        FactsError: a frame column that is neither an input nor kept (every such column
            is named); nothing is scored then.
    """
    library = _library(rows)
    if library is None:
        if keep:
            raise TypeError("keep= applies to frames only; a mapping keeps nothing but inputs")
        return [_one(ruleset, row, explain) for row in rows]
    columns = _columns(library, rows)
    _check_columns(ruleset, columns, keep)
    length = _length(library, rows)
    outcomes = _score_columns(ruleset, columns, length, explain)
    return _frame(library, rows, ruleset, outcomes, {name: columns[name] for name in keep}, explain)


def _library(rows) -> str | None:
    cls = type(rows)
    library = cls.__module__.split(".")[0]
    return library if (library, cls.__name__) in _FRAMES else None


def _one(ruleset, row, explain: bool):
    try:
        return ruleset.evaluate(row) if explain else ruleset.score(row)
    except PerfrulesError as error:
        return error


# ---- reading frames ------------------------------------------------------------------------


def _columns(library: str, frame) -> dict[str, list]:
    if library == "pandas":
        return {str(name): _exact(frame[name].tolist()) for name in frame.columns}
    if library == "polars":
        return {name: _exact(frame.get_column(name).to_list()) for name in frame.columns}
    return {name: _arrow_column(frame.column(name)) for name in frame.column_names}


def _arrow_column(column) -> list:
    import pyarrow

    if pyarrow.types.is_decimal(column.type):
        # Arrow makes a Decimal from its text twice as fast through a string column.
        return [None if text is None else Decimal(text) for text in column.cast(pyarrow.string()).to_pylist()]
    return _exact(column.to_pylist())


_SAFE = {type(None), bool, int, str, Decimal}


def _exact(column: list) -> list:
    if set(map(type, column)) <= _SAFE:  # a Decimal, integer, boolean or text column: as it is
        return column
    return [_cell(v) for v in column]


def _length(library: str, frame) -> int:
    return frame.num_rows if library == "pyarrow" else len(frame)


def _cell(value):
    """A cell as facts.read takes it: exact numbers, None for null and NaN."""
    if value is None or isinstance(value, (bool, int, str, Decimal)):
        return value
    if type(value).__module__ == "numpy":  # a NumPy scalar in an object column
        return _cell(value.item())
    if isinstance(value, float):
        # repr is the shortest text that reads back as this float: what the user wrote.
        return None if math.isnan(value) else Decimal(repr(value))
    if _is_missing(value):
        return None
    return value  # facts.read says what is wrong with it


def _is_missing(value) -> bool:
    # pandas.NA and pandas.NaT, without importing pandas
    return type(value).__name__ in ("NAType", "NaTType")


def _check_columns(ruleset, columns: dict[str, list], keep: Sequence[str]) -> None:
    inputs = {slot.name for slot in ruleset.model.inputs}
    problems = [
        Diagnostic("PR502", f"the frame has a column {name}, which is not an input of {ruleset.name}; "
                            "drop it, or pass keep=[...] to copy it to the output",
                   None, hint=did_you_mean(name, inputs))
        for name in columns if name not in inputs and name not in keep
    ]
    problems += [Diagnostic("PR502", f"keep names {name}, which is not a column of the frame", None)
                 for name in keep if name not in columns]
    outputs = set(_RESERVED) | {"/".join(ruleset.layout.paths[i]) for i in ruleset.layout.indicator_positions}
    problems += [Diagnostic("PR502", f"the kept column {name} has the name of an output column; rename it", None)
                 for name in keep if name in outputs]
    if problems:
        raise FactsError(problems)


def _score_columns(ruleset, columns: dict[str, list], length: int, explain: bool) -> list:
    slots = ruleset.model.inputs
    missing = [None] * length
    values = [columns.get(slot.name, missing) for slot in slots]
    rows = zip(*values) if values else (() for _ in range(length))
    outcomes = []
    for row in rows:
        try:
            inputs = ruleset.read_row(row)
            outcomes.append(ruleset.evaluate_inputs(inputs) if explain else ruleset.score_inputs(inputs))
        except PerfrulesError as error:
            outcomes.append(error)
    return outcomes


# ---- writing frames ------------------------------------------------------------------------


def _frame(library: str, frame, ruleset, outcomes: list, kept: dict[str, list], explain: bool):
    layout = ruleset.layout
    names = ["/".join(layout.paths[i]) for i in layout.indicator_positions]
    scores = {name: [] for name in names}
    totals, grades, errors, explanations = [], [], [], []
    for outcome in outcomes:
        if isinstance(outcome, PerfrulesError):
            for column in scores.values():
                column.append(None)
            totals.append(None), grades.append(None), explanations.append(None)
            errors.append(_error_text(outcome))
            continue
        if explain:
            explanations.append(json.dumps(outcome.to_dict(), ensure_ascii=False))
            found = {n.path: n.score for n in outcome.indicators()}
            row = [found[layout.paths[i]] for i in layout.indicator_positions]
        else:
            row = [outcome.values[i] for i in layout.indicator_positions]
        for name, value in zip(names, row):
            scores[name].append(value)
        totals.append(outcome.total), grades.append(outcome.grade), errors.append(None)
    places = [layout.places[i] for i in layout.indicator_positions] + [layout.places[0]]
    decimals = {name: (values, scale) for (name, values), scale in zip({**scores, "total": totals}.items(), places)}
    texts = {"grade": grades, "error": errors, **({"explanation": explanations} if explain else {})}
    return _WRITERS[library](frame, kept, decimals, texts)


def _error_text(error: PerfrulesError) -> str:
    return "; ".join(f"{d.code}: {d.message}" for d in error.diagnostics)


def _pandas(frame, kept, decimals, texts):
    import pandas

    data = {**kept, **{name: values for name, (values, _) in decimals.items()}, **texts}
    return pandas.DataFrame({name: pandas.Series(values, index=frame.index, dtype=object)
                             for name, values in data.items()}, index=frame.index)


def _polars(frame, kept, decimals, texts):
    import polars

    try:
        import pyarrow
    except ImportError:  # Polars alone: its Decimal columns need the exact scale up front
        columns = [polars.Series(name, values, dtype=polars.Decimal(38, _exact_scale(values)))
                   for name, (values, _) in decimals.items()]
    else:  # through Arrow, which refuses to drop a digit
        columns = [polars.from_arrow(_decimal_array(pyarrow, values, scale)).alias(name)
                   for name, (values, scale) in decimals.items()]
    columns = [frame.get_column(name) for name in kept] + columns
    columns += [polars.Series(name, values, dtype=polars.String) for name, values in texts.items()]
    return polars.DataFrame(columns)


def _arrow(frame, kept, decimals, texts):
    import pyarrow

    columns = {name: frame.column(name) for name in kept}
    columns |= {name: _decimal_array(pyarrow, values, scale) for name, (values, scale) in decimals.items()}
    columns |= {name: pyarrow.array(values, type=pyarrow.string()) for name, values in texts.items()}
    return pyarrow.table(columns)


def _decimal_array(pyarrow, values: list, scale: int | None):
    """Exact decimals in Arrow: at the scale the rounding gives when it holds every
    value (Arrow raises rather than drop a digit), else at the scale the values need."""
    if scale is not None:
        try:
            return pyarrow.array(values, type=pyarrow.decimal128(38, scale))
        except pyarrow.ArrowInvalid:
            pass
    return pyarrow.array(values, type=pyarrow.decimal128(38, _exact_scale(values)))


def _exact_scale(values: list) -> int:
    return max([0, *(-v.as_tuple().exponent for v in values if v is not None)])


_WRITERS = {"pandas": _pandas, "polars": _polars, "pyarrow": _arrow}
