"""OpenRLHF's reward shapes, shared by the server's /get_reward and the `reward_func` file that
OpenRLHF loads itself (`--reward.remote_url /path/to/this/openrlhf.py`): decoded sequences in,
`{"rewards", "scores", "extra_logs"}` out. It parses and answers; scoring is a RewardSet's job
(in this process, or on a Ray pool named by VERITY_RAY_POOL).

The file form reads its configuration from the environment, since OpenRLHF passes only rows:
VERITY_REWARDS ("correct,format=0.5"; default "correct"), VERITY_GATE, VERITY_WORKERS (default 2),
VERITY_DEADLINE_S (default 10), VERITY_RAY_POOL (score on that running RayRewardPool instead).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Sequence
from typing import Any

from verifiers.base import Problem
from verifiers.integrations.adapters import parse_rewards, problem_from_fields, verl_problem
from verifiers.rewards import RewardSet, Scored

# Special tokens a decoded sequence may end with (chat templates, EOS, padding): cut from the
# response, so that a format reward sees the text the model wrote.
_TRAILING_SPECIAL = re.compile(r"(?:\s*(?:<\|[^<>|]{1,40}\|>|</s>|<eos>|<pad>))+\s*$")

Scorer = Callable[[RewardSet, list[str], list[Problem]], list[Scored]]


def cut_response(query: str, prompt: str) -> str | None:
    """The response inside OpenRLHF's decoded sequence (padding + prompt + response, special
    tokens included), or None when the prompt is not in it: then the row cannot be scored. The
    first occurrence counts: a response that repeats the prompt must not hide its own beginning
    (e.g. a first, hedged answer) from the verifiers."""
    at = query.find(prompt) if prompt else -1
    if at < 0:
        return None
    return _TRAILING_SPECIAL.sub("", query[at + len(prompt):])


def score_rows(rs: RewardSet, queries: Sequence[str], prompts: Sequence[str], labels: Sequence[Any],
               scorer: Scorer) -> list[Scored]:
    """One Scored per row, in order: rows that cannot be scored (prompt not in the query, a code
    label that is not usable) are masked; the others go to `scorer` in one batch."""
    results: list[Scored | None] = [None] * len(queries)
    index, completions, problems = [], [], []
    for i, (query, prompt, label) in enumerate(zip(queries, prompts, labels)):
        response = cut_response(query, prompt)
        if response is None:
            results[i] = rs.failed("verifier_error",
                                   "the prompt is not inside the query: nothing to score")
            continue
        fields: dict[str, Any] = {"question": prompt, "id": i}
        try:
            tests = verl_problem(None, label).tests if isinstance(label, (str, dict)) else None
        except ValueError as exc:  # a code label we cannot run: masked, never 0
            results[i] = rs.failed("verifier_error", str(exc))
            continue
        if tests is not None:
            fields["tests"] = tests
        elif label is not None:
            # problem_from_fields reads it (a NaN gold: masked, not graded)
            fields["answer"] = label
        index.append(i)
        completions.append(response)
        problems.append(problem_from_fields(fields, index=i))
    for i, scored in zip(index, scorer(rs, completions, problems) if completions else []):
        results[i] = scored
    if any(r is None for r in results):
        # our bug: an error, never rewards
        raise RuntimeError("a row was neither scored nor masked")
    return results  # type: ignore[return-value]


def reply(rs: RewardSet, results: Sequence[Scored]) -> dict[str, Any]:
    """OpenRLHF stops on None, so a masked row is 0.0 with extra_logs.masked = 1 (per row)."""
    rewards = [0.0 if r.masked else r.reward for r in results]
    logs: dict[str, list[float]] = {"masked": [float(r.masked) for r in results]}
    for name in rs.names:
        logs[name] = [0.0 if r.masked else r.verdicts[name].score for r in results]
    return {"rewards": rewards, "scores": rewards, "extra_logs": logs}


_FILE_SET: list[RewardSet] = []


def _file_set() -> RewardSet:
    if not _FILE_SET:
        _FILE_SET.append(parse_rewards(os.environ.get("VERITY_REWARDS", "correct"),
                                       gate=os.environ.get("VERITY_GATE"),
                                       workers=int(os.environ.get("VERITY_WORKERS", "2")),
                                       deadline_s=float(os.environ.get("VERITY_DEADLINE_S", "10"))))
    return _FILE_SET[0]


def _local(rs: RewardSet, completions: list[str], problems: list[Problem]) -> list[Scored]:
    try:
        return rs.score_batch(completions, problems)
    # a sandbox-holding set cannot reach the deadline pool: the sandbox bounds it
    except ValueError:
        return [rs.score(completion=c, problem=p) for c, p in zip(completions, problems)]


def reward_func(queries: Sequence[str], prompts: Sequence[str], labels: Sequence[Any] | None = None,
                **_: Any) -> dict[str, Any]:
    """OpenRLHF's custom reward function (`--reward.remote_url /path/to/openrlhf.py`)."""
    labels = list(labels) if labels is not None else [None] * len(queries)
    rs = _file_set()
    pool_name = os.environ.get("VERITY_RAY_POOL")
    if pool_name:
        from verifiers.integrations.ray_pool import connected

        pool = connected(pool_name)
        rs = pool.masker(pool.set_names[0])
        results = score_rows(rs, queries, prompts, labels, lambda _rs, c,
                             p: pool.score_batch_sync(c, p))
    else:
        results = score_rows(rs, queries, prompts, labels, _local)
    out = reply(rs, results)
    try:
        import torch
    except ImportError:
        return out
    return {"rewards": torch.tensor(out["rewards"]), "scores": torch.tensor(out["scores"]),
            "extra_logs": {k: torch.tensor(v) for k, v in out["extra_logs"].items()}}
