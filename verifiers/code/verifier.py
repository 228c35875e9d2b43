"""CodeTestsVerifier: completion -> program (last fenced block of the language in the graded
region) -> sandboxed runs -> pass ratio or all-or-nothing reward; it judges only from facts the
trusted side observes (captured output; the one verdict line of the driver's test process, which
the candidate's process can neither reach nor write, proven by a nonce fresh per execution; return
values decoded from strict plain data), never from exit status or markers the candidate prints,
and it does not execute anything itself. A test the driver cannot run across its process boundary
is masked (reason `ungradable`, the driver's reason code in the detail), never scored."""

from __future__ import annotations

import hashlib
import json
import secrets
import threading
from collections import OrderedDict
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, ClassVar

from sandboxes.base import Limits, Program, RunResult, Sandbox, Status
from verifiers.base import Problem, Verdict
from verifiers.code.cases import AssertCase, CallCase, Case, StdioCase, call_passed, parse_tests
from verifiers.code.checkers import CheckerSpec, output_matches
from verifiers.code.plain_data import decode, result_line
from verifiers.code.program import LANGUAGE_TAGS, extract_program, parse_python, prefixed

__all__ = ["CodeOutcome", "CodeTestsVerifier", "extract_program", "UNGRADABLE"]
REWARDS = ("ratio", "binary")
# Why the driver could not run a test across the process boundary (the verdict is then masked):
# the test passes a callable, an object it cannot send as data, or compares or inspects an object
# of the candidate's own class; or the driver could not make its own memory private.
UNGRADABLE = frozenset({"callable_argument", "test_object_argument", "candidate_object_compared",
                        "candidate_object_used", "driver_setup"})
_DRIVER = (Path(__file__).with_name("driver.py")).read_text(encoding="utf-8")
_LIMIT_KEYS = ("time_s", "memory_mb", "output_mb")
_FAILURES = ("time_limit", "memory_limit", "output_limit", "runtime_error", "compile_error")


@dataclass(frozen=True)
class CodeOutcome:
    """A verdict and one status per test: "pass", a failure reason, or "skipped" (early exit)."""

    verdict: Verdict
    test_statuses: tuple[str, ...] = ()


class CodeTestsVerifier:
    """Runs a problem's tests against the extracted program in a Sandbox (a LocalSandbox is
    started on first use when none is given). Thread-safe; results are cached by program hash +
    tests hash + limits, because GRPO groups repeat completions."""

    REASONS: ClassVar[frozenset[str]] = frozenset({
        "correct", "failed_tests", "no_code", "compile_error", "runtime_error", "time_limit",
        "memory_limit", "output_limit", "sandbox_error", "ungradable"})

    def __init__(self, sandbox: Sandbox | None = None, *, reward: str = "ratio",
                 language: str = "python", limits: Limits | None = None, cache_size: int = 4096,
                 challenge_tests: bool = False):
        if reward not in REWARDS:
            raise ValueError(f"reward={reward!r} is not allowed; use one of {REWARDS}")
        if language not in LANGUAGE_TAGS:
            raise ValueError(
                f"language={language!r} is not allowed; use one of {tuple(LANGUAGE_TAGS)}"
            )
        if not isinstance(cache_size, int) or cache_size < 0:
            raise ValueError(f"cache_size={cache_size!r} is not allowed; use an integer >= 0")
        self.reward = reward
        self.language = language
        self.limits = limits or Limits()
        self.cache_size = cache_size
        # MBPP's challenge_test_list (meta["challenge_tests"]) is graded too only when asked for
        self.challenge_tests = bool(challenge_tests)
        self._sandbox = sandbox
        self._owns_sandbox = sandbox is None
        self._lock = threading.Lock()
        self._cache: OrderedDict[str, CodeOutcome] = OrderedDict()

    def __call__(self, *, completion: str, problem: Problem) -> Verdict:
        return self.evaluate(completion=completion, problem=problem).verdict

    def evaluate(self, *, completion: str, problem: Problem) -> CodeOutcome:
        language = str(problem.meta.get("language", self.language))
        if language not in LANGUAGE_TAGS:
            return _infra(f"problem language {language!r} is not supported")
        if not isinstance(completion, str):
            return CodeOutcome(Verdict(0.0, "no_code", "completion is not text"))
        source = extract_program(completion, language)
        if source is None:
            return CodeOutcome(
                Verdict(0.0, "no_code", f"no ```{language} block in the graded region")
            )
        return self.evaluate_program(
            source=prefixed(problem, source), problem=problem, language=language
        )

    def evaluate_program(
        self, *, source: str, problem: Problem, language: str | None = None
    ) -> CodeOutcome:
        """Judge raw source (CLI rows with `program`). Never raises: our own failures come back as
        a masked sandbox_error verdict."""
        language = language or str(problem.meta.get("language", self.language))
        try:
            tests = problem.tests
            extra = problem.meta.get("challenge_tests")
            if (
                self.challenge_tests
                and isinstance(tests, list)
                and isinstance(extra, list)
                and extra
            ):
                tests = tests + extra
            kind, cases, entry = parse_tests(
                tests, problem.meta.get("kind"), problem.meta.get("entry_point")
            )
            checker = CheckerSpec.from_config(problem.meta.get("checker"))
            limits = self._limits(problem.meta.get("limits"))
            program = Program(source, language)
            if kind == "function" and language != "python":
                raise ValueError(f"function tests need Python, not {language}")
        except Exception as exc:  # noqa: BLE001 - a problem we cannot read is ours: masked
            return _infra(f"problem {problem.id!r}: {type(exc).__name__}: {exc}")
        prefix = (
            code_prefix if isinstance(code_prefix := problem.meta.get("code_prefix"), str) else ""
        )
        key = hashlib.sha256(json.dumps([program.digest, kind, entry, tests, checker.__dict__,
                                         limits.key, self.reward, prefix],
                                        default=repr).encode()).hexdigest()
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        try:
            outcome = self._judge(program, kind, cases, entry, checker, limits, prefix)
        except Exception as exc:  # our bug or a dead sandbox: mask, never punish
            return _infra(f"{type(exc).__name__}: {exc}")
        if not outcome.verdict.infra_error and self.cache_size:
            with self._lock:
                self._cache[key] = outcome
                while len(self._cache) > self.cache_size:
                    self._cache.popitem(last=False)
        return outcome

    # -- judging -------------------------------------------------------------------------------
    def _judge(self, program: Program, kind: str, cases: list[Case], entry: str | None,
               checker: CheckerSpec, limits: Limits, prefix: str) -> CodeOutcome:
        n = len(cases)
        if program.language == "python" and (err := _syntax_error(program.source)):
            return CodeOutcome(Verdict(0.0, "compile_error", err), ("compile_error",) * n)
        nonces = [secrets.token_hex(16) for _ in cases]  # one per execution: none proves another
        if kind == "stdio":
            stdio = [c for c in cases if isinstance(c, StdioCase)]
            assert len(stdio) == n  # parse_tests: kind "stdio" holds StdioCase only
            stdins = [c.input.encode("utf-8", "surrogatepass") for c in stdio]
        else:
            program = Program(f"{_DRIVER}\nmain({program.source!r}, {entry!r})\n")
            stdins = [_call_request(c, nonce, prefix) for c, nonce in zip(cases, nonces)]
        sandbox = self._get_sandbox()
        statuses: list[str] = []
        if self.reward == "binary" and program.language == "python":
            results: list[RunResult] = []
            for i, stdin in enumerate(stdins):  # early exit: nothing after the first failure runs
                results += sandbox.run(program, [stdin], limits)
                statuses.append(self._status(cases[i], results[-1], nonces[i], checker, limits))
                if statuses[-1] != "pass":
                    break
        else:  # one request: compiled once; with binary, stop at the first failing execution
            results = sandbox.run(program, stdins, limits, stop_on_error=self.reward == "binary")
            for i, res in enumerate(results):
                statuses.append(self._status(cases[i], res, nonces[i], checker, limits))
                if self.reward == "binary" and statuses[-1] != "pass":
                    break
        statuses += ["skipped"] * (n - len(statuses))
        return _outcome(statuses, results, self.reward)

    def _status(
        self, case: Case, res: RunResult, nonce: str, checker: CheckerSpec, limits: Limits
    ) -> str:
        if res.status is Status.SANDBOX_ERROR:
            return "sandbox_error"
        if res.status is not Status.OK:
            return res.status.value if res.status.value in _FAILURES else "runtime_error"
        if isinstance(case, StdioCase):
            if checker.type != "python":  # lines, float_tokens or a benchmark judge's rule
                return (
                    "pass" if output_matches(checker, case.output, res.stdout) else "failed_tests"
                )
            return self._python_check(case, res.stdout, checker, limits)
        report = result_line(res.stdout, nonce)
        if report is None:  # exited before the tests finished (sys.exit, os._exit, ...)
            return "failed_tests"
        if "infra" in report:  # the driver could not make the boundary hold: never run, masked
            return "ungradable:driver_setup"
        if "ungradable" in report:
            code = str(report["ungradable"])
            return f"ungradable:{code}" if code in UNGRADABLE else "sandbox_error"
        if "raised" in report:  # a failing assert is a wrong answer; anything else a crash
            return "failed_tests" if report["raised"] == "AssertionError" else "runtime_error"
        if isinstance(case, AssertCase):
            return "pass" if report.get("passed") is True else "failed_tests"
        try:
            value = decode(report["value"])
        except (KeyError, ValueError, TypeError, OverflowError, RecursionError):
            return "failed_tests"  # unencodable (always-equal objects, subclasses) or malformed
        return "pass" if call_passed(case, value) else "failed_tests"

    def _python_check(
        self, case: StdioCase, stdout: bytes, checker: CheckerSpec, limits: Limits
    ) -> str:
        """Trusted checker, in its own sandboxed process: the candidate never shares it."""
        nonce = secrets.token_hex(16)
        request = _driver_stdin({"mode": "check", "checker": checker.source, "input": case.input,
                                 "output": stdout.decode("utf-8", "replace"),
                                 "answer": case.output}, nonce)
        program = Program(f"{_DRIVER}\nmain(None, None)\n")
        check_limits = replace(limits, cpu_s=max(limits.cpu_s, 5.0), wall_s=None)
        res = self._get_sandbox().run(program, [request], check_limits)[0]
        if res.status is Status.SANDBOX_ERROR:
            return "sandbox_error"
        report = result_line(res.stdout, nonce) if res.ok else None
        # A checker that fails on the candidate's output rejects it: masking would reward attacks.
        return "pass" if report and report.get("value") == ["b", 1] else "failed_tests"

    def _limits(self, config: Any) -> Limits:
        if config is None:
            return self.limits
        if not isinstance(config, dict) or set(config) - set(_LIMIT_KEYS):
            raise ValueError(
                f"limits={config!r} is not allowed; use a mapping with keys {_LIMIT_KEYS}"
            )
        fields = {
            "cpu_s": config.get("time_s"), "memory_mb": config.get("memory_mb"),
            "stdout_bytes": int(config["output_mb"] * (1 << 20)) if "output_mb" in config else None,
        }
        return replace(self.limits, **{k: v for k, v in fields.items() if v is not None})

    def _get_sandbox(self) -> Sandbox:
        with self._lock:
            if self._sandbox is None:
                from sandboxes.local import LocalSandbox

                self._sandbox = LocalSandbox()
            return self._sandbox

    def close(self) -> None:
        if self._owns_sandbox and self._sandbox is not None:
            self._sandbox.close()
            self._sandbox = None


def _syntax_error(source: str) -> str | None:
    try:
        parse_python(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        return f"{type(exc).__name__}: {getattr(exc, 'msg', exc)}"[:200]
    return None


def _driver_stdin(request: dict[str, Any], nonce: str) -> bytes:
    """The framing verifiers/code/driver.py reads: length, JSON request, then the nonce."""
    data = json.dumps(request).encode()
    return b"%010d" % len(data) + data + nonce.encode()


def _call_request(case: Case, nonce: str, prefix: str) -> bytes:
    if isinstance(case, CallCase):
        return _driver_stdin({"mode": "call", "args": case.args}, nonce)
    assert isinstance(case, AssertCase)  # parse_tests: function tests are calls or asserts
    return _driver_stdin({"mode": "assert", "test": case.source, "prefix": prefix}, nonce)


def _infra(detail: str) -> CodeOutcome:
    return CodeOutcome(Verdict(0.0, "sandbox_error", detail[:300], infra_error=True))


def _outcome(statuses: list[str], results: list[RunResult], reward: str) -> CodeOutcome:
    n = len(statuses)
    ungradable = [s for s in statuses if s.startswith("ungradable:")]
    if ungradable:  # our limitation, not the program's fault: masked, never 0 and never 1
        i = statuses.index(ungradable[0])
        return CodeOutcome(
            Verdict(
                0.0, "ungradable", f"test #{i}: {ungradable[0].split(':', 1)[1]}", infra_error=True
            ),
            tuple(statuses),
        )
    if "sandbox_error" in statuses:
        i = statuses.index("sandbox_error")
        return _infra(f"test #{i}: {results[i].detail if i < len(results) else 'checker'}")
    passed = statuses.count("pass")
    if passed == n:
        return CodeOutcome(Verdict(1.0, "correct", f"{n}/{n} tests passed"), tuple(statuses))
    i = next(k for k, s in enumerate(statuses) if s not in ("pass", "skipped"))
    note = results[i].detail if i < len(results) and results[i].detail else ""
    score = passed / n if reward == "ratio" else 0.0
    detail = f"{passed}/{n} tests passed; first failure #{i}: {statuses[i]}" + (
        f" ({note})" if note else ""
    )
    return CodeOutcome(Verdict(score, statuses[i], detail), tuple(statuses))
