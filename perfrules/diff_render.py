"""A ``Diff`` as text for a terminal, Markdown for a change log, or JSON for programs.

All three say the same things in the same order: which rulesets, whether any change
alters scores, the patterns found across changes, then the changes in three sections:
those that alter scores or grades (with where and by how much), those that change the
facts a ruleset needs, and those that alter no score (labels, texts, claims). A long
text that changed is shown as an inline diff around what changed.
"""

from __future__ import annotations

import difflib
import json

import attrs

from perfrules.diff import FACTS, SCORES, TEXT, Change, Diff
from perfrules.result import RulesetInfo

SECTIONS = (
    (SCORES, "Changes that alter scores or grades"),
    (FACTS, "Changes to the facts a ruleset needs or accepts"),
    (TEXT, "Changes that do not alter scores (labels, texts, definitions, claims)"),
)
_LONG = 40  # characters: longer texts are shown as an inline diff
_CONTEXT = 12  # unchanged characters kept on each side of a change


def verdict(diff: Diff) -> str:
    altering = len(diff.of_effect(SCORES))
    if not altering:
        return "No change alters scores: every set of facts scores the same under both versions."
    return f"{altering} change{'s' if altering > 1 else ''} may alter scores; each says where."


def where(change: Change) -> str:
    """``indicator 部门管理 › 人员管理 › 编外人员控制率``; a rename shows both names."""
    if change.what == "ruleset":
        return "ruleset"
    if change.aspect == "renamed":
        parent = " › ".join(change.path[:-1])
        return f"{change.what} {parent + ' › ' if parent else ''}{change.before} → {change.after}"
    return f"{change.what} {' › '.join(change.path)}"


def summary(change: Change) -> str:
    """The change on one line, for other reports (``perfrules impact`` names the rule
    changes behind a moved score with it).

    >>> from perfrules.diff_regions import Region
    >>> print(summary(Change("indicator", ("人员管理", "编外人员控制率"), "bands", SCORES, "…", "…",
    ...                      regions=(Region("编外人员控制率", "in (8%, 10%]", "0.5", "0"),))))
    bands of 人员管理 › 编外人员控制率: 编外人员控制率 in (8%, 10%]: 0.5 → 0
    """
    head = f"{change.aspect} of {' › '.join(change.path) or 'the ruleset'}"
    if change.regions:
        return f"{head}: " + "; ".join(r.text() for r in change.regions)
    if change.before is not None and change.after is not None and not _is_long(change):
        return f"{head}: {change.before} → {change.after}"
    return head


def inline_diff(before: str, after: str, *, deleted=("[-", "-]"), inserted=("{+", "+}")) -> str:
    """``before`` and ``after`` as one text with the changes marked, far context elided."""
    out = []
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    opcodes = matcher.get_opcodes()
    for index, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        if tag == "equal":
            out.append(_elide(before[i1:i2], first=index == 0, last=index == len(opcodes) - 1))
            continue
        if i2 > i1:
            out.append(deleted[0] + before[i1:i2] + deleted[1])
        if j2 > j1:
            out.append(inserted[0] + after[j1:j2] + inserted[1])
    return "".join(out)


def _elide(text: str, *, first: bool, last: bool) -> str:
    head = "" if first else text[:_CONTEXT]
    tail = "" if last else text[-_CONTEXT:]
    if len(text) <= len(head) + len(tail) + 1:
        return text
    return f"{head}…{tail}"


_PROSE = {"description", "criterion", "veto reason", "exemption reason", "name"}


def _is_long(change: Change) -> bool:
    """A long text that changed a little reads best as one text with the change marked."""
    if change.aspect not in _PROSE or change.before is None or change.after is None:
        return False
    similar = difflib.SequenceMatcher(None, change.before, change.after, autojunk=False).ratio() > 0.5
    return similar and max(len(change.before), len(change.after)) > _LONG


# ---- text -----------------------------------------------------------------------------------


def render_text(diff: Diff) -> str:
    lines = [f"old  {_info(diff.old)}", f"new  {_info(diff.new)}", "", verdict(diff)]
    if diff.remarks:
        lines += ["", *diff.remarks]
    for effect, title in SECTIONS:
        changes = diff.of_effect(effect)
        if changes:
            lines += ["", f"{title} ({len(changes)})"]
            for change in changes:
                lines += _text_change(change)
    return "\n".join(lines) + "\n"


def _info(info: RulesetInfo) -> str:
    version = f" · version {info.version}" if info.version else ""
    return f"{info.name}{version} · fingerprint {info.fingerprint}"


def _text_change(change: Change) -> list[str]:
    head = f"  {where(change)}"
    if change.aspect == "renamed":
        return [head + (f" ({change.note})" if change.note else "")]
    head += f": {change.aspect}"
    lines = [head + (f" ({change.note})" if change.note and change.effect == TEXT else "")]
    if _is_long(change):
        lines.append("    " + inline_diff(change.before, change.after))
    else:
        lines += [f"    {label:<7} {value}" for label, value in (("before", change.before), ("after", change.after))
                  if value is not None]
    lines += [f"    where   {region.text()}" for region in change.regions]
    if change.note and change.effect != TEXT:
        lines.append(f"    note    {change.note}")
    return lines


# ---- Markdown -------------------------------------------------------------------------------


def render_markdown(diff: Diff) -> str:
    lines = ["| | ruleset | version | fingerprint |", "|---|---|---|---|"]
    for label, info in (("old", diff.old), ("new", diff.new)):
        lines.append(f"| {label} | {_md(info.name)} | {_md(info.version or '')} | `{info.fingerprint}` |")
    lines += ["", f"**{_md(verdict(diff))}**"]
    if diff.remarks:
        lines += [""] + [f"- {_md(r)}" for r in diff.remarks]
    for effect, title in SECTIONS:
        changes = diff.of_effect(effect)
        if changes:
            lines += ["", f"### {title}", ""]
            for change in changes:
                lines += _md_change(change)
    return "\n".join(lines) + "\n"


def _md_change(change: Change) -> list[str]:
    head = f"- **{_md(where(change))}**"
    if change.aspect == "renamed":
        return [head + (f": {_md(change.note)}" if change.note else "")]
    lines = [head + f": {_md(change.aspect)}" + (f" ({_md(change.note)})" if change.note and change.effect == TEXT
                                                 else "")]
    if _is_long(change):
        marked = inline_diff(_md(change.before), _md(change.after), deleted=("<del>", "</del>"),
                             inserted=("<ins>", "</ins>"))
        lines.append(f"  {marked}")
    else:
        lines += [f"  - {label}: `{value}`" for label, value in (("before", change.before), ("after", change.after))
                  if value is not None]
    lines += [f"  - {_md(region.text())}" for region in change.regions]
    if change.note and change.effect != TEXT:
        lines.append(f"  - note: {_md(change.note)}")
    return lines


def _md(text: str) -> str:
    # Backticks in notes quote expressions; everything else that Markdown reads is escaped.
    for char in "\\*_~<":
        text = text.replace(char, "\\" + char)
    return text


# ---- JSON -----------------------------------------------------------------------------------


def to_dict(diff: Diff) -> dict:
    return {
        "old": attrs.asdict(diff.old),
        "new": attrs.asdict(diff.new),
        "alters_scores": diff.alters_scores,
        "remarks": list(diff.remarks),
        "changes": [_change_dict(c) for c in diff.changes],
        "matches": [{"what": m.what, "old_path": list(m.old_path), "new_path": list(m.new_path), "by": m.by}
                    for m in diff.matches],
    }


def _change_dict(change: Change) -> dict:
    data = {
        "what": change.what, "path": list(change.path), "aspect": change.aspect, "effect": change.effect,
        "before": change.before, "after": change.after, "note": change.note,
        "regions": [{"subject": r.subject, "where": r.where, "before": r.before, "after": r.after,
                     "text": r.text()} for r in change.regions],
        "affects": [list(p) for p in change.affects],
    }
    if change.old_path is not None:
        data["old_path"] = list(change.old_path)
    return data


def render_json(diff: Diff) -> str:
    return json.dumps(to_dict(diff), ensure_ascii=False, indent=2) + "\n"
