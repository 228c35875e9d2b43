"""Rewrites an answer string into canonical LaTeX (unicode math, delimiters, spacing, thousands
separators, percent/degree/currency marks) and reports what it removed. It does not parse
structure or values: that is `parsing`'s job.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_UNICODE = {
    "\u2212": "-", "\u2013": "-", "\u00d7": r"\times ", "\u22c5": r"\cdot ", "\u00b7": r"\cdot ",
    "\u00f7": r"\div ", "\u2264": r"\leq ", "\u2265": r"\geq ", "\u2260": r"\neq ",
    "\u221e": r"\infty ", "\u03c0": r"\pi ", "\u222a": r"\cup ", "\u2229": r"\cap ",
    "\u2208": r"\in ", "\u211d": r"\mathbb{R}", "\u00b1": r"\pm ", "\u2213": r"\mp ",
    "\u2205": r"\emptyset ", "\u03b8": r"\theta ", "\u03b1": r"\alpha ", "\u03b2": r"\beta ",
    "\u2032": "'", "\u2009": " ", "\u00a0": " ", "\u202f": " ", "\u2248": "=",
    "\u00b0": r"^{\circ}", "\u2103": r"^{\circ}",
}
_VULGAR = {"\u00bd": (1, 2), "\u2153": (1, 3), "\u2154": (2, 3), "\u00bc": (1, 4), "\u00be": (3, 4),
           "\u2155": (1, 5), "\u2156": (2, 5), "\u2157": (3, 5), "\u2158": (4, 5), "\u2159": (1, 6),
           "\u215a": (5, 6), "\u215b": (1, 8), "\u215c": (3, 8), "\u215d": (5, 8), "\u215e": (7, 8)}
_SUPER = dict(
    zip("\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079\u207b\u207a", "0123456789-+")
)
_SUB = dict(zip("\u2080\u2081\u2082\u2083\u2084\u2085\u2086\u2087\u2088\u2089", "0123456789"))

_CURRENCY_RE = re.compile(
    r"\\\$|\\(?:euro|pounds|yen|textdollar)\b|[\u20ac\u00a3\u00a5\u20b9]|"
    r"\b(?:USD|EUR|GBP|dollars?|euros?|cents?|Rs\.?)\b",
    re.IGNORECASE)
_PERCENT_RE = re.compile(r"\\%|%|\\text\{\s*percent\s*\}|\bpercent\b|\bper\s*cent\b", re.IGNORECASE)
_DEGREE_RE = re.compile(
    r"\^\s*\{\s*\\circ\s*\}|\^\s*\\circ|\\circ|\\degree|"
    r"\^\s*\{\s*\\text\{\s*o\s*\}\s*\}|\bdegrees?\b",
    re.IGNORECASE)
_DROP_RE = re.compile(
    r"\\displaystyle|\\textstyle|\\left(?![a-zA-Z])|\\right(?![a-zA-Z])|"
    r"\\[bB]igg?[lr]?(?![a-zA-Z])|\\middle|\\limits|\\nolimits|(?<!\\)\\[!,;: ]|\\q?quad|~")
# MATH writes thousands as `10,\!080`; `,\!` (a comma with its space taken back) is never a list.
_THOUSANDS_RE = re.compile(
    r"(?<![\d.])([1-9]\d{0,2})((?:(?:,\\!\s?|,|\{,\}|\\,|\\ |\s)\d{3})+)(?![\d])"
)


@dataclass(frozen=True)
class Normalized:
    text: str
    percent: bool = False
    degrees: bool = False
    currency: bool = False


def _unicode(s: str) -> str:
    s = re.sub(r"(\d)\s*([" + "".join(_VULGAR) + "])", lambda m: m.group(1) + " " + m.group(2), s)
    for ch, (p, q) in _VULGAR.items():
        s = s.replace(ch, rf"\frac{{{p}}}{{{q}}}")
    s = re.sub(
        "[" + "".join(_SUPER) + "]+",
        lambda m: "^{" + "".join(_SUPER[c] for c in m.group(0)) + "}",
        s,
    )
    s = re.sub(
        "[" + "".join(_SUB) + "]+", lambda m: "_{" + "".join(_SUB[c] for c in m.group(0)) + "}", s
    )
    for ch, rep in _UNICODE.items():
        s = s.replace(ch, rep)
    # √ takes a number, a letter, a parenthesised group or a braced group as its radicand.
    s = re.sub(r"\u221a\s*\(([^()]*)\)", r"\\sqrt{\1}", s)
    s = re.sub(r"\u221a\s*(\d+(?:\.\d+)?|[a-zA-Z])", r"\\sqrt{\1}", s)
    s = re.sub("\u221b\\s*(\\d+|[a-zA-Z])", lambda m: r"\sqrt[3]{" + m.group(1) + "}", s)
    s = re.sub("\u221c\\s*(\\d+|[a-zA-Z])", lambda m: r"\sqrt[4]{" + m.group(1) + "}", s)
    return s.replace("\u221a", r"\sqrt")


def _single_arg(s: str, command: str, nargs: int) -> str:
    """`\\frac12` -> `\\frac{1}{2}`, `\\sqrt2` -> `\\sqrt{2}`: braces around one-token arguments."""
    out = []
    i = 0
    n = len(s)
    while True:
        j = s.find(command, i)
        if j < 0:
            out.append(s[i:])
            return "".join(out)
        k = j + len(command)
        if k < n and s[k].isalpha():  # a longer command such as \sqrtsign
            out.append(s[i:k])
            i = k
            continue
        out.append(s[i:k])
        for _ in range(nargs):
            while k < n and s[k] == " ":
                k += 1
            if k < n and s[k] == "[" and command == r"\sqrt":
                end = s.find("]", k)
                if end < 0:
                    break
                out.append(s[k : end + 1])
                k = end + 1
                while k < n and s[k] == " ":
                    k += 1
            if k >= n:
                break
            if s[k] == "{":
                depth = 0
                m = k
                while m < n:
                    depth += (s[m] == "{") - (s[m] == "}")
                    if depth == 0:
                        break
                    m += 1
                out.append(s[k : m + 1])
                k = m + 1
            elif s[k] == "\\":
                cmd = re.match(r"\\[a-zA-Z]+", s[k:])
                tok = cmd.group(0) if cmd else s[k : k + 2]
                out.append("{" + tok + "}")
                k += len(tok)
            else:
                out.append("{" + s[k] + "}")
                k += 1
        i = k


def _thousands(s: str, m: re.Match[str]) -> str:
    """Join `1,000` / `1{,}000` / `12\\,345` into one number, but only outside brackets:
    inside `(2,100)` or `\\{1,000\\}` the comma separates elements."""
    before = s[: m.start()]
    # Lists live in (), [] and \\{\\}; a plain {} is a TeX group (`\\frac{1}{21,000}`).
    depth = sum(before.count(c) for c in ("(", "[", "\\{")) - sum(
        before.count(c) for c in (")", "]", "\\}"))
    if depth > 0 and "{,}" not in m.group(2) and ",\\!" not in m.group(2):
        whole: str = m.group(0)
        return whole
    head: str = m.group(1)
    return head + re.sub(r"\D", "", m.group(2))


def _unescape(s: str) -> str:
    """`\\\\frac` (a backslash doubled by a JSON or Python escape) is `\\frac`. Only outside arrays,
    where `\\\\` is a row break, and only before a command name."""
    if "&" in s or "begin{" in s:
        return s
    return re.sub(r"(?<!\\)\\\\(?=[a-zA-Z]{2,})", r"\\", s)


def normalize(answer: str, *, thousands: bool = True) -> Normalized:
    """`thousands=False` keeps `81,256` as written (the caller reads it as the list a list gold
    asks for)."""
    s = _unicode(_unescape(answer.strip()))
    s = re.sub(r"\{\s+|\s+\}", lambda m: m.group(0).strip(), s)  # `m_{\max }` is `m_{\max}`
    s, n_cur = _CURRENCY_RE.subn(" ", s)  # before stripping $: `42\$` is a price, not math mode
    s = re.sub(r"^\$+|\$+$", "", s.strip())
    s = re.sub(r"^\\[\[(]|\\[\])]$", "", s.strip())
    s = re.sub(r"\\[dtc]frac", r"\\frac", s)
    s = re.sub(r"\\[dt]binom", r"\\binom", s)
    # upright i and e are still i and e
    s = re.sub(r"\\(?:mathrm|text|textnormal|operatorname)\{\s*([ie])\s*\}", r"\1", s)
    s = s.replace(r"\le ", r"\leq ").replace(r"\ge ", r"\geq ").replace(r"\ne ", r"\neq ")
    s = re.sub(r"\\(le|ge|ne)(?![a-zA-Z])", lambda m: "\\" + m.group(1) + "q", s)
    s = re.sub(r"\\(leq|geq)slant", r"\\\1", s)
    s = s.replace("<=", r"\leq ").replace(">=", r"\geq ").replace("!=", r"\neq ")  # ASCII
    s = re.sub(r"\\lt(?![a-zA-Z])", "<", re.sub(r"\\gt(?![a-zA-Z])", ">", s))
    s = re.sub(r"^\s*(?:\\approx|\\sim|\\simeq)\s*", "", s)  # `\approx 8.24`: the value stated
    s = re.sub(r"\\phantom\s*(?:\{[^{}]*\}|[^\s{}])", " ", s)  # aligns columns, writes nothing
    s = re.sub(r"(?<=[)\]])\s*(or|and)\s*(?=[(\[])", r" \1 ", s)  # `(11,7)or(7,11)`
    # Ordinals: 11^{\text{th}}, 11^{th}, 11\text{th}, 11th are the number 11.
    s = re.sub(
        r"(\d)\s*(?:\^\s*\{?\s*(?:\\text\{\s*)?|\\text\{\s*)(?:st|nd|rd|th)(?![a-zA-Z])\s*\}?\s*\}?",
        r"\1",
        s,
    )
    s = re.sub(r"(\d)(?:st|nd|rd|th)\b", r"\1", s)
    s = re.sub(r"(?<=\d),\s+\\!\s?(?=\d{3}(?!\d))", ",\\!", s)  # `111, \! 111`: MATH's separator
    if thousands:
        s = _THOUSANDS_RE.sub(lambda m: _thousands(s, m), s)
    s, n_pct = _PERCENT_RE.subn(" ", s)
    s, n_deg = _DEGREE_RE.subn(" ", s)
    s = _DROP_RE.sub(" ", s)
    s = s.replace("$", " ").replace("**", "")
    s = _single_arg(_single_arg(s, r"\frac", 2), r"\sqrt", 1)
    s = re.sub(r"\s+", " ", s).strip().rstrip(".").strip()
    return Normalized(s, percent=n_pct > 0, degrees=n_deg > 0, currency=n_cur > 0)
