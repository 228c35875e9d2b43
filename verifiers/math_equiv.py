"""Turns one answer string into a typed value and decides equality of value with a gold value.

It does not locate answers in completions (`extract`) nor produce verdicts (`math_answer`), and it
never calls `eval`: LaTeX goes through latex2sympy2_extended's grammar into unevaluated sympy trees.

Tolerance policy: exact values compare exactly (relative difference below 1e-40 at 60 digits, so
2^-60 and 2^-59 differ). When exactly one side is written as a decimal, it matches the exact value
only if both hold: (1) it carries enough significant digits, i.e. it is within `rel_tol` relative
(default 1e-6: 1.4142136 matches sqrt(2), 1.4142 does not), and (2) it is a correct rounding at the
precision it was written, |x - exact| <= half a unit in its last written digit (2000001.0 is not
2000000, 2.000001 \times 10^{6} is not either, 0.0 is not 1/3). A larger `rel_tol` is the looser
policy some users ask for (fewer significant digits suffice); (2) holds at every `rel_tol`, so a
decimal is never accepted for an exact value it does not round to. Undefined values (division by
zero, nan, complex infinity) never equal anything, themselves included.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import sympy
from latex2sympy2_extended import latex2sympy
from sympy import I, S

from verifiers.extract import braced
from verifiers.latex_norm import normalize


def braced_end(s: str) -> int | None:
    return braced(s, 0)

# --------------------------------------------------------------------------------------------
# Values
# --------------------------------------------------------------------------------------------


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
    ends: tuple = ()  # (lo, hi) Scalars of a single interval as written, for the decimal policy


@dataclass(frozen=True)
class Tuple:  # ordered; `(a, b)` is also read as an open interval when compared with one
    items: tuple
    paren_pair: bool = False


@dataclass(frozen=True)
class Collection:  # unordered: `\{...\}` sets, bare lists, "a or b", `a \pm b`
    items: tuple
    kind: str = "list"  # "set" | "list" | "or" | "pm"


@dataclass(frozen=True)
class Matrix:
    rows: tuple


@dataclass(frozen=True)
class Choice:
    letters: frozenset
    value: object = None  # AMC-style gold `\textbf{(C)}\ 17` also names the option's value


@dataclass(frozen=True)
class Text:
    words: str


@dataclass(frozen=True)
class Unparseable:
    why: str = ""
    hedge: bool = False  # unreadable because it offers alternatives ("5 (or 6)")


CORRECT, WRONG, HEDGED = "correct", "wrong_answer", "hedged"

# --------------------------------------------------------------------------------------------
# Parsing
# --------------------------------------------------------------------------------------------

_NUM_RE = re.compile(r"^[-+]?(\d+(\.\d*)?|\.\d+)$")
_FRAC_RE = re.compile(r"^([-+]?)\\frac\{(\d+)\}\{(\d+)\}$")
_REPEAT_RE = re.compile(r"^([-+]?)(\d*)\.(\d*)\\(?:overline|bar|dot)\{(\d+)\}$")
_SCI_RE = re.compile(r"^([-+]?\d+(?:\.\d+)?)\s*[eE]\s*([-+]?\d+)$")
_MIXED_RE = re.compile(r"^([-+]?)(\d+)\s*(?:\\frac\{(\d+)\}\{(\d+)\}|\s(\d+)/(\d+))$")
_VAR_RE = re.compile(r"^[a-zA-Z](?:_\{?[a-zA-Z0-9]+\}?)?(?:\([a-z]\))?$|^\\(?:theta|alpha|beta|phi)$")
# Names of a single quantity: \angle ABC, m\angle A, AB (a segment), f(2), P(A).
_NAME_RE = re.compile(r"^(?:m\s*)?\\angle\s*[A-Z]{1,3}$|^[A-Z]{2}$|^[a-zA-Z]\([^()=]*\)$")
_TEXT_CMD_RE = re.compile(r"\\(?:text|textnormal|textbf|textit|mathrm|mbox|mathbf|textrm|operatorname)\s*\{([^{}]*)\}")
# A unit in \text{} takes its exponent with it: 16\text{ cm}^2 is 16, never 16^2.
_TEXT_UNIT_RE = re.compile(r"\\(?:text|textnormal|textbf|textit|mathrm|mbox|mathbf|textrm|operatorname)\s*\{([^{}]*)\}(\^\s*\{?\s*\d\s*\}?)?")
_CHOICE_RE = re.compile(
    r"^(?:(?:option|choice|answer)\s*:?\s*)?\(?\s*([A-J])\s*\)?(?:\s*[.:)]?\s*(?:$|\s.*|\$.*))$",
    re.IGNORECASE | re.DOTALL)
_RELATION_RE = re.compile(r"\\leq|\\geq|\\neq|<|>|=")
_WORDS_RE = re.compile(r"^[A-Za-z][A-Za-z' .-]*$")
# `p - q`, `a-b`: single letters joined by minus signs are algebra, not a hyphenated phrase.
_LETTER_SUM_RE = re.compile(r"^[A-Za-z](?:\s*-\s*[A-Za-z])+$")
_WORD_UNIT_RE = re.compile(r"^([-+]?[\d.,/]+|\\frac\{\d+\}\{\d+\})\s+([a-zA-Z]{2,}\.?(?:\^\{?\d\}?)?(?:\s*/\s*[a-zA-Z]+)?\s*)+$")
_MEANINGFUL_TEXT_RE = re.compile(
    r"\b(?:not|never|no|except|but|maybe|perhaps|possibly|probably|approximately|about|around|roughly|"
    r"wrong|incorrect|false|either|neither|nor|unless|if|could|might|any|anything|all|none|only|"
    r"at least|at most|more than|less than|or|and)\b", re.IGNORECASE)
_AMC_GOLD_RE = re.compile(r"^\\text(?:bf|rm)?\{\s*\(([A-J])\)\s*\}\s*(?:\\ |~|\\quad)?\s*(\S.*)$")
_SETS = {r"\mathbb{R}": S.Reals, r"\mathbb R": S.Reals, r"\emptyset": S.EmptySet,
         r"\varnothing": S.EmptySet, r"\{\}": S.EmptySet, r"\mathbb{Z}": S.Integers}
_REAL_WORDS = {"all real numbers", "all reals", "real numbers", "all real x", "r"}

_MATRIX_RE = re.compile(r"^\\begin\{([pbvBV]?matrix|array)\}(?:\{[^{}]*\})?(.*)\\end\{\1\}$", re.DOTALL)


def split_top(s: str, seps: tuple[str, ...]) -> list[str]:
    """Split on any of `seps` outside (), [], {}, \\{\\} and \\left/\\right groups."""
    parts, depth, start, i, n = [], 0, 0, 0, len(s)
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
                if s.startswith(sep, i) and not (sep.isalpha() and s[i + len(sep) : i + len(sep) + 1].isalpha()):
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


def _rationalize(expr: sympy.Basic) -> sympy.Basic:
    floats = expr.atoms(sympy.Float)
    if floats:
        expr = expr.xreplace({f: sympy.Rational(str(f)) for f in floats})
    syms = {s for s in expr.free_symbols if s.name == "i"}
    return expr.xreplace({s: I for s in syms}) if syms else expr


_TOKEN_RE = re.compile(r"\s*(\d+\.\d*|\.\d+|\d+|\\frac|\\cdot|\\times|\\div|[-+*/^(){}])")
_MAX_EXPONENT = 10_000


def _arithmetic(s: str) -> sympy.Rational | None:
    """Exact value of plain arithmetic (numbers, + - * / ^, \\frac, brackets) by recursive descent.
    Most answers are this; it is much faster than the general grammar and handles deep nesting.
    Anything else (symbols, implicit products, huge exponents) returns None for the general path."""
    tokens, pos = [], 0
    for m in _TOKEN_RE.finditer(s):
        if m.start() != pos:
            return None
        tokens.append(m.group(1))
        pos = m.end()
    if pos != len(s.rstrip()) or not tokens:
        return None
    i = 0

    def peek() -> str | None:
        return tokens[i] if i < len(tokens) else None

    def take(expected: str | None = None) -> str:
        nonlocal i
        tok = peek()
        if tok is None or (expected is not None and tok != expected):
            raise ValueError(tok)
        i += 1
        return tok

    def expr():
        val = term()
        while peek() in ("+", "-"):
            val = val + term() if take() == "+" else val - term()
        return val

    def term():
        val = unary()
        while peek() in ("*", "/", "\\cdot", "\\times", "\\div"):
            op, rhs = take(), unary()
            val = val * rhs if op in ("*", "\\cdot", "\\times") else val / rhs
        return val

    def unary():
        if peek() in ("+", "-"):
            return unary() if take() == "+" else -unary()
        base = atom()
        if peek() == "^":
            take()
            exp = unary() if peek() in ("+", "-") else atom()
            if not exp.is_integer or abs(exp) > _MAX_EXPONENT or (base == 0 and exp < 0):
                raise ValueError("exponent")
            return base**exp
        return base

    def atom():
        tok = take()
        if tok in ("(", "{"):
            val = expr()
            take(")" if tok == "(" else "}")
            return val
        if tok == "\\frac":
            take("{")
            num = expr()
            take("}")
            take("{")
            den = expr()
            take("}")
            return num / den
        if tok[0].isdigit() or tok[0] == ".":
            return sympy.Rational(tok)
        raise ValueError(tok)

    try:
        val = expr()
    except (ValueError, ZeroDivisionError, RecursionError):
        return None
    return val if i == len(tokens) and val.is_finite else None


@lru_cache(maxsize=4096)
def _latex(s: str) -> sympy.Basic | None:
    try:
        out = latex2sympy(s)
    except Exception:  # noqa: BLE001 - the grammar rejects; the caller reports unparseable
        return None
    return _rationalize(out) if isinstance(out, sympy.Basic) else None


_DECIMAL_LIT_RE = re.compile(r"\d*\.(\d*)")
_SCI_TEX_RE = re.compile(r"^([-+]?\d+(?:\.(\d+))?)\s*(?:\\times|\\cdot|\*)\s*10\s*\^\s*(?:\{\s*([-+]?\d+)\s*\}|([-+]?\d))$")


def _half_ulp(decimals: int, exponent: int = 0) -> sympy.Rational:
    return sympy.Rational(1, 2) * sympy.Integer(10) ** (exponent - decimals)


def _finest_half_ulp(s: str) -> sympy.Rational:
    """A decimal inside a larger expression (`2000000.9 + 0`): the finest digit written anywhere
    bounds the error, so no arithmetic around a decimal widens what it may round."""
    places = [len(m.group(1)) for m in _DECIMAL_LIT_RE.finditer(s) if re.search(r"\d", m.group(0))]
    return _half_ulp(max(places, default=0))


def parse_scalar(s: str, percent: bool = False) -> Scalar | None:
    s = s.strip()
    if not s:
        return None
    decimal = bool(re.search(r"\d\.\d|\d\.(?!\d)|(?<!\d)\.\d", s))
    if _NUM_RE.match(s):
        half = _half_ulp(len(s.partition(".")[2])) if decimal else None
        return Scalar(sympy.Rational(s.rstrip(".") or "0"), decimal, percent, half)
    m = _SCI_TEX_RE.match(s)
    if m and decimal:  # 2.000001 \times 10^{6}: the last digit written is the units digit
        exponent = int(m.group(3) or m.group(4))
        value = sympy.Rational(m.group(1)) * sympy.Integer(10) ** exponent
        return Scalar(value, True, percent, _half_ulp(len(m.group(2) or ""), exponent))
    m = _REPEAT_RE.match(s)
    if m:  # 0.1\overline{6} = 1/6: exact, like the fraction it stands for
        sign, whole, fixed, rep_ = m.group(1), m.group(2) or "0", m.group(3), m.group(4)
        val = sympy.Rational(int(whole + fixed + rep_) - int(whole + fixed), (10 ** len(rep_) - 1) * 10 ** len(fixed))
        return Scalar(-val if sign == "-" else val, False, percent)
    m = _SCI_RE.match(s)
    if m:
        places = len(m.group(1).partition(".")[2])
        return Scalar(sympy.Rational(m.group(1)) * sympy.Integer(10) ** int(m.group(2)), True, percent,
                      _half_ulp(places, int(m.group(2))))
    m = _FRAC_RE.match(s)
    if m:
        sign = -1 if m.group(1) == "-" else 1
        return Scalar(sign * sympy.Rational(int(m.group(2)), int(m.group(3))), False, percent) if int(m.group(3)) else None
    m = _MIXED_RE.match(s)
    if m:  # 2\frac{1}{2} is two and a half, not 2 * 1/2
        whole, p, q = int(m.group(2)), int(m.group(3) or m.group(5)), int(m.group(4) or m.group(6))
        if q and p < q:
            val = whole + sympy.Rational(p, q)
            return Scalar(-val if m.group(1) == "-" else val, False, percent)
    half = _finest_half_ulp(s) if decimal else None
    exact = _arithmetic(s)
    if exact is not None:
        return Scalar(exact, decimal, percent, half)
    expr = _latex(s)
    if expr is None or not isinstance(expr, sympy.Expr):
        return None
    if _undefined(expr):  # `12:00` read as 12/0, `1/0`: no value, so nothing can equal it
        return None
    return Scalar(expr, decimal, percent, half)


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


def _inequality(s: str) -> Region | None:
    m = re.fullmatch(r"\s*\|\s*([a-zA-Z])\s*\|\s*(<|>|\\leq|\\geq)\s*(.+)", s)
    if m:  # |x| < a is -a < x < a; |x| > a is its complement
        bound = parse_scalar(m.group(3))
        if bound is None or bound.expr.free_symbols:
            return None
        op, a = m.group(2), bound.expr
        inside = sympy.Interval(-a, a, op == "<", op == "<")
        if op in ("<", "\\leq"):
            return Region(inside)
        return Region(sympy.Complement(S.Reals, sympy.Interval(-a, a, op == "\\geq", op == "\\geq")))
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
            return None
        rel = {"<": sympy.Lt, ">": sympy.Gt, "\\leq": sympy.Le, "\\geq": sympy.Ge}[op](a, b, evaluate=False)
        try:
            region = region.intersect(rel.as_set() if sym in rel.free_symbols else S.EmptySet)
        except Exception:  # noqa: BLE001
            return None
    return Region(region)


_OPS = {"<": sympy.Lt, ">": sympy.Gt, "\\leq": sympy.Le, "\\geq": sympy.Ge}


def _solved(terms: list[str], ops: list[str]) -> Region | None:
    """`-x > -1` is `x < 1`: one side linear in a single variable, every other side a number."""
    if len(terms) > 3:
        return None
    parsed = [parse_scalar(t) for t in terms]
    if any(p is None for p in parsed):
        return None
    with_vars = [p.expr for p in parsed if p.expr.free_symbols]
    if len(with_vars) != 1 or len(with_vars[0].free_symbols) != 1:
        return None
    x = next(iter(with_vars[0].free_symbols))
    try:
        if not with_vars[0].is_polynomial(x) or sympy.degree(with_vars[0], x) != 1:
            return None
        region = S.Reals
        for k, op in enumerate(ops):
            region = region.intersect(_OPS[op](parsed[k].expr, parsed[k + 1].expr).as_set())
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
    squashed = [re.sub(r"\s+", "", t) for t in terms]
    if any(not t for t in squashed):
        return None
    return Text(" ".join(x for pair in zip(squashed, ops + [""]) for x in pair).strip())


# Names of a quantity that are not a bare variable: V_1:V_2, |AB|, \frac{AB}{CD}, (p, q), m_{\max}.
_QUANTITY_RE = re.compile(
    r"^(?:\|[^|=<>]+\||[a-zA-Z](?:_\{?[a-zA-Z0-9]+\}?)?\s*:\s*[a-zA-Z](?:_\{?[a-zA-Z0-9]+\}?)?|"
    r"\\frac\{[A-Z]{1,3}\}\{[A-Z]{1,3}\}|\((?:\s*[a-zA-Z]\s*,)+\s*[a-zA-Z]\s*\)|"
    r"[a-zA-Z]_\{?\\?[a-zA-Z]+\}?|[a-zA-Z]_\{?\\text\{[a-zA-Z ]+\}\}?)$")


def _relation(s: str, percent: bool) -> object | None:
    if not _RELATION_RE.search(s):
        return None
    if re.search(r"\\leq|\\geq|<|>", s) and "\\neq" not in s:
        return _inequality(s)
    m = re.fullmatch(r"\s*([a-zA-Z])\s*\\neq\s*(.+)", s)
    if m:  # x \neq 0: every real but one point
        point = parse_scalar(m.group(2))
        if point is None or point.expr.free_symbols:
            return None
        return Region(sympy.Union(sympy.Interval.open(-sympy.oo, point.expr), sympy.Interval.open(point.expr, sympy.oo)))
    if "\\neq" in s:
        return None
    sides = [p.strip() for p in s.split("=")]
    if any(not p for p in sides):
        return None
    if len(sides) == 2 and (_VAR_RE.match(sides[0]) or _NAME_RE.match(sides[0]) or _QUANTITY_RE.match(sides[0])):
        value = parse_value(sides[1], percent=percent)
        if isinstance(value, Scalar):
            return Assign(re.sub(r"\s+", "", sides[0]), value)
        if isinstance(value, Text):
            return Text(_text_words(s))  # `MR = SRMC`: a relation between names, read as written
        return value  # `x = \{1, 2\}`, `x \in ...` style: the named thing is the value
    if len(sides) == 2 and _VAR_RE.match(sides[1]):
        return _relation(f"{sides[1]} = {sides[0]}", percent)
    parsed = [parse_scalar(p, percent) for p in sides]
    if any(p is None for p in parsed):
        return None
    if all(not p.expr.free_symbols for p in parsed):
        # `6 \times 7 = 42` states 42, but only if every side agrees: `2 + 2 = 5` states nothing.
        if all(scalar_equal(parsed[0], p, 0.0) for p in parsed[1:]):
            return parsed[-1]
        return Unparseable("a false equality")
    if len(parsed) == 2:
        return Equation(sympy.expand(parsed[0].expr - parsed[1].expr))
    return None


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
        scale, s = factor.expr, s[k.end():]
    m = _MATRIX_RE.match(s)
    if not m:
        return None
    rows = [r for r in re.split(r"\\\\", m.group(2)) if r.strip() and r.strip() != "\\hline"]
    cells = [tuple(parse_scalar(c) for c in r.split("&")) for r in rows]
    if not cells or any(c is None for row in cells for c in row) or len({len(r) for r in cells}) != 1:
        return None
    if scale != 1:
        cells = [tuple(Scalar(scale * c.expr, c.decimal, half_ulp=c.half_ulp and abs(scale) * c.half_ulp)
                       for c in row) for row in cells]
    return Matrix(tuple(cells))


def _strip_text(s: str) -> tuple[str, list[str]]:
    texts = []

    def keep(m: re.Match) -> str:
        texts.append(m.group(1))
        return f" {m.group(1)} " if re.fullmatch(r"\s*(or|and)\s*", m.group(1)) else " "

    return _TEXT_UNIT_RE.sub(keep, s), texts


def _text_words(s: str) -> str:
    s = _TEXT_CMD_RE.sub(lambda m: m.group(1), s)
    s = re.sub(r"[\"'`.,!?;:()]", " ", s.lower())
    return " ".join(w for w in s.split() if w not in ("the", "a", "an"))


def parse_value(s: str, *, percent: bool = False, strip_units: bool = True) -> object:
    """A normalized answer string -> a value (never raises on any input)."""
    s = s.strip()
    s = re.sub(r"\\(?:text|textnormal|mbox|mathrm)\{\s*(or|and)\s*\}", r" \1 ", s)
    s = re.sub(r",\s*(?:and|or)\s+", ", ", s)  # `2, 3, and 4` / `2, 3, or 4`: one list
    while s.startswith("{") and braced_end(s) == len(s):
        s = s[1:-1].strip()  # `{{{5}}}` is 5; redundant groups only slow the grammar down
    if not s:
        return Unparseable("empty")
    if s in _SETS:
        return Region(_SETS[s])
    if re.fullmatch(r"\d{1,2}:00", s):
        return Text(_text_words(s))  # a clock time (12:00), not the ratio 12/0
    inner = _wrapped(s, "\\{", "\\}")
    if inner is not None:
        builder = re.match(r"^\s*[a-zA-Z]\s*(?::|\\mid|\||\\vert)\s*(.+)$", inner)
        if builder:  # {x : 1 < x <= 2} is the interval it describes
            cond = re.sub(r"^[a-zA-Z]\s*\\in\s*\\mathbb\{R\}\s*,?\s*(?:\\text\{\s*and\s*\}|and)?", "", builder.group(1).strip())
            region = _as_region(parse_value(cond.strip()))
            return Region(region) if region is not None else Unparseable("set-builder condition")
        items = [parse_value(p) for p in split_top(inner, (",", ";"))] if inner.strip() else []
        return Region(S.EmptySet) if not items else Collection(tuple(items), "set")
    for sep, kind in (((" or ", "\\text{or}", "\\lor"), "or"), ((",", ";", " and "), "list")):
        parts = split_top(s, sep)
        if len(parts) > 1:
            items = tuple(parse_value(p, percent=percent) for p in parts)
            if kind == "or" and items and all(isinstance(i, Region) for i in items):
                return Region(sympy.Union(*(i.set for i in items)))
            if re.search(r" and |\\land", s) and all(isinstance(i, Region) for i in items):
                return Region(sympy.Intersection(*(i.set for i in items)))  # x > 3 and x < 5
            return Collection(items, kind)
    if "\\setminus" in s:
        left, _, right = s.partition("\\setminus")
        a, b = _as_region(parse_value(left)), _as_region(parse_value(right))
        return Region(sympy.Complement(a, b)) if a is not None and b is not None else Unparseable("set difference")
    if "\\cup" in s:
        parts = [_as_region(parse_value(p)) for p in split_top(s, ("\\cup",))]
        if len(parts) > 1 and all(p is not None for p in parts):
            return Region(sympy.Union(*parts))
        if len(parts) > 1:
            return Unparseable("union of non-sets")
    if "\\pm" in s or "\\mp" in s:
        # a \pm b anywhere (also inside \frac{-1 \pm \sqrt5}{2}) names two values.
        plus = parse_value(s.replace("\\pm", "+").replace("\\mp", "-"), percent=percent)
        minus = parse_value(s.replace("\\pm", "-").replace("\\mp", "+"), percent=percent)
        if isinstance(plus, Unparseable) or isinstance(minus, Unparseable):
            return Unparseable("bad \\pm")
        return Collection((plus, minus), "pm")
    m = re.match(r"^[a-zA-Z]\s*\\in\s*(.+)$", s)
    if m:
        return parse_value(m.group(1))
    for open_, close in (("(", ")"), ("[", "]"), ("(", "]"), ("[", ")"), ("\\langle", "\\rangle")):
        inner = _wrapped(s, open_, close)
        if inner is None:
            continue
        items = split_top(inner, (",",))
        if len(items) < 2 and ";" in inner:
            items = split_top(inner, (";",))  # `(0;1;2)`: a tuple written with semicolons
        if len(items) < 2:
            break
        region = _interval(s) if open_ != "\\langle" else None
        # `(1, 2)` may be a point or an open interval: kept as a pair, read as the gold needs.
        if region is not None and (open_ + close != "()" or _unbounded(region.set)):
            return region
        return Tuple(tuple(parse_value(p) for p in items), paren_pair=open_ == "(" and close == ")" and len(items) == 2)
    mat = _matrix(s)
    if mat is not None:
        return mat
    rel = _relation(s, percent)
    if rel is not None:
        return rel
    words = _text_words(s)
    if _WORDS_RE.match(s) and (" " in words or len(words) >= 3 or words in ("no", "ok")) and not _LETTER_SUM_RE.match(s):
        return Text(words)  # "yes", "Monday", "John Smith": plain words are not a product x*y*z
    stripped, texts = _strip_text(s)
    stripped = stripped.strip()
    if texts and not stripped and not re.search(r"\d", " ".join(texts)):
        return Text(_text_words(s))  # `\text{neither}`: an answer in words, whatever the words
    if texts and (_MEANINGFUL_TEXT_RE.search(" ".join(texts)) or re.match(r"^\s*\\text\w*\{[^{}]*[a-zA-Z][^{}]*\}\s*[-\d]", s)):
        # "not 12", "12 is wrong", "maybe 12": words that change the claim are not units, and
        # units follow their number, they do not precede it.
        hedge = re.search(r"\b(?:or|and|either|maybe|perhaps|possibly)\b", " ".join(texts), re.IGNORECASE)
        return Unparseable("text that qualifies the answer", hedge=bool(hedge))
    if texts and not stripped:
        inner = " ".join(texts).strip()
        if re.search(r"\d", inner):  # \text{5 cm}, \textbf{9}: a number dressed as text
            value = parse_value(inner, percent=percent)
            if isinstance(value, Scalar):
                return value
        return Text(_text_words(s))
    if strip_units:
        m = _WORD_UNIT_RE.match(stripped)
        if m:  # "24 apples", "5 cm": words after a number are units, never part of the value
            value = parse_value(m.group(1), percent=percent, strip_units=False)
            if isinstance(value, Scalar) and not value.expr.free_symbols:
                return value
    scalar = parse_scalar(stripped, percent)
    if scalar is not None:
        return scalar
    if _WORDS_RE.match(_text_words(s) or "-"):
        return Text(_text_words(s))
    return Unparseable(f"cannot read {s[:60]!r}")


def parse_choice(raw: str) -> frozenset | None:
    s = _TEXT_CMD_RE.sub(lambda m: m.group(1), raw).replace("$", "").replace("**", "").strip()
    letters = set()
    for part in split_top(s, (",", " or ", " and ", "/", ";")):
        m = _CHOICE_RE.match(part.strip())
        if not m:
            return None
        letters.add(m.group(1).upper())
    return frozenset(letters) or None


def parse_answer(raw: str, gold: object | None = None) -> object:
    """Raw answer text -> value. Given the gold value, read the candidate the way the gold is
    written (a choice letter only when the gold is one)."""
    if isinstance(gold, Choice):
        letters = parse_choice(raw)
        if letters:
            return Choice(letters)
        if gold.value is not None:  # "17" answers `\textbf{(C)}\ 17` by value
            norm = normalize(raw)
            return parse_value(norm.text, percent=norm.percent)
        return Unparseable("no choice letter")
    if gold is None:
        s = raw.strip().strip("$*").strip()
        m = _AMC_GOLD_RE.match(s)
        if m:
            return Choice(frozenset(m.group(1)), parse_answer(m.group(2)))
        letters = parse_choice(raw)
        if letters and len(letters) == 1 and re.fullmatch(r"\(?[A-J]\)?|\\text\w*\{\(?[A-J]\)?\}", s):
            return Choice(letters)
    norm = normalize(raw)
    if isinstance(gold, Text):
        value = parse_value(norm.text, percent=norm.percent)  # orderings, clock times, relations
        return value if isinstance(value, Text) else Text(_text_words(norm.text))
    return parse_value(norm.text, percent=norm.percent)


# --------------------------------------------------------------------------------------------
# Equality of value
# --------------------------------------------------------------------------------------------

_SAMPLE_POINTS = (sympy.Rational(7, 13), sympy.Rational(-17, 11), sympy.Rational(23, 7), sympy.Rational(-2, 9))


def _num(x: sympy.Basic, digits: int = 60):
    try:
        v = sympy.N(x, digits)
    except Exception:  # noqa: BLE001 - an expression sympy cannot evaluate is not a number
        return None
    return v if v.is_number and not v.has(S.NaN) else None


def _undefined(e: sympy.Basic) -> bool:
    return e.has(S.ComplexInfinity, S.NaN)


def _close(a: sympy.Basic, b: sympy.Basic, rel: float, half_ulp: sympy.Rational | None = None) -> bool:
    if _undefined(a) or _undefined(b):
        return False
    if a.has(S.Infinity, S.NegativeInfinity) or b.has(S.Infinity, S.NegativeInfinity):
        return a == b
    va, vb = _num(a), _num(b)
    if va is None or vb is None:
        if half_ulp is not None:
            return False  # a decimal against a value that cannot be evaluated: nothing to round
        try:
            return sympy.simplify(a - b) == 0
        except Exception:  # noqa: BLE001
            return False
    scale = max(abs(va), abs(vb))
    diff = abs(va - vb)
    if diff == 0:
        return True
    if half_ulp is not None and not diff <= half_ulp * (1 + 1e-12):
        return False  # not a correct rounding of the exact value at the precision written
    limit = max(rel, 1e-40) * (1 + 1e-9)
    return bool(diff <= limit * scale)


def expr_equal(a: sympy.Basic, b: sympy.Basic, rel: float, half_ulp: sympy.Rational | None = None) -> bool:
    if _undefined(a) or _undefined(b):
        return False
    if a == b:
        return True
    syms = sorted(a.free_symbols | b.free_symbols, key=lambda x: x.name)
    if not syms:
        return _close(a, b, rel, half_ulp)
    if half_ulp is not None:
        rel = 0.0  # a rounding bound means nothing for a function of x: decimals there must be exact
    if a.free_symbols != b.free_symbols:
        try:
            return sympy.simplify(a - b) == 0
        except Exception:  # noqa: BLE001
            return False
    for k in range(3):
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


def _items(v: object) -> tuple | None:
    if isinstance(v, Collection):
        return tuple(i.value if isinstance(i, Assign) else i for i in v.items)
    return None


def _named(v: Collection) -> dict | None:
    if not v.items or not all(isinstance(i, Assign) for i in v.items):
        return None
    names = {i.var.lower(): i.value for i in v.items}
    return names if len(names) == len(v.items) else None


def _match_unordered(gold: tuple, cand: tuple, rel_tol: float) -> bool:
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


def _match_ordered(gold: tuple, cand: tuple, rel_tol: float) -> bool:
    return len(gold) == len(cand) and all(compare(g, c, rel_tol) == CORRECT for g, c in zip(gold, cand))


def _distinct(items: tuple, rel_tol: float) -> tuple:
    out: list = []
    for it in items:
        if not any(compare(o, it, rel_tol) == CORRECT for o in out):
            out.append(it)
    return tuple(out)


def _as_region(v: object) -> sympy.Set | None:
    if isinstance(v, Region):
        return v.set
    if isinstance(v, Collection) and v.kind == "set" and all(isinstance(i, Scalar) for i in v.items):
        return sympy.FiniteSet(*(i.expr for i in v.items))
    if isinstance(v, Tuple) and v.paren_pair and all(isinstance(i, Scalar) for i in v.items):
        try:
            return sympy.Interval.open(v.items[0].expr, v.items[1].expr)
        except Exception:  # noqa: BLE001
            return None
    return None


def _equation_equal(g: sympy.Basic, c: sympy.Basic) -> bool:
    """Two equations describe the same curve when lhs - rhs differ by a nonzero constant factor."""
    if g == 0 or c == 0:
        return g == c
    try:
        ratio = sympy.cancel(g / c)
    except Exception:  # noqa: BLE001
        return False
    return not ratio.free_symbols and ratio != 0 and ratio.is_finite is not False


def _as_equation(v: object) -> sympy.Basic | None:
    if isinstance(v, Equation):
        return v.zero
    if isinstance(v, Assign):
        return sympy.expand(sympy.Symbol(v.var.lower() if len(v.var) == 1 else v.var) - v.value.expr)
    return None


def _ends_equal(gold: Region, cand: object, cs: sympy.Set, rel_tol: float) -> bool:
    """An interval written with decimal endpoints gets the scalar decimal policy per endpoint
    (`(2.6666667, 5]` for `(8/3, 5]`): same openness, each end a correct rounding."""
    g, c = gold.set, cs
    if not (isinstance(g, sympy.Interval) and isinstance(c, sympy.Interval)):
        return False
    if (g.left_open, g.right_open) != (c.left_open, c.right_open):
        return False
    c_ends = cand.ends if isinstance(cand, Region) else cand.items if isinstance(cand, Tuple) else ()
    if len(c_ends) != 2 or not all(isinstance(e, Scalar) for e in c_ends):
        return False
    g_ends = gold.ends or (Scalar(g.inf), Scalar(g.sup))
    return all(scalar_equal(ge, ce, rel_tol) for ge, ce in zip(g_ends, c_ends))


def compare(gold: object, cand: object, rel_tol: float = 1e-6) -> str:
    """CORRECT, WRONG or HEDGED: is `cand` the gold value, and only the gold value?"""
    if isinstance(cand, Unparseable) or isinstance(gold, Unparseable):
        return WRONG
    if isinstance(cand, Collection) and not isinstance(gold, (Collection, Tuple)):
        items = _distinct(_items(cand), rel_tol)
        if len(items) != 1:
            return HEDGED
        cand = items[0]
    if isinstance(gold, Collection) and _named(gold) and not (isinstance(cand, Tuple) and gold.kind == "list"):
        # `a = 2, b = 3`: each value belongs to its name; `a = 3, b = 2` is wrong.
        g, c = _named(gold), _named(cand) if isinstance(cand, Collection) else None
        if c is None or set(c) != set(g):
            return WRONG
        return CORRECT if all(compare(g[k], c[k], rel_tol) == CORRECT for k in g) else WRONG
    if isinstance(gold, Collection):
        g_items = _distinct(_items(gold), rel_tol)
        if len(g_items) == 1 and not isinstance(cand, (Collection, Tuple)):
            return compare(g_items[0], cand, rel_tol)
        c_items = _items(cand)
        if c_items is None and isinstance(cand, Tuple) and gold.kind != "set":
            return CORRECT if _match_ordered(_items(gold), cand.items, rel_tol) else WRONG
        if c_items is None and isinstance(cand, Region) and isinstance(cand.set, sympy.FiniteSet):
            c_items = tuple(Scalar(e) for e in cand.set)
        if c_items is None:
            return WRONG
        return CORRECT if _match_unordered(g_items, _distinct(c_items, rel_tol), rel_tol) else WRONG
    if isinstance(gold, Choice):
        if not isinstance(cand, Choice):
            return compare(gold.value, cand, rel_tol) if gold.value is not None else WRONG
        if len(cand.letters) > len(gold.letters):
            return HEDGED
        return CORRECT if cand.letters == gold.letters else WRONG
    if isinstance(gold, Text):
        if isinstance(cand, Text):
            if cand.words == gold.words:
                return CORRECT
            return HEDGED if re.search(r"\b(?:or|and)\b", cand.words) and " or " not in gold.words else WRONG
        return WRONG
    if isinstance(gold, Scalar):
        if isinstance(cand, Assign):
            cand = cand.value
        if isinstance(cand, Scalar):
            return CORRECT if scalar_equal(gold, cand, rel_tol) else WRONG
        if isinstance(cand, Region):
            return HEDGED
        if isinstance(cand, Tuple) and len(cand.items) == 1:
            return compare(gold, cand.items[0], rel_tol)
        return WRONG
    if isinstance(gold, Assign):
        if isinstance(cand, Scalar):
            return compare(gold.value, cand, rel_tol)
        if isinstance(cand, Assign):
            if re.sub(r"\s+", "", cand.var.lower()) != re.sub(r"\s+", "", gold.var.lower()):
                return WRONG
            return compare(gold.value, cand.value, rel_tol)
        ce = _as_equation(cand)
        if ce is not None:
            return CORRECT if _equation_equal(_as_equation(gold), ce) else WRONG
        return compare(gold.value, cand, rel_tol) if isinstance(cand, Region) else WRONG
    if isinstance(gold, Equation):
        ce = _as_equation(cand)
        return CORRECT if ce is not None and _equation_equal(gold.zero, ce) else WRONG
    if isinstance(gold, Region):
        cs = _as_region(cand)
        if cs is None and isinstance(cand, Collection):
            items = _items(cand)
            if all(isinstance(i, Scalar) for i in items):
                cs = sympy.FiniteSet(*(i.expr for i in items))
        if cs is None:
            return WRONG
        if _ends_equal(gold, cand, cs, rel_tol):
            return CORRECT
        try:
            return CORRECT if sympy.simplify(gold.set.symmetric_difference(cs)) == S.EmptySet or gold.set == cs else WRONG
        except Exception:  # noqa: BLE001
            return CORRECT if gold.set == cs else WRONG
    if isinstance(gold, Tuple):
        if gold.paren_pair and isinstance(cand, Region):
            return compare(Region(_as_region(gold)), cand, rel_tol)
        if isinstance(cand, Tuple):
            return CORRECT if _match_ordered(gold.items, cand.items, rel_tol) else WRONG
        if isinstance(cand, Matrix) and (len(cand.rows) == 1 or all(len(r) == 1 for r in cand.rows)):
            flat = tuple(c for r in cand.rows for c in r)
            return CORRECT if _match_ordered(gold.items, flat, rel_tol) else WRONG
        if isinstance(cand, Collection) and cand.kind == "list" and all(isinstance(i, Assign) for i in cand.items):
            return CORRECT if _match_ordered(gold.items, _items(cand), rel_tol) else WRONG
        return WRONG
    if isinstance(gold, Matrix):
        if isinstance(cand, Matrix):
            if len(gold.rows) != len(cand.rows) or len(gold.rows[0]) != len(cand.rows[0]):
                return WRONG
            ok = all(_match_ordered(g, c, rel_tol) for g, c in zip(gold.rows, cand.rows))
            return CORRECT if ok else WRONG
        if isinstance(cand, Tuple) and (len(gold.rows) == 1 or all(len(r) == 1 for r in gold.rows)):
            flat = tuple(c for r in gold.rows for c in r)
            return CORRECT if _match_ordered(flat, cand.items, rel_tol) else WRONG
        return WRONG
    return WRONG


def evaluable(value: object) -> bool:
    """Evaluate every number inside a value, as comparing will. Run on a gold under a deadline, it
    finds golds that cannot be checked in time (`9^{9^{9^{9}}}`) before any candidate is blamed."""
    if isinstance(value, Scalar):
        return value.expr.free_symbols or _num(value.expr, 30) is not None or value.expr.has(S.Infinity, S.NegativeInfinity)
    if isinstance(value, Assign):
        return evaluable(value.value)
    if isinstance(value, (Collection, Tuple)):
        return all(evaluable(i) for i in value.items)
    if isinstance(value, Matrix):
        return all(evaluable(c) for row in value.rows for c in row)
    if isinstance(value, Choice):
        return value.value is None or evaluable(value.value)
    return not isinstance(value, Unparseable)


def parse_gold(raw: str) -> object:
    """Gold answers are parsed like candidates, plus: a bare choice letter is a choice, and plain
    words are text."""
    return parse_answer(raw, None)


__all__ = ["CORRECT", "WRONG", "HEDGED", "compare", "parse_answer", "parse_gold", "Unparseable",
           "Scalar", "Text", "Choice", "Collection"]
