"""Pure statistics of offline evaluation: the unbiased pass@k estimator, maj@k answer votes and
their aggregation over graded rows (overall and per source) into eval.json's summary and
table.txt; it samples, grades and reads nothing (rl/evaluate.py, the Hydra entry, does).

pass@k is the unbiased estimator of Chen et al. 2021 (arXiv:2107.03374, eq. 1) over the k samples
of a problem; maj@k votes over the committed final answers (see vote_key and majority_vote).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction

from verifiers.extract import committed_answer
from verifiers.math.latex_norm import normalize

SOURCE_UNKNOWN = "unknown"


def pass_at_k(n: int, c: int, k: int) -> float:
    """P(at least one of k samples drawn without replacement from n, c of them correct, passes)
    = 1 - C(n-c, k) / C(n, k), computed as the product 1 - prod_{i=n-c+1}^{n} (1 - k/i), which
    never forms the huge binomials (Chen et al. 2021)."""
    if not (0 <= c <= n and 1 <= k <= n):
        raise ValueError(f"pass_at_k(n={n}, c={c}, k={k}) needs 0 <= c <= n and 1 <= k <= n")
    if n - c < k:  # every k-subset contains a correct sample
        return 1.0
    prod = 1.0
    for i in range(n - c + 1, n + 1):
        prod *= 1.0 - k / i
    return 1.0 - prod


_NUMBER_RE = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)")
_FRACTION_RE = re.compile(r"([+-]?)(?:\\frac\{(\d+)\}\{(\d+)\}|(\d+)/(\d+))")


def vote_key(completion: str, mode: str = "strict") -> str | None:
    """The committed final answer in a canonical spelling, or None when there is none (abstains)."""
    ex = committed_answer(completion, mode)  # type: ignore[arg-type]
    if ex.status != "ok":
        return None
    text = re.sub(r"\s+", "", normalize(ex.candidates[-1]).text)
    if _NUMBER_RE.fullmatch(text):
        return str(Fraction(Decimal(text)))
    m = _FRACTION_RE.fullmatch(text)
    if m and int(m[3] or m[5]) != 0:
        value = Fraction(int(m[2] or m[4]), int(m[3] or m[5]))
        return str(-value if m[1] == "-" else value)
    return text


def majority_vote(keys: Sequence[str | None], passed: Sequence[bool]) -> float:
    """Correctness of the most frequent answer among `keys` (None abstains); a group is correct
    when any member passed. Ties score the share of tied groups that are correct (the expected
    value of a random tie-break); no answer at all scores 0."""
    groups: dict[str, list[bool]] = defaultdict(list)
    for key, ok in zip(keys, passed, strict=True):
        if key is not None:
            groups[key].append(ok)
    if not groups:
        return 0.0
    top = max(len(v) for v in groups.values())
    tied = [any(v) for v in groups.values() if len(v) == top]
    return sum(tied) / len(tied)


def aggregate(rows: Sequence[dict], k: int) -> dict:
    """Metrics over per-problem rows (results.jsonl lines): means over problems of pass@{1,k},
    maj@k over the problems that voted, sample counts and per-reward reason histograms."""
    out: dict = {"problems": len(rows), "samples": sum(len(r["passed"]) for r in rows)}
    for j in sorted({1, k}):
        out[f"pass@{j}"] = sum(
            pass_at_k(len(r["passed"]), sum(r["passed"]), j) for r in rows
        ) / max(len(rows), 1)
    voted = [r["maj"] for r in rows if r.get("maj") is not None]
    out[f"maj@{k}"] = sum(voted) / len(voted) if voted else None
    greedy = [r["greedy"]["passed"] for r in rows if r.get("greedy")]
    if greedy:
        out["greedy_pass@1"] = sum(greedy) / len(greedy)
    out["masked"] = sum(sum(r["masked"]) for r in rows)
    out["finish"] = dict(Counter(f for r in rows for f in r["finish"]))
    reasons: dict[str, Counter] = defaultdict(Counter)
    for r in rows:
        for name, codes in r["reasons"].items():
            reasons[name].update(codes)
    out["reasons"] = {name: dict(c.most_common()) for name, c in reasons.items()}
    return out


def summarize(rows: Sequence[dict], k: int) -> dict:
    """{"overall": aggregate(all), "per_source": {source: aggregate(rows of that source)}}."""
    by_source: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        by_source[r["source"]].append(r)
    return {
        "overall": aggregate(rows, k),
        "per_source": {s: aggregate(v, k) for s, v in sorted(by_source.items())},
    }


def format_table(summary: dict, k: int) -> str:
    """The metrics as aligned text: one row per source then `all`, then reason shares."""
    cols = [
        "problems",
        "samples",
        *(f"pass@{j}" for j in sorted({1, k})),
        f"maj@{k}",
        "greedy_pass@1",
        "masked",
    ]
    rows = [*summary["per_source"].items(), ("all", summary["overall"])]
    cols = [c for c in cols if any(c in m for _, m in rows)]
    cell = lambda v: "-" if v is None else f"{v:.3f}" if isinstance(v, float) else str(v)  # noqa: E731
    width = max(len(s) for s, _ in rows) + 2
    lines = ["source".ljust(width) + "".join(c.rjust(14) for c in cols)]
    lines += [s.ljust(width) + "".join(cell(m.get(c)).rjust(14) for c in cols) for s, m in rows]
    samples = max(summary["overall"]["samples"], 1)
    for name, hist in summary["overall"]["reasons"].items():
        lines.append(
            f"reasons[{name}]: " + ", ".join(f"{r} {n / samples:.1%}" for r, n in hist.items())
        )
    lines.append(
        "finish: "
        + ", ".join(f"{r} {n / samples:.1%}" for r, n in summary["overall"]["finish"].items())
    )
    return "\n".join(lines)
