"""Checked model → Python source of an ``observe(x)`` function, and its verification.

The ruleset is untrusted text, so this module never sees it: it reads the checked model
only. Names become numbered variables (``i3`` for input slot 3, ``l7`` for the let at
site 7); numbers become module-level constants written as ``D('0.05')`` from the
``Decimal`` value; the only strings emitted are rounding-mode names from a fixed table.
``verify`` then walks the generated code against an allow-list before it is compiled,
to catch our own bugs; it is not a sandbox and does not need to be one.
"""

from __future__ import annotations

import ast
from decimal import Decimal

from perfrules import model, nodes, runtime
from perfrules.errors import InternalError
from perfrules.diagnostics import Diagnostic

_OPERATORS = {"+": "+", "-": "-", "*": "*", "<": "<", "<=": "<=", ">": ">", ">=": ">=", "=": "==", "!=": "!="}
_FUNCTIONS = {"min": "min_", "max": "max_", "mean": "mean", "sum": "sum_", "abs": "abs_"}


def generate(ruleset: model.Ruleset) -> str:
    """Python source defining ``observe(x)``, which returns the list of site values."""
    return _Generator(ruleset).source()


class _Generator:
    def __init__(self, ruleset: model.Ruleset) -> None:
        self.ruleset = ruleset
        self.constants: dict[tuple, str] = {}
        self.names = {name: (f"i{index}" if kind == "input" else f"l{index}")
                      for name, (kind, index) in ruleset.symbols.items()}

    def source(self) -> str:
        body = [f"    o = [None] * {len(self.ruleset.sites)}"]
        body += [f"    i{slot.index} = x[{slot.index}]" for slot in self.ruleset.inputs]
        for site in self.ruleset.sites:
            body += self._site(site)
        body.append("    return o")
        # Constants are created once, when the module runs, from their Decimal values.
        head = [f"{name} = D({text!r})" for (_, text), name in self.constants.items()]
        return "\n".join(head + ["", "", "def observe(x):"] + body) + "\n"

    def _site(self, site: model.Site) -> list[str]:
        ids = {id(d): n for n, d in enumerate(model.divisions(site.expr))}
        expr = self._expr(site.expr, site.index, ids)
        if site.role == "let":
            target = f"o[{site.index}] = l{site.index}"
        elif site.role == "default":
            target = f"o[{site.index}] = {self.names[site.owner[0]]}"
        else:
            target = f"o[{site.index}]"
        lines = [f"    # site {site.index}: {site.role}"]
        if site.role == "default":
            variable = self.names[site.owner[0]]
            return lines + [
                f"    if {variable} is None:",
                "        try:",
                f"            {variable} = {expr}",
                "        except rt.ZeroDenominator as error:",
                f"            {variable} = rt.Zero(error)",
                f"    o[{site.index}] = {variable}",
            ]
        return lines + [
            "    try:",
            f"        {target} = {expr}",
            "    except rt.ZeroDenominator as error:",
            f"        {target} = rt.Zero(error)",
        ]

    def _constant(self, value: Decimal) -> str:
        key = (value, str(value))  # Decimal('1') == Decimal('1.0'); keep each as written
        if key not in self.constants:
            self.constants[key] = f"c{len(self.constants)}"
        return self.constants[key]

    def _expr(self, expr: nodes.Expr, site: int, ids: dict) -> str:
        def emit(e: nodes.Expr) -> str:
            match e:
                case nodes.Number(value=value):
                    return self._constant(value)
                case nodes.Flag(value=value):
                    return "True" if value else "False"
                case nodes.Ref(name=name):
                    return self.names[name]
                case nodes.Negate(operand=operand):
                    return f"(-{emit(operand)})"
                case nodes.Not(operand=operand):
                    return f"(not {emit(operand)})"
                case nodes.Logical(op=op, left=left, right=right):
                    return f"({emit(left)} {'and' if op == 'and' else 'or'} {emit(right)})"
                case nodes.Binary(op="/", left=left, right=right):
                    return f"rt.div({emit(left)}, {emit(right)}, {site:d}, {ids[id(e)]:d})"
                case nodes.Binary(op=op, left=left, right=right) | nodes.Compare(op=op, left=left, right=right):
                    return f"({emit(left)} {_OPERATORS[op]} {emit(right)})"
                case nodes.Call(function=function, args=args):
                    return f"rt.{_FUNCTIONS[function]}({', '.join(emit(a) for a in args)})"
                case nodes.Round(operand=operand, places=places, mode=mode):
                    mode = mode or self.ruleset.rounding.mode
                    if mode not in runtime.ROUNDING_MODES:
                        raise ValueError(mode)
                    return f"rt.round_({emit(operand)}, {int(places):d}, {mode!r})"
            raise TypeError(f"no emitter for {type(e).__name__}")

        return emit(expr)


# ---- verification ------------------------------------------------------------------------

_ALLOWED_NODES = (
    ast.Module, ast.FunctionDef, ast.arguments, ast.arg, ast.Assign, ast.Return, ast.If, ast.Try,
    ast.ExceptHandler, ast.Expr, ast.Call, ast.Name, ast.Attribute, ast.Constant, ast.Subscript,
    ast.List, ast.BinOp, ast.UnaryOp, ast.BoolOp, ast.Compare, ast.Load, ast.Store,
    ast.Add, ast.Sub, ast.Mult, ast.USub, ast.Not, ast.And, ast.Or, ast.Is, ast.IsNot,
    ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.Eq, ast.NotEq,
)
_NAME_PREFIXES = ("i", "l", "c")
_FIXED_NAMES = {"observe", "x", "o", "D", "rt", "error", "None", "True", "False"}


def verify(source: str) -> None:
    """Walk the generated code against an allow-list; raise InternalError on anything else.

    Only our own bugs can trip this: ruleset text never reaches the code.
    """
    for node in ast.walk(ast.parse(source)):
        problem = _problem(node)
        if problem:
            raise InternalError([Diagnostic("PR901", f"generated code failed verification: {problem}; "
                                                     "this is a bug in perfrules, please report it")])


def _problem(node: ast.AST) -> str | None:
    if not isinstance(node, _ALLOWED_NODES):
        return f"{type(node).__name__} is not allowed"
    if isinstance(node, ast.Name) and not _is_allowed_name(node.id):
        return f"the name {node.id!r} is not allowed"
    if isinstance(node, ast.Attribute):
        if not (isinstance(node.value, ast.Name) and node.value.id == "rt" and node.attr in runtime.__all__):
            return f"the attribute {node.attr!r} is not allowed"
    if isinstance(node, ast.ExceptHandler) and ast.unparse(node.type) != "rt.ZeroDenominator":
        return "an unexpected exception handler"
    if isinstance(node, ast.Constant) and not isinstance(node.value, (int, str, bool, type(None))):
        return f"the constant {node.value!r} is not allowed"
    return None


def _is_allowed_name(name: str) -> bool:
    if name in _FIXED_NAMES:
        return True
    return name[:1] in _NAME_PREFIXES and name[1:].isdigit() and name[1:].isascii()
