"""Comparators for stdio tests (`lines`, `float_tokens`) and the configuration of trusted checker
programs; pure functions of (expected, actual) that never run candidate code. Trusted `python`
checkers are executed by the verifier in a separate sandboxed process, not here."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

CHECKER_TYPES = ("lines", "float_tokens", "python")
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


@dataclass(frozen=True)
class CheckerSpec:
    type: str = "lines"
    abs_tol: float = 1e-6
    rel_tol: float = 1e-6
    source: str = ""  # for type "python": defines check(inp, out, ans) -> bool

    def __post_init__(self) -> None:
        if self.type not in CHECKER_TYPES:
            raise ValueError(f"checker.type={self.type!r} is not allowed; use one of {CHECKER_TYPES}")
        for name in ("abs_tol", "rel_tol"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or v < 0:
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


def float_tokens_match(expected: str, actual: bytes, abs_tol: float, rel_tol: float) -> bool:
    """Whitespace-separated tokens; where the expected token is a finite decimal number the actual
    one must be a decimal number within tolerance, otherwise the tokens must be equal."""
    text = _text(actual)
    if text is None:
        return False
    exp, act = expected.split(), text.split()
    if len(exp) != len(act):
        return False
    for e, a in zip(exp, act):
        if _NUMBER.fullmatch(e) and math.isfinite(float(e)):
            if not _NUMBER.fullmatch(a):
                return False
            x = float(a)
            if not (math.isfinite(x) and math.isclose(x, float(e), abs_tol=abs_tol, rel_tol=rel_tol)):
                return False
        elif e != a:
            return False
    return True
