"""The sandbox pool contract, once for every backend: a fixed set of slots (fork servers or
containers), one request per free slot, a misbehaving slot replaced and its request masked,
`require=` refusal, close and context manager, plus the request/reply format the slot worker
speaks; backends provide only how a slot starts and how a request travels to it, and this
module deliberately knows nothing about namespaces, engines or judging.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import queue
import threading
import weakref
from collections.abc import Sequence
from typing import Any, Generic, Protocol, TypeVar

from sandboxes.base import Limits, Program, RunResult, Status


def encode_request(program: Program, stdins: Sequence[bytes], limits: Limits, *,
                   stop_on_error: bool, fast: bool) -> tuple[dict[str, Any], list[bytes], float]:
    """The run request a slot worker reads (header and blobs: source, then stdins) and how long
    its caller waits for the answer: every input's wall backstop plus compiling."""
    header = {"op": "run", "language": program.language, "stop_on_error": stop_on_error,
              "fast": fast, "limits": {f: getattr(limits, f) for f in limits.__dataclass_fields__}
              | {"wall_s": limits.effective_wall_s}}
    budget_s = len(stdins) * (limits.effective_wall_s + 2) + limits.compile_cpu_s * 2 + 30
    return header, [program.source.encode("utf-8", "surrogatepass"), *stdins], budget_s


def decode_reply(reply: dict[str, Any], blobs: Sequence[bytes | bytearray]) -> list[RunResult]:
    """A worker's answer (one entry per input; stdout and stderr blobs in pairs) as results.
    Anything malformed raises ValueError, which the pool treats as a misbehaving slot."""
    if not isinstance(reply, dict) or "results" not in reply:
        raise ValueError(reply.get("error", "malformed reply") if isinstance(reply, dict)
                         else "malformed reply")
    try:
        return _results(reply["results"], blobs)
    except (KeyError, TypeError, IndexError, AttributeError) as exc:
        raise ValueError(f"malformed reply ({type(exc).__name__}: {exc})") from None


def _results(entries: list[dict[str, Any]], blobs: Sequence[bytes | bytearray]) -> list[RunResult]:
    return [RunResult(status=Status(r["status"]), exit_code=r["exit_code"], signal=r["signal"],
                      stdout=bytes(blobs[2 * k]), stderr=bytes(blobs[2 * k + 1]),
                      cpu_s=float(r["cpu_s"]), wall_s=float(r["wall_s"]),
                      peak_memory_mb=float(r["peak_memory_mb"]), detail=r["detail"])
            for k, r in enumerate(entries)]


class Slot(Protocol):
    """One started worker. `request` raises OSError, EOFError, TimeoutError or ValueError when
    the worker misbehaves; the pool then never reuses it."""

    index: int
    hello: dict[str, Any]

    def request(
        self, header: dict[str, Any], blobs: list[bytes], timeout_s: float
    ) -> tuple[dict[str, Any], list[bytearray]]: ...

    def close(self) -> None: ...

    def forget(self) -> None:
        """In a forked child: drop this process's copies of the slot's fds, waiting for nothing."""


SlotT = TypeVar("SlotT", bound=Slot)
PoolT = TypeVar("PoolT", bound="SlotPool[Any]")
_LIVE: weakref.WeakSet[SlotPool[Any]] = weakref.WeakSet()


def _forget_in_forked_child() -> None:
    """A plain fork (a DeadlinePool worker, multiprocessing's fork start method) copies every
    slot's fds. A slot server ends on EOF of its request channel, which never comes while a
    child holds a copy: closing the parent's sandbox would then wait out a timeout per slot, and
    the child's copies of uid locks would outlive the parent. The child drops its copies and its
    view of the parent's sandboxes (they belong to the parent; a child that needs a sandbox
    starts its own)."""
    for pool in list(_LIVE):
        pool._closed = True  # no lock: after fork only this thread exists, a lock may be stale
        for slot in pool._slots:
            slot.forget()
        pool._slots = []
        pool._forget()


os.register_at_fork(after_in_child=_forget_in_forked_child)


class SlotPool(Generic[SlotT]):
    """Thread-safe: each `run` takes one free slot for its whole request (compile once, run every
    stdin), so concurrency equals the number of slots. Subclasses set `name` and `layer_names`,
    implement `_start_slot` and may override the hooks below; `SlotT` is the slot type they
    start."""

    name = "sandbox"
    layer_names: tuple[str, ...] = ()
    python_fast_path = True

    def __init__(self, require: Sequence[str]):
        unknown = [r for r in require if r not in self.layer_names]
        if unknown:
            raise ValueError(f"require={list(require)!r} names unknown layers {unknown}; "
                             f"allowed: {self.layer_names}")
        self._require = tuple(require)
        self._lock = threading.Lock()
        self._free: queue.Queue[SlotT] = queue.Queue()
        self._slots: list[SlotT] = []
        self._closed = False
        self._layers: dict[str, str] = {}
        self._missing: dict[str, str] = {}

    # -- what a backend provides -----------------------------------------------------------
    def _start_slot(self, index: int, previous: SlotT | None) -> SlotT:
        """Start slot `index` (replacing `previous`, already closed, when given) or raise."""
        raise NotImplementedError

    def _before_request(self, slot: SlotT, program: Program, limits: Limits) -> None:
        """Adjust the slot for this request; an exception the pool catches masks it."""

    def _keep(self, slot: SlotT) -> bool:
        """Whether a slot that answered well serves again (else it is replaced)."""
        return True

    def _on_close(self) -> None:
        """Release what the pool holds beyond its slots (after they are closed)."""

    def _forget(self) -> None:
        """In a forked child: drop copies of what the pool holds beyond its slots."""

    # what a misbehaving slot raises from a request, and what a failed (re)start raises
    _request_errors: tuple[type[BaseException], ...] = (OSError, EOFError, TimeoutError, ValueError)
    _start_errors: tuple[type[BaseException], ...] = (RuntimeError,)

    # -- the contract ----------------------------------------------------------------------
    def _fill(self, slots: int) -> None:
        """Start every slot; on any failure close what started and re-raise."""
        try:
            for i in range(slots):
                self._add(self._start_slot(i, None))
        except BaseException:
            self.close()
            raise
        atexit.register(self.close)
        _LIVE.add(self)

    def _add(self, slot: SlotT) -> None:
        self._slots.append(slot)
        self._free.put(slot)

    def _refuse_missing(self) -> None:
        """Every layer is either active or missing with a reason; `require=` names must be active.
        """
        for layer in self.layer_names:
            if layer not in self._layers and layer not in self._missing:
                self._missing[layer] = "not available on this host"
        lacking = [r for r in self._require if r not in self._layers]
        if lacking:
            self.close()
            raise RuntimeError(f"{type(self).__name__} refuses to start: required isolation "
                               "layers missing: " + "; ".join(
                                   f"{r} ({self._missing.get(r, 'unavailable')})" for r in lacking))

    def run(self, program: Program, stdins: Sequence[bytes], limits: Limits,
            *, stop_on_error: bool = False) -> list[RunResult]:
        if self._closed:
            raise RuntimeError(f"{type(self).__name__}.run after close()")
        stdins = [bytes(s) for s in stdins]
        if not stdins:
            return []
        header, blobs_out, budget = encode_request(program, stdins, limits,
                                                   stop_on_error=stop_on_error,
                                                   fast=self.python_fast_path)
        try:
            slot = self._free.get(timeout=budget)
        except queue.Empty:  # every slot died and could not be restarted, or all are stuck
            return [RunResult(Status.SANDBOX_ERROR, detail=f"no {self.name} slot became free")
                    for _ in stdins]
        try:
            self._before_request(slot, program, limits)
            results = decode_reply(*slot.request(header, blobs_out, budget))
        except self._request_errors as exc:
            # A slot that misbehaves is never reused: replace it and mask this request.
            self._replace(slot)
            return [RunResult(Status.SANDBOX_ERROR, detail=f"{self.name} slot {slot.index}: {exc}")
                    for _ in stdins]
        if self._keep(slot):
            self._free.put(slot)
        else:
            self._replace(slot)
        return results

    def _replace(self, slot: SlotT) -> None:
        with self._lock:
            slot.close()
            if slot in self._slots:
                self._slots.remove(slot)
            if self._closed:
                return
            with contextlib.suppress(*self._start_errors):  # capacity shrinks; describe() says so
                self._add(self._start_slot(slot.index, slot))

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
            for slot in self._slots:
                slot.close()
            self._slots.clear()
            self._on_close()
        atexit.unregister(self.close)

    def __enter__(self: PoolT) -> PoolT:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
