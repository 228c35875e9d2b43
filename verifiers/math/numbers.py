"""One scalar answer string -> an exact sympy value with how it was written (decimal, percent,
the precision of its last digit). Plain arithmetic goes through a small exact parser, the rest
through latex2sympy2_extended's grammar (never `eval`). It does not read structure (lists,
intervals, relations: `parsing`) nor compare values (`comparison`).
"""

from __future__ import annotations

import re
from functools import lru_cache

import sympy
from latex2sympy2_extended import latex2sympy
from sympy import I, S

from verifiers.math.values import Scalar

_NUM_RE = re.compile(r"^[-+]?(\d+(\.\d*)?|\.\d+)$")
_FRAC_RE = re.compile(r"^([-+]?)\\frac\{(\d+)\}\{(\d+)\}$")
_REPEAT_RE = re.compile(r"^([-+]?)(\d*)\.(\d*)\\(?:overline|bar|dot)\{(\d+)\}$")
_SCI_RE = re.compile(r"^([-+]?\d+(?:\.\d+)?)\s*[eE]\s*([-+]?\d+)$")
_MIXED_RE = re.compile(r"^([-+]?)(\d+)\s*(?:\\frac\{(\d+)\}\{(\d+)\}|\s(\d+)/(\d+))$")


def undefined(e: sympy.Basic) -> bool:
    """Division by zero (also left unevaluated, `\\frac{\\pi}{0}`), nan or complex infinity."""
    if e.has(S.ComplexInfinity, S.NaN):
        return True
    return any(p.base == 0 and p.exp.is_negative for p in e.atoms(sympy.Pow))


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
    tokens = []
    pos = 0
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

    def expr() -> sympy.Basic:
        val = term()
        while peek() in ("+", "-"):
            val = val + term() if take() == "+" else val - term()
        return val

    def term() -> sympy.Basic:
        val = unary()
        while peek() in ("*", "/", "\\cdot", "\\times", "\\div"):
            op = take()
            rhs = unary()
            val = val * rhs if op in ("*", "\\cdot", "\\times") else val / rhs
        return val

    def unary() -> sympy.Basic:
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

    def atom() -> sympy.Basic:
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
_SCI_TEX_RE = re.compile(
    r"^([-+]?\d+(?:\.(\d+))?)\s*(?:\\times|\\cdot|\*)\s*10\s*\^\s*"
    r"(?:\{\s*([-+]?\d+)\s*\}|([-+]?\d))$"
)


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
        sign = m.group(1)
        whole = m.group(2) or "0"
        fixed = m.group(3)
        rep_ = m.group(4)
        val = sympy.Rational(
            int(whole + fixed + rep_) - int(whole + fixed), (10 ** len(rep_) - 1) * 10 ** len(fixed)
        )
        return Scalar(-val if sign == "-" else val, False, percent)
    m = _SCI_RE.match(s)
    if m:
        places = len(m.group(1).partition(".")[2])
        return Scalar(
            sympy.Rational(m.group(1)) * sympy.Integer(10) ** int(m.group(2)),
            True,
            percent,
            _half_ulp(places, int(m.group(2))),
        )
    m = _FRAC_RE.match(s)
    if m:
        sign = -1 if m.group(1) == "-" else 1
        return (
            Scalar(sign * sympy.Rational(int(m.group(2)), int(m.group(3))), False, percent)
            if int(m.group(3))
            else None
        )
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
    if undefined(expr):  # `12:00` read as 12/0, `1/0`: no value, so nothing can equal it
        return None
    return Scalar(expr, decimal, percent, half)


_UNITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
          "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
          "eighteen", "nineteen"]
_TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_ORDINAL_DEN = {"half": 2, "halves": 2, "third": 3, "quarter": 4, "fourth": 4, "fifth": 5,
                "sixth": 6, "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10}


def _below_thousand(words: list[str]) -> int | None:
    """`one hundred and five`, `twenty-one`, `seven`: a number below 1,000 in its one spelling."""
    value, i = 0, 0
    if len(words) > 1 and words[0] in _UNITS[1:10] and words[1] == "hundred":
        value, i = 100 * _UNITS.index(words[0]), 2
        i += i < len(words) and words[i] == "and"
    if i < len(words) and words[i] in _TENS:
        value += 10 * (_TENS.index(words[i]) + 2)
        i += 1
        if i < len(words) and words[i] in _UNITS[1:10]:
            value += _UNITS.index(words[i])
            i += 1
    elif i < len(words) and words[i] in _UNITS and (i == 0 or words[i] != "zero"):
        value += _UNITS.index(words[i])
        i += 1
    return value if i == len(words) and (value or words == ["zero"]) else None


def number_words(text: str) -> sympy.Rational | None:
    """`fourteen`, `one hundred and five`, `twenty-one`, `one half`, `two thirds`, `a quarter`:
    a number written in English words (below a million) in its one spelling, else None
    (`two and three`, `four one`, `ten ten` are no number)."""
    words = [w for w in re.split(r"[\s-]+", text.strip().lower().rstrip(".")) if w]
    if len(words) == 2 and words[0] in ("a", "an", "one", *_UNITS[2:10]):
        den = _ORDINAL_DEN.get(words[1].rstrip("s")) or _ORDINAL_DEN.get(words[1])
        if den and (words[0] in ("a", "an", "one")) == (not words[1].endswith("s")
                                                        or words[1] == "halves"):
            num = 1 if words[0] in ("a", "an") else _UNITS.index(words[0])
            return sympy.Rational(num, den)
    if "thousand" in words:
        k = words.index("thousand")
        high = _below_thousand(words[:k])
        rest = words[k + 1 :]
        rest = rest[1:] if rest[:1] == ["and"] else rest
        low = _below_thousand(rest) if rest else 0
        return sympy.Integer(high * 1000 + low) if high and low is not None else None
    value = _below_thousand(words)
    return sympy.Integer(value) if value is not None else None
