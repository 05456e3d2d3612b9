"""Durable file operations: atomic replace, append with fsync, the writers' lock (and locks
held without waiting, for leadership), and the modes store files are made with.

A store holds incident titles, notes and customer names, so its files are its owner's, and its
directory's group's as far as the directory lets that group in (a team that shares a store on
one host makes the directory group-owned and setgid); never anyone else's. Files that exist are
written in place and keep their modes; every file esctui makes, or makes anew by replacing one,
takes the store's modes.

A symlinked store file is followed: the file it points to is the one rewritten, and the link
stays.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import re
import time
from collections.abc import Iterator
from pathlib import Path

from esctui.stores.records import StoreError

# How long a writer waits for another writer's lock before it gives up with a sentence. A
# compaction of a large store takes a few seconds; a writer stopped halfway (ctrl+z) or a
# process holding the lock on purpose would otherwise stop every writer for good.
LOCK_WAIT = 10.0

TEMP = re.compile(r"^\.(?P<name>.+)\.(?P<pid>\d+)\.tmp$")


def file_mode(directory: Path) -> int:
    """The mode of a new file in `directory`: its owner's, and the group's as the directory
    lets the group read (and write) in it; others get nothing."""
    return 0o600 | (os.stat(directory).st_mode & 0o060)


def directory_mode(parent: Path) -> int:
    """The mode of a new directory in `parent` (the store's `archive/`): like the parent's
    for its owner and group, never open to others."""
    return 0o700 | (os.stat(parent).st_mode & 0o070)


def make_directory(path: Path, mode: int) -> None:
    """Create `path` (not its parents) with exactly `mode`, whatever the umask; an existing
    directory keeps its own."""
    try:
        os.mkdir(path, mode)
    except FileExistsError:
        return
    os.chmod(path, mode)


def fsync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def real(path: Path) -> Path:
    """The file a symlinked store file points to (the path itself when it is not one)."""
    return Path(os.path.realpath(path)) if path.is_symlink() else path


def replace_atomically(path: Path, data: bytes, *, mode: int | None = None) -> None:
    """Write `data` to `path` so that a crash leaves either the old file or the new one whole:
    temp file, fsync, rename over, fsync the directory. The new file has `mode` (else the
    store's, from its directory). `StoreError` naming `path` if it cannot be done; the temp
    file is removed then, and the old file is untouched."""
    target = real(path)
    temp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.fchmod(fd, file_mode(target.parent) if mode is None else mode)
            write_all(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(temp, target)
        fsync_directory(target.parent)
    except OSError as error:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise StoreError(f"Cannot write {path}: {describe(error)}.") from None


def append_durably(path: Path, data: bytes, *, mode: int | None = None) -> None:
    """Append `data` and return only once it is on disk. A write that fails partway (a full
    disk) is cut back, so the file ends where it did; `StoreError` naming `path`."""
    try:
        fd = open_or_create(path, os.O_WRONLY | os.O_APPEND, mode)
    except OSError as error:
        raise StoreError(f"Cannot write {path}: {describe(error)}.") from None
    try:
        size = os.fstat(fd).st_size
        try:
            write_all(fd, data)
            os.fsync(fd)
        except OSError as error:
            with contextlib.suppress(OSError):
                os.ftruncate(fd, size)
                os.fsync(fd)
            raise StoreError(f"Cannot write {path}: {describe(error)}.") from None
    finally:
        os.close(fd)


def open_or_create(path: Path, flags: int, mode: int | None) -> int:
    """Open `path`; one that did not exist is made with `mode` (else the store's)."""
    try:
        return os.open(path, flags)
    except FileNotFoundError:
        pass
    target = real(path)
    try:
        fd = os.open(target, flags | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # made by someone else meanwhile: theirs, with its own mode
        return os.open(path, flags)
    os.fchmod(fd, file_mode(target.parent) if mode is None else mode)
    return fd


def write_all(fd: int, data: bytes) -> None:
    written = os.write(fd, data)
    while written < len(data):
        written += os.write(fd, data[written:])


def truncate_durably(path: Path, size: int) -> None:
    try:
        fd = os.open(path, os.O_WRONLY)
        try:
            os.ftruncate(fd, size)
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as error:
        raise StoreError(f"Cannot cut {path} back to {size} bytes: {describe(error)}.") from None


def describe(error: OSError) -> str:
    return error.strerror or str(error)


# -- the writers' lock ------------------------------------------------------------------------


@contextlib.contextmanager
def exclusive_lock(path: Path, *, wait: float = LOCK_WAIT) -> Iterator[None]:
    """Hold the store's writer lock; the kernel releases it if the process dies. Waits at most
    `wait` seconds for another holder, then `StoreError` naming the lock and, where this system
    tells, the process holding it."""
    try:
        fd = open_or_create(path, os.O_RDWR, None)
    except OSError as error:
        raise StoreError(f"Cannot lock {path} for writing: {describe(error)}.") from None
    try:
        keep_to_the_store(fd, path)
        take(fd, path, wait)
        yield
    finally:
        os.close(fd)


def keep_to_the_store(fd: int, path: Path) -> None:
    """Close the lock to others where a store made before its modes were tightened left it
    open: it holds nothing, but anyone who can open it can stop every writer by holding it."""
    stat = os.fstat(fd)
    if stat.st_mode & 0o007 and stat.st_uid == os.geteuid():
        with contextlib.suppress(OSError):
            os.fchmod(fd, stat.st_mode & 0o770)


def take(fd: int, path: Path, wait: float) -> None:
    # Tried without blocking, again and again: a blocking flock cannot be given up on, and a
    # writer must give up in time rather than wait for a holder that never lets go.
    deadline = time.monotonic() + wait
    pause = 0.001
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except OSError as error:
            if error.errno not in (errno.EWOULDBLOCK, errno.EAGAIN):
                raise StoreError(f"Cannot lock {path} for writing: {describe(error)}.") from None
        if time.monotonic() >= deadline:
            raise StoreError(
                f"The store is locked: {holder_of(fd)} has held {path} for more than "
                f"{wait:g} s, so nothing was written. Try again once it lets go."
            )
        time.sleep(pause)
        pause = min(pause * 2, 0.02)


def hold_if_free(path: Path) -> int | None:
    """An exclusive lock on `path` (made with the store's modes if missing), taken without
    waiting: the open file that holds it until it is closed or the process ends, however it
    ends; None while another holds it."""
    try:
        fd = open_or_create(path, os.O_RDWR, None)
    except OSError as error:
        raise StoreError(f"Cannot lock {path}: {describe(error)}.") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as error:
        os.close(fd)
        if error.errno in (errno.EWOULDBLOCK, errno.EAGAIN):
            return None
        raise StoreError(f"Cannot lock {path}: {describe(error)}.") from None
    return fd


def holder_of(fd: int) -> str:
    """Who holds the lock on the file open as `fd`, in words: `process 4242 (esctui compact)`
    where /proc/locks tells (Linux), else `another process`."""
    stat = os.fstat(fd)
    device = f"{os.major(stat.st_dev):02x}:{os.minor(stat.st_dev):02x}:{stat.st_ino}"
    try:
        with open("/proc/locks") as locks:
            lines = locks.read().splitlines()
    except OSError:
        return "another process"
    for line in lines:
        fields = line.split()
        # `1: FLOCK  ADVISORY  WRITE 4242 fe:00:1234 0 EOF`; waiters have `->` after the number.
        if len(fields) >= 6 and fields[1] == "FLOCK" and fields[5] == device:
            return f"process {fields[4]}{command_of(fields[4])}"
    return "another process"


def command_of(pid: str) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
            words = cmdline.read().decode("utf-8", "replace").split("\0")
    except OSError:
        return ""
    command = " ".join(os.path.basename(w) if n == 0 else w for n, w in enumerate(words) if w)
    command = " ".join(command.split())  # one line, whatever the arguments held
    return f" ({command[:100]})" if command else ""


# -- leftovers ---------------------------------------------------------------------------------


def remove_leftovers(directory: Path) -> list[Path]:
    """Remove the temp files (`.NAME.PID.tmp`) of writers that died before renaming them (a
    compaction killed halfway leaves megabytes). Call it holding the store's lock, so no live
    writer of this store is halfway through a replace; the PID is checked all the same."""
    removed: list[Path] = []
    try:
        names = os.listdir(directory)
    except OSError:
        return removed
    for name in names:
        found = TEMP.match(name)
        if found is None:
            continue
        pid = int(found["pid"])
        if pid != os.getpid() and alive(pid):
            continue
        with contextlib.suppress(OSError):
            (directory / name).unlink()
            removed.append(directory / name)
    return removed


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process, alive
    return True


def file_identity(stat: os.stat_result) -> tuple[int, int, int, int]:
    """Changes whenever the file is replaced or rewritten."""
    return (stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns)
