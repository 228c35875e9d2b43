"""The function-test boundary: the candidate runs in its own process, the dataset-trusted test in
another, and only strict plain data crosses. Every row of the code hacking suite (lookup tables
read from frames, gc, memory, the parent's /proc entries; forged verdicts; signals; patched
builtins; lying return values) scores exactly 0, every honest row 1, and tests that cannot cross
the boundary are masked with a reason code. Real LocalSandbox processes, no mocks."""

from __future__ import annotations

import os

import pytest

from sandboxes.base import Limits
from verifiers.base import Problem
from verifiers.code.verifier import UNGRADABLE, CodeTestsVerifier
from verifiers.testing.suites.hacking import CODE_CASES

pytestmark = pytest.mark.skipif(not os.path.exists("/proc/self/ns/user"),
                                reason="LocalSandbox needs Linux namespaces")

LIMITS = Limits(cpu_s=2.0, wall_s=6.0, memory_mb=512, pids=16)


@pytest.fixture(scope="module")
def verifier():
    from sandboxes.local import LocalSandbox

    with LocalSandbox(slots=2) as sb:
        yield CodeTestsVerifier(sandbox=sb, limits=LIMITS)


@pytest.mark.parametrize("case", [pytest.param(c, id=f"{c.group}/{c.id}") for c in CODE_CASES])
def test_code_hacking_suite(verifier, case):
    v = verifier(
        completion=case.completion, problem=Problem(case.id, tests=list(case.tests), meta=case.meta)
    )
    assert (v.score, v.infra_error) == (case.expected, False), v


def fn(tests, entry, **meta):
    return Problem(entry, tests=tests, meta={"kind": "function", "entry_point": entry, **meta})


def fence(code: str) -> str:
    return f"<think>t</think>\n```python\n{code}\n```\n"


UNGRADABLE_ROWS = [
    pytest.param(fn(["assert apply(lambda x: x + 1, 2) == 3"], "apply"),
                 "def apply(f, x):\n    return f(x)", "callable_argument", id="callable-argument"),
    pytest.param(
        fn(["p = make(1, 2)\nassert p == make(1, 2)"], "total", code_prefix=None),
        "class make:\n    def __init__(s, a, b): s.a, s.b = a, b\n"
        "    def __eq__(s, o): return True\n"
        "def total(p):\n    return p.a + p.b",
        "candidate_object_compared",
        id="own-objects-compared",
    ),
    pytest.param(
        fn(["p = make(1, 2)\nassert p.a == 1"], "total"),
        "class make:\n    def __init__(s, a, b): s.a, s.b = a, b\ndef total(p):\n"
        "    return p.a + p.b",
        "candidate_object_used",
        id="own-object-attribute",
    ),
    pytest.param(
        fn(["p = make(1, 2)\nassert isinstance(p, make) and total(p) == 3"], "total"),
        "class make:\n    def __init__(s, a, b): s.a, s.b = a, b\ndef total(p):\n"
        "    return p.a + p.b",
        "candidate_object_used",
        id="isinstance-of-own-class",
    ),
    pytest.param(
        fn(
            ["try:\n    assert apply(lambda x: x, 1) == 1\nexcept BaseException:\n    pass"],
            "apply",
        ),
        "def apply(f, x):\n    return 0",
        "callable_argument",
        id="ungradable-survives-bare-except",
    ),
]


@pytest.mark.parametrize(("problem", "code", "why"), UNGRADABLE_ROWS)
def test_tests_that_cannot_cross_are_masked_with_a_reason(verifier, problem, code, why):
    v = verifier(completion=fence(code), problem=problem)
    assert (v.score, v.reason, v.infra_error) == (0.0, "ungradable", True), v
    assert why in UNGRADABLE and why in v.detail


NODE_SETUP = (
    "class Node:\n    def __init__(self, data):\n        self.data = data\n"
    "        self.left = None\n        self.right = None\n"
    "root = Node(1)\nroot.left = Node(2)\nroot.right = Node(3)\nroot.left.left = Node(4)\n"
)
HEIGHT = "def max_height(node):\n    if node is None:\n        return 0\n" \
         "    return 1 + max(max_height(node.left), max_height(node.right))"


@pytest.mark.parametrize(("code", "score"), [
    pytest.param(HEIGHT, 1.0, id="correct"),
    pytest.param(HEIGHT.replace("1 + max", "2 + max"), 0.0, id="wrong"),
])
def test_objects_built_by_setup_code_cross_as_records(verifier, code, score):
    problem = fn(
        [
            NODE_SETUP + "assert max_height(root) == 3",
            NODE_SETUP + "assert max_height(root.right) == 1",
        ],
        "max_height",
    )
    v = verifier(completion=fence(code), problem=problem)
    assert (v.score, v.infra_error) == (score, False), v


def test_a_candidate_exception_reaches_the_test_by_builtin_name(verifier):
    problem = fn(
        ["try:\n    half(3)\n    raise RuntimeError('no error')\nexcept ValueError:\n    pass"],
        "half",
    )
    ok = verifier(
        completion=fence(
            "def half(x):\n    if x % 2:\n        raise ValueError(x)\n    return x // 2"
        ),
        problem=problem,
    )
    bad = verifier(completion=fence("def half(x):\n    return x // 2"), problem=problem)
    assert (ok.score, bad.score) == (1.0, 0.0), (ok, bad)
