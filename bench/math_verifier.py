"""Benchmark: Verity's MathAnswerVerifier vs math-verify called the way TRL / open-r1 call it, side
by side in one run on our labelled tables. Prints accuracy, false positives, false negatives,
latency per case (median / p99 / max) and throughput with 1 and 2 workers, with Verity/math-verify
ratios.

    python bench/math_verifier.py                 # both tables, all cases
    python bench/math_verifier.py --limit 200     # quicker
    python bench/math_verifier.py --show-errors   # list every misgraded case

Tables: `verifiers/testing/suites/math.py` (our test table: the implementation was developed
against it) and `bench/data/math_heldout.jsonl` (written separately from the rules, not used during
development).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from verifiers.base import Problem  # noqa: E402
from verifiers.math.verifier import MathAnswerVerifier  # noqa: E402
from verifiers.pool import close_shared_pools  # noqa: E402


@dataclass(frozen=True)
class Case:
    id: str
    gold: str
    completion: str
    label: float
    mode: str
    question: str


def load_tables() -> dict[str, list[Case]]:
    from verifiers.testing.suites.math import CASES

    tables = {"suite": [Case(c.id, c.gold, c.completion, c.expected, c.mode, c.question)
                        for c in CASES]}
    heldout = ROOT / "bench" / "data" / "math_heldout.jsonl"
    if heldout.exists():
        rows = [json.loads(line) for line in heldout.read_text(encoding="utf-8").splitlines()
                if line.strip()]
        tables["heldout"] = [Case(r["id"], r["gold"], r["completion"], float(r["label"]),
                                  r.get("mode", "strict"), r.get("question", "")) for r in rows]
    return tables


# --- math-verify, as open-r1's / TRL's accuracy_reward calls it --------------------------------

def math_verify_reward(gold: str, completion: str) -> float:
    from latex2sympy2_extended import NormalizationConfig
    from math_verify import LatexExtractionConfig, parse, verify

    try:
        # Dataset golds in those recipes are LaTeX inside $...$ or a solution with \boxed{}.
        gold_parsed = parse(f"${gold}$", extraction_mode="first_match")
        if not gold_parsed:
            return 0.0  # the recipes skip the sample (reward None): no reward either way
        answer_parsed = parse(
            completion,
            extraction_config=[LatexExtractionConfig(
                # open-r1 also passed equations=True, which math-verify 0.9 deprecates (the parser
                # handles equations itself) and which only prints a warning per call.
                normalization_config=NormalizationConfig(nits=False, malformed_operators=False,
                                                         basic_latex=True, boxed="all", units=True),
                boxed_match_priority=0, try_extract_without_anchor=False)],
            extraction_mode="first_match",
        )
        return float(verify(gold_parsed, answer_parsed))
    except Exception:  # noqa: BLE001 - the recipes catch and skip
        return 0.0


def _mv_case(case: Case) -> tuple[float, float]:
    start = time.perf_counter()
    reward = math_verify_reward(case.gold, case.completion)
    return reward, time.perf_counter() - start


# --- Verity ---------------------------------------------------------------------------------

_VERIFIERS: dict[tuple[str, int], MathAnswerVerifier] = {}


def _verity_case(case: Case, workers: int = 1) -> tuple[float, float]:
    v = _VERIFIERS.setdefault((case.mode, workers),
                              MathAnswerVerifier(mode=case.mode, workers=workers))
    start = time.perf_counter()
    verdict = v(completion=case.completion,
                problem=Problem(id=case.id, question=case.question, answer=case.gold))
    return verdict.score, time.perf_counter() - start


def _score(cases: list[Case], results: list[tuple[float, float]]) -> dict:
    rewards = [r for r, _ in results]
    lat = sorted(t for _, t in results)
    fp = [c.id for c, r in zip(cases, rewards) if r > 0.5 >= c.label]
    fn = [c.id for c, r in zip(cases, rewards) if r <= 0.5 < c.label]
    return {
        "accuracy": 1 - (len(fp) + len(fn)) / len(cases), "fp": fp, "fn": fn,
        "median_ms": statistics.median(lat) * 1e3,
        "p99_ms": lat[min(len(lat) - 1, int(0.99 * len(lat)))] * 1e3,
        "max_ms": lat[-1] * 1e3,
    }


def _throughput_verity(cases: list[Case], workers: int) -> float:
    close_shared_pools()  # fresh workers: no answer cached from an earlier pass
    _VERIFIERS.clear()
    for mode in {c.mode for c in cases}:  # start and warm the pool outside the timed region
        _verity_case(Case("warm", "1", r"\boxed{1}", 1, mode, ""), workers)
    start = time.perf_counter()
    with ThreadPoolExecutor(workers) as ex:
        list(ex.map(lambda c: _verity_case(c, workers), cases))
    return len(cases) / (time.perf_counter() - start)


def _throughput_math_verify(cases: list[Case], workers: int) -> float:
    # math-verify's timeouts use signal.alarm, so it parallelises by processes, not threads.
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        pool.map(_mv_case, cases[:4])  # warm
        start = time.perf_counter()
        pool.map(_mv_case, cases, chunksize=4)
        return len(cases) / (time.perf_counter() - start)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--limit", type=int, default=0, help="use only the first N cases of each table")
    ap.add_argument("--show-errors", action="store_true", help="list the ids of misgraded cases")
    args = ap.parse_args()
    for name, cases in load_tables().items():
        cases = cases[: args.limit] if args.limit else cases
        pos = sum(c.label > 0.5 for c in cases)
        print(f"\n== table {name}: {len(cases)} cases ({pos} correct, {len(cases) - pos} wrong) ==")
        # Throughput first, so that math-verify's forked pool inherits no answers from the latency
        # pass; every Verity measurement starts fresh worker processes.
        tp = {(g, w): (_throughput_verity if g == "verity" else _throughput_math_verify)(cases, w)
              for g in ("verity", "math-verify") for w in (1, 2)}
        close_shared_pools()
        _VERIFIERS.clear()
        # start the pool outside timing
        _verity_case(Case("warm", "1", r"\boxed{1}", 1, "strict", ""))
        ours = _score(cases, [_verity_case(c) for c in cases])
        peer = _score(cases, [_mv_case(c) for c in cases])
        print(f"{'grader':<12} {'accuracy':>9} {'FP':>4} {'FN':>4} {'median ms':>10} "
              f"{'p99 ms':>9} {'max ms':>9}")
        for label, s in (("verity", ours), ("math-verify", peer)):
            print(f"{label:<12} {s['accuracy']:>9.2%} {len(s['fp']):>4} {len(s['fn']):>4} "
                  f"{s['median_ms']:>10.2f} {s['p99_ms']:>9.1f} {s['max_ms']:>9.1f}")
            if args.show_errors:
                print(f"  false positives: {s['fp']}\n  false negatives: {s['fn']}")
        for w in (1, 2):
            print(f"throughput {w} worker(s): verity {tp[('verity', w)]:.0f}/s, math-verify "
                  f"{tp[('math-verify', w)]:.0f}/s, "
                  f"ratio {tp[('verity', w)] / tp[('math-verify', w)]:.2f}")
        print(f"median_latency_ratio={ours['median_ms'] / peer['median_ms']:.2f} "
              "(verity/math-verify, lower is better)")


if __name__ == "__main__":
    main()
