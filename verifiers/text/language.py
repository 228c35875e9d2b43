"""LanguageVerifier: the share of the reasoning's words written in the target language, counted
by Unicode script; it does not tell apart languages that share a script (English vs French)
and never loads a model.

This is DeepSeek-R1's language-consistency reward (words of the target language / all words in
the chain of thought). Words, after LaTeX, math, numbers, code blocks and inline code are cut:
- a run of Latin letters is one Latin-script word (English-like); a lone letter is a variable
  (`x`, `n`), not a word, so "设 x 为" stays Chinese;
- each Han character is one word: Chinese is not space-separated;
- each kana character is one Japanese word, and Han characters in a sentence that holds kana
  count as Japanese (kanji), so Japanese prose is not scored as Chinese;
- a run of Hangul is one Korean word (Korean separates words by spaces);
- a run of Cyrillic letters is one Cyrillic-script word; Greek runs of two or more letters are
  Greek words (a lone α is math).
Scripts, not languages, are counted: a target such as "fr" is satisfied by any Latin-script
words. Cost target ≤ 1 ms per 1,000 characters (bench/language_cost.py measures it).
"""

from __future__ import annotations

import importlib
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, ClassVar

from verifiers.base import Problem, Verdict
from verifiers.extract import split_sections

# ISO 639-1 code -> the word class that counts as that language.
_LATIN = ("en", "fr", "de", "es", "it", "pt", "nl", "sv", "da", "no", "fi", "pl", "cs",
          "ro", "hu", "tr", "id", "ms", "vi", "ca", "hr", "sk", "sl", "lt", "lv", "et")
_CYRILLIC = ("ru", "uk", "bg", "sr", "be", "kk", "mk")
WORD_CLASS: dict[str, str] = {
    **{code: "latin" for code in _LATIN},
    **{code: "cyrillic" for code in _CYRILLIC},
    "zh": "zh", "ja": "ja", "ko": "ko", "el": "greek",
}
# Detected class -> the code reported for a prompt written in it.
_CLASS_CODE = {"latin": "en", "zh": "zh", "ja": "ja", "ko": "ko", "cyrillic": "ru", "greek": "el"}
REGIONS = ("think", "completion")

# Cut first, longest constructs first, so `$` inside a code block does not open math.
_STRIP_RE = re.compile(
    r"```.*?(?:```|\Z)"                        # fenced code (an unclosed fence runs to the end)
    r"|`[^`\n]*`"                              # inline code
    r"|\$\$.*?\$\$|\$(?:[^$\n]|\n(?!\n))*\$"   # $$display$$ and $inline$ (not across paragraphs)
    r"|\\\[.*?\\\]|\\\(.*?\\\)"                # \[ \] and \( \)
    r"|\\begin\{(\w+\*?)\}.*?\\end\{\1\}"      # environments
    r"|\\[A-Za-z]+",                           # a bare LaTeX command outside delimiters
    re.DOTALL,
)
_WORD_RE = re.compile(
    r"(?P<latin>[A-Za-z\u00c0-\u024f\u1e00-\u1eff]{2,})"
    r"|(?P<cyrillic>[\u0400-\u04ff]+)"
    r"|(?P<ko>[\uac00-\ud7af\u1100-\u11ff\u3130-\u318f]+)"
    r"|(?P<greek>[\u0370-\u03ff]{2,})"
    r"|(?P<kana>[\u3040-\u309f\u30a0-\u30ff\u31f0-\u31ff\uff66-\uff9d]+)"
    r"|(?P<han>[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+)"
    r"|(?P<end>[。！？!?\n]|\.(?=\s|$))"  # a sentence boundary ("3.14" is not one)
)



def word_counts(text: str, latin_language: Callable[[str], Any] | None = None) -> Counter[str]:
    """Words per class ("latin", "zh", "ja", "ko", "cyrillic", "greek") after cutting math/code.
    With `latin_language` (sentence -> ISO code), a sentence's Latin words count under
    "latin:<code>" instead of "latin", so Latin-script languages can be told apart."""
    counts: Counter[str] = Counter()
    stripped = _STRIP_RE.sub(" ", text)
    han = kana = latin = 0  # of the current sentence: Han is kanji if the sentence holds kana
    start = 0

    def close(end: int) -> None:
        if han or kana:
            counts["ja" if kana else "zh"] += han + kana
        if latin and latin_language is not None:  # latin only counts with a latin_language
            code = str(latin_language(stripped[start:end]) or "und").lower().split("-")[0]
            counts[f"latin:{code}"] += latin

    for m in _WORD_RE.finditer(stripped):
        kind = m.lastgroup
        assert kind is not None  # every alternative of _WORD_RE is a named group
        if kind == "han":
            han += m.end() - m.start()
        elif kind == "kana":
            kana += m.end() - m.start()
        elif kind == "end":
            close(m.start())
            han = kana = latin = 0
            start = m.end()
        elif kind == "latin" and latin_language is not None:
            latin += 1
        else:
            counts[kind] += 1
    close(len(stripped))
    return counts


@lru_cache(maxsize=16)
def _load(path: str) -> Callable[[str], Any]:
    module, _, attr = path.partition(":")
    detector: Callable[[str], Any] = getattr(importlib.import_module(module), attr)
    return detector


def detect_language(text: str) -> str | None:
    """The ISO code of the word class with most words in `text`, or None if it has none."""
    counts = word_counts(text)
    if not counts:
        return None
    return _CLASS_CODE[counts.most_common(1)[0][0]]


@dataclass(frozen=True)
class LanguageVerifier:
    """Score = target-language words / all words in the region (the think block by default).

    The target is, in order: `language` (fixed in config), `problem.meta[meta_key]`, or the
    language detected from `problem.question`. A region without words scores 0 ("no_reasoning"):
    an empty chain of thought must not earn a consistency reward.

    `latin_detector` ("package.module:function", sentence -> ISO code) plugs an offline detector
    (the optional extra) to tell Latin-script languages apart for a Latin-script target; without
    it every Latin-script word counts for any Latin-script target."""

    language: str | None = None
    region: str = "think"
    latin_detector: str | None = None
    # Code problems use meta["language"] for the programming language (CodeTestsVerifier), so a
    # code task names another key for the natural language here.
    meta_key: str = "language"

    REASONS: ClassVar[frozenset[str]] = frozenset({
        "consistent",            # every word in the target language
        "mixed",                 # some words in another language
        "off_target",            # no word in the target language
        "no_reasoning",          # the region holds no words (or there is no think block)
        "unknown_language",      # no target given and none detectable: masked, our side
        "unsupported_language",  # a target code we cannot count: masked, our side
        "detector_error",        # the configured Latin detector failed: masked, our side
    })

    def __post_init__(self) -> None:
        if self.language is not None and self.language not in WORD_CLASS:
            raise ValueError(
                f"language={self.language!r} is not allowed; use None (per problem) or one of "
                f"{sorted(WORD_CLASS)}"
            )
        if not isinstance(self.meta_key, str) or not self.meta_key:
            raise ValueError(f"meta_key={self.meta_key!r} is not allowed; use a non-empty string")
        if self.region not in REGIONS:
            raise ValueError(f"region={self.region!r} is not allowed; use one of {REGIONS}")
        if self.latin_detector is not None and (
            not isinstance(self.latin_detector, str)
            or not all(self.latin_detector.partition(":")[::2])
        ):
            raise ValueError(
                f"latin_detector={self.latin_detector!r} is not allowed; use None or "
                "'package.module:function'"
            )

    def target(self, problem: Problem | None) -> str | None:
        if self.language is not None:
            return self.language
        meta = problem.meta if problem is not None else {}
        code = meta.get(self.meta_key)
        if isinstance(code, str) and code.strip():
            return code.strip().lower().split("-")[0].split("_")[0]  # "zh-CN" -> "zh"
        return detect_language(problem.question) if problem is not None else None

    def __call__(self, *, completion: str, problem: Problem | None = None) -> Verdict:
        target = self.target(problem)
        if target is None:
            return Verdict(0.0, "unknown_language", "no language given or detectable", True)
        if target not in WORD_CLASS:
            return Verdict(0.0, "unsupported_language", f"target {target!r}", True)
        if not isinstance(completion, str):
            return Verdict(0.0, "no_reasoning", f"completion is {type(completion).__name__}")
        if self.region == "think":
            text = split_sections(completion).think
        else:
            text = completion
        plugged = self.latin_detector is not None and WORD_CLASS[target] == "latin"
        word_class = f"latin:{target}" if plugged else WORD_CLASS[target]
        try:
            counts = word_counts(text, _load(self.latin_detector) if plugged else None)
        except Exception as exc:  # noqa: BLE001 - a plugged detector failing is our side
            return Verdict(0.0, "detector_error", f"{type(exc).__name__}: {exc}"[:300], True)
        total = sum(counts.values())
        if total == 0:
            return Verdict(0.0, "no_reasoning", f"no words in the {self.region} region")
        hits = counts.get(word_class, 0)
        score = hits / total
        detail = f"{hits}/{total} {target}; " + ", ".join(
            f"{k}={n}" for k, n in counts.most_common())
        reason = "consistent" if hits == total else ("off_target" if hits == 0 else "mixed")
        return Verdict(score, reason, detail)
