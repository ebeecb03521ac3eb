"""Leftovers of interrupted work beside a project, removed when the project is next opened.

A killed ``.qdpx`` import leaves its hidden working copy (``.NAME.staging-PID``, with ``-wal`` and
``-shm``), a killed ``new_project`` its ``.NAME.creating-PID``, and a killed backup its
``.partial`` file in the backups folder. Each name carries the process id that made it; a
leftover whose process no longer runs is removed (they are copies of health data, so they must
not linger), one whose process still runs is left to it.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

from .fsinfo import pid_alive

_OLD_PARTIAL_AGE = 3600  # seconds: a .partial from before names carried a pid


def clean(project: Path) -> list[Path]:
    """Remove what killed qualcode processes left beside ``project``; returns what went."""
    removed: list[Path] = []
    folder = project.parent
    pattern = re.compile(
        rf"^\.{re.escape(project.name)}\.(?:staging|creating)-(\d+)(?:-wal|-shm|-journal)?$"
    )
    for candidate in _listing(folder, f".{project.name}.*"):
        match = pattern.match(candidate.name)
        if match and not pid_alive(int(match.group(1))):
            removed += _remove(candidate)
    backups = project.with_name(project.name + "-backups")
    for candidate in _listing(backups, "*.partial"):
        match = re.search(r"\.(\d+)\.partial$", candidate.name)
        if match:
            stale = not pid_alive(int(match.group(1)))
        else:
            try:
                stale = time.time() - candidate.stat().st_mtime > _OLD_PARTIAL_AGE
            except OSError:
                stale = False
        if stale:
            removed += _remove(candidate)
    return removed


def remove_database_files(path: Path) -> None:
    """A database file that is not (or no longer) the project, and its journals: removed; what
    cannot be removed now is swept up at the next opening or listed by 'qualcode backups'."""
    for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
        try:
            leftover.unlink(missing_ok=True)
        except OSError:
            pass


def _listing(folder: Path, glob: str) -> list[Path]:
    try:
        return sorted(folder.glob(glob)) if folder.is_dir() else []
    except OSError:
        return []


def _remove(path: Path) -> list[Path]:
    try:
        path.unlink()
    except FileNotFoundError:
        return []
    except OSError:
        return []  # a read-only folder: leave it; 'qualcode backups' still lists it
    return [path]


def pending(project: Path) -> list[Path]:
    """Leftovers still there (of running processes, or that could not be removed)."""
    found = [p for p in _listing(project.parent, f".{project.name}.*")
             if re.search(r"\.(?:staging|creating)-\d+", p.name)]
    return found + _listing(project.with_name(project.name + "-backups"), "*.partial")
