"""``qualcode copy``: a project moved between a file and a PostgreSQL server, either way, whole.

The copy is made in one transaction on a server, or in a hidden file renamed into place, so a
failure (a full disk, a server gone, a name taken meanwhile) leaves nothing half-made. The target
gets every row of the source (see :mod:`.transfer`) and one audit entry more, ``copy``, naming
the hash the source's trail ended with: the chain on the other side is the source's, verifiable
entry by entry, and continues from there.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import audit, transfer
from .base import _busy_timeout_ms
from .connection import SharedConnection
from .pg.url import ServerAddress, is_server_address, location
from .project import Project, _server, new_project_file


@dataclass(frozen=True)
class CopyResult:
    target: str
    counts: dict[str, int]
    source_hash: str | None

    @property
    def units(self) -> int:
        return self.counts.get("codings", 0)


def server_backup_dir(address: str | Path) -> Path:
    """Where copies of a server project are kept: a folder named for it in the current folder."""
    return Path.cwd() / f"{location(address).stem}-server-backups"


def project_backup(project: Project, tag: str) -> Path:
    """A copy of the project kept before a step that cannot be undone (a transcript deleted, a
    redaction): a file project's backup (:mod:`.backup`); a server project copied to a file in
    :func:`server_backup_dir` (readable by its owner only)."""
    from datetime import datetime

    from . import backup as backups

    if project.conn.dialect == "sqlite":
        assert isinstance(project.path, Path)
        return backups.make_backup(project.conn, project.path, tag=tag)
    folder = server_backup_dir(project.path)
    folder.mkdir(mode=0o700, exist_ok=True)
    made = folder / f"{datetime.now().strftime('%Y%m%d-%H%M%S-%f')}-{tag}.qualcode"
    copy_project(project.path, made)
    return made


def copy_project(source: str | Path, target: str | Path, *, who: str | None = None) -> CopyResult:
    """Copy the project at ``source`` to ``target`` (a new file, or an empty server database or
    schema); either may be a file or a server URL."""
    with Project.open(source, backup=False) as src:
        if is_server_address(target):
            return _to_server(src, ServerAddress(str(target)), who)
        return _to_file(src, Path(target), who)


def _finish(conn: SharedConnection, src: Project, who: str | None, *,
            record: bool = True) -> tuple[dict[str, int], str | None]:
    """Fill ``conn`` (in its open transaction) from ``src`` under its own read transaction (one
    moment of it on a server), and write the copy's audit entry."""
    reading = src.conn.dialect != "sqlite"
    with src.conn.locked():
        own = not src.conn.in_transaction  # else: inside the source's own write (a staged change)
        if own and reading:
            src.conn.pg.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")  # type: ignore[attr-defined]
        elif own:
            src.conn.execute("BEGIN")
        try:
            counts = transfer.fill(conn, src.conn)
            last = src.conn.execute("SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
        finally:
            if own:
                src.conn.rollback_quietly()
    source_hash = last[0] if last else None
    if not record:
        return counts, source_hash
    kind = "server" if reading else "file"
    audit.append(conn, who, "copy", f"copied whole from a project {kind}: {counts.get('codings', 0)} units, "
                 f"{counts.get('transcripts', 0)} transcripts, {counts.get('audit_log', 0)} audit entries",
                 {"from": kind, "source_hash": source_hash, "rows": counts})
    return counts, source_hash


def _to_file(src: Project, path: Path, who: str | None, *, record: bool = True) -> CopyResult:
    with new_project_file(path, path.with_name(f".{path.name}.creating-{os.getpid()}")) as conn:
        conn.execute("BEGIN IMMEDIATE")
        try:
            counts, source_hash = _finish(conn, src, who, record=record)
            conn.execute("COMMIT")
        except BaseException:
            conn.rollback_quietly()
            raise
    return CopyResult(str(path), counts, source_hash)


def _to_server(src: Project, address: ServerAddress, who: str | None) -> CopyResult:
    server: Any = _server()
    conn = server.prepare(address, _busy_timeout_ms() / 1000)
    try:
        conn.execute("BEGIN IMMEDIATE")
        try:
            server.create_tables(conn)
            counts, source_hash = _finish(conn, src, who)
            conn.execute("COMMIT")
        except BaseException:
            conn.rollback_quietly()
            raise
    finally:
        server.release(conn)
    return CopyResult(str(address), counts, source_hash)
