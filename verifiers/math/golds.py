"""How a gold answer is read: the part of a stored gold that states the answer (its boxes, or the
anchored final answer of a whole solution), then its value; a well-formed gold that is no value is
kept as written. It never raises on any input and never compares answers (`comparison`).
"""

from __future__ import annotations

import re

from verifiers.extract import boxes, committed_answer
from verifiers.math.parsing import parse_answer, unreadable
from verifiers.math.regions import _balanced
from verifiers.math.values import Text
from verifiers.math.words import TEXT_CMD_RE, verbatim


def gold_text(raw: str) -> str:
    """The answer a gold states. A gold with boxes states its last group of boxes: boxes with at
    most three words between them are one list (`\\(\\boxed{1}\\) and \\(\\boxed{-2}\\)`),
    farther apart the last one wins (a solution's worked steps). A gold with no box that is a
    whole solution states its anchored final answer ("Final Answer: The final answer is $28\\%$").
    Any other gold is read as written."""
    found = boxes(raw)
    if found:
        group = [found[-1]]
        for prev in reversed(found[:-1]):
            gap = TEXT_CMD_RE.sub(" ", raw[prev.end : group[0].start])
            if len(re.findall(r"[A-Za-z]+", re.sub(r"\\[a-zA-Z]+", " ", gap))) > 3:
                break
            group.insert(0, prev)
        texts = list(dict.fromkeys(b.text.strip() for b in group if b.text.strip()))
        return ", ".join(texts) if texts else raw
    if len(raw) > 40:
        stated = committed_answer(raw, "lenient")
        if stated.status == "ok" and stated.source == "final_statement":
            return stated.candidates[-1]
    return raw


def parse_gold(raw: str) -> object:
    """Gold answers are parsed like candidates, plus: a boxed gold is its box, a bare choice
    letter is a choice, and plain words are text. A gold we cannot read as a value
    (`\\text{Carla has } 30\\% \\text{ more juice}`, `2, 4, \\dots, 2(n-1)`) is compared as
    written (up to spacing; case, digits and signs count): never lost, never matched by another
    value. A malformed gold (unbalanced, or no letters) stays unreadable (`gold_unparseable`)."""
    text = gold_text(raw).strip().rstrip(",;").strip()
    value = parse_answer(text, None)
    words = re.sub(r"\\(?!(?:l|c)?dots\b)[a-zA-Z]+", " ", text)  # command names are not words
    if (unreadable(value) and _balanced(text) and text.count("\\begin") == text.count("\\end")
            and re.search(r"[A-Za-z]", words)):
        return Text(verbatim(text), verbatim=True)
    return value
