"""Hydra's ConfigStore entries: every YAML file of the algo/, policy/ and sampling/ groups
extends the dataclass schema its module defines, so an unknown key or a wrong type fails at
composition, before any model loads; it holds no defaults of its own and validates no values
(each dataclass's `__post_init__` does, when rl/train.py builds it)."""

from __future__ import annotations

from pathlib import Path

from hydra import compose as hydra_compose
from hydra import initialize_config_dir
from hydra.core.config_store import ConfigStore
from omegaconf import DictConfig, OmegaConf

from rl.grpo import AlgoConfig
from rl.policy import PolicyConfig
from rl.rollout import SamplingConfig

CONF_DIR = Path(__file__).resolve().parent.parent / "conf"
# group -> schema; a group's YAML files name `base_<group>` first in their defaults list
SCHEMAS = {"algo": AlgoConfig, "policy": PolicyConfig, "sampling": SamplingConfig}


def register() -> None:
    """Stores each schema as `<group>/base_<group>` (idempotent: Hydra replaces an equal entry)."""
    store = ConfigStore.instance()
    for group, schema in SCHEMAS.items():
        node = OmegaConf.structured(schema)
        OmegaConf.set_readonly(
            node, False
        )  # frozen dataclasses are read-only; overrides must merge
        store.store(group=group, name=f"base_{group}", node=node)


def build(schema, node):
    """The validated dataclass for a composed group node (runs the schema's `__post_init__`)."""
    return schema(**OmegaConf.to_container(node, resolve=True))


def compose(config_name: str, *overrides: str) -> DictConfig:
    """conf/<config_name>.yaml composed with command-line style overrides, outside @hydra.main
    (tests, notebooks): `compose("train", "+task=math", "algo=dapo")`."""
    register()
    with initialize_config_dir(config_dir=str(CONF_DIR), version_base=None):
        return hydra_compose(config_name, overrides=list(overrides))
