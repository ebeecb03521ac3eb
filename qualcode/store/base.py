"""The ground floor of a project handle: the shared connection, transactions, undoable actions
and the project's metadata. :class:`~qualcode.store.project.Project` builds on it, one floor a
module (transcripts, codebook, codings).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Self

from ..core.errors import StorageError
from . import audit, connection, fsinfo
from .connection import SharedConnection
from .pg.url import ServerAddress

SQLITE_MAGIC = b"SQLite format 3\x00"
DEFAULT_BUSY_TIMEOUT_MS = 10_000
_network_locks: dict[int, fsinfo.LockFile] = {}  # raw connection id -> its lock file


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


@contextmanager
def unjournaled(conn: SharedConnection) -> Iterator[SharedConnection]:
    """Changes made inside leave no undo journal entries (an undo replaying its images, a bulk
    import, offsets a text repair moves); whether the journal records is as it was afterwards,
    also after an error. Inside the caller's transaction."""
    recording = conn.execute("SELECT recording FROM journal_state WHERE id = 1").fetchone()[0]
    conn.execute("UPDATE journal_state SET recording = 0")
    try:
        yield conn
    finally:
        conn.execute("UPDATE journal_state SET recording = ?", (recording,))


def _busy_timeout_ms() -> int:
    value = os.environ.get("QUALCODE_BUSY_TIMEOUT_MS")
    return int(value) if value and value.isdigit() else DEFAULT_BUSY_TIMEOUT_MS


class ProjectBase:
    """The connection and its transactions; see :class:`~qualcode.store.project.Project`."""

    def __init__(self, path: Path | ServerAddress, conn: SharedConnection):
        self.path = path
        self.conn = conn
        self.backup_path: Path | None = None
        self._closed = False
        self._audit_note: dict[str, Any] | None = None  # the open action's additions to its audit entry
        self._audit_paused = 0

    @property
    def storage(self) -> str:
        """How the project is kept safe where it lives, for ``info`` and the workbench."""
        if self.conn.dialect != "sqlite":
            return "PostgreSQL server: several coders at once; kept by the server's own backups"
        assert isinstance(self.path, Path)
        if fsinfo.is_network(self.path):
            kind = fsinfo.filesystem_type(self.path) or "network"
            return (f"network folder ({kind}): rollback journal, one qualcode at a time "
                    f"(lock file {fsinfo.LockFile.for_project(self.path).path.name})")
        return "local disk: write-ahead log, several processes at once"

    def may_write(self, table: str = "codings") -> bool:
        """Whether this connection may change ``table``: always on a file; on a server, as the
        role's grants say (a reader may not; see :mod:`.pg.team`)."""
        if self.conn.dialect == "sqlite":
            return True
        row = self.conn.execute("SELECT has_table_privilege(current_user, ?, 'INSERT')", (table,)).fetchone()
        return bool(row and row[0])

    def data_version(self, *, wait: bool = True) -> int | None:
        """A number that changes whenever another process has committed a change (None when
        ``wait`` is false and another thread of this process is using the project)."""
        return self.conn.data_version(wait=wait)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self.conn.dialect == "sqlite":
            connection.release(self.conn)
        else:
            from .pg.connection import release

            release(self.conn)  # type: ignore[arg-type]

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- transactions --------------------------------------------------------------------------

    def begin_write(self) -> None:
        """Take the write lock now (BEGIN IMMEDIATE), waiting up to the busy timeout; a lock held
        longer by another process is a :class:`ProjectBusy`, not a corrupted file. Only inside
        :meth:`transaction`, which holds this process's connection lock around it."""
        self.conn.execute("BEGIN IMMEDIATE")

    def _check_still_there(self) -> None:
        """A file deleted or replaced under an open connection takes writes into a ghost: refuse,
        rather than report as saved what no one will ever see."""
        if self.conn.key == (0, 0) or not isinstance(self.path, Path):
            return
        try:
            same = connection.file_key(self.path) == self.conn.key
        except OSError:
            same = False
        if not same:
            raise StorageError(
                "the project file was moved, replaced or deleted while open; nothing more can be saved "
                "to it from here. Close qualcode and open the project where it is now", path=self.path, fatal=True,
            )

    @contextmanager
    def transaction(self) -> Iterator[SharedConnection]:
        """One write transaction, taken with the write lock up front (no deadlock on upgrade).

        A failed COMMIT (disk full, say) ends in a rolled-back transaction and a
        :class:`StorageError`; the connection stays usable for the next step.
        """
        with self.conn.locked():
            self.begin_write()
            try:
                self._check_still_there()
                yield self.conn
            except BaseException:
                self.conn.rollback_quietly()
                raise
            try:
                self.conn.execute("COMMIT")
            except BaseException:
                self.conn.rollback_quietly()
                raise

    @contextmanager
    def action(self, label: str, coder: str | None = None, *, kind: str = "action",
               summary: str | None = None) -> Iterator[SharedConnection]:
        """One undoable user action: a transaction whose row changes are journaled under ``label``.

        Its audit entry (``kind``; ``summary``, else the label) is written at its end, in the
        same transaction, with the rows it changed (see :func:`.audit.record_action`); the body
        adds to the entry's detail with :meth:`audit_note`."""
        with self.transaction() as conn:
            if coder is not None:
                conn.execute("DELETE FROM actions WHERE undone > 0 AND coder IS ?", (coder,))
            else:
                conn.execute("DELETE FROM actions WHERE undone > 0")
            created = _now()
            cur = conn.execute("INSERT INTO actions (label, coder, created_at) VALUES (?, ?, ?)",
                               (label, coder, created))
            assert cur.lastrowid is not None
            note: dict[str, Any] = {}
            outer, self._audit_note = self._audit_note, note
            try:
                yield conn
            finally:
                self._audit_note = outer
            if not self._audit_paused:
                audit.record_action(conn, cur.lastrowid, created, label=note.pop("summary", None) or summary or label,
                                    who=coder, kind=kind, note=note)

    def audit_note(self, **detail: Any) -> None:
        """Inside :meth:`action`: more for its audit entry's detail (``summary``: its line)."""
        if self._audit_note is None:
            raise RuntimeError("bug: an audit note belongs inside an action")
        self._audit_note.update(detail)

    @contextmanager
    def audit_paused(self) -> Iterator[None]:
        """Changes that a caller records as one entry of its own (a REFI-QDA import, made on a
        staging copy): the actions and imports inside write none."""
        self._audit_paused += 1
        try:
            yield
        finally:
            self._audit_paused -= 1

    @property
    def audit_recording(self) -> bool:
        return not self._audit_paused

    # --- project metadata ----------------------------------------------------------------------

    def meta(self, key: str, default: str | None = None) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    @property
    def name(self) -> str:
        return self.meta("name") or self.path.stem
