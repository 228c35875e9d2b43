"""Hydra entry point of offline evaluation: samples k completions per problem, grades them with the
task's rewards and reports pass@1, pass@k, maj@k, reason histograms and per-source breakdowns
(eval.json, table.txt, results.jsonl); it trains nothing and defines no verifier of its own;
the statistics themselves (pass@k, maj@k, aggregation) are pure functions in rl/passk.py.

    python rl/evaluate.py +task=math [k=8] [limit=50] [policy.path=...] [hydra.run.dir=runs/eval]

pass@k is the unbiased estimator of Chen et al. 2021 (arXiv:2107.03374, eq. 1) over the k samples
of a problem; pass@1 is its k=1 case (the share of samples that pass), not a greedy decode
(`greedy=true` adds one: greedy_pass@1). A sample passes when the eval reward scores it exactly 1;
a masked sample (our side failed) does not pass and is counted under `masked`.

maj@k votes, for every problem that carries a gold `answer` (code problems carry `tests` and get
none), over the k committed final answers read by `verifiers.extract.committed_answer`. Answers are
grouped when identical after `latex_norm.normalize` and whitespace removal, with plain numbers and
integer fractions compared by value (12 = 12.0, 0.5 = \\frac{1}{2}); no symbolic equivalence,
which would need the verifiers' deadline pool. The majority group is correct when the eval reward
graded one of its members 1; a tie scores the share of tied groups that are correct.

Resume: results.jsonl gets one line per problem as soon as its batch is graded. Rerun with the same
`hydra.run.dir` and problems already there are skipped (settings that change samples must match).
Each sample draws its noise from its own generator seeded by (seed, problem id, sample index),
via the Gumbel-max trick, so a sample does not depend on which problems shared its batch:
a resumed run, a larger `limit` or another `batch_size` give the samples an uninterrupted run gives.
"""

from __future__ import annotations

import hashlib
import json
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields
from pathlib import Path

if __package__ in (None, ""):  # `python rl/evaluate.py` puts rl/ on sys.path, not the repo root
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import hydra
import torch
from hydra.core.hydra_config import HydraConfig
from hydra.utils import instantiate
from omegaconf import DictConfig, OmegaConf
from tqdm import tqdm
from transformers import LogitsProcessor, LogitsProcessorList

from rl.passk import (
    SOURCE_UNKNOWN,
    aggregate,
    format_table,
    majority_vote,
    summarize,
    vote_key,
)
from rl.policy import PolicyConfig, load_policy
from rl.prompts import PromptTemplate, task_prompt
from rl.rollout import HFRollout, SamplingConfig
from rl.schemas import build, register
from rl.scoring import build_rewards, score
from verifiers.base import Problem
from verifiers.extract import MODES


def sample_seed(seed: int, problem_id: str, index: int) -> int:
    """A 63-bit generator seed per sample, stable across runs, machines and Python hash seeds."""
    digest = hashlib.sha256(f"{seed}\0{problem_id}\0{index}".encode()).digest()
    return int.from_bytes(digest[:8], "little") >> 1


@dataclass(frozen=True)
class EvalConfig:
    """The top-level keys of conf/evaluate.yaml (see the comments there)."""

    k: int = 8
    batch_size: int = 8
    limit: int | None = None
    seed: int = 0
    greedy: bool = False
    vote: bool = True
    vote_mode: str = "strict"
    reward: str = "correct"
    resume: bool = True

    def __post_init__(self) -> None:
        for key in ("k", "batch_size"):
            if not isinstance(getattr(self, key), int) or getattr(self, key) < 1:
                raise ValueError(
                    f"{key}={getattr(self, key)!r} is not allowed; use an integer >= 1"
                )
        if self.limit is not None and (not isinstance(self.limit, int) or self.limit < 1):
            raise ValueError(
                f"limit={self.limit!r} is not allowed; use null (all problems) or an integer >= 1"
            )
        if self.vote_mode not in MODES:
            raise ValueError(f"vote_mode={self.vote_mode!r} is not allowed; use one of {MODES}")


def grade_rows(chunk: Sequence[Problem], texts: Sequence[str], finish: Sequence[str], scores,
               k: int, ecfg: EvalConfig) -> list[dict]:
    """One results.jsonl row per problem from k graded samples each (rows of a problem adjacent)."""
    rows = []
    for i, p in enumerate(chunk):
        s = slice(i * k, (i + 1) * k)
        masked = [not v for v in scores.valid[s].tolist()]
        passed = [v == 1.0 and not m for v, m in zip(scores.per_reward[ecfg.reward][s], masked)]
        votes = (
            [vote_key(t, ecfg.vote_mode) for t in texts[s]]
            if ecfg.vote and p.answer is not None
            else None
        )
        rows.append(
            {
                "id": p.id,
                "source": str(p.meta.get("source", SOURCE_UNKNOWN)),
                "passed": passed,
                "maj": None if votes is None else majority_vote(votes, passed),
                "votes": votes,
                "masked": masked,
                "finish": list(finish[s]),
                "scores": {n: v[s] for n, v in scores.per_reward.items()},
                "reasons": {n: v[s] for n, v in scores.reasons.items()},
                "completions": list(texts[s]),
            }
        )
    return rows


def _leaves(tree: dict, prefix: str = "") -> dict:
    """{"a": {"b": 1}} -> {"a.b": 1}, so a resume refusal names the one key that differs."""
    out = {}
    for key, value in tree.items():
        if isinstance(value, dict) and value:
            out.update(_leaves(value, f"{prefix}{key}."))
        else:
            out[prefix + key] = value
    return out


def load_done(path: Path, settings: dict, resume: bool) -> dict[str, dict]:
    """Rows already in results.jsonl (by problem id) when resuming with equal settings, else {}
    (and an empty results.jsonl). Settings live next to it in eval_settings.json."""
    key_file = path.with_name("eval_settings.json")
    if not (resume and path.exists()):
        key_file.write_text(json.dumps(settings, indent=1))
        path.write_text("")
        return {}
    saved, now = (
        _leaves(json.loads(key_file.read_text()) if key_file.exists() else {}),
        _leaves(settings),
    )
    for key in sorted(set(saved) | set(now)):
        if saved.get(key) != now.get(key):
            raise ValueError(
                f"cannot resume {path}: {key}={now.get(key)!r} but the run was started with "
                f"{saved.get(key)!r}; use the same value, resume=false, or another hydra.run.dir"
            )
    done = {}
    for line in path.read_text().splitlines():
        try:
            row = json.loads(line)
        except json.JSONDecodeError:  # the line being written when the run was killed
            continue
        done[row["id"]] = row
    # rewritten without the torn line, which the next append would otherwise glue onto a good row
    path.write_text("".join(json.dumps(row) + "\n" for row in done.values()))
    return done


class GumbelSampler(LogitsProcessor):
    """argmax(logits / T + Gumbel noise) is an exact sample of softmax(logits / T) (Gumbel-max
    trick); drawing each row's noise from its own generator makes the row's sample independent of
    its batch neighbours, which the shared torch RNG of `generate(do_sample=True)` is not."""

    def __init__(self, seeds: Sequence[int], temperature: float, top_p: float):
        self.seeds, self.temperature, self.top_p, self.gens = list(seeds), temperature, top_p, None

    # scores [N, V]
    def __call__(self, input_ids: torch.Tensor, scores: torch.Tensor) -> torch.Tensor:
        if self.gens is None:
            self.gens = [torch.Generator(scores.device).manual_seed(s) for s in self.seeds]
        logits = scores.float() / self.temperature
        if self.top_p < 1.0:  # nucleus: the most likely tokens until their mass reaches top_p
            probs, order = logits.softmax(-1).sort(-1, descending=True)
            drop = (probs.cumsum(-1) - probs) >= self.top_p
            logits = logits.masked_fill(drop.scatter(-1, order, drop), float("-inf"))
        u = torch.stack(
            [torch.rand(logits.shape[-1], generator=g, device=logits.device) for g in self.gens]
        )
        return logits - torch.log(-torch.log(u.clamp_min(1e-20)))  # [N, V]


class SeededPolicy:
    """The model as `HFRollout` sees it, with a GumbelSampler for `seeds` (one per generated row)
    injected into `generate` while `seeds` is set; HFRollout then decodes greedily, which over
    noised logits is sampling."""

    def __init__(self, model, temperature: float, top_p: float):
        self.model, self.temperature, self.top_p = model, temperature, top_p
        self.seeds: list[int] | None = None

    def __getattr__(self, name: str):
        return getattr(self.model, name)

    def generate(self, **kwargs):
        if self.seeds is not None:
            kwargs["logits_processor"] = LogitsProcessorList(
                [GumbelSampler(self.seeds, self.temperature, self.top_p)]
            )
        return self.model.generate(**kwargs)


def run_settings(cfg: DictConfig, ecfg: EvalConfig, scfg: SamplingConfig) -> dict:
    """Everything that changes a sample or its grade, as plain JSON data: a resumed run must match
    it. `limit`, `batch_size` and the thread count change neither (samples are seeded one by
    one)."""
    policy = {
        k: v
        for k, v in OmegaConf.to_container(cfg.policy).items()
        if k not in ("threads", "micro_batch", "packing", "logit_chunk_tokens")
    }  # update-only settings
    return json.loads(json.dumps({
        "policy": policy, "sampling": asdict(scfg), "template": cfg.task.template,
        **({"chat": OmegaConf.to_container(cfg.task.chat)} if cfg.task.get("chat") else {}),
        "rewards": OmegaConf.to_container(cfg.task.rewards, resolve=True),
        "problems": OmegaConf.to_container(cfg.problems, resolve=True),
        **{k: v for k, v in asdict(ecfg).items() if k not in ("limit", "batch_size", "resume")}}))


def sample_and_grade(todo, rollout, policy: SeededPolicy, rewards, eval_only,
                     template: PromptTemplate, ecfg: EvalConfig):
    """Yields the results.jsonl rows of `todo`, one generate call of batch_size * k rows at a
    time."""
    k = ecfg.k
    for b in range(0, len(todo), ecfg.batch_size):
        t0, chunk = time.perf_counter(), todo[b: b + ecfg.batch_size]
        prompts = [template(p) for p in chunk]
        policy.seeds = [sample_seed(ecfg.seed, p.id, j) for p in chunk for j in range(k)]
        batch = rollout.generate(
            prompts, k, greedy=True
        )  # greedy over Gumbel-noised logits = sampling
        scores = score(rewards, batch.texts, [p for p in chunk for _ in range(k)])
        rows = grade_rows(chunk, batch.texts, batch.finish_reasons, scores, k, ecfg)
        if ecfg.greedy:
            policy.seeds = None
            g = rollout.generate(prompts, 1, greedy=True)
            gs = score(eval_only, g.texts, chunk)
            graded = zip(rows, g.texts, gs.per_reward[ecfg.reward], gs.valid.tolist())
            for row, text, v, ok in graded:
                row["greedy"] = {"passed": v == 1.0 and ok, "completion": text}
        for row in rows:
            row["time_s"] = (time.perf_counter() - t0) / len(chunk)
        yield rows


register()  # before @hydra.main composes: the group files extend these schemas


@hydra.main(config_path="../conf", config_name="evaluate", version_base=None)
def main(cfg: DictConfig) -> None:
    if "task" not in cfg:
        sys.exit(
            "no task selected: run `python rl/evaluate.py +task=math` "
            "(tasks are the files in conf/task/)"
        )
    start = time.perf_counter()
    ecfg = EvalConfig(**{f.name: cfg[f.name] for f in fields(EvalConfig)})
    pcfg, scfg = build(PolicyConfig, cfg.policy), build(SamplingConfig, cfg.sampling)
    if ecfg.reward not in cfg.task.rewards:
        raise ValueError(
            f"reward={ecfg.reward!r} is not allowed; "
            f"use one of task.rewards {sorted(cfg.task.rewards)}"
        )
    problems = list(instantiate(cfg.problems))[: ecfg.limit]
    repeated = [i for i, n in Counter(p.id for p in problems).items() if n > 1]
    if repeated:
        raise ValueError(
            f"problems: ids must be unique (results are keyed by id); repeated: {repeated[:5]}"
        )
    spec = {
        name: {"weight": r.weight, "verifier": instantiate(r.verifier)}
        for name, r in cfg.task.rewards.items()
    }
    rewards, eval_only = build_rewards(spec), build_rewards(spec, ecfg.reward)
    run_dir = Path(HydraConfig.get().runtime.output_dir)
    results = run_dir / "results.jsonl"
    done = load_done(results, run_settings(cfg, ecfg, scfg), ecfg.resume)
    todo = [p for p in problems if p.id not in done]
    resumed = len(problems) - len(todo)
    bar = tqdm(
        total=len(problems),
        initial=resumed,
        desc="eval",
        unit="problem",
        file=sys.stderr,
        dynamic_ncols=True,
    )
    try:
        if todo:
            model, tok = load_policy(pcfg, trainable=False)
            policy = SeededPolicy(model, scfg.temperature, scfg.top_p)
            rollout = HFRollout(policy, tok, scfg)
            with results.open("a") as out:
                template = task_prompt(cfg.task, tok)
                batches = sample_and_grade(todo, rollout, policy, rewards, eval_only, template,
                                           ecfg)
                for rows in batches:
                    out.writelines(json.dumps(row) + "\n" for row in rows)
                    out.flush()  # a killed run loses at most the batch in flight
                    done.update((row["id"], row) for row in rows)
                    bar.update(len(rows))
                    bar.set_postfix_str(f"pass@1 {aggregate(list(done.values()), 1)['pass@1']:.3f}")
    except KeyboardInterrupt:
        bar.close()
        sys.exit(
            f"interrupted: {len(done)} problems saved in {results}; "
            f"rerun with hydra.run.dir={run_dir} to continue"
        )
    bar.close()
    rows = [done[p.id] for p in problems]
    summary = summarize(rows, ecfg.k)
    wall_s = time.perf_counter() - start
    report = {
        "model": pcfg.path,
        "settings": run_settings(cfg, ecfg, scfg),
        "limit": ecfg.limit,
        "batch_size": ecfg.batch_size,
        **summary,
        "resumed_problems": resumed,
        "wall_s": wall_s,
        "sample_s": sum(r["time_s"] for r in rows),
    }
    (run_dir / "eval.json").write_text(json.dumps(report, indent=1))
    header = (
        f"model {pcfg.path}, k={ecfg.k}, temperature {scfg.temperature}, {len(problems)} problems "
        f"({resumed} resumed), {wall_s:.1f} s"
    )
    table = header + "\n" + format_table(summary, ecfg.k)
    (run_dir / "table.txt").write_text(table + "\n")
    print(f"{table}\nwrote {run_dir / 'eval.json'}, {run_dir / 'table.txt'} and {results}")


if __name__ == "__main__":
    main()
