"""LocalSandbox, the default backend: a pool of pre-started fork-server slots (sandboxes.forkserver)
confined by namespaces, a read-only root, rlimits, cgroups, Landlock and seccomp; it manages slots
and reports facts, and deliberately contains neither the confinement code nor any judging.

Modes: "root" (host root: a per-slot uid leased host-wide by sandboxes.uids, cgroups) and
"userns" (unprivileged user namespaces, the fallback for hosts where we are not root). Cgroups
are v1 or a delegated v2 subtree (sandboxes.cgroups). `describe()` lists the layers the slots
verified at start and the cgroup version; `require=[...]` refuses to start when any named layer
is missing. The pool contract (run, replace, close) is sandboxes.pool's.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from collections.abc import Sequence
from typing import Any

from sandboxes import cgroups as cg
from sandboxes import wire
from sandboxes.pool import SlotPool
from sandboxes.uids import UidLease

MODES = ("auto", "root", "userns")
LAYERS = ("pid", "net", "ipc", "uts", "fs", "uid", "rlimits", "cgroup_memory", "cgroup_pids",
          "cgroup_cpu", "landlock", "seccomp", "no_new_privs", "userns")
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


class _Slot:
    def __init__(self, index: int, cfg: dict[str, Any]):
        self.index = index
        self.cgroups: cg.SlotCgroups = cfg.pop("slot_cgroups")
        req_r, self.req_w = os.pipe()
        self.resp_r, resp_w = os.pipe()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "sandboxes.forkserver", json.dumps(cfg), str(req_r),
             str(resp_w)],
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

    def request(self, header: dict[str, Any], blobs: list[bytes],
                timeout_s: float) -> tuple[dict[str, Any], list[bytearray]]:
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
        cg.remove(self.cgroups)


class LocalSandbox(SlotPool[_Slot]):
    """Process sandbox pool (the contract lives in sandboxes.pool.SlotPool). In root mode every
    slot runs programs as a uid leased host-wide for this instance (sandboxes.uids): no other
    instance, in this process or any other, shares it."""

    name = "local sandbox"
    layer_names = LAYERS

    def __init__(self, slots: int | None = None, *, mode: str = "auto",
                 require: Sequence[str] = (), python_fast_path: bool = True,
                 work_mb: int = 256, uid_base: int | None = None, landlock: bool = True,
                 seccomp: bool = True, cgroups: bool = True, cgroup_version: str = "auto"):
        if mode not in MODES:
            raise ValueError(f"mode={mode!r} is not allowed; use one of {MODES}")
        if cgroup_version not in cg.VERSIONS:
            raise ValueError(f"cgroup_version={cgroup_version!r} is not allowed; use one of "
                             f"{cg.VERSIONS}")
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
        self._cgroup_version = cgroup_version
        self._tag = f"verity-{cg.pidns()}-{os.getpid()}-{id(self):x}"
        self.removed_stale_cgroups = cg.sweep_stale() if cgroups else 0
        # root mode: one leased uid per slot index, kept across replacements, given back on close
        self._leases = UidLease() if mode == "root" else None
        self._uids: dict[int, int] = {}
        if self._leases is not None:
            self._uids = dict(enumerate(self._leases.take_many(slots, uid_base)))
        self._fill(slots)
        self._layers = dict(self._slots[0].hello["layers"])
        self._missing = dict(self._slots[0].hello["missing"])
        slot_cg = self._slots[0].cgroups
        self.cgroup_version = slot_cg.version or "none"
        if cgroups and "cgroup" not in self._missing:
            self._missing.update(
                {k: v for k, v in slot_cg.missing.items() if k not in self._layers}
            )
        elif not cgroups:
            self._missing.update({f"cgroup_{c}": "cgroups=False" for c in cg.CONTROLLERS})
        for layer in ("uid", "userns"):
            if layer not in self._layers and layer not in self._missing:
                self._missing[layer] = f"not applicable in mode {mode}"
        self._refuse_missing()

    def _start_slot(self, index: int, previous: _Slot | None) -> _Slot:
        tag = f"{self._tag}-{index}"
        # Also in userns mode: a host that lets us create cgroups gets the pids/memory caps.
        cgroups = (cg.slot_cgroups(tag, self._cgroup_version) if self._use_cgroups
                   else cg.SlotCgroups())
        # userns mode runs programs as the caller's own uid (mapped to root inside)
        uid = self._uids.get(index, os.geteuid())
        cfg = dict(self._base_cfg, slot=index, uid=uid, cgroups=cgroups.dirs,
                   cgroup_join=cgroups.join, slot_cgroups=cgroups)
        try:
            return _Slot(index, cfg)
        except BaseException:
            cg.remove(cgroups)
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
                "uids": self.uids, "cgroup": self.cgroup_version,
                "python_fast_path": self.python_fast_path, "active": dict(self._layers),
                "missing": dict(self._missing),
                "python": "fork of the slot's interpreter (inputs in sealed memfds, outputs in "
                          "memfds: neither ever sits in slot memory)"
                if self.python_fast_path else "execve of a fresh interpreter (python -I)"}
