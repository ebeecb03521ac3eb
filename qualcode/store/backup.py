"""Rotating safety copies of a project, made with SQLite's online backup API.

Copies live in ``<project>-backups/`` beside the project file. Opening a project for work makes
a copy unless the newest is younger than :data:`MIN_INTERVAL`, so a script that calls qualcode a
hundred times does not push every useful copy out; the newest :data:`KEEP` automatic copies are
kept. Copies made on request (``qualcode backup``) are never rotated away.
"""

from __future__ import annotations

import os
import sqlite3
import time
from datetime import datetime
from pathlib import Path

from ..core.errors import StorageError
from .leftovers import remove_database_files

KEEP = 10
MIN_INTERVAL = 10 * 60  # seconds
AUTO_TAG = "auto"


def backup_dir(project: Path) -> Path:
    return project.with_name(project.name + "-backups")


def list_backups(project: Path) -> list[Path]:
    folder = backup_dir(project)
    if not folder.is_dir():
        return []
    return sorted(folder.glob(f"{project.stem}-*.qualcode"), key=lambda p: p.stat().st_mtime)


def make_backup(conn, project: Path, tag: str = AUTO_TAG) -> Path:
    """Copy the project (through its open connection ``conn``) into the backups folder.

    The copy is written as ``….PID.partial`` (readable by its owner only) and renamed when whole;
    a failure leaves nothing behind and says which folder could not be written.
    """
    folder = backup_dir(project)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    target = folder / f"{project.stem}-{stamp}-{tag}.qualcode"
    tmp = folder / f"{target.stem}.{os.getpid()}.partial"
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))
        dest = sqlite3.connect(tmp)
        try:
            conn.backup(dest)
        finally:
            dest.close()
        os.replace(tmp, target)
    except (OSError, sqlite3.Error) as exc:
        remove_database_files(tmp)
        if isinstance(exc, StorageError):  # the project itself failed, not the folder
            raise
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise StorageError(
            f"cannot write a safety copy into the backups folder {folder} ({reason}); "
            "the project was not changed. Make that folder writable or free some space",
            path=project,
        ) from None
    except BaseException:
        remove_database_files(tmp)
        raise
    return target


def auto_backup(conn, project: Path, *, force: bool = False) -> Path | None:
    existing = [p for p in list_backups(project) if p.stem.endswith(f"-{AUTO_TAG}")]
    if not force and existing and time.time() - existing[-1].stat().st_mtime < MIN_INTERVAL:
        return None
    made = make_backup(conn, project)
    for old in existing[: max(0, len(existing) + 1 - KEEP)]:
        old.unlink(missing_ok=True)
    return made
