"""SandboxFusion's `POST /run_code` over our own sandbox: request fields and result statuses as
SandboxFusion defines them, so verl's sandbox_fusion reward path can point at `verity serve`.
It decides nothing about correctness (the caller compares outputs) and supports only what our
sandbox runs (python, cpp; no extra files).

Compile once: verl sends one request per test case, all for the same program at about the same
time. Requests for the same program and limits that arrive within `coalesce_s` run as one
sandbox call (one compile, one result per stdin), and a program that failed to compile is
answered from a bounded cache without running again.
"""

from __future__ import annotations

import asyncio
import math
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Executor
from typing import Any

from sandboxes.base import Limits, Program, RunResult, Status

LANGUAGE_NAMES = {"python": "python", "python3": "python", "cpp": "cpp", "c++": "cpp"}
MAX_TIMEOUT_S = 60.0
MAX_MEMORY_MB = 8192
# for SandboxFusion's memory_limit_MB = -1 ("no limit"): we always have one
DEFAULT_MEMORY_MB = 1024


class RunCodeError(ValueError):
    """A /run_code request we refuse; `field` names the request field at fault."""

    def __init__(self, field_name: str, message: str):
        super().__init__(message)
        self.field = field_name


def _seconds(body: dict[str, Any], key: str, default: float) -> float:
    value = body.get(key, default)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
            or not 0 < value <= MAX_TIMEOUT_S:
        raise RunCodeError(key, f"'{key}' must be seconds in (0, {MAX_TIMEOUT_S:g}], got {value!r}")
    return float(value)


def parse_request(body: Any) -> tuple[Program, bytes, Limits]:
    """SandboxFusion's request -> (program, stdin, limits); RunCodeError names a bad field."""
    if not isinstance(body, dict):
        raise RunCodeError("body", f"the body must be a JSON object, got {type(body).__name__}")
    code = body.get("code")
    if not isinstance(code, str):
        raise RunCodeError("code", f"'code' must be a string, got {type(code).__name__}")
    language = LANGUAGE_NAMES.get(body.get("language"))  # type: ignore[arg-type]
    if language is None:
        raise RunCodeError("language", f"'language' {body.get('language')!r} is not supported here;"
                           f" use one of {sorted(LANGUAGE_NAMES)}")
    stdin = body.get("stdin") or ""
    if not isinstance(stdin, str):
        raise RunCodeError("stdin", f"'stdin' must be a string, got {type(stdin).__name__}")
    for key in ("files", "fetch_files"):
        if body.get(key):
            raise RunCodeError(
                key, f"'{key}' is not supported by this sandbox; send the program and stdin only"
            )
    memory = body.get("memory_limit_MB", -1)
    if memory is None or memory == -1:
        memory = DEFAULT_MEMORY_MB
    if isinstance(memory, bool) or not isinstance(memory, int) or not 0 < memory <= MAX_MEMORY_MB:
        raise RunCodeError("memory_limit_MB",
                           f"'memory_limit_MB' must be -1 or an integer in (0, {MAX_MEMORY_MB}]")
    run_s = _seconds(body, "run_timeout", 10.0)
    compile_s = _seconds(body, "compile_timeout", 10.0)
    # SandboxFusion's run_timeout is wall time: it bounds CPU and wall alike here.
    limits = Limits(cpu_s=run_s, wall_s=run_s, memory_mb=memory, compile_cpu_s=compile_s)
    return Program(code, language), stdin.encode("utf-8", "surrogatepass"), limits


def _text(data: bytes) -> str:
    return data.decode("utf-8", "replace")


def to_response(result: RunResult, program: Program) -> dict[str, Any]:
    """One RunResult in SandboxFusion's response shape."""
    compiled = {"status": "Finished", "execution_time": None, "return_code": 0, "stdout": "",
                "stderr": ""}
    if result.status is Status.SANDBOX_ERROR:
        return {"status": "SandboxError", "message": result.detail or "sandbox error",
                "compile_result": None, "run_result": None, "executor_pod_name": None, "files": {}}
    if result.status is Status.COMPILE_ERROR:
        failed = {**compiled, "return_code": result.exit_code or 1, "stdout": _text(result.stdout),
                  "stderr": _text(result.stderr) or result.detail}
        return {"status": "Failed", "message": "", "compile_result": failed, "run_result": None,
                "executor_pod_name": None, "files": {}}
    ok = result.status is Status.OK
    timed_out = result.status is Status.TIME_LIMIT
    code = 0 if ok else (result.exit_code if result.exit_code not in (None, 0)
                         else (128 + result.signal if result.signal else 1))
    run = {"status": "TimeLimitExceeded" if timed_out else "Finished",
           "execution_time": result.wall_s, "return_code": None if timed_out else code,
           "stdout": _text(result.stdout), "stderr": _text(result.stderr)}
    return {"status": "Success" if ok else "Failed", "message": "" if ok else result.status.value,
            "compile_result": compiled if program.language == "cpp" else None, "run_result": run,
            "executor_pod_name": None, "files": {}}


class RunCodeBatcher:
    """Coalesces concurrent requests for one program into one sandbox call (see the module)."""

    def __init__(self, sandbox: Callable[[], Any], executor: Executor, *, coalesce_s: float = 0.02,
                 max_batch: int = 64, cache_size: int = 4096):
        self.sandbox, self.executor = sandbox, executor
        self.coalesce_s, self.max_batch, self.cache_size = coalesce_s, max_batch, cache_size
        self._pending: dict[tuple[str, str], list[tuple[bytes, asyncio.Future[RunResult]]]] = {}
        self._compile_errors: OrderedDict[tuple[str, str], RunResult] = OrderedDict()
        self.sandbox_calls = 0  # how many sandbox runs served the requests (a compile-cache metric)

    async def handle(self, body: Any) -> dict[str, Any]:
        program, stdin, limits = parse_request(body)
        key = (program.digest, limits.key)
        if key in self._compile_errors:
            self._compile_errors.move_to_end(key)
            return to_response(self._compile_errors[key], program)
        loop = asyncio.get_running_loop()
        future: asyncio.Future[RunResult] = loop.create_future()
        batch = self._pending.get(key)
        if batch is None:
            batch = self._pending[key] = []
            loop.call_later(self.coalesce_s, self._flush_soon, key, program, limits)
        batch.append((stdin, future))
        if len(batch) >= self.max_batch:
            self._flush_soon(key, program, limits)
        return to_response(await future, program)

    def _flush_soon(self, key: tuple[str, str], program: Program, limits: Limits) -> None:
        batch = self._pending.pop(key, None)
        if batch:
            asyncio.ensure_future(self._run(key, program, limits, batch))

    async def _run(self, key: tuple[str, str], program: Program, limits: Limits,
                   batch: list[tuple[bytes, asyncio.Future[RunResult]]]) -> None:
        stdins = [s for s, _ in batch]
        self.sandbox_calls += 1
        try:
            results = await asyncio.get_running_loop().run_in_executor(
                self.executor, lambda: self.sandbox().run(program, stdins, limits))
        except Exception as exc:  # noqa: BLE001 - our side failed: SandboxError, never a verdict
            results = []
            detail = f"{type(exc).__name__}: {exc}"[:300]
        else:
            detail = "the sandbox returned too few results"
        results = list(results) + ([RunResult(Status.SANDBOX_ERROR, detail=detail)]
                                   * (len(batch) - len(results)))
        if results and all(r.status is Status.COMPILE_ERROR for r in results):
            self._compile_errors[key] = results[0]
            while len(self._compile_errors) > self.cache_size:
                self._compile_errors.popitem(last=False)
        for (_, future), result in zip(batch, results):
            if not future.done():
                future.set_result(result)
