"""The standalone grader: `verity grade` (== `python -m verifiers grade`) reads JSONL rows, grades
each with a task's verifier and writes the rows back with reward, reason and detail. It holds no
grading logic of its own: tasks are factories of verifiers.

Exit codes: 0 success, 2 usage or input errors (a missing file, no gradable row), 1 only when
`--fail-under` is not met. A malformed line is reported with its line number and skipped; every
other line is graded and the output file is replaced atomically at the end.

With `--format`, rows are a benchmark's own schema (verifiers.benchmarks maps them): either each
line is an upstream row plus the completion field, or, with `--problems`, the benchmark file stays
as downloaded and the input holds only `{<id>, completion}` rows joined to it by id (HumanEval's own
samples.jsonl layout, several samples per problem allowed).
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
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, TextIO

from verifiers import benchmarks as sources
from verifiers.base import Problem, Verdict, Verifier
from verifiers.cli.rows import (
    Row,
    RowBuilder,
    RowError,
    UsageError,
    format_rows,
    joined_rows,
    read_rows,
)
from verifiers.code.verifier import CodeOutcome, CodeTestsVerifier

if TYPE_CHECKING:
    from verifiers.rewards import RewardSet, Scored

EXIT_OK, EXIT_FAIL_UNDER, EXIT_USAGE = 0, 1, 2


def _math(args: argparse.Namespace) -> Verifier:
    from verifiers.math.verifier import MathAnswerVerifier

    return MathAnswerVerifier(mode=args.mode, rel_tol=args.rel_tol, deadline_s=args.deadline_s,
                              workers=args.workers)


def _code(args: argparse.Namespace) -> CodeTestsVerifier:
    from sandboxes.base import Sandbox

    sandbox: Sandbox
    if args.sandbox == "docker":
        try:
            from sandboxes.docker import DockerSandbox
        except ImportError:
            raise ValueError("--sandbox docker: sandboxes.docker cannot be imported; "
                             "use --sandbox local") from None
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


class AssembledProgram:
    """Benchmark outputs follow the benchmark's convention, not ours: a HumanEval sample is a bare
    continuation of the prompt, MBPP outputs are often unfenced code. Each completion is turned
    into the program it stands for (sources.assemble_program) before the code verifier runs it."""

    REASONS: ClassVar[frozenset[str]] = CodeTestsVerifier.REASONS

    def __init__(self, inner: CodeTestsVerifier):
        self.inner = inner

    def evaluate(self, *, completion: str, problem: Problem) -> CodeOutcome:

        source = (sources.assemble_program(problem, completion) if isinstance(completion, str)
                  else None)
        if source is None:
            return CodeOutcome(Verdict(0.0, "no_code",
                                       "nothing to grade (no code, or an unclosed <think>)"))
        return self.inner.evaluate_program(source=source, problem=problem)

    def __call__(self, *, completion: str, problem: Problem) -> Verdict:
        return self.evaluate(completion=completion, problem=problem).verdict


class _Evaluates(Protocol):
    """A code verifier whose per-test statuses the CLI writes (CodeTestsVerifier,
    AssembledProgram)."""

    def evaluate(self, *, completion: str, problem: Problem) -> CodeOutcome: ...


def _test_statuses(verifier: _Evaluates, row: Row) -> dict[str, Any]:
    # The verifier caches by program + tests + limits: this re-reads the run, it does not redo it.
    return {"test_statuses": list(verifier.evaluate(completion=row.completion,
                                                    problem=row.problem).test_statuses)}


# Reward names whose verifier the CLI configures from its flags; other names in --rewards
# (format, language, ...) get their defaults from verifiers.integrations.adapters.NAMED_REWARDS.
CONFIGURED: dict[str, Callable[[argparse.Namespace], Verifier]] = {"correct": _math, "tests": _code}
# A task names its accuracy reward, the row fields it needs and any extra output per row;
# choosing a task never changes the loop below.
TASKS: dict[str, dict[str, Any]] = {
    "math": {"reward": "correct", "needs": ("answer",)},
    "code": {"reward": "tests", "needs": ("tests",), "annotate": _test_statuses},
}


def plain_rows(args: argparse.Namespace) -> RowBuilder:
    """Our own schema: {id, completion, answer | tests, ...}, field names from the flags."""
    fields = {"completion": args.completion_field, "answer": args.answer_field}
    needed = [("completion", args.completion_field)] + [(k, fields.get(k, k))
                                                         for k in TASKS[args.task]["needs"]]

    def build(n: int, data: dict[str, Any]) -> Row:
        if data.get(args.completion_field) is None and isinstance(data.get("program"), str):
            # A code row may carry raw source instead of a completion.
            lang = data.get("language") if data.get("language") in ("python", "cpp") else "python"
            data = {**data, args.completion_field: f"```{lang}\n{data['program']}\n```"}
        missing = [(k, f) for k, f in needed if data.get(f) is None]
        if missing:
            kind, name = missing[0]
            hint = f" (rename it or pass --{kind}-field)" if kind in fields else ""
            raise RowError(f"missing field {name!r}{hint}")
        completion = data[args.completion_field]
        if not isinstance(completion, str):
            raise RowError(f"field {args.completion_field!r} must be a string, "
                           f"got {type(completion).__name__}")
        # A NaN gold is masked (gold_unparseable), never graded against the text "NaN".
        from verifiers.integrations.adapters import gold_text

        answer = data.get(args.answer_field)
        problem = Problem(
            id=str(data.get(args.id_field, f"line-{n}")),
            question=str(data.get(args.question_field) or ""),
            answer=gold_text(answer),
            tests=data.get("tests"),
            meta={k: v for k, v in data.items()
                  if k not in (args.completion_field, args.answer_field)},
        )
        return Row(n, data, problem, completion)

    return build



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


def output_row(row: Row, scored: Scored, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """The input row plus `reward` (null when masked), and `reason`/`detail` of the first reward;
    with several rewards also each one's score and reason under `rewards` / `reasons`."""
    first = next(iter(scored.verdicts.values()))
    out = {**row.data, "reward": None if scored.masked else scored.reward,
           "reason": first.reason, "detail": first.detail}
    if len(scored.verdicts) > 1:
        out["rewards"] = {name: v.score for name, v in scored.verdicts.items()}
        out["reasons"] = {name: v.reason for name, v in scored.verdicts.items()}
    if scored.masked:
        out["masked"] = True
    return {**out, **(extra or {})}


def check_output_dir(path: str) -> str:
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise UsageError(f"output directory {directory!r} does not exist; "
                         "create it or pick another -o path")
    return directory


def write_atomic(path: str, rows: list[Row], results: list[Scored],
                 extras: list[dict[str, Any]]) -> None:
    directory = check_output_dir(path)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".verity-", suffix=".jsonl")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            for row, scored, extra in zip(rows, results, extras):
                text = json.dumps(output_row(row, scored, extra), ensure_ascii=False)
                try:
                    text.encode("utf-8")
                except UnicodeEncodeError:
                    # a lone surrogate (from a \\ud800 escape): keep it escaped
                    text = json.dumps(output_row(row, scored, extra))
                out.write(text + "\n")
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def summarize(results: list[Scored], errors: list[tuple[int, str]],
              seconds: float) -> dict[str, Any]:
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
        "graded": len(results), "skipped_lines": len(errors), "masked": len(results) - len(kept),
        "accuracy": sum(kept) / len(kept) if kept else 0.0,
        "reasons": next(iter(by_reward.values()))["reasons"] if by_reward else {},
        "by_reward": by_reward, "errors": [{"line": n, "error": msg} for n, msg in errors],
        "seconds": round(seconds, 3),
    }


def print_summary(summary: dict[str, Any], out: TextIO | None = None) -> None:
    from verifiers.math.shapes import drop_summary

    out = out or sys.stdout
    print(f"graded {summary['graded']} rows in {summary['seconds']:.1f} s"
          f" ({summary['skipped_lines']} malformed lines skipped, {summary['masked']} masked)",
          file=out)
    several = len(summary["by_reward"]) > 1
    print(f"{'mean reward' if several else 'accuracy'} {summary['accuracy']:.4f} "
          "(masked rows excluded)", file=out)
    if summary.get("rejected_problems"):
        print(f"{summary['rejected_problems']} benchmark problems rejected "
              "(gold or tests unusable)", file=out)
    gold_drops = [e["error"] for e in summary["errors"] if e["error"].startswith("gold ")]
    if gold_drops:  # no problem is lost silently: how many, and which kinds of gold
        print(drop_summary(gold_drops, summary["graded"] + summary["skipped_lines"]), file=out)
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
    g = sub.add_parser(
        "grade", help="grade a JSONL file of completions",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Grade JSONL rows {id, completion, answer}; "
                    "writes rows + reward, reason, detail.",
        epilog="""benchmark layouts (--format):
  verity grade --format gsm8k -i rows.jsonl
      each line: an upstream row (here question, answer) plus the model output in 'completion'
  verity grade --format humaneval --problems HumanEval.jsonl.gz -i samples.jsonl
      the benchmark file as downloaded (JSONL, .jsonl.gz or Parquet) and output rows
      {task_id, completion} joined to it by the format's id column (--id-field to rename;
      formats without one, gsm8k and deepscaler, use 'id' = the 0-based row index)
  code outputs may be fenced or bare; a bare HumanEval continuation is appended to its prompt.
  Code benchmarks default to --reward binary (pass@1); problems whose gold or tests cannot be
  checked are reported with their line and skipped.""",
    )
    g.add_argument("--task", choices=sorted(TASKS), help="which accuracy verifier grades the rows"
                   " (default math, or the one --format implies)")
    g.add_argument("--format", choices=list(sources.FORMATS),
                   help="rows follow this benchmark's upstream schema (see below)")
    g.add_argument("--problems",
                   help="with --format: the benchmark file; -i then holds {<id>, completion} rows")
    g.add_argument("--rewards", help="rewards to compute, with optional weights, e.g. "
                   "'correct,format=0.5,language' (default: the task's accuracy reward); the "
                   "combined reward is their weighted sum")
    g.add_argument("--gate", help="a reward that must pass before the others count (e.g. format)")
    g.add_argument("-i", "--input", required=True, help="input JSONL file ('-' for stdin)")
    g.add_argument("-o", "--output",
                   help="output JSONL file (written atomically); omit to only summarise")
    g.add_argument("--sandbox", choices=["local", "docker"], default="local",
                   help="where --task code runs programs")
    g.add_argument("--reward", choices=["ratio", "binary"],
                   help="code reward: share of tests passed (default) or all-or-nothing "
                   "(default with --format)")
    g.add_argument("--mode", choices=["strict", "lenient"], default="strict",
                   help="strict: answer tags or \\boxed only (RL); lenient: also 'The answer is "
                   "X' and else the one value of the last sentence (evaluation)")
    g.add_argument("--workers", type=int, default=1, help="parallel worker processes (default 1)")
    g.add_argument("--deadline-s", type=float, default=2.0,
                   help="hard wall-clock limit per row (default 2)")
    g.add_argument("--rel-tol", type=float, default=1e-6,
                   help="relative tolerance of a decimal vs an exact value")
    g.add_argument("--time-limit-s", type=float, help="code: per-test CPU seconds for every "
                   "problem, replacing the row's own limit (default: the benchmark's limit x the "
                   "Python multiplier, see verifiers.benchmarks, or 2 s for plain rows)")
    g.add_argument("--memory-mb", type=int, help="code: per-test memory limit in MB for every "
                   "problem, replacing the row's")
    g.add_argument("--time-multiplier", type=float, default=1.0, help="code: scale every "
                   "per-test time limit (a slower or faster machine; default 1)")
    g.add_argument("--fail-under", type=float, help="exit 1 if accuracy is below this value (0..1)")
    g.add_argument("--json", action="store_true", help="print the summary as JSON")
    g.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    g.add_argument("--id-field", help="default 'id'; with --problems, the format's id column")
    g.add_argument("--completion-field", default="completion")
    g.add_argument("--answer-field", default="answer")
    g.add_argument("--question-field", default="question")
    return p


def resolve(args: argparse.Namespace) -> None:
    """Defaults that depend on --format: the task it implies, its id column, pass@1 for code."""
    if args.problems and not args.format:
        raise UsageError("--problems needs --format (which benchmark schema the file follows)")
    if args.format:
        implied = sources.task_of(args.format)
        if args.task and args.task != implied:
            raise UsageError(f"--task {args.task} does not match --format {args.format} "
                             f"(a {implied} benchmark)")
        args.task = implied
    args.task = args.task or "math"
    if args.id_field is None:
        args.id_field = (args.format and args.problems and sources.id_column(args.format)) or "id"
    if args.reward is None:
        args.reward = "binary" if args.format else "ratio"


def run_grade(args: argparse.Namespace) -> int:
    resolve(args)
    if args.workers < 1:
        raise UsageError(f"--workers {args.workers} is not allowed; use 1 or more")
    if args.fail_under is not None and not 0 <= args.fail_under <= 1:
        raise UsageError(f"--fail-under {args.fail_under} is not allowed; use a value in [0, 1]")
    for flag, value in (("--time-limit-s", args.time_limit_s), ("--memory-mb", args.memory_mb),
                        ("--time-multiplier", args.time_multiplier)):
        if value is not None and not (value > 0 and value != float("inf")):
            raise UsageError(f"{flag} {value} is not allowed; use a positive number")
    policy = sources.LimitPolicy(args.time_limit_s, args.memory_mb, args.time_multiplier)
    from verifiers.integrations.adapters import parse_rewards

    spec = args.rewards or TASKS[args.task]["reward"]
    try:
        names = {part.partition("=")[0].strip() for part in spec.split(",")}
        configured = {name: make(args) for name, make in CONFIGURED.items() if name in names}
        if args.format and isinstance(tests := configured.get("tests"), CodeTestsVerifier):
            configured["tests"] = AssembledProgram(tests)
        rewards = parse_rewards(spec, gate=args.gate, verifiers=configured)
    except ValueError as exc:
        raise UsageError(str(exc)) from exc
    start = time.perf_counter()
    rejected = 0
    report_unseen = None
    if args.problems:
        build, report_unseen, rejected = joined_rows(args)
    else:
        build = format_rows(args) if args.format else plain_rows(args)
    rows, errors = read_rows(args.input, build)
    if report_unseen is not None:
        report_unseen()
    for n, msg in errors:
        print(f"{args.input}:{n}: skipped: {msg}", file=sys.stderr)
    rows = [Row(r.line, r.data, sources.with_limits(r.problem, policy), r.completion) for r in rows]
    if not rows:
        raise UsageError(f"no gradable rows in {args.input!r} ({len(errors)} malformed lines)")
    if args.output:  # fail on a bad output path before grading, not after
        check_output_dir(args.output)
    results = grade(rows, rewards, args.workers, progress=not args.no_progress)
    annotate = TASKS[args.task].get("annotate")
    own = configured.get(TASKS[args.task]["reward"])
    extras = [annotate(own, row) if annotate and own else {} for row in rows]
    if args.output:
        write_atomic(args.output, rows, results, extras)
    summary = summarize(results, errors, time.perf_counter() - start)
    if args.problems:
        summary["rejected_problems"] = rejected
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        print_summary(summary)
    if args.fail_under is not None and summary["accuracy"] < args.fail_under:
        print(f"accuracy {summary['accuracy']:.4f} is below --fail-under {args.fail_under}",
              file=sys.stderr)
        return EXIT_FAIL_UNDER
    return EXIT_OK
