"""The Ray reward pool on a real local Ray cluster started here (127.0.0.1, small num_cpus):
batches on actors placed by the custom resource, retry-elsewhere then mask on actor death, and
the verl / OpenRLHF / TRL entry points that find the pool by name."""

from __future__ import annotations

import asyncio
import os
import tempfile

import pytest

ray = pytest.importorskip("ray", reason="the ray extra is not installed: pip install 'verity[ray]'")

from verifiers.base import Problem  # noqa: E402
from verifiers.integrations.adapters import TRLReward, make_verl_compute_score, parse_rewards  # noqa: E402

pytestmark = pytest.mark.slow  # a local Ray cluster takes ~20 s to start on a small machine


@pytest.fixture(scope="module")
def cluster():
    temp = tempfile.mkdtemp(prefix="ray-verity-")
    ray.init(address="local", num_cpus=4, resources={"verity_sandbox": 4}, include_dashboard=False,
             log_to_driver=False, _temp_dir=temp, _node_ip_address="127.0.0.1")
    yield
    ray.shutdown()


@pytest.fixture
def pool(cluster, request):
    from verifiers.integrations.ray_pool import RayRewardPool

    p = RayRewardPool({"math": "correct", "r1": "correct,format=0.5"}, actors=2,
                      name=request.node.name[:40], batch_size=8, deadline_s=10.0, actor_cpus=0.5)
    yield p
    p.shutdown()


def _rows(n: int) -> tuple[list[str], list[Problem]]:
    # Row k answers k; its gold is k for even k, k + 1 for odd k.
    return ([f"<answer>{k}</answer>" for k in range(n)],
            [Problem(id=str(k), question="", answer=str(k + k % 2)) for k in range(n)])


def test_batches_on_actors_equal_in_process_scoring(pool):
    completions, problems = _rows(40)
    got = pool.score_batch_sync(completions, problems)
    assert got == parse_rewards("correct").score_batch(completions, problems)
    assert [s.reward for s in got] == [1.0 - k % 2 for k in range(40)]
    pids = {ray.get(a.pid.remote()) for a in pool.actors}
    assert len(pids) == 2 and os.getpid() not in pids  # two actor processes, not this one


def test_rows_of_a_dead_actor_are_retried_elsewhere(pool):
    ray.kill(pool.actors[0], no_restart=True)
    completions, problems = _rows(40)
    got = pool.score_batch_sync(completions, problems)
    assert [(s.reward, s.masked) for s in got] == [(1.0 - k % 2, False) for k in range(40)]
    assert pool.retried >= 1


def test_rows_are_masked_never_zero_when_no_actor_survives(pool):
    for actor in pool.actors:
        ray.kill(actor, no_restart=True)
    completions, problems = _rows(10)
    got = pool.score_batch_sync(completions, problems)
    assert all(s.masked and s.reward == 0.0 for s in got)
    assert all(
        v.reason == "verifier_error" and v.infra_error for s in got for v in s.verdicts.values()
    )


def test_entry_points_find_the_pool_by_name(pool, monkeypatch):
    from verifiers.integrations import openrlhf, ray_pool

    rows = [("gsm8k", "so \\boxed{72}", "72"), ("gsm8k", "<answer>71</answer>", "72"),
            ("x", "<answer>1</answer>", "")]

    async def verl():
        return await asyncio.gather(*(ray_pool.compute_score(d, s, g, {"index": 0},
                                                             pool=pool.name) for d, s, g in rows))

    local = make_verl_compute_score("correct")
    assert asyncio.run(verl()) == [local(d, s, g, {"index": 0}) for d, s, g in rows]

    monkeypatch.setenv("VERITY_RAY_POOL", pool.name)
    prompt = "<|im_start|>user\nWhat is 2+3?<|im_end|>\n<|im_start|>assistant\n"
    out = openrlhf.reward_func([prompt + "<answer>5</answer><|im_end|>",
                                prompt + "<answer>4</answer>",
                                "lost"], [prompt] * 3, ["5", "5", "5"])
    assert [float(x) for x in out["rewards"]] == [1.0, 0.0, 0.0]
    assert [float(x) for x in out["extra_logs"]["masked"]] == [0.0, 0.0, 1.0]

    trl = TRLReward(pool=ray_pool.RayRewardPool.connect(pool.name), reward_set="r1")
    got = trl(prompts=["p", "p"],
              completions=["<think>a</think><answer>5</answer>", "<answer>5</answer>"],
              answer=["5", "5"])
    assert got == [1.5, 1.0]  # format gates nothing here: 1 + 0.5 x format


def test_actors_go_only_where_the_custom_resource_is(cluster):
    from verifiers.integrations.ray_pool import RayRewardPool

    nowhere = RayRewardPool("correct", actors=1, name="nowhere",
                            resource="verity_sandbox_elsewhere")
    try:
        with pytest.raises(ray.exceptions.GetTimeoutError):  # no node offers it: never placed here
            ray.get(nowhere.actors[0].pid.remote(), timeout=3)
    finally:
        nowhere.shutdown()
