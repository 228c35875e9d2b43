"""Shaping verifiers: DAPO overlong ramp, n-gram repetition, cosine length-scaled correctness."""

from __future__ import annotations

import math

import pytest

from verifiers.base import Problem, Verdict, Verifier
from verifiers.rewards import Reward, RewardSet
from verifiers.text.format import FormatVerifier
from verifiers.text.shaping import CosineLengthReward, OverlongPenalty, RepetitionPenalty

P = Problem(id="p", question="2+3?", answer="5")
GOOD = "<think>add</think><answer>5</answer>"


@pytest.mark.parametrize(
    "n_tokens, score, reason",
    [
        pytest.param(0, 1.0, "within_length", id="empty"),
        pytest.param(60, 1.0, "within_length", id="at-soft-start"),
        pytest.param(61, 1 - 1 / 40, "soft_overlong", id="first-token-over"),
        pytest.param(80, 0.5, "soft_overlong", id="mid-ramp"),
        pytest.param(99, 1 - 39 / 40, "soft_overlong", id="last-token-before-max"),
        pytest.param(100, 0.0, "overlong", id="at-max-truncated"),
        pytest.param(150, 0.0, "overlong", id="past-max"),
    ],
)
def test_overlong_follows_the_dapo_ramp_in_tokens(n_tokens, score, reason):
    verdict = OverlongPenalty(max_tokens=100, cache_tokens=40)(
        completion="x", problem=P, completion_ids=list(range(n_tokens)))
    assert (verdict.reason, verdict.score) == (reason, pytest.approx(score))
    assert "estimated" not in verdict.detail


def test_overlong_estimates_tokens_from_characters_without_ids():
    v = OverlongPenalty(max_tokens=100, cache_tokens=40, chars_per_token=4.0)
    assert v(completion="a" * 240, problem=P).reason == "within_length"
    verdict = v(completion="a" * 320, problem=P)
    assert verdict.score == pytest.approx(0.5) and "estimated" in verdict.detail


@pytest.mark.parametrize(
    "ids, score, reason",
    [
        pytest.param([1, 2, 3], 1.0, "too_short", id="shorter-than-n"),
        pytest.param(list(range(50)), 1.0, "no_repetition", id="all-distinct"),
        pytest.param([7] * 50, 1 / 47, "repetition", id="one-token-loop"),
        pytest.param([1, 2, 3, 4, 5] * 10, 5 / 47, "repetition", id="period-5-loop"),
        pytest.param(list(range(40)) + list(range(10)), 40 / 47, "repetition",
                     id="one-repeated-span"),
    ],
)
def test_repetition_on_token_ids(ids, score, reason):
    verdict = RepetitionPenalty(ngram_size=4)(completion="ignored", problem=P, completion_ids=ids)
    assert (verdict.reason, verdict.score) == (reason, pytest.approx(score))


def test_repetition_falls_back_to_words():
    v = RepetitionPenalty(ngram_size=2)
    assert v(completion="we add two and three", problem=P).score == 1.0
    assert v(completion="so so so so so", problem=P).score == pytest.approx(1 / 4)


class Correct:
    REASONS = frozenset({"correct", "wrong_answer", "down"})

    def __init__(self, score=1.0, infra=False):
        self.score = score
        self.infra = infra

    def __call__(self, *, completion, problem):
        if self.infra:
            return Verdict(0.0, "down", infra_error=True)
        return Verdict(self.score, "correct" if self.score == 1.0 else "wrong_answer")


def _cos(short, long_, length, max_tokens=100):
    return long_ + 0.5 * (short - long_) * (1 + math.cos(math.pi * length / max_tokens))


@pytest.mark.parametrize(
    "inner, length, expected, reason",
    [
        pytest.param(Correct(1.0), 0, 1.0, "correct_scaled", id="correct-shortest"),
        pytest.param(Correct(1.0), 50, _cos(1.0, 0.5, 50), "correct_scaled", id="correct-mid"),
        pytest.param(Correct(1.0), 99, _cos(1.0, 0.5, 99), "correct_scaled", id="correct-near-max"),
        pytest.param(Correct(1.0), 100, 0.0, "exceeded", id="correct-but-exceeded"),
        pytest.param(Correct(0.0), 10, 0.0, "wrong_scaled", id="wrong-stays-zero-by-default"),
    ],
)
def test_cosine_length_scaling(inner, length, expected, reason):
    verdict = CosineLengthReward(inner, max_tokens=100)(completion="x", problem=P,
                                                        completion_ids=[0] * length)
    assert (verdict.reason, verdict.score) == (reason, pytest.approx(expected))


def test_cosine_shorter_correct_beats_longer_correct_and_paper_mode_rewards_long_wrong():
    v = CosineLengthReward(Correct(1.0), max_tokens=100)
    scores = [v(completion="x", problem=P, completion_ids=[0] * n).score
              for n in (0, 25, 50, 75, 99)]
    assert scores == sorted(scores, reverse=True) and len(set(scores)) == 5
    paper = CosineLengthReward(Correct(0.0), max_tokens=100, correct_long=0.6, wrong_short=0.0,
                               wrong_long=0.5)
    wrong = [paper(completion="x", problem=P, completion_ids=[0] * n).score for n in (0, 50, 99)]
    assert wrong == sorted(wrong) and wrong[0] == 0.0


def test_cosine_passes_inner_infra_errors_through_as_masked():
    verdict = CosineLengthReward(Correct(infra=True), max_tokens=100)(completion="x", problem=P)
    assert verdict.infra_error and verdict.reason == "inner_infra_error"


@pytest.mark.parametrize(
    "build, key",
    [
        pytest.param(lambda: OverlongPenalty(max_tokens=0, cache_tokens=1), "max_tokens", id="max"),
        pytest.param(lambda: OverlongPenalty(max_tokens=10, cache_tokens=20), "cache_tokens",
                     id="cache"),
        pytest.param(lambda: OverlongPenalty(max_tokens=10, cache_tokens=2, chars_per_token=0),
                     "chars_per_token", id="cpt"),
        pytest.param(lambda: RepetitionPenalty(ngram_size=0), "ngram_size", id="ngram"),
        pytest.param(lambda: CosineLengthReward(Correct(), max_tokens=10, exceed=-1.0), "exceed",
                     id="exceed"),
        pytest.param(lambda: CosineLengthReward(Correct(), max_tokens=10, wrong_long=0.8),
                     "correct_short", id="wrong-above-correct"),
        pytest.param(lambda: CosineLengthReward("nope", max_tokens=10), "verifier", id="verifier"),
    ],
)
def test_config_validation_names_the_key(build, key):
    with pytest.raises(ValueError, match=key):
        build()


def test_shaping_composes_and_receives_ids_through_reward_set():
    rs = RewardSet((Reward("format", FormatVerifier()),
                    Reward("overlong", OverlongPenalty(max_tokens=10, cache_tokens=5), 0.5),
                    Reward("repetition", RepetitionPenalty(ngram_size=2), 0.5)))
    short = rs.score(completion=GOOD, problem=P, completion_ids=[1, 2, 3])
    looping = rs.score(completion=GOOD, problem=P, completion_ids=[1] * 10)
    assert short.reward == pytest.approx(2.0)
    assert looping.verdicts["overlong"].reason == "overlong"
    assert looping.reward == pytest.approx(1.0 + 0.0 + 0.5 * 1 / 9)
    for v in (OverlongPenalty(max_tokens=10, cache_tokens=5), RepetitionPenalty(),
              CosineLengthReward(Correct(), max_tokens=5)):
        assert isinstance(v, Verifier)
