"""PoolFeeder: the rows of every in-flight server request for one reward set, sent to the deadline
pool in chunks so that concurrent requests share round trips. It judges nothing (RewardSet does)
and speaks no HTTP (serve.py does)."""

from __future__ import annotations

import os
import queue
import threading
import time
from concurrent.futures import Future
from typing import Any

from verifiers.base import Problem
from verifiers.rewards import CHUNK_ROWS, RewardSet, Scored

# A queued row: ((completion, problem, completion_ids), its future, when it was queued); None
# tells the feeder threads to stop.
_Queued = tuple[tuple[str, Problem, Any], Future[Scored], float]


class PoolFeeder:
    """The rows of every in-flight request for one pooled reward set, fed to the deadline pool in
    chunks of up to CHUNK_ROWS by one thread per worker (no chunk waits for a worker behind another
    chunk, so a slow chunk cannot starve the next one's first row). A request's rows then cost one
    round trip per chunk, shared with the other requests, instead of per-request thread fan-out
    and a round trip per small chunk. Each row keeps its
    per-row deadline on the pool, and its wait in this queue counts too: a row still queued after
    deadline_s is masked as not started in time (our capacity), so an overloaded server masks
    rather than queueing without bound."""

    def __init__(self, rs: RewardSet):
        self.rs = rs
        self.rows: queue.SimpleQueue[_Queued | None] = queue.SimpleQueue()
        self.threads = [threading.Thread(target=self._run, daemon=True, name="verity-feeder")
                        for _ in range(max(1, min(rs.workers, os.cpu_count() or 1)))]
        for t in self.threads:
            t.start()

    def score(self, completions: list[str], problems: list[Problem]) -> list[Scored]:
        futures: list[Future[Scored]] = [Future() for _ in completions]
        now = time.monotonic()
        for c, p, f in zip(completions, problems, futures):
            self.rows.put(((c, p, None), f, now))
        return [f.result() for f in futures]

    def _run(self) -> None:
        while True:
            first = self.rows.get()
            if first is None:
                self.rows.put(None)  # let the other threads stop too
                return
            batch = [first]
            while len(batch) < CHUNK_ROWS:
                try:
                    nxt = self.rows.get_nowait()
                except queue.Empty:
                    break
                if nxt is None:
                    self.rows.put(None)  # let the other threads stop too
                    break
                batch.append(nxt)
            now = time.monotonic()
            live = []
            for row, f, queued in batch:
                if now - queued >= self.rs.deadline_s:
                    f.set_result(
                        self.rs.failed(
                            "verifier_error",
                            f"no worker free within {self.rs.deadline_s:g} s"
                            f" ({now - queued:.1f} s in the server's queue)",
                        )
                    )
                else:
                    live.append((row, f))
            if not live:
                continue
            try:
                results = self.rs.score_chunk([row for row, _ in live])
            except Exception as exc:  # noqa: BLE001 - our bug: those requests get an error, never rewards
                for _, f in live:
                    f.set_exception(exc)
                continue
            for (_, f), scored in zip(live, results):
                f.set_result(scored)

    def close(self) -> None:
        self.rows.put(None)
