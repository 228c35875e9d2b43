"""Clients of `verity serve` for trainers that score over HTTP: verl's async reward loop
(`compute_score` with `reward_kwargs.url`) and a blocking batch call. Standard library only, so
a trainer node needs nothing beyond Verity's core to reach a reward server; it scores nothing
itself and never invents a reward: a request that fails raises.
"""

from __future__ import annotations

import asyncio
import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping, Sequence
from typing import Any


class RewardServerError(RuntimeError):
    """The server answered with an error (or not at all): nothing was scored."""


def _plain(value: Any) -> Any:
    """verl's extra_info may hold numpy values: send what they stand for."""
    return value.tolist() if hasattr(value, "tolist") else str(value)


def post(url: str, path: str, body: Any, *, reward_set: str | None = None, token: str | None = None,
         timeout_s: float = 300.0) -> Any:
    """One JSON POST to the server; the parsed reply, or RewardServerError naming what failed."""
    target = (
        url.rstrip("/") + path + (f"?set={urllib.parse.quote(reward_set)}" if reward_set else "")
    )
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body, default=_plain).encode()
    request = urllib.request.Request(target, data=data, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as reply:
            return json.loads(reply.read())
    except urllib.error.HTTPError as exc:
        detail = exc.read()[:500].decode("utf-8", "replace")
        raise RewardServerError(f"{target}: HTTP {exc.code}: {detail}") from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise RewardServerError(f"{target}: {type(exc).__name__}: {exc}") from None


def compute_score_batch(url: str, rows: Sequence[Mapping[str, Any]],
                        **kwargs: Any) -> list[dict[str, float]]:
    """verl rows {data_source, solution_str, ground_truth, extra_info} -> the dicts
    `verifiers.integrations.adapters.compute_score` returns, scored by the server at `url`."""
    results: list[dict[str, float]] = post(url, "/compute_score", {"rows": list(rows)},
                                           **kwargs)["results"]
    if len(results) != len(rows):
        raise RewardServerError(f"{url}: {len(results)} results for {len(rows)} rows")
    return results


async def compute_score(data_source: Any, solution_str: str, ground_truth: Any,
                        extra_info: Mapping[str, Any] | None = None, *, url: str,
                        reward_set: str | None = None, token: str | None = None,
                        timeout_s: float = 300.0, **_: Any) -> dict[str, float]:
    """verl's reward loop awaits this directly: `custom_reward_function.path=pkg://verifiers.
    integrations.client`, `name=compute_score`, `reward_kwargs.url=http://host:5000`."""
    row = {"data_source": data_source, "solution_str": solution_str, "ground_truth": ground_truth,
           "extra_info": dict(extra_info) if isinstance(extra_info, Mapping) else None}
    results = await asyncio.to_thread(compute_score_batch, url, [row], reward_set=reward_set,
                                      token=token, timeout_s=timeout_s)
    return results[0]
