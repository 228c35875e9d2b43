"""Names the coarse shape of a gold answer string (integer, fraction, interval, text, ...) from its
spelling alone, so that dropped or failing golds can be counted by kind in one line. It parses
nothing and judges nothing: a shape is a label for reports, never an input to grading.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

# First match wins: the order goes from the most telling marks to the plainest.
_SHAPES = (
    ("matrix", re.compile(r"\\begin\{")),
    ("choice", re.compile(r"^\(?[A-E]\)?$|\\textbf\{\([A-E]\)")),
    ("text", re.compile(r"^[^\d]*\\(?:text|mbox|mathrm|textnormal)\{[^{}]*[a-zA-Z]{2}|"
                        r"^[A-Za-z][A-Za-z ,.'-]{3,}$")),
    ("inequality", re.compile(r"\\[lg]eq?(?![a-z])|<|>")),
    ("relation", re.compile(r"=")),
    ("set", re.compile(r"\\\{")),
    ("interval or tuple", re.compile(r"^\\?(?:left)?[(\[].*[)\]]$")),
    ("list", re.compile(r",")),
    ("with units", re.compile(r"\\(?:text|mbox|mathrm)\{|\^\\circ|\\%|\\\$")),
    ("integer", re.compile(r"^[-+]?\d+$")),
    ("decimal", re.compile(r"^[-+]?\d*\.\d+$")),
    ("fraction", re.compile(r"^[-+]?\\[dt]?frac\{\d+\}\{\d+\}$|^[-+]?\d+/\d+$")),
    ("radical or power", re.compile(r"\\sqrt|\^")),
    ("symbolic", re.compile(r"[a-zA-Z]")),
)


def gold_shape(gold: str) -> str:
    """`\\left[ 1, 2 \\right)` -> "interval or tuple", `10,\\!080` -> "list" (by spelling), ..."""
    s = gold.strip().strip("$").strip()
    for name, pattern in _SHAPES:
        if pattern.search(s):
            return name
    return "other"


def shape_counts(golds: Iterable[str]) -> Counter[str]:
    return Counter(gold_shape(g) for g in golds)


# How a loader's reason for dropping a row names the gold's shape (see
# `verifiers.benchmarks.gold_problem`).
SHAPE_MARK = "[gold shape: {}]"
_MARK_RE = re.compile(r"\[gold shape: ([^\]]+)\]")


def shape_mark(gold: str) -> str:
    return SHAPE_MARK.format(gold_shape(gold))


def drop_summary(reasons: Iterable[str], total: int) -> str:
    """One line for a log from the reasons rows were dropped for:
    "dropped 3 of 500 rows for their gold (2 text, 1 interval or tuple)". Reasons without a shape
    mark (malformed lines, duplicate ids) are not gold drops and are not counted."""
    counts = Counter(m.group(1) for r in reasons if (m := _MARK_RE.search(r)))
    n = sum(counts.values())
    if not n:
        return f"no row of {total} dropped for its gold"
    shapes = ", ".join(f"{c} {name}" for name, c in counts.most_common())
    return f"dropped {n} of {total} rows for their gold ({shapes})"
