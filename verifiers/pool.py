"""Pre-forked worker processes that run a module-level function under a hard wall-clock
deadline, killing and replacing a worker that overruns. It knows nothing of what the functions
judge; callers turn an `Outcome` into a verdict.

Why processes: sympy can spin for minutes on a power tower and a thread cannot be stopped, while
`signal.alarm` only works on the main thread. A killed process always stops, from any thread.
Workers are forked from the calling process after it has imported the heavy modules (`preload`)
and run the warm-up (`initializer`), so a replacement is ready in milliseconds with warm caches.
We fork rather than use multiprocessing's forkserver/spawn because those re-import the user's
`__main__` in the child, which breaks any script without an `if __name__ == "__main__":` guard;
the forked child only runs our worker loop, never the parent's other threads' code.
"""

from __future__ import annotations

import atexit
import importlib
import multiprocessing
import os
import queue
import resource
import threading
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

# True inside a pool worker: code that would otherwise submit work to a pool runs inline,
# because the outer pool's deadline already bounds it (no pools inside pools).
IN_WORKER = False

_READY_TIMEOUT_S = 60.0


@dataclass(frozen=True)
class Outcome:
    status: Literal["ok", "timeout", "error", "crashed"]
    value: Any = None
    error: str = ""


def _worker_main(conn, memory_mb: int | None) -> None:
    global IN_WORKER
    IN_WORKER = True
    if memory_mb:
        # A runaway expression should die with MemoryError here, not take the host down. The
        # cap is on top of what the (possibly large, e.g. torch-holding) parent already mapped.
        with open("/proc/self/statm") as f:
            mapped = int(f.read().split()[0]) * resource.getpagesize()
        limit = mapped + memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    conn.send(("ready", None))
    while True:
        try:
            msg = conn.recv()
        except (EOFError, OSError):
            return
        if msg is None:
            return
        fn, args, kwargs = msg
        try:
            reply = ("ok", fn(*args, **kwargs))
        except BaseException as exc:  # noqa: BLE001 - reported to the caller, never lost
            reply = ("error", f"{type(exc).__name__}: {exc}"[:2000])
        try:
            conn.send(reply)
        except Exception as exc:  # an unpicklable result is the function's bug, not a crash
            conn.send(("error", f"unpicklable result: {type(exc).__name__}: {exc}"[:2000]))


class _Worker:
    def __init__(self, ctx, memory_mb):
        self.conn, child = ctx.Pipe(duplex=True)
        self.proc = ctx.Process(target=_worker_main, args=(child, memory_mb), daemon=True)
        self.proc.start()
        child.close()
        self.ready = False

    def wait_ready(self) -> bool:
        if not self.ready:
            try:
                self.ready = self.conn.poll(_READY_TIMEOUT_S) and self.conn.recv()[0] == "ready"
            except (EOFError, OSError):
                self.ready = False
        return self.ready

    def kill(self) -> None:
        try:
            self.proc.kill()
            self.proc.join(timeout=5)
        finally:
            self.conn.close()


class DeadlinePool:
    """`workers` processes; `call(fn, *args, deadline_s=..)` blocks until a worker is free, then
    waits at most `deadline_s` for the answer. Thread-safe; workers start on first use."""

    def __init__(
        self,
        workers: int = 1,
        *,
        preload: Sequence[str] = (),
        initializer: Callable[[], None] | None = None,
        memory_mb: int | None = 4096,
    ) -> None:
        if not isinstance(workers, int) or workers < 1:
            raise ValueError(f"workers={workers!r} is not allowed: use an integer >= 1")
        self.workers = workers
        self._preload = list(preload)
        self._initializer = initializer
        self._memory_mb = memory_mb
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._started = False
        self._closed = False
        self.replaced = 0  # workers killed for overrunning or crashing (a health metric)
        self._finalizer = weakref.finalize(self, DeadlinePool._shutdown, self._all)

    def _ctx(self):
        return multiprocessing.get_context("fork")

    def _start(self) -> None:
        with self._lock:
            if self._closed:
                raise RuntimeError("DeadlinePool is closed")
            if self._started:
                return
            for name in self._preload:
                importlib.import_module(name)
            if self._initializer is not None:
                self._initializer()  # warm the parent once; every fork inherits the warm caches
            ctx = self._ctx()
            for _ in range(self.workers):
                w = _Worker(ctx, self._memory_mb)
                self._all.add(w)
                self._idle.put(w)
            self._started = True

    def _replace(self, dead: _Worker) -> _Worker:
        dead.kill()
        with self._lock:
            self._all.discard(dead)
            self.replaced += 1
            fresh = _Worker(self._ctx(), self._memory_mb)
            self._all.add(fresh)
        return fresh

    def call(self, fn: Callable[..., Any], *args: Any, deadline_s: float, **kwargs: Any) -> Outcome:
        if not self._started:
            self._start()
        worker = self._idle.get()
        try:
            if not worker.wait_ready():
                worker = self._replace(worker)
                if not worker.wait_ready():
                    return Outcome("crashed", error="worker failed to start")
            try:
                worker.conn.send((fn, args, kwargs))
                if not worker.conn.poll(deadline_s):
                    worker = self._replace(worker)
                    return Outcome("timeout", error=f"no answer within {deadline_s:g} s")
                status, value = worker.conn.recv()
            except (EOFError, OSError, BrokenPipeError) as exc:
                worker = self._replace(worker)
                return Outcome("crashed", error=f"worker died: {type(exc).__name__}")
            if status == "ok":
                return Outcome("ok", value)
            return Outcome("error", error=value)
        finally:
            self._idle.put(worker)

    def close(self) -> None:
        with self._lock:
            self._closed = True
        self._finalizer()

    @staticmethod
    def _shutdown(workers: set[_Worker]) -> None:
        for w in list(workers):
            try:
                if w.proc.is_alive() and w.proc.pid != os.getpid():
                    w.kill()
            except Exception:  # noqa: BLE001 - best effort at interpreter exit
                pass
        workers.clear()


_SHARED: dict[tuple, DeadlinePool] = {}
_SHARED_LOCK = threading.Lock()


def shared_pool(workers: int, preload: Sequence[str], initializer: Callable[[], None] | None) -> DeadlinePool:
    """One pool per (workers, preload, initializer) per process, so that many verifier instances
    (one per reward, one per thread) share processes instead of each forking their own."""
    key = (workers, tuple(preload), initializer)
    with _SHARED_LOCK:
        pool = _SHARED.get(key)
        if pool is None or pool._closed:
            pool = _SHARED[key] = DeadlinePool(workers, preload=preload, initializer=initializer)
        return pool


@atexit.register
def close_shared_pools() -> None:
    """Stop every shared pool; the next call starts fresh workers (cold caches)."""
    with _SHARED_LOCK:
        pools = list(_SHARED.values())
        _SHARED.clear()
    for pool in pools:
        pool.close()
