"""Generated code is built from checked values only, verified, and agrees with the
interpreter on every construct."""

import ast
import typing
from pathlib import Path

import pytest

import perfrules
from perfrules import codegen, nodes
from perfrules.errors import InternalError

PACKAGE = Path(perfrules.__file__).parent


def test_codegen_never_sees_source_text():
    tree = ast.parse((PACKAGE / "codegen.py").read_text(encoding="utf-8"))
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                for alias in node.names} | {node.module for node in ast.walk(tree)
                                            if isinstance(node, ast.ImportFrom)}
    assert not imported & {"parse", "perfrules.parse", "source", "perfrules.source", "Source"}


def test_every_expression_node_has_an_emitter():
    ruleset = perfrules.loads('''ruleset "t"
    input a: number
    input f: flag
    let e = round(-a + a - a * a / 2, 2, half_even) > 1 and not f or a != 0 and a = 1 and yes or no
    indicator x 1 { veto when e; score min(abs(a), max(a, 1), mean(a, 1), sum(a, 2%), 1) }''')
    used = {type(n) for site in ruleset.model.sites for n in nodes.walk(site.expr)}
    assert used == set(typing.get_args(nodes.Expr))


HOSTILE = '''ruleset "x'); __import__('os').system('echo pwned'); ('"
input 恶意_name: number “"); import os #”
let 名称 = 恶意_name
group "}); __import__('os') #" 1 {
  indicator "\\n__import__('os')" 1 { score min(名称, 1) }
}
'''


def test_hostile_names_and_texts_stay_inert():
    ruleset = perfrules.loads(HOSTILE, name="hostile.rules")
    source = ruleset.python_source
    assert "__import__" not in source and "os" not in source.replace("observe", "")
    assert ruleset.evaluate({"恶意_name": 1}).total == 1


@pytest.mark.parametrize("bad", [
    "import os\n",
    "def observe(x):\n    return __import__('os')\n",
    "def observe(x):\n    return rt.__dict__\n",
    "def observe(x):\n    return x.__class__\n",
    "def observe(x):\n    return [y for y in x]\n",
    "def observe(x):\n    return open\n",
    "def observe(x):\n    try:\n        pass\n    except Exception:\n        pass\n",
])
def test_verify_rejects_anything_outside_the_allow_list(bad):
    with pytest.raises(InternalError, match="this is a bug in perfrules"):
        codegen.verify(bad)


def test_generated_code_runs_without_builtins_and_is_in_linecache():
    import linecache
    ruleset = perfrules.loads('ruleset "t" input a: count indicator x 1 = a / (a + 1)', name="t.rules")
    filename = ruleset._observe.__code__.co_filename
    assert filename.startswith("<perfrules t.rules@")
    assert linecache.getline(filename, 1).startswith("c0 = D(")
    assert ruleset._observe.__globals__["__builtins__"] == {}
