"""pytest plugin (entry point `pytest11`): `pytest --verity-suite=math --verity-reward=pkg.mod:fn`
runs our labelled suites against any reward and reports false positives and false negatives
per group; it grades nothing itself and only reads the tables in `verifiers.testing.suites`.

A reward is called through its own signature, detected from what the import path names:
- a Verifier (instance, or a class built with the row's config keys it accepts, e.g. `mode` or
  `variant`): `reward(completion=..., problem=Problem(...)).score`;
- a verl function (has a `solution_str` parameter): `fn(data_source=, solution_str=,
  ground_truth=, extra_info=)`, a float or a dict with "score";
- anything else is a TRL reward function: `fn(prompts=[...], completions=[[{"role":
  "assistant", "content": ...}]], completion_ids=None, solution=[gold], answer=[gold])`
  (conversational, as open-r1's and TRL's rewards expect); None = the reward skipped the row.
A row counts as graded correct when the score is >= `--verity-threshold` (default 0.5).
The hacking suite holds math rows and code rows (function tests + a program):
`--verity-reward=verifiers.code.verifier:CodeTestsVerifier` audits the code rows (`--verity-task`).
"""

from __future__ import annotations

import importlib
import inspect
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from verifiers.base import Problem

if TYPE_CHECKING:
    from _pytest._code.code import TerminalRepr, TracebackStyle

SUITES = ("math", "format", "hacking")
_KEY = pytest.StashKey[dict[str, Any]]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("verity", "Verity verifier suites")
    group.addoption("--verity-suite", action="append", choices=SUITES, default=[],
                    help="run a labelled suite against --verity-reward (repeatable)")
    group.addoption("--verity-reward", default=None,
                    help="the reward under audit, as package.module:attribute")
    group.addoption("--verity-threshold", type=float, default=0.5,
                    help="scores >= this count as 'graded correct' (default 0.5)")
    group.addoption("--verity-format-variant", default=None,
                    help="format suite rows of this variant only "
                         "(default: what the reward can take)")
    group.addoption("--verity-prefilled-think", action="store_true", default=False,
                    help="format suite: audit the rows whose prompt pre-fills <think>")
    group.addoption("--verity-task", choices=("auto", "math", "code"), default="auto",
                    help="hacking suite: audit the math rows or the code rows (default: code for a "
                         "verifier whose REASONS include no_code, math otherwise)")
    group.addoption("--verity-show", type=int, default=10,
                    help="false positives/negatives listed per suite in the summary (default 10)")


@dataclass(frozen=True)
class Row:
    """One suite row, whatever the suite: what is graded and what a correct reward says."""

    suite: str
    id: str
    group: str
    completion: str
    expected: bool
    gold: str | None = None
    question: str = ""
    config: tuple[tuple[str, Any], ...] = ()
    task: str = "math"
    tests: tuple[str, ...] = ()  # code rows: the function tests and the Problem meta they need
    meta: tuple[tuple[str, Any], ...] = ()


def suite_rows(name: str) -> list[Row]:
    if name == "math":
        from verifiers.testing.suites.math import CASES as MATH

        return [Row("math", c.id, c.group, c.completion, c.expected >= 1.0, c.gold, c.question,
                    (("mode", c.mode),)) for c in MATH]
    if name == "format":
        from verifiers.testing.suites.format import CASES as FORMAT

        return [Row("format", c.id, c.group, c.completion, c.expected, None, "",
                    (("variant", c.variant), ("prefilled_think", c.prefilled_think)))
                for c in FORMAT]
    from verifiers.testing.suites.hacking import CASES as HACKING
    from verifiers.testing.suites.hacking import CODE_CASES

    return [Row("hacking", c.id, c.group, c.completion, c.expected >= 1.0, c.gold, c.question,
                (("mode", c.mode),)) for c in HACKING] + [
        Row("hacking", c.id, f"code/{c.group}", c.completion, c.expected >= 1.0, task="code",
            tests=c.tests, meta=tuple(c.meta.items())) for c in CODE_CASES]


def load_reward(path: str) -> Any:
    module, _, attr = path.partition(":")
    if not module or not attr:
        raise pytest.UsageError(f"--verity-reward={path!r}: use package.module:attribute")
    try:
        obj = importlib.import_module(module)
        for part in attr.split("."):
            obj = getattr(obj, part)
    except (ImportError, AttributeError) as exc:
        raise pytest.UsageError(f"--verity-reward={path!r}: {exc}") from None
    return obj


def _accepted_keys(reward: Any) -> set[str]:
    if not inspect.isclass(reward):
        return set()
    return set(inspect.signature(reward).parameters)


# one instance per reward class and row config (a code verifier owns a sandbox)
_INSTANCES: dict[tuple[Any, tuple[tuple[str, Any], ...]], Any] = {}


def call_reward(reward: Any, row: Row) -> float | None:
    """The reward's score for one row, through the reward's own calling convention."""
    problem = Problem(id=row.id, question=row.question, answer=row.gold,
                      tests=list(row.tests) if row.tests else None, meta=dict(row.meta))
    if inspect.isclass(reward):
        keys = _accepted_keys(reward)
        config = tuple((k, v) for k, v in row.config if k in keys)
        if (reward, config) not in _INSTANCES:
            _INSTANCES[(reward, config)] = reward(**dict(config))
        reward = _INSTANCES[(reward, config)]
    if hasattr(reward, "REASONS"):
        score: float = reward(completion=row.completion, problem=problem).score
        return score
    params: Mapping[str, inspect.Parameter]
    try:
        params = inspect.signature(reward).parameters
    except (TypeError, ValueError):
        params = {}
    if "solution_str" in params:
        out = reward(
            data_source="verity", solution_str=row.completion, ground_truth=row.gold,
            extra_info={"question": row.question, "tests": list(row.tests), **dict(row.meta)},
        )
        return float(out["score"] if isinstance(out, dict) else out)
    out = reward(
        prompts=[[{"role": "user", "content": row.question}]],
        completions=[[{"role": "assistant", "content": row.completion}]], completion_ids=None,
        solution=[row.gold], answer=[row.gold],
        **({"tests": [list(row.tests)], "meta": [dict(row.meta)]} if row.task == "code" else {}),
    )
    return None if out[0] is None else float(out[0])


def task_of(reward: Any, option: str) -> str:
    """Which rows of the hacking suite a reward is audited on: a verifier that can say `no_code`
    grades code; anything else math, unless --verity-task says otherwise."""
    if option != "auto":
        return option
    return "code" if "no_code" in getattr(reward, "REASONS", ()) else "math"


def _wanted(
    row: Row, reward: Any, variant: str | None, prefilled: bool, task: str = "math"
) -> bool:
    """Rows whose configuration the reward can be run under: all of them for a class that takes
    the row's config keys; for a fixed function, one format variant and prefill setting."""
    config = dict(row.config)
    if row.suite == "hacking":
        return row.task == task
    if row.suite != "format":
        return True
    if variant is not None and config["variant"] != variant:
        return False
    if {"variant", "prefilled_think"} <= _accepted_keys(reward):
        return True
    return bool(
        config["variant"] == (variant or "r1_zero") and config["prefilled_think"] == prefilled
    )


class SuiteCollector(pytest.Collector):
    def collect(self) -> list[pytest.Item | pytest.Collector]:
        return []  # items are made in pytest_collection_modifyitems


class SuiteItem(pytest.Item):
    def __init__(self, *, row: Row, reward: Any, threshold: float, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.row = row
        self.reward = reward
        self.threshold = threshold

    def runtest(self) -> None:
        row = self.row
        score = call_reward(self.reward, row)
        tally = self.config.stash[_KEY]
        if score is None:
            tally["skipped"].append(row)
            pytest.skip("the reward returned None (skipped this row)")
        graded = score >= self.threshold
        if graded == row.expected:
            tally["ok"].append(row)
            return
        kind = "false positive" if graded else "false negative"
        tally["fp" if graded else "fn"].append((row, score))
        raise SuiteMismatch(f"{kind}: score {score:g}, "
                            f"expected {'correct' if row.expected else 'wrong'}"
                            f"\n  gold: {row.gold!r}\n  completion: {row.completion[:300]!r}")

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException],
                     style: TracebackStyle | None = None) -> str | TerminalRepr:
        if isinstance(excinfo.value, SuiteMismatch):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self) -> tuple[Path, None, str]:
        return self.path, None, f"{self.row.suite}::{self.row.id}"


class SuiteMismatch(AssertionError):
    pass


def pytest_configure(config: pytest.Config) -> None:
    config.stash[_KEY] = {"ok": [], "fp": [], "fn": [], "skipped": []}


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    # With a suite requested, the run audits a reward: the project's own tests are not collected.
    if config.getoption("verity_suite"):
        return True
    return None


def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config,
                                  items: list[pytest.Item]) -> None:
    suites = config.getoption("verity_suite")
    if not suites:
        return
    path = config.getoption("verity_reward")
    if not path:
        raise pytest.UsageError("--verity-suite needs --verity-reward=package.module:attribute")
    reward = load_reward(path)
    threshold = config.getoption("verity_threshold")
    variant = config.getoption("verity_format_variant")
    prefilled = config.getoption("verity_prefilled_think")
    task = task_of(reward, config.getoption("verity_task"))
    items.clear()
    for suite in dict.fromkeys(suites):
        collector = SuiteCollector.from_parent(session, name=f"verity-{suite}",
                                               nodeid=f"verity-{suite}")
        for row in suite_rows(suite):
            if _wanted(row, reward, variant, prefilled, task):
                items.append(SuiteItem.from_parent(collector, name=f"{row.group}::{row.id}",
                                                   row=row, reward=reward, threshold=threshold))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, exitstatus: int,
                            config: pytest.Config) -> None:
    if not config.getoption("verity_suite"):
        return
    tally = config.stash[_KEY]
    tr = terminalreporter
    tr.section(f"verity audit of {config.getoption('verity_reward')}")
    groups: dict[tuple[str, str], Counter[str]] = {}
    for key in ("ok", "skipped"):
        for row in tally[key]:
            groups.setdefault((row.suite, row.group), Counter())[key] += 1
    for key in ("fp", "fn"):
        for row, _ in tally[key]:
            groups.setdefault((row.suite, row.group), Counter())[key] += 1
    tr.write_line(f"{'suite':8s} {'group':24s} {'rows':>5s} {'FP':>4s} {'FN':>4s} {'skip':>5s}")
    for (suite, group), c in sorted(groups.items()):
        rows = sum(c.values())
        tr.write_line(f"{suite:8s} {group:24s} {rows:5d} {c['fp']:4d} {c['fn']:4d} "
                      f"{c['skipped']:5d}")
    total = Counter({k: len(v) for k, v in tally.items()})
    tr.write_line(f"{'total':8s} {'':24s} {sum(total.values()):5d} {total['fp']:4d} "
                  f"{total['fn']:4d} {total['skipped']:5d}")
    show = config.getoption("verity_show")
    for key, title in (("fp", "false positives (graded correct, are wrong)"),
                       ("fn", "false negatives (graded wrong, are correct)")):
        if tally[key] and show > 0:
            tr.write_line(f"{title}:")
            for row, score in tally[key][:show]:
                tr.write_line(f"  {row.suite}/{row.id}: score {score:g}, gold {row.gold!r}, "
                              f"completion {row.completion[:80]!r}")
