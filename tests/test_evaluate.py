"""rl/passk.py and rl/evaluate.py: the unbiased pass@k estimator against brute force, answer
votes, per-source aggregation, resume bookkeeping, batch-independent seeded sampling on the real
tiny model, and real runs of `python rl/evaluate.py +task=math` (metrics table, eval.json,
resume = uninterrupted)."""

import itertools
import json
import subprocess
import sys
from fractions import Fraction
from math import comb
from pathlib import Path

import pytest

torch = pytest.importorskip("torch", reason="the rl extra (torch) is not installed")

from rl.evaluate import GumbelSampler, SeededPolicy, load_done  # noqa: E402 - after the torch skip
from rl.passk import (  # noqa: E402 - after the torch skip
    aggregate,
    format_table,
    majority_vote,
    pass_at_k,
    summarize,
    vote_key,
)
from rl.policy import PolicyConfig, load_policy  # noqa: E402 - after the torch skip
from rl.rollout import HFRollout, SamplingConfig  # noqa: E402 - after the torch skip

ROOT = Path(__file__).resolve().parent.parent


# --- pass@k -----------------------------------------------------------------------------------

def brute_pass_at_k(n: int, c: int, k: int) -> Fraction:
    """Share of all k-subsets of n samples (the first c correct) that contain a correct one."""
    subsets = list(itertools.combinations(range(n), k))
    return Fraction(sum(any(i < c for i in s) for s in subsets), len(subsets))


@pytest.mark.parametrize("n", range(1, 8))
def test_pass_at_k_equals_brute_force(n):
    for c in range(n + 1):
        for k in range(1, n + 1):
            assert pass_at_k(n, c, k) == pytest.approx(
                float(brute_pass_at_k(n, c, k)), abs=1e-12
            ), (n, c, k)


@pytest.mark.parametrize(
    "n,c,k", [(200, 1, 100), (200, 7, 10), (1000, 3, 500), (64, 63, 2), (500, 250, 1)]
)
def test_pass_at_k_large_n_matches_exact_binomials(n, c, k):
    exact = 1 - Fraction(comb(n - c, k), comb(n, k))
    assert pass_at_k(n, c, k) == pytest.approx(float(exact), rel=1e-9)


@pytest.mark.parametrize("n,c,k,expected", [
    pytest.param(8, 0, 8, 0.0, id="no-correct-is-0"),
    pytest.param(8, 8, 1, 1.0, id="all-correct-is-1"),
    pytest.param(8, 1, 8, 1.0, id="k-equals-n-any-correct-is-1"),
    pytest.param(8, 3, 1, 3 / 8, id="k1-is-the-share"),
    pytest.param(4, 2, 2, 1 - 1 / 6, id="4-choose-2"),
    pytest.param(5, 2, 4, 1.0, id="fewer-wrong-than-k"),
])
def test_pass_at_k_known_values(n, c, k, expected):
    assert pass_at_k(n, c, k) == pytest.approx(expected)


@pytest.mark.parametrize("n,c,k", [(4, 5, 1), (4, -1, 1), (4, 2, 0), (4, 2, 5)])
def test_pass_at_k_rejects_impossible_arguments(n, c, k):
    with pytest.raises(ValueError, match="pass_at_k"):
        pass_at_k(n, c, k)


# --- votes ------------------------------------------------------------------------------------

@pytest.mark.parametrize("completion,key", [
    pytest.param("<think>x</think> <answer>12</answer>", "12", id="answer-tag"),
    pytest.param("<think>x</think> <answer> 12.0 </answer>", "12", id="decimal-equals-integer"),
    pytest.param("<think>x</think> <answer>\\boxed{\\frac{1}{2}}</answer>", "1/2",
                 id="frac-by-value"),
    pytest.param("<think>x</think> <answer>0.50</answer>", "1/2", id="decimal-fraction-by-value"),
    pytest.param("<think>x</think> <answer>-\\dfrac{3}{6}</answer>", "-1/2", id="negative-dfrac"),
    pytest.param("<think>x</think> <answer>1,000</answer>", "1000", id="thousands-separator"),
    pytest.param("<think>x</think> <answer>x + 1</answer>", "x+1", id="spaces-removed"),
    pytest.param("<think>x</think> <answer>\\frac{1}{0}</answer>", "\\frac{1}{0}",
                 id="zero-denominator-kept"),
    pytest.param("<think>the answer is 12", None, id="no-answer-abstains"),
    pytest.param("The answer is 12.", None, id="strict-ignores-final-statement"),
])
def test_vote_key(completion, key):
    assert vote_key(completion, "strict") == key


def test_vote_key_lenient_reads_final_statements():
    assert vote_key("The answer is 12.", "lenient") == "12"


@pytest.mark.parametrize("keys,passed,expected", [
    pytest.param(["5", "5", "6"], [True, True, False], 1.0, id="correct-majority"),
    pytest.param(["5", "6", "6"], [True, False, False], 0.0, id="wrong-majority"),
    pytest.param(["5", "6"], [True, False], 0.5, id="tie-scores-share-of-correct-groups"),
    pytest.param(["5", "6", "7", "7"], [True, False, False, False], 0.0,
                 id="plurality-not-absolute"),
    pytest.param([None, None, "5"], [False, False, True], 1.0, id="abstentions-do-not-vote"),
    pytest.param([None, None], [False, False], 0.0, id="nobody-answers"),
    pytest.param(["5", "5"], [False, True], 1.0, id="group-correct-if-any-member-passed"),
])
def test_majority_vote(keys, passed, expected):
    assert majority_vote(keys, passed) == expected


# --- aggregation ------------------------------------------------------------------------------

def row(source, passed, maj=None, reasons=None, masked=None):
    return {
        "id": f"{source}{len(passed)}{sum(passed)}{maj}",
        "source": source,
        "passed": passed,
        "maj": maj,
        "masked": masked or [False] * len(passed),
        "finish": ["stop"] * len(passed),
        "reasons": {"correct": reasons or ["correct" if p else "wrong_answer" for p in passed]},
    }


def test_aggregate_and_per_source():
    rows = [
        row("a", [True, False, False, False], maj=0.0),
        row("a", [True, True, True, True], maj=1.0),
        row("b", [False, False, False, False], masked=[True, False, False, False]),
        row("b", [False, True, False, False]),
    ]
    s = summarize(rows, 4)
    a, b, overall = s["per_source"]["a"], s["per_source"]["b"], s["overall"]
    assert (
        a["pass@1"] == pytest.approx((0.25 + 1.0) / 2) and a["pass@4"] == 1.0 and a["maj@4"] == 0.5
    )
    assert b["pass@1"] == pytest.approx(0.125) and b["pass@4"] == 0.5 and b["maj@4"] is None
    assert b["masked"] == 1 and overall["masked"] == 1
    assert overall["problems"] == 4 and overall["samples"] == 16
    assert overall["pass@1"] == pytest.approx((0.25 + 1 + 0 + 0.25) / 4)
    assert overall["maj@4"] == 0.5  # only the problems that voted
    assert overall["reasons"]["correct"] == {"wrong_answer": 10, "correct": 6}
    table = format_table(s, 4)
    assert table.splitlines()[0].split() == [
        "source",
        "problems",
        "samples",
        "pass@1",
        "pass@4",
        "maj@4",
        "masked",
    ]
    assert [line.split()[0] for line in table.splitlines()[1:4]] == ["a", "b", "all"]


def test_aggregate_k1_has_one_pass_column():
    assert [k for k in aggregate([row("a", [True])], 1) if k.startswith("pass@")] == ["pass@1"]


def test_load_done_resumes_drops_torn_line_and_checks_settings(tmp_path):
    results = tmp_path / "results.jsonl"
    settings = {"k": 2, "sampling": {"temperature": 1.0}}
    assert load_done(results, settings, resume=True) == {}
    good = json.dumps({"id": "a", "passed": [True]}) + "\n"
    results.write_text(good + '{"id": "b", "pas')  # killed mid-write
    assert list(load_done(results, settings, resume=True)) == ["a"]
    assert results.read_text() == good  # the next append starts on a fresh line
    with pytest.raises(ValueError, match=r"k=3 but the run was started with 2"):
        load_done(results, {**settings, "k": 3}, resume=True)
    with pytest.raises(
        ValueError, match=r"sampling.temperature=0.5 but the run was started with 1.0"
    ):
        load_done(results, {"k": 2, "sampling": {"temperature": 0.5}}, resume=True)
    assert load_done(results, {"k": 3}, resume=False) == {} and results.read_text() == ""


# --- seeded sampling --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def rollout():
    model, tok = load_policy(PolicyConfig(threads=1), trainable=False)
    policy = SeededPolicy(model, temperature=1.0, top_p=1.0)
    return policy, HFRollout(policy, tok, SamplingConfig(max_new_tokens=16))


PROMPTS = [
    "User: What is 12+34?\nAssistant: ",
    "User: What is 5*3?\nAssistant: ",
    "User: What is 99-98?\nAssistant: ",
]


def test_a_sample_does_not_depend_on_its_batch(rollout):
    policy, r = rollout
    policy.seeds = [11, 12, 21, 22, 31, 32]
    together = r.generate(PROMPTS, 2, greedy=True).texts
    policy.seeds = [21, 22]
    alone = r.generate(PROMPTS[1:2], 2, greedy=True).texts
    policy.seeds = [21, 99]
    other = r.generate(PROMPTS[1:2], 2, greedy=True).texts
    assert alone == together[2:4] and other[0] == alone[0]
    assert len(set(together)) > 1  # it samples: not every row decoded to one text


def test_tiny_top_p_is_greedy(rollout):
    policy, r = rollout
    policy.seeds = None
    greedy = r.generate(PROMPTS, 1, greedy=True).texts
    policy.top_p = 1e-9
    policy.seeds = [1, 2, 3]
    try:
        assert r.generate(PROMPTS, 1, greedy=True).texts == greedy
    finally:
        policy.top_p = 1.0


def test_gumbel_sampler_matches_softmax_frequencies():
    logits = torch.tensor([[0.0, 1.0, 2.0]])
    draws = [int(GumbelSampler([s], 1.0, 1.0)(None, logits).argmax()) for s in range(4000)]
    freq = torch.bincount(torch.tensor(draws), minlength=3).float() / len(draws)
    assert torch.allclose(freq, logits.softmax(-1)[0], atol=0.03)


# --- the real entry point ---------------------------------------------------------------------

# A few problems, two samples, short completions: seconds on a shared 2-core CPU.
TINY = ["+task=math", "k=2", "sampling.max_new_tokens=24", "policy.threads=1"]


def evaluate(run_dir: Path, *overrides: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "rl/evaluate.py", *TINY, f"hydra.run.dir={run_dir}", *overrides],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_missing_task_names_the_fix():
    out = subprocess.run(
        [sys.executable, "rl/evaluate.py"], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert out.returncode != 0
    assert out.stderr.strip().splitlines()[-1].count("+task=math") == 1


def test_run_writes_table_and_eval_json_and_resume_equals_uninterrupted(tmp_path):
    full = evaluate(tmp_path / "full", "limit=5", "batch_size=2")
    assert full.returncode == 0, full.stderr[-2000:]
    assert "pass@1" in full.stdout and "maj@2" in full.stdout and "arithmetic" in full.stdout
    assert "eval:" in full.stderr  # the progress bar
    report = json.loads((tmp_path / "full" / "eval.json").read_text())
    assert {"model", "settings", "overall", "per_source", "wall_s", "resumed_problems"} <= set(
        report
    )
    assert {
        "problems",
        "samples",
        "pass@1",
        "pass@2",
        "maj@2",
        "masked",
        "reasons",
        "finish",
    } <= set(report["overall"])
    assert report["overall"]["problems"] == 5 and report["overall"]["samples"] == 10
    assert set(report["overall"]["reasons"]) == {"correct", "format"}

    # the run "interrupted" after 2 problems
    part = evaluate(tmp_path / "part", "limit=2", "batch_size=3")
    assert part.returncode == 0, part.stderr[-2000:]
    resumed = evaluate(tmp_path / "part", "limit=5", "batch_size=3")
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    again = json.loads((tmp_path / "part" / "eval.json").read_text())
    assert again["resumed_problems"] == 2
    for key in ("overall", "per_source", "settings"):
        assert again[key] == report[key], key

    def rows(name):
        out = [
            json.loads(line)
            for line in (tmp_path / name / "results.jsonl").read_text().splitlines()
        ]
        return {r["id"]: {k: v for k, v in r.items() if k != "time_s"} for r in out}
    assert rows("part") == rows("full")

    changed = evaluate(tmp_path / "part", "limit=5", "seed=1")
    assert changed.returncode != 0 and "seed=1 but the run was started with 0" in changed.stderr
