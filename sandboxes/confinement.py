"""Linux confinement primitives through ctypes (namespaces, mounts, pivot_root, Landlock, seccomp,
capabilities); it only wraps kernel calls and knows nothing about programs, pools or verdicts.

Every function raises OSError with the kernel's errno on failure, so a caller can report
honestly which layer is missing instead of silently running without it.
"""

from __future__ import annotations

import ctypes
import errno
import os
import platform
import struct

_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long

MACHINE = platform.machine()

# Syscall numbers per architecture, (x86_64, aarch64), checked against each architecture's kernel
# headers by tests/test_sandbox_seccomp.py (x86_64: asm/unistd_64.h; aarch64: the generic table,
# asm-generic/unistd.h). None: the architecture has no such syscall.
_SYSCALLS = {
    "ptrace": (101, 117), "syslog": (103, 116), "personality": (135, 92), "vhangup": (153, 58),
    "pivot_root": (155, 41), "adjtimex": (159, 171), "chroot": (161, 51), "acct": (163, 89),
    "settimeofday": (164, 170), "mount": (165, 40), "umount2": (166, 39), "swapon": (167, 224),
    "swapoff": (168, 225), "reboot": (169, 142), "iopl": (172, None), "ioperm": (173, None),
    "init_module": (175, 105), "delete_module": (176, 106), "quotactl": (179, 60),
    "clock_settime": (227, 112), "kexec_load": (246, 104), "add_key": (248, 217),
    "request_key": (249, 218), "keyctl": (250, 219), "unshare": (272, 97),
    "perf_event_open": (298, 241), "name_to_handle_at": (303, 264),
    "open_by_handle_at": (304, 265), "setns": (308, 268), "process_vm_readv": (310, 270),
    "process_vm_writev": (311, 271), "kcmp": (312, 272), "finit_module": (313, 273),
    "kexec_file_load": (320, 294), "bpf": (321, 280), "userfaultfd": (323, 282),
    "io_uring_setup": (425, 425), "io_uring_enter": (426, 426), "io_uring_register": (427, 427),
    "open_tree": (428, 428), "move_mount": (429, 429), "fsopen": (430, 430),
    "fsconfig": (431, 431), "fsmount": (432, 432), "fspick": (433, 433),
    "pidfd_getfd": (438, 438), "process_madvise": (440, 440), "mount_setattr": (442, 442),
    "clone": (56, 220), "clone3": (435, 435), "socket": (41, 198), "socketpair": (53, 199),
    "capset": (126, 91), "landlock_create_ruleset": (444, 444), "landlock_add_rule": (445, 445),
    "landlock_restrict_self": (446, 446),
}
ARCHES = ("x86_64", "aarch64")


def syscall_numbers(machine: str) -> dict[str, int]:
    """{name: number} for `machine` (platform.machine() spelling); {} for an unknown one."""
    if machine not in ARCHES:
        return {}
    col = ARCHES.index(machine)
    return {name: nr for name, nrs in _SYSCALLS.items() if (nr := nrs[col]) is not None}


_NR = syscall_numbers(MACHINE)

CLONE_NEWNS = 0x00020000
CLONE_NEWCGROUP = 0x02000000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000
CLONE_NEWTIME = 0x00000080

MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_NOATIME, MS_NODIRATIME, MS_BIND, MS_REC = 32, 1024, 2048, 4096, 16384
MS_PRIVATE, MS_RELATIME = 1 << 18, 1 << 21
MNT_DETACH = 2

PR_SET_PDEATHSIG = 1
PR_SET_DUMPABLE = 4
PR_SET_SECCOMP = 22
PR_CAPBSET_DROP = 24
PR_SET_NO_NEW_PRIVS = 38


def _check(ret: int, what: str) -> int:
    if ret < 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")
    return ret


def _syscall(name: str, *args: object) -> int:
    nr = _NR.get(name)
    if nr is None:
        raise OSError(errno.ENOSYS, f"{name}: no syscall number known for {MACHINE}")
    return _check(_libc.syscall(ctypes.c_long(nr), *args), name)


def unshare(flags: int) -> None:
    _check(_libc.unshare(ctypes.c_int(flags)), f"unshare({flags:#x})")


def prctl(option: int, arg2: int = 0, arg3: int = 0, arg4: int = 0, arg5: int = 0) -> int:
    return _check(_libc.prctl(option, ctypes.c_ulong(arg2), ctypes.c_ulong(arg3),
                              ctypes.c_ulong(arg4), ctypes.c_ulong(arg5)), f"prctl({option})")


def mount(
    source: str | None, target: str, fstype: str | None, flags: int, data: str | None = None
) -> None:
    def enc(s: str | None) -> bytes | None:
        return s.encode() if s is not None else None

    _check(_libc.mount(enc(source), enc(target), enc(fstype), ctypes.c_ulong(flags), enc(data)),
           f"mount({source!r} -> {target!r})")


def umount(target: str, flags: int = MNT_DETACH) -> None:
    _check(_libc.umount2(target.encode(), ctypes.c_int(flags)), f"umount2({target!r})")


def pivot_root(new_root: str, put_old: str) -> None:
    _syscall("pivot_root", new_root.encode(), put_old.encode())


def bind_readonly(source: str, target: str) -> None:
    """Bind `source` on `target`, then remount it read-only, nosuid, nodev. A remount must keep
    the flags the kernel locked on the source (user namespaces), so they are carried over."""
    mount(source, target, None, MS_BIND | MS_REC)
    st = os.statvfs(source)
    kept = 0
    for st_flag, ms_flag in ((os.ST_NOEXEC, MS_NOEXEC), (os.ST_NOATIME, MS_NOATIME),
                             (os.ST_NODIRATIME, MS_NODIRATIME), (4096, MS_RELATIME)):
        if st.f_flag & st_flag:
            kept |= ms_flag
    mount(None, target, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV | kept)


def drop_capabilities() -> None:
    """Empty the bounding, effective, permitted and inheritable capability sets."""
    for cap in range(64):
        try:
            prctl(PR_CAPBSET_DROP, cap)
        except OSError as exc:
            if exc.errno == errno.EINVAL:  # past the last capability this kernel knows
                break
            if exc.errno != errno.EPERM:  # EPERM: no CAP_SETPCAP, nothing left to drop
                raise
            break
    header = struct.pack("=II", 0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3, this thread
    data = ctypes.create_string_buffer(24)  # two zeroed {effective, permitted, inheritable}
    _syscall("capset", ctypes.c_char_p(header), data)


# ---------------------------------------------------------------------------------------------
# Landlock: filesystem read-only everywhere except the work tree; no TCP; signals and abstract
# unix sockets scoped to the sandboxed process tree (ABI >= 6).
# ---------------------------------------------------------------------------------------------

_LL_FS_READ = (1 << 0) | (1 << 2) | (1 << 3)  # execute, read_file, read_dir
_LL_FS_BY_ABI = {1: (1 << 13) - 1, 2: (1 << 14) - 1, 3: (1 << 15) - 1, 4: (1 << 15) - 1,
                 5: (1 << 16) - 1}


def landlock_abi() -> int:
    return _syscall("landlock_create_ruleset", None, ctypes.c_size_t(0), ctypes.c_uint32(1))


def landlock_ruleset(writable: list[str], writable_files: list[str]) -> tuple[int, int]:
    """A ruleset fd that allows reading everywhere and writing only beneath `writable` (and to
    the device files in `writable_files`). Returns (fd, abi). Built once; applied per execution
    with landlock_restrict(fd)."""
    abi = landlock_abi()
    fs_all = _LL_FS_BY_ABI.get(abi, (1 << 16) - 1)
    net = 0b11 if abi >= 4 else 0  # bind_tcp | connect_tcp
    scoped = 0b11 if abi >= 6 else 0  # abstract unix sockets | signals
    if abi >= 6:
        attr = struct.pack("=QQQ", fs_all, net, scoped)
    elif abi >= 4:
        attr = struct.pack("=QQ", fs_all, net)
    else:
        attr = struct.pack("=Q", fs_all)
    fd = _syscall("landlock_create_ruleset", ctypes.c_char_p(attr), ctypes.c_size_t(len(attr)),
                  ctypes.c_uint32(0))
    try:
        rules = [("/", _LL_FS_READ)] + [(p, fs_all) for p in writable]
        # a device file only takes file rights: write_file, read_file (+ truncate/ioctl_dev)
        file_rights = ((1 << 1) | (1 << 2) | (1 << 14 if abi >= 3 else 0)) & fs_all
        rules += [(p, file_rights | _LL_FS_READ & (1 << 2)) for p in writable_files]
        for path, access in rules:
            pfd = os.open(path, os.O_PATH | os.O_CLOEXEC)
            try:
                rule = struct.pack("=Qi", access, pfd)  # packed landlock_path_beneath_attr
                _syscall("landlock_add_rule", ctypes.c_int(fd), ctypes.c_int(1),
                         ctypes.c_char_p(rule), ctypes.c_uint32(0))
            finally:
                os.close(pfd)
    except BaseException:
        os.close(fd)
        raise
    return fd, abi


def landlock_restrict(ruleset_fd: int) -> None:
    _syscall("landlock_restrict_self", ctypes.c_int(ruleset_fd), ctypes.c_uint32(0))


# ---------------------------------------------------------------------------------------------
# seccomp: a small deny-list (EPERM) over syscalls that reach the kernel's attack surface or
# other processes, and socket families other than AF_UNIX (the network namespace does not cover
# every family: vsock reaches the host); namespaces, mounts and tracing stay the job of the
# layers above.
# ---------------------------------------------------------------------------------------------

AUDIT_ARCH = {"x86_64": 0xC000003E, "aarch64": 0xC00000B7}
DENIED = (
    "ptrace", "syslog", "personality", "vhangup", "pivot_root", "adjtimex", "chroot", "acct",
    "settimeofday", "mount", "umount2", "swapon", "swapoff", "reboot", "iopl", "ioperm",
    "init_module", "delete_module", "quotactl", "clock_settime", "kexec_load", "add_key",
    "request_key", "keyctl", "unshare", "perf_event_open", "name_to_handle_at",
    "open_by_handle_at", "setns", "process_vm_readv", "process_vm_writev", "kcmp", "finit_module",
    "kexec_file_load", "bpf", "userfaultfd", "io_uring_setup", "io_uring_enter",
    "io_uring_register", "open_tree", "move_mount", "fsopen", "fsconfig", "fsmount", "fspick",
    "pidfd_getfd", "process_madvise", "mount_setattr",
)
AF_UNIX = 1
_NS_FLAGS = (CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER
             | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWTIME)

_RET_ALLOW = 0x7FFF0000
_RET_KILL_PROCESS = 0x80000000
_RET_ERRNO = 0x00050000


def _ins(code: int, jt: int, jf: int, k: int) -> bytes:
    return struct.pack("=HBBI", code, jt, jf, k & 0xFFFFFFFF)


def seccomp_filter(machine: str = MACHINE) -> bytes:
    """The BPF program for `machine`, compiled once per slot; raises OSError(ENOSYS) for an
    architecture without a checked syscall table (the caller then reports seccomp missing, so
    require=["seccomp"] refuses to start)."""
    arch = AUDIT_ARCH.get(machine)
    nr = syscall_numbers(machine)
    if arch is None or not nr:
        raise OSError(errno.ENOSYS, f"seccomp filter: no checked syscall table for {machine} "
                      f"(known: {', '.join(ARCHES)})")
    ld, jeq, jge, jset, ret = 0x20, 0x15, 0x35, 0x45, 0x06
    eperm, enosys = _RET_ERRNO | errno.EPERM, _RET_ERRNO | errno.ENOSYS
    eafnosupport = _RET_ERRNO | errno.EAFNOSUPPORT
    denied = sorted(nr[name] for name in DENIED if name in nr)
    prog = [_ins(ld, 0, 0, 4), _ins(jeq, 1, 0, arch), _ins(ret, 0, 0, _RET_KILL_PROCESS),
            _ins(ld, 0, 0, 0)]
    if machine == "x86_64":  # the x32 ABI shares the arch token: its numbers have bit 30 set
        prog += [_ins(jge, 0, 1, 0x40000000), _ins(ret, 0, 0, _RET_KILL_PROCESS)]
    prog += [
        # clone3 hides its flags behind a pointer: ENOSYS makes libc fall back to clone
        _ins(jeq, 0, 1, nr["clone3"]), _ins(ret, 0, 0, enosys),
        _ins(jeq, 0, 3, nr["clone"]), _ins(ld, 0, 0, 16),  # args[0], low 32 bits
        _ins(jset, 0, 1, _NS_FLAGS), _ins(ret, 0, 0, eperm),
        _ins(ld, 0, 0, 0),
    ]
    for call in ("socket", "socketpair"):  # args[0] is the address family: only AF_UNIX
        prog += [_ins(jeq, 0, 4, nr[call]), _ins(ld, 0, 0, 16),
                 _ins(jeq, 0, 1, AF_UNIX), _ins(ret, 0, 0, _RET_ALLOW),
                 _ins(ret, 0, 0, eafnosupport)]
    for i, number in enumerate(denied):
        remaining = len(denied) - i - 1
        prog.append(_ins(jeq, remaining + 1, 0, number))  # jump to the trailing EPERM
    prog += [_ins(ret, 0, 0, _RET_ALLOW), _ins(ret, 0, 0, eperm)]
    return b"".join(prog)


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def seccomp_install(program: bytes) -> None:
    """Requires no_new_privs (or CAP_SYS_ADMIN); irreversible for this process and its children."""
    buf = ctypes.create_string_buffer(program, len(program))
    fprog = _SockFprog(len(program) // 8, ctypes.addressof(buf))
    _check(_libc.prctl(PR_SET_SECCOMP, ctypes.c_ulong(2), ctypes.byref(fprog),
                       ctypes.c_ulong(0), ctypes.c_ulong(0)), "seccomp")
