"""A GPU check anyone with one GPU runs in under 10 minutes: a random-init model with
Qwen2.5-0.5B's shapes (no download), a few GRPO steps of our loop's pieces in bf16 (rl.rollout,
rl.grpo, rl.step.update), TRL's GRPOTrainer on the same work where TRL is installed, and a
bf16-vs-fp32 check of the first step's log-probs and loss; it judges nothing but prints numbers.

    python bench/gpu_check.py           # one CUDA GPU: prints tokens/s, step time, peak memory,
                                        # ratios
    python bench/gpu_check.py --tiny    # CPU smoke test of the same code (tiny shapes, seconds)
    python bench/gpu_check.py --no-trl  # our side only

The work: B prompts of P random words, G completions each of up to T tokens at temperature 1,
reward = the share of completion words whose number is even (varied within a group, so every
group has advantages); AdamW lr 1e-6, beta 0, mu 1. The tokenizer is a word-level one built here
over Qwen2.5's vocabulary size (word i is "w<i>"), so no file is downloaded. Each side runs in
its own process so peak memory is its own; the first step is warm-up and is not timed.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# Qwen2.5-0.5B's shapes (config.json of the released checkpoint)
QWEN25_05B = dict(vocab_size=151_936, hidden_size=896, intermediate_size=4864, num_hidden_layers=24,
                  num_attention_heads=14, num_key_value_heads=2, max_position_embeddings=32_768,
                  tie_word_embeddings=True, rms_norm_eps=1e-6)
TINY = dict(
    QWEN25_05B,
    vocab_size=2_000,
    hidden_size=64,
    intermediate_size=128,
    num_hidden_layers=2,
    num_attention_heads=4,
    num_key_value_heads=2,
)


def reward(text: str) -> float:
    words = re.findall(r"w(\d+)", text)
    return sum(int(w) % 2 == 0 for w in words) / max(len(words), 1)


def build(shapes: dict, where: Path) -> None:
    """Random-init model + a word-level tokenizer over its vocabulary, saved to `where`. The model
    is transformers' Llama class with Qwen2.5-0.5B's shapes (tied embeddings, GQA 14/2); Qwen2
    differs by q/k/v biases (<0.1% of the FLOPs), and its model type would make AutoTokenizer
    build Qwen2's byte-level tokenizer around our word-level vocabulary."""
    import torch
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import AutoModelForCausalLM, LlamaConfig, PreTrainedTokenizerFast

    V = shapes["vocab_size"]
    vocab = {"<pad>": 0, "<eos>": 1, "<bos>": 2, **{f"w{i}": i for i in range(3, V)}}
    tk = Tokenizer(models.WordLevel(vocab, unk_token="<pad>"))
    tk.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    tok = PreTrainedTokenizerFast(
        tokenizer_object=tk, pad_token="<pad>", eos_token="<eos>", bos_token="<bos>"
    )
    torch.manual_seed(0)
    cfg = LlamaConfig(**shapes, pad_token_id=0, eos_token_id=1, bos_token_id=2)
    AutoModelForCausalLM.from_config(cfg).save_pretrained(where)
    tok.save_pretrained(where)


def prompts(args) -> list[str]:
    import random

    rng = random.Random(0)
    return [" ".join(f"w{rng.randrange(3, args.vocab)}" for _ in range(args.prompt_tokens))
            for _ in range(args.prompts * (args.steps + 1))]


def ours(args, path: Path) -> dict:
    import torch

    from rl.grpo import AlgoConfig, group_advantages
    from rl.policy import PolicyConfig, load_policy
    from rl.rollout import SamplingConfig, make_rollout
    from rl.step import update

    device = "cuda" if torch.cuda.is_available() else "cpu"
    pcfg = PolicyConfig(
        path=str(path),
        dtype=args.dtype,
        device=device,
        micro_batch=args.micro_batch,
        threads=args.threads,
    )
    model, tok = load_policy(pcfg)
    scfg = SamplingConfig(group_size=args.group, max_new_tokens=args.tokens, stop=())
    rollout = make_rollout(model, tok, scfg)
    algo = AlgoConfig(beta=0.0, loss_agg="token_mean")
    opt = torch.optim.AdamW(model.parameters(), lr=1e-6, betas=(0.9, 0.99), weight_decay=0.0)
    texts = prompts(args)
    G, B = args.group, args.prompts
    out = {"steps": []}
    if device == "cuda":
        torch.cuda.reset_peak_memory_stats()
    for step in range(args.steps + 1):
        sync = torch.cuda.synchronize if device == "cuda" else (lambda: None)
        t0 = time.perf_counter()
        batch = rollout.generate(texts[step * B:(step + 1) * B], G)
        sync()
        t1 = time.perf_counter()
        r = torch.tensor([reward(t) for t in batch.texts], device=model.device)
        adv, _ = group_advantages(
            r.view(-1, G), torch.ones_like(r, dtype=torch.bool).view(-1, G), True, 1e-4
        )
        if (
            step == 0
        ):  # bf16 vs fp32 on the first batch, same fp32 weights: autocast is the only difference
            out["precision"] = precision_check(model, batch, adv.flatten(), algo, pcfg)
        stats = update(model, None, opt, batch, adv.flatten(), algo, pcfg, 1.0)
        sync()
        t2 = time.perf_counter()
        out["steps"].append({"rollout_s": t1 - t0, "update_s": t2 - t1, "step_s": t2 - t0,
                             "tokens": int(batch.lengths.sum()), "loss": stats["loss/policy"]})
    out["peak_gpu_gb"] = torch.cuda.max_memory_allocated() / 1e9 if device == "cuda" else None
    out["device"] = torch.cuda.get_device_name() if device == "cuda" else "cpu"
    return out


def precision_check(model, batch, adv, algo, pcfg) -> dict:
    """The first step's numbers under fp32 and under bf16 autocast, same fp32 weights: mean NLL of
    the sampled tokens, the GRPO loss, and the cosine and norm ratio of the two loss gradients."""
    import torch

    from rl.grpo import policy_loss, token_weights
    from rl.policy import token_logprobs

    rows = torch.arange(len(adv))
    w = token_weights(batch.completion_mask, algo.loss_agg)
    mask = batch.completion_mask
    res = {}
    for name, dtype in (("fp32", torch.float32), ("bf16", torch.bfloat16)):
        saved = model.compute_dtype
        model.compute_dtype = dtype
        model.zero_grad()
        lps = []
        loss = 0.0
        for i in range(0, len(rows), pcfg.micro_batch):
            c = rows[i:i + pcfg.micro_batch]
            lp = token_logprobs(model, batch, c, pcfg.packing, pcfg.logit_chunk_tokens)[0]
            part = policy_loss(lp, adv[c], w[c], algo, None, None).loss
            part.backward()
            lps.append(lp.detach())
            loss += part.item()
        model.compute_dtype = saved
        grad = torch.cat([p.grad.flatten() for p in model.parameters() if p.grad is not None])
        res[name] = (torch.cat(lps), loss, grad)
    model.zero_grad()
    diff = (res["fp32"][0] - res["bf16"][0])[mask].abs()
    g32, g16 = res["fp32"][2], res["bf16"][2]
    return {
        "nll_fp32": float(-res["fp32"][0][mask].mean()),
        "nll_bf16": float(-res["bf16"][0][mask].mean()),
        "loss_fp32": res["fp32"][1],
        "loss_bf16": res["bf16"][1],
        "logprob_max_abs_diff": float(diff.max()),
        "logprob_mean_abs_diff": float(diff.mean()),
        "grad_cosine": float(torch.nn.functional.cosine_similarity(g32, g16, dim=0)),
        "grad_norm_ratio": float(g16.norm() / g32.norm()),
    }


def run_trl(args, path: Path) -> dict:
    import torch
    from datasets import Dataset
    from transformers import AutoModelForCausalLM, AutoTokenizer, TrainerCallback
    from trl import GRPOConfig, GRPOTrainer

    tok = AutoTokenizer.from_pretrained(path)
    model = AutoModelForCausalLM.from_pretrained(path)
    times: list[float] = []
    tokens: list[int] = []  # completion tokens per reward call (one call per generation batch)

    def reward_fn(completions, completion_ids=None, **_):
        tokens.append(sum(len(c) for c in completion_ids) if completion_ids is not None else 0)
        return [reward(c) for c in completions]

    class Clock(TrainerCallback):
        def on_step_begin(self, *a, **k):
            if torch.cuda.is_available():
                torch.cuda.synchronize()
            self.t = time.perf_counter()

        def on_step_end(self, *a, **k):
            if torch.cuda.is_available():
                torch.cuda.synchronize()
            times.append(time.perf_counter() - self.t)

    cuda = torch.cuda.is_available()
    scratch = Path(tempfile.mkdtemp(prefix="verity-gpu-trl-"))
    cfg = GRPOConfig(
        output_dir=str(scratch),
        max_steps=args.steps + 1,
        per_device_train_batch_size=args.prompts * args.group,
        num_generations=args.group,
        max_completion_length=args.tokens,
        temperature=1.0,
        beta=0.0,
        num_iterations=1,
        loss_type="dapo",
        learning_rate=1e-6,
        use_cpu=not cuda,
        report_to=[],
        bf16=cuda and args.dtype == "bfloat16",
        gradient_checkpointing=False,
        logging_steps=1000,
        save_strategy="no",
        seed=0,
        dataloader_num_workers=0,
        max_grad_norm=1.0,
        shuffle_dataset=False,
    )
    opt = torch.optim.AdamW(model.parameters(), lr=1e-6, betas=(0.9, 0.99), weight_decay=0.0)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda k: 1.0)
    trainer = GRPOTrainer(
        model=model,
        reward_funcs=reward_fn,
        args=cfg,
        processing_class=tok,
        callbacks=[Clock()],
        optimizers=(opt, sched),
        train_dataset=Dataset.from_list([{"prompt": p} for p in prompts(args)]),
    )
    if cuda:
        torch.cuda.reset_peak_memory_stats()
    trainer.train()
    shutil.rmtree(scratch, ignore_errors=True)
    # if TRL passed no completion_ids: every row at full length
    full = args.prompts * args.group * args.tokens
    return {
        "steps": [
            {"step_s": t, "tokens": n or full} for t, n in zip(times, tokens + [0] * len(times))
        ],
        "peak_gpu_gb": torch.cuda.max_memory_allocated() / 1e9 if cuda else None,
    }


def summary(run: dict) -> dict:
    timed = run["steps"][1:] or run["steps"]  # step 0 is warm-up (kernels, allocator)
    s = sum(x["step_s"] for x in timed) / len(timed)
    return {
        "step_s": s,
        "tokens_per_s": sum(x["tokens"] for x in timed) / sum(x["step_s"] for x in timed),
        "peak_gpu_gb": run.get("peak_gpu_gb"),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--tiny", action="store_true", help="tiny shapes on CPU: a smoke test of the same code"
    )
    ap.add_argument(
        "--steps", type=int, default=4, help="timed steps (one warm-up step runs first)"
    )
    ap.add_argument("--prompts", type=int, default=8, help="B")
    ap.add_argument("--group", type=int, default=8, help="G")
    ap.add_argument(
        "--tokens",
        type=int,
        default=512,
        help="max new tokens T (a random model rarely stops early)",
    )
    ap.add_argument("--prompt-tokens", type=int, default=128)
    ap.add_argument("--micro-batch", type=int, default=16)
    ap.add_argument("--dtype", default="bfloat16", choices=["bfloat16", "float32"])
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--no-trl", action="store_true")
    ap.add_argument("--side", choices=["ours", "trl"], help=argparse.SUPPRESS)
    ap.add_argument("--path", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.tiny:
        args.steps = 2
        args.prompts = 2
        args.group = 4
        args.tokens = 16
        args.prompt_tokens = 8
    args.vocab = (TINY if args.tiny else QWEN25_05B)["vocab_size"]
    if args.side:
        print(json.dumps((ours if args.side == "ours" else run_trl)(args, Path(args.path))))
        return
    import torch

    if not (args.tiny or torch.cuda.is_available()):
        raise SystemExit(
            "no CUDA device: run on a GPU machine, or `python bench/gpu_check.py --tiny` for a CPU"
            " smoke test"
        )
    scratch = Path(tempfile.mkdtemp(prefix="verity-gpu-check-"))
    t0 = time.perf_counter()
    build(TINY if args.tiny else QWEN25_05B, scratch)
    print(
        f"model: random-init Llama-class model with {'tiny' if args.tiny else 'Qwen2.5-0.5B'}"
        f" shapes (built in {time.perf_counter() - t0:.0f} s); work: B={args.prompts} x"
        f" G={args.group}, prompt {args.prompt_tokens} "
        f"tokens, <= {args.tokens} new tokens, {args.steps} timed steps, {args.dtype}",
        flush=True,
    )
    flags = [
        f"--steps={args.steps}",
        f"--prompts={args.prompts}",
        f"--group={args.group}",
        f"--tokens={args.tokens}",
        f"--prompt-tokens={args.prompt_tokens}",
        f"--micro-batch={args.micro_batch}",
        f"--dtype={args.dtype}",
        f"--threads={args.threads}",
        f"--path={scratch}",
    ] + ["--tiny"] * args.tiny
    results = {}
    sides = ["ours"] + ([] if args.no_trl else ["trl"])
    for side in sides:
        if side == "trl":
            try:
                import trl  # noqa: F401
            except ImportError:
                print("trl: not installed (pip install -e '.[bench]'); our side only")
                continue
        out = subprocess.run(
            [sys.executable, __file__, f"--side={side}", *flags],
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
        if out.returncode:
            shutil.rmtree(scratch, ignore_errors=True)
            raise SystemExit(f"{side} failed:\n{out.stderr[-3000:]}")
        results[side] = json.loads(out.stdout.strip().splitlines()[-1])
    shutil.rmtree(scratch, ignore_errors=True)
    mine = results["ours"]
    print(f"device: {mine['device']}")
    p = mine["precision"]
    print(
        f"first step, same fp32 weights, fp32 vs bf16 autocast: NLL {p['nll_fp32']:.5f} vs"
        f" {p['nll_bf16']:.5f}; GRPO loss {p['loss_fp32']:.3e} vs {p['loss_bf16']:.3e}; log-prob"
        f" |diff| max {p['logprob_max_abs_diff']:.3f} mean {p['logprob_mean_abs_diff']:.4f};"
        f" gradient cosine {p['grad_cosine']:.4f}, norm ratio "
        f"{p['grad_norm_ratio']:.4f}"
    )
    for side, run in results.items():
        s = summary(run)
        mem = f"{s['peak_gpu_gb']:.2f} GB" if s["peak_gpu_gb"] is not None else "n/a (CPU)"
        extra = (
            "  rollout {:.2f} s, update {:.2f} s".format(
                sum(x["rollout_s"] for x in run["steps"][1:]) / max(len(run["steps"]) - 1, 1),
                sum(x["update_s"] for x in run["steps"][1:]) / max(len(run["steps"]) - 1, 1),
            )
            if side == "ours"
            else ""
        )
        print(
            f"{side:5} step {s['step_s']:.2f} s  {s['tokens_per_s']:,.0f} completion tokens/s"
            f"  peak GPU memory {mem}{extra}"
        )
    if "trl" in results:
        a, b = summary(results["ours"]), summary(results["trl"])
        mem = (
            f" peak_memory_ratio={a['peak_gpu_gb'] / b['peak_gpu_gb']:.2f}"
            if a["peak_gpu_gb"] and b["peak_gpu_gb"]
            else ""
        )
        print(f"step_time_ratio={a['step_s'] / b['step_s']:.2f} (ours/TRL){mem}")


if __name__ == "__main__":
    main()
