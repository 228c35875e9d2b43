"""FormatVerifier: the shared layout table, partial credit, config validation, robustness."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from verifiers.base import Problem, Verdict, Verifier
from verifiers.testing.suites.format import CASES
from verifiers.text.format import PARTIAL_CREDIT_CAP, FormatVerifier

PROBLEM = Problem(id="p", question="2+3?", answer="5")


@pytest.mark.parametrize(
    "case", [pytest.param(c, id=f"{c.group}-{c.id}") for c in CASES]
)
def test_layout_table(case):
    verifier = FormatVerifier(variant=case.variant, prefilled_think=case.prefilled_think)
    verdict = verifier(completion=case.completion, problem=PROBLEM)
    assert (verdict.reason, verdict.score) == (case.reason, 1.0 if case.expected else 0.0)
    assert verdict.reason in FormatVerifier.REASONS


def test_table_is_large_and_covers_every_reason():
    assert len(CASES) >= 60
    assert {c.reason for c in CASES} == set(FormatVerifier.REASONS)


@pytest.mark.parametrize(
    "completion, prefilled, reason",
    [
        pytest.param("<think>x</think><answer>5</answer>", True, "duplicate_tag",
                     id="template-already-opened"),
        pytest.param("x</think><answer>5</answer>", False, "missing_think", id="not-prefilled"),
        pytest.param("x</think><answer>5</answer>", True, "ok", id="prefilled"),
    ],
)
def test_prefilled_think_changes_what_is_valid(completion, prefilled, reason):
    assert FormatVerifier(prefilled_think=prefilled)(completion=completion,
                                                     problem=PROBLEM).reason == reason


@pytest.mark.parametrize(
    "completion, score",
    [
        pytest.param("<think>x</think><answer>5</answer>", 1.0, id="valid-full"),
        pytest.param("<think>x</think><answer>5</answer> extra", PARTIAL_CREDIT_CAP,
                     id="all-tags-once-but-invalid"),
        pytest.param("<think>x</think>", PARTIAL_CREDIT_CAP / 2, id="half-the-tags"),
        pytest.param("<think><think>x</think>", PARTIAL_CREDIT_CAP / 4,
                     id="duplicates-earn-nothing"),
        pytest.param("no tags at all", 0.0, id="no-tags"),
        pytest.param("</answer><answer></think><think>", PARTIAL_CREDIT_CAP,
                     id="gameable-reversed-order"),
    ],
)
def test_partial_credit_is_opt_in_and_capped(completion, score):
    with_credit = FormatVerifier(partial_credit=True)(completion=completion, problem=PROBLEM)
    without = FormatVerifier()(completion=completion, problem=PROBLEM)
    assert with_credit.score == pytest.approx(score)
    assert without.score == (1.0 if score == 1.0 else 0.0)


def test_partial_credit_with_prefilled_counts_three_tags():
    v = FormatVerifier(partial_credit=True, prefilled_think=True)
    assert v(completion="x</think>", problem=PROBLEM).score == pytest.approx(PARTIAL_CREDIT_CAP / 3)


@pytest.mark.parametrize(
    "kwargs, key",
    [
        pytest.param({"variant": "r1"}, "variant", id="bad-variant"),
        pytest.param({"prefilled_think": "yes"}, "prefilled_think", id="prefilled-not-bool"),
        pytest.param({"partial_credit": 1}, "partial_credit", id="partial-not-bool"),
    ],
)
def test_config_validation_names_the_key(kwargs, key):
    with pytest.raises(ValueError, match=key):
        FormatVerifier(**kwargs)


def test_satisfies_verifier_protocol_and_is_frozen():
    v = FormatVerifier()
    assert isinstance(v, Verifier)
    with pytest.raises(AttributeError):
        v.variant = "code"  # type: ignore[misc]


def test_non_string_completion_is_a_verdict_not_an_exception():
    verdict = FormatVerifier()(completion=None, problem=PROBLEM)  # type: ignore[arg-type]
    assert verdict.score == 0.0 and verdict.reason in FormatVerifier.REASONS


_PIECES = st.sampled_from(
    ["<think>", "</think>", "<answer>", "</answer>", "x", " ", "\n", "\\boxed{5}", "```\nx\n```",
     "\u200b"]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=12), st.sampled_from(["r1_zero", "think_only", "boxed", "code"]),
       st.booleans())
def test_any_text_gets_a_verdict_from_the_closed_vocabulary(pieces, variant, prefilled):
    v = FormatVerifier(variant=variant, prefilled_think=prefilled, partial_credit=True)
    verdict = v(completion="".join(pieces), problem=PROBLEM)
    assert isinstance(verdict, Verdict)
    assert verdict.reason in FormatVerifier.REASONS
    assert (verdict.score == 1.0) == (verdict.reason == "ok")
