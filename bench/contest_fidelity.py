"""Contest-judging fidelity: per benchmark (CodeContests, APPS, TACO, LiveCodeBench), the share of
correct reference solutions `verity grade --format <fmt>` accepts and of wrong controls it rejects,
next to plain `python3` (a subprocess per test, stdin given as a regular file, the judge's own
output rule as upstream applies it, including its looseness) as the reference. It measures; it
fixes nothing, and the programs are ours (bench/data/contest, see its README).

    python bench/contest_fidelity.py                      # all four benchmarks
    python bench/contest_fidelity.py --bench apps --workers 2 --json out.json
    python bench/contest_fidelity.py --no-fast-path   # Python API, sandbox execs a fresh python -I
    python bench/contest_fidelity.py --verity-checkout ../main --bench apps   # before/after

A reference both sides accept and a control both reject is agreement. Every disagreement is
listed with Verity's reason and detail, so a false negative can be traced to its cause (sandbox
fidelity, limits, or the comparator).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal, InvalidOperation
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data" / "contest"
BENCHMARKS = ("codecontests", "apps", "taco", "livecodebench")
sys.path.insert(0, str(ROOT))

from verifiers import benchmarks as sources  # noqa: E402

# ---- each judge's rule as upstream applies it (its looseness included), for the plain side ----


def _float(tok: str) -> float | None:
    try:
        return float(tok)
    except ValueError:
        return None


def upstream_codecontests(expected: str, out: str) -> bool:
    """tester_sandboxer.cc OutputsMatch/ValuesMatch: every number is compared as a double."""
    def toks(s: str) -> list[str]:
        return [
            t.lower()
            for t in s.replace("\r", " ").replace("\v", " ").replace("\t", " ").split()
            if t
        ]

    e, a = toks(expected), toks(out)
    if e == a:
        return True
    if len(e) != len(a):
        return False
    for x, y in zip(e, a):
        fx, fy = _float(x), _float(y)
        if fx is None or fy is None:
            if x != y:
                return False
        elif not abs(fx - fy) < 1e-5:
            return False
    return True


def upstream_apps(expected: str, out: str) -> bool:
    """APPS testing_util, standard input: joined stripped lines; line lists; per-line allclose;
    then a set of per-line token sets, exact or rounded to 3 decimals."""
    lines = out.splitlines()
    if "\n".join(x.strip() for x in lines).strip() == expected.strip():
        return True
    exp = [x.strip() for x in expected.split("\n") if x]
    if lines == exp:
        return True
    lines = [x for x in lines if x]
    if lines == exp:
        return True
    fo, fe = [_float(x) for x in lines], [_float(x) for x in exp]
    if None not in fo and None not in fe and len(fo) == len(fe) and all(
            abs(a - b) <= 1e-8 + 1e-5 * abs(b) for a, b in zip(fo, fe)):
        return True
    so = {frozenset(x.split()) for x in lines if x.split()}
    se = {frozenset(x.split()) for x in exp}
    if so == se:
        return True
    try:
        return ({frozenset(round(float(t), 3) for t in s) for s in so}
                == {frozenset(round(float(t), 3) for t in s) for s in se})
    except ValueError:
        return False


def upstream_taco(expected: str, out: str) -> bool:
    """TACO testing_util: stdout is one string (text mode), so the whole-text strip compare
    decides."""
    return out.replace("\r\n", "\n").replace("\r", "\n").strip() == expected.strip()


def upstream_livecodebench(expected: str, out: str) -> bool:
    """LiveCodeBench grade_stdio: stripped lines, equal or equal as lists of Decimals."""
    def lines(s: str) -> list[str]:
        return [x.strip() for x in s.strip().split("\n")]
    e, a = lines(expected), lines(out)
    if len(e) != len(a):
        return False
    for x, y in zip(e, a):
        if x == y:
            continue
        try:
            if [Decimal(t) for t in x.split()] != [Decimal(t) for t in y.split()]:
                return False
        except InvalidOperation:
            return False
    return True


UPSTREAM = {"codecontests": upstream_codecontests, "apps": upstream_apps, "taco": upstream_taco,
            "livecodebench": upstream_livecodebench}


def _judge_limits() -> None:
    # A judge's stack: Codeforces gives the stack the memory limit; unlimited where allowed.
    soft, hard = resource.getrlimit(resource.RLIMIT_STACK)
    resource.setrlimit(resource.RLIMIT_STACK, (hard, hard))


def plain_run(program: str, problem, bench: str, scratch: Path) -> tuple[bool, str]:
    """All tests of `problem` under plain python3, stdin a regular file; (accepted, why not)."""
    prog = scratch / f"p{os.getpid()}_{id(program)}_{time.monotonic_ns()}.py"
    prog.write_text(program)
    time_s = problem.meta["limits"]["time_s"]
    try:
        for i, case in enumerate(problem.tests):
            inp = prog.with_suffix(f".in{i}")
            inp.write_text(case["input"])
            with open(inp, "rb") as stdin:
                try:
                    res = subprocess.run(
                        [sys.executable, str(prog)],
                        stdin=stdin,
                        capture_output=True,
                        timeout=3 * time_s + 1,
                        preexec_fn=_judge_limits,
                        cwd=scratch,
                    )
                except subprocess.TimeoutExpired:
                    return False, f"test {i}: timeout"
            if res.returncode != 0:
                return (
                    False,
                    f"test {i}: exit {res.returncode}: "
                    f"{res.stderr.decode(errors='replace')[-200:]}",
                )
            if not UPSTREAM[bench](case["output"], res.stdout.decode("utf-8", "replace")):
                return False, f"test {i}: wrong answer"
        return True, ""
    finally:
        for f in scratch.glob(prog.stem + "*"):
            f.unlink()


def verity_grade(bench: str, programs: list[dict], workers: int, scratch: Path,
                 checkout: Path = ROOT) -> tuple[list[dict], float]:
    """`verity grade --format <bench> --problems <file>` on {id, completion} rows, as a user
    runs it."""
    rows = scratch / f"{bench}-samples.jsonl"
    out = scratch / f"{bench}-graded.jsonl"
    id_key = sources.id_column(bench) or "id"
    with open(rows, "w") as f:
        for p in programs:
            f.write(
                json.dumps({id_key: p["id"], "completion": f"```python\n{p['program']}```\n"})
                + "\n"
            )
    start = time.perf_counter()
    cmd = [
        sys.executable,
        "-m",
        "verifiers",
        "grade",
        "--format",
        bench,
        "--problems",
        str(DATA / f"{bench}.jsonl"),
        "-i",
        str(rows),
        "-o",
        str(out),
        "--workers",
        str(workers),
        "--no-progress",
        "--json",
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=checkout,
                          env={**os.environ, "PYTHONPATH": str(checkout)})
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"verity grade failed ({done.returncode}): {done.stderr[-2000:]}")
    graded = [json.loads(line) for line in out.read_text().splitlines()]
    return graded, seconds


def verity_api(
    bench: str, programs: list[dict], problems: dict, workers: int
) -> tuple[list[dict], float]:
    """The Python API with the sandbox's in-process fast path off (a fresh interpreter per run):
    tells a fast-path fidelity failure from a limit or comparator one."""
    from sandboxes.local import LocalSandbox
    from verifiers.code.verifier import CodeTestsVerifier

    start = time.perf_counter()
    with LocalSandbox(slots=workers, python_fast_path=False) as sandbox:
        verifier = CodeTestsVerifier(sandbox, reward="binary")

        def one(p: dict) -> dict:
            v = verifier.evaluate_program(source=p["program"], problem=problems[p["id"]]).verdict
            return {
                "reward": None if v.infra_error else v.score,
                "reason": v.reason,
                "detail": v.detail,
                "masked": v.infra_error,
            }

        with ThreadPoolExecutor(max_workers=workers) as ex:
            graded = list(ex.map(one, programs))
    return graded, time.perf_counter() - start


def run_bench(
    bench: str, workers: int, scratch: Path, fast_path: bool = True, checkout: Path = ROOT
) -> dict:
    loaded = sources.load(str(DATA / f"{bench}.jsonl"), bench)
    if loaded.rejects:
        raise SystemExit(f"{bench}: rejected rows {loaded.rejects[:3]}")
    problems = {p.id: p for p in loaded.problems}
    programs = [
        p
        for p in map(json.loads, (DATA / "programs.jsonl").read_text().splitlines())
        if p["benchmark"] == bench
    ]
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as ex:
        plain = list(
            ex.map(lambda p: plain_run(p["program"], problems[p["id"]], bench, scratch), programs)
        )
    plain_s = time.perf_counter() - start
    if fast_path:
        graded, verity_s = verity_grade(bench, programs, workers, scratch, checkout)
    else:
        graded, verity_s = verity_api(bench, programs, problems, workers)
    refs = {"n": 0, "plain_accepts": 0, "verity_accepts": 0}
    ctrls = {"n": 0, "plain_rejects": 0, "verity_rejects": 0}
    disagreements = []
    for p, (ok, why), g in zip(programs, plain, graded):
        verity_ok = g["reward"] == 1.0
        side = refs if p["role"] == "reference" else ctrls
        side["n"] += 1
        if p["role"] == "reference":
            refs["plain_accepts"] += ok
            refs["verity_accepts"] += verity_ok
        else:
            ctrls["plain_rejects"] += not ok
            ctrls["verity_rejects"] += not verity_ok
        if ok != verity_ok or (p["role"] == "reference") != ok:
            disagreements.append({"id": p["id"], "role": p["role"], "kind": p["kind"], "plain": ok,
                                  "plain_why": why, "verity": g["reward"], "reason": g["reason"],
                                  "detail": g["detail"][:300], "masked": g.get("masked", False)})
    by_style: dict[str, list[int]] = {}
    for p, g in zip(programs, graded):
        if p["role"] == "reference":
            tally = by_style.setdefault(p["kind"].split("+")[0], [0, 0])
            tally[0] += g["reward"] == 1.0
            tally[1] += 1
    return {"bench": bench, "references": refs, "controls": ctrls, "plain_s": round(plain_s, 2),
            "verity_references_by_style": {k: f"{a}/{n}" for k, (a, n) in sorted(by_style.items())},
            "verity_s": round(verity_s, 2), "disagreements": disagreements}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bench", choices=BENCHMARKS, action="append", help="default: all four")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--json", help="also write the results here")
    ap.add_argument("--verity-checkout", type=Path, default=ROOT,
                    help="run `verity grade` from another checkout (a before/after comparison)")
    ap.add_argument("--no-fast-path", action="store_true",
                    help="grade through the Python API with the sandbox's Python fast path off")
    args = ap.parse_args()
    results = []
    with tempfile.TemporaryDirectory(prefix="verity-fidelity-") as tmp:
        for bench in args.bench or BENCHMARKS:
            r = run_bench(bench, args.workers, Path(tmp), fast_path=not args.no_fast_path,
                          checkout=args.verity_checkout.resolve())
            results.append(r)
            refs = r["references"]
            ctrls = r["controls"]
            print(
                f"{bench:14s} references accepted: plain {refs['plain_accepts']}/{refs['n']}, "
                f"verity {refs['verity_accepts']}/{refs['n']}; controls rejected: plain "
                f"{ctrls['plain_rejects']}/{ctrls['n']}, "
                f"verity {ctrls['verity_rejects']}/{ctrls['n']}; "
                f"time plain {r['plain_s']} s, verity {r['verity_s']} s ({args.workers} workers)"
            )
            print(f"    verity accepts references by I/O style: {r['verity_references_by_style']}")
            for d in r["disagreements"]:
                print(
                    f"    {d['role']:9s} {d['id']!s:28.28s} {d['kind']:26s} "
                    f"plain={'ok' if d['plain'] else 'no'}"
                    f" verity={d['verity']} {d['reason']}: {d['detail'][:160]} "
                    f"{d['plain_why'][:80]}"
                )
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
