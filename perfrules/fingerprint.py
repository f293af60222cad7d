"""A fingerprint of a ruleset's meaning.

It hashes the ruleset's canonical text (``fmt_layout.format_tree``) with every unit on one
line and no comments. Layout, comments and spelling (``≥`` or ``>=``, ``1.0`` or ``1``)
never change it, because they never change the tree; the canonical text is a function of
the tree and parses back to it, so two rulesets share a fingerprint only when their trees
are equal. It depends on the language, not on how perfrules stores trees, so it survives
refactoring of the engine. Descriptions and criterion texts are part of the meaning a
policy team signs off, so they count.
"""

from __future__ import annotations

import hashlib

from perfrules import nodes
from perfrules.fmt_layout import format_tree


def fingerprint(tree: nodes.Ruleset) -> str:
    """The first 16 hex digits of the SHA-256 of the tree's canonical text.

    >>> from perfrules.parse import parse
    >>> a = parse('ruleset "r"\\nindicator a 1 = x >= 1.0  # a comment')
    >>> fingerprint(a) == fingerprint(parse('ruleset "r" indicator a 1 {score x≥1}'))
    True
    """
    return hashlib.sha256(canonical_text(tree).encode("utf-8")).hexdigest()[:16]


def canonical_text(tree: nodes.Ruleset) -> str:
    """What the fingerprint hashes: the canonical text, one unit a line, no comments."""
    return format_tree(tree, width=None)
