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

Deadlines are wall-clock for the caller: the time a call waits for a free worker counts against
its `deadline_s`, so N threads sharing one worker each return within their deadline. A call that
gets no worker in time, or gets one too late to have had half its deadline and then overruns, is
"starved": our capacity, not the function's fault, so callers mask it and never score it.

Fork-safe: a process that forks after using a pool (verl's prime manager, `datasets.map(num_proc)`,
`multiprocessing.Pool`) must never talk to its parent's workers, or two processes read each
other's answers. Every pool remembers the pid that started it; in a forked child
(`os.register_at_fork`, plus a pid check on every call for forks that bypass it) it forgets the
parent's workers without signalling them (only the child's copies of the pipe ends are closed)
and starts its own on first use.
"""

from __future__ import annotations

import atexit
import contextlib
import importlib
import multiprocessing
import os
import queue
import resource
import signal
import threading
import time
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any, Literal

# True inside a pool worker: code that would otherwise submit work to a pool runs inline,
# because the outer pool's deadline already bounds it (no pools inside pools).
IN_WORKER = False


# Outcome.status: the closed set of ways a pooled call ends (see Outcome).
OutcomeStatus = Literal["ok", "timeout", "starved", "error", "crashed"]


@dataclass(frozen=True)
class Outcome:
    """"ok": `value` is the answer; "timeout": the function overran a deadline of which it had at
    least half to itself; "starved": no worker was free in time, or the call started too late and
    overran (callers mask it: our capacity, not the function); "error": it raised; "crashed": the
    worker died."""

    status: OutcomeStatus
    value: Any = None
    error: str = ""
    waited_s: float = 0.0  # time spent waiting for a free, ready worker


def _worker_main(conn: Connection[Any, Any], parent_end: Connection[Any, Any],
                 memory_mb: int | None) -> None:
    global IN_WORKER
    IN_WORKER = True
    parent_end.close()  # so that the parent's death reads as EOF here
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
        fn, items, kwargs = msg  # one message, one reply per item, each sent as soon as it is done
        for args in items:
            try:
                reply = ("ok", fn(*args, **kwargs))
            except BaseException as exc:  # noqa: BLE001 - reported to the caller, never lost
                reply = ("error", f"{type(exc).__name__}: {exc}"[:2000])
            try:
                conn.send(reply)
            except Exception as exc:  # an unpicklable result is the function's bug, not a crash
                conn.send(("error", f"unpicklable result: {type(exc).__name__}: {exc}"[:2000]))


class _Worker:
    """One forked process and our end of its pipe. Plain `os.fork`, not `multiprocessing.Process`:
    a daemonic multiprocessing child (a `multiprocessing.Pool` worker, `datasets.map(num_proc)`)
    may not start Processes, but must still be able to grade under a deadline."""

    def __init__(self, memory_mb: int | None) -> None:
        self.conn, child = multiprocessing.Pipe(duplex=True)
        self.pid = os.fork()
        if self.pid == 0:  # the worker: serve, then leave without running the parent's atexit
            code = 1
            try:
                _worker_main(child, self.conn, memory_mb)
                code = 0
            finally:
                os._exit(code)
        child.close()
        self.ready = False

    def wait_ready(self, timeout_s: float) -> Literal["ready", "slow", "dead"]:
        if self.ready:
            return "ready"
        try:
            if not self.conn.poll(max(timeout_s, 0.0)):
                return "slow"
            self.ready = self.conn.recv()[0] == "ready"
        except (EOFError, OSError):
            return "dead"
        return "ready" if self.ready else "dead"

    def kill(self) -> None:
        try:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
            with contextlib.suppress(ChildProcessError):  # someone else may have reaped it
                os.waitpid(self.pid, 0)
        finally:
            self.conn.close()

    def forget(self) -> None:
        """In a forked child: let go of this (the parent's) worker without signalling or waiting
        for it. Closing our copy of the pipe end leaves the parent's own copy working."""
        with contextlib.suppress(OSError):
            self.conn.close()


class DeadlinePool:
    """`workers` processes; `call(fn, *args, deadline_s=..)` returns within `deadline_s` of being
    called (plus the kill of an overrunning worker), waiting for a free worker included.
    Thread-safe and fork-safe; workers start on first use."""

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
        self._closed = False
        self._fresh_state()
        _POOLS.add(self)

    def _fresh_state(self) -> None:
        """Everything that belongs to one process: its workers, its locks, its counters."""
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._started = False
        self._pid = os.getpid()
        self.replaced = 0  # workers killed for overrunning or crashing (a health metric)
        self._finalizer = weakref.finalize(self, DeadlinePool._shutdown, self._all, self._pid)

    def _after_fork_in_child(self) -> None:
        # Another thread of the parent may have held our lock or been inside our queue at the
        # fork: nothing of the old state is used again here, only the pipe copies are closed.
        self._finalizer.detach()
        for w in list(self._all):
            w.forget()
        self._fresh_state()

    def _own(self) -> None:
        if self._pid != os.getpid():  # a fork that bypassed os.register_at_fork (C-level fork)
            self._after_fork_in_child()

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
            for _ in range(self.workers):
                w = _Worker(self._memory_mb)
                self._all.add(w)
                self._idle.put(w)
            self._started = True

    def _replace(self, dead: _Worker) -> _Worker:
        dead.kill()
        with self._lock:
            self._all.discard(dead)
            self.replaced += 1
            fresh = _Worker(self._memory_mb)
            self._all.add(fresh)
        return fresh

    def start(self) -> DeadlinePool:
        """Start the workers now (imports, warm-up, forks) if this process has not yet, so that a
        caller timing its own deadline does not count the once-per-process start-up."""
        self._own()
        if not self._started:
            self._start()
        return self

    def call(self, fn: Callable[..., Any], *args: Any, deadline_s: float, **kwargs: Any) -> Outcome:
        return self.call_many(fn, [args], deadline_s=deadline_s, **kwargs)[0]

    def call_many(self, fn: Callable[..., Any], items: Sequence[tuple[Any, ...]], *,
                  deadline_s: float, **kwargs: Any) -> list[Outcome]:
        """`[call(fn, *args, deadline_s=..) for args in items]` with one message to one worker and
        one reply per item as it finishes (a batch pays one round trip, not one per row). Each item
        keeps its own deadline_s: the first one's clock includes the wait for a worker, a later
        one's starts when its predecessor answered. An item that overruns or kills its worker gets
        its own Outcome, and the items after it go on, on a fresh worker."""
        self._own()
        if not self._started:
            self._start()  # once per process: imports and warm-up are not queueing
        out: list[Outcome] = []
        pending = list(items)
        while pending:
            start = time.monotonic()
            end = start + deadline_s
            try:
                worker = self._idle.get(timeout=max(deadline_s, 0.0))
            except queue.Empty:
                out.append(Outcome("starved", error=f"no worker free within {deadline_s:g} s",
                                   waited_s=deadline_s))
                pending = pending[1:]
                continue
            idle = self._idle  # put the worker back where it came from, even across a reset
            try:
                state = worker.wait_ready(end - time.monotonic())
                if state == "dead":
                    worker = self._replace(worker)
                    state = worker.wait_ready(end - time.monotonic())
                waited_s = time.monotonic() - start
                budget_s = end - time.monotonic()
                if state == "dead" or state == "slow" or budget_s <= 0:
                    out.append(
                        Outcome("crashed", error="worker failed to start", waited_s=waited_s)
                        if state == "dead"
                        else Outcome(
                            "starved",
                            error=f"no worker ready within {deadline_s:g} s",
                            waited_s=waited_s,
                        )
                    )
                    pending = pending[1:]
                    continue
                sent, pending = pending, []
                try:
                    worker.conn.send((fn, sent, kwargs))
                except (EOFError, OSError) as exc:
                    worker = self._replace(worker)
                    out.append(Outcome("crashed", error=f"worker died: {type(exc).__name__}",
                                       waited_s=waited_s))
                    pending = sent[1:]
                    continue
                for k in range(len(sent)):
                    if k:  # a later item's clock starts when its predecessor answered
                        waited_s, budget_s = 0.0, deadline_s
                    try:
                        if not worker.conn.poll(budget_s):
                            worker = self._replace(worker)
                            # An overrun is the function's only if it had most of its time to
                            # itself.
                            overrun: OutcomeStatus = (
                                "timeout" if budget_s >= deadline_s / 2 else "starved"
                            )
                            out.append(
                                Outcome(
                                    overrun,
                                    error=f"no answer within {deadline_s:g} s"
                                    f" ({waited_s:.2f} s of it waiting for a worker)",
                                    waited_s=waited_s,
                                )
                            )
                            pending = sent[k + 1:]
                            break
                        status, value = worker.conn.recv()
                    except (EOFError, OSError) as exc:
                        worker = self._replace(worker)
                        out.append(Outcome("crashed", error=f"worker died: {type(exc).__name__}",
                                           waited_s=waited_s))
                        pending = sent[k + 1:]
                        break
                    out.append(Outcome("ok", value, waited_s=waited_s) if status == "ok"
                               else Outcome("error", error=value, waited_s=waited_s))
            finally:
                idle.put(worker)
        return out

    def close(self) -> None:
        with self._lock:
            self._closed = True
        self._finalizer()

    @staticmethod
    def _shutdown(workers: set[_Worker], owner_pid: int) -> None:
        if os.getpid() != owner_pid:  # never stop another process's workers
            return
        for w in list(workers):
            with contextlib.suppress(Exception):  # best effort at interpreter exit
                w.kill()
        workers.clear()


_POOLS: weakref.WeakSet[DeadlinePool] = weakref.WeakSet()
_SHARED: dict[tuple[Any, ...], DeadlinePool] = {}
_SHARED_LOCK = threading.Lock()


def _after_fork_in_child() -> None:
    global _SHARED_LOCK
    _SHARED_LOCK = threading.Lock()
    for pool in list(_POOLS):
        pool._after_fork_in_child()


os.register_at_fork(after_in_child=_after_fork_in_child)


def shared_pool(workers: int, preload: Sequence[str],
                initializer: Callable[[], None] | None) -> DeadlinePool:
    """One pool per (workers, preload, initializer) per process, so that many verifier instances
    (one per reward, one per thread) share processes instead of each forking their own."""
    key = (workers, tuple(preload), initializer)
    with _SHARED_LOCK:
        pool = _SHARED.get(key)
        if pool is None or pool._closed:
            pool = _SHARED[key] = DeadlinePool(workers, preload=preload, initializer=initializer)
        return pool


def restarts() -> int:
    """Workers replaced (overrun, crashed) across this process's shared pools: a health metric."""
    with _SHARED_LOCK:
        return sum(p.replaced for p in _SHARED.values())


@atexit.register
def close_shared_pools() -> None:
    """Stop every shared pool; the next call starts fresh workers (cold caches)."""
    with _SHARED_LOCK:
        pools = list(_SHARED.values())
        _SHARED.clear()
    for pool in pools:
        pool.close()
