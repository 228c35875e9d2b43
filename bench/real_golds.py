"""Real-data check: benchmark files in their upstream schema (read through `verifiers.benchmarks`,
as the grader and the training loader read them) -> per dataset, the share of golds that cannot be
parsed or fail against themselves, with the commonest failing shapes; then equivalent rewrites of
each gold that must be accepted and perturbations that must be rejected.

    python bench/real_golds.py                  # the shipped samples (bench/data/golds/)
    python bench/real_golds.py path/to/test.jsonl:math other.jsonl:gsm8k --show 5

A FILE:FORMAT argument names any local file in one of the math formats of `verifiers.benchmarks`
(math, deepscaler, gsm8k, aime). The shipped samples are 300 real rows each of MATH-500 and
GSM8K test plus golds written for this check, all in the upstream schemas (sources and licences in
bench/data/golds/README.md). `--mode lenient` also rewrites a gold as an unboxed final statement.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from verifiers import benchmarks  # noqa: E402
from verifiers.base import Problem  # noqa: E402
from verifiers.math.shapes import gold_shape  # noqa: E402
from verifiers.math.verifier import MathAnswerVerifier  # noqa: E402

SAMPLES = ROOT / "bench" / "data" / "golds"


def rewrites(gold: str, mode: str = "strict") -> list[tuple[str, str]]:
    """(name, completion) pairs that state the gold's value in another spelling (an anchored
    statement without a box only in lenient mode, the only mode that reads one)."""
    out = [("self", f"The answer is $\\boxed{{{gold}}}$."),
           ("r1-tags", f"<think>work</think><answer>{gold}</answer>"),
           ("spaced-box", f"$$\\boxed{{ {gold} }}$$")]
    if "\\frac" in gold:
        out.append(("dfrac", f"\\boxed{{{gold.replace(chr(92) + 'frac', chr(92) + 'dfrac')}}}"))
    plain = gold.replace(",\\!", "")
    if re.fullmatch(r"-?\d{4,}", plain):
        out.append(("thousands-comma", f"\\boxed{{{int(plain):,}}}"))
    if re.fullmatch(r"-?\d+", plain):
        out.append(("decimal-point", f"\\boxed{{{plain}.0}}"))
    if re.fullmatch(r"\(.*\)", gold) and "\\left" not in gold:
        out.append(("left-right", f"\\boxed{{\\left{gold[:-1]}\\right)}}"))
    # Spellings a model writes for the same value.
    if mode == "lenient":
        out.append(("dollars", f"The final answer is ${gold}$."))
        out.append(("bare-display", f"Collecting the terms gives the result.\n$$ {gold} $$"))
    out.append(("final-line", f"Collecting the terms gives the result.\n\n$$\\boxed{{{gold}}}$$"))
    m = re.fullmatch(r"(-?)\\frac\{(\d+)\}\{(\d+)\}", gold)
    if m:
        out.append(("slash-fraction", f"\\boxed{{{m.group(1)}{m.group(2)}/{m.group(3)}}}"))
        p, q = int(m.group(2)), int(m.group(3))
        if q and all(f in (2, 5) for f in _prime_factors(q)):
            out.append(("exact-decimal", f"\\boxed{{{m.group(1)}{_exact_decimal(p, q)}}}"))
    if re.search(r"\\sqrt\{\d\}", gold):
        bare = re.sub(r"\\sqrt\{(\d)\}", r"\\sqrt\1", gold)
        out.append(("sqrt-no-braces", f"\\boxed{{{bare}}}"))
    spaced = re.sub(r",(?!\\!)(?!\d{3}(?!\d))\s*", ", ", gold)  # list commas, not thousands
    if spaced != gold and not gold.startswith("\\begin"):
        out.append(("spaced-commas", f"\\boxed{{{spaced}}}"))
    if (re.fullmatch(r"[^=<>]+", gold) and re.search(r"\d", gold)
            and not re.search(r"[a-zA-Z]{2,}|,", gold.replace("\\", " "))):
        out.append(("named", f"\\boxed{{x = {gold}}}"))
    if re.fullmatch(r"-?\d+(?:\.\d+)?\^\\circ", gold):
        out.append(("degrees-word", f"\\boxed{{{gold[:-6]}}} degrees"))
    if re.fullmatch(r"-?\d+(?:\.\d+)?\\%", gold):
        out.append(("percent-word", f"\\boxed{{{gold[:-2]} \\text{{ percent}}}}"))
    if re.fullmatch(r"\\\$\s*[\d.,]+", gold):
        out.append(("no-dollar-sign", f"\\boxed{{{gold[2:].strip()}}}"))
    tight = re.sub(r"(?<!\\)\s*([,+=<>()]|(?<=\w)-)\s*", r"\1", gold)  # spaces around operators
    if tight != gold and not re.search(r"\\text|\\mbox|[A-Za-z]{2,}\s+[A-Za-z]{2,}|\\!", gold):
        out.append(("no-spaces", f"\\boxed{{{tight}}}"))
    if "\\cdot" in gold:
        times = gold.replace("\\cdot", "\\times")
        out.append(("times-for-cdot", f"\\boxed{{{times}}}"))
    braced = re.sub(r"\^(\d)", r"^{\1}", gold)
    if braced != gold:
        out.append(("braced-exponent", f"\\boxed{{{braced}}}"))
    if "\\pi" in gold:
        with_pi = re.sub(r"\\pi(?![a-zA-Z])", "π", gold)
        out.append(("unicode-pi", f"\\boxed{{{with_pi}}}"))
    out.append(("period-in-box", f"\\boxed{{{gold}.}}"))
    m = re.fullmatch(r"\\\{([^{}]*)\\\}", gold)
    if m and "," in m.group(1):
        items = [i.strip() for i in m.group(1).split(",")]
        out.append(("set-reordered", f"\\boxed{{\\{{{', '.join(items[::-1])}\\}}}}"))
    if re.fullmatch(r"[A-Za-z][A-Za-z ]*", gold) and len(gold) > 3:
        out.append(("text-wrapped", f"\\boxed{{\\text{{{gold}}}}}"))
    if re.fullmatch(r"\\text\{\s*\(?([A-E])\)?\s*\}", gold):
        letter = re.sub(r"[^A-E]", "", gold[5:])
        out.append(("bare-letter", f"\\boxed{{{letter}}}"))
    return out


def _prime_factors(n: int) -> set[int]:
    out, d = set(), 2
    while d * d <= n:
        while n % d == 0:
            out.add(d)
            n //= d
        d += 1
    return out | ({n} if n > 1 else set())


def _exact_decimal(p: int, q: int) -> str:
    """p/q written out exactly, for q with no prime factors but 2 and 5."""
    places = 0
    while (p * 10**places) % q:
        places += 1
    whole = p * 10**places // q
    text = str(whole).rjust(places + 1, "0")
    return f"{text[:-places]}.{text[-places:]}" if places else text


def perturbations(gold: str) -> list[tuple[str, str]]:
    """(name, completion) pairs whose value differs from the gold's."""
    out = []
    plain = gold.replace(",\\!", "")
    if re.fullmatch(r"-?\d+", plain):
        out.append(("plus-one", f"\\boxed{{{int(plain) + 1}}}"))
        out.append(("plus-one-as-decimal", f"\\boxed{{{int(plain) + 1}.0}}"))
    letter = re.match(r"^\(?\\text(?:bf|rm)?\{\s*\(?([A-E])\)?\s*\}\)?", gold)
    if letter:  # a choice gold: its letter is the answer, so another letter is the perturbation
        other = "ABCDE"[("ABCDE".index(letter.group(1)) + 1) % 5]
        start, end = letter.span(1)
        out.append(("other-letter", f"\\boxed{{{gold[:start]}{other}{gold[end:]}}}"))
        return out
    # The last digit of the value: not a unit's exponent (`\text{ cm}^2`), not an approximation
    # written after the value (`\frac23 \approx 0.67`).
    value_part = gold.split("\\approx")[0] if gold.count("\\approx") == 1 else gold
    unit_exponents = [m.span() for m in re.finditer(
        r"\\(?:text|mbox|mathrm)\{[^{}]*\}\s*\^\s*\{?\d\}?", value_part)]
    digits = [m for m in re.finditer(r"\d", value_part)
              if not any(a <= m.start() < b for a, b in unit_exponents)]
    if digits:
        last = digits[-1]
        bumped = gold[: last.start()] + str((int(last.group()) + 1) % 10) + gold[last.end():]
        out.append(("last-digit", f"\\boxed{{{bumped}}}"))
    m = re.fullmatch(r"\((-?\d+),\s*(-?\d+)\)", gold)
    if m and m.group(1) != m.group(2):
        out.append(("swapped-pair", f"\\boxed{{({m.group(2)}, {m.group(1)})}}"))
    if re.fullmatch(r"[\d.]+|\\frac\{\d+\}\{\d+\}|\\sqrt\{\d+\}", gold) and gold.strip("0.") != "":
        out.append(("negated", f"\\boxed{{-{gold}}}"))
    return out


def measure(path: str, fmt: str, verifier: MathAnswerVerifier, show: int) -> dict:
    loaded = benchmarks.load(path, fmt, check_golds=False)
    golds = list(dict.fromkeys(p.answer for p in loaded.problems if p.answer))
    unparseable = []
    self_fail = []
    rw = Counter()
    pt = Counter()
    rw_miss = []
    pt_hit = []
    for k, gold in enumerate(golds):
        problem = Problem(f"g{k}", "", gold)
        own = verifier(completion=f"\\boxed{{{gold}}}", problem=problem)
        if own.reason == "gold_unparseable":
            unparseable.append(gold)
            continue
        if own.score != 1.0:
            self_fail.append(gold)
            continue
        for name, completion in rewrites(gold, verifier.mode):
            ok = verifier(completion=completion, problem=problem).score == 1.0
            rw[ok] += 1
            if not ok:
                rw_miss.append((name, gold))
        for name, completion in perturbations(gold):
            hit = verifier(completion=completion, problem=problem).score == 1.0
            pt[hit] += 1
            if hit:
                pt_hit.append((name, gold))
    shapes = Counter(gold_shape(g) for g in unparseable + self_fail)
    n = len(golds) or 1
    print(f"\n== {Path(path).name} ({fmt}): {len(loaded.problems)} rows, "
          f"{len(golds)} distinct golds, {len(loaded.rejects)} rows unreadable ==")
    print(f"gold_unparseable {len(unparseable) / n:.2%} ({len(unparseable)}), "
          f"fail against itself {len(self_fail) / n:.2%} ({len(self_fail)}), "
          f"self-check {(n - len(unparseable) - len(self_fail)) / n:.2%}")
    if shapes:
        print("failing shapes: " + ", ".join(f"{s} {c}" for s, c in shapes.most_common(6)))
        for g in (unparseable + self_fail)[:show]:
            print(f"  {gold_shape(g):<18} {g[:90]!r}")
    total_rw, total_pt = sum(rw.values()) or 1, sum(pt.values()) or 1
    print(f"equivalent rewrites accepted {rw[True] / total_rw:.2%} of {sum(rw.values())}; "
          f"perturbations rejected {pt[False] / total_pt:.2%} of {sum(pt.values())} "
          f"(false positives: {pt[True]})")
    if rw_miss:
        print("rewrites missed by kind: " + ", ".join(
            f"{k} {c}" for k, c in Counter(n for n, _ in rw_miss).most_common()))
    for name, g in rw_miss[:show]:
        print(f"  rewrite missed  {name:<16} {g[:80]!r}")
    for name, g in pt_hit[:show]:
        print(f"  perturbation ACCEPTED {name:<16} {g[:80]!r}")
    return {"golds": len(golds), "bad": len(unparseable) + len(self_fail), "rw": rw, "pt": pt}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("files", nargs="*", help="FILE:FORMAT pairs (default: the shipped samples)")
    ap.add_argument("--show", type=int, default=3, help="examples to print per failure class")
    ap.add_argument("--mode", default="strict", choices=("strict", "lenient"))
    args = ap.parse_args()
    pairs = [f.rsplit(":", 1) for f in args.files] or [
        (str(p), p.stem.split("_")[0]) for p in sorted(SAMPLES.glob("*.jsonl"))]
    if not pairs:
        sys.exit(f"no input: pass FILE:FORMAT pairs or restore {SAMPLES}")
    verifier = MathAnswerVerifier(mode=args.mode)
    start = time.perf_counter()
    totals = {"golds": 0, "bad": 0, "rw": Counter(), "pt": Counter()}
    for path, fmt in pairs:
        r = measure(path, fmt, verifier, args.show)
        totals["golds"] += r["golds"]
        totals["bad"] += r["bad"]
        totals["rw"] += r["rw"]
        totals["pt"] += r["pt"]
    g = totals["golds"] or 1
    print(f"\nALL: {totals['golds']} golds, self-check {(g - totals['bad']) / g:.2%}, "
          f"rewrites accepted {totals['rw'][True] / (sum(totals['rw'].values()) or 1):.2%}, "
          f"perturbations rejected {totals['pt'][False] / (sum(totals['pt'].values()) or 1):.2%} "
          f"({totals['pt'][True]} false positives) in {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
