"""Fast-path and strict-path fidelity: the same program, given the same input file, must behave
in the sandbox exactly as under a judge's `python3 main.py < input_file` (same stdout, same exit
status, same class of stderr), with real processes on both sides.

The reference is run the way contest judges run Python: stdin is the input *file* (regular and
seekable), an empty environment (so the same UTF-8 locale coercion as the sandbox), and the main
thread's stack raised to 256 MB (`ulimit -s`), the stack the sandbox gives (forkserver.STACK_BYTES).
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import textwrap

import pytest

from sandboxes.base import Limits, Program

LIMITS = Limits(cpu_s=4.0, wall_s=10.0, memory_mb=512, pids=16, stdout_bytes=1 << 20)
STACK_BYTES = 256 << 20

FASTIO = r'''
import os, sys
from io import BytesIO, IOBase

BUFSIZE = 8192

class FastIO(IOBase):
    newlines = 0

    def __init__(self, file):
        self._fd = file.fileno()
        self.buffer = BytesIO()
        self.writable = "x" in file.mode or "r" not in file.mode
        self.write = self.buffer.write if self.writable else None

    def read(self):
        while True:
            b = os.read(self._fd, max(os.fstat(self._fd).st_size, BUFSIZE))
            if not b:
                break
            ptr = self.buffer.tell()
            self.buffer.seek(0, 2), self.buffer.write(b), self.buffer.seek(ptr)
        self.newlines = 0
        return self.buffer.read()

    def readline(self):
        while self.newlines == 0:
            b = os.read(self._fd, max(os.fstat(self._fd).st_size, BUFSIZE))
            self.newlines = b.count(b"\n") + (not b)
            ptr = self.buffer.tell()
            self.buffer.seek(0, 2), self.buffer.write(b), self.buffer.seek(ptr)
        self.newlines -= 1
        return self.buffer.readline()

    def flush(self):
        if self.writable:
            os.write(self._fd, self.buffer.getvalue())
            self.buffer.truncate(0), self.buffer.seek(0)

class IOWrapper(IOBase):
    def __init__(self, file):
        self.buffer = FastIO(file)
        self.flush = self.buffer.flush
        self.writable = self.buffer.writable
        self.write = lambda s: self.buffer.write(s.encode("ascii"))
        self.read = lambda: self.buffer.read().decode("ascii")
        self.readline = lambda: self.buffer.readline().decode("ascii")

sys.stdin, sys.stdout = IOWrapper(sys.stdin), IOWrapper(sys.stdout)
input = lambda: sys.stdin.readline().rstrip("\r\n")

n = int(input())
xs = list(map(int, input().split()))
assert len(xs) == n
print(sum(xs), max(xs))
for x in xs[:5]:
    print(x * 2)
'''

NUMBERS = b"6\n3 1 4 1 5 9\n"

# (id, program, stdin)
CASES = [
    pytest.param(FASTIO, NUMBERS, id="pyrival_style_fastio"),
    pytest.param("import sys\ndata = sys.stdin.buffer.read().split()\n"
                 "print(sum(map(int, data[1:])))",
                 NUMBERS, id="stdin_buffer_read"),
    pytest.param("import os\ndata = os.read(0, os.fstat(0).st_size)\n"
                 "print(len(data), data.split()[0])",
                 NUMBERS, id="os_read_fstat_size"),
    pytest.param("import sys, io\nr = sys.stdin.buffer.raw\nprint(type(r).__name__, r.read(3))",
                 NUMBERS, id="raw_fileio_read"),
    pytest.param("while True:\n    try:\n        line = input()\n"
                 "    except EOFError:\n        break\n"
                 "    print(line[::-1])", b"ab\ncd\nlast-no-newline", id="input_loop_to_eof"),
    pytest.param("print(repr(input()), repr(input()))", b"ab\r\ncd\r\n",
                 id="crlf_is_not_translated"),
    pytest.param("s = input()\nprint(len(s), ascii(s))", b"\xff\xfeok\n", id="undecodable_input"),
    pytest.param("data = open('/dev/stdin').read()\nout = open('/dev/stdout', 'w')\n"
                 "out.write(data.upper())\nout.close()\n"
                 "print(open(0, 'rb').read(2), open('/dev/fd/0').read(1))",
                 NUMBERS, id="dev_stdin_and_stdout_paths"),
    pytest.param("import sys\nsys.stdin.read()\nsys.stdin.seek(0)\nprint(len(sys.stdin.read()))",
                 NUMBERS, id="stdin_is_seekable"),
    pytest.param(textwrap.dedent("""\
        import os, stat, sys
        print(sys.stdin.mode, sys.stdout.mode, sys.stderr.mode)
        print(sys.stdin.name, sys.stdout.name, sys.stderr.name)
        print(sys.stdin.fileno(), sys.stdout.fileno(), sys.stderr.fileno())
        print(sys.stdin.encoding, sys.stdout.encoding, sys.stdin.errors, sys.stdout.errors, sys.stderr.errors)
        print(sys.stdout.line_buffering, sys.stderr.line_buffering, sys.stdout.write_through)
        print(type(sys.stdin.buffer).__name__, type(sys.stdout.buffer).__name__, sys.stdout.isatty())
        print(stat.S_ISREG(os.fstat(0).st_mode), sys.stdin.seekable(), sys.stdout is sys.__stdout__)
        print(sys.argv, __name__, os.path.basename(__file__))
        """), NUMBERS, id="std_stream_attributes"),  # noqa: E501 (program text above)
    pytest.param("import sys\nwith sys.stdout as f:\n    f.write('closed after this\\n')",
                 b"", id="closing_stdout_is_not_an_error"),
    pytest.param("import atexit, io, sys\n"
                 "atexit.register(lambda: print('from atexit', file=sys.__stdout__))\n"
                 "sys.stdout = io.StringIO()\nprint('swallowed')", b"", id="atexit_output_counts"),
    pytest.param("import atexit, sys\natexit.register(lambda: sys.exit(7))\n"
                 "atexit.register(lambda: print('hook'))\nprint('main')\nsys.exit(3)",
                 b"", id="atexit_exit_is_ignored"),
    pytest.param("import sys\nprint('partial')\nsys.exit(3)", b"", id="sys_exit_code"),
    pytest.param("import sys\nprint('partial')\nsys.exit('fatal: message')", b"",
                 id="sys_exit_message"),
    pytest.param("print('x')\nexit(4)", b"", id="site_exit_builtin"),
    pytest.param("import os, sys\nprint('kept'); sys.stdout.flush()\nprint('lost')\nos._exit(5)",
                 b"", id="os_exit_skips_flush"),
    pytest.param("print('before')\nprint(1 / 0)", b"", id="uncaught_exception"),
    pytest.param("import sys\nsys.excepthook = lambda t, v, tb: print('hook', t.__name__)\n"
                 "raise KeyError(1)",
                 b"", id="custom_excepthook"),
    pytest.param(textwrap.dedent("""\
        import threading, time
        def late():
            time.sleep(0.2)
            print('from thread')
        def forever():
            while True:
                time.sleep(0.01)
        threading.Thread(target=late).start()
        threading.Thread(target=forever, daemon=True).start()
        print('main done')
        """), b"", id="threads_running_at_exit"),
    pytest.param(textwrap.dedent("""\
        import sys
        from functools import lru_cache
        sys.setrecursionlimit(10 ** 6)
        @lru_cache(maxsize=None)
        def depth(n):
            return 0 if n == 0 else depth(n - 1) + 1
        def plain(n):
            return 0 if n == 0 else plain(n - 1) + 1
        print(plain(200000), depth(300000))
        """), b"", id="deep_recursion_with_raised_limit", marks=pytest.mark.slow),
    pytest.param("for i in range(20000):\n    print(i, flush=True)", b"", id="print_flush_flood"),
    pytest.param("f = open(1, 'w', closefd=False)\nf.write('unflushed file object\\n')",
                 b"", id="file_object_flushed_at_exit"),
    pytest.param("import sys\nsys.stdout.write('text ')\nsys.stdout.buffer.write(b'bytes\\n')\n"
                 "print('end')",
                 b"", id="text_and_buffer_interleaved"),
    pytest.param("import sys\nsys.stdout.close()\nprint('after close')", b"",
                 id="print_after_close"),
]


def _stderr_class(stderr: bytes) -> str:
    """What kind of stderr: empty, or the last line's leading token (an exception type name or
    the first word of a message); tracebacks differ in paths, not in class."""
    lines = [ln for ln in stderr.decode("utf-8", "replace").splitlines() if ln.strip()]
    return lines[-1].split(":")[0].strip() if lines else ""


def _reference(source: str, stdin: bytes) -> tuple[bytes, int, str]:
    with tempfile.TemporaryDirectory() as d:
        with open(os.path.join(d, "main.py"), "w") as f:
            f.write(source)
        with open(os.path.join(d, "input.txt"), "wb") as f:
            f.write(stdin)

        def judge_stack():
            resource.setrlimit(resource.RLIMIT_STACK, (STACK_BYTES, STACK_BYTES))

        with open(os.path.join(d, "input.txt"), "rb") as fin:
            p = subprocess.run([os.path.realpath(sys.executable), "main.py"], stdin=fin,
                               capture_output=True, cwd=d, env={}, timeout=30,
                               preexec_fn=judge_stack)
    return p.stdout, p.returncode, _stderr_class(p.stderr)


# the strict path (a fresh interpreter per execution) is slower: its half runs with the slow tests;
# the docker row (the worker's fast path inside a real container) runs under -m docker
@pytest.fixture(scope="module", params=["fast", pytest.param("strict", marks=pytest.mark.slow),
                                        pytest.param("fast-userns", marks=pytest.mark.slow),
                                        pytest.param("docker", marks=pytest.mark.docker)])
def sandbox(request):
    if request.param == "docker":
        # a real engine (DOCKER_HOST or the default socket) and the base image, or a stated skip
        from sandboxes.docker import DockerSandbox

        try:
            sb = DockerSandbox(slots=1)
        except RuntimeError as exc:
            pytest.skip(f"docker backend cannot start here: {exc}")
        yield sb
        sb.close()
        return
    if not sys.platform.startswith("linux"):
        pytest.skip(f"LocalSandbox needs Linux namespaces; this is {sys.platform}")
    from sandboxes.local import LocalSandbox

    try:
        sb = LocalSandbox(slots=1, python_fast_path=request.param != "strict",
                          mode="userns" if request.param == "fast-userns" else "auto",
                          uid_base={"fast": 62400, "strict": 62410}.get(request.param, 62420))
    except RuntimeError as exc:
        pytest.skip(f"LocalSandbox cannot start on this host: {exc}")
    yield sb
    sb.close()


@pytest.mark.parametrize(("source", "stdin"), CASES)
def test_sandbox_matches_plain_python(sandbox, source, stdin):
    want = _reference(source, stdin)
    r = sandbox.run(Program(source), [stdin], LIMITS)[0]
    assert r.status.value != "sandbox_error", r.detail
    got = (r.stdout, r.exit_code, _stderr_class(r.stderr))
    assert got == want, r.stderr.decode("utf-8", "replace")[-600:]


def test_reference_really_differs_between_cases():
    """The property is not vacuous: the table's programs give distinct, non-trivial results."""
    outs = {_reference(p.values[0], p.values[1]) for p in CASES[:6]}
    assert len(outs) == 6 and all(o[0] for o in outs)
