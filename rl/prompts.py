"""Named prompt templates that turn a Problem into the text a policy continues; they do not
tokenize, generate or grade."""

from __future__ import annotations

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


def render(template: str, problem: Problem) -> str:
    if template not in TEMPLATES:
        raise ValueError(f"template={template!r} is not allowed; use one of {sorted(TEMPLATES)}")
    return TEMPLATES[template].format(question=problem.question)
