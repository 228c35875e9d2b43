#!/usr/bin/env bash
# Runs the tests that need a trainer's own code (OpenRLHF 0.11.2, verl 0.9.1) in separate
# virtualenvs, so that neither trainer's pins touch the project's environment. Each venv holds only
# the trainer (installed --no-deps) and the few packages its reward path imports; everything else
# (torch==2.13.0, transformers, ray, hydra, starlette, uvicorn, pytest) is read from the project's
# venv through a .pth.
#   PYTHON=.venv/bin/python bash bench/trainer_venvs.sh [venv-folder]
#   (venv-folder defaults to $TMPDIR/verity-trainers)
set -euo pipefail
PYTHON=${PYTHON:-python}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BASE=${1:-${TMPDIR:-/tmp}/verity-trainers}
SITE=$("$PYTHON" -c "import site; print(site.getsitepackages()[0])")

# make_venv name, then the packages to install --no-deps, then -- and those to install with deps
make_venv() {
  local dir="$BASE/$1"; shift
  if [ ! -x "$dir/bin/python" ]; then
    "$PYTHON" -m venv --without-pip "$dir"
    local version
    version=$("$PYTHON" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
    echo "$SITE" > "$dir/lib/python$version/site-packages/project_venv.pth"
    local nodeps=() deps=() seen=0
    for p in "$@"; do
      if [ "$p" = -- ]; then
        seen=1
      elif [ $seen = 0 ]; then
        nodeps+=("$p")
      else
        deps+=("$p")
      fi
    done
    "$PYTHON" -m pip --python "$dir/bin/python" install -q --no-deps "${nodeps[@]}"
    [ ${#deps[@]} -eq 0 ] || "$PYTHON" -m pip --python "$dir/bin/python" install -q "${deps[@]}"
  fi
}

# OpenRLHF's reward call: openrlhf.utils.agent (aiohttp; its package __init__ imports sympy,
# pylatexenc).
make_venv openrlhf openrlhf==0.11.2 pylatexenc -- aiohttp
# verl's reward loop: the reward managers, DataProto (tensordict <= 0.10), Hydra config, loaders.
make_venv verl verl==0.9.1 "tensordict==0.10.0" pyvers cloudpickle codetiming pylatexenc orjson \
  -- aiohttp

cd "$ROOT"
export PYTHONPATH="$ROOT${PYTHONPATH:+:$PYTHONPATH}"
"$BASE/openrlhf/bin/python" -m pytest -q -p no:cacheprovider tests/test_serve.py \
  -k "openrlhf or unreadable"
"$BASE/verl/bin/python" -m pytest -q -p no:cacheprovider tests/test_verl_reward_loop.py \
  -m "slow or not slow"
