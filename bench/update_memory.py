"""Peak CPU memory of one policy update with a real-size vocabulary, before and after the chunked
LM-head log-probs, and a check that the log-probs are unchanged; it trains nothing and is not a
test.

"before" is the update as it was: one forward per micro-batch that materialises the model's fp32
logits [tokens, V] and a log_softmax of them, and micro-batches that could not split a group (a
whole group of G completions per forward). "after" is rl.policy.token_logprobs: final hidden
states through the LM head `policy.logit_chunk_tokens` positions at a time (recomputed in the
backward pass) and micro-batches that may split a group.

    python bench/update_memory.py                      # V=151,936, G=8; before at T=128, 256;
                                                       # after at T=256, 2,048
    python bench/update_memory.py --before-tokens 512  # before grows ~linearly with G*T: beware RAM

Each measurement runs in a fresh process and reports its peak RSS (ru_maxrss) above the RSS
after building the model and the batch; the update is forward + backward of sum(adv * log-prob).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def build(args, tokens: int):
    import torch
    from transformers import AutoModelForCausalLM, Qwen2Config

    from rl.rollout import RolloutBatch

    torch.manual_seed(0)
    torch.set_num_threads(args.threads)
    cfg = Qwen2Config(
        vocab_size=args.vocab,
        hidden_size=args.hidden,
        intermediate_size=2 * args.hidden,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        tie_word_embeddings=True,
        max_position_embeddings=args.prompt + args.group * tokens + 8,
    )
    model = AutoModelForCausalLM.from_config(cfg).eval()
    G, P = args.group, args.prompt
    prompt = torch.randint(0, args.vocab, (1, P)).expand(G, P)
    completion = torch.randint(0, args.vocab, (G, tokens))  # [G, T], every completion T tokens long
    mask = torch.ones(G, tokens, dtype=torch.bool)
    batch = RolloutBatch(
        torch.cat([prompt, completion], 1),
        torch.ones(G, P + tokens, dtype=torch.long),
        mask,
        P,
        G,
        [""] * G,
        ["length"] * G,
    )
    return model, batch


def before_logprobs(model, batch, rows):
    """The update's log-probs as they were: a whole packed group, full fp32 logits and
    log_softmax."""
    import torch

    from rl.policy import _layout

    seqs, segs, poss, preds, targets, _ = _layout(batch, rows.tolist(), packed=True)
    ids, seg, pos = seqs[0][None], segs[0][None], poss[0][None]
    S = ids.shape[1]
    allowed = torch.ones(S, S, dtype=torch.bool).tril() & (
        (seg[:, None, :] == 0) | (seg[:, None, :] == seg[:, :, None])
    )
    mask = torch.zeros(allowed.shape).masked_fill(~allowed, torch.finfo(torch.float32).min)[:, None]
    logits = model(input_ids=ids, attention_mask=mask, position_ids=pos).logits  # [1, S, V]
    at = torch.tensor(preds)
    lsm = logits[at[:, 0], at[:, 1]].float().log_softmax(-1)  # [tokens, V]
    return lsm.gather(-1, targets[:, None]).squeeze(-1)


def after_logprobs(model, batch, rows, chunk_tokens):
    from rl.policy import token_logprobs

    lp = token_logprobs(model, batch, rows, "auto", chunk_tokens)[0]
    return lp[batch.completion_mask[rows]]


def child(args) -> None:
    import torch

    from rl.policy import row_chunks

    model, batch = build(args, args.tokens)
    adv = torch.linspace(-1, 1, args.group)
    base = rss_mb()
    t0 = time.perf_counter()
    if args.mode == "check":  # exactness: both routes on the same batch, no backward
        with torch.no_grad():
            a = before_logprobs(model, batch, torch.arange(args.group))
            b = after_logprobs(model, batch, torch.arange(args.group), args.chunk)
        print(json.dumps({"max_abs_diff": float((a - b).abs().max()), "tokens": a.numel()}))
        return
    # before could not split a group
    micro = args.group if args.mode == "before" else args.micro_batch
    for rows in row_chunks(torch.arange(args.group), args.group, micro):
        lp = (before_logprobs(model, batch, rows) if args.mode == "before"
              else after_logprobs(model, batch, rows, args.chunk))
        (lp.view(len(rows), -1) * adv[rows, None]).sum().backward()
    print(json.dumps({"peak_mb": rss_mb() - base, "update_s": time.perf_counter() - t0}))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--vocab", type=int, default=151_936)
    ap.add_argument("--group", type=int, default=8)
    ap.add_argument(
        "--tokens", type=int, default=2048, help="completion length T of the 'after' run"
    )
    ap.add_argument("--prompt", type=int, default=64)
    ap.add_argument("--hidden", type=int, default=64)
    ap.add_argument("--chunk", type=int, default=1024, help="policy.logit_chunk_tokens")
    ap.add_argument(
        "--micro-batch", type=int, default=1, help="policy.micro_batch of the 'after' run"
    )
    ap.add_argument("--before-tokens", type=int, nargs="*", default=[128, 256])
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--mode", choices=["before", "after", "check"], help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.mode:
        return child(args)
    common = [
        f"--vocab={args.vocab}",
        f"--group={args.group}",
        f"--prompt={args.prompt}",
        f"--hidden={args.hidden}",
        f"--chunk={args.chunk}",
        f"--micro-batch={args.micro_batch}",
        f"--threads={args.threads}",
    ]

    def run(mode: str, tokens: int) -> dict:
        out = subprocess.run(
            [sys.executable, __file__, *common, f"--mode={mode}", f"--tokens={tokens}"],
            capture_output=True,
            text=True,
            check=True,
        )
        return json.loads(out.stdout.strip().splitlines()[-1])

    print(
        f"V={args.vocab:,} G={args.group} P={args.prompt} hidden={args.hidden} chunk={args.chunk} "
        f"after micro_batch={args.micro_batch}; peak RSS of one update above the model+batch"
        " baseline"
    )
    check = run("check", min(args.before_tokens or [64]))
    print(f"exactness (T={min(args.before_tokens or [64])}, {check['tokens']} tokens): "
          f"max |before - after| log-prob = {check['max_abs_diff']:.2e}")
    fp32_logits_gb = lambda T: args.group * T * args.vocab * 4 / 1e9  # noqa: E731
    for T in args.before_tokens:
        r = run("before", T)
        print(
            f"before  T={T:5d}  G*T={args.group * T:6d}  peak {r['peak_mb']:8.0f} MB"
            f"  ({r['update_s']:.1f} s; "
            f"fp32 logits alone {fp32_logits_gb(T):.2f} GB)"
        )
    for T in sorted({*args.before_tokens[-1:], args.tokens}):
        r = run("after", T)
        print(
            f"after   T={T:5d}  G*T={args.group * T:6d}  peak {r['peak_mb']:8.0f} MB"
            f"  ({r['update_s']:.1f} s)"
        )
    print(
        f"before at T={args.tokens} (not run: it would hold fp32 logits of"
        f" {fp32_logits_gb(args.tokens):.1f} GB, "
        "and as much again for log_softmax and its gradient)"
    )


if __name__ == "__main__":
    main()
