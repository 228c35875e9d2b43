"""Benchmark rows in their upstream schemas (GSM8K, MATH, DeepScaleR, AIME/AMC, HumanEval, MBPP,
CodeContests, APPS, TACO, LiveCodeBench) -> `Problem`s the verifiers grade, with every row whose
gold or tests cannot be checked reported and dropped; it reads local files and maps columns, but
never downloads, never grades a completion and never unpickles anything. Shared by the CLI and
rl/data.

A loader returns the problems *and* the rejects (row number, id, reason): one bad row in a
benchmark of thousands is a fact to report, not a reason to stop, and silently dropping it would
change the denominator of every accuracy computed on top.

Ids: the upstream id column where there is one (`task_id`, `unique_id`, `name`, ...); otherwise
the 0-based row index as text ("0", "1", ...), the convention of HF datasets and lm-eval's doc_id.

The room: `rows` reads files and row fields, `limits` holds the per-test limits of contest rows
(PYTHON_TIME_MULTIPLIER, HARNESS_TIME_S, LimitPolicy, with_limits), `math` and `code` map each
benchmark's schema, `loading` holds the format table and the loading API re-exported here.
Completions of benchmarks whose model outputs are raw code are assembled in verifiers.code.program
(`assemble_program`, `prefixed`, re-exported here), which imports nothing of this package.
"""

from verifiers.benchmarks.code import humaneval_tests
from verifiers.benchmarks.limits import (
    HARNESS_TIME_S,
    PYTHON_TIME_MULTIPLIER,
    LimitPolicy,
    with_limits,
)
from verifiers.benchmarks.loading import (
    FORMATS,
    Loaded,
    Reject,
    gold_problem,
    id_column,
    load,
    map_rows,
    task_of,
    to_problem,
)
from verifiers.benchmarks.rows import Line, iter_rows
from verifiers.code.program import assemble_program, prefixed

__all__ = [
    "FORMATS", "HARNESS_TIME_S", "PYTHON_TIME_MULTIPLIER", "Line", "LimitPolicy", "Loaded",
    "Reject", "assemble_program", "gold_problem", "humaneval_tests", "id_column", "iter_rows",
    "load", "map_rows", "prefixed", "task_of", "to_problem", "with_limits",
]
