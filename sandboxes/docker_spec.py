"""What every Docker sandbox container is allowed, as pure functions of the pool settings: the
engine API arguments (create_container + host config), the worker's configuration and the memory
a request needs; they start nothing and need no engine, so the policy can be read and tested
without one."""

from __future__ import annotations

import json
from typing import Any, TypedDict

from sandboxes.base import Limits


class DockerSettings(TypedDict):
    """A DockerSandbox's validated constructor settings (the pool settings the specs follow)."""

    runtime: str | None
    max_runs: int
    work_mb: int
    headroom_mb: int
    pids: int
    cpus: float
    landlock: bool
    seccomp: bool


def container_memory_mb(limits: Limits, language: str, headroom_mb: int) -> int:
    """The container's memory (and memory+swap) for one request: the program's limit, or the
    compiler's for a compiled language, plus room for the worker and the /work tmpfs pages that
    the memory cgroup also charges."""
    need = limits.memory_mb
    if language == "cpp":
        need = max(need, limits.compile_memory_mb)
    return need + headroom_mb


def container_spec(
    *, image: str, uid: int, worker_cfg: dict[str, Any], memory_mb: int, pids: int, cpus: float,
    work_mb: int, runtime: str | None, labels: dict[str, str],
) -> dict[str, Any]:
    """Keyword arguments for the engine API, {"config": create_container(...), "host_config":
    create_host_config(...)}: a pure function of the pool settings, so what every container is
    allowed can be read (and tested) without an engine."""
    config = {
        "image": image,
        # fd 0 and 1 are the attached stdin/stdout: the worker's request and response channels
        "command": ["python3", "-m", "sandboxes.forkserver", json.dumps(worker_cfg), "0", "1"],
        "user": f"{uid}:{uid}",
        "working_dir": "/",
        "hostname": "sandbox",
        "environment": {"PYTHONPATH": "/opt/verity", "PYTHONSAFEPATH": "1",
                        "PYTHONDONTWRITEBYTECODE": "1"},
        "labels": dict(labels),
        "stdin_open": True,
        # not detached: the SDK then sets StdinOnce, so the grader going away closes the
        # worker's stdin; it sees EOF and exits, and auto_remove removes the container
        "detach": False,
        "tty": False,  # raw bytes both ways; the engine multiplexes stdout/stderr frames
    }
    host = {
        "network_mode": "none",
        "read_only": True,
        # exec: compiled C++ candidates run from /work; owned by the container's uid, no one else
        "tmpfs": {"/work": f"rw,exec,nosuid,nodev,size={work_mb}m,nr_inodes=8192,mode=0700,"
                           f"uid={uid},gid={uid}"},
        "mem_limit": f"{memory_mb}m",
        "memswap_limit": f"{memory_mb}m",  # equal: no swap, so the memory limit is real
        "pids_limit": pids,
        "nano_cpus": int(cpus * 1e9),
        "cap_drop": ["ALL"],
        "security_opt": ["no-new-privileges"],
        "ipc_mode": "private",
        "auto_remove": True,
    }
    if runtime:
        host["runtime"] = runtime
    return {"config": config, "host_config": host}


def worker_config(
    slot: int, uid: int, *, landlock: bool, seccomp: bool, work_mb: int
) -> dict[str, Any]:
    """What sandboxes.forkserver needs in mode "container" (paths are those of the image)."""
    return {"mode": "container", "slot": slot, "uid": uid, "work_mb": work_mb,
            "landlock": landlock, "seccomp": seccomp, "python": "/usr/bin/python3",
            "python_prefix": "/usr", "ro_paths": [], "cgroups": {}}


def engine_layer_checks(hc: dict[str, Any], cfg: dict[str, Any],
                        settings: DockerSettings) -> dict[str, tuple[bool, str]]:
    """Per layer the engine enforces: whether a started container's inspected HostConfig (`hc`)
    and Config (`cfg`) show it applied, and its description; a dropped setting reads False."""
    return {
        "pid": (hc.get("PidMode", "") in ("", "private"),
                "container pid namespace; the worker is pid 1"),
        "net": (hc.get("NetworkMode") == "none", "network none (loopback only)"),
        "ipc": (hc.get("IpcMode") == "private", "private ipc namespace, emptied after each run"),
        "uts": (hc.get("UTSMode", "") == "", "container uts namespace"),
        "fs": (hc.get("ReadonlyRootfs") is True and "/work" in (hc.get("Tmpfs") or {}),
               f"read-only image root; work dirs on a {settings['work_mb']} MB /work tmpfs"),
        "uid": (cfg.get("User", "").split(":")[0] not in ("", "0", "root"),
                "dedicated non-root uid per container"),
        "caps": ("ALL" in (hc.get("CapDrop") or []) and not hc.get("CapAdd"),
                 "all capabilities dropped"),
        "no_new_privs": ("no-new-privileges" in (hc.get("SecurityOpt") or []),
                         "no-new-privileges"),
        "cgroup_memory": (hc.get("Memory", 0) > 0
                          and hc.get("MemorySwap") == hc.get("Memory"),
                          "container memory = memory+swap = request memory_mb + "
                          f"{settings['headroom_mb']} MB"),
        "cgroup_pids": ((hc.get("PidsLimit") or 0) > 0,
                        f"container pids limit {hc.get('PidsLimit')}; per-execution nproc "
                        "rlimit = Limits.pids"),
        "cgroup_cpu": (hc.get("NanoCpus", 0) > 0, f"{hc.get('NanoCpus', 0) / 1e9:g} CPU"),
    }
