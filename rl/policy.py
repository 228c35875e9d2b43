"""Loads a causal LM + tokenizer onto its device and precision (optionally with peft LoRA
adapters) and computes exact per-token log-probs in memory-bounded micro-batches; it does not
sample (rl/rollout.py), define losses (rl/grpo.py) or write checkpoints (rl/checkpoints.py)."""

from __future__ import annotations

import contextlib
import json
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

import torch
from torch.utils.checkpoint import checkpoint
from transformers import AutoModelForCausalLM, AutoTokenizer
from transformers.cache_utils import get_layer_types_and_kwargs
from transformers.modeling_layers import GradientCheckpointingLayer
from transformers.utils import logging as hf_logging

hf_logging.disable_progress_bar()  # per-tensor loading bars drown the one-line-per-step console

REPO_ROOT = Path(__file__).resolve().parent.parent
DTYPES = {"float32": torch.float32, "bfloat16": torch.bfloat16}
PACKING = ("auto", "packed", "rows")
# attention layers whose output at a position depends only on the keys its mask allows: packing
# several completions behind one prompt is exact for them (sliding ones while the row fits the
# window)
MASKED_ATTENTION = frozenset({"full_attention", "sliding_attention", "dummy"})


@dataclass(frozen=True)
class LoraSettings:
    """Low-rank adapters through peft (the `lora` extra); r = 0 trains every weight."""
    r: int = 0
    alpha: float = 16.0
    target_modules: tuple[str, ...] = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj",
                                       "up_proj", "down_proj")
    dropout: float = 0.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "target_modules", tuple(self.target_modules))
        object.__setattr__(self, "alpha", float(self.alpha))
        if self.r < 0:
            raise ValueError(f"policy.lora.r={self.r!r} must be >= 0 "
                             "(0 trains every weight, no adapters)")
        if self.alpha <= 0:
            raise ValueError(f"policy.lora.alpha={self.alpha!r} must be > 0 "
                             "(adapter scale = alpha / r)")
        if not 0 <= self.dropout < 1:
            raise ValueError(f"policy.lora.dropout={self.dropout!r} must be in [0, 1)")
        if self.r and not self.target_modules:
            raise ValueError("policy.lora.target_modules is empty; name the linear layers to "
                             "adapt, e.g. [q_proj, v_proj]")


@dataclass(frozen=True)
class PolicyConfig:
    path: str = "models/tiny-base"
    dtype: str = "float32"
    gradient_checkpointing: bool = False
    micro_batch: int = 16
    threads: int = 2
    fsdp: bool = False
    device: str = "auto"
    packing: str = "auto"
    logit_chunk_tokens: int = 1024
    # a mapping in the schema (OmegaConf marks a frozen nested dataclass read-only, which would
    # refuse YAML and command-line values); __post_init__ replaces it with the validated
    # LoraSettings
    lora: Any = field(default_factory=lambda: asdict(LoraSettings()))

    def __post_init__(self) -> None:
        if not isinstance(self.lora, LoraSettings):  # a mapping from Hydra / YAML
            unknown = set(self.lora) - {f.name for f in fields(LoraSettings)}
            if unknown:
                raise ValueError(f"policy.lora has unknown keys {sorted(unknown)}; "
                                 "allowed: r, alpha, target_modules, dropout")
            object.__setattr__(self, "lora", LoraSettings(**self.lora))
        if self.dtype not in DTYPES:
            raise ValueError(
                f"policy.dtype={self.dtype!r} is not allowed; use one of {sorted(DTYPES)}"
            )
        if self.packing not in PACKING:
            raise ValueError(
                f"policy.packing={self.packing!r} is not allowed; use one of {PACKING}"
            )
        cuda_index = self.device.removeprefix("cuda:").isdigit()
        if not (self.device in ("auto", "cpu", "cuda") or cuda_index):
            raise ValueError(
                f"policy.device={self.device!r} is not allowed; use auto, cpu, cuda or cuda:<index>"
            )
        if min(self.micro_batch, self.threads, self.logit_chunk_tokens) < 1:
            raise ValueError(
                f"policy.micro_batch={self.micro_batch!r}, policy.threads={self.threads!r} and "
                f"policy.logit_chunk_tokens={self.logit_chunk_tokens!r} must be >= 1"
            )


def resolve(path: str) -> str:
    """A local path as given, else relative to the repository (the embedded model), else a hub
    id."""
    for candidate in (Path(path), REPO_ROOT / path):
        if candidate.exists():
            return str(candidate)
    return path


def pick_device(name: str) -> torch.device:
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name.startswith("cuda") and not torch.cuda.is_available():
        raise ValueError(
            f"policy.device={name!r} but torch sees no CUDA device; use policy.device=cpu or auto"
        )
    return torch.device(name)


def load_policy(cfg: PolicyConfig, trainable: bool = True):
    """(model, tokenizer). A trainable policy keeps fp32 master weights (so AdamW's small steps
    apply) and runs its forwards under autocast to `dtype`; a frozen one (the reference) is
    stored in `dtype`. Dropout is off everywhere: the update must score the network that sampled."""
    torch.set_num_threads(cfg.threads)
    device = pick_device(cfg.device)
    if device.type == "cuda":  # TF32 matmuls on Ampere and later; a no-op elsewhere
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True
    tok = AutoTokenizer.from_pretrained(resolve(cfg.path))
    tok.padding_side = "left"  # prompts end at the same column, completions start together
    if tok.pad_token is None:
        tok.pad_token = tok.eos_token
    weights = torch.float32 if trainable else DTYPES[cfg.dtype]
    model = load_weights(resolve(cfg.path), weights).to(device)
    if trainable and cfg.lora.r:
        model = add_adapters(model, cfg.lora, cfg.path)
    model.compute_dtype = DTYPES[cfg.dtype]
    model.eval()  # dropout off, in sampling and in the update alike (the adapters' dropout too)
    if trainable and cfg.gradient_checkpointing:
        getattr(model, "activation_checkpointing_enable", model.gradient_checkpointing_enable)()
        for layer in model.modules():  # HF checkpoints a layer only while it is in training mode
            if isinstance(layer, GradientCheckpointingLayer):
                layer.training = True
        if cfg.lora.r:  # the frozen embeddings' outputs need a grad for the checkpointed layers
            model.enable_input_require_grads()
    if not trainable:
        model.requires_grad_(False)
    return model, tok


def load_weights(path: str, dtype: torch.dtype):
    """A transformers model directory or hub id; a peft adapter directory (adapter_config.json, as
    training with policy.lora.r > 0 writes) loads its base model with the adapter merged in."""
    if not (Path(path) / "adapter_config.json").exists():
        return AutoModelForCausalLM.from_pretrained(path, dtype=dtype)
    try:
        from peft import PeftModel
    except ImportError as exc:
        raise ImportError(f"policy.path={path!r} holds a LoRA adapter, which needs peft ({exc}); "
                          "run `pip install -e '.[lora]'`") from None
    base = json.loads((Path(path) / "adapter_config.json").read_text())["base_model_name_or_path"]
    model = AutoModelForCausalLM.from_pretrained(resolve(base), dtype=torch.float32)
    return PeftModel.from_pretrained(model, path).merge_and_unload().to(dtype)


def add_adapters(model, lora: LoraSettings, base_path: str):
    """Injects trainable LoRA layers into `model` in place and freezes every other weight; the
    returned object is the same transformers model (sampling and log-probs run it unchanged),
    carrying its peft wrapper for saving (`save_policy`) and for the reference (`adapters_off`)."""
    try:
        from peft import LoraConfig, get_peft_model
    except ImportError as exc:
        raise ImportError(f"policy.lora.r={lora.r} needs peft ({exc}); "
                          "run `pip install -e '.[lora]'` or set policy.lora.r=0") from None
    present = {name.rsplit(".", 1)[-1] for name, m in model.named_modules()
               if isinstance(m, torch.nn.Linear)}
    missing = [t for t in lora.target_modules if t not in present]
    if missing:
        raise ValueError(f"policy.lora.target_modules names {missing}, which this model does "
                         "not have; "
                         f"its linear layers are {sorted(present)}")
    config = LoraConfig(r=lora.r, lora_alpha=lora.alpha, target_modules=list(lora.target_modules),
                        lora_dropout=lora.dropout, base_model_name_or_path=base_path)
    wrapper = get_peft_model(model, config)
    # as configured: no machine path
    wrapper.peft_config["default"].base_model_name_or_path = base_path
    # not a submodule: state_dict stays the model's
    object.__setattr__(model, "peft_wrapper", wrapper)
    return model


def trainable_parameters(model) -> list[torch.nn.Parameter]:
    """What the optimizer steps: every weight, or only the adapters under LoRA."""
    return [p for p in model.parameters() if p.requires_grad]


@contextlib.contextmanager
def adapters_off(model):
    """The base model's forward inside the block (the reference policy under LoRA): the same
    weights with every adapter disabled, so no second copy of the model exists."""
    wrapper = getattr(model, "peft_wrapper", None)
    if wrapper is None:
        raise ValueError("adapters_off needs a model trained with policy.lora.r > 0")
    with wrapper.disable_adapter():
        yield model


def autocast(model):
    """bf16 autocast for forwards of fp32 master weights; nothing when compute is fp32."""
    dtype = getattr(model, "compute_dtype", torch.float32)
    if dtype == torch.float32 or next(model.parameters()).dtype != torch.float32:
        return contextlib.nullcontext()
    return torch.autocast(next(model.parameters()).device.type, dtype=dtype)


def attention_layers(config) -> list[tuple[str, int | None]]:
    """(layer type, sliding window or None) per decoder layer, as transformers' caches read them."""
    types, kwargs = get_layer_types_and_kwargs(config.get_text_config(decoder=True))
    return [(t, kw.get("sliding_window")) for t, kw in zip(types, kwargs)]


def packing_is_exact(config, row_tokens: int) -> bool:
    """True when a packed row of `row_tokens` tokens with a block mask gives every completion
    the numbers of its own row: all layers are masked attention (no recurrent or convolution
    state that would carry one completion into the next) and every sliding window covers the row."""
    return all(
        t in MASKED_ATTENTION and (w is None or row_tokens < w) for t, w in attention_layers(config)
    )


def row_chunks(rows: torch.Tensor, group_size: int, micro_batch: int) -> list[torch.Tensor]:
    """Splits sorted row indices into micro-batches of at most micro_batch rows; a group that
    fits is never cut (its prompt is then packed once), a larger group is split."""
    chunks, cur = [], []
    rows = rows.tolist()
    for g in sorted({r // group_size for r in rows}):
        members = [r for r in rows if r // group_size == g]
        if cur and len(cur) + len(members) > micro_batch:
            chunks.append(cur)
            cur = []
        while len(members) > micro_batch:
            chunks.append(members[:micro_batch])
            members = members[micro_batch:]
        cur += members
    return [torch.tensor(c) for c in chunks + ([cur] if cur else [])]


def _layout(batch, rows: list[int], packed: bool):
    """Input rows for the update forward: per group [prompt, o_1, ..., o_k] (packed) or per
    completion [prompt, o_i] (rows), unpadded, plus (row, position) where each target is
    predicted."""
    P, G = batch.prompt_len, batch.group_size
    lengths = batch.completion_mask.sum(-1).tolist()
    seqs, segs, poss, preds, targets, slots = [], [], [], [], [], []
    keys = sorted({r // G for r in rows}) if packed else rows
    for key in keys:
        members = [(i, r) for i, r in enumerate(rows) if (r // G if packed else r) == key]
        prompt = batch.ids[members[0][1], :P][batch.attention_mask[members[0][1], :P].bool()]
        L, k = len(prompt), len(seqs)
        seq, seg, pos, start = (
            [prompt],
            [torch.zeros(L, dtype=torch.long, device=prompt.device)],
            [torch.arange(L)],
            L,
        )
        for i, r in members:
            n = lengths[r]
            seq.append(batch.ids[r, P:P + n])
            seg.append(
                torch.full((n,), i + 1, device=prompt.device)
            )  # i + 1 is unique within the row
            pos.append(torch.arange(L, L + n))
            # token j of o_i is predicted at the previous token of o_i, token 0 at the prompt's end
            preds += [(k, L - 1)] + [(k, start + j) for j in range(n - 1)]
            targets.append(batch.ids[r, P:P + n])
            slots += [(i, j) for j in range(n)]
            start += n
        seqs.append(torch.cat(seq))
        segs.append(torch.cat(seg))
        poss.append(torch.cat(pos))
    return seqs, segs, poss, preds, torch.cat(targets), slots


class Scorer(torch.nn.Module):
    """The update's whole forward as one module: decoder body, then the chunked LM-head
    log-probs. Data parallelism wraps this (rl/distributed.py), not the causal LM: DDP
    synchronises gradients only of what runs inside its wrapper's forward, and the chunked
    head is not the causal LM's forward. It owns no parameters but the policy's."""

    def __init__(self, policy):
        super().__init__()
        self.policy = policy

    def forward(self, inputs: dict, at: torch.Tensor, targets: torch.Tensor, chunk_tokens: int):
        """(log-prob, entropy) of `targets`, predicted at positions `at` [tokens, 2] of `inputs`."""
        with autocast(self.policy):
            out = self.policy.base_model(**inputs, use_cache=False)
        hidden = out.last_hidden_state[at[:, 0], at[:, 1]]  # [tokens, H]
        return chunked_logprobs(self.policy, hidden, targets, chunk_tokens)


def token_logprobs(model, batch, rows: torch.Tensor, packing: str = "auto",
                   chunk_tokens: int = 1024) -> tuple[torch.Tensor, torch.Tensor]:
    """(log pi(token), entropy) over the completion positions of `rows` of a RolloutBatch, both
    [len(rows), T] fp32, 0 past each completion's end.

    Packed: completions of one group share their prompt, so a group is one sequence
    [prompt, o_1, ..., o_k] whose block mask lets o_i see the prompt and itself only, positions
    restarting after the prompt: the prompt runs once per group (B*(P + G*T) tokens instead of
    B*G*(P + T)). This is exact only for masked attention within every window
    (`packing_is_exact`), which `packing="auto"` checks per call; otherwise one right-padded
    row per completion, exact for any causal model.

    The logits are never held whole: the final hidden state of each predicting position goes
    through the LM head `chunk_tokens` positions at a time, keeping the sampled token's logit and
    the logsumexp; with gradients on, each chunk is recomputed in the backward pass
    (activation checkpointing), so fp32 [tokens, V] exists for one chunk at a time."""
    scorer = model if isinstance(getattr(model, "module", model), Scorer) else Scorer(model)
    model = getattr(scorer, "module", scorer).policy  # the causal LM (DDP keeps it in .module)
    device, T = batch.ids.device, batch.completion_mask.shape[1]
    row_list = rows.tolist()
    lengths = batch.completion_mask.sum(-1)
    if packing == "auto":
        prompt_lens = batch.attention_mask[:, :batch.prompt_len].sum(-1)
        groups = {r // batch.group_size for r in row_list}
        longest = max(int(prompt_lens[g * batch.group_size]) + sum(int(lengths[r]) for r in row_list
                      if r // batch.group_size == g) for g in groups)
        packing = "packed" if packing_is_exact(model.config, longest) else "rows"
    seqs, segs, poss, preds, targets, slots = _layout(batch, row_list, packing == "packed")
    S = max(len(s) for s in seqs)

    def pad(xs, v):
        padded = [torch.nn.functional.pad(x, (0, S - len(x)), value=v) for x in xs]
        return torch.stack(padded).to(device)

    ids, seg, pos = pad(seqs, 0), pad(segs, -1), pad(poss, 0)  # [n, S]; padding is segment -1
    if packing == "packed":
        causal = torch.ones(S, S, dtype=torch.bool, device=device).tril()
        allowed = causal & (
            (seg[:, None, :] == 0) | (seg[:, None, :] == seg[:, :, None])
        )  # [n, S(query), S(key)]
        dtype = next(model.parameters()).dtype
        mask = torch.zeros(allowed.shape, dtype=dtype, device=device).masked_fill(
            ~allowed, torch.finfo(dtype).min
        )[:, None]
        inputs = {"input_ids": ids, "attention_mask": mask, "position_ids": pos}
    else:  # right padding never reaches an earlier position of a causal model
        inputs = {"input_ids": ids, "attention_mask": seg.ge(0).long()}
    at = torch.tensor(preds, device=device)
    lp, ent = scorer(inputs, at, targets.to(device), chunk_tokens)
    where = torch.tensor(slots, device=device)
    flat = where[:, 0] * T + where[:, 1]
    zeros = torch.zeros(len(row_list) * T, device=device)
    return zeros.index_put((flat,), lp).view(len(row_list), T), zeros.index_put((flat,), ent).view(
        len(row_list), T
    )


def head_logits(model, hidden: torch.Tensor) -> torch.Tensor:
    """The LM head over final hidden states [n, H] -> fp32 logits [n, V], with the output
    transforms transformers' causal-LM heads apply (Gemma's soft-capping, Cohere's and
    Granite's scales)."""
    cfg = model.config.get_text_config(decoder=True)
    with autocast(model):
        logits = model.get_output_embeddings()(hidden).float()
    if getattr(cfg, "logit_scale", None) is not None:
        logits = logits * cfg.logit_scale
    if getattr(cfg, "logits_scaling", None) is not None:
        logits = logits / cfg.logits_scaling
    cap = getattr(cfg, "final_logit_softcapping", None)
    return logits if cap is None else torch.tanh(logits / cap) * cap


def chunked_logprobs(model, hidden: torch.Tensor, targets: torch.Tensor, chunk_tokens: int):
    """log softmax(head(hidden))[target] and the entropy, one chunk of positions at a time."""
    def one(h: torch.Tensor, y: torch.Tensor):
        logits = head_logits(
            model, h
        )  # [c, V] fp32: the only full-vocabulary tensor, one chunk long
        lse = logits.logsumexp(-1)
        with torch.no_grad():
            ent = lse - (logits - lse[:, None]).exp().mul(logits).sum(-1)
        return logits.gather(-1, y[:, None]).squeeze(-1) - lse, ent

    parts = [checkpoint(one, h, y, use_reentrant=False) if torch.is_grad_enabled() else one(h, y)
             for h, y in zip(hidden.split(chunk_tokens), targets.split(chunk_tokens))]
    return torch.cat([p[0] for p in parts]), torch.cat([p[1] for p in parts])
