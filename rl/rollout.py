"""Samples G completions per prompt and packs them into a RolloutBatch (ids, masks, texts,
finish reasons); it does not score, compute advantages or update the policy.

`Rollout` is the role the loop depends on: an HF `generate` backend here, a vLLM backend later
only has to return the same RolloutBatch."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Protocol

import torch
from transformers import DynamicCache
from transformers.cache_utils import DynamicLayer

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
            raise ValueError(f"sampling.group_size={self.group_size!r} must be >= 2 (advantages compare within a group)")
        if self.backend not in BACKENDS:
            raise ValueError(f"sampling.backend={self.backend!r} is not allowed; use one of {tuple(BACKENDS)}")
        if self.max_new_tokens < 1 or self.temperature <= 0 or not 0 < self.top_p <= 1:
            raise ValueError(f"sampling.max_new_tokens={self.max_new_tokens!r} must be >= 1, temperature="
                             f"{self.temperature!r} > 0 and top_p={self.top_p!r} in (0, 1]")


@dataclass
class RolloutBatch:
    ids: torch.Tensor  # [N, P + T] left-padded prompt then completion, N = B*G, rows of a group adjacent
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
        return RolloutBatch(self.ids[rows], self.attention_mask[rows], self.completion_mask[rows], self.prompt_len,
                            self.group_size, [self.texts[i] for i in rows], [self.finish_reasons[i] for i in rows])

    @staticmethod
    def concat(parts: list[RolloutBatch]) -> RolloutBatch:
        """One batch of all parts' rows: prompts re-aligned by left padding, completions by right
        padding (padding ids are 0 and masked)."""
        P, T = max(b.prompt_len for b in parts), max(b.completion_mask.shape[1] for b in parts)

        def fit(b: RolloutBatch, x: torch.Tensor) -> torch.Tensor:  # [n, P_b + T_b] -> [n, P + T]
            return torch.nn.functional.pad(x, (P - b.prompt_len, T + b.prompt_len - x.shape[1]))

        return RolloutBatch(torch.cat([fit(b, b.ids) for b in parts]), torch.cat([fit(b, b.attention_mask) for b in parts]),
                            torch.cat([torch.nn.functional.pad(b.completion_mask, (0, T - b.completion_mask.shape[1]))
                                       for b in parts]), P, parts[0].group_size,
                            sum((b.texts for b in parts), []), sum((b.finish_reasons for b in parts), []))


class Rollout(Protocol):
    def generate(self, prompts: list[str], n: int, greedy: bool = False) -> RolloutBatch: ...


class HFRollout:
    """Batched `model.generate`: one call for all B*G samples (prompts repeated G times)."""

    def __init__(self, model, tokenizer, cfg: SamplingConfig):
        self.model, self.tok, self.cfg = model, tokenizer, cfg
        # A stop string that is one token stops generation as an extra EOS id (cheap); longer
        # ones go through generate's stop_strings.
        single = [tokenizer.convert_tokens_to_ids(s) for s in cfg.stop]
        self.stop_ids = [i for i, s in zip(single, cfg.stop) if i != tokenizer.unk_token_id and i is not None]
        self.stop_strings = [s for i, s in zip(single, cfg.stop) if i not in self.stop_ids]

    @torch.no_grad()
    def generate(self, prompts: list[str], n: int, greedy: bool = False) -> RolloutBatch:
        was_training = self.model.training
        self.model.eval()
        prompt_ids, prompt_mask, completion = self._complete(prompts, n, greedy)  # [N, P], [N, P], [N, T]
        self.model.train(was_training)
        ends = torch.tensor([self.tok.eos_token_id, *self.stop_ids])
        is_end = torch.isin(completion, ends)
        # the mask covers tokens up to and including the first end token (padding after it)
        before_end = (is_end.cumsum(-1) - is_end.long()) == 0  # [N, T]
        texts = self.tok.batch_decode(completion.masked_fill(~before_end, self.tok.pad_token_id),
                                      skip_special_tokens=True)
        reasons = []
        for row, ended, text in zip(completion, is_end, texts):
            first = int(ended.float().argmax()) if ended.any() else -1
            if first >= 0:
                reasons.append("eos" if row[first] == self.tok.eos_token_id else "stop")
            else:  # multi-token stop strings are only visible in the text
                reasons.append("stop" if any(text.endswith(s) for s in self.stop_strings) else "length")
        return RolloutBatch(torch.cat([prompt_ids, completion], 1), torch.cat([prompt_mask, before_end.long()], 1),
                            before_end, prompt_ids.shape[1], n, texts, reasons)

    def _complete(self, prompts: list[str], n: int, greedy: bool):
        enc = self.tok([p for p in prompts for _ in range(n)], return_tensors="pt", padding=True)
        extra = {"stop_strings": self.stop_strings, "tokenizer": self.tok} if self.stop_strings else {}
        sample = {} if greedy else {"temperature": self.cfg.temperature, "top_p": self.cfg.top_p, "top_k": 0}
        out = self.model.generate(**enc, do_sample=not greedy, max_new_tokens=self.cfg.max_new_tokens,
                                  eos_token_id=[self.tok.eos_token_id, *self.stop_ids],
                                  pad_token_id=self.tok.pad_token_id, **sample, **extra)
        P = enc["input_ids"].shape[1]
        return enc["input_ids"], enc["attention_mask"], out[:, P:]


class CachedRollout(HFRollout):
    """The same samples as HFRollout (softmax(logits / temperature), nucleus top_p, or greedy),
    drawn by a lean decode loop over the model's KV cache instead of `generate`, for two exact
    savings on small models: each distinct prompt is prefilled once and its cache copied to its
    G rows, and finished rows leave the batch (and the cache) at once, so later decode steps
    only pay for completions still running. Stop strings must be single tokens of the tokenizer
    (make_rollout hands longer ones to HFRollout, whose `generate` matches them in text)."""

    def _complete(self, prompts: list[str], n: int, greedy: bool):
        enc = self.tok(prompts, return_tensors="pt", padding=True)
        am = enc["attention_mask"]  # [B, P]
        pos = (am.cumsum(-1) - 1).clamp(min=0)
        cache = reserved_cache(self.model.config, self.cfg.max_new_tokens)
        logits = self.model(input_ids=enc["input_ids"], attention_mask=am, position_ids=pos, past_key_values=cache,
                            use_cache=True, logits_to_keep=1).logits[:, -1].repeat_interleave(n, 0)  # [N, V]
        cache.batch_repeat_interleave(n)
        am, last = am.repeat_interleave(n, 0), pos[:, -1:].repeat_interleave(n, 0)  # [N, P], [N, 1]
        ends = torch.tensor([self.tok.eos_token_id, *self.stop_ids])
        live = torch.arange(len(am))  # rows still generating
        out = torch.full((len(am), self.cfg.max_new_tokens), self.tok.pad_token_id)  # [N, T]
        for t in range(self.cfg.max_new_tokens):
            token = self._pick(logits.float(), greedy)
            out[live, t] = token
            going = ~torch.isin(token, ends)
            if t + 1 == self.cfg.max_new_tokens or not going.any():
                break
            if not going.all():
                keep = going.nonzero().flatten()
                cache.batch_select_indices(keep)
                live, token, am, last = live[keep], token[keep], am[keep], last[keep]
            am, last = torch.cat([am, am.new_ones(len(live), 1)], 1), last + 1
            logits = self.model(input_ids=token[:, None], attention_mask=am, position_ids=last,
                                past_key_values=cache, use_cache=True).logits[:, -1]
        return enc["input_ids"].repeat_interleave(n, 0), enc["attention_mask"].repeat_interleave(n, 0), out

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
        self.reserve, self.buffer = reserve, None  # buffer: (keys, values) [n, heads, capacity, dim]

    def update(self, key_states: torch.Tensor, value_states: torch.Tensor, *args, **kwargs):
        if not self.is_initialized:
            self.lazy_initialization(key_states, value_states)
        n, q = self.get_seq_length(), key_states.shape[-2]
        if self.buffer is None or n + q > self.buffer[0].shape[-2]:
            grown = tuple(x.new_empty(*x.shape[:-2], n + q + self.reserve, x.shape[-1]) for x in (key_states, value_states))
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


def reserved_cache(config, reserve: int) -> DynamicCache:
    """The model's DynamicCache with each plain full-attention layer made a ReservedLayer (sliding
    window and other special layers are kept as the model defines them)."""
    cache = DynamicCache(config=config)
    cache.layers = [ReservedLayer(reserve) if type(layer) is DynamicLayer else layer for layer in cache.layers]
    if cache.layer_class_to_replicate is DynamicLayer:  # configs without layer types: layers made on first use
        cache.layer_class_to_replicate = lambda: ReservedLayer(reserve)
    return cache


BACKENDS = {"cached": CachedRollout, "generate": HFRollout}


def make_rollout(model, tokenizer, cfg: SamplingConfig) -> Rollout:
    rollout = BACKENDS[cfg.backend](model, tokenizer, cfg)
    if isinstance(rollout, CachedRollout) and rollout.stop_strings:
        print(f"sampling.stop {rollout.stop_strings} are several tokens for this tokenizer: sampling with "
              "backend=generate (HF generate matches them in text)", file=sys.stderr)
        return HFRollout(model, tokenizer, cfg)
    return rollout
