"""A fingerprint of a ruleset's meaning.

It hashes the syntax tree without spans, so layout and comments never change it, and
with numbers normalised (``1`` and ``1.0`` are the same points). Descriptions and
criterion texts are part of the meaning a policy team signs off, so they count.
"""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal

import attrs

from perfrules import nodes


def fingerprint(tree: nodes.Ruleset) -> str:
    """The first 16 hex digits of the SHA-256 of the tree's canonical JSON."""
    canonical = json.dumps(_plain(tree), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


def _plain(value):
    if attrs.has(type(value)):
        fields = {f.name: _plain(getattr(value, f.name)) for f in attrs.fields(type(value)) if f.eq}
        return {"@": type(value).__name__, **fields}
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    if isinstance(value, Decimal):
        return str(value.normalize()) if value else "0"
    return value
