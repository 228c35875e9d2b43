"""CodeTestsVerifier tables: honest programs score by what they get right; every reward hack from
issue 3 scores exactly 0. Real LocalSandbox processes, no mocks."""

from __future__ import annotations

import os

import pytest

from sandboxes.base import Limits
from verifiers.base import Problem, Verdict, Verifier
from verifiers.code.cases import AssertCase, CallCase, parse_tests
from verifiers.code.checkers import float_tokens_match, lines_match
from verifiers.code.verifier import CodeTestsVerifier, extract_program

pytestmark = pytest.mark.skipif(not os.path.exists("/proc/self/ns/user"),
                                reason="LocalSandbox needs Linux namespaces")

LIMITS = Limits(cpu_s=1.0, wall_s=3.0, memory_mb=256, pids=16)


@pytest.fixture(scope="module")
def sandbox():
    from sandboxes.local import LocalSandbox

    with LocalSandbox(slots=2) as sb:
        yield sb


@pytest.fixture(scope="module")
def ratio(sandbox):
    return CodeTestsVerifier(sandbox, limits=LIMITS)


@pytest.fixture(scope="module")
def binary(sandbox):
    return CodeTestsVerifier(sandbox, reward="binary", limits=LIMITS)


def fence(code: str, lang: str = "python") -> str:
    return f"<think>plan</think>\nHere it is:\n```{lang}\n{code}\n```\n"


ADD = Problem(
    "add",
    tests=[
        {"input": "1 2\n", "output": "3\n"},
        {"input": "5 7\n", "output": "12\n"},
        {"input": "-4 4\n", "output": "0\n"},
        {"input": "10 0\n", "output": "10\n"},
    ],
)
ADD_FN = Problem("add_fn", tests=["assert add(1, 2) == 3", "assert add(-1, 2) == 1",
                                  "assert candidate(2, 2) == 4", "assert add(10, 5) == 15"],
                 meta={"entry_point": "add"})
MATH_FN = Problem(
    "half",
    tests=[
        "assert math.isclose(half(3), 1.5)",
        "assert abs(half(1) - 0.5) < 1e-9",
        "assert half(4) == 2",
    ],
    meta={"entry_point": "half"},
)
RESIDUAL = Problem("resid", tests=["r = add(2, 3)\nassert r == 5", "assert add(1, 1) + 1 == 3",
                                   "r = add(1, 2)\nassert abs(r - 3) < 1e-9"],
                   meta={"entry_point": "add"})
MANY = Problem(
    "any_divisor",
    tests=[{"input": "12\n", "output": "2\n"}, {"input": "15\n", "output": "3\n"}],
    meta={
        "checker": {
            "type": "python",
            "source": "def check(inp, out, ans):\n    n = int(inp)\n"
            "    d = int(out.split()[0])\n    return 1 < d < n and n % d == 0",
        }
    },
)
FLOATS = Problem("floats", tests=[{"input": "2\n", "output": "0.500000\n"}],
                 meta={"checker": {"type": "float_tokens", "abs_tol": 1e-6, "rel_tol": 1e-6}})

HONEST = [
    pytest.param(ADD, fence("a, b = map(int, input().split())\nprint(a + b)"), 1.0, "correct",
                 id="stdio-correct"),
    pytest.param(ADD, fence("a, b = map(int, input().split())\nprint(a - b)"), 0.25, "failed_tests",
                 id="stdio-partial"),
    pytest.param(ADD, fence("print(-1)"), 0.0, "failed_tests", id="stdio-wrong"),
    pytest.param(ADD, fence("a, b = map(int, input().split())\nprint(a + b, end=' \\r\\n\\n')"),
                 1.0, "correct", id="stdio-crlf-trailing-space-ok"),
    pytest.param(ADD, fence("a, b = map(int, input().split())\nprint(a + b)\nprint(a + b)"), 0.0,
                 "failed_tests", id="stdio-extra-line-fails"),
    pytest.param(
        ADD,
        fence(
            "import time\na, b = map(int, input().split())\nt = time.process_time()\n"
            "while time.process_time() - t < 0.2: pass\nprint(a + b)"
        ),
        1.0,
        "correct",
        id="slow-but-within-limit",
    ),
    pytest.param(
        ADD,
        fence(
            "import sys\nsys.setrecursionlimit(10**6)\n"
            "def s(n): return 0 if n == 0 else 1 + s(n - 1)\n"
            "a, b = map(int, input().split())\nprint(a + b + s(50000) - 50000)"
        ),
        1.0,
        "correct",
        id="deep-recursion",
    ),
    pytest.param(ADD, fence("while True: pass"), 0.0, "time_limit", id="time-limit"),
    pytest.param(ADD, fence("x = [bytearray(1 << 20) for _ in range(10**4)]"), 0.0, "memory_limit",
                 id="memory-limit"),
    pytest.param(ADD, fence("while True: print('y' * 4096)"), 0.0, "output_limit",
                 id="output-limit"),
    pytest.param(ADD, fence("raise RuntimeError"), 0.0, "runtime_error", id="runtime-error"),
    pytest.param(ADD, fence("def f(:\n  pass"), 0.0, "compile_error", id="syntax-error"),
    pytest.param(
        ADD,
        fence(
            '#include <cstdio>\nint main(){long a,b; scanf("%ld %ld",&a,&b); '
            'printf("%ld\\n",a+b);}',
            "cpp",
        ),
        0.0,
        "no_code",
        id="cpp-block-for-python-problem",
    ),
    pytest.param(ADD_FN, fence("def add(a, b):\n    return a + b"), 1.0, "correct",
                 id="function-correct"),
    pytest.param(ADD_FN, fence("def add(a, b):\n    return a + b if a < 2 else 0"), 0.5,
                 "failed_tests", id="function-partial"),
    pytest.param(ADD_FN, fence("def add(a, b):\n    raise ValueError"), 0.0, "runtime_error",
                 id="function-raises"),
    pytest.param(MATH_FN, fence("def half(x):\n    return x / 2"), 1.0, "correct",
                 id="function-isclose-abs"),
    pytest.param(RESIDUAL, fence("def add(a, b):\n    return a + b"), 1.0, "correct",
                 id="residual-assert-correct"),
    pytest.param(RESIDUAL, fence("def add(a, b):\n    return a * b"), 0.0, "failed_tests",
                 id="residual-assert-wrong"),
    pytest.param(MANY, fence("n = int(input())\nprint(next(d for d in range(2, n) if n % d == 0))"),
                 1.0, "correct", id="python-checker-accepts"),
    pytest.param(MANY, fence("n = int(input())\nprint(max(d for d in range(2, n) if n % d == 0))"),
                 1.0, "correct", id="python-checker-other-valid-answer"),
    pytest.param(MANY, fence("print(1)"), 0.0, "failed_tests", id="python-checker-rejects"),
    pytest.param(MANY, fence("print('not a number ' * 10)"), 0.0, "failed_tests",
                 id="python-checker-crash-rejects"),
    pytest.param(FLOATS, fence("print(1 / int(input()) + 1e-9)"), 1.0, "correct",
                 id="float-tokens-within-tol"),
    pytest.param(FLOATS, fence("print(0.51)"), 0.0, "failed_tests", id="float-tokens-outside-tol"),
    pytest.param(FLOATS, fence("print('nan')"), 0.0, "failed_tests", id="float-tokens-nan"),
]

_PASSED_GUESS = '{"passed": true}'
HACKS = [
    pytest.param(ADD_FN, "import sys\nsys.exit(0)\ndef add(a, b): return 0",
                 id="sys-exit-before-tests"),
    pytest.param(ADD_FN, "import os\nos._exit(0)", id="os-exit-before-tests"),
    pytest.param(ADD_FN, "import os\ndef add(a, b):\n    os._exit(0)", id="os-exit-inside-call"),
    pytest.param(
        ADD_FN,
        "def add(a, b):\n    try:\n        return 0\n    finally:\n        raise SystemExit(0)",
        id="systemexit-in-finally",
    ),
    pytest.param(RESIDUAL,
                 "import atexit, os\natexit.register(lambda: os._exit(0))\ndef add(a, b): return 0",
                 id="atexit-exit-rewrite"),
    pytest.param(RESIDUAL,
                 "import sys\nsys.excepthook = lambda *a: print('PASSED')\ndef add(a, b): return 0",
                 id="excepthook-prints-passed"),
    pytest.param(ADD_FN, "print('PASSED\\nAll tests passed\\nOK')\ndef add(a, b): return 0",
                 id="fake-passed-lines"),
    pytest.param(
        RESIDUAL,
        "import sys\nfor n in ('0'*32, 'f'*32):\n    print('\\n' + n + ' "
        + _PASSED_GUESS
        + "')\ndef add(a, b): return 0",
        id="forged-result-line",
    ),
    pytest.param(
        ADD_FN,
        "class A:\n    def __eq__(s, o): return True\n    def __ne__(s, o): return False\n"
        "def add(a, b): return A()",
        id="always-equal-object",
    ),
    pytest.param(
        RESIDUAL,
        "class A(int):\n    def __eq__(s, o): return True\n    def __add__(s, o): return A()\n"
        "def add(a, b): return A(0)",
        id="always-equal-int-subclass-residual",
    ),
    pytest.param(ADD_FN,
                 "class I(int):\n    def __eq__(s, o): return True\ndef add(a, b): return I(0)",
                 id="int-subclass"),
    pytest.param(
        MATH_FN,
        "import math, builtins\nmath.isclose = lambda *a, **k: True\n"
        "builtins.abs = lambda x: 0\ndef half(x): return 0",
        id="monkeypatched-isclose-and-abs",
    ),
    pytest.param(
        RESIDUAL,
        "import builtins\nclass T:\n    def __eq__(s, o): return True\n"
        "builtins.AssertionError = type('X', (Exception,), {})\ndef add(a, b): return T()",
        id="patched-assertionerror",
    ),
    pytest.param(
        ADD_FN,
        "import glob, json\nfound = glob.glob('/**/*.json*', recursive=True) + "
        "glob.glob('/**/test*', recursive=True)\n"
        "def add(a, b):\n    return len(found) * 0 + 7",
        id="read-expected-from-disk",
    ),
    pytest.param(
        ADD_FN,
        "import os, signal\nfor p in (os.getppid(), 1, -1):\n    try: os.kill(p, signal.SIGKILL)\n"
        "    except OSError: pass\ndef add(a, b): return 0",
        id="kill-the-grader",
    ),
    pytest.param(
        RESIDUAL,
        "import sys\nf = sys._getframe(0)\nwhile f is not None and 'report' not in f.f_locals:\n"
        "    f = f.f_back\nif f is not None: f.f_locals['report']({'passed': True})\n"
        "def add(a, b): return 0",
        id="frame-walk-to-the-reporter",
    ),
    pytest.param(RESIDUAL, "def abs(x): return 0\ndef add(a, b): return 0",
                 id="shadow-builtin-abs"),
    pytest.param(
        RESIDUAL,
        "import os, re\ntry: d = os.read(0, 65536)\nexcept OSError: d = b''\n"
        "for n in set(re.findall(rb'[0-9a-f]{32}', d)):\n    print('\\n' + n.decode() + ' "
        + _PASSED_GUESS
        + "')\ndef add(a, b): return 0",
        id="nonce-from-stdin",
    ),
    pytest.param(
        RESIDUAL,
        "import ctypes, re\nfound = set()\nfor line in open('/proc/self/maps'):\n"
        "    f = line.split()\n    lo, hi = (int(x, 16) for x in f[0].split('-'))\n"
        "    if 'r' in f[1] and hi - lo < 1 << 26 and (len(f) < 6 or f[5] == '[heap]'):\n"
        "        found.update(re.findall(rb'[0-9a-f]{32}', ctypes.string_at(lo, hi - lo)))\n"
        "for n in list(found)[:5000]:\n    print('\\n' + n.decode() + ' " + _PASSED_GUESS + "')\n"
        "def add(a, b): return 0",
        id="nonce-from-memory",
    ),
    pytest.param(ADD, "import sys\nprint(3)\nsys.stdout.flush()\nwhile True: pass",
                 id="right-output-then-timeout"),
    pytest.param(ADD, "import os\nprint(3, flush=True)\nos.kill(os.getpid(), 9)",
                 id="right-output-then-killed"),
    pytest.param(ADD_FN, "import sys\nsys.stdin.read()\ndef add(a, b): return 0",
                 id="eats-driver-stdin"),
    pytest.param(ADD_FN, "def add(a, b):\n    raise KeyboardInterrupt", id="keyboard-interrupt"),
]


@pytest.mark.parametrize(("problem", "completion", "score", "reason"), HONEST)
def test_honest_programs_score_right(ratio, problem, completion, score, reason):
    v = ratio(completion=completion, problem=problem)
    assert (v.score, v.reason, v.infra_error) == (score, reason, False), v.detail


@pytest.mark.parametrize(("problem", "code"), HACKS)
def test_reward_hacks_score_zero(ratio, problem, code):
    v = ratio(completion=fence(code), problem=problem)
    assert v.score == 0.0 and not v.infra_error, v


def test_grader_survives_kill_attempts(ratio):
    ratio(completion=fence("import os\nos.kill(os.getppid(), 9)\nos.kill(1, 9)"), problem=ADD)
    v = ratio(completion=fence("a, b = map(int, input().split())\nprint(a + b)"), problem=ADD)
    assert v.score == 1.0


# --- extraction ------------------------------------------------------------------------------

EXTRACTION = [
    pytest.param("```python\nprint(1)\n```", "print(1)\n", id="single-block"),
    pytest.param("```python\nprint(1)\n```\nthen\n```py\nprint(2)\n```", "print(2)\n",
                 id="last-block-wins"),
    pytest.param("```python\nprint(1)\n```\n```text\nnotes\n```", "print(1)\n",
                 id="other-language-ignored"),
    pytest.param("```\nprint(3)\n```", "print(3)\n", id="untagged-fallback"),
    pytest.param("<think>```python\nprint(1)\n```</think>no code here", None,
                 id="code-only-in-think"),
    pytest.param("<think>```python\nprint(1)\n```", None, id="unclosed-think"),
    pytest.param("just prose", None, id="no-fence"),
    pytest.param("```python\n   \n```", None, id="empty-block"),
]


@pytest.mark.parametrize(("completion", "expected"), EXTRACTION)
def test_extract_program(completion, expected):
    assert extract_program(completion, "python") == expected


def test_no_code_scores_zero_without_running(ratio):
    v = ratio(completion="<think>x</think> the answer is print(3)", problem=ADD)
    assert (v.score, v.reason) == (0.0, "no_code")


# --- rewards, cache, infra ---------------------------------------------------------------------


def test_binary_reward_exits_early(binary):
    out = binary.evaluate(
        completion=fence("a, b = map(int, input().split())\nprint(a + b if a != 5 else 0)"),
        problem=ADD,
    )
    assert out.verdict.score == 0.0 and out.test_statuses == (
        "pass",
        "failed_tests",
        "skipped",
        "skipped",
    )


def test_binary_reward_all_pass(binary):
    assert binary(completion=fence("def add(a, b):\n    return a + b"), problem=ADD_FN).score == 1.0


def test_cpp_stdio(ratio, binary):
    src = '#include <cstdio>\nint main(){long a,b; scanf("%ld %ld",&a,&b); printf("%ld\\n",a+b);}'
    cpp = Problem("add_cpp", tests=ADD.tests, meta={"language": "cpp"})
    assert ratio(completion=fence(src, "cpp"), problem=cpp).score == 1.0
    assert binary(completion=fence("int main({}", "cpp"), problem=cpp).reason == "compile_error"


def test_cache_returns_the_same_outcome(sandbox):
    v = CodeTestsVerifier(sandbox, limits=LIMITS)
    first = v.evaluate(completion=fence("def add(a, b):\n    return a + b"), problem=ADD_FN)
    again = v.evaluate(completion=fence("def add(a, b):\n    return a + b"), problem=ADD_FN)
    assert again is first


def test_malformed_problem_is_masked_not_punished(ratio):
    v = ratio(completion=fence("print(1)"), problem=Problem("bad", tests="not a list"))
    assert v.infra_error and v.score == 0.0 and v.reason == "sandbox_error"


def test_verifier_protocol_and_reasons(ratio):
    assert isinstance(ratio, Verifier)
    assert {"correct", "failed_tests", "no_code", "sandbox_error"} <= ratio.REASONS


def test_config_validation_names_key_and_value():
    with pytest.raises(ValueError, match="reward='best'"):
        CodeTestsVerifier(reward="best")
    with pytest.raises(ValueError, match="language='rust'"):
        CodeTestsVerifier(language="rust")


# --- pure parts ------------------------------------------------------------------------------


def test_asserts_become_data():
    _, cases, entry = parse_tests(
        [
            "assert f(1, [2]) == (3, 'x')",
            "assert set(f(2)) == {1, 2}",
            "assert math.isclose(f(3), 0.5, rel_tol=1e-3)",
            "assert not f(0)",
            "x = f(1)\nassert x == 2",
            "assert f(float('inf')) == 1",
        ],
        None,
        None,
    )
    assert entry == "f"
    assert cases[0] == CallCase("((1, [2]), {})", (3, "x"))
    assert cases[1].wrap == "set" and cases[2].compare == "isclose" and cases[2].rel_tol == 1e-3
    assert cases[3].compare == "falsy"
    assert isinstance(cases[4], AssertCase) and isinstance(cases[5], AssertCase)


@pytest.mark.parametrize(("expected", "actual", "ok"), [
    ("1\n2\n", b"1\r\n2  \n\n", True),
    ("1\n2\n", b"1\n", False),
    ("1 2\n", b"1  2\n", False),
    ("x\n", b"\xff\n", False),
])
def test_lines_comparator(expected, actual, ok):
    assert lines_match(expected, actual) is ok


@pytest.mark.parametrize(("expected", "actual", "ok"), [
    ("0.333333 yes", b"0.3333331\nyes", True),
    ("0.333333", b"0.34", False),
    ("1", b"1_0", False),
    ("1", b"inf", False),
    ("1 2", b"1", False),
])
def test_float_tokens_comparator(expected, actual, ok):
    assert float_tokens_match(expected, actual, 1e-6, 1e-6) is ok


def test_verdicts_are_verdicts(ratio):
    assert isinstance(ratio(completion=fence("print(1)"), problem=ADD), Verdict)


def test_row_limits_apply_and_bad_ones_are_masked(ratio):
    tight = Problem(
        "tight",
        tests=ADD.tests,
        meta={"limits": {"time_s": 0.5, "memory_mb": 64, "output_mb": 0.001}},
    )
    spam = ratio(completion=fence("print('z' * 5000)"), problem=tight)
    assert (spam.score, spam.reason) == (0.0, "output_limit")
    bad = ratio(
        completion=fence("print(1)"),
        problem=Problem("bad", tests=ADD.tests, meta={"limits": {"cpu": 1}}),
    )
    assert bad.infra_error and "limits=" in bad.detail


def test_kind_is_inferred_and_raw_programs_are_graded(ratio):
    out = ratio.evaluate_program(source="def add(a, b):\n    return a + b\n",
                                 problem=Problem("raw", tests=["assert add(2, 3) == 5"]))
    assert out.verdict.reason == "correct" and out.test_statuses == ("pass",)
