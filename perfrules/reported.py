"""What a report printed: indicator scores, the total, the grade and intermediate figures.

A *reported* file is YAML::

    indicators:              # name, or path suffix a/b, of an indicator, part or group
      预算执行率: 5.73
    total: 94.54
    grade: 优
    figures:                 # name of a let or an input of the ruleset
      第二季度分季执行率: "115.82%"

This module reads the file and keeps every printed value as the text the report shows,
with its position, so ``audit`` can compare at the printed precision and point at the
line. It never looks at a ruleset or facts; ``audit`` resolves the names.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation
from pathlib import Path

import attrs
import yaml

from perfrules.diagnostics import Diagnostic, did_you_mean
from perfrules.errors import PerfrulesError
from perfrules.facts import yaml_error_span
from perfrules.source import Source, Span

_SECTIONS = ("indicators", "total", "grade", "figures")
_THOUSANDS = re.compile(r"^-?\d{1,3}(,\d{3})+(\.\d+)?$")


class ReportedError(PerfrulesError):
    """The reported file cannot be read, or names what the ruleset does not have (PR53x)."""


@attrs.frozen
class Printed:
    """One printed value: the name it is printed under and the text as printed."""

    name: str
    text: str
    span: Span | None = attrs.field(default=None, eq=False, repr=False)
    name_span: Span | None = attrs.field(default=None, eq=False, repr=False)


@attrs.frozen
class Number:
    """A printed number: its value, how many decimals it shows, and whether it is a percent
    (then ``value`` is the fraction, 0.1582 for 15.82%, and ``places`` counts the percent's)."""

    value: Decimal
    places: int
    is_percent: bool


@attrs.frozen
class Reported:
    indicators: tuple[Printed, ...]
    total: Printed | None
    grade: Printed | None
    figures: tuple[Printed, ...]
    source: Source = attrs.field(eq=False, repr=False)


def load_reported(path: str | Path) -> Reported:
    """Read a reported file (YAML).

    Raises:
        ReportedError: the file cannot be read or is not in the shape above (PR530).
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise ReportedError([Diagnostic("PR530", f"cannot read the reported file {path}: {error}")]) from None
    return loads_reported(text, name=str(path))


def loads_reported(text: str, *, name: str = "<reported>") -> Reported:
    """Read reported figures from YAML text; see ``load_reported``."""
    source = Source(name, text)
    root = _compose(source)
    problems: list[Diagnostic] = []
    sections = _sections(root, source, problems)
    reported = Reported(
        indicators=_entries(sections.get("indicators"), "indicators", source, problems),
        total=_scalar(sections.get("total"), "total", source, problems),
        grade=_scalar(sections.get("grade"), "grade", source, problems),
        figures=_entries(sections.get("figures"), "figures", source, problems),
        source=source,
    )
    if problems:
        raise ReportedError(problems)
    return reported


def parse_number(text: str) -> Number | None:
    """A printed number, read exactly: ``"115.82%"``, ``"5.73"``, ``"7,341.03"``, ``"93. 14%"``.

    Spaces are dropped (PDF extraction puts them after points and commas) and full-width
    digits are folded. Returns None when the text is not a number.

    >>> parse_number("115.82%")
    Number(value=Decimal('1.1582'), places=2, is_percent=True)
    """
    folded = unicodedata.normalize("NFKC", text).strip().replace(" ", "")
    is_percent = folded.endswith("%")
    digits = folded.removesuffix("%")
    if _THOUSANDS.match(digits):
        digits = digits.replace(",", "")
    try:
        value = Decimal(digits)
    except InvalidOperation:
        return None
    if not value.is_finite():
        return None
    places = max(0, -value.as_tuple().exponent)
    return Number(value / 100 if is_percent else value, places, is_percent)


# ---- reading the YAML -------------------------------------------------------------------------


def _compose(source: Source):
    try:
        return yaml.compose(source.text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as error:
        span = yaml_error_span(error, source)
        message = f"the reported file is not valid YAML: {getattr(error, 'problem', error)}"
        raise ReportedError([Diagnostic("PR530", message, span)]) from None


def _span(node, source: Source) -> Span:
    return Span(source, node.start_mark.index, max(node.start_mark.index + 1, node.end_mark.index))


def _sections(root, source: Source, problems: list) -> dict:
    if root is None:
        problems.append(Diagnostic("PR530", "the reported file is empty; give indicators, total, grade or figures"))
        return {}
    if not isinstance(root, yaml.MappingNode):
        problems.append(Diagnostic("PR530", "the reported file must be a mapping with indicators, total, grade "
                                            "and figures", _span(root, source)))
        return {}
    sections = {}
    for key, value in root.value:
        if key.value not in _SECTIONS:
            problems.append(Diagnostic("PR530", f"the reported file has a section {key.value}; it may have "
                                                f"{', '.join(_SECTIONS)}", _span(key, source),
                                       hint=did_you_mean(str(key.value), _SECTIONS)))
        sections[key.value] = (key, value)
    return sections


def _entries(section, label: str, source: Source, problems: list) -> tuple[Printed, ...]:
    if section is None:
        return ()
    key, node = section
    if isinstance(node, yaml.ScalarNode) and node.tag.endswith(":null"):
        return ()
    if not isinstance(node, yaml.MappingNode):
        problems.append(Diagnostic("PR530", f"{label} must be a mapping of names to printed values",
                                   _span(node, source)))
        return ()
    entries = []
    for name_node, value_node in node.value:
        if not isinstance(value_node, yaml.ScalarNode) or value_node.tag.endswith(":null"):
            problems.append(Diagnostic("PR530", f"{label}: {name_node.value} must be one printed value",
                                       _span(value_node, source)))
            continue
        entries.append(Printed(str(name_node.value), value_node.value, _span(value_node, source),
                               _span(name_node, source)))
    return tuple(entries)


def _scalar(section, label: str, source: Source, problems: list) -> Printed | None:
    if section is None:
        return None
    key, node = section
    if not isinstance(node, yaml.ScalarNode) or node.tag.endswith(":null"):
        problems.append(Diagnostic("PR530", f"{label} must be one printed value", _span(node, source)))
        return None
    return Printed(label, node.value, _span(node, source), _span(key, source))
