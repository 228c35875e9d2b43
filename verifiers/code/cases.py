"""Code test cases as data: parses a Problem's tests into stdio cases, function-call cases (assert
snippets turned into arguments + expected value) and residual assert snippets, and judges a
decoded return value against its case; it never runs anything.

Turning `assert f(2) == 4` into data is what keeps the expected value out of the sandbox, so an
always-equal object, a patched `==`/`math.isclose` or a peek at the test cannot earn reward.
"""

from __future__ import annotations

import ast
import builtins
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from verifiers.code.program import parse_python

KINDS = ("stdio", "function")
_WRAPPERS: dict[str, Callable[[Any], Any]] = {
    "set": set, "sorted": sorted, "list": list, "tuple": tuple, "frozenset": frozenset,
}


@dataclass(frozen=True)
class StdioCase:
    input: str
    output: str


@dataclass(frozen=True)
class CallCase:
    """`entry_point(*args, **kwargs)` judged on the trusted side; `args` is a literal's source."""

    args: str
    expected: Any
    compare: str = "eq"  # eq | is | isclose | abs_lt | abs_le | truthy | falsy
    wrap: str | None = None  # a builtin applied to the returned value first (set, sorted, ...)
    rel_tol: float = 1e-9
    abs_tol: float = 0.0


@dataclass(frozen=True)
class AssertCase:
    """A test we cannot express as data: run in the sandbox, proven by a nonce printed after it."""

    source: str


Case = StdioCase | CallCase | AssertCase


def parse_tests(
    tests: Any, kind: str | None, entry_point: str | None
) -> tuple[str, list[Case], str | None]:
    """Problem.tests -> (kind, cases, entry_point). Raises ValueError naming what is malformed."""
    if not isinstance(tests, (list, tuple)) or not tests:
        raise ValueError(f"tests must be a non-empty list, got {type(tests).__name__}")
    if kind is None:
        kind = "stdio" if all(isinstance(t, dict) for t in tests) else "function"
    if kind not in KINDS:
        raise ValueError(f"kind={kind!r} is not allowed; use one of {KINDS}")
    if kind == "stdio":
        cases: list[Case] = []
        for i, t in enumerate(tests):
            if not (isinstance(t, dict) and isinstance(t.get("input"), str)
                    and isinstance(t.get("output"), str)):
                raise ValueError(f"stdio test #{i} must be {{'input': str, 'output': str}}")
            cases.append(StdioCase(t["input"], t["output"]))
        return kind, cases, entry_point
    if not all(isinstance(t, str) for t in tests):
        raise ValueError("function tests must be a list of Python snippets (str)")
    trees = []
    for i, t in enumerate(tests):
        try:
            trees.append(parse_python(t))
        except SyntaxError as exc:
            raise ValueError(f"function test #{i} is not valid Python: {exc.msg}") from None
    entry_point = entry_point or _guess_entry_point(trees)
    if not entry_point:
        raise ValueError("function tests need an entry_point (none given and none found)")
    return kind, [_to_case(src, tree, entry_point) for src, tree in zip(tests, trees)], entry_point


def _guess_entry_point(trees: list[ast.Module]) -> str | None:
    """The first called name that is neither a builtin nor bound by the test itself (a class or
    function its setup code defines, an import, an assignment): `Node(1)` in setup is not it."""
    for tree in trees:
        bound = bound_names(tree)
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id not in bound
                and node.func.id not in vars(builtins)
                and node.func.id not in _WRAPPERS
            ):
                return node.func.id
    return None


def bound_names(tree: ast.AST) -> set[str]:
    """Names a snippet binds itself: defs, classes, imports, assignment and loop targets."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
    return names


def _literal(node: ast.AST) -> tuple[bool, Any]:
    try:
        return True, ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return False, None


def _call(node: ast.AST, entry: str) -> tuple[str, str | None] | None:
    """(args source, wrapper) when `node` is entry(<literals>) or wrapper(entry(<literals>))."""
    wrap = None
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _WRAPPERS
            and len(node.args) == 1 and not node.keywords):
        wrap = node.func.id
        node = node.args[0]
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
            and node.func.id in (entry, "candidate")):
        return None
    if any(isinstance(a, ast.Starred) for a in node.args) or any(
        k.arg is None for k in node.keywords
    ):
        return None
    values = [_literal(a) for a in node.args]
    kw = [(k.arg, _literal(k.value)) for k in node.keywords]
    if not all(ok for ok, _ in values) or not all(ok for _, (ok, _) in kw):
        return None
    spec = (tuple(v for _, v in values), {k: v for k, (_, v) in kw})
    src = repr(spec)
    ok, back = (
        _literal(parse_python(src, mode="eval").body) if len(src) < 1 << 20 else (False, None)
    )
    if not ok or repr(back) != src:  # e.g. inf or nan have no literal form
        return None
    return src, wrap


def _to_case(src: str, tree: ast.Module, entry: str) -> Case:
    if len(tree.body) == 1 and isinstance(tree.body[0], ast.Assert):
        case = _data_case(tree.body[0].test, entry)
        if case is not None:
            return case
    return AssertCase(src)


def _data_case(test: ast.expr, entry: str) -> CallCase | None:
    if (c := _call(test, entry)) is not None:
        return CallCase(c[0], None, "truthy", c[1])
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        c = _call(test.operand, entry)
        return CallCase(c[0], None, "falsy", c[1]) if c else None
    if isinstance(test, ast.Compare) and len(test.ops) == 1:
        left, op, right = test.left, test.ops[0], test.comparators[0]
        if isinstance(op, (ast.Eq, ast.Is)):
            for a, b in ((left, right), (right, left)):
                c = _call(a, entry)
                ok, value = _literal(b)
                if c and ok and (isinstance(op, ast.Eq) or value in (None, True, False)):
                    return CallCase(c[0], value, "eq" if isinstance(op, ast.Eq) else "is", c[1])
        inner = _abs_diff(left) if isinstance(op, (ast.Lt, ast.LtE)) else None
        if inner is not None:
            ok, tol = _literal(right)
            for a, b in ((inner.left, inner.right), (inner.right, inner.left)):
                c = _call(a, entry)
                ok2, value = _literal(b)
                if c and ok and ok2 and _number(tol) and _number(value):
                    return CallCase(c[0], value, "abs_lt" if isinstance(op, ast.Lt) else "abs_le",
                                    c[1], abs_tol=float(tol))
    if isinstance(test, ast.Call) and _is_isclose(test.func) and len(test.args) == 2:
        kw = {k.arg: _literal(k.value) for k in test.keywords}
        if set(kw) <= {"rel_tol", "abs_tol"} and all(ok and _number(v) for ok, v in kw.values()):
            tols = {k: float(v) for k, (_, v) in kw.items() if k is not None}  # **x: not in kw
            for a, b in ((test.args[0], test.args[1]), (test.args[1], test.args[0])):
                c = _call(a, entry)
                ok, value = _literal(b)
                if c and ok and _number(value):
                    return CallCase(c[0], value, "isclose", c[1], **tols)
    return None


def _abs_diff(node: ast.AST) -> ast.BinOp | None:
    """The `a - b` of an `abs(a - b)` call, else None."""
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "abs"
            and len(node.args) == 1 and isinstance(node.args[0], ast.BinOp)
            and isinstance(node.args[0].op, ast.Sub)):
        return node.args[0]
    return None


def _is_isclose(func: ast.AST) -> bool:
    return (isinstance(func, ast.Name) and func.id == "isclose") or (
        isinstance(func, ast.Attribute) and func.attr == "isclose"
        and isinstance(func.value, ast.Name) and func.value.id == "math")


def _number(x: Any) -> bool:
    return type(x) in (int, float, bool)


def call_passed(case: CallCase, value: Any) -> bool:
    """Judge a decoded (builtin-only) return value; Python's own `==` semantics, as the assert had.
    """
    if case.wrap:
        try:
            value = _WRAPPERS[case.wrap](value)
        except (TypeError, ValueError):
            return False
    if case.compare == "eq":
        return bool(value == case.expected)
    if case.compare == "is":
        return value is case.expected
    if case.compare == "truthy":
        return bool(value)
    if case.compare == "falsy":
        return not value
    if not _number(value):
        return False
    if case.compare == "isclose":
        return math.isclose(value, case.expected, rel_tol=case.rel_tol, abs_tol=case.abs_tol)
    diff = abs(value - case.expected)
    return bool(diff < case.abs_tol if case.compare == "abs_lt" else diff <= case.abs_tol)
