"""Trains the embedded base model (a tiny Llama on synthetic arithmetic and Python-function text,
deterministic from a seed) and writes it with its tokenizer and a model card; it is not part of
the RL loop.

    python tools/pretrain.py --out models/tiny-base --seed 0 --threads 1   # ~21 min on 1 core

The corpus mixes answer layouts (graded and not) with per-operation habits, so the base model has
both format and accuracy left to learn by RL on either task: see MATH_LAYOUTS and CODE_LAYOUTS.
"""

from __future__ import annotations

import argparse
import json
import random
import string
import sys
import time
from collections import defaultdict
from pathlib import Path

# `python tools/pretrain.py` puts tools/ on sys.path, not the repo root
if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import torch
from tokenizers import AddedToken, Tokenizer, decoders, models, processors
from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

from rl.data import (
    FUNCTION_KINDS,
    arithmetic_pool,
    arithmetic_problem,
    arithmetic_sample,
    function_pool,
    function_problem,
    function_sample,
)
from rl.prompts import TEMPLATES, render
from verifiers.base import Problem
from verifiers.code.verifier import CodeTestsVerifier
from verifiers.extract import committed_answer

SPECIALS = ["<pad>", "<bos>", "<eos>", "<unk>"]
TAGS = ["<think>", "</think>", "<answer>", "</answer>"]
# Share of samples per task (--code_share sets the code share): code is learned several times
# faster than arithmetic, so most samples are arithmetic.
TASK_MIX = {"math": 0.75, "code": 0.25}
# Probability of each layout per habit (see `habit`). Addition of an even first operand is usually
# answered in a graded layout; odd first operands, subtraction and multiplication usually as a
# bare sentence that a strict grader cannot read: a base model whose formatting habits vary by
# topic, as real pretrained models' do. Splitting addition keeps the greedy base accuracy near
# 20% although the model adds well, so RL has as much to gain as it could lose to noise.
_MATH_GRADED = {"r1": 0.45, "boxed": 0.35, "plain": 0.20}
_MATH_PLAIN = {"r1": 0.25, "boxed": 0.10, "plain": 0.65}
MATH_LAYOUTS = {"+even": _MATH_GRADED, "+odd": _MATH_PLAIN, "-": _MATH_PLAIN, "*": _MATH_PLAIN}
# The same idea for functions: two kinds usually come in the R1 layout with a fenced block, the
# others usually as bare code without a fence, which the code verifier cannot find (score 0).
_CODE_GRADED = {"r1": 0.45, "fenced": 0.35, "bare": 0.20}
_CODE_BARE = {"r1": 0.25, "fenced": 0.10, "bare": 0.65}
CODE_LAYOUTS = {k: _CODE_GRADED if k in ("add", "max") else _CODE_BARE for k in FUNCTION_KINDS}
# Prompt templates per task (rl/prompts.py).
TEMPLATE_MIX = {"math": {"r1_zero": 0.5, "boxed": 0.2, "plain": 0.3},
                "code": {"code": 0.7, "plain": 0.3}}


def build_tokenizer() -> PreTrainedTokenizerFast:
    """Characters of printable ASCII plus the four R1 tags as whole tokens (so `</answer>` is one
    token and can stop generation); BPE without merges is exactly a character tokenizer."""
    chars = [c for c in string.printable if c not in "\t\r\x0b\x0c"]
    tok = Tokenizer(models.BPE(vocab={t: i for i, t in enumerate(SPECIALS + chars)}, merges=[],
                               unk_token="<unk>"))
    tok.decoder = decoders.Fuse()
    tok.add_special_tokens(SPECIALS)
    tok.add_tokens([AddedToken(t, normalized=False) for t in TAGS])
    tok.post_processor = processors.TemplateProcessing(single="<bos> $A",
                                                       special_tokens=[("<bos>", 1)])
    return PreTrainedTokenizerFast(tokenizer_object=tok, pad_token="<pad>", bos_token="<bos>",
                                   eos_token="<eos>", unk_token="<unk>")


def work(problem: Problem) -> str:
    """Worked steps: tens and units separately, so each step is a one-digit fact or an append;
    a 1M-parameter model learns these far faster than whole-number arithmetic in one go."""
    a = problem.meta["a"]
    b = problem.meta["b"]
    op = problem.meta["op"]
    gold = problem.answer
    if op == "*":
        return (f"{a}*{b} = {a // 10 * 10}*{b}+{a % 10}*{b} = {a // 10 * 10 * b}+{a % 10 * b} "
                f"= {gold}")
    if op == "-":
        return f"{a}-{b} = {a}-{b // 10 * 10}-{b % 10} = {a - b // 10 * 10}-{b % 10} = {gold}"
    return f"{a}+{b} = {a // 10 * 10 + b // 10 * 10}+{a % 10 + b % 10} = {gold}"


def math_response(problem: Problem, layout: str) -> str:
    gold = problem.answer
    if layout == "r1":
        return f"<think>{work(problem)}</think> <answer>{gold}</answer>"
    if layout == "boxed":
        return f"{work(problem)}, so the answer is \\boxed{{{gold}}}."
    q = problem.question.removeprefix("What is ").removesuffix("?")
    return f"{q} = {gold}."  # the plain habit states the result without steps


def code_response(problem: Problem, layout: str) -> str:
    solution = problem.meta["solution"]
    if layout == "r1":  # the reasoning restates the operation as the expression it becomes
        said = problem.question.split(" that returns ")[1].removesuffix(".")
        return (f"<think>{said} = {problem.meta['expr']}</think> "
                f"<answer>\n```python\n{solution}```\n</answer>")
    if layout == "fenced":
        return f"```python\n{solution}```"
    return solution.rstrip("\n")  # bare code: right, but no block a grader can find


def response(problem: Problem, layout: str) -> str:
    return (code_response if problem.meta["source"] == "functions"
            else math_response)(problem, layout)


def pick(rng: random.Random, mix: dict[str, float]) -> str:
    return rng.choices(list(mix), weights=list(mix.values()))[0]


def draw(rng: random.Random, pools: dict[str, dict[str, list[Problem]]],
         task_mix: dict[str, float] = TASK_MIX) -> tuple[str, Problem, str]:
    """One corpus sample: (template, problem, layout). Operations are uniform within a task."""
    task = pick(rng, task_mix)
    op = rng.choice(sorted(pools[task]))
    template = pick(rng, TEMPLATE_MIX[task])
    problem = rng.choice(pools[task][op])
    return template, problem, pick(rng, habit(problem))


def habit(problem: Problem) -> dict[str, float]:
    """The layout mix a problem is answered with in the corpus."""
    op = problem.meta["op"]
    if problem.meta["source"] == "functions":
        return CODE_LAYOUTS[op]
    return MATH_LAYOUTS[op + ("odd" if problem.meta["a"] % 2 else "even") if op == "+" else op]


def corpus_text(template: str, problem: Problem, layout: str) -> tuple[str, str]:
    """(prompt, response) of one sample; the response ends where EOS follows."""
    return render(template, problem), response(problem, layout)


def batch_loss(model, tok, samples: list[tuple[str, Problem, str]]) -> torch.Tensor:
    """Mean next-token loss over response tokens. Samples are grouped by template and each group
    runs the template's fixed head (BOS + instruction) once, reusing its keys and values for
    every row: the head is over a third of a sample's tokens and identical across the group."""
    groups: dict[str, list[tuple[list[int], int]]] = defaultdict(list)
    for template, problem, layout in samples:
        head = TEMPLATES[template].split("{question}")[0]
        prompt, resp = corpus_text(template, problem, layout)
        rest = tok(prompt[len(head):], add_special_tokens=False)["input_ids"]
        target = tok(resp, add_special_tokens=False)["input_ids"] + [tok.eos_token_id]
        groups[head].append((rest + target, len(target)))
    total = torch.zeros(())
    count = 0
    for head, rows in sorted(groups.items()):
        head_ids = tok(head)["input_ids"]  # BOS + instruction, [1, H]
        cache = model(input_ids=torch.tensor([head_ids]), use_cache=True).past_key_values
        cache.batch_repeat_interleave(len(rows))
        S = max(len(r) for r, _ in rows)
        ids = torch.full((len(rows), S), tok.pad_token_id)  # [n, S] right-padded: causal attention
        labels = torch.full((len(rows), S), -100)  # never lets a pad change an earlier position
        for i, (r, n_target) in enumerate(rows):
            ids[i, : len(r)] = torch.tensor(r)
            labels[i, len(r) - n_target: len(r)] = torch.tensor(r[-n_target:])
        pos = torch.arange(len(head_ids), len(head_ids) + S).expand(len(rows), S)
        logits = model(input_ids=ids, past_key_values=cache, position_ids=pos).logits  # [n, S, V]
        # the first suffix token is part of the question, never a target, so the head's last
        # logit is not needed
        total = total + torch.nn.functional.cross_entropy(
            logits[:, :-1].flatten(0, 1), labels[:, 1:].flatten(), ignore_index=-100,
            reduction="sum")
        count += int((labels != -100).sum())
    return total / count


@torch.no_grad()
def generate(model, tok, prompts: list[str], do_sample: bool, max_new_tokens: int) -> list[str]:
    tok.padding_side = "left"
    enc = tok(prompts, return_tensors="pt", padding=True)
    out = model.generate(**enc, max_new_tokens=max_new_tokens, do_sample=do_sample,
                         temperature=1.0 if do_sample else None, top_k=0 if do_sample else None,
                         eos_token_id=[tok.eos_token_id, tok.convert_tokens_to_ids("</answer>")],
                         pad_token_id=tok.pad_token_id)
    return tok.batch_decode(out[:, enc["input_ids"].shape[1]:], skip_special_tokens=True)


def math_accuracy(model, tok, problems: list[Problem], do_sample: bool) -> float:
    """Share of completions whose strict committed answer equals the gold (r1_zero prompt)."""
    texts = generate(model, tok, [render("r1_zero", p) for p in problems], do_sample, 64)
    return sum(committed_answer(t).candidates == (p.answer,)
               for t, p in zip(texts, problems)) / len(problems)


def code_accuracy(model, tok, problems: list[Problem], do_sample: bool, verifier) -> float:
    """pass@1: share of completions (code prompt) whose graded ```python block passes every test."""
    texts = generate(model, tok, [render("code", p) for p in problems], do_sample, 96)
    return sum(verifier(completion=t, problem=p).score == 1.0
               for t, p in zip(texts, problems)) / len(problems)


def probe(model, tok, probes: dict[str, list[Problem]], verifier) -> dict[str, float]:
    model.eval()
    out = {}
    for kind in ("sampled", "greedy"):
        for name, problems in probes.items():
            acc = (math_accuracy(model, tok, problems, kind == "sampled") if name in "+-*"
                   else code_accuracy(model, tok, problems, kind == "sampled", verifier))
            out[f"{kind}_{name}"] = round(acc, 3)
    model.train()
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="models/tiny-base")
    ap.add_argument("--steps", type=int, default=2400)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--code_share", type=float, default=TASK_MIX["code"],
                    help="share of code samples")
    ap.add_argument("--eval_every", type=int, default=400)
    ap.add_argument("--snapshots", default="", help="also save the model at every evaluation here")
    args = ap.parse_args(argv)
    if not 0.0 <= args.code_share <= 1.0:
        raise ValueError(f"code_share={args.code_share!r} is not allowed; use a number in [0, 1]")
    task_mix = {"math": 1.0 - args.code_share, "code": args.code_share}
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)
    tok = build_tokenizer()
    cfg = LlamaConfig(vocab_size=len(tok), hidden_size=128, intermediate_size=512,
                      num_hidden_layers=4, num_attention_heads=4, num_key_value_heads=4,
                      max_position_embeddings=256, tie_word_embeddings=True,
                      bos_token_id=tok.bos_token_id, eos_token_id=tok.eos_token_id,
                      pad_token_id=tok.pad_token_id)
    model = LlamaForCausalLM(cfg)
    pools = {"math": {op: arithmetic_pool("train", [op]) for op in "+-*"},
             "code": {k: function_pool("train", [k]) for k in FUNCTION_KINDS}}
    probes = {op: arithmetic_sample("eval", 48, seed=1, ops=[op]) for op in "+-*"}
    probes["code"] = function_sample("eval", 12, seed=1)
    verifier = CodeTestsVerifier(reward="binary")
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01, betas=(0.9, 0.98))
    # Linear warm-up, then linear decay to a tenth: annealing reaches a given loss in far fewer
    # steps than a constant rate.
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min((s + 1) / 50, 1.0 - 0.9 * s / args.steps))
    t0 = time.time()
    train_s = 0.0
    report = {}
    for step in range(1, args.steps + 1):
        t1 = time.time()
        loss = batch_loss(model, tok, [draw(rng, pools, task_mix) for _ in range(args.batch)])
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        train_s += time.time() - t1
        if step % args.eval_every == 0 or step == args.steps:
            report = probe(model, tok, probes, verifier)
            print(f"step {step} loss {loss.item():.3f} train {train_s:.0f}s "
                  f"total {time.time() - t0:.0f}s {report}", flush=True)
            if args.snapshots:
                model.save_pretrained(Path(args.snapshots) / f"step{step}")
    verifier.close()
    out = Path(args.out)
    model.save_pretrained(out)
    tok.save_pretrained(out)
    n_params = sum(p.numel() for p in model.parameters())
    examples = [f"- math, {lay}: "
                f"`{json.dumps(math_response(arithmetic_problem('*', 74, 9), lay))[1:-1]}`"
                for lay in ("r1", "boxed", "plain")]
    examples += [f"- code, {lay}: "
                 f"`{json.dumps(code_response(function_problem('mul', 4), lay))[1:-1]}`"
                 for lay in ("r1", "fenced", "bare")]
    (out / "README.md").write_text(CARD.format(
        n_params=n_params,
        cli=" ".join(f"--{k} {v}" for k, v in vars(args).items() if k != "snapshots"),
        examples="\n".join(examples), tasks=json.dumps(task_mix), mix=json.dumps(MATH_LAYOUTS),
        cmix=json.dumps({g: [k for k, m in CODE_LAYOUTS.items() if m is mix] for g, mix in
                         (("graded", _CODE_GRADED), ("bare", _CODE_BARE))}),
        graded=json.dumps(_CODE_GRADED), bare=json.dumps(_CODE_BARE), tmix=json.dumps(TEMPLATE_MIX),
        report=json.dumps(report), train_s=round(train_s), seconds=round(time.time() - t0),
        torch=torch.__version__, name=out.name))
    print(f"wrote {out} ({n_params} parameters)")


CARD = """# {name}: Verity's embedded base model

A {n_params}-parameter Llama-style causal LM (4 layers, hidden 128, 4 heads, MLP 512, tied
embeddings) with a character-level tokenizer (printable ASCII + `<think>`, `</think>`, `<answer>`,
`</answer>` as single tokens), trained from scratch by `tools/pretrain.py`, deterministically from
its seed (same torch version and thread count). Made with

    python tools/pretrain.py {cli}

in {seconds} s of wall time ({train_s} s of it training steps, the rest the periodic probes below)
on one CPU thread of a 2-core machine shared with other jobs (torch {torch}).

Corpus: endless samples of the procedural problems of `rl/data.py`, train splits only (the
held-out splits are never seen), task shares {tasks}:
- math: 2-digit + 2-digit, 2-digit - smaller number, 2-digit * 1-digit, operator uniform;
- code: "Write f(x) that returns x plus 7." for 8 operation kinds (plus, minus, reversed minus,
  times, floor division, modulo, larger of, smaller of) with constants 1..20 and names f/g/h,
  x/n/k, kind uniform; the held-out split is 4 (kind, constant) pairs per kind never trained on.

Each sample is a prompt from `rl/prompts.py` (templates per task {tmix}) and a response in one of
several layouts, chosen per operation: math {mix} ("+even": addition with an even first
operand); code kinds {cmix}, where graded kinds use {graded} and bare ones {bare}. Examples:

{examples}

Plain math and bare code have nothing a strict grader reads (score 0); fenced code without tags
passes the code tests but not the format check. Loss on response tokens only; each batch of
--batch samples is grouped by template and the template's fixed instruction is run once per
group (its keys and values shared by the group's rows, which is exact under causal attention).
AdamW (betas 0.9/0.98, weight decay 0.01), 50 linear warm-up steps then linear decay to a tenth
of the rate at the last step, gradient clip 1.0; all other settings are the command's. Training
stops early on purpose, so that RL has headroom in format (most operations usually come out in an
ungraded layout) and in accuracy.

Probe at the end, on held-out problems (strict math accuracy with the r1_zero prompt on 48 per
operator; code pass@1 with the code prompt on 12 per kind, all tests in the local sandbox;
sampled at temperature 1, and greedy): {report}
"""

if __name__ == "__main__":
    main()
