"""Reward composition: named, weighted verifiers combined into one scalar per completion, with
an optional gate, masking of our own failures, and batch scoring on the deadline pool; it judges
nothing itself and turns no scalar into an advantage (that is `rl/`).

Masking, not punishing: a verdict with `infra_error`, a verifier that raises, or a verifier that
overruns its deadline says nothing about the policy. Scoring such a sample 0 would teach the
policy to avoid whatever made *our* code fail, so the sample is masked (the trainer excludes it
from group statistics and gives it advantage 0) and counted, so that a run can stop when the
count grows. Only rewards with a non-zero weight (and the gate) can mask: a weight-0 reward is
computed and logged, never optimised.
"""

from __future__ import annotations

import math
import os
import pickle
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from verifiers.base import Problem, Verdict, Verifier

# Reasons the composition itself gives, on top of each verifier's own REASONS.
REASONS = frozenset({"verifier_error", "deadline"})
_NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_RESERVED = ("mean", "masked")  # metric names summarize() uses next to reward/<name>
# Rows per message to a pool worker: few round trips, yet a batch still spreads over every worker.
CHUNK_ROWS = 16


@dataclass(frozen=True)
class Reward:
    """One named term of the reward: `weight` × `verifier`'s score. Weight 0 = logged only."""

    name: str
    verifier: Verifier
    weight: float = 1.0

    def __post_init__(self) -> None:
        if (not isinstance(self.name, str) or not _NAME_RE.fullmatch(self.name)
                or self.name in _RESERVED):
            raise ValueError(
                f"name={self.name!r} is not allowed; use letters, digits and _ (not {_RESERVED})"
            )
        if not callable(self.verifier) or not hasattr(self.verifier, "REASONS"):
            raise ValueError(
                f"verifier={self.verifier!r} is not allowed; use a Verifier (callable with REASONS)"
            )
        if (
            isinstance(self.weight, bool)
            or not isinstance(self.weight, (int, float))
            or not math.isfinite(self.weight)
        ):
            raise ValueError(f"weight={self.weight!r} is not allowed; use a finite number")
        object.__setattr__(self, "weight", float(self.weight))


@dataclass(frozen=True)
class Scored:
    """The outcome for one completion. `reward` is 0.0 and meaningless when `masked`."""

    reward: float
    masked: bool
    verdicts: Mapping[str, Verdict] = field(default_factory=dict)


def _call(reward: Reward, completion: str, problem: Problem, completion_ids: Any) -> Verdict:
    """One verifier call that never raises: an exception is our bug, reported as infra."""
    try:
        kwargs: dict[str, Any] = {"completion": completion, "problem": problem}
        # Length and repetition shaping count tokens when the trainer has them.
        if completion_ids is not None and getattr(reward.verifier, "ACCEPTS_COMPLETION_IDS", False):
            kwargs["completion_ids"] = completion_ids
        verdict = reward.verifier(**kwargs)
        if not isinstance(verdict, Verdict):
            raise TypeError(f"returned {type(verdict).__name__}, not a Verdict")
        return verdict
    except Exception as exc:  # noqa: BLE001 - counted and masked, never scored against the policy
        return Verdict(0.0, "verifier_error", f"{type(exc).__name__}: {exc}"[:300],
                       infra_error=True)


@dataclass(frozen=True)
class RewardSet:
    """Weighted sum of `rewards`. With `gate` set to a reward's name, the other rewards count only
    when that reward scores at least `gate_threshold` (format must pass before accuracy counts);
    the gate's own weighted score always counts. `workers` and `deadline_s` configure
    `score_batch` (`workers=0` scores in this process, without deadlines)."""

    rewards: tuple[Reward, ...]
    gate: str | None = None
    gate_threshold: float = 1.0
    workers: int = 0
    deadline_s: float = 30.0

    def __post_init__(self) -> None:
        rewards = tuple(self.rewards)
        object.__setattr__(self, "rewards", rewards)
        if not rewards or not all(isinstance(r, Reward) for r in rewards):
            raise ValueError(f"rewards={self.rewards!r} is not allowed; use one or more Reward")
        names = [r.name for r in rewards]
        if len(set(names)) != len(names):
            raise ValueError(f"rewards={names} is not allowed; names must be unique")
        if self.gate is not None and self.gate not in names:
            raise ValueError(f"gate={self.gate!r} is not allowed; use None or one of {names}")
        if not (isinstance(self.gate_threshold, (int, float)) and 0.0 < self.gate_threshold <= 1.0):
            raise ValueError(f"gate_threshold={self.gate_threshold!r} is not allowed; use (0, 1]")
        if isinstance(self.workers, bool) or not isinstance(self.workers, int) or self.workers < 0:
            raise ValueError(f"workers={self.workers!r} is not allowed; use an integer >= 0")
        if not (isinstance(self.deadline_s, (int, float)) and self.deadline_s > 0):
            raise ValueError(f"deadline_s={self.deadline_s!r} is not allowed; use seconds > 0")

    @classmethod
    def from_mapping(cls, rewards: Mapping[str, Any], **kwargs: Any) -> RewardSet:
        """From a config mapping keyed by name: {name: Reward | Verifier | {verifier, weight}}."""
        out = []
        for name, spec in rewards.items():
            if isinstance(spec, Reward):
                out.append(Reward(name, spec.verifier, spec.weight))
            elif isinstance(spec, Mapping):
                verifier: Any = spec.get("verifier")  # Reward.__post_init__ checks it
                out.append(Reward(name, verifier, spec.get("weight", 1.0)))
            else:
                out.append(Reward(name, spec))
        return cls(tuple(out), **kwargs)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(r.name for r in self.rewards)

    def score(self, *, completion: str, problem: Problem, completion_ids: Any = None) -> Scored:
        verdicts = {r.name: _call(r, completion, problem, completion_ids) for r in self.rewards}
        return self.combine(verdicts)

    def combine(self, verdicts: Mapping[str, Verdict]) -> Scored:
        # The gate decides what counts, so its failure masks even at weight 0.
        if any(
            verdicts[r.name].infra_error
            for r in self.rewards
            if r.weight != 0.0 or r.name == self.gate
        ):
            return Scored(0.0, True, dict(verdicts))
        gate_open = self.gate is None or verdicts[self.gate].score >= self.gate_threshold
        total = sum(
            r.weight * verdicts[r.name].score
            for r in self.rewards
            if gate_open or r.name == self.gate
        )
        return Scored(total, False, dict(verdicts))

    def failed(self, reason: str, detail: str) -> Scored:
        """Every reward unanswered (the worker overran or died): masked."""
        verdict = Verdict(0.0, reason, detail[:300], infra_error=True)
        return Scored(0.0, True, {name: verdict for name in self.names})

    def score_batch(
        self,
        completions: Sequence[str],
        problems: Sequence[Problem],
        completion_ids: Sequence[Any] | None = None,
    ) -> list[Scored]:
        """Scores in input order. With `workers` > 0 each completion runs in a pool worker
        under `deadline_s`; the results equal those of `workers=0` except that an overrun
        becomes a masked "deadline" sample instead of hanging the trainer."""
        if len(completions) != len(problems) or (
            completion_ids is not None and len(completion_ids) != len(completions)
        ):
            raise ValueError("completions, problems and completion_ids must have the same length")
        ids = list(completion_ids) if completion_ids is not None else [None] * len(completions)
        from verifiers import pool  # deferred: spawning workers is only needed for batches

        if self.workers == 0 or pool.IN_WORKER:
            return [self.score(completion=c, problem=p, completion_ids=i)
                    for c, p, i in zip(completions, problems, ids)]
        for r in self.rewards:  # fail loudly here, not by masking every sample in the workers
            try:
                pickle.dumps(r.verifier)
            except Exception as exc:  # noqa: BLE001 - any pickling failure means the same
                raise ValueError(
                    f"workers={self.workers}: reward {r.name!r} cannot be sent to a worker process "
                    f"({type(exc).__name__}: {exc}); use a module-level verifier or workers=0"
                ) from None
        workers = min(self.workers, os.cpu_count() or 1) or 1
        # Rows travel in chunks (score_chunk); `workers` chunks run at once.
        rows = list(zip(completions, problems, ids))
        size = max(1, min(CHUNK_ROWS, -(-len(rows) // workers)))
        chunks = [rows[k:k + size] for k in range(0, len(rows), size)]
        if len(chunks) == 1:
            return self.score_chunk(chunks[0])
        with ThreadPoolExecutor(max_workers=min(workers, len(chunks))) as threads:
            return [scored for part in threads.map(self.score_chunk, chunks) for scored in part]

    def score_chunk(self, rows: Sequence[tuple[str, Problem, Any]]) -> list[Scored]:
        """(completion, problem, completion_ids) rows as one message to one pool worker, one
        pickled RewardSet for all, each row under its own `deadline_s` (pool.call_many); an
        overrun or a dead worker masks that row only. Callers have checked that the set can travel
        to a worker (score_batch does)."""
        from verifiers import pool

        workers = min(self.workers, os.cpu_count() or 1) or 1
        modules = sorted({type(r.verifier).__module__ for r in self.rewards} | {__name__})
        shared = pool.shared_pool(workers, modules, None)
        out = []
        for outcome in shared.call_many(_score_in_worker, [(self, *row) for row in rows],
                                        deadline_s=self.deadline_s):
            if outcome.status == "ok":
                out.append(outcome.value)
            else:
                out.append(
                    self.failed(
                        "deadline" if outcome.status == "timeout" else "verifier_error",
                        outcome.error,
                    )
                )
        return out


def _score_in_worker(reward_set: RewardSet, completion: str, problem: Problem, ids: Any) -> Scored:
    return reward_set.score(completion=completion, problem=problem, completion_ids=ids)


def summarize(results: Sequence[Scored]) -> dict[str, float]:
    """Metrics named as in DESIGN §5: `reward/mean` over unmasked samples, `reward/<name>` over
    that reward's non-infra verdicts, `verdict/<name>/<reason>` counts, `reward/masked` count."""
    out: dict[str, float] = {}
    kept = [r.reward for r in results if not r.masked]
    out["reward/mean"] = sum(kept) / len(kept) if kept else float("nan")
    out["reward/masked"] = float(sum(r.masked for r in results))
    by_name: dict[str, list[float]] = {}
    reasons: Counter[str] = Counter()
    for r in results:
        for name, verdict in r.verdicts.items():
            reasons[f"verdict/{name}/{verdict.reason}"] += 1
            if not verdict.infra_error:
                by_name.setdefault(name, []).append(verdict.score)
    for name, scores in by_name.items():
        out[f"reward/{name}"] = sum(scores) / len(scores)
    out.update({key: float(n) for key, n in sorted(reasons.items())})
    return out
