"""One sandbox slot's entry point and request loop: start the slot (launcher, namespaces, root,
self-test), then read requests, hand each to the slot server and send its reply; it never judges
output and never runs more than one execution at a time.

Started by sandboxes.local as `python -m sandboxes.forkserver CONFIG_JSON REQ_FD RESP_FD` (and by
sandboxes.docker inside its container, mode "container"). The process tree is: launcher (host pid
namespace, waits) -> server (pid 1 of the slot's pid namespace) -> one child per execution.
Because the server is pid 1, `kill(-1, SIGKILL)` from it reaches every process the candidate
created and nothing else, and when the server dies the kernel kills the whole namespace.

Modules of a slot (all imported here at startup; sandboxes.docker copies the same set):
  forkserver   entry point, launcher, startup self-test, the request loop (this module)
  slot_root    cgroup joins and the pivot into the read-only minimal root
  slot_server  one request: pre-forked children, C++ compile, watching, kill/reap, classify
  run_cgroup   the per-execution run cgroup: limits in, OOM kills / CPU / peak memory out
  exec_child   the per-execution child: confinement order, input memfd on fd 0, rlimits
  fast_path    the in-process Python fast path: CPython's std streams and exit life-cycle
  wire, confinement   the framing of requests and replies; the kernel interfaces

Each child is forked *ahead* of its request and confines itself while the server is idle (cgroup,
setsid, a fresh IPC namespace, capability bounding set then uid then the other capability sets,
fds, no_new_privs, Landlock on its own work dir, seccomp); on a request it receives its input
and only lowers its rlimits and runs.

What one execution sees, as `python3 main.py < input_file` on a judge: fd 0 is the input as a
regular, seekable, sealed (read-only) memfd; fds 1 and 2 are pipes; the main thread may grow its
stack to STACK_BYTES. The Python fast path builds sys.stdin/stdout/stderr and runs the program's
life-cycle exactly as CPython does (sandboxes.fast_path); tests/test_sandbox_fidelity.py holds
both paths to plain `python3`.

Secrets between executions. In the fast path the program runs in a forked copy of the server's
memory, so the server never holds a request's inputs or a program's outputs there: inputs go from
the request pipe straight into memfds and outputs from the program's pipes straight into memfds
(splice), and replies are sent from them (sendfile); a child closes every fd but its own. So an
execution finds nothing of any other execution in memory, earlier or later in the same request.
The candidate's source is the one request buffer held in memory (zeroed after the request).

Ends. When the program's main process exits, or a limit is hit, every process of the namespace is
killed and reaped *before* the output is final: what remains in the pipes was written before,
and nothing the program leaves behind can add to what is reported. A fast-path program kills its
descendants itself as its last act (kill(-1) spares the server), so even a helper woken by its
exit (PR_SET_PDEATHSIG, EOF on a pipe) cannot write after it; for execve'd programs a helper
woken that way can still write in the moment before the server's kill (an unavoidable race
without making the program pid 1 of its own namespace, which changes its semantics): graders
must let the first verdict line win and never trust output as a verdict. Each execution's IPC
namespace dies with its last process, so SysV/POSIX IPC objects (and their memory charge) never
reach a later run. A server ends when its request pipe hangs up, also in the middle of an
execution (the grader was killed, even with SIGKILL), and as pid 1 takes its whole namespace with
it.

Mode "container" (sandboxes.docker) skips the launcher, the namespaces and the private root: the
engine already made this process pid 1 of a fresh pid/net/mount/ipc/uts namespace with a read-only
root and a /work tmpfs, as a dedicated non-root uid without capabilities, so the server serves
directly and its children share its uid (RLIMIT_NPROC still counts them: the uid is the
container's own). Without CAP_SYS_ADMIN it cannot unshare an IPC namespace per execution; it
removes every SysV object of the container's IPC namespace (and /dev/mqueue entries) after each
run instead.
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import signal
import socket
import sys
import traceback
from typing import Any

# Every sandboxes module a slot runs is imported here, at startup: after pivot_root the
# repository is out of sight, so none may be imported later (sandboxes.docker copies the same
# set to its image).
from sandboxes import confinement as cf
from sandboxes import wire
from sandboxes.exec_child import STACK_BYTES
from sandboxes.slot_root import build_root, enter_cgroups, write_file
from sandboxes.slot_server import WORK, SlotServer

__all__ = ["STACK_BYTES", "main"]


def _reexec_with_big_stack(argv: list[str]) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_STACK)
    want = STACK_BYTES if hard == resource.RLIM_INFINITY else min(STACK_BYTES, hard)
    if os.environ.get("VERITY_FORKSERVER_STACK") or soft == resource.RLIM_INFINITY or soft >= want:
        return
    resource.setrlimit(resource.RLIMIT_STACK, (want, hard))
    env = dict(os.environ, VERITY_FORKSERVER_STACK="1")
    os.execve(sys.executable, [sys.executable, "-m", "sandboxes.forkserver", *argv], env)


def main(argv: list[str]) -> None:
    _reexec_with_big_stack(argv)
    cfg = json.loads(argv[0])
    if cfg["mode"] == "container":  # already pid 1 of the container's namespaces
        _serve(cfg, int(argv[1]), int(argv[2]), {}, {}, {})
        os._exit(0)
    _launch(cfg, int(argv[1]), int(argv[2]))


def _launch(cfg: dict[str, Any], req_fd: int, resp_fd: int) -> None:
    """Runs in the launcher: join cgroups, unshare, fork the server (pid 1), wait for it."""
    # No PDEATHSIG: it fires when the *thread* that started us exits. Grader death is seen as
    # hang-up of the request pipe instead (idle: EOF; running: polled by _monitor), which ends
    # the server and with it the namespace; this launcher then returns from waitpid.
    layers: dict[str, str] = {}
    missing: dict[str, str] = {}
    cg_fds: dict[str, int] = {}
    try:
        cg_fds = enter_cgroups(cfg)
        for ctrl in cfg["cgroups"]:
            layers[f"cgroup_{ctrl}"] = "per-execution child cgroup"
    except OSError as exc:
        missing["cgroup"] = f"could not join cgroups: {exc}"
    flags = cf.CLONE_NEWNS | cf.CLONE_NEWNET | cf.CLONE_NEWPID | cf.CLONE_NEWIPC | cf.CLONE_NEWUTS
    if cfg["mode"] == "userns":
        uid, gid = os.geteuid(), os.getegid()
        cf.unshare(cf.CLONE_NEWUSER | flags)
        write_file("/proc/self/setgroups", "deny")
        write_file("/proc/self/uid_map", f"0 {uid} 1")
        write_file("/proc/self/gid_map", f"0 {gid} 1")
        layers["userns"] = f"unprivileged user namespace (outer uid {uid})"
    else:
        cf.unshare(flags)
    pid = os.fork()
    if pid == 0:
        try:
            _serve(cfg, req_fd, resp_fd, layers, missing, cg_fds)
        except BaseException:
            traceback.print_exc()
        os._exit(1)
    os.close(req_fd)
    os.close(resp_fd)
    _, status = os.waitpid(pid, 0)
    os._exit(os.waitstatus_to_exitcode(status) & 0xFF)


def _serve(cfg: dict[str, Any], req_fd: int, resp_fd: int, layers: dict[str, str],
           missing: dict[str, str], cg_fds: dict[str, int]) -> None:
    assert os.getpid() == 1, "the server must be pid 1 of its own pid namespace"
    if cfg["mode"] == "container":
        return _serve_in_container(cfg, req_fd, resp_fd, layers, missing)
    # The launcher is single-threaded, so its death (the handle the grader holds) ends us too.
    # (Our parent is outside our pid namespace, so getppid() cannot detect the tiny window
    # before this call; EOF on the request pipe still ends us then.)
    cf.prctl(cf.PR_SET_PDEATHSIG, signal.SIGKILL)
    socket.sethostname("sandbox")
    layers.update(pid="pid namespace", net="network namespace (no interfaces up)",
                  ipc="ipc namespace, a fresh one per execution", uts="uts namespace")
    build_root(cfg)
    layers["fs"] = "pivot_root into read-only minimal root; work dirs on a size-limited tmpfs"
    cf.prctl(cf.PR_SET_DUMPABLE, 0)
    with contextlib.suppress(OSError):  # userns may not lower it; the run cgroup still confines
        write_file("/proc/self/oom_score_adj", "-1000")
    if cfg["mode"] == "root":
        layers["uid"] = f"per-slot uid {cfg['uid']}"
    _serve_confined(cfg, req_fd, resp_fd, layers, missing, cg_fds)


def _serve_in_container(cfg: dict[str, Any], req_fd: int, resp_fd: int, layers: dict[str, str],
                        missing: dict[str, str]) -> None:
    """The engine built the namespaces and the root; only the read-only view of our own memory
    cgroup is ours to use (its OOM-kill counter tells a memory kill from any other SIGKILL)."""
    cf.prctl(cf.PR_SET_DUMPABLE, 0)
    cg_fds: dict[str, int] = {}
    with contextlib.suppress(OSError):
        cg_fds["memory.oom_control"] = os.open("/sys/fs/cgroup/memory/memory.oom_control",
                                               os.O_RDONLY)
    if "memory.oom_control" not in cg_fds:  # a cgroup v2 host: the container's own cgroup
        with contextlib.suppress(OSError):
            cg_fds["memory.events"] = os.open("/sys/fs/cgroup/memory.events", os.O_RDONLY)
    _serve_confined(cfg, req_fd, resp_fd, layers, missing, cg_fds)


def _serve_confined(cfg: dict[str, Any], req_fd: int, resp_fd: int, layers: dict[str, str],
                    missing: dict[str, str], cg_fds: dict[str, int]) -> None:
    """Per-execution layers (rlimits, Landlock, seccomp), the self-test, then the request loop."""
    layers["rlimits"] = "cpu, as, fsize (SIGXFSZ default), nofile, stack" + (
        ", nproc" if cfg["mode"] in ("root", "container") else "")
    landlock_fd = None
    if cfg["landlock"]:
        try:
            landlock_fd, abi = cf.landlock_ruleset([WORK], ["/dev/null"])  # probe once
            os.close(landlock_fd)
            landlock_fd = abi
            layers["landlock"] = f"ABI {abi}: read-only fs outside the execution's work dir" + (
                ", no TCP" if abi >= 4 else "") + (
                ", scoped signals/abstract sockets" if abi >= 6 else "")
        except OSError as exc:
            missing["landlock"] = str(exc)
    seccomp_prog = None
    if cfg["seccomp"]:
        try:
            seccomp_prog = cf.seccomp_filter()
            layers["seccomp"] = (f"{cf.MACHINE} deny-list filter"
                                 " (ptrace, mount, namespaces, bpf, ...); sockets: AF_UNIX only")
        except OSError as exc:
            missing["seccomp"] = str(exc)
    layers["no_new_privs"] = "set per execution"
    server = SlotServer(cfg, cg_fds, landlock_fd, seccomp_prog)
    # Verify the per-execution confinement really applies before announcing readiness.
    empty = wire.memfd("stdin")
    wire.seal(empty)
    probe = server.execute("python", bytearray(b"import os; print(os.getuid())"), None, empty,
                           _probe_limits())
    os.close(empty)
    probe["stdout"].close()
    err = probe["stderr"]
    tail = b"".join(os.pread(err.fd, n, off) for off, n in err.spans)[-2000:]
    err.close()
    if probe["status"] != "ok":
        wire.send(resp_fd, {"ready": False, "error": f"probe failed: {probe['detail']}",
                            "stderr": tail.decode("utf-8", "replace")})
        return
    wire.send(resp_fd, {"ready": True, "layers": layers, "missing": missing})
    server.prepare_next()
    signal.signal(signal.SIGPIPE, signal.SIG_IGN)
    server.req_fd = req_fd
    while True:
        try:
            header, sizes = wire.recv_header(req_fd)
        except EOFError:
            return
        # Inputs go from the pipe straight into one sealed memfd: no request's stdin ever sits
        # in this process's memory, so no forked child can find another execution's input in it.
        source = wire.recv_blob(req_fd, sizes[0]) if sizes else bytearray()
        inputs, spans = wire.recv_blobs_to_memfd(req_fd, sizes[1:])
        try:
            if header.get("op") != "run" or not sizes:
                wire.send(resp_fd, {"error": f"unknown op {header.get('op')!r}"})
                continue
            results, outs, reply = server.handle(header, source, inputs, spans)
            try:
                wire.send(resp_fd, {"results": results}, outs)
            finally:
                os.close(reply)
        finally:
            os.close(inputs)
            wire.zero([source])  # the candidate's own source: zeroed anyway
        server.prepare_next()  # after answering: the grader never waits for it


def _probe_limits() -> dict[str, Any]:
    return {"cpu_s": 5.0, "wall_s": 10.0, "memory_mb": 256, "pids": 8, "stdout_bytes": 4096,
            "stderr_bytes": 4096, "written_bytes": 4096, "open_files": 32}


if __name__ == "__main__":
    main(sys.argv[1:])
