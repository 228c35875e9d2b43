"""Where the local sandbox's slot cgroups live: cgroup v1 (memory and pids hierarchies) or cgroup
v2 (a delegated subtree of the unified hierarchy), created per slot, removed on close, and swept
when a grader died without closing; it only makes and removes directories and says what is
missing, and deliberately neither writes limits nor reads usage (sandboxes.run_cgroup does, in the
slot server).

Layout per slot, under the grader's own cgroup:
  v1: <hierarchy>/<ours>/<tag>      the slot server;  <tag>/run  the current execution
  v2: <unified>/<ours>/<tag>/server the slot server;  <tag>/run  the current execution
      (v2 forbids processes in a cgroup that hands controllers to its children, hence `server`)
"""

from __future__ import annotations

import contextlib
import os
import re
import time
from dataclasses import dataclass, field

VERSIONS = ("auto", "v1", "v2")
CONTROLLERS = ("memory", "pids")
# verity-<pid namespace>-<grader pid>-<instance>-<slot>; releases before the uid leases wrote no
# namespace, and their leftovers are swept by pid alone
TAG = re.compile(r"verity-(?:(\d+)-)?(\d+)-[0-9a-f]+-\d+")


@dataclass(frozen=True)
class SlotCgroups:
    """One slot's cgroups: `dirs` maps a controller (memory, pids; cpu in v2 for cpu.stat) to the
    slot directory whose `run` child confines executions; `join` to the directory the slot
    server joins; `missing` maps a sandbox layer to why it is not available."""

    version: str = ""
    dirs: dict[str, str] = field(default_factory=dict)
    join: dict[str, str] = field(default_factory=dict)
    missing: dict[str, str] = field(default_factory=dict)


def pidns() -> int:
    """Our pid namespace's inode: with the pid, it names a grader process host-wide."""
    return os.stat("/proc/self/ns/pid").st_ino


def _mounts() -> tuple[dict[str, str], str | None]:
    """v1 mount points of the memory and pids controllers, and the cgroup2 mount point."""
    v1: dict[str, str] = {}
    v2 = None
    with open("/proc/self/mountinfo") as f:
        for line in f:
            left, _, right = line.partition(" - ")
            fields, sfields = left.split(), right.split()
            if sfields and sfields[0] == "cgroup":
                for ctrl in CONTROLLERS:
                    if ctrl in sfields[2].split(","):
                        v1[ctrl] = fields[4]
            elif sfields and sfields[0] == "cgroup2" and v2 is None:
                v2 = fields[4]
    return v1, v2


def _ours() -> tuple[dict[str, str], str]:
    """Our cgroup path per v1 controller, and in the unified hierarchy ("0::" line)."""
    v1: dict[str, str] = {}
    v2 = "/"
    with open("/proc/self/cgroup") as f:
        for line in f:
            hid, ctrls, path = line.rstrip("\n").split(":", 2)
            if hid == "0" and not ctrls:
                v2 = path
            for ctrl in ctrls.split(","):
                v1[ctrl] = path
    return v1, v2


def v1_parents() -> dict[str, str]:
    """Our own cgroup directory in each mounted v1 memory and pids hierarchy."""
    mounts, _ = _mounts()
    ours, _ = _ours()
    return {
        ctrl: os.path.join(mnt, ours.get(ctrl, "/").lstrip("/")) for ctrl, mnt in mounts.items()
    }


def v2_parent() -> str | None:
    """Our own cgroup directory in the unified hierarchy, if one is mounted."""
    _, mnt = _mounts()
    if mnt is None:
        return None
    _, ours = _ours()
    return os.path.join(mnt, ours.lstrip("/"))


def _read_words(path: str) -> list[str]:
    try:
        with open(path) as f:
            return f.read().split()
    except OSError:
        return []


def _v1(tag: str) -> SlotCgroups:
    dirs: dict[str, str] = {}
    for ctrl, parent in v1_parents().items():
        slot = os.path.join(parent, tag)
        try:
            os.makedirs(os.path.join(slot, "run"), exist_ok=True)
        except OSError:
            continue
        dirs[ctrl] = slot
    missing = {f"cgroup_{c}": "could not create a writable v1 cgroup (needs root or a delegated "
                              "hierarchy)" for c in CONTROLLERS if c not in dirs}
    missing["cgroup_cpu"] = "cgroup v1: cpu time comes from rusage (cpu.stat needs cgroup v2)"
    return SlotCgroups("v1" if dirs else "", dirs, dict(dirs), missing)


def _v2(tag: str) -> SlotCgroups:
    parent = v2_parent()
    if parent is None:
        return SlotCgroups(missing={f"cgroup_{c}": "no cgroup2 hierarchy is mounted"
                                    for c in CONTROLLERS})
    available = _read_words(os.path.join(parent, "cgroup.controllers"))
    missing: dict[str, str] = {}
    wanted = []
    for ctrl in CONTROLLERS:
        if ctrl not in available:
            missing[f"cgroup_{ctrl}"] = (
                f"the {ctrl} controller is not available to our cgroup v2 {parent} (its "
                f"cgroup.controllers lists: {' '.join(available) or 'nothing'}); on a hybrid "
                "host it is bound to cgroup v1, otherwise the parent must delegate it")
        else:
            wanted.append(ctrl)
    enabled = _read_words(os.path.join(parent, "cgroup.subtree_control"))
    for ctrl in [c for c in wanted if c not in enabled]:
        try:
            with open(os.path.join(parent, "cgroup.subtree_control"), "w") as f:
                f.write(f"+{ctrl}")
        except OSError as exc:
            wanted.remove(ctrl)
            missing[f"cgroup_{ctrl}"] = (
                f"cannot enable {ctrl} for the children of our cgroup v2 {parent} ({exc.strerror});"
                " run the grader in a delegated subtree whose processes sit in a leaf cgroup "
                "(systemd: Delegate=yes; a container: move PID 1 into a child cgroup first)")
    slot = os.path.join(parent, tag)
    try:
        for d in ("server", "run"):
            os.makedirs(os.path.join(slot, d), exist_ok=True)
        if wanted:
            with open(os.path.join(slot, "cgroup.subtree_control"), "w") as f:
                f.write(" ".join(f"+{c}" for c in wanted))
    except OSError as exc:
        remove(SlotCgroups("v2", {"cpu": slot}))
        return SlotCgroups(missing={f"cgroup_{c}": f"cannot create a cgroup v2 subtree in {parent} "
                                    f"({exc.strerror}); it must be delegated to us"
                                    for c in CONTROLLERS})
    # cpu.stat exists in every v2 cgroup: cpu accounting of the whole execution, children included
    dirs = {c: slot for c in [*wanted, "cpu"]}
    return SlotCgroups("v2", dirs, {c: os.path.join(slot, "server") for c in dirs}, missing)


def slot_cgroups(tag: str, version: str = "auto") -> SlotCgroups:
    """Create one slot's cgroups. "auto": v1 where a memory or pids v1 hierarchy is writable
    (a v1 or hybrid host), else v2."""
    if version not in VERSIONS:
        raise ValueError(f"cgroup version={version!r} is not allowed; use one of {VERSIONS}")
    if version in ("auto", "v1"):
        found = _v1(tag)
        if version == "v1" or found.dirs:
            return found
    return _v2(tag)


def _has_tasks(cgroup_dir: str) -> bool:
    try:
        with open(os.path.join(cgroup_dir, "cgroup.procs")) as f:
            return bool(f.read().strip())
    except FileNotFoundError:
        return False


def _rmdir_tree(slot: str, wait: bool) -> bool:
    """rmdir the slot's children, then the slot; True when it is gone."""
    for d in (os.path.join(slot, "run"), os.path.join(slot, "server"), slot):
        for _ in range(50 if wait else 1):  # the kernel frees a cgroup once its last task is reaped
            try:
                os.rmdir(d)
                break
            except FileNotFoundError:
                break
            except OSError:
                if wait:
                    time.sleep(0.02)
    return not os.path.exists(slot)


def remove(cgroups: SlotCgroups) -> None:
    for slot in set(cgroups.dirs.values()):
        _rmdir_tree(slot, wait=True)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sweep_stale() -> int:
    """Remove slot cgroups left by a grader of our pid namespace that died without closing
    (kill -9): only directories named by our tag scheme, only when that grader's pid is gone,
    and only when no task is left in them. Returns how many slot directories were removed."""
    removed = 0
    ns = str(pidns())
    parents: list[str] = []
    with contextlib.suppress(OSError):
        parents += v1_parents().values()
        parents += [p for p in [v2_parent()] if p]
    for parent in parents:
        try:
            names = os.listdir(parent)
        except OSError:
            continue
        for name in names:
            m = TAG.fullmatch(name)
            if not m or m.group(1) not in (None, ns) or _pid_alive(int(m.group(2))):
                continue
            slot = os.path.join(parent, name)
            if any(_has_tasks(os.path.join(slot, d)) for d in ("", "run", "server")):
                continue  # a candidate still lives there: not empty, not ours to judge
            removed += _rmdir_tree(slot, wait=False)
    return removed
