"""Loads a causal LM + tokenizer, computes per-token log-probs in micro-batches, and saves and
restores training checkpoints; it does not sample (rl/rollout.py) or define losses (rl/grpo.py)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

import torch
from transformers import AutoModelForCausalLM, AutoTokenizer
from transformers.utils import logging as hf_logging

hf_logging.disable_progress_bar()  # per-tensor loading bars drown the one-line-per-step console

REPO_ROOT = Path(__file__).resolve().parent.parent
DTYPES = {"float32": torch.float32, "bfloat16": torch.bfloat16}


@dataclass(frozen=True)
class PolicyConfig:
    path: str = "models/tiny-arith"
    dtype: str = "float32"
    gradient_checkpointing: bool = False
    micro_batch: int = 16
    threads: int = 2

    def __post_init__(self) -> None:
        if self.dtype not in DTYPES:
            raise ValueError(f"policy.dtype={self.dtype!r} is not allowed; use one of {sorted(DTYPES)}")
        if self.micro_batch < 1 or self.threads < 1:
            raise ValueError(f"policy.micro_batch={self.micro_batch!r} and policy.threads="
                             f"{self.threads!r} must be >= 1")


def resolve(path: str) -> str:
    """A local path as given, else relative to the repository (the embedded model), else a hub id."""
    for candidate in (Path(path), REPO_ROOT / path):
        if candidate.exists():
            return str(candidate)
    return path


def load_policy(cfg: PolicyConfig, trainable: bool = True):
    torch.set_num_threads(cfg.threads)
    tok = AutoTokenizer.from_pretrained(resolve(cfg.path))
    tok.padding_side = "left"  # prompts end at the same column, completions start together
    if tok.pad_token is None:
        tok.pad_token = tok.eos_token
    model = AutoModelForCausalLM.from_pretrained(resolve(cfg.path), dtype=DTYPES[cfg.dtype])
    if trainable and cfg.gradient_checkpointing:
        model.gradient_checkpointing_enable()
    model.train(trainable)  # tiny models have no dropout; train() only matters for checkpointing
    if not trainable:
        model.requires_grad_(False)
    return model, tok


def token_logprobs(model, ids: torch.Tensor, attention_mask: torch.Tensor, prompt_len: int,
                   micro_batch: int | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """ids, attention_mask: [N, P + T] -> (log pi(token) [N, T], entropy [N, T]) over completion
    positions; logits at position j predict token j + 1, so P - 1 ... P + T - 2 are used."""
    micro_batch = micro_batch or ids.shape[0]
    logps, ents = [], []
    for s in range(0, ids.shape[0], micro_batch):
        # position ids follow the mask so left padding does not shift positions
        am = attention_mask[s: s + micro_batch]
        pos = (am.cumsum(-1) - 1).clamp(min=0)
        logits = model(input_ids=ids[s: s + micro_batch], attention_mask=am, position_ids=pos).logits
        logits = logits[:, prompt_len - 1: -1].float()  # [n, T, V]
        lsm = logits.log_softmax(-1)
        target = ids[s: s + micro_batch, prompt_len:]
        logps.append(lsm.gather(-1, target[..., None]).squeeze(-1))
        ents.append(-(lsm.exp() * lsm).sum(-1).detach())
    return torch.cat(logps), torch.cat(ents)


def rng_state() -> dict:
    return {"torch": torch.get_rng_state(), "python": random.getstate()}


def set_rng_state(state: dict) -> None:
    torch.set_rng_state(state["torch"])
    random.setstate(state["python"])


def save_checkpoint(path: Path, model, optimizer, step: int, data_position: int) -> None:
    """Everything a resumed run needs to continue bit-for-bit: weights, optimizer moments, RNG
    states, step and data position. Written to a temporary name first so a crash mid-write
    never destroys the last good checkpoint."""
    tmp = path.with_suffix(".tmp")
    torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(), "rng": rng_state(),
                "step": step, "data_position": data_position}, tmp)
    tmp.replace(path)


def load_checkpoint(path: Path, model, optimizer) -> tuple[int, int]:
    state = torch.load(path, weights_only=False)
    model.load_state_dict(state["model"])
    optimizer.load_state_dict(state["optimizer"])
    set_rng_state(state["rng"])
    return state["step"], state["data_position"]
