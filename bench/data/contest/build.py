"""Builds our own synthetic contest problems in each benchmark's exact upstream schema
(CodeContests, APPS, TACO, LiveCodeBench) with reference solutions in the I/O styles contestants
use and wrong controls; deterministic (fixed seeds), so the committed files are reproducible with
`python bench/data/contest/build.py`. It writes data; it does not grade anything.

Every problem is a kernel (statement, input generator, a trusted `solve(text) -> text` that
defines the expected output) dressed for one benchmark: the benchmark's columns, its judge's
output rule (a reference may print `Yes` for `YES` only where the judge folds case) and its
limits. References = an I/O style wrapped around the kernel's solve; controls are wrong on
purpose (nothing, the first expected output, the last line dropped, off by one, a wrong float,
wrong case where the judge is case-sensitive).
"""

from __future__ import annotations

import base64
import json
import pickle
import random
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHMARKS = ("codecontests", "apps", "taco", "livecodebench")


@dataclass(frozen=True)
class Kernel:
    name: str
    title: str
    statement: str
    gen: Callable[[random.Random, int], str]  # (rng, test index) -> input text
    solve: str  # source defining solve(s: str) -> str, the expected output (no trailing newline)
    tags: tuple[str, ...] = ()
    floats: bool = False  # the output holds floats (a tolerance-dependent judge matters)
    exact_floats: bool = False  # ... whose values have short exact decimals (LiveCodeBench-safe)
    yes_no: bool = False
    deep: bool = False  # needs deep recursion


def _ints(rng: random.Random, n: int, lo: int, hi: int) -> str:
    return " ".join(str(rng.randint(lo, hi)) for _ in range(n))


KERNELS = [
    Kernel(
        "sum_pairs",
        "Sum of Pairs",
        "The first line holds t. Each of the next t lines holds two integers a and b "
        "(|a|, |b| <= 10^18). Print a + b for each line.",
        lambda r, i: (
            lambda t: (
                f"{t}\n"
                + "".join(
                    f"{r.randint(-(10**18), 10**18)} {r.randint(-(10**18), 10**18)}\n"
                    for _ in range(t)
                )
            )
        )(r.randint(1, 6) if i else 1),
        "def solve(s):\n    d = s.split()\n    t = int(d[0])\n"
        "    return '\\n'.join(str(int(d[1 + 2 * k]) + int(d[2 + 2 * k])) for k in range(t))\n",
        tags=("math",),
    ),
    Kernel(
        "max_min",
        "Extremes",
        "Given n and n integers, print the maximum and the minimum separated by a space.",
        lambda r, i: (lambda n: f"{n}\n{_ints(r, n, -(10**9), 10**9)}\n")(r.randint(1, 40)),
        "def solve(s):\n    d = list(map(int, s.split()))\n    a = d[1:1 + d[0]]\n"
        "    return f'{max(a)} {min(a)}'\n",
        tags=("implementation",),
    ),
    Kernel(
        "reverse_words",
        "Reversed Sentence",
        "Print the words of the line in reverse order, separated by single spaces.",
        lambda r, i: (
            " ".join(
                r.choice(["alpha", "beta", "gamma", "delta", "x", "yy", "zzz"])
                for _ in range(r.randint(1, 12))
            )
            + "\n"
        ),
        "def solve(s):\n    return ' '.join(s.split()[::-1])\n",
        tags=("strings",),
    ),
    Kernel(
        "even_sum",
        "Even Sum",
        "The first line holds t; each test case is n then n integers. Print YES if their "
        "sum is even and NO otherwise.",
        lambda r, i: (
            lambda t: (
                f"{t}\n"
                + "".join(
                    (lambda n: f"{n}\n{_ints(r, n, 1, 100)}\n")(r.randint(1, 8)) for _ in range(t)
                )
            )
        )(r.randint(2, 6)),
        "def solve(s):\n    d = list(map(int, s.split()))\n    t, p, out = d[0], 1, []\n"
        "    for _ in range(t):\n"
        "        n = d[p]\n"
        "        out.append('YES' if sum(d[p + 1:p + 1 + n]) % 2 == 0 else 'NO')\n"
        "        p += n + 1\n    return '\\n'.join(out)\n",
        tags=("math",),
        yes_no=True,
    ),
    Kernel(
        "average",
        "Average",
        "Given n and n integers, print their mean. Answers within 1e-6 are accepted.",
        lambda r, i: (lambda n: f"{n}\n{_ints(r, n, -1000, 1000)}\n")(r.choice([2, 4, 5, 8, 10])),
        "def solve(s):\n    d = list(map(int, s.split()))\n    return repr(sum(d[1:]) / d[0])\n",
        tags=("math",),
        floats=True,
        exact_floats=True,
    ),
    Kernel(
        "circle_area",
        "Circle Areas",
        "For each of the t radii print the area of the circle with absolute or "
        "relative error at most 1e-6.",
        lambda r, i: (
            lambda t: f"{t}\n" + "\n".join(str(r.randint(1, 100)) for _ in range(t)) + "\n"
        )(r.randint(1, 4)),
        "import math\ndef solve(s):\n    d = s.split()\n"
        "    return '\\n'.join('%.9f' % (math.pi * int(x) ** 2) for x in d[1:])\n",
        tags=("geometry",),
        floats=True,
    ),
    Kernel(
        "sort_numbers",
        "Sorting",
        "Given n integers, print them in non-decreasing order.",
        lambda r, i: (lambda n: f"{n}\n{_ints(r, n, -50, 50)}\n")(r.randint(2, 30)),
        "def solve(s):\n    d = list(map(int, s.split()))\n"
        "    return ' '.join(map(str, sorted(d[1:])))\n",
        tags=("sortings",),
    ),
    Kernel(
        "prefix_sums",
        "Prefix Sums",
        "Given n integers, print the n prefix sums, one per line.",
        lambda r, i: (lambda n: f"{n}\n{_ints(r, n, -(10**12), 10**12)}\n")(r.randint(2, 15)),
        "def solve(s):\n    d = list(map(int, s.split()))\n    out, acc = [], 0\n"
        "    for x in d[1:]:\n"
        "        acc += x\n        out.append(str(acc))\n    return '\\n'.join(out)\n",
        tags=("implementation",),
    ),
    Kernel(
        "gcd_lcm",
        "GCD and LCM",
        "For each of t pairs print their gcd and lcm.",
        lambda r, i: (
            lambda t: (
                f"{t}\n"
                + "".join(f"{r.randint(1, 10**6)} {r.randint(1, 10**6)}\n" for _ in range(t))
            )
        )(r.randint(1, 5)),
        "import math\ndef solve(s):\n    d = list(map(int, s.split()))\n    out = []\n"
        "    for k in range(d[0]):\n        a, b = d[1 + 2 * k], d[2 + 2 * k]\n"
        "        out.append(f'{math.gcd(a, b)} {a * b // math.gcd(a, b)}')\n"
        "    return '\\n'.join(out)\n",
        tags=("number theory",),
    ),
    Kernel(
        "tree_depth",
        "Deepest Vertex",
        "A rooted tree on n vertices (root 1) is given by p_2..p_n, the parent of "
        "each vertex. Print the depth of the deepest vertex (the root has depth 0).",
        lambda r, i: (
            lambda n: (
                f"{n}\n"
                + " ".join(
                    str(max(1, v - (1 if r.random() < 0.97 else r.randint(1, v - 1))))
                    for v in range(2, n + 1)
                )
                + "\n"
            )
        )([5, 20000, 300, 200][i % 4]),
        "def solve(s):\n    d = list(map(int, s.split()))\n    n = d[0]\n"
        "    depth = [0] * (n + 1)\n"
        "    for v in range(2, n + 1):\n        depth[v] = depth[d[v - 1]] + 1\n"
        "    return str(max(depth))\n",
        tags=("dfs and similar", "trees"),
        deep=True,
    ),
    Kernel(
        "vowel_count",
        "Vowels",
        "Print how many vowels (a, e, i, o, u) the line contains.",
        lambda r, i: "".join(r.choice("abcdeiouxyz") for _ in range(r.randint(1, 60))) + "\n",
        "def solve(s):\n    return str(sum(c in 'aeiou' for c in s.strip()))\n",
        tags=("strings",),
    ),
    Kernel(
        "transpose",
        "Transpose",
        "Given an r x c grid of integers print its transpose.",
        lambda r, i: (
            lambda a, b: f"{a} {b}\n" + "".join(_ints(r, b, 0, 9) + "\n" for _ in range(a))
        )(r.randint(1, 5), r.randint(2, 5)),
        "def solve(s):\n    d = s.split()\n    r, c = int(d[0]), int(d[1])\n"
        "    g = [d[2 + k * c:2 + (k + 1) * c] for k in range(r)]\n"
        "    return '\\n'.join(' '.join(g[k][j] for k in range(r)) for j in range(c))\n",
        tags=("implementation",),
    ),
    Kernel(
        "fib_mod",
        "Fibonacci Queries",
        "For each query n print F(n) modulo 10^9+7 (F(0) = 0, F(1) = 1).",
        lambda r, i: (
            lambda q: f"{q}\n" + "\n".join(str(r.randint(0, 5000)) for _ in range(q)) + "\n"
        )(r.randint(1, 5)),
        "def solve(s):\n    d = list(map(int, s.split()))\n    m = max(d[1:])\n    f = [0, 1]\n"
        "    for _ in range(m):\n        f.append((f[-1] + f[-2]) % (10**9 + 7))\n"
        "    return '\\n'.join(str(f[x]) for x in d[1:])\n",
        tags=("dp",),
    ),
    Kernel(
        "palindrome",
        "Palindromes",
        "For each of the t words print Yes if it reads the same backwards and No otherwise.",
        lambda r, i: (
            lambda t: (
                f"{t}\n"
                + "".join(
                    (lambda w: (w + w[::-1][r.randint(0, 1) :] if r.random() < 0.5 else w) + "\n")(
                        "".join(r.choice("ab") for _ in range(r.randint(1, 6)))
                    )
                    for _ in range(t)
                )
            )
        )(r.randint(2, 6)),
        "def solve(s):\n    w = s.split()[1:]\n"
        "    return '\\n'.join('Yes' if x == x[::-1] else 'No' for x in w)\n",
        tags=("strings",),
        yes_no=True,
    ),
    Kernel(
        "big_product",
        "Big Product",
        "Print the exact product of the n given integers.",
        lambda r, i: (lambda n: f"{n}\n{_ints(r, n, 1, 10**9)}\n")(r.randint(2, 7)),
        "def solve(s):\n    d = list(map(int, s.split()))\n    p = 1\n    for x in d[1:]:\n"
        "        p *= x\n"
        "    return str(p)\n",
        tags=("math",),
    ),
    Kernel(
        "ratio",
        "Fair Share",
        "Each of t lines holds a and b; print a / b with absolute or relative error at most 1e-6.",
        lambda r, i: (
            lambda t: (
                f"{t}\n" + "".join(f"{r.randint(1, 10**6)} {r.randint(1, 997)}\n" for _ in range(t))
            )
        )(r.randint(2, 4)),
        "def solve(s):\n    d = list(map(int, s.split()))\n"
        "    return '\\n'.join('%.10f' % (d[1 + 2 * k] / d[2 + 2 * k]) for k in range(d[0]))\n",
        tags=("math",),
        floats=True,
    ),
]

# ---- I/O styles: (name, template). {solve} is the kernel's solve source; each template reads all
# of stdin its own way and prints PRINTED(solve(text)), where PRINTED is the benchmark-valid
# presentation chosen per problem.
STYLES: dict[str, str] = {
    "input_loop": "{solve}\n{post}\nlines = []\nwhile True:\n    try:\n"
                  "        lines.append(input())\n"
    "    except EOFError:\n        break\nprint(post(solve('\\n'.join(lines) + '\\n')))\n",
    "stdin_read": "import sys\n{solve}\n{post}\n"
                  "sys.stdout.write(post(solve(sys.stdin.read())) + '\\n')\n",
    "buffer_read": "import sys\n{solve}\n{post}\ndata = sys.stdin.buffer.read().decode()\n"
    "sys.stdout.buffer.write((post(solve(data)) + '\\n').encode())\n",
    "os_read": "import os\n{solve}\n{post}\ndata = os.read(0, os.fstat(0).st_size).decode()\n"
    "os.write(1, (post(solve(data)) + '\\n').encode())\n",
    "fastio": (
        "import os, sys\nfrom io import BytesIO, IOBase\nBUFSIZE = 8192\n\n\n"
        "class FastIO(IOBase):\n    newlines = 0\n\n    def __init__(self, file):\n"
        "        self._fd = file.fileno()\n        self.buffer = BytesIO()\n"
        "        self.writable = 'x' in file.mode or 'r' not in file.mode\n"
        "        self.write = self.buffer.write if self.writable else None\n\n"
        "    def read(self):\n        while True:\n"
        "            b = os.read(self._fd, max(os.fstat(self._fd).st_size, BUFSIZE))\n"
        "            if not b:\n"
        "                break\n            ptr = self.buffer.tell()\n"
        "            self.buffer.seek(0, 2), self.buffer.write(b), self.buffer.seek(ptr)\n"
        "        self.newlines = 0\n        return self.buffer.read()\n\n"
        "    def readline(self):\n        while self.newlines == 0:\n"
        "            b = os.read(self._fd, max(os.fstat(self._fd).st_size, BUFSIZE))\n"
        "            self.newlines = b.count(b'\\n') + (not b)\n"
        "            ptr = self.buffer.tell()\n"
        "            self.buffer.seek(0, 2), self.buffer.write(b), self.buffer.seek(ptr)\n"
        "        self.newlines -= 1\n        return self.buffer.readline()\n\n"
        "    def flush(self):\n        if self.writable:\n"
        "            os.write(self._fd, self.buffer.getvalue())\n"
        "            self.buffer.truncate(0), self.buffer.seek(0)\n\n\n"
        "class IOWrapper(IOBase):\n    def __init__(self, file):\n"
        "        self.buffer = FastIO(file)\n"
        "        self.flush = self.buffer.flush\n        self.writable = self.buffer.writable\n"
        "        self.write = lambda s: self.buffer.write(s.encode('ascii'))\n"
        "        self.read = lambda: self.buffer.read().decode('ascii')\n"
        "        self.readline = lambda: self.buffer.readline().decode('ascii')\n\n\n"
        "sys.stdin, sys.stdout = IOWrapper(sys.stdin), IOWrapper(sys.stdout)\n"
        "input = lambda: sys.stdin.readline().rstrip('\\r\\n')\n\n{solve}\n{post}\n\n"
        "def main():\n    print(post(solve(sys.stdin.read())))\n\n\nif __name__ == '__main__':\n"
        "    main()\n"
    ),
    "atexit_buffer": "import atexit, io, sys\n{solve}\n{post}\n_out = io.StringIO()\n"
                     "sys.stdout = _out\n"
    "atexit.register(lambda: sys.__stdout__.write(_out.getvalue()))\n"
    "print(post(solve(sys.stdin.read())))\n",
    "close_stdout": "import sys\n{solve}\n{post}\nwith sys.stdout as f:\n"
    "    f.write(post(solve(sys.stdin.read())) + '\\n')\n",
    "flush_lines": "import sys\n{solve}\n{post}\n"
                   "for line in post(solve(sys.stdin.read())).split('\\n'):\n"
    "    print(line, flush=True)\n",
    "sys_exit": "import sys\n{solve}\n{post}\nprint(post(solve(sys.stdin.read())))\nsys.exit(0)\n",
    "readline_loop": "import sys\n{solve}\n{post}\nrd = sys.stdin.readline\nchunks = []\n"
                     "while True:\n"
    "    line = rd()\n    if not line:\n        break\n    chunks.append(line)\n"
    "print(post(solve(''.join(chunks))))\n",
}
# deep-recursion kernels replace solve with a recursive one and pick one of these runners
DEEP_SOLVE = (
    "def solve(s):\n    d = list(map(int, s.split()))\n    n = d[0]\n"
    "    kids = [[] for _ in range(n + 1)]\n"
    "    for v in range(2, n + 1):\n        kids[d[v - 1]].append(v)\n"
    "    def deepest(v):\n        best = 0\n        for c in kids[v]:\n"
    "            x = deepest(c) + 1\n            if x > best:\n                best = x\n"
    "        return best\n"
    "    return str(deepest(1))\n"
)
DEEP_STYLES = {
    "recursionlimit": "import sys\nsys.setrecursionlimit(10**6)\n{solve}\n{post}\n"
                      "print(post(solve(sys.stdin.read())))\n",
    "thread_stack": "import sys, threading\nsys.setrecursionlimit(10**6)\n"
                    "threading.stack_size(1 << 27)\n{solve}\n{post}\n"
    "def main():\n    print(post(solve(sys.stdin.read())))\n\n\nt = threading.Thread(target=main)\n"
    "t.start()\nt.join()\n",
}

# ---- presentations: how a reference prints the expected text; each is valid only under some
# judges.
POSTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "plain": ("def post(o):\n    return o\n", BENCHMARKS),
    # trailing spaces on every line and blank lines at the end: every judge but TACO's strips them
    "trailing_ws": (
        "def post(o):\n    return '\\n'.join(x + '  ' for x in o.split('\\n')) + '\\n\\n'\n",
        ("codecontests", "apps", "livecodebench"),
    ),
    # blank lines before and after: stripped as a whole by TACO and LiveCodeBench, ignored by the
    # rest
    "outer_blank": ("def post(o):\n    return '\\n' + o + '\\n\\n'\n", BENCHMARKS),
    # title case of YES/NO words: only CodeContests folds case
    "case": (
        "def post(o):\n"
        "    return o.replace('YES', 'Yes').replace('NO', 'No').replace('Yes', 'yEs')\n",
        ("codecontests",),
    ),
    # all tokens on one line: only CodeContests ignores line layout
    "one_line": ("def post(o):\n    return ' '.join(o.split())\n", ("codecontests",)),
    # more digits than the expected output: within CodeContests' 1e-5 and APPS' allclose
    "more_digits": (
        "import re\ndef post(o):\n"
        "    return re.sub(r'-?\\d+\\.\\d+', lambda m: '%.12f' % float(m.group()), o)\n",
        ("codecontests", "apps"),
    ),
    # a float value written with trailing zeros: Decimal-equal, so LiveCodeBench accepts it too
    "zero_padded": (
        "import re\ndef post(o):\n"
        "    return re.sub(r'(-?\\d+\\.\\d+)', lambda m: m.group() + '000', o)\n",
        ("codecontests", "apps", "livecodebench"),
    ),
}

CONTROLS = ("nothing", "first_output", "drop_last_line", "off_by_one", "wrong_float", "wrong_case")


def control_program(kind: str, kernel: Kernel, first_output: str) -> str | None:
    """A wrong program of `kind` for this kernel, or None where that kind does not apply."""
    read = "import sys\n" + kernel.solve + "o = solve(sys.stdin.read())\n"
    if kind == "nothing":
        return "import sys\ndata = sys.stdin.read()\n"
    if kind == "first_output":
        return f"print({first_output!r})\n"
    if kind == "drop_last_line":
        return read + "print('\\n'.join(o.split('\\n')[:-1]))\n"
    if kind == "off_by_one":
        return read + (
            "import re\nm = list(re.finditer(r'(?<![\\d.])-?\\d+(?![\\d.])', o))\n"
            "if m:\n    a = m[-1]\n    o = o[:a.start()] + str(int(a.group()) + 1) + o[a.end():]\n"
            "else:\n    o = o + ' 1'\nprint(o)\n"
        )
    if kind == "wrong_float" and kernel.floats:
        return read + (
            "import re\n"
            "print(re.sub(r'-?\\d+\\.\\d+', lambda m: repr(float(m.group()) * 1.001 + 0.001), o))\n"
        )
    if kind == "wrong_case" and (kernel.yes_no or any(c.isalpha() for c in first_output)):
        return read + "print(o.swapcase())\n"
    return None


def _tests(kernel: Kernel, rng: random.Random, count: int) -> list[tuple[str, str]]:
    env: dict = {}
    exec(kernel.solve, env)  # our own trusted solve: defines the expected output
    tests = []
    for i in range(count):
        inp = kernel.gen(rng, i)
        tests.append((inp, env["solve"](inp) + "\n"))
    return tests


def _plan(bench: str) -> list[tuple[Kernel, str, str]]:
    """(kernel, style, presentation) for each problem of a benchmark: every kernel once with a
    rotating style, then a second round with the presentations this judge allows."""
    styles = list(STYLES)
    posts = [p for p, (_, ok) in POSTS.items() if bench in ok]
    offset = BENCHMARKS.index(bench) * 3
    plan = []
    for rnd in range(2):
        for k, kernel in enumerate(KERNELS):
            if bench == "livecodebench" and kernel.floats and not kernel.exact_floats:
                continue  # LiveCodeBench compares decimals exactly: no tolerance problems there
            if kernel.deep:
                style = list(DEEP_STYLES)[(k + rnd) % 2]
            else:
                style = styles[(k + offset + rnd * 5) % len(styles)]
            usable = [p for p in posts if _post_fits(p, kernel)]
            post = "plain" if rnd == 0 and k % 3 == 0 else usable[(k + rnd + offset) % len(usable)]
            plan.append((kernel, style, post))
    return plan


def _post_fits(post: str, kernel: Kernel) -> bool:
    if post == "case":
        return kernel.yes_no and kernel.name == "even_sum"
    if post in ("more_digits", "zero_padded"):
        return kernel.floats
    return True


def _program(kernel: Kernel, style: str, post: str) -> str:
    template = DEEP_STYLES[style] if kernel.deep else STYLES[style]
    solve = DEEP_SOLVE if kernel.deep else kernel.solve
    return template.replace("{solve}", solve).replace("{post}", POSTS[post][0])


def _lcb_private(cases: list[dict]) -> str:
    """LiveCodeBench's storage of private cases: base64(zlib(pickle(json text)))."""
    return base64.b64encode(zlib.compress(pickle.dumps(json.dumps(cases)))).decode()


def rows_for(bench: str) -> tuple[list[dict], list[dict]]:
    rows = []
    programs = []
    for n, (kernel, style, post) in enumerate(_plan(bench)):
        rng = random.Random(f"{bench}-{n}-{kernel.name}")
        tests = _tests(kernel, rng, 5)
        reference = _program(kernel, style, post)
        statement = (
            f"{kernel.title}\n\n{kernel.statement}\n\n"
            f"(Synthetic problem {n} of the Verity contest sample.)"
        )
        seconds = [1, 2, 2, 3][n % 4]
        if bench == "codecontests":
            pid = f"{9000 + n}_{'ABCDE'[n % 5]}. {kernel.title}"
            row = {
                "name": pid,
                "description": statement,
                "public_tests": {"input": [tests[0][0]], "output": [tests[0][1]]},
                "private_tests": {
                    "input": [t[0] for t in tests[1:3]],
                    "output": [t[1] for t in tests[1:3]],
                },
                "generated_tests": {
                    "input": [t[0] for t in tests[3:]],
                    "output": [t[1] for t in tests[3:]],
                },
                "source": 2,
                "difficulty": 7 + n % 3,
                "solutions": {"language": [3], "solution": [reference]},
                "incorrect_solutions": {"language": [], "solution": []},
                "cf_contest_id": 9000 + n,
                "cf_index": "ABCDE"[n % 5],
                "cf_points": 500.0,
                "cf_rating": 800 + 100 * (n % 8),
                "cf_tags": list(kernel.tags),
                "is_description_translated": False,
                "untranslated_description": "",
                "time_limit": {"seconds": seconds, "nanos": 500000000 if n % 7 == 3 else 0},
                "memory_limit_bytes": 256000000,
                "input_file": "",
                "output_file": "",
            }
        elif bench in ("apps", "taco"):
            io = {"inputs": [t[0] for t in tests], "outputs": [t[1] for t in tests]}
            if bench == "apps":
                pid = 90000 + n
                row = {
                    "problem_id": pid,
                    "question": statement,
                    "solutions": json.dumps([reference]),
                    "input_output": json.dumps(io),
                    "difficulty": ["introductory", "interview", "competition"][n % 3],
                    "url": f"https://example.invalid/apps/{pid}",
                    "starter_code": "",
                }
            else:
                pid = n  # TACO has no id column: the row index
                row = {
                    "question": statement,
                    "solutions": json.dumps([reference]),
                    "starter_code": "",
                    "input_output": json.dumps(io),
                    "difficulty": ["EASY", "MEDIUM", "MEDIUM_HARD", "HARD"][n % 4],
                    "raw_tags": json.dumps(list(kernel.tags)).replace('"', "'"),
                    "name": kernel.title,
                    "source": ["codeforces", "atcoder", "codechef"][n % 3],
                    "tags": json.dumps(list(kernel.tags)).replace('"', "'"),
                    "skill_types": "[]",
                    "url": f"https://example.invalid/taco/{n}",
                    "Expected Auxiliary Space": None,
                    "time_limit": "None"
                    if n % 5 == 4
                    else f"{seconds} second{'s' if seconds > 1 else ''}",
                    "date": f"2021-0{1 + n % 9}-1{n % 10}",
                    "picture_num": "0",
                    "memory_limit": "None" if n % 5 == 4 else "256 megabytes",
                    "Expected Time Complexity": None,
                }
        else:
            contest = f"abc{900 + n}"
            pid = f"{contest}_{'abcd'[n % 4]}"
            public = [{"input": t[0], "output": t[1], "testtype": "stdin"} for t in tests[:2]]
            private = [{"input": t[0], "output": t[1], "testtype": "stdin"} for t in tests[2:]]
            row = {
                "question_title": kernel.title,
                "question_content": statement,
                "platform": "atcoder",
                "question_id": pid,
                "contest_id": contest,
                "contest_date": f"2024-0{1 + n % 9}-0{1 + n % 9}T00:00:00",
                "starter_code": "",
                "difficulty": ["easy", "medium", "hard"][n % 3],
                "public_test_cases": json.dumps(public),
                "private_test_cases": _lcb_private(private) if n % 2 else json.dumps(private),
                "metadata": "{}",
            }
        rows.append(row)
        pid = str(pid)
        programs.append(
            {
                "benchmark": bench,
                "id": pid,
                "role": "reference",
                "kind": f"{style}+{post}",
                "program": reference,
            }
        )
        for kind in CONTROLS:
            if kind == "wrong_case" and bench == "codecontests":
                continue  # case is free under CodeContests' rule: not wrong there
            prog = control_program(kind, kernel, tests[0][1].rstrip("\n"))
            if kind == "first_output" and len({t[1] for t in tests}) == 1:
                continue  # every test has the same answer: printing it would be right
            if prog is not None:
                programs.append(
                    {
                        "benchmark": bench,
                        "id": pid,
                        "role": "control",
                        "kind": kind,
                        "program": prog,
                    }
                )
    return rows, programs


def main() -> None:
    all_programs = []
    for bench in BENCHMARKS:
        rows, programs = rows_for(bench)
        with open(HERE / f"{bench}.jsonl", "w", encoding="utf-8") as f:
            for row in rows:
                f.write(json.dumps(row) + "\n")
        all_programs += programs
        print(f"{bench}: {len(rows)} problems, "
              f"{sum(p['role'] == 'control' for p in programs)} controls")
    with open(HERE / "programs.jsonl", "w", encoding="utf-8") as f:
        for p in all_programs:
            f.write(json.dumps(p) + "\n")


if __name__ == "__main__":
    main()
