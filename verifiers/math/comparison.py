"""Equality of value between a gold value and a candidate value: CORRECT, WRONG or HEDGED, as a
dispatch on the gold's type (the gold defines what counts). Numbers and expressions compare by
`numeric`'s rules (exact values exactly, decimals by rounding). It does not parse strings
(`parsing`) nor produce verdicts (`verifier`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import sympy
from sympy import S
from sympy.core.function import AppliedUndef

from verifiers.math.numeric import evaluate, scalar_equal
from verifiers.math.values import (
    CORRECT,
    HEDGED,
    WRONG,
    Assign,
    Choice,
    Collection,
    Equation,
    Matrix,
    Region,
    Scalar,
    Text,
    Tuple,
    Unparseable,
    as_region,
)


def _values(v: Collection) -> tuple[Any, ...]:
    return tuple(i.value if isinstance(i, Assign) else i for i in v.items)


def _items(v: object) -> tuple[Any, ...] | None:
    return _values(v) if isinstance(v, Collection) else None


def _named(v: Collection) -> dict[str, Scalar] | None:
    if not v.items or not all(isinstance(i, Assign) for i in v.items):
        return None
    names = {i.var.lower(): i.value for i in v.items}
    if len(names) != len(v.items):  # `R = 5, r = 2`: case tells the names apart
        names = {i.var: i.value for i in v.items}
    return names if len(names) == len(v.items) else None


def _same_name(a: str, b: str) -> bool:
    """`X` is `x`, but `\\frac{R}{r}` is not `\\frac{r}{R}`: case counts once a name has two
    letters."""
    a, b = re.sub(r"\s+", "", a), re.sub(r"\s+", "", b)
    return a == b or (a.lower() == b.lower() and len(re.findall(r"[A-Za-z]", a)) == 1)


_COORDINATES = ("xyz", "abcd", "pqr", "mn", "uvw", "ijk", "st")


def _out_of_order(names: list[str]) -> bool:
    """`y = 1, x = 2` for the point (1, 2): coordinates named out of their usual order."""
    return any(all(n in group for n in names) and [group.index(n) for n in names]
               != sorted(group.index(n) for n in names) for group in _COORDINATES)


def _match_unordered(gold: tuple[Any, ...], cand: tuple[Any, ...], rel_tol: float) -> bool:
    if len(gold) != len(cand):
        return False
    left = list(cand)
    for g in gold:
        for k, c in enumerate(left):
            if compare(g, c, rel_tol) == CORRECT:
                del left[k]
                break
        else:
            return False
    return True


def _match_ordered(gold: tuple[Any, ...], cand: tuple[Any, ...], rel_tol: float) -> bool:
    return len(gold) == len(cand) and all(
        compare(g, c, rel_tol) == CORRECT for g, c in zip(gold, cand)
    )


def _distinct(items: tuple[Any, ...], rel_tol: float) -> tuple[Any, ...]:
    out: list[Any] = []
    for it in items:
        if not any(compare(o, it, rel_tol) == CORRECT for o in out):
            out.append(it)
    return tuple(out)


def _equation_equal(g: sympy.Basic, c: sympy.Basic) -> bool:
    """Two equations describe the same curve when lhs - rhs differ by a nonzero constant factor."""
    if g == 0 or c == 0:
        return bool(g == c)
    if not (g.free_symbols and c.free_symbols):
        return False  # `R/r = 2` read with R and r as one letter: a false constant, no curve
    try:
        ratio = sympy.cancel(g / c)
    except Exception:  # noqa: BLE001
        return False
    return not ratio.free_symbols and ratio != 0 and ratio.is_finite is not False


def _as_equation(v: object) -> sympy.Basic | None:
    if isinstance(v, Equation):
        return v.zero
    if isinstance(v, Assign):
        return sympy.expand(
            sympy.Symbol(v.var.lower() if len(v.var) == 1 else v.var) - v.value.expr
        )
    return None


def _ends_equal(gold: Region, cand: object, cs: sympy.Set, rel_tol: float) -> bool:
    """An interval written with decimal endpoints gets the scalar decimal policy per endpoint
    (`(2.6666667, 5]` for `(8/3, 5]`): same openness, each end a correct rounding."""
    g = gold.set
    c = cs
    if not (isinstance(g, sympy.Interval) and isinstance(c, sympy.Interval)):
        return False
    if (g.left_open, g.right_open) != (c.left_open, c.right_open):
        return False
    c_ends = (
        cand.ends if isinstance(cand, Region) else cand.items if isinstance(cand, Tuple) else ()
    )
    if len(c_ends) != 2 or not all(isinstance(e, Scalar) for e in c_ends):
        return False
    g_ends = gold.ends or (Scalar(g.inf), Scalar(g.sup))
    return all(scalar_equal(ge, ce, rel_tol) for ge, ce in zip(g_ends, c_ends))


def compare(gold: object, cand: object, rel_tol: float = 1e-6) -> str:
    """CORRECT, WRONG or HEDGED: is `cand` the gold value, and only the gold value?"""
    if isinstance(cand, Unparseable) or isinstance(gold, Unparseable):
        return WRONG
    if isinstance(cand, Collection) and not isinstance(gold, (Collection, Tuple)):
        items = _distinct(_values(cand), rel_tol)
        if len(items) != 1:
            return HEDGED  # several values for one: a hedge, whatever the gold's type
        cand = items[0]
    against = _BY_GOLD_TYPE.get(type(gold))
    return against(gold, cand, rel_tol) if against is not None else WRONG


def _vs_collection(gold: Collection, cand: object, rel_tol: float) -> str:
    g = _named(gold)
    if g and not (isinstance(cand, Tuple) and gold.kind == "list"):
        # `a = 2, b = 3`: each value belongs to its name; `a = 3, b = 2` is wrong.
        c = _named(cand) if isinstance(cand, Collection) else None
        if c is None and isinstance(cand, Collection) and cand.kind == "list" and not any(
                isinstance(i, Assign) for i in cand.items):
            # `AB = 4, CD = 5` answered `4, 5`: the values in the gold's order, names left out.
            return CORRECT if _match_ordered(_values(gold), cand.items, rel_tol) else WRONG
        if c is None or set(c) != set(g):
            return WRONG
        return CORRECT if all(compare(g[k], c[k], rel_tol) == CORRECT for k in g) else WRONG
    g_items = _distinct(_values(gold), rel_tol)
    if len(g_items) == 1 and not isinstance(cand, (Collection, Tuple)):
        return compare(g_items[0], cand, rel_tol)
    c_items = _items(cand)
    if c_items is None and isinstance(cand, Tuple) and gold.kind != "set":
        return CORRECT if _match_ordered(_values(gold), cand.items, rel_tol) else WRONG
    if c_items is None and isinstance(cand, Region) and isinstance(cand.set, sympy.FiniteSet):
        c_items = tuple(Scalar(e) for e in cand.set)
    if c_items is None:
        return WRONG
    return CORRECT if _match_unordered(g_items, _distinct(c_items, rel_tol), rel_tol) else WRONG


def _vs_choice(gold: Choice, cand: object, rel_tol: float) -> str:
    if not isinstance(cand, Choice):
        return compare(gold.value, cand, rel_tol) if gold.value is not None else WRONG
    if len(cand.letters) > len(gold.letters):
        return HEDGED
    return CORRECT if cand.letters == gold.letters else WRONG


def _vs_text(gold: Text, cand: object, rel_tol: float) -> str:
    if not isinstance(cand, Text):
        return WRONG
    if gold.verbatim:  # a gold that is no value: the same text, or nothing
        return CORRECT if cand.verbatim and cand.words == gold.words else WRONG
    if cand.words.replace(" ", "") == gold.words.replace(" ", ""):
        return CORRECT  # `m_{p} c^{2}` and `m_{p}c^{2}`: spacing is not content
    base = re.fullmatch(r"(-?[0-9A-Z.]+)_\d+", gold.words)
    if base and cand.words.lower() == base.group(1).lower():
        return CORRECT  # the digits without the base the question asked for
    return (
        HEDGED if re.search(r"\b(?:or|and)\b", cand.words) and " or " not in gold.words else WRONG
    )


def _vs_scalar(gold: Scalar, cand: object, rel_tol: float) -> str:
    if isinstance(cand, Assign):
        cand = cand.value
    if isinstance(cand, Scalar):
        return CORRECT if scalar_equal(gold, cand, rel_tol) else WRONG
    if isinstance(cand, Region):
        return HEDGED
    if isinstance(cand, Tuple) and len(cand.items) == 1:
        return compare(gold, cand.items[0], rel_tol)
    return WRONG


def _vs_assign(gold: Assign, cand: object, rel_tol: float) -> str:
    if isinstance(cand, Scalar):
        return compare(gold.value, cand, rel_tol)
    if isinstance(cand, Assign):
        g, c = (re.fullmatch(r"([a-zA-Z])\(([a-z])\)", re.sub(r"\s+", "", v.var))
                for v in (gold, cand))
        if g and c and g.group(1).lower() == c.group(1).lower():  # `f(x) = x` is `f(y) = y`
            swap = {g.group(2): c.group(2), c.group(2): g.group(2)}  # a renaming, both ways
            e = cand.value.expr
            e = e.xreplace({v: sympy.Symbol(swap[v.name])
                            for v in e.free_symbols if v.name in swap})
            return compare(gold.value, Scalar(e), rel_tol)
        if not _same_name(cand.var, gold.var):
            return WRONG
        return compare(gold.value, cand.value, rel_tol)
    ce = _as_equation(cand)
    if ce is not None and gold.value.expr.free_symbols:  # `y = 2x + 1` vs `2x - y + 1 = 0`
        return CORRECT if _equation_equal(_as_equation(gold), ce) else WRONG
    if ce is not None:
        return WRONG  # `16 = 3x + 7` for `x = 3`: the equation restated, not solved
    return compare(gold.value, cand, rel_tol) if isinstance(cand, Region) else WRONG


def _vs_equation(gold: Equation, cand: object, rel_tol: float) -> str:
    ce = _as_equation(cand)
    return CORRECT if ce is not None and _equation_equal(gold.zero, ce) else WRONG


def _vs_region(gold: Region, cand: object, rel_tol: float) -> str:
    cs = as_region(cand)
    if cs is None and isinstance(cand, Collection):
        items = _values(cand)
        if all(isinstance(i, Scalar) for i in items):
            cs = sympy.FiniteSet(*(i.expr for i in items))
    if cs is None:
        return WRONG
    if _ends_equal(gold, cand, cs, rel_tol):
        return CORRECT
    try:
        return (
            CORRECT
            if sympy.simplify(gold.set.symmetric_difference(cs)) == S.EmptySet or gold.set == cs
            else WRONG
        )
    except Exception:  # noqa: BLE001
        return CORRECT if gold.set == cs else WRONG


def _vs_tuple(gold: Tuple, cand: object, rel_tol: float) -> str:
    if gold.paren_pair and isinstance(cand, Region):
        return compare(Region(as_region(gold)), cand, rel_tol)
    if isinstance(cand, Tuple):
        return CORRECT if _match_ordered(gold.items, cand.items, rel_tol) else WRONG
    if isinstance(cand, Matrix) and (len(cand.rows) == 1 or all(len(r) == 1 for r in cand.rows)):
        flat = tuple(c for r in cand.rows for c in r)
        return CORRECT if _match_ordered(gold.items, flat, rel_tol) else WRONG
    if (
        isinstance(cand, Collection)
        and cand.kind == "list"
        and all(isinstance(i, Assign) for i in cand.items)
    ):
        if _out_of_order([i.var.lower() for i in cand.items]):
            return WRONG
        return CORRECT if _match_ordered(gold.items, _values(cand), rel_tol) else WRONG
    return WRONG


def _vs_matrix(gold: Matrix, cand: object, rel_tol: float) -> str:
    if isinstance(cand, Matrix):
        if len(gold.rows) != len(cand.rows) or len(gold.rows[0]) != len(cand.rows[0]):
            return WRONG
        ok = all(_match_ordered(g, c, rel_tol) for g, c in zip(gold.rows, cand.rows))
        return CORRECT if ok else WRONG
    if isinstance(cand, Tuple) and (len(gold.rows) == 1 or all(len(r) == 1 for r in gold.rows)):
        flat = tuple(c for r in gold.rows for c in r)
        return CORRECT if _match_ordered(flat, cand.items, rel_tol) else WRONG
    return WRONG


# How a candidate is judged is decided by what the gold is.
# gold type -> comparison of a candidate against a gold of that type
_BY_GOLD_TYPE: dict[type, Callable[[Any, object, float], str]] = {
    Collection: _vs_collection,
    Choice: _vs_choice,
    Text: _vs_text,
    Scalar: _vs_scalar,
    Assign: _vs_assign,
    Equation: _vs_equation,
    Region: _vs_region,
    Tuple: _vs_tuple,
    Matrix: _vs_matrix,
}


def evaluable(value: object) -> bool:
    """Evaluate every number inside a value, as comparing will. Run on a gold under a deadline, it
    finds golds that cannot be checked in time (`9^{9^{9^{9}}}`) before any candidate is blamed."""
    if isinstance(value, Scalar):
        return (
            value.expr.free_symbols
            or value.expr.atoms(AppliedUndef)  # `I(0)`: a named function's value
            or evaluate(value.expr, 30) is not None
            or value.expr.has(S.Infinity, S.NegativeInfinity)
        )
    if isinstance(value, Assign):
        return evaluable(value.value)
    if isinstance(value, (Collection, Tuple)):
        return all(evaluable(i) for i in value.items)
    if isinstance(value, Matrix):
        return all(evaluable(c) for row in value.rows for c in row)
    if isinstance(value, Choice):
        return value.value is None or evaluable(value.value)
    return not isinstance(value, Unparseable)
