"""Benchmark rows in their upstream schemas (GSM8K, MATH, DeepScaleR, AIME/AMC, HumanEval, MBPP,
CodeContests, APPS, LiveCodeBench) -> `Problem`s the verifiers grade, with every row whose gold
or tests cannot be checked reported and dropped; it reads local files and maps columns, but never
downloads, never grades a completion and never unpickles anything.

A loader returns the problems *and* the rejects (row number, id, reason): one bad row in a
benchmark of thousands is a fact to report, not a reason to stop, and silently dropping it would
change the denominator of every accuracy computed on top.

Ids: the upstream id column where there is one (`task_id`, `unique_id`, `name`, ...); otherwise
the 0-based row index as text ("0", "1", ...), the convention of HF datasets and lm-eval's doc_id.
`meta["language"]` is only ever the programming language (CodeTestsVerifier reads it): set to
"python" for function tests, left out for stdio tests so the verifier's own language applies.
"""

from __future__ import annotations

import ast
import base64
import gzip
import json
import pickletools
import sys
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from verifiers.base import Problem
from verifiers.code_cases import parse_tests
from verifiers.extract import boxes, split_sections

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
            "code_prefix": prompt}
    if isinstance(row.get("canonical_solution"), str):
        meta["solution"] = prompt + row["canonical_solution"]
    return Problem(_id(row, "task_id"), prompt, tests=humaneval_tests(_text(row, "test")), meta=meta)


def _mbpp(row: Mapping, index: int) -> Problem:
    tests = row.get("test_list")
    if not (isinstance(tests, list) and tests and all(isinstance(t, str) for t in tests)):
        raise ValueError("column 'test_list' must be a non-empty list of assert strings")
    # The full config has test_setup_code, the sanitized one test_imports: both run before each test.
    setup = row.get("test_setup_code") or "\n".join(row.get("test_imports") or [])
    if setup.strip():
        tests = [f"{setup.strip()}\n{t}" for t in tests]
    meta: dict[str, Any] = {"source": "mbpp", "kind": "function", "language": "python"}
    if isinstance(row.get("code"), str):
        meta["solution"] = row["code"]
    return Problem(_id(row, "task_id"), _text(row, "text", "prompt"), tests=list(tests), meta=meta)


def _codecontests(row: Mapping, index: int) -> Problem:
    tests: list[dict] = []
    for key in ("public_tests", "private_tests", "generated_tests"):
        group = row.get(key)
        if group is None:
            continue
        if not isinstance(group, Mapping):
            raise ValueError(f"column {key!r} must be {{'input': [...], 'output': [...]}}")
        tests += _stdio_pairs(group.get("input"), group.get("output"), key)
    meta: dict[str, Any] = {"source": "codecontests", "kind": "stdio"}
    limits = {}
    tl = row.get("time_limit")
    if isinstance(tl, Mapping) and (tl.get("seconds") or tl.get("nanos")):
        limits["time_s"] = float(tl.get("seconds") or 0) + float(tl.get("nanos") or 0) / 1e9
    if isinstance(row.get("memory_limit_bytes"), int) and row["memory_limit_bytes"] > 0:
        limits["memory_mb"] = row["memory_limit_bytes"] // (1 << 20)
    if limits:
        meta["limits"] = limits
    if row.get("difficulty") is not None:
        meta["difficulty"] = row["difficulty"]
    return Problem(_id(row, "name"), _text(row, "description"), tests=tests, meta=meta)


def _apps(row: Mapping, index: int) -> Problem:
    io = row.get("input_output")
    io = _json(io, "input_output") if io not in (None, "") else None
    if not isinstance(io, Mapping) or not io.get("inputs"):
        raise ValueError("column 'input_output' has no test cases")
    if io.get("fn_name"):
        raise ValueError(f"call-based tests (fn_name={io['fn_name']!r}) are not supported; stdin/stdout rows only")
    meta: dict[str, Any] = {"source": "apps", "kind": "stdio"}
    if row.get("difficulty") is not None:
        meta["difficulty"] = row["difficulty"]
    tests = _stdio_pairs(io.get("inputs"), io.get("outputs"), "input_output")
    return Problem(_id(row, "problem_id"), _text(row, "question"), tests=tests, meta=meta)


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
    meta: dict[str, Any] = {"source": "livecodebench", "kind": "stdio"}
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
    "apps": ("code", "problem_id", _apps),
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
    from verifiers.math.shapes import shape_mark
    from verifiers.math_answer import MathAnswerVerifier

    verifier = verifier or MathAnswerVerifier()
    verdict = verifier(completion=f"\\boxed{{{problem.answer}}}", problem=Problem(problem.id, "", problem.answer))
    if verdict.score == 1.0:
        return None
    mark = shape_mark(str(problem.answer))  # counted by kind in the loaders' one-line summary
    if verdict.reason == "gold_unparseable":
        return f"gold cannot be checked: {verdict.detail} {mark}"
    return f"gold {problem.answer!r} does not grade as correct against itself ({verdict.reason}: {verdict.detail}) {mark}"


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
# Completions of benchmarks whose model outputs are raw code
# --------------------------------------------------------------------------------------------


def assemble_program(problem: Problem, completion: str) -> str | None:
    """The program a benchmark-style completion stands for: the last ```python block of the graded
    region, or the raw graded text when there is no fence (HumanEval samples are bare
    continuations). With a `code_prefix` (HumanEval's prompt): if the code defines the entry point
    itself, the prefix goes first so its imports and helpers exist and the candidate's definition
    wins; otherwise the code continues the prefix, exactly as the HumanEval harness concatenates.
    None when nothing is graded (an unclosed <think>)."""
    from verifiers.code_tests import extract_program

    language = str(problem.meta.get("language", "python"))
    code = extract_program(completion, language) if language in ("python", "cpp") else None
    if code is None:
        code = split_sections(completion).graded
        if code is None or not code.strip():
            return None
    return prefixed(problem, code)


def prefixed(problem: Problem, code: str) -> str:
    """`code` behind the problem's trusted `code_prefix` (HumanEval's prompt: imports, signature,
    docstring), or `code` itself when there is none. CodeTestsVerifier applies it to every
    extracted program, so a fenced full definition that omits the prompt's imports still runs."""
    prefix, entry = problem.meta.get("code_prefix"), problem.meta.get("entry_point")
    if not isinstance(prefix, str):
        return code
    return prefix + "\n\n" + code if _defines(code, entry) else prefix + code


def _defines(code: str, name: Any) -> bool:
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return any(isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and n.name == name
               for n in tree.body)
