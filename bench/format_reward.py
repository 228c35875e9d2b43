"""Format rewards side by side on the labelled format suite: our FormatVerifier (think_only
variant) vs TRL's `think_format_reward`, through each one's own signature, in one run: agreement
with the labels, false positives, false negatives, and time per call.
Run: python bench/format_reward.py  (needs the bench extra for TRL)"""

from __future__ import annotations

import platform
import time

from verifiers.testing.plugin import call_reward, suite_rows
from verifiers.text.format import FormatVerifier


def _measure(name: str, reward, rows, repeats: int = 200) -> tuple[str, int, int, int, float]:
    fp = fn = ok = 0
    for row in rows:
        graded = (call_reward(reward, row) or 0.0) >= 0.5
        ok += graded == row.expected
        fp += graded and not row.expected
        fn += row.expected and not graded
    start = time.perf_counter()
    for _ in range(repeats):
        for row in rows:
            call_reward(reward, row)
    us = (time.perf_counter() - start) / (repeats * len(rows)) * 1e6
    return name, ok, fp, fn, us


def main() -> None:
    rows = [r for r in suite_rows("format")
            if dict(r.config)["variant"] == "think_only" and not dict(r.config)["prefilled_think"]]
    results = [_measure("verity FormatVerifier(think_only)", FormatVerifier(variant="think_only"),
                        rows)]
    try:
        from trl.rewards import think_format_reward
    except ImportError:
        print("TRL not installed: pip install -e '.[bench]' to compare")
    else:
        results.append(_measure("trl think_format_reward", think_format_reward, rows))
    print(f"machine: {platform.machine()} CPython {platform.python_version()}; "
          f"{len(rows)} think-only rows")
    print(f"{'reward':36s} {'agree':>6s} {'FP':>4s} {'FN':>4s} {'us/call':>8s}")
    for name, ok, fp, fn, us in results:
        print(f"{name:36s} {ok:6d} {fp:4d} {fn:4d} {us:8.1f}")
    if len(results) == 2:
        print(f"time ratio verity/trl: {results[0][4] / results[1][4]:.2f}")


if __name__ == "__main__":
    main()
