"""Host-level properties of the local sandbox: uid leases (no two instances share a uid, in one
process or several), the stale-cgroup sweep after a grader killed with -9; real processes,
real flocks, real cgroups (root), no mocks."""

from __future__ import annotations

import contextlib
import json
import os
import pwd
import signal
import subprocess
import sys
import tempfile
import textwrap
import time

import pytest

from sandboxes.uids import UidLease, uids_in_use

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
needs_root = pytest.mark.skipif(os.geteuid() != 0 or not sys.platform.startswith("linux"),
                                reason="uid leases and per-uid confinement need root on Linux")


@pytest.fixture()
def lock_dir():
    with tempfile.TemporaryDirectory() as d:  # root-owned 0700: the lease accepts it
        yield d


def _lease_in_child(lock_dir: str, pool_start: int, pool_size: int, count: int) -> subprocess.Popen:
    """A separate process that leases `count` uids, prints them and holds them until stdin
    closes."""
    code = textwrap.dedent(f"""
        import json, sys
        from sandboxes.uids import UidLease, uids_in_use
        lease = UidLease(lock_dir={lock_dir!r}, pool_start={pool_start}, pool_size={pool_size})
        print(json.dumps([lease.take() for _ in range({count})]), flush=True)
        sys.stdin.read()
    """)
    return subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, env={**os.environ, "PYTHONPATH": ROOT},
                            text=True)


@needs_root
def test_leases_in_two_processes_never_share_a_uid(lock_dir):
    a = _lease_in_child(lock_dir, 0x7A5F0000, 8, 4)
    b = _lease_in_child(lock_dir, 0x7A5F0000, 8, 4)
    try:
        got_a, got_b = json.loads(a.stdout.readline()), json.loads(b.stdout.readline())
        assert len(set(got_a)) == 4 and len(set(got_b)) == 4 and not set(got_a) & set(got_b)
        mine = UidLease(lock_dir=lock_dir, pool_start=0x7A5F0000, pool_size=8)
        with pytest.raises(RuntimeError, match="no free sandbox uid"):
            mine.take()  # all 8 are held by the two other processes
    finally:
        for p in (a, b):
            p.stdin.close()
            p.wait(timeout=10)


@needs_root
def test_a_lease_ends_when_its_holder_is_killed(lock_dir):
    holder = _lease_in_child(lock_dir, 0x7A5F0100, 1, 1)
    (uid,) = json.loads(holder.stdout.readline())
    mine = UidLease(lock_dir=lock_dir, pool_start=0x7A5F0100, pool_size=1)
    with pytest.raises(ValueError, match="another sandbox instance holds it"):
        mine.take(uid)
    holder.send_signal(signal.SIGKILL)
    holder.wait(timeout=10)
    assert mine.take(uid) == uid  # the kernel released the flock with the process
    mine.close()


@needs_root
def test_explicit_uid_is_checked(lock_dir):
    first = UidLease(lock_dir=lock_dir)
    second = UidLease(lock_dir=lock_dir)
    uid = first.take(0x7A5F0200)
    with pytest.raises(ValueError, match=f"uid {uid} .*another sandbox instance holds it"):
        second.take(uid)
    in_use = uids_in_use()
    named = next(u.pw_uid for u in pwd.getpwall() if u.pw_uid not in in_use and u.pw_uid >= 1)
    with pytest.raises(ValueError, match="the user database names it"):
        second.take(named)
    sleeper = subprocess.Popen(["sleep", "30"], user=0x7A5F0201)  # a non-leasing process
    try:
        with pytest.raises(ValueError, match="a process on this host runs as it"):
            second.take(0x7A5F0201)
    finally:
        sleeper.kill()
        sleeper.wait()
    first.close()
    assert second.take(uid) == uid  # given back on close
    second.close()


@needs_root
def test_a_refused_range_leases_nothing(lock_dir):
    other = UidLease(lock_dir=lock_dir)
    other.take(0x7A5F0401)
    mine = UidLease(lock_dir=lock_dir)
    with pytest.raises(ValueError, match=f"uid {0x7A5F0401} .*another sandbox instance"):
        mine.take_many(3, 0x7A5F0400)
    assert mine.uids == []  # 0x7A5F0400, locked before the refusal, was given back
    assert other.take(0x7A5F0400) == 0x7A5F0400
    assert mine.take_many(2, 0x7A5F0402) == [0x7A5F0402, 0x7A5F0403]
    other.close()
    mine.close()


@needs_root
def test_a_forked_child_does_not_keep_the_parents_leases(lock_dir):
    parent = UidLease(lock_dir=lock_dir, pool_start=0x7A5F0300, pool_size=1)
    uid = parent.take()
    pid = os.fork()
    if pid == 0:  # the child drops its copies (as the at-fork hook does for live sandboxes)
        parent.forget()
        os._exit(0)
    os.waitpid(pid, 0)
    other = UidLease(lock_dir=lock_dir, pool_start=0x7A5F0300, pool_size=1)
    with pytest.raises(ValueError, match="another sandbox instance holds it"):
        other.take(uid)  # the child's close did not end the parent's lease
    parent.close()
    assert other.take(uid) == uid
    other.close()


def test_the_lock_directory_must_be_root_owned_and_unwritable_by_others(lock_dir):
    if os.geteuid() != 0:
        with pytest.raises(RuntimeError, match="need root"):
            UidLease(lock_dir=lock_dir)
        return
    os.chmod(lock_dir, 0o777)
    with pytest.raises(RuntimeError, match="only root can write"):
        UidLease(lock_dir=lock_dir)


# --- two real sandbox instances in two processes -------------------------------------------

_INSTANCE = textwrap.dedent("""
    import json, sys, time
    from sandboxes.base import Limits, Program
    from sandboxes.local import LocalSandbox
    role = sys.argv[1]
    limits = Limits(cpu_s=1.0, wall_s=8.0, memory_mb=256, pids=16)
    BOMB = '''
    import os, time
    n = 0
    try:
        while True:
            if os.fork() == 0:
                time.sleep(60)
                os._exit(0)
            n += 1
    except OSError:
        pass
    print(n, flush=True)
    time.sleep(60)
    '''
    HONEST = '''
    import os
    for _ in range(4):
        pid = os.fork()
        if pid == 0:
            os._exit(0)
        os.waitpid(pid, 0)
    print("ok")
    '''
    with LocalSandbox(slots=1, python_fast_path=(role == "bomb")) as sb:
        print(json.dumps(sb.describe()["uids"]), flush=True)
        sys.stdin.readline()  # go
        start = time.monotonic()
        if role == "bomb":
            r = sb.run(Program(BOMB), [b""], limits)[0]
            out = [[r.status.value, r.stdout.decode()]]
        else:
            out = []
            for _ in range(4):
                r = sb.run(Program(HONEST), [b""], limits)[0]
                out.append([r.status.value, r.stdout.decode(), r.detail])
        print(json.dumps({"start": start, "end": time.monotonic(), "runs": out}), flush=True)
""")


@needs_root
@pytest.mark.slow
def test_a_fork_bomb_in_one_instance_does_not_fail_honest_runs_in_another():
    """RLIMIT_NPROC counts per uid host-wide: with a shared uid, the bomb's processes in one
    instance made the other instance's honest forks fail (runtime_error, scored 0)."""
    env = {**os.environ, "PYTHONPATH": ROOT}
    procs = {role: subprocess.Popen([sys.executable, "-c", _INSTANCE, role], stdin=subprocess.PIPE,
                                    stdout=subprocess.PIPE, env=env, text=True)
             for role in ("bomb", "honest")}
    try:
        uids = {role: json.loads(p.stdout.readline()) for role, p in procs.items()}
        assert uids["bomb"] and uids["honest"] and not set(uids["bomb"]) & set(uids["honest"])
        procs["bomb"].stdin.write("go\n")
        procs["bomb"].stdin.flush()
        time.sleep(1.5)  # the bomb has reached its NPROC cap and holds every process it made
        procs["honest"].stdin.write("go\n")
        procs["honest"].stdin.flush()
        report = {role: json.loads(p.stdout.readline()) for role, p in procs.items()}
    finally:
        for p in procs.values():
            p.stdin.close()
            p.wait(timeout=60)
    bomb, honest = report["bomb"], report["honest"]
    status, stdout = bomb["runs"][0]
    assert status == "time_limit" and int(stdout) >= 8  # it forked up to its own cap, then held
    # every honest run overlapped the live bomb
    assert bomb["start"] < honest["start"] and honest["end"] < bomb["end"]
    assert [r[:2] for r in honest["runs"]] == [["ok", "ok\n"]] * 4, honest["runs"]


# --- stale cgroups of a grader killed with -9 ------------------------------------------------

_GRADER = textwrap.dedent("""
    import json, sys
    from sandboxes.local import LocalSandbox
    sb = LocalSandbox(slots=2)
    print(json.dumps([d for s in sb._slots for d in s.cgroups.dirs.values()]), flush=True)
    sys.stdin.read()
""")


def _wait_empty(paths: list[str], timeout_s: float = 10.0) -> None:
    from sandboxes.cgroups import _has_tasks

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and any(
        _has_tasks(p) or _has_tasks(p + "/run") for p in paths
    ):
        time.sleep(0.1)


@needs_root
def test_cgroups_of_a_killed_grader_are_swept_at_start_and_live_ones_kept():
    from sandboxes.cgroups import pidns, v1_parents
    from sandboxes.local import LocalSandbox

    env = {**os.environ, "PYTHONPATH": ROOT}
    dead = subprocess.Popen([sys.executable, "-c", _GRADER], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, env=env, text=True)
    live = subprocess.Popen([sys.executable, "-c", _GRADER], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, env=env, text=True)
    busy = None
    held = "/nonexistent"
    try:
        dead_dirs, live_dirs = (json.loads(dead.stdout.readline()),
                                json.loads(live.stdout.readline()))
        if not dead_dirs:
            pytest.skip("no writable cgroup hierarchy for the slots here")
        dead.send_signal(signal.SIGKILL)
        dead.wait(timeout=10)
        _wait_empty(dead_dirs)  # its slot servers see EOF and end; the directories stay
        assert all(os.path.isdir(d) for d in dead_dirs)
        # a dead grader's cgroup that still holds a task is not ours to remove
        parent = next(iter(v1_parents().values()))
        held = os.path.join(parent, f"verity-{pidns()}-{dead.pid}-abc-9")
        os.makedirs(os.path.join(held, "run"))
        busy = subprocess.Popen(["sleep", "60"])
        with open(os.path.join(held, "cgroup.procs"), "w") as f:
            f.write(str(busy.pid))
        legacy = os.path.join(parent, f"verity-{dead.pid}-abc-0")  # an older release's name
        os.makedirs(os.path.join(legacy, "run"))
        with LocalSandbox(slots=1) as sb:
            assert sb.removed_stale_cgroups >= len(dead_dirs) + 1
            assert not os.path.exists(legacy)
            assert not any(os.path.exists(d) for d in dead_dirs)
            assert all(os.path.isdir(d) for d in live_dirs)  # a live grader's slots are kept
            assert os.path.isdir(held)
        busy.kill()
        busy.wait()
        with LocalSandbox(slots=1) as sb:
            assert not os.path.exists(held)  # empty now: swept
    finally:
        if busy is not None and busy.poll() is None:
            busy.kill()
            busy.wait()
        with contextlib.suppress(OSError):
            os.rmdir(os.path.join(held, "run"))
            os.rmdir(held)
        live.stdin.close()
        live.wait(timeout=30)
    assert not any(os.path.exists(d) for d in live_dirs)  # closed normally: removed by close()


# --- cgroup v2 -----------------------------------------------------------------------------------

BURN = """
import os, time
kids = []
for _ in range(3):
    pid = os.fork()
    if pid == 0:
        t = time.process_time()
        while time.process_time() - t < 0.3:
            pass
        os._exit(0)
    kids.append(pid)
for pid in kids:
    os.waitpid(pid, 0)
print(open("/proc/self/cgroup").read().splitlines()[-1])
"""


@needs_root
def test_cgroup_v2_subtree_confines_each_execution_and_names_what_is_missing():
    """The v2 path on whatever unified hierarchy this host mounts: a delegated subtree per slot
    (server and run leaves), executions in `run`, cpu time from its cpu.stat; controllers the
    hierarchy lacks are reported missing with the reason, and require= names them."""
    from sandboxes.base import Limits, Program, Status
    from sandboxes.cgroups import CONTROLLERS, v2_parent
    from sandboxes.local import LocalSandbox

    parent = v2_parent()
    if parent is None or not os.access(parent, os.W_OK):
        pytest.skip("no writable cgroup2 hierarchy mounted here")
    with open(os.path.join(parent, "cgroup.controllers")) as f:
        available = f.read().split()
    with LocalSandbox(slots=1, cgroup_version="v2") as sb:
        d = sb.describe()
        slot = sb._slots[0].cgroups.dirs["cpu"]
        assert d["cgroup"] == "v2" and "cgroup_cpu" in d["active"]
        for ctrl in CONTROLLERS:  # each controller is active exactly when the hierarchy has it
            layer = f"cgroup_{ctrl}"
            assert (layer in d["active"]) == (ctrl in available), d
            if ctrl not in available:
                assert "not available to our cgroup v2" in d["missing"][layer]
        r = sb.run(Program(BURN), [b""], Limits(cpu_s=3.0, wall_s=10.0))[0]
        assert r.status is Status.OK, r
        assert r.stdout.decode().strip().endswith(os.path.basename(slot) + "/run")
        assert r.cpu_s >= 0.8
        with open(os.path.join(slot, "run", "cpu.stat")) as f:
            assert int(f.read().split()[1]) >= 800_000  # usage_usec of the run leaf
        with open(os.path.join(slot, "server", "cgroup.procs")) as f:
            assert f.read().split()  # the slot server sits in its own leaf
    assert not os.path.exists(slot)  # close removes the subtree
    lacking = [c for c in CONTROLLERS if c not in available]
    if lacking:
        with pytest.raises(RuntimeError,
                           match=f"cgroup_{lacking[0]} .*not available to our cgroup v2"):
            LocalSandbox(slots=1, cgroup_version="v2", require=[f"cgroup_{lacking[0]}"])


def test_cgroup_version_is_validated():
    from sandboxes.local import LocalSandbox

    with pytest.raises(ValueError, match="cgroup_version='v3' is not allowed"):
        LocalSandbox(slots=1, cgroup_version="v3")
