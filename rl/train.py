"""Hydra entry point of GRPO training: builds the pieces from config and runs the visible step
loop, one line per pipeline stage; the math lives in rl/grpo.py, sampling in rl/rollout.py.

    python rl/train.py +task=math [algo=dapo] [steps=300] [hydra.run.dir=runs/x]
"""

from __future__ import annotations

import contextlib
import math
import sys
import time
from collections import Counter
from functools import partial
from pathlib import Path

if __package__ in (None, ""):  # `python rl/train.py` puts rl/ on sys.path, not the repo root
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import hydra
import torch
from hydra.core.hydra_config import HydraConfig
from hydra.utils import instantiate
from omegaconf import DictConfig, OmegaConf

from rl.data import ProblemStream
from rl.evaluate import greedy_accuracy
from rl.grpo import AlgoConfig, group_advantages, overlong_shaping, policy_loss, token_weights
from rl.metrics import MetricsSink
from rl.policy import (
    PolicyConfig,
    adapters_off,
    load_checkpoint,
    load_policy,
    row_chunks,
    save_checkpoint,
    token_logprobs,
    trainable_parameters,
)
from rl.prompts import task_prompt
from rl.rollout import SamplingConfig, make_rollout
from rl.scoring import Groups, build_rewards, score
from rl.trackers import LoggerConfig, open_trackers


def draw(problems, template, rollout, rewards, algo: AlgoConfig, scfg: SamplingConfig, times: Counter) -> Groups:
    """Stages 1-5 of a step for a batch of problems; adds stage wall times to `times`."""
    t0, G = time.perf_counter(), scfg.group_size
    prompts = [template(p) for p in problems]                                            # 2 prompts [B]
    batch = rollout.generate(prompts, G)                                                 # 3 rollouts [N]
    t1 = time.perf_counter()
    scores = score(rewards, batch.texts, [p for p in problems for _ in range(G)], batch.ids.device)  # 4 [N]
    r = scores.total + overlong_shaping(batch.lengths, scfg.max_new_tokens, algo.overlong_buffer, algo.overlong_penalty)
    adv, zero = group_advantages(r.view(-1, G), scores.valid.view(-1, G), algo.scale_std, algo.std_eps)  # 5 [B, G]
    times.update({"rollout": t1 - t0, "verify": time.perf_counter() - t1})
    return Groups(prompts, batch, scores, r, adv.flatten(), zero)


def update(model, ref, opt, batch, adv, algo: AlgoConfig, pcfg: PolicyConfig, max_grad_norm: float):
    """mu optimizer steps on one rollout batch, micro-batched; returns loss statistics."""
    w = token_weights(batch.completion_mask, algo.loss_agg)  # [N, T] over the whole batch
    # rows with A = 0 get exactly zero gradient when beta = 0 and mu = 1: skipping them is exact
    rows = torch.arange(len(adv), device=adv.device) if algo.beta > 0 or algo.mu > 1 else adv.nonzero().flatten()
    chunks = row_chunks(rows.cpu(), batch.group_size, pcfg.micro_batch)
    logprobs = partial(token_logprobs, batch=batch, packing=pcfg.packing, chunk_tokens=pcfg.logit_chunk_tokens)
    with torch.no_grad():  # under LoRA (ref None) the reference is the policy with its adapters off
        with adapters_off(model) if algo.beta > 0 and ref is None else contextlib.nullcontext():
            ref_lp = [logprobs(model if ref is None else ref, rows=c)[0] for c in chunks] if algo.beta > 0 else None
        old_lp = [logprobs(model, rows=c)[0] for c in chunks] if algo.mu > 1 else None
    stats = Counter()
    for _ in range(algo.mu):
        opt.zero_grad()
        for k, c in enumerate(chunks):
            lp, ent = logprobs(model, rows=c)
            parts = policy_loss(lp, adv[c], w[c], algo, None if old_lp is None else old_lp[k],
                                None if ref_lp is None else ref_lp[k])
            parts.loss.backward()
            stats.update({"loss/policy": parts.loss.item(), "kl": parts.kl_sum, "clip": parts.clip_sum,
                          "tok": parts.tokens, "ent": float((ent * w[c].gt(0)).sum())})
        grad_norm = torch.nn.utils.clip_grad_norm_(trainable_parameters(model), max_grad_norm)
        if not (math.isfinite(stats["loss/policy"]) and torch.isfinite(grad_norm)):
            raise FloatingPointError(f"non-finite loss ({stats['loss/policy']}) or gradient norm ({grad_norm})")
        opt.step()
    tok = max(stats["tok"], 1)
    return {"loss/policy": stats["loss/policy"] / algo.mu, "loss/kl": stats["kl"] / tok,
            "loss/clip_frac": stats["clip"] / tok, "loss/entropy": stats["ent"] / tok, "optim/grad_norm": float(grad_norm)}


@hydra.main(config_path="../conf", config_name="train", version_base=None)
def main(cfg: DictConfig) -> None:
    if "task" not in cfg:
        sys.exit("no task selected: run `python rl/train.py +task=math` (tasks are the files in conf/task/)")
    torch.manual_seed(cfg.seed)
    algo, pcfg = AlgoConfig(**cfg.algo), PolicyConfig(**cfg.policy)
    scfg = SamplingConfig(**OmegaConf.to_container(cfg.sampling))
    model, tok = load_policy(pcfg)
    ref = load_policy(pcfg, trainable=False)[0] if algo.beta > 0 and not pcfg.lora.r else None
    opt = torch.optim.AdamW(trainable_parameters(model), lr=cfg.optim.lr, betas=tuple(cfg.optim.betas),
                            weight_decay=cfg.optim.weight_decay)
    spec = {name: {"weight": r.weight, "verifier": instantiate(r.verifier)} for name, r in cfg.task.rewards.items()}
    rollout, rewards, eval_reward = make_rollout(model, tok, scfg), build_rewards(spec), build_rewards(spec, cfg.task.eval_reward)
    template, evaluate = task_prompt(cfg.task, tok), partial(greedy_accuracy, batch_size=cfg.eval_batch_size)
    stream, eval_set = ProblemStream(instantiate(cfg.task.train), seed=cfg.seed), instantiate(cfg.task.eval)
    run_dir, G, start = Path(HydraConfig.get().runtime.output_dir), scfg.group_size, 0
    if cfg.resume:
        start, stream.position = load_checkpoint(Path(cfg.resume), model, opt)
    trackers = open_trackers(LoggerConfig(**cfg.logger), run_dir, OmegaConf.to_container(cfg, resolve=True))
    sink = MetricsSink(run_dir, cfg.steps, bool(cfg.resume), cfg.tensorboard, trackers=trackers)
    ckpt = run_dir / "checkpoint.pt"
    if start == 0:
        sink.log(0, {"eval/accuracy": evaluate(rollout, eval_set, eval_reward, template)})
    for step in range(start + 1, cfg.steps + 1):
        for g in opt.param_groups:
            g["lr"] = cfg.optim.lr * min(1.0, step / max(cfg.optim.warmup_steps, 1))
        times, B, t_step = Counter(), cfg.batch_prompts, time.perf_counter()
        s = draw(stream.take(B), template, rollout, rewards, algo, scfg, times)  # 1 problems, 2-5: draw()
        zero_frac, drawn = s.zero.float().mean().item(), B
        if algo.dynamic_sampling:  # DAPO: zero-variance groups leave; fresh prompts refill up to B
            parts = [s.keep(~s.zero)]
            while sum(len(p.prompts) for p in parts) < B and drawn < B * algo.max_draws:
                more = draw(stream.take(B), template, rollout, rewards, algo, scfg, times)
                parts.append(more.keep(~more.zero))
                drawn += B
            kept = Groups.concat(parts)
            s = kept.keep(torch.arange(len(kept.prompts)) < B) if kept.prompts else s  # verl keeps the first B
        prompts, batch, scores, r, adv = s.prompts, s.batch, s.scores, s.r, s.adv
        t2 = time.perf_counter()
        try:                                                                             # 6-7 loss, update
            row = update(model, ref, opt, batch, adv, algo, pcfg, cfg.optim.max_grad_norm)
        except FloatingPointError as e:
            sys.exit(f"step {step}: {e}; stopping. Last good checkpoint: {ckpt if ckpt.exists() else 'none'}")
        row.update({"rollout/len_mean": batch.lengths.float().mean().item(), "reward/total": r.mean().item(),
                    "rollout/truncated_frac": batch.finish_reasons.count("length") / len(batch.texts),
                    "adv/zero_std_group_frac": zero_frac, "rollout/drawn_prompts": drawn,
                    "adv/masked_frac": 1 - scores.valid.float().mean().item(), "optim/lr": opt.param_groups[0]["lr"],
                    "time/rollout_s": times["rollout"], "time/verify_s": times["verify"], "time/update_s": time.perf_counter() - t2})
        for name, vals in scores.per_reward.items():
            row[f"reward/{name}"] = sum(vals) / len(vals)
            row.update({f"verdict/{name}/{k}": c / len(vals) for k, c in Counter(scores.reasons[name]).items()})
        row["time/step_s"] = time.perf_counter() - t_step  # the whole step but evaluation and checkpoints
        if step % cfg.eval_every == 0 or step == cfg.steps:
            row["eval/accuracy"] = evaluate(rollout, eval_set, eval_reward, template)
        sink.log(step, row)                                                              # 8 metrics
        if step % cfg.samples_every == 0:
            sink.log_samples(step, [{"prompt": prompts[i // G], "completion": batch.texts[i], "reward": r[i].item(),
                                     **{f"reason/{k}": v[i] for k, v in scores.reasons.items()}} for i in range(len(r))])
        if step % cfg.checkpoint_every == 0 or step == cfg.steps:
            save_checkpoint(ckpt, model, opt, step, stream.position, tok)
    print(f"wrote {sink.close()} and {run_dir / 'metrics.jsonl'}")


if __name__ == "__main__":
    main()
