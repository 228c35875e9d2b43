"""The typed values an answer string becomes (numbers, named values, regions, tuples, sets,
matrices, choices, text) and the verdict words; pure data: parsing lives in `parsing`/`numbers`,
equality in `comparison`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sympy


@dataclass(frozen=True)
class Scalar:
    expr: sympy.Basic
    decimal: bool = False
    percent: bool = False
    # Half a unit in the last written digit of a decimal (0.05 for `2.0`): how far the exact value
    # it claims to round may lie. None for exact values.
    half_ulp: sympy.Rational | None = None


@dataclass(frozen=True)
class Assign:  # `x = 3`: a named value
    var: str
    value: Scalar


@dataclass(frozen=True)
class Equation:  # a relation between variables (lines, circles), stored as lhs - rhs = 0
    zero: sympy.Basic


@dataclass(frozen=True)
class Region:  # a subset of the real line: intervals, unions, inequalities, R
    set: sympy.Set
    # (lo, hi) Scalars of a single interval as written, for the decimal policy
    ends: tuple[Scalar, ...] = ()


@dataclass(frozen=True)
class Tuple:  # ordered; `(a, b)` is also read as an open interval when compared with one
    items: tuple[Any, ...]  # values of this module (Any: comparison dispatches on their type)
    paren_pair: bool = False


@dataclass(frozen=True)
class Collection:  # unordered: `\{...\}` sets, bare lists, "a or b", `a \pm b`
    items: tuple[Any, ...]  # as Tuple.items
    kind: str = "list"  # "set" | "list" | "or" | "pm"


@dataclass(frozen=True)
class Matrix:
    rows: tuple[tuple[Any, ...], ...]  # rows of values, as Tuple.items


@dataclass(frozen=True)
class Choice:
    letters: frozenset[str]
    value: object = None  # AMC-style gold `\textbf{(C)}\ 17` also names the option's value


@dataclass(frozen=True)
class Text:
    words: str
    verbatim: bool = False  # a gold read as written (no value): compared as written, not by words


@dataclass(frozen=True)
class Unparseable:
    why: str = ""
    hedge: bool = False  # unreadable because it offers alternatives ("5 (or 6)")


CORRECT = "correct"
WRONG = "wrong_answer"
HEDGED = "hedged"


def as_region(v: object) -> sympy.Set | None:
    if isinstance(v, Region):
        return v.set
    if (
        isinstance(v, Collection)
        and v.kind == "set"
        and all(isinstance(i, Scalar) for i in v.items)
    ):
        return sympy.FiniteSet(*(i.expr for i in v.items))
    if isinstance(v, Tuple) and v.paren_pair and all(isinstance(i, Scalar) for i in v.items):
        # `(1, 2)` may be the open interval; `(3, 1)` and `(0, 0)` are points, never the empty set.
        try:
            if bool(v.items[0].expr < v.items[1].expr):
                return sympy.Interval.open(v.items[0].expr, v.items[1].expr)
        except Exception:  # noqa: BLE001
            return None
    return None
