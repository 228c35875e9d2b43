"""The per-execution child of a slot server: forked ahead of its request, it confines itself in a
fixed order (run cgroup, setsid, fresh IPC namespace, capability bounding set, uid, capabilities,
fds, no_new_privs, Landlock, seccomp), then takes its input as a sealed memfd on fd 0, lowers its
rlimits and becomes the program; it never reports a verdict (sandboxes.slot_server watches it).
Container mode gets no IPC namespace per execution: the server calls remove_ipc_objects instead."""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import resource
import signal
import socket
from typing import TYPE_CHECKING

from sandboxes import confinement as cf
from sandboxes import wire
from sandboxes.fast_path import run_python_here
from sandboxes.slot_root import write_file

if TYPE_CHECKING:  # slot_server imports this module
    from sandboxes.slot_server import SlotServer

SETUP_FAILED = 125
_MB = 1 << 20
# The main thread's stack, as judges give it (`ulimit -s` raised, e.g. 256 MB on Codeforces):
# deep recursion through C frames (functools.lru_cache, sys.setrecursionlimit(10**6)) needs it.
# The server re-executes itself once with this RLIMIT_STACK, so that the kernel lays out its
# address space (and so every forked fast-path child's) with room for a main-thread stack this
# big; each execution then caps it at min(memory limit, STACK_BYTES).
STACK_BYTES = 256 * _MB


def child(server: SlotServer, workdir: str, fds: tuple[int, int, int, int]) -> None:
    """Runs in the freshly forked child of `server` (a sandboxes.slot_server.SlotServer); never
    returns: it execs the program, runs it in-process and _exits, or _exits SETUP_FAILED."""
    out_w, err_w, st_w, go_fd = fds
    try:
        null = os.open("/dev/null", os.O_RDONLY)  # fd 0 until the input file arrives
        os.dup2(null, 0)
        os.close(null)
        os.dup2(out_w, 1)
        os.dup2(err_w, 2)
        for name in [n for n in server.cg.fds if n.endswith(".procs")]:  # every run cgroup
            os.write(server.cg.fds[name], b"0")
        with contextlib.suppress(OSError):
            write_file("/proc/self/oom_score_adj", "1000")
        os.chdir(workdir)
        os.setsid()
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        if server.cfg["mode"] != "container":
            # A fresh IPC namespace per execution: no SysV object or POSIX queue of another
            # run is visible, and what this run leaves dies with its last process (freeing
            # its memory charge). Containers remove their objects after each run instead.
            cf.unshare(cf.CLONE_NEWIPC)
        # The bounding set first, while we still hold CAP_SETPCAP: after setuid the drop
        # would fail with EPERM and leave the bounding set full.
        drop_bounding_set()
        if server.uid is not None:
            for fd in (1, 2):  # so that the program may reopen its own /dev/stdout
                os.fchown(fd, server.uid, server.uid)
            os.setgroups([])
            os.setgid(server.uid)
            os.setuid(server.uid)
        cf.drop_capabilities()
        keep = {0, 1, 2, st_w, go_fd}
        for fd in open_fds():
            if fd not in keep:
                with contextlib.suppress(OSError):
                    os.close(fd)
        cf.prctl(cf.PR_SET_NO_NEW_PRIVS, 1)
        if server.landlock_abi is not None:
            # per execution, so that even a program that owns /work (user-namespace mode)
            # can write nowhere but its own fresh work dir
            ruleset, _ = cf.landlock_ruleset([workdir], ["/dev/null"])
            cf.landlock_restrict(ruleset)
            os.close(ruleset)
        if server.seccomp_prog is not None:
            cf.seccomp_install(server.seccomp_prog)
        for sig in (signal.SIGPIPE, signal.SIGXFSZ, signal.SIGINT, signal.SIGTERM, signal.SIGCHLD):
            signal.signal(sig, signal.SIG_DFL)
        os.environ.clear()
        # Confined; now wait for the request. Limits can only be lowered from here on.
        go = socket.socket(fileno=go_fd)
        _, stdin_fds, _, _ = socket.recv_fds(go, 1, 1)
        if len(stdin_fds) != 1:
            raise OSError("no input file with the request")
        # the input as a regular, seekable, read-only file on fd 0 (as `< input_file` gives)
        os.dup2(stdin_fds[0], 0)
        os.close(stdin_fds[0])
        header, blobs = wire.recv(go_fd)
        go.close()
        mode, limits, binary = header["mode"], header["limits"], header["binary"]
        mem = limits["memory_mb"] * _MB
        cpu_soft = int(limits["cpu_s"]) + 1
        for res, soft, hard in (
            (resource.RLIMIT_CPU, cpu_soft, cpu_soft + 1),
            # address space is only a backstop (virtual size overshoots RSS); the memory
            # cgroup enforces the real limit where available
            (resource.RLIMIT_AS, mem * 2 + 256 * _MB, mem * 2 + 256 * _MB),
            (resource.RLIMIT_FSIZE, limits["written_bytes"], limits["written_bytes"]),
            (resource.RLIMIT_NOFILE, limits["open_files"], limits["open_files"]),
            # the stack a judge gives (see STACK_BYTES); never above the memory limit
            (resource.RLIMIT_STACK, min(mem, STACK_BYTES), min(mem, STACK_BYTES)),
        ):
            resource.setrlimit(res, (soft, hard))
        if server.nproc:
            resource.setrlimit(resource.RLIMIT_NPROC, (limits["pids"], limits["pids"]))
        if mode == "python":
            source = blobs[0]  # compiled from the received bytes as they are (never decoded here)
            os.write(st_w, b"ok")
            os.close(st_w)
            run_python_here(source, server.stdlib_path, server.stdio)
        os.set_inheritable(st_w, False)
        if mode == "python_strict":
            argv = [server.python, "-I", "main.py"]
            env = {}
        elif mode == "compile":
            argv = ["/usr/bin/g++", "-O2", "-std=c++17", "-pipe", "-o", "prog", "main.cpp"]
            env = {"PATH": "/usr/bin:/bin", "TMPDIR": workdir, "LANG": "C"}
        else:
            argv, env = [binary], {}
        os.write(st_w, b"ok")
        os.execve(argv[0], argv, env)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.write(st_w, f"FAIL {type(exc).__name__}: {exc}".encode()[:500])
        os._exit(SETUP_FAILED)


def drop_bounding_set() -> None:
    for cap in range(64):
        try:
            cf.prctl(cf.PR_CAPBSET_DROP, cap)
        except OSError as exc:
            if exc.errno == errno.EINVAL:  # past the last capability this kernel knows
                return
            if exc.errno == errno.EPERM:  # no CAP_SETPCAP (container mode): the set is the engine's
                return
            raise


def remove_ipc_objects() -> None:
    """Container mode: no fresh IPC namespace per execution (no CAP_SYS_ADMIN), so every SysV
    object of the container's own IPC namespace (all of them the candidates') is removed after
    each run, and POSIX message queues are unlinked where the engine mounted /dev/mqueue."""
    for kind, ctl in (("shm", "shmctl"), ("msg", "msgctl"), ("sem", "semctl")):
        try:
            with open(f"/proc/sysvipc/{kind}") as f:
                rows = f.read().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            ipc_id = int(row.split()[1])
            if kind == "sem":
                _LIBC.semctl(ipc_id, 0, _IPC_RMID)
            else:
                getattr(_LIBC, ctl)(ipc_id, _IPC_RMID, None)
    with contextlib.suppress(OSError):
        for name in os.listdir("/dev/mqueue"):
            with contextlib.suppress(OSError):
                os.unlink(os.path.join("/dev/mqueue", name))


_IPC_RMID = 0
_LIBC = ctypes.CDLL(None, use_errno=True)


def open_fds() -> list[int]:
    try:
        return [int(n) for n in os.listdir("/proc/self/fd")]
    except OSError:
        return list(range(3, 1024))
