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

from ..core.errors import UserError

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


def make_backup(conn: sqlite3.Connection, project: Path, tag: str = AUTO_TAG) -> Path:
    folder = backup_dir(project)
    folder.mkdir(exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    target = folder / f"{project.stem}-{stamp}-{tag}.qualcode"
    tmp = target.with_suffix(".partial")
    dest = sqlite3.connect(tmp)
    try:
        conn.backup(dest)
    finally:
        dest.close()
    os.replace(tmp, target)
    return target


def auto_backup(conn: sqlite3.Connection, project: Path, *, force: bool = False) -> Path | None:
    existing = [p for p in list_backups(project) if p.stem.endswith(f"-{AUTO_TAG}")]
    if not force and existing and time.time() - existing[-1].stat().st_mtime < MIN_INTERVAL:
        return None
    made = make_backup(conn, project)
    for old in existing[: max(0, len(existing) + 1 - KEEP)]:
        old.unlink(missing_ok=True)
    return made


def restore_backup(backup: Path, project: Path) -> None:
    """Put a backup in the project's place; the current state is itself backed up first."""
    if not backup.is_file():
        raise UserError("no such backup", path=backup)
    from .project import Project  # a backup is a project file; open it the careful way

    with Project.open(backup, backup=False) as copy:
        problems = copy.integrity_check()
    if problems:
        raise UserError(f"this copy is damaged too ({problems[0]}); choose another", path=backup)
    src = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
    try:
        dest = sqlite3.connect(project, timeout=10)
        try:
            make_backup(dest, project, tag="before-restore")
            src.backup(dest)
        finally:
            dest.close()
    finally:
        src.close()
