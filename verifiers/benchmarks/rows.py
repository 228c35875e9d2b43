"""Reading benchmark files (JSONL, gzipped JSONL, stdin, Parquet) into numbered rows, and the
column helpers every mapper reads a row through; it never maps a row to a Problem (the mappers do)
and never raises on a bad line (a `Line` with an `error` says why instead)."""

from __future__ import annotations

import gzip
import json
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Line:
    """One physical row of a file: `row` is None when the line is malformed (`error` says why)."""

    number: int  # 1-based line (JSONL) or row (Parquet) number
    row: dict[str, Any] | None
    error: str = ""



# --------------------------------------------------------------------------------------------
# Reading files
# --------------------------------------------------------------------------------------------


def iter_rows(path: str) -> Iterator[Line]:
    """Rows of a JSONL file (`.jsonl`, `.json`, `.jsonl.gz`, or `-` for stdin) or a Parquet file
    (`.parquet`, needs pyarrow). Raises OSError for an unreadable file, never for a bad line."""
    if path.endswith(".parquet"):
        yield from _parquet_rows(path)
        return
    if path == "-":
        handle = sys.stdin
    elif path.endswith(".gz"):
        handle = gzip.open(path, "rt", encoding="utf-8", errors="replace")  # noqa: SIM115
    else:
        handle = open(path, encoding="utf-8", errors="replace")  # noqa: SIM115
    with handle:
        for n, text in enumerate(handle, start=1):
            if not text.strip():
                continue
            try:
                row = json.loads(text)
            except json.JSONDecodeError as exc:
                yield Line(n, None, f"not valid JSON ({exc.msg} at column {exc.colno})")
                continue
            except Exception as exc:  # noqa: BLE001 - e.g. RecursionError on deep nesting: one bad line, not the file
                yield Line(n, None, f"cannot be parsed ({type(exc).__name__}: {str(exc)[:200]})")
                continue
            if not isinstance(row, dict):
                yield Line(n, None, f"expected a JSON object, got {type(row).__name__}")
                continue
            yield Line(n, row)


def _parquet_rows(path: str) -> Iterator[Line]:
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise ImportError(
            f"reading {path!r} needs pyarrow: pip install pyarrow (or convert it to JSONL)"
        ) from None
    n = 0
    for batch in pq.ParquetFile(path).iter_batches(batch_size=256):  # bounded memory on big files
        for row in batch.to_pylist():
            n += 1
            yield Line(n, row)


# --------------------------------------------------------------------------------------------
# Column helpers: every failure is a ValueError naming the column, turned into a Reject
# --------------------------------------------------------------------------------------------


def _text(row: Mapping[str, Any], *keys: str) -> str:
    for key in keys:
        value = row.get(key)
        if isinstance(value, str) and value.strip():
            return value
    shown = " or ".join(repr(k) for k in keys)
    raise ValueError(f"column {shown} is missing or not a non-empty string")


def _id(row: Mapping[str, Any], key: str) -> str:
    value = row.get(key)
    if value is None or isinstance(value, (dict, list)) or str(value).strip() == "":
        raise ValueError(f"column {key!r} (the id) is missing or empty")
    return str(value)


def _json(value: Any, key: str) -> Any:
    """Columns that upstream stores as JSON text (APPS, LiveCodeBench) or already decoded."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except json.JSONDecodeError as exc:
            raise ValueError(f"column {key!r} is not valid JSON ({exc.msg})") from None
    return value


def _gold_number(value: Any, key: str) -> str:
    """AIME/AMC answers arrive as int, float (142.0) or text; integral floats become integers."""
    if isinstance(value, bool) or value is None:
        raise ValueError(f"column {key!r} is missing or not a number/text")
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str) and value.strip():
        return value.strip()
    raise ValueError(f"column {key!r} is empty")


def _stdio_pairs(inputs: Any, outputs: Any, where: str) -> list[dict[str, Any]]:
    if not isinstance(inputs, list) or not isinstance(outputs, list):
        raise ValueError(f"{where}: inputs and outputs must be lists")
    if len(inputs) != len(outputs):
        raise ValueError(f"{where}: {len(inputs)} inputs but {len(outputs)} outputs")

    def text(v: Any) -> str:
        # APPS stores some cases as lists of lines instead of one string.
        if isinstance(v, list) and all(isinstance(x, str) for x in v):
            return "\n".join(v) + "\n"
        if not isinstance(v, str):
            raise ValueError(f"{where}: a case is {type(v).__name__}, not text")
        return v

    return [{"input": text(i), "output": text(o)} for i, o in zip(inputs, outputs)]
