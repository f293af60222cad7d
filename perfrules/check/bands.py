"""Placeholder pass: filled in by the checker work."""

from __future__ import annotations

from perfrules import nodes
from perfrules.diagnostics import Diagnostics


def check_bands(tree: nodes.Ruleset, diagnostics: Diagnostics) -> None:
    return None
