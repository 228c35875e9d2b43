"""Framing of messages between the grader and a slot server: a JSON header plus raw byte blobs
over a pipe; it carries data only (no pickle, so a compromised slot cannot run code in the
grader) and does not interpret what it carries.

A slot server never holds a request's inputs or a program's outputs in its own memory (a forked
fast-path child would start as a copy of it): it receives each stdin straight into a sealed
memfd (`recv_blob_to_memfd`, splice from the pipe where the kernel allows it) and sends outputs
straight from memfds (`FileBlob`, sendfile); where a copy through user space is unavoidable it
goes through one bounce buffer that is zeroed after every use.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import select
import struct
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

_MAGIC = b"VRT1"
MAX_HEADER_BYTES = 1 << 20
MAX_BLOB_BYTES = 1 << 30
_CHUNK = 1 << 16
_SEALS = fcntl.F_SEAL_SEAL | fcntl.F_SEAL_SHRINK | fcntl.F_SEAL_GROW | fcntl.F_SEAL_WRITE
# the no-splice fallback's only user-space copy; zeroed after every use
_BOUNCE = bytearray(_CHUNK)


@dataclass(frozen=True)
class FileBlob:
    """A blob that lives in a file (a memfd): the byte ranges (offset, length) sent in order."""

    fd: int
    spans: tuple[tuple[int, int], ...]

    def __len__(self) -> int:
        return sum(n for _, n in self.spans)

    def close(self) -> None:
        with contextlib.suppress(OSError):
            os.close(self.fd)


def send(
    fd: int, header: dict[str, Any], blobs: Sequence[bytes | bytearray | memoryview | FileBlob] = ()
) -> None:
    head = json.dumps({**header, "blob_sizes": [len(b) for b in blobs]}).encode()
    _write_all(fd, _MAGIC + struct.pack("=I", len(head)))
    _write_all(fd, head)
    for blob in blobs:
        if isinstance(blob, FileBlob):
            for offset, length in blob.spans:
                _send_file_range(fd, blob.fd, offset, length)
        else:
            _write_all(fd, blob)


def _write_all(fd: int, data: bytes | bytearray | memoryview) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _send_file_range(out_fd: int, in_fd: int, offset: int, length: int) -> None:
    end = offset + length
    while offset < end:
        try:
            n = os.sendfile(out_fd, in_fd, offset, end - offset)
        except OSError as exc:
            if exc.errno not in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
                raise
            break  # this kind of descriptor cannot sendfile: copy through the bounce buffer
        if n == 0:
            raise EOFError("file blob shorter than announced")
        offset += n
    view = memoryview(_BOUNCE)
    try:
        while offset < end:
            k = os.preadv(in_fd, [view[: min(_CHUNK, end - offset)]], offset)
            if k == 0:
                raise EOFError("file blob shorter than announced")
            _write_all(out_fd, view[:k])
            offset += k
    finally:
        _BOUNCE[:] = bytes(_CHUNK)


def _wait_readable(fd: int, deadline: float | None) -> None:
    if deadline is not None:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            raise TimeoutError("slot did not answer in time")


def _read_exact(fd: int, n: int, deadline: float | None) -> bytearray:
    """Reads into one mutable buffer, so that a receiver can zero what it was sent."""
    buf = bytearray(n)
    view = memoryview(buf)
    got = 0
    while got < n:
        _wait_readable(fd, deadline)
        k = os.readv(fd, [view[got : got + min(n - got, 1 << 20)]])
        if k == 0:
            raise EOFError("peer closed its pipe")
        got += k
    return buf


def recv_header(fd: int, timeout_s: float | None = None) -> tuple[dict[str, Any], list[int]]:
    """The header of the next frame and the sizes of the blobs that follow it (unread)."""
    deadline = None if timeout_s is None else time.monotonic() + timeout_s
    prefix = _read_exact(fd, 8, deadline)
    if prefix[:4] != _MAGIC:
        raise ValueError("bad frame from peer")
    (head_len,) = struct.unpack("=I", prefix[4:])
    if head_len > MAX_HEADER_BYTES:
        raise ValueError("frame header too large")
    header = json.loads(_read_exact(fd, head_len, deadline))
    sizes = header.pop("blob_sizes", [])
    if not isinstance(sizes, list) or any(not isinstance(s, int) or isinstance(s, bool)
                                          or not 0 <= s <= MAX_BLOB_BYTES for s in sizes):
        raise ValueError("bad blob sizes in frame")
    return header, sizes


def recv_blob(fd: int, size: int, timeout_s: float | None = None) -> bytearray:
    return _read_exact(fd, size, None if timeout_s is None else time.monotonic() + timeout_s)


def recv(fd: int, timeout_s: float | None = None) -> tuple[dict[str, Any], list[bytearray]]:
    deadline = None if timeout_s is None else time.monotonic() + timeout_s
    header, sizes = recv_header(fd, timeout_s)
    return header, [_read_exact(fd, s, deadline) for s in sizes]


def memfd(name: str) -> int:
    return os.memfd_create(name, os.MFD_CLOEXEC | os.MFD_ALLOW_SEALING)


def seal(fd: int) -> None:
    """Make a memfd read-only for every holder (a program cannot alter its own input file)."""
    os.lseek(fd, 0, os.SEEK_SET)
    fcntl.fcntl(fd, fcntl.F_ADD_SEALS, _SEALS)


def recv_blob_to_memfd(fd: int, size: int, name: str = "stdin") -> int:
    """The next blob of `size` bytes, moved from `fd` into a new sealed memfd without passing
    through this process's memory (splice; a zeroed bounce buffer where splice is refused)."""
    out, _ = recv_blobs_to_memfd(fd, [size], name)
    return out


def recv_blobs_to_memfd(
    fd: int, sizes: list[int], name: str = "inputs"
) -> tuple[int, list[tuple[int, int]]]:
    """The next blobs, one after the other in one new sealed memfd (one descriptor however many
    blobs), and their (offset, length) spans in it."""
    out = memfd(name)
    spans = []
    end = 0
    try:
        for size in sizes:
            _move_to_file(fd, out, size)
            spans.append((end, size))
            end += size
        seal(out)
        return out, spans
    except BaseException:
        os.close(out)
        raise


def copy_range(src: int, offset: int, length: int, dst: int) -> None:
    """Append `length` bytes of file `src` from `offset` to file `dst`, inside the kernel."""
    end = offset + length
    while offset < end:
        n = os.sendfile(dst, src, offset, end - offset)
        if n == 0:
            raise EOFError("file shorter than its span")
        offset += n


def extract(src: int, offset: int, length: int, name: str = "stdin") -> int:
    """A new sealed memfd holding just that span of `src` (one execution's input file)."""
    out = memfd(name)
    try:
        copy_range(src, offset, length, out)
        seal(out)
        return out
    except BaseException:
        os.close(out)
        raise


def _move_to_file(fd: int, out: int, size: int) -> None:
    """Append the next `size` bytes of `fd` to file `out` (splice, else the bounce buffer)."""
    left = size
    while left:
        try:
            k = os.splice(fd, out, min(left, 1 << 20))
        except OSError as exc:
            if exc.errno not in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
                raise
            break  # not a pipe (a socket, in a container): copy through the bounce buffer
        if k == 0:
            raise EOFError("peer closed its pipe")
        left -= k
    view = memoryview(_BOUNCE)
    try:
        while left:
            k = os.readv(fd, [view[: min(left, _CHUNK)]])
            if k == 0:
                raise EOFError("peer closed its pipe")
            _write_all(out, view[:k])
            left -= k
    finally:
        _BOUNCE[:] = bytes(_CHUNK)


def zero(blobs: Iterable[object]) -> None:
    """Overwrite received or produced buffers (bytearrays, or memoryviews of one) with zeros."""
    for blob in blobs:
        if isinstance(blob, memoryview):
            blob = blob.obj
        if isinstance(blob, bytearray):
            blob[:] = bytes(len(blob))


def close_quietly(fds: Iterable[int]) -> None:
    for fd in fds:
        with contextlib.suppress(OSError):
            os.close(fd)
