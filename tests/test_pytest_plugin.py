"""The pytest plugin: suites run against rewards given by import path, through each reward's own
signature, in a real pytest subprocess; FP/FN are reported per group."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from verifiers.testing.plugin import Row, call_reward, load_reward, suite_rows
from verifiers.testing.suites.hacking import CASES as HACKING
from verifiers.text.format import FormatVerifier

ROOT = Path(__file__).resolve().parent.parent


def _audit(*args: str, extra_path: Path | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    paths = [str(ROOT)] + ([str(extra_path)] if extra_path else [])
    env["PYTHONPATH"] = os.pathsep.join(paths + [env.get("PYTHONPATH", "")])
    # Only our plugin, loaded by name: faster, and no double registration where the package's
    # pytest11 entry point is installed too.
    env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "verifiers.testing.plugin", "-q",
         "-p", "no:cacheprovider", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )


@pytest.fixture
def peer_module(tmp_path):
    """Third-party-style rewards, each with its trainer's real signature."""
    (tmp_path / "peer_rewards.py").write_text(textwrap.dedent('''
        def always_one(completions, solution, **kwargs):          # TRL / open-r1 signature
            return [1.0 for _ in completions]

        def skips_everything(completions, **kwargs):
            return [None for _ in completions]

        def substring(completions, solution, **kwargs):
            return [float(sol in c[0]["content"]) for c, sol in zip(completions, solution)]

        def verl_exact(data_source, solution_str, ground_truth, extra_info=None):
            return {"score": float(
                solution_str.strip().endswith(f"<answer>{ground_truth}</answer>"))}
    '''))
    return tmp_path


def test_our_format_verifier_passes_the_format_suite():
    run = _audit("--verity-suite=format", "--verity-reward=verifiers.text.format:FormatVerifier")
    assert run.returncode == 0, run.stdout[-2000:]
    assert f"{len(suite_rows('format'))} passed" in run.stdout


@pytest.mark.parametrize(
    "reward",
    [
        pytest.param("verifiers.math.verifier:MathAnswerVerifier", id="verifier"),
        pytest.param("verifiers.integrations.adapters:TRLReward",
                     id="our-trl-adapter-via-trl-signature"),
        pytest.param("verifiers.integrations.adapters:compute_score",
                     id="our-verl-adapter-via-verl-signature"),
    ],
)
def test_our_math_reward_passes_the_hacking_suite_through_every_signature(reward):
    run = _audit("--verity-suite=hacking", f"--verity-reward={reward}")
    assert run.returncode == 0, run.stdout[-2000:]
    assert f"{len(HACKING)} passed" in run.stdout


@pytest.mark.slow
def test_our_math_verifier_passes_the_math_suite():
    run = _audit("--verity-suite=math",
                 "--verity-reward=verifiers.math.verifier:MathAnswerVerifier")
    assert run.returncode == 0, run.stdout[-3000:]


def test_a_reward_that_says_yes_to_everything_shows_every_negative_as_fp(peer_module):
    run = _audit("--verity-suite=hacking", "--verity-reward=peer_rewards:always_one",
                 extra_path=peer_module)
    negatives = sum(1 for c in HACKING if c.expected == 0.0)
    assert run.returncode == 1
    assert f"{negatives} failed, {len(HACKING) - negatives} passed" in run.stdout
    total = next(line for line in run.stdout.splitlines() if line.startswith("total"))
    assert total.split()[1:4] == [str(len(HACKING)), str(negatives), "0"]
    assert "false positives (graded correct, are wrong):" in run.stdout
    assert "hacking/two-boxes" in run.stdout


def test_none_means_skipped_and_verl_signature_is_detected(peer_module):
    skipped = _audit("--verity-suite=hacking", "--verity-reward=peer_rewards:skips_everything",
                     extra_path=peer_module)
    assert f"{len(HACKING)} skipped" in skipped.stdout
    verl = _audit("--verity-suite=hacking", "--verity-reward=peer_rewards:verl_exact",
                  extra_path=peer_module)
    assert "hacking/retracted-then-right" in verl.stdout  # a false negative of exact matching
    assert "hacking/plain" not in verl.stdout


def test_trl_accuracy_reward_is_audited_through_its_real_signature():
    pytest.importorskip("trl", reason="TRL is in the bench extra")
    pytest.importorskip("math_verify")
    run = _audit("--verity-suite=hacking", "--verity-reward=trl.rewards:accuracy_reward")
    assert run.returncode == 1
    fp = run.stdout.split("false positives")[1].split("false negatives")[0]
    assert "hacking/answer-only-in-think" in fp  # it grades a box inside <think>


def test_a_suite_without_a_reward_is_a_usage_error():
    run = _audit("--verity-suite=format")
    assert run.returncode == 4 and "needs --verity-reward" in run.stderr + run.stdout


@pytest.mark.parametrize(
    "path, message",
    [
        pytest.param("nowhere", "package.module:attribute", id="no-colon"),
        pytest.param("verifiers.text.format:Nope", "Nope", id="missing-attr"),
        pytest.param("no_such_module_xyz:f", "no_such_module_xyz", id="missing-module"),
    ],
)
def test_bad_reward_paths_name_the_fix(path, message):
    with pytest.raises(pytest.UsageError, match=message):
        load_reward(path)


def test_without_a_suite_the_plugin_is_inert():
    run = _audit("tests/test_format.py", "-k", "paper_space")
    assert run.returncode == 0 and "1 passed" in run.stdout


@pytest.mark.parametrize(
    "reward, expected",
    [
        pytest.param(FormatVerifier, 1.0, id="class-built-with-row-config"),
        pytest.param(FormatVerifier(variant="think_only"), 0.0, id="instance-used-as-is"),
        pytest.param(lambda completions, **kw: [0.25], 0.25, id="trl-function"),
        pytest.param(lambda data_source, solution_str, ground_truth, extra_info=None: 0.75, 0.75,
                     id="verl-float"),
    ],
)
def test_call_reward_detects_the_calling_convention(reward, expected):
    row = Row("format", "r", "g", "<think>x</think><answer>5</answer>", True, "5",
              config=(("variant", "r1_zero"), ("prefilled_think", False)))
    assert call_reward(reward, row) == expected
