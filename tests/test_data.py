"""Procedural problems of rl/data.py: deterministic samples, disjoint held-out splits, and
Python-function problems whose reference solutions pass their own tests in the real sandbox
while wrong programs fail."""

from __future__ import annotations

import os

import pytest

from rl.data import (
    FUNCTION_CONSTANTS,
    FUNCTION_HELD_OUT,
    FUNCTION_KINDS,
    SPLITS,
    arithmetic_pool,
    arithmetic_sample,
    function_pool,
    function_problem,
    function_sample,
    function_split_of,
)
from sandboxes.base import Limits
from verifiers.code.verifier import CodeTestsVerifier

ALL = [p for split in SPLITS for p in function_pool(split)]
# one problem per (kind, constant): the names do not change what the program computes
PAIRS = [function_problem(kind, c) for kind in FUNCTION_KINDS for c in FUNCTION_CONSTANTS[kind]]


def run_tests(source: str, problem) -> bool:
    """Our own reference programs, trusted: exec them in-process (fast) against the asserts."""
    scope: dict = {}
    exec(source, scope)
    try:
        for test in problem.tests:
            exec(test, scope)
    except AssertionError:
        return False
    return True


def wrong_by_one(problem) -> str:
    return problem.meta["solution"].rstrip("\n") + "+1\n"


# ---------------------------------------------------------------------------------------------
# Determinism and splits
# ---------------------------------------------------------------------------------------------

def test_samples_are_deterministic_from_the_seed():
    assert function_sample("train", 5, seed=3) == function_sample("train", 5, seed=3)
    assert function_sample("train", 5, seed=3) != function_sample("train", 5, seed=4)
    assert function_pool("eval") == function_pool("eval")


def test_function_split_holds_out_whole_kind_constant_pairs():
    pairs = {split: {(p.meta["op"], p.meta["c"]) for p in function_pool(split)} for split in SPLITS}
    assert not pairs["train"] & pairs["eval"]
    assert len(pairs["train"]) + len(pairs["eval"]) == len(PAIRS)
    for kind in FUNCTION_KINDS:
        assert sum(k == kind for k, _ in pairs["eval"]) == FUNCTION_HELD_OUT
    # every constant and every kind still appears in training, only not together
    assert {c for _, c in pairs["eval"]} <= {c for _, c in pairs["train"]}


def test_split_is_a_property_of_the_problem():
    for p in ALL[::7]:
        assert function_split_of(p.meta["op"], p.meta["c"]) in SPLITS
    assert len({p.id for p in ALL}) == len(ALL)


def test_balanced_sample():
    sample = function_sample("eval", 3, seed=0)
    assert len(sample) == 3 * len(FUNCTION_KINDS)
    assert {p.meta["op"] for p in sample} == set(FUNCTION_KINDS)


def test_arithmetic_api_unchanged():
    assert len(arithmetic_sample("eval", 5, seed=0)) == 15
    assert {p.meta["op"] for p in arithmetic_pool("train", ["*"])} == {"*"}


@pytest.mark.parametrize("call, key", [
    (lambda: function_pool("test"), "split"),
    (lambda: function_pool("train", ["pow"]), "kinds"),
    (lambda: function_sample("train", 0, seed=0), "n_per_kind"),
    (lambda: function_problem("pow", 2), "kind"),
    (lambda: function_problem("div", 1), "c="),
    (lambda: function_problem("add", 21), "c="),
    (lambda: function_problem("add", 2, name="solve"), "name"),
], ids=["split", "kinds", "n_per_kind", "kind", "div-by-one", "constant", "name"])
def test_bad_arguments_raise_value_error_naming_the_key(call, key):
    with pytest.raises(ValueError, match=key):
        call()


# ---------------------------------------------------------------------------------------------
# Tests of the problems: references pass, wrong programs fail
# ---------------------------------------------------------------------------------------------

def test_every_reference_passes_and_every_off_by_one_fails():
    for p in ALL:
        assert run_tests(p.meta["solution"], p), p.id
        assert not run_tests(wrong_by_one(p), p), p.id


def test_tests_tell_every_kind_apart():
    """No other operation with the same constant passes a problem's tests: solving one takes the
    right word-to-operator mapping, not a lucky guess."""
    for p in PAIRS:
        for other in FUNCTION_KINDS:
            if other != p.meta["op"] and p.meta["c"] in FUNCTION_CONSTANTS[other]:
                assert not run_tests(function_problem(other, p.meta["c"]).meta["solution"], p), (
                    p.id, other)


@pytest.mark.skipif(not os.path.exists("/proc/self/ns/user"),
                    reason="LocalSandbox needs Linux namespaces")
def test_references_pass_the_sandboxed_verifier_and_wrong_programs_fail():
    from sandboxes.local import LocalSandbox

    with LocalSandbox(slots=2) as sandbox:
        # one request per program
        verifier = CodeTestsVerifier(sandbox, limits=Limits(cpu_s=1.0, wall_s=3.0))
        # every held-out pair (names rotating) and one training problem per kind; the in-process
        # test above covers every problem, this one the path RL grades through
        pool = function_pool("eval")  # 9 name variants per pair, in a row
        held_out = [p for i, p in enumerate(pool) if i % 9 == i // 9 % 9]
        for p in held_out + [function_pool("train", [kind])[-1] for kind in FUNCTION_KINDS]:
            good = verifier(completion=f"```python\n{p.meta['solution']}```", problem=p)
            assert (good.score, good.reason) == (1.0, "correct"), (p.id, good)
            bad = verifier(completion=f"```python\n{wrong_by_one(p)}```", problem=p)
            assert (bad.score, bad.reason) == (0.0, "failed_tests"), (p.id, bad)
