"""`verity serve`: an ASGI reward service (Starlette + uvicorn, extra `serve`) that scores named
reward sets over HTTP in the shapes trainers already speak: OpenRLHF's remote reward URL
(/get_reward), batched verl rows (/compute_score) and SandboxFusion's /run_code, plus /health
and Prometheus /metrics. It judges nothing itself (verifiers do, through RewardSet and the
deadline pool) and balances nothing across machines (put N servers behind a load balancer).

Contract: a reward is returned only for a row that was scored; a masked row is 0.0 with
`extra_logs.masked = 1` (OpenRLHF stops on None); a request that could not be scored gets an
error status, never rewards. Bad input gets a 4xx JSON error naming the field; overload gets 429.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import pickle
import threading
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from sandboxes.base import Sandbox
from verifiers import pool
from verifiers.base import Problem
from verifiers.integrations import openrlhf, request_checks
from verifiers.integrations.adapters import parse_rewards, verl_problem, verl_result
from verifiers.integrations.feeder import PoolFeeder
from verifiers.integrations.metrics import Metrics
from verifiers.integrations.request_checks import BadRequest
from verifiers.integrations.run_code import RunCodeBatcher, RunCodeError
from verifiers.rewards import RewardSet, Scored


@dataclass(frozen=True)
class ServeConfig:
    """reward_sets: name -> spec ("correct,format=0.5"); the first is the default. workers and
    deadline_s configure each set's pool; max_inflight requests at once (more get 429);
    max_body_bytes and max_rows bound one request; token: bearer token required when set."""

    reward_sets: Mapping[str, str] = field(default_factory=lambda: {"math": "correct"})
    gate: str | None = None
    workers: int = 2
    deadline_s: float = 10.0
    max_inflight: int = 64
    max_body_bytes: int = 32 << 20
    max_rows: int = 4096
    token: str | None = None
    sandbox: str = "local"  # for /run_code: local or docker
    coalesce_s: float = 0.02  # /run_code waits this long for more inputs of the same program

    def __post_init__(self) -> None:
        if not self.reward_sets:
            raise ValueError(
                "reward_sets={} is not allowed; name at least one set, e.g. {'math': 'correct'}"
            )
        for key in ("workers", "max_inflight", "max_body_bytes", "max_rows"):
            value = getattr(self, key)
            if (
                isinstance(value, bool)
                or not isinstance(value, int)
                or value < (0 if key == "workers" else 1)
            ):
                raise ValueError(f"{key}={value!r} is not allowed; use a positive integer")
        if self.sandbox not in ("local", "docker"):
            raise ValueError(f"sandbox={self.sandbox!r} is not allowed; use 'local' or 'docker'")


def _all_answered(results: Sequence[Scored | None]) -> list[Scored]:
    """Every row scored or masked; anything else is our bug, answered with an error, not rewards."""
    if any(r is None for r in results):
        raise RuntimeError("a row was neither scored nor masked")
    return list(results)  # type: ignore[arg-type]


def _poolable(rs: RewardSet) -> bool:
    """Whether the set's verifiers can travel to a pool worker (a sandbox-holding one cannot)."""
    try:
        pickle.dumps(rs)
    except Exception:  # noqa: BLE001 - any pickling failure means the same
        return False
    return rs.workers > 0


class RewardService:
    """The server's state: reward sets, metrics, the sandbox for /run_code; the handlers below
    are plain methods (tested without HTTP as well) and run in worker threads."""

    def __init__(self, config: ServeConfig):
        self.config = config
        self.sets: dict[str, RewardSet] = {}
        for name, spec in config.reward_sets.items():
            try:
                self.sets[name] = parse_rewards(spec, gate=config.gate, workers=config.workers,
                                                deadline_s=config.deadline_s)
            except ValueError as exc:
                raise ValueError(f"reward set {name!r}: {exc}") from None
        self.default = next(iter(self.sets))
        self._feeders = {id(rs): PoolFeeder(rs) for rs in self.sets.values() if _poolable(rs)}
        self.metrics = Metrics()
        self.threads = ThreadPoolExecutor(max_workers=config.max_inflight,
                                          thread_name_prefix="verity-serve")
        self._sandbox: Sandbox | None = None
        self._sandbox_lock = threading.Lock()
        # the /run_code batcher, made on first use inside the event loop
        self.runner: RunCodeBatcher | None = None

    # ---- scoring ---------------------------------------------------------------------------

    def reward_set(self, name: str | None) -> RewardSet:
        name = name or self.default
        if name not in self.sets:
            raise BadRequest(
                "set",
                f"reward set {name!r} is not served here; use one of {sorted(self.sets)}",
                404,
            )
        return self.sets[name]

    def score(self, rs: RewardSet, completions: list[str], problems: list[Problem]) -> list[Scored]:
        """On the deadline pool through the set's PoolFeeder where the set can travel to a worker;
        sets holding a sandbox (code) run on threads, the sandbox bounding each program's time."""
        if not completions:
            return []
        if id(rs) in self._feeders:
            return self._feeders[id(rs)].score(completions, problems)
        threads = max(1, min(len(completions), 2 * (self.config.workers or 1)))
        with ThreadPoolExecutor(max_workers=threads) as ex:
            return list(ex.map(lambda cp: rs.score(completion=cp[0], problem=cp[1]),
                               zip(completions, problems)))

    def get_reward(self, body: Any, set_name: str | None) -> dict[str, Any]:
        """OpenRLHF's --reward.remote_url: {"query", "prompts", "labels"} ->
        {"rewards", "scores", "extra_logs": {"masked": [...], <reward>: [...]}}."""
        queries, prompts, labels = request_checks.openrlhf_lists(body, self.config.max_rows)
        rs = self.reward_set(set_name or body.get("reward_set"))
        request_checks.openrlhf_strings(queries, prompts)
        results = openrlhf.score_rows(rs, queries, prompts, labels, self.score)
        self.metrics.scored("/get_reward", results)
        return openrlhf.reply(rs, results)

    def compute_score(self, body: Any, set_name: str | None) -> dict[str, Any]:
        """Batched verl rows: {"rows": [{data_source, solution_str, ground_truth, extra_info}]}
        (or the list itself) -> {"results": [the dict verifiers.integrations.adapters.compute_score
        returns]}."""
        rows = request_checks.verl_rows(body, self.config.max_rows)
        rs = self.reward_set(set_name
                             or (body.get("reward_set") if isinstance(body, dict) else None))
        results: list[Scored | None] = [None] * len(rows)
        index, completions, problems = [], [], []
        for i, row in enumerate(rows):
            extra = request_checks.verl_row(i, row)
            try:
                problems.append(verl_problem(row.get("data_source"), row["ground_truth"], extra,
                                             index=i))
            except ValueError as exc:
                results[i] = rs.failed("verifier_error", str(exc))
                continue
            index.append(i)
            completions.append(row["solution_str"])
        for i, scored in zip(index, self.score(rs, completions, problems)):
            results[i] = scored
        done = _all_answered(results)
        self.metrics.scored("/compute_score", done)
        return {"results": [verl_result(r) for r in done]}

    # ---- sandbox ---------------------------------------------------------------------------

    def sandbox(self) -> Sandbox:
        with self._sandbox_lock:
            if self._sandbox is None:
                if self.config.sandbox == "docker":
                    from sandboxes.docker import DockerSandbox

                    self._sandbox = DockerSandbox()
                else:
                    from sandboxes.local import LocalSandbox

                    self._sandbox = LocalSandbox()
            return self._sandbox

    def health(self) -> dict[str, Any]:
        sandbox = None
        if self._sandbox is not None:
            try:
                sandbox = self._sandbox.describe()
            except Exception as exc:  # noqa: BLE001 - health reports, never raises
                sandbox = {"error": f"{type(exc).__name__}: {exc}"}
        return {"status": "ok", "reward_sets": {n: list(rs.names) for n, rs in self.sets.items()},
                "default_set": self.default, "sandbox": sandbox, "worker_restarts": pool.restarts()}

    def close(self) -> None:
        self.threads.shutdown(wait=False, cancel_futures=True)
        for feeder in self._feeders.values():
            feeder.close()
        if self._sandbox is not None:
            self._sandbox.close()


# ---- HTTP ------------------------------------------------------------------------------------


def _error(status: int, field_name: str | None, message: str,
           headers: Mapping[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": message, "field": field_name}, status_code=status,
                        headers=dict(headers or {}))


async def _read_json(request: Request, limit: int) -> Any:
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > limit):
        raise BadRequest("body", f"the body is over {limit} bytes (Content-Length {declared[:20]})",
                         413)
    chunks = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BadRequest("body", f"the body is over {limit} bytes", 413)
        chunks.append(chunk)
    try:
        return json.loads(b"".join(chunks))
    except Exception as exc:  # noqa: BLE001 - JSONDecodeError, RecursionError, UnicodeDecodeError...
        raise BadRequest("body", f"the body is not valid JSON ({type(exc).__name__})") from None


def build_app(service: RewardService) -> Starlette:
    """The ASGI app. Handlers run their scoring on the service's threads; the event loop only
    parses, admits (429 past max_inflight) and answers."""
    config = service.config
    state = {"inflight": 0}

    def endpoint(route: str, handler: Callable[[Request, Any], Awaitable[Any]], *,
                 admit: bool = True) -> Callable[[Request], Awaitable[Response]]:
        async def run(request: Request) -> Response:  # noqa: C901 - one gate for every route
            start = time.perf_counter()
            status = 500
            try:
                if config.token is not None:
                    auth = request.headers.get("authorization", "")
                    given = auth[7:] if auth.lower().startswith("bearer ") else ""
                    if not hmac.compare_digest(given.encode(), config.token.encode()):
                        status = 401
                        return _error(401, "authorization", "missing or wrong bearer token",
                                      {"WWW-Authenticate": "Bearer"})
                if admit and state["inflight"] >= config.max_inflight:
                    status = 429
                    return _error(429, None,
                                  f"over {config.max_inflight} requests in flight; retry later",
                                  {"Retry-After": "1"})
                state["inflight"] += admit
                try:
                    body = (
                        await _read_json(request, config.max_body_bytes)
                        if request.method == "POST"
                        else None
                    )
                    result = await handler(request, body)
                finally:
                    state["inflight"] -= admit
                status = 200
                if isinstance(result, Response):
                    status = result.status_code
                    return result
                return JSONResponse(result)
            except BadRequest as exc:
                status = exc.status
                return _error(exc.status, exc.field, str(exc))
            except RunCodeError as exc:
                status = 400
                return _error(400, exc.field, str(exc))
            except Exception as exc:  # noqa: BLE001 - our bug: an error status, never a reward
                status = 500
                return _error(
                    500,
                    None,
                    f"internal error, nothing was scored: {type(exc).__name__}: {str(exc)[:200]}",
                )
            finally:
                service.metrics.request(route, status, time.perf_counter() - start)

        return run

    async def in_thread(fn: Callable[..., Any], *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(service.threads, fn, *args)

    async def get_reward(request: Request, body: Any) -> Any:
        return await in_thread(service.get_reward, body, request.query_params.get("set"))

    async def compute_score(request: Request, body: Any) -> Any:
        return await in_thread(service.compute_score, body, request.query_params.get("set"))

    async def run_code(request: Request, body: Any) -> Any:
        if service.runner is None:
            service.runner = RunCodeBatcher(service.sandbox, service.threads,
                                            coalesce_s=config.coalesce_s)
        return await service.runner.handle(body)

    async def health(request: Request, body: Any) -> Any:
        return service.health()

    async def metrics(request: Request, body: Any) -> Any:
        restarts = pool.restarts()
        return PlainTextResponse(service.metrics.render(state["inflight"], restarts),
                                 media_type="text/plain; version=0.0.4")

    routes = [
        Route("/get_reward", endpoint("/get_reward", get_reward), methods=["POST"]),
        Route("/compute_score", endpoint("/compute_score", compute_score), methods=["POST"]),
        Route("/run_code", endpoint("/run_code", run_code), methods=["POST"]),
        Route("/health", endpoint("/health", health, admit=False), methods=["GET"]),
        Route("/metrics", endpoint("/metrics", metrics, admit=False), methods=["GET"]),
    ]

    async def not_found(request: Request, exc: Exception) -> Response:
        status = getattr(exc, "status_code", 404)
        return _error(status, "path", f"{request.method} {request.url.path} is not served here"
                      " (POST /get_reward, /compute_score, /run_code; GET /health, /metrics)")

    return Starlette(routes=routes, exception_handlers={404: not_found, 405: not_found})


class BackgroundServer:
    """A real uvicorn server on 127.0.0.1 in a thread of this process (tests, benchmarks,
    notebooks): `with BackgroundServer(service) as srv: requests.post(srv.url + "/get_reward")`."""

    def __init__(self, service: RewardService, host: str = "127.0.0.1", port: int = 0):
        import socket

        import uvicorn

        self.service = service
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((host, port))
        self.url = f"http://{host}:{self.sock.getsockname()[1]}"
        config = uvicorn.Config(build_app(service), log_level="warning", lifespan="off")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]},
                                       daemon=True)

    def __enter__(self) -> BackgroundServer:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the reward server did not start")
            time.sleep(0.01)
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.sock.close()


def serve(config: ServeConfig, host: str = "127.0.0.1", port: int = 5000) -> None:
    """Run the server in this process until interrupted (`verity serve`)."""
    import uvicorn

    service = RewardService(config)
    try:
        uvicorn.run(build_app(service), host=host, port=port, log_level="warning",
                    timeout_graceful_shutdown=5)
    finally:
        service.close()
