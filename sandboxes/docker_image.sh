#!/bin/sh
# Builds the base image of the docker sandbox backend from this host's own Debian packages (a
# minimal root with Python 3 and g++, no shell tools, no package manager) and `docker import`s it;
# it pulls nothing from a registry and does not add our code (sandboxes.docker layers that on top).
#
# usage: sh sandboxes/docker_image.sh [TAG]        (default tag: verity-sandbox-base:latest)
# needs: dpkg, apt-cache, the packages below installed on this host, a reachable engine
#        (DOCKER_HOST is honoured by the docker CLI).
set -eu

TAG="${1:-verity-sandbox-base:latest}"
# Python for the fork-server worker and candidate programs, g++ for C++ candidates.
PY="$(python3 -c 'import sys; print(f"python{sys.version_info[0]}.{sys.version_info[1]}")')"
ROOTS="${PY}-minimal lib${PY}-minimal lib${PY}-stdlib g++"

STAGE="$(mktemp -d)"
trap 'rm -rf "$STAGE"' EXIT INT TERM

# Dependency closure of the root packages, restricted to what is installed here (virtual
# packages and alternatives that are not installed are simply not part of the image).
# shellcheck disable=SC2086
apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts --no-breaks \
    --no-replaces --no-enhances --no-pre-depends $ROOTS 2>/dev/null \
  | sed -n 's/^\([a-z0-9][^ <>]*\)$/\1/p; s/^ *\(Pre\)\{0,1\}Depends: \([^<> ]*\)$/\2/p' \
  | sort -u > "$STAGE/candidates"
: > "$STAGE/packages"
while read -r pkg; do
  if dpkg-query -W -f='${db:Status-Status}\n' "$pkg" 2>/dev/null | grep -qx installed; then
    echo "$pkg" >> "$STAGE/packages"
  fi
done < "$STAGE/candidates"

# Every regular file and symlink those packages own, minus documentation; paths through the
# merged-/usr symlinks (/lib -> usr/lib) are resolved so the image gets one real tree.
# shellcheck disable=SC2046
dpkg -L $(cat "$STAGE/packages") 2>/dev/null | python3 -c '
import os, sys
skip = ("/usr/share/doc/", "/usr/share/man/", "/usr/share/info/", "/usr/share/locale/",
        "/usr/share/lintian/", "/usr/share/bug/")
seen = set()
for line in sys.stdin:
    path = line.rstrip("\n")
    if not path.startswith("/") or path.startswith(skip):
        continue
    real = os.path.join(os.path.realpath(os.path.dirname(path)), os.path.basename(path))
    if real in seen or not os.path.lexists(real) or (os.path.isdir(real) and not os.path.islink(real)):
        continue
    seen.add(real)
    print(real.lstrip("/"))
' > "$STAGE/files"

mkdir -p "$STAGE/skeleton/etc" "$STAGE/skeleton/work" "$STAGE/skeleton/opt/verity"
for top in bin sbin lib lib64; do
  [ -L "/$top" ] && ln -s "usr/$top" "$STAGE/skeleton/$top"
done
# No /etc/passwd or /etc/group: the engine takes numeric uids, and a candidate reading host-like
# account files is exactly what the property suite checks never succeeds.

tar -C / --no-recursion -cf "$STAGE/rootfs.tar" -T "$STAGE/files"
mkdir -p "$STAGE/unpacked"
tar -C "$STAGE/unpacked" -xf "$STAGE/rootfs.tar"
cp -a "$STAGE/skeleton/." "$STAGE/unpacked/"
# the dynamic linker cache must describe the image's libraries, not the host's
ldconfig -r "$STAGE/unpacked"
[ -e "$STAGE/unpacked/usr/bin/python3" ] || ln -s "$PY" "$STAGE/unpacked/usr/bin/python3"
tar -C "$STAGE/unpacked" -cf "$STAGE/image.tar" .

docker import --change 'USER 65534:65534' --change 'WORKDIR /work' \
  --change 'ENV PYTHONDONTWRITEBYTECODE=1' \
  --message "verity sandbox base: $(wc -l < "$STAGE/packages") host packages" \
  "$STAGE/image.tar" "$TAG"
echo "built $TAG from $(wc -l < "$STAGE/packages") packages, $(wc -l < "$STAGE/files") files"
