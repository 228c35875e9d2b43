"""Experiment trackers receive exactly the rows of metrics.jsonl: a W&B offline run's history read
back from its .wandb file and an MLflow local file store's metric histories, each against the
JSONL; plus the logger config's errors. Each tracker's tests skip when its package is absent."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from rl.metrics import MetricsSink
from rl.trackers import LoggerConfig, open_trackers

ROOT = Path(__file__).resolve().parent.parent
ROWS = [
    (0, {"eval/accuracy": 0.25}),
    (
        1,
        {
            "reward/total": 0.5,
            "loss/kl": 0.0,
            "verdict/correct/no_answer": 0.75,
            "time/step_s": 1.5,
        },
    ),
    (
        2,
        {
            "reward/total": 0.625,
            "loss/kl": 0.01,
            "verdict/correct/no_answer": 0.5,
            "eval/accuracy": 0.5,
        },
    ),
]


@pytest.mark.parametrize(
    "kwargs, message",
    [
        pytest.param(
            {"sinks": ["tensorboard"]}, "logger.sinks has \\['tensorboard'\\]", id="unknown-sink"
        ),
        pytest.param(
            {"sinks": ["wandb"], "wandb_mode": "shared"},
            "logger.wandb_mode='shared'",
            id="bad-wandb-mode",
        ),
    ],
)
def test_bad_logger_settings_name_the_key(kwargs, message):
    with pytest.raises(ValueError, match=message):
        LoggerConfig(**kwargs)


def wandb_history(run_dir: Path) -> list[dict]:
    """{"step": n, metric: value} per history record of the one offline run under run_dir/wandb: the
    .wandb file is a LevelDB-style log (32 KiB blocks, 7-byte record headers) of protobuf Records
    after a 7-byte W&B header."""
    from wandb.proto import wandb_internal_pb2 as pb

    (path,) = run_dir.glob("wandb/offline-run-*/run-*.wandb")
    data, pos, buf, rows = path.read_bytes(), 7, b"", []
    assert data[:4] == b":W&B"
    while pos + 7 <= len(data):
        left = 32768 - pos % 32768
        if left < 7:  # block trailer padding
            pos += left
            continue
        length, kind = int.from_bytes(data[pos + 4 : pos + 6], "little"), data[pos + 6]
        if kind == 0:  # zero padding up to the block end
            pos += left
            continue
        buf, pos = buf + data[pos + 7 : pos + 7 + length], pos + 7 + length
        if kind in (1, 4):  # FULL or LAST fragment: one Record is complete
            record = pb.Record()
            record.ParseFromString(buf)
            buf = b""
            if record.HasField("history"):
                items = {
                    ("/".join(i.nested_key) or i.key): json.loads(i.value_json)
                    for i in record.history.item
                }
                rows.append(
                    {
                        "step": items.pop("_step"),
                        **{k: v for k, v in items.items() if not k.startswith("_")},
                    }
                )
    return rows


def mlflow_history(run_dir: Path) -> list[dict]:
    from mlflow.tracking import MlflowClient

    client = MlflowClient(tracking_uri=(run_dir / "mlruns").resolve().as_uri())
    (run,) = client.search_runs([client.get_experiment_by_name("verity").experiment_id])
    by_step: dict[int, dict] = {}
    for key in run.data.metrics:
        for m in client.get_metric_history(run.info.run_id, key):
            by_step.setdefault(m.step, {"step": m.step})[key] = m.value
    return [by_step[s] for s in sorted(by_step)]


READERS = {"wandb": wandb_history, "mlflow": mlflow_history}


def skip_without(sink: str) -> None:
    pytest.importorskip(
        sink,
        reason=f"the {sink} extra is not installed (pip install -e '.[{sink}]'): "
        f"logger={sink} cannot be exercised",
    )


@pytest.mark.parametrize("sink", ["wandb", "mlflow"])
def test_tracker_gets_the_jsonl_rows(sink, tmp_path, monkeypatch):
    skip_without(sink)
    monkeypatch.setenv("WANDB_MODE", "offline")
    monkeypatch.setenv("WANDB_SILENT", "true")
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    monkeypatch.setenv(
        "MLFLOW_ALLOW_FILE_STORE", "true"
    )  # what the tracker sets for its default store, undone after
    trackers = open_trackers(
        LoggerConfig(sinks=[sink]), tmp_path, {"seed": 0, "policy": {"lora": {"r": 8}}}
    )
    sink_ = MetricsSink(tmp_path, 2, trackers=trackers)
    for step, row in ROWS:
        sink_.log(step, row)
    sink_.close()
    jsonl = [json.loads(x) for x in (tmp_path / "metrics.jsonl").read_text().splitlines()]
    assert READERS[sink](tmp_path) == jsonl


def test_other_ranks_open_nothing_and_write_nothing(tmp_path):
    sink = MetricsSink(tmp_path / "rank1", 2, write=False, trackers=[])
    sink.log(1, {"reward/total": 1.0})
    assert sink.close() is None and not (tmp_path / "rank1").exists()


@pytest.mark.slow
def test_training_run_logs_the_same_metrics_to_both(tmp_path, monkeypatch):
    monkeypatch.setenv(
        "MLFLOW_ALLOW_FILE_STORE", "true"
    )  # for this process's reader of the file store
    skip_without("wandb")
    skip_without("mlflow")
    run = subprocess.run(
        [
            sys.executable,
            "rl/train.py",
            "+task=math",
            "batch_prompts=2",
            "sampling.group_size=4",
            "sampling.max_new_tokens=24",
            "task.eval.n_per_op=2",
            "eval_every=2",
            "policy.threads=1",
            "steps=2",
            "logger=wandb",
            "logger.sinks=[wandb,mlflow]",
            f"hydra.run.dir={tmp_path}",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        env={**__import__("os").environ, "WANDB_MODE": "offline", "WANDB_SILENT": "true"},
    )
    assert run.returncode == 0, run.stderr[-2000:]
    jsonl = [json.loads(x) for x in (tmp_path / "metrics.jsonl").read_text().splitlines()]
    assert len(jsonl) == 3 and "verdict/correct/no_answer" in json.dumps(jsonl)
    assert wandb_history(tmp_path) == jsonl
    assert mlflow_history(tmp_path) == jsonl
