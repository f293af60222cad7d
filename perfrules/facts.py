"""Facts: the inputs of one entity, read exactly and checked against a ruleset (PR5xx).

Files are YAML, JSON or TOML. Numbers are read as ``Decimal`` from their text, never
through a binary float; YAML keeps positions so a bad value is shown with a caret in
the facts file. ``read`` checks every value against its input's kind and range and
reports every problem at once, each naming the input and the indicators that need it.
"""

from __future__ import annotations

import json
import re
import tomllib
import unicodedata
from collections.abc import Iterator, Mapping
from decimal import Decimal, InvalidOperation
from pathlib import Path

from perfrules import model, nodes
from perfrules.diagnostics import Diagnostic, Diagnostics, did_you_mean
from perfrules.errors import FactsError
from perfrules.runtime import Missing, not_given
from perfrules.fmt import number_text
from perfrules.source import Source, Span

_FLAG_WORDS = {"yes": True, "true": True, "是": True, "y": True, "no": False, "false": False, "否": False, "n": False}
_THOUSANDS = re.compile(r"^-?\d{1,3}(,\d{3})+(\.\d+)?$")


class Facts(Mapping):
    """Input name → value as given, with where each key and value stands in its file."""

    def __init__(self, values: Mapping, *, spans: Mapping | None = None, source: Source | None = None) -> None:
        self._values = dict(values)
        self.spans: dict[str, tuple[Span | None, Span | None]] = dict(spans or {})
        self.source = source

    def __getitem__(self, key):
        return self._values[key]

    def __iter__(self) -> Iterator:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        return f"Facts({self._values!r})"


# ---- reading files -------------------------------------------------------------------------


def load_facts(path: str | Path) -> Facts:
    """Read a facts file: ``.yaml``/``.yml``, ``.json`` or ``.toml``.

    Raises:
        FactsError: the file cannot be read or is not a mapping of names to values.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise FactsError([_file_problem(f"cannot read the facts file {path}: {error}")]) from None
    return loads_facts(text, name=str(path), format=path.suffix.lstrip(".").lower())


def loads_facts(text: str, *, name: str = "<facts>", format: str = "yaml") -> Facts:
    """Read facts from text in ``format`` (yaml, yml, json or toml)."""
    source = Source(name, text)
    readers = {"yaml": _yaml, "yml": _yaml, "json": _json, "toml": _toml}
    if format not in readers:
        raise FactsError([_file_problem(f"facts must be YAML, JSON or TOML, not .{format} ({name})")])
    return readers[format](source)


def _file_problem(message: str, span: Span | None = None) -> Diagnostic:
    return Diagnostic("PR510", message, span)


def yaml_error_span(error, source: Source) -> Span | None:
    """Where a YAML syntax error is. PyYAML's problem mark can fall past the last line (an
    unclosed bracket is noticed at the end); the context mark then shows where it opened."""
    marks = [getattr(error, name, None) for name in ("problem_mark", "context_mark")]
    inside = [m for m in marks if m is not None and m.index < len(source.text.rstrip())]
    mark = inside[0] if inside else next((m for m in marks if m is not None), None)
    if mark is None:
        return None
    at = min(mark.index, max(0, len(source.text) - 1))
    return Span(source, at, at + 1)


def _yaml(source: Source) -> Facts:
    import yaml  # only for YAML files: `import perfrules` stays lighter without it

    try:
        root = yaml.compose(source.text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as error:
        span = yaml_error_span(error, source)
        raise FactsError([_file_problem(f"the facts file is not valid YAML: {getattr(error, 'problem', error)}",
                                        span)]) from None
    if root is None:
        return Facts({}, source=source)
    if not isinstance(root, yaml.MappingNode):
        span = Span(source, root.start_mark.index, root.end_mark.index)
        raise FactsError([_file_problem("facts must be a mapping of input names to values", span)])
    return from_yaml_mapping(root, source)


def from_yaml_mapping(root: yaml.MappingNode, source: Source) -> Facts:
    """Facts from a YAML mapping node of ``source``, read as a facts file is read. A cases
    file uses it for inline facts, so that their errors point into the cases file."""
    values, spans = {}, {}
    for key_node, value_node in root.value:
        key = str(key_node.value)
        values[key] = _yaml_value(value_node)
        spans[key] = (Span(source, key_node.start_mark.index, key_node.end_mark.index),
                      Span(source, value_node.start_mark.index, value_node.end_mark.index))
    return Facts(values, spans=spans, source=source)


def _yaml_value(node):
    import yaml

    if not isinstance(node, yaml.ScalarNode):
        return node  # a list or mapping: reported as ill-typed against the input's kind
    if node.tag.endswith((":int", ":float")):
        text = node.value.replace("_", "")
        try:
            return Decimal(text)
        except InvalidOperation:
            return text
    if node.tag.endswith(":bool"):
        return node.value.lower() in ("yes", "true", "on", "y")
    if node.tag.endswith(":null"):
        return None
    return node.value


def _json(source: Source) -> Facts:
    try:
        data = json.loads(source.text, parse_float=Decimal, parse_int=Decimal)
    except json.JSONDecodeError as error:
        span = Span(source, error.pos, error.pos + 1)
        raise FactsError([_file_problem(f"the facts file is not valid JSON: {error.msg}", span)]) from None
    return _mapping(data, source, lambda key: json.dumps(key, ensure_ascii=False))


def _toml(source: Source) -> Facts:
    try:
        data = tomllib.loads(source.text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as error:
        raise FactsError([_file_problem(f"the facts file is not valid TOML: {error}")]) from None
    return _mapping(data, source, lambda key: key)


def _mapping(data, source: Source, spelled) -> Facts:
    if not isinstance(data, dict):
        raise FactsError([_file_problem("facts must be a mapping of input names to values")])
    spans = {}
    for key in data:
        # JSON and TOML parsers keep no positions; the key's first spelling is close enough.
        at = source.text.find(spelled(key))
        spans[key] = (Span(source, at, at + len(spelled(key))) if at >= 0 else None, None)
    return Facts(data, spans=spans, source=source)


# ---- checking values against a ruleset -----------------------------------------------------


def read(ruleset: model.Ruleset, given: Mapping) -> tuple:
    """The value of every input slot, checked; None where a default will compute it.

    Raises:
        FactsError: every missing, unknown, ill-typed, negative or out-of-range value.
    """
    spans = given.spans if isinstance(given, Facts) else {}
    diagnostics = Diagnostics()
    slots = {slot.name: slot for slot in ruleset.inputs}
    for key in given:
        if key not in slots:
            key_span = spans.get(key, (None, None))[0]
            diagnostics.error("PR502", f"the facts give {key}, which is not an input of {ruleset.name}",
                              key_span, hint=did_you_mean(str(key), slots))
    # A value read before (a batch row, a re-read) may hold the left-out marker itself.
    present = {name for name in slots if given.get(name) is not None and not isinstance(given[name], Missing)}
    needed = _needed(ruleset, present)
    values = []
    for slot in ruleset.inputs:
        value_span = spans.get(slot.name, (None, None))[1]
        if slot.name not in present:
            if slot.name in needed and slot.default is None:
                diagnostics.error("PR501", f"the facts do not give {slot.name} ({kind_text(slot)}), "
                                           f"needed by {_users(slot)}", None,
                                  notes=(("declared here", slot.span),))
            # None lets a default compute the input; an input without one that no rule
            # needs this time gets a value that fails if anything should use it after all.
            values.append(None if slot.default is not None else not_given(slot.name))
            continue
        values.append(_value(slot, given[slot.name], value_span, diagnostics))
    if diagnostics.has_errors:
        raise FactsError(diagnostics.sorted())
    return tuple(values)


def _needed(ruleset: model.Ruleset, present: set[str]) -> set[str]:
    """Inputs the rules need: read by a rule, or by the default of a needed input that
    the facts leave out. An input used only to compute a given figure is not needed."""
    needed: set[str] = set()
    seen_lets: set[int] = set()

    def visit(expr) -> None:
        for ref in (n for n in nodes.walk(expr) if isinstance(n, nodes.Ref)):
            kind, index = ruleset.symbols[ref.name]
            if kind == "let":
                if index not in seen_lets:
                    seen_lets.add(index)
                    visit(ruleset.sites[index].expr)
            elif ref.name not in needed:
                needed.add(ref.name)
                slot = ruleset.inputs[index]
                if ref.name not in present and slot.default is not None:
                    visit(ruleset.sites[slot.default].expr)

    for site in ruleset.sites:
        if site.role not in ("let", "default"):
            visit(site.expr)
    return needed


def _value(slot: model.InputSlot, raw, span: Span | None, diagnostics: Diagnostics):
    if slot.kind == "flag":
        flag = _flag(raw)
        if flag is None:
            diagnostics.error("PR503", f"{slot.name} must be yes or no, got {_shown(raw)}; needed by {_users(slot)}",
                              span, hint="write yes/no, true/false or 是/否")
        return flag
    number = _number(raw, percent_allowed=slot.kind in ("percent", "ratio"))
    if number is None:
        diagnostics.error("PR503", f"{slot.name} must be {kind_text(slot)}, got {_shown(raw)}; "
                                   f"needed by {_users(slot)}", span, hint=_number_hint(slot))
        return None
    if slot.kind == "count" and number != number.to_integral_value():
        diagnostics.error("PR503", f"{slot.name} is a count and must be a whole number, got {_shown(raw)}; "
                                   f"needed by {_users(slot)}", span)
    elif slot.low is None and slot.kind != "number" and number < 0:
        diagnostics.error("PR504", f"{slot.name} cannot be negative, got {_as_declared(slot, number)}; "
                                   f"needed by {_users(slot)}",
                          span, hint="declare a range on the input if negative values are possible")
    elif (slot.low is not None and number < slot.low) or (slot.high is not None and number > slot.high):
        diagnostics.error("PR505", f"{slot.name} must be within {range_text(slot)}, "
                                   f"got {_as_declared(slot, number)}; needed by {_users(slot)}", span)
    return number


def _number(raw, *, percent_allowed: bool) -> Decimal | None:
    if isinstance(raw, bool) or raw is None:
        return None
    if isinstance(raw, Decimal):
        number = raw
    elif isinstance(raw, int):
        number = Decimal(raw)
    elif isinstance(raw, float):
        # repr is the shortest text that reads back as this float: what the caller wrote.
        number = Decimal(repr(raw))
    elif isinstance(raw, str):
        number = _number_text(raw, percent_allowed)
    else:
        return None
    return number if number is not None and number.is_finite() else None


def _number_text(raw: str, percent_allowed: bool) -> Decimal | None:
    text = unicodedata.normalize("NFKC", raw).strip().replace(" ", "")
    percent = text.endswith("%")
    if percent:
        if not percent_allowed:
            return None
        text = text[:-1]
    if _THOUSANDS.match(text):
        text = text.replace(",", "")
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    return number / 100 if percent else number


def _flag(raw) -> bool | None:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str):
        return _FLAG_WORDS.get(raw.strip().lower())
    return None


def kind_text(slot: model.InputSlot) -> str:
    return {
        "count": "a whole number",
        "amount": f"an amount in {slot.unit}" if slot.unit else "an amount",
        "percent": "a percent such as 12.42% or 0.1242",
        "ratio": "a ratio such as 12.42% or 0.1242",
        "flag": "yes or no",
        "judged": f"an assessor's score within {range_text(slot)}",
        "number": "a number",
    }[slot.kind]


def _number_hint(slot: model.InputSlot) -> str | None:
    if slot.kind in ("percent", "ratio"):
        return 'write the percent as "12.42%" or the ratio as 0.1242'
    return None


def range_text(slot: model.InputSlot) -> str:
    low = _as_declared(slot, slot.low) if slot.low is not None else ""
    high = _as_declared(slot, slot.high) if slot.high is not None else ""
    return f"{low}..{high}"


def _as_declared(slot: model.InputSlot, value: Decimal) -> str:
    return number_text(value, percent=slot.kind in ("percent", "ratio"))


def _users(slot: model.InputSlot) -> str:
    if not slot.used_by:
        return "no indicator"
    return "; ".join(" › ".join(path) for path in slot.used_by)


def _shown(raw) -> str:
    if type(raw).__module__.startswith("yaml"):  # a node of a YAML file; no need to import yaml
        return "a list or mapping"
    return repr(raw) if isinstance(raw, str) else str(raw)
