"""Writing export files so that a crash never leaves half a file.

Every exporter writes to a hidden temporary file beside the target and renames it into place
only when the whole file is written and flushed to disk. If anything fails on the way (a bug, a
full disk, Ctrl-C), the temporary file is removed and the target is untouched: an old export of
the same name stays as it was, and no new, truncated one appears. A full disk and a folder that
cannot be written to (read-only, forbidden, gone) are each one line (a :class:`UserError`) naming the
export. Exports hold health data, so every file is created readable by its owner only (0600),
whatever the umask.

Libraries such as openpyxl, python-docx and matplotlib want a path to save to, so the unit of
work is a path, not an open file. A temporary name keeps the target's suffix, because some
libraries choose their output format by it.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..core.errors import UserError


def temporary_name(target: Path) -> Path:
    """The hidden temporary path for ``target``: same folder (so the rename is atomic), same suffix."""
    return target.with_name(f".{target.stem}.{os.getpid()}.partial{target.suffix}")


def check_target(target: Path) -> None:
    """A clear error, before any work is done, for a place an export cannot be written to."""
    target = Path(target)
    try:
        if target.is_dir():
            raise UserError("is a folder; give a file name for the export", path=target)
        if not target.parent.is_dir():
            raise UserError("the folder for the export does not exist", path=target)
    except OSError as exc:  # a folder we may not even look into
        raise storage_error(exc, target) from None


# What a full disk, a read-only or vanished folder look like; each becomes one line for the user.
_FULL = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}
_DENIED = {errno.EACCES, errno.EPERM}
_READ_ONLY = {errno.EROFS}
_GONE = {errno.ENOENT, errno.ENOTDIR, errno.ESTALE}
_STORAGE = _FULL | _DENIED | _READ_ONLY | _GONE | {errno.EIO, errno.ENAMETOOLONG, errno.ELOOP, errno.EISDIR}


def storage_error(exc: OSError, target: Path) -> UserError:
    """One line naming the export and what to do, for an OS error while writing it."""
    folder = Path(target).parent
    keep = "nothing was written (an earlier file of that name is kept as it was)"
    if exc.errno in _FULL:
        what = (f"the disk is full (or your disk quota is used up); {keep}. Free some space, or write the export "
                "elsewhere")
    elif exc.errno in _READ_ONLY:
        what = f"the folder {folder} is on a read-only file system; {keep}. Write the export elsewhere"
    elif exc.errno in _DENIED:
        what = f"no permission to write in the folder {folder}; {keep}. Write the export elsewhere"
    elif exc.errno in _GONE:
        what = f"the folder {folder} does not exist (any more); {keep}. Create it, or write the export elsewhere"
    else:
        what = f"cannot write the export ({exc.strerror or exc}); {keep}. Write the export elsewhere"
    return UserError(what, path=target)


def _create_private(temp: Path) -> None:
    """Create ``temp`` empty and readable by its owner only, whatever the umask: exports hold
    health data. Libraries then write into the file as it is, keeping its mode."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(temp, flags, 0o600)
    except FileExistsError:  # left by a killed export of a process with the same id
        temp.unlink()
        fd = os.open(temp, flags, 0o600)
    try:
        if hasattr(os, "fchmod"):  # POSIX; elsewhere the mode above is all there is
            os.fchmod(fd, 0o600)
    finally:
        os.close(fd)


@contextmanager
def atomic_paths(*targets: Path) -> Iterator[list[Path]]:
    """Yield temporary paths for ``targets``; on success move each into place, else remove them.

    With several targets (a Markdown summary and its chart), all are written before any is
    renamed, so a failure while writing leaves none of them. Every file is created readable by
    its owner only (0600). A full disk, a read-only, forbidden or vanished folder is a
    :class:`UserError` naming the export; other errors keep their type.
    """
    targets = tuple(Path(t) for t in targets)
    for target in targets:
        check_target(target)
    temps = [temporary_name(t) for t in targets]
    current = targets[0]
    try:
        try:
            for temp, target in zip(temps, targets):
                current = target
                _create_private(temp)
            current = targets[0]
            yield temps
            for temp, target in zip(temps, targets):
                current = target
                if not temp.stat().st_size:
                    raise RuntimeError(f"exporter did not write {temp}")  # a bug, not a user error
                _fsync(temp)
            for temp, target in zip(temps, targets):
                current = target
                os.replace(temp, target)
            _fsync_folder(targets[0].parent)
        except OSError as exc:
            if exc.errno not in _STORAGE:
                raise
            raise storage_error(exc, current) from None
    except BaseException:
        for temp in temps:
            try:
                temp.unlink(missing_ok=True)
            except OSError:  # a read-only or vanished folder: there is nothing to remove
                pass
        raise


@contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """:func:`atomic_paths` for one file."""
    with atomic_paths(target) as (temp,):
        yield temp


def write_bytes(target: Path, data: bytes) -> None:
    with atomic_path(target) as temp:
        temp.write_bytes(data)


def write_text(target: Path, text: str, *, bom: bool = False) -> None:
    """Write UTF-8 text (with a byte-order mark if ``bom``), ``\\n`` line endings as given."""
    write_bytes(target, (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))


def _fsync(path: Path) -> None:
    """Flush ``path`` to disk, owner-only (a library may have made the file anew)."""
    with open(path, "rb+") as fh:
        if hasattr(os, "fchmod"):
            os.fchmod(fh.fileno(), 0o600)
        os.fsync(fh.fileno())


def _fsync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # not possible on every platform (Windows); the rename is still atomic
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
