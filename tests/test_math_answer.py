"""MathAnswerVerifier against the labelled table (verifiers/testing/suites/math.py) and against
properties no table can enumerate: any text gets a Verdict in time, equal values agree in every
spelling, threads see the same verdicts as a single caller, and an overrun never poisons later
calls."""

from __future__ import annotations

import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from verifiers.base import Problem, Verdict, Verifier
from verifiers.math.verifier import MathAnswerVerifier
from verifiers.testing.suites.math import CASES, MathCase

DEADLINE_S = 2.0  # the verifier's default hard deadline
SLACK_S = 0.5  # what the issue allows on top of it for dispatch and process replacement
REASONS = {"correct", "wrong_answer", "no_answer", "hedged", "unparseable", "timeout",
           "gold_unparseable"}

# Property tests run many verifier calls through a process pool on small CI machines: keep the
# example counts modest and let our own wall-clock assertion (not hypothesis' deadline) judge time.
PROPERTY = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.fixture(scope="module")
def verifier() -> dict[str, MathAnswerVerifier]:
    """One verifier per mode, shared by the whole module (they share the worker pool anyway)."""
    return {mode: MathAnswerVerifier(mode=mode) for mode in ("strict", "lenient")}


def grade(v: MathAnswerVerifier, case: MathCase) -> Verdict:
    return v(completion=case.completion,
             problem=Problem(id=case.id, question=case.question, answer=case.gold))


def _short(text: str, limit: int = 160) -> str:
    return text if len(text) <= limit else text[:limit] + f"... ({len(text)} chars)"


# ---------------------------------------------------------------------------------------------
# The table
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", [pytest.param(c, id=c.id) for c in CASES])
def test_table(case: MathCase, verifier: dict[str, MathAnswerVerifier]) -> None:
    verdict = grade(verifier[case.mode], case)
    context = (f"gold={case.gold!r} completion={_short(case.completion)!r} mode={case.mode} "
               f"-> {verdict}")
    assert isinstance(verdict, Verdict), context
    assert verdict.reason in REASONS, context
    assert verdict.score == case.expected, context
    if case.reason is not None:
        assert verdict.reason == case.reason, context
    elif case.expected == 1.0:
        assert verdict.reason == "correct", context
    else:
        assert verdict.reason != "correct", context
    # Only a failure on our side is masked; a wrong or gamed answer must be punished, not hidden.
    assert verdict.infra_error == (verdict.reason == "gold_unparseable"), context


def test_table_has_the_size_and_shape_the_issue_asks_for() -> None:
    assert len(CASES) >= 450
    by_group: dict[str, list[MathCase]] = {}
    for c in CASES:
        by_group.setdefault(c.group, []).append(c)
    for group, rows in by_group.items():
        # Every group needs hard negatives; only the all-negative groups may lack a positive.
        assert any(r.expected == 0.0 for r in rows), f"group {group} has no hard negative"
        if group not in {"false_positives", "gold_unparseable"}:
            assert any(r.expected == 1.0 for r in rows), f"group {group} has no positive row"


# ---------------------------------------------------------------------------------------------
# Contract: protocol, configuration, keyword-only, never raises
# ---------------------------------------------------------------------------------------------


def test_speaks_the_verifier_protocol() -> None:
    v = MathAnswerVerifier()
    assert isinstance(v, Verifier)
    assert set(v.REASONS) == REASONS


@pytest.mark.parametrize(
    "kwargs", [{"mode": "fuzzy"}, {"rel_tol": -1e-6}, {"deadline_s": 0}, {"deadline_s": -1.0}]
)
def test_bad_configuration_names_the_key(kwargs: dict) -> None:
    key = next(iter(kwargs))
    with pytest.raises(ValueError, match=key):
        MathAnswerVerifier(**kwargs)


def test_arguments_are_keyword_only(verifier) -> None:
    with pytest.raises(TypeError):
        verifier["strict"]("\\boxed{5}",  # type: ignore[misc]
                           Problem(id="p", question="", answer="5"))


def test_missing_gold_is_masked_not_punished(verifier) -> None:
    verdict = verifier["strict"](completion="\\boxed{5}", problem=Problem(id="p", answer=None))
    assert (verdict.score, verdict.reason, verdict.infra_error) == (0.0, "gold_unparseable", True)


def test_shorter_roundings_are_accepted_only_when_configured() -> None:
    sqrt2 = Problem(id="sqrt2", answer="\\sqrt{2}")
    loose = MathAnswerVerifier(rel_tol=1e-4)
    assert MathAnswerVerifier()(completion="\\boxed{1.4142}", problem=sqrt2).score == 0.0
    assert loose(completion="\\boxed{1.4142}", problem=sqrt2).score == 1.0
    assert loose(completion="\\boxed{1.41}", problem=sqrt2).score == 0.0
    # Tolerance is for decimals against exact values; exact values still compare exactly.
    assert (
        loose(completion="\\boxed{2^{-59}}", problem=Problem(id="t", answer="2^{-60}")).score == 0.0
    )
    # A looser rel_tol lets fewer digits count, never a wrong rounding: 2000001.0 is within 1e-4
    # of 2000000 but is not a rounding of it at the precision written.
    big = Problem(id="big", answer="2000000")
    assert loose(completion="\\boxed{2000001.0}", problem=big).score == 0.0
    assert loose(completion="\\boxed{2000000.0}", problem=big).score == 1.0


# ---------------------------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------------------------

# Fragments a policy (or a fuzzer) might glue together: valid LaTeX, broken LaTeX, tags, anchors.
_SOUP = [
    "\\boxed{", "\\fbox{", "\\frac{", "\\sqrt{", "\\sqrt[", "}", "{", "^", "_", "\\left(",
    "\\right)", "\\begin{pmatrix}", "\\end{pmatrix}", "&", "\\\\", "\\cup", "\\infty", "\\pi", "e",
    "i", "x", "=", "<think>", "</think>", "<answer>", "</answer>", "The final answer is ",
    "Answer: ", "####", "$", "$$", "\\(", "\\)", "\\text{", "\\%", "%", "^\\circ", "!", "\\pm",
    "\\mathbb{R}", ",", ".", "(", ")", "[", "]", "\\{", "\\}", "9", "10", "-", "+", "\\cdot",
    "\\times", "½", "√", "π", "−", "≤", "∞", "×", "⁵", "°", "\\binom{", "\\log_", "\\int",
    "\\sum_{", "\\lim", "\\x00", " ", "\n",
]
_soup = st.lists(st.sampled_from(_SOUP) | st.text(max_size=4), max_size=60).map("".join)
_golds = st.sampled_from(["5", "\\frac{1}{2}", "(1,2]", "\\{1,2\\}", "x=3", "B", "Alice", "2\\pi"])


def _timed(
    v: MathAnswerVerifier, completion: str, gold: str, question: str = ""
) -> tuple[Verdict, float]:
    start = time.monotonic()
    verdict = v(completion=completion, problem=Problem(id="prop", question=question, answer=gold))
    return verdict, time.monotonic() - start


@PROPERTY
@given(completion=st.one_of(st.text(max_size=300), _soup), gold=_golds,
       mode=st.sampled_from(["strict", "lenient"]))
def test_any_text_gets_a_verdict_in_time(verifier, completion: str, gold: str, mode: str) -> None:
    verdict, elapsed_s = _timed(verifier[mode], completion, gold)
    assert isinstance(verdict, Verdict)
    assert 0.0 <= verdict.score <= 1.0
    assert verdict.reason in REASONS
    assert elapsed_s <= DEADLINE_S + SLACK_S, f"{elapsed_s:.2f} s for {completion!r}"


@PROPERTY
@given(gold=st.one_of(st.text(max_size=40), _soup))
def test_any_gold_gets_a_verdict_and_never_rewards_garbage(verifier, gold: str) -> None:
    # A random gold is either a real answer or unparseable; an unrelated completion never wins.
    verdict, elapsed_s = _timed(verifier["strict"], "\\boxed{271828}", gold)
    assert isinstance(verdict, Verdict)
    assert elapsed_s <= DEADLINE_S + SLACK_S
    if verdict.reason == "gold_unparseable":
        assert verdict.infra_error and verdict.score == 0.0


def _fraction_forms(value: Fraction) -> list[str]:
    """Spellings of one rational value that every careful grader reads the same."""
    p = abs(value.numerator)
    q = value.denominator
    neg = value < 0
    sign = "-" if neg else ""
    forms = [
        f"{sign}{p}/{q}",
        f"{sign}\\dfrac{{{p}}}{{{q}}}",
        f"\\frac{{{2 * value.numerator}}}{{{2 * q}}}",
    ]
    if q == 1:
        forms += [f"{value.numerator}", f"{value.numerator}.0"]
    else:
        forms += [f"{sign}\\frac{{{p}}}{{{q}}}"]
    if neg:
        forms += [
            f"\\frac{{-{p}}}{{{q}}}",
            f"\\frac{{{p}}}{{-{q}}}",
            f"-\\left(\\frac{{{p}}}{{{q}}}\\right)",
        ]
    rest = q
    for base in (2, 5):
        while rest % base == 0:
            rest //= base
    if rest == 1:  # terminating decimal: exact, so it must match exactly
        digits = 0
        while (value * 10**digits).denominator != 1:
            digits += 1
        forms.append(f"{float(value):.{digits}f}" if digits else f"{value.numerator}")
    return list(dict.fromkeys(forms))


_fractions = st.builds(
    Fraction,
    st.integers(-60, 60).filter(lambda n: n != 0),
    st.sampled_from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 16, 20, 25, 40, 64, 125]),
)


@settings(PROPERTY, max_examples=25)
@given(value=_fractions)
def test_equal_fractions_agree_in_every_form(verifier, value: Fraction) -> None:
    gold = f"\\frac{{{value.numerator}}}{{{value.denominator}}}"
    if value.denominator == 1:
        gold = str(value.numerator)
    for form in _fraction_forms(value):
        verdict, _ = _timed(verifier["strict"], f"So the answer is $\\boxed{{{form}}}$.", gold)
        assert verdict.score == 1.0, f"{form!r} should equal gold {gold!r}: {verdict}"
    near = value + Fraction(1, value.denominator * 7)  # a near miss in the same spelling
    verdict, _ = _timed(
        verifier["strict"], f"$\\boxed{{{near.numerator}/{near.denominator}}}$", gold
    )
    assert verdict.score == 0.0, f"{near} must not equal {value}: {verdict}"


@settings(PROPERTY, max_examples=25)
@given(n=st.integers(1000, 10**9))
def test_integers_agree_with_thousands_separators(verifier, n: int) -> None:
    grouped = f"{n:,}"
    for form in (grouped, grouped.replace(",", "{,}"), grouped.replace(",", "\\,"), f"{n}.0"):
        verdict, _ = _timed(verifier["strict"], f"<answer>{form}</answer>", str(n))
        assert verdict.score == 1.0, f"{form!r} should equal {n}: {verdict}"
    verdict, _ = _timed(verifier["strict"], f"<answer>{n + 1:,}</answer>", str(n))
    assert verdict.score == 0.0


def _linear(a: int, b: int, times: str = "") -> str:
    """a*x + b the way a person writes it: no `1x`, no `+ -3`."""
    coef = {1: "", -1: "-"}.get(a, str(a))
    return f"{coef}{times if coef not in ('', '-') else ''}x {'-' if b < 0 else '+'} {abs(b)}"


@settings(PROPERTY, max_examples=25)
@given(a=st.integers(-9, 9).filter(lambda n: n != 0), b=st.integers(-9, 9).filter(lambda n: n != 0))
def test_linear_expressions_agree_when_rearranged(verifier, a: int, b: int) -> None:
    gold = _linear(a, b)
    swapped = f"{b} {'-' if a < 0 else '+'} {abs(a) if abs(a) != 1 else ''}x"
    for form in (swapped, _linear(a, b, times="\\cdot "), f"({_linear(2 * a, 2 * b)})/2"):
        verdict, _ = _timed(verifier["strict"], f"\\boxed{{{form}}}", gold)
        assert verdict.score == 1.0, f"{form!r} should equal {gold!r}: {verdict}"
    near = _linear(a, b + 1) if b != -1 else _linear(a, 1)
    verdict, _ = _timed(verifier["strict"], f"\\boxed{{{near}}}", gold)
    assert verdict.score == 0.0, f"{near!r} must not equal {gold!r}: {verdict}"


# The same answer in every wrapper a completion may use: a grader that reads one wrapper
# differently from another teaches the policy to prefer the lenient one.
_WRAPPERS = {
    "box": lambda x: f"Therefore, the answer is $\\boxed{{{x}}}$.",
    "fbox": lambda x: f"The result is \\fbox{{{x}}}.",
    "tags": lambda x: f"<think>\nwork\n</think>\n<answer>{x}</answer>",
    "tags-box": lambda x: f"<think>\nwork\n</think>\n<answer>\\boxed{{{x}}}</answer>",
    "prefilled-think": lambda x: f"work\n</think>\n$$\\boxed{{{x}}}$$",
}
_VALUES = [("\\frac{1}{2}", "0.5"), ("\\frac{1}{2}", "0.6"), ("(1,2]", "(1,2]"), ("(1,2]", "[1,2]"),
           ("x=3", "3"), ("x=3", "x=-3"), ("B", "(B)"), ("B", "(C)"), ("2\\pi", "2 \\pi"),
           ("\\{1,2\\}", "\\{2,1\\}"), ("\\{1,2\\}", "\\{1\\}"), ("5", "\\pm 5")]


@settings(PROPERTY, max_examples=30)
@given(pair=st.sampled_from(_VALUES), wrappers=st.permutations(sorted(_WRAPPERS)))
def test_the_wrapper_never_changes_the_verdict(verifier, pair: tuple[str, str], wrappers) -> None:
    gold, answer = pair
    verdicts = {w: _timed(verifier["strict"], _WRAPPERS[w](answer), gold)[0] for w in wrappers[:3]}
    assert len({(v.score, v.reason) for v in verdicts.values()}) == 1, verdicts


# ---------------------------------------------------------------------------------------------
# Deadlines and threads
# ---------------------------------------------------------------------------------------------

_TOWER = "\\boxed{9^{9^{9^{9}}}}"


@pytest.mark.parametrize(
    "completion",
    [_TOWER, "\\boxed{(10^{10})!}", "\\boxed{" + "\\frac{1}{" * 60 + "2" + "}" * 60 + "}",
     "\\boxed{" + "9" * 100_000 + "}", "\\boxed{" + "1+" * 50_000 + "1}"],
    ids=["power-tower", "huge-factorial", "nested-fractions-60", "digits-100k", "sum-100k"],
)
def test_hard_inputs_return_in_time_and_the_verifier_keeps_working(
    verifier, completion: str
) -> None:
    verdict, elapsed_s = _timed(verifier["strict"], completion, "9")
    assert verdict.score == 0.0
    assert elapsed_s <= DEADLINE_S + SLACK_S, f"took {elapsed_s:.2f} s"
    after, _ = _timed(verifier["strict"], "<answer>\\frac{1}{2}</answer>", "0.5")
    assert (after.score, after.reason) == (1.0, "correct")


def test_a_short_deadline_is_honoured() -> None:
    quick = MathAnswerVerifier(deadline_s=0.5)
    verdict, elapsed_s = _timed(quick, _TOWER, "9")
    assert verdict.score == 0.0 and elapsed_s <= 0.5 + SLACK_S, f"took {elapsed_s:.2f} s"
    assert quick(completion="\\boxed{5}", problem=Problem(id="p", answer="5")).score == 1.0


def _thread_sample() -> list[MathCase]:
    """A spread of table rows (every group, both modes) plus one overrunning case."""
    rng = random.Random(20261122)  # fixed: the same sample every run
    by_group: dict[str, list[MathCase]] = {}
    for c in CASES:
        if len(c.completion) < 2000:
            by_group.setdefault(c.group, []).append(c)
    sample = [row for rows in by_group.values() for row in rng.sample(rows, min(3, len(rows)))]
    return sample + [c for c in CASES if c.id == "adversarial-power-tower-9"]


def test_threads_get_the_same_verdicts_as_one_caller(verifier) -> None:
    sample = _thread_sample()
    sequential = [(v.score, v.reason) for v in (grade(verifier[c.mode], c) for c in sample)]

    def timed(c):
        start = time.monotonic()
        return grade(verifier[c.mode], c), time.monotonic() - start

    with ThreadPoolExecutor(max_workers=8) as pool:
        threaded = list(pool.map(timed, sample))
    # Deadlines are wall-clock for each caller, waiting for a checker included: a call that got
    # no checker in time is masked (infra_error, our capacity), never given a different verdict.
    for (v, _), want in zip(threaded, sequential):
        assert (v.score, v.reason) == want or (v.infra_error and v.score == 0.0), (v, want)
    assert any(not v.infra_error for v, _ in threaded)
    assert max(s for _, s in threaded) <= DEADLINE_S + SLACK_S


def test_overruns_in_threads_do_not_block_other_threads_forever(verifier) -> None:
    results: dict[int, Verdict] = {}

    def work(k: int) -> None:
        completion = _TOWER if k % 2 else f"<answer>{k}</answer>"
        results[k] = verifier["strict"](
            completion=completion, problem=Problem(id=str(k), answer=str(k))
        )

    threads = [threading.Thread(target=work, args=(k,), daemon=True) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=8 * (DEADLINE_S + SLACK_S))
    assert not any(t.is_alive() for t in threads), "a verifier call hung"
    # masked = no checker free within its deadline (our capacity)
    for k, verdict in results.items():
        assert verdict.infra_error or verdict.score == (0.0 if k % 2 else 1.0), (k, verdict)
    assert len(results) == 8
