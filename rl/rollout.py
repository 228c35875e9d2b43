"""Samples G completions per prompt and packs them into a RolloutBatch (ids, masks, texts,
finish reasons); it does not score, compute advantages or update the policy.

`Rollout` is the role the loop depends on: an HF `generate` backend here, a vLLM backend later
only has to return the same RolloutBatch."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import torch

FINISH_REASONS = ("stop", "eos", "length")


@dataclass(frozen=True)
class SamplingConfig:
    group_size: int = 8
    max_new_tokens: int = 64
    temperature: float = 1.0
    top_p: float = 1.0
    stop: tuple[str, ...] = ("</answer>",)

    def __post_init__(self) -> None:
        object.__setattr__(self, "stop", tuple(self.stop))
        if self.group_size < 2:
            raise ValueError(f"sampling.group_size={self.group_size!r} must be >= 2 (advantages compare within a group)")
        if self.max_new_tokens < 1 or self.temperature <= 0 or not 0 < self.top_p <= 1:
            raise ValueError(f"sampling.max_new_tokens={self.max_new_tokens!r} must be >= 1, temperature="
                             f"{self.temperature!r} > 0 and top_p={self.top_p!r} in (0, 1]")


@dataclass
class RolloutBatch:
    ids: torch.Tensor  # [N, P + T] left-padded prompt then completion, N = B*G, rows of a group adjacent
    attention_mask: torch.Tensor  # [N, P + T]
    completion_mask: torch.Tensor  # [N, T] bool: generated tokens up to and including the stop
    prompt_len: int  # P
    texts: list[str]  # N completions, decoded without special tokens
    finish_reasons: list[str]  # N of FINISH_REASONS

    @property
    def lengths(self) -> torch.Tensor:  # [N]
        return self.completion_mask.sum(-1)


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
        enc = self.tok([p for p in prompts for _ in range(n)], return_tensors="pt", padding=True)
        P = enc["input_ids"].shape[1]
        was_training = self.model.training
        self.model.eval()
        extra = {"stop_strings": self.stop_strings, "tokenizer": self.tok} if self.stop_strings else {}
        sample = {} if greedy else {"temperature": self.cfg.temperature, "top_p": self.cfg.top_p, "top_k": 0}
        out = self.model.generate(**enc, do_sample=not greedy, max_new_tokens=self.cfg.max_new_tokens,
                                  eos_token_id=[self.tok.eos_token_id, *self.stop_ids],
                                  pad_token_id=self.tok.pad_token_id, **sample, **extra)
        self.model.train(was_training)
        completion = out[:, P:]  # [N, T]
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
        mask_full = torch.cat([enc["attention_mask"], before_end.long()], dim=1)
        return RolloutBatch(out, mask_full, before_end, P, texts, reasons)
