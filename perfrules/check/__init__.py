"""Checking: syntax tree → checked model, or every problem found, at once.

Each pass is a plain function in its own module, named after it, that reads the syntax
tree and adds diagnostics to one bag. ``PASSES`` lists them in order. The last two prove
things about a ruleset that is otherwise correct: ``reach`` warns about what can never
matter (by the score bounds of ``bounds``), ``monotone`` proves or refutes `rises with` and
`falls with` claims; both stay quiet while earlier passes report errors. When no pass found
an error, ``resolve`` builds the frozen model the back ends evaluate.
"""

from __future__ import annotations

from perfrules import model, nodes
from perfrules.check.bands import check_bands
from perfrules.check.kinds import check_kinds
from perfrules.check.names import check_names
from perfrules.check.monotone import check_monotone
from perfrules.check.points import check_points
from perfrules.check.reach import check_reach
from perfrules.check.resolve import resolve
from perfrules.check.structure import check_structure
from perfrules.diagnostics import Diagnostics
from perfrules.errors import CheckError

PASSES = (check_structure, check_names, check_kinds, check_bands, check_points, check_reach,
          check_monotone)


def check(tree: nodes.Ruleset) -> model.Ruleset:
    """Check a syntax tree and build its model.

    Args:
        tree: A ruleset from ``perfrules.parse``.

    Returns:
        The checked model; its ``warnings`` hold diagnostics that did not stop it.

    Raises:
        CheckError: with every error (and warning) that the passes found.
    """
    diagnostics = Diagnostics()
    for check_pass in PASSES:
        check_pass(tree, diagnostics)
    if diagnostics.has_errors:
        raise CheckError(diagnostics.sorted())
    return resolve(tree, warnings=diagnostics.sorted())
