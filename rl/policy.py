"""Loads a causal LM + tokenizer, computes per-token log-probs in micro-batches, and saves and
restores training checkpoints; it does not sample (rl/rollout.py) or define losses (rl/grpo.py)."""

from __future__ import annotations

import random
import sys
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
    path: str = "models/tiny-base"
    dtype: str = "float32"
    gradient_checkpointing: bool = False
    micro_batch: int = 16
    threads: int = 2
    fsdp: bool = False

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


def row_chunks(rows: torch.Tensor, group_size: int, micro_batch: int) -> list[torch.Tensor]:
    """Splits sorted row indices into micro-batches of at most max(micro_batch, G) rows that
    never cut a group, so each group's prompt is packed once."""
    chunks, cur = [], []
    for g in rows.div(group_size, rounding_mode="floor").unique_consecutive().tolist():
        members = [r for r in rows.tolist() if r // group_size == g]
        if cur and len(cur) + len(members) > max(micro_batch, group_size):
            chunks.append(torch.tensor(cur))
            cur = []
        cur += members
    return chunks + ([torch.tensor(cur)] if cur else [])


def token_logprobs(model, batch, rows: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(log pi(token), entropy) over the completion positions of `rows` of a RolloutBatch, both
    [len(rows), T], 0 past each completion's end.

    Completions of one group share their prompt, so each group is packed into one sequence
    [prompt, o_1, ..., o_k] whose attention mask lets o_i see the prompt and itself only, with
    positions restarting after the prompt: the same numbers as one row per completion, but the
    prompt is run once per group instead of G times (rows from DESIGN's tensor letters: the
    update costs B*(P + G*T) tokens instead of B*G*(P + T))."""
    P, T, G = batch.prompt_len, batch.completion_mask.shape[1], batch.group_size
    lengths = batch.completion_mask.sum(-1)
    seqs, segs, poss, preds, targets, slots = [], [], [], [], [], []
    for g in rows.div(G, rounding_mode="floor").unique_consecutive().tolist():
        first = g * G
        prompt = batch.ids[first, :P][batch.attention_mask[first, :P].bool()]
        L = len(prompt)
        seq, seg, pos, pred = [prompt], [torch.zeros(L, dtype=torch.long)], [torch.arange(L)], []
        start, k = L, len(seqs)
        for i, r in enumerate(rows.tolist()):
            if r // G != g:
                continue
            n = int(lengths[r])
            seq.append(batch.ids[r, P:P + n])
            seg.append(torch.full((n,), i + 1))  # i + 1 is unique within the packed row
            pos.append(torch.arange(L, L + n))
            # token j of o_i is predicted at the previous token of o_i, token 0 at the prompt's end
            pred += [(k, L - 1)] + [(k, start + j) for j in range(n - 1)]
            targets.append(batch.ids[r, P:P + n])
            slots += [(i, j) for j in range(n)]
            start += n
        seqs.append(torch.cat(seq))
        segs.append(torch.cat(seg))
        poss.append(torch.cat(pos))
        preds += pred
    S = max(len(s) for s in seqs)
    pad = lambda xs, v: torch.stack([torch.nn.functional.pad(x, (0, S - len(x)), value=v) for x in xs])  # noqa: E731
    ids, seg, pos = pad(seqs, 0), pad(segs, -1), pad(poss, 0)  # [n, S]; padding is segment -1
    causal = torch.ones(S, S, dtype=torch.bool).tril()
    allowed = causal & ((seg[:, None, :] == 0) | (seg[:, None, :] == seg[:, :, None]))  # [n, S(query), S(key)]
    dtype = next(model.parameters()).dtype
    mask = torch.zeros(allowed.shape, dtype=dtype).masked_fill(~allowed, torch.finfo(dtype).min)[:, None]
    logits = model(input_ids=ids, attention_mask=mask, position_ids=pos).logits  # [n, S, V]
    at = torch.tensor(preds)
    lsm = logits[at[:, 0], at[:, 1]].float().log_softmax(-1)  # [tokens, V]
    lp = lsm.gather(-1, torch.cat(targets)[:, None]).squeeze(-1)
    ent = -(lsm.exp() * lsm).sum(-1).detach()
    where = torch.tensor(slots)
    flat = where[:, 0] * T + where[:, 1]
    zeros = torch.zeros(len(rows) * T)
    return zeros.index_put((flat,), lp).view(len(rows), T), zeros.index_put((flat,), ent).view(len(rows), T)


def rng_state() -> dict:
    return {"torch": torch.get_rng_state(), "python": random.getstate()}


def set_rng_state(state: dict) -> None:
    torch.set_rng_state(state["torch"])
    random.setstate(state["python"])


def rank_rng(state: dict, rank: int = 0, world: int = 1) -> dict:
    """A checkpoint's RNG state for one rank: a torchrun job saves a list, one per rank. On another
    world size the states are reused round-robin, and the run is no longer bit-exact (said on stderr)."""
    rngs = state["rng"] if isinstance(state["rng"], list) else [state["rng"]]
    if len(rngs) != world:
        print(f"resume: the checkpoint was written by {len(rngs)} rank(s), this run has {world}: weights, "
              "optimizer and the prompt stream continue exactly, sampling randomness does not", file=sys.stderr)
    return rngs[rank % len(rngs)]


def save_checkpoint(path: Path, model, optimizer, step: int, data_position: int, tokenizer=None, *,
                    rng=None, model_state=None, optimizer_state=None) -> None:
    """Everything a resumed run needs to continue bit-for-bit: weights, optimizer moments, RNG
    states, step and data position. Written to a temporary name first so a crash mid-write
    never destroys the last good checkpoint. With `tokenizer`, the policy is also saved as a
    transformers model directory beside it (`model/`), which `policy.path=` loads anywhere
    (rl/evaluate.py, another run). A torchrun job (rl/distributed.py) passes every rank's RNG
    state as the list `rng` and, when sharded, the gathered full states."""
    tmp = path.with_suffix(".tmp")
    torch.save({"model": model.state_dict() if model_state is None else model_state,
                "optimizer": optimizer.state_dict() if optimizer_state is None else optimizer_state,
                "rng": rng_state() if rng is None else rng, "step": step, "data_position": data_position}, tmp)
    tmp.replace(path)
    if tokenizer is not None:
        model.save_pretrained(path.parent / "model", **({} if model_state is None else {"state_dict": model_state}))
        tokenizer.save_pretrained(path.parent / "model")


def load_checkpoint(path: Path, model, optimizer, rank: int = 0, world: int = 1) -> tuple[int, int]:
    state = torch.load(path, weights_only=False)
    model.load_state_dict(state["model"])
    optimizer.load_state_dict(state["optimizer"])
    set_rng_state(rank_rng(state, rank, world))
    return state["step"], state["data_position"]
