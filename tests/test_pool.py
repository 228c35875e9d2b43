"""The deadline pool: real processes, real kills, callable from any thread."""

from __future__ import annotations

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
    assert sorted(s for s, _ in results) == ["ok"] * 3 + ["timeout"] * 3
    # 6 calls over 2 workers, the slowest ~0.3 s each: nothing may wait on a stuck worker.
    assert max(t for _, t in results) < 5


def test_rejects_bad_worker_counts():
    with pytest.raises(ValueError, match="workers=0"):
        DeadlinePool(0)
