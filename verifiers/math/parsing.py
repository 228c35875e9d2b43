"""A normalized answer string -> a typed value: lists, sets, tuples, relations, choices and text
around the scalars `numbers` reads and the intervals, inequalities and matrices `regions` reads. It
never raises on any input and never compares answers (`comparison`), except that `6 \\times 7 = 42`
must agree with itself to state 42.
"""

from __future__ import annotations

import math
import re

import sympy
from sympy import S

from verifiers.extract import braced
from verifiers.math.latex_norm import normalize
from verifiers.math.numbers import number_words, parse_scalar
from verifiers.math.numeric import scalar_equal
from verifiers.math.regions import (
    _VAR_RE,
    _inequality,
    _interval,
    _matrix,
    _unbounded,
    _wrapped,
    split_top,
)
from verifiers.math.values import (
    Assign,
    Choice,
    Collection,
    Equation,
    Region,
    Scalar,
    Text,
    Tuple,
    Unparseable,
    as_region,
)
from verifiers.math.words import (
    MEANINGFUL_TEXT_RE,
    NOT_UNIT_RE,
    TEXT_CMD_RE,
    strip_text,
    text_words,
    verbatim,
)


def braced_end(s: str) -> int | None:
    return braced(s, 0)


_NAME_RE = re.compile(r"^(?:m\s*)?\\angle\s*[A-Z]{1,3}$|^[A-Z]{2}$|^[a-zA-Z]\([^()=]*\)$")
_CHOICE_RE = re.compile(
    r"^(?:(?:option|choice|answer)\s*:?\s*)?\(?\s*([A-J])\s*\)?(?:\s*[.:)]?\s*(?:$|\s.*|\$.*))$",
    re.IGNORECASE | re.DOTALL)
_RELATION_RE = re.compile(r"\\leq|\\geq|\\neq|<|>|=")
_WORDS_RE = re.compile(r"^[A-Za-z][A-Za-z' .-]*$")
# `p - q`, `xy - yz`: one- or two-letter products joined by minus signs are algebra, not a
# hyphenated phrase.
_LETTER_SUM_RE = re.compile(r"^[A-Za-z]{1,2}(?:\s*-\s*[A-Za-z]{1,2})+$")
_WORD_UNIT_RE = re.compile(
    r"^([-+]?[\d.,/]+|\\frac\{\d+\}\{\d+\})\s+"
    r"([a-zA-Z]{2,}\.?(?:\^\{?\d\}?)?(?:\s*/\s*[a-zA-Z]+)?\s*)+$"
)
_AMC_GOLD_RE = re.compile(
    r"^(?:\\text(?:bf|rm)?\{\s*\(([A-J])\)\s*\}|\(\\text(?:bf|rm)?\{([A-J])\}\))"
    r"\s*(?:\\[ :,;]|~|\\quad)?\s*(\S.*)$")
_SETS = {r"\mathbb{R}": S.Reals, r"\mathbb R": S.Reals, r"\emptyset": S.EmptySet,
         r"\varnothing": S.EmptySet, r"\{\}": S.EmptySet, r"\mathbb{Z}": S.Integers}
_SET_WORDS = {**dict.fromkeys(("all real numbers", "all reals", "real numbers", "all real x"),
                             S.Reals),
              **dict.fromkeys(("no solution", "no solutions", "no real solution",
                               "no real solutions", "empty set"), S.EmptySet)}

_QUANTITY_RE = re.compile(
    r"^(?:\|[^|=<>]+\||\\overline\{[A-Z]{1,3}\}|"
    r"[a-zA-Z]{1,3}(?:_\{?[a-zA-Z0-9]+\}?)?\s*:\s*[a-zA-Z]{1,3}(?:_\{?[a-zA-Z0-9]+\}?)?|"
    r"\\frac\{[A-Za-z]{1,3}\}\{[A-Za-z]{1,3}\}|\((?:\s*[a-zA-Z]\s*,)+\s*[a-zA-Z]\s*\)|"
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
        return Region(
            sympy.Union(
                sympy.Interval.open(-sympy.oo, point.expr),
                sympy.Interval.open(point.expr, sympy.oo),
            )
        )
    if "\\neq" in s:
        return None
    sides = [p.strip() for p in s.split("=")]
    if any(not p for p in sides):
        return None
    if len(sides) == 2 and (
        _VAR_RE.match(sides[0]) or _NAME_RE.match(sides[0]) or _QUANTITY_RE.match(sides[0])
    ):
        value = parse_value(sides[1], percent=percent)
        if isinstance(value, Scalar):
            return Assign(re.sub(r"\s+", "", sides[0]), value)
        if isinstance(value, Text) and _VAR_RE.match(sides[0]) and re.fullmatch(
                r"-?[0-9A-Z.]+_\d+", value.words):
            return value  # `n = 1011_2`: the numeral is the value
        if isinstance(value, Text):
            return Text(text_words(s))  # `MR = SRMC`: a relation between names, read as written
        names = re.fullmatch(r"\(\s*([a-zA-Z](?:\s*,\s*[a-zA-Z])+)\s*\)", sides[0])
        if names and isinstance(value, Tuple) and len(value.items) == names.group(1).count(",") + 1:
            # `(p, q) = (3, 2)` is p = 3, q = 2: `(q, p) = (3, 2)` is another answer
            return Collection(tuple(Assign(n.strip(), v) if isinstance(v, Scalar) else v
                                    for n, v in zip(names.group(1).split(","), value.items)),
                              "list")
        return value  # `x = \{1, 2\}`, `x \in ...` style: the named thing is the value
    if len(sides) == 2 and _VAR_RE.match(sides[1]):
        return _relation(f"{sides[1]} = {sides[0]}", percent)
    maybe = [parse_scalar(p, percent) for p in sides]
    closed = [p for p in maybe if p is not None and not p.expr.free_symbols]
    named = _VAR_RE.match(sides[0]) or _QUANTITY_RE.match(sides[0])
    if len(sides) > 2 and maybe[-1] in closed and (named or len(closed) >= 2):
        # `x = 5 + 5 + 1 = 11` names x and states the number it ends on, whatever the steps; an
        # unnamed chain (`6 \times 7 = 42 = 42`) states its number only if every number agrees, so
        # that `3 \text{ or } 4 = 3` cannot make two answers one.
        if named:
            return Assign(re.sub(r"\s+", "", sides[0]), closed[-1])
        if not all(scalar_equal(closed[-1], p, 0.0) for p in closed):
            return Unparseable("a false equality")
        return closed[-1]
    parsed = [p for p in maybe if p is not None]
    if len(parsed) != len(maybe):
        return None
    if all(not p.expr.free_symbols for p in parsed):
        # `6 \times 7 = 42` states 42, but only if every side agrees: `2 + 2 = 5` states nothing.
        if all(scalar_equal(parsed[-1], p, 0.0) for p in parsed):
            return parsed[-1]
        return Unparseable("a false equality")
    if len(parsed) == 2:
        return Equation(sympy.expand(parsed[0].expr - parsed[1].expr))
    return None


def _false_chain(s: str) -> bool:
    """A chain of equalities whose numbers disagree (`x = 4 = 3`)."""
    closed = [v for v in (parse_scalar(p) for p in s.split("=")[1:] if p.strip())
              if v is not None and not v.expr.free_symbols] if s.count("=") > 1 else []
    return any(not scalar_equal(closed[-1], v, 0.0) for v in closed)


def parse_value(s: str, *, percent: bool = False, strip_units: bool = True) -> object:
    """A normalized answer string -> a value (never raises on any input)."""
    s = s.strip()
    s = re.sub(r"\\(?:text|textnormal|mbox|mathrm)\{\s*(or|and)\s*\}", r" \1 ", s)
    s = re.sub(r",\s*(?:and|or)\s+", ", ", s)  # `2, 3, and 4` / `2, 3, or 4`: one list
    if "=" not in s and split_top(s, (",",))[1:] and len(split_top(s, (" or ", " and "))) == 2:
        s = re.sub(r"\s+(?:and|or)\s+", ", ", s)  # `21, 16 or 11` is the same list
    while s.startswith("{") and braced_end(s) == len(s):
        s = s[1:-1].strip()  # `{{{5}}}` is 5; redundant groups only slow the grammar down
    if not s:
        return Unparseable("empty")
    if s in _SETS or text_words(s) in _SET_WORDS:  # also `all real numbers`, `no solution`
        return Region(_SETS.get(s, _SET_WORDS.get(text_words(s), S.EmptySet)))
    plain = TEXT_CMD_RE.sub(lambda m: m.group(1), s)
    if _WORDS_RE.match(plain) and (spelled := number_words(plain)) is not None:
        return Scalar(spelled)  # `fourteen`, `\text{two thirds}`
    m = re.fullmatch(
        r"(?:\\text\{)?(-?[0-9A-Z]*\d[0-9A-Z]*(?:\.[0-9A-Z]+)?)\}?_\{?\(?(\d{1,2})\)?\}?", s)
    if m and (int(m.group(2)) > 10 or not re.search(r"[A-Z]", m.group(1))):
        # `1011_2`, `A5_{11}`: a numeral in base n is its digits and its base, never a decimal
        return Text(f"{m.group(1)}_{int(m.group(2))}")
    m = re.fullmatch(
        r"(\d{1,2})\s*:\s*(\d{2})\s*(?:\\text\w*\{\s*)?(?:([ap])\.?\s*m\.?)?\s*\}?", s, re.I)
    if m and (m.group(3) or m.group(1).startswith("0") or int(m.group(2)) < 60 and math.gcd(
            int(m.group(1)), int(m.group(2))) > 1):
        # A ratio is written in lowest terms: `10:30` and `5:30` are times, `11:21` a ratio
        # A clock time (12:00, 05:00, 5:30 p.m.), not the ratio 12/0: hour, minutes, half of day.
        half = f" {m.group(3).lower()}m" if m.group(3) else ""
        return Text(f"{int(m.group(1))}:{m.group(2)}{half}")
    if re.fullmatch(r"\d+\s*:\s*\d+(?:\s*:\s*\d+)+", s):
        return Text(re.sub(r"\s+", "", s))  # `2:3:4` is a three-way ratio, never 2/3/4
    inner = _wrapped(s, "\\{", "\\}")
    if inner is not None:
        builder = re.match(r"^\s*[a-zA-Z]\s*(?::|\\mid|\||\\vert)\s*(.+)$", inner)
        if builder:  # {x : 1 < x <= 2} is the interval it describes
            cond = re.sub(
                r"^[a-zA-Z]\s*\\in\s*\\mathbb\{R\}\s*,?\s*(?:\\text\{\s*and\s*\}|and)?",
                "",
                builder.group(1).strip(),
            )
            region = as_region(parse_value(cond.strip()))
            return Region(region) if region is not None else Unparseable("set-builder condition")
        items = [parse_value(p) for p in split_top(inner, (",", ";"))] if inner.strip() else []
        return Region(S.EmptySet) if not items else Collection(tuple(items), "set")
    groups = split_top(s, (";",))
    if len(groups) > 1 and any(split_top(g, (",",))[1:] for g in groups):
        # `p=5,q=2;p=7,q=2`: semicolons separate groups that commas build (a list of pairs).
        return Collection(tuple(parse_value(g, percent=percent) for g in groups), "list")
    for sep, kind in (((" or ", "\\text{or}", "\\lor"), "or"), ((",", ";", " and "), "list")):
        parts = split_top(s, sep)
        if len(parts) > 1 and any(_false_chain(p) for p in parts):
            # `x = 3 \text{ or } x = 4 = 3`: a false step inside a list makes two answers one
            return Unparseable("a false equality among alternatives", hedge=True)
        if len(parts) > 1:
            values = tuple(parse_value(p, percent=percent) for p in parts)
            regions = [i for i in values if isinstance(i, Region)]
            if kind == "or" and values and len(regions) == len(values):
                return Region(sympy.Union(*(i.set for i in regions)))
            if re.search(r" and |\\land", s) and len(regions) == len(values):
                return Region(sympy.Intersection(*(i.set for i in regions)))  # x > 3 and x < 5
            return Collection(values, kind)
    if "\\setminus" in s:
        left, _, right = s.partition("\\setminus")
        a, b = as_region(parse_value(left)), as_region(parse_value(right))
        return (
            Region(sympy.Complement(a, b))
            if a is not None and b is not None
            else Unparseable("set difference")
        )
    if "\\cup" in s:
        pieces = split_top(s, ("\\cup",))
        if len(pieces) < 2:
            return Unparseable("unbalanced union")  # `(1 \cup 2`: never parse the same text again
        sets = [as_region(parse_value(p)) for p in pieces]
        if len(sets) > 1 and all(p is not None for p in sets):
            return Region(sympy.Union(*sets))
        if len(sets) > 1:
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
        elems = split_top(inner, (",",))
        if len(elems) < 2 and ";" in inner:
            elems = split_top(inner, (";",))  # `(0;1;2)`: a tuple written with semicolons
        if len(elems) < 2:
            break
        region = _interval(s) if open_ != "\\langle" else None
        # `(1, 2)` may be a point or an open interval: kept as a pair, read as the gold needs.
        if region is not None and (open_ + close != "()" or _unbounded(region.set)):
            return region
        return Tuple(
            tuple(parse_value(p) for p in elems),
            paren_pair=open_ == "(" and close == ")" and len(elems) == 2,
        )
    mat = _matrix(s)
    if mat is not None:
        return mat
    rel = _relation(s, percent)
    if rel is not None:
        return rel
    words = text_words(s)
    if (
        _WORDS_RE.match(s)
        and (" " in words or len(words) >= 3 or words in ("no", "ok"))
        and not _LETTER_SUM_RE.match(s)
    ):
        return Text(words)  # "yes", "Monday", "John Smith": plain words are not a product x*y*z
    stripped, texts, odd = strip_text(s)
    stripped = stripped.strip()
    if texts and not stripped and not re.search(r"\d", " ".join(texts)):
        return Text(text_words(s))  # `\text{neither}`: an answer in words, whatever the words
    if texts and (
        MEANINGFUL_TEXT_RE.search(" ".join(texts))
        or (stripped and NOT_UNIT_RE.search(" ".join(texts)))
        or re.match(r"^\s*\\text\w*\{[^{}]*[a-zA-Z][^{}]*\}\s*[-\d]", s)
    ):
        # "not 12", "12 is wrong", "maybe 12": words that change the claim are not units, and
        # units follow their number, they do not precede it.
        hedge = re.search(
            r"\b(?:or|and|either|maybe|perhaps|possibly)\b", " ".join(texts), re.IGNORECASE
        )
        return Unparseable("text that qualifies the answer", hedge=bool(hedge))
    if odd and stripped:
        return Unparseable("text that changes the number")  # `5\text{.5}`, `\text{-}5`
    if texts and not stripped:
        inner = " ".join(texts).strip()
        if re.search(r"\d", inner):  # \text{5 cm}, \textbf{9}: a number dressed as text
            value = parse_value(inner, percent=percent)
            if isinstance(value, Scalar):
                return value
        return Text(text_words(s))
    if strip_units:
        m = _WORD_UNIT_RE.match(stripped)
        if m and NOT_UNIT_RE.search(stripped[m.end(1):]):
            # "12 is wrong", "12 maybe", "12 squared", "12 thousand": words that change the claim
            hedge = re.search(r"\b(?:or|maybe|perhaps|possibly)\b", stripped, re.IGNORECASE)
            return Unparseable("words that change the number", hedge=bool(hedge))
        if m:  # "24 apples", "5 cm": words after a number are units, never part of the value
            value = parse_value(m.group(1), percent=percent, strip_units=False)
            if isinstance(value, Scalar) and not value.expr.free_symbols:
                return value
    scalar = parse_scalar(stripped, percent)
    if scalar is not None:
        return scalar
    if _WORDS_RE.match(text_words(s) or "-"):
        return Text(text_words(s))
    return Unparseable(f"cannot read {s[:60]!r}")


def parse_choice(raw: str) -> frozenset[str] | None:
    s = TEXT_CMD_RE.sub(lambda m: m.group(1), raw).replace("$", "").replace("**", "")
    s = re.sub(r"\\[ :,;!]|\\q?quad|~", " ", s).strip().rstrip(".,;").strip()
    head = re.match(r"\(\s*([A-J])\s*\)(?:\s|$)", s)
    if head and not re.search(r"(?<![A-Za-z\\])[A-J](?![A-Za-z])|&", s[head.end():]) and not (
            re.search(r"\b(?:not|wrong|incorrect|false|or|maybe)\b", s[head.end():], re.I)):
        return frozenset(head.group(1))  # `(E) 503, 500, 000`: one letter, then its value
    letters = set()
    for part in split_top(s, (",", " or ", " and ", "/", ";")):
        m = _CHOICE_RE.match(part.strip())
        # `C D E`, `(C) (D)`, `C is incorrect`, `C & D`: what follows a letter may be its value,
        # never another letter or words that take it back
        rest = part.strip()[m.end(1):] if m else ""
        other = r"[A-Ja-j]" if m and m.group(1).islower() else r"[A-J]"
        if not m or re.search(rf"(?<![A-Za-z\\]){other}(?![A-Za-z])|&", rest) or NOT_UNIT_RE.search(
                rest):
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
            # `\\textbf{(B)}\\ \\text{if and only if ...}`: the letter is the answer; a value we
            # cannot read is not needed to grade it
            value = parse_answer(m.group(3))
            letter = frozenset(m.group(1) or m.group(2))
            return Choice(letter, None if unreadable(value) else value)
        letters = parse_choice(raw)
        if (
            letters
            and len(letters) == 1
            and re.fullmatch(r"\(?[A-J]\)?|\\text\w*\{\(?[A-J]\)?\}", s)
        ):
            return Choice(letters)
    norm = normalize(raw)
    if isinstance(gold, Collection) and re.fullmatch(r"\s*\d{1,3}(?:,\d{3})+\s*", raw.strip("$")):
        norm = normalize(raw, thousands=False)  # `81,256` for the list gold `81, 256`
    if isinstance(gold, Scalar) and re.fullmatch(r"-?\d+,\d+", norm.text):
        # `1000,99` for the gold 1000.99: a decimal comma (thousands were joined by `normalize`;
        # what is left is no thousands number), never the list (1000, 99) against one number.
        return parse_value(norm.text.replace(",", "."), percent=norm.percent)
    if isinstance(gold, Text) and gold.verbatim:
        return Text(verbatim(raw), verbatim=True)
    if isinstance(gold, Text):
        value = parse_value(norm.text, percent=norm.percent)  # orderings, clock times, relations
        return value if isinstance(value, Text) else Text(text_words(norm.text))
    return parse_value(norm.text, percent=norm.percent)


def unreadable(value: object) -> bool:
    """No value at all, or a list or tuple with an item that has none."""
    if isinstance(value, (Collection, Tuple)):
        return any(unreadable(i) for i in value.items)
    return isinstance(value, Unparseable)

