"""Forwards each metrics row of a run to optional experiment trackers (Weights & Biases, MLflow)
under exactly the names metrics.jsonl uses (the glossary in rl/metrics.py), chosen by the
`logger` config group; it computes, renames and filters no metric, and holds no JSONL or
TensorBoard output (rl/metrics.py does)."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

SINKS = ("wandb", "mlflow")
WANDB_MODES = ("online", "offline", "disabled")


@dataclass(frozen=True)
class LoggerConfig:
    sinks: tuple[str, ...] = ()
    project: str = "verity"
    run_name: str | None = None
    wandb_mode: str | None = None
    wandb_entity: str | None = None
    mlflow_tracking_uri: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "sinks", tuple(self.sinks))
        unknown = [s for s in self.sinks if s not in SINKS]
        if unknown:
            raise ValueError(f"logger.sinks has {unknown}; allowed: {list(SINKS)} "
                             "(or [] for metrics.jsonl only)")
        if self.wandb_mode not in (None, *WANDB_MODES):
            raise ValueError(f"logger.wandb_mode={self.wandb_mode!r} is not allowed; "
                             "use null (WANDB_MODE decides) "
                             f"or one of {WANDB_MODES}")


def _need(module: str, extra: str, sink: str):
    try:
        return __import__(module)
    except ImportError as exc:
        raise ImportError(f"logger.sinks=[{sink}] needs the {module} package ({exc}); run "
                          f"`pip install -e '.[{extra}]'` or choose logger=none") from None


class WandbTracker:
    """One W&B run per training process, its files under <run dir>/wandb."""

    def __init__(self, cfg: LoggerConfig, run_dir: Path, config: dict):
        wandb = _need("wandb", "wandb", "wandb")
        self.run = wandb.init(project=cfg.project, entity=cfg.wandb_entity,
                              name=cfg.run_name or run_dir.name, dir=str(run_dir),
                              config=config, mode=cfg.wandb_mode)

    def log(self, step: int, row: dict) -> None:
        self.run.log(dict(row), step=step)

    def close(self) -> None:
        self.run.finish()


class MlflowTracker:
    """One MLflow run in experiment `project`; the tracking URI is logger.mlflow_tracking_uri, else
    MLFLOW_TRACKING_URI, else a local file store in <run dir>/mlruns. Scalar config leaves
    become params."""

    def __init__(self, cfg: LoggerConfig, run_dir: Path, config: dict):
        _need("mlflow", "mlflow", "mlflow")
        from mlflow.entities import Param
        from mlflow.tracking import MlflowClient

        self.uri = cfg.mlflow_tracking_uri or os.environ.get("MLFLOW_TRACKING_URI")
        # MLflow >= 3.x refuses file stores unless allowed; this default needs no database
        if not self.uri:
            self.uri = (run_dir / "mlruns").resolve().as_uri()
            os.environ.setdefault("MLFLOW_ALLOW_FILE_STORE", "true")
        self.client = MlflowClient(tracking_uri=self.uri)
        exp = self.client.get_experiment_by_name(cfg.project)
        exp_id = exp.experiment_id if exp else self.client.create_experiment(cfg.project)
        run = self.client.create_run(exp_id, run_name=cfg.run_name or run_dir.name)
        self.run_id = run.info.run_id
        params = [Param(k, str(v)[:6000]) for k, v in _leaves(config)]
        for i in range(0, len(params), 100):  # MLflow takes at most 100 params per batch
            self.client.log_batch(self.run_id, params=params[i:i + 100])

    def log(self, step: int, row: dict) -> None:
        from mlflow.entities import Metric

        now = int(time.time() * 1000)
        metrics = [Metric(k, float(v), now, step) for k, v in row.items()]
        self.client.log_batch(self.run_id, metrics=metrics)

    def close(self) -> None:
        self.client.set_terminated(self.run_id)


def _leaves(tree: dict, prefix: str = ""):
    for k, v in tree.items():
        if isinstance(v, dict):
            yield from _leaves(v, f"{prefix}{k}.")
        else:
            yield f"{prefix}{k}", v


def open_trackers(cfg: LoggerConfig, run_dir: str | Path, config: dict) -> list:
    """The configured trackers, each with log(step, row) and close(); [] for logger=none."""
    kinds = {"wandb": WandbTracker, "mlflow": MlflowTracker}
    return [kinds[s](cfg, Path(run_dir), config) for s in cfg.sinks]
