"""Commands beyond check, score, explain and build: one module per area.

Each module exports ``COMMANDS``, a list of click commands that ``perfrules.cli``
registers. Commands raise ``PerfrulesError`` for the user's mistakes and return an exit
code; the group in ``cli`` turns errors into messages and codes.
"""

AREAS = ("verify", "versions", "audit", "batch")
