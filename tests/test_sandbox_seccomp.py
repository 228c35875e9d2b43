"""The seccomp layer per architecture: syscall numbers checked against each architecture's kernel
headers, the BPF program of every architecture run through a small classic-BPF interpreter (so
the arm64 program is exercised on an x86_64 host), an unknown architecture refused, and socket
families other than AF_UNIX denied inside real sandboxes."""

from __future__ import annotations

import errno
import os
import re
import struct
import sys

import pytest

from sandboxes import confinement as cf
from sandboxes.base import Limits, Program, Status

# Debian's linux-libc-dev: the x86_64 table, and the generic table that arm64 uses (arm64's own
# asm/unistd.h only selects __ARCH_WANT_* switches of asm-generic/unistd.h).
HEADERS = {
    "x86_64": ["/usr/include/x86_64-linux-gnu/asm/unistd_64.h", "/usr/include/asm/unistd_64.h"],
    "aarch64": ["/usr/include/aarch64-linux-gnu/asm/unistd_64.h",
                "/usr/include/asm-generic/unistd.h"],
}


def _header_numbers(arch: str) -> tuple[str, dict[str, int]]:
    for path in HEADERS[arch]:
        if os.path.exists(path):
            with open(path) as f:
                text = f.read()
            found = {m.group(1): int(m.group(2)) for m in
                     re.finditer(r"^#define __NR_(\w+)\s+(\d+)\s*$", text, re.M)}
            return path, found
    pytest.skip(f"no {arch} syscall header here ({' or '.join(HEADERS[arch])}); install "
                "linux-libc-dev (Debian) to check the numbers")


@pytest.mark.parametrize("arch", [pytest.param(a, id=a) for a in cf.ARCHES])
def test_syscall_numbers_match_the_kernel_headers(arch):
    path, header = _header_numbers(arch)
    ours = cf.syscall_numbers(arch)
    wrong = {n: (nr, header.get(n)) for n, nr in ours.items() if header.get(n) != nr}
    assert not wrong, f"{arch}: ours vs {path}: {wrong}"
    # a name we leave out for this arch must really not exist there (else the deny-list has a hole)
    absent = [n for n in cf._SYSCALLS if n not in ours and n in header]
    assert not absent, f"{arch}: {absent} exist in {path} but have no number in our table"
    assert set(cf.DENIED) <= set(cf._SYSCALLS)


def test_an_unknown_architecture_has_no_filter():
    with pytest.raises(OSError) as exc:
        cf.seccomp_filter("riscv64")
    assert exc.value.errno == errno.ENOSYS and "riscv64" in str(exc.value)


# --- the filter's decisions, per architecture, through a classic-BPF interpreter -------------

def _run_bpf(prog: bytes, data: bytes) -> int:
    """Only the instructions our filters use: ld [k], jeq/jge/jset k, ret k."""
    ins = [struct.unpack("=HBBI", prog[i:i + 8]) for i in range(0, len(prog), 8)]
    pc = 0
    acc = 0
    while True:
        code, jt, jf, k = ins[pc]
        if code == 0x20:
            acc = struct.unpack_from("=I", data, k)[0]
            pc += 1
        elif code in (0x15, 0x35, 0x45):
            taken = {0x15: acc == k, 0x35: acc >= k, 0x45: bool(acc & k)}[code]
            pc += 1 + (jt if taken else jf)
        elif code == 0x06:
            return k
        else:
            raise AssertionError(f"unexpected BPF opcode {code:#x}")


def _seccomp_data(nr: int, arch: int, *args: int) -> bytes:
    argv = list(args) + [0] * (6 - len(args))
    return struct.pack("=iIQ6Q", nr, arch, 0, *argv)


ALLOW = 0x7FFF0000
KILL = 0x80000000


def _errno(e: int) -> int:
    return 0x00050000 | e


@pytest.mark.parametrize("arch", [pytest.param(a, id=a) for a in cf.ARCHES])
@pytest.mark.parametrize("call,args,expected", [
    pytest.param("socket", (1, 1), ALLOW, id="socket-af_unix"),
    pytest.param("socketpair", (1, 1, 0), ALLOW, id="socketpair-af_unix"),
    pytest.param("socket", (40, 1), _errno(errno.EAFNOSUPPORT), id="socket-af_vsock"),
    pytest.param("socket", (2, 1), _errno(errno.EAFNOSUPPORT), id="socket-af_inet"),
    pytest.param("socket", (16, 3), _errno(errno.EAFNOSUPPORT), id="socket-af_netlink"),
    pytest.param("socket", (17, 3), _errno(errno.EAFNOSUPPORT), id="socket-af_packet"),
    pytest.param("socket", ((1 << 32) | 40, 1), _errno(errno.EAFNOSUPPORT), id="socket-high-bits"),
    pytest.param("socketpair", (40, 1, 0), _errno(errno.EAFNOSUPPORT), id="socketpair-af_vsock"),
    pytest.param("mount", (), _errno(errno.EPERM), id="mount"),
    pytest.param("ptrace", (), _errno(errno.EPERM), id="ptrace"),
    pytest.param("bpf", (), _errno(errno.EPERM), id="bpf"),
    pytest.param("clone3", (), _errno(errno.ENOSYS), id="clone3"),
    pytest.param("clone", (cf.CLONE_NEWUSER,), _errno(errno.EPERM), id="clone-newuser"),
    pytest.param("clone", (0x11,), ALLOW, id="clone-plain-fork"),
    pytest.param("capset", (), ALLOW, id="capset"),
])
def test_the_filter_decides_per_architecture(arch, call, args, expected):
    prog = cf.seccomp_filter(arch)
    nr = cf.syscall_numbers(arch)[call]
    assert _run_bpf(prog, _seccomp_data(nr, cf.AUDIT_ARCH[arch], *args)) == expected


@pytest.mark.parametrize("arch", [pytest.param(a, id=a) for a in cf.ARCHES])
def test_every_denied_syscall_of_the_architecture_is_denied(arch):
    prog = cf.seccomp_filter(arch)
    nr = cf.syscall_numbers(arch)
    for name in cf.DENIED:
        if name in nr:
            assert (_run_bpf(prog, _seccomp_data(nr[name], cf.AUDIT_ARCH[arch]))
                    == _errno(errno.EPERM)), name
    assert _run_bpf(prog, _seccomp_data(nr["capset"] + 1000, cf.AUDIT_ARCH[arch])) == ALLOW


@pytest.mark.parametrize("arch,other", [("x86_64", 0x40000003), ("aarch64", 0x40000028),
                                        ("x86_64", cf.AUDIT_ARCH["aarch64"])])
def test_a_foreign_abi_is_killed(arch, other):
    """i386 (0x40000003) on x86_64, 32-bit ARM (0x40000028) on arm64: their numbers differ."""
    assert _run_bpf(cf.seccomp_filter(arch), _seccomp_data(1, other)) == KILL


def test_the_x32_abi_is_killed():
    prog = cf.seccomp_filter("x86_64")
    assert _run_bpf(prog, _seccomp_data(0x40000000 | 41, cf.AUDIT_ARCH["x86_64"], 1)) == KILL


# --- real sandboxes ---------------------------------------------------------------------------

SOCKETS = """
import socket
out = []
for name in ("AF_VSOCK", "AF_INET", "AF_INET6", "AF_NETLINK", "AF_PACKET"):
    fam = getattr(socket, name)
    kind = socket.SOCK_RAW if name in ("AF_NETLINK", "AF_PACKET") else socket.SOCK_STREAM
    try:
        socket.socket(fam, kind).close()
        out.append(name + ":created")
    except OSError as exc:
        out.append(name + ":" + str(exc.errno))
a, b = socket.socketpair()
a.sendall(b"x")
out.append("pair:" + b.recv(1).decode())
socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM).close()
out.append("unix:ok")
print(" ".join(out))
"""


@pytest.mark.parametrize("mode", ["auto", "userns"])
def test_only_unix_sockets_can_be_created_in_the_sandbox(mode):
    if not sys.platform.startswith("linux"):
        pytest.skip(f"LocalSandbox needs Linux namespaces; this is {sys.platform}")
    from sandboxes.local import LocalSandbox

    try:
        sb = LocalSandbox(slots=1, mode=mode, require=["seccomp"])
    except RuntimeError as exc:
        pytest.skip(f"{mode} cannot start with seccomp here: {exc}")
    with sb:
        r = sb.run(Program(SOCKETS), [b""], Limits(cpu_s=2.0, wall_s=5.0))[0]
    assert r.status is Status.OK, r
    eaf = str(errno.EAFNOSUPPORT)
    assert r.stdout.decode().split() == [f"AF_VSOCK:{eaf}", f"AF_INET:{eaf}", f"AF_INET6:{eaf}",
                                         f"AF_NETLINK:{eaf}", f"AF_PACKET:{eaf}", "pair:x",
                                         "unix:ok"]
