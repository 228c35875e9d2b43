"""The grader CLI end to end: real files, real verifier, real exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from verifiers.cli import main

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "math_samples.jsonl"


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _row(i: int, completion: str, answer: str = "5") -> str:
    return json.dumps({"id": f"r{i}", "completion": completion, "answer": answer})


def test_grades_rows_and_writes_reward_reason_detail(tmp_path, capsys):
    src = _write(tmp_path / "in.jsonl",
                 [_row(1, r"\boxed{5}"), _row(2, r"\boxed{6}"), _row(3, "no box")])
    out = tmp_path / "out.jsonl"
    assert main(["grade", "--task", "math", "-i", str(src), "-o", str(out), "--no-progress"]) == 0
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [(r["id"], r["reward"], r["reason"]) for r in rows] == [
        ("r1", 1.0, "correct"), ("r2", 0.0, "wrong_answer"), ("r3", 0.0, "no_answer")]
    assert all(r["answer"] == "5" and r["detail"] for r in rows)  # input fields are kept
    printed = capsys.readouterr().out
    assert "accuracy 0.3333" in printed and "wrong_answer" in printed


def test_malformed_lines_are_reported_with_line_numbers_and_the_rest_is_graded(tmp_path, capsys):
    lines = [_row(1, r"\boxed{5}"), "{not json", _row(3, r"\boxed{5}"), json.dumps([1, 2]),
             json.dumps({"id": "x", "completion": r"\boxed{5}"}),
             json.dumps({"id": "y", "completion": 7, "answer": "7"}),
             "", _row(8, r"\boxed{4}")]
    src = _write(tmp_path / "in.jsonl", lines)
    out = tmp_path / "out.jsonl"
    assert main(["grade", "-i", str(src), "-o", str(out), "--json", "--no-progress"]) == 0
    captured = capsys.readouterr()
    summary = json.loads(captured.out)
    assert summary["graded"] == 3 and summary["skipped_lines"] == 4
    assert [e["line"] for e in summary["errors"]] == [2, 4, 5, 6]
    assert "in.jsonl:5: skipped: missing field 'answer'" in captured.err
    assert [json.loads(line)["id"] for line in out.read_text().splitlines()] == ["r1", "r3", "r8"]


def test_numeric_gold_in_json_is_graded_as_text_of_the_number(tmp_path, capsys):
    src = _write(tmp_path / "in.jsonl",
                 [json.dumps({"id": 1, "completion": r"\boxed{0.5}", "answer": 0.5})])
    assert main(["grade", "-i", str(src), "--json", "--no-progress"]) == 0
    assert json.loads(capsys.readouterr().out)["accuracy"] == 1.0


@pytest.mark.parametrize("gold", [
    pytest.param("NaN", id="json-NaN"), pytest.param("Infinity", id="json-Infinity"),
    pytest.param("[1, NaN]", id="NaN-inside-a-list"),
])
def test_an_unreadable_gold_is_a_masked_row_not_a_zero(tmp_path, capsys, gold):
    """A pandas missing value written as JSON NaN says nothing about the answer: masked."""
    lines = [
        '{"id": "nan", "completion": "\\\\boxed{5}", "answer": ' + gold + "}",
        _row(2, r"\boxed{5}"),
        # the attack: answering "NaN" to a missing gold earned 1.0 when the gold was the text "NaN"
        '{"id": "echo", "completion": "<answer>' + gold + '</answer>", "answer": ' + gold + "}",
    ]
    out = tmp_path / "out.jsonl"
    assert main(["grade", "-i", str(_write(tmp_path / "in.jsonl", lines)), "-o", str(out), "--json",
                 "--no-progress"]) == 0
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [(r["reward"], r["reason"], r.get("masked", False)) for r in rows] == [
        (None, "gold_unparseable", True), (1.0, "correct", False), (None, "gold_unparseable", True)]
    summary = json.loads(capsys.readouterr().out)
    assert summary["accuracy"] == 1.0 and summary["masked"] == 2


def test_custom_field_names_and_lenient_mode(tmp_path, capsys):
    src = _write(tmp_path / "in.jsonl",
                 [json.dumps({"qid": "a", "output": "The answer is 12.", "gold": "12"})])
    args = ["grade", "-i", str(src), "--id-field", "qid", "--completion-field", "output",
            "--answer-field", "gold", "--json", "--no-progress"]
    assert main(args) == 0
    # strict: no tags, no box
    assert json.loads(capsys.readouterr().out)["reasons"] == {"no_answer": 1}
    assert main([*args, "--mode", "lenient"]) == 0
    assert json.loads(capsys.readouterr().out)["reasons"] == {"correct": 1}


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["-i", "does-not-exist.jsonl"], "cannot read input"),
        (["-i", "{src}", "-o", "{tmp}/no/such/dir/out.jsonl"], "output directory"),
        (["-i", "{src}", "--workers", "0"], "--workers 0 is not allowed"),
        (["-i", "{src}", "--fail-under", "3"], "--fail-under 3.0 is not allowed"),
        (["-i", "{empty}"], "no gradable rows"),
    ],
    ids=["missing-input", "missing-output-dir", "zero-workers", "bad-fail-under", "no-rows"],
)
def test_usage_errors_exit_2_with_one_clear_line(tmp_path, capsys, argv, message):
    src = _write(tmp_path / "in.jsonl", [_row(1, r"\boxed{5}")])
    empty = _write(tmp_path / "empty.jsonl", ["{broken"])
    argv = [a.format(src=src, tmp=tmp_path, empty=empty) for a in argv]
    assert main(["grade", *argv, "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_fail_under_exits_1_only_when_accuracy_is_below(tmp_path, capsys):
    src = _write(tmp_path / "in.jsonl", [_row(1, r"\boxed{5}"), _row(2, r"\boxed{4}")])
    assert main(["grade", "-i", str(src), "--fail-under", "0.5", "--no-progress"]) == 0
    assert main(["grade", "-i", str(src), "--fail-under", "0.6", "--no-progress"]) == 1
    assert "below --fail-under 0.6" in capsys.readouterr().err


def test_failed_run_leaves_an_existing_output_untouched(tmp_path):
    out = tmp_path / "out.jsonl"
    out.write_text("previous\n")
    empty = _write(tmp_path / "empty.jsonl", ["{broken"])
    assert main(["grade", "-i", str(empty), "-o", str(out), "--no-progress"]) == 2
    assert out.read_text() == "previous\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".verity-")] == []


def test_workers_give_the_same_results_as_one_worker(tmp_path, capsys):
    lines = [_row(i, rf"\boxed{{{i % 7}}}") for i in range(40)]
    src = _write(tmp_path / "in.jsonl", lines)
    outs = []
    for workers in ("1", "2"):
        out = tmp_path / f"out{workers}.jsonl"
        assert main(["grade", "-i", str(src), "-o", str(out), "--workers", workers,
                     "--no-progress"]) == 0
        outs.append(out.read_text())
    assert outs[0] == outs[1]
    assert sum(json.loads(line)["reward"] for line in outs[0].splitlines()) == len(
        [i for i in range(40) if i % 7 == 5]
    )


def test_python_dash_m_and_the_shipped_example(tmp_path):
    out = tmp_path / "graded.jsonl"
    proc = subprocess.run([sys.executable, "-m", "verifiers", "grade", "--task", "math", "-i",
                           str(EXAMPLE), "-o", str(out), "--json"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)
    assert (
        summary["graded"] == len(EXAMPLE.read_text().splitlines()) and summary["skipped_lines"] == 0
    )
    graded = {json.loads(line)["id"]: json.loads(line) for line in out.read_text().splitlines()}
    # echo of the question
    assert graded["math-1"]["reward"] == 1.0 and graded["math-2"]["reward"] == 0.0
    assert graded["math-14"]["reason"] == "no_answer"  # boxed only inside <think>


def test_several_rewards_give_per_reward_scores_means_and_reasons(tmp_path, capsys):
    good = "<think>Two and three make five.</think>\n<answer>5</answer>"
    chinese = "<think>二加三等于五。</think>\n<answer>5</answer>"
    rows = [json.dumps({"id": "a", "completion": good, "answer": "5", "language": "en"}),
            json.dumps({"id": "b", "completion": r"\boxed{5}", "answer": "5", "language": "en"}),
            json.dumps({"id": "c", "completion": chinese, "answer": "5", "language": "en"})]
    src = _write(tmp_path / "in.jsonl", rows)
    out = tmp_path / "out.jsonl"
    argv = ["grade", "-i", str(src), "-o", str(out), "--rewards",
            "correct,format=0.5,language=0.25", "--json", "--no-progress"]
    assert main(argv) == 0
    graded = {json.loads(line)["id"]: json.loads(line) for line in out.read_text().splitlines()}
    assert graded["a"]["rewards"] == {"correct": 1.0, "format": 1.0, "language": 1.0}
    assert graded["a"]["reward"] == 1.75
    assert graded["b"]["rewards"]["correct"] == 1.0 and graded["b"]["rewards"]["format"] == 0.0
    assert graded["c"]["rewards"]["language"] == 0.0 and graded["c"]["reasons"]["format"] == "ok"
    summary = json.loads(capsys.readouterr().out)
    assert summary["by_reward"]["correct"]["mean"] == 1.0
    assert summary["by_reward"]["format"]["mean"] == 2 / 3
    assert set(summary["by_reward"]) == {"correct", "format", "language"}


def test_gate_and_unknown_reward_names(tmp_path, capsys):
    src = _write(tmp_path / "in.jsonl", [_row(1, r"\boxed{5}")])
    assert main(["grade", "-i", str(src), "--rewards", "correct,format", "--gate", "format",
                 "--json", "--no-progress"]) == 0
    assert json.loads(capsys.readouterr().out)["accuracy"] == 0.0  # no tags: the gate stays shut
    assert main(["grade", "-i", str(src), "--rewards", "correct,bogus", "--no-progress"]) == 2
    assert "'bogus' is not allowed" in capsys.readouterr().err


def test_code_task_runs_programs_in_the_local_sandbox_and_reports_test_statuses(tmp_path, capsys):
    rows = [
        {"id": "fn", "completion": "```python\ndef add(a, b):\n    return a + b\n```",
         "kind": "function", "entry_point": "add",
         "tests": ["assert add(1, 2) == 3", "assert add(-1, 1) == 0"]},
        {"id": "half", "program": "def add(a, b):\n    return a - b\n", "entry_point": "add",
         "tests": ["assert add(1, 2) == 3", "assert add(0, 0) == 0"]},
        {"id": "stdio", "program": "print(int(input()) * 2)",
         "tests": [{"input": "2\n", "output": "4\n"}, {"input": "5\n", "output": "10\n"}]},
        {"id": "exit0", "program": "import sys; sys.exit(0)",
         "tests": [{"input": "2\n", "output": "4\n"}]},
        {"id": "no-tests", "program": "print(1)"},
    ]
    src = _write(tmp_path / "in.jsonl", [json.dumps(r) for r in rows])
    out = tmp_path / "out.jsonl"
    assert main(["grade", "--task", "code", "-i", str(src), "-o", str(out), "--no-progress"]) == 0
    graded = {json.loads(line)["id"]: json.loads(line) for line in out.read_text().splitlines()}
    assert "no-tests" not in graded and "missing field 'tests'" in capsys.readouterr().err
    assert graded["fn"]["reward"] == 1.0 and graded["fn"]["test_statuses"] == ["pass", "pass"]
    assert graded["half"]["reward"] == 0.5 and graded["half"]["test_statuses"][1] == "pass"
    assert graded["stdio"]["reward"] == 1.0
    assert graded["exit0"]["reward"] == 0.0  # exit status 0 proves nothing
    assert main(["grade", "--task", "code", "-i", str(src), "--reward", "binary", "--json",
                 "--no-progress"]) == 0
    # fn and stdio pass all; half and exit0 fail
    assert json.loads(capsys.readouterr().out)["accuracy"] == 0.5


# -- benchmark layouts (--format) ------------------------------------------------------------------

SOURCES = Path(__file__).resolve().parent / "data" / "sources"


def _upstream(fmt: str) -> list[dict]:
    return [json.loads(line) for line in (SOURCES / f"{fmt}.jsonl").read_text().splitlines()]


def test_humaneval_samples_joined_to_the_problem_file_by_task_id(tmp_path, capsys):
    # HumanEval's own layout: the benchmark file as shipped, samples {task_id, completion}.
    he = {r["task_id"]: r for r in _upstream("humaneval")}
    fenced = "Sure:\n```python\ndef add(x: int, y: int):\n    return x + y\n```"
    samples = [
        json.dumps(
            {"task_id": "HumanEval/0", "completion": he["HumanEval/0"]["canonical_solution"]}
        ),
        json.dumps({"task_id": "HumanEval/0", "completion": "    return False\n"}),
        json.dumps({"task_id": "HumanEval/53", "completion": fenced}),
        "{broken",
        json.dumps({"task_id": "HumanEval/bad", "completion": "    pass\n"}),
        json.dumps({"task_id": "HumanEval/999", "completion": "    pass\n"}),
        json.dumps({"completion": "    pass\n"}),
    ]
    src = _write(tmp_path / "samples.jsonl", samples)
    out = tmp_path / "graded.jsonl"
    argv = ["grade", "--format", "humaneval", "--problems", str(SOURCES / "humaneval.jsonl"), "-i",
            str(src), "-o", str(out), "--json", "--no-progress"]
    assert main(argv) == 0
    captured = capsys.readouterr()
    summary = json.loads(captured.out)
    graded = [json.loads(line) for line in out.read_text().splitlines()]
    assert [(r["task_id"], r["reward"]) for r in graded] == [
        # binary by default: pass@1
        ("HumanEval/0", 1.0), ("HumanEval/0", 0.0), ("HumanEval/53", 1.0)]
    assert summary["accuracy"] == pytest.approx(2 / 3) and summary["rejected_problems"] == 1
    assert [e["line"] for e in summary["errors"]] == [4, 5, 6, 7]
    assert "humaneval.jsonl:4: rejected problem 'HumanEval/bad'" in captured.err
    assert "samples.jsonl:5: skipped: problem 'HumanEval/bad' was rejected" in captured.err
    assert "samples.jsonl:6: skipped: problem 'HumanEval/999' is not in" in captured.err
    assert "missing field 'task_id'" in captured.err
    assert "1 of 3 problems" in captured.err  # HumanEval/32 has no sample


def test_upstream_rows_with_a_completion_field_grade_inline(tmp_path, capsys):
    outputs = ["The answer is 6.", "#### 1200", "The answer is 3.", "The answer is 1."]
    rows = [json.dumps({**row, "output": text}) for row, text in zip(_upstream("gsm8k"), outputs)]
    src = _write(tmp_path / "gsm8k.jsonl", rows)
    argv = ["grade", "--format", "gsm8k", "-i", str(src), "--completion-field", "output", "--mode",
            "lenient", "--json", "--no-progress"]
    assert main(argv) == 0
    captured = capsys.readouterr()
    summary = json.loads(captured.out)
    assert (summary["graded"], summary["accuracy"]) == (2, 1.0)
    assert "gsm8k.jsonl:3: skipped: not a gsm8k row: column 'answer' has no '####'" in captured.err
    assert "gsm8k.jsonl:4: skipped: gold cannot be checked" in captured.err


@pytest.mark.parametrize("fmt, pid, right, wrong", [
    ("mbpp", 902, "def sorted_unique(xs):\n    return sorted(set(xs))\n",
     "def sorted_unique(xs):\n    return xs\n"),
    ("codecontests", "9999_B. Reverse", "```python\nprint(input()[::-1])\n```",
     "```python\nprint(input())\n```"),
    ("apps", 5001, "print(2 * int(input()))", "print(8)"),
    ("livecodebench", "abc999_a", "print(max(map(int, input().split())))", "print(5)"),
])
def test_code_benchmark_rows_grade_bare_or_fenced_code(tmp_path, capsys, fmt, pid, right, wrong):
    id_key = {"mbpp": "task_id", "codecontests": "name", "apps": "problem_id",
              "livecodebench": "question_id"}[fmt]
    row = next(r for r in _upstream(fmt) if r[id_key] == pid)
    src = _write(tmp_path / "in.jsonl",
                 [json.dumps({**row, "completion": c}) for c in (right, wrong)])
    out = tmp_path / "out.jsonl"
    assert main(["grade", "--format", fmt, "-i", str(src), "-o", str(out), "--no-progress"]) == 0
    assert [json.loads(line)["reward"] for line in out.read_text().splitlines()] == [1.0, 0.0]


@pytest.mark.parametrize(("argv", "message"), [
    (["--problems", "x.jsonl"], "--problems needs --format"),
    (["--format", "humaneval", "--task", "math"], "--task math does not match --format humaneval"),
    (["--format", "mbpp", "--problems", "missing.jsonl"], "cannot read --problems"),
], ids=["problems-without-format", "task-mismatch", "missing-problems"])
def test_format_usage_errors_exit_2(tmp_path, capsys, argv, message):
    src = _write(tmp_path / "in.jsonl", [json.dumps({"task_id": 1, "completion": "x"})])
    assert main(["grade", "-i", str(src), *argv, "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_help_documents_the_benchmark_layouts():
    from verifiers.cli.grade import build_parser

    grade = build_parser()._subparsers._group_actions[0].choices["grade"]
    text = grade.format_help()
    assert (
        "--problems HumanEval.jsonl.gz -i samples.jsonl" in text and "{task_id, completion}" in text
    )


_BURN = "import time\nt = time.process_time()\nwhile time.process_time() - t < {s}: pass\n"


@pytest.mark.slow
@pytest.mark.parametrize("fmt, pid, program", [
    ("codecontests", "9999_A. Sum of Two", "a, b = map(int, input().split())\nprint(a + b)"),
    ("mbpp", 901, "def square(n):\n    return n * n"),
])
def test_time_limit_flags_reach_every_benchmark(tmp_path, capsys, fmt, pid, program):
    id_key = {"mbpp": "task_id", "codecontests": "name"}[fmt]
    row = next(r for r in _upstream(fmt) if r[id_key] == pid)
    # 0.6 s of CPU before the answer: inside every default limit
    slow = _BURN.format(s=0.6) + program
    src = _write(tmp_path / "in.jsonl",
                 [json.dumps({**row, "completion": f"```python\n{slow}\n```"})])

    def reason(*flags: str) -> str:
        out = tmp_path / "out.jsonl"
        assert main(["grade", "--format", fmt, "-i", str(src), "-o", str(out), "--no-progress",
                     *flags]) == 0
        return json.loads(out.read_text())["reason"]

    assert reason() == "correct"
    assert reason("--time-limit-s", "0.3") == "time_limit"
    assert reason("--time-limit-s", "0.3", "--time-multiplier", "4") == "correct"


@pytest.mark.parametrize("flag, value", [("--time-limit-s", "0"), ("--memory-mb", "-5"),
                                         ("--time-multiplier", "nan"),
                                         ("--time-multiplier", "inf")])
def test_bad_limit_flags_exit_2_naming_the_flag(tmp_path, capsys, flag, value):
    src = _write(tmp_path / "in.jsonl", [json.dumps({"task_id": 1, "completion": "x"})])
    assert main(["grade", "--format", "mbpp", "-i", str(src), flag, value, "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert f"{flag} " in err and "is not allowed" in err and "Traceback" not in err


# --- hostile input lines: each costs its own line, never the file (issue 11 item 10) ------------

_DEEP = 200_000
HOSTILE_LINES = [
    pytest.param("[" * _DEEP + "]" * _DEEP, id="array-nested-200000-deep"),
    pytest.param('{"a":' * _DEEP + "1" + "}" * _DEEP, id="object-nested-200000-deep"),
    pytest.param('{"id": "d", "completion": "x", "answer": "5", "meta": '
                 + "[" * 990 + "]" * 990 + "}",
                 id="nested-just-under-the-recursion-limit"),
    pytest.param('{"id": "h", "completion": "x", "answer": 1' + "0" * 5000 + "}",
                 id="integer-over-4300-digits"),
    pytest.param('{"id": "n", "completion": "\\\\boxed{5}", "answer": NaN}', id="nan-gold"),
    pytest.param('{"id": {"nested": [1]}, "completion": 5, "answer": "5"}', id="wrong-types"),
    pytest.param('{"id": "s\\ud800", "completion": "\\\\boxed{5}\\udfff", "answer": "5"}',
                 id="lone-surrogates"),
    pytest.param('"just a string"', id="top-level-string"),
    pytest.param("\x00\x01{", id="control-bytes"),
]


def _layout(tmp_path: Path, kind: str, hostile: str) -> tuple[list[str], Path]:
    """A hostile line between two good rows, in each of the three input layouts."""
    gsm = _upstream("gsm8k")[:2]
    if kind == "plain":
        return ["-i", str(_write(tmp_path / "in.jsonl", [_row(1, r"\boxed{5}"), hostile,
                                                         _row(3, r"\boxed{4}")]))], tmp_path
    if kind == "format":
        good = [json.dumps({**gsm[0], "completion": r"\boxed{6}"}),
                json.dumps({**gsm[1], "completion": r"\boxed{5}"})]
        return ["--format", "gsm8k", "-i",
                str(_write(tmp_path / "in.jsonl", [good[0], hostile, good[1]]))], tmp_path
    problems = _write(tmp_path / "gsm8k.jsonl", [json.dumps(r) for r in gsm])
    rows = [json.dumps({"id": 0, "completion": r"\boxed{6}"}), hostile,
            json.dumps({"id": 1, "completion": r"\boxed{5}"})]
    return ["--format", "gsm8k", "--problems", str(problems), "-i",
            str(_write(tmp_path / "in.jsonl", rows))], tmp_path


@pytest.mark.parametrize("kind", ["plain", "format", "problems"])
@pytest.mark.parametrize("hostile", HOSTILE_LINES)
def test_a_hostile_line_costs_only_itself(tmp_path, capsys, kind, hostile):
    argv, _ = _layout(tmp_path, kind, hostile)
    out = tmp_path / "out.jsonl"
    assert main(["grade", *argv, "-o", str(out), "--json", "--no-progress"]) == 0
    summary = json.loads(capsys.readouterr().out)
    graded = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    # The good rows (lines 1 and 3) come first and last, graded with their own rewards.
    first, last = (r"\boxed{5}", r"\boxed{4}") if kind == "plain" else (r"\boxed{6}", r"\boxed{5}")
    assert [(graded[0]["completion"], graded[0]["reward"]),
            (graded[-1]["completion"], graded[-1]["reward"])] == [(first, 1.0), (last, 0.0)]
    # The hostile line is either reported by number or graded; never lost, never fatal.
    assert summary["graded"] + summary["skipped_lines"] == 3
    assert [e["line"] for e in summary["errors"]] in ([], [2])
    assert len(graded) == summary["graded"]


def test_a_line_too_deep_to_parse_is_reported_by_number(tmp_path, capsys):
    argv, _ = _layout(tmp_path, "plain", "[" * _DEEP + "]" * _DEEP)
    assert main(["grade", *argv, "--no-progress"]) == 0
    err = capsys.readouterr().err
    assert "in.jsonl:2: skipped: cannot be parsed (RecursionError" in err
