"""Group-relative advantages and clipped policy losses (GRPO and its published variants) as pure
tensor math on log-probs it is given; it never runs a model, samples or scores completions.

Notation: B prompts, G completions each, N = B*G sequences, T completion tokens; o_i is
completion i, |o_i| its length, r_i its scalar reward, m_{i,t} its completion mask.

Advantage (DeepSeekMath, Shao et al. 2024, arXiv:2402.03300, §4.1.2, outcome supervision):
    A_i = (r_i - mean_j r_j) / (std_j r_j + eps)    std: sample std (n-1), as GRPO write-ups do
  * only valid samples (not masked for infra errors) enter mean and std; masked ones get A_i = 0;
  * a group whose valid rewards all tie gets A_i = 0 exactly (std > eps lets 1e-8 noise through);
  * Dr. GRPO (Liu et al. 2025, arXiv:2503.20783, eq. 3) drops the division by std.

Per-token objective, rho = pi_theta / pi_old on token t of o_i:
    l_{i,t} = min(rho A_i, clip(rho, 1 - eps_low, 1 + eps_high) A_i) - beta * KL_{i,t}
    KL_{i,t} = pi_ref/pi_theta - log(pi_ref/pi_theta) - 1
               (k3 estimator, Schulman 2020; in the loss, not the reward, as DeepSeekMath)
  * clip-higher eps_high > eps_low is DAPO's (Yu et al. 2025, arXiv:2503.14476, §3.1);
  * GSPO (Zheng et al. 2025, arXiv:2507.18071, eq. 7) puts s_i = exp(mean_t log rho_{i,t}) for rho;
With mu = 1 update per rollout pi_old = sg(pi_theta): rho = 1 in value, its gradient is grad log pi.

Loss = -sum_{i,t} w_{i,t} l_{i,t}, where the aggregation mode picks the weights:
    seq_mean_token_mean   w = m / (|o_i| N)        DeepSeekMath eq. 3 (GRPO, R1-Zero, GSPO)
    token_mean            w = m / sum_{i,t} m      DAPO eq. 8: long answers are not down-weighted
    seq_mean_token_sum_norm  w = m / (T_max N)     Dr. GRPO: a constant normaliser, no length bias
Weights are computed once for the whole batch, so summing micro-batch losses gives exactly the
full-batch loss; rows with A_i = 0 and beta = 0 contribute nothing and may be skipped.

Presets (conf/algo/*.yaml): grpo (std scaling, eps 0.2, beta 0.04, seq_mean_token_mean), dr_grpo
(no std, beta 0, seq_mean_token_sum_norm), dapo (token_mean, eps 0.2/0.28, beta 0, overlong soft
punishment, dynamic sampling §3.2: zero-variance groups leave, fresh prompts refill up to B groups,
at most max_draws batches), r1_zero (beta 0.001, G = 16; DeepSeek-R1 arXiv:2501.12948), gspo
(sequence ratio, eps 3e-4/4e-4, beta 0).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

LOSS_AGGS = ("seq_mean_token_mean", "token_mean", "seq_mean_token_sum_norm")
RATIOS = ("token", "sequence")


@dataclass(frozen=True)
class AlgoConfig:
    scale_std: bool = True
    epsilon: float = 0.2
    epsilon_high: float = 0.2
    beta: float = 0.04
    loss_agg: str = "seq_mean_token_mean"
    ratio: str = "token"
    mu: int = 1
    dynamic_sampling: bool = False
    max_draws: int = 3
    overlong_buffer: int = 0
    overlong_penalty: float = 1.0
    std_eps: float = 1e-4

    def __post_init__(self) -> None:
        if self.loss_agg not in LOSS_AGGS:
            raise ValueError(f"algo.loss_agg={self.loss_agg!r} is not allowed; "
                             f"use one of {LOSS_AGGS}")
        if self.ratio not in RATIOS:
            raise ValueError(f"algo.ratio={self.ratio!r} is not allowed; use one of {RATIOS}")
        for key in ("epsilon", "epsilon_high", "beta", "std_eps", "overlong_penalty"):
            if getattr(self, key) < 0:
                raise ValueError(f"algo.{key}={getattr(self, key)!r} must be >= 0")
        if self.mu < 1 or self.overlong_buffer < 0 or self.max_draws < 1:
            raise ValueError(f"algo.mu={self.mu!r} and algo.max_draws={self.max_draws!r} must be "
                             f">= 1 and algo.overlong_buffer={self.overlong_buffer!r} >= 0")


def group_advantages(rewards: torch.Tensor, valid: torch.Tensor, scale_std: bool = True,
                     eps: float = 1e-4) -> tuple[torch.Tensor, torch.Tensor]:
    """rewards, valid: [B, G] -> (advantages [B, G], zero_variance [B] bool)."""
    v = valid.to(rewards.dtype)
    n = v.sum(-1, keepdim=True)  # [B, 1]
    mean = (rewards * v).sum(-1, keepdim=True) / n.clamp(min=1)
    var = (((rewards - mean) * v) ** 2).sum(-1, keepdim=True) / (n - 1).clamp(min=1)
    big, small = torch.finfo(rewards.dtype).max, torch.finfo(rewards.dtype).min
    spread = rewards.masked_fill(~valid, small).amax(-1) - rewards.masked_fill(~valid, big).amin(-1)
    zero = ~(spread > 0)  # [B]; also true for groups with fewer than two valid samples
    adv = rewards - mean
    if scale_std:
        adv = adv / (var.sqrt() + eps)
    adv = adv.masked_fill(~valid | zero[:, None], 0.0)
    return adv, zero


def overlong_shaping(lengths: torch.Tensor, max_new_tokens: int, buffer: int,
                     penalty: float) -> torch.Tensor:
    """DAPO eq. 13 soft overlong punishment, lengths [N] -> reward term [N] in [-penalty, 0]:
    0 up to max_new_tokens - buffer, then a linear ramp down to -penalty at max_new_tokens."""
    if buffer <= 0:
        return torch.zeros_like(lengths, dtype=torch.float32)
    over = (lengths.float() - (max_new_tokens - buffer)).clamp(min=0) / buffer
    return -penalty * over.clamp(max=1.0)


def token_weights(mask: torch.Tensor, loss_agg: str, dtype: torch.dtype = torch.float32, *,
                  n_seqs: int | None = None, n_tokens: float | None = None,
                  max_len: int | None = None) -> torch.Tensor:
    """mask [N, T] -> aggregation weights [N, T] for the whole batch (see module docstring). When
    mask holds only some rows of the batch (one rank's), n_seqs, n_tokens and max_len give the
    batch's N, sum m and T (all-reduced by rl/distributed.py); None means this mask's own."""
    m = mask.to(dtype)
    N = m.shape[0] if n_seqs is None else n_seqs
    T = m.shape[1] if max_len is None else max_len
    if loss_agg == "seq_mean_token_mean":
        return m / (m.sum(-1, keepdim=True).clamp(min=1) * N)
    if loss_agg == "token_mean":
        return m / (m.sum().clamp(min=1) if n_tokens is None else max(n_tokens, 1.0))
    if loss_agg == "seq_mean_token_sum_norm":
        return m / (T * N)
    raise ValueError(f"loss_agg={loss_agg!r} is not allowed; use one of {LOSS_AGGS}")


@dataclass
class LossParts:
    loss: torch.Tensor  # scalar; sums over micro-batches to the full-batch loss
    kl_sum: float  # kl_sum, clip_sum, tokens: sums over completion tokens, for metrics
    clip_sum: float
    tokens: float


def policy_loss(logp: torch.Tensor, adv: torch.Tensor, weights: torch.Tensor, cfg: AlgoConfig,
                old_logp: torch.Tensor | None = None,
                ref_logp: torch.Tensor | None = None) -> LossParts:
    """logp, old_logp, ref_logp, weights: [N, T]; adv: [N]. old_logp None means mu = 1."""
    mask = weights > 0
    old = logp.detach() if old_logp is None else old_logp
    log_ratio = logp - old  # [N, T]
    if cfg.ratio == "sequence":
        n_tok = mask.sum(-1, keepdim=True).clamp(min=1)
        log_ratio = ((log_ratio * mask).sum(-1, keepdim=True) / n_tok).expand_as(logp)
    ratio = log_ratio.exp()
    A = adv[:, None]  # [N, 1]
    clipped = ratio.clamp(1 - cfg.epsilon, 1 + cfg.epsilon_high)
    surrogate = torch.minimum(ratio * A, clipped * A)  # [N, T]
    kl = torch.zeros_like(logp)
    if cfg.beta > 0:
        if ref_logp is None:
            raise ValueError("algo.beta > 0 needs reference log-probs (ref_logp)")
        d = ref_logp - logp
        kl = d.exp() - d - 1
    loss = -((surrogate - cfg.beta * kl) * weights).sum()
    is_clipped = ((ratio > 1 + cfg.epsilon_high) & (A > 0)) | ((ratio < 1 - cfg.epsilon) & (A < 0))
    return LossParts(loss, float((kl.detach() * mask).sum()), float((is_clipped & mask).sum()),
                     float(mask.sum()))
