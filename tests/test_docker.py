"""Docker backend specifics the shared property suite cannot see: the container spec as a pure
function (no engine needed), the optional SDK, and, against a real engine (marker `docker`),
labelling, recycling, anomaly replacement and cleanup at start, at close and at grader death."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import pytest

from sandboxes.base import Limits, Program, Status
from sandboxes.docker import (
    LABEL,
    LAYERS,
    OWNER_LABEL,
    container_memory_mb,
    container_spec,
    worker_config,
)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _spec(**overrides):
    kwargs = dict(image="img", uid=70001, worker_cfg=worker_config(0, 70001, landlock=True,
                                                                 seccomp=True, work_mb=64),
                  memory_mb=300, pids=48, cpus=0.5, work_mb=64, runtime=None,
                  labels={LABEL: "1", OWNER_LABEL: "h/1"})
    kwargs.update(overrides)
    return container_spec(**kwargs)


# --- without an engine -----------------------------------------------------------------------


def test_container_spec_is_hardened():
    spec = _spec()
    cfg = spec["config"]
    host = spec["host_config"]
    assert cfg["user"] == "70001:70001" and cfg["labels"][LABEL] == "1"
    assert cfg["stdin_open"] and not cfg["tty"] and not cfg["detach"]  # attach; StdinOnce
    assert cfg["command"][:3] == ["python3", "-m", "sandboxes.forkserver"]
    assert cfg["command"][-2:] == ["0", "1"]
    assert host["network_mode"] == "none" and host["read_only"] is True
    assert host["cap_drop"] == ["ALL"] and "cap_add" not in host
    assert host["security_opt"] == ["no-new-privileges"]
    assert host["mem_limit"] == host["memswap_limit"] == "300m"
    assert host["pids_limit"] == 48 and host["nano_cpus"] == 500_000_000
    assert host["tmpfs"]["/work"].startswith("rw,exec,nosuid,nodev,size=64m")
    assert "uid=70001" in host["tmpfs"]["/work"] and host["auto_remove"] is True
    assert "runtime" not in host and _spec(runtime="runsc")["host_config"]["runtime"] == "runsc"
    assert "privileged" not in host and "binds" not in host and "mounts" not in host


def test_worker_runs_in_container_mode():
    cfg = worker_config(3, 70009, landlock=True, seccomp=False, work_mb=32)
    assert (cfg["mode"], cfg["uid"], cfg["seccomp"], cfg["cgroups"]) == (
        "container",
        70009,
        False,
        {},
    )


def test_container_memory_follows_the_request():
    assert container_memory_mb(Limits(memory_mb=128), "python", 48) == 176
    # a compiled language needs the compiler's memory during the same request
    assert container_memory_mb(Limits(memory_mb=128, compile_memory_mb=1024), "cpp", 48) == 1072


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"slots": 0}, "slots=0"), ({"max_runs": 0}, "max_runs=0"), ({"cpus": 0}, "cpus=0"),
    ({"work_mb": 4}, "work_mb=4"), ({"runtime": ""}, "runtime=''"),
    ({"require": ["nonsense"]}, "require="),
])
def test_config_validation_names_key_and_value(kwargs, message):
    from sandboxes.docker import DockerSandbox

    with pytest.raises(ValueError, match=message):
        DockerSandbox(**kwargs)


def test_imports_without_the_sdk_and_names_the_extra():
    probe = ("import sys; sys.modules['docker'] = None\n"
             "from sandboxes.docker import DockerSandbox\n"
             "try: DockerSandbox(slots=1)\nexcept RuntimeError as e: print(e)")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         cwd=ROOT, timeout=60)
    assert "pip install -e '.[docker]'" in out.stdout, out.stderr


def test_image_holds_every_module_the_worker_imports():
    # the container has only the files docker.py copies: a module forkserver imports but the
    # image lacks fails every container at start, which no test without an engine would see
    from sandboxes.docker import _WORKER_FILES

    probe = ("import sys, sandboxes.forkserver\n"
             "print(' '.join(sorted(m for m in sys.modules if m.split('.')[0] == 'sandboxes')))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         cwd=ROOT, timeout=60, check=True)
    needed = {"__init__.py" if m == "sandboxes" else m.split(".", 1)[1] + ".py"
              for m in out.stdout.split()}
    assert "slot_server.py" in needed and needed <= set(_WORKER_FILES), needed - set(_WORKER_FILES)


def test_layer_names_cover_the_engine_walls():
    assert {"net", "fs", "uid", "caps", "no_new_privs", "cgroup_memory", "cgroup_pids",
            "runtime"} <= set(LAYERS)


# --- against a real engine -------------------------------------------------------------------


def _sandbox(**kwargs):
    from sandboxes.docker import DockerSandbox

    try:
        return DockerSandbox(slots=1, **kwargs)
    except RuntimeError as exc:
        pytest.skip(f"docker backend cannot start here: {exc}")


def _ours(sb) -> list:
    return sb._client.containers.list(all=True, filters={"label": f"{OWNER_LABEL}={sb._owner}"})


@pytest.mark.docker
def test_containers_are_labelled_and_removed_at_close():
    sb = _sandbox()
    [c] = _ours(sb)
    assert c.labels[LABEL] == "1" and c.attrs["HostConfig"]["NetworkMode"] == "none"
    sb.close()
    assert _ours(sb) == []


@pytest.mark.docker
def test_container_is_recycled_after_max_runs():
    with _sandbox(max_runs=2) as sb:
        first = sb._slots[0].container.id
        prog = Program("import os\nprint(os.listdir('/work'))")
        assert sb.run(prog, [b""], Limits())[0].status is Status.OK
        assert sb._slots[0].container.id == first
        sb.run(prog, [b""], Limits())
        assert sb._slots[0].container.id != first and len(_ours(sb)) == 1
        assert sb.run(Program("print('fresh')"), [b""], Limits())[0].stdout == b"fresh\n"


@pytest.mark.docker
def test_a_dead_container_is_masked_then_replaced():
    with _sandbox() as sb:
        victim = sb._slots[0].container
        victim.kill()  # our side failing: the engine loses the container
        r = sb.run(Program("print('x')"), [b""], Limits())[0]
        assert r.status is Status.SANDBOX_ERROR
        assert sb.run(Program("print('back')"), [b""], Limits())[0].stdout == b"back\n"
        assert sb._slots[0].container.id != victim.id


@pytest.mark.docker
def test_stale_containers_of_a_dead_pool_are_removed_at_start():
    with _sandbox() as sb:
        dead = subprocess.Popen([sys.executable, "-c", "pass"])
        dead.wait()
        stale = sb._client.containers.create(
            sb.image, ["python3", "-c", "import time; time.sleep(120)"], network_mode="none",
            labels={LABEL: "1", OWNER_LABEL: f"{socket.gethostname()}/{dead.pid}"})
        stale.start()
    with _sandbox() as sb2:
        assert sb2.removed_stale >= 1
        assert stale.id not in [c.id for c in sb2._client.containers.list(all=True)]


@pytest.mark.docker
def test_require_refuses_a_missing_layer():
    sb = _sandbox()
    sb.close()
    from sandboxes.docker import DockerSandbox

    with pytest.raises(RuntimeError, match="required isolation layers missing: runtime"):
        DockerSandbox(slots=1, require=["net", "runtime"])


_DYING_GRADER = """
import os, sys
from sandboxes.docker import DockerSandbox
sb = DockerSandbox(slots=2)
print(sb._owner, flush=True)
os._exit(0)  # no close(), no atexit: as if the grader crashed
"""


@pytest.mark.docker
def test_grader_death_leaves_no_containers():
    sb = _sandbox()  # only for its engine client; its own container is not involved
    out = subprocess.run([sys.executable, "-c", _DYING_GRADER], capture_output=True, text=True,
                         cwd=ROOT, timeout=120, env=dict(os.environ, PYTHONPATH=ROOT))
    assert out.returncode == 0, out.stderr[-2000:]
    owner = out.stdout.strip().splitlines()[-1]
    deadline = time.monotonic() + 20
    left = ["?"]
    while left and time.monotonic() < deadline:
        left = sb._client.containers.list(
            all=True, sparse=True, filters={"label": f"{OWNER_LABEL}={owner}"}
        )
        time.sleep(0.2)
    sb.close()
    assert left == []


@pytest.mark.docker
def test_docker_and_local_sandboxes_never_share_a_uid():
    """As root every container runs as a uid leased host-wide: two pools and a local sandbox
    hold disjoint uids, a recycled container gets a fresh one and its old one is given back."""
    if os.geteuid() != 0:
        pytest.skip("uid leases need root; without it containers spread uids from uid_base")
    from sandboxes.local import LocalSandbox

    with _sandbox(max_runs=1) as a, _sandbox() as b, LocalSandbox(slots=2) as local:
        before = set(a.describe()["uids"])
        assert len(before | set(b.describe()["uids"]) | set(local.uids)) == 1 + 1 + 2
        assert before <= set(a._leases.uids)
        a.run(Program("print(1)"), [b""], Limits())  # max_runs=1: recycled
        after = set(a.describe()["uids"])
        assert after != before and set(a._leases.uids) == after  # the old uid was given back
        assert not after & (set(b.describe()["uids"]) | set(local.uids))
        r = a.run(Program("import os; print(os.getuid())"), [b""], Limits())[0]
        assert int(r.stdout) in after
