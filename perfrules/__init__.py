"""perfrules: scoring rubrics as text, compiled to fast, exact, explainable evaluators.

>>> import perfrules
>>> ruleset = perfrules.loads('''
... ruleset "demo" version "1"
... input 比率: percent
... indicator 控制率 1 { tiers 比率: < 5% → 1; 5%..10% → 0.5; > 10% → 0 }
... ''')
>>> result = ruleset.evaluate({"比率": "7.5%"})
>>> str(result.total), result.find("控制率").reason
('0.50', '比率 = 7.5%, band 5%..10% → 0.5')
"""

from perfrules.build import Ruleset, build, load, loads
from perfrules.check import check
from perfrules.diagnostics import Diagnostic
from perfrules.errors import (
    CheckError,
    EvaluationError,
    FactsError,
    InternalError,
    ParseError,
    PerfrulesError,
)
from perfrules.facts import Facts, load_facts
from perfrules.parse import parse
from perfrules.result import Node, Result
from perfrules.source import Source, Span

__version__ = "0.1.0"

__all__ = [
    "CheckError",
    "Diagnostic",
    "EvaluationError",
    "Facts",
    "FactsError",
    "InternalError",
    "Node",
    "ParseError",
    "PerfrulesError",
    "Result",
    "Ruleset",
    "Source",
    "Span",
    "build",
    "check",
    "load",
    "load_facts",
    "loads",
    "parse",
]
