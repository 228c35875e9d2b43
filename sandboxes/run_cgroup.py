"""The per-execution `run` cgroup of a slot, through fds opened before pivot_root: it sets one
execution's memory and pids limits and reads back OOM kills, CPU time and peak memory; it never
creates, joins or removes cgroups (sandboxes.cgroups and sandboxes.slot_root do)."""

from __future__ import annotations

import os
from typing import Any

_MB = 1 << 20


class RunCgroup:
    """`fds` maps a control file name ("memory.max", "cpu.stat", ...; "<ctrl>.procs" for the
    run cgroups' cgroup.procs) to an open fd; a name without an fd is simply not used."""

    def __init__(self, fds: dict[str, int]):
        self.fds = fds
        self.peak_reset = False

    def write(self, name: str, value: str) -> bool:
        fd = self.fds.get(name)
        if fd is None:
            return False
        try:
            os.pwrite(fd, value.encode(), 0)
            return True
        except OSError:
            return False

    def read(self, name: str) -> str:
        fd = self.fds.get(name)
        return os.pread(fd, 4096, 0).decode() if fd is not None else ""

    def oom_kills(self) -> int:
        for line in (self.read("memory.oom_control") or self.read("memory.events")).splitlines():
            if line.startswith("oom_kill "):
                return int(line.split()[1])
        return 0

    def cpu_usage_s(self) -> float | None:
        """cgroup v2 cpu.stat: every process of the execution, reaped or not."""
        for line in self.read("cpu.stat").splitlines():
            if line.startswith("usage_usec "):
                return int(line.split()[1]) / 1e6
        return None

    def set_limits(self, limits: dict[str, Any]) -> None:
        mem = str(limits["memory_mb"] * _MB)
        # memory.limit <= memsw.limit must hold after each write, so try both orders.
        for first, second in (("memory.limit_in_bytes", "memory.memsw.limit_in_bytes"),
                              ("memory.memsw.limit_in_bytes", "memory.limit_in_bytes")):
            if self.write(first, mem) and ("memory.memsw.limit_in_bytes" not in self.fds
                                           or self.write(second, mem)):
                break
        self.write("memory.max_usage_in_bytes", "0")
        # v2: no swap (as memsw = memory in v1); a peak reset per fd needs Linux >= 6.12
        self.write("memory.swap.max", "0")
        self.write("memory.max", mem)
        self.peak_reset = self.write("memory.peak", "reset")
        self.write("pids.max", str(limits["pids"]))

    def peak_bytes(self) -> str:
        """This execution's peak memory as the cgroup reports it ("" where it cannot: v2 before
        Linux 6.12 keeps the slot's all-time peak, which is not this execution's)."""
        return self.read("memory.max_usage_in_bytes").strip() or (
            self.read("memory.peak").strip() if self.peak_reset else "")
