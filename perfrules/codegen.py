"""Checked model → Python source of an ``observe(x)`` function, and its verification.

The ruleset is untrusted text, so this module never sees it: it reads the checked model
only. Names become numbered variables (``i3`` for input slot 3, ``l7`` for the let at
site 7); numbers become module-level constants written as ``D('0.05')`` from the
``Decimal`` value; the only strings emitted are rounding-mode names from a fixed table.
``verify`` then walks the generated code against an allow-list before it is compiled,
to catch our own bugs; it is not a sandbox and does not need to be one.

``Emitter`` writes expressions and sites; ``codegen_score`` reuses it for the fast
scorer, so both compute every site with the same code. Where it inlines a runtime helper
(``div``, ``min_``, ``round_`` …) it keeps the helper's order of evaluation, so a zero
denominator is reported at the same division: only operands that cannot raise (names
and constants) are moved.
"""

from __future__ import annotations

import ast
import itertools
from decimal import Decimal

from perfrules import model, nodes, runtime
from perfrules.diagnostics import Diagnostic
from perfrules.errors import InternalError

_OPERATORS = {"+": "+", "-": "-", "*": "*", "<": "<", "<=": "<=", ">": ">", ">=": ">=", "=": "==", "!=": "!="}
_FUNCTIONS = {"min": "min_", "max": "max_", "mean": "mean", "sum": "sum_", "abs": "abs_"}
_FOLDS = {"min": "<", "max": ">"}  # rt.min_ keeps a later value when `value < best`


def generate(ruleset: model.Ruleset) -> str:
    """Python source defining ``observe(x)``, which returns the list of site values."""
    emitter = Emitter(ruleset)
    body = [f"    {emitter.unpack('x')}"]
    for site in ruleset.sites:
        body += emitter.site(site)
    body.append(f"    return [{', '.join(emitter.site_value(s.index) for s in ruleset.sites)}]")
    return emitter.module(["def observe(x):", *body])


class Emitter:
    """Python text for the sites of one model: variables, constants and expressions."""

    def __init__(self, ruleset: model.Ruleset) -> None:
        self.ruleset = ruleset
        self.constants: dict[tuple, str] = {}
        self.names = {name: (f"i{index}" if kind == "input" else f"l{index}")
                      for name, (kind, index) in ruleset.symbols.items()}
        self.values: dict[int, str] = {}  # site → the variable or constant holding its value
        # Variables that may hold an rt.Missing: to begin with, the inputs facts may leave out.
        self.zero_valued: set[str] = {f"i{ruleset.symbols[name][1]}" for name in model.optional_inputs(ruleset)}
        self._temps = itertools.count()

    def module(self, lines: list[str]) -> str:
        # Constants are created once, when the module runs, from their Decimal values.
        head = [f"{name} = D({text!r})" for (_, text), name in self.constants.items()]
        return "\n".join(head + ["", ""] + lines) + "\n"

    def unpack(self, source: str) -> str:
        slots = [f"i{slot.index}" for slot in self.ruleset.inputs]
        if not slots:
            return "pass"
        return f"({', '.join(slots)},) = {source}"

    def constant(self, value: Decimal) -> str:
        key = (value, str(value))  # Decimal('1') == Decimal('1.0'); keep each as written
        if key not in self.constants:
            self.constants[key] = f"c{len(self.constants)}"
        return self.constants[key]

    def site_value(self, index: int) -> str:
        return self.values[index]

    def may_be_zero(self, expr: nodes.Expr) -> bool:
        """Whether evaluating ``expr`` may meet a zero denominator or give an rt.Missing."""
        for node in nodes.walk(expr):
            if isinstance(node, nodes.Binary) and node.op == "/" and not _nonzero_number(node.right):
                return True
            if isinstance(node, nodes.Ref) and self.names[node.name] in self.zero_valued:
                return True
        return False

    def site(self, site: model.Site) -> list[str]:
        """Statements that compute one site into a variable (recorded in ``values``)."""
        ids = {id(d): n for n, d in enumerate(model.divisions(site.expr))}
        text = self.expr(site.expr, site.index, ids)
        guarded = self.may_be_zero(site.expr)
        if site.role == "default":
            target = self.names[site.owner[0]]
            self.values[site.index] = target
            lines = [f"    if {target} is None:", *_assign(target, text, guarded, "        ")]
        elif site.role == "let":
            target = f"l{site.index}"
            self.values[site.index] = target
            lines = _assign(target, text, guarded, "    ")
        elif isinstance(site.expr, (nodes.Ref, nodes.Number, nodes.Flag)):
            self.values[site.index] = text  # nothing to compute: use the name or constant
            return []
        else:
            target = f"s{site.index}"
            self.values[site.index] = target
            lines = _assign(target, text, guarded, "    ")
        if guarded:
            self.zero_valued.add(target)
        return [f"    # site {site.index}: {site.role}", *lines]

    def expr(self, expr: nodes.Expr, site: int, ids: dict) -> str:
        match expr:
            case nodes.Number(value=value):
                return self.constant(value)
            case nodes.Flag(value=value):
                return "True" if value else "False"
            case nodes.Ref(name=name):
                return self.names[name]
            case nodes.Negate(operand=operand):
                return f"(-{self.expr(operand, site, ids)})"
            case nodes.Not(operand=operand):
                return f"(not {self.expr(operand, site, ids)})"
            case nodes.Logical(op=op, left=left, right=right):
                return f"({self.expr(left, site, ids)} {'and' if op == 'and' else 'or'} {self.expr(right, site, ids)})"
            case nodes.Binary(op="/", left=left, right=right):
                return self._division(expr, site, ids)
            case nodes.Binary(op=op, left=left, right=right) | nodes.Compare(op=op, left=left, right=right):
                return f"({self.expr(left, site, ids)} {_OPERATORS[op]} {self.expr(right, site, ids)})"
            case nodes.Call(function=function, args=args):
                return self._call(function, args, site, ids)
            case nodes.Round(operand=operand, places=places, mode=mode):
                rounding = runtime.ROUNDING_MODES[mode or self.ruleset.rounding.mode]  # KeyError: not a mode
                exponent = self.constant(Decimal(1).scaleb(-int(places)))
                return f"{self.expr(operand, site, ids)}.quantize({exponent}, {rounding!r})"
        raise TypeError(f"no emitter for {type(expr).__name__}")

    def _division(self, expr: nodes.Binary, site: int, ids: dict) -> str:
        left, right = self.expr(expr.left, site, ids), self.expr(expr.right, site, ids)
        if _nonzero_number(expr.right):
            return f"({left} / {right})"
        if not _is_simple(expr.left):
            return f"rt.div({left}, {right}, {site:d}, {ids[id(expr)]:d})"
        # rt.div tests `right == 0` before dividing; the left operand cannot raise here.
        if not _is_simple(expr.right):
            temp = self._temp()
            right, first = temp, f"({temp} := {right})"
        else:
            first = right
        zero = self.constant(Decimal(0))
        return f"({left} / {right} if {first} != {zero} else rt.zero_denominator({site:d}, {ids[id(expr)]:d}))"

    def _call(self, function: str, args: tuple, site: int, ids: dict) -> str:
        texts = [self.expr(a, site, ids) for a in args]
        complex_args = sum(not _is_simple(a) for a in args)
        if function in _FOLDS and complex_args <= 1:
            return self._fold(_FOLDS[function], texts, [_is_simple(a) for a in args])
        if function in ("sum", "mean") and complex_args == 0:
            total = " + ".join([self.constant(Decimal(0)), *texts])  # rt.sum_ starts from Decimal(0)
            return f"({total})" if function == "sum" else f"(({total}) / {len(texts):d})"
        return f"rt.{_FUNCTIONS[function]}({', '.join(texts)})"

    def _fold(self, op: str, texts: list[str], simple: list[bool]) -> str:
        # best = first; for each later value: best = value if value OP best else best.
        # At most one operand can raise, and it is evaluated before any comparison.
        best, best_simple = texts[0], simple[0]
        for text, is_simple in zip(texts[1:], simple[1:]):
            value, value_first = (text, text) if is_simple else self._bind(text)
            held, held_first = (best, best) if best_simple else self._bind(best)
            best, best_simple = f"({value} if {value_first} {op} {held_first} else {held})", False
        return best

    def _bind(self, text: str) -> tuple[str, str]:
        temp = self._temp()
        return temp, f"({temp} := {text})"

    def _temp(self) -> str:
        return f"t{next(self._temps)}"


def _assign(target: str, text: str, guarded: bool, indent: str) -> list[str]:
    if not guarded:
        return [f"{indent}{target} = {text}"]
    return [
        f"{indent}try:",
        f"{indent}    {target} = {text}",
        f"{indent}except rt.Unavailable as error:",
        f"{indent}    {target} = rt.Missing(error)",
    ]


def _is_simple(expr: nodes.Expr) -> bool:
    """Evaluating it cannot raise: a name or a constant (its *use* may)."""
    return isinstance(expr, (nodes.Ref, nodes.Number, nodes.Flag))


def _nonzero_number(expr: nodes.Expr) -> bool:
    return isinstance(expr, nodes.Number) and expr.value != 0


# ---- verification ------------------------------------------------------------------------

_ALLOWED_NODES = frozenset((
    ast.Module, ast.FunctionDef, ast.arguments, ast.arg, ast.Assign, ast.Return, ast.If, ast.Try,
    ast.ExceptHandler, ast.Expr, ast.Call, ast.Name, ast.Attribute, ast.Constant,
    ast.List, ast.Tuple, ast.BinOp, ast.UnaryOp, ast.BoolOp, ast.Compare, ast.IfExp, ast.NamedExpr,
    ast.Load, ast.Store, ast.Add, ast.Sub, ast.Mult, ast.Div, ast.USub, ast.Not, ast.And, ast.Or,
    ast.Is, ast.IsNot, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.Eq, ast.NotEq, ast.Pass,
))  # exact types: a subclass of an allowed node is not allowed
_NAME_PREFIXES = frozenset("ilcstvg")  # inputs, lets, constants, sites, temporaries, rule and group scores
_FIXED_NAMES = {"x", "m", "grade", "D", "type", "rt", "error"}
_FUNCTIONS_DEFINED = {"observe", "score", "read_row"}
# Methods of Decimal values that generated code calls.
_METHODS = {"quantize", "to_integral_value", "is_finite"}


def verify(source: str) -> ast.Module:
    """Walk the generated code against an allow-list; raise InternalError on anything else.

    Only our own bugs can trip this: ruleset text never reaches the code.

    Returns:
        The parsed module, ready for ``compile`` (so the source is parsed once).
    """
    tree = ast.parse(source)
    stack: list = [tree]
    while stack:  # ast.walk, without its generator and deque: rulesets can be large
        node = stack.pop()
        kind = type(node)
        if kind not in _PLAIN_NODES:  # most nodes need no more than their type checked
            problem = _problem(node)
            if problem:
                raise InternalError([Diagnostic("PR901", f"generated code failed verification: {problem}; "
                                                         "this is a bug in perfrules, please report it")])
        for field in kind._fields:
            value = getattr(node, field, None)
            if type(value) is list:
                stack.extend(value)
            elif isinstance(value, ast.AST):
                stack.append(value)
    return tree


# Allowed nodes that ``_problem`` has nothing more to say about.
_PLAIN_NODES = _ALLOWED_NODES - {ast.Name, ast.Attribute, ast.ExceptHandler, ast.Constant, ast.FunctionDef, ast.arg}


def _problem(node) -> str | None:
    kind = type(node)
    if kind not in _ALLOWED_NODES:
        return f"{kind.__name__} is not allowed"
    if kind is ast.Name and not _is_allowed_name(node.id):
        return f"the name {node.id!r} is not allowed"
    if kind is ast.Attribute and not _is_allowed_attribute(node):
        return f"the attribute {node.attr!r} is not allowed"
    if kind is ast.ExceptHandler and not _is_zero_denominator(node.type):
        return "an unexpected exception handler"
    if kind is ast.Constant and type(node.value) not in (int, str, bool, type(None)):
        return f"the constant {node.value!r} is not allowed"
    if kind is ast.FunctionDef and (node.name not in _FUNCTIONS_DEFINED or node.decorator_list):
        return f"the function {node.name!r} is not allowed"
    if kind is ast.arg and node.arg != "x":
        return f"the parameter {node.arg!r} is not allowed"
    return None


def _is_allowed_attribute(node: ast.Attribute) -> bool:
    if isinstance(node.value, ast.Name) and node.value.id == "rt":
        return node.attr in runtime.__all__
    return node.attr in _METHODS


def _is_zero_denominator(node: ast.AST | None) -> bool:
    return (isinstance(node, ast.Attribute) and node.attr in ("ZeroDenominator", "Unavailable")
            and isinstance(node.value, ast.Name) and node.value.id == "rt")


def _is_allowed_name(name: str) -> bool:
    if name in _FIXED_NAMES:
        return True
    return name[:1] in _NAME_PREFIXES and name[1:].isdigit() and name[1:].isascii()
