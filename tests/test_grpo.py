"""rl/grpo.py against the worked example, a slow per-group reference and its edge cases."""

import math
import statistics

import pytest

torch = pytest.importorskip("torch", reason="the rl extra (torch) is not installed")

from rl.grpo import AlgoConfig, group_advantages, overlong_shaping, policy_loss, token_weights  # noqa: E402 - after the torch skip
from rl.schemas import build, compose  # noqa: E402


def algo_preset(name: str) -> AlgoConfig:
    """The AlgoConfig a conf/algo preset composes to: tests use the presets, never copies."""
    return build(AlgoConfig, compose("train", "+task=math", f"algo={name}").algo)


def test_worked_example_advantages():
    r = torch.tensor([[1.0, 0, 0, 1, 1, 0, 1, 0]])
    adv, zero = group_advantages(r, torch.ones_like(r, dtype=torch.bool))
    assert statistics.mean(r[0].tolist()) == 0.5
    assert round(statistics.stdev(r[0].tolist()), 2) == 0.53
    assert torch.allclose(adv.abs().round(decimals=2), torch.full_like(adv, 0.94))
    assert (adv[0] > 0).tolist() == [True, False, False, True, True, False, True, False]
    assert not zero.any()


def test_worked_example_clip():
    """pi_old = 0.5, pi_theta = 0.7, eps 0.2: ratio 1.4 is clipped to 1.2 for A > 0."""
    logp = torch.tensor([[math.log(0.7)]], requires_grad=True)
    old = torch.tensor([[math.log(0.5)]])
    w = torch.ones(1, 1)
    parts = policy_loss(logp, torch.tensor([0.94]), w, AlgoConfig(beta=0.0), old_logp=old)
    assert parts.loss.item() == pytest.approx(-1.2 * 0.94)
    assert parts.clip_sum == 1
    parts.loss.backward()
    assert logp.grad.item() == 0.0  # the clipped branch carries no gradient
    # A < 0: min picks the unclipped 1.4 * A, which keeps its gradient
    parts = policy_loss(logp, torch.tensor([-0.94]), w, AlgoConfig(beta=0.0), old_logp=old)
    assert parts.loss.item() == pytest.approx(1.4 * 0.94)
    assert parts.clip_sum == 0


def reference_advantages(rewards, valid, scale_std, eps=1e-4):
    out = []
    for rs, vs in zip(rewards, valid):
        kept = [r for r, v in zip(rs, vs) if v]
        if len(kept) < 2 or max(kept) == min(kept):
            out.append([0.0] * len(rs))
            continue
        mu, sd = statistics.mean(kept), statistics.stdev(kept)
        out.append(
            [((r - mu) / (sd + eps) if scale_std else r - mu) if v else 0.0 for r, v in zip(rs, vs)]
        )
    return out


@pytest.mark.parametrize("scale_std", [True, False])
@pytest.mark.parametrize("seed", range(5))
def test_advantages_match_reference(seed, scale_std):
    g = torch.Generator().manual_seed(seed)
    B = 16
    G = 8
    rewards = (torch.rand(B, G, generator=g) * 3).round() / 2  # ties and zero-variance groups
    rewards[0] = 0.25
    valid = torch.rand(B, G, generator=g) > 0.2
    adv, zero = group_advantages(rewards, valid, scale_std=scale_std)
    ref = torch.tensor(reference_advantages(rewards.tolist(), valid.tolist(), scale_std))
    assert torch.allclose(adv, ref, atol=1e-6)
    assert bool(zero[0])


def test_zero_variance_is_exactly_zero():
    r = torch.full((3, 8), 0.7)
    r[1] = 1e-9 * torch.arange(8)  # tiny noise: not zero variance
    valid = torch.ones(3, 8, dtype=torch.bool)
    valid[2, 0] = False
    r[2, 0] = 5.0  # only a masked sample differs: still zero variance
    adv, zero = group_advantages(r, valid)
    assert zero.tolist() == [True, False, True]
    assert (adv[0] == 0).all() and (adv[2] == 0).all()
    assert (adv[1] != 0).all()


def test_masked_samples_excluded():
    r = torch.tensor([[1.0, 0.0, 0.0, 100.0]])
    valid = torch.tensor([[True, True, True, False]])
    adv, _ = group_advantages(r, valid)
    assert adv[0, 3] == 0
    assert torch.allclose(
        adv[0, :3], torch.tensor(reference_advantages([[1.0, 0, 0]], [[1, 1, 1]], True)[0])
    )


def reference_loss(logp, old, ref, adv, mask, cfg):
    """Per sequence, per token, in plain Python: the equations of the module docstring."""
    N, T = len(logp), len(logp[0])
    seqs = []
    all_tokens = []
    for i in range(N):
        toks = [t for t in range(T) if mask[i][t]]
        seq_ratio = math.exp(sum(logp[i][t] - old[i][t] for t in toks) / max(len(toks), 1))
        terms = []
        for t in toks:
            rho = seq_ratio if cfg.ratio == "sequence" else math.exp(logp[i][t] - old[i][t])
            clipped = min(max(rho, 1 - cfg.epsilon), 1 + cfg.epsilon_high)
            d = ref[i][t] - logp[i][t]
            terms.append(min(rho * adv[i], clipped * adv[i]) - cfg.beta * (math.exp(d) - d - 1))
        seqs.append(terms)
        all_tokens += terms
    if cfg.loss_agg == "seq_mean_token_mean":
        return -sum(sum(s) / max(len(s), 1) for s in seqs) / N
    if cfg.loss_agg == "token_mean":
        return -sum(all_tokens) / len(all_tokens)
    return -sum(all_tokens) / (N * T)


@pytest.mark.parametrize("preset", ["grpo", "dr_grpo", "dapo", "gspo", "r1_zero"])
def test_loss_matches_reference_and_microbatches(preset):
    cfg = algo_preset(preset)  # the preset as conf/algo composes it, not a copy
    g = torch.Generator().manual_seed(0)
    N = 12
    T = 7
    logp = -torch.rand(N, T, generator=g, dtype=torch.float64) * 2
    old = logp + 0.3 * torch.randn(N, T, generator=g, dtype=torch.float64)
    ref = logp + 0.3 * torch.randn(N, T, generator=g, dtype=torch.float64)
    adv = torch.randn(N, generator=g, dtype=torch.float64)
    lengths = torch.randint(1, T + 1, (N,), generator=g)
    mask = torch.arange(T)[None, :] < lengths[:, None]
    w = token_weights(mask, cfg.loss_agg, torch.float64)
    full = policy_loss(logp, adv, w, cfg, old_logp=old, ref_logp=ref).loss
    expected = reference_loss(
        logp.tolist(), old.tolist(), ref.tolist(), adv.tolist(), mask.tolist(), cfg
    )
    assert full.item() == pytest.approx(expected, rel=1e-9)
    parts = [policy_loss(logp[s], adv[s], w[s], cfg, old_logp=old[s], ref_logp=ref[s]).loss
             for s in (slice(0, 5), slice(5, 12))]
    assert sum(parts).item() == pytest.approx(full.item(), rel=1e-12)


def test_zero_advantage_rows_have_zero_gradient_without_kl():
    logp = torch.randn(4, 5, requires_grad=True)
    adv = torch.tensor([0.0, 1.0, 0.0, -1.0])
    policy_loss(
        logp, adv, token_weights(torch.ones(4, 5), "token_mean"), AlgoConfig(beta=0.0)
    ).loss.backward()
    assert (logp.grad[[0, 2]] == 0).all() and (logp.grad[[1, 3]] != 0).all()


def test_overlong_shaping_ramp():
    out = overlong_shaping(torch.tensor([10, 12, 14, 16]), max_new_tokens=16, buffer=4, penalty=1.0)
    assert out.tolist() == [0.0, 0.0, -0.5, -1.0]


@pytest.mark.parametrize(
    "kwargs,key",
    [
        ({"loss_agg": "mean"}, "loss_agg"),
        ({"ratio": "seq"}, "ratio"),
        ({"beta": -1.0}, "beta"),
        ({"mu": 0}, "mu"),
    ],
)
def test_config_validation_names_key(kwargs, key):
    with pytest.raises(ValueError, match=f"algo.{key}"):
        AlgoConfig(**kwargs)
