"""The deadline pool: real processes, real kills, callable from any thread."""

from __future__ import annotations

import json
import multiprocessing
import os
import threading
import time

import pytest

from verifiers.pool import DeadlinePool


def _sleep(seconds: float) -> float:
    time.sleep(seconds)
    return seconds


def _pid() -> int:
    return os.getpid()


def _raise() -> None:
    raise KeyError("boom")


def _spin() -> None:
    while True:
        pass


def _allocate(mb: int) -> int:
    return len(bytearray(mb * 1024 * 1024))


def _die() -> None:
    os._exit(3)


@pytest.fixture(scope="module")
def pool():
    p = DeadlinePool(2, memory_mb=512)
    yield p
    p.close()


def test_returns_values_from_another_process(pool):
    out = pool.call(_pid, deadline_s=30)
    assert out.status == "ok" and out.value != os.getpid()


def test_overrun_is_killed_and_replaced_within_the_deadline(pool):
    before = pool.replaced
    start = time.monotonic()
    out = pool.call(_spin, deadline_s=0.5)
    assert out.status == "timeout"
    assert time.monotonic() - start < 1.5
    assert pool.replaced == before + 1
    assert pool.call(_sleep, 0.0, deadline_s=30).status == "ok"  # the pool keeps working


def test_exceptions_are_reported_not_raised(pool):
    out = pool.call(_raise, deadline_s=30)
    assert out.status == "error" and "KeyError" in out.error


def test_memory_cap_turns_a_runaway_allocation_into_an_error(pool):
    out = pool.call(_allocate, 2048, deadline_s=30)
    assert out.status == "error" and "MemoryError" in out.error
    assert pool.call(_allocate, 8, deadline_s=30).value == 8 * 1024 * 1024


def test_a_worker_that_dies_is_replaced(pool):
    assert pool.call(_die, deadline_s=30).status == "crashed"
    assert pool.call(_sleep, 0.0, deadline_s=30).status == "ok"


def test_deadlines_hold_when_called_from_many_threads(pool):
    results: list[tuple[str, float]] = []

    def worker(i: int) -> None:
        start = time.monotonic()
        out = pool.call(_spin, deadline_s=0.3) if i % 2 else pool.call(_sleep, 0.05, deadline_s=30)
        results.append((out.status, time.monotonic() - start))

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(s for s, _ in results if s == "ok") == ["ok"] * 3
    # A spin that waited for a worker is "starved" rather than "timeout": either way not an answer.
    assert all(s in ("timeout", "starved") for s, _ in results if s != "ok")
    # 6 calls over 2 workers, the slowest ~0.3 s each: nothing may wait on a stuck worker.
    assert max(t for _, t in results) < 5


def test_rejects_bad_worker_counts():
    with pytest.raises(ValueError, match="workers=0"):
        DeadlinePool(0)


# --- deadlines are wall-clock for the caller, waiting for a worker included ---------------------


def test_queued_calls_return_within_their_deadline_and_starved_ones_say_so():
    """One worker, four threads at once, each call needing 1.2 s of a 2 s deadline: before the
    fix they returned after 1.2, 2.4, 3.6, 4.8 s. Now each returns within its deadline; the
    first is answered and the others are "starved" (masked by callers), none is a "timeout"."""
    pool = DeadlinePool(1, memory_mb=512)
    try:
        assert pool.call(_sleep, 0.0, deadline_s=30).status == "ok"  # started and warm
        results: list[tuple[str, float]] = []
        lock = threading.Lock()

        def one() -> None:
            start = time.monotonic()
            out = pool.call(_sleep, 1.2, deadline_s=2.0)
            with lock:
                results.append((out.status, time.monotonic() - start))

        threads = [threading.Thread(target=one) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert sorted(s for s, _ in results) == ["ok", "starved", "starved", "starved"], results
        # 2 s deadline; the margin is the kill and re-fork of an overrun worker on a loaded host.
        assert max(t for _, t in results) < 3.0, results
        assert pool.call(_pid, deadline_s=30).status == "ok"  # the pool still works afterwards
    finally:
        pool.close()


def test_an_overrun_with_its_whole_deadline_is_still_a_timeout():
    pool = DeadlinePool(1, memory_mb=512)
    try:
        out = pool.call(_spin, deadline_s=0.5)
        assert out.status == "timeout" and out.waited_s < 0.25
    finally:
        pool.close()


def _step(kind: str) -> str:
    if kind == "spin":
        _spin()
    if kind == "die":
        _die()
    return f"{kind}@{os.getpid()}"


def test_call_many_keeps_each_items_deadline_and_goes_on_after_an_overrun_or_a_crash():
    """One message, one reply per item: an item that overruns or kills its worker gets its own
    outcome, and the items after it are answered by a fresh worker, in order."""
    pool = DeadlinePool(1, memory_mb=512)
    try:
        start = time.monotonic()
        out = pool.call_many(_step, [("a",), ("spin",), ("b",), ("die",), ("c",)], deadline_s=1.0)
        assert [o.status for o in out] == ["ok", "timeout", "ok", "crashed", "ok"]
        assert time.monotonic() - start < 4.0  # one deadline for the overrun, not one per item
        pids = [int(o.value.split("@")[1]) for o in out if o.status == "ok"]
        assert pids[0] != pids[1] != pids[2]  # each failure cost exactly its worker
        assert pool.replaced == 2
    finally:
        pool.close()


# --- fork safety: a forked process never talks to its parent's workers -------------------------


def _tagged(i: int) -> tuple[int, int]:
    time.sleep(0.01 * (i % 3))  # interleave the two processes' calls
    return i, os.getpid()


def _calls(pool: DeadlinePool, values: range) -> list[tuple[int, int, int]]:
    """(asked, answered, worker pid) per call, from as many threads as the pool has workers."""
    out: list[tuple[int, int, int]] = []
    lock = threading.Lock()

    def one(i: int) -> None:
        o = pool.call(_tagged, i, deadline_s=30)
        with lock:
            out.append((i, *(o.value if o.status == "ok" else (-1, -1))))

    threads = [threading.Thread(target=one, args=(i,)) for i in values]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return out


def test_a_real_fork_gets_its_own_workers_and_every_answer_is_its_own():
    pool = DeadlinePool(2, memory_mb=512)
    try:
        parent_workers = {pool.call(_pid, deadline_s=30).value for _ in range(4)}
        read_fd, write_fd = os.pipe()
        child = os.fork()
        if child == 0:  # the child: same pool object, must start its own workers
            code = 1
            try:
                got = _calls(pool, range(100, 140))
                os.write(write_fd, json.dumps(got).encode())
                code = 0
            finally:
                os._exit(code)
        os.close(write_fd)
        mine = _calls(pool, range(40))  # the parent scores at the same time
        with os.fdopen(read_fd, "rb") as f:
            theirs = json.loads(f.read() or b"[]")
        _, status = os.waitpid(child, 0)
        assert os.waitstatus_to_exitcode(status) == 0
        assert sorted((a, b) for a, b, _ in mine) == [(i, i) for i in range(40)]
        assert sorted((a, b) for a, b, _ in theirs) == [(i, i) for i in range(100, 140)]
        assert {pid for *_, pid in mine} <= parent_workers | {pool.replaced and -1}
        assert not {pid for *_, pid in theirs} & parent_workers  # never the parent's workers
    finally:
        pool.close()


_FORKED_POOL: DeadlinePool | None = None


def _score_in_forked_child(i: int) -> tuple[int, int, int]:
    o = _FORKED_POOL.call(_tagged, i, deadline_s=30)
    return (i, *o.value) if o.status == "ok" else (i, -1, -1)


def test_a_multiprocessing_pool_of_forks_gets_every_row_back_right():
    """`multiprocessing.Pool` with the fork start method, after the parent used the pool: the
    children used to share the parent's worker pipes and get each other's answers."""
    global _FORKED_POOL
    _FORKED_POOL = DeadlinePool(2, memory_mb=512)
    try:
        parent_workers = {_FORKED_POOL.call(_pid, deadline_s=30).value for _ in range(4)}
        with multiprocessing.get_context("fork").Pool(4) as procs:
            got = procs.map(_score_in_forked_child, range(40), chunksize=1)
        assert [(i, answered) for i, answered, _ in got] == [(i, i) for i in range(40)]
        assert not {pid for *_, pid in got} & parent_workers
        assert _FORKED_POOL.call(_tagged, 7, deadline_s=30).value[0] == 7  # the parent's still work
    finally:
        _FORKED_POOL.close()
        _FORKED_POOL = None
