"""tools/pretrain.py's corpus and loss, without pretraining: which layouts a grader can read, the
shared-instruction loss equals the plain per-sample loss, and samples are deterministic."""

from __future__ import annotations

import random

import pytest

torch = pytest.importorskip("torch", reason="the rl extra (torch) is not installed")

from rl.data import arithmetic_problem, function_problem  # noqa: E402 - after the torch skip
from tools.pretrain import (  # noqa: E402
    CODE_LAYOUTS,
    MATH_LAYOUTS,
    TASK_MIX,
    TEMPLATE_MIX,
    batch_loss,
    build_tokenizer,
    code_response,
    corpus_text,
    draw,
    math_response,
)
from verifiers.code.verifier import extract_program  # noqa: E402
from verifiers.extract import committed_answer  # noqa: E402
from verifiers.text.format import FormatVerifier  # noqa: E402

MUL = arithmetic_problem("*", 74, 9)
FN = function_problem("max", 7, "g", "n")


@pytest.mark.parametrize("layout, answer, formatted", [
    ("r1", ("666",), True), ("boxed", ("666",), False), ("plain", (), False)])
def test_math_layouts(layout, answer, formatted):
    text = math_response(MUL, layout)
    assert committed_answer(text).candidates == answer
    assert (FormatVerifier("r1_zero")(completion=text).score == 1.0) is formatted


@pytest.mark.parametrize("layout, graded, formatted", [
    ("r1", True, True), ("fenced", True, False), ("bare", False, False)])
def test_code_layouts(layout, graded, formatted):
    text = code_response(FN, layout)
    assert extract_program(text, "python") == (FN.meta["solution"] if graded else None)
    assert (FormatVerifier("code")(completion=text).score == 1.0) is formatted
    assert FN.meta["solution"].rstrip() in text


def test_mixes_are_distributions():
    for mix in [TASK_MIX, *MATH_LAYOUTS.values(), *CODE_LAYOUTS.values(), *TEMPLATE_MIX.values()]:
        assert sum(mix.values()) == pytest.approx(1.0)


def test_tags_are_single_tokens_and_text_round_trips():
    tok = build_tokenizer()
    text = code_response(FN, "r1")
    ids = tok(text, add_special_tokens=False)["input_ids"]
    assert len(ids) == len(text) - sum(len(t) - 1
                                       for t in ("<think>", "</think>", "<answer>", "</answer>"))
    assert tok.decode(ids) == text


def pools():
    return {"math": {"*": [MUL]}, "code": {"max": [FN], "add": [function_problem("add", 3)]}}


def test_draw_is_deterministic_from_the_seed():
    a = [draw(random.Random(5), pools()) for _ in range(20)]
    assert a == [draw(random.Random(5), pools()) for _ in range(20)]


def test_shared_instruction_loss_equals_per_sample_loss():
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(0)
    tok = build_tokenizer()
    model = LlamaForCausalLM(LlamaConfig(vocab_size=len(tok), hidden_size=32, intermediate_size=64,
                                         num_hidden_layers=2, num_attention_heads=2,
                                         num_key_value_heads=2, max_position_embeddings=256,
                                         pad_token_id=tok.pad_token_id))
    rng = random.Random(0)
    samples = [draw(rng, pools()) for _ in range(12)]
    assert len({t for t, _, _ in samples}) > 1  # several templates, so several groups
    total = 0.0
    count = 0
    for sample in samples:  # reference: each sample on its own, the whole prompt run
        prompt, resp = corpus_text(*sample)
        p = tok(prompt)["input_ids"]
        r = tok(resp, add_special_tokens=False)["input_ids"] + [tok.eos_token_id]
        with torch.no_grad():
            logits = model(input_ids=torch.tensor([p + r])).logits[0, len(p) - 1: -1]
        total += float(torch.nn.functional.cross_entropy(logits, torch.tensor(r), reduction="sum"))
        count += len(r)
    with torch.no_grad():
        assert float(batch_loss(model, tok, samples)) == pytest.approx(total / count, rel=1e-4)
