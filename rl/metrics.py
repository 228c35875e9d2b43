"""The one logging sink of a run: a console line per step, metrics.jsonl, samples.jsonl, optional
TensorBoard scalars (`tensorboard=true`: event files in the run directory's tb/), the rows passed on
to experiment trackers (rl/trackers.py: `logger=wandb`, `logger=mlflow`), and an end-of-run
PNG plot (also on demand: `python rl/metrics.py metrics.jsonl out.png`); it computes no metric
itself.

Glossary (prefix = pipeline stage, in data-flow order):
  rollout/len_mean          mean completion length in tokens
  rollout/truncated_frac    share of completions that hit max_new_tokens
  rollout/drawn_prompts     prompts sampled this step (> B when DAPO dynamic sampling refilled)
  reward/<name>             mean score of one configured reward; reward/total the weighted sum
  verdict/<name>/<reason>   share of completions whose verdict from reward <name> had that reason
  adv/zero_std_group_frac   share of groups whose valid rewards are all equal (advantage 0), in
                            the step's first draw of B prompts
  adv/masked_frac           share of completions masked for infra errors
  loss/policy, loss/kl      objective value; mean k3 KL to the reference per completion token
  loss/clip_frac            share of completion tokens whose ratio was clipped
  loss/entropy              mean per-token entropy of the policy on its own samples
  optim/lr, optim/grad_norm learning rate; gradient norm before clipping
  time/rollout_s, time/verify_s, time/update_s   wall time of each stage
  time/step_s               wall time of the whole step, evaluation and checkpoints excluded
  eval/accuracy             greedy accuracy on the held-out split (evaluation rows only)
Under torchrun (rl/distributed.py) every value is over all ranks' completions, tokens and groups,
time/ is the slowest rank's, and rank 0 alone writes.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

PLOTTED = ("reward/total", "eval/accuracy", "loss/kl", "rollout/len_mean")


class MetricsSink:
    def __init__(self, run_dir: str | Path, total_steps: int, append: bool = False,
                 tensorboard: bool = False, write: bool = True, trackers: list | None = None):
        self.write = write  # False on ranks > 0 of a torchrun job: rank 0 alone writes and prints
        self.trackers = trackers or []  # objects with log(step, row) and close() (rl/trackers.py)
        if not write:
            return
        self.dir = Path(run_dir)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.total = total_steps
        mode = "a" if append else "w"
        self.metrics = (self.dir / "metrics.jsonl").open(mode)
        self.samples = (self.dir / "samples.jsonl").open(mode)
        self.tb = None
        if tensorboard:
            try:
                from torch.utils.tensorboard import SummaryWriter
            except ImportError as exc:
                raise ImportError(
                    f"tensorboard=true needs the tensorboard package ({exc}); "
                    "run `pip install tensorboard` or set tensorboard=false"
                ) from None
            self.tb = SummaryWriter(str(self.dir / "tb"))

    def log(self, step: int, row: dict) -> None:
        if not self.write:
            return
        for tracker in self.trackers:
            tracker.log(step, row)
        self.metrics.write(json.dumps({"step": step, **row}) + "\n")
        self.metrics.flush()
        for key, value in row.items() if self.tb else ():
            self.tb.add_scalar(key, value, step)
        done = int(20 * step / max(self.total, 1))
        keys = (
            ("eval/accuracy",)
            if "eval/accuracy" in row
            else (
                "reward/total",
                "adv/zero_std_group_frac",
                "loss/kl",
                "rollout/len_mean",
                "time/rollout_s",
                "time/update_s",
            )
        )
        shown = " ".join(f"{k.split('/', 1)[1]}={row[k]:.3g}" for k in keys if k in row)
        print(f"[{'#' * done}{'.' * (20 - done)}] {step}/{self.total} {shown}", flush=True)

    def log_samples(self, step: int, rows: list[dict]) -> None:
        if not self.write:
            return
        for r in rows:
            self.samples.write(json.dumps({"step": step, **r}) + "\n")
        self.samples.flush()

    def close(self) -> Path | None:
        if not self.write:
            return None
        for tracker in self.trackers:
            tracker.close()
        self.metrics.close()
        self.samples.close()
        if self.tb:
            self.tb.close()
        return plot(self.dir / "metrics.jsonl", self.dir / "curves.png")


def plot(metrics_path: str | Path, out: str | Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")  # no display on training machines
    import matplotlib.pyplot as plt

    rows = [json.loads(x) for x in Path(metrics_path).read_text().splitlines() if x.strip()]
    fig, axes = plt.subplots(1, len(PLOTTED), figsize=(4 * len(PLOTTED), 3))
    for ax, key in zip(axes, PLOTTED):
        pts = [(r["step"], r[key]) for r in rows if key in r]
        if pts:
            ax.plot(*zip(*pts), marker="o" if key.startswith("eval/") else None, markersize=3)
        ax.set_title(key)
        ax.set_xlabel("step")
    fig.tight_layout()
    fig.savefig(out, dpi=100)
    plt.close(fig)
    return Path(out)


if __name__ == "__main__":
    print(plot(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "curves.png"))
