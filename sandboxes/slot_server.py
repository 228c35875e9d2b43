"""What a slot server does with one request: run the program once per input, each time in a
child forked ahead of it (sandboxes.exec_child), compiling C++ first; watch each run (pipes into
memfds, wall clock, output cap, grader hang-up), kill and reap the whole namespace before the
output is final, and classify what was observed; it never judges output."""

from __future__ import annotations

import contextlib
import os
import resource
import select
import shutil
import signal
import socket
import sys
import time
from typing import Any

from sandboxes import wire
from sandboxes.exec_child import SETUP_FAILED, child, remove_ipc_objects
from sandboxes.fast_path import stdio_config
from sandboxes.run_cgroup import RunCgroup

WORK = "/work"
_MB = 1 << 20


def write_bytes(path: str, data: bytes | bytearray) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)


class _Reply:
    """The outputs of one request, gathered in one memfd (copied inside the kernel)."""

    def __init__(self) -> None:
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


class SlotServer:
    """Runs one request at a time, one execution at a time, each in a child forked ahead of it."""

    def __init__(self, cfg: dict[str, Any], cg_fds: dict[str, int], landlock_abi: int | None,
                 seccomp_prog: bytes | None) -> None:
        self.cfg = cfg
        self.cg = RunCgroup(cg_fds)
        self.landlock_abi = landlock_abi
        self.seccomp_prog = seccomp_prog
        self.cg_cpu_before: float | None = None
        self.uid = cfg["uid"] if cfg["mode"] == "root" else None  # switched to per execution
        # nproc counts per uid: only meaningful with a uid of our own (per slot or per container)
        self.nproc = cfg["mode"] in ("root", "container")
        self.python = cfg["python"]
        self.stdio = stdio_config()
        self.req_fd: int | None = None  # the grader's request pipe, watched for hang-up
        self.counter = 0
        # the pre-forked child waiting for the next request
        self.ready: dict[str, Any] | None = None
        self.kept: set[str] = set()  # work dirs that hold this request's compiled binary
        self.stdlib_path = [p for p in sys.path if p.startswith(cfg["python_prefix"])]

    # -- request ---------------------------------------------------------------------------
    def handle(self, header: dict[str, Any], source: bytearray, inputs: int,
               spans: list[tuple[int, int]]
               ) -> tuple[list[dict[str, Any]], list[wire.FileBlob], int]:
        """Run `source` once per input (a span of the `inputs` memfd). Outputs are gathered in
        one reply memfd (returned; the caller closes it): a request holds a few descriptors
        however many inputs it has."""
        language, limits = header["language"], header["limits"]
        results: list[dict[str, Any]] = []
        outs: list[wire.FileBlob] = []
        reply = _Reply()
        binary: str | None = None
        try:
            if language == "cpp":
                empty = wire.extract(inputs, 0, 0)
                try:
                    binary, res = self.compile_cpp(source, limits, empty)
                finally:
                    os.close(empty)
                if binary is None:
                    if res["status"] != "sandbox_error":
                        res["status"] = "compile_error"
                    res.pop("stdout").close()
                    log = reply.add(res.pop("stderr"))
                    for _ in spans:
                        results.append(dict(res))
                        outs += [wire.FileBlob(reply.fd, ()), log]  # empty stdout, the g++ log
                    return results, outs, reply.fd
            for offset, length in spans:
                fast = header.get("fast", True)
                mode = "exec" if binary else ("python" if fast else "python_strict")
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

    def compile_cpp(self, source: bytearray, limits: dict[str, Any], empty_stdin: int
                    ) -> tuple[str | None, dict[str, Any]]:
        climits = dict(limits, cpu_s=limits["compile_cpu_s"],
                       wall_s=limits["compile_cpu_s"] * 2 + 5,
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

    # -- one execution ---------------------------------------------------------------------
    def _prepare(self) -> dict[str, Any]:
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
            child(self, workdir, (out_w, err_w, st_w, go_r.fileno()))
        go_r.close()
        for fd in (out_w, err_w, st_w):
            os.close(fd)
        return {"pid": pid, "workdir": workdir, "out_r": out_r, "err_r": err_r, "st_r": st_r,
                "go": go_w}

    def execute(self, mode: str, source: bytearray, binary: str | None, stdin: int,
                limits: dict[str, Any], keep_dir: bool = False) -> dict[str, Any]:
        """One run with `stdin` (a sealed memfd) on fd 0. stdout/stderr come back as FileBlobs
        over memfds the caller closes."""
        child, self.ready = self.ready or self._prepare(), None
        workdir = child["workdir"]
        out = wire.memfd("stdout")
        err = wire.memfd("stderr")
        try:
            if mode in ("python", "python_strict"):
                write_bytes(os.path.join(workdir, "main.py"), source)
            elif mode == "compile":
                write_bytes(os.path.join(workdir, "main.cpp"), source)
            self.cg.set_limits(limits)
            oom_before = self.cg.oom_kills()
            usage_before = resource.getrusage(resource.RUSAGE_CHILDREN)
            self.cg_cpu_before = self.cg.cpu_usage_s()
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
                remove_ipc_objects()

    def _wipe_work(self, keep: str | None) -> None:
        """Nothing a program leaves in /work (where user-namespace mode lets it write) outlives
        it."""
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

    def _monitor(self, pid: int, start: float, usage_before: resource.struct_rusage,
                 oom_before: int, limits: dict[str, Any], out_r: int, err_r: int, st_r: int,
                 out: int, err: int) -> dict[str, Any]:
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
        cg_cpu = self.cg.cpu_usage_s()
        if cg_cpu is not None and self.cg_cpu_before is not None:
            cpu = max(cpu, cg_cpu - self.cg_cpu_before)
        peak = self.cg.peak_bytes()
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

    def _classify(self, verdict: tuple[str, str] | None, setup: bytearray, exit_code: int | None,
                  sig: int | None, cpu: float, limits: dict[str, Any], oom_before: int,
                  tail: bytearray) -> tuple[str, str]:
        if not setup.startswith(b"ok"):
            if setup:
                told = setup.decode("utf-8", "replace")[:300]
                return "sandbox_error", "confinement setup failed: " + told
            if verdict is None and exit_code == SETUP_FAILED:
                return "sandbox_error", "child exited during confinement setup"
        if verdict:
            return verdict
        if cpu > limits["cpu_s"] or sig == signal.SIGXCPU:
            return "time_limit", f"cpu {cpu:.2f}s over {limits['cpu_s']:g}s"
        if self.cg.oom_kills() > oom_before:
            return "memory_limit", f"cgroup OOM at {limits['memory_mb']} MB"
        if sig == signal.SIGXFSZ:
            return "output_limit", f"file write over {limits['written_bytes']} bytes"
        # Only a downgrade between two failing statuses rests on the program's own stderr.
        if exit_code not in (0, None) and (b"MemoryError" in tail or b"std::bad_alloc" in tail):
            return "memory_limit", f"allocation failed under {limits['memory_mb']} MB"
        if sig is not None:
            known = sig in signal.Signals._value2member_map_
            return "runtime_error", f"killed by signal {signal.Signals(sig).name if known else sig}"
        if exit_code != 0:
            return "runtime_error", f"exit code {exit_code}"
        return "ok", ""


def _splice(src: int, dst: int, count: int, offset: int) -> int:
    """Move up to `count` bytes from pipe `src` into file `dst` at `offset`; 0 at EOF."""
    if count <= 0:
        return 0
    return os.splice(src, dst, count, offset_dst=offset)
