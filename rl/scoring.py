"""Scores a batch of completions with the task's `verifiers.rewards.RewardSet` and hands the loop
tensors (one scalar and one validity flag per completion) plus every verdict's reason, kept with
their rollouts as `Groups`; it does not compute advantages. The one place the loop touches
verifiers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import torch

from rl.rollout import RolloutBatch
from verifiers.base import Problem
from verifiers.rewards import RewardSet


@dataclass
class Scores:
    total: torch.Tensor  # [N] weighted reward; 0 where masked
    valid: torch.Tensor  # [N] bool; False where our side failed (masked, never punished)
    per_reward: dict[str, list[float]]  # name -> N scores
    reasons: dict[str, list[str]]  # name -> N reason codes

    def rows(self, rows: list[int]) -> Scores:
        return Scores(
            self.total[rows],
            self.valid[rows],
            {k: [v[i] for i in rows] for k, v in self.per_reward.items()},
            {k: [v[i] for i in rows] for k, v in self.reasons.items()},
        )

    @staticmethod
    def concat(parts: list[Scores]) -> Scores:
        return Scores(torch.cat([s.total for s in parts]), torch.cat([s.valid for s in parts]),
                      {k: sum((s.per_reward[k] for s in parts), []) for k in parts[0].per_reward},
                      {k: sum((s.reasons[k] for s in parts), []) for k in parts[0].reasons})


def build_rewards(spec: Mapping[str, Mapping], only: str | None = None) -> RewardSet:
    """spec: {name: {"verifier": <Verifier>, "weight": float}}; `only` keeps one reward (eval)."""
    if only is not None and only not in spec:
        raise ValueError(f"task.eval_reward={only!r} is not one of task.rewards {sorted(spec)}")
    return RewardSet.from_mapping({k: v for k, v in spec.items() if only in (None, k)})


def score(rewards: RewardSet, completions: Sequence[str], problems: Sequence[Problem],
          device="cpu") -> Scores:
    """Scores on `device` (the policy's), beside the rollout tensors they are combined with."""
    results = rewards.score_batch(completions, problems)
    return Scores(torch.tensor([r.reward for r in results], dtype=torch.float32, device=device),
                  torch.tensor([not r.masked for r in results], dtype=torch.bool, device=device),
                  {n: [r.verdicts[n].score for r in results] for n in rewards.names},
                  {n: [r.verdicts[n].reason for r in results] for n in rewards.names})


@dataclass
class Groups:
    """What stages 1-5 produce for some prompts, G rows each: the update's input."""

    prompts: list[str]  # [B]
    batch: RolloutBatch  # [N]
    scores: Scores  # [N]
    r: torch.Tensor  # [N] reward incl. shaping
    adv: torch.Tensor  # [N]
    zero: torch.Tensor  # [B] bool: zero reward variance

    def keep(self, keep: torch.Tensor) -> Groups:
        rows = keep.repeat_interleave(self.batch.group_size).nonzero().flatten().tolist()
        return Groups(
            [p for p, k in zip(self.prompts, keep.tolist()) if k],
            self.batch.groups(keep),
            self.scores.rows(rows),
            self.r[rows],
            self.adv[rows],
            self.zero[keep],
        )

    @staticmethod
    def concat(parts: list[Groups]) -> Groups:
        return Groups(
            sum((p.prompts for p in parts), []),
            RolloutBatch.concat([p.batch for p in parts]),
            Scores.concat([p.scores for p in parts]),
            *(torch.cat([getattr(p, k) for p in parts]) for k in ("r", "adv", "zero")),
        )
