"""The program that runs *inside* the sandbox around a candidate's function (and around trusted
checkers); it only executes and reports plain data, never compares with expected values, which
never enter the sandbox. Self-contained: stdlib only, because the sandbox cannot see our package.

It reads one JSON request from stdin before the candidate's code runs, and writes exactly one
result line `<nonce> <json>` on the original stdout as its last act. The trusted side decodes that
line with verifiers.plain_data and decides; exit status and any other output prove nothing.

Modes: `call` (tests as data: run the entry point on literal arguments, report the encoded value;
forging it means knowing the expected value, which is not here); `assert` (a residual test snippet:
the candidate's code runs in a forked worker, the snippet runs here against stubs that call into
the worker and get back strictly decoded values, so patched builtins, always-equal objects, frame
walking and stolen nonces do not reach the assert; in exchange arguments must be plain data and
in-place mutation of an argument is not visible to the test); `check` (a trusted checker).
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


NONCE_CHARS = 32
_BUILTIN_NAMES = frozenset(vars(builtins))


def _read_exact(fd, n):
    buf = b""
    while _len(buf) < n:
        chunk = os.read(fd, n - _len(buf))
        if not chunk:
            raise EOFError("pipe closed")
        buf += chunk
    return buf


def _send(fd, obj):
    data = json.dumps(obj).encode()
    view = memoryview(b"%010d" % _len(data) + data)
    while view:
        view = view[os.write(fd, view):]


def _recv(fd):
    return json.loads(_read_exact(fd, int(_read_exact(fd, 10))))


class CandidateFailed(Exception):
    """The candidate's function raised, exited or returned something that is not plain data."""


def _worker(candidate_source, calls_r, answers_w):
    """Runs in a child process: the candidate's code lives here and only here. It answers calls
    with strictly encoded values; nothing it does can reach the asserting process's memory."""
    ns = {"__name__": "solution", "__builtins__": builtins}
    try:
        exec(compile(candidate_source, "solution.py", "exec"), ns)
        names = {}
        for k, v in list(ns.items()):
            if k.startswith("__"):
                continue
            try:
                names[k] = ["f"] if callable(v) else ["v", encode(v)]
            except Unencodable:
                continue
        _send(answers_w, {"names": names})
    except BaseException as exc:
        _send(answers_w, {"raised": _type(exc).__name__})
        os._exit(0)
    while True:
        call = _recv(calls_r)
        try:
            value = ns[call["name"]](*_decode_local(call["args"]), **_decode_local(call["kwargs"]))
            answer = {"value": encode(value)}
        except Unencodable as exc:
            answer = {"unencodable": str(exc)[:200]}
        except BaseException as exc:
            answer = {"raised": _type(exc).__name__}
        _send(answers_w, answer)


def _start_worker(candidate_source, out_fd):
    calls_r, calls_w = os.pipe()
    answers_r, answers_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(calls_w)
        os.close(answers_r)
        os.close(out_fd)
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)  # the nonce still waiting on stdin is out of the candidate's reach
        sys.stdin = open(os.devnull)  # noqa: SIM115 - the candidate's stdin for the whole run
        try:
            _worker(candidate_source, calls_r, answers_w)
        finally:
            os._exit(0)
    os.close(calls_r)
    os.close(answers_w)
    return calls_w, answers_r


def _stub(name, calls_w, answers_r):
    def call(*args, **kwargs):
        _send(calls_w, {"name": name, "args": encode(list(args)), "kwargs": encode(kwargs)})
        try:
            answer = _recv(answers_r)
        except (EOFError, ValueError):
            raise CandidateFailed("the candidate's process died") from None
        if "value" not in answer:
            raise CandidateFailed(str(answer)[:200])
        return _decode_local(answer["value"])

    return call


def main(candidate_source, entry_point):
    """stdin: a 10-digit length, that many bytes of JSON request, then the nonce. The request is
    read unbuffered, so the nonce stays in the pipe until the candidate can no longer see it."""
    out_fd = os.dup(1)
    request = _recv(0)
    mode = request["mode"]
    os.environ.clear()
    if mode == "assert":
        # The test runs here, the candidate in a worker forked before the nonce is read: it
        # cannot patch our builtins, walk our frames or learn the nonce.
        calls_w, answers_r = _start_worker(candidate_source, out_fd)
    nonce = _read_exact(0, NONCE_CHARS).decode()
    sys.stdin = open(os.devnull)  # noqa: SIM115 - the candidate's stdin for the whole run

    def report(obj):
        os.write(out_fd, ("\n" + nonce + " " + json.dumps(obj) + "\n").encode())
        os._exit(0)

    ns = {"__name__": "solution", "__builtins__": builtins}
    if mode == "check":  # a trusted checker: ns gets its source, not a candidate's
        exec(compile(request["checker"], "checker.py", "exec"), ns)
        verdict = ns["check"](request["input"], request["output"], request["answer"])
        ok = verdict is True or (_type(verdict) in (int, float) and verdict == 1)
        report({"value": ["b", 1 if ok else 0]})
    try:
        if mode == "call":  # expected values live outside: forging one means solving the task
            exec(compile(candidate_source, "solution.py", "exec"), ns)
            args, kwargs = ast.literal_eval(request["args"])
            value = ns[entry_point](*args, **kwargs)
            report({"value": encode(value)})
        try:
            ready = _recv(answers_r)
        except (EOFError, ValueError):
            report({"raised": "CandidateFailed"})
        if "names" not in ready:
            report({"raised": ready.get("raised", "CandidateFailed")})
        test_ns = {"__name__": "__test__", "__builtins__": builtins, "math": math}
        for name, kind in ready["names"].items():
            if name in _BUILTIN_NAMES or name == "math":
                continue  # a candidate's `def abs(x): return 0` must not rewrite the test
            test_ns[name] = _stub(name, calls_w, answers_r) if kind == ["f"] else _decode_local(kind[1])
        test_ns["candidate"] = test_ns.get(entry_point)
        test_ns["__verity_eq__"] = _strict_eq
        tree = _StrictEq().visit(ast.parse(request["test"]))
        ast.fix_missing_locations(tree)
        exec(compile(tree, "test.py", "exec"), test_ns)
        report({"passed": True})
    except Unencodable as exc:
        report({"unencodable": str(exc)[:200]})
    except BaseException as exc:  # SystemExit in a finally included: no result is a failure
        report({"raised": _type(exc).__name__})
