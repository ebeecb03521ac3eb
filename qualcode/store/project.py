"""A qualcode project: one SQLite file, opened safely, changed one user action at a time.

Guarantees the rest of qualcode relies on:

* every user action is one ``BEGIN IMMEDIATE`` ... ``COMMIT`` transaction; when a method returns,
  its change is on disk (WAL, ``synchronous=FULL``), so a coding reported as saved survives a
  killed process or a power cut;
* a second process waits for the write lock (``busy_timeout``) and, if it is still held, gets a
  clear :class:`ProjectBusy` instead of a corrupted file;
* codebook, coding and memo changes are journaled (see :mod:`.schema`) and can be undone and
  redone, across restarts;
* opening a project for work first copies it with SQLite's backup API (see :mod:`.backup`).
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.errors import StorageError, UserError
from ..core.info import ProjectInfo
from . import audit, connection, fsinfo, leftovers
from . import backup as backups
from .base import SQLITE_MAGIC, ProjectBase, _busy_timeout_ms, _network_locks, _now, unjournaled  # noqa: F401
from .connection import SharedConnection
from .pg.url import is_server_address, location
from .repair import STATE_TABLE, RepairStore
from .schema import APPLICATION_ID, JOURNALED, SCHEMA_VERSION, migrate
from .transcripts import ImportResult, RoleRule  # noqa: F401  (where callers import them from)

if TYPE_CHECKING:
    from ..core.codebook import Codebook
    from ..core.models import Memo

AUDIT_SCHEMA = 11  # the schema that brought the audit trail (see store.audit)


class Project(RepairStore):
    """An open project file. Use :meth:`create` or :meth:`open`; close it (or use ``with``).

    Every handle on one file in one process shares that file's one connection (see
    :mod:`.connection`): a second :meth:`open` from a screen or a worker thread is cheap and safe.
    """
    # --- opening and closing -------------------------------------------------------------------

    @classmethod
    def create(cls, path: str | Path, name: str | None = None, codebook: Codebook | None = None) -> Project:
        """A new project: a file, or a PostgreSQL URL (see :mod:`.pg`)."""
        if is_server_address(path):
            return _server().create(cls, location(path), name, codebook, _busy_timeout_ms() / 1000)
        path = Path(path)
        with new_project_file(path, path.with_name(f".{path.name}.creating")) as conn:
            project = cls(conn.path, conn)
            with project.action("create project", kind="create"):
                project.init_meta(name or path.stem, codebook)
            # The creation itself is not something to undo.
            conn.execute("DELETE FROM actions")
        return cls.open(path, backup=False)

    @classmethod
    def open(cls, path: str | Path, *, backup: bool = True) -> Project:
        """Open an existing project (a file or a PostgreSQL URL). ``backup`` makes a rotating
        safety copy of a file first; a server's own backups keep a server project."""
        if is_server_address(path):
            return _server().open_project(cls, location(path), _busy_timeout_ms() / 1000)
        path = Path(path)
        if not path.exists():
            raise UserError("no such project; create one with 'qualcode init'", path=path)
        if path.is_dir():
            raise UserError("is a folder, not a project file", path=path)
        try:
            conn, fresh = connection.acquire(path, cls._connect_checked, _busy_timeout_ms() / 1000, _close_raw)
        except OSError as exc:
            raise UserError(f"cannot open the project file: {exc.strerror}", path=path) from None
        project = cls(path, conn)
        try:
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if app_id != APPLICATION_ID:
                raise UserError("not a qualcode project (an SQLite file of another program)", path=path)
            if version > SCHEMA_VERSION:
                raise UserError(
                    f"made by a newer qualcode (schema {version}, this one knows {SCHEMA_VERSION}); upgrade qualcode",
                    path=path,
                )
            if fresh:  # the first opening in this process sweeps up what killed ones left
                leftovers.clean(path)
            if backup or version < SCHEMA_VERSION:
                project.backup_path = backups.auto_backup(conn, path, force=version < SCHEMA_VERSION)
            if version < SCHEMA_VERSION:
                try:
                    migrate(conn, version)
                except (sqlite3.Error, StorageError) as exc:
                    if isinstance(exc, StorageError) and exc.fatal:
                        raise
                    raise UserError(
                        f"could not upgrade the project from schema {version} to {SCHEMA_VERSION} ({exc}); "
                        f"the file is unchanged and a copy is in {project.backup_path}",
                        path=path,
                    ) from None
                if version < AUDIT_SCHEMA:
                    project._start_audit_trail(version)
        except (sqlite3.DatabaseError, UnicodeDecodeError) as exc:
            project.close()
            raise UserError(f"project file is damaged: {exc}", path=path) from None
        except BaseException:
            project.close()
            raise
        return project

    def init_meta(self, name: str, codebook: Codebook | None) -> None:
        """A new project's name, its time and its codebook (inside the creating action)."""
        conn = self.conn
        conn.execute("INSERT INTO meta VALUES ('name', ?)", (name,))
        conn.execute("INSERT INTO meta VALUES ('created_at', ?)", (_now(),))
        if codebook is not None:
            conn.execute("INSERT INTO meta VALUES ('codebook_name', ?)", (codebook.name,))
            conn.execute("INSERT INTO meta VALUES ('codebook_description', ?)", (codebook.description,))
            self._insert_codes(codebook.codes)

    def _start_audit_trail(self, version: int) -> None:
        """A file from before the audit trail (schema 11) starts it at the upgrade, with one entry
        saying so and what the project held then: its transcripts' checksums and its units."""
        with self.transaction() as conn:
            if conn.execute("SELECT 1 FROM audit_log LIMIT 1").fetchone() is not None:
                return  # another process upgraded it first
            tids = [r[0] for r in conn.execute("SELECT id FROM transcripts ORDER BY seq")]
            texts = audit.text_detail(conn, tids)
            for text in texts.values():
                text["made"] = "before the audit trail"
            units = [r[0] for r in conn.execute("SELECT id FROM codings ORDER BY id")]
            audit.append(conn, None, "upgrade",
                         f"audit trail begins: project upgraded from schema {version} to {SCHEMA_VERSION}; "
                         "changes before this are not in the trail",
                         {"from_schema": version, "to_schema": SCHEMA_VERSION, "transcripts": texts,
                          "units": audit.ranges(units), "unit_count": len(units),
                          "codes": conn.execute("SELECT count(*) FROM codes").fetchone()[0]})

    @classmethod
    def _connect_checked(cls, path: Path) -> sqlite3.Connection:
        """The first connection of this process to ``path``: nothing else has it open here yet,
        so reading its header with ``open()`` cannot drop a lock."""
        try:
            with open(path, "rb") as fh:
                head = fh.read(len(SQLITE_MAGIC))
        except OSError as exc:
            raise UserError(f"cannot read the project file: {exc.strerror}", path=path) from None
        if head != SQLITE_MAGIC:
            raise UserError("not a qualcode project (not an SQLite file)", path=path)
        return cls._connect(path)

    @staticmethod
    def _connect(path: Path) -> sqlite3.Connection:
        network = fsinfo.is_network(path)
        lock = fsinfo.LockFile.for_project(path) if network else None
        if lock is not None:
            lock.take()
        try:
            conn = sqlite3.connect(
                path, isolation_level=None, timeout=_busy_timeout_ms() / 1000, check_same_thread=False
            )
        except sqlite3.Error as exc:
            if lock is not None:
                lock.release()
            raise connection.storage_error(exc, path) from None
        try:
            conn.row_factory = sqlite3.Row
            conn.execute(f"PRAGMA busy_timeout = {_busy_timeout_ms()}")
            # WAL's shared memory does not work across machines: a rollback journal there.
            conn.execute("PRAGMA journal_mode = DELETE" if network else "PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = FULL")
            conn.execute("PRAGMA foreign_keys = ON")
        except (sqlite3.Error, UnicodeDecodeError) as exc:
            conn.close()
            if lock is not None:
                lock.release()
            raise connection.storage_error(exc, path) from None
        if lock is not None:
            _network_locks[id(conn)] = lock
        return conn

    def info(self) -> ProjectInfo:
        def count(sql: str) -> int:
            return self.conn.execute(sql).fetchone()[0]

        return ProjectInfo(
            name=self.name,
            path=str(self.path),
            created_at=datetime.fromisoformat(self.meta("created_at") or "1970-01-01T00:00:00+00:00"),
            schema_version=(self.conn.execute("PRAGMA user_version").fetchone()[0] if self.conn.dialect == "sqlite"
                            else _server().schema_version(self.conn)),
            codebook=self.meta("codebook_name"),
            transcripts=count("SELECT count(*) FROM transcripts"),
            words=count("SELECT coalesce(sum(words), 0) FROM transcripts"),
            groups=count("SELECT count(*) FROM groups"),
            codes=count("SELECT count(*) FROM codes"),
            codings=count("SELECT count(*) FROM codings"),
            coders=self.coders(),
            memos=count("SELECT count(*) FROM memos"),
        )

    # --- memos ---------------------------------------------------------------------------------

    def add_memo(self, text: str, *, target_type: str = "project", target_id: str | None = None,
                 author: str | None = None, start: int | None = None, end: int | None = None,
                 created_at: datetime | None = None, updated_at: datetime | None = None) -> Memo:
        """A memo on the project, a transcript (or a span of it: ``start``, ``end``), a code or a
        unit. ``created_at``/``updated_at`` keep the times another tool recorded (an import)."""
        if (start is None) != (end is None):
            raise UserError("a memo on a span needs both its start and its end")
        if start is not None and target_type != "transcript":
            raise UserError("only a memo on a transcript can be on a span of it")
        if target_type == "transcript" and target_id is not None:
            target_id = self.transcript(target_id).id
            if start is not None and end is not None:
                _, length = self._text_length(target_id)
                if not 0 <= start < end <= length:
                    raise UserError(f"span {start}-{end} is not inside {target_id} (offsets 0-{length})")
        elif target_type == "code" and target_id is not None:
            target_id = self.code(target_id).id
        elif target_type == "coding" and target_id is not None:
            target_id = str(self.coding(int(target_id)).id)
        elif target_type != "project":
            raise UserError(f"a memo on a {target_type} needs its id")
        if not text.strip():
            raise UserError("the memo is empty")
        with self.action(f"memo on {target_type}", author) as conn:
            created = created_at.isoformat() if created_at else _now()
            updated = updated_at.isoformat() if updated_at else created
            cur = conn.execute(
                "INSERT INTO memos (target_type, target_id, author, text, created_at, updated_at, start, end)"
                " VALUES (?,?,?,?,?,?,?,?)",
                (target_type, target_id, author, text, created, updated, start, end),
            )
            memo_id = cur.lastrowid
        return self.memos(memo_id=memo_id)[0]

    def memos(self, *, target_type: str | None = None, target_id: str | None = None,
              memo_id: int | None = None) -> list[Memo]:
        from ..core.models import Memo

        sql, args = "SELECT * FROM memos WHERE 1=1", []
        for column, value in (("target_type", target_type), ("target_id", target_id), ("id", memo_id)):
            if value is not None:
                sql += f" AND {column} = ?"
                args.append(value)
        rows = self.conn.execute(sql + " ORDER BY created_at, id", args).fetchall()
        return [
            Memo(id=r["id"], target_type=r["target_type"], target_id=r["target_id"], author=r["author"],
                 text=r["text"], created_at=datetime.fromisoformat(r["created_at"]),
                 updated_at=datetime.fromisoformat(r["updated_at"]), start=r["start"], end=r["end"])
            for r in rows
        ]

    # --- identifiers other tools gave ----------------------------------------------------------

    def refi_guids(self, kind: str) -> dict[str, str]:
        """The GUIDs a REFI-QDA file gave this project's sources, codes or users (``kind``
        ``source``, ``code``, ``user``), by transcript id, code id or coder."""
        rows = self.conn.execute("SELECT key, guid FROM refi_guids WHERE kind = ?", (kind,)).fetchall()
        return {r[0]: r[1] for r in rows}

    def remember_refi_guids(self, kind: str, mapping: dict[str, str]) -> None:
        """Keep the GUIDs an imported file gave (the first one kept wins), so that the next export
        writes them again and the other tool sees the same objects come back."""
        if kind not in ("source", "code", "user"):
            raise ValueError(f"unknown kind of REFI GUID: {kind}")
        with self.transaction() as conn:
            conn.executemany("INSERT INTO refi_guids (kind, key, guid) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                             [(kind, key, guid.lower()) for key, guid in mapping.items()])

    # --- undo and redo -------------------------------------------------------------------------

    def history(self, coder: str | None = None, limit: int = 20) -> list[dict[str, Any]]:
        rows = self.conn.execute(
            "SELECT id, label, coder, created_at, undone FROM actions"
            " WHERE (? IS NULL OR coder IS ?) ORDER BY id DESC LIMIT ?",
            (coder, coder, limit),
        ).fetchall()
        return [dict(r) | {"undone": bool(r["undone"])} for r in rows]

    def undo(self, coder: str | None = None) -> str | None:
        """Undo the newest action (of ``coder``, if given). Returns its label, or None."""
        with self.transaction() as conn:
            row = conn.execute(
                "SELECT id, label FROM actions WHERE undone = 0 AND (? IS NULL OR coder IS ?)"
                " ORDER BY id DESC LIMIT 1",
                (coder, coder),
            ).fetchone()
            if row is None:
                return None
            self._replay(conn, row["id"], backwards=True)
            seq = conn.execute("SELECT coalesce(max(undone), 0) + 1 FROM actions WHERE undone > 0").fetchone()[0]
            conn.execute("UPDATE actions SET undone = ? WHERE id = ?", (seq, row["id"]))
            self._audit_replay(conn, row["id"], backwards=True, coder=coder)
            return row["label"]

    def redo(self, coder: str | None = None) -> str | None:
        """Redo the most recently undone action (of ``coder``, if given). Returns its label."""
        with self.transaction() as conn:
            row = conn.execute(
                "SELECT id, label FROM actions WHERE undone > 0 AND (? IS NULL OR coder IS ?)"
                " ORDER BY undone DESC LIMIT 1",
                (coder, coder),
            ).fetchone()
            if row is None:
                return None
            self._replay(conn, row["id"], backwards=False)
            conn.execute("UPDATE actions SET undone = 0 WHERE id = ?", (row["id"],))
            self._audit_replay(conn, row["id"], backwards=False, coder=coder)
            return row["label"]

    def _audit_replay(self, conn: SharedConnection, action_id: int, *, backwards: bool, coder: str | None) -> None:
        """The audit entry of an undo or a redo, in its transaction: the action it names and the
        rows it changed back (or again)."""
        action = conn.execute("SELECT id, label, coder, created_at FROM actions WHERE id = ?", (action_id,)).fetchone()
        audit.record_replay(conn, dict(action), backwards=backwards, who=coder)

    def _replay(self, conn: SharedConnection, action_id: int, *, backwards: bool) -> None:
        changes = conn.execute(
            "SELECT tbl, old, new FROM changes WHERE action_id = ? ORDER BY id " + ("DESC" if backwards else "ASC"),
            (action_id,),
        ).fetchall()
        with unjournaled(conn):
            for change in changes:
                table = change["tbl"]
                old = json.loads(change["old"]) if change["old"] else None
                new = json.loads(change["new"]) if change["new"] else None
                if table == STATE_TABLE:  # a transcript repair (see store.repair)
                    assert old is not None and new is not None
                    self.replay_repair(conn, old, new, backwards=backwards)
                    continue
                key_column = JOURNALED[table][0]
                expected, wanted = (new, old) if backwards else (old, new)
                image = expected or wanted
                assert image is not None  # a change row has an old or a new image
                key = image[key_column]
                # An image holds the columns of its day; a column added later keeps its current value.
                columns = list(image.keys())
                row = conn.execute(f"SELECT * FROM {table} WHERE {key_column} = ?", (key,)).fetchone()
                current = {c: row[c] for c in columns} if row else None
                if current != expected:
                    raise UserError(
                        "cannot undo: what it changed has been changed again since" if backwards
                        else "cannot redo: what it changed has been changed again since"
                    )
                if wanted is None:
                    conn.execute(f"DELETE FROM {table} WHERE {key_column} = ?", (key,))
                elif expected is None:
                    conn.execute(
                        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
                        [wanted[c] for c in columns],
                    )
                else:
                    rest = [c for c in columns if c != key_column]
                    conn.execute(
                        f"UPDATE {table} SET {', '.join(f'{c} = ?' for c in rest)} WHERE {key_column} = ?",
                        [wanted[c] for c in rest] + [key],
                    )

    # --- health --------------------------------------------------------------------------------

    def integrity_check(self) -> list[str]:
        """SQLite's own check plus foreign keys; an empty list means healthy (a server checks its
        own pages and keys)."""
        if self.conn.dialect != "sqlite":
            return []
        problems = [r[0] for r in self.conn.execute("PRAGMA integrity_check") if r[0] != "ok"]
        problems += [f"broken reference in {r[0]} row {r[1]}" for r in self.conn.execute("PRAGMA foreign_key_check")]
        return problems


@contextmanager
def new_project_file(path: Path, tmp: Path) -> Iterator[SharedConnection]:
    """A new project file made whole in the hidden file ``tmp`` (empty tables at this schema,
    readable by its owner only) and renamed to ``path`` only when the block succeeds: a failure,
    or a file that appeared at ``path`` meanwhile, leaves nothing behind."""
    if path.exists():
        raise UserError("a file with this name exists already; choose another name", path=path)
    if not path.parent.is_dir():
        raise UserError("the folder for the project does not exist", path=path)
    leftovers.remove_database_files(tmp)
    try:
        try:
            # Health data: readable by its owner only, whatever the umask (the journals follow).
            os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        except OSError as exc:
            raise UserError(f"cannot create the project file: {exc.strerror}", path=path) from None
        raw = Project._connect(tmp)
        conn = SharedConnection(tmp, raw, (0, 0), _busy_timeout_ms() / 1000, _close_raw)
        try:
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            migrate(conn, 0)
            yield conn
            if conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal":
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            _close_raw(raw)
        if path.exists():
            raise UserError("the project file appeared meanwhile; nothing was changed", path=path)
        os.replace(tmp, path)
    finally:
        leftovers.remove_database_files(tmp)


def _server() -> Any:
    """The server backend, imported when a URL is used: psycopg is an optional dependency."""
    try:
        from .pg import opening
    except ImportError as exc:
        raise UserError("a PostgreSQL project needs the 'team' extra (pip install 'qualcode[team]'): "
                        f"{exc}") from None
    return opening


def _close_raw(raw: sqlite3.Connection) -> None:
    """Close a connection of this module's making, and give up its network lock file."""
    try:
        raw.close()
    finally:
        lock = _network_locks.pop(id(raw), None)
        if lock is not None:
            lock.release()
