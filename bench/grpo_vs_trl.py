"""Runs TRL's GRPOTrainer and Verity's loop on identical work (model, prompts, reward, G, batch,
completion length, loss, beta, mu, threads), each in its own child process of one invocation, and
prints seconds/step, CPU-seconds/step, peak RSS and the ratios; it judges nothing else.

    python bench/grpo_vs_trl.py [--steps 10] [--beta 0.0] [--threads 1]
    python bench/grpo_vs_trl.py --steps 150 --learning --seeds 0,1,2,3   # + what each side learned

The last line reads `step_time_ratio=<ours/TRL> rss_ratio=<ours/TRL>` (means over the seeds). Both
sides use one optimiser and schedule (AdamW betas 0.9/0.99, lr 5e-4 after 5 linear warm-up steps);
with --learning the trained models are evaluated alike: greedy strict accuracy per operator on the
held-out split.
TRL comes from the `bench` extra (trl==1.16.0)."""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from rl.policy import PolicyConfig, resolve  # noqa: E402 - after the path setup

MODEL = Path(resolve(PolicyConfig().path))  # the embedded base model, the default policy


def accuracy_by_op(model, tok) -> dict[str, float]:
    """Greedy strict accuracy on the held-out split (50 problems per operator, r1_zero prompt),
    decoded as one batch exactly as rl/train.py's eval/accuracy is (greedy decoding of a small
    model can flip on near-ties when the padding of its batch changes)."""
    from rl.data import arithmetic_sample
    from rl.prompts import render
    from rl.rollout import HFRollout, SamplingConfig
    from rl.scoring import build_rewards, score
    from verifiers.math.verifier import MathAnswerVerifier

    correct = build_rewards(
        {"correct": {"verifier": MathAnswerVerifier(mode="strict"), "weight": 1.0}})
    problems = arithmetic_sample("eval", 50, seed=0)
    batch = HFRollout(model, tok, SamplingConfig(max_new_tokens=64)).generate(
        [render("r1_zero", p) for p in problems], 1, greedy=True)
    hits = score(correct, batch.texts, problems).per_reward["correct"]
    return {op: sum(h == 1.0 for h, p in zip(hits, problems) if p.meta["op"] == op) / 50
            for op in "+-*"}


def work(steps: int, beta: float, threads: int, side: str, learning: bool = False,
         seed: int = 0) -> dict:
    """One side's run, inside its own process so that peak RSS is its own."""
    import torch

    torch.set_num_threads(threads)
    torch.manual_seed(seed)
    from rl.data import arithmetic_sample
    from rl.prompts import render
    from rl.scoring import build_rewards, score
    from verifiers.math.verifier import MathAnswerVerifier
    from verifiers.text.format import FormatVerifier

    B = 8
    G = 8
    max_new = 48
    rewards = build_rewards(
        {"correct": {"verifier": MathAnswerVerifier(mode="strict"), "weight": 1.0},
         "format": {"verifier": FormatVerifier(variant="r1_zero"), "weight": 0.5}})
    problems = arithmetic_sample("train", 200, seed=0)
    by_prompt = {render("r1_zero", p): p for p in problems}
    step_times: list[float] = []
    # private: runs may go side by side
    scratch = Path(tempfile.mkdtemp(prefix=f"verity-bench-{side}-"))
    cpu0 = time.process_time()
    if side == "trl":
        from datasets import Dataset
        from transformers import AutoModelForCausalLM, AutoTokenizer, TrainerCallback
        from trl import GRPOConfig, GRPOTrainer

        tok = AutoTokenizer.from_pretrained(MODEL)
        model = AutoModelForCausalLM.from_pretrained(MODEL)
        # TRL 1.16 ends its completion mask at the ids of model.generation_config.eos_token_id only;
        # without </answer> there, rows that stopped at </answer> would train on their padding
        # (and count it in the token normaliser): not the work our loop does.
        model.generation_config.eos_token_id = [tok.eos_token_id,
                                                tok.convert_tokens_to_ids("</answer>")]

        def reward(prompts, completions, **_):
            return score(rewards, completions, [by_prompt[p] for p in prompts]).total.tolist()

        class Clock(TrainerCallback):
            def on_step_begin(self, *a, **k):
                self.t = time.perf_counter()

            def on_step_end(self, *a, **k):
                step_times.append(time.perf_counter() - self.t)

        cfg = GRPOConfig(output_dir=str(scratch), max_steps=steps,
                         per_device_train_batch_size=B * G, num_generations=G,
                         max_completion_length=max_new, temperature=1.0, beta=beta,
                         num_iterations=1, loss_type="dapo", learning_rate=5e-4, use_cpu=True,
                         report_to=[],
                         # TRL's GRPO defaults are bf16 and gradient checkpointing; ours fp32
                         # without: identical work means turning both off.
                         bf16=False, gradient_checkpointing=False,
                         logging_steps=1000, save_strategy="no", seed=seed,
                         dataloader_num_workers=0,
                         max_grad_norm=1.0,
                         generation_kwargs={"eos_token_id": [
                             tok.eos_token_id, tok.convert_tokens_to_ids("</answer>")]})
        # our optimiser and schedule exactly (rl/train.py, conf/optim/adamw.yaml): AdamW betas
        # (0.9, 0.99), no weight decay, lr * min(1, step / 5) at step 1, 2, ...; HF's
        # constant_with_warmup would give its first step lr 0
        opt = torch.optim.AdamW(model.parameters(), lr=5e-4, betas=(0.9, 0.99), weight_decay=0.0)
        sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda k: min(1.0, (k + 1) / 5))
        trainer = GRPOTrainer(model=model, reward_funcs=reward, args=cfg, processing_class=tok,
                              callbacks=[Clock()], optimizers=(opt, sched),
                              train_dataset=Dataset.from_list([{"prompt": p} for p in by_prompt]))
        trainer.train()
        trained = trainer.model
    else:
        out = subprocess.run([sys.executable, "rl/train.py", "+task=math", f"steps={steps}",
                              f"algo.beta={beta}", "algo.loss_agg=token_mean",
                              "algo.epsilon_high=0.2", "batch_prompts=8",
                              f"sampling.group_size={G}", f"sampling.max_new_tokens={max_new}",
                              "optim.optimizer.lr=5e-4",
                              f"policy.threads={threads}", f"eval_every={10**9}",
                              "task.eval.n_per_op=1",
                              "task.train.n_per_op=200", f"policy.path={MODEL}", f"seed={seed}",
                              f"hydra.run.dir={scratch}"], cwd=ROOT, capture_output=True, text=True)
        if out.returncode:
            raise SystemExit(out.stderr[-3000:])
        rows = [json.loads(x) for x in (scratch / "metrics.jsonl").read_text().splitlines()]
        step_times = [r["time/step_s"] for r in rows if "time/step_s" in r]
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        res = {"s_per_step": sum(step_times[1:]) / max(len(step_times) - 1, 1),
               "cpu_s_per_step": (usage.ru_utime + usage.ru_stime) / steps,
               "peak_rss_mb": usage.ru_maxrss / 1024}
        if learning:  # measured after the timing, so evaluation never counts as training cost
            from rl.policy import PolicyConfig, load_policy

            # the run's weights live in model/ (checkpoint.pt holds optimizer + RNG + step only)
            trained, tok = load_policy(PolicyConfig(path=str(scratch / "model"), threads=threads),
                                       trainable=False)
            res["accuracy"] = accuracy_by_op(trained, tok)
        shutil.rmtree(scratch, ignore_errors=True)
        return res
    res = {"s_per_step": sum(step_times[1:]) / max(len(step_times) - 1, 1),
           "cpu_s_per_step": (time.process_time() - cpu0) / steps,
           "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
    if learning:
        res["accuracy"] = accuracy_by_op(trained.eval(), tok)
    shutil.rmtree(scratch, ignore_errors=True)
    return res


def child(side: str, args, seed: int) -> dict:
    out = subprocess.run([sys.executable, __file__, "--side", side, "--steps", str(args.steps),
                          "--beta", str(args.beta), "--threads", str(args.threads),
                          "--seeds", str(seed)]
                         + (["--learning"] * args.learning), capture_output=True, text=True)
    if out.returncode:
        raise SystemExit(f"{side} (seed {seed}) failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--beta", type=float, default=0.0)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--learning", action="store_true",
                    help="also evaluate what each side's model learned")
    ap.add_argument("--seeds", default="0",
                    help="comma-separated seeds, each run by both sides (sampling, data order)")
    ap.add_argument("--side", choices=["trl", "ours", "base"], help=argparse.SUPPRESS)
    args = ap.parse_args()
    seeds = [int(x) for x in args.seeds.split(",")]
    if args.side == "base":
        from rl.policy import PolicyConfig, load_policy

        print(json.dumps({"accuracy": accuracy_by_op(*load_policy(
            PolicyConfig(path=str(MODEL), threads=args.threads), trainable=False))}))
        return
    if args.side:
        print(json.dumps(work(args.steps, args.beta, args.threads, args.side, args.learning,
                              seeds[0])))
        return
    print(f"workload: {MODEL.name}, 8 prompts x G=8, <=48 new tokens, beta={args.beta}, mu=1, "
          f"{args.threads} thread(s), {args.steps} steps, seeds {args.seeds}", flush=True)
    print(f"{'':11} {'s/step':>8} {'cpu-s/step':>11} {'peak RSS MB':>12}"
          + ("   held-out accuracy + / - / *  mean" if args.learning else ""), flush=True)
    runs = {"trl": [], "ours": []}

    def line(name: str, r: dict) -> str:
        acc = r.get("accuracy")
        return (f"{name:11} {r['s_per_step']:8.2f} {r['cpu_s_per_step']:11.2f} "
                f"{r['peak_rss_mb']:12.0f}"
                + (f"   {' / '.join(f'{a:.2f}' for a in acc.values())}  "
                   f"{sum(acc.values()) / 3:.3f}" if acc else ""))

    for seed in seeds:
        for side in runs:
            runs[side].append(child(side, args, seed))
            print(line(f"{side} s{seed}", runs[side][-1]), flush=True)
    mean = {side: {k: sum(r[k] for r in rs) / len(rs)
                   for k in ("s_per_step", "cpu_s_per_step", "peak_rss_mb")}
            for side, rs in runs.items()}
    if args.learning:
        base = child("base", args, seeds[0])["accuracy"]
        print(f"{'base':11} {'':33}   {' / '.join(f'{a:.2f}' for a in base.values())}  "
              f"{sum(base.values()) / 3:.3f}")
        for side, rs in runs.items():
            mean[side]["accuracy"] = {op: sum(r["accuracy"][op] for r in rs) / len(rs)
                                      for op in "+-*"}
    if len(seeds) > 1:
        for side in runs:
            print(line(f"{side} mean", mean[side]))
    print(f"step_time_ratio={mean['ours']['s_per_step'] / mean['trl']['s_per_step']:.2f} "
          f"rss_ratio={mean['ours']['peak_rss_mb'] / mean['trl']['peak_rss_mb']:.2f}")


if __name__ == "__main__":
    main()
