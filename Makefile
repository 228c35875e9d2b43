# Two entry points (see README): `make run` runs the main job, `make test` the test suite.
# Both create .venv on first use; `PYTHON=python3.11 make test` picks the interpreter.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run grade-example test test-slow lint bench clean docker-test

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev,rl,docker,bench,serve]'
	touch $(STAMP)

# Main job: GRPO on the embedded tiny model, math task (2-4 minutes on 2 cores).
run: $(STAMP)
	$(PY) rl/train.py +task=math

# Grade the shipped example completions with the math verifier (seconds).
grade-example: $(STAMP)
	$(PY) -m verifiers grade --task math -i examples/math_samples.jsonl -o graded.jsonl

test: $(STAMP)
	$(PY) -m pytest -q

test-slow: $(STAMP)
	$(PY) -m pytest -q -m slow

# ruff on the whole tree; mypy --strict on verifiers/ and sandboxes/ (settings: pyproject.toml)
lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m mypy

bench: $(STAMP)
	$(PY) bench/math_verifier.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis

# Docker backend tests against a real, private engine (root; installs docker.io when missing).
docker-test: $(STAMP)
	command -v dockerd >/dev/null || (apt-get update -qq && apt-get install -y -qq docker.io)
	sh bench/docker_engine.sh -m docker tests/test_sandbox.py tests/test_docker.py
