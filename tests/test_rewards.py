"""Reward composition: weighted sum, gate, masking of our failures, pool == sequential."""

from __future__ import annotations

import math
import os
import time
from dataclasses import dataclass
from typing import ClassVar

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from verifiers.base import Problem, Verdict
from verifiers.rewards import Reward, RewardSet, Scored, summarize
from verifiers.text.format import FormatVerifier
from verifiers.text.language import LanguageVerifier

PROBLEM = Problem(id="p", question="2+3?", answer="5", meta={"language": "en"})
GOOD = "<think>We add two and three.</think><answer>5</answer>"
BAD_FORMAT = "We add two and three. <answer>5</answer>"


# Test-local verifiers live at module level so that pool workers can unpickle them.
@dataclass(frozen=True)
class Const:
    value: float = 1.0
    REASONS: ClassVar[frozenset[str]] = frozenset({"const"})

    def __call__(self, *, completion, problem):
        return Verdict(self.value, "const")


@dataclass(frozen=True)
class Infra:
    REASONS: ClassVar[frozenset[str]] = frozenset({"down"})

    def __call__(self, *, completion, problem):
        return Verdict(0.0, "down", "sandbox unreachable", infra_error=True)


@dataclass(frozen=True)
class Raises:
    REASONS: ClassVar[frozenset[str]] = frozenset()

    def __call__(self, *, completion, problem):
        raise RuntimeError("bug in our code")


@dataclass(frozen=True)
class NotAVerdict:
    REASONS: ClassVar[frozenset[str]] = frozenset()

    def __call__(self, *, completion, problem):
        return 1.0


@dataclass(frozen=True)
class SleepsOn:
    """Hangs on completions containing `trigger`, like sympy on a power tower."""

    trigger: str = "HANG"
    REASONS: ClassVar[frozenset[str]] = frozenset({"ok"})

    def __call__(self, *, completion, problem):
        if self.trigger in completion:
            time.sleep(60)
        return Verdict(1.0, "ok")


@dataclass(frozen=True)
class CountsIds:
    ACCEPTS_COMPLETION_IDS: ClassVar[bool] = True
    REASONS: ClassVar[frozenset[str]] = frozenset({"ids", "text"})

    def __call__(self, *, completion, problem, completion_ids=None):
        if completion_ids is None:
            return Verdict(0.0, "text")
        return Verdict(min(1.0, len(completion_ids) / 10), "ids")


@dataclass(frozen=True)
class Pid:
    REASONS: ClassVar[frozenset[str]] = frozenset({"pid"})

    def __call__(self, *, completion, problem):
        return Verdict(1.0, "pid", str(os.getpid()))


def _set(*rewards, **kwargs):
    return RewardSet(tuple(Reward(n, v, w) for n, v, w in rewards), **kwargs)


@pytest.mark.parametrize(
    "rewards, gate, completion, expected",
    [
        pytest.param([("format", FormatVerifier(), 1.0), ("c", Const(0.5), 2.0)], None, GOOD, 2.0,
                     id="weighted-sum"),
        pytest.param([("format", FormatVerifier(), 1.0), ("c", Const(0.5), 2.0)], None, BAD_FORMAT,
                     1.0, id="sum-bad-format"),
        pytest.param([("format", FormatVerifier(), 0.5), ("c", Const(1.0), 1.0)], "format",
                     BAD_FORMAT, 0.0, id="gate-closed"),
        pytest.param([("format", FormatVerifier(), 0.5), ("c", Const(1.0), 1.0)], "format", GOOD,
                     1.5, id="gate-open"),
        pytest.param([("format", FormatVerifier(partial_credit=True), 0.4), ("c", Const(1.0), 1.0)],
                     "format", "<think>x</think>", 0.4 * 0.375,
                     id="gate-closed-keeps-own-partial-score"),
        pytest.param([("c", Const(1.0), 1.0), ("logged", Const(1.0), 0.0)], None, GOOD, 1.0,
                     id="weight-zero-not-optimised"),
        pytest.param([("c", Const(1.0), 1.0), ("neg", Const(1.0), -0.5)], None, GOOD, 0.5,
                     id="negative-weight"),
    ],
)
def test_combination(rewards, gate, completion, expected):
    scored = _set(*rewards, gate=gate).score(completion=completion, problem=PROBLEM)
    assert not scored.masked
    assert scored.reward == pytest.approx(expected)
    assert set(scored.verdicts) == {name for name, _, _ in rewards}


@pytest.mark.parametrize(
    "failing, reason",
    [
        pytest.param(Infra(), "down", id="infra-verdict"),
        pytest.param(Raises(), "verifier_error", id="raises"),
        pytest.param(NotAVerdict(), "verifier_error", id="returns-non-verdict"),
    ],
)
def test_our_failures_mask_instead_of_scoring_zero(failing, reason):
    rs = _set(("format", FormatVerifier(), 1.0), ("acc", failing, 1.0))
    scored = rs.score(completion=GOOD, problem=PROBLEM)
    assert scored.masked
    assert scored.verdicts["acc"].reason == reason and scored.verdicts["acc"].infra_error
    assert scored.verdicts["format"].score == 1.0  # the other verdicts are still logged
    healthy = _set(("format", FormatVerifier(), 1.0), ("acc", Const(1.0), 1.0))
    metrics = summarize([scored, healthy.score(completion=BAD_FORMAT, problem=PROBLEM)])
    assert metrics["reward/masked"] == 1.0
    assert metrics["reward/mean"] == 1.0  # the masked sample is excluded, not averaged in as 0
    assert metrics[f"verdict/acc/{reason}"] == 1.0
    assert metrics["reward/acc"] == 1.0  # infra verdicts stay out of the per-reward mean


def test_failure_in_a_weight_zero_reward_is_logged_not_masked():
    scored = _set(("c", Const(1.0), 1.0), ("logged", Raises(), 0.0)).score(completion=GOOD,
                                                                           problem=PROBLEM)
    assert not scored.masked and scored.reward == 1.0
    assert scored.verdicts["logged"].reason == "verifier_error"


def test_a_failing_gate_masks_even_at_weight_zero():
    scored = _set(("gate", Infra(), 0.0), ("c", Const(1.0), 1.0),
                  gate="gate").score(completion=GOOD, problem=PROBLEM)
    assert scored.masked


def test_completion_ids_reach_only_verifiers_that_accept_them():
    rs = _set(("ids", CountsIds(), 1.0), ("c", Const(1.0), 1.0))
    assert rs.score(completion="x", problem=PROBLEM,
                    completion_ids=list(range(5))).verdicts["ids"].score == 0.5
    assert rs.score(completion="x", problem=PROBLEM).verdicts["ids"].reason == "text"


def test_from_mapping_matches_hydra_style_config():
    rs = RewardSet.from_mapping(
        {"format": {"verifier": FormatVerifier(), "weight": 0.5}, "c": Const(1.0),
         "r": Reward("ignored", Const(0.0), 3.0)},
        gate="format",
    )
    assert rs.names == ("format", "c", "r")
    assert [r.weight for r in rs.rewards] == [0.5, 1.0, 3.0]


@pytest.mark.parametrize(
    "build, key",
    [
        pytest.param(lambda: Reward("a b", Const()), "name", id="bad-name"),
        pytest.param(lambda: Reward("mean", Const()), "name", id="reserved-name"),
        pytest.param(lambda: Reward("a", "not a verifier"), "verifier", id="bad-verifier"),
        pytest.param(lambda: Reward("a", Const(), math.nan), "weight", id="nan-weight"),
        pytest.param(lambda: RewardSet(()), "rewards", id="empty"),
        pytest.param(lambda: _set(("a", Const(), 1), ("a", Const(), 1)), "rewards",
                     id="duplicate-names"),
        pytest.param(lambda: _set(("a", Const(), 1), gate="b"), "gate", id="unknown-gate"),
        pytest.param(lambda: _set(("a", Const(), 1), gate_threshold=0), "gate_threshold",
                     id="gate-threshold"),
        pytest.param(lambda: _set(("a", Const(), 1), workers=-1), "workers", id="workers"),
        pytest.param(lambda: _set(("a", Const(), 1), deadline_s=0), "deadline_s", id="deadline"),
    ],
)
def test_config_validation_names_the_key(build, key):
    with pytest.raises(ValueError, match=key):
        build()


def _batch():
    completions = [
        GOOD,
        BAD_FORMAT,
        "<think>我们 add 两个数</think><answer>5</answer>",
        "<think></think><answer>5</answer>",
        "<think>We add.</think><answer>5</answer> trailing",
        "",
    ] * 3
    problems = [Problem(id=str(i), question="2+3?", answer="5",
                        meta={"language": "en"}) for i in range(len(completions))]
    return completions, problems


def _mixed_set(**kwargs):
    return _set(("format", FormatVerifier(), 0.5), ("language", LanguageVerifier(), 0.25),
                ("acc", Const(1.0), 1.0), ("boom", Raises(), 0.0), **kwargs)


def test_score_batch_on_the_pool_equals_the_sequential_path():
    completions, problems = _batch()
    ids = [list(range(len(c))) for c in completions]
    sequential = _mixed_set(workers=0).score_batch(completions, problems, ids)
    pooled = _mixed_set(workers=2, deadline_s=20).score_batch(completions, problems, ids)
    assert pooled == sequential
    assert all(isinstance(s, Scored) for s in pooled)
    assert len({s.reward for s in sequential}) > 2  # the batch is not trivially uniform


def test_score_batch_really_runs_in_other_processes():
    results = _set(("pid", Pid(), 1.0), workers=2).score_batch(["a"] * 4, [PROBLEM] * 4)
    pids = {r.verdicts["pid"].detail for r in results}
    assert str(os.getpid()) not in pids


def test_score_batch_masks_a_verifier_that_overruns_its_deadline():
    rs = _set(("format", FormatVerifier(), 1.0), ("slow", SleepsOn(), 1.0), workers=2,
              deadline_s=1.0)
    completions = [GOOD, GOOD + "HANG", GOOD]
    start = time.monotonic()
    results = rs.score_batch(completions, [PROBLEM] * 3)
    assert time.monotonic() - start < 30
    assert [r.masked for r in results] == [False, True, False]
    assert results[1].verdicts["slow"].reason == "deadline"
    assert results[0].reward == results[2].reward == 2.0


def test_score_batch_refuses_verifiers_that_cannot_reach_a_worker():
    @dataclass(frozen=True)
    class Local:  # defined in a function: not importable by name, so not picklable
        REASONS: ClassVar[frozenset[str]] = frozenset({"x"})

        def __call__(self, *, completion, problem):
            return Verdict(1.0, "x")

    with pytest.raises(ValueError, match="'local'.*workers=0"):
        _set(("local", Local(), 1.0), workers=2).score_batch(["a"], [PROBLEM])
    assert _set(("local", Local(), 1.0), workers=0).score_batch(["a"], [PROBLEM])[0].reward == 1.0


def test_score_batch_rejects_mismatched_lengths():
    with pytest.raises(ValueError, match="same length"):
        _mixed_set().score_batch(["a", "b"], [PROBLEM])


def test_gated_math_and_format_on_the_pool_equal_the_sequential_path():
    from verifiers.math.verifier import MathAnswerVerifier

    def build(workers):
        return RewardSet(
            (
                Reward("correct", MathAnswerVerifier(mode="strict")),
                Reward("format", FormatVerifier(), 0.5),
            ),
            gate="format",
            workers=workers,
            deadline_s=20,
        )

    completions = ["<think>a</think><answer>5</answer>", "<think>a</think><answer>6</answer>",
                   "no tags \\boxed{5}", "<think>a</think><answer>\\frac{10}{2}</answer>"] * 2
    problems = [Problem(id=str(i), question="2+3?", answer="5") for i in range(len(completions))]
    sequential = build(0).score_batch(completions, problems)
    # the gate zeroes the bare box
    assert [s.reward for s in sequential] == [1.5, 0.5, 0.0, 1.5] * 2
    assert build(2).score_batch(completions, problems) == sequential


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from([0.0, 0.25, 1.0, "infra", "raise"]),
                          st.sampled_from([0.0, 0.5, 1.0, -1.0])), min_size=1, max_size=5))
def test_masked_exactly_when_an_optimised_reward_fails(spec):
    verifiers = {"infra": Infra(), "raise": Raises()}
    rs = _set(*[(f"r{i}", verifiers.get(v) or Const(v), w) for i, (v, w) in enumerate(spec)])
    scored = rs.score(completion=GOOD, problem=PROBLEM)
    failing = any(isinstance(v, str) and w != 0.0 for v, w in spec)
    assert scored.masked == failing
    if not failing:
        assert scored.reward == pytest.approx(sum(w * v for v, w in spec if not isinstance(v, str)))


# --- the deadline pool under forks and load, through real math scoring ------------------------

_MATH_SET: RewardSet | None = None


def _math_rows(n: int) -> list[tuple[str, Problem]]:
    # Row k's completion answers k; its gold is k for even k and k + 1 for odd k.
    return [(f"<answer>{k}</answer>", Problem(id=f"r{k}", question="", answer=str(k + k % 2)))
            for k in range(n)]


def _score_row_in_fork(k: int) -> tuple[int, float, bool]:
    completion, problem = _math_rows(k + 1)[k]
    scored = _MATH_SET.score_batch([completion], [problem])[0]
    return k, scored.reward, scored.masked


def test_forked_children_score_their_own_rows():
    """A process that has scored forks (verl's prime manager, datasets.map(num_proc)): 22 of 40
    rows used to come back swapped or missing. Each child must score its own completions."""
    import multiprocessing

    from verifiers.math.verifier import MathAnswerVerifier

    global _MATH_SET
    _MATH_SET = RewardSet((Reward("correct", MathAnswerVerifier(workers=2)),), workers=2)
    try:
        rows = _math_rows(40)
        parent = _MATH_SET.score_batch([c for c, _ in rows], [p for _, p in rows])
        assert [s.reward for s in parent] == [1.0 - k % 2 for k in range(40)]
        with multiprocessing.get_context("fork").Pool(4) as procs:
            got = procs.map(_score_row_in_fork, range(40), chunksize=1)
        assert got == [(k, 1.0 - k % 2, False) for k in range(40)]
    finally:
        _MATH_SET = None


def _hold(seconds: float) -> None:
    time.sleep(seconds)


def test_a_math_call_that_gets_no_checker_in_time_is_masked_not_zero():
    import threading

    from verifiers import pool
    from verifiers.math.verifier import PRELOAD, MathAnswerVerifier, warm_up

    verifier = MathAnswerVerifier(workers=1, deadline_s=1.0)
    problem = Problem(id="q", question="", answer="7")
    assert verifier(completion="<answer>7</answer>", problem=problem).score == 1.0  # gold checked
    shared = pool.shared_pool(1, PRELOAD, warm_up)
    busy = threading.Thread(target=shared.call, args=(_hold, 2.5), kwargs={"deadline_s": 30})
    busy.start()
    time.sleep(0.2)
    start = time.monotonic()
    verdict = verifier(completion="<answer>7</answer>", problem=problem)
    elapsed = time.monotonic() - start
    busy.join()
    assert verdict.infra_error and verdict.score == 0.0, verdict
    assert elapsed < 2.0  # within the 1 s deadline (plus a loaded host's margin), not after 2.5 s
    scored = RewardSet((Reward("correct", verifier),)).score(completion="<answer>7</answer>",
                                                             problem=problem)
    assert scored.masked is False and scored.reward == 1.0  # the checker is free again
