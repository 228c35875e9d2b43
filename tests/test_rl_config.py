"""Every task x algorithm x sandbox combination of conf/ composes against the registered schemas,
builds valid config objects and names importable classes; presets are deltas from grpo.yaml."""

from __future__ import annotations

import pytest
import torch
from hydra.errors import ConfigCompositionException
from hydra.utils import get_object, instantiate
from omegaconf import OmegaConf

from rl.grpo import AlgoConfig
from rl.policy import PolicyConfig
from rl.rollout import SamplingConfig
from rl.schemas import CONF_DIR as CONF
from rl.schemas import build
from rl.schemas import compose as composed

TASKS = sorted(p.stem for p in (CONF / "task").glob("*.yaml"))
ALGOS = sorted(p.stem for p in (CONF / "algo").glob("*.yaml"))
SANDBOXES = sorted(p.stem for p in (CONF / "sandbox").glob("*.yaml"))


def algo_preset(name: str) -> AlgoConfig:
    return build(AlgoConfig, composed("train", "+task=math", f"algo={name}").algo)


def targets(node) -> list[str]:
    """Every `_target_` in a config subtree."""
    if OmegaConf.is_dict(node):
        found = [node["_target_"]] if "_target_" in node else []
        return found + [t for k in node if k != "_target_" for t in targets(node[k])]
    if OmegaConf.is_list(node):
        return [t for v in node for t in targets(v)]
    return []


def test_the_groups_hold_what_the_combination_test_covers():
    assert (
        {"math", "code"} <= set(TASKS) and len(ALGOS) == 5 and set(SANDBOXES) == {"local", "docker"}
    )


@pytest.mark.parametrize("sandbox", SANDBOXES)
@pytest.mark.parametrize("algo", ALGOS)
@pytest.mark.parametrize("task", TASKS)
@pytest.mark.parametrize("entry", ["train", "evaluate"])
def test_every_combination_composes_and_builds(entry, task, algo, sandbox):
    overrides = [f"+task={task}", f"sandbox={sandbox}"] + (
        [f"algo={algo}"] if entry == "train" else []
    )
    cfg = composed(entry, *overrides)
    build(PolicyConfig, cfg.policy)
    build(SamplingConfig, cfg.sampling)
    if entry == "train":
        build(AlgoConfig, cfg.algo)
        opt = instantiate(cfg.optim.optimizer)([torch.nn.Parameter(torch.zeros(2))])
        assert isinstance(opt, torch.optim.Optimizer) and opt.defaults["lr"] > 0
    resolved = OmegaConf.create(OmegaConf.to_container(cfg.task, resolve=True))
    for target in targets(resolved):  # every class or function a task names exists
        assert callable(get_object(target)), target
    assert cfg.task.eval_reward in cfg.task.rewards
    for reward in cfg.task.rewards.values():
        if "sandbox" in reward.verifier:  # code rewards get the sandbox group's backend
            assert reward.verifier.sandbox._target_ == cfg.sandbox._target_


def test_presets_are_deltas_of_grpo():
    grpo = algo_preset("grpo")
    assert grpo == AlgoConfig(**OmegaConf.to_container(composed("train", "+task=math").algo))
    for name in ALGOS:
        text = (CONF / "algo" / f"{name}.yaml").read_text()
        if name != "grpo":
            assert "- grpo" in text and text.count(":") < 16, (
                f"{name}.yaml should list only its differences"
            )
    assert algo_preset("dapo").dynamic_sampling and algo_preset("dapo").loss_agg == "token_mean"
    assert algo_preset("gspo").ratio == "sequence" and algo_preset("dr_grpo").scale_std is False
    r1 = composed("train", "+task=math", "algo=r1_zero")
    assert r1.algo.beta == 0.001 and r1.sampling.group_size == 16


@pytest.mark.parametrize("override, message", [
    ("algo.bogus=1", "algo.bogus"),
    ("algo.beta=abc", "algo.beta"),
    ("policy.micro_batch=1.5", "policy.micro_batch"),
    ("sampling.nope=1", "sampling.nope"),
])
def test_unknown_keys_and_wrong_types_fail_at_composition(override, message):
    with pytest.raises(ConfigCompositionException) as err:
        composed("train", "+task=math", override)
    assert message in str(err.value) + str(err.value.__cause__)


def test_values_are_validated_when_built():
    with pytest.raises(ValueError, match="algo.loss_agg"):
        build(AlgoConfig, composed("train", "+task=math", "algo.loss_agg=mean").algo)


def test_cli_overrides_reach_the_optimizer_and_rewards():
    cfg = composed(
        "train",
        "+task=math",
        "optim.optimizer.lr=0.01",
        "optim.optimizer._target_=torch.optim.SGD",
        "~optim.optimizer.betas",
        "task.rewards.correct.weight=0.25",
    )
    opt = instantiate(cfg.optim.optimizer)([torch.nn.Parameter(torch.zeros(2))])
    assert type(opt) is torch.optim.SGD and opt.defaults["lr"] == 0.01
    assert cfg.task.rewards.correct.weight == 0.25
