"""The stages of one GRPO step that rl/train.py's loop calls: draw a batch of groups (prompts,
rollouts, rewards, advantages), refill it DAPO-style, update the policy on it, and score the
greedy held-out accuracy; it builds nothing from config and writes nothing (rl/train.py does)."""

from __future__ import annotations

import contextlib
import math
import time
from collections import Counter
from functools import partial

import torch

from rl.distributed import ONE_PROCESS, Dist
from rl.grpo import AlgoConfig, group_advantages, overlong_shaping, policy_loss
from rl.policy import PolicyConfig, adapters_off, row_chunks, token_logprobs
from rl.prompts import PromptTemplate
from rl.rollout import SamplingConfig
from rl.scoring import Groups, score


def draw(problems, template: PromptTemplate, rollout, rewards, algo: AlgoConfig,
         scfg: SamplingConfig, times: Counter) -> Groups:
    """Stages 1-5 of a step for a batch of problems; adds stage wall times to `times`."""
    t0 = time.perf_counter()
    G = scfg.group_size
    prompts = [template(p) for p in problems]                                  # 2 prompts [B]
    batch = rollout.generate(prompts, G)                                       # 3 rollouts [N]
    t1 = time.perf_counter()
    targets = [p for p in problems for _ in range(G)]
    scores = score(rewards, batch.texts, targets, batch.ids.device)            # 4 rewards [N]
    shaping = overlong_shaping(batch.lengths, scfg.max_new_tokens, algo.overlong_buffer,
                               algo.overlong_penalty)
    r = scores.total + shaping
    adv, zero = group_advantages(r.view(-1, G), scores.valid.view(-1, G), algo.scale_std,
                                 algo.std_eps)                                 # 5 advantages [B, G]
    times.update({"rollout": t1 - t0, "verify": time.perf_counter() - t1})
    return Groups(prompts, batch, scores, r, adv.flatten(), zero)


def refill(s: Groups, more, B: int, algo: AlgoConfig, dist: Dist) -> tuple[Groups, int]:
    """DAPO's dynamic sampling: zero-variance groups leave, `more()` draws fresh batches until B
    groups (over all ranks) remain or max_draws batches were drawn; verl keeps the first B.
    Returns the kept groups and the number of prompts drawn."""
    parts = [s.keep(~s.zero)]
    drawn = B
    while dist.total(sum(len(p.prompts) for p in parts)) < B and drawn < B * algo.max_draws:
        fresh = more()
        parts.append(fresh.keep(~fresh.zero))
        drawn += B
    kept = Groups.concat(parts)
    if not dist.total(len(kept.prompts)):
        return s, drawn  # nothing had variance: the first draw, all zero-advantage
    return kept.keep(dist.first_groups([len(p.prompts) for p in parts], B)), drawn


def update(model, ref, opt, batch, adv, algo: AlgoConfig, pcfg: PolicyConfig,
           max_grad_norm: float, dist: Dist = ONE_PROCESS) -> dict:
    """mu optimizer steps on one rollout batch (this rank's rows), micro-batched; returns loss
    statistics. `model` is the trainable policy as rl/distributed.py wrapped it (itself for one
    process): every log-prob forward goes through it, so DDP's and FSDP2's hooks fire."""
    w = dist.token_weights(batch.completion_mask, algo.loss_agg)  # [N, T], batch-wide normalisers
    # rows with A = 0 get exactly zero gradient when beta = 0 and mu = 1: skipping them is exact
    every = algo.beta > 0 or algo.mu > 1
    rows = torch.arange(len(adv), device=adv.device) if every else adv.nonzero().flatten()
    chunks = row_chunks(rows.cpu(), batch.group_size, pcfg.micro_batch)
    logprobs = partial(token_logprobs, batch=batch, packing=pcfg.packing,
                       chunk_tokens=pcfg.logit_chunk_tokens)
    ref_lp = None
    old_lp = None
    with torch.no_grad(), dist.gathered(ref), dist.gathered(model if algo.mu > 1 else None):
        if algo.beta > 0:  # under LoRA (ref None) the reference is the policy, adapters off
            with adapters_off(model) if ref is None else contextlib.nullcontext():
                ref_lp = [logprobs(model if ref is None else ref, rows=c)[0] for c in chunks]
        if algo.mu > 1:
            old_lp = [logprobs(model, rows=c)[0] for c in chunks]
    stats = Counter()
    for _ in range(algo.mu):
        opt.zero_grad()
        for k, c in dist.micro_batches(model, chunks):
            lp, ent = logprobs(model, rows=c)
            parts = policy_loss(lp, adv[c], w[c], algo, None if old_lp is None else old_lp[k],
                                None if ref_lp is None else ref_lp[k])
            dist.backward(parts.loss)
            stats.update({"loss/policy": parts.loss.item(), "kl": parts.kl_sum,
                          "clip": parts.clip_sum, "tok": parts.tokens,
                          "ent": float((ent * w[c].gt(0)).sum())})
        grad_norm = torch.nn.utils.clip_grad_norm_(model.parameters(), max_grad_norm)
        if not (math.isfinite(stats["loss/policy"]) and torch.isfinite(grad_norm)):
            raise FloatingPointError(f"non-finite loss ({stats['loss/policy']}) "
                                     f"or gradient norm ({grad_norm})")
        opt.step()
    stats = dist.sums(stats)
    tok = max(stats["tok"], 1)
    return {"loss/policy": stats["loss/policy"] / algo.mu, "loss/kl": stats["kl"] / tok,
            "loss/clip_frac": stats["clip"] / tok, "loss/entropy": stats["ent"] / tok,
            "optim/grad_norm": float(grad_norm)}


def greedy_accuracy(rollout, problems, reward, template: PromptTemplate, batch_size: int) -> float:
    """Greedy held-out accuracy (eval/accuracy): the share of problems the one-reward set `reward`
    scores 1, decoded `batch_size` prompts at a time so the KV cache stays bounded."""
    passed = 0
    for b in range(0, len(problems), batch_size):
        chunk = problems[b: b + batch_size]
        batch = rollout.generate([template(p) for p in chunk], 1, greedy=True)
        graded = score(reward, batch.texts, chunk).per_reward[reward.names[0]]
        passed += sum(x == 1.0 for x in graded)
    return passed / len(problems)


def samples(s: Groups) -> list[dict]:
    """One row per completion of a step's groups: prompt, completion, reward and reasons."""
    G = s.batch.group_size
    return [{"prompt": s.prompts[i // G], "completion": s.batch.texts[i], "reward": s.r[i].item(),
             **{f"reason/{k}": v[i] for k, v in s.scores.reasons.items()}}
            for i in range(len(s.r))]
