"""Opening input files safely: only regular files, and never an open that blocks.

An archive folder may hold anything a file system can: a named pipe (FIFO) whose open or
read waits for a writer forever, a link to a device such as /dev/zero that never ends, a
socket, a symbolic link that leads round in a loop. Every input is opened here: without
blocking (O_NONBLOCK), then checked to be a regular file before a byte is read, and each
of these becomes an `UnreadableSourceError` that says what the file is.
"""

from __future__ import annotations

import errno
import functools
import hashlib
import os
import stat
from pathlib import Path
from typing import BinaryIO

from pipeline.exceptions import UnreadableSourceError

_KINDS = ((stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


def open_regular(path: Path) -> BinaryIO:
    """The file opened for reading; raises UnreadableSourceError unless it is a regular
    file (a link is followed, and what it leads to must be one)."""
    try:
        mode = Path(path).stat().st_mode  # a device or pipe is not even opened
        if not stat.S_ISREG(mode):
            raise not_regular(path, mode)
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        raise _cannot_open(path, exc) from exc
    try:
        mode = os.fstat(fd).st_mode  # what was opened, should the path have changed since
        if not stat.S_ISREG(mode):
            raise not_regular(path, mode)
        os.set_blocking(fd, True)  # a regular file: reads block only on the disk
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_regular(path: Path) -> bytes:
    with open_regular(path) as f:
        try:
            return f.read()
        except OSError as exc:
            raise _cannot_open(path, exc) from exc


def check_regular(path: Path) -> None:
    """Raise as `open_regular` would, for a path handed to a program or library."""
    open_regular(path).close()


def sha256(path: Path) -> str:
    with open_regular(path) as f:
        try:
            return hashlib.file_digest(f, "sha256").hexdigest()
        except OSError as exc:
            raise _cannot_open(path, exc) from exc


def sha256_if_regular(path: Path) -> str | None:
    """The checksum of a regular file, None for anything else or an unreadable file; a
    file left as it was is hashed once (cached by device, inode, size and time)."""
    try:
        info = Path(path).stat()
    except (OSError, ValueError):
        return None
    if not stat.S_ISREG(info.st_mode):
        return None
    return _cached_sha256(str(path), info.st_dev, info.st_ino, info.st_size,
                          info.st_mtime_ns)


@functools.lru_cache(maxsize=256)
def _cached_sha256(path: str, device: int, inode: int, size: int, mtime: int) -> str | None:
    try:
        return sha256(Path(path))
    except UnreadableSourceError:
        return None


def not_regular(path: Path, mode: int) -> UnreadableSourceError:
    if stat.S_ISDIR(mode):
        return UnreadableSourceError("this is a folder, not a file", path=path,
                                     fix="Pass the folder itself to `protokoll run`.")
    kind = next((name for test, name in _KINDS if test(mode)), "not a regular file")
    return UnreadableSourceError(
        f"this is {kind}, not a regular file", path=path,
        fix="Remove it from the archive folder, or copy the document it stands for there.")


def _cannot_open(path: Path, exc: OSError) -> UnreadableSourceError:
    if exc.errno == errno.ENOENT:
        return UnreadableSourceError("no such file (or a link that leads nowhere)", path=path,
                                     fix="Check the path.")
    if exc.errno == errno.EACCES:
        return UnreadableSourceError("permission denied", path=path,
                                    fix="Make the file readable (chmod) or run as its owner.")
    if exc.errno == errno.ELOOP:
        return UnreadableSourceError(
            "a symbolic link that leads round in a loop", path=path,
            fix="Point the link at the file it stands for, or remove it.")
    if exc.errno == errno.ENAMETOOLONG:
        return UnreadableSourceError("the file name is too long to open", path=path,
                                     fix="Rename the file or a folder above it.")
    return UnreadableSourceError(f"cannot be read ({exc.strerror or exc})", path=path,
                                 fix="Check the file and the disk.")
