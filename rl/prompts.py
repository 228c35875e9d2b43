"""Named prompt templates, and the chat template of an instruct model's tokenizer, that turn a
Problem into the text a policy continues; they do not tokenize, generate or grade."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from verifiers.base import Problem

# Short on purpose: with a character-level tokenizer every prompt character is a token that
# each rollout and each update pays for. The wording keeps the R1-Zero contract (reason in
# <think>, commit in <answer>) of DeepSeek-R1 (arXiv:2501.12948, Table 1).
TEMPLATES = {
    "r1_zero": "Think in <think> </think>, then answer in <answer> </answer>.\n"
               "User: {question}\nAssistant: ",
    "boxed": "Put the final answer in \\boxed{{}}.\nUser: {question}\nAssistant: ",
    "plain": "User: {question}\nAssistant: ",
    # the code verifier grades the last ```python block after </think>; the format verifier's
    # "code" variant wants that block inside <answer> </answer>
    "code": "Think in <think> </think>, then answer in <answer> </answer> with a ```python block.\n"
            "User: {question}\nAssistant: ",
}
CHAT = "chat"  # the tokenizer's own chat template, with the system and user turns of PromptTemplate


def render(template: str, problem: Problem) -> str:
    if template not in TEMPLATES:
        raise ValueError(
            f"template={template!r} is not allowed; use one of {sorted(TEMPLATES)} (or {CHAT!r} "
            "through PromptTemplate)"
        )
    return TEMPLATES[template].format(question=problem.question)


@dataclass(frozen=True)
class PromptTemplate:
    """A task's prompt: a named template of TEMPLATES, or `chat`: the tokenizer's chat template
    over an optional system turn and a user turn (`{question}` is the problem), ending where the
    assistant's turn begins, so `policy.path` may be an instruct checkpoint."""

    template: str
    tokenizer: Any = None
    system: str | None = None
    user: str = "{question}"

    def __post_init__(self) -> None:
        if self.template == CHAT and getattr(self.tokenizer, "chat_template", None) is None:
            raise ValueError(
                "task.template=chat needs a tokenizer with a chat template; this policy's has none "
                f"(use one of {sorted(TEMPLATES)} or an instruct model's policy.path)"
            )
        if self.template != CHAT and self.template not in TEMPLATES:
            raise ValueError(
                f"task.template={self.template!r} is not allowed; "
                f"use one of {sorted(TEMPLATES)} or {CHAT!r}"
            )
        if "{question}" not in self.user:
            raise ValueError(f"task.chat.user={self.user!r} must contain {{question}}")

    def __call__(self, problem: Problem) -> str:
        if self.template != CHAT:
            return render(self.template, problem)
        turns = [{"role": "system", "content": self.system}] if self.system else []
        turns.append({"role": "user", "content": self.user.replace("{question}", problem.question)})
        return self.tokenizer.apply_chat_template(turns, tokenize=False, add_generation_prompt=True)


def task_prompt(task, tokenizer) -> PromptTemplate:
    """The PromptTemplate of a task config (`template`, and `chat: {system, user}` for chat)."""
    return PromptTemplate(task.template, tokenizer, **dict(task.get("chat") or {}))
