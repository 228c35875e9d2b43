"""A Ray worker pool for rewards (extra `ray`): async actors, each holding its own RewardSets
(and so its own sandbox and deadline pool), placed only on nodes that offer the custom resource
`verity_sandbox` (the CPU nodes prepared for sandboxing). It schedules rows onto actors in
batches and owns retry-and-mask on actor death; it judges nothing and starts no Ray cluster.

Failure contract: a batch whose actor dies (or cannot be reached) is retried once on another
actor; if that fails too its rows are masked (reason "verifier_error"), never scored 0.
Trainers find a running pool by name (`RayRewardPool.connect("verity")`), so a reward function
shipped to a Ray worker carries only the name, not the actors.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Mapping, Sequence
from typing import Any, Protocol, cast

import ray
from ray.exceptions import RayError

from verifiers.base import Problem
from verifiers.integrations.adapters import parse_rewards
from verifiers.rewards import RewardSet, Scored

RESOURCE = "verity_sandbox"
NAMESPACE = "verity"


@ray.remote(num_cpus=0, max_restarts=2, max_task_retries=0)
class RewardActor:
    """One process scoring rows for every named reward set it was built with."""

    def __init__(self, reward_sets: Mapping[str, str], gate: str | None, workers: int,
                 deadline_s: float):
        self.specs, self.gate = dict(reward_sets), gate
        self.sets = {name: parse_rewards(spec, gate=gate, workers=workers, deadline_s=deadline_s)
                     for name, spec in reward_sets.items()}

    def describe(self) -> tuple[dict[str, str], str | None]:
        return self.specs, self.gate

    async def score(self, set_name: str, completions: list[str],
                    problems: list[Problem]) -> list[Scored]:
        rs = self.sets[set_name]
        return await asyncio.to_thread(_score_here, rs, completions, problems)

    def pid(self) -> int:
        import os

        return os.getpid()


class _RemoteClass(Protocol):
    """What `@ray.remote` makes of a class at runtime (an ActorClass); Ray's annotations type the
    decorated class as the plain class, which has no `.options`."""

    def options(self, **options: Any) -> Any: ...


def _score_here(rs: RewardSet, completions: list[str], problems: list[Problem]) -> list[Scored]:
    try:
        return rs.score_batch(completions, problems)
    # a sandbox-holding set cannot reach the deadline pool: the sandbox bounds it
    except ValueError:
        return [rs.score(completion=c, problem=p) for c, p in zip(completions, problems)]


class RayRewardPool:
    """`actors` RewardActors named "<name>/<i>" in Ray namespace "verity". Create once per
    cluster (`RayRewardPool(...)`), find it anywhere with `RayRewardPool.connect(name)`."""

    def __init__(self, reward_sets: Mapping[str, str] | str = "correct", *, actors: int = 2,
                 name: str = "verity", gate: str | None = None, workers_per_actor: int = 1,
                 deadline_s: float = 30.0, batch_size: int = 64, resource: str | None = RESOURCE,
                 actor_cpus: float = 1.0) -> None:
        if isinstance(reward_sets, str):
            reward_sets = {"default": reward_sets}
        if not reward_sets:
            raise ValueError(
                "reward_sets={} is not allowed; name at least one, e.g. {'math': 'correct'}"
            )
        if not isinstance(actors, int) or actors < 1:
            raise ValueError(f"actors={actors!r} is not allowed; use an integer >= 1")
        if not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError(f"batch_size={batch_size!r} is not allowed; use an integer >= 1")
        for spec in reward_sets.values():  # a bad spec fails here, not inside every actor
            parse_rewards(spec, gate=gate)
        options: dict[str, Any] = {"namespace": NAMESPACE, "lifetime": "detached",
                                   "num_cpus": actor_cpus}
        if resource:
            options["resources"] = {resource: 1}
        actor_class = cast(_RemoteClass, RewardActor)  # see _RemoteClass
        handles = [actor_class.options(name=f"{name}/{i}", **options).remote(
            dict(reward_sets), gate, workers_per_actor, deadline_s) for i in range(actors)]
        self._attach(name, handles, reward_sets, gate, batch_size)

    @classmethod
    def connect(cls, name: str = "verity") -> RayRewardPool:
        """The running pool called `name`: its actors, found through Ray's named actors."""
        found = sorted(a["name"] for a in ray.util.list_named_actors(all_namespaces=True)
                       if a.get("namespace") == NAMESPACE and a["name"].startswith(f"{name}/"))
        if not found:
            raise LookupError(
                f"no Verity reward pool named {name!r} on this Ray cluster; create one with "
                f"RayRewardPool(..., name={name!r})"
            )
        actors = [ray.get_actor(n, namespace=NAMESPACE) for n in found]
        specs, gate = ray.get(actors[0].describe.remote())
        pool = cls.__new__(cls)
        pool._attach(name, actors, specs, gate, batch_size=64)
        return pool

    def _attach(self, name: str, actors: list[Any], specs: Mapping[str, str], gate: str | None,
                batch_size: int) -> None:
        self.name, self.actors, self.batch_size = name, actors, batch_size
        self.retried = 0
        self.set_names = tuple(specs)
        # Local copies only to name the rewards of a masked row; nothing is scored with them.
        self._sets = {n: parse_rewards(spec, gate=gate) for n, spec in specs.items()}
        self._next = itertools.count()

    def masker(self, set_name: str) -> RewardSet:
        if set_name not in self._sets:
            raise ValueError(
                f"reward set {set_name!r} is not in pool {self.name!r};"
                f" use one of {list(self._sets)}"
            )
        return self._sets[set_name]

    async def score_batch(self, completions: Sequence[str], problems: Sequence[Problem],
                          set_name: str | None = None) -> list[Scored]:
        """Scores in input order; batches go to actors round-robin, concurrently."""
        if len(completions) != len(problems):
            raise ValueError("completions and problems must have the same length")
        set_name = set_name or self.set_names[0]
        masker = self.masker(set_name)
        chunks = [
            (i, list(completions[i : i + self.batch_size]), list(problems[i : i + self.batch_size]))
            for i in range(0, len(completions), self.batch_size)
        ]
        parts = await asyncio.gather(*(self._chunk(set_name, masker, c, p) for _, c, p in chunks))
        return [s for part in parts for s in part]

    async def _chunk(self, set_name: str, masker: RewardSet, completions: list[str],
                     problems: list[Problem]) -> list[Scored]:
        first = next(self._next) % len(self.actors)
        tried: list[str] = []
        for attempt in range(2):  # once, then once elsewhere
            actor = self.actors[(first + attempt) % len(self.actors)]
            try:
                result: list[Scored] = await actor.score.remote(set_name, completions, problems)
                if len(result) == len(completions):
                    return result
                tried.append(f"{len(result)} results for {len(completions)} rows")
            except RayError as exc:
                tried.append(type(exc).__name__)
            if attempt == 0:
                self.retried += 1
        detail = f"reward actors failed ({', '.join(tried)}): not scored"
        return [masker.failed("verifier_error", detail) for _ in completions]

    def score_batch_sync(self, completions: Sequence[str], problems: Sequence[Problem],
                         set_name: str | None = None) -> list[Scored]:
        """For callers without an event loop (TRL's synchronous reward path)."""
        return asyncio.run(self.score_batch(completions, problems, set_name))

    def shutdown(self) -> None:
        """Kill this pool's actors (they are detached: they outlive the creating driver)."""
        for actor in self.actors:
            ray.kill(actor, no_restart=True)


_CONNECTED: dict[str, RayRewardPool] = {}


def connected(name: str) -> RayRewardPool:
    """The pool called `name`, looked up once per process."""
    if name not in _CONNECTED:
        _CONNECTED[name] = RayRewardPool.connect(name)
    return _CONNECTED[name]


async def compute_score(data_source: Any, solution_str: str, ground_truth: Any,
                        extra_info: Mapping[str, Any] | None = None, *, pool: str = "verity",
                        reward_set: str | None = None, **_: Any) -> dict[str, float]:
    """verl's async reward function over a running pool: `custom_reward_function.path=
    pkg://verifiers.integrations.ray_pool`, `name=compute_score`, `reward_kwargs.pool=verity`."""
    from verifiers.integrations.adapters import verl_problem, verl_result

    handle = connected(pool)
    set_name = reward_set or handle.set_names[0]
    try:
        problem = verl_problem(data_source, ground_truth, extra_info)
    except ValueError as exc:
        return verl_result(handle.masker(set_name).failed("verifier_error", str(exc)))
    text = solution_str if isinstance(solution_str, str) else str(solution_str)
    scored = await handle.score_batch([text], [problem], set_name)
    return verl_result(scored[0])
