"""The rows `verity grade` reads: the one reader of `-i` (read_rows) and the builders that turn a
benchmark's own rows into Rows (format_rows; joined_rows with --problems); it grades nothing,
and a line that cannot be read costs that line only (RowError), never the file."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from verifiers import benchmarks as sources
from verifiers.base import Problem


class UsageError(Exception):
    """Bad flags or unreadable input: reported in one line, exit code 2."""


@dataclass(frozen=True)
class Row:
    line: int
    data: dict[str, Any]
    problem: Problem
    completion: str


class RowError(ValueError):
    """One input line that cannot be graded: reported with its line number and skipped."""


# A row builder turns one parsed line (its number and JSON object) into a Row or raises RowError.
RowBuilder = Callable[[int, dict[str, Any]], Row]


def read_rows(path: str, build: RowBuilder) -> tuple[list[Row], list[tuple[int, str]]]:
    """The one reader of `-i`: every gradable row, and (line number, message) for each line that
    is not. A line that does not parse, or whose builder fails in any way (deep nesting, wrong
    types, a row that cannot be written back out), costs that line only, never the file."""
    rows, errors = [], []
    try:
        for line in sources.iter_rows(path):  # JSONL, .jsonl.gz, Parquet or - (stdin)
            if line.row is None:
                errors.append((line.number, line.error))
                continue
            try:
                row = build(line.number, line.row)
                json.dumps(row.data)  # it is written back out with its reward: fail here, not there
            except RowError as exc:
                errors.append((line.number, str(exc)))
            except Exception as exc:  # noqa: BLE001 - untrusted input: report the line, keep going
                errors.append(
                    (line.number, f"cannot be read ({type(exc).__name__}: {str(exc)[:200]})")
                )
            else:
                rows.append(row)
    except OSError as exc:
        raise UsageError(
            f"cannot read input {path!r}: {exc.strerror or exc}; "
            "pass an existing JSONL file with -i"
        ) from exc
    except ImportError as exc:  # a Parquet file without pyarrow: the message names the install
        raise UsageError(f"cannot read input {path!r}: {exc}") from exc
    return rows, errors


def format_rows(args: argparse.Namespace) -> RowBuilder:
    """--format without --problems: each line is an upstream row plus the completion field. A row
    whose gold or tests cannot be checked is skipped like a malformed line, with the reason."""
    gold_why: dict[str, str | None] = {}

    def build(n: int, data: dict[str, Any]) -> Row:
        completion = data.get(args.completion_field)
        if not isinstance(completion, str):
            what = (
                "missing" if completion is None else f"not a string ({type(completion).__name__})"
            )
            raise RowError(
                f"field {args.completion_field!r} is {what} (rename it or pass --completion-field)"
            )
        upstream = {k: v for k, v in data.items() if k != args.completion_field}
        try:
            problem = sources.to_problem(upstream, args.format, n - 1)
        except ValueError as exc:
            raise RowError(f"not a {args.format} row: {exc}") from None
        if problem.answer is not None:  # math: one self-check per distinct gold
            if problem.answer not in gold_why:
                gold_why[problem.answer] = sources.gold_problem(problem)
            if gold_why[problem.answer]:
                raise RowError(gold_why[problem.answer])
        return Row(n, data, problem, completion)

    return build


def joined_rows(args: argparse.Namespace) -> tuple[RowBuilder, Callable[[], None], int]:
    """--format with --problems: the benchmark file as downloaded, and output rows
    {<id>, completion} joined to it by id. Returns the builder, a report of problems no row
    reached (to call after reading) and the number of rejected problems."""
    try:
        loaded = sources.load(args.problems, args.format)
    except (OSError, ImportError) as exc:
        raise UsageError(
            f"cannot read --problems {args.problems!r}: {getattr(exc, 'strerror', None) or exc}"
        ) from exc
    for r in loaded.rejects:
        print(
            f"{args.problems}:{r.line}: rejected problem{f' {r.id!r}' if r.id else ''}: {r.reason}",
            file=sys.stderr,
        )
    if not loaded.problems:
        raise UsageError(
            f"no usable {args.format} problems in {args.problems!r} "
            f"({len(loaded.rejects)} rejected)"
        )
    by_id = {p.id: p for p in loaded.problems}
    rejected = {r.id: r.reason for r in loaded.rejects if r.id}
    seen: set[str] = set()

    def build(n: int, data: dict[str, Any]) -> Row:
        key, completion = data.get(args.id_field), data.get(args.completion_field)
        if key is None or not isinstance(completion, str):
            field = args.id_field if key is None else args.completion_field
            flag = "--id-field" if key is None else "--completion-field"
            raise RowError(f"missing field {field!r} (or not a string); rename it or pass {flag}")
        problem = by_id.get(str(key))
        if problem is None:
            why = (
                f"was rejected: {rejected[str(key)]}"
                if str(key) in rejected
                else f"is not in {args.problems!r}"
            )
            raise RowError(f"problem {str(key)!r} {why}")
        seen.add(problem.id)
        return Row(n, data, problem, completion)

    def report_unseen() -> None:
        if seen and len(seen) < len(by_id):
            print(
                f"note: {len(by_id) - len(seen)} of {len(by_id)} problems in {args.problems!r} "
                "have no output row",
                file=sys.stderr,
            )

    return build, report_unseen, len(loaded.rejects)
