#!/bin/sh
# A throw-away Docker engine for the docker-marked tests: starts a private dockerd (its own data
# root, exec root and socket under one temp dir, no bridge, no iptables), builds the sandbox base
# image, runs the tests, and removes everything it created (containers, shims, mounts, dockerd,
# bridge and iptables chains if the engine made any); it never touches an engine already running.
#
# usage (as root, from the repository root):  sh bench/docker_engine.sh [pytest args...]
# default pytest args: -m docker tests/test_sandbox.py tests/test_docker.py
# needs: dockerd, containerd and runc (Debian: apt-get install docker.io), .venv with the
#        docker extra (pip install -e '.[docker]'). Exit status: pytest's, or 2 on setup failure.
set -u

PYTEST="${PYTEST:-.venv/bin/pytest}"
if [ "$(id -u)" != 0 ]; then echo "docker_engine.sh: needs root to start dockerd" >&2; exit 2; fi
if ! command -v dockerd >/dev/null; then
  echo "docker_engine.sh: no dockerd; install it (Debian: apt-get install -y docker.io)" >&2; exit 2
fi

STATE="$(mktemp -d /tmp/verity-dockerd.XXXXXX)"
export DOCKER_HOST="unix://$STATE/docker.sock"
had_bridge=no; ip link show docker0 >/dev/null 2>&1 && had_bridge=yes
had_chain=no; iptables -S DOCKER >/dev/null 2>&1 && had_chain=yes
DOCKERD_PID=""

cleanup() {
  if [ -n "$DOCKERD_PID" ] && kill -0 "$DOCKERD_PID" 2>/dev/null; then
    ids="$(docker ps -aq 2>/dev/null)"
    # shellcheck disable=SC2086
    [ -n "$ids" ] && docker rm -f $ids >/dev/null 2>&1
    kill -TERM "$DOCKERD_PID" 2>/dev/null
    for _ in $(seq 1 50); do kill -0 "$DOCKERD_PID" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$DOCKERD_PID" 2>/dev/null
  fi
  # containerd and its shims were started for this engine: they name our state dir on their
  # command line, so only they are matched, and each is ended by its pid
  for proc in /proc/[0-9]*; do
    [ "${proc#/proc/}" = "$$" ] && continue
    if tr '\0' ' ' < "$proc/cmdline" 2>/dev/null | grep -qF "$STATE"; then
      kill -KILL "${proc#/proc/}" 2>/dev/null
    fi
  done
  sleep 0.5
  # overlay, shm and netns mounts of the engine, deepest first
  grep -F "$STATE" /proc/mounts | awk '{print $2}' | sort -r | while read -r m; do
    umount -l "$m" 2>/dev/null
  done
  rm -rf "$STATE"
  if [ "$had_bridge" = no ] && ip link show docker0 >/dev/null 2>&1; then ip link del docker0; fi
  if [ "$had_chain" = no ] && iptables -S DOCKER >/dev/null 2>&1; then
    for chain in DOCKER-USER DOCKER-ISOLATION-STAGE-2 DOCKER-ISOLATION-STAGE-1 DOCKER; do
      iptables -F "$chain" 2>/dev/null; iptables -X "$chain" 2>/dev/null
    done
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

start_engine() {  # $1: storage driver
  dockerd --data-root "$STATE/root" --exec-root "$STATE/exec" --pidfile "$STATE/dockerd.pid" \
    -H "$DOCKER_HOST" --iptables=false --ip6tables=false --bridge=none --ip-forward=false \
    --ip-masq=false --storage-driver="$1" > "$STATE/dockerd.log" 2>&1 &
  DOCKERD_PID=$!
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && return 0
    kill -0 "$DOCKERD_PID" 2>/dev/null || return 1
    sleep 0.5
  done
  return 1
}

# overlay2 where the kernel and backing filesystem allow it; vfs (slow, copies) everywhere else
if ! start_engine overlay2; then
  echo "docker_engine.sh: overlay2 failed ($(tail -n 1 "$STATE/dockerd.log")); trying vfs" >&2
  kill -KILL "$DOCKERD_PID" 2>/dev/null; wait "$DOCKERD_PID" 2>/dev/null
  rm -rf "$STATE/root" "$STATE/exec"
  if ! start_engine vfs; then
    echo "docker_engine.sh: dockerd did not start:" >&2; tail -n 20 "$STATE/dockerd.log" >&2
    exit 2
  fi
fi
echo "engine: $(docker version --format 'Docker {{.Server.Version}} (API {{.Server.APIVersion}})') at $DOCKER_HOST"

sh sandboxes/docker_image.sh || { echo "docker_engine.sh: image build failed" >&2; exit 2; }

if [ "$#" -eq 0 ]; then set -- -m docker tests/test_sandbox.py tests/test_docker.py; fi
"$PYTEST" "$@"
rc=$?
exit "$rc"  # the EXIT trap cleans up and keeps pytest's status
