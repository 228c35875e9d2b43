"""LoRA through peft on the embedded tiny model: config validation, only adapters train, the
reference is the same model with adapters off, adapter-only checkpoints resume bit-for-bit, and
a run's adapter directory loads as a policy (base + adapter)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

torch = pytest.importorskip("torch", reason="the rl extra (torch) is not installed")
pytest.importorskip(
    "peft", reason="the lora extra (peft) is not installed: pip install -e '.[lora]'"
)

from safetensors.torch import load_file  # noqa: E402
from test_train import train as train_tiny  # noqa: E402 - the same tiny run

from rl.checkpoints import load_checkpoint, save_checkpoint  # noqa: E402 - after the skips
from rl.grpo import AlgoConfig  # noqa: E402
from rl.policy import (  # noqa: E402
    PolicyConfig,
    adapters_off,
    load_policy,
    token_logprobs,
    trainable_parameters,
)
from rl.rollout import HFRollout, SamplingConfig  # noqa: E402
from rl.step import update  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
# the tiny run of tests/test_train.py, with adapters, a KL term and LoRA's larger step size
LORA_RUN = ["policy.lora.r=4", "algo.beta=0.04", "optim.optimizer.lr=5e-3"]
LORA = {"r": 4, "alpha": 8.0, "target_modules": ["q_proj", "v_proj", "down_proj"]}


@pytest.mark.parametrize(
    "lora, message",
    [
        pytest.param({"r": -1}, "policy.lora.r=-1", id="negative-rank"),
        pytest.param({"r": 4, "alpha": 0}, "policy.lora.alpha=0", id="zero-alpha"),
        pytest.param({"r": 4, "dropout": 1.0}, "policy.lora.dropout=1.0", id="dropout-one"),
        pytest.param(
            {"r": 4, "target_modules": []}, "policy.lora.target_modules is empty", id="no-targets"
        ),
        pytest.param({"rank": 4}, "unknown keys \\['rank'\\]", id="unknown-key"),
    ],
)
def test_bad_lora_settings_name_the_key(lora, message):
    with pytest.raises(ValueError, match=message):
        PolicyConfig(lora=lora)


def test_target_module_the_model_lacks_is_named():
    with pytest.raises(ValueError, match="c_attn.*q_proj"):
        load_policy(PolicyConfig(threads=1, lora={"r": 4, "target_modules": ["c_attn"]}))


@pytest.fixture(scope="module")
def lora_policy():
    torch.manual_seed(0)
    model, tok = load_policy(PolicyConfig(threads=1, lora=LORA))
    batch = HFRollout(model, tok, SamplingConfig(group_size=4, max_new_tokens=12)).generate(
        ["User: What is 2+3?\nAssistant: "], 4
    )
    return model, tok, batch


def test_only_adapters_train_and_the_reference_is_the_base(lora_policy):
    model, _, batch = lora_policy
    names = [n for n, p in model.named_parameters() if p.requires_grad]
    assert names and all("lora_A" in n or "lora_B" in n for n in names)
    assert len(names) == 2 * 4 * 3  # A and B for three target modules in each of 4 layers
    base = load_policy(PolicyConfig(threads=1), trainable=False)[0]
    rows = torch.arange(4)
    with torch.no_grad():
        want = token_logprobs(base, batch, rows)[0]
        assert torch.equal(
            token_logprobs(model, batch, rows)[0], want
        )  # B = 0 at init: the adapters add nothing
    opt = torch.optim.AdamW(trainable_parameters(model), lr=1e-2)
    assert sum(len(g["params"]) for g in opt.param_groups) == len(names)
    frozen = {n: p.detach().clone() for n, p in model.named_parameters() if not p.requires_grad}
    adv = torch.tensor([1.0, -1.0, 0.5, -0.5])
    for _ in range(2):  # the second update has a policy that moved: its KL to the reference is > 0
        stats = update(model, None, opt, batch, adv, AlgoConfig(beta=0.04), PolicyConfig(), 1.0)
    assert stats["loss/kl"] > 0
    assert all(
        torch.equal(p, frozen[n]) for n, p in model.named_parameters() if not p.requires_grad
    )
    with torch.no_grad():
        moved = token_logprobs(model, batch, rows)[0]
        with adapters_off(model):
            ref = token_logprobs(model, batch, rows)[0]
        assert not torch.equal(moved, want) and torch.equal(ref, want)
        assert torch.equal(
            token_logprobs(model, batch, rows)[0], moved
        )  # adapters back on after the block


def train(tmp_path: Path, name: str, *overrides: str) -> subprocess.CompletedProcess:
    return train_tiny(tmp_path, name, *LORA_RUN, *overrides)


@pytest.mark.slow
def test_adapter_checkpoint_resumes_bitwise_and_loads_as_a_policy(tmp_path):
    # 8 prompts: step 1 has groups with reward variance (asserted below), so the adapters move
    full = train(tmp_path, "full", "steps=2", "checkpoint_every=1", "batch_prompts=8")
    assert full.returncode == 0, full.stderr[-2000:]
    half = train(tmp_path, "half", "steps=1", "checkpoint_every=1", "batch_prompts=8")
    assert half.returncode == 0, half.stderr[-2000:]
    resumed = train(
        tmp_path,
        "resumed",
        "steps=2",
        "batch_prompts=8",
        f"resume={tmp_path / 'half' / 'checkpoint.pt'}",
    )
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert (
        json.loads((tmp_path / "full" / "metrics.jsonl").read_text().splitlines()[1])[
            "adv/zero_std_group_frac"
        ]
        < 1
    )
    model_dir = tmp_path / "full" / "model"
    assert sorted(p.name for p in model_dir.glob("*.safetensors")) == ["adapter_model.safetensors"]
    assert (
        json.loads((model_dir / "adapter_config.json").read_text())["base_model_name_or_path"]
        == "models/tiny-base"
    )
    a, b = (
        load_file(tmp_path / run / "model" / "adapter_model.safetensors")
        for run in ("full", "resumed")
    )
    assert a and all("lora_" in k for k in a) and a.keys() == b.keys()
    assert all(torch.equal(v, b[k]) for k, v in a.items())
    ca, cb = (
        torch.load(tmp_path / run / "checkpoint.pt", weights_only=True)
        for run in ("full", "resumed")
    )
    assert ca["step"] == cb["step"] == 2 and ca["data_position"] == cb["data_position"]
    state = ca["optimizer"]["state"]
    assert len(state) == len(a)  # moments for the adapters only
    assert all(
        torch.equal(v, cb["optimizer"]["state"][i][n]) for i in state for n, v in state[i].items()
    )
    rows_a, rows_b = (
        [json.loads(x) for x in (tmp_path / r / "metrics.jsonl").read_text().splitlines()]
        for r in ("full", "resumed")
    )
    assert (
        rows_a[2]["reward/total"] == rows_b[0]["reward/total"]
        and rows_a[2]["loss/kl"] == rows_b[0]["loss/kl"]
    )
    # rl/evaluate.py's load: base + adapter merged equals the trained policy with its adapters
    merged, tok = load_policy(PolicyConfig(path=str(model_dir), threads=1), trainable=False)
    live = load_policy(PolicyConfig(threads=1, lora={"r": 4}))[0]
    from rl.checkpoints import load_weights_into

    load_weights_into(live, model_dir)
    ids = tok(["User: What is 7+8?\nAssistant: 15"], return_tensors="pt").input_ids
    with torch.no_grad():
        assert torch.allclose(merged(ids).logits, live(ids).logits, atol=1e-5)
        base = load_policy(PolicyConfig(threads=1), trainable=False)[0]
        assert not torch.allclose(
            base(ids).logits, live(ids).logits, atol=1e-5
        )  # the adapter did move it
    ev = subprocess.run(
        [
            sys.executable,
            "rl/evaluate.py",
            "+task=math",
            "limit=4",
            "k=1",
            "greedy=true",
            "sampling.max_new_tokens=24",
            "policy.threads=1",
            f"policy.path={model_dir}",
            f"hydra.run.dir={tmp_path / 'eval'}",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert ev.returncode == 0, ev.stderr[-2000:]
    report = json.loads((tmp_path / "eval" / "eval.json").read_text())
    assert report["model"] == str(model_dir)
    assert len((tmp_path / "eval" / "results.jsonl").read_text().splitlines()) == 4


def test_checkpoint_pairs_that_do_not_match_are_refused(tmp_path, lora_policy):
    model, tok, _ = lora_policy
    opt = torch.optim.AdamW(trainable_parameters(model), lr=1e-3)
    path = tmp_path / "checkpoint.pt"
    save_checkpoint(path, model, opt, 3, 7, tok)
    assert set(torch.load(path, weights_only=True)) == {
        "optimizer",
        "rng",
        "step",
        "data_position",
        "weights",
    }
    assert load_checkpoint(path, model, opt) == (3, 7)
    (tmp_path / "model" / "step.json").write_text(
        '{"step": 4}'
    )  # a save interrupted between the two renames
    with pytest.raises(ValueError, match="holds step 4, the checkpoint step 3"):
        load_checkpoint(path, model, opt)
    (tmp_path / "model" / "step.json").write_text('{"step": 3}')
    full = load_policy(PolicyConfig(threads=1))[0]
    with pytest.raises(ValueError, match="holds a LoRA adapter but the run has policy.lora.r=0"):
        load_checkpoint(path, full, torch.optim.AdamW(full.parameters()))
    state = torch.load(
        path, weights_only=True
    )  # the earlier layout: weights inside, no "weights" name
    state["model"] = dict(model.state_dict())
    del state["weights"]
    torch.save(state, tmp_path / "old.pt")
    with pytest.raises(ValueError, match="earlier layout"):
        load_checkpoint(tmp_path / "old.pt", model, opt)
