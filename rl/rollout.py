"""Samples G completions per prompt and packs them into a RolloutBatch (ids, masks, texts,
finish reasons); it does not score, compute advantages or update the policy.

`Rollout` is the role the loop depends on: an HF `generate` backend here, a vLLM backend later
only has to return the same RolloutBatch."""

from __future__ import annotations

import contextlib
import sys
from dataclasses import dataclass
from typing import Protocol

import torch
from transformers import DynamicCache
from transformers.cache_utils import DynamicLayer, DynamicSlidingWindowLayer

from rl.policy import autocast

FINISH_REASONS = ("stop", "eos", "length")


@dataclass(frozen=True)
class SamplingConfig:
    group_size: int = 8
    max_new_tokens: int = 64
    temperature: float = 1.0
    top_p: float = 1.0
    stop: tuple[str, ...] = ("</answer>",)
    backend: str = "cached"

    def __post_init__(self) -> None:
        object.__setattr__(self, "stop", tuple(self.stop))
        if self.group_size < 2:
            raise ValueError(
                f"sampling.group_size={self.group_size!r} must be >= 2 "
                "(advantages compare within a group)"
            )
        if self.backend not in BACKENDS:
            raise ValueError(
                f"sampling.backend={self.backend!r} is not allowed; use one of {tuple(BACKENDS)}"
            )
        if self.max_new_tokens < 1 or self.temperature <= 0 or not 0 < self.top_p <= 1:
            raise ValueError(
                f"sampling.max_new_tokens={self.max_new_tokens!r} must be >= 1, temperature="
                f"{self.temperature!r} > 0 and top_p={self.top_p!r} in (0, 1]"
            )


@dataclass
class RolloutBatch:
    ids: (
        torch.Tensor
    )  # [N, P + T] left-padded prompt then completion, N = B*G, rows of a group adjacent
    attention_mask: torch.Tensor  # [N, P + T]
    completion_mask: torch.Tensor  # [N, T] bool: generated tokens up to and including the stop
    prompt_len: int  # P
    group_size: int  # G
    texts: list[str]  # N completions, decoded without special tokens
    finish_reasons: list[str]  # N of FINISH_REASONS

    @property
    def lengths(self) -> torch.Tensor:  # [N]
        return self.completion_mask.sum(-1)

    def groups(self, keep: torch.Tensor) -> RolloutBatch:
        """Only the groups whose entry of keep [B] (bool) is set."""
        rows = keep.repeat_interleave(self.group_size).nonzero().flatten().tolist()
        return RolloutBatch(
            self.ids[rows],
            self.attention_mask[rows],
            self.completion_mask[rows],
            self.prompt_len,
            self.group_size,
            [self.texts[i] for i in rows],
            [self.finish_reasons[i] for i in rows],
        )

    @staticmethod
    def concat(parts: list[RolloutBatch]) -> RolloutBatch:
        """One batch of all parts' rows: prompts re-aligned by left padding, completions by right
        padding (padding ids are 0 and masked)."""
        P, T = max(b.prompt_len for b in parts), max(b.completion_mask.shape[1] for b in parts)

        def fit(b: RolloutBatch, x: torch.Tensor) -> torch.Tensor:  # [n, P_b + T_b] -> [n, P + T]
            return torch.nn.functional.pad(x, (P - b.prompt_len, T + b.prompt_len - x.shape[1]))

        return RolloutBatch(
            torch.cat([fit(b, b.ids) for b in parts]),
            torch.cat([fit(b, b.attention_mask) for b in parts]),
            torch.cat(
                [
                    torch.nn.functional.pad(b.completion_mask, (0, T - b.completion_mask.shape[1]))
                    for b in parts
                ]
            ),
            P,
            parts[0].group_size,
            sum((b.texts for b in parts), []),
            sum((b.finish_reasons for b in parts), []),
        )


class Rollout(Protocol):
    def generate(self, prompts: list[str], n: int, greedy: bool = False) -> RolloutBatch: ...


@contextlib.contextmanager
def sampling_mode(model):
    """Every module in eval mode while sampling (no dropout, no gradient-checkpointing layer
    dropping the cache), each module's own mode restored afterwards."""
    modules = list(model.modules()) if hasattr(model, "modules") else []
    modes = [m.training for m in modules]
    for m in modules:
        m.training = False
    try:
        yield
    finally:
        for m, mode in zip(modules, modes):
            m.training = mode


class HFRollout:
    """Batched `model.generate`: one call for all B*G samples (prompts repeated G times)."""

    def __init__(self, model, tokenizer, cfg: SamplingConfig):
        self.model, self.tok, self.cfg = model, tokenizer, cfg
        # A stop string that is one token stops generation as an extra EOS id (cheap); longer
        # ones are matched in the decoded text.
        single = [tokenizer.convert_tokens_to_ids(s) for s in cfg.stop]
        self.stop_ids = [
            i for i, s in zip(single, cfg.stop) if i != tokenizer.unk_token_id and i is not None
        ]
        self.stop_strings = [s for i, s in zip(single, cfg.stop) if i not in self.stop_ids]
        self.device = next(model.parameters()).device

    @torch.no_grad()
    def generate(self, prompts: list[str], n: int, greedy: bool = False) -> RolloutBatch:
        with sampling_mode(self.model), autocast(self.model):
            prompt_ids, prompt_mask, completion = self._complete(
                prompts, n, greedy
            )  # [N, P], [N, P], [N, T]
        lengths, reasons = self._ends(completion)
        T = completion.shape[1]
        mask = (
            torch.arange(T, device=completion.device)[None]
            < torch.tensor(lengths, device=completion.device)[:, None]
        )
        completion = completion.masked_fill(
            ~mask, self.tok.pad_token_id
        )  # nothing past the end is kept
        texts = self.tok.batch_decode(completion, skip_special_tokens=True)
        return RolloutBatch(
            torch.cat([prompt_ids, completion], 1),
            torch.cat([prompt_mask, mask.long()], 1),
            mask,
            prompt_ids.shape[1],
            n,
            texts,
            reasons,
        )

    def _ends(self, completion: torch.Tensor) -> tuple[list[int], list[str]]:
        """Per row, the completion length up to and including the first end (an EOS or stop id
        token, or the token that completes a stop string) and its finish reason. Whatever follows
        (padding, or an EOS generate appended as padding when pad == eos) was never sampled
        as part of this completion and is not counted."""
        ends = torch.tensor([self.tok.eos_token_id, *self.stop_ids], device=completion.device)
        is_end = torch.isin(completion, ends)
        first = torch.where(is_end.any(-1), is_end.float().argmax(-1), completion.shape[1]).tolist()
        lengths, reasons = [], []
        for row, e in zip(completion.tolist(), first):
            s = self._stop_string_end(row[:e]) if self.stop_strings else None
            if s is not None:
                lengths.append(s + 1)
                reasons.append("stop")
            elif e < len(row):
                lengths.append(e + 1)
                reasons.append("eos" if row[e] == self.tok.eos_token_id else "stop")
            else:
                lengths.append(len(row))
                reasons.append("length")
        return lengths, reasons

    def _stop_string_end(self, tokens: list[int]) -> int | None:
        """Index of the token whose decoding first completes a stop string, or None (binary
        search over prefixes: containing a stop string only grows with the prefix)."""
        if not self._has_stop(tokens):
            return None
        lo, hi = 0, len(tokens) - 1
        while lo < hi:
            mid = (lo + hi) // 2
            if self._has_stop(tokens[:mid + 1]):
                hi = mid
            else:
                lo = mid + 1
        return lo

    def _has_stop(self, tokens: list[int]) -> bool:
        text = self.tok.decode(tokens)
        return any(s in text for s in self.stop_strings)

    def _encode(self, prompts: list[str]):
        # a chat template writes its own BOS; the tokenizer must not add a second one
        bos = self.tok.bos_token
        special = not (bos and all(p.startswith(bos) for p in prompts))
        return self.tok(prompts, return_tensors="pt", padding=True, add_special_tokens=special).to(
            self.device
        )

    def _complete(self, prompts: list[str], n: int, greedy: bool):
        enc = self._encode([p for p in prompts for _ in range(n)])
        extra = (
            {"stop_strings": self.stop_strings, "tokenizer": self.tok} if self.stop_strings else {}
        )
        sample = (
            {}
            if greedy
            else {"temperature": self.cfg.temperature, "top_p": self.cfg.top_p, "top_k": 0}
        )
        out = self.model.generate(
            **enc,
            do_sample=not greedy,
            max_new_tokens=self.cfg.max_new_tokens,
            eos_token_id=[self.tok.eos_token_id, *self.stop_ids],
            pad_token_id=self.tok.pad_token_id,
            **sample,
            **extra,
        )
        P = enc["input_ids"].shape[1]
        return enc["input_ids"], enc["attention_mask"], out[:, P:]


class CachedRollout(HFRollout):
    """The same samples as HFRollout (softmax(logits / temperature), nucleus top_p, or greedy),
    drawn by a lean decode loop over the model's KV cache instead of `generate`, for two exact
    savings on small models: each distinct prompt is prefilled once and its cache copied to its
    G rows, and finished rows leave the batch (and the cache) at once, so later decode steps
    only pay for completions still running. Stop strings of several tokens are matched in the
    decoded tail of each running row. Caches must be attention caches (make_rollout hands models
    with recurrent or convolution state to HFRollout)."""

    def _complete(self, prompts: list[str], n: int, greedy: bool):
        enc = self._encode(prompts)
        am = enc["attention_mask"]  # [B, P]
        pos = (am.cumsum(-1) - 1).clamp(min=0)
        cache = reserved_cache(self.model.config, self.cfg.max_new_tokens)
        logits = (
            self.model(
                input_ids=enc["input_ids"],
                attention_mask=am,
                position_ids=pos,
                past_key_values=cache,
                use_cache=True,
                logits_to_keep=1,
            )
            .logits[:, -1]
            .repeat_interleave(n, 0)
        )  # [N, V]
        cache.batch_repeat_interleave(n)
        am, last = am.repeat_interleave(n, 0), pos[:, -1:].repeat_interleave(n, 0)  # [N, P], [N, 1]
        ends = torch.tensor([self.tok.eos_token_id, *self.stop_ids], device=self.device)
        live = torch.arange(len(am), device=self.device)  # rows still generating
        out = torch.full(
            (len(am), self.cfg.max_new_tokens), self.tok.pad_token_id, device=self.device
        )  # [N, T]
        # a stop string ends within its last len(stop) tokens (every token decodes to >= 1
        # character)
        tail = max((len(x) for x in self.stop_strings), default=0) + 1
        for t in range(self.cfg.max_new_tokens):
            token = self._pick(logits.float(), greedy)
            out[live, t] = token
            going = ~torch.isin(token, ends)
            if self.stop_strings:
                recent = out[live, max(0, t + 1 - tail):t + 1].tolist()
                going &= torch.tensor([not self._has_stop(r) for r in recent], device=self.device)
            if t + 1 == self.cfg.max_new_tokens or not going.any():
                break
            if not going.all():
                keep = going.nonzero().flatten()
                cache.batch_select_indices(keep)
                live, token, am, last = live[keep], token[keep], am[keep], last[keep]
            am, last = torch.cat([am, am.new_ones(len(live), 1)], 1), last + 1
            logits = self.model(input_ids=token[:, None], attention_mask=am, position_ids=last,
                                past_key_values=cache, use_cache=True).logits[:, -1]
        return (
            enc["input_ids"].repeat_interleave(n, 0),
            enc["attention_mask"].repeat_interleave(n, 0),
            out,
        )

    def _pick(self, logits: torch.Tensor, greedy: bool) -> torch.Tensor:
        if greedy:
            return logits.argmax(-1)
        probs = (logits / self.cfg.temperature).softmax(-1)  # [n, V]
        if self.cfg.top_p < 1:  # nucleus: keep the smallest set of top tokens with mass >= top_p
            p, order = probs.sort(-1, descending=True)
            p = p.masked_fill(p.cumsum(-1) - p >= self.cfg.top_p, 0.0)
            probs = torch.zeros_like(probs).scatter(-1, order, p)
        return torch.multinomial(probs, 1).squeeze(-1)


class ReservedLayer(DynamicLayer):
    """A DynamicLayer whose keys and values live in a buffer with room for `reserve` more tokens,
    so a decode step writes its one new column in place; DynamicLayer concatenates, copying the
    whole cache of every layer at every step, a large share of decoding a small model. Attention
    reads views of the buffer holding the same numbers, so samples are unchanged."""

    def __init__(self, reserve: int):
        super().__init__()
        self.reserve, self.buffer = (
            reserve,
            None,
        )  # buffer: (keys, values) [n, heads, capacity, dim]

    def update(self, key_states: torch.Tensor, value_states: torch.Tensor, *args, **kwargs):
        if not self.is_initialized:
            self.lazy_initialization(key_states, value_states)
        n, q = self.get_seq_length(), key_states.shape[-2]
        if self.buffer is None or n + q > self.buffer[0].shape[-2]:
            grown = tuple(
                x.new_empty(*x.shape[:-2], n + q + self.reserve, x.shape[-1])
                for x in (key_states, value_states)
            )
            for new, old in zip(grown, (self.keys, self.values) if n else ()):
                new[..., :n, :] = old
            self.buffer = grown
        for buf, x in zip(self.buffer, (key_states, value_states)):
            buf[..., n:n + q, :] = x
        self.keys, self.values = (buf[..., :n + q, :] for buf in self.buffer)
        return self.keys, self.values

    def _rows(self, pick) -> None:
        n = self.get_seq_length()
        if n > 0:
            self.buffer = tuple(pick(buf) for buf in self.buffer)
            self.keys, self.values = (buf[..., :n, :] for buf in self.buffer)

    def batch_repeat_interleave(self, repeats: int) -> None:
        self._rows(lambda buf: buf.repeat_interleave(repeats, dim=0))

    def batch_select_indices(self, indices: torch.Tensor) -> None:
        self._rows(lambda buf: buf[indices, ...])


def cache_is_supported(config) -> bool:
    """The cached decoder repeats and selects cache rows; transformers' attention layers support
    that, the recurrent and convolution states of hybrid models (Qwen3.5, LFM2) do not."""
    cache = DynamicCache(config=config)
    return all(type(layer) in (DynamicLayer, DynamicSlidingWindowLayer) for layer in cache.layers)


def reserved_cache(config, reserve: int) -> DynamicCache:
    """The model's DynamicCache with each plain full-attention layer made a ReservedLayer (sliding
    window and other special layers are kept as the model defines them)."""
    cache = DynamicCache(config=config)
    cache.layers = [
        ReservedLayer(reserve) if type(layer) is DynamicLayer else layer for layer in cache.layers
    ]
    # configs without layer types: layers made on first use
    if cache.layer_class_to_replicate is DynamicLayer:
        cache.layer_class_to_replicate = lambda: ReservedLayer(reserve)
    return cache


BACKENDS = {"cached": CachedRollout, "generate": HFRollout}


def make_rollout(model, tokenizer, cfg: SamplingConfig) -> Rollout:
    rollout = BACKENDS[cfg.backend](model, tokenizer, cfg)
    if isinstance(rollout, CachedRollout) and not cache_is_supported(model.config):
        print(
            f"{type(model).__name__} keeps recurrent or convolution state "
            "the cached decoder cannot "
            "repeat or select: sampling with backend=generate (HF generate)",
            file=sys.stderr,
        )
        return HFRollout(model, tokenizer, cfg)
    return rollout
