"""Putting a backup back in the project's place."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from ..core.errors import UserError
from .backup import make_backup
from .project import Project  # a backup is a project file; open it the careful way


def restore_backup(backup: Path, project: Path) -> None:
    """Put a backup in the project's place; the current state is itself backed up first."""
    if not backup.is_file():
        raise UserError("no such backup", path=backup)
    with Project.open(backup, backup=False) as copy:
        problems = copy.integrity_check()
    if problems:
        raise UserError(f"this copy is damaged too ({problems[0]}); choose another", path=backup)
    src = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
    try:
        # Through the project's own connection: never a second route to the file.
        with Project.open(project, backup=False) as current:
            make_backup(current.conn, project, tag="before-restore")
            with current.conn.locked():
                src.backup(current.conn.raw)
    finally:
        src.close()
