"""Hydra entry point of GRPO training: builds the pieces from config and runs the visible step
loop, one line per pipeline stage; the math lives in rl/grpo.py, sampling in rl/rollout.py.

    python rl/train.py +task=math [algo=dapo] [steps=300] [hydra.run.dir=runs/x]
"""

from __future__ import annotations

import math
import sys
import time
from collections import Counter
from pathlib import Path

if __package__ in (None, ""):  # `python rl/train.py` puts rl/ on sys.path, not the repo root
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import hydra
import torch
from hydra.core.hydra_config import HydraConfig
from hydra.utils import instantiate
from omegaconf import DictConfig

from rl.data import ProblemStream
from rl.distributed import ONE_PROCESS, Dist, hydra_argv, setup
from rl.grpo import AlgoConfig, group_advantages, overlong_shaping, policy_loss
from rl.metrics import MetricsSink
from rl.policy import PolicyConfig, load_policy, row_chunks, token_logprobs
from rl.prompts import render
from rl.rollout import SamplingConfig, make_rollout
from rl.schemas import build, register
from rl.scoring import Groups, build_rewards, score

register()  # before @hydra.main composes: the group files extend these schemas


def evaluate(rollout, problems, reward, template) -> float:
    """Greedy held-out accuracy: the share of problems the one-reward set `reward` scores 1."""
    batch = rollout.generate([render(template, p) for p in problems], 1, greedy=True)
    s = score(reward, batch.texts, problems)
    return sum(x == 1.0 for x in s.per_reward[reward.names[0]]) / len(problems)


def draw(problems, template, rollout, rewards, algo: AlgoConfig, scfg: SamplingConfig, times: Counter) -> Groups:
    """Stages 1-5 of a step for a batch of problems; adds stage wall times to `times`."""
    t0, G = time.perf_counter(), scfg.group_size
    prompts = [render(template, p) for p in problems]                                    # 2 prompts [B]
    batch = rollout.generate(prompts, G)                                                 # 3 rollouts [N]
    t1 = time.perf_counter()
    scores = score(rewards, batch.texts, [p for p in problems for _ in range(G)])        # 4 rewards [N]
    r = scores.total + overlong_shaping(batch.lengths, scfg.max_new_tokens, algo.overlong_buffer, algo.overlong_penalty)
    adv, zero = group_advantages(r.view(-1, G), scores.valid.view(-1, G), algo.scale_std, algo.std_eps)  # 5 [B, G]
    times.update({"rollout": t1 - t0, "verify": time.perf_counter() - t1})
    return Groups(prompts, batch, scores, r, adv.flatten(), zero)


def update(model, ref, opt, batch, adv, algo: AlgoConfig, pcfg: PolicyConfig, max_grad_norm: float, dist: Dist = ONE_PROCESS):
    """mu optimizer steps on one rollout batch (this rank's rows), micro-batched; returns loss statistics."""
    w = dist.token_weights(batch.completion_mask, algo.loss_agg)  # [N, T], normalised over the whole batch
    # rows with A = 0 get exactly zero gradient when beta = 0 and mu = 1: skipping them is exact
    rows = torch.arange(len(adv)) if algo.beta > 0 or algo.mu > 1 else adv.nonzero().flatten()
    chunks = row_chunks(rows, batch.group_size, pcfg.micro_batch)
    with torch.no_grad(), dist.gathered(ref), dist.gathered(model if algo.mu > 1 else None):
        ref_lp = [token_logprobs(ref, batch, c)[0] for c in chunks] if algo.beta > 0 else None
        old_lp = [token_logprobs(model, batch, c)[0] for c in chunks] if algo.mu > 1 else None
    stats = Counter()
    for _ in range(algo.mu):
        opt.zero_grad()
        for k, c in dist.micro_batches(model, chunks):
            lp, ent = token_logprobs(model, batch, c)
            parts = policy_loss(lp, adv[c], w[c], algo, None if old_lp is None else old_lp[k],
                                None if ref_lp is None else ref_lp[k])
            dist.backward(parts.loss)
            stats.update({"loss/policy": parts.loss.item(), "kl": parts.kl_sum, "clip": parts.clip_sum,
                          "tok": parts.tokens, "ent": float((ent * w[c].gt(0)).sum())})
        grad_norm = torch.nn.utils.clip_grad_norm_(model.parameters(), max_grad_norm)
        if not (math.isfinite(stats["loss/policy"]) and torch.isfinite(grad_norm)):
            raise FloatingPointError(f"non-finite loss ({stats['loss/policy']}) or gradient norm ({grad_norm})")
        opt.step()
    stats = dist.sums(stats)
    tok = max(stats["tok"], 1)
    return {"loss/policy": stats["loss/policy"] / algo.mu, "loss/kl": stats["kl"] / tok,
            "loss/clip_frac": stats["clip"] / tok, "loss/entropy": stats["ent"] / tok, "optim/grad_norm": float(grad_norm)}


@hydra.main(config_path="../conf", config_name="train", version_base=None)
def main(cfg: DictConfig) -> None:
    if "task" not in cfg:
        sys.exit("no task selected: run `python rl/train.py +task=math` (tasks are the files in conf/task/)")
    torch.manual_seed(cfg.seed)
    algo = build(AlgoConfig, cfg.algo)
    pcfg = build(PolicyConfig, cfg.policy)
    scfg = build(SamplingConfig, cfg.sampling)
    dist = setup(cfg.seed, pcfg.fsdp, cfg.batch_prompts)  # one process unless launched by torchrun
    model, tok = load_policy(pcfg)
    ref = dist.wrap(load_policy(pcfg, trainable=False)[0] if algo.beta > 0 else None, trainable=False)
    net = dist.wrap(model)  # DDP, or the model sharded in place (FSDP2): before the optimizer
    opt = instantiate(cfg.optim.optimizer)([p for p in model.parameters() if p.requires_grad])
    peak_lr = opt.defaults["lr"]
    spec = {name: {"weight": r.weight, "verifier": instantiate(r.verifier)} for name, r in cfg.task.rewards.items()}
    rollout, rewards, eval_reward = dist.rollout(make_rollout(model, tok, scfg), model), build_rewards(spec), build_rewards(spec, cfg.task.eval_reward)
    eval_set = dist.share(instantiate(cfg.task.eval))  # each rank evaluates its share
    stream = ProblemStream(instantiate(cfg.task.train), seed=cfg.seed)
    run_dir, G, start = Path(HydraConfig.get().runtime.output_dir), scfg.group_size, 0
    if cfg.resume:
        start, stream.position = dist.load(Path(cfg.resume), model, opt)
    sink, ckpt = MetricsSink(run_dir, cfg.steps, bool(cfg.resume), cfg.tensorboard, write=dist.is_main), run_dir / "checkpoint.pt"
    evaluate_all = lambda: dist.mean(evaluate(rollout, eval_set, eval_reward, cfg.task.template), len(eval_set))  # noqa: E731
    if start == 0:
        sink.log(0, {"eval/accuracy": evaluate_all()})
    for step in range(start + 1, cfg.steps + 1):
        for g in opt.param_groups:
            g["lr"] = peak_lr * min(1.0, step / max(cfg.optim.warmup_steps, 1))
        times, B, t_step = Counter(), cfg.batch_prompts, time.perf_counter()
        s = draw(stream.take_share(B, dist.rank, dist.world), cfg.task.template, rollout, rewards, algo, scfg, times)  # 1 problems, 2-5: draw()
        zero_frac, drawn = s.zero.float().mean().item(), B
        if algo.dynamic_sampling:  # DAPO: zero-variance groups leave; fresh prompts refill up to B
            parts = [s.keep(~s.zero)]
            while dist.total(sum(len(p.prompts) for p in parts)) < B and drawn < B * algo.max_draws:
                more = draw(stream.take_share(B, dist.rank, dist.world), cfg.task.template, rollout, rewards, algo, scfg, times)
                parts.append(more.keep(~more.zero))
                drawn += B
            kept = Groups.concat(parts)
            s = kept.keep(dist.first_groups([len(p.prompts) for p in parts], B)) if dist.total(len(kept.prompts)) else s  # verl keeps the first B
        prompts, batch, scores, r, adv = s.prompts, s.batch, s.scores, s.r, s.adv
        t2 = time.perf_counter()
        try:                                                                             # 6-7 loss, update
            row = update(net, ref, opt, batch, adv, algo, pcfg, cfg.optim.max_grad_norm, dist)
        except FloatingPointError as e:
            sys.exit(f"step {step}: {e}; stopping. Last good checkpoint: {ckpt if ckpt.exists() else 'none'}")
        row.update(dist.rollout_row(s, zero_frac, B // dist.world))  # lengths, rewards, reasons: over all ranks
        row.update({"rollout/drawn_prompts": drawn, "optim/lr": opt.param_groups[0]["lr"], "time/rollout_s": times["rollout"],
                    "time/verify_s": times["verify"], "time/update_s": time.perf_counter() - t2})
        row["time/step_s"] = time.perf_counter() - t_step  # the whole step but evaluation and checkpoints
        row = dist.times(row)
        if step % cfg.eval_every == 0 or step == cfg.steps:
            row["eval/accuracy"] = evaluate_all()
        sink.log(step, row)                                                              # 8 metrics
        if step % cfg.samples_every == 0:
            sink.log_samples(step, sum(dist.gather([{"prompt": prompts[i // G], "completion": batch.texts[i], "reward": r[i].item(),
                                     **{f"reason/{k}": v[i] for k, v in scores.reasons.items()}} for i in range(len(r))]), []))
        if step % cfg.checkpoint_every == 0 or step == cfg.steps:
            dist.save(ckpt, model, opt, step, stream.position, tok)
    if sink.close():
        print(f"wrote {run_dir / 'curves.png'} and {run_dir / 'metrics.jsonl'}")
    dist.close()


if __name__ == "__main__":
    sys.argv = hydra_argv(sys.argv)  # under torchrun, ranks > 0 write no run directory
    main()
