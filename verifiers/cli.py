"""The standalone grader: `verity grade` (== `python -m verifiers grade`) reads JSONL rows, grades
each with a task's verifier and writes the rows back with reward, reason and detail. It holds no
grading logic of its own: tasks are factories of verifiers.

Exit codes: 0 success, 2 usage or input errors (a missing file, no gradable row), 1 only when
`--fail-under` is not met. A malformed line is reported with its line number and skipped; every
other line is graded and the output file is replaced atomically at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from verifiers.base import Problem, Verdict, Verifier

EXIT_OK, EXIT_FAIL_UNDER, EXIT_USAGE = 0, 1, 2


def _math(args: argparse.Namespace) -> Verifier:
    from verifiers.math_answer import MathAnswerVerifier

    return MathAnswerVerifier(mode=args.mode, rel_tol=args.rel_tol, deadline_s=args.deadline_s, workers=args.workers)


# A task is a name for a verifier factory; choosing a task never changes the loop below.
TASKS: dict[str, Callable[[argparse.Namespace], Verifier]] = {"math": _math}


class UsageError(Exception):
    """Bad flags or unreadable input: reported in one line, exit code 2."""


@dataclass(frozen=True)
class Row:
    line: int
    data: dict
    problem: Problem
    completion: str


def read_rows(path: str, args: argparse.Namespace) -> tuple[list[Row], list[tuple[int, str]]]:
    """Every gradable row, and (line number, message) for each line that is not."""
    rows, errors = [], []
    try:
        handle = sys.stdin if path == "-" else open(path, encoding="utf-8", errors="replace")  # noqa: SIM115
    except OSError as exc:
        raise UsageError(f"cannot read input {path!r}: {exc.strerror}; pass an existing JSONL file with -i") from exc
    with handle:
        for n, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
            except json.JSONDecodeError as exc:
                errors.append((n, f"not valid JSON ({exc.msg} at column {exc.colno})"))
                continue
            if not isinstance(data, dict):
                errors.append((n, f"expected a JSON object, got {type(data).__name__}"))
                continue
            missing = [f for f in (args.completion_field, args.answer_field) if data.get(f) is None]
            if missing:
                errors.append((n, f"missing field {missing[0]!r} (rename it or pass --{'completion' if missing[0] == args.completion_field else 'answer'}-field)"))
                continue
            completion = data[args.completion_field]
            if not isinstance(completion, str):
                errors.append((n, f"field {args.completion_field!r} must be a string, got {type(completion).__name__}"))
                continue
            answer = data[args.answer_field]
            problem = Problem(
                id=str(data.get(args.id_field, f"line-{n}")),
                question=str(data.get(args.question_field) or ""),
                answer=answer if isinstance(answer, str) else json.dumps(answer),
                tests=data.get("tests"),
                meta={k: v for k, v in data.items() if k not in (args.completion_field, args.answer_field)},
            )
            rows.append(Row(n, data, problem, completion))
    return rows, errors


def grade(rows: list[Row], verifier: Verifier, workers: int, progress: bool) -> list[Verdict]:
    from tqdm import tqdm

    def one(row: Row) -> Verdict:
        try:
            return verifier(completion=row.completion, problem=row.problem)
        except Exception as exc:  # noqa: BLE001 - a verifier bug masks the row, never kills the run
            return Verdict(0.0, "verifier_error", f"{type(exc).__name__}: {exc}"[:200], infra_error=True)

    with ThreadPoolExecutor(max_workers=workers) as ex:
        it = ex.map(one, rows)
        return list(tqdm(it, total=len(rows), desc="grading", unit="row", file=sys.stderr,
                         disable=None if progress else True))


def write_atomic(path: str, rows: list[Row], verdicts: list[Verdict]) -> None:
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise UsageError(f"output directory {directory!r} does not exist; create it or pick another -o path")
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".verity-", suffix=".jsonl")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            for row, v in zip(rows, verdicts):
                out.write(json.dumps({**row.data, "reward": v.score, "reason": v.reason, "detail": v.detail},
                                     ensure_ascii=False) + "\n")
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def summarize(rows: list[Row], verdicts: list[Verdict], errors: list[tuple[int, str]], seconds: float) -> dict:
    reasons = Counter(v.reason for v in verdicts)
    scored = [v.score for v in verdicts if not v.infra_error]
    return {
        "graded": len(verdicts),
        "skipped_lines": len(errors),
        "masked": sum(v.infra_error for v in verdicts),
        "accuracy": sum(scored) / len(scored) if scored else 0.0,
        "reasons": dict(reasons.most_common()),
        "errors": [{"line": n, "error": msg} for n, msg in errors],
        "seconds": round(seconds, 3),
    }


def print_summary(summary: dict, out=None) -> None:
    out = out or sys.stdout
    print(f"graded {summary['graded']} rows in {summary['seconds']:.1f} s"
          f" ({summary['skipped_lines']} malformed lines skipped, {summary['masked']} masked)", file=out)
    print(f"accuracy {summary['accuracy']:.4f} (masked rows excluded)", file=out)
    width = max((len(r) for r in summary["reasons"]), default=6)
    for reason, count in summary["reasons"].items():
        share = count / summary["graded"] if summary["graded"] else 0.0
        print(f"  {reason:<{width}}  {count:>7}  {share:6.1%}", file=out)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="verity", description="Verity: rule-based verifiable rewards")
    sub = p.add_subparsers(dest="command", required=True)
    g = sub.add_parser("grade", help="grade a JSONL file of completions",
                       description="Grade JSONL rows {id, completion, answer}; writes rows + reward, reason, detail.")
    g.add_argument("--task", choices=sorted(TASKS), default="math", help="which verifier grades the rows")
    g.add_argument("-i", "--input", required=True, help="input JSONL file ('-' for stdin)")
    g.add_argument("-o", "--output", help="output JSONL file (written atomically); omit to only summarise")
    g.add_argument("--mode", choices=["strict", "lenient"], default="strict",
                   help="strict: answer tags or \\boxed only (RL); lenient: also 'The answer is X' (evaluation)")
    g.add_argument("--workers", type=int, default=1, help="parallel worker processes (default 1)")
    g.add_argument("--deadline-s", type=float, default=2.0, help="hard wall-clock limit per row (default 2)")
    g.add_argument("--rel-tol", type=float, default=1e-6, help="relative tolerance of a decimal vs an exact value")
    g.add_argument("--fail-under", type=float, help="exit 1 if accuracy is below this value (0..1)")
    g.add_argument("--json", action="store_true", help="print the summary as JSON")
    g.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    g.add_argument("--id-field", default="id")
    g.add_argument("--completion-field", default="completion")
    g.add_argument("--answer-field", default="answer")
    g.add_argument("--question-field", default="question")
    return p


def run_grade(args: argparse.Namespace) -> int:
    if args.workers < 1:
        raise UsageError(f"--workers {args.workers} is not allowed; use 1 or more")
    if args.fail_under is not None and not 0 <= args.fail_under <= 1:
        raise UsageError(f"--fail-under {args.fail_under} is not allowed; use a value in [0, 1]")
    try:
        verifier = TASKS[args.task](args)
    except ValueError as exc:
        raise UsageError(str(exc)) from exc
    start = time.perf_counter()
    rows, errors = read_rows(args.input, args)
    for n, msg in errors:
        print(f"{args.input}:{n}: skipped: {msg}", file=sys.stderr)
    if not rows:
        raise UsageError(f"no gradable rows in {args.input!r} ({len(errors)} malformed lines)")
    if args.output:  # fail on a bad output path before grading, not after
        write_atomic(args.output, [], [])
    verdicts = grade(rows, verifier, args.workers, progress=not args.no_progress)
    if args.output:
        write_atomic(args.output, rows, verdicts)
    summary = summarize(rows, verdicts, errors, time.perf_counter() - start)
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        print_summary(summary)
    if args.fail_under is not None and summary["accuracy"] < args.fail_under:
        print(f"accuracy {summary['accuracy']:.4f} is below --fail-under {args.fail_under}", file=sys.stderr)
        return EXIT_FAIL_UNDER
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return run_grade(args)
    except UsageError as exc:
        print(f"verity grade: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
