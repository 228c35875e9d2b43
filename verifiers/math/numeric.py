"""Equality of two numbers or expressions: exact values exactly, a decimal against an exact value by
the rounding rule below, functions of variables by sampling. It knows nothing of answer structure
(`comparison`) or strings (`parsing`).

Tolerance policy: exact values compare exactly (relative difference below 1e-40 at 60 digits, with
more digits for large numbers, so 2^-60 and 2^-59 differ and so do 2^2008 - 2 and 2^2008 - 3). When
exactly one side is written as a decimal, it matches the exact value only if both hold: (1) it
carries enough significant digits: it is within `rel_tol` relative and half a unit in its last
digit is at most 2 * rel_tol of the value (default 1e-6: 1.4142136 matches sqrt(2), 1.4142 does
not, 2e6 is not 2000001), and (2) it is a correct rounding at the precision it was written,
|x - exact| <= half a unit in its last written digit (2000001.0 is not 2000000, 2.000001 \\times
10^{6} is not either, 0.0 is not 1/3). A larger `rel_tol` is the looser policy some users ask for
(fewer significant digits suffice); (2) holds at every `rel_tol`, so a decimal is never accepted for
an exact value it does not round to. Undefined values (division by zero, nan, complex infinity)
never equal anything, themselves included.
"""

from __future__ import annotations

import sympy
from sympy import S

from verifiers.math.numbers import undefined
from verifiers.math.values import Scalar

# Small and large points: step functions (`\\lfloor n/2 \\rfloor` vs `\\lfloor n/3 \\rfloor`) agree
# near zero and differ only farther out.
_SAMPLE_POINTS = tuple(
    sympy.Rational(p, q) for p, q in ((7, 13), (-17, 11), (23, 7), (-2, 9), (61, 5), (-97, 13))
)


def evaluate(x: sympy.Basic, digits: int = 60) -> sympy.Basic | None:
    """`x` as a number at `digits` digits, or None when it is not one."""
    try:
        v = sympy.N(x, digits)
    except Exception:  # noqa: BLE001 - an expression sympy cannot evaluate is not a number
        return None
    return v if v.is_number and not v.has(S.NaN) else None


def _close(
    a: sympy.Basic, b: sympy.Basic, rel: float, half_ulp: sympy.Rational | None = None
) -> bool:
    if undefined(a) or undefined(b):
        return False
    if a.has(S.Infinity, S.NegativeInfinity) or b.has(S.Infinity, S.NegativeInfinity):
        return bool(a == b)
    va, vb = evaluate(a), evaluate(b)
    if va is None or vb is None:
        if half_ulp is not None:
            return False  # a decimal against a value that cannot be evaluated: nothing to round
        try:
            return bool(sympy.simplify(a - b) == 0)
        except Exception:  # noqa: BLE001
            return False
    if not (va.is_finite and vb.is_finite):
        return False
    if a.is_Rational and b.is_Rational and half_ulp is None and not rel:
        return bool(a == b)
    scale = max(abs(va), abs(vb))
    noise = sympy.Rational(1, 10**40)
    if scale > 10**20:
        # 60 digits cannot tell 2^2008 - 2 from 2^2008 - 3: exact values get digits to spare.
        magnitude = int(sympy.log(scale, 10).evalf(15))
        va, vb = evaluate(a, 60 + magnitude), evaluate(b, 60 + magnitude)
        if va is None or vb is None:
            return False
        scale = max(abs(va), abs(vb))
        noise = sympy.Rational(1, 10 ** (40 + magnitude)) if half_ulp is None else noise
    diff = abs(va - vb)
    if diff == 0:
        return True
    if half_ulp is not None and not diff <= half_ulp * (1 + 1e-12):
        return False  # not a correct rounding of the exact value at the precision written
    if half_ulp is not None and half_ulp > 2 * rel * scale:
        # `2e6` for 2000001 is a correct rounding within 1e-6, but with one digit: a decimal must
        # be written finely enough for rel_tol, not merely land near the value.
        return False
    limit = max(rel, noise) * (1 + 1e-9)
    return bool(diff <= limit * scale)


def expr_equal(
    a: sympy.Basic, b: sympy.Basic, rel: float, half_ulp: sympy.Rational | None = None
) -> bool:
    if undefined(a) or undefined(b):
        return False
    if a == b:
        return True
    syms = sorted(a.free_symbols | b.free_symbols, key=lambda x: x.name)
    if not syms:
        return _close(a, b, rel, half_ulp)
    if half_ulp is not None:
        # a rounding bound means nothing for a function of x: decimals there must be exact
        rel = 0.0
    if a.free_symbols != b.free_symbols:
        try:
            return bool(sympy.simplify(a - b) == 0)
        except Exception:  # noqa: BLE001
            return False
    try:  # polynomials and rational functions compare exactly, not at sample points
        if a.is_rational_function(*syms) and b.is_rational_function(*syms):
            return bool(sympy.cancel(a - b) == 0)
    except Exception:  # noqa: BLE001 - fall back to sampling
        pass
    for k in range(3 if not a.has(sympy.floor, sympy.ceiling, sympy.Mod) else len(_SAMPLE_POINTS)):
        point = {s: _SAMPLE_POINTS[(k + j) % len(_SAMPLE_POINTS)] + j for j, s in enumerate(syms)}
        try:
            if not _close(a.xreplace(point), b.xreplace(point), rel):
                return False
        except Exception:  # noqa: BLE001
            return False
    return True


def scalar_equal(g: Scalar, c: Scalar, rel_tol: float) -> bool:
    rel = rel_tol if g.decimal != c.decimal else 0.0
    # The side written as a decimal carries the precision that bounds the error.
    approx = (c if c.decimal else g) if rel else None
    half = approx.half_ulp if approx is not None else None
    if rel and half is None:
        half = sympy.Rational(1, 2)  # a decimal we could not place: at least integer-exact
    # A percent sign on one side may be a label (50% vs 50) or a scale (50% vs 0.5); on both
    # sides the numbers themselves must agree (50% vs 0.5% differ).
    gvals = [(g.expr, 1)] + ([(g.expr / 100, 100)] if g.percent and not c.percent else [])
    cvals = [(c.expr, 1)] + ([(c.expr / 100, 100)] if c.percent and not g.percent else [])
    for gv, gs in gvals:
        for cv, cs in cvals:
            scale = (gs if approx is g else cs) if approx is not None else 1
            if expr_equal(gv, cv, rel, half / scale if half is not None else None):
                return True
    return False
