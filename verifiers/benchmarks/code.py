"""Code benchmark rows (HumanEval, MBPP, CodeContests, APPS, TACO, LiveCodeBench) -> `Problem`s
with their tests as data; it maps columns, but never runs a test and never unpickles anything
(LiveCodeBench's pickled test blobs are read with pickletools, opcodes only).

`meta["language"]` is only ever the programming language (CodeTestsVerifier reads it): set to
"python" for function tests, left out for stdio tests so the verifier's own language applies.
Contest rows also carry how their benchmark judges: `meta["checker"]` names the judge's output
rule (verifiers.code.checkers cites each judge's source) and `meta["limits"]` the per-test
limits for a Python program (verifiers.benchmarks.limits).
"""

from __future__ import annotations

import ast
import base64
import pickletools
import re
import zlib
from collections.abc import Callable, Mapping
from typing import Any

from verifiers.base import Problem
from verifiers.benchmarks.limits import _MB_PER_UNIT, _TACO_MEMORY, _TACO_TIME, _code_limits
from verifiers.benchmarks.rows import _id, _json, _stdio_pairs, _text
from verifiers.code.cases import parse_tests
from verifiers.code.program import parse_python

_MAX_DECOMPRESSED_BYTES = 1 << 30  # LiveCodeBench's largest private test blobs are ~100 MB


# --------------------------------------------------------------------------------------------
# Code
# --------------------------------------------------------------------------------------------


def humaneval_tests(test: str) -> list[str]:
    """HumanEval's `check(candidate)` as test snippets. When its body is only asserts (and the
    module around it only METADATA), each assert is one snippet, so `assert candidate(x) == y`
    becomes a data case whose expected value never enters the sandbox; anything else (loops,
    helpers, imports, random inputs) is kept whole as one residual assert: the module plus
    `check(candidate)`, run against the candidate in the sandbox and proven by a nonce."""
    try:
        tree = parse_python(test)
    except SyntaxError as exc:
        raise ValueError(f"column 'test' is not valid Python: {exc.msg}") from None
    checks = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "check"]
    if len(checks) != 1 or len(checks[0].args.args) != 1:
        raise ValueError("column 'test' must define exactly one check(candidate)")
    check = checks[0]
    others = [n for n in tree.body if n is not check and not _is_metadata(n)]
    body = [
        n
        for n in check.body
        if not (isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant))
        and not isinstance(n, ast.Pass)
    ]
    if (
        not others
        and check.args.args[0].arg == "candidate"
        and body
        and all(isinstance(n, ast.Assert) for n in body)
    ):
        # `assert True, "..."` lines test nothing; kept, they would pay a `pass` body partial reward
        kept = [
            ast.unparse(n)
            for n in body
            if isinstance(n, ast.Assert) and not isinstance(n.test, ast.Constant)
        ]
        if kept:
            return kept
    arg = check.args.args[0].arg
    if not any(isinstance(n, ast.Name) and n.id == arg for n in ast.walk(check)):
        raise ValueError("check(candidate) never uses candidate: it would pass any program")
    return [test.strip() + "\n\ncheck(candidate)\n"]


def _is_metadata(node: ast.stmt) -> bool:
    return (
        isinstance(node, ast.Assign)
        and len(node.targets) == 1
        and isinstance(node.targets[0], ast.Name)
        and node.targets[0].id == "METADATA"
    )


def _humaneval(row: Mapping[str, Any], index: int) -> Problem:
    prompt, entry = _text(row, "prompt"), _text(row, "entry_point")
    meta = {"source": "humaneval", "kind": "function", "language": "python", "entry_point": entry,
            "code_prefix": prompt, **_code_limits("humaneval", None, None)}
    if isinstance(row.get("canonical_solution"), str):
        meta["solution"] = prompt + row["canonical_solution"]
    return Problem(
        _id(row, "task_id"), prompt, tests=humaneval_tests(_text(row, "test")), meta=meta
    )


def _mbpp(row: Mapping[str, Any], index: int) -> Problem:
    tests = row.get("test_list")
    if not (isinstance(tests, list) and tests and all(isinstance(t, str) for t in tests)):
        raise ValueError("column 'test_list' must be a non-empty list of assert strings")
    # test_setup_code (the full config) or test_imports (the sanitized one) runs before each test.
    setup = row.get("test_setup_code") or "\n".join(row.get("test_imports") or [])
    challenge = row.get("challenge_test_list") or []
    if not (isinstance(challenge, list) and all(isinstance(t, str) for t in challenge)):
        raise ValueError("column 'challenge_test_list' must be a list of assert strings")
    if setup.strip():
        tests = [f"{setup.strip()}\n{t}" for t in tests]
        challenge = [f"{setup.strip()}\n{t}" for t in challenge]
    meta: dict[str, Any] = {"source": "mbpp", "kind": "function", "language": "python",
                            **_code_limits("mbpp", None, None)}
    if isinstance(row.get("code"), str):
        meta["solution"] = row["code"]
        entry = _mbpp_entry_point(row["code"], tests)
        if entry:
            meta["entry_point"] = entry
    if challenge:  # graded only by a verifier asked to (CodeTestsVerifier(challenge_tests=True))
        try:
            parse_tests(challenge, "function", meta.get("entry_point"))
        except ValueError as exc:
            raise ValueError(f"column 'challenge_test_list': {exc}") from None
        meta["challenge_tests"] = list(challenge)
    return Problem(_id(row, "task_id"), _text(row, "text", "prompt"), tests=list(tests), meta=meta)


def _mbpp_entry_point(code: str, tests: list[str]) -> str | None:
    """The function the tests call that the reference solution defines at top level (named like
    a builtin, `sum`, included); None when the reference does not tell (the tests are guessed)."""
    try:
        body = parse_python(code).body
        trees = [parse_python(t) for t in tests]
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    # a function before a class
    for kinds in ((ast.FunctionDef, ast.AsyncFunctionDef), (ast.ClassDef,)):
        defined = {n.name for n in body if isinstance(n, kinds)}
        for tree in trees:
            own = {n.name for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
            for node in ast.walk(tree):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Name)
                    and node.func.id in defined - own
                ):
                    return node.func.id
    return None


def _codecontests(row: Mapping[str, Any], index: int) -> Problem:
    for key in ("input_file", "output_file"):
        if isinstance(row.get(key), str) and row[key].strip():
            raise ValueError(
                f"column {key!r} is {row[key]!r}: the program uses named files, not stdin/stdout"
            )
    tests: list[dict[str, Any]] = []
    for key in ("public_tests", "private_tests", "generated_tests"):
        group = row.get(key)
        if group is None:
            continue
        if not isinstance(group, Mapping):
            raise ValueError(f"column {key!r} must be {{'input': [...], 'output': [...]}}")
        tests += _stdio_pairs(group.get("input"), group.get("output"), key)
    # time_limit is a protobuf Duration {seconds, nanos}; memory_limit_bytes an int (0 = unset).
    tl = row.get("time_limit")
    time_s = None
    if isinstance(tl, Mapping) and (tl.get("seconds") or tl.get("nanos")):
        time_s = float(tl.get("seconds") or 0) + float(tl.get("nanos") or 0) / 1e9
    mem = row.get("memory_limit_bytes")
    memory_mb = (
        mem // (1 << 20)
        if isinstance(mem, int) and not isinstance(mem, bool) and mem >= 1 << 20
        else None
    )
    meta: dict[str, Any] = {
        "source": "codecontests", "kind": "stdio", "checker": {"type": "codecontests"},
        **_code_limits("codecontests", time_s, memory_mb),
    }
    if row.get("difficulty") is not None:
        meta["difficulty"] = row["difficulty"]
    return Problem(_id(row, "name"), _text(row, "description"), tests=tests, meta=meta)


def _apps_like(source: str, id_key: str | None) -> Callable[[Mapping[str, Any], int], Problem]:
    """APPS (problem_id, question, input_output as JSON text, ...) and TACO, which keeps APPS'
    `question` / `input_output` / `starter_code` / `solutions` and adds string columns such as
    `time_limit` ("1 second"), `memory_limit` ("256 megabytes"), `difficulty`, `tags`, `source`."""

    def mapper(row: Mapping[str, Any], index: int) -> Problem:
        io = row.get("input_output")
        io = _json(io, "input_output") if io not in (None, "") else None
        if not isinstance(io, Mapping) or not io.get("inputs"):
            raise ValueError("column 'input_output' has no test cases")
        if io.get("fn_name"):
            raise ValueError(
                f"call-based tests (fn_name={io['fn_name']!r}) are not supported; "
                "stdin/stdout rows only"
            )
        time_s = (
            _taco_amount(row.get("time_limit"), _TACO_TIME, "time_limit")
            if source == "taco"
            else None
        )
        memory_mb = (
            _taco_amount(row.get("memory_limit"), _TACO_MEMORY, "memory_limit")
            if source == "taco"
            else None
        )
        meta: dict[str, Any] = {
            "source": source, "kind": "stdio", "checker": {"type": source},
            **_code_limits(source, time_s, None if memory_mb is None else int(memory_mb)),
        }
        for key in ("difficulty", "url"):
            if row.get(key) is not None:
                meta[key] = row[key]
        tests = _stdio_pairs(io.get("inputs"), io.get("outputs"), "input_output")
        pid = _id(row, id_key) if id_key else str(index)
        return Problem(pid, _text(row, "question"), tests=tests, meta=meta)

    return mapper


def _taco_amount(value: Any, pattern: re.Pattern[str], key: str) -> float | None:
    """TACO's limits are free text ("2 seconds", "256 megabytes"); None, "", "None" or text we
    cannot read mean "no limit in the row" (the harness default applies), never a reject."""
    if not isinstance(value, str) or not (m := pattern.fullmatch(value)):
        return None
    amount = float(m.group(1))
    if pattern is _TACO_MEMORY:
        amount *= _MB_PER_UNIT[m.group(2)[0].lower()]
    return amount if amount > 0 else None


def _livecodebench(row: Mapping[str, Any], index: int) -> Problem:
    cases = _lcb_cases(row.get("public_test_cases"), "public_test_cases")
    if row.get("private_test_cases") not in (None, "", "[]"):
        cases += _lcb_cases(row["private_test_cases"], "private_test_cases")
    if not cases:
        raise ValueError("no test cases in public_test_cases/private_test_cases")
    types = {c.get("testtype") if isinstance(c, Mapping) else None for c in cases}
    if types != {"stdin"}:
        raise ValueError(
            f"test types {sorted(map(str, types))} are not supported; only 'stdin' "
            "(functional LeetCode cases call a Solution method, which our function tests cannot)"
        )
    tests = [{"input": c.get("input"), "output": c.get("output")} for c in cases]
    meta: dict[str, Any] = {
        "source": "livecodebench", "kind": "stdio", "checker": {"type": "livecodebench"},
        **_code_limits("livecodebench", None, None),
    }
    for key in ("difficulty", "platform", "contest_date"):
        if row.get(key) is not None:
            meta[key] = row[key]
    return Problem(_id(row, "question_id"), _text(row, "question_content"), tests=tests, meta=meta)


def _lcb_cases(value: Any, key: str) -> list[Any]:
    """LiveCodeBench stores cases as a JSON list, or (private ones) as base64(zlib(pickle(json
    text))). We never unpickle: the pickle's opcodes are walked without executing them, and only
    a pickle that is exactly one string constant is accepted."""
    if isinstance(value, str) and not value.lstrip().startswith("["):
        try:
            raw = zlib.decompressobj().decompress(
                base64.b64decode(value, validate=True), _MAX_DECOMPRESSED_BYTES
            )
        except (ValueError, zlib.error) as exc:
            raise ValueError(
                f"column {key!r} is neither a JSON list nor base64+zlib data ({exc})"
            ) from None
        value = _pickled_string(raw, key)
    cases = _json(value, key)
    if not isinstance(cases, list):
        raise ValueError(f"column {key!r} must be a list of test cases")
    return cases


def _pickled_string(data: bytes, key: str) -> str:
    found: list[str] = []
    try:
        for op, arg, _ in pickletools.genops(data):
            if op.name in ("PROTO", "FRAME", "MEMOIZE", "PUT", "BINPUT", "LONG_BINPUT", "STOP"):
                continue
            if (
                op.name in ("SHORT_BINUNICODE", "BINUNICODE", "BINUNICODE8", "UNICODE")
                and not found
            ):
                found.append(str(arg))  # these opcodes carry a str
                continue
            raise ValueError(f"pickle opcode {op.name}")
    except ValueError as exc:
        raise ValueError(
            f"column {key!r}: the pickle is not a plain string ({exc}); refusing to unpickle it"
        ) from None
    if not found:
        raise ValueError(f"column {key!r}: the pickle holds no string")
    return found[0]
