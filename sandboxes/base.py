"""The sandbox vocabulary: Program, Limits, RunResult, Status and the Sandbox protocol; it states
facts about executions and deliberately contains no execution mechanism and no notion of
correctness (that is the verifiers' job)."""

from __future__ import annotations

import enum
import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

LANGUAGES = ("python", "cpp")


class Status(str, enum.Enum):
    """What happened to one execution. Only `ok` means the program ran to a normal exit (code 0)
    within every limit; it says nothing about whether its output is right."""

    OK = "ok"
    TIME_LIMIT = "time_limit"
    MEMORY_LIMIT = "memory_limit"
    OUTPUT_LIMIT = "output_limit"
    RUNTIME_ERROR = "runtime_error"
    COMPILE_ERROR = "compile_error"
    SANDBOX_ERROR = "sandbox_error"  # our side failed: the caller must mask, never punish


@dataclass(frozen=True)
class Program:
    """Untrusted source code and the language it is written in."""

    source: str
    language: str = "python"

    def __post_init__(self) -> None:
        if not isinstance(self.source, str):
            raise ValueError(f"Program.source must be str, got {type(self.source).__name__}")
        if self.language not in LANGUAGES:
            raise ValueError(
                f"Program.language={self.language!r} is not allowed; use one of {LANGUAGES}"
            )

    @property
    def digest(self) -> str:
        return hashlib.sha256(
            f"{self.language}\0{self.source}".encode("utf-8", "surrogatepass")
        ).hexdigest()


def _positive(name: str, value: float, integer: bool = False) -> None:
    ok = isinstance(value, int) if integer else isinstance(value, (int, float))
    if isinstance(value, bool) or not ok or not math.isfinite(value) or value <= 0:
        kind = "a positive integer" if integer else "a positive finite number"
        raise ValueError(f"Limits.{name}={value!r} is not allowed; it must be {kind}")


@dataclass(frozen=True)
class Limits:
    """Per-execution resource limits. `cpu_s` is the judged limit; `wall_s` is only a backstop
    against programs that sleep or block (default: 2 x cpu_s + 1 s)."""

    cpu_s: float = 2.0
    wall_s: float | None = None
    memory_mb: int = 512
    pids: int = 32
    stdout_bytes: int = 1 << 20
    stderr_bytes: int = 64 << 10
    written_bytes: int = 16 << 20
    open_files: int = 64
    compile_cpu_s: float = 20.0
    compile_memory_mb: int = 1024

    def __post_init__(self) -> None:
        _positive("cpu_s", self.cpu_s)
        if self.wall_s is not None:
            _positive("wall_s", self.wall_s)
        _positive("compile_cpu_s", self.compile_cpu_s)
        for name in ("memory_mb", "pids", "stdout_bytes", "stderr_bytes", "written_bytes",
                     "open_files", "compile_memory_mb"):
            _positive(name, getattr(self, name), integer=True)
        if self.open_files < 8:
            raise ValueError(f"Limits.open_files={self.open_files} is not allowed; it must be >= 8")

    @property
    def effective_wall_s(self) -> float:
        return self.wall_s if self.wall_s is not None else 2.0 * self.cpu_s + 1.0

    @property
    def key(self) -> str:
        """Stable text form, for cache keys."""
        return repr(tuple(getattr(self, f) for f in self.__dataclass_fields__))


@dataclass(frozen=True)
class RunResult:
    """Facts about one execution. `stdout` is capped at Limits.stdout_bytes (a program that
    exceeds the cap gets status output_limit); `stderr` keeps only its tail."""

    status: Status
    exit_code: int | None = None
    signal: int | None = None
    stdout: bytes = b""
    stderr: bytes = b""
    cpu_s: float = 0.0
    wall_s: float = 0.0
    peak_memory_mb: float = 0.0
    # our own short note (which limit, which setup step failed); never candidate text
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.status is Status.OK


@runtime_checkable
class Sandbox(Protocol):
    """Runs one program on many inputs and reports facts, never correctness.

    `run` compiles once where the language needs it, then returns exactly one RunResult per
    stdin, in order. With `stop_on_error`, inputs after the first execution whose status is not
    ok are not run and get no result (the returned list is shorter). A failure on our side gives
    results with status sandbox_error rather than raising."""

    def run(self, program: Program, stdins: Sequence[bytes], limits: Limits,
            *, stop_on_error: bool = False) -> list[RunResult]: ...

    def describe(self) -> dict[str, object]: ...

    def close(self) -> None: ...

