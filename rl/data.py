"""Problems for training and evaluation: procedural arithmetic, JSONL files and a resumable
stream, all as `verifiers.base.Problem`; it does not format prompts or judge answers."""

from __future__ import annotations

import json
import random
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from verifiers.base import Problem

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


def arithmetic_sample(split: str, n_per_op: int, seed: int, ops: Sequence[str] = ("+", "-", "*")) -> list[Problem]:
    """A sample balanced across operators: up to n_per_op problems of each, from one split
    (the pools differ in size by 10x, so unbalanced sampling would hardly see multiplication)."""
    rng = random.Random(seed)
    out: list[Problem] = []
    for op in ops:
        pool = arithmetic_pool(split, [op])
        out += rng.sample(pool, min(n_per_op, len(pool)))
    return out


def load_jsonl(path: str | Path, question_key: str = "question", answer_key: str = "answer") -> list[Problem]:
    """One Problem per line; ids default to the line number."""
    rows = []
    for k, line in enumerate(Path(path).read_text().splitlines()):
        if line.strip():
            row = json.loads(line)
            rows.append(Problem(id=str(row.get("id", k)), question=row[question_key],
                                answer=str(row[answer_key]), meta={"source": str(path)}))
    return rows


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

    def __iter__(self) -> Iterator[Problem]:
        while True:
            yield from self.take(1)
