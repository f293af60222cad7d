"""The Hypothesis strategies now live in ``perfrules.testing``; this re-export keeps the
suite's imports (``from tests import strategies``) working."""

from perfrules.testing import (  # noqa: F401 - re-exported
    CUTS,
    DECLARATIONS,
    EDGE_STEP,
    MODES,
    RATIO_LEAVES,
    SUBJECTS,
    bands,
    bodies,
    conditions,
    edges,
    facts_for,
    points,
    ratios,
    ruleset_texts,
    rulesets,
)
