"""Trains the embedded base model (a tiny Llama on synthetic arithmetic text, deterministic from a
seed) and writes it with its tokenizer and a model card; it is not part of the RL loop.

    python rl/pretrain.py --out models/tiny-arith --steps 2400 --seed 0 --threads 1   # ~30 min on 1 core

The corpus mixes three answer layouts (R1 tags, \\boxed{}, plain) with per-operator habits, so
the base model has both format and accuracy left to learn by RL: see LAYOUT_MIX.
"""

from __future__ import annotations

import argparse
import json
import random
import string
import sys
import time
from pathlib import Path

if __package__ in (None, ""):  # `python rl/pretrain.py` puts rl/ on sys.path, not the repo root
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import torch
from tokenizers import AddedToken, Tokenizer, decoders, models, processors
from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

from rl.data import arithmetic_pool, arithmetic_problem, arithmetic_sample
from rl.prompts import render
from verifiers.base import Problem
from verifiers.extract import committed_answer

SPECIALS = ["<pad>", "<bos>", "<eos>", "<unk>"]
TAGS = ["<think>", "</think>", "<answer>", "</answer>"]
# Probability of each layout per operator. Addition is usually answered in a graded layout,
# subtraction and multiplication usually as a bare sentence that a strict grader cannot read:
# a base model whose formatting habits vary by topic, as real pretrained models' do.
LAYOUT_MIX = {"+": {"r1": 0.45, "boxed": 0.35, "plain": 0.20},
              "-": {"r1": 0.25, "boxed": 0.10, "plain": 0.65},
              "*": {"r1": 0.25, "boxed": 0.10, "plain": 0.65}}
TEMPLATE_MIX = {"r1_zero": 0.5, "boxed": 0.2, "plain": 0.3}


def build_tokenizer() -> PreTrainedTokenizerFast:
    """Characters of printable ASCII plus the four R1 tags as whole tokens (so `</answer>` is one
    token and can stop generation); BPE without merges is exactly a character tokenizer."""
    chars = [c for c in string.printable if c not in "\t\r\x0b\x0c"]
    tok = Tokenizer(models.BPE(vocab={t: i for i, t in enumerate(SPECIALS + chars)}, merges=[],
                               unk_token="<unk>"))
    tok.decoder = decoders.Fuse()
    tok.add_special_tokens(SPECIALS)
    tok.add_tokens([AddedToken(t, normalized=False) for t in TAGS])
    tok.post_processor = processors.TemplateProcessing(single="<bos> $A", special_tokens=[("<bos>", 1)])
    return PreTrainedTokenizerFast(tokenizer_object=tok, pad_token="<pad>", bos_token="<bos>",
                                   eos_token="<eos>", unk_token="<unk>")


def work(problem: Problem) -> str:
    """Worked steps: tens and units separately, so each step is a one-digit fact or an append;
    a 1M-parameter model learns these far faster than whole-number arithmetic in one go."""
    a, b, op, gold = problem.meta["a"], problem.meta["b"], problem.meta["op"], problem.answer
    if op == "*":
        return f"{a}*{b} = {a // 10 * 10}*{b}+{a % 10}*{b} = {a // 10 * 10 * b}+{a % 10 * b} = {gold}"
    if op == "-":
        return f"{a}-{b} = {a}-{b // 10 * 10}-{b % 10} = {a - b // 10 * 10}-{b % 10} = {gold}"
    return f"{a}+{b} = {a // 10 * 10 + b // 10 * 10}+{a % 10 + b % 10} = {gold}"


def response(problem: Problem, layout: str) -> str:
    gold = problem.answer
    if layout == "r1":
        return f"<think>{work(problem)}</think> <answer>{gold}</answer>"
    if layout == "boxed":
        return f"{work(problem)}, so the answer is \\boxed{{{gold}}}."
    q = problem.question.removeprefix("What is ").removesuffix("?")
    return f"{q} = {gold}."  # the plain habit states the result without steps


def pick(rng: random.Random, mix: dict[str, float]) -> str:
    return rng.choices(list(mix), weights=list(mix.values()))[0]


def batch(rng: random.Random, pools: dict[str, list[Problem]], tok, n: int) -> dict[str, torch.Tensor]:
    prompts, targets = [], []
    for _ in range(n):
        op = rng.choice(sorted(pools))
        p = rng.choice(pools[op])
        prompts.append(tok(render(pick(rng, TEMPLATE_MIX), p))["input_ids"])
        targets.append(tok(response(p, pick(rng, LAYOUT_MIX[op])), add_special_tokens=False)["input_ids"]
                       + [tok.eos_token_id])
    T = max(len(p) + len(t) for p, t in zip(prompts, targets))
    ids = torch.full((n, T), tok.pad_token_id)  # [N, T]
    labels = torch.full((n, T), -100)  # [N, T]; only the response is learned
    for i, (p, t) in enumerate(zip(prompts, targets)):
        ids[i, : len(p) + len(t)] = torch.tensor(p + t)
        labels[i, len(p): len(p) + len(t)] = torch.tensor(t)
    return {"input_ids": ids, "attention_mask": (ids != tok.pad_token_id).long(), "labels": labels}


@torch.no_grad()
def sampled_accuracy(model, tok, problems: list[Problem], do_sample: bool) -> float:
    """Share of completions whose strict committed answer equals the gold (r1_zero prompt)."""
    tok.padding_side = "left"
    enc = tok([render("r1_zero", p) for p in problems], return_tensors="pt", padding=True)
    out = model.generate(**enc, max_new_tokens=64, do_sample=do_sample, temperature=1.0 if do_sample else None,
                         top_k=0 if do_sample else None, eos_token_id=[tok.eos_token_id, tok.convert_tokens_to_ids("</answer>")],
                         pad_token_id=tok.pad_token_id)
    texts = tok.batch_decode(out[:, enc["input_ids"].shape[1]:], skip_special_tokens=True)
    hits = [committed_answer(t).candidates == (p.answer,) for t, p in zip(texts, problems)]
    return sum(hits) / len(hits)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="models/tiny-arith")
    ap.add_argument("--steps", type=int, default=2400)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--eval_every", type=int, default=200)
    ap.add_argument("--snapshots", default="", help="also save the model at every evaluation here")
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)
    tok = build_tokenizer()
    cfg = LlamaConfig(vocab_size=len(tok), hidden_size=128, intermediate_size=512, num_hidden_layers=4,
                      num_attention_heads=4, num_key_value_heads=4, max_position_embeddings=256,
                      tie_word_embeddings=True, bos_token_id=tok.bos_token_id, eos_token_id=tok.eos_token_id,
                      pad_token_id=tok.pad_token_id)
    model = LlamaForCausalLM(cfg)
    pools = {op: arithmetic_pool("train", [op]) for op in "+-*"}
    probe = {op: arithmetic_sample("eval", 48, seed=1, ops=[op]) for op in "+-*"}
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01, betas=(0.9, 0.98))
    # Linear warm-up then a constant rate: a run of N steps is exactly the first N steps of a
    # longer one, so the stopping point can be chosen from snapshots without retraining.
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1.0, (s + 1) / 50))
    t0, report = time.time(), {}
    for step in range(1, args.steps + 1):
        model.train()
        loss = model(**batch(rng, pools, tok, args.batch)).loss
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        if step % args.eval_every == 0 or step == args.steps:
            model.eval()
            report = {f"{kind}_{op}": round(sampled_accuracy(model, tok, probe[op], kind == "sampled"), 3)
                      for kind in ("sampled", "greedy") for op in "+-*"}
            print(f"step {step} loss {loss.item():.3f} {time.time() - t0:.0f}s {report}", flush=True)
            if args.snapshots:
                model.save_pretrained(Path(args.snapshots) / f"step{step}")
    out = Path(args.out)
    model.save_pretrained(out)
    tok.save_pretrained(out)
    n_params = sum(p.numel() for p in model.parameters())
    (out / "README.md").write_text(CARD.format(
        n_params=n_params, cli=" ".join(f"--{k} {v}" for k, v in vars(args).items() if k != "snapshots"),
        examples="\n".join(f"- {lay}: `{response(arithmetic_problem('*', 74, 9), lay)}`" for lay in ("r1", "boxed", "plain")), mix=json.dumps(LAYOUT_MIX), tmix=json.dumps(TEMPLATE_MIX),
        report=json.dumps(report), seconds=round(time.time() - t0), torch=torch.__version__))
    print(f"wrote {out} ({n_params} parameters)")


CARD = """# tiny-arith: Verity's embedded base model

A {n_params}-parameter Llama-style causal LM (4 layers, hidden 128, 4 heads, MLP 512, tied
embeddings) with a character-level tokenizer (printable ASCII + `<think>`, `</think>`, `<answer>`,
`</answer>` as single tokens), trained from scratch by `rl/pretrain.py`, deterministically from
its seed (same torch version and thread count). Made with

    python rl/pretrain.py {cli}

in {seconds} s of wall time on one CPU thread of a 2-core machine shared with other jobs (torch {torch}).

Corpus: endless samples of the procedural arithmetic problems of `rl/data.py`, train split only
(the held-out split is never seen): 2-digit + 2-digit, 2-digit - smaller number, 2-digit * 1-digit,
operator chosen uniformly. Each sample is a prompt from `rl/prompts.py` (templates {tmix}) and a
response in one of three layouts, chosen per operator with probabilities {mix}:

{examples}

The plain layout has no graded answer: a strict grader scores it 0. Loss on response tokens
only; AdamW (betas 0.9/0.98, weight decay 0.01), 50 linear warm-up steps then a constant rate,
gradient clip 1.0; all other settings are the command's. Training stops early on purpose, so
that RL has headroom in format (subtraction and multiplication usually come out plain) and in
accuracy.

Strict accuracy with the r1_zero prompt on 48 held-out problems per operator at the end
(sampled at temperature 1, and greedy): {report}
"""

if __name__ == "__main__":
    main()
