"""A bounded load test of `verity serve` on 127.0.0.1 only: the real server as a subprocess,
OpenRLHF-shaped /get_reward requests over concurrent keep-alive connections from one asyncio
loop (the load generator costs little of the shared CPUs; its CPU time is printed), every row's
reward checked against the row it was sent for (lost, duplicated or crossed rows are counted),
throughput and request latency (p50/p99), server RSS before/after; then the same rows through
RewardSet.score_batch in-process with the same number of workers (the ratio is the server's
overhead); then a run with a pool worker killed mid-flight, whose rows must come back masked,
never scored 0.
Run: python bench/serve_load.py [--math-rows 20000 --code-rows 2000 --clients 64]
(needs extra serve)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import signal
import socket
import statistics
import subprocess
import sys
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
        rows.append((PROMPT + f"<think>ok</think><answer>{k}</answer><|im_end|>",
                     str(k if right else k + 1), 1.0 if right else 0.0))
    return rows


def code_rows(n: int, rng: random.Random) -> list[tuple[str, str, float]]:
    rows = []
    for k in range(n):
        right = rng.random() < 0.5
        tests = json.dumps({"inputs": [f"{k} 2\n"], "outputs": [f"{k + 2}\n"]})
        rows.append((PROMPT + CODE.format(op="+" if right else "*" if k != 2 else "-"), tests,
                     1.0 if right else 0.0))
    return rows


async def _exchange(conn: list, host: str, port: int, target: str, body: bytes) -> tuple[int,
                                                                                         bytes]:
    """One HTTP/1.1 request on a kept-alive connection (`conn` holds reader/writer; reopened when
    the server closed it): (status, body)."""
    head = (f"POST {target} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n").encode()
    for _ in range(2):
        if not conn:
            conn.extend(await asyncio.open_connection(host, port))
        reader, writer = conn
        try:
            writer.write(head + body)
            status = int((await reader.readuntil(b"\r\n")).split()[1])
            length = 0
            close = False
            while (line := await reader.readuntil(b"\r\n")) != b"\r\n":
                name, _, value = line.decode("latin-1").partition(":")
                if name.lower() == "content-length":
                    length = int(value)
                elif name.lower() == "connection" and value.strip().lower() == "close":
                    close = True
            data = await reader.readexactly(length)
        except (ConnectionError, asyncio.IncompleteReadError):
            writer.close()
            conn.clear()
            continue
        if close:
            writer.close()
            conn.clear()
        return status, data
    raise ConnectionError(f"the server closed the connection twice on {target}")


def _post(url: str, body: dict, timeout_s: float = 600.0) -> dict:
    """One blocking request (warm-up, health): urllib, outside the timed load."""
    req = urllib.request.Request(url, data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=timeout_s) as reply:
        return json.loads(reply.read())


def _reasons(url: str) -> dict[str, int]:
    """The server's verdict counts by reason (GET /metrics), to name why rows were masked."""
    out: dict[str, int] = {}
    for line in urllib.request.urlopen(url + "/metrics", timeout=30).read().decode().splitlines():
        if line.startswith("verity_verdicts_total{"):
            key, value = line.rsplit(" ", 1)
            reason = key.split('reason="')[1].rstrip('"}')
            out[reason] = out.get(reason, 0) + int(value)
    return out


def _cpu_s(pid: int) -> float:
    """utime + stime of one process (its own threads; pool workers are other processes)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


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


def load(url: str, rows, set_name: str, clients: int, batch: int, on_half=None,
         server_pid: int | None = None) -> dict:
    """Send `rows` in batches over `clients` concurrent keep-alive connections from one asyncio
    loop in this process (bodies encoded before the clock starts, as a trainer holds its batch);
    check each row's reward against its own."""
    host, port = url.split("//")[1].split(":")
    port = int(port)
    batches = [rows[i:i + batch] for i in range(0, len(rows), batch)]
    bodies = [json.dumps({"query": [q for q, _, _ in part], "prompts": [PROMPT] * len(part),
                          "labels": [lab for _, lab, _ in part]}).encode() for part in batches]
    target = f"/get_reward?set={set_name}"
    latencies = []
    results = [None] * len(batches)
    half = len(batches) // 2
    retries_429 = [0]

    async def client(queue: list) -> None:
        conn: list = []
        while queue:
            i = queue.pop()
            if on_half and i == half:
                on_half()
            start = time.perf_counter()
            # OpenRLHF retries too; a 429 is the server protecting itself
            for attempt in range(100):
                status, data = await _exchange(conn, host, port, target, bodies[i])
                if status != 429:
                    break
                retries_429[0] += 1
                await asyncio.sleep(0.05 * (attempt + 1))
            latencies.append(time.perf_counter() - start)
            results[i] = json.loads(data) if status == 200 else None
        if conn:
            conn[1].close()

    async def main() -> None:
        queue = list(range(len(batches)))[::-1]  # popped in order
        await asyncio.gather(*(client(queue) for _ in range(clients)))

    reasons0 = _reasons(url)
    cpu0 = time.process_time()
    server_cpu0 = _cpu_s(server_pid) if server_pid else 0.0
    start = time.perf_counter()
    asyncio.run(main())
    seconds = time.perf_counter() - start
    client_cpu_s = time.process_time() - cpu0
    server_cpu_s = (_cpu_s(server_pid) - server_cpu0) if server_pid else float("nan")
    reasons = {k: v - reasons0.get(k, 0) for k, v in _reasons(url).items()
               if v - reasons0.get(k, 0)}
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
    return {"rows": len(rows), "seconds": seconds, "rows_per_s": len(rows) / seconds,
            "p50_ms": 1000 * statistics.median(lat),
            "p99_ms": 1000 * lat[min(len(lat) - 1, int(0.99 * len(lat)))], "lost": lost,
            "wrong_or_crossed": wrong, "masked": masked, "bad_masked_value": zero_for_masked,
            "retries_429": retries_429[0], "client_cpu_s": client_cpu_s,
            "server_cpu_s": server_cpu_s,
            "reasons": ",".join(f"{k}:{v}" for k, v in sorted(reasons.items()))}


def in_process(rows, rewards: str, workers: int) -> dict:
    from verifiers.integrations import openrlhf
    from verifiers.integrations.adapters import parse_rewards

    rs = parse_rewards(rewards, workers=workers, deadline_s=10.0)

    def scorer(rs_, completions, problems):
        try:
            return rs_.score_batch(completions, problems)
        except ValueError:
            with ThreadPoolExecutor(max_workers=2 * workers) as ex:
                return list(ex.map(lambda cp: rs_.score(completion=cp[0], problem=cp[1]),
                                   zip(completions, problems)))

    openrlhf.score_rows(rs, [rows[0][0]], [PROMPT], [rows[0][1]], scorer)  # warm, as the server was
    start = time.perf_counter()
    got = openrlhf.score_rows(rs, [q for q, _, _ in rows], [PROMPT] * len(rows),
                              [lab for _, lab, _ in rows], scorer)
    seconds = time.perf_counter() - start
    wrong = sum((0.0 if s.masked else s.reward) != want for s, (_, _, want) in zip(got, rows))
    return {"rows": len(rows), "seconds": seconds, "rows_per_s": len(rows) / seconds,
            "wrong": wrong}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--math-rows", type=int, default=2000)
    ap.add_argument("--code-rows", type=int, default=200)
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--batch", type=int, default=16,
                    help="rows per request (OpenRLHF's micro rollout batch)")
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    rng = random.Random(0)
    maths, codes = math_rows(args.math_rows, rng), code_rows(args.code_rows, rng)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "verifiers", "serve", "--host", "127.0.0.1",
                               "--port", str(port), "--workers", str(args.workers), "--set",
                               "math=correct", "--set", "code=tests", "--max-inflight",
                               str(max(args.clients, 1))], stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                urllib.request.urlopen(url + "/health", timeout=2).read()
                break
            except OSError:
                time.sleep(0.1)
        load(url, maths[:64], "math", 4, args.batch)  # warm the pool and the sandbox
        if codes:
            load(url, codes[:8], "code", 4, args.batch)
        rss_before = _rss_mb(server.pid)
        print(
            f"machine: {platform.machine()}, {os.cpu_count()} CPUs,"
            f" CPython {platform.python_version()};"
            f" {args.clients} clients, {args.batch} rows/request, {args.workers} workers"
        )
        # In-process math right after the server's math run, so that both see about the same load
        # on a shared machine (in-process code waits for the server's sandbox to be gone).
        results = {
            "server math": load(
                url, maths, "math", args.clients, args.batch, server_pid=server.pid
            ),
            "in-process math": in_process(maths, "correct", args.workers),
        }
        if codes:
            results["server code"] = load(url, codes, "code", args.clients, args.batch,
                                          server_pid=server.pid)
        rss_after = _rss_mb(server.pid)

        def kill_a_worker() -> None:
            kids = _pool_workers(server.pid)
            if kids:
                os.kill(kids[0], signal.SIGKILL)

        results["server math, a worker killed mid-run"] = load(url, maths, "math", args.clients,
                                                               args.batch, on_half=kill_a_worker,
                                                               server_pid=server.pid)
        health = json.loads(urllib.request.urlopen(url + "/health", timeout=10).read())
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=30)
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
        f"server RSS {rss_before:.0f} MB before, {rss_after:.0f} MB after the load;"
        f" worker restarts "
        f"{health['worker_restarts']}"
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
