"""The reward server's counters and latency histogram, rendered as Prometheus text; it measures
and renders, and knows nothing of HTTP or scoring."""

from __future__ import annotations

import threading
from collections import Counter, defaultdict
from collections.abc import Sequence

from verifiers.rewards import Scored

_LATENCY_BUCKETS_S = (0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, float("inf"))


class Metrics:
    """Counters and a latency histogram, rendered as Prometheus text; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.requests: Counter[tuple[str, int]] = Counter()
        self.rows: Counter[str] = Counter()
        self.masked: Counter[str] = Counter()
        self.deadline_misses = 0
        self.reasons: Counter[tuple[str, str]] = Counter()
        self.latency: dict[str, list[int]] = {}
        self.latency_sum: defaultdict[str, float] = defaultdict(float)

    def request(self, route: str, status: int, seconds: float) -> None:
        with self._lock:
            self.requests[(route, status)] += 1
            buckets = self.latency.setdefault(route, [0] * len(_LATENCY_BUCKETS_S))
            for i, bound in enumerate(_LATENCY_BUCKETS_S):
                if seconds <= bound:
                    buckets[i] += 1
            self.latency_sum[route] += seconds

    def scored(self, route: str, results: Sequence[Scored]) -> None:
        with self._lock:
            self.rows[route] += len(results)
            for r in results:
                self.masked[route] += r.masked
                for name, v in r.verdicts.items():
                    self.reasons[(name, v.reason)] += 1
                    self.deadline_misses += v.infra_error and v.reason in ("deadline", "timeout")

    def render(self, inflight: int, restarts: int) -> str:
        out = ["# TYPE verity_requests_total counter"]
        with self._lock:
            out += [f'verity_requests_total{{route="{r}",code="{c}"}} {n}' for (r, c),
                    n in sorted(self.requests.items())]
            out.append("# TYPE verity_request_seconds histogram")
            for route, buckets in sorted(self.latency.items()):
                for bound, n in zip(_LATENCY_BUCKETS_S, buckets):
                    le = "+Inf" if bound == float("inf") else f"{bound:g}"
                    out.append(f'verity_request_seconds_bucket{{route="{route}",le="{le}"}} {n}')
                out.append(
                    f'verity_request_seconds_sum{{route="{route}"}} {self.latency_sum[route]:.6f}'
                )
                out.append(f'verity_request_seconds_count{{route="{route}"}} {buckets[-1]}')
            out.append("# TYPE verity_rows_total counter")
            out += [f'verity_rows_total{{route="{r}"}} {n}' for r, n in sorted(self.rows.items())]
            out.append("# TYPE verity_rows_masked_total counter")
            out += [f'verity_rows_masked_total{{route="{r}"}} {n}'
                    for r, n in sorted(self.masked.items())]
            out += ["# TYPE verity_deadline_misses_total counter",
                    f"verity_deadline_misses_total {self.deadline_misses}"]
            out.append("# TYPE verity_verdicts_total counter")
            out += [f'verity_verdicts_total{{reward="{n}",reason="{r}"}} {c}' for (n, r),
                    c in sorted(self.reasons.items())]
        out += [
            "# TYPE verity_inflight_requests gauge",
            f"verity_inflight_requests {inflight}",
            "# TYPE verity_worker_restarts_total counter",
            f"verity_worker_restarts_total {restarts}",
        ]
        return "\n".join(out) + "\n"
