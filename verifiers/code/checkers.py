"""Comparators for stdio tests: our own (`lines`, `float_tokens`) and each contest benchmark's judge
rule (`codecontests`, `apps`, `taco`, `livecodebench`), plus the configuration of trusted checker
programs; pure functions of (expected, actual) that never run candidate code. Trusted `python`
checkers are executed by the verifier in a separate sandboxed process, not here.

One rule holds in every comparator, whatever its judge does: a token the expected output writes
as an integer is matched only by a number of exactly that value. A numeric tolerance applies only
where the expected token is written as a float (a '.' or an exponent), so `1000000` never passes
for `1000001` however loose the tolerance (issue 11).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

JUDGES = ("codecontests", "apps", "taco", "livecodebench")
CHECKER_TYPES = ("lines", "float_tokens", "python", *JUDGES)
# ASCII only: Python's \d and float() also take other scripts' digits ("١٢٣" == 123), no judge does.
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)
_INTEGER = re.compile(r"[+-]?\d+", re.ASCII)


@dataclass(frozen=True)
class CheckerSpec:
    type: str = "lines"
    abs_tol: float = 1e-6  # float_tokens only: each judge type has its judge's own tolerance
    rel_tol: float = 1e-6
    source: str = ""  # for type "python": defines check(inp, out, ans) -> bool

    def __post_init__(self) -> None:
        if self.type not in CHECKER_TYPES:
            raise ValueError(
                f"checker.type={self.type!r} is not allowed; use one of {CHECKER_TYPES}"
            )
        for name in ("abs_tol", "rel_tol"):
            v = getattr(self, name)
            if (
                isinstance(v, bool)
                or not isinstance(v, (int, float))
                or not math.isfinite(v)
                or v < 0
            ):
                raise ValueError(f"checker.{name}={v!r} is not allowed; use a finite number >= 0")
        if self.type == "python" and "def check" not in self.source:
            raise ValueError("checker.source must define check(inp, out, ans) for type 'python'")

    @classmethod
    def from_config(cls, config: object) -> CheckerSpec:
        if config is None:
            return cls()
        if not isinstance(config, dict):
            raise ValueError(f"checker={config!r} is not allowed; use a mapping with a 'type' key")
        unknown = set(config) - {"type", "abs_tol", "rel_tol", "source"}
        if unknown:
            raise ValueError(f"checker has unknown keys {sorted(unknown)}; allowed: type, abs_tol, "
                             "rel_tol, source")
        return cls(**config)


def _text(actual: bytes) -> str | None:
    try:
        return actual.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _lines(text: str) -> list[str]:
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def lines_match(expected: str, actual: bytes) -> bool:
    """Line by line, ignoring trailing whitespace (CRLF included) and trailing blank lines; the
    number of lines must match."""
    text = _text(actual)
    return text is not None and _lines(text) == _lines(expected)


def numbers_match(expected: str, actual: str, within: Callable[[float, float], bool]) -> bool:
    """Two tokens as numbers. An integer-written expected token needs an actual number of exactly
    the same value (`3` matches `3`, `+3`, `3.0`; never `3.0000001`, nor `1000000` for `1000001`);
    a float-written one is judged by `within(expected, actual)` on finite floats. Decimal compares
    exactly without building a huge integer, so `1e999999999` costs nothing."""
    if not (_NUMBER.fullmatch(expected) and _NUMBER.fullmatch(actual)):
        return False
    if _INTEGER.fullmatch(expected):
        try:
            return Decimal(actual) == Decimal(expected)
        except InvalidOperation:  # an exponent beyond Decimal's range: not this integer
            return False
    e, a = float(expected), float(actual)
    return math.isfinite(e) and math.isfinite(a) and within(e, a)


def float_tokens_match(expected: str, actual: bytes, abs_tol: float, rel_tol: float) -> bool:
    """Whitespace-separated tokens, case-sensitive; numbers by `numbers_match` with math.isclose
    for float-written expected tokens; anything else must be equal."""
    text = _text(actual)
    if text is None:
        return False
    exp, act = expected.split(), text.split()
    if len(exp) != len(act):
        return False

    def within(e: float, a: float) -> bool:
        return math.isclose(a, e, abs_tol=abs_tol, rel_tol=rel_tol)

    return all(e == a or numbers_match(e, a, within) for e, a in zip(exp, act))


# --------------------------------------------------------------------------------------------
# Each benchmark's judge. Read from the judges' sources; written here from their behaviour.
# --------------------------------------------------------------------------------------------

_CC_SPACE = re.compile(rb"[ \n\t\r\v]+")


def codecontests_match(expected: str, actual: bytes) -> bool:
    """DeepMind code_contests, execution/tester_sandboxer.cc `OutputsMatch`: tokens split on
    " \\n\\t\\r\\v" (empty ones skipped, so line layout and blank lines are free), ASCII-lowercased
    (`YES` == `yes`), equal token lists match; otherwise same count and each pair equal or both
    numeric within 1e-5 absolute (`ValuesMatch`, kDoublePrecision, strict <). Ours differs in one
    way: the judge parses every number as a double, so huge integers collapse (10^18 == 10^18+1)
    and `123.000001` passes for `123`; integer-written expected tokens compare exactly here."""
    exp = [t for t in _CC_SPACE.split(expected.encode("utf-8", "surrogateescape").lower()) if t]
    act = [t for t in _CC_SPACE.split(actual.lower()) if t]
    if exp == act:
        return True
    if len(exp) != len(act):
        return False
    for e, a in zip(exp, act):
        if e == a:
            continue
        try:
            es, as_ = e.decode("ascii"), a.decode("ascii")
        except UnicodeDecodeError:
            return False
        if not numbers_match(es, as_, _cc_within):
            return False
    return True


def _cc_within(e: float, a: float) -> bool:
    return abs(a - e) < 1e-5


def _stripped_lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def apps_match(expected: str, actual: bytes) -> bool:
    """APPS, eval/testing_util.py `run_test` (standard input): stdout is split into lines
    (splitlines), each stripped, blank lines dropped, and compared with the expected lines split
    on "\\n", stripped, blank ones dropped; case-sensitive. Numbers: its np.allclose step
    (rtol 1e-5, atol 1e-8 against the expected) for float-written tokens. Where APPS is looser we
    are not, because each looseness accepts wrong answers: it compares each line as a *set* of
    tokens and the output as a set of lines (so `2 1` passes for `1 2`, duplicates collapse), it
    rounds numbers to 3 decimals there, and its allclose step accepts integers within 1e-5
    relative (`1000000` for `1000001`). Whitespace inside a line is free, as in its set step."""
    text = _text(actual)
    if text is None:
        return False
    exp = [
        line.split() for line in _stripped_lines(expected.replace("\r\n", "\n").replace("\r", "\n"))
    ]
    act = [line.split() for line in _stripped_lines(text)]
    return len(exp) == len(act) and all(_apps_line(e, a) for e, a in zip(exp, act))


def _apps_line(exp: list[str], act: list[str]) -> bool:
    return len(exp) == len(act) and all(
        e == a or numbers_match(e, a, _apps_within) for e, a in zip(exp, act)
    )


def _apps_within(e: float, a: float) -> bool:
    return abs(a - e) <= 1e-8 + 1e-5 * abs(e)  # numpy.allclose's defaults, b = the expected


def taco_match(expected: str, actual: bytes) -> bool:
    """TACO, metrics/testing_util.py `execute_std_code` + `compare_std_results`: the program runs
    under subprocess with text=True (universal newlines: \\r\\n and \\r read as \\n) and its stdout
    is one string, so the first test is the one that decides: the whole output stripped equals
    the expected text stripped. Its later APPS-style fallbacks receive that string instead of a
    list and iterate over characters; they match only by accident, and we do not reproduce
    accidents. So TACO is exact: case, inner whitespace, trailing spaces on a line all count."""
    text = _text(actual)
    if text is None:
        return False
    norm = text.replace("\r\n", "\n").replace("\r", "\n")
    return norm.strip() == expected.replace("\r\n", "\n").replace("\r", "\n").strip()


def livecodebench_match(expected: str, actual: bytes) -> bool:
    """LiveCodeBench, lcb_runner/evaluation/testing_util.py `grade_stdio`: both texts stripped,
    split on "\\n", each line stripped (`get_stripped_lines`; blank lines inside count); same
    number of lines; each pair equal as text, or both lines all-Decimal tokens with equal values
    (`convert_line_to_decimals`): `0.5` == `0.5000000000`, `1` == `1.0`, no tolerance at all;
    case-sensitive. Exact decimal equality already compares integers exactly."""
    text = _text(actual)
    if text is None:
        return False
    exp, act = _lcb_lines(expected), _lcb_lines(text)
    if len(exp) != len(act):
        return False
    for e, a in zip(exp, act):
        if e == a:
            continue
        de, da = _decimals(e), _decimals(a)
        if de is None or da is None or de != da:
            return False
    return True


def _lcb_lines(text: str) -> list[str]:
    return [line.strip() for line in text.strip().split("\n")]


def _decimals(line: str) -> list[Decimal] | None:
    try:
        return [Decimal(t) for t in line.split()]
    except (InvalidOperation, ValueError):
        return None


_JUDGE_MATCH = {"codecontests": codecontests_match, "apps": apps_match, "taco": taco_match,
                "livecodebench": livecodebench_match, "lines": lines_match}


def output_matches(spec: CheckerSpec, expected: str, actual: bytes) -> bool:
    """Whether `actual` stdout passes for `expected` under a non-`python` checker spec."""
    if spec.type == "float_tokens":
        return float_tokens_match(expected, actual, spec.abs_tol, spec.rel_tol)
    if spec.type not in _JUDGE_MATCH:
        raise ValueError(f"checker.type={spec.type!r} runs a program; it has no pure comparator")
    return _JUDGE_MATCH[spec.type](expected, actual)
