"""gold_shape names a gold's kind from its spelling; drop_summary turns loader reasons into the one
line the grader summary and the training log print (issue 13: no problem is dropped silently)."""

from __future__ import annotations

import pytest

from verifiers.math.shapes import drop_summary, gold_shape, shape_mark

SHAPES = [
    ("integer", "42", "integer"),
    ("negative-integer", "-7", "integer"),
    ("math-thousands", r"10,\!080", "list"),  # by spelling; the parser reads it as one number
    ("fraction", r"\frac{3}{4}", "fraction"),
    ("decimal", "3.25", "decimal"),
    ("interval", r"(-\infty, 3]", "interval or tuple"),
    ("tuple", "(2, -3)", "interval or tuple"),
    ("set", r"\{1, 2\}", "set"),
    ("text", r"\text{neither}", "text"),
    ("number-with-unit", r"5\text{ cm}", "with units"),
    ("dollars", r"\$16.20", "with units"),
    ("equation", "y = 2x + 3", "relation"),
    ("inequality", r"x \le 2", "inequality"),
    ("matrix", r"\begin{pmatrix} 1 \\ 2 \end{pmatrix}", "matrix"),
    ("radical", r"2\sqrt{3}", "radical or power"),
    ("choice", "(C)", "choice"),
]


@pytest.mark.parametrize("gold,shape", [pytest.param(*r[1:], id=r[0]) for r in SHAPES])
def test_gold_shape(gold: str, shape: str) -> None:
    assert gold_shape(gold) == shape


def test_drop_summary_counts_only_gold_drops_by_shape() -> None:
    yes = r"\text{yes}"
    no = r"\text{no}"
    reasons = [f"gold cannot be checked: ... {shape_mark(yes)}",
               f"gold '(1,2)' does not grade as correct against itself {shape_mark('(1,2)')}",
               f"gold cannot be checked: ... {shape_mark(no)}",
               "duplicate id (first on row 3)"]
    assert (
        drop_summary(reasons, 10)
        == "dropped 3 of 10 rows for their gold (2 text, 1 interval or tuple)"
    )
    assert drop_summary(["malformed JSON"], 10) == "no row of 10 dropped for its gold"
