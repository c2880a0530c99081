"""Reading files without trusting them: only regular files, never blocking, never past a limit."""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from pathlib import Path

from .errors import InputError
from .i18n import tr


def not_regular(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return tr("a named pipe (FIFO)")
    if stat.S_ISSOCK(mode):
        return tr("a socket")
    if stat.S_ISCHR(mode):
        return tr("a character device")
    if stat.S_ISBLK(mode):
        return tr("a block device")
    if stat.S_ISDIR(mode):
        return tr("a folder")
    return tr("not a regular file")


_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NOCTTY", 0) \
    | getattr(os, "O_BINARY", 0)


def open_regular(path: str, label: str) -> int:
    """Open a file for reading without following a final symlink and without blocking; refuse anything that
    is not a regular file (checked again on the open descriptor, in case it changed since ``lstat``)."""
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise InputError(tr("is a symbolic link that changed while reading; refusing to follow it"),
                             label) from None
        raise InputError(tr("cannot read: {reason}", reason=exc.strerror), label) from None
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        os.close(fd)
        raise InputError(tr("is {what}, not a regular file; refusing to read it", what=not_regular(st.st_mode)), label)
    return fd


def read_fd(fd: int, label: str, limit: int, option_name: str) -> bytes:
    """Read a whole regular file, never more than ``limit`` bytes whatever its size said."""
    chunks = []
    left = limit + 1
    try:
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
    except OSError as exc:
        raise InputError(tr("cannot read: {reason}", reason=exc.strerror), label) from None
    finally:
        os.close(fd)
    data = b"".join(chunks)
    if len(data) > limit:
        raise InputError(tr("file is larger than the limit of {count} bytes ({option})", count=f"{limit:,}",
                            option=option_name), label)
    return data


def read_regular_file(path, label: str, limit: int, option_name: str) -> bytes:
    """The bytes of a regular file (a FIFO, device or socket is refused before it is opened)."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        raise InputError(tr("file not found"), label) from None
    except OSError as exc:
        raise InputError(tr("cannot read: {reason}", reason=exc.strerror), label) from None
    if stat.S_ISDIR(mode):
        raise InputError(tr("is a folder, not a file"), label)
    if not stat.S_ISREG(mode):
        raise InputError(tr("is {what}, not a regular file; refusing to read it", what=not_regular(mode)), label)
    return read_fd(open_regular(os.path.realpath(path), label), label, limit, option_name)


def umask() -> int:
    """The process's file-creation mask (read without changing it for longer than a call)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _link_new(tmp: str, path: Path) -> None:
    """``tmp`` becomes ``path`` only if no file is there (``FileExistsError`` otherwise)."""
    try:
        os.link(tmp, path)
    except FileExistsError:
        raise
    except OSError:  # a file system without hard links: checked, then renamed
        if os.path.lexists(path):
            raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), str(path)) from None
        os.replace(tmp, path)
        return
    os.unlink(tmp)


def atomic_write(path: Path, data: bytes, private: bool = False, replace: bool = True) -> None:
    """Write one file atomically: a temporary file in the same folder, flushed, synced and renamed.
    ``private`` keeps mkstemp's owner-only mode (0600, for caches); otherwise the file gets the mode
    of an ordinary file under the umask (reports).  ``replace=False`` never replaces an existing file
    (``FileExistsError``), also one created meanwhile: the temporary file is hard-linked to ``path``."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        if not private:
            os.fchmod(fd, 0o666 & ~umask())
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if replace:
            os.replace(tmp, path)
        else:
            _link_new(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
