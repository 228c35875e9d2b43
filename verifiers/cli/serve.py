"""The `verity serve` command line: flags -> ServeConfig -> the server. Kept apart from the
server module so that `verity --help` works without the serve extra installed; it holds no
server logic."""

from __future__ import annotations

import argparse
import os
import sys


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`verity serve`: the reward server (verifiers.integrations.serve; extra `serve`)."""
    s = sub.add_parser(
        "serve",
        help="serve reward sets over HTTP (OpenRLHF, verl, SandboxFusion shapes)",
        description="Serve named reward sets: POST /get_reward (OpenRLHF remote_url), "
        "/compute_score (verl rows), /run_code (SandboxFusion); GET /health, /metrics.",
    )
    s.add_argument(
        "--set",
        action="append",
        dest="sets",
        metavar="NAME=REWARDS",
        help="a named reward set, e.g. math=correct or r1='correct,format=0.5' (repeatable;"
        " the first is the default; requests pick one with ?set=NAME). Default: math=correct",
    )
    s.add_argument("--gate", help="a reward that must pass before the others count (e.g. format)")
    s.add_argument(
        "--host", default="127.0.0.1", help="bind address (default 127.0.0.1: this machine only)"
    )
    s.add_argument("--port", type=int, default=5000)
    s.add_argument(
        "--workers", type=int, default=2, help="scoring worker processes per reward set (default 2)"
    )
    s.add_argument(
        "--deadline-s", type=float, default=10.0, help="hard wall-clock limit per row (default 10)"
    )
    s.add_argument(
        "--max-inflight", type=int, default=64, help="requests scored at once; more get 429"
    )
    s.add_argument(
        "--max-body-mb", type=int, default=32, help="largest request body (default 32 MB)"
    )
    s.add_argument("--max-rows", type=int, default=4096, help="most rows per request")
    s.add_argument(
        "--token-env", help="name of an environment variable holding a bearer token to require"
    )
    s.add_argument(
        "--sandbox", choices=["local", "docker"], default="local",
        help="where /run_code runs programs",
    )


def run(args: argparse.Namespace, usage_error: type[Exception]) -> int:
    """Start the server; bad flags raise `usage_error` (the CLI prints it and exits 2)."""
    try:
        from verifiers.integrations.serve import ServeConfig, serve
    except ImportError as exc:
        raise usage_error(
            f"verity serve needs the serve extra ({exc.name} is missing): pip install "
            "'verity[serve]'"
        ) from None
    sets = {}
    for item in args.sets or ["math=correct"]:
        name, sep, spec = item.partition("=")
        if not sep or not name.strip() or not spec.strip():
            raise usage_error(f"--set {item!r} is not allowed; use NAME=REWARDS, e.g. math=correct")
        sets[name.strip()] = spec.strip()
    token = None
    if args.token_env:
        token = os.environ.get(args.token_env)
        if not token:
            raise usage_error(
                f"--token-env {args.token_env}: that environment variable is empty or unset"
            )
    try:
        config = ServeConfig(
            reward_sets=sets, gate=args.gate, workers=args.workers, deadline_s=args.deadline_s,
            max_inflight=args.max_inflight, max_body_bytes=args.max_body_mb << 20,
            max_rows=args.max_rows, token=token, sandbox=args.sandbox,
        )
        print(
            f"verity serve: http://{args.host}:{args.port} sets {sorted(sets)}", file=sys.stderr,
            flush=True,
        )
        serve(config, host=args.host, port=args.port)
    except ValueError as exc:
        raise usage_error(str(exc)) from exc
    return 0
