"""The program that runs *inside* the sandbox around a candidate's function (and around trusted
checkers); it only executes and reports plain data, never compares with expected values, which
never enter the sandbox. Self-contained: stdlib only, because the sandbox cannot see our package.

It reads one JSON request from stdin before the candidate's code runs, and writes exactly one
result line `<nonce> <json>` on the original stdout as its last act. The trusted side decodes that
line with verifiers.plain_data and decides; exit status and any other output prove nothing.
"""

import ast
import builtins
import json
import math
import os
import sys

_type, _len, _repr, _isinstance = type, len, repr, isinstance  # bound before candidate code runs
_MAX_DEPTH = 100
_MAX_ITEMS = 1_000_000


class Unencodable(Exception):
    pass


def encode(x, depth=0, budget=None):
    """Strict plain-data encoder: exact builtin types only, so an always-equal object, an int
    subclass or a proxy cannot pass for a value."""
    budget = budget if budget is not None else [_MAX_ITEMS]
    budget[0] -= 1
    if depth > _MAX_DEPTH or budget[0] < 0:
        raise Unencodable("too deep or too large")
    t = _type(x)
    if x is None:
        return ["n"]
    if t is bool:
        return ["b", 1 if x is True else 0]
    if t is int:
        return ["i", int.__repr__(x)]
    if t is float:
        return ["f", float.__repr__(x)]
    if t is complex:
        return ["c", float.__repr__(x.real), float.__repr__(x.imag)]
    if t is str:
        return ["s", str.__str__(x)]
    if t is bytes:
        return ["y", bytes.hex(x)]
    if t in (list, tuple, set, frozenset):
        tag = {list: "l", tuple: "t", set: "S", frozenset: "F"}[t]
        return [tag, [encode(v, depth + 1, budget) for v in t.__iter__(x)]]
    if t is dict:
        return ["d", [[encode(k, depth + 1, budget), encode(v, depth + 1, budget)]
                      for k, v in dict.items(x)]]
    raise Unencodable(f"type {t.__name__} is not plain data")


_BUILTINS = dict(vars(builtins))
_MATH = dict(vars(math))


def _restore_trusted_names():
    """Undo monkeypatching of builtins and math before assert tests run."""
    for name, value in _BUILTINS.items():
        setattr(builtins, name, value)
    for name, value in _MATH.items():
        setattr(math, name, value)


class _StrictEq(ast.NodeTransformer):
    """Rewrites `a == b` / `a != b` in an assert test into a comparison of strict encodings."""

    def visit_Compare(self, node):
        self.generic_visit(node)
        if _len(node.ops) == 1 and _isinstance(node.ops[0], (ast.Eq, ast.NotEq)):
            call = ast.Call(ast.Name("__verity_eq__", ast.Load()), [node.left, node.comparators[0]], [])
            return call if _isinstance(node.ops[0], ast.Eq) else ast.UnaryOp(ast.Not(), call)
        return node


def _strict_eq(a, b):
    try:
        return _decode_local(encode(a)) == _decode_local(encode(b))
    except Unencodable:
        return False


def _decode_local(node):
    tag = node[0]
    if tag in ("l", "t", "S", "F"):
        items = [_decode_local(v) for v in node[1]]
        return {"l": list, "t": tuple, "S": set, "F": frozenset}[tag](items)
    if tag == "d":
        return {_decode_local(k): _decode_local(v) for k, v in node[1]}
    return {"n": lambda: None, "b": lambda: node[1] == 1, "i": lambda: int(node[1]),
            "f": lambda: float(node[1]), "s": lambda: node[1], "y": lambda: bytes.fromhex(node[1]),
            "c": lambda: complex(float(node[1]), float(node[2]))}[tag]()


def main(candidate_source, entry_point):
    out_fd = os.dup(1)
    request = json.loads(sys.stdin.read())
    nonce = request.pop("nonce")
    sys.stdin = open(os.devnull)  # noqa: SIM115 - the candidate's stdin for the whole run
    os.environ.clear()

    def report(obj):
        os.write(out_fd, ("\n" + nonce + " " + json.dumps(obj) + "\n").encode())
        os._exit(0)

    ns = {"__name__": "solution", "__builtins__": builtins}
    if request["mode"] == "check":  # a trusted checker: ns gets its source, not a candidate's
        exec(compile(request["checker"], "checker.py", "exec"), ns)
        verdict = ns["check"](request["input"], request["output"], request["answer"])
        ok = verdict is True or (_type(verdict) in (int, float) and verdict == 1)
        report({"value": ["b", 1 if ok else 0]})
    try:
        exec(compile(candidate_source, "solution.py", "exec"), ns)
        fn = ns.get(entry_point)
        if request["mode"] == "call":
            args, kwargs = ast.literal_eval(request["args"])
            value = fn(*args, **kwargs)
            report({"value": encode(value)})
        _restore_trusted_names()
        tree = _StrictEq().visit(ast.parse(request["test"]))
        ast.fix_missing_locations(tree)
        ns["candidate"] = fn
        ns["__verity_eq__"] = _strict_eq
        exec(compile(tree, "test.py", "exec"), ns)
        report({"passed": True})
    except Unencodable as exc:
        report({"unencodable": str(exc)[:200]})
    except BaseException as exc:  # SystemExit in a finally included: no result is a failure
        report({"raised": _type(exc).__name__})
