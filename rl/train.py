"""Hydra entry point of GRPO training: builds the pieces from config and runs the visible step
loop, one line per pipeline stage; the stages live in rl/step.py, the math in rl/grpo.py,
sampling in rl/rollout.py, data parallelism in rl/distributed.py.

    python rl/train.py +task=math [algo=dapo] [steps=300] [hydra.run.dir=runs/x]
    torchrun --nproc_per_node=2 rl/train.py +task=math [policy.fsdp=true]
"""

from __future__ import annotations

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
from omegaconf import DictConfig, OmegaConf

from rl.data import ProblemStream
from rl.distributed import hydra_argv, setup
from rl.grpo import AlgoConfig
from rl.metrics import MetricsSink
from rl.policy import PolicyConfig, load_policy
from rl.prompts import task_prompt
from rl.rollout import SamplingConfig, make_rollout
from rl.schemas import build, register
from rl.scoring import build_rewards
from rl.step import draw, greedy_accuracy, refill, samples, update
from rl.trackers import LoggerConfig, open_trackers

register()  # before @hydra.main composes: the group files extend these schemas


@hydra.main(config_path="../conf", config_name="train", version_base=None)
def main(cfg: DictConfig) -> None:
    if "task" not in cfg:
        sys.exit("no task selected: run `python rl/train.py +task=math` "
                 "(tasks are the files in conf/task/)")
    torch.manual_seed(cfg.seed)
    algo = build(AlgoConfig, cfg.algo)
    pcfg = build(PolicyConfig, cfg.policy)
    scfg = build(SamplingConfig, cfg.sampling)
    dist = setup(cfg.seed, pcfg.fsdp, cfg.batch_prompts)  # one process unless run by torchrun
    model, tok = load_policy(pcfg)
    # under LoRA the reference is the policy with its adapters off (rl/step.py), not a copy
    ref = load_policy(pcfg, trainable=False)[0] if algo.beta > 0 and not pcfg.lora.r else None
    ref = dist.wrap(ref, trainable=False)
    net = dist.wrap(model)  # the update's forward, under DDP or FSDP2: before the optimizer
    opt = instantiate(cfg.optim.optimizer)([p for p in model.parameters() if p.requires_grad])
    peak_lr = opt.defaults["lr"]
    spec = {name: {"weight": r.weight, "verifier": instantiate(r.verifier)}
            for name, r in cfg.task.rewards.items()}
    rewards = build_rewards(spec)
    eval_reward = build_rewards(spec, cfg.task.eval_reward)
    rollout = dist.rollout(make_rollout(model, tok, scfg), net)
    template = task_prompt(cfg.task, tok)
    eval_set = dist.share(instantiate(cfg.task.eval))  # each rank evaluates its share
    stream = ProblemStream(instantiate(cfg.task.train), seed=cfg.seed)
    run_dir = Path(HydraConfig.get().runtime.output_dir)
    ckpt = run_dir / "checkpoint.pt"
    start = 0
    if cfg.resume:
        start, stream.position = dist.load(Path(cfg.resume), model, opt)
    config = OmegaConf.to_container(cfg, resolve=True)
    logger = build(LoggerConfig, cfg.logger)
    trackers = open_trackers(logger, run_dir, config) if dist.is_main else []  # rank 0 alone
    sink = MetricsSink(run_dir, cfg.steps, bool(cfg.resume), cfg.tensorboard, write=dist.is_main,
                       trackers=trackers)

    def evaluate() -> float:
        acc = greedy_accuracy(rollout, eval_set, eval_reward, template, cfg.eval_batch_size)
        return dist.mean(acc, len(eval_set))

    if start == 0:
        sink.log(0, {"eval/accuracy": evaluate()})
    B = cfg.batch_prompts
    for step in range(start + 1, cfg.steps + 1):
        for g in opt.param_groups:
            g["lr"] = peak_lr * min(1.0, step / max(cfg.optim.warmup_steps, 1))
        times = Counter()
        t_step = time.perf_counter()

        def more(times=times):  # 1 problems, 2-5 prompts, rollouts, rewards, advantages
            problems = stream.take_share(B, dist.rank, dist.world)
            return draw(problems, template, rollout, rewards, algo, scfg, times)

        s = more()
        zero_frac = s.zero.float().mean().item()
        drawn = B
        if algo.dynamic_sampling:  # DAPO: zero-variance groups leave; fresh prompts refill
            s, drawn = refill(s, more, B, algo, dist)
        t2 = time.perf_counter()
        try:                                                                      # 6-7 update
            row = update(net, ref, opt, s.batch, s.adv, algo, pcfg, cfg.optim.max_grad_norm, dist)
        except FloatingPointError as e:
            last = ckpt if ckpt.exists() else "none"
            sys.exit(f"step {step}: {e}; stopping. Last good checkpoint: {last}")
        row.update(dist.rollout_row(s, zero_frac, B // dist.world))  # over all ranks
        row.update({"rollout/drawn_prompts": drawn, "optim/lr": opt.param_groups[0]["lr"],
                    "time/rollout_s": times["rollout"], "time/verify_s": times["verify"],
                    "time/update_s": time.perf_counter() - t2})
        row["time/step_s"] = time.perf_counter() - t_step  # all but evaluation and checkpoints
        row = dist.times(row)
        if step % cfg.eval_every == 0 or step == cfg.steps:
            row["eval/accuracy"] = evaluate()
        sink.log(step, row)                                                       # 8 metrics
        if step % cfg.samples_every == 0:
            sink.log_samples(step, sum(dist.gather(samples(s)), []))
        if step % cfg.checkpoint_every == 0 or step == cfg.steps:
            dist.save(ckpt, model, opt, step, stream.position, tok)
    if sink.close():
        print(f"wrote {run_dir / 'curves.png'} and {run_dir / 'metrics.jsonl'}")
    dist.close()


if __name__ == "__main__":
    sys.argv = hydra_argv(sys.argv)  # under torchrun, ranks > 0 write no run directory
    main()
