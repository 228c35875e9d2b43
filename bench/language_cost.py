"""Cost of LanguageVerifier per 1,000 characters of completion (target: <= 1 ms), measured on
English, Chinese and mixed reasoning with LaTeX and code. Run: python bench/language_cost.py"""

from __future__ import annotations

import platform
import time

from verifiers.base import Problem
from verifiers.text.language import LanguageVerifier

TEXTS = {
    "english+latex": "We compute $\\frac{a}{b} + \\sqrt{2}$ and check the value again. ",
    "chinese+latex": "我们先计算 $x^2+1$ 的值，然后再检查一次结果。",
    "mixed+code": "首先 we compute the sum 然后 `f(x)` 得到 42. Wait, 等一下.\n",
    "japanese": "まず $x=2$ を代入します。これは日本語の文です。",
}


def main(chars: int = 20_000, repeats: int = 20) -> None:
    verifier = LanguageVerifier()
    problem = Problem(id="bench", meta={"language": "en"})
    print(f"machine: {platform.machine()} {platform.python_implementation()} "
          f"{platform.python_version()}")
    for name, unit in TEXTS.items():
        completion = ("<think>" + (unit * (chars // len(unit) + 1))[:chars]
                      + "</think><answer>5</answer>")
        best = float("inf")
        for _ in range(repeats):
            start = time.perf_counter()
            verifier(completion=completion, problem=problem)
            best = min(best, time.perf_counter() - start)
        print(f"{name:15s} {best / len(completion) * 1000 * 1000:.3f} ms per 1,000 chars "
              f"(best of {repeats})")


if __name__ == "__main__":
    main()
