"""LocalSandbox, the default backend: a pool of pre-started fork-server slots (sandboxes.forkserver)
confined by namespaces, a read-only root, rlimits, cgroups, Landlock and seccomp; it manages slots
and reports facts, and deliberately contains neither the confinement code nor any judging.

Modes: "root" (host root: per-slot uid, cgroups) and "userns" (unprivileged user namespaces, the
fallback for hosts where we are not root). `describe()` lists the layers the slots verified at
start; `require=[...]` refuses to start when any named layer is missing.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Sequence

from sandboxes import wire
from sandboxes.pool import SlotPool
from sandboxes.uids import UidLease

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


def _pidns() -> int:
    """Our pid namespace's inode: with the pid, it names a grader process host-wide."""
    return os.stat("/proc/self/ns/pid").st_ino


def _cgroup_v1_parents() -> dict[str, str]:
    """Our own cgroup directory in each mounted v1 memory and pids hierarchy."""
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
    return {ctrl: os.path.join(mnt, ours.get(ctrl, "/").lstrip("/")) for ctrl, mnt in mounts.items()}


def _cgroup_v1_dirs(tag: str) -> dict[str, str]:
    """Create <our cgroup>/<tag>/run for the memory and pids v1 controllers we can write to."""
    out: dict[str, str] = {}
    for ctrl, parent in _cgroup_v1_parents().items():
        slot = os.path.join(parent, tag)
        try:
            os.makedirs(os.path.join(slot, "run"), exist_ok=True)
        except OSError:
            continue
        out[ctrl] = slot
    return out


_TAG = re.compile(r"verity-(\d+)-(\d+)-[0-9a-f]+-\d+")


def _has_tasks(cgroup_dir: str) -> bool:
    try:
        with open(os.path.join(cgroup_dir, "cgroup.procs")) as f:
            return bool(f.read().strip())
    except FileNotFoundError:
        return False


def _sweep_stale_cgroups() -> int:
    """Remove slot cgroups left by a grader of our pid namespace that died without closing
    (kill -9): only directories named by our tag scheme, only when that grader's pid is gone,
    and only when no task is left in them. Returns how many slot directories were removed."""
    removed = 0
    ns = str(_pidns())
    try:
        parents = list(_cgroup_v1_parents().values())
    except OSError:
        return 0
    for parent in parents:
        try:
            names = os.listdir(parent)
        except OSError:
            continue
        for name in names:
            m = _TAG.fullmatch(name)
            if not m or m.group(1) != ns or _pid_alive(int(m.group(2))):
                continue
            slot = os.path.join(parent, name)
            run = os.path.join(slot, "run")
            if _has_tasks(slot) or _has_tasks(run):
                continue  # a candidate still lives there: not empty, not ours to judge
            try:
                if os.path.isdir(run):
                    os.rmdir(run)
                os.rmdir(slot)
                removed += 1
            except OSError:
                continue
    return removed


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


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

    def forget(self) -> None:
        for fd in (self.req_w, self.resp_r):
            if fd >= 0:
                with contextlib.suppress(OSError):
                    os.close(fd)
        self.req_w = self.resp_r = -1

    def close(self) -> None:
        self.forget()
        try:
            self.proc.wait(timeout=5)  # EOF on its pipe ends the server, and with it the namespace
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        if self.proc.stderr:
            self.proc.stderr.close()
        _remove_cgroups(self.cgroups)


class LocalSandbox(SlotPool):
    """Process sandbox pool (the contract lives in sandboxes.pool.SlotPool). In root mode every
    slot runs programs as a uid leased host-wide for this instance (sandboxes.uids): no other
    instance, in this process or any other, shares it."""

    name = "local sandbox"
    layer_names = LAYERS

    def __init__(self, slots: int | None = None, *, mode: str = "auto",
                 require: Sequence[str] = (), python_fast_path: bool = True,
                 work_mb: int = 256, uid_base: int | None = None, landlock: bool = True,
                 seccomp: bool = True, cgroups: bool = True):
        if mode not in MODES:
            raise ValueError(f"mode={mode!r} is not allowed; use one of {MODES}")
        super().__init__(require)
        if slots is None:
            slots = len(os.sched_getaffinity(0))
        if isinstance(slots, bool) or not isinstance(slots, int) or slots < 1:
            raise ValueError(f"slots={slots!r} is not allowed; use a positive integer")
        if not isinstance(work_mb, int) or work_mb < 8:
            raise ValueError(f"work_mb={work_mb!r} is not allowed; use an integer >= 8")
        if uid_base is not None and (isinstance(uid_base, bool) or not isinstance(uid_base, int)
                                     or not 1000 <= uid_base <= 0xFFFFFFFE - slots):
            raise ValueError(f"uid_base={uid_base!r} is not allowed; use None (lease free uids) "
                             "or an integer >= 1000")
        if sys.platform != "linux":
            raise RuntimeError(f"LocalSandbox needs Linux namespaces; this is {sys.platform}. "
                               "Use the docker backend.")
        if mode == "auto":
            mode = "root" if os.geteuid() == 0 else "userns"
        if mode == "root" and os.geteuid() != 0:
            raise ValueError("mode='root' is not allowed when not running as root; use 'userns'")
        self.mode = mode
        self.python_fast_path = python_fast_path
        self._base_cfg = {"mode": mode, "work_mb": work_mb, "landlock": landlock,
                          "seccomp": seccomp, "python": os.path.realpath(sys.executable),
                          "python_prefix": os.path.realpath(sys.base_prefix),
                          "ro_paths": _system_paths()}
        self._use_cgroups = cgroups
        self._tag = f"verity-{_pidns()}-{os.getpid()}-{id(self):x}"
        self.removed_stale_cgroups = _sweep_stale_cgroups() if cgroups else 0
        # root mode: one leased uid per slot index, kept across replacements, given back on close
        self._leases = UidLease() if mode == "root" else None
        self._uids: dict[int, int] = {}
        try:
            if self._leases is not None:
                for i in range(slots):
                    self._uids[i] = self._leases.take(None if uid_base is None else uid_base + i)
        except BaseException:
            self._leases.close()
            raise
        self._fill(slots)
        self._layers = dict(self._slots[0].hello["layers"])
        self._missing = dict(self._slots[0].hello["missing"])
        if cgroups and "cgroup" not in self._missing and not self._slots[0].cgroups:
            for layer in ("cgroup_memory", "cgroup_pids"):
                self._missing[layer] = ("could not create a writable v1 cgroup (needs root or a "
                                        "delegated hierarchy; cgroup v2 is not supported yet)")
        for layer in ("uid", "userns"):
            if layer not in self._layers and layer not in self._missing:
                self._missing[layer] = f"not applicable in mode {mode}"
        self._refuse_missing()

    def _start_slot(self, index: int, previous: _Slot | None) -> _Slot:
        tag = f"{self._tag}-{index}"
        # Also in userns mode: a host that lets us create cgroups gets the pids/memory caps.
        cgroups = _cgroup_v1_dirs(tag) if self._use_cgroups else {}
        # userns mode runs programs as the caller's own uid (mapped to root inside)
        uid = self._uids.get(index, os.geteuid())
        cfg = dict(self._base_cfg, slot=index, uid=uid, cgroups=cgroups)
        try:
            return _Slot(index, cfg)
        except BaseException:
            _remove_cgroups(cgroups)
            raise

    def _on_close(self) -> None:
        if self._leases is not None:
            self._leases.close()

    def _forget(self) -> None:
        if self._leases is not None:
            self._leases.forget()

    @property
    def uids(self) -> list[int]:
        """The host uids this instance's programs run as (root mode; empty in userns mode)."""
        return sorted(self._uids.values()) if self._leases is not None else []

    def describe(self) -> dict[str, object]:
        return {"backend": "local", "mode": self.mode, "slots": len(self._slots),
                "uids": self.uids, "python_fast_path": self.python_fast_path,
                "active": dict(self._layers), "missing": dict(self._missing),
                "python": "fork of the slot's interpreter (request buffers zeroed after use)"
                if self.python_fast_path else "execve of a fresh interpreter (python -I)"}
