"""Data-parallel training on torch.distributed (launched by torchrun; gloo on CPU, NCCL on GPUs):
process-group setup, each rank's share of the prompts, global loss normalisers, DDP or FSDP2
wrapping, metrics reduced across ranks and checkpoints holding every rank's RNG. It computes no
loss and samples nothing itself; outside torchrun every helper is the identity, so a one-process
run takes exactly the path it took before this module existed.

Why N ranks equal one process (B prompts, G completions, N = B*G sequences):
  * every rank takes the same B prompts from one seeded stream and keeps its contiguous share of
    B/world, so a group never spans ranks and its advantage is the one-process advantage;
  * the loss weights use the batch-wide normalisers (sequence count N, completion-token count,
    padded width T), all-reduced, so each rank's loss is its rows' share of the one-process loss;
  * DDP and FSDP2 *average* gradients over ranks, so each rank back-propagates world x its share:
    the average is then the gradient of the one-process loss;
  * every rank makes the same number of forward/backward passes (ranks with fewer micro-batches
    run zero-weight passes), as DDP's and FSDP2's collectives require.
"""

from __future__ import annotations

import contextlib
import os
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import torch
import torch.distributed as tdist

from rl.checkpoints import (
    load_checkpoint,
    rank_rng,
    read_checkpoint,
    read_weights,
    rng_state,
    save_checkpoint,
    set_rng_state,
)
from rl.grpo import token_weights
from rl.policy import Scorer

# Wall times: the slowest rank counts (the others waited for it at the next collective).
MAX_KEYS = ("time/",)


@dataclass(frozen=True)
class Dist:
    """Where this process stands in the job; world == 1 means one plain process."""

    rank: int = 0
    world: int = 1
    local_rank: int = 0
    fsdp: bool = False

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    # ---- collectives (identity for one process) ---------------------------------------------
    def total(self, value: float) -> float:
        """Sum of `value` over ranks."""
        return self._reduce([value], tdist.ReduceOp.SUM)[0] if self.world > 1 else value

    def largest(self, value: float) -> float:
        return self._reduce([value], tdist.ReduceOp.MAX)[0] if self.world > 1 else value

    def _reduce(self, values: list[float], op) -> list[float]:
        t = torch.tensor(values, dtype=torch.float64)  # CPU: gloo carries the small bookkeeping
        tdist.all_reduce(t, op=op)
        return t.tolist()

    def gather(self, obj) -> list:
        """Every rank's `obj`, in rank order (pickled; for small metadata only)."""
        if self.world == 1:
            return [obj]
        out = [None] * self.world
        tdist.all_gather_object(out, obj)
        return out

    # ---- data ---------------------------------------------------------------------------------
    def share(self, items: Sequence) -> list:
        """This rank's contiguous share of items that every rank holds in the same order (the
        last ranks get one fewer when len(items) does not divide: for evaluation, not training)."""
        if self.world == 1:
            return list(items)
        bounds = [len(items) * r // self.world for r in range(self.world + 1)]
        return list(items[bounds[self.rank]:bounds[self.rank + 1]])

    def mean(self, value: float, weight: float) -> float:
        """Weighted mean over ranks of a per-rank mean `value` over `weight` items."""
        if self.world == 1:
            return value
        s, w = self._reduce([value * weight if weight else 0.0, weight], tdist.ReduceOp.SUM)
        return s / w if w else float("nan")

    def first_groups(self, counts: Sequence[int], B: int) -> torch.Tensor:
        """DAPO keeps the first B groups with reward variance in draw order, round after round and
        rank after rank within a round (one process's order). counts: this rank's kept groups per
        round -> bool [sum(counts)] of the local groups among the global first B."""
        if self.world == 1:
            return torch.arange(sum(counts)) < B
        everyone = self.gather(list(counts))  # [world][rounds]
        keep, seen = [], 0
        for j, n in enumerate(counts):
            offset = seen + sum(everyone[r][j] for r in range(self.rank))
            keep += [offset + i < B for i in range(n)]
            seen += sum(everyone[r][j] for r in range(self.world))
        return torch.tensor(keep, dtype=torch.bool)

    # ---- loss -----------------------------------------------------------------------------
    def token_weights(self, mask: torch.Tensor, loss_agg: str) -> torch.Tensor:
        """rl/grpo.py's weights for this rank's rows [n, T] with the batch-wide normalisers."""
        if self.world == 1:
            return token_weights(mask, loss_agg)
        n_seqs, n_tokens = self._reduce([mask.shape[0], mask.sum().item()], tdist.ReduceOp.SUM)
        width = self.largest(mask.shape[1])  # the one-process batch is padded to the widest rank's
        return token_weights(
            mask, loss_agg, n_seqs=int(n_seqs), n_tokens=n_tokens, max_len=int(width)
        )

    def backward(self, loss: torch.Tensor) -> None:
        """Back-propagates world x this rank's share of the loss (DDP and FSDP2 average over
        ranks)."""
        (loss * self.world if self.world > 1 else loss).backward()

    def micro_batches(self, model, chunks: list) -> Iterator[tuple[int, object]]:
        """Yields (k, chunk) for the caller's forward + backward, gradient sync off but on the
        last pass; ranks with fewer chunks than the busiest rank run zero-weight passes, so every
        rank makes the same collectives."""
        if self.world == 1:
            yield from enumerate(chunks)
            return
        n = int(self.largest(len(chunks)))
        for k in range(n):
            with contextlib.nullcontext() if k == n - 1 else _no_sync(model):
                if k < len(chunks):
                    yield k, chunks[k]
                else:  # one token through every layer and the head, times 0: zero gradient
                    ids = torch.zeros(
                        1, 1, dtype=torch.long, device=next(model.parameters()).device
                    )
                    at = torch.zeros(1, 2, dtype=torch.long, device=ids.device)
                    lp, _ = model({"input_ids": ids}, at, ids[0], 1)
                    (lp.sum() * 0.0).backward()

    def sums(self, stats: Counter) -> Counter:
        """Statistics summed over ranks (keys missing on a rank count 0)."""
        if self.world == 1:
            return stats
        keys = sorted(set().union(*self.gather(sorted(stats))))
        return Counter(
            dict(zip(keys, self._reduce([float(stats[k]) for k in keys], tdist.ReduceOp.SUM)))
        )

    # ---- metrics ------------------------------------------------------------------------------
    def rollout_row(self, s, zero_frac: float, first_groups: int) -> dict:
        """Per-completion means of a step's kept groups `s` (rl.scoring.Groups), reduced over ranks:
        lengths, rewards, reason shares, truncation and masking; zero_frac is over the first
        draw."""
        n = len(s.batch.texts)
        local = {
            "rollout/len_mean": s.batch.lengths.float().sum().item(),
            "reward/total": s.r.sum().item(),
            "rollout/truncated_frac": s.batch.finish_reasons.count("length"),
            "adv/masked_frac": (~s.scores.valid).sum().item(),
        }
        for name, vals in s.scores.per_reward.items():
            local[f"reward/{name}"] = sum(vals)
            local.update(
                {f"verdict/{name}/{k}": c for k, c in Counter(s.scores.reasons[name]).items()}
            )
        if self.world == 1:  # the one-process expressions, so its metrics.jsonl is unchanged
            row = {
                "rollout/len_mean": s.batch.lengths.float().mean().item(),
                "reward/total": s.r.mean().item(),
                "rollout/truncated_frac": s.batch.finish_reasons.count("length") / n,
                "adv/masked_frac": 1 - s.scores.valid.float().mean().item(),
            }
            row.update(
                {
                    k: v / n
                    for k, v in local.items()
                    if k.startswith(("reward/", "verdict/")) and k != "reward/total"
                }
            )
            return {**row, "adv/zero_std_group_frac": zero_frac}
        totals = self.sums(
            Counter({**local, "_n": n, "_zero": zero_frac * first_groups, "_groups": first_groups})
        )
        row = {k: v / max(totals["_n"], 1) for k, v in totals.items() if not k.startswith("_")}
        return {**row, "adv/zero_std_group_frac": totals["_zero"] / totals["_groups"]}

    def times(self, row: dict) -> dict:
        """Wall times of the slowest rank (the one the step waited for)."""
        if self.world == 1:
            return row
        keys = sorted(k for k in row if k.startswith(MAX_KEYS))
        return {**row, **dict(zip(keys, self._reduce([row[k] for k in keys], tdist.ReduceOp.MAX)))}

    # ---- models and checkpoints -------------------------------------------------------------
    def wrap(self, model, trainable: bool = True):
        """The update's forward (rl.policy.Scorer: decoder body + chunked LM-head log-probs, the
        whole computation whose gradients must be reduced) under DDP, or sharded in place by
        FSDP2 (every decoder layer, then the Scorer as root); the model itself for one process.
        Wrapping the causal LM instead would leave the chunked head and the body outside the
        wrapper's forward: DDP would then reduce no gradient at all, and FSDP2's root would not
        gather the embeddings and head. Build the optimizer after this (FSDP2 replaces the
        model's parameters by sharded DTensors; the model keeps its own parameter names)."""
        if self.world == 1 or model is None:
            return model
        if getattr(model, "peft_wrapper", None) is not None:
            raise ValueError("policy.lora.r > 0 is one process only: under torchrun the adapters "
                             "are not wrapped by DDP / FSDP2 yet; run LoRA without torchrun, or "
                             "set policy.lora.r=0 to train every weight data-parallel")
        if not (trainable or self.fsdp):
            return model  # a frozen reference under DDP: a plain replica per rank
        scorer = Scorer(model)
        if self.fsdp:
            from torch.distributed.fsdp import fully_shard

            for layer in _decoder_layers(model):
                fully_shard(layer)
            fully_shard(scorer)
            # one forward through the Scorer makes it FSDP2's root now; otherwise the first
            # forward (a rollout through the causal LM) would make layer 0 the root
            ids = torch.zeros(1, 1, dtype=torch.long, device=next(model.parameters()).device)
            at = torch.zeros(1, 2, dtype=torch.long, device=ids.device)
            with torch.no_grad():
                scorer({"input_ids": ids}, at, ids[0], 1)
            scorer.reshard()
            return scorer
        from torch.nn.parallel import DistributedDataParallel

        ids = [self.local_rank] if next(model.parameters()).is_cuda else None
        # no buffer sync per forward: it would be a collective in every forward, and ranks run
        # different numbers of no-grad forwards (rollouts); the buffers are constants anyway
        return DistributedDataParallel(scorer, device_ids=ids, forward_sync_buffers=False)

    def rollout(self, rollout, model):  # model: what wrap() returned
        """The rollout itself, or under FSDP2 one that samples with the parameters gathered."""
        return _GatheredRollout(rollout, self, model) if self.fsdp and self.world > 1 else rollout

    @contextlib.contextmanager
    def gathered(self, model):
        """Full parameters for a stretch of forwards that ranks run different numbers of times
        (sampling, no-grad log-probs): FSDP2 gathers once here instead of in every forward."""
        if not (self.fsdp and self.world > 1 and model is not None):
            yield
            return
        from torch.distributed.fsdp import FSDPModule

        units = [m for m in model.modules() if isinstance(m, FSDPModule)]
        for m in units:
            m.set_reshard_after_forward(False, recurse=False)
            m.unshard()
        try:
            yield
        finally:
            for m in units:
                m.reshard()
                m.set_reshard_after_forward(m is not model, recurse=False)  # fully_shard's defaults

    def save(self, path: Path, model, optimizer, step: int, data_position: int,
             tokenizer=None) -> None:
        """Rank 0 writes one checkpoint holding every rank's RNG state (all ranks must call)."""
        if self.world == 1:
            return save_checkpoint(path, model, optimizer, step, data_position, tokenizer)
        rngs, positions = zip(*self.gather((rng_state(), data_position)))
        if len(set(positions)) > 1:  # every rank must have taken the same prompts from its stream
            raise RuntimeError(
                f"ranks disagree on the prompt stream position {positions}: "
                "not saving a checkpoint "
                "that could not resume them"
            )
        model_state, optimizer_state = self._full_states(model, optimizer)
        if self.is_main:
            save_checkpoint(path, model, optimizer, step, data_position, tokenizer, rng=list(rngs),
                            model_state=model_state, optimizer_state=optimizer_state)
        tdist.barrier()

    def load(self, path: Path, model, optimizer) -> tuple[int, int]:
        """Model, optimizer, this rank's RNG; (step, data position). Another world size resumes the
        stream and weights exactly but not the sampling RNG (a warning says so)."""
        state, weights = read_checkpoint(path)
        by_name = any(isinstance(k, str) for k in state["optimizer"]["state"])  # FSDP2's
        if by_name != (self.fsdp and self.world > 1):
            raise ValueError(f"resume={str(path)!r} was written {'with' if by_name else 'without'} "
                             "policy.fsdp=true under torchrun: resume it the same way "
                             f"(policy.fsdp={str(by_name).lower()})")
        if not by_name:
            return load_checkpoint(path, model, optimizer, rank=self.rank, world=self.world)
        from torch.distributed.checkpoint.state_dict import (
            StateDictOptions,
            set_model_state_dict,
            set_optimizer_state_dict,
        )

        full = StateDictOptions(full_state_dict=True)
        # model/ keeps one copy of tied weights (save_pretrained): those may be missing
        tied = {n for n, _ in model.named_parameters(remove_duplicate=False)}
        tied -= {n for n, _ in model.named_parameters()}
        result = set_model_state_dict(model, read_weights(weights),
                                      options=StateDictOptions(full_state_dict=True, strict=False))
        if result.unexpected_keys or set(result.missing_keys) - tied:
            raise ValueError(f"{weights} does not match the model (unexpected "
                             f"{result.unexpected_keys[:3]}, missing {result.missing_keys[:3]})")
        set_optimizer_state_dict(model, optimizer, state["optimizer"], options=full)
        set_rng_state(rank_rng(state, self.rank, self.world))
        return state["step"], state["data_position"]

    def _full_states(self, model, optimizer):
        if not self.fsdp:
            return None, None
        from torch.distributed.checkpoint.state_dict import StateDictOptions, get_state_dict

        return get_state_dict(
            model, optimizer, options=StateDictOptions(full_state_dict=True, cpu_offload=True)
        )

    def close(self) -> None:
        if self.world > 1:
            tdist.destroy_process_group()


ONE_PROCESS = Dist()  # a run not launched by torchrun


class _GatheredRollout:
    """Samples with FSDP2 parameters gathered once per call: ranks stop decoding at different
    steps, and a per-forward all-gather would wait forever for a rank that already stopped."""

    def __init__(self, rollout, dist: Dist, model):
        self.inner, self.dist, self.model = rollout, dist, model

    def generate(self, prompts: list[str], n: int, greedy: bool = False):
        with self.dist.gathered(self.model):
            return self.inner.generate(prompts, n, greedy)


def _no_sync(model):
    if hasattr(model, "no_sync"):  # DDP
        return model.no_sync()
    if hasattr(model, "set_requires_gradient_sync"):  # FSDP2
        return _fsdp_no_sync(model)
    return contextlib.nullcontext()


@contextlib.contextmanager
def _fsdp_no_sync(model):
    model.set_requires_gradient_sync(False)
    try:
        yield
    finally:
        model.set_requires_gradient_sync(True)


def _decoder_layers(model) -> list:
    layers = getattr(getattr(model, "model", None), "layers", None)
    if layers is None:
        raise ValueError(
            f"policy.fsdp=true shards each decoder layer, but {type(model).__name__} has no "
            "model.layers; use policy.fsdp=false (DDP) for this architecture"
        )
    return list(layers)


def setup(seed: int, fsdp: bool, batch_prompts: int) -> Dist:
    """Joins the torchrun job when launched by torchrun (RANK and WORLD_SIZE set), else one
    process. Checks what cannot run distributed and gives each rank its own sampling seed."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world == 1:
        if fsdp:
            raise ValueError(
                "policy.fsdp=true shards over the ranks of a torchrun job: launch with "
                "`torchrun --nproc_per_node=N rl/train.py ...` or set policy.fsdp=false"
            )
        return Dist()
    rank, local_rank = int(os.environ["RANK"]), int(os.environ.get("LOCAL_RANK", "0"))
    if batch_prompts % world:
        raise ValueError(
            f"batch_prompts={batch_prompts} is not divisible by the world size {world}: "
            f"use a multiple of {world} (each rank rolls out batch_prompts/world whole groups)"
        )
    if torch.cuda.is_available():  # gradients of a CUDA model go over NCCL, bookkeeping over gloo
        torch.cuda.set_device(local_rank)
    if not tdist.is_initialized():
        tdist.init_process_group("cpu:gloo,cuda:nccl" if torch.cuda.is_available() else "gloo")
    torch.manual_seed(seed + 1_000_003 * rank)  # rank 0 keeps the one-process seed
    return Dist(rank, world, local_rank, fsdp)


def hydra_argv(argv: list[str]) -> list[str]:
    """Ranks other than 0 write nothing: no run directory, no .hydra/ copy, no log file."""
    if int(os.environ.get("RANK", "0")) == 0:
        return argv
    return [*argv, "hydra.run.dir=.", "hydra.output_subdir=null", "hydra/job_logging=disabled",
            "hydra/hydra_logging=disabled"]
