"""The `verity` command line (== `python -m verifiers`): `main` dispatches to `verity grade`
(verifiers.cli.grade, rows read by verifiers.cli.rows) and `verity serve` (verifiers.cli.serve);
it holds no grading or serving logic of its own."""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    from verifiers.cli import grade, rows, serve

    parser = grade.build_parser()
    serve.add_parser(next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)))
    args = parser.parse_args(argv)
    try:
        if args.command == "serve":
            return serve.run(args, rows.UsageError)
        return grade.run_grade(args)
    except rows.UsageError as exc:
        print(f"verity {args.command}: error: {exc}", file=sys.stderr)
        return grade.EXIT_USAGE
