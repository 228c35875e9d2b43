"""verl 0.9.1's own reward path over Verity: its Hydra config (`reward.custom_reward_function.*`),
`get_custom_reward_fn` loading `pkg://...` with `reward_kwargs`, the `naive` reward manager's
`run_single` (decode, call, read the dict) inside a `RewardLoopWorker`, and (slow) the
`RewardLoopManager` on a local Ray cluster. Runs where verl imports (bench/trainer_venvs.sh builds
a separate venv with `pip install --no-deps verl==0.9.1` and its reward path's few imports)."""

from __future__ import annotations

import math
import os

import pytest

pytest.importorskip(
    "verl.experimental.reward_loop.reward_loop",
    reason="verl 0.9.1 is not importable here; bench/trainer_venvs.sh runs this file in a "
    "separate venv with it (pip install --no-deps verl==0.9.1 + its reward path's imports)",
)

import numpy as np  # noqa: E402
import torch  # noqa: E402
import verl  # noqa: E402
from hydra import compose, initialize_config_dir  # noqa: E402
from verl import DataProto  # noqa: E402
from verl.experimental.reward_loop.reward_loop import RewardLoopWorker  # noqa: E402

TINY = os.path.join(os.path.dirname(__file__), "..", "models", "tiny-base")

# (response text, ground truth, score, masked): what verl's reward manager must store per row.
ROWS = [
    ("<think>2+3</think><answer>5</answer>", "5", 1.0, 0.0),
    ("<answer>6</answer>", "5", 0.0, 0.0),
    ("<answer>5</answer> or <answer>6</answer>", "5", 0.0, 0.0),  # a hedge earns nothing
    ("no answer at all", "5", 0.0, 0.0),
    ("<answer>5</answer>", "", 0.0, 1.0),  # no gold: ours, masked
    ("<answer>5</answer>", float("nan"), 0.0, 1.0),  # a pandas missing gold: masked, never graded
]


def _config(path: str, name: str, kwargs: dict[str, str] | None = None):
    overrides = [f"actor_rollout_ref.model.path={os.path.abspath(TINY)}",
                 f"reward.custom_reward_function.path={path}",
                 f"reward.custom_reward_function.name={name}"]
    overrides += [f"+reward.custom_reward_function.reward_kwargs.{k}={v}"
                  for k, v in (kwargs or {}).items()]
    config_dir = os.path.join(os.path.dirname(verl.__file__), "trainer", "config")
    with initialize_config_dir(config_dir=config_dir, version_base=None):
        return compose(config_name="ppo_trainer", overrides=overrides)


def _batch(tokenizer, rows) -> DataProto:
    """A rollout batch as verl's agent loop hands it over: prompt and right-padded response ids,
    the attention mask over both, and the dataset's non-tensor columns."""
    ids = [
        tokenizer(text, add_special_tokens=False)["input_ids"] + [tokenizer.eos_token_id]
        for text, *_ in rows
    ]
    width = max(map(len, ids))
    prompt = tokenizer("What is 2+3?", add_special_tokens=False)["input_ids"]
    responses = torch.tensor([i + [tokenizer.pad_token_id] * (width - len(i)) for i in ids])
    mask = torch.tensor([[1] * len(prompt) + [1] * len(i) + [0] * (width - len(i)) for i in ids])
    return DataProto.from_dict(
        tensors={
            "prompts": torch.tensor([prompt] * len(rows)),
            "responses": responses,
            "attention_mask": mask,
        },
        non_tensors={
            "data_source": np.array(["openai/gsm8k"] * len(rows), dtype=object),
            "reward_model": np.array(
                [{"ground_truth": truth} for _, truth, *_ in rows], dtype=object
            ),
            "extra_info": np.array([{"index": k} for k in range(len(rows))], dtype=object),
        },
    )


def _run(worker: RewardLoopWorker, rows) -> list[dict]:
    # The manager keeps the loop it was built on (a Ray actor's); run the batch there.
    return worker.loop.run_until_complete(
        worker.compute_score_batch(_batch(worker.input_tokenizer, rows)))


@pytest.mark.parametrize("path, name, kwargs", [
    pytest.param("pkg://verifiers.adapters", "compute_score", None, id="adapters-default"),
    pytest.param("pkg://verifiers.integrations.verl", "compute_score",
                 {"rewards": "correct", "deadline_s": "5"}, id="integrations-verl-reward_kwargs"),
])
def test_verls_reward_loop_worker_stores_our_verdicts(path, name, kwargs):
    out = _run(RewardLoopWorker(_config(path, name, kwargs)), ROWS)
    assert [o["reward_score"] for o in out] == [score for *_, score, _ in ROWS]
    assert [o["reward_extra_info"]["masked"] for o in out] == [masked for *_, masked in ROWS]
    assert [o["reward_extra_info"]["acc"] for o in out] == [score for *_, score, _ in ROWS]


def test_reward_kwargs_gate_and_weights_reach_our_reward_set():
    rows = [("<think>add</think><answer>5</answer>", "5", 1.5, 0.0),
            ("<answer>5</answer>", "5", 0.0, 0.0)]
    worker = RewardLoopWorker(_config("pkg://verifiers.integrations.verl", "compute_score",
                                      {"rewards": "'correct,format=0.5'", "gate": "format"}))
    out = _run(worker, rows)
    assert [o["reward_score"] for o in out] == [1.5, 0.0]  # no think block: the gate closes
    assert [o["reward_extra_info"]["format"] for o in out] == [1.0, 0.0]


def test_verls_reward_loop_awaits_our_async_client_against_the_server():
    pytest.importorskip("starlette",
                        reason="the serve extra is not installed: pip install 'verity[serve]'")
    from verifiers.integrations.serve import BackgroundServer, RewardService, ServeConfig

    service = RewardService(ServeConfig(reward_sets={"math": "correct"}, workers=1,
                                        deadline_s=10.0))
    try:
        with BackgroundServer(service) as srv:
            worker = RewardLoopWorker(_config("pkg://verifiers.integrations.client",
                                              "compute_score", {"url": srv.url}))
            assert worker.reward_manager.is_async_reward_score  # verl awaits it, no thread hop
            out = _run(worker, ROWS)
    finally:
        service.close()
    assert [o["reward_score"] for o in out] == [score for *_, score, _ in ROWS]
    assert [o["reward_extra_info"]["masked"] for o in out] == [masked for *_, masked in ROWS]


@pytest.mark.slow
def test_verls_reward_loop_manager_on_a_local_ray_cluster():
    ray = pytest.importorskip("ray")
    from verl.experimental.reward_loop.reward_loop import RewardLoopManager
    from verl.utils import hf_tokenizer

    config = _config("pkg://verifiers.adapters", "compute_score")
    config.reward.num_workers = 2
    root = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
    ray.init(num_cpus=2, include_dashboard=False, runtime_env={"env_vars": {
        "PYTHONPATH": os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH")) if p)}})
    try:
        manager = RewardLoopManager(config)
        out = manager.compute_rm_score(_batch(hf_tokenizer(os.path.abspath(TINY)), ROWS))
    finally:
        ray.shutdown()
    scores = out.batch["rm_scores"].sum(dim=-1).tolist()
    assert scores == [score for *_, score, _ in ROWS]
    assert list(out.non_tensor_batch["masked"]) == [masked for *_, masked in ROWS]
    assert not any(math.isnan(s) for s in scores)
