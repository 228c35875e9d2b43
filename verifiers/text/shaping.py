"""Shaping rewards on length and repetition (DAPO overlong punishment, n-gram repetition penalty,
cosine length-scaled correctness), each a Verifier; none is in any default reward set, and none
judges correctness on its own (the cosine reward wraps a correctness verifier).

Scores live in [0, 1] like every verdict, so a penalty P in [0, 1] is reported as 1 − P. The
constant shift is invisible to group-relative advantages (GRPO subtracts the group mean) and
keeps a composed reward readable: 1.0 = no penalty.

Lengths count tokens when the trainer passes `completion_ids` (these verifiers declare
`ACCEPTS_COMPLETION_IDS`); without ids they estimate tokens as characters / `chars_per_token`
and say so in the verdict detail.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from verifiers.base import Problem, Verdict, Verifier


def _length(completion: str, ids: Sequence[int] | None, chars_per_token: float) -> tuple[int, str]:
    if ids is not None:
        return len(ids), "tokens"
    return math.ceil(len(completion) / chars_per_token), "estimated tokens"


def _positive_int(owner: str, key: str, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{owner}: {key}={value!r} is not allowed; use an integer >= 1")


def _positive(owner: str, key: str, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise ValueError(f"{owner}: {key}={value!r} is not allowed; use a number > 0")


@dataclass(frozen=True)
class OverlongPenalty:
    """DAPO soft overlong punishment (Yu et al. 2025, eq. 13) with L_max = `max_tokens` and
    L_cache = `cache_tokens`: no penalty up to L_max − L_cache, then a linear ramp to the full
    penalty at L_max. Score = 1 + R_length, so 1.0 inside the budget and 0.0 at or past L_max."""

    max_tokens: int
    cache_tokens: int
    chars_per_token: float = 4.0

    ACCEPTS_COMPLETION_IDS: ClassVar[bool] = True
    REASONS: ClassVar[frozenset[str]] = frozenset({"within_length", "soft_overlong", "overlong"})

    def __post_init__(self) -> None:
        _positive_int("OverlongPenalty", "max_tokens", self.max_tokens)
        _positive_int("OverlongPenalty", "cache_tokens", self.cache_tokens)
        if self.cache_tokens > self.max_tokens:
            raise ValueError(
                f"OverlongPenalty: cache_tokens={self.cache_tokens!r} is not allowed; "
                f"use at most max_tokens ({self.max_tokens})"
            )
        _positive("OverlongPenalty", "chars_per_token", self.chars_per_token)

    def __call__(self, *, completion: str, problem: Problem | None = None,
                 completion_ids: Sequence[int] | None = None) -> Verdict:
        length, unit = _length(completion if isinstance(completion, str) else "", completion_ids,
                               self.chars_per_token)
        soft_start = self.max_tokens - self.cache_tokens
        detail = f"{length} {unit} (soft from {soft_start}, max {self.max_tokens})"
        if length <= soft_start:
            return Verdict(1.0, "within_length", detail)
        if length < self.max_tokens:
            return Verdict(1.0 - (length - soft_start) / self.cache_tokens, "soft_overlong", detail)
        return Verdict(0.0, "overlong", detail)


@dataclass(frozen=True)
class RepetitionPenalty:
    """Share of repeated n-grams: score = distinct n-grams / all n-grams, over token ids when
    given, else over whitespace-separated words. A degenerate loop ("the the the …") scores near
    0; ordinary text with no repeated `ngram_size`-gram scores 1.0."""

    ngram_size: int = 4

    ACCEPTS_COMPLETION_IDS: ClassVar[bool] = True
    REASONS: ClassVar[frozenset[str]] = frozenset({"no_repetition", "repetition", "too_short"})

    def __post_init__(self) -> None:
        _positive_int("RepetitionPenalty", "ngram_size", self.ngram_size)

    def __call__(self, *, completion: str, problem: Problem | None = None,
                 completion_ids: Sequence[int] | None = None) -> Verdict:
        tokens: list[int] | list[str]
        if completion_ids is not None:
            tokens = list(completion_ids)
            unit = "token"
        else:
            tokens = completion.split() if isinstance(completion, str) else []
            unit = "word"
        n = self.ngram_size
        total = len(tokens) - n + 1
        if total < 1:
            return Verdict(1.0, "too_short", f"{len(tokens)} {unit}s < {n}")
        distinct = len({tuple(tokens[i : i + n]) for i in range(total)})
        detail = f"{total - distinct}/{total} repeated {n}-{unit} grams"
        if distinct == total:
            return Verdict(1.0, "no_repetition", detail)
        return Verdict(distinct / total, "repetition", detail)


@dataclass(frozen=True)
class CosineLengthReward:
    """Length-scaled correctness (Yeo et al. 2025, "Demystifying Long Chain-of-Thought
    Reasoning in LLMs"): r(L) = r_long + ½ (r_short − r_long)(1 + cos(π L / max_tokens)),
    with (r_short, r_long) = (correct_short, correct_long) for a correct answer and
    (wrong_short, wrong_long) for a wrong one; `exceed` at or past `max_tokens`.

    The paper's values (correct 2 → 1, wrong −10 → 0, exceed −10) are mapped into [0, 1]. By
    default a wrong answer stays exactly 0 at every length (our verdict rule); set wrong_long
    above wrong_short to reproduce the paper's "think longer when wrong" incentive. A correct
    answer is one whose inner verdict scores 1.0; the inner verifier's infra errors pass through
    as masked verdicts."""

    verifier: Verifier
    max_tokens: int
    correct_short: float = 1.0
    correct_long: float = 0.5
    wrong_short: float = 0.0
    wrong_long: float = 0.0
    exceed: float = 0.0
    chars_per_token: float = 4.0

    ACCEPTS_COMPLETION_IDS: ClassVar[bool] = True
    REASONS: ClassVar[frozenset[str]] = frozenset(
        {"correct_scaled", "wrong_scaled", "exceeded", "inner_infra_error"}
    )

    def __post_init__(self) -> None:
        if not callable(self.verifier):
            raise ValueError(f"CosineLengthReward: verifier={self.verifier!r} is not allowed; "
                             "use a Verifier")
        _positive_int("CosineLengthReward", "max_tokens", self.max_tokens)
        _positive("CosineLengthReward", "chars_per_token", self.chars_per_token)
        for key in ("correct_short", "correct_long", "wrong_short", "wrong_long", "exceed"):
            value = getattr(self, key)
            if (isinstance(value, bool) or not isinstance(value, (int, float))
                    or not 0.0 <= value <= 1.0):
                raise ValueError(f"CosineLengthReward: {key}={value!r} is not allowed; use [0, 1]")
        if min(self.correct_short, self.correct_long) < max(self.wrong_short, self.wrong_long):
            raise ValueError(
                f"CosineLengthReward: correct_short={self.correct_short!r}, "
                f"correct_long={self.correct_long!r} are not allowed below wrong_short/wrong_long "
                f"({self.wrong_short!r}, {self.wrong_long!r}): a correct answer must never earn "
                "less than a wrong one"
            )

    def __call__(self, *, completion: str, problem: Problem,
                 completion_ids: Sequence[int] | None = None) -> Verdict:
        inner = self.verifier(completion=completion, problem=problem)
        if inner.infra_error:
            return Verdict(0.0, "inner_infra_error", f"{inner.reason}: {inner.detail}"[:300], True)
        length, unit = _length(completion if isinstance(completion, str) else "", completion_ids,
                               self.chars_per_token)
        detail = f"{inner.reason}, {length} {unit} of {self.max_tokens}"
        if length >= self.max_tokens:
            return Verdict(self.exceed, "exceeded", detail)
        correct = inner.score >= 1.0
        short, long_ = ((self.correct_short, self.correct_long) if correct
                        else (self.wrong_short, self.wrong_long))
        value = long_ + 0.5 * (short - long_) * (1.0 + math.cos(math.pi * length / self.max_tokens))
        return Verdict(min(1.0, max(0.0, value)),
                       "correct_scaled" if correct else "wrong_scaled", detail)
