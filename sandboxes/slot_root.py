"""Startup of a local slot, before any request is served: join the slot's cgroups (keeping fds on
the per-execution `run` cgroup) and pivot into the read-only minimal root; it serves nothing and
confines no execution (sandboxes.forkserver and sandboxes.exec_child do)."""

from __future__ import annotations

import os
from typing import Any

from sandboxes import confinement as cf

NEW_ROOT = "/tmp"  # mount point for the skeleton root inside our private mount namespace


def write_file(path: str, text: str) -> None:
    with open(path, "w") as f:
        f.write(text)


def enter_cgroups(cfg: dict[str, Any]) -> dict[str, int]:
    """Join the slot cgroups and keep fds on the per-execution 'run' cgroup files: after
    pivot_root the cgroup filesystem is out of sight, but open fds keep working."""
    fds: dict[str, int] = {}
    for ctrl, slot_dir in cfg["cgroups"].items():
        # cgroup v2 keeps the server out of the slot dir (no processes where controllers are
        # handed down), so it joins a sibling leaf of `run`
        join = cfg.get("cgroup_join", {}).get(ctrl, slot_dir)
        write_file(os.path.join(join, "cgroup.procs"), str(os.getpid()))
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


def build_root(cfg: dict[str, Any]) -> None:
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
