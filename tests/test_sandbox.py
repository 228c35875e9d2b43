"""Sandbox property suite: one property per test, run against every backend through the Sandbox
protocol with real processes and real kernel isolation (no mocks)."""

from __future__ import annotations

import os
import shutil
import socket
import sys
import tempfile
import threading

import pytest

from sandboxes.base import Limits, Program, RunResult, Sandbox, Status

FAST = Limits(cpu_s=1.0, wall_s=3.0, memory_mb=256, pids=16)
# docker rows carry the `docker` marker: deselected by default, skipped with a reason under
# -m docker
BACKENDS = ["local", "local-userns", pytest.param("local-cgroup2", marks=pytest.mark.slow),
            pytest.param("docker", marks=pytest.mark.docker)]


def _make(name: str) -> Sandbox:
    if name == "docker":
        # a real engine (DOCKER_HOST or the default socket) and the base image, or a stated skip
        from sandboxes.docker import DockerSandbox

        try:
            return DockerSandbox(slots=1)
        except RuntimeError as exc:
            pytest.skip(f"docker backend cannot start here: {exc}")
    if not sys.platform.startswith("linux"):
        pytest.skip(f"LocalSandbox needs Linux namespaces; this is {sys.platform}")
    from sandboxes.local import LocalSandbox

    mode = "userns" if name == "local-userns" else "auto"
    cgroup_version = "v2" if name == "local-cgroup2" else "auto"  # the v2 subtree, where mounted
    try:
        return LocalSandbox(slots=1, mode=mode, cgroup_version=cgroup_version)
    except RuntimeError as exc:
        pytest.skip(f"{name} cannot start on this host: {exc}")


@pytest.fixture(scope="module", params=BACKENDS)
def sandbox(request):
    sb = _make(request.param)
    yield sb
    sb.close()


def run1(sb: Sandbox, source: str, stdin: bytes = b"", limits: Limits = FAST,
         language: str = "python") -> RunResult:
    results = sb.run(Program(source, language), [stdin], limits)
    assert len(results) == 1
    return results[0]


def layer(sb: Sandbox, name: str) -> None:
    if name not in sb.describe()["active"]:
        pytest.skip(
            f"layer {name!r} not active on this backend: {sb.describe()['missing'].get(name)}"
        )


# --- honest programs -------------------------------------------------------------------------


def test_echo_stdin_to_stdout(sandbox):
    r = run1(sandbox, "import sys\nsys.stdout.write(sys.stdin.read()[::-1])", b"abc\n")
    assert (r.status, r.stdout, r.exit_code) == (Status.OK, b"\ncba", 0)


def test_one_request_many_stdins_in_order(sandbox):
    rs = sandbox.run(Program("print(int(input()) * 2)"), [b"1", b"2", b"3"], FAST)
    assert [r.stdout for r in rs] == [b"2\n", b"4\n", b"6\n"]


def test_large_stdin_round_trips(sandbox):
    data = os.urandom(3 << 20).hex().encode()[: 3 << 20]
    r = run1(
        sandbox,
        "import sys,hashlib\nprint(hashlib.sha256(sys.stdin.buffer.read()).hexdigest())",
        data,
        Limits(cpu_s=2, stdout_bytes=1 << 20),
    )
    import hashlib

    assert r.stdout.decode().strip() == hashlib.sha256(data).hexdigest()


def test_slow_but_within_limit_is_ok(sandbox):
    src = "import time\nt=time.process_time()\nwhile time.process_time()-t<0.4: pass\nprint('done')"
    r = run1(sandbox, src, limits=Limits(cpu_s=1.5))
    assert (r.status, r.stdout) == (Status.OK, b"done\n")


def test_deep_recursion_is_ok(sandbox):
    src = ("import sys\nsys.setrecursionlimit(10**6)\n"
           "def d(n): return 0 if n == 0 else 1 + d(n-1)\nprint(d(100000))")
    r = run1(sandbox, src, limits=Limits(cpu_s=2, memory_mb=512))
    assert (r.status, r.stdout) == (Status.OK, b"100000\n"), r.stderr[-300:]


def test_exception_is_runtime_error(sandbox):
    r = run1(sandbox, "raise ValueError('boom')")
    assert r.status is Status.RUNTIME_ERROR and r.exit_code == 1 and b"ValueError" in r.stderr


def test_sys_exit_code_is_reported(sandbox):
    assert run1(sandbox, "import sys; sys.exit(3)").exit_code == 3


def test_cpp_compile_once_run_many(sandbox):
    src = "#include <iostream>\nint main(){long a; std::cin>>a; std::cout<<a*a<<std::endl;}"
    rs = sandbox.run(Program(src, "cpp"), [b"3", b"12"], FAST)
    assert [(r.status, r.stdout) for r in rs] == [(Status.OK, b"9\n"), (Status.OK, b"144\n")]


def test_cpp_compile_error(sandbox):
    rs = sandbox.run(Program("int main( { return 0; }", "cpp"), [b"", b""], FAST)
    assert [r.status for r in rs] == [Status.COMPILE_ERROR] * 2


def test_cpp_cannot_include_host_secrets(sandbox):
    r = run1(sandbox, f'#include "{os.path.abspath(__file__)}"\nint main(){{}}', language="cpp")
    assert r.status is Status.COMPILE_ERROR


def test_stop_on_error_skips_the_rest(sandbox):
    rs = sandbox.run(Program("x = int(input())\nassert x != 2\nprint(x)"), [b"1", b"2", b"3"], FAST,
                     stop_on_error=True)
    assert [r.status for r in rs] == [Status.OK, Status.RUNTIME_ERROR]


# --- limits ----------------------------------------------------------------------------------


def test_infinite_loop_hits_time_limit(sandbox):
    r = run1(sandbox, "while True: pass")
    assert r.status is Status.TIME_LIMIT


def test_loop_that_catches_the_cpu_signal_hits_time_limit(sandbox):
    src = ("import signal\nfor s in (signal.SIGXCPU, signal.SIGALRM, signal.SIGTERM):\n"
           "    signal.signal(s, lambda *a: None)\nwhile True: pass")
    assert run1(sandbox, src).status is Status.TIME_LIMIT


def test_sleeping_past_the_limit_hits_time_limit(sandbox):
    r = run1(sandbox, "import time\ntime.sleep(60)", limits=Limits(cpu_s=0.5, wall_s=1.0))
    assert r.status is Status.TIME_LIMIT and r.wall_s < 3


def test_ignoring_sigterm_does_not_help(sandbox):
    src = "import signal,time\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\ntime.sleep(60)"
    r = run1(sandbox, src, limits=Limits(cpu_s=0.5, wall_s=1.0))
    assert r.status is Status.TIME_LIMIT and r.wall_s < 3


def test_right_output_then_limit_violation_is_not_ok(sandbox):
    r = run1(sandbox, "print(42, flush=True)\nwhile True: pass")
    assert r.status is Status.TIME_LIMIT and r.stdout == b"42\n"


def test_memory_bomb_hits_memory_limit(sandbox):
    src = "x = []\nwhile True: x.append(bytearray(1 << 20))"
    assert run1(sandbox, src, limits=Limits(cpu_s=2, memory_mb=128)).status is Status.MEMORY_LIMIT


def test_fork_bomb_is_contained(sandbox):
    if (
        "cgroup_pids" not in sandbox.describe()["active"]
        and "uid" not in sandbox.describe()["active"]
    ):
        pytest.skip("no process cap on this backend (neither pids cgroup nor per-slot uid nproc)")
    src = "import os\nwhile True:\n    try: os.fork()\n    except OSError: pass"
    r = run1(sandbox, src, limits=Limits(cpu_s=1, wall_s=2, pids=16))
    assert r.status is not Status.OK
    assert run1(sandbox, "print('alive')").stdout == b"alive\n"


def test_thread_explosion_is_contained(sandbox):
    src = ("import threading,time\nts=[]\nwhile True:\n"
           "    t=threading.Thread(target=time.sleep, args=(30,)); t.start(); ts.append(t)")
    r = run1(sandbox, src, limits=Limits(cpu_s=1, wall_s=2, pids=16))
    assert r.status is not Status.OK and r.wall_s < 4


def test_huge_stdout_hits_output_limit(sandbox):
    r = run1(sandbox, "while True: print('x' * 1000)", limits=Limits(cpu_s=2, stdout_bytes=1 << 16))
    assert r.status is Status.OUTPUT_LIMIT and len(r.stdout) <= 1 << 16


def test_huge_file_write_hits_output_limit(sandbox):
    src = "with open('big', 'wb') as f:\n    while True: f.write(b'x' * (1 << 20))"
    r = run1(sandbox, src, limits=Limits(cpu_s=2, written_bytes=4 << 20))
    assert r.status is Status.OUTPUT_LIMIT


def test_stray_descendants_are_killed_when_main_exits(sandbox):
    src = ("import os,time\nif os.fork() == 0:\n    time.sleep(60)\n    os._exit(0)\n"
           "print('parent done')")
    r = run1(sandbox, src, limits=Limits(cpu_s=1, wall_s=5))
    assert (r.status, r.stdout) == (Status.OK, b"parent done\n") and r.wall_s < 2
    # pid 1 is the slot server (visible when it shares our uid); nothing else may be left
    src = (
        "import os\n"
        "print([p for p in os.listdir('/proc')"
        " if p.isdigit() and p not in ('1', str(os.getpid()))])"
    )
    assert run1(sandbox, src).stdout == b"[]\n"


def test_daemonized_orphan_holding_stdout_cannot_stall_the_run(sandbox):
    src = ("import os,time\nif os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n"
           "        while True: print('still here', flush=True); time.sleep(0.1)\n    os._exit(0)\n"
           "time.sleep(0.2)\nprint('main done')")
    r = run1(sandbox, src, limits=Limits(cpu_s=1, wall_s=5))
    assert r.status is Status.OK and r.wall_s < 2


# --- isolation -------------------------------------------------------------------------------


def test_environment_is_empty(sandbox, monkeypatch):
    monkeypatch.setenv("VERITY_TEST_SECRET", "hunter2")
    r = run1(sandbox, "import os\nprint(dict(os.environ))")
    assert r.stdout == b"{}\n"


def test_host_files_are_not_visible(sandbox):
    src = (
        "import sys\nfor p in sys.stdin.read().split():\n"
        "    try: open(p).read(1); print('READ', p)\n"
        "    except OSError as e: print(type(e).__name__)"
    )
    paths = (
        f"{os.path.abspath(__file__)} /etc/shadow /etc/passwd /root/.bash_history /proc/1/environ"
    )
    r = run1(sandbox, src, paths.encode())
    assert r.status is Status.OK and b"READ" not in r.stdout


def test_writes_outside_the_work_dir_fail_with_ordinary_errors(sandbox, tmp_path):
    target = tmp_path / "victim.txt"
    target.write_text("keep")
    src = ("import sys, os\nfor p in sys.stdin.read().split():\n"
           "    try: open(p, 'w').write('x'); print('WROTE', p)\n"
           "    except OSError as e: print(e.errno)\n"
           "open('ok.txt', 'w').write('fine'); print('workdir ok')")
    paths = f"{target} /tmp/x /usr/x /etc/ld.so.cache /x /proc/sys/kernel/hostname /dev/x"
    r = run1(sandbox, src, paths.encode())
    assert r.status is Status.OK and b"WROTE" not in r.stdout and b"workdir ok" in r.stdout
    assert target.read_text() == "keep"


def test_deleting_outside_the_work_dir_fails(sandbox, tmp_path):
    target = tmp_path / "victim.txt"
    target.write_text("keep")
    src = ("import os, sys, shutil\nfor p in sys.stdin.read().split():\n"
           "    try: os.remove(p); print('DELETED', p)\n    except OSError as e: print(e.errno)")
    r = run1(sandbox, src, f"{target} /etc/ld.so.cache /dev/null".encode())
    assert b"DELETED" not in r.stdout and target.exists()
    assert os.path.exists("/etc/ld.so.cache") and os.path.exists("/dev/null")


def test_work_dir_is_fresh_each_run(sandbox):
    run1(sandbox, "open('left_behind', 'w').write('x')")
    r = run1(sandbox, "import os\nprint(os.listdir('.'))")
    assert b"left_behind" not in r.stdout


def test_outside_address_is_unreachable(sandbox):
    # creating the socket may already fail (seccomp: AF_UNIX only); either way nothing connects
    src = ("import socket\ntry:\n s = socket.socket()\n s.settimeout(2)\n"
           " s.connect(('1.1.1.1', 80)); print('CONNECTED')\nexcept OSError as e: print(e.errno)")
    r = run1(sandbox, src)
    assert r.status is Status.OK and b"CONNECTED" not in r.stdout and r.wall_s < 2


def test_host_loopback_service_is_unreachable(sandbox):
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    server.settimeout(0.5)
    port = server.getsockname()[1]
    accepted = []
    t = threading.Thread(target=lambda: accepted.append(_try_accept(server)))
    t.start()
    src = ("import socket,sys\nport=int(sys.stdin.read())\n"
           "try: socket.create_connection(('127.0.0.1', port), timeout=1); print('CONNECTED')\n"
           "except OSError as e: print(e.errno)")
    r = run1(sandbox, src, str(port).encode())
    t.join()
    server.close()
    assert b"CONNECTED" not in r.stdout and accepted == [False]


def _try_accept(server: socket.socket) -> bool:
    try:
        server.accept()[0].close()
        return True
    except OSError:
        return False


def test_cannot_kill_the_grader(sandbox):
    src = ("import os, signal, sys\npid = int(sys.stdin.read())\n"
           "for p in (pid, 1, -1, os.getppid()):\n"
           "    try: os.kill(p, signal.SIGKILL); print('sent', p)\n"
           "    except OSError as e: print(e.errno)")
    r = run1(sandbox, src, str(os.getpid()).encode())
    assert r.status in (Status.OK, Status.RUNTIME_ERROR)
    assert run1(sandbox, "print('alive')").stdout == b"alive\n"


_MEMORY_SCAN = r"""
import ctypes, re
found = set()
pattern = re.compile(rb"LEAK" + rb"MARK:([0-9a-f]{32})")
for line in open("/proc/self/maps"):
    fields = line.split()
    if "r" not in fields[1] or (len(fields) > 5 and not fields[5].startswith("[heap")):
        continue  # anonymous memory and the heap: where a copied-in buffer would linger
    lo, hi = (int(x, 16) for x in fields[0].split("-"))
    if hi - lo < 1 << 28:
        found.update(m.group(1) for m in pattern.finditer(ctypes.string_at(lo, hi - lo)))
print(b" ".join(sorted(found)).decode())
"""


def test_earlier_inputs_and_outputs_are_not_in_a_programs_memory(sandbox):
    import secrets

    out_token, in_token, src_token = (secrets.token_hex(16) for _ in range(3))
    run1(sandbox, "import sys\nprint('LEAK' + 'MARK:' + sys.stdin.read())", out_token.encode())
    run1(sandbox, "import sys\nsys.stdin.read()", f"LEAKMARK:{in_token}".encode())
    run1(sandbox, f"# a sibling's solution: LEAKMARK:{src_token}\nprint(1)")
    r = run1(sandbox, _MEMORY_SCAN, limits=Limits(cpu_s=2, memory_mb=512))
    assert r.status is Status.OK, r.stderr[-300:]
    for token in (out_token, in_token, src_token):
        assert token.encode() not in r.stdout


def test_kernel_attack_surface_is_filtered(sandbox):
    layer(sandbox, "seccomp")
    src = ("import ctypes, os\nlibc = ctypes.CDLL(None, use_errno=True)\n"
           "print(libc.unshare(0x10000000), libc.mount(b'none', b'/work', b'tmpfs', 0, None),"
           " libc.ptrace(16, 1, 0, 0))")
    r = run1(sandbox, src)
    assert r.stdout == b"-1 -1 -1\n"


def test_refuses_to_start_without_a_required_layer():
    from sandboxes.local import LAYERS, LocalSandbox

    with pytest.raises(RuntimeError, match="required isolation layers missing: uid"):
        LocalSandbox(slots=1, mode="userns", require=["uid"])
    with pytest.raises(ValueError, match="require="):
        LocalSandbox(slots=1, require=["nonsense"])
    assert "landlock" in LAYERS


def test_strict_path_runs_a_fresh_interpreter():
    from sandboxes.local import LocalSandbox

    with LocalSandbox(slots=1, python_fast_path=False) as sb:
        # CPython's own C-locale coercion may add LC_CTYPE; nothing of the grader's may appear
        src = ("import sys, os\n"
               "print(len(sys.modules) < 200, set(os.environ) - {'LC_CTYPE'}, os.getcwd())")
        r = run1(sb, src)
        assert r.status is Status.OK and r.stdout.startswith(b"True set() /work/"), r.stderr
        assert run1(sb, "while True: pass").status is Status.TIME_LIMIT


def test_close_leaves_no_processes_or_cgroups():
    from sandboxes.local import LocalSandbox

    sb = LocalSandbox(slots=1)
    pids = [s.proc.pid for s in sb._slots]
    cgroups = [d for s in sb._slots for d in s.cgroups.dirs.values()]
    run1(sb, "import os, time\nif os.fork() == 0: time.sleep(60)")
    sb.close()
    for pid in pids:
        assert not os.path.exists(f"/proc/{pid}")
    for d in cgroups:
        assert not os.path.exists(d)
    assert shutil.which("true")  # the host root is untouched by our private mounts


def test_concurrent_requests_from_threads_all_answer_right():
    from concurrent.futures import ThreadPoolExecutor

    from sandboxes.local import LocalSandbox

    with LocalSandbox(slots=2) as sb:
        prog = Program("print(int(input()) ** 2)")
        with ThreadPoolExecutor(4) as pool:
            outs = list(
                pool.map(lambda i: sb.run(prog, [str(i).encode()], FAST)[0].stdout, range(24))
            )
        assert outs == [f"{i * i}\n".encode() for i in range(24)]


def test_a_dead_slot_is_masked_then_replaced():
    import signal

    from sandboxes.local import LocalSandbox

    with LocalSandbox(slots=1) as sb:
        victim = sb._slots[0].proc.pid
        os.kill(victim, signal.SIGKILL)  # our side failing: the slot's launcher dies
        r = run1(sb, "print('x')")
        assert r.status is Status.SANDBOX_ERROR
        assert run1(sb, "print('back')").stdout == b"back\n"
        assert sb._slots[0].proc.pid != victim


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"cpu_s": 0}, "cpu_s=0"), ({"memory_mb": 1.5}, "memory_mb=1.5"),
    ({"open_files": 4}, "open_files=4"), ({"wall_s": float("inf")}, "wall_s=inf"),
])
def test_limits_validation_names_key_and_value(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Limits(**kwargs)


_UNPRIVILEGED_PROBE = r"""
import json, sys
from sandboxes.base import Limits, Program
from sandboxes.local import LocalSandbox
with LocalSandbox(slots=1) as sb:
    src = ("import os, socket\nout = [os.getuid(), sorted(os.environ)]\n"
           "for p in ('/etc/shadow', '/usr/x', '/tmp/x'):\n"
           "    try: open(p, 'w'); out.append('WROTE')\n    except OSError as e: out.append(e.errno)\n"
           "try: socket.create_connection(('127.0.0.1', 22), timeout=1); out.append('CONNECTED')\n"
           "except OSError as e: out.append(e.errno)\nprint(out)")
    ok = sb.run(Program(src), [b""], Limits())[0]
    loop = sb.run(Program("while True: pass"), [b""], Limits(cpu_s=0.5, wall_s=1))[0]
    print(json.dumps({"describe": sb.describe(), "ok": [ok.status, ok.stdout.decode()],
                      "loop": loop.status}))
"""  # noqa: E501 (a program's text: wrapping its long line would change the program)


def test_unprivileged_user_namespace_fallback_as_a_real_unprivileged_user():
    """Runs the whole backend as uid 65534 (no root, no cgroups): the user-namespace fallback."""
    import json
    import subprocess

    if os.geteuid() != 0:
        pytest.skip("needs root to switch to an unprivileged uid for this test")
    setpriv = shutil.which("setpriv")
    python = "/usr/bin/python3"
    if not setpriv or not os.access(python, os.X_OK):
        pytest.skip("needs setpriv and a system python3 that an unprivileged user can execute")
    # The checkout may live where uid 65534 cannot enter (a 0700 home or mktemp -d), so the
    # unprivileged process imports a world-readable copy of the package, not the checkout.
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    with tempfile.TemporaryDirectory(prefix="verity-unpriv-") as copy:
        os.chmod(copy, 0o755)
        shutil.copytree(os.path.join(root, "sandboxes"), os.path.join(copy, "sandboxes"),
                        ignore=shutil.ignore_patterns("__pycache__"))
        for dirpath, dirnames, filenames in os.walk(copy):
            for name in dirnames:
                os.chmod(os.path.join(dirpath, name), 0o755)
            for name in filenames:
                os.chmod(os.path.join(dirpath, name), 0o644)
        proc = subprocess.run([setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", "env",
                               "-i", f"PYTHONPATH={copy}", python, "-c", _UNPRIVILEGED_PROBE],
                              capture_output=True, text=True, timeout=60, cwd="/")
    if proc.returncode != 0 and "failed to start" in proc.stderr:
        pytest.skip(f"user namespaces unavailable to unprivileged users here: {proc.stderr[-300:]}")
    assert proc.returncode == 0, proc.stderr[-2000:]
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    active = report["describe"]["active"]
    assert {"userns", "pid", "net", "fs", "landlock", "seccomp"} <= set(active)
    assert "outer uid 65534" in active["userns"] and "cgroup_pids" in report["describe"]["missing"]
    assert (
        report["ok"][0] == "ok"
        and "WROTE" not in report["ok"][1]
        and "CONNECTED" not in report["ok"][1]
    )
    assert report["ok"][1].startswith("[0, [],")
    assert report["loop"] == "time_limit"


def test_forked_child_drops_the_local_slots_pipes():
    """A plain fork (DeadlinePool workers, multiprocessing) must not keep the slots' pipe ends:
    a slot server ends on EOF of its request pipe, so an inherited write end held by a child
    would keep it alive after the parent's close()."""
    from sandboxes.local import LocalSandbox

    with LocalSandbox(slots=1) as sb:
        assert run1(sb, "print(7)").stdout == b"7\n"
        fds = [fd for slot in sb._slots for fd in (slot.req_w, slot.resp_r)]
        pid = os.fork()
        if pid == 0:  # child: the parent's pipe ends are closed and its sandbox refuses work
            closed = 0
            for fd in fds:
                try:
                    os.fstat(fd)
                except OSError:
                    closed += 1
            try:
                sb.run(Program("print(1)"), [b""], FAST)
                refused = False
            except RuntimeError:
                refused = True
            os._exit(0 if closed == len(fds) and refused else 1)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0
        assert run1(sb, "print(8)").stdout == b"8\n"  # the parent's sandbox is untouched


# --- one execution never sees another (issue 11 items 2, 8, 12) -------------------------------

_SCAN_OR_ECHO = r"""
import sys
data = sys.stdin.buffer.read()
if data.startswith(b"echo "):
    print("LEAK" + "MARK:" + data[5:].decode())
elif data == b"scan":
""" + "".join("    " + line + "\n" for line in _MEMORY_SCAN.strip().splitlines())


def test_other_executions_of_a_request_are_not_in_a_programs_memory(sandbox):
    """Executions 2..N of one request are forked while the server serves that request: neither
    an earlier execution's input or output nor a later execution's input may be in memory."""
    import secrets

    echoed, earlier, later = (secrets.token_hex(16) for _ in range(3))
    stdins = [f"echo {echoed}".encode(), f"LEAKMARK:{earlier}".encode(), b"scan",
              f"LEAKMARK:{later}".encode()]
    rs = sandbox.run(Program(_SCAN_OR_ECHO), stdins, Limits(cpu_s=2, memory_mb=512))
    assert [r.status for r in rs] == [Status.OK] * 4, rs[2].stderr[-300:]
    assert rs[0].stdout == f"LEAKMARK:{echoed}\n".encode()  # the marker did exist in output
    for token in (echoed, earlier, later):
        assert token.encode() not in rs[2].stdout


_IPC_LEAVE = r"""
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
libc.shmat.restype = ctypes.c_void_p
size = int(os.read(0, 64) or b"4096")
shm = libc.shmget(0x5EED, size, 0o1666)  # IPC_CREAT | 0666
assert shm >= 0, ctypes.get_errno()
addr = libc.shmat(shm, None, 0)
ctypes.memset(addr, 0x41, size)  # touch every page: charged to whoever runs this
ctypes.memmove(addr, b"secret-123", 10)
q = libc.msgget(0x5EED, 0o1666)
msg = ctypes.create_string_buffer(ctypes.c_long(1).value.to_bytes(8, "little") + b"secret-123")
print(shm >= 0, q >= 0 and libc.msgsnd(q, msg, 10, 0) == 0,
      libc.semget(0x5EED, 1, 0o1666) >= 0,
      libc.mq_open(b"/verity-secret", os.O_CREAT | os.O_RDWR, 0o666, None) >= 0)
"""

_IPC_LOOK = r"""
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
seen = []
for kind in ("shm", "msg", "sem"):
    with open(f"/proc/sysvipc/{kind}") as f:
        seen += [kind + ":" + row.split()[0] for row in f.read().splitlines()[1:]]
seen += ["shmget"] if libc.shmget(0x5EED, 0, 0) >= 0 else []
seen += ["msgget"] if libc.msgget(0x5EED, 0) >= 0 else []
seen += ["mq_open"] if libc.mq_open(b"/verity-secret", os.O_RDONLY) >= 0 else []
print(" ".join(seen) or "nothing")
"""


def test_ipc_objects_of_one_run_are_gone_for_the_next(sandbox):
    left = run1(sandbox, _IPC_LEAVE, b"4096")
    # SysV objects are created; a POSIX queue may be refused (Landlock answers EACCES here)
    assert left.status is Status.OK and left.stdout.startswith(b"True True True "), \
        left.stderr[-300:]
    # the same request (a later execution) and a later request both see a clean IPC namespace
    for r in [*sandbox.run(Program(_IPC_LOOK), [b"", b""], FAST), run1(sandbox, _IPC_LOOK)]:
        assert (r.status, r.stdout) == (Status.OK, b"nothing\n"), r.stderr[-300:]


def test_a_leftover_shm_segment_does_not_change_a_later_runs_verdict(sandbox):
    honest = "x = bytearray(150 << 20)\nprint(len(x) >> 20)"
    before = run1(sandbox, honest, limits=Limits(cpu_s=2, memory_mb=256))
    assert (before.status, before.stdout) == (Status.OK, b"150\n")
    left = run1(sandbox, _IPC_LEAVE, str(300 << 20).encode(), Limits(cpu_s=4, memory_mb=768))
    assert left.status is Status.OK, (left.detail, left.stderr[-300:])
    after = run1(sandbox, honest, limits=Limits(cpu_s=2, memory_mb=256))
    assert (after.status, after.stdout) == (Status.OK, b"150\n"), after.detail


def test_no_capabilities_at_all_not_even_in_the_bounding_set(sandbox):
    r = run1(
        sandbox,
        "for line in open('/proc/self/status'):\n"
        "    if line.startswith('Cap'): print(line.split()[0], int(line.split()[1], 16))",
    )
    caps = dict(line.split() for line in r.stdout.decode().splitlines())
    assert caps and set(caps.values()) == {"0"}, caps


_GRADER = r"""
import sys, threading, time
from sandboxes.base import Limits, Program
from sandboxes.local import LocalSandbox
sb = LocalSandbox(slots=2, uid_base=int(sys.argv[1]))
threading.Thread(target=sb.run, args=(Program("import time\nprint('up', flush=True)\ntime.sleep(120)"),
                 [b""], Limits(cpu_s=100, wall_s=120)), daemon=True).start()
print("started", flush=True)
time.sleep(600)
"""  # noqa: E501 (a program's text: wrapping its long line would change the program)


def _descendants(root: int) -> dict[int, str]:
    """Every live process below `root`, with its start time (so a reused pid is not mistaken)."""
    stat: dict[int, tuple[int, str, str]] = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            stat[int(name)] = (int(fields[1]), fields[0], fields[19])  # ppid, state, starttime
    found = {}
    frontier = [root]
    while frontier:
        parent = frontier.pop()
        for pid, (ppid, state, start) in stat.items():
            if ppid == parent and pid not in found:
                if state != "Z":
                    found[pid] = start
                frontier.append(pid)
    return found


def _still_alive(procs: dict[int, str]) -> list[int]:
    alive = []
    for pid, start in procs.items():
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[19] == start and fields[0] != "Z":
            alive.append(pid)
    return alive


def test_grader_killed_with_sigkill_leaves_no_slot_or_candidate_behind():
    """kill -9 of the grader: its slot servers and the candidate they run die within seconds
    (the server watches its request pipe for hang-up even while a program runs)."""
    import signal
    import subprocess
    import time

    if not sys.platform.startswith("linux"):
        pytest.skip("LocalSandbox needs Linux")
    grader = subprocess.Popen([sys.executable, "-c", _GRADER, "62620"], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, env=dict(os.environ))
    try:
        line = grader.stdout.readline()
        if line != b"started\n":
            pytest.skip(f"LocalSandbox cannot start here: {grader.stderr.read()[-500:]!r}")
        deadline = time.monotonic() + 10
        procs = _descendants(grader.pid)
        while time.monotonic() < deadline and len(procs) < 5:
            time.sleep(0.05)  # 2 launchers, 2 servers, the candidate (and pre-forked children)
            procs = _descendants(grader.pid)
        assert len(procs) >= 5, procs
        grader.send_signal(signal.SIGKILL)
        grader.wait()
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline and _still_alive(procs):
            time.sleep(0.05)
        assert _still_alive(procs) == []
    finally:
        grader.kill()
        grader.wait()


@pytest.mark.parametrize("channel", ["pipe", "socket"])
def test_wire_moves_blobs_through_memfds_over_pipes_and_sockets(channel):
    """A slot receives stdins into sealed memfds and replies from memfds: by splice/sendfile over
    a pipe, through the zeroed bounce buffer over a socket (a container's attached stdin)."""
    import errno

    from sandboxes import wire

    if channel == "pipe":
        r, w = os.pipe()
    else:
        a, b = socket.socketpair()
        r, w = a.detach(), b.detach()
    blobs = [os.urandom(200_000), b"", b"tail\n"]
    sender = threading.Thread(target=wire.send, args=(w, {"op": "run"}, blobs))
    sender.start()
    header, sizes = wire.recv_header(r, 10)
    fds = [wire.recv_blob_to_memfd(r, n) for n in sizes]
    sender.join()
    assert (header == {"op": "run"}
            and [os.fstat(fd).st_size for fd in fds] == [len(b) for b in blobs])
    assert os.pread(fds[0], len(blobs[0]), 0) == blobs[0]
    with pytest.raises(OSError) as exc:  # sealed: not even the server can change an input
        os.pwrite(fds[0], b"x", 0)
    assert exc.value.errno in (errno.EPERM, errno.EBADF)
    assert bytes(wire._BOUNCE) == bytes(len(wire._BOUNCE))  # the bounce buffer was zeroed
    # back again from file spans (a ring's two halves in order), as the server replies
    out = wire.FileBlob(fds[0], ((100, 50), (0, 100)))
    sender = threading.Thread(target=wire.send, args=(w, {"ok": 1}, [out, b"x"]))
    sender.start()
    header, got = wire.recv(r, 10)
    sender.join()
    assert header == {"ok": 1} and got == [bytearray(blobs[0][100:150] + blobs[0][:100]), b"x"]
    for fd in (r, w, *fds):
        os.close(fd)


_FORGE_AFTER_EXIT = r"""
import ctypes, os, signal, time
r, w = os.pipe()
for kind in ("death-signal", "pipe-eof"):
    if os.fork() == 0:
        def forge(*_):
            os.write(1, b"FORGED\n")
            os._exit(0)
        if kind == "death-signal":  # woken the instant the main process dies
            signal.signal(signal.SIGUSR1, forge)
            ctypes.CDLL(None).prctl(1, signal.SIGUSR1)  # PR_SET_PDEATHSIG
            while True:
                time.sleep(1)
        os.close(w)
        os.read(r, 1)  # EOF when the main process's fds close at its exit
        forge()
os.close(r)
time.sleep(0.02)
print("real", flush=True)
"""


def test_helpers_woken_by_the_main_process_exit_cannot_add_output(sandbox):
    """Processes that wait for the main program to end, then write (a forged verdict line), are
    dead before it ends: a fast-path program kills its descendants as its last act."""
    rs = sandbox.run(Program(_FORGE_AFTER_EXIT), [b""] * 20, FAST)
    assert [r.stdout for r in rs] == [b"real\n"] * 20


@pytest.mark.slow
def test_a_request_with_more_inputs_than_open_file_slots_is_answered_in_order(sandbox):
    """Inputs and outputs of a request live in one memfd each, not one descriptor per input."""
    stdins = [str(i).encode() for i in range(1500)]
    rs = sandbox.run(Program("import os\nprint(int(os.read(0, 99)) * 2)"), stdins, FAST)
    assert [r.stdout for r in rs] == [f"{2 * i}\n".encode() for i in range(1500)]
