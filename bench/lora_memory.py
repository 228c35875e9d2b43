"""Bytes of AdamW state (both moments and the step counters) after one GRPO update, full
fine-tuning vs LoRA, on the embedded model or any `--path`; it measures, trains nothing further
and is not a test.

    python bench/lora_memory.py           # models/tiny-base, LoRA r=8 on every linear layer
    python bench/lora_memory.py --path Qwen/Qwen2.5-0.5B --rank 16
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import torch  # noqa: E402

from rl.grpo import AlgoConfig  # noqa: E402
from rl.policy import PolicyConfig, load_policy, trainable_parameters  # noqa: E402
from rl.rollout import HFRollout, SamplingConfig  # noqa: E402
from rl.step import update  # noqa: E402


def optimizer_bytes(opt: torch.optim.Optimizer) -> int:
    return sum(
        t.numel() * t.element_size()
        for s in opt.state.values()
        for t in s.values()
        if torch.is_tensor(t)
    )


def measure(pcfg: PolicyConfig) -> dict:
    torch.manual_seed(0)
    model, tok = load_policy(pcfg)
    batch = HFRollout(model, tok, SamplingConfig(group_size=4, max_new_tokens=16)).generate(
        ["User: What is 2+3?\nAssistant: "], 4
    )
    opt = torch.optim.AdamW(trainable_parameters(model), lr=1e-3)
    update(
        model,
        None,
        opt,
        batch,
        torch.tensor([1.0, -1.0, 0.5, -0.5]),
        AlgoConfig(beta=0.0),
        pcfg,
        1.0,
    )
    return {
        "lora_r": pcfg.lora.r,
        "trainable_params": sum(p.numel() for p in trainable_parameters(model)),
        "all_params": sum(p.numel() for p in model.parameters()),
        "optimizer_state_bytes": optimizer_bytes(opt),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--path", default="models/tiny-base")
    ap.add_argument("--rank", type=int, default=8)
    args = ap.parse_args()
    full = measure(PolicyConfig(path=args.path, threads=1))
    lora = measure(PolicyConfig(path=args.path, threads=1, lora={"r": args.rank}))
    print(
        json.dumps(
            {
                "model": args.path,
                "full": full,
                "lora": lora,
                "ratio": lora["optimizer_state_bytes"] / full["optimizer_state_bytes"],
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
