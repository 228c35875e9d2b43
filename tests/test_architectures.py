"""The architecture matrix: tiny random-init models of the families users train (built from
transformers config classes, no download), each loaded through rl.policy.load_policy and checked
for greedy cached decode == a cache-free reference, update log-probs == one unpadded forward per
completion, dropout off in the update, and a two-step train. The device is a test parameter, so
the same code paths run on CUDA where one is present."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch", reason="the rl extra (torch) is not installed")

import transformers  # noqa: E402 - after the torch skip
from transformers import AutoModelForCausalLM  # noqa: E402

from rl.grpo import AlgoConfig  # noqa: E402
from rl.policy import (  # noqa: E402
    REPO_ROOT,
    PolicyConfig,
    load_policy,
    packing_is_exact,
    row_chunks,
    token_logprobs,
)
from rl.rollout import CachedRollout, HFRollout, SamplingConfig, make_rollout  # noqa: E402
from rl.step import update  # noqa: E402

TOKENIZER = REPO_ROOT / "models" / "tiny-base"
# tiny on purpose (the matrix runs on 2 shared cores); initializer_range 0.2 spreads the logits so
# greedy ties are not decided by rounding
DIMS = dict(
    vocab_size=104,
    hidden_size=32,
    intermediate_size=64,
    num_hidden_layers=2,
    num_attention_heads=4,
    num_key_value_heads=2,
    initializer_range=0.2,
    max_position_embeddings=256,
)
WINDOW = 5  # shorter than any prompt + completion below, and than every packed row
ARCHITECTURES = [
    pytest.param("LlamaConfig", dict(DIMS, tie_word_embeddings=True), "packed",
                 id="llama-gqa-tied"),
    pytest.param("LlamaConfig", dict(DIMS, tie_word_embeddings=False), "packed",
                 id="llama-gqa-untied"),
    pytest.param("Qwen2Config", dict(DIMS), "packed", id="qwen2"),
    pytest.param("Qwen2Config", dict(DIMS, use_sliding_window=True, sliding_window=WINDOW,
                                     max_window_layers=0),
                 "rows", id="qwen2-sliding"),
    pytest.param("Qwen3Config", dict(DIMS, head_dim=8), "packed", id="qwen3"),
    pytest.param("Qwen3_5TextConfig", dict(DIMS, head_dim=8,
                                           layer_types=["linear_attention", "full_attention"],
                                           linear_num_key_heads=2, linear_num_value_heads=2,
                                           linear_key_head_dim=8, linear_value_head_dim=8,
                                           linear_conv_kernel_dim=4),
                 "rows", id="qwen3.5-hybrid"),
    pytest.param("Lfm2Config", dict(DIMS, layer_types=["conv", "full_attention"]), "rows",
                 id="lfm2-hybrid"),
    pytest.param("MistralConfig", dict(DIMS, sliding_window=WINDOW), "rows",
                 id="mistral-short-window"),
    pytest.param("Gemma3TextConfig", dict(DIMS, head_dim=8, sliding_window=WINDOW,
                                          layer_types=["sliding_attention", "full_attention"]),
                 "rows", id="gemma3"),
    pytest.param("GPT2Config", dict(vocab_size=104, n_embd=32, n_layer=2, n_head=4, n_positions=256,
                                    initializer_range=0.2, resid_pdrop=0.1, embd_pdrop=0.1,
                                    attn_pdrop=0.1),
                 "packed", id="gpt2-dropout"),
    pytest.param("Phi3Config", dict(DIMS, resid_pdrop=0.1, attention_dropout=0.1), "packed",
                 id="phi3-dropout"),
    pytest.param("Olmo2Config", dict(DIMS), "packed", id="olmo2"),
]
# recurrent / convolution state: HF generate samples them
HYBRID = ("Qwen3_5TextConfig", "Lfm2Config")
DEVICES = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])
# different lengths: left padding
PROMPTS = ["User: What is 12+34?\nAssistant: ", "User: 5*3?\nAssistant: "]
_MODELS: dict = {}


def build(tmp_path_factory, config_class: str, kwargs: dict) -> str:
    """Saves a random-init model of the config with the embedded tokenizer; returns its
    directory."""
    key = (config_class, tuple(sorted((k, str(v)) for k, v in kwargs.items())))
    if key not in _MODELS:
        from transformers import AutoTokenizer

        tok = AutoTokenizer.from_pretrained(TOKENIZER)
        ids = dict(
            bos_token_id=tok.bos_token_id,
            eos_token_id=tok.eos_token_id,
            pad_token_id=tok.pad_token_id,
        )
        torch.manual_seed(0)
        model = AutoModelForCausalLM.from_config(
            getattr(transformers, config_class)(**kwargs, **ids)
        )
        path = tmp_path_factory.mktemp(config_class)
        model.save_pretrained(path)
        tok.save_pretrained(path)
        _MODELS[key] = str(path)
    return _MODELS[key]


def reference_greedy(model, tok, prompt: str, max_new_tokens: int) -> list[int]:
    """Greedy decoding by full forwards of the unpadded sequence: no cache, no padding."""
    ids = tok(prompt, return_tensors="pt").input_ids.to(model.device)
    out = []
    for _ in range(max_new_tokens):
        token = int(model(input_ids=ids).logits[0, -1].argmax())
        out.append(token)
        if token in (tok.eos_token_id, tok.convert_tokens_to_ids("</answer>")):
            break
        ids = torch.cat([ids, ids.new_tensor([[token]])], 1)
    return out


def reference_logprobs(model, batch) -> torch.Tensor:
    """[N, T]: log pi of each completion token from one unpadded forward of [prompt, completion]."""
    P, T = batch.prompt_len, batch.completion_mask.shape[1]
    out = torch.zeros(len(batch.texts), T, device=batch.ids.device)
    for r in range(len(batch.texts)):
        n = int(batch.lengths[r])
        ids = torch.cat(
            [batch.ids[r, :P][batch.attention_mask[r, :P].bool()], batch.ids[r, P : P + n]]
        )
        lsm = model(input_ids=ids[None]).logits[0].float().log_softmax(-1)
        out[r, :n] = lsm[-n - 1:-1].gather(-1, ids[-n:, None]).squeeze(-1)
    return out


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize(("config_class", "kwargs", "layout"), ARCHITECTURES)
def test_architecture(tmp_path_factory, config_class, kwargs, layout, device, capsys):
    model, tok = load_policy(
        PolicyConfig(
            path=build(tmp_path_factory, config_class, kwargs),
            threads=1,
            device=device,
            micro_batch=4,
        )
    )
    # dropout off
    assert model.device.type == device and not any(m.training for m in model.modules())

    # 1. greedy cached decode (or generate, for hybrid caches, with its notice)
    #    == cache-free reference
    roll = make_rollout(model, tok, SamplingConfig(group_size=3, max_new_tokens=8))
    assert type(roll) is (HFRollout if config_class in HYBRID else CachedRollout)
    if type(roll) is HFRollout:
        assert "backend=generate" in capsys.readouterr().err
    with torch.no_grad():
        greedy = roll.generate(PROMPTS, 1, greedy=True)
        for r, prompt in enumerate(PROMPTS):
            got = greedy.ids[r, greedy.prompt_len:][greedy.completion_mask[r]].tolist()
            assert got == reference_greedy(model, tok, prompt, 8), prompt

    # 2. update log-probs (packed where exact, else one row per completion) == unpadded forwards
    torch.manual_seed(1)
    batch = roll.generate(PROMPTS, 3)
    rows_tokens = int(
        batch.attention_mask[:, : batch.prompt_len].sum(-1).max()
        + batch.lengths.view(-1, 3).sum(-1).max()
    )
    assert ("packed" if packing_is_exact(model.config, rows_tokens) else "rows") == layout
    with torch.no_grad():
        want = reference_logprobs(model, batch)
    # micro 2 < G splits a group
    for rows, micro in [(torch.arange(6), 4), (torch.tensor([0, 2, 4, 5]), 2)]:
        got = torch.cat(
            [token_logprobs(model, batch, c, chunk_tokens=5)[0] for c in row_chunks(rows, 3, micro)]
        )
        assert got.device.type == device
        assert torch.allclose(got, want[rows], atol=1e-5), (got - want[rows]).abs().max()
    # grad on, as in the update: still no dropout
    again = token_logprobs(model, batch, torch.arange(6))[0]
    assert torch.allclose(again, want, atol=1e-5)

    # 3. two update steps train: finite losses and weights that move
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
    before = [p.detach().clone() for p in model.parameters()]
    for _ in range(2):
        adv = torch.tensor([1.0, -1.0, 0.5, -0.5, 1.0, -1.0], device=model.device)
        stats = update(model, None, opt, roll.generate(PROMPTS, 3), adv, AlgoConfig(beta=0.0),
                       PolicyConfig(micro_batch=4, device=device), 1.0)
        assert all(torch.isfinite(torch.tensor(v)) for v in stats.values()), stats
    moved = sum(not torch.equal(a, p) for a, p in zip(before, model.parameters()))
    assert moved >= len(before) // 2, f"{moved} of {len(before)} parameters moved"


def test_forced_packing_of_a_short_window_is_detectably_wrong(tmp_path_factory):
    """The control that shows the matrix can fail: packing a sliding-window model's group behind one
    prompt (one dense mask) reads beyond the window, and its log-probs differ from the truth."""
    path = build(tmp_path_factory, "MistralConfig", dict(DIMS, sliding_window=WINDOW))
    model, tok = load_policy(PolicyConfig(path=path, threads=1, device="cpu"))
    torch.manual_seed(1)
    batch = CachedRollout(model, tok, SamplingConfig(group_size=3, max_new_tokens=8)).generate(
        PROMPTS, 3
    )
    with torch.no_grad():
        want = reference_logprobs(model, batch)
        packed = token_logprobs(model, batch, torch.arange(6), packing="packed")[0]
        rows = token_logprobs(model, batch, torch.arange(6), packing="rows")[0]
    assert torch.allclose(rows, want, atol=1e-5)
    assert (packed - want).abs().max() > 1e-3


@pytest.mark.parametrize("device", DEVICES)
def test_gradient_checkpointing_keeps_dropout_off(tmp_path_factory, device):
    """Checkpointed layers run in training mode (HF only checkpoints then); their dropout must
    not."""
    path = build(tmp_path_factory, *ARCHITECTURES[9].values[:2])  # GPT-2 with dropout 0.1
    model, tok = load_policy(
        PolicyConfig(path=path, threads=1, device=device, gradient_checkpointing=True)
    )
    batch = make_rollout(model, tok, SamplingConfig(group_size=3, max_new_tokens=8)).generate(
        PROMPTS, 3
    )
    with torch.no_grad():
        want = reference_logprobs(model, batch)
    got = token_logprobs(model, batch, torch.arange(6))[0]
    got.sum().backward()
    assert torch.allclose(got, want, atol=1e-5)
    assert all(p.grad is not None for p in model.parameters() if p.requires_grad)


@pytest.mark.parametrize("device", DEVICES)
def test_bf16_autocast_applies_small_updates(tmp_path_factory, device):
    """policy.dtype=bfloat16 keeps fp32 master weights (bf16 only in the forward), so one AdamW step
    at lr 1e-6 moves ~every weight of a layer; stepping bf16 weights directly rounds most steps
    away."""
    path = build(tmp_path_factory, "LlamaConfig", dict(DIMS, tie_word_embeddings=False))
    model, tok = load_policy(PolicyConfig(path=path, threads=1, device=device, dtype="bfloat16"))
    assert next(model.parameters()).dtype == torch.float32 and model.compute_dtype == torch.bfloat16
    batch = make_rollout(model, tok, SamplingConfig(group_size=3, max_new_tokens=8)).generate(
        PROMPTS, 3
    )
    pure = AutoModelForCausalLM.from_pretrained(path, dtype=torch.bfloat16).to(device)
    moved = {}
    for name, m in [("master", model), ("pure", pure)]:
        layer = m.model.layers[0].mlp.up_proj.weight
        before = layer.detach().clone()
        opt = torch.optim.AdamW(m.parameters(), lr=1e-6, weight_decay=0.0)
        lp = token_logprobs(m, batch, torch.arange(6))[0]
        assert lp.dtype == torch.float32 and lp.ne(0).any()
        lp.sum().backward()
        opt.step()
        moved[name] = (layer.detach() != before).float().mean().item()
    assert moved["master"] > 0.95 and moved["pure"] < 0.2, moved
    ref = load_policy(
        PolicyConfig(path=path, threads=1, device=device, dtype="bfloat16"), trainable=False
    )[0]
    assert next(ref.parameters()).dtype == torch.bfloat16  # the frozen reference may live in bf16


def test_chat_template_renders_system_and_user_turns(tmp_path_factory):
    """template: chat goes through the tokenizer's chat template, and the rollout does not add a
    second BOS to a prompt that already starts with one."""
    from rl.prompts import PromptTemplate
    from verifiers.base import Problem

    path = build(tmp_path_factory, "LlamaConfig", dict(DIMS, tie_word_embeddings=True))
    model, tok = load_policy(PolicyConfig(path=path, threads=1, device="cpu"))
    with pytest.raises(ValueError, match="chat template"):
        PromptTemplate("chat", tok)
    tok.chat_template = (
        "{{ bos_token }}{% for m in messages %}[{{ m['role'] }}] {{ m['content'] }}\n{% endfor %}"
        "{% if add_generation_prompt %}[assistant] {% endif %}"
    )
    prompt = PromptTemplate("chat", tok, system="Be brief.", user="Solve: {question}")(
        Problem("1", "2+2", "4")
    )
    assert prompt == "<bos>[system] Be brief.\n[user] Solve: 2+2\n[assistant] "
    batch = HFRollout(model, tok, SamplingConfig(group_size=2, max_new_tokens=2)).generate(
        [prompt], 2
    )
    ids = batch.ids[0, : batch.prompt_len][
        batch.attention_mask[0, : batch.prompt_len].bool()
    ].tolist()
    assert ids.count(tok.bos_token_id) == 1 and ids[0] == tok.bos_token_id
