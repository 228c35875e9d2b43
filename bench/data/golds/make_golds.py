"""Writes the gold samples of bench/real_golds.py in the upstream schemas (MATH, GSM8K, AIME):
golds written for this project in the shapes those benchmarks use (MATH's `,\\!` thousands, `\\$`
amounts, intervals, tuples, matrices, text answers, ...), never copied from the benchmarks.

    python bench/data/golds/make_golds.py
        # rewrites math_samples.jsonl, gsm8k_samples.jsonl, aime_samples.jsonl
"""

from __future__ import annotations

import json
import random
from pathlib import Path

HERE = Path(__file__).resolve().parent

# Fixed MATH-style golds, one per shape the benchmark writes (hand-written).
MATH_FIXED = [
    r"10,\!080", r"\$16,\!386.20", r"\frac{12}{5,\!525}", r"1,\!000,\!000", r"\$1,\!200",
    r"\$32.50", r"\frac{3}{4}", r"-\frac{7}{2}", r"\dfrac{5}{12}", r"\tfrac{1}{6}", r"2\sqrt{3}",
    r"\frac{\sqrt{3}}{2}", r"3\sqrt{2}", r"\sqrt{13}", r"4\pi", r"\frac{9\pi}{2}",
    r"12\pi - 18\sqrt{3}", r"\frac{1}{2}\pi", r"(-\infty, 3]", r"[2, 5)",
    r"(-\infty,-2)\cup(3,\infty)", r"(-3, \infty)", r"[-1, 1]", r"(0, \frac{1}{2}]",
    r"\left( -\infty, \frac{8}{3} \right]", r"(2, -3)", r"(1, 2, 3)",
    r"\left( 3, \frac{\pi}{2} \right)", r"(6, 8)", r"1, 2, 3", r"-2, 1", r"3, 5, 7", r"\text{(C)}",
    r"\text{(A)}", r"\text{Monday}", r"\text{even}", r"\text{neither}", r"\text{odd}", r"30^\circ",
    r"120^\circ", r"25\%", r"12.5\%", r"0.25", r"3.6", r"1.5",
    r"\begin{pmatrix} 1 & 2 \\ 3 & 4 \end{pmatrix}", r"\begin{pmatrix} 2 \\ -1 \end{pmatrix}",
    r"\begin{pmatrix} \frac{1}{3} \\ -\frac{2}{3} \\ \frac{2}{3} \end{pmatrix}",
    r"\begin{pmatrix} -1 & 0 \\ 0 & -1 \end{pmatrix}", r"x^2 + 2x + 1", r"y = 2x + 3",
    r"x^2 + y^2 = 25", r"2x - 3y = 6", r"3x^2 - 5x + 2", r"1011_2", r"2014_5", r"11^{\text{th}}",
    r"\frac{1}{2}", r"-1", r"0", r"\infty", r"x \in [-2, 7]", r"-\frac{1}{3}", r"\frac{25}{4}",
    r"\sqrt{2} + 1", r"\frac{1 + \sqrt{5}}{2}", r"2 - \sqrt{3}", r"5\sqrt{2}",
    r"\frac{\sqrt{6}}{3}", r"\$18.90", r"72", r"1.25",
]


def _int_with_bang(n: int) -> str:
    return f"{n:,}".replace(",", ",\\!")


def math_golds(rng: random.Random) -> list[str]:
    golds = list(MATH_FIXED)
    for _ in range(60):
        golds.append(str(rng.randint(-50, 999)))
    for _ in range(30):
        golds.append(_int_with_bang(rng.randint(1_000, 9_999_999)))
    for _ in range(30):
        p, q = rng.randint(1, 40), rng.randint(2, 60)
        golds.append(("-" if rng.random() < 0.2 else "") + rf"\frac{{{p}}}{{{q}}}")
    for _ in range(20):
        golds.append(rf"{rng.randint(2, 9)}\sqrt{{{rng.choice([2, 3, 5, 6, 7, 10, 11])}}}")
    for _ in range(15):
        a, b = sorted(rng.sample(range(-20, 30), 2))
        golds.append(f"{rng.choice('([')}{a}, {b}{rng.choice(')]')}")
    for _ in range(15):
        golds.append(f"({rng.randint(-9, 9)}, {rng.randint(-9, 9)})")
    for _ in range(10):
        golds.append(rf"\${rng.randint(1, 999)}.{rng.randint(10, 99)}")
    return list(dict.fromkeys(golds))


def main() -> None:
    rng = random.Random(20261207)
    with open(HERE / "math_samples.jsonl", "w", encoding="utf-8") as f:
        for k, gold in enumerate(math_golds(rng)):
            solution = f"Working through the steps, the result is $\\boxed{{{gold}}}$."
            row = {"problem": f"Sample problem {k} (written for this check).", "level": "Level 3",
                   "type": "Sample", "solution": solution}
            f.write(json.dumps(row) + "\n")
    with open(HERE / "gsm8k_samples.jsonl", "w", encoding="utf-8") as f:
        for k in range(100):
            n = rng.choice([rng.randint(1, 200), rng.randint(1_000, 99_999), rng.randint(-50, -1)])
            shown = f"{n:,}" if rng.random() < 0.3 else str(n)
            row = {"question": f"Sample word problem {k} (written for this check).",
                   "answer": f"First step <<2*3=6>>6.\nSo the total is {shown}.\n#### {shown}"}
            f.write(json.dumps(row) + "\n")
    with open(HERE / "aime_samples.jsonl", "w", encoding="utf-8") as f:
        for k in range(50):
            row = {"id": f"sample-{k}",
                   "problem": f"Sample contest problem {k} (written for this check).",
                   "answer": str(rng.randint(0, 999)).zfill(rng.choice([1, 3]))}
            f.write(json.dumps(row) + "\n")


if __name__ == "__main__":
    main()
