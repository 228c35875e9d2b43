"""Shape checks on the JSON bodies `verity serve` accepts (OpenRLHF's /get_reward, batched verl
/compute_score), each refusal a BadRequest naming the field at fault; it scores nothing and
knows nothing of HTTP beyond the status a refusal carries."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class BadRequest(Exception):
    """A request we refuse: HTTP `status`, and the JSON field at fault."""

    def __init__(self, field_name: str, message: str, status: int = 400):
        super().__init__(message)
        self.field, self.status = field_name, status


def _str_list(body: Mapping[str, Any], key: str, n: int | None) -> list[Any]:
    value = body.get(key)
    if not isinstance(value, list):
        raise BadRequest(key, f"'{key}' must be a list, got {type(value).__name__}")
    if n is not None and len(value) != n:
        raise BadRequest(key, f"'{key}' has {len(value)} items; 'query' has {n}")
    return value


def openrlhf_lists(body: Any, max_rows: int) -> tuple[list[Any], list[Any], list[Any]]:
    """{"query", "prompts", "labels"} -> the three lists, of one length, at most max_rows."""
    if not isinstance(body, dict):
        raise BadRequest("body", f"the body must be a JSON object, got {type(body).__name__}")
    queries = _str_list(body, "query", None)
    n = len(queries)
    if n > max_rows:
        raise BadRequest("query", f"'query' has {n} rows; at most {max_rows} per request", 413)
    prompts = _str_list(body, "prompts", n)
    # labels are optional: absent or null means one None per query
    labels = [None] * n if body.get("labels") is None else _str_list(body, "labels", n)
    return queries, prompts, labels


def openrlhf_strings(queries: list[Any], prompts: list[Any]) -> None:
    """Every query and prompt is a string; the first that is not is named."""
    for i, (q, p) in enumerate(zip(queries, prompts)):
        if not isinstance(q, str):
            raise BadRequest(f"query[{i}]",
                             f"'query[{i}]' must be a string, got {type(q).__name__}")
        if not isinstance(p, str):
            raise BadRequest(f"prompts[{i}]",
                             f"'prompts[{i}]' must be a string, got {type(p).__name__}")


def verl_rows(body: Any, max_rows: int) -> list[Any]:
    """{"rows": [...]} or the list itself -> the rows, at most max_rows."""
    rows = body.get("rows") if isinstance(body, dict) else body
    if not isinstance(rows, list):
        raise BadRequest("rows", "the body must be {\"rows\": [...]} or a list of verl rows")
    if len(rows) > max_rows:
        raise BadRequest("rows", f"'rows' has {len(rows)} rows; at most {max_rows} per request",
                         413)
    return rows


def verl_row(i: int, row: Any) -> dict[str, Any] | None:
    """Row i is {solution_str: str, ground_truth, extra_info: object or null}: its extra_info."""
    if not isinstance(row, dict):
        raise BadRequest(f"rows[{i}]", f"'rows[{i}]' must be an object, got {type(row).__name__}")
    if not isinstance(row.get("solution_str"), str):
        raise BadRequest(f"rows[{i}].solution_str", f"'rows[{i}].solution_str' must be a string")
    if "ground_truth" not in row:
        raise BadRequest(f"rows[{i}].ground_truth", f"'rows[{i}].ground_truth' is missing")
    extra = row.get("extra_info")
    if extra is not None and not isinstance(extra, dict):
        raise BadRequest(f"rows[{i}].extra_info",
                         f"'rows[{i}].extra_info' must be an object or null")
    return extra
