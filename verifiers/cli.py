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
from typing import TYPE_CHECKING

from verifiers.base import Problem, Verifier

if TYPE_CHECKING:
    from verifiers.rewards import RewardSet, Scored

EXIT_OK, EXIT_FAIL_UNDER, EXIT_USAGE = 0, 1, 2


def _math(args: argparse.Namespace) -> Verifier:
    from verifiers.math_answer import MathAnswerVerifier

    return MathAnswerVerifier(mode=args.mode, rel_tol=args.rel_tol, deadline_s=args.deadline_s, workers=args.workers)


def _code(args: argparse.Namespace) -> Verifier:
    from verifiers.code_tests import CodeTestsVerifier

    if args.sandbox == "docker":
        try:
            from sandboxes.docker import DockerSandbox
        except ImportError:
            raise ValueError("--sandbox docker: sandboxes.docker cannot be imported; use --sandbox local") from None
        try:
            sandbox = DockerSandbox()
        except (OSError, RuntimeError) as exc:  # no engine, no image, no SDK: say which
            raise ValueError(f"--sandbox docker cannot start: {exc}") from exc
    else:
        from sandboxes.local import LocalSandbox

        try:
            sandbox = LocalSandbox()
        except (OSError, RuntimeError) as exc:
            raise ValueError(f"--sandbox local cannot start on this host: {exc}") from exc
    return CodeTestsVerifier(sandbox, reward=args.reward)


def _test_statuses(verifier: Verifier, row: Row) -> dict:
    # The verifier caches by program + tests + limits, so this re-reads the run, it does not redo it.
    return {"test_statuses": list(verifier.evaluate(completion=row.completion, problem=row.problem).test_statuses)}


# Reward names whose verifier the CLI configures from its flags; other names in --rewards
# (format, language, ...) get their defaults from verifiers.adapters.NAMED_REWARDS.
CONFIGURED: dict[str, Callable[[argparse.Namespace], Verifier]] = {"correct": _math, "tests": _code}
# A task names its accuracy reward, the row fields it needs and any extra output per row;
# choosing a task never changes the loop below.
TASKS: dict[str, dict] = {
    "math": {"reward": "correct", "needs": ("answer",)},
    "code": {"reward": "tests", "needs": ("tests",), "annotate": _test_statuses},
}


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
            fields = {"completion": args.completion_field, "answer": args.answer_field}
            needed = [("completion", args.completion_field)] + [(k, fields.get(k, k)) for k in TASKS[args.task]["needs"]]
            if data.get(args.completion_field) is None and isinstance(data.get("program"), str):
                # A code row may carry raw source instead of a completion.
                lang = data.get("language") if data.get("language") in ("python", "cpp") else "python"
                data = {**data, args.completion_field: f"```{lang}\n{data['program']}\n```"}
            missing = [(k, f) for k, f in needed if data.get(f) is None]
            if missing:
                kind, name = missing[0]
                hint = f" (rename it or pass --{kind}-field)" if kind in fields else ""
                errors.append((n, f"missing field {name!r}{hint}"))
                continue
            completion = data[args.completion_field]
            if not isinstance(completion, str):
                errors.append((n, f"field {args.completion_field!r} must be a string, got {type(completion).__name__}"))
                continue
            answer = data.get(args.answer_field)
            problem = Problem(
                id=str(data.get(args.id_field, f"line-{n}")),
                question=str(data.get(args.question_field) or ""),
                answer=answer if isinstance(answer, str) or answer is None else json.dumps(answer),
                tests=data.get("tests"),
                meta={k: v for k, v in data.items() if k not in (args.completion_field, args.answer_field)},
            )
            rows.append(Row(n, data, problem, completion))
    return rows, errors


def grade(rows: list[Row], rewards: RewardSet, workers: int, progress: bool) -> list[Scored]:
    """Each row through every reward. Rows run on `workers` threads; the verifiers bound their own
    time (process pools, sandboxes), and a verifier that raises masks its row (RewardSet)."""
    from tqdm import tqdm

    def one(row: Row) -> Scored:
        return rewards.score(completion=row.completion, problem=row.problem)

    with ThreadPoolExecutor(max_workers=workers) as ex:
        it = ex.map(one, rows)
        return list(tqdm(it, total=len(rows), desc="grading", unit="row", file=sys.stderr,
                         disable=None if progress else True))


def output_row(row: Row, scored: Scored, extra: dict | None = None) -> dict:
    """The input row plus `reward` (null when masked), and `reason`/`detail` of the first reward;
    with several rewards also each one's score and reason under `rewards` / `reasons`."""
    first = next(iter(scored.verdicts.values()))
    out = {**row.data, "reward": None if scored.masked else scored.reward, "reason": first.reason, "detail": first.detail}
    if len(scored.verdicts) > 1:
        out["rewards"] = {name: v.score for name, v in scored.verdicts.items()}
        out["reasons"] = {name: v.reason for name, v in scored.verdicts.items()}
    if scored.masked:
        out["masked"] = True
    return {**out, **(extra or {})}


def check_output_dir(path: str) -> str:
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise UsageError(f"output directory {directory!r} does not exist; create it or pick another -o path")
    return directory


def write_atomic(path: str, rows: list[Row], results: list[Scored], extras: list[dict]) -> None:
    directory = check_output_dir(path)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".verity-", suffix=".jsonl")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            for row, scored, extra in zip(rows, results, extras):
                out.write(json.dumps(output_row(row, scored, extra), ensure_ascii=False) + "\n")
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def summarize(results: list[Scored], errors: list[tuple[int, str]], seconds: float) -> dict:
    """`accuracy` is the mean combined reward over unmasked rows (with one accuracy reward, the
    share correct); `by_reward` gives each reward's mean and reason histogram."""
    kept = [r.reward for r in results if not r.masked]
    by_reward = {}
    for name in results[0].verdicts if results else ():
        verdicts = [r.verdicts[name] for r in results]
        scores = [v.score for v in verdicts if not v.infra_error]
        by_reward[name] = {"mean": sum(scores) / len(scores) if scores else 0.0,
                           "reasons": dict(Counter(v.reason for v in verdicts).most_common())}
    return {
        "graded": len(results),
        "skipped_lines": len(errors),
        "masked": len(results) - len(kept),
        "accuracy": sum(kept) / len(kept) if kept else 0.0,
        "reasons": next(iter(by_reward.values()))["reasons"] if by_reward else {},
        "by_reward": by_reward,
        "errors": [{"line": n, "error": msg} for n, msg in errors],
        "seconds": round(seconds, 3),
    }


def print_summary(summary: dict, out=None) -> None:
    out = out or sys.stdout
    print(f"graded {summary['graded']} rows in {summary['seconds']:.1f} s"
          f" ({summary['skipped_lines']} malformed lines skipped, {summary['masked']} masked)", file=out)
    several = len(summary["by_reward"]) > 1
    print(f"{'mean reward' if several else 'accuracy'} {summary['accuracy']:.4f} (masked rows excluded)", file=out)
    for name, stats in summary["by_reward"].items():
        if several:
            print(f"reward {name}: mean {stats['mean']:.4f}", file=out)
        width = max((len(r) for r in stats["reasons"]), default=6)
        for reason, count in stats["reasons"].items():
            share = count / summary["graded"] if summary["graded"] else 0.0
            print(f"  {reason:<{width}}  {count:>7}  {share:6.1%}", file=out)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="verity", description="Verity: rule-based verifiable rewards")
    sub = p.add_subparsers(dest="command", required=True)
    g = sub.add_parser("grade", help="grade a JSONL file of completions",
                       description="Grade JSONL rows {id, completion, answer}; writes rows + reward, reason, detail.")
    g.add_argument("--task", choices=sorted(TASKS), default="math", help="which accuracy verifier grades the rows")
    g.add_argument("--rewards", help="rewards to compute, with optional weights, e.g. 'correct,format=0.5,language'"
                   " (default: the task's accuracy reward); the combined reward is their weighted sum")
    g.add_argument("--gate", help="a reward that must pass before the others count (e.g. format)")
    g.add_argument("-i", "--input", required=True, help="input JSONL file ('-' for stdin)")
    g.add_argument("-o", "--output", help="output JSONL file (written atomically); omit to only summarise")
    g.add_argument("--sandbox", choices=["local", "docker"], default="local", help="where --task code runs programs")
    g.add_argument("--reward", choices=["ratio", "binary"], default="ratio",
                   help="code reward: share of tests passed (default) or all-or-nothing")
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
    from verifiers.adapters import parse_rewards

    spec = args.rewards or TASKS[args.task]["reward"]
    try:
        names = {part.partition("=")[0].strip() for part in spec.split(",")}
        configured = {name: make(args) for name, make in CONFIGURED.items() if name in names}
        rewards = parse_rewards(spec, gate=args.gate, verifiers=configured)
    except ValueError as exc:
        raise UsageError(str(exc)) from exc
    start = time.perf_counter()
    rows, errors = read_rows(args.input, args)
    for n, msg in errors:
        print(f"{args.input}:{n}: skipped: {msg}", file=sys.stderr)
    if not rows:
        raise UsageError(f"no gradable rows in {args.input!r} ({len(errors)} malformed lines)")
    if args.output:  # fail on a bad output path before grading, not after
        check_output_dir(args.output)
    results = grade(rows, rewards, args.workers, progress=not args.no_progress)
    annotate, own = TASKS[args.task].get("annotate"), configured.get(TASKS[args.task]["reward"])
    extras = [annotate(own, row) if annotate and own else {} for row in rows]
    if args.output:
        write_atomic(args.output, rows, results, extras)
    summary = summarize(results, errors, time.perf_counter() - start)
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
