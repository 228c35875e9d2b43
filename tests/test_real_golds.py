"""Real benchmark golds we ship (bench/data/golds/: 300 rows each of MATH-500 and GSM8K test in
their upstream schema, plus golds written for the check): every gold grades correct against
itself and against common rewrites of itself, and no perturbation of it earns reward. The same
check as `bench/real_golds.py`, as a pass/fail test on the shipped files."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from verifiers import benchmarks
from verifiers.base import Problem
from verifiers.math.verifier import MathAnswerVerifier

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("real_golds", ROOT / "bench" / "real_golds.py")
assert _spec is not None and _spec.loader is not None
real_golds = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(real_golds)

FILES = sorted((ROOT / "bench" / "data" / "golds").glob("*.jsonl"))


def test_real_samples_are_shipped() -> None:
    names = {p.name for p in FILES}
    assert {"math_prm800k_test_sample.jsonl", "gsm8k_test_sample.jsonl"} <= names


@pytest.mark.parametrize("mode", ["strict", "lenient"])
@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_golds_self_check_rewrites_and_perturbations(path: Path, mode: str) -> None:
    verifier = MathAnswerVerifier(mode=mode)
    loaded = benchmarks.load(str(path), path.stem.split("_")[0], check_golds=False)
    assert not loaded.rejects, loaded.rejects[:3]
    golds = list(dict.fromkeys(p.answer for p in loaded.problems if p.answer))
    assert len(golds) >= 40
    failures = []
    for k, gold in enumerate(golds):
        problem = Problem(f"g{k}", "", gold)
        for name, completion in real_golds.rewrites(gold, mode):
            verdict = verifier(completion=completion, problem=problem)
            if verdict.score != 1.0:
                failures.append(("rewrite rejected", name, gold, verdict.reason))
        for name, completion in real_golds.perturbations(gold):
            verdict = verifier(completion=completion, problem=problem)
            if verdict.score != 0.0:
                failures.append(("PERTURBATION ACCEPTED", name, gold, verdict.detail))
    assert not failures, failures[:10]
