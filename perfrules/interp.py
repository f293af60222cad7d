"""The reference interpreter: evaluates every site by walking its expression.

Readable and slow on purpose: it is the oracle the generated code is tested against.
It calls the same ``runtime`` helpers, in the same order, with the same division ids.
"""

from __future__ import annotations

import decimal

from perfrules import model, nodes, runtime

_ARITHMETIC = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
}
_COMPARE = {
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "=": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
}
_FUNCTIONS = {
    "min": runtime.min_,
    "max": runtime.max_,
    "mean": runtime.mean,
    "sum": runtime.sum_,
    "abs": runtime.abs_,
}


def observe(ruleset: model.Ruleset, inputs: tuple) -> list:
    """The value of every site, in order; a ``runtime.Missing`` where a denominator was 0."""
    env: dict[str, object] = {slot.name: inputs[slot.index] for slot in ruleset.inputs}
    values: list = []
    with decimal.localcontext(runtime.CONTEXT):
        for site in ruleset.sites:
            name = site.owner[0]
            if site.role == "default" and env[name] is not None:
                values.append(env[name])
                continue
            value = _site_value(site, env, ruleset.rounding.mode)
            values.append(value)
            if site.role in ("let", "default"):
                env[name] = value
    return values


def _site_value(site: model.Site, env, default_mode: str):
    ids = {id(d): n for n, d in enumerate(model.divisions(site.expr))}
    try:
        return _Evaluator(env, ids, site.index, default_mode).eval(site.expr)
    except runtime.Unavailable as error:
        return runtime.Missing(error)


class _Evaluator:
    def __init__(self, env, division_ids, site: int, default_mode: str) -> None:
        self.env = env
        self.division_ids = division_ids
        self.site = site
        self.default_mode = default_mode

    def eval(self, expr: nodes.Expr):
        match expr:
            case nodes.Number(value=value) | nodes.Flag(value=value):
                return value
            case nodes.Ref(name=name):
                return self.env[name]
            case nodes.Negate(operand=operand):
                return -self.eval(operand)
            case nodes.Not(operand=operand):
                return not self.eval(operand)
            case nodes.Logical(op="and", left=left, right=right):
                return self.eval(left) and self.eval(right)
            case nodes.Logical(op="or", left=left, right=right):
                return self.eval(left) or self.eval(right)
            case nodes.Binary(op="/", left=left, right=right):
                ordinal = self.division_ids[id(expr)]
                return runtime.div(self.eval(left), self.eval(right), self.site, ordinal)
            case nodes.Binary(op=op, left=left, right=right):
                return _ARITHMETIC[op](self.eval(left), self.eval(right))
            case nodes.Compare(op=op, left=left, right=right):
                return _COMPARE[op](self.eval(left), self.eval(right))
            case nodes.Call(function=function, args=args):
                return _FUNCTIONS[function](*(self.eval(a) for a in args))
            case nodes.Round(operand=operand, places=places, mode=mode):
                return runtime.round_(self.eval(operand), places, mode or self.default_mode)
        raise TypeError(f"not an expression: {expr!r}")
