"""Big changes made on a copy and put in place whole: all or nothing, for a whole project.

A change that runs through thousands of public store calls (importing a REFI-QDA project, say)
cannot be one transaction on the project itself. :func:`staged` takes the project's write lock,
copies the project with SQLite's backup API, and yields the copy to work on. When the block ends
without an error the copy's tables replace the project's in one transaction, still under the
lock taken before the copy was made, so no other process's change can come between; on any error
the project stays as it was. The copy is removed either way.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..core.errors import UserError
from . import audit
from .leftovers import remove_database_files
from .pg.url import is_server_address, location
from .project import Project


@contextmanager
def staged(project_path: str | Path) -> Iterator[Project]:
    """A working copy of an existing project; on success its contents become the project's."""
    if is_server_address(project_path):
        with _staged_on_server(location(project_path)) as copy:
            yield copy
        return
    project_path = Path(project_path)
    staging = project_path.with_name(f".{project_path.name}.staging-{os.getpid()}")
    remove_database(staging)
    with Project.open(project_path, backup=False) as target:
        try:
            with target.transaction() as conn:  # the write lock, held until the copy is in place
                _copy_private(project_path, staging)
                with Project.open(staging, backup=False) as copy:
                    # Thrown away on failure, copied in one transaction on success: no fsync per change.
                    copy.conn.execute("PRAGMA synchronous = OFF")
                    yield copy
                    copy.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                _replace_contents(conn, staging)
        finally:
            remove_database(staging)


@contextmanager
def _staged_on_server(address: str | Path) -> Iterator[Project]:
    """:func:`staged` for a server project: the working copy is a private file, made and put
    back inside one server transaction that holds the project's write lock throughout."""
    from .copying import _to_file
    from .transfer import empty, fill

    folder = Path(tempfile.mkdtemp(prefix="qualcode-staging-"))  # mode 0700: health data
    staging = folder / "staging.qualcode"
    try:
        with Project.open(address, backup=False) as target, target.transaction() as conn:
            _to_file(target, staging, None, record=False)
            with Project.open(staging, backup=False) as copy:
                copy.conn.execute("PRAGMA synchronous = OFF")
                yield copy
                copy.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                empty(conn, keep=_NOT_COPIED)
                with copy.conn.locked():
                    fill(conn, copy.conn, skip=_NOT_COPIED)
            source = sqlite3.connect(f"file:{staging}?mode=ro", uri=True)
            try:
                _carry_audit_entries(conn, source)
            finally:
                source.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _copy_private(project_path: Path, staging: Path) -> None:
    """Copy the project as last committed into ``staging``, readable by its owner only.

    The copy is read by a second, read-only SQLite connection: SQLite keeps its own descriptors
    of a file open while any connection of the process holds a lock on it, so this is safe beside
    the project's connection (which holds the write lock and so cannot be the backup's source).
    """
    try:
        os.close(os.open(staging, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))
    except OSError as exc:
        raise UserError(f"cannot write a working copy beside the project ({exc.strerror})", path=staging) from None
    reader = sqlite3.connect(f"file:{project_path}?mode=ro", uri=True)
    try:
        dest = sqlite3.connect(staging)
        try:
            reader.backup(dest)
        finally:
            dest.close()
    finally:
        reader.close()


@contextmanager
def new_project(project_path: str | Path, name: str | None = None) -> Iterator[Project]:
    """A new project built in a hidden file and renamed into place only if the block succeeds."""
    project_path = Path(project_path)
    if not project_path.parent.is_dir():
        raise UserError("the folder for the project does not exist", path=project_path)
    staging = project_path.with_name(f".{project_path.name}.creating-{os.getpid()}")
    remove_database(staging)
    try:
        with Project.create(staging, name=name or project_path.stem) as project:
            project.conn.execute("PRAGMA synchronous = OFF")
            yield project
            project.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        if project_path.exists():
            raise UserError("the project file appeared meanwhile; nothing was changed", path=project_path)
        os.replace(staging, project_path)
    finally:
        remove_database(staging)


def _replace_contents(conn, staging: Path) -> None:
    """Make ``conn``'s database (in an open transaction) hold exactly what ``staging`` holds; the
    caller commits."""
    source = sqlite3.connect(f"file:{staging}?mode=ro", uri=True)
    try:
        tables = [r[0] for r in source.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
        mine = {r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")}
        if set(tables) != mine:
            raise RuntimeError("staging copy and project differ in tables")  # a bug: the copy came from the project
        order = _parents_first(source, tables)
        conn.execute("PRAGMA defer_foreign_keys = ON")
        conn.execute("UPDATE journal_state SET recording = 0")  # the copy's own journal comes along as rows
        for table in reversed(order):
            if table not in _NOT_COPIED:
                conn.execute(f'DELETE FROM "{table}"')
        for table in order:
            if table in _NOT_COPIED:
                continue
            columns = [r[1] for r in source.execute(f'PRAGMA table_info("{table}")')]
            names = ", ".join(f'"{c}"' for c in columns)
            rows = source.execute(f'SELECT {names} FROM "{table}"')
            conn.executemany(f'INSERT INTO "{table}" ({names}) VALUES ({", ".join("?" * len(columns))})', rows)
        conn.execute("UPDATE journal_state SET recording = 1")
        _carry_audit_entries(conn, source)
    finally:
        source.close()


_NOT_COPIED = {"journal_state", "audit_log"}  # one row of state; the trail, append-only


def _carry_audit_entries(conn, source: sqlite3.Connection) -> None:
    """The entries the copy added to the trail, appended to the project's own (never copied
    over it: the trail only grows, and every entry is written by :func:`.audit.append`)."""
    mine = conn.execute("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
    top = mine[0] if mine else 0
    if mine is not None:
        theirs = source.execute("SELECT hash FROM audit_log WHERE id = ?", (top,)).fetchone()
        if theirs is None or theirs[0] != mine[1]:
            raise RuntimeError("staging copy's audit trail does not continue the project's")  # a bug
    for who, kind, summary, detail in source.execute(
            "SELECT who, kind, summary, detail FROM audit_log WHERE id > ? ORDER BY id", (top,)).fetchall():
        audit.append(conn, who, kind, summary, json.loads(detail))


def _parents_first(conn: sqlite3.Connection, tables: list[str]) -> list[str]:
    parents = {t: {r[2] for r in conn.execute(f'PRAGMA foreign_key_list("{t}")') if r[2] != t} for t in tables}
    ordered: list[str] = []
    while len(ordered) < len(tables):
        ready = [t for t in tables if t not in ordered and parents[t] <= set(ordered)]
        if not ready:  # a cycle: foreign keys are deferred anyway
            ready = [t for t in tables if t not in ordered]
        ordered.extend(sorted(ready))
    return ordered


def remove_database(path: Path) -> None:
    """A working copy and its journals, and what Project.create left if it was made by one."""
    remove_database_files(path)
    remove_database_files(path.with_name(f".{path.name}.creating"))

