"""verl's reward-function forms over Verity: `compute_score` with `reward_kwargs` (rewards=,
gate=, mode=, deadline_s=, workers=), a float-only form for the legacy `prime` manager and a
batch form for the legacy `batch` manager. It translates verl rows into RewardSet calls and
back; scoring, deadlines and masking are the RewardSet's and the deadline pool's.

Every reward runs under the per-row deadline (a pool worker), not only math; sets that hold a
sandbox (code) run in-process, the sandbox bounding each program. verl 0.9.1 keys:
`reward.custom_reward_function.path=pkg://verifiers.integrations.verl`, `...name=compute_score`,
`...reward_kwargs.rewards='correct,format=0.5'` (the old top-level `custom_reward_function.path`
is silently ignored by main_ppo, which then falls back to its own regex scorer).
"""

from __future__ import annotations

import functools
import pickle
from collections.abc import Mapping, Sequence
from typing import Any

from verifiers.base import Problem
from verifiers.integrations.adapters import _text, parse_rewards, verl_problem, verl_result
from verifiers.rewards import RewardSet, Scored

MODES = ("strict", "lenient")


@functools.lru_cache(maxsize=32)
def reward_set(rewards: str = "correct", gate: str | None = None, mode: str = "strict",
               deadline_s: float = 10.0, workers: int = 1) -> RewardSet:
    """The RewardSet a verl `reward_kwargs` names; one per distinct configuration and process."""
    if mode not in MODES:
        raise ValueError(f"reward_kwargs.mode={mode!r} is not allowed; use one of {MODES}")
    names = {part.partition("=")[0].strip() for part in rewards.split(",")}
    verifiers = {}
    if "correct" in names:
        from verifiers.math.verifier import MathAnswerVerifier

        verifiers["correct"] = MathAnswerVerifier(mode=mode, deadline_s=deadline_s)
    return parse_rewards(rewards, gate=gate, workers=workers, deadline_s=deadline_s, verifiers=verifiers)


def _set_of(kwargs: Mapping[str, Any]) -> RewardSet:
    # verl binds reward_kwargs into every call; other keys verl adds are not ours and are ignored.
    return reward_set(str(kwargs.get("rewards", "correct")), kwargs.get("gate"), str(kwargs.get("mode", "strict")),
                      float(kwargs.get("deadline_s", 10.0)), int(kwargs.get("workers", 1)))


def score_rows(rs: RewardSet, data_sources: Sequence[Any], solution_strs: Sequence[Any],
               ground_truths: Sequence[Any], extra_infos: Sequence[Any]) -> list[Scored]:
    """verl rows -> one Scored each, in order: ungradable rows masked, the rest in one batch."""
    results: list[Scored | None] = [None] * len(solution_strs)
    index, completions, problems = [], [], []
    for i, (source, solution, truth, extra) in enumerate(zip(data_sources, solution_strs, ground_truths, extra_infos)):
        try:
            problems.append(verl_problem(source, truth, extra, index=i))
        except ValueError as exc:  # ungradable here: masked, never 0
            results[i] = rs.failed("verifier_error", str(exc))
            continue
        index.append(i)
        completions.append(_text(solution))
    for i, scored in zip(index, _score(rs, completions, problems)):
        results[i] = scored
    return results  # type: ignore[return-value]


def _score(rs: RewardSet, completions: list[str], problems: list[Problem]) -> list[Scored]:
    if not completions:
        return []
    try:
        pickle.dumps(rs)
    except Exception:  # noqa: BLE001 - holds a sandbox: in-process, the sandbox bounds each program
        return [rs.score(completion=c, problem=p) for c, p in zip(completions, problems)]
    return rs.score_batch(completions, problems)


def compute_score(data_source: Any, solution_str: Any, ground_truth: Any, extra_info: Mapping[str, Any] | None = None,
                  **reward_kwargs: Any) -> dict[str, float]:
    """verl's custom reward function: {"score", "acc", "masked", <reward>: ...} per row."""
    return verl_result(score_rows(_set_of(reward_kwargs), [data_source], [solution_str], [ground_truth],
                                  [extra_info])[0])


def compute_score_float(data_source: Any, solution_str: Any, ground_truth: Any,
                        extra_info: Mapping[str, Any] | None = None, **reward_kwargs: Any) -> float:
    """For the legacy `prime` manager, which keeps only numbers (a dict becomes 0 there). A float
    cannot say "masked": a masked row is 0.0 here, so prefer a manager that reads dicts."""
    return compute_score(data_source, solution_str, ground_truth, extra_info, **reward_kwargs)["score"]


def compute_score_batch(data_sources: Sequence[Any], solution_strs: Sequence[Any], ground_truths: Sequence[Any],
                        extra_infos: Sequence[Any] | None = None, **reward_kwargs: Any) -> list[dict[str, float]]:
    """For the legacy `batch` manager: keyword lists in, one dict per row out, scored together."""
    n = len(solution_strs)
    if not len(data_sources) == len(ground_truths) == n or (extra_infos is not None and len(extra_infos) != n):
        raise ValueError("data_sources, solution_strs, ground_truths and extra_infos must have the same length")
    infos = list(extra_infos) if extra_infos is not None else [None] * n
    rows = score_rows(_set_of(reward_kwargs), list(data_sources), list(solution_strs), list(ground_truths), infos)
    return [verl_result(r) for r in rows]
