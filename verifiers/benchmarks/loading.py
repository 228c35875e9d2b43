"""The benchmark format table (format -> task, id column, mapper) and the loading API: one row
-> Problem (to_problem), rows -> problems and rejects (map_rows), a file -> problems (load), and
the check that a math gold grades as correct against itself (gold_problem); it never downloads
and never grades a completion."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from verifiers.base import Problem
from verifiers.benchmarks.code import _apps_like, _codecontests, _humaneval, _livecodebench, _mbpp
from verifiers.benchmarks.math import _aime, _gsm8k, _math_like, _olympiad
from verifiers.benchmarks.rows import iter_rows
from verifiers.code.cases import parse_tests


@dataclass(frozen=True)
class Reject:
    """A row that yields no problem: malformed, missing a column, or with a gold/tests we cannot
    check."""

    line: int
    id: str | None
    reason: str


@dataclass(frozen=True)
class Loaded:
    problems: list[Problem]
    rejects: list[Reject]
    lines: dict[str, int]  # problem id -> the row number it came from


# --------------------------------------------------------------------------------------------
# Registry and loading
# --------------------------------------------------------------------------------------------

# format -> (task, id column or None for the row index, mapper). The mapper raises ValueError
# naming the column at fault; it never validates golds or tests (map_rows does, once).
FORMATS: dict[str, tuple[str, str | None, Callable[[Mapping[str, Any], int], Problem]]] = {
    "gsm8k": ("math", None, _gsm8k), "math": ("math", "unique_id", _math_like("math", "unique_id")),
    "deepscaler": ("math", None, _math_like("deepscaler", None)), "aime": ("math", "id", _aime),
    "olympiadbench": ("math", "id", _olympiad),
    "humaneval": ("code", "task_id", _humaneval), "mbpp": ("code", "task_id", _mbpp),
    "codecontests": ("code", "name", _codecontests),
    "apps": ("code", "problem_id", _apps_like("apps", "problem_id")),
    "taco": ("code", None, _apps_like("taco", None)),
    "livecodebench": ("code", "question_id", _livecodebench),
}


def _format(fmt: str) -> tuple[str, str | None, Callable[[Mapping[str, Any], int], Problem]]:
    if fmt not in FORMATS:
        raise ValueError(f"format={fmt!r} is not allowed; use one of {tuple(FORMATS)}")
    return FORMATS[fmt]


def task_of(fmt: str) -> str:
    """"math" or "code": which verifier grades problems of this format."""
    return _format(fmt)[0]


def id_column(fmt: str) -> str | None:
    """The upstream column that holds a row's id, or None when ids are row indices."""
    return _format(fmt)[1]


def to_problem(row: Mapping[str, Any], fmt: str, index: int = 0) -> Problem:
    """One upstream row -> Problem, tests parsed and `entry_point` filled in for function tests.
    `index` (0-based) is the id of formats without an id column. Raises ValueError with the
    reason; the gold of a math row is not checked here (see `gold_problem`)."""
    _, _, mapper = _format(fmt)
    if not isinstance(row, Mapping):
        raise ValueError(f"a {fmt} row must be a mapping of columns, got {type(row).__name__}")
    try:
        problem = mapper(row, index)
    except (TypeError, AttributeError, KeyError) as exc:  # a column of an unexpected type
        raise ValueError(
            f"row does not follow the {fmt} schema ({type(exc).__name__}: {exc})"
        ) from None
    if problem.tests is None:
        return problem
    kind, _, entry = parse_tests(
        problem.tests, problem.meta.get("kind"), problem.meta.get("entry_point")
    )
    if entry and entry != problem.meta.get("entry_point"):
        problem = Problem(problem.id, problem.question, problem.answer, problem.tests,
                          {**problem.meta, "entry_point": entry})
    return problem


def gold_problem(problem: Problem, verifier: Any = None) -> str | None:
    """Why a math gold cannot be used, or None when it can: the gold is graded against itself as
    `\\boxed{gold}` by the real verifier (its parser, its deadline), so a gold kept here is one
    that some completion can match, and one dropped would have been masked on every sample."""
    from verifiers.math.shapes import shape_mark
    from verifiers.math.verifier import MathAnswerVerifier

    verifier = verifier or MathAnswerVerifier()
    verdict = verifier(
        completion=f"\\boxed{{{problem.answer}}}", problem=Problem(problem.id, "", problem.answer)
    )
    if verdict.score == 1.0:
        return None
    mark = shape_mark(str(problem.answer))  # counted by kind in the loaders' one-line summary
    if verdict.reason == "gold_unparseable":
        return f"gold cannot be checked: {verdict.detail} {mark}"
    return (
        f"gold {problem.answer!r} does not grade as correct against itself ({verdict.reason}: "
        f"{verdict.detail}) {mark}"
    )


def map_rows(
    rows: Iterable[tuple[int, Mapping[str, Any]]], fmt: str, *, check_golds: bool = True
) -> Loaded:
    """(row number, upstream row) pairs -> problems and rejects; never raises on a row. Row
    numbers are 1-based; formats without an id column get id str(number - 1). Duplicate ids keep
    the first row. `check_golds=False` skips grading each math gold against itself."""
    task, _, _ = _format(fmt)
    verifier = None
    if task == "math" and check_golds:
        from verifiers.math.verifier import MathAnswerVerifier

        verifier = MathAnswerVerifier()
    problems: list[Problem] = []
    rejects: list[Reject] = []
    lines: dict[str, int] = {}
    for number, row in rows:
        try:
            problem = to_problem(row, fmt, number - 1)
        except ValueError as exc:
            rejects.append(Reject(number, _peek_id(row, fmt, number), str(exc)))
            continue
        if problem.id in lines:
            rejects.append(
                Reject(number, problem.id, f"duplicate id (first on row {lines[problem.id]})")
            )
            continue
        if verifier is not None and (why := gold_problem(problem, verifier)):
            rejects.append(Reject(number, problem.id, why))
            continue
        problems.append(problem)
        lines[problem.id] = number
    return Loaded(problems, rejects, lines)


def _peek_id(row: Mapping[str, Any], fmt: str, number: int) -> str | None:
    key = id_column(fmt)
    if key is None:
        return str(number - 1)
    value = row.get(key) if isinstance(row, Mapping) else None
    return None if value is None else str(value)


def load(path: str, fmt: str, *, check_golds: bool = True) -> Loaded:
    """A local JSONL/Parquet file of upstream rows -> problems; malformed lines join the rejects."""
    malformed: list[Reject] = []

    def good() -> Iterator[tuple[int, Mapping[str, Any]]]:
        for line in iter_rows(path):
            if line.row is None:
                malformed.append(Reject(line.number, None, line.error))
            else:
                yield line.number, line.row

    loaded = map_rows(good(), fmt, check_golds=check_golds)
    rejects = sorted(malformed + loaded.rejects, key=lambda r: r.line)
    return Loaded(loaded.problems, rejects, loaded.lines)
