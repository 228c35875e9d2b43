"""Entry points for callers outside our own loop: rewards by name ("correct,format=0.5"), a
one-call `score()`, a TRL reward function and a verl `compute_score`; they only translate
arguments into Problems and RewardSets and import no trainer.

Masking across trainers: TRL turns a `None` reward into NaN and, when every reward function
returns None for a completion, excludes it from the group baseline with advantage 0 (TRL 1.16,
GRPOTrainer._calculate_rewards / _generate_and_score_completions) — the same masking as ours, so
the TRL adapter returns None for a masked sample. verl has no such channel (a NaN would poison
the whole group's mean and std), so the verl adapter returns 0.0 and `"masked": 1` next to it.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Mapping, Sequence
from typing import Any

from verifiers.base import Problem
from verifiers.integrations.spec import (
    NAMED_REWARDS,
    TASK_REWARDS,
    _text,
    gold_text,
    parse_rewards,
    problem_from_fields,
)

# verl's entry points, also reachable here: verl users configure `pkg://verifiers.adapters`
# (and `pkg://verifiers.integrations.adapters`) with `name=compute_score`.
from verifiers.integrations.verl import (  # noqa: F401 - re-exported
    compute_score,
    make_verl_compute_score,
    verl_problem,
    verl_result,
    verl_scored,
)
from verifiers.rewards import RewardSet, Scored, summarize

__all__ = ["NAMED_REWARDS", "TASK_REWARDS", "AsyncTRLReward", "TRLReward", "compute_score",
           "gold_text", "grade", "make_verl_compute_score", "parse_rewards", "problem_from_fields",
           "score", "verl_problem", "verl_result", "verl_scored"]


def grade(completion: str, *, answer: str | None = None, task: str = "math",
          rewards: str | Sequence[str] | Mapping[str, float] | None = None, question: str = "",
          language: str | None = None, tests: Any = None) -> Scored:
    """One completion, every verdict: `grade(text, answer="5").verdicts["correct"].reason`."""
    if rewards is None:
        if task not in TASK_REWARDS:
            raise ValueError(
                f"task={task!r} is not allowed; use one of {sorted(TASK_REWARDS)} or name rewards"
            )
        rewards = TASK_REWARDS[task]
    fields = {"answer": answer, "question": question, "language": language, "tests": tests}
    return parse_rewards(rewards).score(completion=completion, problem=problem_from_fields(fields))


def score(completion: str, **kwargs: Any) -> float | None:
    """The combined reward of one completion (`score(text, answer="5")` -> 1.0), or None when
    the sample is masked because our side failed. Arguments as for `grade`."""
    scored = grade(completion, **kwargs)
    return None if scored.masked else scored.reward


class _TRLRewardFunction:
    """What TRLReward and AsyncTRLReward share: the reward set (or Ray pool), the Problems built
    from TRL's columns, and the logging of a batch's results; `__call__` is theirs."""

    def __init__(self, rewards: RewardSet | str = "correct", *, name: str = "verity",
                 pool: Any = None, reward_set: str | None = None) -> None:
        self.pool, self.reward_set = pool, reward_set
        self.rewards: RewardSet
        if pool is not None:
            self.rewards = pool.masker(reward_set or pool.set_names[0])
        else:
            self.rewards = parse_rewards(rewards) if isinstance(rewards, str) else rewards
        self.__name__ = name  # TRL names the reward column after __name__

    def _inputs(self, prompts: Sequence[Any], completions: Sequence[Any],
                kwargs: dict[str, Any]) -> tuple[list[str], list[Problem]]:
        columns = {k: v for k, v in kwargs.items()
                   if isinstance(v, list) and len(v) == len(completions)}
        problems = []
        for i, prompt in enumerate(prompts):
            fields = {k: v[i] for k, v in columns.items()}
            fields.setdefault("question", _text(prompt))
            problems.append(problem_from_fields(fields, index=i))
        return [_text(c) for c in completions], problems

    def _report(self, results: Sequence[Scored], log_metric: Any,
                log_extra: Any) -> list[float | None]:
        if callable(log_metric):
            for key, value in summarize(results).items():
                if not math.isnan(value):
                    log_metric(f"{self.__name__}/{key}", value)
        if callable(log_extra):
            reasons = [
                ("masked:" if r.masked else "") + next(iter(r.verdicts.values())).reason
                for r in results
            ]
            log_extra(f"{self.__name__}_reason", reasons)
        return [None if r.masked else r.reward for r in results]


class TRLReward(_TRLRewardFunction):
    """A TRL reward function: `reward(prompts=..., completions=..., completion_ids=..., **columns)`
    returns one float per completion, or None for a masked one. Dataset columns named answer /
    solution / ground_truth, language, tests and id reach the Problem. With TRL's `log_metric`
    the per-reward means and reason counts are logged next to TRL's own metrics; with
    `log_extra` each row's reason ("masked:<reason>" when masked) appears in TRL's completions
    table. `pool=` (a RayRewardPool) scores on a Ray cluster instead of this process."""

    def __call__(self, prompts: Sequence[Any], completions: Sequence[Any],
                 completion_ids: Sequence[Sequence[int]] | None = None,
                 **kwargs: Any) -> list[float | None]:
        log_metric, log_extra = kwargs.pop("log_metric", None), kwargs.pop("log_extra", None)
        texts, problems = self._inputs(prompts, completions, kwargs)
        if self.pool is not None:
            results = self.pool.score_batch_sync(texts, problems, self.reward_set)
        else:
            results = self.rewards.score_batch(texts, problems, completion_ids)
        return self._report(results, log_metric, log_extra)


class AsyncTRLReward(_TRLRewardFunction):
    """The same reward for TRL's async path (TRL gathers async reward functions concurrently
    with its other rewards): scoring runs off the event loop, or on the Ray pool."""

    async def __call__(
        self,
        prompts: Sequence[Any],
        completions: Sequence[Any],
        completion_ids: Sequence[Sequence[int]] | None = None,
        **kwargs: Any,
    ) -> list[float | None]:
        log_metric, log_extra = kwargs.pop("log_metric", None), kwargs.pop("log_extra", None)
        texts, problems = self._inputs(prompts, completions, kwargs)
        if self.pool is not None:
            results = await self.pool.score_batch(texts, problems, self.reward_set)
        else:
            results = await asyncio.to_thread(self.rewards.score_batch, texts, problems,
                                              completion_ids)
        return self._report(results, log_metric, log_extra)
