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
import json
import pickle
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from verifiers.base import Problem
from verifiers.integrations.spec import _text, parse_rewards, problem_from_fields
from verifiers.rewards import RewardSet, Scored

MODES = ("strict", "lenient")
# the reward_kwargs this module reads; verl may bind others, which are not ours and are ignored
REWARD_KWARGS = frozenset({"rewards", "gate", "mode", "deadline_s", "workers"})


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
    return parse_rewards(rewards, gate=gate, workers=workers, deadline_s=deadline_s,
                         verifiers=verifiers)


def _set_of(kwargs: Mapping[str, Any]) -> RewardSet:
    # verl binds reward_kwargs into every call; other keys verl adds are not ours and are ignored.
    return reward_set(str(kwargs.get("rewards", "correct")), kwargs.get("gate"),
                      str(kwargs.get("mode", "strict")), float(kwargs.get("deadline_s", 10.0)),
                      int(kwargs.get("workers", 1)))


def score_rows(rs: RewardSet, data_sources: Sequence[Any], solution_strs: Sequence[Any],
               ground_truths: Sequence[Any], extra_infos: Sequence[Any]) -> list[Scored]:
    """verl rows -> one Scored each, in order: ungradable rows masked, the rest in one batch."""
    results: list[Scored | None] = [None] * len(solution_strs)
    index, completions, problems = [], [], []
    for i, (source, solution, truth, extra) in enumerate(zip(data_sources, solution_strs,
                                                             ground_truths, extra_infos)):
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


def compute_score(data_source: Any, solution_str: Any, ground_truth: Any,
                  extra_info: Mapping[str, Any] | None = None,
                  **reward_kwargs: Any) -> dict[str, float]:
    """verl's custom reward function: {"score", "acc", "masked", <reward>: ...} per row. Without
    reward_kwargs of ours it is the default math reward (strict answer equivalence, in-process);
    with them (rewards=, gate=, mode=, deadline_s=, workers=) the set they name, under the
    deadline."""
    if reward_kwargs.keys() & REWARD_KWARGS:
        return verl_result(score_rows(_set_of(reward_kwargs), [data_source], [solution_str],
                                      [ground_truth], [extra_info])[0])
    return _default_verl()(data_source, solution_str, ground_truth, extra_info)


def compute_score_float(data_source: Any, solution_str: Any, ground_truth: Any,
                        extra_info: Mapping[str, Any] | None = None, **reward_kwargs: Any) -> float:
    """For the legacy `prime` manager, which keeps only numbers (a dict becomes 0 there). A float
    cannot say "masked": a masked row is 0.0 here, so prefer a manager that reads dicts."""
    return compute_score(data_source, solution_str, ground_truth, extra_info,
                         **reward_kwargs)["score"]


def compute_score_batch(data_sources: Sequence[Any], solution_strs: Sequence[Any],
                        ground_truths: Sequence[Any], extra_infos: Sequence[Any] | None = None,
                        **reward_kwargs: Any) -> list[dict[str, float]]:
    """For the legacy `batch` manager: keyword lists in, one dict per row out, scored together."""
    n = len(solution_strs)
    if not len(data_sources) == len(ground_truths) == n or (
        extra_infos is not None and len(extra_infos) != n
    ):
        raise ValueError(
            "data_sources, solution_strs, ground_truths and extra_infos must have the same length"
        )
    infos = list(extra_infos) if extra_infos is not None else [None] * n
    rows = score_rows(_set_of(reward_kwargs), list(data_sources), list(solution_strs),
                      list(ground_truths), infos)
    return [verl_result(r) for r in rows]


def verl_problem(data_source: Any, ground_truth: Any, extra_info: Mapping[str, Any] | None = None,
                 *, index: int = 0) -> Problem:
    """A verl row as a Problem. `ground_truth` is the math gold, or (verl/PRIME code datasets) a
    JSON object {"inputs": [...], "outputs": [...]} of stdin/stdout pairs, as text or parsed."""
    fields = dict(extra_info) if isinstance(extra_info, Mapping) else {}
    fields.setdefault("source", data_source)
    tests = _code_tests_of(ground_truth)
    if tests is None:
        fields["answer"] = ground_truth
    else:
        fields["tests"] = tests
    return problem_from_fields(fields, index=index)


def _code_tests_of(ground_truth: Any) -> list[Any] | None:
    """Stdio tests from a PRIME-style ground truth, or None when it is not one (a math gold).
    Call-based rows (fn_name) and malformed pairs raise ValueError: ungradable, never a 0."""
    value = ground_truth
    if isinstance(value, str) and value.lstrip().startswith("{"):
        try:
            value = json.loads(value)
        except (ValueError, RecursionError):
            return None
    if not (isinstance(value, Mapping) and "inputs" in value and "outputs" in value):
        return None
    if value.get("fn_name"):
        raise ValueError(
            f"ground_truth: call-based tests (fn_name={value['fn_name']!r}) are not supported"
        )
    inputs, outputs = value["inputs"], value["outputs"]
    if not (
        isinstance(inputs, list)
        and isinstance(outputs, list)
        and len(inputs) == len(outputs)
        and inputs
    ):
        raise ValueError(
            "ground_truth: 'inputs' and 'outputs' must be non-empty lists of the same length"
        )
    if not all(isinstance(x, str) for x in inputs + outputs):
        raise ValueError("ground_truth: every input and output must be a string")
    return [{"input": i, "output": o} for i, o in zip(inputs, outputs)]


def verl_result(scored: Scored) -> dict[str, float]:
    """What verl's reward managers read: `score` (0.0 when masked, next to `masked` = 1.0, since
    verl has no channel for "no reward"), `acc` (the first reward's score: the accuracy reward by
    convention) and one key per reward, landing in reward_extra_info."""
    first = next(iter(scored.verdicts.values()))
    out = {"score": 0.0 if scored.masked else scored.reward, "masked": float(scored.masked),
           "acc": 0.0 if scored.masked else first.score}
    out.update({name: v.score for name, v in scored.verdicts.items()})
    return out


def verl_scored(reward_set: RewardSet, data_source: Any, solution_str: Any, ground_truth: Any,
                extra_info: Any = None) -> Scored:
    """One verl row through `reward_set`; a row we cannot turn into a Problem is masked."""
    try:
        problem = verl_problem(data_source, ground_truth, extra_info)
    except ValueError as exc:  # ungradable here: masked, never scored 0
        return reward_set.failed("verifier_error", str(exc))
    return reward_set.score(completion=_text(solution_str), problem=problem)


def make_verl_compute_score(rewards: RewardSet | str = "correct") -> Callable[...,
                                                                              dict[str, float]]:
    """verl's custom reward function (`custom_reward_function.path/name`):
    compute_score(data_source, solution_str, ground_truth, extra_info=None) -> {"score": ..., ...}.
    The extra keys (acc, one per reward, and "masked") land in verl's reward_extra_info."""
    chosen = parse_rewards(rewards) if isinstance(rewards, str) else rewards

    def compute_score(data_source: Any, solution_str: str, ground_truth: Any,
                      extra_info: Mapping[str, Any] | None = None, **_: Any) -> dict[str, float]:
        return verl_result(verl_scored(chosen, data_source, solution_str, ground_truth, extra_info))

    return compute_score


_VERL: list[Callable[..., dict[str, float]]] = []


def _default_verl() -> Callable[..., dict[str, float]]:
    if not _VERL:  # built on first call: the math verifier is imported only when used
        _VERL.append(make_verl_compute_score("correct"))
    return _VERL[0]
