"""The code rows of the hacking suite through the pytest plugin: a code verifier is audited on
them (and only on them), a math reward never sees them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from verifiers.code.verifier import CodeTestsVerifier
from verifiers.math.verifier import MathAnswerVerifier
from verifiers.testing.plugin import _wanted, suite_rows, task_of
from verifiers.testing.suites.hacking import CASES, CODE_CASES

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("reward", "option", "task", "count"),
    [
        pytest.param(CodeTestsVerifier, "auto", "code", len(CODE_CASES), id="code-verifier"),
        pytest.param(MathAnswerVerifier, "auto", "math", len(CASES), id="math-verifier"),
        pytest.param(lambda completions, **kw: [0.0], "code", "code", len(CODE_CASES),
                     id="function-asked-for-code"),
    ],
)
def test_hacking_rows_follow_the_rewards_task(reward, option, task, count):
    assert task_of(reward, option) == task
    assert sum(_wanted(r, reward, None, False, task) for r in suite_rows("hacking")) == count


@pytest.mark.slow
@pytest.mark.skipif(
    not os.path.exists("/proc/self/ns/user"), reason="LocalSandbox needs Linux namespaces"
)
def test_code_verifier_passes_the_code_rows_of_the_hacking_suite():
    env = dict(
        os.environ,
        PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
        PYTEST_DISABLE_PLUGIN_AUTOLOAD="1",
    )
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "verifiers.testing.plugin",
            "-q",
            "-p",
            "no:cacheprovider",
            "--verity-suite=hacking",
            "--verity-reward=verifiers.code.verifier:CodeTestsVerifier",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stdout[-3000:]
    assert f"{len(CODE_CASES)} passed" in run.stdout
