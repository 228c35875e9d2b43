"""MathAnswerVerifier: completion + gold -> Verdict on whether the committed final answer has the
gold's value. Extraction is `extract`'s, values `parsing`'s, equality `comparison`'s; this module
decides what counts (hedges, echoes) and enforces the hard deadline at a process boundary.

Reason codes: correct, wrong_answer, no_answer, hedged, unparseable, timeout, gold_unparseable.
A candidate that makes the checker overrun its deadline scores 0 (`timeout`); a gold that cannot be
parsed is an infrastructure error (`gold_unparseable`, masked), never reward.
"""

from __future__ import annotations

import re
import sys
import time
from dataclasses import dataclass
from functools import lru_cache
from typing import ClassVar

from verifiers import pool
from verifiers.base import Problem, Verdict
from verifiers.extract import MODES, committed_answer, final_value, prose_words
from verifiers.math.latex_norm import normalize

REASONS = frozenset(
    {"correct", "wrong_answer", "no_answer", "hedged", "unparseable", "timeout", "gold_unparseable"}
)
_RESTART_MARGIN_S = 0.05
# Modules a checker process imports before it takes work (also the key of the shared pool).
PRELOAD = ("verifiers.math.verifier", "verifiers.math.golds")
_MAX_ANSWER_CHARS = 5_000  # longer "answers" are essays or attacks; parsing them only burns time


@lru_cache(maxsize=2048)
def _gold_value(gold: str) -> object:
    from verifiers.math.golds import parse_gold
    from verifiers.math.values import Unparseable

    if len(gold) > _MAX_ANSWER_CHARS:
        return Unparseable("gold too long")
    return parse_gold(gold)


def _squash(s: str) -> str:
    return re.sub(r"\s+|\$|\\[,;!: ]|\\left|\\right", "", normalize(s).text)


def _echoes_question(answer: str, question: str, gold: str) -> bool:
    """An answer copied from the question (`\\sqrt{50}` for "Simplify \\sqrt{50}") restates the
    task instead of solving it, even when its value equals the gold."""
    a = _squash(answer)
    if not question or len(a) < 3 or a == _squash(gold):
        return False
    # A number echoes only as a whole token: "0.75" in "Convert 0.75", not "5" inside "15".
    return re.search(rf"(?<![\d.]){re.escape(a)}(?![\d])", _squash(question)) is not None


def judge(
    completion: str, gold: str, question: str, mode: str, rel_tol: float
) -> tuple[float, str, str]:
    """The whole decision, as plain data so it can cross a process boundary."""
    from verifiers.math.comparison import compare
    from verifiers.math.golds import gold_text
    from verifiers.math.parsing import parse_answer
    from verifiers.math.values import HEDGED, Choice, Collection, Text, Unparseable
    from verifiers.math.words import verbatim

    if pool.IN_WORKER and sys.getrecursionlimit() < 8000:
        sys.setrecursionlimit(8000)  # deep but legal nesting; a crash only costs this worker

    gval = _gold_value(gold)
    if isinstance(gval, Unparseable):
        return 0.0, "gold_unparseable", f"gold {gold[:80]!r}: {gval.why}"
    ex = committed_answer(completion, mode)  # type: ignore[arg-type]
    if ex.status == "no_answer":
        return 0.0, "no_answer", ex.detail
    if any(len(c) > _MAX_ANSWER_CHARS for c in ex.candidates):
        return 0.0, "unparseable", f"answer longer than {_MAX_ANSWER_CHARS} characters"
    if len(ex.candidates) > 1 and isinstance(gval, Collection) and len(gval.items) > 1:
        # `\boxed{1}, \boxed{2}, \boxed{3}` for the gold list `1, 2, 3`: several answers are a hedge
        # only when the gold is a single value; together they may be the gold's list.
        joined = parse_answer(", ".join(ex.candidates), gval)
        # Each gold item stated once: `\boxed{1, 2, 3}` then `\boxed{1}` is two answers, not a list.
        if (isinstance(joined, Collection) and len(joined.items) == len(gval.items)
                and compare(gval, joined, rel_tol) == "correct"):
            return (
                1.0,
                "correct",
                f"{ex.source} {len(ex.candidates)} answers that together are the gold's list",
            )
    if (isinstance(gval, (Choice, Text)) and len(ex.candidates) == 1
            and verbatim(ex.candidates[0]) == verbatim(gold_text(gold))):
        # `\textbf{(D)}\ \text{10 or 100, only}` answered as written: a choice or text gold whose
        # words would read as a hedge
        return 1.0, "correct", f"{ex.source} states the gold as written"
    values = [parse_answer(c, gval) for c in ex.candidates]
    final = values[-1]
    shown = ex.candidates[-1][:80]
    if (ex.source == "final_statement" and not isinstance(gval, Text)
            and len(prose_words(ex.candidates[-1])) >= 2
            and (isinstance(final, Unparseable) or compare(gval, final, rel_tol) != "correct")):
        # "Final Answer: Jane started growing Sphere 3 hours ago." states 3 when the gold is a
        # value: a statement in prose states the one value `final_value` finds in it, if any.
        stated = final_value(ex.candidates[-1])
        if stated is not None and stated.text != ex.candidates[-1]:
            final, shown = parse_answer(stated.text, gval), stated.text[:80]
            values[-1] = final
    if isinstance(final, Unparseable):
        return (
            0.0,
            "hedged" if final.hedge else "unparseable",
            f"{ex.source} {shown!r}: {final.why}",
        )
    for earlier, text in zip(values[:-1], ex.candidates[:-1]):
        # Two different committed answers with no retraction between them are a hedge.
        if isinstance(earlier, Unparseable) or compare(final, earlier, rel_tol) != "correct":
            return 0.0, "hedged", f"{ex.source} states both {text[:40]!r} and {shown!r}"
    if not isinstance(gval, Choice) and _echoes_question(ex.candidates[-1], question, gold):
        return 0.0, "wrong_answer", f"{shown!r} repeats the question"
    outcome = compare(gval, final, rel_tol)
    if outcome == "correct":
        return 1.0, "correct", f"{ex.source} {shown!r}"
    if outcome == HEDGED:
        return 0.0, "hedged", f"{ex.source} {shown!r} lists several candidates"
    return 0.0, "wrong_answer", f"{ex.source} {shown!r} != gold {gold[:40]!r}"


def _gold_checkable(gold: str) -> bool:
    from verifiers.math.comparison import evaluable
    from verifiers.math.values import Unparseable

    value = _gold_value(gold)
    return not isinstance(value, Unparseable) and bool(evaluable(value))


# Golds this process has seen parse and evaluate in time. RL repeats each gold G times, so the
# extra round trip that checks a gold is paid once per problem, not once per completion.
_CHECKED_GOLDS: dict[str, None] = {}
_MAX_CHECKED_GOLDS = 100_000


def warm_up() -> None:
    """Runs in each worker before it takes work: the parser's first calls are 10-100x slower."""
    for gold, answer in (
        ("\\frac{1}{2}", "\\boxed{0.5}"),
        ("x^2+1", "\\boxed{1+x^{2}}"),
        ("[1,2)", "\\boxed{[1, 2)}"),
        ("x=3", "\\boxed{3}"),
        ("\\sqrt{2}", "\\boxed{\\sqrt 2}"),
        # sympy's first inequality solve takes ~2 s: pay it here, not on a gold's clock
        ("x < 1", "\\boxed{-x > -1}"),
        ("0 < x \\le 1", "\\boxed{(0, 1]}"),
    ):
        judge(answer, gold, "", "strict", 1e-6)


@dataclass(frozen=True)
class MathAnswerVerifier:
    """mode: "strict" (answer tags or \\boxed only: for RL) or "lenient" (also "The answer is X",
    "Answer:", "####", and failing those the one value the last sentence states: for grading other
    people's outputs). rel_tol: allowed relative error of a
    decimal against an exact value; the
    decimal must also be a correct rounding at the precision written, whatever rel_tol (see
    `comparison`). deadline_s: hard wall-clock limit per call. workers: size of
    the process pool that enforces it (shared by all instances with the same size)."""

    mode: str = "strict"
    rel_tol: float = 1e-6
    deadline_s: float = 2.0
    workers: int = 1

    REASONS: ClassVar[frozenset[str]] = REASONS

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"mode={self.mode!r} is not allowed; use one of {MODES}")
        if not 0 <= self.rel_tol < 1:
            raise ValueError(
                f"rel_tol={self.rel_tol!r} is not allowed; use 0 <= rel_tol < 1 (e.g. 1e-6)"
            )
        if not self.deadline_s > 0:
            raise ValueError(
                f"deadline_s={self.deadline_s!r} is not allowed; use a positive number of seconds"
            )
        if not isinstance(self.workers, int) or self.workers < 1:
            raise ValueError(f"workers={self.workers!r} is not allowed; use an integer >= 1")

    def __call__(self, *, completion: str, problem: Problem) -> Verdict:
        if problem.answer is None or not str(problem.answer).strip():
            return Verdict(
                0.0,
                "gold_unparseable",
                f"problem {problem.id!r} has no gold answer",
                infra_error=True,
            )
        if not isinstance(completion, str):
            return Verdict(0.0, "no_answer", f"completion is {type(completion).__name__}, not text")
        args = (completion, problem.answer, problem.question or "", self.mode, self.rel_tol)
        if pool.IN_WORKER:  # already inside a pool worker whose deadline bounds us
            return _verdict(*judge(*args))
        workers = pool.shared_pool(
            self.workers, PRELOAD, warm_up
        ).start()
        start = time.monotonic()
        if problem.answer not in _CHECKED_GOLDS:
            # The gold gets half the deadline on its own, so that a gold which cannot be checked
            # is reported as ours (masked) and a candidate that overruns is the policy's (0).
            gold_ok = workers.call(_gold_checkable, problem.answer, deadline_s=self.deadline_s / 2)
            if gold_ok.status != "ok" or not gold_ok.value:
                why = {
                    "timeout": "cannot be checked within the deadline",
                    "starved": "was not checked: no checker free in time",
                }.get(gold_ok.status, "cannot be parsed")
                return Verdict(
                    0.0, "gold_unparseable", f"gold {problem.answer[:60]!r} {why}", infra_error=True
                )
            if len(_CHECKED_GOLDS) >= _MAX_CHECKED_GOLDS:
                _CHECKED_GOLDS.clear()
            _CHECKED_GOLDS[problem.answer] = None
        # The whole call keeps deadline_s: the answer gets what the gold check left (at least about
        # half, since that check is cut at half); none left is our capacity, masked, never a 0.
        remaining = self.deadline_s - (time.monotonic() - start)
        if remaining <= 0:
            return Verdict(0.0, "timeout", "not checked: the gold's check used the whole deadline",
                           infra_error=True)
        # Stopping an overrunning checker and starting its replacement takes a few ms: they come
        # out of the answer's time, so that the whole call returns within deadline_s.
        out = workers.call(judge, *args, deadline_s=max(remaining - _RESTART_MARGIN_S, 0.01))
        if out.status == "ok":
            return _verdict(*out.value)
        if out.status == "timeout":
            return Verdict(0.0, "timeout", f"checking took over {self.deadline_s:g} s")
        if out.status == "starved":  # no checker free in time: our capacity, never the answer's 0
            return Verdict(0.0, "timeout", f"not checked: {out.error[:200]}", infra_error=True)
        # A checker crash on one answer (MemoryError, a sympy bug) is that answer's problem.
        return Verdict(0.0, "unparseable", f"checker failed: {out.error[:200]}")


def _verdict(score: float, reason: str, detail: str) -> Verdict:
    return Verdict(score, reason, detail, infra_error=reason == "gold_unparseable")
