"""A bounded load test of `verity serve` on 127.0.0.1 only: the real server as a subprocess,
OpenRLHF-shaped /get_reward requests from concurrent client threads, every row's reward checked
against the row it was sent for (lost, duplicated or crossed rows are counted), throughput and
request latency (p50/p99), server RSS before/after; then the same rows through
RewardSet.score_batch in-process with the same number of workers (the ratio is the server's
overhead); then a run with a pool worker killed mid-flight, whose rows must come back masked,
never scored 0.
Run: python bench/serve_load.py [--math-rows 20000 --code-rows 2000 --clients 64]
(needs extra serve)
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

PROMPT = "<|im_start|>user\nSolve it.<|im_end|>\n<|im_start|>assistant\n"
CODE = "```python\na, b = map(int, input().split())\nprint(a {op} b)\n```"


def math_rows(n: int, rng: random.Random) -> list[tuple[str, str, float]]:
    """(query, label, expected reward): row k answers k; its gold is k or k + 1 at random."""
    rows = []
    for k in range(n):
        right = rng.random() < 0.5
        rows.append(
            (
                PROMPT + f"<think>ok</think><answer>{k}</answer><|im_end|>",
                str(k if right else k + 1),
                1.0 if right else 0.0,
            )
        )
    return rows


def code_rows(n: int, rng: random.Random) -> list[tuple[str, str, float]]:
    rows = []
    for k in range(n):
        right = rng.random() < 0.5
        tests = json.dumps({"inputs": [f"{k} 2\n"], "outputs": [f"{k + 2}\n"]})
        rows.append(
            (
                PROMPT + CODE.format(op="+" if right else "*" if k != 2 else "-"),
                tests,
                1.0 if right else 0.0,
            )
        )
    return rows


def _post(url: str, body: dict, timeout_s: float = 600.0) -> dict:
    req = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    for attempt in range(100):  # OpenRLHF retries too; a 429 is the server protecting itself
        try:
            with urllib.request.urlopen(req, timeout=timeout_s) as reply:
                return json.loads(reply.read())
        except urllib.error.HTTPError as exc:
            if exc.code != 429:
                raise
            time.sleep(0.05 * (attempt + 1))
    raise RuntimeError("still 429 after 100 tries")


def _rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS")) / 1024


def _pool_workers(pid: int) -> list[int]:
    """The server's deadline-pool workers: forked children with the server's own command line
    (the sandbox's slot servers are other programs)."""
    def cmdline(p: int) -> bytes:
        with open(f"/proc/{p}/cmdline", "rb") as f:
            return f.read()

    out = []
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{task}/children") as f:
                out += [int(c) for c in f.read().split()]
        except FileNotFoundError:  # a thread that just ended
            continue
    mine = cmdline(pid)
    return [k for k in out if cmdline(k) == mine]


def load(url: str, rows, set_name: str, clients: int, batch: int, on_half=None) -> dict:
    """Send `rows` in batches from `clients` threads; check each row's reward against its own."""
    batches = [rows[i:i + batch] for i in range(0, len(rows), batch)]
    latencies = []
    results = [None] * len(batches)
    half = len(batches) // 2
    fired = threading.Event()

    def one(i: int) -> None:
        if on_half and i >= half and not fired.is_set():
            fired.set()
            on_half()
        part = batches[i]
        start = time.perf_counter()
        out = _post(
            f"{url}/get_reward?set={set_name}",
            {
                "query": [q for q, _, _ in part],
                "prompts": [PROMPT] * len(part),
                "labels": [lab for _, lab, _ in part],
            },
        )
        latencies.append(time.perf_counter() - start)
        results[i] = out

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as ex:
        list(ex.map(one, range(len(batches))))
    seconds = time.perf_counter() - start
    lost = wrong = masked = zero_for_masked = 0
    for part, out in zip(batches, results):
        if out is None or len(out["rewards"]) != len(part):
            lost += len(part)
            continue
        for (_, _, want), got, m in zip(part, out["rewards"], out["extra_logs"]["masked"]):
            if m:
                masked += 1
                zero_for_masked += got != 0.0  # masked rows are sent as 0.0 with masked = 1
            elif got != want:
                wrong += 1
    lat = sorted(latencies)
    return {
        "rows": len(rows),
        "seconds": seconds,
        "rows_per_s": len(rows) / seconds,
        "p50_ms": 1000 * statistics.median(lat),
        "p99_ms": 1000 * lat[min(len(lat) - 1, int(0.99 * len(lat)))],
        "lost": lost,
        "wrong_or_crossed": wrong,
        "masked": masked,
        "bad_masked_value": zero_for_masked,
    }


def in_process(rows, rewards: str, workers: int) -> dict:
    from verifiers.integrations import openrlhf
    from verifiers.integrations.adapters import parse_rewards

    rs = parse_rewards(rewards, workers=workers, deadline_s=10.0)

    def scorer(rs_, completions, problems):
        try:
            return rs_.score_batch(completions, problems)
        except ValueError:
            with ThreadPoolExecutor(max_workers=2 * workers) as ex:
                return list(
                    ex.map(
                        lambda cp: rs_.score(completion=cp[0], problem=cp[1]),
                        zip(completions, problems),
                    )
                )

    openrlhf.score_rows(rs, [rows[0][0]], [PROMPT], [rows[0][1]], scorer)  # warm, as the server was
    start = time.perf_counter()
    got = openrlhf.score_rows(
        rs, [q for q, _, _ in rows], [PROMPT] * len(rows), [lab for _, lab, _ in rows], scorer
    )
    seconds = time.perf_counter() - start
    wrong = sum((0.0 if s.masked else s.reward) != want for s, (_, _, want) in zip(got, rows))
    return {
        "rows": len(rows),
        "seconds": seconds,
        "rows_per_s": len(rows) / seconds,
        "wrong": wrong,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--math-rows", type=int, default=2000)
    ap.add_argument("--code-rows", type=int, default=200)
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument(
        "--batch", type=int, default=16, help="rows per request (OpenRLHF's micro rollout batch)"
    )
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    rng = random.Random(0)
    maths = math_rows(args.math_rows, rng)
    codes = code_rows(args.code_rows, rng)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "verifiers",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(args.workers),
            "--set",
            "math=correct",
            "--set",
            "code=tests",
            "--max-inflight",
            str(max(args.clients, 1)),
        ],
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                urllib.request.urlopen(url + "/health", timeout=2).read()
                break
            except OSError:
                time.sleep(0.1)
        load(url, maths[:64], "math", 4, args.batch)  # warm the pool and the sandbox
        load(url, codes[:8], "code", 4, args.batch)
        rss_before = _rss_mb(server.pid)
        print(
            f"machine: {platform.machine()}, {os.cpu_count()} CPUs, "
            f"CPython {platform.python_version()};"
            f" {args.clients} clients, {args.batch} rows/request, {args.workers} workers"
        )
        results = {
            "server math": load(url, maths, "math", args.clients, args.batch),
            "server code": load(url, codes, "code", args.clients, args.batch) if codes else None,
        }
        rss_after = _rss_mb(server.pid)

        def kill_a_worker() -> None:
            kids = _pool_workers(server.pid)
            if kids:
                os.kill(kids[0], signal.SIGKILL)

        results["server math, a worker killed mid-run"] = load(
            url, maths, "math", args.clients, args.batch, on_half=kill_a_worker
        )
        health = json.loads(urllib.request.urlopen(url + "/health", timeout=10).read())
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=30)
    results["in-process math"] = in_process(maths, "correct", args.workers)
    if codes:
        results["in-process code"] = in_process(codes, "tests", args.workers)
    for name, r in results.items():
        if r:
            print(
                f"{name:40s} "
                + "  ".join(
                    f"{k}={v:.1f}" if isinstance(v, float) else f"{k}={v}" for k, v in r.items()
                )
            )
    print(
        f"server RSS {rss_before:.0f} MB before, {rss_after:.0f} MB after the load; "
        f"worker restarts {health['worker_restarts']}"
    )
    ratio = results["server math"]["rows_per_s"] / results["in-process math"]["rows_per_s"]
    print(f"math throughput, server / in-process score_batch: {ratio:.2f}")
    if codes:
        print(
            f"code throughput, server / in-process: "
            f"{results['server code']['rows_per_s'] / results['in-process code']['rows_per_s']:.2f}"
        )


if __name__ == "__main__":
    main()
