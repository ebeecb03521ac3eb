"""Writing export files so that a crash never leaves half a file.

Every exporter writes to a hidden temporary file beside the target and renames it into place
only when the whole file is written and flushed to disk. If anything fails on the way (a bug, a
full disk, Ctrl-C), the temporary file is removed and the target is untouched: an old export of
the same name stays as it was, and no new, truncated one appears.

Libraries such as openpyxl, python-docx and matplotlib want a path to save to, so the unit of
work is a path, not an open file. A temporary name keeps the target's suffix, because some
libraries choose their output format by it.
"""

from __future__ import annotations

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
    if target.is_dir():
        raise UserError("is a folder; give a file name for the export", path=target)
    if not target.parent.is_dir():
        raise UserError("the folder for the export does not exist", path=target)


@contextmanager
def atomic_paths(*targets: Path) -> Iterator[list[Path]]:
    """Yield temporary paths for ``targets``; on success move each into place, else remove them.

    With several targets (a Markdown summary and its chart), all are written before any is
    renamed, so a failure while writing leaves none of them.
    """
    targets = tuple(Path(t) for t in targets)
    for target in targets:
        check_target(target)
    temps = [temporary_name(t) for t in targets]
    try:
        yield temps
        for temp in temps:
            if not temp.exists():
                raise RuntimeError(f"exporter did not write {temp}")  # a bug, not a user error
            _fsync(temp)
        for temp, target in zip(temps, targets):
            os.replace(temp, target)
        _fsync_folder(targets[0].parent)
    except BaseException:
        for temp in temps:
            temp.unlink(missing_ok=True)
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
    with open(path, "rb+") as fh:
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
