"""The program that runs *inside* the sandbox around a candidate's function (and around trusted
checkers); it only executes and reports plain data, never compares a return value with an expected
value of a data test (those never enter the sandbox). Self-contained, stdlib only: the sandbox
cannot see our package.

Invariant (the verdict channel): no test source, expected value, nonce or other test's input is
ever reachable from the candidate's process. It holds by construction:
- the driver forks the *candidate process* first, from a state that never held the request (and
  after zeroing the byte buffers its frames inherited from the slot server), and makes itself
  non-dumpable, so /proc/<pid>/mem|fd|environ and ptrace of the driver are refused;
- only then does the driver (the *test process*) read the request and its nonce from stdin, run
  the dataset-trusted test code and write the one verdict line `<nonce> <json>` on stdout;
- the candidate process has /dev/null as stdin, stdout and stderr (so it and every process it
  starts can never write on the channel the verdict travels on) and talks to the test process only
  through two pipes carrying strict plain data: a call (name, arguments) in, the return value, the
  mutated arguments or the name of a raised exception out. The test process decodes every answer
  into fresh builtin values with its own pristine constructors, so it never runs candidate code.

Modes: `call` (tests as data: one call of the entry point on literal arguments, the encoded value
reported for the trusted side to judge); `assert` (a residual test snippet run here against stubs
of the candidate's names); `check` (a trusted checker, no candidate process at all). A test that
cannot be run across the boundary (it passes a callable, or compares or inspects an object of the
candidate's own class) is reported `ungradable` with a reason code, which the trusted side masks.
"""

from __future__ import annotations

import ast
import builtins
import json
import math
import os
import sys

TYPE_CHECKING = False  # the type checker reads the import below; the sandbox never imports typing
if TYPE_CHECKING:
    from collections.abc import Callable
    from types import FrameType
    from typing import Any, NoReturn

    Node = list[Any]  # one encoded value: [tag, *payload]
    Other = Callable[[Any, int, list[int]], Node]

_type, _len, _callable, _id = type, len, callable, id  # bound before any candidate code runs
_MAX_DEPTH = 100
_MAX_ITEMS = 1_000_000
_MAX_MESSAGE_BYTES = 64 << 20
NONCE_CHARS = 32
# Builtin types that cross as values ("T" tag): `f(int)` works, a candidate's class never passes.
_TYPES = {t.__name__: t for t in (int, float, complex, str, bytes, bool, list, tuple, set,
                                  frozenset, dict, object, type(None))}
# A subclass of one of these (Counter, OrderedDict, namedtuple, IntEnum) is encoded as the builtin
# value it is made of, read with the builtin's own methods: never its own __eq__, __iter__ or repr.
_BASES = (int, float, complex, str, bytes, list, tuple, set, frozenset, dict)
_CONTAINER_TAGS: dict[type, str] = {list: "l", tuple: "t", set: "S", frozenset: "F"}
# Exceptions the candidate raised are re-raised in the test by name, so `except ValueError` in a
# test works; never those that steer control flow (a StopIteration raised into a test's `for x in
# map(candidate, ...)` would end the loop before its asserts).
_EXCEPTIONS = {k: v for k, v in vars(builtins).items()
               if _type(v) is type and issubclass(v, Exception)
               and not issubclass(v, (StopIteration, StopAsyncIteration))}
# the first reason the test could not run across the boundary, however caught
_UNGRADABLE: list[str] = []
_MRO: Callable[[type], tuple[type, ...]] = type.__dict__["__mro__"].__get__


class Unencodable(Exception):
    pass


class Ungradable(BaseException):
    """The test cannot be run across the process boundary; BaseException so that a test's own
    `except Exception` cannot swallow it, and remembered so that not even a bare `except` can."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        _UNGRADABLE.append(code)


class Handle:
    """An object of the candidate's own class, living in the candidate process: the test may pass
    it back to the candidate, and nothing else (comparing or inspecting it would need its code)."""

    __slots__ = ("ref",)

    def __init__(self, ref: int) -> None:
        object.__setattr__(self, "ref", ref)

    def __eq__(self, other: object) -> NoReturn:
        raise Ungradable("candidate_object_compared")

    __ne__ = __lt__ = __le__ = __gt__ = __ge__ = __eq__
    __hash__ = object.__hash__

    def _used(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise Ungradable("candidate_object_used")

    __getattr__ = __setattr__ = __bool__ = __len__ = __iter__ = __contains__ = __getitem__ = _used
    __call__ = __add__ = __sub__ = __mul__ = __int__ = __float__ = __index__ = __str__ = _used

    def __repr__(self) -> str:
        return "<candidate object>"


def _plain_base(t: type) -> type | None:
    for base in _MRO(t):
        if base in _BASES:
            return base
    return None


def encode(x: Any, depth: int = 0, budget: list[int] | None = None,
           other: Other | None = None) -> Node:
    """Strict plain-data encoder: builtin values (and subclasses of builtin values, encoded as the
    builtin they hold), builtin type objects and Handles. Anything else is `other(x, depth,
    budget)` (the test process: objects of test-defined classes as records; the candidate
    process: handles of its own objects) or Unencodable."""
    budget = budget if budget is not None else [_MAX_ITEMS]
    budget[0] -= 1
    if depth > _MAX_DEPTH or budget[0] < 0:
        raise Unencodable("too deep or too large")
    t = _type(x)
    if x is None:
        return ["n"]
    if t is bool:
        return ["b", 1 if x is True else 0]
    if t is Handle:
        return ["h", object.__getattribute__(x, "ref")]
    if t is type:
        for name, known in _TYPES.items():
            if x is known:
                return ["T", name]
        raise Unencodable(f"type object {type.__repr__(x)[:80]} is not a builtin type")
    base: Any = t if t in _BASES else _plain_base(t)
    try:
        if base is int:
            return ["i", int.__repr__(x)]
        if base is float:
            return ["f", float.__repr__(x)]
        if base is complex:
            return ["c", float.__repr__(complex.real.__get__(x)),
                    float.__repr__(complex.imag.__get__(x))]
        if base is str:
            return ["s", str.__str__(x)]
        if base is bytes:
            return ["y", bytes.hex(x)]
        if base in _CONTAINER_TAGS:
            return [_CONTAINER_TAGS[base],
                    [encode(v, depth + 1, budget, other) for v in base.__iter__(x)]]
        if base is dict:
            return ["d", [[encode(k, depth + 1, budget, other), encode(v, depth + 1, budget, other)]
                          for k, v in dict.items(x)]]
    except (TypeError, ValueError, OverflowError, RecursionError, MemoryError) as exc:
        raise Unencodable(f"{t.__name__}: {_type(exc).__name__}") from None
    if other is not None:
        return other(x, depth, budget)
    raise Unencodable(f"type {t.__name__} is not plain data")


def _record(x: Any, depth: int, budget: list[int]) -> Node:
    """An object of a class the test code defined (a Node of a setup tree), sent as its
    attributes."""
    t = _type(x)
    if t.__module__ != "__test__" or not isinstance(getattr(x, "__dict__", None), dict):
        raise Unencodable(f"type {t.__name__} is not plain data")
    return ["o", t.__name__,
            [[k, encode(v, depth + 1, budget, _record)] for k, v in vars(x).items()]]


def decode(node: Node, handles: dict[int, Any] | None = None,
           shells: dict[str, Any] | None = None) -> Any:
    """Fresh builtin values from an encoding; handles resolve through `handles` (the candidate
    process's table) or become Handle objects (the test process); records become shell objects."""
    tag = node[0]
    if tag in ("l", "t", "S", "F"):
        items = [decode(v, handles, shells) for v in node[1]]
        return {"l": list, "t": tuple, "S": set, "F": frozenset}[tag](items)
    if tag == "d":
        return {decode(k, handles, shells): decode(v, handles, shells) for k, v in node[1]}
    if tag == "h":
        return Handle(node[1]) if handles is None else handles[node[1]]
    if tag == "o":
        if shells is None:
            raise Unencodable("records only travel to the candidate")
        cls = shells.get(node[1]) or shells.setdefault(node[1], _type(node[1], (), {}))
        obj = cls.__new__(cls)
        for k, v in node[2]:
            setattr(obj, k, decode(v, handles, shells))
        return obj
    makers: dict[str, Callable[[], Any]] = {
        "n": lambda: None, "b": lambda: node[1] == 1, "i": lambda: int(node[1]),
        "f": lambda: float(node[1]), "s": lambda: node[1], "y": lambda: bytes.fromhex(node[1]),
        "c": lambda: complex(float(node[1]), float(node[2])), "T": lambda: _TYPES[node[1]]}
    return makers[tag]()


def _read_exact(fd: int, n: int) -> bytes:
    buf = b""
    while _len(buf) < n:
        chunk = os.read(fd, n - _len(buf))
        if not chunk:
            raise EOFError("pipe closed")
        buf += chunk
    return buf


def _send(fd: int, obj: object) -> None:
    data = json.dumps(obj).encode()
    view = memoryview(b"%010d" % _len(data) + data)
    while view:
        view = view[os.write(fd, view):]


def _recv(fd: int) -> Any:
    size = int(_read_exact(fd, 10))
    if size > _MAX_MESSAGE_BYTES:
        raise ValueError("message too large")
    return json.loads(_read_exact(fd, size))


class CandidateFailed(Exception):
    """The candidate's process died, or raised an exception that is not a builtin one."""


# -- the candidate process ---------------------------------------------------------------------

def _candidate(source: str, entry_point: str | None, calls_r: int, answers_w: int) -> None:
    """The candidate's code lives here and only here. It answers calls with strictly encoded
    values and holds nothing of any test: no request was read before it was forked."""
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):  # the verdict channel (stdout) and the request pipe (stdin) are gone
        os.dup2(devnull, fd)
    os.close(devnull)
    sys.stdin, sys.stdout, sys.stderr = (open(os.devnull, m) for m in ("r", "w", "w"))  # noqa: SIM115
    ns: dict[str, Any] = {"__name__": "solution", "__builtins__": builtins}
    handles: dict[int, Any] = {}
    shells: dict[str, Any] = {}
    refs: dict[int, int] = {}

    # our own objects stay here; the test gets an opaque ref
    def handle_of(x: Any, depth: int, budget: list[int]) -> Node:
        if _id(x) not in refs:
            refs[_id(x)] = _len(handles)
            handles[_len(handles)] = x
        return ["h", refs[_id(x)]]

    try:
        exec(compile(source, "solution.py", "exec"), ns)
        names: dict[str, Node] = {}
        for k, v in list(ns.items()):
            if k.startswith("__"):
                continue
            if _callable(v):
                names[k] = ["k"] if isinstance(v, type) else ["f"]
                continue
            try:
                names[k] = ["v", encode(v)]
            except Unencodable:
                continue
        _send(answers_w, {"names": names})
    except BaseException as exc:
        _send(answers_w, {"raised": _type(exc).__name__})
        os._exit(0)
    while True:
        call = _recv(calls_r)
        args = kwargs = None
        try:
            args = decode(call["args"], handles, shells)
            kwargs = decode(call["kwargs"], handles, shells)
            value = ns[call["name"]](*args, **kwargs)
            # the function under test must return data; a class or helper the test builds
            # arguments with (Pair(5, 24)) may return the candidate's own objects, kept here
            answer: dict[str, Any] = {"value": encode(
                value, other=None if call["name"] == entry_point else handle_of)}
        except Unencodable as exc:
            answer = {"unencodable": str(exc)[:200]}
        except BaseException as exc:
            answer = {"raised": _type(exc).__name__}
        if call.get("sync") and args is not None:
            try:  # what the call did to its arguments, for a test that looks at them afterwards
                answer["args"] = encode(args, other=handle_of)
            except BaseException:
                answer = {"unencodable": "a mutated argument is not plain data"}
        _send(answers_w, answer)


# -- the test process --------------------------------------------------------------------------

def _only_data(node: Node) -> bool:
    if node[0] in ("h", "o"):
        return False
    if node[0] in ("l", "t", "S", "F"):
        return all(_only_data(v) for v in node[1])
    return node[0] != "d" or all(_only_data(k) and _only_data(v) for k, v in node[1])


def _resync(arg: Any, node: Node) -> None:
    """Apply the candidate's in-place changes of a top-level container argument of plain data to
    the test's own (an argument holding the test's or the candidate's objects is left alone)."""
    if not _only_data(node):
        return
    try:
        new = decode(node)
        if _type(arg) is list:
            arg[:] = new
        elif _type(arg) in (dict, set):
            arg.clear()
            arg.update(new)
    except Unencodable:
        pass


def _stub(name: str, link: tuple[int, int], entry_point: str) -> Callable[..., Any]:
    calls_w, answers_r = link

    def call(*args: Any, **kwargs: Any) -> Any:
        try:
            enc_args = encode(list(args), other=_record)
            enc_kwargs = encode(kwargs, other=_record)
        except Unencodable:
            if any(_callable(a) and _type(a) is not type and _type(a) is not Handle
                   for a in (*args, *kwargs.values())):
                raise Ungradable("callable_argument") from None
            raise Ungradable("test_object_argument") from None
        _send(calls_w, {"name": name, "args": enc_args, "kwargs": enc_kwargs, "sync": True})
        try:
            answer = _recv(answers_r)
        except Exception:
            raise CandidateFailed("the candidate's process died") from None
        if "args" in answer:
            for arg, node in zip(args, answer["args"][1]):
                _resync(arg, node)
        if "raised" in answer:
            exc = _EXCEPTIONS.get(answer["raised"])
            raise exc() if exc is not None else CandidateFailed(str(answer["raised"])[:100])
        if "value" not in answer:
            raise CandidateFailed("returned a value that is not plain data")
        node = answer["value"]
        if name == entry_point and node[0] == "h":
            raise CandidateFailed("returned a value that is not plain data")
        return decode(node)

    return call


def _class_stub(name: str, link: tuple[int, int], entry_point: str) -> Any:
    """A candidate's class as the test sees it: calling it builds an object in the candidate
    process (a Handle here); asking the class anything (isinstance, attributes) is ungradable."""
    build = _stub(name, link, entry_point)

    def refuse(*args: Any, **kwargs: Any) -> NoReturn:
        raise Ungradable("candidate_object_used")

    meta = _type("CandidateClass", (type,),
                 {"__call__": lambda cls, *a, **k: build(*a, **k), "__instancecheck__": refuse,
                  "__subclasscheck__": refuse, "__getattr__": refuse})
    return meta(name, (), {})


def _scrub_inherited() -> None:
    """Zero the byte buffers the frames below us hold (a fast-path sandbox forks us from a server
    that held every input of the request, and the outputs of its earlier executions): the
    candidate process is forked from this state. A view is zeroed over its own bytes only (an
    output buffer is mostly never-written zeros: zeroing all of it would copy every page)."""
    frame: FrameType | None = sys._getframe(1)
    while frame is not None:
        for value in list(frame.f_locals.values()):
            for item in (value if _type(value) in (list, tuple) else (value,)):
                if (_type(item) not in (bytearray, memoryview)
                        or (_type(item) is memoryview and item.readonly)):
                    continue
                try:
                    item[:] = bytes(item.nbytes if _type(item) is memoryview else _len(item))
                except (BufferError, ValueError, TypeError, NotImplementedError):
                    continue  # exported or odd shape
        frame = frame.f_back


def _no_dumps() -> None:
    """PR_SET_DUMPABLE 0: processes of our uid can no longer open /proc/<us>/mem, fd, environ or
    ptrace us. Our memory (after the request is read) then belongs to us alone. (prctl through
    the interpreter's own symbol table: no dlopen, ctypes is already loaded in a fast path.)"""
    import ctypes

    if ctypes.pythonapi.prctl(4, ctypes.c_ulong(0), ctypes.c_ulong(0), ctypes.c_ulong(0),
                              ctypes.c_ulong(0)) != 0:
        raise OSError("prctl(PR_SET_DUMPABLE, 0) failed")


def main(candidate_source: str | None, entry_point: str | None) -> None:
    """stdin: a 10-digit length, that many bytes of JSON request, then the nonce, all read only
    after the candidate process was forked (none for a trusted checker: candidate_source None)."""
    os.environ.clear()
    try:
        _no_dumps()
        setup_error = None
    except Exception as exc:  # without it the invariant does not hold: report, never run the test
        setup_error = f"{_type(exc).__name__}: {exc}"[:200]
    out_fd = os.dup(1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)  # trusted test code may print; nothing but the verdict reaches out_fd
    os.dup2(devnull, 2)
    os.close(devnull)
    link = pid = None
    if candidate_source is not None and setup_error is None:
        _scrub_inherited()
        calls_r, calls_w = os.pipe()
        answers_r, answers_w = os.pipe()
        pid = os.fork()
        if pid == 0:
            try:
                os.close(out_fd)
                os.close(calls_w)
                os.close(answers_r)
                _candidate(candidate_source, entry_point, calls_r, answers_w)
            finally:
                os._exit(0)
        os.close(calls_r)
        os.close(answers_w)
        link = (calls_w, answers_r)
    request = _recv(0)
    nonce = _read_exact(0, NONCE_CHARS).decode()
    sys.stdin = open(os.devnull)  # noqa: SIM115

    def report(obj: dict[str, Any]) -> NoReturn:
        if _UNGRADABLE:
            obj = {"ungradable": _UNGRADABLE[0]}
        if pid is not None:  # the candidate dies before any verdict exists (the slot reaps it)
            os.kill(pid, 9)
        os.write(out_fd, ("\n" + nonce + " " + json.dumps(obj) + "\n").encode())
        os._exit(0)

    if setup_error is not None:
        report({"infra": setup_error})
    mode = request["mode"]
    ns: dict[str, Any] = {"__name__": "__test__", "__builtins__": builtins, "math": math}
    if mode == "check":  # a trusted checker: no candidate code anywhere in this program
        exec(compile(request["checker"], "checker.py", "exec"), ns)
        verdict = ns["check"](request["input"], request["output"], request["answer"])
        ok = verdict is True or (_type(verdict) in (int, float) and verdict == 1)
        report({"value": ["b", 1 if ok else 0]})
    if link is None or entry_point is None:  # a candidate program always has both
        report({"raised": "CandidateFailed"})
    try:
        ready = _recv(link[1])
    except Exception:
        report({"raised": "CandidateFailed"})
    if "names" not in ready:
        report({"raised": str(ready.get("raised", "CandidateFailed"))[:100]})
    try:
        if mode == "call":  # expected values live outside: forging one means solving the task
            args, kwargs = ast.literal_eval(request["args"])
            _send(link[0], {"name": entry_point, "args": encode(list(args)),
                            "kwargs": encode(kwargs)})
            answer = _recv(link[1])
            if "raised" in answer:
                report({"raised": str(answer["raised"])[:100]})
            if "value" not in answer or answer["value"][0] == "h":
                report({"unencodable": "not plain data"})
            report({"value": answer["value"]})
        # Trusted names first: the problem's prefix (HumanEval's prompt: helpers such as `poly`)
        # runs here, so a candidate redefining a helper the test calls changes nothing.
        exec(compile(request.get("prefix") or "", "prefix.py", "exec"), ns)
        trusted = set(ns)
        for name, kind in ready["names"].items():
            if name in trusted or (name in vars(builtins) and name != entry_point):
                continue  # a candidate's `def abs(x): return 0` must not rewrite the test
            if kind in (["f"], ["k"]):
                ns[name] = (_class_stub if kind == ["k"] and name != entry_point
                            else _stub)(name, link, entry_point)
            else:
                ns[name] = decode(kind[1])
        if entry_point in ready["names"]:
            ns[entry_point] = _stub(entry_point, link, entry_point)
        ns["candidate"] = ns.get(entry_point)
        exec(compile(request["test"], "test.py", "exec"), ns)
        report({"passed": True})
    except Ungradable as exc:
        report({"ungradable": str(exc)[:100]})
    except Unencodable as exc:
        report({"unencodable": str(exc)[:200]})
    except BaseException as exc:  # SystemExit in a finally included: no result is a failure
        report({"raised": _type(exc).__name__})
