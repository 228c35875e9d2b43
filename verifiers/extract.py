"""The one parser every verifier reads completions through: R1 tags, graded region, boxes,
anchored final answers, fenced code. Pure string work: it never judges correctness.

Format, accuracy and language rewards must see the same structure, or a policy learns the gap
between them; so tag tokenizing and region selection live here and nowhere else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Mode = Literal["strict", "lenient"]
MODES = ("strict", "lenient")

# ---------------------------------------------------------------------------------------------
# R1 tag tokenizer
# ---------------------------------------------------------------------------------------------

TAG_NAMES = ("think", "answer")
_TAG_RE = re.compile(r"<(/?)(think|answer)>")


@dataclass(frozen=True)
class Tag:
    name: str  # "think" | "answer"
    closing: bool
    start: int
    end: int


def tokenize_tags(text: str) -> list[Tag]:
    """Every literal `<think>`, `</think>`, `<answer>`, `</answer>` in order of appearance."""
    return [Tag(m.group(2), bool(m.group(1)), m.start(), m.end()) for m in _TAG_RE.finditer(text)]


@dataclass(frozen=True)
class Sections:
    """How a completion splits into reasoning and the part that is graded.

    `graded` is None when there is no gradable part (an unclosed `<think>`)."""

    think: str
    graded: str | None
    graded_offset: int = 0


def split_sections(text: str) -> Sections:
    """Scratch work is never graded: with a `</think>`, only what follows the last one is graded
    (this also covers a `<think>` pre-filled by the chat template); an opened but unclosed
    `<think>` means the model never left its reasoning, so nothing is graded."""
    tags = tokenize_tags(text)
    closes = [t for t in tags if t.name == "think" and t.closing]
    if closes:
        last = closes[-1]
        opens = [t for t in tags if t.name == "think" and not t.closing and t.start < last.start]
        think_start = opens[0].end if opens else 0
        return Sections(text[think_start : last.start], text[last.end :], last.end)
    opens = [t for t in tags if t.name == "think" and not t.closing]
    if opens:
        return Sections(text[opens[0].end :], None)
    return Sections("", text, 0)


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    text: str


def answer_blocks(region: str) -> tuple[list[Span], bool]:
    """Contents of closed `<answer>…</answer>` blocks, and whether an `<answer>` was left open.

    Nested tags do not hide text: `<answer>6<answer>5</answer></answer>` yields the pieces "6" and
    "5" (two answers, a hedge), never only the innermost one. In a nested block, pieces that are
    only whitespace are dropped; an unnested empty block stays (it is an empty answer)."""
    blocks: list[Span] = []
    depth = 0
    nested = False
    piece_at = 0  # start of the text since the last answer tag, while inside a block

    def piece(end: int) -> None:
        if not nested or region[piece_at:end].strip():
            blocks.append(Span(piece_at, end, region[piece_at:end]))

    for tag in tokenize_tags(region):
        if tag.name != "answer":
            continue
        if not tag.closing:
            if depth:
                nested = True
                piece(tag.start)
            depth += 1
            piece_at = tag.end
        elif depth:
            piece(tag.start)
            depth -= 1
            piece_at = tag.end
            nested = nested and depth > 0
    return blocks, depth > 0


# ---------------------------------------------------------------------------------------------
# Boxes
# ---------------------------------------------------------------------------------------------

_BOX_RE = re.compile(r"\\(?:boxed|fbox)(?![a-zA-Z])\s*(\{)?")


def braced(text: str, open_pos: int) -> int | None:
    """Index just past the brace that closes the `{` at `open_pos`, or None if unbalanced."""
    depth = 0
    i = open_pos
    n = len(text)
    while i < n:
        c = text[i]
        if c == "\\":
            i += 2  # an escaped brace `\{` does not count
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return None


def brace_matches(text: str) -> dict[int, int]:
    """Index of every `{` that is closed -> index just past its `}`, in one pass (escaped `\\{`
    does not count). Each box then looks its end up instead of rescanning the rest of the text,
    which made many unclosed boxes quadratic."""
    matches: dict[int, int] = {}
    stack: list[int] = []
    for m in _BRACE_RE.finditer(text):
        c = m.group(0)
        if c == "{":
            stack.append(m.start())
        elif c == "}" and stack:
            matches[stack.pop()] = m.end()
    return matches


_BRACE_RE = re.compile(r"\\.|[{}]", re.DOTALL)
_BOX_TOKEN_RE = re.compile(r"[^\s$\\{}]*[^\s$\\{}.,;:!?]")


def boxes(text: str) -> list[Span]:
    """Contents of every `\\boxed{…}` / `\\fbox{…}` (and `\\boxed 5`), outermost only, in order.
    A box with unbalanced braces yields nothing. Linear in the length of the text."""
    out: list[Span] = []
    pos = 0
    matches: dict[int, int] | None = None
    while True:
        m = _BOX_RE.search(text, pos)
        if not m:
            return out
        if m.group(1):
            if matches is None:
                matches = brace_matches(text)
            end = matches.get(m.start(1))
            if end is None:
                pos = m.end()
                continue
            out.append(Span(m.start(), end, text[m.end() : end - 1]))
            pos = end
        else:
            token = _BOX_TOKEN_RE.match(text, m.end())
            if token:  # `\boxed 5.` boxes 5: the sentence's full stop is not part of it
                out.append(Span(m.start(), token.end(), token.group(0)))
            pos = m.end()


# ---------------------------------------------------------------------------------------------
# Anchored final statements (lenient mode)
# ---------------------------------------------------------------------------------------------

_ANCHOR_RE = re.compile(
    r"####|\b(?:final\s+answer|(?<!to )(?:the\s+)?answer)\s*(?:is\s*:?|:|=)|"
    r"\bthe\s+answer\s+should\s+be|"
    # "Answer $9$" / "Answer \\( 9 \\)": a line that opens with the word and then math.
    r"^[ \t*]*(?:final\s+)?answer[ \t*]+(?=\$|\\[(\[])",
    re.IGNORECASE | re.MULTILINE,
)
_HOPE = "i hope it is correct"
# An anchor's statement is read from at most this many characters: a longer "answer" is rejected
# by every grader anyway, and the bound keeps many anchors in a long text linear.
STATEMENT_WINDOW_CHARS = 6_000
_SENTENCE_END_RE = re.compile(r"\.(?=\s+[A-Z(])|\.\s*$")
# "The answer is 3, since 3 > 2": the reason after the answer is not part of it.
_CLAUSE_RE = re.compile(
    r",?\s+(?:since|because|as|which|where|so that|given that)\b", re.IGNORECASE
)
_MATH_DELIMS = (("$$", "$$"), ("$", "$"), ("\\(", "\\)"), ("\\[", "\\]"))


def _math_ranges(line: str) -> list[tuple[int, int]]:
    """(start, end) of every math span ($$..$$, $..$, \\(..\\), \\[..\\]) in `line`, with its
    delimiters, in one pass: a closer that is not found once is never searched for again."""
    out: list[tuple[int, int]] = []
    i = 0
    n = len(line)
    missing: set[str] = set()
    while i < n:
        c = line[i]
        if c == "\\" and line[i + 1 : i + 2] == "$":
            i += 2  # `\$25` is a price, not math mode
            continue
        if c == "$" or (c == "\\" and line[i + 1 : i + 2] in ("(", "[")):
            for open_, close in _MATH_DELIMS:
                if line.startswith(open_, i) and close not in missing:
                    end = line.find(close, i + len(open_))
                    while close[0] == "$" and end > 0 and line[end - 1] == "\\":
                        end = line.find(close, end + 1)  # an escaped `\$` closes nothing
                    if end < 0:
                        missing.add(close)
                        continue
                    if open_ in ("$", "\\(") and "\n" in line[i:end]:
                        i += 1  # inline math never spans a line break: these are not its ends
                        break
                    out.append((i, end + len(close)))
                    i = end + len(close)
                    break
            else:
                i += 1
            continue
        i += 1
    return out


def _mask_math(line: str, fill: str = "x") -> str:
    """`line` with every math span overwritten by `fill` (so its periods and commas end nothing)."""
    parts: list[str] = []
    at = 0
    for start, end in _math_ranges(line):
        parts += [line[at:start], fill * (end - start)]
        at = end
    parts.append(line[at:])
    return "".join(parts)


def _strip_hope(line: str) -> str:
    """Minerva's closing "I hope it is correct." is not part of the answer."""
    low = line.rstrip().rstrip(".").rstrip().lower()
    if low.endswith(_HOPE):
        line = line[: len(low) - len(_HOPE)].rstrip().rstrip(".")
    return line


def _statement_after(text: str, pos: int, end: int) -> str:
    window = text[pos : min(end, pos + STATEMENT_WINDOW_CHARS)]
    lines = window.split("\n", 3)
    # "**Final answer:**" on its own line states the answer on the next non-empty line.
    line = lines[0] if lines[0].strip(" *:") else next((x for x in lines[1:] if x.strip()), "")
    line = re.sub(r"\s+", " ", line)  # whitespace runs collapse first: no regex below rescans one
    line = _strip_hope(line).strip().strip("*").strip()
    # Math spans are atomic: a period or comma inside $...$ ends nothing.
    masked = _mask_math(line)
    cut = [m.start() for m in (_SENTENCE_END_RE.search(masked), _CLAUSE_RE.search(masked)) if m]
    if cut:
        line = line[: min(cut)]
    line = re.sub(r"(?<!\\)\$+|\\[()\[\]]", " ", line)
    # `\"$12$ and $13$\"`: quotes (escaped or not) around the answer are not part of it.
    line = re.sub(r'^\s*(?:\\?"\s*)+|(?:\s*\\?")+\s*$', " ", line)
    stmt = re.sub(r"^[\s*]+|[\s*.,;:]+$", "", re.sub(r"\s+", " ", line))
    # "Final Answer: The largest n is 34." states 34: a short subject, then "is", then the value.
    m = _SUBJECT_IS_RE.match(stmt)
    return m.group(1) if m else stmt


_SUBJECT_IS_RE = re.compile(
    r"(?i)(?:the|a|an|our|my)\s+[^=\d]{0,60}?\s(?:is|are|equals|was)\s+(\S.*)$"
)


# Words before an anchor, in its sentence, that make the statement a guess.
_HEDGED_LEAD_RE = re.compile(
    r"\b(?:maybe|perhaps|possibly|probably|guess|suppos\w*|might|not sure|unsure|uncertain)\b",
    re.IGNORECASE)


def final_statements(text: str) -> list[Span]:
    """Answers stated after an anchor: "The final answer is X", "Answer: X", "#### X",
    "Final Answer: The final answer is X. I hope it is correct." Adjacent anchors merge (the
    last one wins); anchors with answers between them are separate statements."""
    out: list[Span] = []
    last_k = -2  # index of the anchor that stated out[-1]
    anchors = list(_ANCHOR_RE.finditer(text))
    for k, m in enumerate(anchors):
        # A statement ends where the next anchor starts, so the windows never overlap (linear).
        stmt = _statement_after(
            text, m.end(), anchors[k + 1].start() if k + 1 < len(anchors) else len(text)
        )
        if m.group(0) == "####" and re.match(r"[A-Za-z]{2,}\s+\S|#", stmt):
            continue  # a markdown heading ("#### Step 2: ..."), not GSM8K's answer marker
        lead = text[max(0, m.start() - 200) : m.start()]
        if _HEDGED_LEAD_RE.search(re.split(r"[.!?](?=\s)|\n", lead)[-1]):
            # "Maybe the answer is 5.": a guess states nothing, and as the last statement it
            # leaves the earlier ones as a hedge ("The answer is 5. Maybe the answer is 6.")
            hedged_last = k == len(anchors) - 1 and bool(out)
            if hedged_last:
                out.append(Span(m.start(), m.end(), "\\text{maybe } " + stmt))
            continue
        # Only the anchor just before can be adjacent: any anchor between leaves its own words in
        # the gap. Checking that first keeps the gap short (linear).
        if (
            out
            and last_k == k - 1
            and not re.sub(r"(?i)\bthe\b|[\s*:]", "", text[out[-1].end : m.start()])
        ):
            out.pop()  # "Final Answer: The final answer is 5" states one answer, not two
        if stmt:
            out.append(Span(m.start(), m.end(), stmt))
            last_k = k
    return out


# ---------------------------------------------------------------------------------------------
# The committed answer
# ---------------------------------------------------------------------------------------------

# Words that take back an earlier answer. Only an explicit retraction lets a later, different
# answer replace an earlier one; two different answers without one are a hedge.
_RETRACTION_RE = re.compile(
    r"\b(?:wait|actually|mistake|error|wrong|incorrect|correction|oops|instead|hmm|"
    r"re-?(?:check|calculat\w*|comput\w*|evaluat\w*|consider\w*|do|examin\w*|think\w*|visit\w*)|"
    r"double[- ]check\w*|scratch that|on second thought|let me (?:fix|correct)|not correct|"
    r"no,|that(?:'s| is) not right)",
    re.IGNORECASE,
)


# After the last answer, only an explicit statement that it is wrong takes it back ("wait, let me
# double-check" followed by nothing keeps it).
_DISOWNED_RE = re.compile(
    r"\b(?:(?:that|this)(?:'s| is) (?:wrong|incorrect|not (?:right|correct))|I made a mistake|"
    r"scratch that|my answer is (?:wrong|incorrect))|\b(?:I )?(?:made|found) (?:an? )?"
    r"(?:error|mistake)", re.IGNORECASE)
# Right after the answer: "\boxed{5} is wrong".
_IS_WRONG_RE = re.compile(
    r"\W{0,3}(?:is|was) (?:wrong|incorrect|not (?:right|correct|the answer))", re.IGNORECASE)


@dataclass(frozen=True)
class Extraction:
    """The answer a completion commits to.

    status: "ok" (candidates holds the committed answer(s), all of which must agree),
            "no_answer" (nothing to grade). `source` names where the answer came from."""

    status: Literal["ok", "no_answer"]
    candidates: tuple[str, ...] = ()
    source: str = ""
    detail: str = ""


def _committed(region: str, spans: list[Span]) -> tuple[str, ...]:
    """The answers stated after the last explicit retraction (deduplicated, in order)."""
    first = 0
    for k in range(1, len(spans)):
        if _RETRACTION_RE.search(region, spans[k - 1].end, spans[k].start):
            first = k
    seen: dict[str, None] = {}
    for span in spans[first:]:
        seen.setdefault(span.text.strip(), None)
    return tuple(seen)


def committed_answer(completion: str, mode: Mode = "strict") -> Extraction:
    """Graded region -> answer candidates. Order of precedence: closed `<answer>` blocks, then
    `\\boxed{}`/`\\fbox{}`, then (lenient mode only) anchored final statements."""
    if mode not in MODES:
        raise ValueError(f"mode={mode!r} is not allowed; use one of {MODES}")
    region = split_sections(completion).graded
    if region is None:
        return Extraction(
            "no_answer", detail="unclosed <think>: the answer never left the reasoning"
        )
    if mode == "lenient":
        # Chat-template debris (`<|im_start|>user ...`) after a transcript is not the model's
        # answer.
        head = _CHAT_HEAD_RE.match(region)  # `<|im_start|>assistant\n` opening a transcript
        region = region[head.end() :] if head else region
        debris = _CHAT_TOKEN_RE.search(region)
        region = region[: debris.start()] if debris else region
    blocks, unclosed = answer_blocks(region)
    if blocks:
        inner: list[Span] = []
        for block in blocks:
            # Inside answer tags, "The answer is 5" states 5 in either mode.
            found = boxes(block.text)
            rest = block.text
            for f in reversed(found):
                rest = rest[: f.start] + " " + rest[f.end :]
            if found and re.search(r"\d|\$|\\[(\[]|\b(?:or|maybe|perhaps|possibly|either)\b", rest,
                                   re.IGNORECASE):
                # `<answer>\boxed{5} or 6</answer>`, `<answer>6 \boxed{5}</answer>`: what the block
                # says beside its box is a second answer (a hedge), never ignored
                inner.append(Span(block.start, block.end, rest.strip()))
            found = found or final_statements(block.text)
            inner.extend(Span(block.start + s.start, block.start + s.end, s.text) for s in found)
            if not found:
                inner.append(block)
        return _ok(region, inner, "answer_tag")
    found = boxes(region)
    if found and mode == "lenient":
        # Boxed values in worked steps, then "The final answer is X": the explicit statement wins.
        later = [
            f
            for f in final_statements(region[found[-1].end :])
            if _FINAL_RE.match(region, found[-1].end + f.start)
        ]
        if later:
            offset = found[-1].end
            return _ok(
                region,
                [Span(offset + f.start, offset + f.end, f.text) for f in later[-1:]],
                "final_statement",
            )
    if found:
        return _ok(region, found, "boxed")
    if mode == "lenient":
        found = final_statements(region)
        if found:
            return _ok(region, found, "final_statement")
        if unclosed:
            start = region.rfind("<answer>") + len("<answer>")
            return _ok(region, [Span(start, len(region), region[start:])], "answer_tag_unclosed")
        value = final_value(region)
        if value is not None:
            return _ok(region, [value], "final_value")
    return Extraction("no_answer", detail="no <answer> block or \\boxed{}" + (
        " (an <answer> tag was never closed)" if unclosed else ""))


_CHAT_TOKEN_RE = re.compile(
    r"<\|(?:im_start|im_end|endoftext|eot_id|start_header_id|end_of_text)\|>"
)
_FINAL_RE = re.compile(r"(?i)final\s+answer")
_CHAT_HEAD_RE = re.compile(
    r"(?:\s*<\|(?:im_start|start_header_id|begin_of_text)\|>\s*(?:assistant|system|user)?"
    r"(?:<\|end_header_id\|>)?)+\s*")


def _ok(region: str, spans: list[Span], source: str) -> Extraction:
    if _DISOWNED_RE.search(region, spans[-1].end) or _IS_WRONG_RE.match(region, spans[-1].end):
        return Extraction(
            "no_answer", source=source, detail="the final answer is taken back and none follows"
        )
    cands = tuple(c for c in _committed(region, spans) if c)
    if not cands:
        return Extraction("no_answer", source=source, detail=f"empty {source}")
    return Extraction("ok", cands, source)


# ---------------------------------------------------------------------------------------------
# The final value of unanchored prose (lenient mode)
# ---------------------------------------------------------------------------------------------

# The rule (docs/verifiers.md): with no tag, box or anchor, the answer is the one value the last
# sentence states. The last sentence is the text after the last sentence end outside math (`.`,
# `!`, `?` before a space, a line break, or a space before "Therefore"/"Thus"/"Hence"/"So"). It
# states a value when it is
#   - only a value: no prose word outside math (`42`, `$\frac13$`, `1,000.99`, `28 percent`);
#   - prose with exactly one math span (`Thus $x \geq 5$ is the solution.`), or with several
#     where the last ends the sentence right after "is"/"are"/"=" (`... $(x, y)$ ... is $(7, 6)$`);
#   - prose with no math and one number (`... wins the game is 2/3.`), or several where the last
#     ends the sentence right after "is"/"are"/"=" (`... is 10 which is 1,000.99 m²`).
# A question, a sentence that takes a value back ("wait", "made an error"), or words that hedge,
# negate or set up ("or", "not", "if", "let") before the value (since the value before it) or right
# after it, state nothing. `strict` mode never uses this rule.
FINAL_VALUE_TAIL_CHARS = 4_000
_SENTENCE_BREAK_RE = re.compile(r"[.!?](?=\s)|\n|\s(?=(?:Therefore|Thus|Hence|So)\b)")
_PROSE_WORD_RE = re.compile(r"(?<![\\A-Za-z])[A-Za-z]{2,}")
_NOT_PROSE = frozenset({"percent", "pct", "cm", "mm", "km", "kg", "mph", "ft", "in", "m"})
_UNSTATED_RE = re.compile(
    r"\b(?:or|not|no|nor|either|neither|maybe|perhaps|possibly|probably|might|could|unless|if|"
    r"whether|let|suppose|assume|assuming|guess|try|check|wait|between|except|instead|than|"
    r"cannot|never|none|nothing|impossible|wrong|incorrect|false|\w+n't)\b|"
    r"\?\s*$",
    re.IGNORECASE,
)
_TAKEN_BACK_RE = re.compile(
    r"\b(?:wait|actually|oops|hmm|mistakes?|realiz\w*|scratch that|on second thought|"
    r"(?:an?|my|made|found) errors?|re-?(?:check|calculat|comput|think)\w*|double[- ]check\w*)\b",
    re.IGNORECASE,
)
_NUMBER_RE = re.compile(
    r"(?<![\w.^_\\])(?<!\d:)-?(?:\d+(?:,\d{3})+(?:\.\d+)?|\d+(?:[.,]\d+)?|\.\d+)(?:/\d+)?"
    r"(?:\s?(?:\\?%|percent\b))?(?![\d/]|:\d)"
)
_COPULA_RE = re.compile(
    r"(?:\b(?:is|are|was|were|equals|be|to|becomes|gives)|'s|=|(?<!\d):)\s*$", re.IGNORECASE
)


def prose_words(sentence: str) -> list[str]:
    """Words of two or more letters outside math and `\\text{}`-like groups, units aside."""
    outside = re.sub(r"\\\w+\{[^{}]*\}", " ", _mask_math(sentence, "#"))
    return [w for w in _PROSE_WORD_RE.findall(outside) if w.lower() not in _NOT_PROSE]


def _last_stated(sentence: str, found: list[Span]) -> Span | None:
    """The last of `found` if it is the only one, or if only a unit follows it and "is", "=" or
    the like comes right before it; else None (two values without that are not one answer). The
    words leading to it (from the value before it, or the sentence's start) must not hedge,
    negate or set up: "the number is not 10, it is 12" states 12, "it is 5, not 6" nothing."""
    if not found:
        return None
    last = found[-1]
    if len(found) > 1 and not (
        len(sentence[last.end :].split()) <= 1 and _COPULA_RE.search(sentence[: last.start])
    ):
        return None
    lead = sentence[found[-2].end if len(found) > 1 else 0 : last.start]
    after = sentence[last.end :]  # "... is 10, not 12", "$n = 6$ if ...", "5 or more"
    return None if _UNSTATED_RE.search(_mask_math(lead + " " + after, "#")) else last


def final_value(region: str) -> Span | None:
    """The one value the last sentence of `region` states, or None (see the rule above)."""
    base = max(0, len(region) - FINAL_VALUE_TAIL_CHARS)
    tail = _strip_hope(region[base:].rstrip()).rstrip()
    ends = [m.end() for m in _SENTENCE_BREAK_RE.finditer(_mask_math(tail).rstrip(".!;, "))]
    start = ends[-1] if ends else 0
    lead = len(tail[start:]) - len(tail[start:].lstrip())
    raw = tail[start:].strip()
    sentence = raw.rstrip(".;, ")
    shift = base + start + lead
    outside = _mask_math(sentence, "#")
    # A whole reply of a few words (`No`, `Neither`, `odd`, `5:30 PM`) is its answer; the parser
    # judges a hedge in it ("5 or 6" is two values, "Maybe 5" no value).
    whole = (start == 0 and base == 0 and len(sentence.split()) <= 3
             and not re.search(r"[$\\]", sentence)
             and (not re.search(r"\d", sentence) or len(prose_words(sentence)) <= 1))
    if not sentence or raw.endswith("?") or _TAKEN_BACK_RE.search(outside):
        return None  # a question, or "... but then realized an error", states nothing
    if not prose_words(sentence) or whole:
        # only a value, or a whole reply of a few words (`odd`, `$\text{Monday}$`)
        if _UNSTATED_RE.search(outside) and not whole:
            return None
        text = re.sub(r"(?<!\\)\$+|\\[()\[\]]", " ", sentence).strip()
        return Span(shift, shift + len(sentence), text) if text else None
    spans = [Span(a, b, sentence[a:b]) for a, b in _math_ranges(sentence)]
    if spans:
        last = _last_stated(sentence, spans)
        inner = re.sub(r"^(?:\$+|\\[(\[])|(?:\$+|\\[)\]])$", "", last.text).strip() if last else ""
        return Span(shift + last.start, shift + last.end, inner) if last and inner else None
    numbers = [Span(m.start(), m.end(), m.group(0)) for m in _NUMBER_RE.finditer(sentence)]
    last = _last_stated(sentence, numbers)
    return Span(shift + last.start, shift + last.end, last.text) if last else None


# ---------------------------------------------------------------------------------------------
# Fenced code
# ---------------------------------------------------------------------------------------------

_FENCE_INFO_RE = re.compile(r"[ \t]*([\w+#.-]*)")


@dataclass(frozen=True)
class CodeBlock:
    language: str  # lower-cased info string ("" when absent)
    code: str


def code_blocks(text: str) -> list[CodeBlock]:
    """Every closed ``` fenced block, in order: an opening fence, its info string up to the end
    of that line, then everything up to the next ```. One pass: a fence with no newline or no
    closer after it means no later fence has one either."""
    out: list[CodeBlock] = []
    pos = 0
    while True:
        start = text.find("```", pos)
        if start < 0:
            return out
        newline = text.find("\n", start + 3)
        if newline < 0:
            return out
        close = text.find("```", newline + 1)
        if close < 0:
            return out
        info = _FENCE_INFO_RE.match(text, start + 3, newline)  # matches always (may be empty)
        language = info.group(1).lower() if info else ""
        out.append(CodeBlock(language, text[newline + 1 : close]))
        pos = close + 3
