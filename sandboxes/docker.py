"""DockerSandbox, the Docker-engine backend: a pool of long-lived hardened containers, each running
the same fork-server worker as the local backend (sandboxes.forkserver in mode "container") and
spoken to over the container's attached stdin/stdout; it manages containers and reports facts,
and deliberately never starts a container per execution, pulls from a registry, or judges output.

The engine supplies the outer walls (pid/net/mount/ipc/uts namespaces, network none, read-only
image root, /work tmpfs, memory = memory+swap, pids and CPU caps, no capabilities,
no-new-privileges, a dedicated non-root uid, optionally a runtime such as gVisor's runsc); the
worker adds the per-execution layers (rlimits, Landlock, seccomp, empty environment, fresh work
dir, process-tree kill). The base image comes from `sh sandboxes/docker_image.sh` (built from
this host's packages, no registry); our code is layered onto it here, tagged by its digest.
"""

from __future__ import annotations

import collections
import contextlib
import hashlib
import io
import os
import socket
import tarfile
import threading
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, cast

from sandboxes import wire
from sandboxes.base import Limits, Program
from sandboxes.docker_spec import (
    DockerSettings,
    container_memory_mb,
    container_spec,
    engine_layer_checks,
    worker_config,
)
from sandboxes.pool import SlotPool
from sandboxes.uids import UidLease

if TYPE_CHECKING:
    from docker import DockerClient
LABEL = "verity.sandbox"
OWNER_LABEL = "verity.sandbox.owner"
BASE_IMAGE = "verity-sandbox-base:latest"
LAYERS = ("pid", "net", "ipc", "uts", "fs", "uid", "caps", "no_new_privs", "rlimits",
          "cgroup_memory", "cgroup_pids", "cgroup_cpu", "landlock", "seccomp", "runtime")
_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))
# sandboxes.forkserver and every module it imports (tests/test_docker.py checks the closure)
_WORKER_FILES = ("__init__.py", "confinement.py", "exec_child.py", "fast_path.py", "forkserver.py",
                 "run_cgroup.py", "slot_root.py", "slot_server.py", "wire.py")
_START_TIMEOUT_S = 60.0
_INSTALL_HINT = "pip install -e '.[docker]'"
_UID_SPREAD = 200000
__all__ = ["BASE_IMAGE", "LABEL", "LAYERS", "OWNER_LABEL", "DockerSandbox", "container_memory_mb",
           "container_spec", "worker_config"]


def _docker_sdk() -> Any:
    """The SDK (the `docker` module) is an optional extra: importing this module must work without
    it."""
    try:
        import docker
    except ImportError:
        raise RuntimeError("the docker backend needs the docker SDK: "
                           f"{_INSTALL_HINT}") from None
    return docker


def _positive_int(name: str, value: object, minimum: int = 1) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"{name}={value!r} is not allowed; use an integer >= {minimum}")


def _worker_digest() -> str:
    h = hashlib.sha256()
    for name in _WORKER_FILES:
        with open(os.path.join(_PACKAGE_DIR, name), "rb") as f:
            h.update(name.encode() + b"\0" + f.read() + b"\0")
    return h.hexdigest()


def _owner_alive(owner: str) -> bool:
    host, _, pid = owner.rpartition("/")
    if host != socket.gethostname() or not pid.isdigit():
        return True  # not ours to judge: another host's pool may be live
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class _Container:
    """One pool member: a started container, its attached socket, and a thread that takes the
    engine's stream multiplexing apart (the SDK's frames_iter) so the worker's replies reach a
    plain pipe that sandboxes.wire can read with a deadline."""

    def __init__(self, client: DockerClient, spec: dict[str, Any], index: int, uid: int,
                 leases: UidLease | None = None):
        self.index = index
        self.uid = uid
        self._leases = leases
        self.runs = 0
        self.memory_mb = int(spec["host_config"]["mem_limit"].rstrip("m"))
        self.stderr_tail: collections.deque[bytes] = collections.deque(maxlen=64)
        created = client.api.create_container(
            **spec["config"], host_config=client.api.create_host_config(**spec["host_config"]))
        self.container = client.containers.get(created["Id"])
        self._sock: socket.socket | None = None
        self._reply_r = self._reply_w = -1
        try:
            attached = self.container.attach_socket(
                params={"stdin": 1, "stdout": 1, "stderr": 1, "stream": 1})
            # the SDK hands back a SocketIO for unix sockets; we need the socket itself
            sock = self._sock = cast(socket.socket, getattr(attached, "_sock", attached))
            sock.settimeout(None)
            self._attached = attached  # keeps the HTTP response (and the fd) alive
            self._reply_r, self._reply_w = os.pipe()
            self._pump = threading.Thread(target=self._demux, daemon=True,
                                          name=f"verity-docker-{index}")
            self._pump.start()
            self.container.start()
            self.hello, _ = wire.recv(self._reply_r, _START_TIMEOUT_S)
        except (EOFError, TimeoutError, ValueError) as exc:
            tail = self._stderr_text()
            self.close()
            raise RuntimeError(f"docker sandbox container {index} failed to start ({exc}): "
                               f"{tail}") from None
        except BaseException:
            self.close()
            raise
        if not self.hello.get("ready"):
            self.close()
            raise RuntimeError(f"docker sandbox container {index} failed its self-test: "
                               f"{self.hello.get('error')} {self.hello.get('stderr', '')}")
        self.container.reload()
        self.attrs = self.container.attrs

    def _demux(self) -> None:
        from docker.utils.socket import STDOUT, frames_iter

        try:
            for stream, data in frames_iter(self._sock, tty=False):
                if stream == STDOUT:  # the worker's wire frames
                    view = memoryview(data)
                    while view:
                        view = view[os.write(self._reply_w, view):]
                else:  # stderr: only for error messages
                    self.stderr_tail.append(data)
        except OSError:
            return  # the pool closed our pipe or socket: nothing more to relay
        finally:
            with contextlib.suppress(OSError):
                os.close(self._reply_w)

    def _stderr_text(self) -> str:
        time.sleep(0.2)  # let the pump relay what the worker printed before dying
        return b"".join(self.stderr_tail).decode("utf-8", "replace")[-2000:]

    def request(self, header: dict[str, Any], blobs: list[bytes],
                timeout_s: float) -> tuple[dict[str, Any], list[bytearray]]:
        assert self._sock is not None  # set before __init__ returns; requests come after
        wire.send(self._sock.fileno(), header, blobs)
        return wire.recv(self._reply_r, timeout_s)

    def forget(self) -> None:
        """In a forked child: close the copies of the socket and pipes, remove nothing."""
        if self._sock is not None:
            with contextlib.suppress(OSError):
                self._sock.close()
        for fd in (self._reply_r, self._reply_w):
            if fd >= 0:
                with contextlib.suppress(OSError):
                    os.close(fd)
        self._reply_r = self._reply_w = -1

    def close(self) -> None:
        if self._sock is not None:
            with contextlib.suppress(OSError):
                self._sock.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(OSError):
                self._sock.close()
        with contextlib.suppress(Exception):  # gone already (auto_remove) or being removed
            self.container.remove(force=True)
        if self._leases is not None:  # removed (killed and reaped): its uid may serve again
            self._leases.release(self.uid)
            self._leases = None
        with contextlib.suppress(OSError):
            if self._reply_r >= 0:
                os.close(self._reply_r)
        self._reply_r = -1


class DockerSandbox(SlotPool[_Container]):
    """Container pool (the contract lives in sandboxes.pool.SlotPool). A container is replaced
    after `max_runs` requests or at once after any anomaly (no answer in time, a malformed
    reply, a dead worker, a failed resize). As root, every container runs as a uid leased
    host-wide (sandboxes.uids), so no local or Docker sandbox instance shares it."""

    name = "docker sandbox"
    layer_names = LAYERS

    def __init__(self, slots: int | None = None, *, require: Sequence[str] = (),
                 image: str = BASE_IMAGE, runtime: str | None = None, max_runs: int = 200,
                 python_fast_path: bool = True, work_mb: int = 256, headroom_mb: int = 48,
                 pids: int = 64, cpus: float = 1.0, uid_base: int | None = None,
                 landlock: bool = True, seccomp: bool = True, base_url: str | None = None):
        super().__init__(require)
        if slots is None:
            slots = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
        _positive_int("slots", slots)
        _positive_int("max_runs", max_runs)
        _positive_int("work_mb", work_mb, 8)
        _positive_int("headroom_mb", headroom_mb, 32)
        _positive_int("pids", pids, 8)
        if uid_base is not None:
            _positive_int("uid_base", uid_base, 1000)
        if isinstance(cpus, bool) or not isinstance(cpus, (int, float)) or not 0 < cpus <= 64:
            raise ValueError(f"cpus={cpus!r} is not allowed; use a number in (0, 64]")
        if runtime is not None and (not isinstance(runtime, str) or not runtime):
            raise ValueError(f"runtime={runtime!r} is not allowed; use None or a runtime name "
                             "registered with the engine (e.g. 'runsc')")
        docker = _docker_sdk()
        self._errors = docker.errors
        self._request_errors = (*SlotPool._request_errors, docker.errors.APIError)
        self._start_errors = (RuntimeError, docker.errors.APIError)
        try:
            self._client = docker.DockerClient(base_url=base_url) if base_url else docker.from_env()
            self._engine = self._client.version()
        except docker.errors.DockerException as exc:
            raise RuntimeError(f"no Docker engine reachable ({exc}); start one or set "
                               "DOCKER_HOST") from None
        if runtime and runtime not in self._client.info().get("Runtimes", {}):
            raise RuntimeError(f"runtime={runtime!r} is not registered with the engine; it has "
                               f"{sorted(self._client.info().get('Runtimes', {}))}")
        self.python_fast_path = python_fast_path
        self._settings: DockerSettings = {"runtime": runtime, "max_runs": max_runs,
                                          "work_mb": work_mb, "headroom_mb": headroom_mb,
                                          "pids": pids, "cpus": float(cpus),
                                          "landlock": landlock, "seccomp": seccomp}
        # root: leased uids, exclusive host-wide (from the shared pool, or from uid_base on when
        # given); otherwise no lock directory is ours to write: a per-process spread from uid_base
        self._uid_base = 70000 if uid_base is None else uid_base
        if os.geteuid() != 0:
            self._leases = None
        elif uid_base is None:
            self._leases = UidLease()
        else:
            self._leases = UidLease(pool_start=uid_base, pool_size=_UID_SPREAD)
        self._owner = f"{socket.gethostname()}/{os.getpid()}"
        self._seq = 0
        self.removed_stale = self._remove_stale()
        self.image = self._worker_image(image)
        self._fill(slots)
        self._layers, self._missing = self._verify(self._slots[0])
        self._refuse_missing()

    # -- images and containers ---------------------------------------------------------------
    def _remove_stale(self) -> int:
        """Containers left by a pool whose process died (on this host) are removed."""
        removed = 0
        # sparse: no per-container inspect, which races with another pool removing its containers
        for c in self._client.containers.list(all=True, sparse=True,
                                              filters={"label": f"{LABEL}=1"}):
            if not _owner_alive((c.attrs.get("Labels") or {}).get(OWNER_LABEL, "")):
                with contextlib.suppress(self._errors.APIError):
                    c.remove(force=True)
                    removed += 1
        return removed

    def _worker_image(self, base: str) -> str:
        """The base image plus our worker files, tagged by their digest: built locally from the
        files of this checkout (FROM a local image pulls nothing), reused while they match."""
        try:
            base_id = self._client.images.get(base).id
        except self._errors.ImageNotFound:
            raise RuntimeError(
                f"docker sandbox base image {base!r} not found; build it with "
                "`sh sandboxes/docker_image.sh` (no registry pull is made)") from None
        tag = ("verity-sandbox:"
               f"{hashlib.sha256((base_id + _worker_digest()).encode()).hexdigest()[:16]}")
        with contextlib.suppress(self._errors.ImageNotFound):
            self._client.images.get(tag)
            return tag
        context = io.BytesIO()
        with tarfile.open(fileobj=context, mode="w") as tar:
            dockerfile = (f"FROM {base}\nCOPY sandboxes /opt/verity/sandboxes\n"
                          f"LABEL {LABEL}.worker=1\n").encode()
            info = tarfile.TarInfo("Dockerfile")
            info.size = len(dockerfile)
            tar.addfile(info, io.BytesIO(dockerfile))
            for name in _WORKER_FILES:
                with open(os.path.join(_PACKAGE_DIR, name), "rb") as f:
                    data = f.read()
                info = tarfile.TarInfo(f"sandboxes/{name}")
                info.size = len(data)
                info.mode = 0o444
                tar.addfile(info, io.BytesIO(data))
        context.seek(0)
        self._client.images.build(fileobj=context, custom_context=True, tag=tag, rm=True,
                                  pull=False, forcerm=True)
        return tag

    def _start_slot(self, index: int, previous: _Container | None) -> _Container:
        s = self._settings
        self._seq += 1
        # A uid of the container's own: RLIMIT_NPROC counts per uid across the host, so pools in
        # other processes (and this container's predecessor) must not share it.
        if self._leases is not None:
            uid = self._leases.take()
        else:
            uid = self._uid_base + ((os.getpid() << 6) + self._seq) % _UID_SPREAD
        memory_mb = previous.memory_mb if previous is not None else None
        spec = container_spec(
            image=self.image, uid=uid,
            worker_cfg=worker_config(index, uid, landlock=s["landlock"], seccomp=s["seccomp"],
                                     work_mb=s["work_mb"]),
            memory_mb=memory_mb or container_memory_mb(Limits(), "python", s["headroom_mb"]),
            pids=s["pids"], cpus=s["cpus"], work_mb=s["work_mb"], runtime=s["runtime"],
            labels={LABEL: "1", OWNER_LABEL: self._owner})
        try:
            return _Container(self._client, spec, index, uid, self._leases)
        except BaseException:
            if self._leases is not None:
                self._leases.release(uid)
            raise

    def _verify(self, member: _Container) -> tuple[dict[str, str], dict[str, str]]:
        """Layers as the engine reports them for a started container (inspect), plus what the
        worker verified inside it; a setting the engine silently dropped is reported missing."""
        hc, cfg = member.attrs["HostConfig"], member.attrs["Config"]
        active: dict[str, str] = {}
        missing: dict[str, str] = dict(member.hello.get("missing", {}))
        checks = engine_layer_checks(hc, cfg, self._settings)
        for name, (ok, text) in checks.items():
            if ok:
                active[name] = text
            else:
                missing[name] = "the engine did not apply it (docker inspect)"
        runtime = hc.get("Runtime") or "runc"
        if self._settings["runtime"]:
            active["runtime"] = runtime
        else:
            missing["runtime"] = f"default runtime {runtime} (no sandboxed runtime requested)"
        for name in ("rlimits", "landlock", "seccomp"):
            if name in member.hello.get("layers", {}):
                active[name] = member.hello["layers"][name]
        if "seccomp" in active and not any(o.replace(":", "=") == "seccomp=unconfined"
                                           for o in hc.get("SecurityOpt") or []):
            active["seccomp"] = "engine's default profile, then per execution: " + active["seccomp"]
        if "landlock" not in active:
            # all executions share the container's uid: only Landlock keeps one run from
            # writing into another's directory (a compiled binary kept for the next stdin)
            missing["landlock"] = (missing.get("landlock", "unavailable") + "; without it a "
                                   "C++ run can rewrite its own binary for later stdins")
        for name in LAYERS:
            if name not in active and name not in missing:
                missing[name] = "not available in this container"
        return active, {k: v for k, v in missing.items() if k not in active}

    # -- the protocol ----------------------------------------------------------------------
    def describe(self) -> dict[str, object]:
        return {"backend": "docker", "image": self.image, "slots": len(self._slots),
                "uids": sorted(m.uid for m in self._slots),
                "engine": f"Docker {self._engine.get('Version')} "
                          f"(API {self._engine.get('ApiVersion')})",
                "runtime": self._settings["runtime"] or "default",
                "max_runs": self._settings["max_runs"],
                "python_fast_path": self.python_fast_path, "active": dict(self._layers),
                "missing": dict(self._missing),
                "python": "fork of the container worker's interpreter (inputs in sealed memfds, "
                          "outputs in memfds: neither ever sits in worker memory)"
                          if self.python_fast_path
                          else "execve of a fresh interpreter (python -I)"}

    def _before_request(self, slot: _Container, program: Program, limits: Limits) -> None:
        self._resize(slot, container_memory_mb(limits, program.language,
                                               self._settings["headroom_mb"]))

    def _keep(self, slot: _Container) -> bool:
        slot.runs += 1
        return slot.runs < self._settings["max_runs"]

    def _resize(self, member: _Container, memory_mb: int) -> None:
        """The container's memory follows the request (cached: one engine call per change)."""
        if member.memory_mb != memory_mb:
            member.container.update(mem_limit=f"{memory_mb}m", memswap_limit=f"{memory_mb}m")
            member.memory_mb = memory_mb

    def _on_close(self) -> None:
        if self._leases is not None:
            self._leases.close()
        with contextlib.suppress(Exception):
            self._client.close()

    def _forget(self) -> None:
        if self._leases is not None:
            self._leases.forget()
