"""Output comparators, table-driven: each benchmark judge's rule taken from its judge's documented
behaviour (DeepMind code_contests tester, APPS / TACO / LiveCodeBench testing_util), our own
`lines` / `float_tokens`, and the rule every one of them keeps: an integer-written expected token
is matched only by exactly that value. Wrong answers sit next to the right ones they resemble."""

from __future__ import annotations

import pytest

from verifiers.code.checkers import (
    CHECKER_TYPES,
    CheckerSpec,
    apps_match,
    codecontests_match,
    float_tokens_match,
    lines_match,
    livecodebench_match,
    output_matches,
    taco_match,
)

# (expected, printed, accepted)
CODECONTESTS = [
    # tester_sandboxer_test.cc's own OutputsMatch cases (output, expected)
    # -> here (expected, printed)
    pytest.param("abc def", b"abc def", True, id="cc-test-matching"),
    pytest.param("abc def", b"abc deg", False, id="cc-test-differing"),
    pytest.param("abc def 123", b"abc def", False, id="cc-test-prefix"),
    pytest.param("abc def", b"abc DEF", True, id="cc-test-case-ignored"),
    pytest.param("abc 123.000001", b"abc 123", True, id="cc-test-close-floats"),
    pytest.param("abc 123.1", b"abc 123", False, id="cc-test-non-close-floats"),
    # whitespace tokens: layout, blank lines, trailing whitespace are free
    pytest.param("1 2\n3\n", b"1\n2 3", True, id="cc-line-layout-free"),
    pytest.param("1\n2\n", b"\n\n1   \r\n\t2\v\n\n", True, id="cc-blank-lines-and-cr"),
    pytest.param("YES\n", b"Yes\n", True, id="cc-yes-case"),
    pytest.param("NO\n", b"Yes\n", False, id="cc-wrong-word"),
    pytest.param("0.5\n", b"0.5000000000\n", True, id="cc-float-digits"),
    pytest.param("0.5\n", b"0.50002\n", False, id="cc-float-2e-5-apart-is-out"),
    pytest.param("0.5\n", b"0.500009\n", True, id="cc-float-inside-1e-5"),
    pytest.param("1 2\n", b"1 2 3\n", False, id="cc-extra-token"),
    pytest.param("1 2\n", b"", False, id="cc-nothing-printed"),
    # integers compare exactly (the judge's double parse would collapse these)
    pytest.param("1000001\n", b"1000000\n", False, id="cc-int-off-by-one"),
    pytest.param("1000000000000000001\n", b"1000000000000000000\n", False,
                 id="cc-int-beyond-double"),
    pytest.param("123\n", b"123.000001\n", False, id="cc-int-expected-float-printed-off"),
    pytest.param("123\n", b"123.0\n", True, id="cc-int-expected-equal-float"),
    pytest.param("5\n", b"inf\n", False, id="cc-inf"),
    pytest.param("nan\n", b"NaN\n", True, id="cc-nan-text-equal-ignoring-case"),
    pytest.param("0.5\n", b"nan\n", False, id="cc-nan-for-float"),
    pytest.param("7\n", b"1e999999999\n", False, id="cc-huge-exponent"),
]

APPS = [
    pytest.param("1 2\n3\n", b"1 2\n3\n", True, id="apps-exact"),
    pytest.param("1 2\n3\n", b"  1   2  \n\n3\n\n\n", True, id="apps-line-strip-blank-lines"),
    pytest.param("1 2\n3\n", b"1 2\r\n3\r\n", True, id="apps-crlf"),
    pytest.param("1 2\n3\n", b"1\n2 3\n", False, id="apps-line-layout-counts"),
    pytest.param("YES\n", b"Yes\n", False, id="apps-case-sensitive"),
    pytest.param("0.5\n", b"0.5000000000\n", True, id="apps-float-digits"),
    pytest.param("0.333333\n", b"0.3333331\n", True, id="apps-allclose-rtol"),
    pytest.param("0.333333\n", b"0.334\n", False, id="apps-float-wrong"),
    pytest.param("1 2\n", b"2 1\n", False, id="apps-no-set-reordering"),
    pytest.param("1 1 2\n", b"1 2 2\n", False, id="apps-no-duplicate-collapse"),
    pytest.param("1000001\n", b"1000000\n", False, id="apps-int-exact-not-allclose"),
    pytest.param("3\n", b"", False, id="apps-nothing"),
    pytest.param("1\n2\n", b"1\n", False, id="apps-dropped-last-line"),
]

TACO = [
    pytest.param("1 2\n3", b"1 2\n3\n", True, id="taco-exact-after-strip"),
    pytest.param("1 2\n3\n", b"\n1 2\r\n3\r\n\n", True, id="taco-universal-newlines"),
    pytest.param("1 2\n3\n", b"1 2 \n3\n", False, id="taco-trailing-space-inside-counts"),
    pytest.param("1 2\n3\n", b"1  2\n3\n", False, id="taco-inner-whitespace-counts"),
    pytest.param("YES\n", b"Yes\n", False, id="taco-case-sensitive"),
    pytest.param("0.5\n", b"0.5000000000\n", False, id="taco-no-numeric-rule"),
    pytest.param("1000001\n", b"1000000\n", False, id="taco-int"),
]

LIVECODEBENCH = [
    pytest.param("1 2\n3\n", b"1 2\n3", True, id="lcb-exact"),
    pytest.param("1 2\n3\n", b"  1 2  \r\n3 \n\n", True, id="lcb-line-strip"),
    pytest.param("1\n\n2\n", b"1\n2\n", False, id="lcb-inner-blank-lines-count"),
    pytest.param("1 2\n3\n", b"1\n2 3\n", False, id="lcb-line-layout-counts"),
    pytest.param("0.5\n", b"0.5000000000\n", True, id="lcb-decimal-equal"),
    pytest.param("0.5\n", b"0.5000001\n", False, id="lcb-no-tolerance"),
    pytest.param("2\n", b"2.0\n", True, id="lcb-decimal-int-equal-value"),
    pytest.param("1 2\n", b"1  2\n", True, id="lcb-inner-whitespace-via-decimals"),
    pytest.param("a  b\n", b"a b\n", False, id="lcb-text-inner-whitespace-counts"),
    pytest.param("Yes\n", b"YES\n", False, id="lcb-case-sensitive"),
    pytest.param("1000001\n", b"1000000\n", False, id="lcb-int"),
    pytest.param("nan\n", b"nan\n", True, id="lcb-equal-text"),
    pytest.param("0.5\n", b"NaN\n", False, id="lcb-nan-never-equal"),
]

LINES = [
    pytest.param("1\n2\n", b"1\r\n2  \n\n", True, id="lines-trailing-space-crlf"),
    pytest.param("1\n2\n", b"1\n", False, id="lines-dropped-last-line"),
    pytest.param("1 2\n", b"1  2\n", False, id="lines-inner-whitespace"),
    pytest.param("x\n", b"\xff\n", False, id="lines-not-utf8"),
]

FLOAT_TOKENS = [  # abs_tol = rel_tol = 1e-6
    pytest.param("0.333333 yes", b"0.3333331\nyes", True, id="ft-float-within"),
    pytest.param("0.333333", b"0.34", False, id="ft-float-outside"),
    pytest.param("1", b"1_0", False, id="ft-underscore"),
    pytest.param("1", b"inf", False, id="ft-inf"),
    pytest.param("1 2", b"1", False, id="ft-count"),
    # issue 11 item 3: integers compare exactly however large
    pytest.param("1000001", b"1000000", False, id="ft-int-relative-tolerance-hole"),
    pytest.param("1000001", b"1000000.0", False, id="ft-int-written-as-float"),
    pytest.param("1000001", b"1.000000e6", False, id="ft-int-as-exponent"),
    pytest.param("1000001", b"1000001", True, id="ft-int-equal"),
    pytest.param("1000001", b"1000001.0", True, id="ft-int-equal-value-as-float"),
    pytest.param("1000001", b"+1000001", True, id="ft-int-plus-sign"),
    pytest.param("1000001.0", b"1000000", True, id="ft-float-gold-keeps-relative-tolerance"),
    pytest.param("-3", b"3", False, id="ft-int-sign"),
    pytest.param("123", "١٢٣".encode(), False, id="ft-arabic-indic-digits"),
    pytest.param("0.5", "٠.٥".encode(), False, id="ft-arabic-indic-float"),
    pytest.param("0", b"-0", True, id="ft-negative-zero-is-zero"),
    pytest.param("0", b"1e-30", False, id="ft-int-tiny-float"),
]


@pytest.mark.parametrize(("expected", "printed", "ok"), CODECONTESTS)
def test_codecontests(expected, printed, ok):
    assert codecontests_match(expected, printed) is ok


@pytest.mark.parametrize(("expected", "printed", "ok"), APPS)
def test_apps(expected, printed, ok):
    assert apps_match(expected, printed) is ok


@pytest.mark.parametrize(("expected", "printed", "ok"), TACO)
def test_taco(expected, printed, ok):
    assert taco_match(expected, printed) is ok


@pytest.mark.parametrize(("expected", "printed", "ok"), LIVECODEBENCH)
def test_livecodebench(expected, printed, ok):
    assert livecodebench_match(expected, printed) is ok


@pytest.mark.parametrize(("expected", "printed", "ok"), LINES)
def test_lines(expected, printed, ok):
    assert lines_match(expected, printed) is ok


@pytest.mark.parametrize(("expected", "printed", "ok"), FLOAT_TOKENS)
def test_float_tokens(expected, printed, ok):
    assert float_tokens_match(expected, printed, 1e-6, 1e-6) is ok


@pytest.mark.parametrize("judge", [t for t in CHECKER_TYPES if t != "python"])
@pytest.mark.parametrize(
    "printed",
    [
        pytest.param(b"9" * 200_000, id="long-number"),
        pytest.param(b"1e99999999999999999999", id="huge-exponent"),
        pytest.param(b"\xff\xfe\x00", id="binary"),
        pytest.param(b" \n" * 100_000, id="whitespace-flood"),
    ],
)
def test_every_comparator_answers_hostile_output_without_raising(judge, printed):
    assert output_matches(CheckerSpec(judge), "7\n", printed) is False


def test_python_checker_has_no_pure_comparator():
    with pytest.raises(ValueError, match="runs a program"):
        output_matches(CheckerSpec("python", source="def check(i, o, a): return True"), "1", b"1")
