"""The flat layout's module paths still import for one release (verifiers.legacy_paths): an old
path is the new module itself, warns once with the new path, and pickles name the new path; the
entry points (`verity`, `python -m verifiers`, the pytest11 plugin) resolve through the rooms."""

from __future__ import annotations

import importlib
import importlib.metadata
import json
import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# old path, new path, one public name that must be the same object by either path
MOVED = [
    pytest.param("verifiers.adapters", "verifiers.integrations.adapters", "compute_score",
                 id="adapters"),
    pytest.param("verifiers.math_answer", "verifiers.math.verifier", "MathAnswerVerifier",
                 id="math_answer"),
    pytest.param("verifiers.latex_norm", "verifiers.math.latex_norm", "normalize", id="latex_norm"),
    pytest.param("verifiers.code_tests", "verifiers.code.verifier", "CodeTestsVerifier",
                 id="code_tests"),
    pytest.param("verifiers.code_cases", "verifiers.code.cases", "parse_tests", id="code_cases"),
    pytest.param("verifiers.output_checkers", "verifiers.code.checkers", "output_matches",
                 id="output_checkers"),
    pytest.param("verifiers.plain_data", "verifiers.code.plain_data", "decode", id="plain_data"),
    pytest.param("verifiers.format", "verifiers.text.format", "FormatVerifier", id="format"),
    pytest.param("verifiers.language", "verifiers.text.language", "LanguageVerifier",
                 id="language"),
    pytest.param("verifiers.shaping", "verifiers.text.shaping", "RepetitionPenalty", id="shaping"),
    pytest.param("verifiers.sources", "verifiers.benchmarks", "load", id="sources"),
    pytest.param("verifiers.pytest_plugin", "verifiers.testing.plugin", "pytest_addoption",
                 id="pytest_plugin"),
    pytest.param("verifiers.suites", "verifiers.testing.suites", "__doc__", id="suites"),
    pytest.param("verifiers.suites.math", "verifiers.testing.suites.math", "CASES",
                 id="suites.math"),
    pytest.param("verifiers.integrations.serve_command", "verifiers.cli.serve", "add_parser",
                 id="serve_command"),
]

# One fresh interpreter imports every old path (a warning fires only on an old path's first import).
PROBE = """
import importlib, json, sys, warnings
out = {}
for old, new, name in json.loads(sys.argv[1]):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        by_old = importlib.import_module(old)
    by_new = importlib.import_module(new)
    out[old] = {
        "same_module": by_old is by_new,
        "same_object": getattr(by_old, name) is getattr(by_new, name),
        "in_sys_modules": sys.modules.get(old) is by_new,
        "spec_name": by_new.__spec__.name,
        "warnings": [[w.category.__name__, str(w.message), w.filename] for w in caught],
    }
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def probed() -> dict:
    table = [p.values for p in MOVED]
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(table)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize(("old", "new", "name"), MOVED)
def test_an_old_path_is_the_new_module_and_warns_naming_it(probed, old, new, name):
    seen = probed[old]
    assert seen["same_module"] and seen["same_object"] and seen["in_sys_modules"]
    assert (
        seen["spec_name"] == new
    )  # the module keeps its own spec: reloads and reprs name the new path
    ours = [w for w in seen["warnings"] if old in w[1]]
    assert len(ours) == 1, seen["warnings"]
    category, message, filename = ours[0]
    assert category == "DeprecationWarning" and f"moved to {new}" in message
    assert (
        "importlib" not in filename
    )  # attributed to the importer's line, not the import machinery


def test_new_paths_import_without_any_warning():
    probe = (
        "import warnings; warnings.simplefilter('error')\n"
        "import verifiers, verifiers.code.verifier, verifiers.text.format, verifiers.benchmarks, "
        "verifiers.integrations.adapters, verifiers.testing.plugin, verifiers.cli, "
        "verifiers.cli.serve"
    )
    proc = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr[-2000:]


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_a_class_reached_by_its_old_path_pickles_by_its_new_path():
    from verifiers.text.format import FormatVerifier

    Old = importlib.import_module("verifiers.format").FormatVerifier

    assert Old is FormatVerifier
    data = pickle.dumps(Old(), protocol=0)
    assert b"verifiers.text.format" in data and b"cverifiers.format\n" not in data
    assert type(pickle.loads(data)) is FormatVerifier


def test_python_dash_m_verifiers_grade(tmp_path):
    rows = tmp_path / "rows.jsonl"
    rows.write_text(json.dumps({"id": "a", "completion": "so \\boxed{6}", "answer": "6"}) + "\n"
                    + json.dumps({"id": "b", "completion": "so \\boxed{7}", "answer": "6"}) + "\n")
    out = tmp_path / "out.jsonl"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "verifiers",
            "grade",
            "--task",
            "math",
            "-i",
            str(rows),
            "-o",
            str(out),
            "--json",
            "--no-progress",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert json.loads(proc.stdout)["accuracy"] == 0.5
    assert [json.loads(line)["reward"] for line in out.read_text().splitlines()] == [1.0, 0.0]


def _declared(group: str, name: str) -> importlib.metadata.EntryPoint:
    tomllib = pytest.importorskip(
        "tomllib", reason="pyproject.toml is read with tomllib (Python 3.11+)"
    )
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    value = (
        project["scripts"][name]
        if group == "console_scripts"
        else project["entry-points"][group][name]
    )
    return importlib.metadata.EntryPoint(name=name, value=value, group=group)


@pytest.mark.parametrize("command", ["grade", "serve"])
def test_the_verity_console_script_dispatches(command, capsys):
    from verifiers.cli import main

    entry = _declared("console_scripts", "verity").load()
    assert entry is main
    with pytest.raises(SystemExit) as exit_:
        entry([command, "--help"])
    assert exit_.value.code == 0
    assert f"verity {command}" in capsys.readouterr().out


@pytest.mark.parametrize("module", [
    pytest.param("verifiers.testing.plugin", id="new-path"),
    pytest.param("verifiers.pytest_plugin", id="old-path"),
])
def test_the_pytest_plugin_loads_by_entry_point_and_by_name(module):
    import verifiers.testing.plugin as plugin

    assert _declared("pytest11", "verity").load() is plugin
    env = {**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1",
           "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", module, "-p", "no:cacheprovider", "--help"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "--verity-suite" in proc.stdout
