"""Bracket structure and region-like answers: splitting at top-level separators, intervals,
inequalities (solved for their variable or kept as an ordering) and matrices, each read into a typed
value. It never compares answers except to order an inequality's bounds, and never raises on input.
"""

from __future__ import annotations

import re

import sympy
from sympy import S

from verifiers.math.numbers import parse_scalar
from verifiers.math.values import Matrix, Region, Scalar, Text

_VAR_RE = re.compile(
    r"^[a-zA-Z](?:_\{?[a-zA-Z0-9]+\}?)?(?:\([a-z]\))?$|^\\(?:theta|alpha|beta|phi)$"
)
# Names of a single quantity: \angle ABC, m\angle A, AB (a segment), f(2), P(A).
_MATRIX_RE = re.compile(
    r"^\\begin\{([pbvBV]?matrix|array)\}(?:\{[^{}]*\})?(.*)\\end\{\1\}$", re.DOTALL
)


def split_top(s: str, seps: tuple[str, ...]) -> list[str]:
    """Split on any of `seps` outside (), [], {}, \\{\\} and \\left/\\right groups."""
    parts = []
    depth = 0
    start = 0
    i = 0
    n = len(s)
    while i < n:
        if s.startswith("\\{", i) or s.startswith("\\langle", i):
            depth += 1
            i += 2 if s[i + 1] == "{" else 7
            continue
        if s.startswith("\\}", i) or s.startswith("\\rangle", i):
            depth -= 1
            i += 2 if s[i + 1] == "}" else 7
            continue
        c = s[i]
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        elif depth == 0:
            for sep in seps:
                if s.startswith(sep, i) and not (
                    sep.isalpha() and s[i + len(sep) : i + len(sep) + 1].isalpha()
                ):
                    parts.append(s[start:i])
                    start = i = i + len(sep)
                    break
            else:
                i += 1
            continue
        i += 1
    parts.append(s[start:])
    return [p.strip() for p in parts]


def _wrapped(s: str, open_: str, close: str) -> str | None:
    """Inner text if `s` is exactly one group `open_ ... close`."""
    if not (s.startswith(open_) and s.endswith(close)) or len(s) < len(open_) + len(close):
        return None
    inner = s[len(open_) : len(s) - len(close)]
    return inner if _balanced(inner) else None


def _balanced(s: str) -> bool:
    depth = 0
    for c in s.replace("\\{", "(").replace("\\}", ")"):
        depth += (c in "([{") - (c in ")]}")
        if depth < 0:
            return False
    return depth == 0


def _interval(s: str) -> Region | None:
    if len(s) < 5 or s[0] not in "([" or s[-1] not in ")]":
        return None
    inner = s[1:-1]
    if not _balanced(inner):
        return None
    ends = split_top(inner, (",",))
    if len(ends) != 2:
        return None
    lo, hi = parse_scalar(ends[0]), parse_scalar(ends[1])
    if lo is None or hi is None or lo.expr.free_symbols or hi.expr.free_symbols:
        return None
    try:
        return Region(sympy.Interval(lo.expr, hi.expr, s[0] == "(", s[-1] == ")"), (lo, hi))
    except Exception:  # noqa: BLE001 - complex endpoints and the like are not intervals
        return None


def _unbounded(region: sympy.Set) -> bool:
    return isinstance(region, sympy.Interval) and (region.inf.is_infinite or region.sup.is_infinite)


def _inequality(s: str) -> Region | Text | None:
    m = re.fullmatch(r"\s*\|\s*([a-zA-Z])\s*\|\s*(<|>|\\leq|\\geq)\s*(.+)", s)
    if m:  # |x| < a is -a < x < a; |x| > a is its complement
        bound = parse_scalar(m.group(3))
        if bound is None or bound.expr.free_symbols:
            return None
        op = m.group(2)
        a = bound.expr
        inside = sympy.Interval(-a, a, op == "<", op == "<")
        if op in ("<", "\\leq"):
            return Region(inside)
        return Region(
            sympy.Complement(S.Reals, sympy.Interval(-a, a, op == "\\geq", op == "\\geq"))
        )
    pieces = re.split(r"(\\leq|\\geq|<|>)", s)
    if len(pieces) < 3 or "=" in s.replace("\\leq", "").replace("\\geq", ""):
        return None
    terms, ops = pieces[0::2], pieces[1::2]
    var_idx = [k for k, t in enumerate(terms) if _VAR_RE.match(t.strip())]
    if len(var_idx) != 1 or len(pieces) > 5:
        return _solved(terms, ops) or _ordering(terms, ops)
    sym = sympy.Symbol("_v")
    region = S.Reals
    for k, op in enumerate(ops):
        left = sym if k == var_idx[0] else None
        right = sym if k + 1 == var_idx[0] else None
        a = left if left is not None else (parse_scalar(terms[k]) or Scalar(S.NaN)).expr
        b = right if right is not None else (parse_scalar(terms[k + 1]) or Scalar(S.NaN)).expr
        if S.NaN in (a, b) or (a != sym and b != sym):
            return _ordering(terms, ops)
        rel = {"<": sympy.Lt, ">": sympy.Gt, "\\leq": sympy.Le, "\\geq": sympy.Ge}[op](
            a, b, evaluate=False
        )
        try:
            region = region.intersect(rel.as_set() if sym in rel.free_symbols else S.EmptySet)
        except Exception:  # noqa: BLE001 - `\\log(1+x) < x`: kept as the ordering it states
            return _ordering(terms, ops)
    return Region(region)


_OPS = {"<": sympy.Lt, ">": sympy.Gt, "\\leq": sympy.Le, "\\geq": sympy.Ge}


def _solved(terms: list[str], ops: list[str]) -> Region | None:
    """`-x > -1` is `x < 1`: one side linear in a single variable, every other side a number."""
    if len(terms) > 3:
        return None
    maybe = [parse_scalar(t) for t in terms]
    parsed = [p for p in maybe if p is not None]
    if len(parsed) != len(maybe):
        return None
    with_vars = [p.expr for p in parsed if p.expr.free_symbols]
    if len(with_vars) != 1 or len(with_vars[0].free_symbols) != 1:
        return None
    x = next(iter(with_vars[0].free_symbols))
    real = sympy.Dummy(x.name, real=True)
    try:
        linear = with_vars[0].is_polynomial(x) and sympy.degree(with_vars[0], x) == 1
        # `1 \leq |z| \leq 2`: the absolute value of a linear term, solved over the reals.
        absolute = isinstance(with_vars[0], sympy.Abs) and with_vars[0].args[0].is_polynomial(
            x) and sympy.degree(with_vars[0].args[0], x) == 1
        if not (linear or absolute):
            return None
        region = S.Reals
        for k, op in enumerate(ops):
            rel = _OPS[op](parsed[k].expr, parsed[k + 1].expr).xreplace({x: real})
            region = region.intersect(
                sympy.solve_univariate_inequality(rel, real, relational=False))
    except Exception:  # noqa: BLE001 - sympy cannot solve it: not a region we can read
        return None
    return Region(region)


def _ordering(terms: list[str], ops: list[str]) -> Text | None:
    """`f(2) < f(1) < f(4)`, `1 \\leq |z| \\leq 2`: an ordering of named quantities, compared as
    written up to spacing and direction (`f(4) > f(1) > f(2)` is the same statement)."""
    if all(op in ("<", "\\leq") for op in ops):
        pass
    elif all(op in (">", "\\geq") for op in ops):
        terms, ops = terms[::-1], [{">": "<", "\\geq": "\\leq"}[op] for op in ops[::-1]]
    else:
        return None
    squashed = [re.sub(r"([\^_])\{(\w)\}", r"\1\2", re.sub(r"\s+", "", t)) for t in terms]
    if any(not t for t in squashed):
        return None
    return Text(" ".join(x for pair in zip(squashed, ops + [""]) for x in pair).strip())


# Names of a quantity that are not a bare variable: V_1:V_2, |AB|, \frac{AB}{CD}, (p, q), m_{\max}.


_MATRIX_BLOCK_RE = re.compile(r"\\begin\{([pbvBV]?matrix)\}.*?\\end\{\1\}", re.DOTALL)


def _matrix_arithmetic(s: str) -> Matrix | None:
    """`A + B`, `A - B`, `A B`, `A \\cdot B` of written-out matrices: the matrix they make."""
    blocks = list(_MATRIX_BLOCK_RE.finditer(s))
    gaps = [s[a.end() : b.start()].strip() for a, b in zip(blocks, blocks[1:])]
    if (len(blocks) < 2 or s[: blocks[0].start()].strip() or s[blocks[-1].end() :].strip()
            or any(g not in ("+", "-", "", "\\cdot", "\\times") for g in gaps)):
        return None
    values = [_matrix(b.group(0)) for b in blocks]
    if any(v is None for v in values):
        return None
    mats = [sympy.Matrix([[c.expr for c in row] for row in v.rows]) for v in values if v]
    try:
        out = mats[0]
        for gap, m in zip(gaps, mats[1:]):
            out = out + m if gap == "+" else out - m if gap == "-" else out * m
    except Exception:  # noqa: BLE001 - shapes that do not add or multiply: no value
        return None
    return Matrix(tuple(tuple(Scalar(out[i, j]) for j in range(out.cols)) for i in range(out.rows)))


def _matrix(s: str) -> Matrix | None:
    for open_, close in (("[", "]"), ("(", ")")):
        if s.startswith(open_) and s.endswith(close) and "\\begin" in s[:12]:
            s = s[1:-1].strip()  # \left[ \begin{array}...\end{array} \right]
    scale = S.One
    k = re.match(r"^([-\d./]+)\s*(?=\\begin)", s)
    if k:  # 2\begin{pmatrix}...\end{pmatrix}
        factor = parse_scalar(k.group(1))
        if factor is None:
            return None
        scale = factor.expr
        s = s[k.end():]
    m = _MATRIX_RE.match(s)
    if m and m.group(1) in ("vmatrix", "Vmatrix"):
        return None  # `\begin{vmatrix}` is a determinant (a number) or a norm, not the matrix
    if not m or len(_MATRIX_BLOCK_RE.findall(s)) > 1:
        return _matrix_arithmetic(s) if scale == 1 else None
    rows = [r for r in re.split(r"\\\\", m.group(2)) if r.strip() and r.strip() != "\\hline"]
    maybe = [tuple(parse_scalar(c) for c in r.split("&")) for r in rows]
    if (
        not maybe
        or any(c is None for row in maybe for c in row)
        or len({len(r) for r in maybe}) != 1
    ):
        return None
    cells = [tuple(c for c in row if c is not None) for row in maybe]  # every cell is one
    if scale != 1:
        cells = [
            tuple(
                Scalar(scale * c.expr, c.decimal, half_ulp=c.half_ulp and abs(scale) * c.half_ulp)
                for c in row
            )
            for row in cells
        ]
    return Matrix(tuple(cells))
