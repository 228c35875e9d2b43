"""Trusted decoding of the plain-data encoding that verifiers/code/driver.py writes; it builds
only builtin values (so comparisons on them run our code, never the candidate's) and decides
nothing about correctness."""

from __future__ import annotations

import json
from typing import Any

MAX_DEPTH = 100
MAX_INT_DIGITS = 4000

_CONTAINERS = {"l": list, "t": tuple, "S": set, "F": frozenset}
_TYPES = {
    t.__name__: t
    for t in (
        int, float, complex, str, bytes, bool, list, tuple, set, frozenset, dict, object,
        type(None),
    )
}


def decode(node: Any, depth: int = 0) -> Any:
    """Raises ValueError on anything that is not a well-formed encoding."""
    if depth > MAX_DEPTH or not isinstance(node, list) or not node or not isinstance(node[0], str):
        raise ValueError("malformed plain-data node")
    tag, rest = node[0], node[1:]
    if tag == "n" and not rest:
        return None
    if tag == "b" and rest in ([0], [1]):
        return rest[0] == 1
    if (
        tag == "i"
        and len(rest) == 1
        and isinstance(rest[0], str)
        and len(rest[0]) <= MAX_INT_DIGITS
    ):
        return int(rest[0])
    if tag == "f" and len(rest) == 1 and isinstance(rest[0], str):
        return float(rest[0])
    if tag == "c" and len(rest) == 2 and all(isinstance(r, str) for r in rest):
        return complex(float(rest[0]), float(rest[1]))
    if tag == "s" and len(rest) == 1 and isinstance(rest[0], str):
        return rest[0]
    if tag == "y" and len(rest) == 1 and isinstance(rest[0], str):
        return bytes.fromhex(rest[0])
    if tag == "T" and len(rest) == 1 and rest[0] in _TYPES:  # a builtin type object
        return _TYPES[rest[0]]
    if tag in _CONTAINERS and len(rest) == 1 and isinstance(rest[0], list):
        try:
            return _CONTAINERS[tag](decode(v, depth + 1) for v in rest[0])
        except TypeError as exc:  # unhashable element in a set
            raise ValueError(str(exc)) from None
    if tag == "d" and len(rest) == 1 and isinstance(rest[0], list):
        out = {}
        for pair in rest[0]:
            if not (isinstance(pair, list) and len(pair) == 2):
                raise ValueError("malformed dict item")
            try:
                out[decode(pair[0], depth + 1)] = decode(pair[1], depth + 1)
            except TypeError as exc:
                raise ValueError(str(exc)) from None
        return out
    raise ValueError(f"unknown plain-data tag {tag!r}")


def result_line(stdout: bytes, nonce: str) -> dict[str, Any] | None:
    """The driver's report: the JSON after the FIRST `<nonce> ` at a line start, or None. The
    nonce is fresh per execution and the candidate's processes never hold it nor the driver's
    stdout; should either ever leak, a line written after the driver's own (by a process left
    behind) still never counts."""
    marker = ("\n" + nonce + " ").encode()
    at = stdout.find(marker)
    if at < 0:
        return None
    line = stdout[at + len(marker):].split(b"\n", 1)[0]
    try:
        obj = json.loads(line)
    except (ValueError, RecursionError):
        return None
    return obj if isinstance(obj, dict) else None
