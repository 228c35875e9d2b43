"""The real loop on the embedded tiny model: a two-step smoke run, bit-for-bit resume, the
missing-task message, NaN stop, and the rollout's masks and finish reasons."""

import copy
import json
import subprocess
import sys
from pathlib import Path

import pytest

torch = pytest.importorskip("torch", reason="the rl extra (torch) is not installed")

from safetensors.torch import load_file  # noqa: E402
from transformers import DynamicCache  # noqa: E402
from transformers.cache_utils import DynamicLayer  # noqa: E402

import rl.rollout as rl_rollout  # noqa: E402 - after the torch skip
from rl.grpo import AlgoConfig  # noqa: E402 - after the torch skip
from rl.policy import PolicyConfig, load_policy, row_chunks, token_logprobs  # noqa: E402 - after the torch skip
from rl.rollout import (  # noqa: E402
    CachedRollout,
    HFRollout,
    ReservedLayer,
    RolloutBatch,
    SamplingConfig,
    make_rollout,
)
from rl.step import update  # noqa: E402 - after the torch skip

ROOT = Path(__file__).resolve().parent.parent
# Small enough to run in seconds on a shared 2-core CPU; still every stage of the real loop.
TINY = [
    "+task=math",
    "batch_prompts=2",
    "sampling.group_size=4",
    "sampling.max_new_tokens=24",
    "task.eval.n_per_op=2",
    "eval_every=2",
    "samples_every=1",
    "policy.threads=1",
]


def train(tmp_path: Path, name: str, *overrides: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "rl/train.py", *TINY, f"hydra.run.dir={tmp_path / name}", *overrides],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_missing_task_names_the_fix():
    out = subprocess.run(
        [sys.executable, "rl/train.py"], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert out.returncode != 0
    assert out.stderr.strip().splitlines()[-1].count("+task=math") == 1


def test_smoke_and_bitwise_resume(tmp_path):
    full = train(tmp_path, "full", "steps=2", "checkpoint_every=1", "tensorboard=true")
    assert full.returncode == 0, full.stderr[-2000:]
    rows = (tmp_path / "full" / "metrics.jsonl").read_text().splitlines()
    assert len(rows) == 3 and '"eval/accuracy"' in rows[0] and '"reward/correct"' in rows[1]
    assert (tmp_path / "full" / "curves.png").stat().st_size > 0
    assert (tmp_path / "full" / "samples.jsonl").read_text().count("\n") == 2 * 2 * 4
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    tb = EventAccumulator(str(tmp_path / "full" / "tb")).Reload()
    assert [e.step for e in tb.Scalars("eval/accuracy")] == [0, 2] and len(
        tb.Scalars("reward/total")
    ) == 2
    half = train(tmp_path, "half", "steps=1", "checkpoint_every=1")
    assert half.returncode == 0, half.stderr[-2000:]
    resumed = train(tmp_path, "resumed", "steps=2", f"resume={tmp_path / 'half' / 'checkpoint.pt'}")
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    a = torch.load(tmp_path / "full" / "checkpoint.pt", weights_only=True)
    b = torch.load(tmp_path / "resumed" / "checkpoint.pt", weights_only=True)
    assert a["step"] == b["step"] == 2 and a["data_position"] == b["data_position"]
    assert set(a) == {
        "optimizer",
        "rng",
        "step",
        "data_position",
        "weights",
    }  # the weights live in model/ only
    wa, wb = (
        load_file(tmp_path / run / "model" / "model.safetensors") for run in ("full", "resumed")
    )
    assert wa.keys() == wb.keys() and all(torch.equal(v, wb[k]) for k, v in wa.items())
    for k in a["optimizer"]["state"]:
        assert all(
            torch.equal(v, b["optimizer"]["state"][k][n])
            for n, v in a["optimizer"]["state"][k].items()
        )
    saved = load_policy(
        PolicyConfig(path=str(tmp_path / "full" / "model"), threads=1), trainable=False
    )[0]
    assert all(torch.equal(v, wa[k]) for k, v in saved.state_dict().items() if k in wa)


@pytest.fixture(scope="module")
def policy():
    torch.manual_seed(0)
    return load_policy(PolicyConfig(threads=1))


PROMPTS = [
    "User: What is 12+34?\nAssistant: ",
    "Think in <think> </think>, then answer in <answer> </answer>.\n"
    "User: What is 5*3?\nAssistant: ",
]


@pytest.mark.parametrize("backend", [HFRollout, CachedRollout])
def test_rollout_masks_and_finish_reasons(policy, backend):
    model, tok = policy
    batch = backend(model, tok, SamplingConfig(group_size=4, max_new_tokens=12)).generate(
        PROMPTS, 4
    )
    N, T = batch.completion_mask.shape
    assert N == 8 and len(batch.texts) == len(batch.finish_reasons) == 8 and batch.group_size == 4
    m = batch.completion_mask.long()
    assert ((m[:, 1:] - m[:, :-1]) <= 0).all()  # ones then zeros
    for row, mask, reason in zip(
        batch.ids[:, batch.prompt_len :], batch.completion_mask, batch.finish_reasons
    ):
        last = row[mask][-1].item()
        assert reason == {
            tok.eos_token_id: "eos",
            tok.convert_tokens_to_ids("</answer>"): "stop",
        }.get(last, "length")
        assert reason != "length" or bool(mask.all())


def test_cached_rollout_greedy_equals_generate(policy):
    """The lean decode loop (prefill once per prompt, finished rows dropped) is the same
    computation as HF generate: greedy completions agree token for token."""
    model, tok = policy
    prompts = PROMPTS + [
        "User: What is 97-8?\nAssistant: ",
        "Put the final answer in \\boxed{}.\nUser: What is 23*4?\nAssistant: ",
    ]
    cfg = SamplingConfig(group_size=2, max_new_tokens=40)
    a = HFRollout(model, tok, cfg).generate(prompts, 2, greedy=True)
    b = CachedRollout(model, tok, cfg).generate(prompts, 2, greedy=True)
    assert a.texts == b.texts and a.finish_reasons == b.finish_reasons
    assert torch.equal(a.completion_mask, b.completion_mask)
    assert torch.equal(a.ids[a.attention_mask.bool()], b.ids[b.attention_mask.bool()])


def test_reserved_cache_samples_equal_dynamic_cache(policy, monkeypatch):
    """Decoding into reserved buffers instead of concatenating the cache changes the cost, not
    the samples: seeded sampling gives the same tokens as with the model's plain DynamicCache."""
    model, tok = policy
    cfg = SamplingConfig(group_size=4, max_new_tokens=30)

    def sample():
        torch.manual_seed(3)
        return CachedRollout(model, tok, cfg).generate(PROMPTS * 2, 4)

    reserved = sample()
    monkeypatch.setattr(
        rl_rollout, "reserved_cache", lambda config, reserve: DynamicCache(config=config)
    )
    plain = sample()
    assert len(set(reserved.finish_reasons)) > 1  # some rows left the batch early
    assert torch.equal(reserved.ids, plain.ids) and reserved.texts == plain.texts


def test_reserved_layer_grows_and_selects_like_dynamic_layer():
    torch.manual_seed(0)
    res, dyn = ReservedLayer(reserve=2), DynamicLayer()
    for q in (3, 1, 1, 4, 1):  # the 4-token update outgrows the reserve and reallocates
        if q == 4:
            for layer in (res, dyn):
                layer.batch_repeat_interleave(2)
                layer.batch_select_indices(torch.tensor([0, 3]))
        k, v = torch.randn(2, 2, q, 5), torch.randn(2, 2, q, 5)
        for a, b in zip(res.update(k, v), dyn.update(k, v)):
            assert torch.equal(a, b)
    assert res.get_seq_length() == dyn.get_seq_length() == 10


@pytest.mark.parametrize("pad_is_eos", [False, True], ids=["pad", "pad=eos"])
@pytest.mark.parametrize("backend", [HFRollout, CachedRollout])
def test_multi_token_stop_strings_end_the_mask_exactly(policy, backend, pad_is_eos):
    """A stop string of several tokens (a character tokenizer spells it out) ends the completion
    at the token that completes it, in both backends: nothing after it is kept, trained on or
    counted, not even the EOS generate pads finished rows with when pad == eos."""
    model, tok = policy
    if pad_is_eos:
        tok = copy.deepcopy(tok)
        tok.pad_token = tok.eos_token
    assert (
        type(make_rollout(model, tok, SamplingConfig(stop=("</answer>", "The end."))))
        is CachedRollout
    )
    free = HFRollout(model, tok, SamplingConfig(group_size=2, max_new_tokens=30, stop=())).generate(
        PROMPTS, 1, greedy=True
    )
    stop = free.texts[0][3:6]  # three characters the model writes greedily: three tokens here
    assert len(tok(stop, add_special_tokens=False).input_ids) == 3 and len(free.texts[0]) > 8
    batch = backend(
        model, tok, SamplingConfig(group_size=2, max_new_tokens=30, stop=(stop,))
    ).generate(PROMPTS, 1, greedy=True)
    cut = free.texts[0].index(stop) + len(stop)
    assert batch.texts[0] == free.texts[0][:cut] and batch.finish_reasons[0] == "stop"
    assert int(batch.lengths[0]) == len(
        tok(free.texts[0][:cut], add_special_tokens=False).input_ids
    )
    assert (batch.ids[0, batch.prompt_len + int(batch.lengths[0]) :] == tok.pad_token_id).all()
    assert not batch.completion_mask[0, int(batch.lengths[0]) :].any()


def test_nucleus_never_samples_outside_top_p(policy):
    model, tok = policy
    roll = CachedRollout(model, tok, SamplingConfig(top_p=0.5))
    logits = torch.log(torch.tensor([[0.4, 0.3, 0.2, 0.1]])).expand(2000, 4)
    torch.manual_seed(0)
    picked = roll._pick(logits, greedy=False)
    assert set(picked.tolist()) == {0, 1}  # 0.4 < 0.5 needs the second token; the rest never


def test_packed_logprobs_equal_separate_rows(policy):
    """Packing a group's completions behind one copy of its prompt changes the cost, not the
    numbers: log-probs match a plain forward of each row, for any subset of rows and chunking."""
    model, tok = policy
    torch.manual_seed(1)
    batch = CachedRollout(model, tok, SamplingConfig(group_size=4, max_new_tokens=24)).generate(
        PROMPTS * 2, 4
    )
    P = batch.prompt_len
    am = batch.attention_mask
    with torch.no_grad():
        pos = (am.cumsum(-1) - 1).clamp(min=0)
        logits = model(input_ids=batch.ids, attention_mask=am, position_ids=pos).logits[
            :, P - 1 : -1
        ]
        expected = (
            logits.float().log_softmax(-1).gather(-1, batch.ids[:, P:, None]).squeeze(-1)
            * batch.completion_mask
        )
        for rows, mb in [
            (torch.arange(16), 16),
            (torch.tensor([0, 2, 3, 5, 9, 10, 11, 12, 15]), 4),
        ]:
            chunks = row_chunks(rows, 4, mb)
            assert all(len(set((c // 4).tolist())) * 4 >= len(c) for c in chunks)
            got = torch.cat([token_logprobs(model, batch, c)[0] for c in chunks])
            assert torch.allclose(got, expected[rows], atol=1e-5), (
                (got - expected[rows]).abs().max()
            )


def test_non_finite_loss_stops(policy):
    model, tok = policy
    batch = HFRollout(model, tok, SamplingConfig(group_size=2, max_new_tokens=4)).generate(
        ["User: 1+1\n"], 2
    )
    opt = torch.optim.SGD(model.parameters(), lr=0.0)
    saved = model.model.norm.weight.data.clone()
    model.model.norm.weight.data.fill_(float("nan"))
    try:
        with pytest.raises(FloatingPointError, match="non-finite"):
            update(
                model,
                None,
                opt,
                batch,
                torch.tensor([1.0, -1.0]),
                AlgoConfig(beta=0.0),
                PolicyConfig(),
                1.0,
            )
    finally:
        model.model.norm.weight.data.copy_(saved)


def test_concat_and_group_selection_keep_log_probs(policy):
    """DAPO refill merges batches of different prompt and completion widths: every kept row
    must keep exactly its tokens, masks and log-probs."""
    model, tok = policy
    torch.manual_seed(2)
    roll = CachedRollout(model, tok, SamplingConfig(group_size=2, max_new_tokens=20))
    a = roll.generate(PROMPTS, 2)
    b = roll.generate(["User: 3+4\nAssistant: "], 2)
    merged = RolloutBatch.concat([a.groups(torch.tensor([False, True])), b])
    assert merged.texts == a.texts[2:] + b.texts and merged.prompt_len == max(
        a.prompt_len, b.prompt_len
    )
    with torch.no_grad():
        got = token_logprobs(model, merged, torch.arange(4))[0]
        want = torch.cat(
            [
                token_logprobs(model, a, torch.tensor([2, 3]))[0],
                token_logprobs(model, b, torch.arange(2))[0],
            ]
        )
    T = min(got.shape[1], want.shape[1])
    assert (
        torch.allclose(got[:, :T], want[:, :T], atol=1e-5)
        and not got[:, T:].any()
        and not want[:, T:].any()
    )


def test_dapo_refills_with_groups_that_have_variance(tmp_path):
    out = train(tmp_path, "dapo", "algo=dapo", "steps=2", "batch_prompts=3")
    assert out.returncode == 0, out.stderr[-2000:]
    rows = [json.loads(x) for x in (tmp_path / "dapo" / "metrics.jsonl").read_text().splitlines()][
        1:
    ]
    samples = [
        json.loads(x) for x in (tmp_path / "dapo" / "samples.jsonl").read_text().splitlines()
    ]
    for row in rows:
        assert row["rollout/drawn_prompts"] in (3, 6, 9)  # batches of B = 3, at most max_draws = 3
        groups = {}
        for s in (s for s in samples if s["step"] == row["step"]):
            groups.setdefault(s["prompt"], []).append(s["reward"])
        assert len(groups) <= 3 and sum(map(len, groups.values())) <= 3 * 4
        if row["rollout/drawn_prompts"] < 9:  # filled before the cap: every kept group has variance
            assert len(groups) == 3 and all(max(v) > min(v) for v in groups.values())
