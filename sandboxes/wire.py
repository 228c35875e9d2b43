"""Framing of messages between the grader and a slot server: a JSON header plus raw byte blobs
over a pipe; it carries data only (no pickle, so a compromised slot cannot run code in the
grader) and does not interpret what it carries."""

from __future__ import annotations

import json
import os
import select
import struct
import time

_MAGIC = b"VRT1"
MAX_HEADER_BYTES = 1 << 20
MAX_BLOB_BYTES = 1 << 30


def send(fd: int, header: dict, blobs: list[bytes | bytearray] = ()) -> None:
    head = json.dumps({**header, "blob_sizes": [len(b) for b in blobs]}).encode()
    os.write(fd, _MAGIC + struct.pack("=I", len(head)))
    for chunk in (head, *blobs):
        view = memoryview(chunk)
        while view:
            view = view[os.write(fd, view):]


def _read_exact(fd: int, n: int, deadline: float | None) -> bytearray:
    """Reads into one mutable buffer, so that a receiver can zero what it was sent."""
    buf = bytearray(n)
    view, got = memoryview(buf), 0
    while got < n:
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise TimeoutError("slot did not answer in time")
        k = os.readv(fd, [view[got : got + min(n - got, 1 << 20)]])
        if k == 0:
            raise EOFError("peer closed its pipe")
        got += k
    return buf


def recv(fd: int, timeout_s: float | None = None) -> tuple[dict, list[bytearray]]:
    deadline = None if timeout_s is None else time.monotonic() + timeout_s
    prefix = _read_exact(fd, 8, deadline)
    if prefix[:4] != _MAGIC:
        raise ValueError("bad frame from peer")
    (head_len,) = struct.unpack("=I", prefix[4:])
    if head_len > MAX_HEADER_BYTES:
        raise ValueError("frame header too large")
    header = json.loads(_read_exact(fd, head_len, deadline))
    sizes = header.pop("blob_sizes", [])
    if not isinstance(sizes, list) or any(not isinstance(s, int) or not 0 <= s <= MAX_BLOB_BYTES
                                          for s in sizes):
        raise ValueError("bad blob sizes in frame")
    return header, [_read_exact(fd, s, deadline) for s in sizes]


def zero(blobs: list) -> None:
    """Overwrite received or produced buffers (bytearrays, or memoryviews of one) with zeros."""
    for blob in blobs:
        if isinstance(blob, memoryview):
            blob = blob.obj
        if isinstance(blob, bytearray):
            blob[:] = bytes(len(blob))
