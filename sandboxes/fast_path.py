"""The in-process Python fast path of one execution: in the forked, already confined child, run
the program as `python3 main.py < input_file` would (std streams as CPython builds them; exit,
atexit and flush life-cycle; teardown) and _exit; it confines nothing and never returns."""

from __future__ import annotations

import atexit
import builtins
import contextlib
import io
import os
import signal
import sys
import threading
import traceback
import types
from typing import TextIO, cast

# Encoding and error handlers of the std streams, as sys.__stdout__/__stderr__ report them
# (TextIO declares .errors optional; io.TextIOWrapper takes None as 'strict').
StdioConfig = dict[str, "str | None"]


def stdio_config() -> StdioConfig:
    """Encoding and error handlers of the std streams as CPython chose them for this server,
    which runs with the strict path's environment (no locale variables, so the same coercion to
    UTF-8): the fast path builds its streams with the same settings."""
    cfg: StdioConfig = {"encoding": "utf-8", "errors": "surrogateescape",
                        "stderr_errors": "backslashreplace"}
    for stream, key in ((sys.__stdout__, "errors"), (sys.__stderr__, "stderr_errors")):
        if stream is not None:
            cfg[key] = stream.errors
            cfg["encoding"] = stream.encoding
    return cfg


def _std_stream(fd: int, write: bool, name: str, cfg: StdioConfig) -> io.TextIOWrapper:
    """One std stream exactly as CPython's create_stdio builds it on Linux: io.open of the fd
    (buffered, closefd=False) named '<stdout>', a TextIOWrapper with newline='\\n' (no
    translation), line buffering only for stderr or a tty, and a .mode attribute."""
    buf: io.BufferedWriter | io.BufferedReader
    if write:
        buf = io.open(fd, "wb", -1, closefd=False)  # noqa: UP020, SIM115
    else:
        buf = io.open(fd, "rb", -1, closefd=False)  # noqa: UP020, SIM115
    raw = cast(io.FileIO, buf.raw)  # io.open of an fd buffers an io.FileIO; typeshed says RawIOBase
    raw.name = name
    errors = cfg["stderr_errors"] if fd == 2 else cfg["errors"]
    line_buffering = fd == 2 or raw.isatty()
    stream = io.TextIOWrapper(buf, cfg["encoding"], errors, "\n", line_buffering, False)
    # typeshed declares TextIOWrapper.mode read-only; CPython's stream takes the attribute
    stream.mode = "w" if write else "r"  # type: ignore[misc]
    return stream


def _is_closed(stream: TextIO | io.IOBase) -> bool:
    try:
        return bool(stream.closed)
    except BaseException:
        return False  # as CPython: a stream without a readable .closed is flushed anyway


def _flush_std_files() -> bool:
    """CPython's flush_std_files: flush sys.stdout and sys.stderr unless None or closed; a
    failing stdout flush is reported and makes the exit status 120."""
    ok = True
    out, err = getattr(sys, "stdout", None), getattr(sys, "stderr", None)
    if out is not None and not _is_closed(out):
        try:
            out.flush()
        except BaseException as exc:
            _unraisable(exc, out)
            ok = False
    if err is not None and not _is_closed(err):
        try:
            err.flush()
        except BaseException:
            ok = False
    return ok


def _unraisable(exc: BaseException, obj: object, msg: str | None = None) -> None:
    with contextlib.suppress(BaseException):
        sys.unraisablehook(types.SimpleNamespace(exc_type=type(exc), exc_value=exc,
                                                 exc_traceback=exc.__traceback__,
                                                 err_msg=msg, object=obj))


def run_python_here(source: bytearray, stdlib_path: list[str], stdio: StdioConfig) -> None:
    """The fast path: run the program in this forked interpreter the way `python3 main.py` with
    its input file on fd 0 would, then _exit. Life-cycle as CPython's Py_RunMain/Py_FinalizeEx:
    fresh __main__; an uncaught exception goes to sys.excepthook (status 1); SystemExit(code)
    gives code (None 0, int & 0xFF, anything else printed to stderr, 1); then non-daemon threads
    are joined, atexit hooks run (their exceptions, SystemExit included, are printed and ignored),
    sys.stdout/sys.stderr are flushed unless closed (a failing stdout flush gives 120), the
    program's global file objects are closed (as their finalisers would at exit), and the original
    streams are flushed again (what an atexit hook wrote to sys.__stdout__ counts). Daemon
    threads are not stopped before that teardown as CPython stops them; os._exit ends them."""
    atexit._clear()
    sys.argv = ["main.py"]
    sys.path[:] = [""] + stdlib_path
    # typeshed marks sys.__std*__ Final; a fresh interpreter sets them, and so does this one
    sys.stdin = sys.__stdin__ = _std_stream(0, False, "<stdin>", stdio)  # type: ignore[misc]
    sys.stdout = sys.__stdout__ = _std_stream(1, True, "<stdout>", stdio)  # type: ignore[misc]
    sys.stderr = sys.__stderr__ = _std_stream(2, True, "<stderr>", stdio)  # type: ignore[misc]
    sys.excepthook = sys.__excepthook__
    sys.unraisablehook = sys.__unraisablehook__
    main = types.ModuleType("__main__")
    main.__file__ = os.path.join(os.getcwd(), "main.py")
    main.__dict__["__builtins__"] = builtins  # a module attribute is its __dict__ entry
    main.__dict__["__cached__"] = None
    sys.modules["__main__"] = main
    code = 0
    try:
        exec(compile(source, "main.py", "exec"), main.__dict__)
    except SystemExit as exc:
        code = _exit_code(exc)
    except BaseException as exc:
        tb = exc.__traceback__.tb_next if exc.__traceback__ else None  # from <module> on
        exc.__traceback__ = tb
        sys.last_type, sys.last_value, sys.last_traceback = type(exc), exc, tb
        try:
            sys.excepthook(type(exc), exc, tb)
        except BaseException:
            with contextlib.suppress(BaseException):
                traceback.print_exception(type(exc), exc, tb)
        code = 1
    del source
    try:
        # like interpreter shutdown: wait for non-daemon threads (private, absent from typeshed)
        threading._shutdown()  # type: ignore[attr-defined]
    except BaseException as exc:
        _unraisable(exc, None)
    atexit._run_exitfuncs()  # prints and ignores each hook's exception, as at exit
    if not _flush_std_files():
        code = 120
    # Interpreter teardown closes the program's file objects (an unflushed one flushes then).
    # The main module is not cleared as CPython does: daemon threads still run here (CPython
    # stops them first), so its global file objects are closed in place instead.
    std = {id(x) for x in (sys.stdin, sys.stdout, sys.stderr, sys.__stdin__, sys.__stdout__,
                           sys.__stderr__)}
    for value in list(main.__dict__.values()):
        if isinstance(value, io.IOBase) and id(value) not in std and not _is_closed(value):
            try:
                value.close()
            except BaseException as exc:
                _unraisable(exc, value)
    sys.stdin, sys.stdout, sys.stderr = sys.__stdin__, sys.__stdout__, sys.__stderr__
    if not _flush_std_files():
        code = 120
    # The server kills every process of the namespace once this one is gone, but a process
    # woken by our exit (PR_SET_PDEATHSIG, EOF on a pipe) could still write in between: kill
    # them first, while we are alive (kill(-1) spares us and pid 1, the server).
    with contextlib.suppress(OSError):
        os.kill(-1, signal.SIGKILL)
    os._exit(code)


def _exit_code(exc: SystemExit) -> int:
    if exc.code is None:
        return 0
    if isinstance(exc.code, int):
        return exc.code & 0xFF
    with contextlib.suppress(BaseException):
        print(exc.code, file=sys.stderr)
    return 1
