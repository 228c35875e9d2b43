"""What callers outside our loop hand us, in our vocabulary: reward names ("correct,format=0.5")
as a RewardSet, loosely named dataset fields as a Problem, and a gold as text (or None when
unreadable). It scores nothing itself and imports no trainer."""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from verifiers.base import Problem, Verifier
from verifiers.rewards import Reward, RewardSet
from verifiers.text.format import FormatVerifier
from verifiers.text.language import LanguageVerifier
from verifiers.text.shaping import RepetitionPenalty


def _math() -> Verifier:
    from verifiers.math.verifier import MathAnswerVerifier

    return MathAnswerVerifier(mode="strict")


def _code_tests() -> Verifier:
    from verifiers.code.verifier import CodeTestsVerifier  # sandboxes are only needed for code

    return CodeTestsVerifier()


# Reward names usable in `--rewards` and `score(rewards=...)`, each with its default verifier.
# Shaping rewards that need a budget (overlong, cosine) are built in Python or Hydra config.
NAMED_REWARDS: dict[str, Callable[[], Verifier]] = {
    "correct": _math,
    "tests": _code_tests,
    "format": FormatVerifier,
    "language": LanguageVerifier,
    "repetition": RepetitionPenalty,
}
# What `score(task=...)` grades when no rewards are named: the accuracy reward alone.
TASK_REWARDS = {"math": "correct", "code": "tests"}


@functools.cache
def _default_verifier(name: str) -> Verifier:
    # One instance per name and process: `score()` in a loop must not start a new sandbox (or
    # pool) per call; the default verifiers are thread-safe and hold no per-call state.
    return NAMED_REWARDS[name]()


def parse_rewards(spec: str | Sequence[str] | Mapping[str, float], *, gate: str | None = None,
                  workers: int = 0, deadline_s: float = 30.0,
                  verifiers: Mapping[str, Verifier] | None = None) -> RewardSet:
    """"correct,format=0.5,language" (or ["correct", "format=0.5"], or {"correct": 1.0}) ->
    RewardSet. A bare name has weight 1.0. `verifiers` supplies ready instances by name (a CLI's
    configured math verifier, say), used instead of the defaults in NAMED_REWARDS."""
    given = dict(verifiers or {})
    if isinstance(spec, Mapping):
        items: list[tuple[str, float]] = [(str(k), v) for k, v in spec.items()]
    else:
        parts = spec.split(",") if isinstance(spec, str) else list(spec)
        items = []
        for part in (p.strip() for p in parts):
            if not part:
                continue
            name, _, weight_text = part.partition("=")
            try:
                items.append((name.strip(), float(weight_text) if weight_text.strip() else 1.0))
            except ValueError:
                raise ValueError(
                    f"rewards: weight {weight_text!r} of {name!r} is not a number"
                ) from None
    if not items:
        raise ValueError(
            f"rewards={spec!r} is not allowed; name at least one of {sorted(NAMED_REWARDS)}"
        )
    rewards = []
    for name, weight in items:
        if name in given:
            rewards.append(Reward(name, given[name], weight))
            continue
        if name not in NAMED_REWARDS:
            raise ValueError(
                f"rewards: {name!r} is not allowed;"
                f" use names from {sorted(set(NAMED_REWARDS) | set(given))}"
            )
        try:
            verifier = _default_verifier(name)
        except ImportError as exc:
            raise ValueError(f"rewards: {name!r} is unavailable here ({exc})") from None
        rewards.append(Reward(name, verifier, weight))
    return RewardSet(tuple(rewards), gate=gate, workers=workers, deadline_s=deadline_s)


def gold_text(value: Any) -> str | None:
    """A gold as the text the math verifier reads, or None when it is unreadable: a NaN or an
    infinity anywhere in it (a pandas/Parquet missing value, JSON `NaN`) says nothing about the
    answer, so the row is masked as `gold_unparseable` instead of graded against the text "NaN"."""
    if value is None or isinstance(value, str):
        return value
    try:
        return json.dumps(value, allow_nan=False)
    except (TypeError, ValueError):  # NaN/inf, or an object JSON cannot hold
        return None if _non_finite(value) else str(value)


def _non_finite(value: Any) -> bool:
    if isinstance(value, float):
        return not math.isfinite(value)
    if isinstance(value, Mapping):
        return any(_non_finite(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(_non_finite(v) for v in value)
    return False


def problem_from_fields(fields: Mapping[str, Any], *, index: int = 0) -> Problem:
    """A Problem from loosely named dataset fields, as trainers pass them."""
    answer = next((fields[k] for k in ("answer", "solution", "ground_truth",
                                       "gold") if fields.get(k) is not None), None)
    meta = {k: fields[k] for k in ("language", "source", "checker",
                                   "limits") if fields.get(k) is not None}
    return Problem(
        id=str(fields.get("id", index)),
        question=_text(
            fields.get("question") or fields.get("prompt") or fields.get("problem") or ""
        ),
        answer=gold_text(answer),
        tests=fields.get("tests"),
        meta=meta,
    )


def _text(value: Any) -> str:
    """Plain text of a TRL completion/prompt: a string, or a conversation (list of messages)."""
    if isinstance(value, str):
        return value
    if isinstance(value, Sequence):
        return "".join(_text(m.get("content",
                                   "")) if isinstance(m, Mapping) else _text(m) for m in value)
    return "" if value is None else str(value)
