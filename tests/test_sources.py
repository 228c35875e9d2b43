"""verifiers.benchmarks on rows shipped in each benchmark's exact upstream schema
(tests/data/sources/<format>.jsonl): ids, golds, tests, rejects, and real grading of a right and a
wrong completion through the real verifiers."""

from __future__ import annotations

import base64
import gzip
import json
import os
import pickle
import sys
import zlib
from pathlib import Path

import pytest

from verifiers.base import Problem
from verifiers.benchmarks import (
    FORMATS,
    HARNESS_TIME_S,
    PYTHON_TIME_MULTIPLIER,
    LimitPolicy,
    Reject,
    assemble_program,
    humaneval_tests,
    iter_rows,
    load,
    map_rows,
    task_of,
    to_problem,
    with_limits,
)
from verifiers.code.cases import AssertCase, CallCase, parse_tests

DATA = Path(__file__).resolve().parent / "data" / "sources"

# format -> (ids kept, golds kept or None for code, {rejected line: words of the reason})
EXPECTED = {
    "gsm8k": (["0", "1"], ["6", "1200"], {3: "no '####'", 4: "gold cannot be checked"}),
    "math": (
        ["test/prealgebra/101.json", "test/algebra/202.json", "test/algebra/303.json"],
        ["\\frac{1}{2}", "7", "2\\sqrt{2}"],
        {4: "no \\boxed{}", 5: "gold cannot be checked"},
    ),
    "deepscaler": (["0", "1"], ["6", "x^2+2x+1"], {3: "no 'answer' column"}),
    "aime": (["60", "2024-I-2", "0"], ["24", "25", "142"], {4: "'answer' is missing"}),
    "olympiadbench": (
        ["3001", "3002", "3003"], ["8", "(4, 1), (3, 2)", "s \\sqrt{2}"], {4: "'final_answer'"},
    ),
    "humaneval": (["HumanEval/0", "HumanEval/32", "HumanEval/53"], None, {4: "check(candidate)"}),
    "mbpp": (["901", "902", "903"], None, {4: "not valid Python"}),
    "codecontests": (
        ["9999_A. Sum of Two", "9999_B. Reverse"],
        None,
        {3: "2 inputs but 1 outputs"},
    ),
    "apps": (["5001", "5002"], None, {3: "call-based", 4: "no test cases"}),
    "taco": (["0", "1"], None, {3: "call-based", 4: "no test cases"}),
    "livecodebench": (
        ["abc999_a", "abc999_b"],
        None,
        {3: "'functional'", 4: "refusing to unpickle"},
    ),
}


def test_every_format_has_shipped_rows():
    assert sorted(EXPECTED) == sorted(FORMATS)
    assert all((DATA / f"{fmt}.jsonl").is_file() for fmt in FORMATS)


@pytest.mark.parametrize("fmt", sorted(EXPECTED))
def test_shipped_rows_map_to_problems_and_bad_rows_are_rejected_with_a_reason(fmt):
    ids, golds, rejected = EXPECTED[fmt]
    loaded = load(str(DATA / f"{fmt}.jsonl"), fmt)
    assert [p.id for p in loaded.problems] == ids
    assert {r.line: r.reason for r in loaded.rejects}.keys() == rejected.keys()
    for r in loaded.rejects:
        assert rejected[r.line] in r.reason, r
    assert len(loaded.problems) + len(loaded.rejects) == len(
        (DATA / f"{fmt}.jsonl").read_text().splitlines()
    )
    for p in loaded.problems:
        assert p.question.strip() and p.meta["source"] == fmt
        assert loaded.lines[p.id] >= 1
        if task_of(fmt) == "math":
            assert p.tests is None
        else:
            kind, cases, entry = parse_tests(p.tests, p.meta["kind"], p.meta.get("entry_point"))
            assert cases and kind == p.meta["kind"]
            # language is the *programming* language: pinned for function tests only.
            assert p.meta.get("language") == ("python" if kind == "function" else None)
            assert kind == "stdio" or entry == p.meta["entry_point"]
    if golds is not None:
        assert [p.answer for p in loaded.problems] == golds


def test_index_ids_and_reject_ids_follow_the_row_number():
    rejects = load(str(DATA / "gsm8k.jsonl"), "gsm8k").rejects
    assert [(r.line, r.id) for r in rejects] == [(3, "2"), (4, "3")]


# -- real grading: a right and a wrong completion per family --------------------------------------


@pytest.fixture(scope="module")
def math_verifier():
    from verifiers.math.verifier import MathAnswerVerifier

    return MathAnswerVerifier()


@pytest.fixture(scope="module")
def code_verifier():
    from verifiers.code.verifier import CodeTestsVerifier

    v = CodeTestsVerifier(reward="binary")
    yield v
    v.close()


def _problem(fmt: str, pid: str) -> Problem:
    return next(p for p in load(str(DATA / f"{fmt}.jsonl"), fmt).problems if p.id == pid)


@pytest.mark.parametrize(
    "fmt, pid, right, wrong",
    [
        pytest.param("gsm8k", "1", "so \\boxed{1200}", "\\boxed{1,300}", id="gsm8k-commas"),
        pytest.param("math", "test/algebra/303.json", "\\boxed{2\\sqrt2}", "\\boxed{\\sqrt{6}}",
                     id="math-boxed-fallback"),
        pytest.param("aime", "0", "<answer>142</answer>", "<answer>141</answer>",
                     id="amc-float-gold"),
        pytest.param("olympiadbench", "3002", "\\boxed{(3, 2), (4, 1)}", "\\boxed{(4, 1)}",
                     id="olympiad-answer-list"),
        pytest.param("olympiadbench", "3003", "\\boxed{\\sqrt{2} s}", "\\boxed{2s}",
                     id="olympiad-context-expression"),
    ],
)
def test_math_rows_grade_right_one_and_wrong_zero(math_verifier, fmt, pid, right, wrong):
    p = _problem(fmt, pid)
    assert math_verifier(completion=right, problem=p).score == 1.0
    assert math_verifier(completion=wrong, problem=p).score == 0.0


def _fenced(code: str) -> str:
    return f"<think>easy</think>\n```python\n{code}\n```"


@pytest.mark.parametrize(
    "fmt, pid, right, wrong",
    [
        pytest.param("mbpp", "901", "def square(n):\n    return n * n",
                     "def square(n):\n    return n + n", id="mbpp"),
        pytest.param("mbpp", "903",
                     "import math\ndef hypotenuse(a, b):\n    return math.hypot(a, b)",
                     "def hypotenuse(a, b):\n    return a + b", id="mbpp-setup-code"),
        pytest.param("codecontests", "9999_A. Sum of Two",
                     "a, b = map(int, input().split())\nprint(a + b)",
                     "a, b = map(int, input().split())\nprint(a - b)", id="codecontests"),
        pytest.param("apps", "5002", "print(int(input()) * int(input()))", "print(12)",
                     id="apps-line-lists"),
        pytest.param("taco", "1", "a = sorted(map(int, input().split()))\nprint(a[1])\nprint(a[0])",
                     "a = sorted(map(int, input().split()))\nprint(a[1], a[0])",
                     id="taco-line-layout"),
        pytest.param("livecodebench", "abc999_b", "print(sum(c in 'aeiou' for c in input()))",
                     "print(2)", id="livecodebench-compressed-private"),
        pytest.param("humaneval", "HumanEval/53", "def add(x: int, y: int):\n    return x + y",
                     "def add(x: int, y: int):\n    return x + y + (x == 0)",
                     id="humaneval-whole-check"),
    ],
)
def test_code_rows_grade_right_one_and_wrong_zero(code_verifier, fmt, pid, right, wrong):
    p = _problem(fmt, pid)
    assert code_verifier(completion=_fenced(right), problem=p).score == 1.0
    wrong_verdict = code_verifier(completion=_fenced(wrong), problem=p)
    assert (wrong_verdict.score, wrong_verdict.reason) == (0.0, "failed_tests")


@pytest.mark.parametrize("fmt", ["humaneval", "mbpp"])
def test_reference_solutions_shipped_upstream_pass(code_verifier, fmt):
    for p in load(str(DATA / f"{fmt}.jsonl"), fmt).problems:
        assert (
            code_verifier.evaluate_program(source=p.meta["solution"], problem=p).verdict.score
            == 1.0
        ), p.id


# -- format details ------------------------------------------------------------------------------


def test_codecontests_keeps_all_test_groups_and_upstream_limits():
    a, b = load(str(DATA / "codecontests.jsonl"), "codecontests").problems
    assert len(a.tests) == 4 and a.tests[0] == {"input": "1 2\n", "output": "3\n"}
    assert (
        a.meta["judge_limits"] == {"time_s": 2.0, "memory_mb": 244}
        and b.meta["judge_limits"]["time_s"] == 1.5
    )
    # The Python limits are the judge's times one documented multiplier; memory as written.
    assert a.meta["limits"] == {"time_s": 2.0 * PYTHON_TIME_MULTIPLIER, "memory_mb": 244}
    assert b.meta["limits"]["time_s"] == 1.5 * PYTHON_TIME_MULTIPLIER
    assert a.meta["checker"] == {"type": "codecontests"}


def test_livecodebench_private_cases_are_decoded_without_unpickling(tmp_path):
    class Boom:
        def __reduce__(self):
            return (os.mkdir, (str(tmp_path / "executed"),))

    blob = base64.b64encode(zlib.compress(pickle.dumps(Boom()))).decode()
    row = {
        "question_id": "x",
        "question_content": "q",
        "private_test_cases": blob,
        "public_test_cases": json.dumps([{"input": "1\n", "output": "1\n", "testtype": "stdin"}]),
    }
    with pytest.raises(ValueError, match="refusing to unpickle"):
        to_problem(row, "livecodebench")
    assert not (tmp_path / "executed").exists()
    assert len(_problem("livecodebench", "abc999_b").tests) == 3


def test_humaneval_check_becomes_data_cases_when_it_is_only_asserts():
    test = ("METADATA = {'author': 'x'}\n\ndef check(candidate):\n    assert candidate(2) == 4\n"
            "    assert True, 'debugging aid'\n    assert abs(candidate(1.5) - 2.25) < 1e-6\n")
    tests = humaneval_tests(test)
    assert tests == ["assert candidate(2) == 4", "assert abs(candidate(1.5) - 2.25) < 1e-06"]
    _, cases, _ = parse_tests(tests, "function", "sq")
    assert all(isinstance(c, CallCase) for c in cases)
    looped = "def check(candidate):\n    for x in range(3):\n        assert candidate(x) == x * x\n"
    (whole,) = humaneval_tests(looped)
    assert whole.endswith("check(candidate)\n")
    assert isinstance(parse_tests([whole], "function", "sq")[1][0], AssertCase)


def test_assemble_program_continuation_full_function_and_unclosed_think():
    p = _problem("humaneval", "HumanEval/53")
    prompt = p.meta["code_prefix"]
    assert assemble_program(p, "    return x + y\n") == prompt + "    return x + y\n"
    full = "def add(x, y):\n    return x + y\n"
    assert assemble_program(p, f"```python\n{full}```") == prompt + "\n\n" + full
    assert assemble_program(p, "<think>still thinking") is None
    mbpp = _problem("mbpp", "901")
    assert assemble_program(mbpp, "def square(n): return n * n") == "def square(n): return n * n"


def test_map_rows_takes_in_memory_rows_reports_duplicates_and_can_skip_gold_checks():
    rows = [{"question": "q", "answer": "#### 5"}, {"question": "q", "answer": "#### ???"}]
    loaded = map_rows(enumerate(rows, start=1), "gsm8k", check_golds=False)
    assert [p.answer for p in loaded.problems] == ["5", "???"] and loaded.rejects == []
    dup = [{"task_id": 1, "text": "t", "test_list": ["assert f(1) == 1"]}] * 2
    loaded = map_rows(enumerate(dup, start=1), "mbpp")
    assert [p.id for p in loaded.problems] == ["1"]
    assert loaded.rejects == [Reject(2, "1", "duplicate id (first on row 1)")]


def test_rows_of_the_wrong_shape_are_rejects_not_exceptions():
    rows = [["not", "a", "mapping"], {"task_id": 1, "text": "t", "test_list": ["assert f(1) == 1"],
                                      "test_setup_code": ["a list"]},
            {"task_id": "HumanEval/x", "prompt": "def f():\n", "entry_point": "f",
             "test": "def check(candidate):\n    assert True\n"}]
    reasons = [r.reason for r in map_rows(enumerate(rows[:2], start=1), "mbpp").rejects]
    assert (
        reasons[0].startswith("a mbpp row must be a mapping")
        and "does not follow the mbpp schema" in reasons[1]
    )
    (reject,) = map_rows([(1, rows[2])], "humaneval").rejects
    assert "never uses candidate" in reject.reason


def test_unknown_format_names_the_allowed_ones():
    with pytest.raises(ValueError, match=r"format='nope' is not allowed; use one of \('gsm8k'"):
        load(str(DATA / "gsm8k.jsonl"), "nope")


# -- reading files ---------------------------------------------------------------------------------


def test_malformed_lines_are_rejects_with_their_line_number(tmp_path):
    good = (DATA / "gsm8k.jsonl").read_text().splitlines()[0]
    path = tmp_path / "rows.jsonl"
    path.write_text(
        "\n".join([good, "{broken", "", "[1]", good.replace("####", "#### 7 +")]) + "\n"
    )
    loaded = load(str(path), "gsm8k")
    assert [p.id for p in loaded.problems] == ["0", "4"]
    assert [(r.line, r.reason.split(" (")[0]) for r in loaded.rejects] == [
        (2, "not valid JSON"), (4, "expected a JSON object, got list")]


def test_gzip_and_parquet_files_read_like_jsonl(tmp_path):
    rows = [json.loads(line) for line in (DATA / "mbpp.jsonl").read_text().splitlines()]
    gz = tmp_path / "mbpp.jsonl.gz"
    with gzip.open(gz, "wt", encoding="utf-8") as f:
        f.write("".join(json.dumps(r) + "\n" for r in rows))
    assert [p.id for p in load(str(gz), "mbpp").problems] == ["901", "902", "903"]
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    pq.write_table(pa.Table.from_pylist(rows), tmp_path / "mbpp.parquet")
    loaded = load(str(tmp_path / "mbpp.parquet"), "mbpp")
    assert [p.id for p in loaded.problems] == ["901", "902", "903"] and loaded.rejects[0].line == 4


def test_parquet_without_pyarrow_names_the_install(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    with pytest.raises(ImportError, match="pip install pyarrow"):
        list(iter_rows(str(tmp_path / "x.parquet")))


# -- limits --------------------------------------------------------------------------------------


def test_taco_limits_are_read_from_its_text_columns_and_missing_ones_fall_back_to_its_harness():
    triple, lines = load(str(DATA / "taco.jsonl"), "taco").problems
    assert triple.meta["judge_limits"] == {"time_s": 1.0, "memory_mb": 256}
    assert triple.meta["limits"] == {"time_s": PYTHON_TIME_MULTIPLIER, "memory_mb": 256}
    assert lines.meta["judge_limits"] == {"time_s": 2.5}  # memory_limit "None"
    row = json.loads((DATA / "taco.jsonl").read_text().splitlines()[0])
    for text in (None, "", "None", "fast", "-1 seconds", "0 seconds"):
        assert (
            to_problem({**row, "time_limit": text}, "taco").meta["limits"]["time_s"]
            == HARNESS_TIME_S["taco"]
        )
    assert (
        to_problem({**row, "memory_limit": "1 gigabytes"}, "taco").meta["limits"]["memory_mb"]
        == 1024
    )


@pytest.mark.parametrize("fmt, pid, time_s", [
    pytest.param("apps", "5001", 4.0, id="apps-harness-timeout"),
    pytest.param("livecodebench", "abc999_a", 6.0, id="livecodebench-harness-timeout"),
    pytest.param("mbpp", "901", 3.0, id="mbpp-code-eval-timeout"),
    pytest.param("humaneval", "HumanEval/0", 3.0, id="humaneval-harness-timeout"),
])
def test_rows_without_limits_get_their_harness_timeout(fmt, pid, time_s):
    assert _problem(fmt, pid).meta["limits"] == {"time_s": time_s}


def test_limit_policy_overrides_then_scales_and_rejects_nonsense():
    cc = _problem("codecontests", "9999_A. Sum of Two")
    assert with_limits(cc, LimitPolicy()) is cc
    assert with_limits(cc, LimitPolicy(time_multiplier=1.5)).meta["limits"] == {
        "time_s": 6.0,
        "memory_mb": 244,
    }
    assert with_limits(cc, LimitPolicy(time_s=1.0, memory_mb=64)).meta["limits"] == {
        "time_s": 1.0,
        "memory_mb": 64,
    }
    assert (
        with_limits(cc, LimitPolicy(time_s=1.0, time_multiplier=3)).meta["limits"]["time_s"] == 3.0
    )
    plain = Problem(
        "p", tests=[{"input": "", "output": "1"}]
    )  # no limits: the sandbox default is scaled
    assert with_limits(plain, LimitPolicy(time_multiplier=2)).meta["limits"] == {"time_s": 4.0}
    gsm = _problem("gsm8k", "0")
    assert with_limits(gsm, LimitPolicy(time_s=1)) is gsm
    for bad in (
        {"time_s": 0},
        {"time_s": float("nan")},
        {"memory_mb": 1.5},
        {"time_multiplier": -1},
        {"time_s": True},
    ):
        with pytest.raises(ValueError, match="is not allowed"):
            LimitPolicy(**bad)


def test_codecontests_rows_that_read_named_files_are_rejected_with_the_reason():
    row = json.loads((DATA / "codecontests.jsonl").read_text().splitlines()[0])
    with pytest.raises(ValueError, match="'input_file' is 'input.txt'"):
        to_problem({**row, "input_file": "input.txt"}, "codecontests")


@pytest.mark.parametrize("fmt", ["codecontests", "apps", "taco", "livecodebench"])
def test_the_contest_sample_in_bench_loads_whole_with_its_judge(fmt):
    path = Path(__file__).resolve().parent.parent / "bench" / "data" / "contest" / f"{fmt}.jsonl"
    loaded = load(str(path), fmt)
    assert loaded.rejects == [] and len(loaded.problems) >= 24
    assert {p.meta["checker"]["type"] for p in loaded.problems} == {fmt}
    assert all(p.meta["limits"]["time_s"] > 0 and len(p.tests) == 5 for p in loaded.problems)


_JUDGED = {"input": "3\n", "output": "YES\n0.5\n"}


def _judged_row(fmt: str) -> dict:
    """One problem whose answer is `YES` then `0.5`, in each contest format's schema."""
    io = json.dumps({"inputs": [_JUDGED["input"]], "outputs": [_JUDGED["output"]]})
    return {
        "codecontests": {
            "name": "1_A. Judge",
            "description": "d",
            "public_tests": {"input": [_JUDGED["input"]], "output": [_JUDGED["output"]]},
            "time_limit": {"seconds": 1, "nanos": 0},
            "memory_limit_bytes": 256 << 20,
        },
        "apps": {"problem_id": 1, "question": "q", "input_output": io},
        "taco": {
            "question": "q",
            "input_output": io,
            "time_limit": "1 second",
            "memory_limit": "256 megabytes",
        },
        "livecodebench": {
            "question_id": "abc1_a",
            "question_content": "q",
            "public_test_cases": json.dumps([{**_JUDGED, "testtype": "stdin"}]),
        },
    }[fmt]


# printed -> which judges accept it (each judge's documented rule, through the real verifier)
@pytest.mark.parametrize(
    "printed, accepted_by",
    [
        pytest.param("YES\\n0.5", {"codecontests", "apps", "taco", "livecodebench"}, id="exact"),
        pytest.param("yes\\n0.5", {"codecontests"}, id="case-folded-only-by-codecontests"),
        pytest.param("YES 0.5", {"codecontests"}, id="one-line-only-codecontests"),
        pytest.param("YES\\n0.5000000000", {"codecontests", "apps", "livecodebench"},
                     id="digits-not-taco"),
        pytest.param("YES  \\n0.5  \\n\\n", {"codecontests", "apps", "livecodebench"},
                     id="trailing-spaces-not-taco"),
        pytest.param("YES\\n0.500001", {"codecontests", "apps"},
                     id="within-tolerance-not-lcb-exact"),
        pytest.param("YES\\n0.51", set(), id="wrong-float"),
        pytest.param("NO\\n0.5", set(), id="wrong-word"),
    ],
)
def test_each_contest_format_grades_by_its_judges_rule(code_verifier, printed, accepted_by):
    for fmt in ("codecontests", "apps", "taco", "livecodebench"):
        problem = to_problem(_judged_row(fmt), fmt)
        score = code_verifier.evaluate_program(
            source=f"print('{printed}')", problem=problem
        ).verdict.score
        assert score == (1.0 if fmt in accepted_by else 0.0), fmt
