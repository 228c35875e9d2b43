"""FormatVerifier: checks the R1 tag layout of a completion through the shared tag tokenizer;
it never judges whether the answer inside the layout is correct.

Why not a regex: a `^<think>.*?</think>\\s*<answer>.*?</answer>` pattern (the open-r1 style)
either accepts text after `</answer>`, duplicated think blocks and tag spam, or rejects the
R1-Zero paper's own space-separated layout and a `<think>` already opened by the chat template.
Walking the tag tokens from `verifiers.extract` sees exactly the tags every other verifier sees
and can name the *first* violation, which is what a reason histogram needs.

Variants (config key `variant`):
- "r1_zero":    <think> T </think> <answer> A </answer>       (R1-Zero template)
- "think_only": <think> T </think> FINAL                       (R1 release: free text after)
- "boxed":      <think> T </think> ... \\boxed{A} ...          (no answer tags)
- "code":       r1_zero whose answer holds a closed ``` fenced block

`prefilled_think=True` means the prompt already ends with `<think>` (the released R1 chat
template ends with "<think>\\n"), so the completion starts inside the reasoning and must not
open it again.

`partial_credit=True` is opt-in shaping: a failing layout earns 0.75 × (share of expected tags
present exactly once). It is GAMEABLE: a policy can collect most of it by emitting the tags with
empty or misplaced content, so use it only to bootstrap a model that never emits tags, and
never without the exact check. The cap keeps a valid layout (1.0) strictly better.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from verifiers.base import Problem, Verdict
from verifiers.extract import boxes, code_blocks, tokenize_tags

VARIANTS = ("r1_zero", "think_only", "boxed", "code")
PARTIAL_CREDIT_CAP = 0.75

_THINK_OPEN = ("think", False)
_THINK_CLOSE = ("think", True)
_ANSWER_OPEN = ("answer", False)
_ANSWER_CLOSE = ("answer", True)

# Invisible characters a policy could use to make an "empty" block look non-empty, or that an
# editor may leave at the start of a file; they count as whitespace.
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"


def _blank(text: str) -> bool:
    return not text.strip().strip(_INVISIBLE).strip()


def _tag_text(key: tuple[str, bool]) -> str:
    return f"<{'/' if key[1] else ''}{key[0]}>"


@dataclass(frozen=True)
class FormatVerifier:
    """Score 1.0 for an exact layout, else 0.0 (or partial credit when opted in); the reason
    names the first violation in reading order."""

    variant: str = "r1_zero"
    prefilled_think: bool = False
    partial_credit: bool = False

    REASONS: ClassVar[frozenset[str]] = frozenset({
        "ok",
        "missing_think",       # no <think> opener (or a tag that needs one came first)
        "text_before_think",   # non-whitespace before <think>
        "unclosed_think",      # <think> never closed
        "empty_think",         # nothing but whitespace inside the think block
        "nested_tag",          # a block opened inside another open block
        "duplicate_tag",       # a tag seen a second time (tag spam, a second think block)
        "text_between_tags",   # non-whitespace between </think> and <answer>
        "missing_answer",      # no <answer> block (or a </answer> without its opener)
        "unclosed_answer",     # <answer> never closed
        "empty_answer",        # empty answer block / nothing after </think> / empty box or code
        "text_after_answer",   # non-whitespace after </answer>
        "unexpected_tag",      # answer tags in a variant that has none
        "missing_boxed",       # boxed variant: no \boxed{} after </think>
        "missing_code_block",  # code variant: the answer holds no closed fenced block
    })

    def __post_init__(self) -> None:
        if self.variant not in VARIANTS:
            raise ValueError(f"variant={self.variant!r} is not allowed; use one of {VARIANTS}")
        for key in ("prefilled_think", "partial_credit"):
            value = getattr(self, key)
            if not isinstance(value, bool):
                raise ValueError(f"{key}={value!r} is not allowed; use true or false")

    @property
    def expected_tags(self) -> tuple[tuple[str, bool], ...]:
        tags = [_THINK_OPEN, _THINK_CLOSE]
        if self.variant in ("r1_zero", "code"):
            tags += [_ANSWER_OPEN, _ANSWER_CLOSE]
        return tuple(tags[1:] if self.prefilled_think else tags)

    def __call__(self, *, completion: str, problem: Problem | None = None) -> Verdict:
        if not isinstance(completion, str):
            return Verdict(0.0, "missing_think", f"completion is {type(completion).__name__}")
        reason, detail = self._violation(completion)
        if reason == "ok":
            return Verdict(1.0, "ok")
        return Verdict(self._partial(completion), reason, detail)

    # -----------------------------------------------------------------------------------------

    def _violation(self, text: str) -> tuple[str, str]:
        expected = self.expected_tags
        has_answer_tags = _ANSWER_OPEN in expected
        # `done` holds the tags consumed so far; a prefilled <think> counts as consumed.
        done: list[tuple[str, bool]] = [_THINK_OPEN] if self.prefilled_think else []
        cursor = 0  # end of the last consumed tag: the start of the text between tags
        for tag in tokenize_tags(text):
            key = (tag.name, tag.closing)
            between = text[cursor : tag.start]
            at = f"at char {tag.start}"
            if not has_answer_tags and tag.name == "answer":
                return "unexpected_tag", f"{_tag_text(key)} {at}; variant {self.variant!r} has none"
            step = len(done) - (1 if self.prefilled_think else 0)
            if step < len(expected) and key == expected[step]:
                wrong = self._between(key, between)
                if wrong:
                    return wrong, at
                done.append(key)
                cursor = tag.end
                continue
            if key in done:
                return "duplicate_tag", f"second {_tag_text(key)} {at}"
            open_block = done and not done[-1][1]
            if not tag.closing and open_block:
                return "nested_tag", f"{_tag_text(key)} inside <{done[-1][0]}> {at}"
            if not done:  # a tag before <think>: the layout never opened its reasoning
                return "missing_think", f"{_tag_text(key)} {at} before any <think>"
            # What is left: a closing tag whose opener never came (only </answer> can get here).
            return "missing_answer", f"{_tag_text(key)} {at} without <answer>"
        rest = text[cursor:]
        step = len(done) - (1 if self.prefilled_think else 0)
        if step < len(expected):
            missing = expected[step]
            return {
                _THINK_OPEN: "missing_think",
                _THINK_CLOSE: "unclosed_think",
                _ANSWER_OPEN: "missing_answer",
                _ANSWER_CLOSE: "unclosed_answer",
            }[missing], f"no {_tag_text(missing)}"
        return self._tail(rest)

    def _between(self, key: tuple[str, bool], between: str) -> str:
        """What the text just before an expected tag must look like."""
        if key == _THINK_OPEN and not _blank(between):
            return "text_before_think"
        if key == _THINK_CLOSE and _blank(between):
            return "empty_think"
        if key == _ANSWER_OPEN and not _blank(between):
            return "text_between_tags"
        if key == _ANSWER_CLOSE:
            if _blank(between):
                return "empty_answer"
            if self.variant == "code":
                blocks = code_blocks(between)
                if not blocks:
                    return "missing_code_block"
                if all(_blank(b.code) for b in blocks):
                    return "empty_answer"
        return ""

    def _tail(self, rest: str) -> tuple[str, str]:
        """The text after the last expected tag."""
        if self.variant in ("r1_zero", "code"):
            if not _blank(rest):
                return "text_after_answer", repr(rest.strip()[:40])
            return "ok", ""
        if _blank(rest):
            return "empty_answer", "nothing after </think>"
        if self.variant == "boxed":
            found = boxes(rest)
            if not found:
                return "missing_boxed", "no \\boxed{} after </think>"
            if all(_blank(b.text) for b in found):
                return "empty_answer", "empty \\boxed{}"
        return "ok", ""

    def _partial(self, text: str) -> float:
        if not self.partial_credit:
            return 0.0
        counts: dict[tuple[str, bool], int] = {}
        for tag in tokenize_tags(text):
            key = (tag.name, tag.closing)
            counts[key] = counts.get(key, 0) + 1
        expected = self.expected_tags
        once = sum(1 for key in expected if counts.get(key, 0) == 1)
        return PARTIAL_CREDIT_CAP * once / len(expected)
