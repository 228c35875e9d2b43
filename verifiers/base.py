"""The vocabulary every verifier speaks: Problem in, Verdict out; no parsing or judging here."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, ClassVar, Protocol, runtime_checkable


def _frozen_mapping(value: Mapping[str, Any] | None) -> Mapping[str, Any]:
    return MappingProxyType(dict(value or {}))


@dataclass(frozen=True)
class Problem:
    """One dataset row. `answer` is the math gold; `tests` the code tests; `meta` the rest
    (source, language, difficulty, checker, limits)."""

    id: str
    question: str = ""
    answer: str | None = None
    tests: Any = None
    meta: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not isinstance(self.id, str):
            raise ValueError(f"Problem.id must be a string, got {type(self.id).__name__}")
        if self.answer is not None and not isinstance(self.answer, str):
            raise ValueError(
                f"Problem.answer must be a string or None, got {type(self.answer).__name__}: "
                f"convert the gold to text (str(value)) before building the Problem"
            )
        object.__setattr__(self, "meta", _frozen_mapping(self.meta))

    def __reduce__(self) -> tuple[type[Problem], tuple[Any, ...]]:
        # mappingproxy does not pickle; problems cross process boundaries (worker pools).
        return (Problem, (self.id, self.question, self.answer, self.tests, dict(self.meta)))


@dataclass(frozen=True)
class Verdict:
    """A judgement. A wrong, gamed or missing answer scores exactly 0.0; `infra_error` marks
    failures on our side (gold unparseable, sandbox down): such samples are masked, never
    punished."""

    score: float
    reason: str
    detail: str = ""
    infra_error: bool = False

    def __post_init__(self) -> None:
        if not (isinstance(self.score, (int, float)) and math.isfinite(self.score)):
            raise ValueError(f"Verdict.score must be a finite number, got {self.score!r}")
        if not 0.0 <= self.score <= 1.0:
            raise ValueError(f"Verdict.score must lie in [0, 1], got {self.score!r}")
        if self.infra_error and self.score != 0.0:
            raise ValueError("Verdict with infra_error=True must have score 0.0 (it is masked)")
        object.__setattr__(self, "score", float(self.score))


@runtime_checkable
class Verifier(Protocol):
    """Judges one completion against one problem. Never raises on untrusted text."""

    REASONS: ClassVar[frozenset[str]]

    def __call__(self, *, completion: str, problem: Problem) -> Verdict: ...
