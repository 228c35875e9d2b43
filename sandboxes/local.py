"""LocalSandbox, the default backend: a pool of pre-started fork-server slots (sandboxes.forkserver)
confined by namespaces, a read-only root, rlimits, cgroups, Landlock and seccomp; it manages slots
and reports facts, and deliberately contains neither the confinement code nor any judging.

Modes: "root" (host root: per-slot uid, cgroups) and "userns" (unprivileged user namespaces, the
fallback for hosts where we are not root). `describe()` lists the layers the slots verified at
start; `require=[...]` refuses to start when any named layer is missing.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import queue
import subprocess
import sys
import threading
import time
import weakref
from collections.abc import Sequence

from sandboxes import wire
from sandboxes.base import Limits, Program, RunResult, Status

MODES = ("auto", "root", "userns")
LAYERS = ("pid", "net", "ipc", "uts", "fs", "uid", "rlimits", "cgroup_memory", "cgroup_pids",
          "landlock", "seccomp", "no_new_privs", "userns")
_PACKAGE_PARENT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_START_TIMEOUT_S = 30.0


def _system_paths() -> list[str]:
    """What the read-only root shows: system trees, the dynamic linker cache and this Python."""
    base = os.path.realpath(sys.base_prefix)
    paths = ["/usr", "/etc/ld.so.cache", "/etc/alternatives"]
    paths += [p for p in ("/bin", "/sbin", "/lib", "/lib64", "/lib32")
              if os.path.isdir(p) and not os.path.islink(p)]
    if not base.startswith("/usr/"):
        paths.append(base)
    return paths


def _cgroup_v1_dirs(tag: str) -> dict[str, str]:
    """Create <our cgroup>/<tag>/run for the memory and pids v1 controllers we can write to."""
    mounts: dict[str, str] = {}
    with open("/proc/self/mountinfo") as f:
        for line in f:
            left, _, right = line.partition(" - ")
            fields, sfields = left.split(), right.split()
            if sfields and sfields[0] == "cgroup":
                for ctrl in ("memory", "pids"):
                    if ctrl in sfields[2].split(","):
                        mounts[ctrl] = fields[4]
    ours: dict[str, str] = {}
    with open("/proc/self/cgroup") as f:
        for line in f:
            _, ctrls, path = line.rstrip("\n").split(":", 2)
            for ctrl in ctrls.split(","):
                ours[ctrl] = path
    out: dict[str, str] = {}
    for ctrl, mnt in mounts.items():
        slot = os.path.join(mnt, ours.get(ctrl, "/").lstrip("/"), tag)
        try:
            os.makedirs(os.path.join(slot, "run"), exist_ok=True)
        except OSError:
            continue
        out[ctrl] = slot
    return out


def _remove_cgroups(dirs: dict[str, str]) -> None:
    for slot in dirs.values():
        for d in (os.path.join(slot, "run"), slot):
            for _ in range(50):  # the kernel frees a cgroup only once its last task is reaped
                try:
                    os.rmdir(d)
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(0.02)


class _Slot:
    def __init__(self, index: int, cfg: dict):
        self.index = index
        self.cgroups = cfg["cgroups"]
        req_r, self.req_w = os.pipe()
        self.resp_r, resp_w = os.pipe()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "sandboxes.forkserver", json.dumps(cfg), str(req_r), str(resp_w)],
            pass_fds=(req_r, resp_w), env={"PYTHONPATH": _PACKAGE_PARENT, "PYTHONSAFEPATH": "1"},
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            cwd="/", close_fds=True)
        os.close(req_r)
        os.close(resp_w)
        try:
            self.hello, _ = wire.recv(self.resp_r, _START_TIMEOUT_S)
        except (EOFError, TimeoutError, ValueError) as exc:
            err = self._stderr_tail()
            self.close()
            raise RuntimeError(f"sandbox slot {index} failed to start ({exc}): {err}") from None
        if not self.hello.get("ready"):
            self.close()
            raise RuntimeError(f"sandbox slot {index} failed its self-test: "
                               f"{self.hello.get('error')} {self.hello.get('stderr', '')}")

    def _stderr_tail(self) -> str:
        try:
            self.proc.kill()
            return self.proc.communicate(timeout=5)[1].decode("utf-8", "replace")[-2000:]
        except Exception as exc:  # only for an error message
            return f"(no stderr: {exc})"

    def request(self, header: dict, blobs: list[bytes], timeout_s: float):
        wire.send(self.req_w, header, blobs)
        return wire.recv(self.resp_r, timeout_s)

    def close(self) -> None:
        for fd in (self.req_w, self.resp_r):
            with contextlib.suppress(OSError):
                os.close(fd)
        try:
            self.proc.wait(timeout=5)  # EOF on its pipe ends the server, and with it the namespace
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        if self.proc.stderr:
            self.proc.stderr.close()
        _remove_cgroups(self.cgroups)


_LIVE: weakref.WeakSet[LocalSandbox] = weakref.WeakSet()


def _forget_in_forked_child() -> None:
    """A plain fork (a DeadlinePool worker, multiprocessing's fork start method) copies every
    slot's pipe ends. A slot server ends on EOF of its request pipe, which never comes while a
    child holds a copy of the write end: closing the parent's sandbox would then wait out a
    timeout per slot. The child drops its copies and its view of the parent's sandboxes (the
    servers belong to the parent; a child that needs a sandbox starts its own)."""
    for sandbox in list(_LIVE):
        sandbox._closed = True  # no lock: after fork only this thread exists, a lock may be stale
        for slot in sandbox._slots:
            for fd in (slot.req_w, slot.resp_r):
                with contextlib.suppress(OSError):
                    os.close(fd)
        sandbox._slots = []


os.register_at_fork(after_in_child=_forget_in_forked_child)


class LocalSandbox:
    """Process sandbox pool. Thread-safe: each `run` takes one free slot for its whole request
    (compile once, run every stdin), so concurrency equals the number of slots."""

    def __init__(self, slots: int | None = None, *, mode: str = "auto",
                 require: Sequence[str] = (), python_fast_path: bool = True,
                 work_mb: int = 256, uid_base: int = 61000, landlock: bool = True,
                 seccomp: bool = True, cgroups: bool = True):
        if mode not in MODES:
            raise ValueError(f"mode={mode!r} is not allowed; use one of {MODES}")
        unknown = [r for r in require if r not in LAYERS]
        if unknown:
            raise ValueError(f"require={list(require)!r} names unknown layers {unknown}; "
                             f"allowed: {LAYERS}")
        if slots is None:
            slots = len(os.sched_getaffinity(0))
        if not isinstance(slots, int) or slots < 1:
            raise ValueError(f"slots={slots!r} is not allowed; use a positive integer")
        if not isinstance(work_mb, int) or work_mb < 8:
            raise ValueError(f"work_mb={work_mb!r} is not allowed; use an integer >= 8")
        if sys.platform != "linux":
            raise RuntimeError(f"LocalSandbox needs Linux namespaces; this is {sys.platform}. "
                               "Use the docker backend.")
        if mode == "auto":
            mode = "root" if os.geteuid() == 0 else "userns"
        if mode == "root" and os.geteuid() != 0:
            raise ValueError("mode='root' is not allowed when not running as root; use 'userns'")
        self.mode = mode
        self.python_fast_path = python_fast_path
        self._lock = threading.Lock()
        self._free: queue.Queue[_Slot] = queue.Queue()
        self._slots: list[_Slot] = []
        self._closed = False
        self._base_cfg = {"mode": mode, "work_mb": work_mb, "landlock": landlock,
                          "seccomp": seccomp, "python": os.path.realpath(sys.executable),
                          "python_prefix": os.path.realpath(sys.base_prefix),
                          "ro_paths": _system_paths()}
        self._uid_base = uid_base
        self._use_cgroups = cgroups
        self._tag = f"verity-{os.getpid()}-{id(self):x}"
        try:
            for i in range(slots):
                self._start_slot(i)
        except BaseException:
            self.close()
            raise
        self._layers = dict(self._slots[0].hello["layers"])
        self._missing = dict(self._slots[0].hello["missing"])
        if cgroups and "cgroup" not in self._missing and not self._slots[0].cgroups:
            for layer in ("cgroup_memory", "cgroup_pids"):
                self._missing[layer] = ("could not create a writable v1 cgroup (needs root or a "
                                        "delegated hierarchy; cgroup v2 is not supported yet)")
        for layer in LAYERS:
            if layer not in self._layers and layer not in self._missing:
                self._missing[layer] = "not applicable in mode " + mode if layer in (
                    "uid", "userns") else "not available on this host"
        lacking = [r for r in require if r not in self._layers]
        if lacking:
            self.close()
            raise RuntimeError("LocalSandbox refuses to start: required isolation layers missing: "
                               + "; ".join(f"{r} ({self._missing.get(r, 'unavailable')})"
                                           for r in lacking))
        atexit.register(self.close)
        _LIVE.add(self)

    def _start_slot(self, i: int) -> None:
        tag = f"{self._tag}-{i}"
        # Also in userns mode: a host that lets us create cgroups gets the pids/memory caps.
        cgroups = _cgroup_v1_dirs(tag) if self._use_cgroups else {}
        cfg = dict(self._base_cfg, slot=i, uid=self._uid_base + i, cgroups=cgroups)
        try:
            slot = _Slot(i, cfg)
        except BaseException:
            _remove_cgroups(cgroups)
            raise
        self._slots.append(slot)
        self._free.put(slot)

    def describe(self) -> dict[str, object]:
        return {"backend": "local", "mode": self.mode, "slots": len(self._slots),
                "python_fast_path": self.python_fast_path, "active": dict(self._layers),
                "missing": dict(self._missing),
                "python": "fork of the slot's interpreter (request buffers zeroed after use)"
                if self.python_fast_path else "execve of a fresh interpreter (python -I)"}

    def run(self, program: Program, stdins: Sequence[bytes], limits: Limits,
            *, stop_on_error: bool = False) -> list[RunResult]:
        if self._closed:
            raise RuntimeError("LocalSandbox.run after close()")
        stdins = [bytes(s) for s in stdins]
        if not stdins:
            return []
        header, blobs_out, budget = limits.request(program, stdins, stop_on_error=stop_on_error,
                                                   fast=self.python_fast_path)
        try:
            slot = self._free.get(timeout=budget)
        except queue.Empty:  # every slot died and could not be restarted, or all are stuck
            return [RunResult(Status.SANDBOX_ERROR, detail="no sandbox slot became free")
                    for _ in stdins]
        try:
            results = RunResult.from_reply(*slot.request(header, blobs_out, budget))
        except (OSError, EOFError, TimeoutError, ValueError) as exc:
            # A slot that misbehaves is never reused: replace it and mask this request.
            self._replace(slot)
            return [RunResult(Status.SANDBOX_ERROR, detail=f"slot {slot.index}: {exc}")
                    for _ in stdins]
        self._free.put(slot)
        return results

    def _replace(self, slot: _Slot) -> None:
        with self._lock:
            slot.close()
            self._slots.remove(slot)
            if self._closed:
                return
            with contextlib.suppress(RuntimeError):  # capacity shrinks; describe() says so
                self._start_slot(slot.index)

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
            for slot in self._slots:
                slot.close()
            self._slots.clear()
        atexit.unregister(self.close)

    def __enter__(self) -> LocalSandbox:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
