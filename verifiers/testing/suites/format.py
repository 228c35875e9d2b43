"""The format-layout table: completions with the expected pass/fail and first-violation reason
under each FormatVerifier variant. Data only: the checking lives in tests and the pytest plugin.

`expected` is what a correct format reward must say (True = valid layout); `reason` is the reason
code our FormatVerifier gives, so third-party rewards are audited on `expected` alone.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FormatCase:
    id: str
    group: str
    completion: str
    expected: bool
    reason: str
    variant: str = "r1_zero"
    prefilled_think: bool = False


def _c(id: str, group: str, completion: str, reason: str, variant: str = "r1_zero",  # noqa: A002
       prefilled: bool = False) -> FormatCase:
    return FormatCase(id, group, completion, reason == "ok", reason, variant, prefilled)


T = "Let me add 2 and 3."
A = "5"

CASES: list[FormatCase] = [
    # --- valid layouts: every one must score 1 ---------------------------------------------
    _c("newlines", "valid", f"<think>\n{T}\n</think>\n<answer>\n{A}\n</answer>", "ok"),
    _c("paper_space_separated", "valid", f"<think> {T} </think> <answer> {A} </answer>", "ok"),
    _c("no_whitespace", "valid", f"<think>{T}</think><answer>{A}</answer>", "ok"),
    _c("leading_trailing_ws", "valid", f"\n  <think>{T}</think>\n<answer>{A}</answer>\n\n ", "ok"),
    _c("crlf", "valid", f"<think>\r\n{T}\r\n</think>\r\n<answer>\r\n{A}\r\n</answer>\r\n", "ok"),
    _c("tabs", "valid", f"\t<think>\t{T}</think>\t<answer>{A}</answer>\t", "ok"),
    _c("multiline_think", "valid", f"<think>\n{T}\n\nStep 2: 2+3=5.\n</think>\n<answer>5</answer>",
       "ok"),
    _c("unicode_chinese", "valid", "<think>\n先算 2+3，得到 5。\n</think>\n<answer>\n5\n</answer>",
       "ok"),
    _c("unicode_emoji_answer", "valid", "<think>ok ✓</think><answer>x = 5 🎉</answer>", "ok"),
    _c("ideographic_space", "valid", f"\u3000<think>{T}</think>\u3000<answer>{A}</answer>", "ok"),
    _c("nbsp_between", "valid", f"<think>{T}</think>\u00a0<answer>{A}</answer>", "ok"),
    _c("bom_start", "valid", f"\ufeff<think>{T}</think><answer>{A}</answer>", "ok"),
    _c("latex_answer", "valid", f"<think>{T}</think><answer>$\\frac{{1}}{{2}}$</answer>", "ok"),
    _c("boxed_in_answer", "valid", f"<think>{T}</think><answer>\\boxed{{5}}</answer>", "ok"),
    _c("angle_brackets_in_text", "valid", "<think>is 3 < 5 and 5 > 3?</think><answer>yes</answer>",
       "ok"),
    _c("html_like_tag_inside", "valid", f"<think>{T} <b>bold</b></think><answer>{A}</answer>",
       "ok"),
    _c("uppercase_tag_is_text", "valid", "<think>the <THINK> word</think><answer>5</answer>", "ok"),
    _c("prefilled", "valid", f"\n{T}\n</think>\n<answer>\n{A}\n</answer>", "ok", prefilled=True),
    _c("prefilled_no_leading_ws", "valid", f"{T}</think><answer>{A}</answer>", "ok",
       prefilled=True),
    # --- missing or unclosed pieces --------------------------------------------------------
    _c("empty_completion", "missing", "", "missing_think"),
    _c("whitespace_only", "missing", " \n\t ", "missing_think"),
    _c("plain_text", "missing", "The answer is 5.", "missing_think"),
    _c("answer_only", "missing", f"<answer>{A}</answer>", "missing_think"),
    _c("close_think_without_open", "missing", f"{T}</think><answer>{A}</answer>", "missing_think"),
    _c("think_only_in_r1_zero", "missing", f"<think>{T}</think>", "missing_answer"),
    _c("think_then_plain_answer", "missing", f"<think>{T}</think> The answer is 5.",
       "missing_answer"),
    _c("unclosed_think", "missing", f"<think>{T} and so on", "unclosed_think"),
    _c("unclosed_answer", "missing", f"<think>{T}</think><answer>{A}", "unclosed_answer"),
    _c("answer_close_without_open", "missing", f"<think>{T}</think>{A}</answer>", "missing_answer"),
    _c("truncated_mid_tag", "missing", f"<think>{T}</think><answer>{A}</ans", "unclosed_answer"),
    _c("misspelled_tag_is_text", "missing", f"<thinking>{T}</thinking><answer>{A}</answer>",
       "missing_think"),
    _c("spaced_tag_is_text", "missing", f"< think >{T}</ think ><answer>{A}</answer>",
       "missing_think"),
    # --- empty blocks -------------------------------------------------------------------------
    _c("empty_think", "empty", f"<think></think><answer>{A}</answer>", "empty_think"),
    _c("whitespace_think", "empty", f"<think>\n \n</think><answer>{A}</answer>", "empty_think"),
    _c("zero_width_think", "empty", f"<think>\u200b\u200b</think><answer>{A}</answer>",
       "empty_think"),
    _c("empty_answer", "empty", f"<think>{T}</think><answer></answer>", "empty_answer"),
    _c("whitespace_answer", "empty", f"<think>{T}</think><answer>\r\n</answer>", "empty_answer"),
    _c("prefilled_empty_think", "empty", f"\n</think><answer>{A}</answer>", "empty_think",
       prefilled=True),
    # --- text outside the blocks ----------------------------------------------------------------
    _c("text_before_think", "outside", f"Sure! <think>{T}</think><answer>{A}</answer>",
       "text_before_think"),
    _c("text_after_answer", "outside", f"<think>{T}</think><answer>{A}</answer> Hope this helps!",
       "text_after_answer"),
    _c("second_answer_as_text_after", "outside",
       f"<think>{T}</think><answer>{A}</answer>\nActually 6", "text_after_answer"),
    _c("text_between", "outside", f"<think>{T}</think> So: <answer>{A}</answer>",
       "text_between_tags"),
    _c("eos_text_after", "outside", f"<think>{T}</think><answer>{A}</answer><|im_end|>",
       "text_after_answer"),
    # --- duplicates and tag spam -----------------------------------------------------------------
    _c("two_think_blocks", "duplicate", f"<think>a</think><think>b</think><answer>{A}</answer>",
       "duplicate_tag"),
    _c("two_answer_blocks", "duplicate", f"<think>{T}</think><answer>4</answer><answer>5</answer>",
       "duplicate_tag"),
    _c("double_close_answer", "duplicate", f"<think>{T}</think><answer>{A}</answer></answer>",
       "duplicate_tag"),
    _c("tag_spam", "duplicate",
       "<think><think>x</think></think><answer><answer>5</answer></answer>", "duplicate_tag"),
    _c("tag_spam_after", "duplicate", f"<think>{T}</think><answer>{A}</answer>" + "</answer>" * 20,
       "duplicate_tag"),
    _c("prefilled_reopened", "duplicate", f"<think>\n{T}</think><answer>{A}</answer>",
       "duplicate_tag", prefilled=True),
    _c("think_inside_answer", "duplicate", f"<think>{T}</think><answer><think>x</think>5</answer>",
       "duplicate_tag"),
    # --- nesting and order ---------------------------------------------------------------------
    _c("answer_inside_think", "nested", f"<think>{T}<answer>{A}</answer></think>", "nested_tag"),
    _c("answer_opened_in_think", "nested", f"<think>{T}<answer></think>{A}</answer>", "nested_tag"),
    _c("answer_before_think", "nested", f"<answer>{A}</answer><think>{T}</think>", "missing_think"),
    _c("closing_order_swapped", "nested", f"<think>{T}<answer>{A}</think></answer>", "nested_tag"),
    # --- think_only variant (R1 release) -------------------------------------------------------
    _c("think_only_ok", "think_only", f"<think>\n{T}\n</think>\n\nThe answer is **5**.", "ok",
       "think_only"),
    _c("think_only_prefilled", "think_only", f"{T}\n</think>\n\n5", "ok", "think_only", True),
    _c("think_only_no_final", "think_only", f"<think>{T}</think>\n", "empty_answer", "think_only"),
    _c("think_only_answer_tags", "think_only", f"<think>{T}</think><answer>5</answer>",
       "unexpected_tag", "think_only"),
    _c("think_only_unclosed", "think_only", f"<think>{T}", "unclosed_think", "think_only"),
    _c("think_only_two_blocks", "think_only", "<think>a</think><think>b</think>5", "duplicate_tag",
       "think_only"),
    _c("think_only_space_separated", "think_only", f"<think> {T} </think> 5", "ok", "think_only"),
    _c("think_only_crlf", "think_only", f"<think>\r\n{T}\r\n</think>\r\n\r\n5\r\n", "ok",
       "think_only"),
    _c("think_only_leading_ws", "think_only", f"\n <think>{T}</think>\n5", "ok", "think_only"),
    _c("think_only_unicode", "think_only", "<think>先算 2+3。</think>\n答案是 5。", "ok",
       "think_only"),
    _c("think_only_text_before", "think_only", f"Okay. <think>{T}</think>\n5", "text_before_think",
       "think_only"),
    _c("think_only_empty_think", "think_only", "<think>\n</think>\n5", "empty_think", "think_only"),
    _c("think_only_zero_width_final", "think_only", f"<think>{T}</think>\u200b", "empty_answer",
       "think_only"),
    _c("think_only_close_spam", "think_only", f"<think>{T}</think>5</think></think>",
       "duplicate_tag", "think_only"),
    _c("think_only_nested_open", "think_only", f"<think>{T}<think>more</think>5", "duplicate_tag",
       "think_only"),
    _c("think_only_prefilled_reopened", "think_only", f"<think>{T}</think>5", "duplicate_tag",
       "think_only", True),
    # --- boxed variant ---------------------------------------------------------------------------
    _c("boxed_ok", "boxed", f"<think>{T}</think>\nSo the answer is $\\boxed{{5}}$.", "ok", "boxed"),
    _c("boxed_nested_braces", "boxed", f"<think>{T}</think>\\boxed{{\\frac{{1}}{{2}}}}", "ok",
       "boxed"),
    _c("boxed_prefilled", "boxed", f"{T}</think>\\boxed{{5}}", "ok", "boxed", True),
    _c("boxed_missing", "boxed", f"<think>{T}</think>\nThe answer is 5.", "missing_boxed", "boxed"),
    _c("boxed_only_in_think", "boxed", "<think>\\boxed{5}</think>\nThe answer is 5.",
       "missing_boxed", "boxed"),
    _c("boxed_empty", "boxed", f"<think>{T}</think>\\boxed{{ }}", "empty_answer", "boxed"),
    _c("boxed_unbalanced", "boxed", f"<think>{T}</think>\\boxed{{5", "missing_boxed", "boxed"),
    _c("boxed_with_answer_tags", "boxed", f"<think>{T}</think><answer>\\boxed{{5}}</answer>",
       "unexpected_tag", "boxed"),
    # --- code variant ----------------------------------------------------------------------------
    _c("code_ok", "code", f"<think>{T}</think>\n<answer>\n```python\nprint(5)\n```\n</answer>",
       "ok", "code"),
    _c("code_no_lang", "code", f"<think>{T}</think><answer>```\nprint(5)\n```</answer>", "ok",
       "code"),
    _c("code_missing_fence", "code", f"<think>{T}</think><answer>print(5)</answer>",
       "missing_code_block", "code"),
    _c("code_unclosed_fence", "code", f"<think>{T}</think><answer>```python\nprint(5)\n</answer>",
       "missing_code_block", "code"),
    _c("code_empty_fence", "code", f"<think>{T}</think><answer>```python\n\n```</answer>",
       "empty_answer", "code"),
    _c("code_after_answer", "code",
       f"<think>{T}</think><answer>```py\nx=1\n```</answer>```py\ny\n```", "text_after_answer",
       "code"),
    _c("code_fence_outside_answer", "code", f"<think>{T}</think>```py\nx=1\n```<answer>x</answer>",
       "text_between_tags", "code"),
]
