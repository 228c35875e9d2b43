"""Host-wide uid leases for sandbox slots: each uid a slot runs candidates as is held by exactly one
sandbox instance on the host (an flock'ed file per uid in a root-owned directory, released on
close and by the kernel when the holder dies); it allocates numbers and deliberately knows nothing
about slots, processes it confines or limits.

Why: RLIMIT_NPROC and every other per-user count are per uid host-wide, so two instances (two
training jobs, two users) sharing a uid let a candidate in one make honest programs in the other
fail. A uid is also skipped while any process on the host runs as it (a leftover candidate of a
killed grader, or a program of an older version that did not lease) or while the user database
names it.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import pwd
import stat

# 0x70000000..0x7fffffff is the uid range systemd's UIDS-GIDS.md leaves unused (below it: regular
# users, DynamicUser, nspawn's container ranges; above it: uids some tools read as negative).
POOL_START = 0x7A5E0000
POOL_SIZE = 1 << 16
LOCK_DIR = "/run/verity-sandbox/uids"


def _lock_dir(path: str) -> str:
    """The lock directory (and its parent), created root-owned 0755: nobody else may plant,
    swap or delete locks."""
    os.makedirs(path, mode=0o755, exist_ok=True)
    for d in (os.path.dirname(path), path):
        st = os.stat(d, follow_symlinks=False)
        # a sticky parent (/tmp) is fine: others cannot rename or remove what root made in it
        open_to_others = st.st_mode & 0o022 and not (d != path and st.st_mode & stat.S_ISVTX)
        if os.path.islink(d) or not os.path.isdir(d) or st.st_uid != 0 or open_to_others:
            raise RuntimeError(f"uid lock directory {d} must be a root-owned directory that only "
                               f"root can write (it is uid {st.st_uid}, mode "
                               f"{st.st_mode & 0o7777:o}); remove it and let the sandbox create it")
    return path


def uids_in_use() -> set[int]:
    """Real, effective, saved and filesystem uids of every process visible in /proc."""
    used: set[int] = set()
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        with contextlib.suppress(OSError), open(f"/proc/{name}/status", "rb") as f:
            for line in f:
                if line.startswith(b"Uid:"):
                    used.update(int(x) for x in line.split()[1:])
                    break
    return used


def _named(uid: int) -> bool:
    try:
        pwd.getpwuid(uid)
        return True
    except KeyError:
        return False


class UidLease:
    """Exclusive uids for one sandbox instance. `take()` leases one more; `release(uid)` gives one
    back; `close()` gives back all. A forked child must call `forget()` (its copies of the lock
    fds would otherwise keep the leases alive after this process dies)."""

    def __init__(self, *, lock_dir: str = LOCK_DIR, pool_start: int = POOL_START,
                 pool_size: int = POOL_SIZE):
        if os.geteuid() != 0:
            raise RuntimeError("uid leases need root (only root can run programs as other uids)")
        self._dir = _lock_dir(lock_dir)
        self._pool = range(pool_start, pool_start + pool_size)
        self._held: dict[int, int] = {}  # uid -> fd holding its flock
        self._next = pool_start + (os.getpid() * 64) % pool_size  # spread processes' first tries

    @property
    def uids(self) -> list[int]:
        return sorted(self._held)

    def _try(self, uid: int, in_use: set[int]) -> str | None:
        """Lock `uid` and return None, or say why it is not available."""
        if uid in self._held:
            return "already leased by this instance"
        if uid in in_use:
            return "a process on this host runs as it"
        if _named(uid):
            return f"the user database names it ({pwd.getpwuid(uid).pw_name})"
        fd = os.open(os.path.join(self._dir, f"{uid}.lock"),
                     os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(fd)
            if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN):
                return "another sandbox instance holds it"
            raise
        self._held[uid] = fd
        return None

    def _next_free(self, in_use: set[int]) -> int:
        pool = self._pool
        for k in range(len(pool)):
            candidate = pool.start + (self._next - pool.start + k) % len(pool)
            if self._try(candidate, in_use) is None:
                self._next = candidate + 1 if candidate + 1 < pool.stop else pool.start
                return candidate
        raise RuntimeError(f"no free sandbox uid in {pool.start}..{pool.stop - 1}: every one is "
                           f"leased (locks in {self._dir}) or in use")

    def take(self, uid: int | None = None) -> int:
        """Lease `uid` (raising ValueError naming why it is not available), or the next free
        uid of the pool."""
        return self.take_many(1, uid)[0]

    def take_many(self, count: int, first: int | None = None) -> list[int]:
        """Lease `count` uids: first, first+1, ... when `first` is given (ValueError naming the
        one that is not available), else the next free ones of the pool. /proc is scanned once
        before locking and once after: a process that started as one of them in between (a
        program that does not lease) makes us give it back and look further."""
        got: list[int] = []
        try:
            in_use = uids_in_use()
            while True:
                if first is not None:
                    for uid in range(first, first + count):
                        why = None if uid in got else self._try(uid, in_use)
                        if why:
                            raise ValueError(f"uid {uid} cannot be used for sandboxed programs: "
                                             f"{why}; leave uid_base unset to lease free uids "
                                             "automatically")
                        if uid not in got:
                            got.append(uid)
                else:
                    while len(got) < count:
                        got.append(self._next_free(in_use))
                in_use = uids_in_use()
                late = [u for u in got if u in in_use]
                if not late:
                    return got
                for uid in late:
                    got.remove(uid)
                    self.release(uid)
        except BaseException:
            for uid in got:
                self.release(uid)
            raise

    def release(self, uid: int) -> None:
        fd = self._held.pop(uid, None)
        if fd is not None:
            with contextlib.suppress(OSError):
                os.close(fd)

    def close(self) -> None:
        for uid in list(self._held):
            self.release(uid)

    def forget(self) -> None:
        """In a forked child: drop our copies of the lock fds (closing a copy of an flock'ed
        description leaves the parent's lease in place)."""
        self.close()
