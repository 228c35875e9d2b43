"""Applies the configured rewards (name -> verifier, weight) to a batch of completions and returns
one scalar per completion plus every verdict's reason; it does not compute advantages.

This is the one place the loop touches verifiers, so switching to `verifiers.rewards` composition
when it lands is a change here only."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import torch

from verifiers.base import Problem, Verifier


@dataclass(frozen=True)
class Reward:
    name: str
    verifier: Verifier
    weight: float = 1.0


@dataclass
class Scores:
    total: torch.Tensor  # [N] weighted sum of verdict scores
    valid: torch.Tensor  # [N] bool; False where any verifier reported an infra error (masked)
    per_reward: dict[str, list[float]]  # name -> N scores
    reasons: dict[str, list[str]]  # name -> N reason codes


def build_rewards(spec: Mapping[str, Mapping]) -> list[Reward]:
    """spec: {name: {"verifier": <Verifier instance>, "weight": float}} (Hydra instantiates the
    verifier from its `_target_`)."""
    if not spec:
        raise ValueError("task.rewards is empty: configure at least one reward")
    return [Reward(name, s["verifier"], float(s.get("weight", 1.0))) for name, s in spec.items()]


def score(rewards: Sequence[Reward], completions: Sequence[str], problems: Sequence[Problem]) -> Scores:
    total = torch.zeros(len(completions))  # [N]
    valid = torch.ones(len(completions), dtype=torch.bool)  # [N]
    per, reasons = {}, {}
    for r in rewards:
        verdicts = [r.verifier(completion=c, problem=p) for c, p in zip(completions, problems)]
        per[r.name] = [v.score for v in verdicts]
        reasons[r.name] = [v.reason for v in verdicts]
        total += r.weight * torch.tensor(per[r.name])
        valid &= ~torch.tensor([v.infra_error for v in verdicts], dtype=torch.bool)
    return Scores(total, valid, per, reasons)
