"""MBPP rows in their exact upstream schema (task_id, text, code, test_list, test_setup_code,
challenge_test_list), written here, whose reference solutions plain Python accepts and the old
function-test boundary scored 0 or rejected: dict subclasses returned, the candidate's own classes
or setup-code objects as arguments, type objects as arguments, a function named like a builtin, an
entry point next to a class in setup code, and challenge tests behind a flag. Each reference scores
1, each `pass` body 0. Real LocalSandbox processes."""

from __future__ import annotations

import os

import pytest

from sandboxes.base import Limits
from verifiers.benchmarks import to_problem
from verifiers.code.verifier import CodeTestsVerifier

pytestmark = pytest.mark.skipif(not os.path.exists("/proc/self/ns/user"),
                                reason="LocalSandbox needs Linux namespaces")


def row(task_id, text, code, tests, setup="", challenge=()):
    return {"task_id": task_id, "text": text, "code": code, "test_list": list(tests),
            "test_setup_code": setup, "challenge_test_list": list(challenge)}


NODE_SETUP = """class Node:
    def __init__(self, data):
        self.data = data
        self.left = None
        self.right = None
root = Node(1)
root.left = Node(2)
root.right = Node(3)
root.left.left = Node(4)
root.left.right = Node(5)
root.left.left.left = Node(8)
root1 = Node(1)
root1.left = Node(2)
root1.right = Node(3)"""

ROWS = [
    pytest.param(
        row(
            9001,
            "Write a function named sum that adds the numbers of a list.",
            "def sum(nums):\n    total = 0\n    for n in nums:\n        total += n\n"
            "    return total",
            ["assert sum([1, 2, 3]) == 6", "assert sum([]) == 0", "assert sum([-1, 1]) == 0"],
        ),
        "sum",
        id="function-named-like-a-builtin",
    ),
    pytest.param(
        row(
            9002,
            "Write a function to count the characters of a string.",
            "from collections import Counter\ndef char_freq(s):\n    return Counter(s)",
            [
                "assert char_freq('abca') == {'a': 2, 'b': 1, 'c': 1}",
                "assert char_freq('zz') == {'z': 2}",
            ],
        ),
        "char_freq",
        id="returns-counter",
    ),
    pytest.param(
        row(
            9003,
            "Write a function to group words by length.",
            "from collections import defaultdict\ndef group_by_len(words):\n"
            "    d = defaultdict(list)\n"
            "    for w in words:\n        d[len(w)].append(w)\n    return d",
            [
                "assert group_by_len(['a', 'bb', 'c']) == {1: ['a', 'c'], 2: ['bb']}",
                "assert group_by_len(['abc']) == {3: ['abc']}",
            ],
        ),
        "group_by_len",
        id="returns-defaultdict",
    ),
    pytest.param(
        row(
            9004,
            "Write a function to find the longest chain of pairs.",
            "class Pair(object):\n    def __init__(self, a, b):\n        self.a = a\n"
            "        self.b = b\n"
            "def max_chain_length(arr, n):\n    mcl = [1 for i in range(n)]\n"
            "    for i in range(1, n):\n"
            "        for j in range(0, i):\n            if arr[i].a > arr[j].b and mcl[i] < mcl[j] "
            "+ 1:\n"
            "                mcl[i] = mcl[j] + 1\n    return max(mcl)",
            [
                "assert max_chain_length([Pair(5, 24), Pair(15, 25),Pair(27, 40), Pair(50, 60)], "
                "4) == 3",
                "assert max_chain_length([Pair(1, 2), Pair(3, 4),Pair(5, 6), Pair(7, 8)], 4) == 4",
            ],
        ),
        "max_chain_length",
        id="candidate-class-in-arguments",
    ),
    pytest.param(
        row(
            9005,
            "Write a function to check if a binary tree is balanced or not.",
            NODE_SETUP.split("\nroot")[0]
            + "\ndef get_height(root):\n    if root is None:\n        return 0\n"
            "    return max(get_height(root.left), get_height(root.right)) + 1\n"
            "def is_tree_balanced(root):\n    if root is None:\n        return True\n"
            "    lh = get_height(root.left)\n    rh = get_height(root.right)\n"
            "    if (abs(lh - rh) <= 1) and is_tree_balanced(root.left) is True and "
            "is_tree_balanced(root.right) is True:\n        return True\n    return False",
            ["assert is_tree_balanced(root) == False", "assert is_tree_balanced(root1) == True"],
            setup=NODE_SETUP,
        ),
        "is_tree_balanced",
        id="setup-code-builds-a-tree",
    ),
    pytest.param(
        row(
            9006,
            "Write a function to convert every element with a given type.",
            "def convert_all(xs, t):\n    return [t(x) for x in xs]",
            [
                "assert convert_all(['1', '2'], int) == [1, 2]",
                "assert convert_all([1, 2], str) == ['1', '2']",
            ],
        ),
        "convert_all",
        id="type-object-argument",
    ),
]


@pytest.fixture(scope="module")
def verifier():
    from sandboxes.local import LocalSandbox

    with LocalSandbox(slots=2) as sb:
        yield CodeTestsVerifier(
            sandbox=sb, limits=Limits(cpu_s=2.0, wall_s=6.0, memory_mb=512, pids=16)
        )


@pytest.mark.parametrize(("mbpp", "entry"), ROWS)
def test_reference_scores_one_and_pass_body_zero(verifier, mbpp, entry):
    problem = to_problem(mbpp, "mbpp")
    assert problem.meta["entry_point"] == entry
    ref = verifier.evaluate_program(source=mbpp["code"], problem=problem)
    stub = verifier.evaluate_program(
        source=f"def {entry}(*args, **kwargs):\n    pass\n", problem=problem
    )
    assert (ref.verdict.score, ref.verdict.infra_error) == (1.0, False), ref
    assert (stub.verdict.score, stub.verdict.infra_error) == (0.0, False), stub


CHALLENGE = row(9007, "Write a function to return the larger of two numbers.",
                "def larger(a, b):\n    return a if a > b else b",
                ["assert larger(1, 2) == 2", "assert larger(5, 3) == 5"],
                challenge=["assert larger(-1, -2) == -1", "assert larger(7, 7) == 7"])


def test_challenge_tests_are_graded_only_behind_the_flag(verifier):
    problem = to_problem(CHALLENGE, "mbpp")
    assert len(problem.tests) == 2 and len(problem.meta["challenge_tests"]) == 2
    table = "def larger(a, b):\n    return {(1, 2): 2, (5, 3): 5}.get((a, b), 0)\n"
    with_flag = CodeTestsVerifier(
        sandbox=verifier._get_sandbox(), limits=verifier.limits, challenge_tests=True
    )
    assert verifier.evaluate_program(source=table, problem=problem).verdict.score == 1.0
    assert with_flag.evaluate_program(source=table, problem=problem).verdict.score == 0.5
    assert (
        with_flag.evaluate_program(source=CHALLENGE["code"], problem=problem).verdict.score == 1.0
    )


@pytest.mark.parametrize(
    ("tests", "entry"),
    [
        pytest.param([NODE_SETUP + "\nassert is_tree_balanced(root) == False"], "is_tree_balanced",
                     id="setup-class"),
        pytest.param(["assert max_len([Pair(1, 2)], 1) == 1"], "max_len", id="outer-call-first"),
    ],
)
def test_entry_point_guess_skips_names_the_test_binds(tests, entry):
    from verifiers.code.cases import parse_tests

    assert parse_tests(tests, "function", None)[2] == entry
