"""The words in an answer: `\\text{}` groups (units, or words that change a claim), an answer's
words for comparing text answers, and an answer as written for comparing a gold that is no value.
Pure string work: it never parses numbers (`numbers`) or structure (`parsing`).
"""

from __future__ import annotations

import re

TEXT_CMD_RE = re.compile(
    r"\\(?:text|textnormal|textbf|textit|mathrm|mbox|mathbf|textrm|operatorname)\s*\{([^{}]*)\}"
)
# A unit in \text{} takes its exponent with it: 16\text{ cm}^2 is 16, never 16^2.
TEXT_UNIT_RE = re.compile(
    r"\\(?:text|textnormal|textbf|textit|mathrm|mbox|mathbf|textrm|operatorname)\s*\{([^{}]*)\}"
    r"(\^\s*\{?\s*\d\s*\}?)?"
)
MEANINGFUL_TEXT_RE = re.compile(
    r"\b(?:not|never|no|except|but|maybe|perhaps|possibly|probably|approximately|about|around|"
    r"roughly|"
    r"wrong|incorrect|false|either|neither|nor|unless|if|could|might|any|anything|all|none|only|"
    r"at least|at most|more than|less than|or|and)\b", re.IGNORECASE)
NOT_UNIT_RE = re.compile(
    r"\b(?:is|are|was|were|be|not|no|nope|nah|maybe|perhaps|possibly|probably|or|and|wrong|incorrect|false|"
    r"least|most|about|approximately|roughly|squared|cubed|hundred|thousand|million|billion|"
    r"trillion|dozen|minus|plus|times|over|divided|less|more|half|halves|thirds?|quarters?|root|"
    r"factorial|power|percent|degrees?)\b", re.IGNORECASE)


def strip_text(s: str) -> tuple[str, list[str], list[str]]:
    """`s` without its `\\text{}` groups, their contents, and the contents that are no unit."""
    texts: list[str] = []
    odd: list[str] = []

    def keep(m: re.Match[str]) -> str:
        # `5\text{.5}`, `1\text{2}`, `\text{-}5`, `16\text{}^2`: text that is no unit is kept as
        # a marker, so that it can never vanish from a number
        unit = re.fullmatch(r"\s*[A-Za-z][A-Za-z .'/-]*", m.group(1)) or (
            not m.group(1).strip() and not m.group(2))
        texts.append(m.group(1))
        if not unit:
            odd.append(m.group(1))
        return f" {m.group(1)} " if re.fullmatch(r"\s*(or|and)\s*", m.group(1)) else " "

    return TEXT_UNIT_RE.sub(keep, s), texts, odd


def text_words(s: str) -> str:
    s = TEXT_CMD_RE.sub(lambda m: m.group(1), s)
    s = re.sub(r"([\^_])\{(\w)\}", r"\1\2", s)  # `x^{2}` is written `x^2` too
    # `(a) and (c)`: labels, not articles
    s = re.sub(r"\(\s*([a-z])\s*\)", r" option-\1 ", s.lower())
    s = re.sub(r"[\"'`.,!?;:()]", " ", s)
    return " ".join(w for w in s.split() if w not in ("the", "a", "an"))


def verbatim(raw: str) -> str:
    """`raw` as written, up to spacing, `\\text{}` wrappers, `\\left`/`\\right`, `\\dfrac` and a
    closing period: case, digits, signs and punctuation all count."""
    s = TEXT_CMD_RE.sub(lambda m: m.group(1), raw.strip().strip("$"))
    s = re.sub(r"\\[dt]frac", r"\\frac", s).replace("\\times", "\\cdot")
    s = re.sub(r"\\[lc]dots", r"\\dots", re.sub(r"\s*\bpercent\b", r"\\%", s))
    s = re.sub(r"([\^_])\{(\w)\}", r"\1\2", s)  # `x^{2}` is `x^2`
    s = re.sub(r"\\sqrt\s*(\w)", r"\\sqrt{\1}", s)  # `\sqrt2` is `\sqrt{2}`
    s = re.sub(r"\s+|\\[,;:! ]|\\left(?![a-zA-Z])|\\right(?![a-zA-Z])|\\q?quad|~", "", s)
    return s.rstrip(".")
