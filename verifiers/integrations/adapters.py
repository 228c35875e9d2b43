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

import functools
import json
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from verifiers.base import Problem, Verifier
from verifiers.rewards import Reward, RewardSet, Scored, summarize
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
        items = [(str(k), v) for k, v in spec.items()]
    else:
        parts = spec.split(",") if isinstance(spec, str) else list(spec)
        items = []
        for part in (p.strip() for p in parts):
            if not part:
                continue
            name, _, weight = part.partition("=")
            try:
                items.append((name.strip(), float(weight) if weight.strip() else 1.0))
            except ValueError:
                raise ValueError(f"rewards: weight {weight!r} of {name!r} is not a number") from None
    if not items:
        raise ValueError(f"rewards={spec!r} is not allowed; name at least one of {sorted(NAMED_REWARDS)}")
    rewards = []
    for name, weight in items:
        if name in given:
            rewards.append(Reward(name, given[name], weight))
            continue
        if name not in NAMED_REWARDS:
            raise ValueError(
                f"rewards: {name!r} is not allowed; use names from {sorted(set(NAMED_REWARDS) | set(given))}"
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
    answer = next((fields[k] for k in ("answer", "solution", "ground_truth", "gold") if fields.get(k) is not None), None)
    meta = {k: fields[k] for k in ("language", "source", "checker", "limits") if fields.get(k) is not None}
    return Problem(
        id=str(fields.get("id", index)),
        question=_text(fields.get("question") or fields.get("prompt") or fields.get("problem") or ""),
        answer=gold_text(answer),
        tests=fields.get("tests"),
        meta=meta,
    )


def _text(value: Any) -> str:
    """Plain text of a TRL completion/prompt: a string, or a conversation (list of messages)."""
    if isinstance(value, str):
        return value
    if isinstance(value, Sequence):
        return "".join(_text(m.get("content", "")) if isinstance(m, Mapping) else _text(m) for m in value)
    return "" if value is None else str(value)


def grade(completion: str, *, answer: str | None = None, task: str = "math",
          rewards: str | Sequence[str] | Mapping[str, float] | None = None, question: str = "",
          language: str | None = None, tests: Any = None) -> Scored:
    """One completion, every verdict: `grade(text, answer="5").verdicts["correct"].reason`."""
    if rewards is None:
        if task not in TASK_REWARDS:
            raise ValueError(f"task={task!r} is not allowed; use one of {sorted(TASK_REWARDS)} or name rewards")
        rewards = TASK_REWARDS[task]
    fields = {"answer": answer, "question": question, "language": language, "tests": tests}
    return parse_rewards(rewards).score(completion=completion, problem=problem_from_fields(fields))


def score(completion: str, **kwargs: Any) -> float | None:
    """The combined reward of one completion (`score(text, answer="5")` -> 1.0), or None when
    the sample is masked because our side failed. Arguments as for `grade`."""
    scored = grade(completion, **kwargs)
    return None if scored.masked else scored.reward


class TRLReward:
    """A TRL reward function: `reward(prompts=..., completions=..., completion_ids=..., **columns)`
    returns one float per completion, or None for a masked one. Dataset columns named answer /
    solution / ground_truth, language, tests and id reach the Problem. With TRL's `log_metric`
    the per-reward means and reason counts are logged next to TRL's own metrics; with
    `log_extra` each row's reason ("masked:<reason>" when masked) appears in TRL's completions
    table. `pool=` (a RayRewardPool) scores on a Ray cluster instead of this process."""

    def __init__(self, rewards: RewardSet | str = "correct", *, name: str = "verity", pool: Any = None,
                 reward_set: str | None = None) -> None:
        self.pool, self.reward_set = pool, reward_set
        if pool is not None:
            self.rewards = pool.masker(reward_set or pool.set_names[0])
        else:
            self.rewards = parse_rewards(rewards) if isinstance(rewards, str) else rewards
        self.__name__ = name  # TRL names the reward column after __name__

    def _inputs(self, prompts: Sequence[Any], completions: Sequence[Any], kwargs: dict[str, Any]):
        columns = {k: v for k, v in kwargs.items() if isinstance(v, list) and len(v) == len(completions)}
        problems = []
        for i, prompt in enumerate(prompts):
            fields = {k: v[i] for k, v in columns.items()}
            fields.setdefault("question", _text(prompt))
            problems.append(problem_from_fields(fields, index=i))
        return [_text(c) for c in completions], problems

    def _report(self, results: Sequence[Scored], log_metric: Any, log_extra: Any) -> list[float | None]:
        if callable(log_metric):
            for key, value in summarize(results).items():
                if not math.isnan(value):
                    log_metric(f"{self.__name__}/{key}", value)
        if callable(log_extra):
            reasons = [("masked:" if r.masked else "") + next(iter(r.verdicts.values())).reason for r in results]
            log_extra(f"{self.__name__}_reason", reasons)
        return [None if r.masked else r.reward for r in results]

    def __call__(self, prompts: Sequence[Any], completions: Sequence[Any],
                 completion_ids: Sequence[Sequence[int]] | None = None, **kwargs: Any) -> list[float | None]:
        log_metric, log_extra = kwargs.pop("log_metric", None), kwargs.pop("log_extra", None)
        texts, problems = self._inputs(prompts, completions, kwargs)
        if self.pool is not None:
            results = self.pool.score_batch_sync(texts, problems, self.reward_set)
        else:
            results = self.rewards.score_batch(texts, problems, completion_ids)
        return self._report(results, log_metric, log_extra)


class AsyncTRLReward(TRLReward):
    """The same reward for TRL's async path (TRL gathers async reward functions concurrently
    with its other rewards): scoring runs off the event loop, or on the Ray pool."""

    async def __call__(self, prompts: Sequence[Any], completions: Sequence[Any],  # type: ignore[override]
                       completion_ids: Sequence[Sequence[int]] | None = None, **kwargs: Any) -> list[float | None]:
        import asyncio

        log_metric, log_extra = kwargs.pop("log_metric", None), kwargs.pop("log_extra", None)
        texts, problems = self._inputs(prompts, completions, kwargs)
        if self.pool is not None:
            results = await self.pool.score_batch(texts, problems, self.reward_set)
        else:
            results = await asyncio.to_thread(self.rewards.score_batch, texts, problems, completion_ids)
        return self._report(results, log_metric, log_extra)


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


def _code_tests_of(ground_truth: Any) -> list | None:
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
        raise ValueError(f"ground_truth: call-based tests (fn_name={value['fn_name']!r}) are not supported")
    inputs, outputs = value["inputs"], value["outputs"]
    if not (isinstance(inputs, list) and isinstance(outputs, list) and len(inputs) == len(outputs) and inputs):
        raise ValueError("ground_truth: 'inputs' and 'outputs' must be non-empty lists of the same length")
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


def make_verl_compute_score(rewards: RewardSet | str = "correct") -> Callable[..., dict[str, float]]:
    """verl's custom reward function (`custom_reward_function.path/name`):
    compute_score(data_source, solution_str, ground_truth, extra_info=None) -> {"score": ..., ...}.
    The extra keys (acc, one per reward, and "masked") land in verl's reward_extra_info."""
    reward_set = parse_rewards(rewards) if isinstance(rewards, str) else rewards

    def compute_score(data_source: Any, solution_str: str, ground_truth: Any,
                      extra_info: Mapping[str, Any] | None = None, **_: Any) -> dict[str, float]:
        return verl_result(verl_scored(reward_set, data_source, solution_str, ground_truth, extra_info))

    return compute_score


def compute_score(data_source: Any, solution_str: str, ground_truth: Any,
                  extra_info: Mapping[str, Any] | None = None, **kwargs: Any) -> dict[str, float]:
    """verl entry point: the default math reward (strict answer equivalence), or what verl's
    `reward_kwargs` name (rewards=, gate=, mode=, deadline_s=; see verifiers.integrations.verl)."""
    if kwargs.keys() & {"rewards", "gate", "mode", "deadline_s", "workers"}:
        from verifiers.integrations import verl

        return verl.compute_score(data_source, solution_str, ground_truth, extra_info, **kwargs)
    return _default_verl()(data_source, solution_str, ground_truth, extra_info, **kwargs)


_VERL: list[Callable[..., dict[str, float]]] = []


def _default_verl() -> Callable[..., dict[str, float]]:
    if not _VERL:  # built on first call: the math verifier is imported only when used
        _VERL.append(make_verl_compute_score("correct"))
    return _VERL[0]
