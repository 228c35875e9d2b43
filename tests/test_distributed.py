"""Data-parallel GRPO (rl/distributed.py) against one process, with real gloo process groups on
this machine: one update of 2 ranks x B/2 prompts equals one process with the same B prompts
and rollouts (DDP and FSDP2, every loss aggregation), DAPO's global first-B selection, the clear
errors, and a 2-rank torchrun run killed after a checkpoint that resumes bit-for-bit."""

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

torch = pytest.importorskip("torch", reason="the rl extra (torch) is not installed")

import torch.distributed as tdist  # noqa: E402
import torch.multiprocessing as mp  # noqa: E402

from rl.checkpoints import read_weights  # noqa: E402
from rl.data import ProblemStream, arithmetic_sample  # noqa: E402
from rl.distributed import Dist, setup  # noqa: E402
from rl.grpo import AlgoConfig, group_advantages  # noqa: E402
from rl.policy import PolicyConfig, load_policy  # noqa: E402
from rl.rollout import CachedRollout, RolloutBatch, SamplingConfig  # noqa: E402
from rl.step import update  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
WORLD, B, G = 2, 4, 4
PROMPTS = [
    f"User: What is {a}+{b}?\nAssistant: <think>" for a, b in ((12, 34), (5, 7), (40, 2), (9, 90))
]
# (name, algo): the three aggregations, the KL-to-reference path and mu = 2 (old log-probs, 2 steps)
CASES = {
    "grpo_seq_mean_token_mean_kl": AlgoConfig(),
    "dapo_token_mean": AlgoConfig(beta=0.0, epsilon_high=0.28, loss_agg="token_mean"),
    "dr_grpo_seq_mean_token_sum_norm": AlgoConfig(
        scale_std=False, beta=0.0, loss_agg="seq_mean_token_sum_norm"
    ),
    "token_mean_mu2": AlgoConfig(beta=0.0, loss_agg="token_mean", mu=2),
}
PCFG = PolicyConfig(threads=1, micro_batch=G)  # one group per micro-batch: ranks get unequal counts
# SGD, because parameters then differ by lr x the gradient difference. AdamW's first step is about
# lr * sign(g) and turns float32 reduction-order noise in gradients |g| ~ eps into 1e-6 parameter
# differences: in one process, micro_batch=4 vs 16 (the same loss) already differ by up to 7e-6.
LR = 0.1
MAX_GRAD_NORM = 1.0


def trimmed(batch: RolloutBatch) -> RolloutBatch:
    """The batch cut to its longest completion, as the generate backend pads: ranks then have
    different widths T, which seq_mean_token_sum_norm must all-reduce."""
    T = int(batch.lengths.max())
    return RolloutBatch(
        batch.ids[:, : batch.prompt_len + T],
        batch.attention_mask[:, : batch.prompt_len + T],
        batch.completion_mask[:, :T],
        batch.prompt_len,
        batch.group_size,
        batch.texts,
        batch.finish_reasons,
    )


@pytest.fixture(scope="module")
def rollouts(tmp_path_factory):
    """B groups sampled by the real policy, rewards drawn so that group 1 (rank 0) has zero
    variance: rank 0 then runs one micro-batch and rank 1 two."""
    torch.manual_seed(0)
    model, tok = load_policy(PCFG)
    batch = CachedRollout(model, tok, SamplingConfig(group_size=G, max_new_tokens=24)).generate(
        PROMPTS, G
    )
    r = torch.rand(B, G, generator=torch.Generator().manual_seed(1))
    r[1] = 0.5
    path = tmp_path_factory.mktemp("dist") / "rollouts.pt"
    torch.save({"batch": trimmed(batch), "rewards": r}, path)
    assert len(set(batch.lengths.tolist())) > 1
    return path


def one_update(model, ref, batch, rewards, algo, dist=None, rows=None):
    adv = group_advantages(
        rewards, torch.ones_like(rewards, dtype=torch.bool), algo.scale_std, algo.std_eps
    )[0].flatten()
    if rows is not None:  # this rank's groups
        keep = torch.zeros(B, dtype=torch.bool)
        keep[rows] = True
        batch, adv = trimmed(batch.groups(keep)), adv[keep.repeat_interleave(G)]
    opt = torch.optim.SGD(model.parameters(), lr=LR)
    args = (model, ref, opt, batch, adv, algo, PCFG, MAX_GRAD_NORM)
    return update(*args) if dist is None else update(*args, dist)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rank_main(rank: int, port: int, rollouts: Path, out: Path) -> None:
    """One rank: every case with DDP and with FSDP2, then DAPO's first-B selection."""
    os.environ.update(
        MASTER_ADDR="127.0.0.1",
        MASTER_PORT=str(port),
        RANK=str(rank),
        WORLD_SIZE=str(WORLD),
        LOCAL_RANK=str(rank),
    )
    data = torch.load(rollouts, weights_only=False)
    results = {}
    for fsdp in (False, True):
        dist = setup(0, fsdp, B)
        for name, algo in CASES.items():
            policy = load_policy(PCFG)[0]
            model = dist.wrap(policy)  # what the update runs: rl.policy.Scorer under DDP / FSDP2
            ref = (
                dist.wrap(load_policy(PCFG, trainable=False)[0], trainable=False)
                if algo.beta > 0
                else None
            )
            stats = one_update(
                model, ref, data["batch"], data["rewards"], algo, dist, dist.share(list(range(B)))
            )
            if fsdp:
                from torch.distributed.checkpoint.state_dict import (
                    StateDictOptions,
                    get_model_state_dict,
                )

                state = get_model_state_dict(
                    policy, options=StateDictOptions(full_state_dict=True, cpu_offload=True)
                )
            else:
                state = {k: v.detach().clone() for k, v in policy.state_dict().items()}
            results[f"{name}-{'fsdp' if fsdp else 'ddp'}"] = {"state": state, "stats": stats}
    # DAPO: rounds of kept-group counts per rank; the global first B in (round, rank) order
    counts = {0: [1, 2, 2], 1: [2, 0, 2]}[rank]
    results["first_groups"] = dist.first_groups(counts, B).tolist()
    if rank == 0:
        torch.save(results, out)
    tdist.barrier()
    dist.close()


@pytest.fixture(scope="module")
def two_ranks(rollouts, tmp_path_factory):
    out = tmp_path_factory.mktemp("dist") / "ranks.pt"
    mp.spawn(rank_main, args=(free_port(), rollouts, out), nprocs=WORLD, join=True)
    return torch.load(out, weights_only=False)


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["ddp", "fsdp"])
@pytest.mark.parametrize("case", list(CASES))
def test_two_ranks_equal_one_process(rollouts, two_ranks, case, backend):
    data = torch.load(rollouts, weights_only=False)
    algo = CASES[case]
    model = load_policy(PCFG)[0]
    before = {k: v.clone() for k, v in model.state_dict().items()}
    ref = load_policy(PCFG, trainable=False)[0] if algo.beta > 0 else None
    stats = one_update(model, ref, data["batch"], data["rewards"], algo)
    got = two_ranks[f"{case}-{backend}"]
    moved = max((v - before[k]).abs().max().item() for k, v in model.state_dict().items())
    assert moved > 1e-4  # the update did something worth comparing
    for k, v in model.state_dict().items():
        assert torch.allclose(got["state"][k], v, rtol=0, atol=1e-6), (
            k,
            (got["state"][k] - v).abs().max(),
        )
    for key in ("loss/policy", "loss/kl", "loss/entropy", "optim/grad_norm"):
        assert got["stats"][key] == pytest.approx(stats[key], rel=1e-5, abs=1e-7), key


@pytest.mark.slow
def test_dapo_first_groups_follow_one_process_order(two_ranks):
    # rounds: r0 keeps [1, 2, 2], r1 keeps [2, 0, 2]; one process sees round 1 = 1 + 2 groups,
    # round 2 = 2 + 0: the first B = 4 are r0's round-1 group, r1's two, then r0's first of round 2
    assert two_ranks["first_groups"] == [True, True, False, False, False]


@pytest.mark.parametrize(
    "n, world",
    [
        pytest.param(8, 1, id="one-process"),
        pytest.param(8, 2, id="two"),
        pytest.param(9, 3, id="three"),
    ],
)
def test_rank_shares_are_one_stream(n, world):
    pool = arithmetic_sample("train", 20, 0)
    one = ProblemStream(pool, seed=3)
    ranks = [ProblemStream(pool, seed=3) for _ in range(world)]
    for _ in range(3):
        whole = one.take(n)
        assert sum((s.take_share(n, r, world) for r, s in enumerate(ranks)), []) == whole
        assert {s.position for s in ranks} == {one.position}


def test_indivisible_batch_and_fsdp_without_torchrun_are_refused(monkeypatch):
    with pytest.raises(ValueError, match="not divisible by the world size 2"):
        ProblemStream(arithmetic_sample("train", 5, 0)).take_share(3, 0, 2)
    monkeypatch.setenv("WORLD_SIZE", "2")
    monkeypatch.setenv("RANK", "0")
    with pytest.raises(ValueError, match="batch_prompts=5 is not divisible by the world size 2"):
        setup(0, False, 5)
    monkeypatch.delenv("WORLD_SIZE")
    with pytest.raises(ValueError, match="policy.fsdp=true .* torchrun"):
        setup(0, True, 4)
    assert setup(0, False, 5) == Dist()


# ---- a real torchrun job: metrics from rank 0, and a kill after a checkpoint -------------------
TINY = [
    "+task=math",
    "batch_prompts=4",
    "sampling.group_size=4",
    "sampling.max_new_tokens=24",
    "task.eval.n_per_op=2",
    "eval_every=2",
    "samples_every=1",
    "policy.threads=1",
    "checkpoint_every=1",
]


def torchrun(run_dir: Path, *overrides: str, background: bool = False):
    cmd = [
        sys.executable,
        "-m",
        "torch.distributed.run",
        f"--nproc_per_node={WORLD}",
        f"--master_port={free_port()}",
        "rl/train.py",
        *TINY,
        f"hydra.run.dir={run_dir}",
        *overrides,
    ]
    if background:
        return subprocess.Popen(
            cmd,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)


def kill_tree(pid: int) -> None:
    """SIGKILL a process and all its descendants, by pid: torchrun starts each worker in a session
    of its own, so killing torchrun's process group would leave the ranks running."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    todo = [pid]
    tree = []
    while todo:
        tree.append(todo.pop())
        todo += children.get(tree[-1], [])
    for p in tree:
        with contextlib.suppress(ProcessLookupError):
            os.kill(p, signal.SIGKILL)


@pytest.mark.slow
def test_two_rank_run_killed_after_checkpoint_resumes_bitwise(tmp_path):
    full = torchrun(tmp_path / "full", "steps=3")
    assert full.returncode == 0, full.stderr[-3000:]
    rows = [json.loads(x) for x in (tmp_path / "full" / "metrics.jsonl").read_text().splitlines()]
    assert [r["step"] for r in rows] == [0, 1, 2, 3] and all("reward/total" in r for r in rows[1:])
    samples = (tmp_path / "full" / "samples.jsonl").read_text().splitlines()
    assert len(samples) == 3 * B * 4  # every rank's completions, written once by rank 0
    killed = torchrun(tmp_path / "killed", "steps=3", background=True)
    ckpt = tmp_path / "killed" / "checkpoint.pt"
    deadline = time.monotonic() + 400
    while not ckpt.exists() and time.monotonic() < deadline and killed.poll() is None:
        time.sleep(0.2)
    kill_tree(killed.pid)
    killed.wait()
    assert ckpt.exists(), killed.stderr.read()[-3000:]
    saved = torch.load(ckpt, weights_only=True)  # tensors and plain containers only
    assert saved["step"] < 3 and len(saved["rng"]) == WORLD and "model" not in saved
    time.sleep(1)
    assert torch.load(ckpt, weights_only=True)["step"] == saved["step"]  # nothing kept running
    resumed = torchrun(tmp_path / "resumed", "steps=3", f"resume={ckpt}")
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    a = torch.load(tmp_path / "full" / "checkpoint.pt", weights_only=True)
    b = torch.load(tmp_path / "resumed" / "checkpoint.pt", weights_only=True)
    assert a["step"] == b["step"] == 3
    assert a["data_position"] == b["data_position"] == 3 * B
    wa = read_weights(tmp_path / "full" / "model")  # the weights live once, in model/
    wb = read_weights(tmp_path / "resumed" / "model")
    assert wa.keys() == wb.keys() and wa
    for k, v in wa.items():
        assert torch.equal(v, wb[k]), k
    for x, y in zip(a["optimizer"]["state"].values(), b["optimizer"]["state"].values()):
        assert all(torch.equal(x[k], y[k]) for k in x)
    for x, y in zip(a["rng"], b["rng"]):
        assert torch.equal(x["torch"], y["torch"])


@pytest.mark.slow
def test_dapo_refills_until_the_global_count_reaches_b(tmp_path):
    out = torchrun(tmp_path / "dapo", "steps=3", "algo=dapo", "checkpoint_every=10")
    assert out.returncode == 0, out.stderr[-3000:]
    rows = [json.loads(x) for x in (tmp_path / "dapo" / "metrics.jsonl").read_text().splitlines()][
        1:
    ]
    samples = [
        json.loads(x) for x in (tmp_path / "dapo" / "samples.jsonl").read_text().splitlines()
    ]
    for row in rows:
        assert row["rollout/drawn_prompts"] in (
            B,
            2 * B,
            3 * B,
        )  # whole global batches, at most max_draws
        groups = [
            [s["reward"] for s in samples if s["step"] == row["step"]][i : i + 4]
            for i in range(0, 4 * B, 4)
        ]
        groups = [g for g in groups if g]
        assert len(groups) <= B
        if (
            row["rollout/drawn_prompts"] < 3 * B
        ):  # filled before the cap: B groups, all with variance
            assert len(groups) == B and all(max(g) > min(g) for g in groups)


@pytest.mark.parametrize(
    "by_name, dist",
    [
        pytest.param(False, Dist(rank=0, world=2, fsdp=True), id="ddp-checkpoint-into-fsdp"),
        pytest.param(True, Dist(), id="fsdp-checkpoint-into-one-process"),
    ],
)
def test_checkpoint_of_the_other_layout_is_refused(tmp_path, by_name, dist):
    from rl.checkpoints import save_checkpoint

    model = load_policy(PolicyConfig())[0]  # save_checkpoint writes a real model directory
    opt = torch.optim.AdamW(model.parameters())
    sum(p.sum() for p in model.parameters()).backward()
    opt.step()
    saved = opt.state_dict()
    if by_name:  # how torch.distributed.checkpoint's full state dict of an FSDP2 run names states
        names = [n for n, _ in model.named_parameters()]
        saved = {
            "state": {names[k]: v for k, v in saved["state"].items()},
            "param_groups": saved["param_groups"],
        }
    save_checkpoint(tmp_path / "c.pt", model, opt, 1, 4, optimizer_state=saved)
    before = [p.clone() for p in model.parameters()]
    with pytest.raises(
        ValueError, match=f"resume it the same way \\(policy.fsdp={str(by_name).lower()}\\)"
    ):
        dist.load(tmp_path / "c.pt", model, opt)
    assert all(torch.equal(a, b) for a, b in zip(before, model.parameters()))  # nothing half-loaded
