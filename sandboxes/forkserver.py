"""One sandbox slot: a long-lived server that enters fresh namespaces and a read-only minimal
root once, then forks one confined child per execution and reports what it observed; it never
judges output and never runs more than one execution at a time.

Started by sandboxes.local as `python -m sandboxes.forkserver CONFIG_JSON REQ_FD RESP_FD`. The
process tree is: launcher (host pid namespace, waits) -> server (pid 1 of the slot's pid
namespace) -> one child per execution. Because the server is pid 1, `kill(-1, SIGKILL)` from it
reaches every process the candidate created and nothing else, and when the server dies the kernel
kills the whole namespace.

Each child is forked *ahead* of its request and confines itself while the server is idle (cgroup,
setsid, a fresh IPC namespace, capability bounding set then uid then the other capability sets,
fds, no_new_privs, Landlock on its own work dir, seccomp); on a request it receives its input
and only lowers its rlimits and runs.

What one execution sees, as `python3 main.py < input_file` on a judge: fd 0 is the input as a
regular, seekable, sealed (read-only) memfd; fds 1 and 2 are pipes; the main thread may grow its
stack to STACK_BYTES. The Python fast path builds sys.stdin/stdout/stderr and runs the program's
life-cycle exactly as CPython does (see _run_python_here); tests/test_sandbox_fidelity.py holds
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
must let the first verdict line win and never trust output as a verdict. Each execution's IPC namespace
dies with its last process, so SysV/POSIX IPC objects (and their memory charge) never reach a
later run. A server ends when its request pipe hangs up, also in the middle of an execution (the
grader was killed, even with SIGKILL), and as pid 1 takes its whole namespace with it.

Mode "container" (sandboxes.docker) skips the launcher, the namespaces and the private root: the
engine already made this process pid 1 of a fresh pid/net/mount/ipc/uts namespace with a read-only
root and a /work tmpfs, as a dedicated non-root uid without capabilities, so the server serves
directly and its children share its uid (RLIMIT_NPROC still counts them: the uid is the
container's own). Without CAP_SYS_ADMIN it cannot unshare an IPC namespace per execution; it
removes every SysV object of the container's IPC namespace (and /dev/mqueue entries) after each
run instead.
"""

from __future__ import annotations

import atexit
import builtins
import contextlib
import ctypes
import errno
import io
import json
import os
import resource
import select
import shutil
import signal
import socket
import sys
import threading
import time
import traceback
import types

from sandboxes import confinement as cf
from sandboxes import wire

NEW_ROOT = "/tmp"  # mount point for the skeleton root inside our private mount namespace
WORK = "/work"
SETUP_FAILED = 125
_MB = 1 << 20
# The main thread's stack, as judges give it (`ulimit -s` raised, e.g. 256 MB on Codeforces):
# deep recursion through C frames (functools.lru_cache, sys.setrecursionlimit(10**6)) needs it.
# The server re-executes itself once with this RLIMIT_STACK, so that the kernel lays out its
# address space (and so every forked fast-path child's) with room for a main-thread stack this
# big; each execution then caps it at min(memory limit, STACK_BYTES).
STACK_BYTES = 256 * _MB


def _write_file(path: str, text: str) -> None:
    with open(path, "w") as f:
        f.write(text)


def _write_bytes(path: str, data: bytes | bytearray) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)


# ---------------------------------------------------------------------------------------------
# Startup (launcher and server), before any request is served
# ---------------------------------------------------------------------------------------------


def _enter_cgroups(cfg: dict) -> dict[str, int]:
    """Join the slot cgroups and keep fds on the per-execution 'run' cgroup files: after
    pivot_root the cgroup filesystem is out of sight, but open fds keep working."""
    fds: dict[str, int] = {}
    for ctrl, slot_dir in cfg["cgroups"].items():
        # cgroup v2 keeps the server out of the slot dir (no processes where controllers are
        # handed down), so it joins a sibling leaf of `run`
        join = cfg.get("cgroup_join", {}).get(ctrl, slot_dir)
        _write_file(os.path.join(join, "cgroup.procs"), str(os.getpid()))
        run = os.path.join(slot_dir, "run")
        fds[f"{ctrl}.procs"] = os.open(os.path.join(run, "cgroup.procs"), os.O_WRONLY)
        names = {"memory": ["memory.limit_in_bytes", "memory.memsw.limit_in_bytes",  # v1
                            "memory.max_usage_in_bytes", "memory.oom_control", "memory.failcnt",
                            "memory.max", "memory.swap.max", "memory.peak", "memory.events"],  # v2
                 "pids": ["pids.max"], "cpu": ["cpu.stat"]}.get(ctrl, [])
        for name in names:
            path = os.path.join(run, name)
            if os.path.exists(path):
                read_only = name in ("memory.oom_control", "memory.events", "cpu.stat")
                try:
                    fds[name] = os.open(path, os.O_RDONLY if read_only else os.O_RDWR)
                except PermissionError:
                    if name != "memory.peak":  # read-only before Linux 6.12: peak not reset
                        raise
    return fds


def _build_root(cfg: dict) -> None:
    """A tmpfs skeleton with read-only binds of the system and Python trees, a few device
    files, a fresh /proc for our pid namespace and a size-limited tmpfs for work dirs."""
    cf.mount(None, "/", None, cf.MS_REC | cf.MS_PRIVATE)
    cf.mount("tmpfs", NEW_ROOT, "tmpfs", cf.MS_NOSUID | cf.MS_NODEV, "size=1m,mode=755")
    for top in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        host = "/" + top
        if os.path.islink(host):
            os.symlink(os.readlink(host), os.path.join(NEW_ROOT, top))
    binds = [p for p in cfg["ro_paths"] if os.path.exists(p)]
    for src in binds:
        dst = NEW_ROOT + src
        if os.path.isdir(src):
            os.makedirs(dst, exist_ok=True)
        else:
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            open(dst, "w").close()
    for d in ("dev", "proc", "work", "oldroot"):
        os.makedirs(os.path.join(NEW_ROOT, d), exist_ok=True)
    for dev in ("null", "zero", "random", "urandom"):
        open(os.path.join(NEW_ROOT, "dev", dev), "w").close()
    # as on any Linux system: programs open('/dev/stdin') or '/dev/fd/0'
    for name, target in (("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"),
                         ("stdout", "/proc/self/fd/1"), ("stderr", "/proc/self/fd/2")):
        os.symlink(target, os.path.join(NEW_ROOT, "dev", name))
    for src in binds:
        cf.bind_readonly(src, NEW_ROOT + src)
    for dev in ("null", "zero", "random", "urandom"):
        cf.mount("/dev/" + dev, os.path.join(NEW_ROOT, "dev", dev), None, cf.MS_BIND)
    cf.mount("tmpfs", os.path.join(NEW_ROOT, "work"), "tmpfs", cf.MS_NOSUID | cf.MS_NODEV,
             f"size={cfg['work_mb']}m,nr_inodes=8192,mode=755")
    cf.mount("proc", os.path.join(NEW_ROOT, "proc"), "proc",
             cf.MS_NOSUID | cf.MS_NODEV | cf.MS_NOEXEC, "hidepid=2")
    os.chdir(NEW_ROOT)
    cf.pivot_root(".", "oldroot")
    os.chdir("/")
    cf.umount("/oldroot")
    os.rmdir("/oldroot")
    cf.mount(None, "/", None, cf.MS_REMOUNT | cf.MS_RDONLY | cf.MS_NOSUID | cf.MS_NODEV)


def _launch(cfg: dict, req_fd: int, resp_fd: int) -> None:
    """Runs in the launcher: join cgroups, unshare, fork the server (pid 1), wait for it."""
    # No PDEATHSIG: it fires when the *thread* that started us exits. Grader death is seen as
    # hang-up of the request pipe instead (idle: EOF; running: polled by _monitor), which ends
    # the server and with it the namespace; this launcher then returns from waitpid.
    layers: dict[str, str] = {}
    missing: dict[str, str] = {}
    cg_fds: dict[str, int] = {}
    try:
        cg_fds = _enter_cgroups(cfg)
        for ctrl in cfg["cgroups"]:
            layers[f"cgroup_{ctrl}"] = "per-execution child cgroup"
    except OSError as exc:
        missing["cgroup"] = f"could not join cgroups: {exc}"
    flags = cf.CLONE_NEWNS | cf.CLONE_NEWNET | cf.CLONE_NEWPID | cf.CLONE_NEWIPC | cf.CLONE_NEWUTS
    if cfg["mode"] == "userns":
        uid, gid = os.geteuid(), os.getegid()
        cf.unshare(cf.CLONE_NEWUSER | flags)
        _write_file("/proc/self/setgroups", "deny")
        _write_file("/proc/self/uid_map", f"0 {uid} 1")
        _write_file("/proc/self/gid_map", f"0 {gid} 1")
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


def _serve(cfg, req_fd, resp_fd, layers, missing, cg_fds) -> None:
    assert os.getpid() == 1, "the server must be pid 1 of its own pid namespace"
    if cfg["mode"] == "container":
        return _serve_in_container(cfg, req_fd, resp_fd, layers, missing)
    # The launcher is single-threaded, so its death (the handle the grader holds) ends us too.
    # (Our parent is outside our pid namespace, so getppid() cannot detect the tiny window
    # before this call; EOF on the request pipe still ends us then.)
    cf.prctl(cf.PR_SET_PDEATHSIG, signal.SIGKILL)
    socket.sethostname("sandbox")
    layers.update(pid="pid namespace", net="network namespace (no interfaces up)",
                  ipc="ipc namespace", uts="uts namespace")
    _build_root(cfg)
    layers["fs"] = "pivot_root into read-only minimal root; work dirs on a size-limited tmpfs"
    cf.prctl(cf.PR_SET_DUMPABLE, 0)
    with contextlib.suppress(OSError):  # userns may not lower it; the run cgroup still confines
        _write_file("/proc/self/oom_score_adj", "-1000")
    if cfg["mode"] == "root":
        layers["uid"] = f"per-slot uid {cfg['uid']}"
    _serve_confined(cfg, req_fd, resp_fd, layers, missing, cg_fds)


def _serve_in_container(cfg, req_fd, resp_fd, layers, missing) -> None:
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


def _serve_confined(cfg, req_fd, resp_fd, layers, missing, cg_fds) -> None:
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
                ", no TCP" if abi >= 4 else "") + (", scoped signals/abstract sockets" if abi >= 6 else "")
        except OSError as exc:
            missing["landlock"] = str(exc)
    seccomp_prog = None
    if cfg["seccomp"]:
        try:
            seccomp_prog = cf.seccomp_filter()
            layers["seccomp"] = (f"{cf.MACHINE} deny-list filter (ptrace, mount, namespaces, bpf, ...);"
                                " sockets: AF_UNIX only")
        except OSError as exc:
            missing["seccomp"] = str(exc)
    layers["no_new_privs"] = "set per execution"
    server = _Server(cfg, cg_fds, landlock_fd, seccomp_prog)
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


def _probe_limits() -> dict:
    return {"cpu_s": 5.0, "wall_s": 10.0, "memory_mb": 256, "pids": 8, "stdout_bytes": 4096,
            "stderr_bytes": 4096, "written_bytes": 4096, "open_files": 32}


# ---------------------------------------------------------------------------------------------
# Per-execution work, inside the server
# ---------------------------------------------------------------------------------------------


class _Reply:
    """The outputs of one request, gathered in one memfd (copied inside the kernel)."""

    def __init__(self):
        self.fd = wire.memfd("reply")
        self.end = 0

    def add(self, blob: wire.FileBlob) -> wire.FileBlob:
        """Append `blob` (and close its own memfd); the span it now has in the reply."""
        start = self.end
        try:
            os.lseek(self.fd, start, os.SEEK_SET)
            for offset, length in blob.spans:
                wire.copy_range(blob.fd, offset, length, self.fd)
                self.end += length
        finally:
            blob.close()
        return wire.FileBlob(self.fd, ((start, self.end - start),) if self.end > start else ())


class _Server:
    def __init__(self, cfg, cg_fds, landlock_abi, seccomp_prog):
        self.cfg = cfg
        self.cg = cg_fds
        self.landlock_abi = landlock_abi
        self.seccomp_prog = seccomp_prog
        self.peak_reset = False
        self.cg_cpu_before: float | None = None
        self.uid = cfg["uid"] if cfg["mode"] == "root" else None  # switched to per execution
        # nproc counts per uid: only meaningful with a uid of our own (per slot or per container)
        self.nproc = cfg["mode"] in ("root", "container")
        self.python = cfg["python"]
        self.stdio = _stdio_config()
        self.req_fd: int | None = None  # the grader's request pipe, watched for hang-up
        self.counter = 0
        self.ready: dict | None = None  # the pre-forked child waiting for the next request
        self.kept: set[str] = set()  # work dirs that hold this request's compiled binary
        self.stdlib_path = [p for p in sys.path if p.startswith(cfg["python_prefix"])]

    # -- request ---------------------------------------------------------------------------
    def handle(self, header: dict, source: bytearray, inputs: int,
               spans: list[tuple[int, int]]) -> tuple[list[dict], list[wire.FileBlob], int]:
        """Run `source` once per input (a span of the `inputs` memfd). Outputs are gathered in
        one reply memfd (returned; the caller closes it): a request holds a few descriptors
        however many inputs it has."""
        language, limits = header["language"], header["limits"]
        results: list[dict] = []
        outs: list[wire.FileBlob] = []
        reply = _Reply()
        binary = None
        try:
            if language == "cpp":
                empty = wire.extract(inputs, 0, 0)
                try:
                    binary, res = self.compile_cpp(source, limits, empty)
                finally:
                    os.close(empty)
                if binary is None:
                    res["status"] = "compile_error" if res["status"] != "sandbox_error" else res["status"]
                    res.pop("stdout").close()
                    log = reply.add(res.pop("stderr"))
                    for _ in spans:
                        results.append(dict(res))
                        outs += [wire.FileBlob(reply.fd, ()), log]  # empty stdout, the g++ log
                    return results, outs, reply.fd
            for offset, length in spans:
                mode = "exec" if binary else ("python" if header.get("fast", True) else "python_strict")
                stdin = wire.extract(inputs, offset, length)
                try:
                    res = self.execute(mode, source, binary, stdin, limits)
                finally:
                    os.close(stdin)
                res.pop("workdir")
                outs += [reply.add(res.pop("stdout")), reply.add(res.pop("stderr"))]
                results.append(res)
                if header.get("stop_on_error") and res["status"] != "ok":
                    break
            return results, outs, reply.fd
        except BaseException:
            os.close(reply.fd)
            raise
        finally:
            if binary:
                self.kept.discard(os.path.dirname(binary))
                shutil.rmtree(os.path.dirname(binary), ignore_errors=True)

    def compile_cpp(self, source: bytearray, limits: dict, empty_stdin: int):
        climits = dict(limits, cpu_s=limits["compile_cpu_s"], wall_s=limits["compile_cpu_s"] * 2 + 5,
                       memory_mb=limits["compile_memory_mb"], pids=max(limits["pids"], 16),
                       written_bytes=256 * _MB, stdout_bytes=64 << 10, open_files=256)
        res = self.execute("compile", source, None, empty_stdin, climits, keep_dir=True)
        outdir = res.pop("workdir")
        exe = os.path.join(outdir, "prog")
        if res["status"] == "ok" and not os.path.islink(exe) and os.path.isfile(exe):
            res.pop("stdout").close()
            res.pop("stderr").close()
        else:
            shutil.rmtree(outdir, ignore_errors=True)
            res["detail"] = res["detail"] or "g++ failed"
            return None, res
        for name in os.listdir(outdir):  # keep only the binary, owned by us, read+exec for all
            if name != "prog":
                p = os.path.join(outdir, name)
                shutil.rmtree(p) if os.path.isdir(p) and not os.path.islink(p) else os.unlink(p)
        if self.uid is not None:  # root: the program's uid cannot chmod it back
            os.chown(exe, 0, 0)
            os.chown(outdir, 0, 0)
        os.chmod(exe, 0o555)
        os.chmod(outdir, 0o555)
        self.kept.add(outdir)
        return exe, res

    # -- cgroups ---------------------------------------------------------------------------
    def _cg_write(self, name: str, value: str) -> bool:
        fd = self.cg.get(name)
        if fd is None:
            return False
        try:
            os.pwrite(fd, value.encode(), 0)
            return True
        except OSError:
            return False

    def _cg_read(self, name: str) -> str:
        fd = self.cg.get(name)
        return os.pread(fd, 4096, 0).decode() if fd is not None else ""

    def _oom_kills(self) -> int:
        for line in (self._cg_read("memory.oom_control") or self._cg_read("memory.events")).splitlines():
            if line.startswith("oom_kill "):
                return int(line.split()[1])
        return 0

    def _cpu_usage_s(self) -> float | None:
        """cgroup v2 cpu.stat: every process of the execution, reaped or not."""
        for line in self._cg_read("cpu.stat").splitlines():
            if line.startswith("usage_usec "):
                return int(line.split()[1]) / 1e6
        return None

    def _set_cgroup_limits(self, limits: dict) -> None:
        mem = str(limits["memory_mb"] * _MB)
        # memory.limit <= memsw.limit must hold after each write, so try both orders.
        for first, second in (("memory.limit_in_bytes", "memory.memsw.limit_in_bytes"),
                              ("memory.memsw.limit_in_bytes", "memory.limit_in_bytes")):
            if self._cg_write(first, mem) and ("memory.memsw.limit_in_bytes" not in self.cg
                                               or self._cg_write(second, mem)):
                break
        self._cg_write("memory.max_usage_in_bytes", "0")
        # v2: no swap (as memsw = memory in v1); a peak reset per fd needs Linux >= 6.12
        self._cg_write("memory.swap.max", "0")
        self._cg_write("memory.max", mem)
        self.peak_reset = self._cg_write("memory.peak", "reset")
        self._cg_write("pids.max", str(limits["pids"]))

    # -- one execution ---------------------------------------------------------------------
    def _prepare(self) -> dict:
        """Fork the next child ahead of its request: it confines itself (everything that does not
        depend on the request) and then waits, so a request pays only for the run itself."""
        self.counter += 1
        workdir = f"{WORK}/run-{self.counter}"
        os.mkdir(workdir, 0o700)
        if self.uid is not None:
            os.chown(workdir, self.uid, self.uid)
        out_r, out_w = os.pipe()
        err_r, err_w = os.pipe()
        st_r, st_w = os.pipe()
        go_w, go_r = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        pid = os.fork()
        if pid == 0:
            self._child(workdir, (out_w, err_w, st_w, go_r.fileno()))
        go_r.close()
        for fd in (out_w, err_w, st_w):
            os.close(fd)
        return {"pid": pid, "workdir": workdir, "out_r": out_r, "err_r": err_r, "st_r": st_r,
                "go": go_w}

    def execute(self, mode: str, source: bytearray, binary, stdin: int, limits: dict,
                keep_dir: bool = False) -> dict:
        """One run with `stdin` (a sealed memfd) on fd 0. stdout/stderr come back as FileBlobs
        over memfds the caller closes."""
        child, self.ready = self.ready or self._prepare(), None
        workdir = child["workdir"]
        out = wire.memfd("stdout")
        err = wire.memfd("stderr")
        try:
            if mode in ("python", "python_strict"):
                _write_bytes(os.path.join(workdir, "main.py"), source)
            elif mode == "compile":
                _write_bytes(os.path.join(workdir, "main.cpp"), source)
            self._set_cgroup_limits(limits)
            oom_before = self._oom_kills()
            usage_before = resource.getrusage(resource.RUSAGE_CHILDREN)
            self.cg_cpu_before = self._cpu_usage_s()
            start = time.monotonic()
            # if the child died while waiting, the monitor reports a setup failure
            with contextlib.suppress(OSError):
                socket.send_fds(child["go"], [b"G"], [stdin])  # the input file, as fd 0
                wire.send(child["go"].fileno(), {"mode": mode, "limits": limits, "binary": binary},
                          [source if mode == "python" else b""])
            res = self._monitor(child["pid"], start, usage_before, oom_before, limits,
                                child["out_r"], child["err_r"], child["st_r"], out, err)
            res["workdir"] = workdir
            return res
        except BaseException:
            wire.close_quietly([out, err])
            raise
        finally:
            child["go"].close()
            wire.close_quietly([child["out_r"], child["err_r"], child["st_r"]])
            if not keep_dir:
                shutil.rmtree(workdir, ignore_errors=True)
            self._wipe_work(keep=workdir if keep_dir else None)
            if self.cfg["mode"] == "container":
                _remove_ipc_objects()

    def _wipe_work(self, keep: str | None) -> None:
        """Nothing a program leaves in /work (where user-namespace mode lets it write) outlives it."""
        for name in os.listdir(WORK):
            path = os.path.join(WORK, name)
            if path != keep and path not in self.kept:
                if os.path.isdir(path) and not os.path.islink(path):
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    os.unlink(path)

    def prepare_next(self) -> None:
        if self.ready is None:
            self.ready = self._prepare()

    def _kill_all(self) -> None:
        # pid 1 of our own namespace: -1 means every process the candidate created, nothing else
        if os.getpid() == 1:
            with contextlib.suppress(ProcessLookupError):
                os.kill(-1, signal.SIGKILL)

    def _monitor(self, pid, start, usage_before, oom_before, limits, out_r, err_r, st_r, out, err):
        """Watch one run: move stdout/stderr from their pipes into memfds (splice: the bytes never
        enter this process), enforce the wall clock and the output cap, and end it. Every process
        of the namespace is killed and reaped before the output is final, so nothing the program
        leaves behind can add to what is reported."""
        wall_s = limits.get("wall_s") or 2 * limits["cpu_s"] + 1
        deadline = start + wall_s
        out_cap, err_cap = limits["stdout_bytes"], max(limits["stderr_bytes"], 1)
        n_out = n_err = 0  # bytes moved; stderr is a ring of err_cap bytes (the tail is kept)
        setup = bytearray()
        pidfd = os.pidfd_open(pid)
        poller = select.poll()
        for fd in (out_r, err_r, st_r, pidfd):
            poller.register(fd, select.POLLIN)
        # the grader's request pipe: hang-up means the grader is gone (even kill -9), and then
        # nothing we run may outlive it
        req_fd = self.req_fd
        if req_fd is not None:
            poller.register(req_fd, select.POLLHUP | select.POLLRDHUP)
        open_fds = {out_r, err_r, st_r}
        verdict = None  # a limit we enforced, if any
        exited = False
        while not exited or open_fds:
            timeout = deadline - time.monotonic()
            if timeout <= 0:
                verdict = verdict or ("time_limit", f"wall clock backstop {wall_s:g}s")
                break
            for fd, _ev in poller.poll(timeout * 1000):
                if fd == req_fd:
                    self._kill_all()
                    os._exit(0)  # pid 1: the kernel kills whatever is left of the namespace
                if fd == pidfd:
                    exited = True
                    poller.unregister(pidfd)
                    # the main process is gone: stray descendants must not stall the run
                    self._kill_all()
                elif fd == out_r:
                    k = _splice(out_r, out, min(1 << 16, out_cap + 1 - n_out), n_out)
                    n_out += k
                    if not k:
                        poller.unregister(fd)
                        open_fds.discard(fd)
                    elif n_out > out_cap:
                        n_out = out_cap
                        verdict = verdict or ("output_limit", f"stdout over {out_cap} bytes")
                elif fd == err_r:
                    pos = n_err % err_cap
                    k = _splice(err_r, err, min(1 << 16, err_cap - pos), pos)
                    n_err += k
                    if not k:
                        poller.unregister(fd)
                        open_fds.discard(fd)
                else:
                    data = os.read(fd, 512)
                    if not data:
                        poller.unregister(fd)
                        open_fds.discard(fd)
                    else:
                        setup += data
            if verdict:
                break
        self._kill_all()
        _, status, usage = os.wait4(pid, 0)
        while True:  # reap every other process of the namespace, re-killing any late fork
            try:
                reaped, _ = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if reaped == 0:
                self._kill_all()
                time.sleep(0.0005)
        os.close(pidfd)
        # Everyone is dead: what is still in the pipes was written before; nothing can add more.
        for fd, is_out in ((out_r, True), (err_r, False)):
            while fd in open_fds:
                if is_out:
                    k = _splice(fd, out, min(1 << 16, out_cap + 1 - n_out), n_out) \
                        if n_out <= out_cap else 0
                    n_out += k
                    if n_out > out_cap:
                        n_out = out_cap
                        verdict = verdict or ("output_limit", f"stdout over {out_cap} bytes")
                        k = 0
                else:
                    pos = n_err % err_cap
                    k = _splice(fd, err, min(1 << 16, err_cap - pos), pos)
                    n_err += k
                if not k:
                    open_fds.discard(fd)
        wall = time.monotonic() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime + after.ru_stime) - (usage_before.ru_utime + usage_before.ru_stime)
        cg_cpu = self._cpu_usage_s()
        if cg_cpu is not None and self.cg_cpu_before is not None:
            cpu = max(cpu, cg_cpu - self.cg_cpu_before)
        peak = self._cg_read("memory.max_usage_in_bytes").strip() or (
            self._cg_read("memory.peak").strip() if self.peak_reset else "")
        peak_mb = int(peak) / _MB if peak.isdigit() else usage.ru_maxrss / 1024
        exit_code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else None
        sig = os.WTERMSIG(status) if os.WIFSIGNALED(status) else None
        err_spans = ((0, n_err),) if n_err <= err_cap else (
            (n_err % err_cap, err_cap - n_err % err_cap), (0, n_err % err_cap))
        err_blob = wire.FileBlob(err, tuple(sp for sp in err_spans if sp[1]))
        tail = bytearray(min(400, len(err_blob)))  # read, classified, zeroed
        at = len(tail)
        for off, n in reversed(err_blob.spans):
            take = min(n, at)
            if take:
                os.preadv(err, [memoryview(tail)[at - take : at]], off + n - take)
                at -= take
        status_name, detail = self._classify(verdict, setup, exit_code, sig, cpu, limits,
                                             oom_before, tail)
        wire.zero([tail])
        return {"status": status_name, "exit_code": exit_code, "signal": sig, "cpu_s": cpu,
                "wall_s": wall, "peak_memory_mb": peak_mb, "detail": detail,
                "stdout": wire.FileBlob(out, ((0, n_out),) if n_out else ()), "stderr": err_blob}

    def _classify(self, verdict, setup, exit_code, sig, cpu, limits, oom_before, tail):
        if not setup.startswith(b"ok"):
            if setup:
                return "sandbox_error", "confinement setup failed: " + setup.decode("utf-8", "replace")[:300]
            if verdict is None and exit_code == SETUP_FAILED:
                return "sandbox_error", "child exited during confinement setup"
        if verdict:
            return verdict
        if cpu > limits["cpu_s"] or sig == signal.SIGXCPU:
            return "time_limit", f"cpu {cpu:.2f}s over {limits['cpu_s']:g}s"
        if self._oom_kills() > oom_before:
            return "memory_limit", f"cgroup OOM at {limits['memory_mb']} MB"
        if sig == signal.SIGXFSZ:
            return "output_limit", f"file write over {limits['written_bytes']} bytes"
        # Only a downgrade between two failing statuses rests on the program's own stderr.
        if exit_code not in (0, None) and (b"MemoryError" in tail or b"std::bad_alloc" in tail):
            return "memory_limit", f"allocation failed under {limits['memory_mb']} MB"
        if sig is not None:
            return "runtime_error", f"killed by signal {signal.Signals(sig).name if sig in signal.Signals._value2member_map_ else sig}"
        if exit_code != 0:
            return "runtime_error", f"exit code {exit_code}"
        return "ok", ""

    # -- the child: confine, then become the program ----------------------------------------
    def _child(self, workdir, fds) -> None:
        out_w, err_w, st_w, go_fd = fds
        try:
            null = os.open("/dev/null", os.O_RDONLY)  # fd 0 until the input file arrives
            os.dup2(null, 0)
            os.close(null)
            os.dup2(out_w, 1)
            os.dup2(err_w, 2)
            for name in [n for n in self.cg if n.endswith(".procs")]:  # every run cgroup
                os.write(self.cg[name], b"0")
            with contextlib.suppress(OSError):
                _write_file("/proc/self/oom_score_adj", "1000")
            os.chdir(workdir)
            os.setsid()
            resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
            if self.cfg["mode"] != "container":
                # A fresh IPC namespace per execution: no SysV object or POSIX queue of another
                # run is visible, and what this run leaves dies with its last process (freeing
                # its memory charge). Containers remove their objects after each run instead.
                cf.unshare(cf.CLONE_NEWIPC)
            # The bounding set first, while we still hold CAP_SETPCAP: after setuid the drop
            # would fail with EPERM and leave the bounding set full.
            _drop_bounding_set()
            if self.uid is not None:
                for fd in (1, 2):  # so that the program may reopen its own /dev/stdout
                    os.fchown(fd, self.uid, self.uid)
                os.setgroups([])
                os.setgid(self.uid)
                os.setuid(self.uid)
            cf.drop_capabilities()
            keep = {0, 1, 2, st_w, go_fd}
            for fd in _open_fds():
                if fd not in keep:
                    with contextlib.suppress(OSError):
                        os.close(fd)
            cf.prctl(cf.PR_SET_NO_NEW_PRIVS, 1)
            if self.landlock_abi is not None:
                # per execution, so that even a program that owns /work (user-namespace mode)
                # can write nowhere but its own fresh work dir
                ruleset, _ = cf.landlock_ruleset([workdir], ["/dev/null"])
                cf.landlock_restrict(ruleset)
                os.close(ruleset)
            if self.seccomp_prog is not None:
                cf.seccomp_install(self.seccomp_prog)
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
            if self.nproc:
                resource.setrlimit(resource.RLIMIT_NPROC, (limits["pids"], limits["pids"]))
            if mode == "python":
                source = blobs[0]  # kept as the received buffer (never decoded here) so it can be zeroed
                os.write(st_w, b"ok")
                os.close(st_w)
                _run_python_here(source, self.stdlib_path, self.stdio)
            os.set_inheritable(st_w, False)
            if mode == "python_strict":
                argv = [self.python, "-I", "main.py"]
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


def _drop_bounding_set() -> None:
    for cap in range(64):
        try:
            cf.prctl(cf.PR_CAPBSET_DROP, cap)
        except OSError as exc:
            if exc.errno == errno.EINVAL:  # past the last capability this kernel knows
                return
            if exc.errno == errno.EPERM:  # no CAP_SETPCAP (container mode): the set is the engine's
                return
            raise


def _splice(src: int, dst: int, count: int, offset: int) -> int:
    """Move up to `count` bytes from pipe `src` into file `dst` at `offset`; 0 at EOF."""
    if count <= 0:
        return 0
    return os.splice(src, dst, count, offset_dst=offset)


def _remove_ipc_objects() -> None:
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


def _open_fds() -> list[int]:
    try:
        return [int(n) for n in os.listdir("/proc/self/fd")]
    except OSError:
        return list(range(3, 1024))


def _stdio_config() -> dict:
    """Encoding and error handlers of the std streams as CPython chose them for this server,
    which runs with the strict path's environment (no locale variables, so the same coercion to
    UTF-8): the fast path builds its streams with the same settings."""
    cfg = {"encoding": "utf-8", "errors": "surrogateescape", "stderr_errors": "backslashreplace"}
    for stream, key in ((sys.__stdout__, "errors"), (sys.__stderr__, "stderr_errors")):
        if stream is not None:
            cfg[key] = stream.errors
            cfg["encoding"] = stream.encoding
    return cfg


def _std_stream(fd: int, write: bool, name: str, cfg: dict):
    """One std stream exactly as CPython's create_stdio builds it on Linux: io.open of the fd
    (buffered, closefd=False) named '<stdout>', a TextIOWrapper with newline='\\n' (no
    translation), line buffering only for stderr or a tty, and a .mode attribute."""
    buf = io.open(fd, "wb" if write else "rb", -1, closefd=False)  # noqa: UP020, SIM115
    buf.raw.name = name
    errors = cfg["stderr_errors"] if fd == 2 else cfg["errors"]
    line_buffering = fd == 2 or buf.raw.isatty()
    stream = io.TextIOWrapper(buf, cfg["encoding"], errors, "\n", line_buffering, False)
    stream.mode = "w" if write else "r"
    return stream


def _is_closed(stream) -> bool:
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


def _unraisable(exc: BaseException, obj, msg: str | None = None) -> None:
    with contextlib.suppress(BaseException):
        sys.unraisablehook(types.SimpleNamespace(exc_type=type(exc), exc_value=exc,
                                                 exc_traceback=exc.__traceback__,
                                                 err_msg=msg, object=obj))


def _run_python_here(source, stdlib_path: list[str], stdio: dict) -> None:
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
    sys.stdin = sys.__stdin__ = _std_stream(0, False, "<stdin>", stdio)
    sys.stdout = sys.__stdout__ = _std_stream(1, True, "<stdout>", stdio)
    sys.stderr = sys.__stderr__ = _std_stream(2, True, "<stderr>", stdio)
    sys.excepthook = sys.__excepthook__
    sys.unraisablehook = sys.__unraisablehook__
    main = types.ModuleType("__main__")
    main.__file__ = os.path.join(os.getcwd(), "main.py")
    main.__builtins__ = builtins
    main.__cached__ = None
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
        threading._shutdown()  # like interpreter shutdown: wait for non-daemon threads
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


if __name__ == "__main__":
    main(sys.argv[1:])
