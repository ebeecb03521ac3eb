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

import fnmatch
import hashlib
import json
import os
import re
import sqlite3
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..core.codebook import Codebook
from ..core.edits import TextEdit, apply_edits
from ..core.errors import StorageError, UserError
from ..core.models import check_coder
from ..core.models import (
    CodeNode,
    Coding,
    FocusGroup,
    Memo,
    ProjectInfo,
    Speaker,
    Transcript,
    Turn,
    format_timestamp,
)
from ..core.text import count_words, normalize_text
from ..core.units import MeaningUnit, UnitFilter
from . import backup as backups
from . import connection, fsinfo, leftovers
from .connection import SharedConnection
from .schema import APPLICATION_ID, JOURNALED, SCHEMA_VERSION, migrate

SQLITE_MAGIC = b"SQLite format 3\x00"
DEFAULT_BUSY_TIMEOUT_MS = 10_000
_network_locks: dict[int, fsinfo.LockFile] = {}  # raw connection id -> its lock file


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def _busy_timeout_ms() -> int:
    value = os.environ.get("QUALCODE_BUSY_TIMEOUT_MS")
    return int(value) if value and value.isdigit() else DEFAULT_BUSY_TIMEOUT_MS


@dataclass(frozen=True, slots=True)
class RoleRule:
    """``pattern=role``: speakers whose label matches the glob ``pattern`` get ``role``."""

    pattern: str
    role: str

    @classmethod
    def parse(cls, spec: str) -> RoleRule:
        pattern, sep, role = spec.partition("=")
        if not sep or not pattern.strip() or not role.strip():
            raise UserError(f"role rule {spec!r} must look like PATTERN=ROLE, for example 'P*=pasient'")
        return cls(pattern.strip(), role.strip())

    def matches(self, label: str) -> bool:
        return fnmatch.fnmatchcase(label.casefold(), self.pattern.casefold())


@dataclass(slots=True)
class ImportResult:
    transcript: Transcript
    warnings: list[str]
    unmatched_speakers: list[str]


class Project:
    """An open project file. Use :meth:`create` or :meth:`open`; close it (or use ``with``).

    Every handle on one file in one process shares that file's one connection (see
    :mod:`.connection`): a second :meth:`open` from a screen or a worker thread is cheap and safe.
    """

    def __init__(self, path: Path, conn: SharedConnection):
        self.path = path
        self.conn = conn
        self.backup_path: Path | None = None
        self._closed = False

    # --- opening and closing -------------------------------------------------------------------

    @classmethod
    def create(cls, path: str | Path, name: str | None = None, codebook: Codebook | None = None) -> Project:
        path = Path(path)
        if path.exists():
            raise UserError("a file with this name exists already; choose another name", path=path)
        if not path.parent.is_dir():
            raise UserError("the folder for the project does not exist", path=path)
        tmp = path.with_name(f".{path.name}.creating")
        leftovers.remove_database_files(tmp)
        try:
            try:
                # Health data: readable by its owner only, whatever the umask (the journals follow).
                os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
            except OSError as exc:
                raise UserError(f"cannot create the project file: {exc.strerror}", path=path) from None
            raw = cls._connect(tmp)
            conn = SharedConnection(tmp, raw, (0, 0), _busy_timeout_ms() / 1000, _close_raw)
            try:
                conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                migrate(conn, 0)
                project = cls(tmp, conn)
                with project.action("create project"):
                    conn.execute("INSERT INTO meta VALUES ('name', ?)", (name or path.stem,))
                    conn.execute("INSERT INTO meta VALUES ('created_at', ?)", (_now(),))
                    if codebook is not None:
                        conn.execute("INSERT INTO meta VALUES ('codebook_name', ?)", (codebook.name,))
                        conn.execute("INSERT INTO meta VALUES ('codebook_description', ?)", (codebook.description,))
                        project._insert_codes(codebook.codes)
                # The creation itself is not something to undo.
                conn.execute("DELETE FROM actions")
                if conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal":
                    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                _close_raw(raw)
            os.replace(tmp, path)
        except BaseException:
            leftovers.remove_database_files(tmp)
            raise
        return cls.open(path, backup=False)

    @classmethod
    def open(cls, path: str | Path, *, backup: bool = True) -> Project:
        """Open an existing project. ``backup`` makes a rotating safety copy first."""
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
        except (sqlite3.DatabaseError, UnicodeDecodeError) as exc:
            project.close()
            raise UserError(f"project file is damaged: {exc}", path=path) from None
        except BaseException:
            project.close()
            raise
        return project

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

    @property
    def storage(self) -> str:
        """How the project is kept safe where it lives, for ``info`` and the workbench."""
        if fsinfo.is_network(self.path):
            kind = fsinfo.filesystem_type(self.path) or "network"
            return (f"network folder ({kind}): rollback journal, one qualcode at a time "
                    f"(lock file {fsinfo.LockFile.for_project(self.path).path.name})")
        return "local disk: write-ahead log, several processes at once"

    def data_version(self, *, wait: bool = True) -> int | None:
        """A number that changes whenever another process has committed a change (None when
        ``wait`` is false and another thread of this process is using the project)."""
        return self.conn.data_version(wait=wait)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        connection.release(self.conn)

    def __enter__(self) -> Project:
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
        if self.conn.key == (0, 0):
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
    def action(self, label: str, coder: str | None = None) -> Iterator[sqlite3.Connection]:
        """One undoable user action: a transaction whose row changes are journaled under ``label``."""
        with self.transaction() as conn:
            if coder is not None:
                conn.execute("DELETE FROM actions WHERE undone > 0 AND coder IS ?", (coder,))
            else:
                conn.execute("DELETE FROM actions WHERE undone > 0")
            conn.execute(
                "INSERT INTO actions (label, coder, created_at) VALUES (?, ?, ?)", (label, coder, _now())
            )
            yield conn

    # --- project metadata ----------------------------------------------------------------------

    def meta(self, key: str, default: str | None = None) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    @property
    def name(self) -> str:
        return self.meta("name") or self.path.stem

    def info(self) -> ProjectInfo:
        def count(sql: str) -> int:
            return self.conn.execute(sql).fetchone()[0]

        return ProjectInfo(
            name=self.name,
            path=str(self.path),
            created_at=datetime.fromisoformat(self.meta("created_at")),
            schema_version=self.conn.execute("PRAGMA user_version").fetchone()[0],
            codebook=self.meta("codebook_name"),
            transcripts=count("SELECT count(*) FROM transcripts"),
            words=count("SELECT coalesce(sum(words), 0) FROM transcripts"),
            groups=count("SELECT count(*) FROM groups"),
            codes=count("SELECT count(*) FROM codes"),
            codings=count("SELECT count(*) FROM codings"),
            coders=self.coders(),
            memos=count("SELECT count(*) FROM memos"),
        )

    # --- transcripts ---------------------------------------------------------------------------

    def import_transcript(
        self,
        parsed,
        *,
        title: str,
        group: str | None = None,
        group_attributes: dict[str, str] | None = None,
        roles: Iterable[RoleRule] = (),
        source_path: str | None = None,
        allow_duplicate: bool = False,
    ) -> ImportResult:
        """Store a :class:`~qualcode.core.parsed.ParsedTranscript` whole, in one transaction."""
        text = normalize_text(parsed.text)
        if text != parsed.text:
            raise ValueError("importer returned text that is not normalised")  # a bug, not user error
        _check_turns(parsed.turns, len(text))
        checksum = hashlib.sha256(text.encode("utf-8")).hexdigest()
        roles = list(roles)
        with self.transaction() as conn:
            if not allow_duplicate:
                row = conn.execute("SELECT id, title FROM transcripts WHERE checksum = ?", (checksum,)).fetchone()
                if row:
                    raise UserError(
                        f"this text is already in the project as {row['id']} ({row['title']}); "
                        "use --allow-duplicate to import it again",
                        path=source_path,
                    )
            seq = conn.execute("SELECT coalesce(max(seq), 0) + 1 FROM transcripts").fetchone()[0]
            tid = f"T{seq}"
            if group is not None:
                self._upsert_group(conn, group, group_attributes or {})
            elif group_attributes:
                raise UserError("group attributes need a --group")
            conn.execute(
                "INSERT INTO transcripts (id, seq, title, group_name, source_path, source_format, encoding,"
                " checksum, text, words, imported_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (tid, seq, title, group, source_path, parsed.format, parsed.encoding, checksum, text,
                 count_words(text), _now()),
            )
            unmatched: list[str] = []
            speaker_rows = []
            for label in parsed.speakers:
                role = next((rule.role for rule in roles if rule.matches(label)), None)
                if role is None and roles:
                    unmatched.append(label)
                speaker_rows.append((tid, label, role))
            conn.executemany("INSERT INTO speakers (transcript_id, label, role) VALUES (?,?,?)", speaker_rows)
            conn.executemany(
                "INSERT INTO turns (transcript_id, idx, speaker, start, end, time_start, time_end)"
                " VALUES (?,?,?,?,?,?,?)",
                [
                    (tid, i, t.speaker, t.start, t.end, t.time_start, t.time_end)
                    for i, t in enumerate(parsed.turns)
                ],
            )
        return ImportResult(self.transcript(tid), list(parsed.warnings), unmatched)

    def _upsert_group(self, conn: sqlite3.Connection, name: str, attributes: dict[str, str]) -> None:
        row = conn.execute("SELECT attributes FROM groups WHERE name = ?", (name,)).fetchone()
        if row is None:
            conn.execute("INSERT INTO groups VALUES (?, ?)", (name, json.dumps(attributes, ensure_ascii=False)))
        elif attributes:
            merged = {**json.loads(row[0]), **attributes}
            conn.execute("UPDATE groups SET attributes = ? WHERE name = ?", (json.dumps(merged, ensure_ascii=False), name))

    def groups(self) -> list[FocusGroup]:
        rows = self.conn.execute("SELECT name, attributes FROM groups ORDER BY name").fetchall()
        return [FocusGroup(name=r["name"], attributes=json.loads(r["attributes"])) for r in rows]

    def set_group_attributes(self, name: str, attributes: dict[str, str]) -> FocusGroup:
        with self.transaction() as conn:
            if conn.execute("SELECT 1 FROM groups WHERE name = ?", (name,)).fetchone() is None:
                raise UserError(f"no focus group named {name!r}")
            self._upsert_group(conn, name, attributes)
        return next(g for g in self.groups() if g.name == name)

    def transcripts(self) -> list[Transcript]:
        rows = self.conn.execute("SELECT * FROM transcripts ORDER BY seq").fetchall()
        return [self._transcript_from_row(row) for row in rows]

    def transcript(self, tid: str) -> Transcript:
        row = self.conn.execute("SELECT * FROM transcripts WHERE id = ? COLLATE NOCASE", (tid,)).fetchone()
        if row is None:
            known = ", ".join(t.id for t in self.transcripts()) or "none yet"
            raise UserError(f"no transcript {tid!r} in this project (transcripts: {known})")
        return self._transcript_from_row(row)

    def _transcript_from_row(self, row: sqlite3.Row) -> Transcript:
        speakers = [
            Speaker(label=s["label"], role=s["role"], attributes=json.loads(s["attributes"]))
            for s in self.conn.execute(
                "SELECT s.label, s.role, s.attributes FROM speakers s"
                " LEFT JOIN (SELECT speaker, min(idx) AS first FROM turns WHERE transcript_id = ? GROUP BY speaker) f"
                " ON f.speaker = s.label WHERE s.transcript_id = ? ORDER BY f.first, s.label",
                (row["id"], row["id"]),
            )
        ]
        turn_count = self.conn.execute("SELECT count(*) FROM turns WHERE transcript_id = ?", (row["id"],)).fetchone()[0]
        return Transcript(
            id=row["id"], title=row["title"], group=row["group_name"], source_path=row["source_path"],
            source_format=row["source_format"], encoding=row["encoding"], checksum=row["checksum"],
            imported_at=datetime.fromisoformat(row["imported_at"]), words=row["words"],
            turn_count=turn_count, speakers=speakers,
        )

    def text(self, tid: str) -> str:
        tid = self.transcript(tid).id
        return self.conn.execute("SELECT text FROM transcripts WHERE id = ?", (tid,)).fetchone()[0]

    def turns(self, tid: str) -> list[Turn]:
        tid = self.transcript(tid).id
        text = self.text(tid)
        rows = self.conn.execute(
            "SELECT t.idx, t.speaker, s.role, t.start, t.end, t.time_start, t.time_end FROM turns t"
            " LEFT JOIN speakers s ON s.transcript_id = t.transcript_id AND s.label = t.speaker"
            " WHERE t.transcript_id = ? ORDER BY t.idx",
            (tid,),
        ).fetchall()
        return [
            Turn(index=r["idx"], speaker=r["speaker"], role=r["role"], start=r["start"], end=r["end"],
                 time_start=r["time_start"], time_end=r["time_end"], text=text[r["start"]:r["end"]])
            for r in rows
        ]

    def set_roles(self, tid: str, rules: Iterable[RoleRule]) -> list[Speaker]:
        """Give speakers of a transcript roles by label pattern; later rules win."""
        transcript = self.transcript(tid)
        with self.transaction() as conn:
            for rule in rules:
                hits = [s.label for s in transcript.speakers if rule.matches(s.label)]
                if not hits:
                    labels = ", ".join(s.label for s in transcript.speakers)
                    raise UserError(f"no speaker in {transcript.id} matches {rule.pattern!r} (speakers: {labels})")
                conn.executemany(
                    "UPDATE speakers SET role = ? WHERE transcript_id = ? AND label = ?",
                    [(rule.role, transcript.id, label) for label in hits],
                )
        return self.transcript(transcript.id).speakers

    def delete_transcript(self, tid: str) -> None:
        """Remove a transcript and its codings (a backup is the way back)."""
        tid = self.transcript(tid).id
        with self.action(f"delete transcript {tid}") as conn:
            conn.execute("DELETE FROM codings WHERE transcript_id = ?", (tid,))
            conn.execute("DELETE FROM memos WHERE target_type = 'transcript' AND target_id = ?", (tid,))
            conn.execute("DELETE FROM turns WHERE transcript_id = ?", (tid,))
            conn.execute("DELETE FROM speakers WHERE transcript_id = ?", (tid,))
            conn.execute("DELETE FROM transcripts WHERE id = ?", (tid,))
            # Undo cannot bring the text back, so nothing before this may be undone either.
            conn.execute("DELETE FROM actions")

    def edit_text(self, tid: str, edits: list[TextEdit], label: str = "edit text") -> None:
        """Change a transcript's stored text and remap its turns and codings in one transaction.

        Not undoable (the journal does not hold transcript text): callers confirm first.
        """
        tid = self.transcript(tid).id
        with self.transaction() as conn:
            self.apply_text_edits(conn, tid, edits)

    def apply_text_edits(self, conn: SharedConnection, tid: str, edits: list[TextEdit]) -> None:
        """:meth:`edit_text`'s work inside a transaction the caller holds (redaction rewrites
        every transcript in one): the text, its turns and codings remapped, and the journal's
        images of its codings, whose offsets are now stale, dropped."""
        old = self.text(tid)
        new, mapping = apply_edits(old, edits)
        conn.execute("UPDATE journal_state SET recording = 0")
        conn.execute(
            "UPDATE transcripts SET text = ?, words = ?, checksum = ? WHERE id = ?",
            (new, count_words(new), hashlib.sha256(new.encode("utf-8")).hexdigest(), tid),
        )
        turns = conn.execute("SELECT idx, start, end FROM turns WHERE transcript_id = ?", (tid,)).fetchall()
        conn.executemany(
            "UPDATE turns SET start = ?, end = ? WHERE transcript_id = ? AND idx = ?",
            [(mapping.start(r["start"]), mapping.end(r["end"]), tid, r["idx"]) for r in turns],
        )
        codings = conn.execute("SELECT id, start, end FROM codings WHERE transcript_id = ?", (tid,)).fetchall()
        conn.executemany(
            "UPDATE codings SET start = ?, end = max(?, ? + 1) WHERE id = ?",
            [(mapping.start(r["start"]), mapping.end(r["end"]), mapping.start(r["start"]), r["id"]) for r in codings],
        )
        conn.execute(
            "DELETE FROM actions WHERE id IN (SELECT action_id FROM changes WHERE tbl = 'codings'"
            " AND (json_extract(coalesce(new, old), '$.transcript_id') = ?))",
            (tid,),
        )
        conn.execute("UPDATE journal_state SET recording = 1")

    # --- codebook ------------------------------------------------------------------------------

    def codebook(self) -> Codebook:
        rows = self.conn.execute("SELECT * FROM codes ORDER BY position, rowid").fetchall()
        nodes = [self._code_from_row(r) for r in rows]
        book = Codebook(
            name=self.meta("codebook_name") or "Kodebok",
            description=self.meta("codebook_description") or "",
            codes=nodes,
        )
        return Codebook(name=book.name, description=book.description, codes=[n for _, n in book.walk()])

    @staticmethod
    def _code_from_row(r: sqlite3.Row) -> CodeNode:
        return CodeNode(
            id=r["id"], name=r["name"], parent=r["parent_id"], definition=r["definition"],
            inclusion=r["inclusion"], exclusion=r["exclusion"], examples=json.loads(r["examples"]),
            keywords=json.loads(r["keywords"]), colour=r["colour"],
        )

    def code(self, code_id: str) -> CodeNode:
        row = self.conn.execute("SELECT * FROM codes WHERE id = ?", (code_id,)).fetchone()
        if row is None:
            row = self.conn.execute("SELECT * FROM codes WHERE id = ? COLLATE NOCASE", (code_id,)).fetchone()
        if row is None:
            raise UserError(f"no code {code_id!r} in the codebook (see 'qualcode codebook PROJECT')")
        return self._code_from_row(row)

    def _insert_codes(self, nodes: Iterable[CodeNode]) -> None:
        for position, node in enumerate(nodes):
            self._insert_code(node, position)

    def _insert_code(self, node: CodeNode, position: int) -> None:
        self.conn.execute(
            "INSERT INTO codes (id, name, parent_id, position, definition, inclusion, exclusion, examples,"
            " keywords, colour) VALUES (?,?,?,?,?,?,?,?,?,?)",
            (node.id, node.name, node.parent, position, node.definition, node.inclusion, node.exclusion,
             json.dumps(node.examples, ensure_ascii=False), json.dumps(node.keywords, ensure_ascii=False),
             node.colour),
        )

    def load_codebook(self, codebook: Codebook) -> tuple[list[str], list[str]]:
        """Add a codebook's codes to the project; codes with a known id are updated. Undoable.

        Returns (added ids, updated ids).
        """
        added: list[str] = []
        updated: list[str] = []
        with self.action(f"load codebook {codebook.name}") as conn:
            next_position = conn.execute("SELECT coalesce(max(position), -1) + 1 FROM codes").fetchone()[0]
            for node in codebook.codes:
                exists = conn.execute("SELECT 1 FROM codes WHERE id = ?", (node.id,)).fetchone()
                if exists:
                    conn.execute(
                        "UPDATE codes SET name=?, parent_id=?, definition=?, inclusion=?, exclusion=?,"
                        " examples=?, keywords=?, colour=? WHERE id=?",
                        (node.name, node.parent, node.definition, node.inclusion, node.exclusion,
                         json.dumps(node.examples, ensure_ascii=False), json.dumps(node.keywords, ensure_ascii=False),
                         node.colour, node.id),
                    )
                    updated.append(node.id)
                else:
                    self._insert_code(node, next_position)
                    next_position += 1
                    added.append(node.id)
            self._check_no_cycle(conn)
            if not self.meta("codebook_name"):
                conn.execute("INSERT OR REPLACE INTO meta VALUES ('codebook_name', ?)", (codebook.name,))
                conn.execute("INSERT OR REPLACE INTO meta VALUES ('codebook_description', ?)", (codebook.description,))
        return added, updated

    def _check_no_cycle(self, conn: sqlite3.Connection) -> None:
        parents = dict(conn.execute("SELECT id, parent_id FROM codes").fetchall())
        for start in parents:
            seen = {start}
            current = parents[start]
            while current is not None:
                if current in seen:
                    raise UserError(f"that would make code {start!r} its own ancestor")
                seen.add(current)
                current = parents.get(current)

    def add_code(self, node: CodeNode, *, coder: str | None = None) -> CodeNode:
        if node.parent is not None:
            self.code(node.parent)
        with self.action(f"add code {node.id}", coder) as conn:
            if conn.execute("SELECT 1 FROM codes WHERE id = ?", (node.id,)).fetchone():
                raise UserError(f"a code with id {node.id!r} exists already")
            position = conn.execute("SELECT coalesce(max(position), -1) + 1 FROM codes").fetchone()[0]
            self._insert_code(node, position)
        return self.code(node.id)

    def update_code(self, code_id: str, *, coder: str | None = None, **fields: Any) -> CodeNode:
        """Change a code's name, definition, criteria, examples, keywords or colour."""
        current = self.code(code_id)
        changed = CodeNode.from_user(**(current.model_dump() | fields))
        verb = "rename" if set(fields) == {"name"} else "edit"
        with self.action(f"{verb} code {current.id}", coder) as conn:
            conn.execute(
                "UPDATE codes SET name=?, definition=?, inclusion=?, exclusion=?, examples=?, keywords=?,"
                " colour=? WHERE id=?",
                (changed.name, changed.definition, changed.inclusion, changed.exclusion,
                 json.dumps(changed.examples, ensure_ascii=False), json.dumps(changed.keywords, ensure_ascii=False),
                 changed.colour, current.id),
            )
        return self.code(current.id)

    def rename_code(self, code_id: str, name: str, *, coder: str | None = None) -> CodeNode:
        return self.update_code(code_id, name=name, coder=coder)

    def move_code(self, code_id: str, new_parent: str | None, *, coder: str | None = None) -> CodeNode:
        node = self.code(code_id)
        parent = self.code(new_parent).id if new_parent is not None else None
        with self.action(f"move code {node.id}", coder) as conn:
            position = conn.execute("SELECT coalesce(max(position), -1) + 1 FROM codes").fetchone()[0]
            conn.execute("UPDATE codes SET parent_id = ?, position = ? WHERE id = ?", (parent, position, node.id))
            self._check_no_cycle(conn)
        return self.code(node.id)

    def merge_codes(self, source: str, target: str, *, coder: str | None = None) -> int:
        """Fold ``source`` into ``target``: its codings and children move, then it is removed.

        A coding that would duplicate one the same coder already has on ``target`` is dropped.
        Returns how many codings moved.
        """
        src, dst = self.code(source), self.code(target)
        if src.id == dst.id:
            raise UserError("cannot merge a code into itself")
        if dst.id in {d.id for d in self.codebook().descendants(src.id)}:
            raise UserError(f"cannot merge {src.id!r} into its own subcode {dst.id!r}")
        with self.action(f"merge code {src.id} into {dst.id}", coder) as conn:
            conn.execute(
                "DELETE FROM codings WHERE code_id = ? AND EXISTS (SELECT 1 FROM codings d WHERE d.code_id = ?"
                " AND d.transcript_id = codings.transcript_id AND d.start = codings.start AND d.end = codings.end"
                " AND d.coder = codings.coder)",
                (src.id, dst.id),
            )
            moved = conn.execute("UPDATE codings SET code_id = ? WHERE code_id = ?", (dst.id, src.id)).rowcount
            conn.execute("UPDATE codes SET parent_id = ? WHERE parent_id = ?", (dst.id, src.id))
            conn.execute(
                "UPDATE memos SET target_id = ? WHERE target_type = 'code' AND target_id = ?", (dst.id, src.id)
            )
            conn.execute("DELETE FROM codes WHERE id = ?", (src.id,))
        return moved

    def split_code(
        self, code_id: str, new: CodeNode, coding_ids: Iterable[int], *, coder: str | None = None
    ) -> CodeNode:
        """Split a code: create ``new`` and move the given codings of ``code_id`` to it.

        ``new.parent`` decides where the new code sits: under ``code_id`` to make a subtheme, or
        beside it.
        """
        source = self.code(code_id)
        ids = sorted(set(coding_ids))
        if not ids:
            raise UserError("name the codings (meaning units) that go to the new code")
        with self.action(f"split code {source.id}", coder) as conn:
            if conn.execute("SELECT 1 FROM codes WHERE id = ?", (new.id,)).fetchone():
                raise UserError(f"a code with id {new.id!r} exists already")
            if new.parent is not None and not conn.execute("SELECT 1 FROM codes WHERE id = ?", (new.parent,)).fetchone():
                raise UserError(f"no code {new.parent!r} to put the new code under")
            placeholders = ",".join("?" * len(ids))
            found = {
                r[0]: r[1]
                for r in conn.execute(f"SELECT id, code_id FROM codings WHERE id IN ({placeholders})", ids)
            }
            for cid in ids:
                if cid not in found:
                    raise UserError(f"no meaning unit with id {cid}")
                if found[cid] != source.id:
                    raise UserError(f"meaning unit {cid} is coded {found[cid]!r}, not {source.id!r}")
            position = conn.execute("SELECT coalesce(max(position), -1) + 1 FROM codes").fetchone()[0]
            self._insert_code(new, position)
            conn.execute(f"UPDATE codings SET code_id = ? WHERE id IN ({placeholders})", [new.id, *ids])
        return self.code(new.id)

    def delete_code(self, code_id: str, *, coder: str | None = None) -> None:
        node = self.code(code_id)
        with self.action(f"delete code {node.id}", coder) as conn:
            if conn.execute("SELECT 1 FROM codes WHERE parent_id = ?", (node.id,)).fetchone():
                raise UserError(f"code {node.id!r} has subcodes; move or merge them first")
            used = conn.execute("SELECT count(*) FROM codings WHERE code_id = ?", (node.id,)).fetchone()[0]
            if used:
                raise UserError(f"code {node.id!r} is used by {used} meaning unit(s); merge it into another code instead")
            conn.execute("DELETE FROM codes WHERE id = ?", (node.id,))

    # --- codings -------------------------------------------------------------------------------

    def find_quote(
        self, tid: str, quote: str, occurrence: int | None = None, turn: int | None = None
    ) -> list[tuple[int, int]]:
        """Where ``quote`` stands in a transcript (or in one turn): exact matches, else matches
        ignoring case and runs of white space. With ``occurrence`` only that one (1-based).
        """
        text = self.text(tid)
        lo, hi = 0, len(text)
        if turn is not None:
            turns = self.turns(tid)
            if not 0 <= turn < len(turns):
                raise UserError(f"{self.transcript(tid).id} has turns 0 to {len(turns) - 1}, not {turn}")
            lo, hi = turns[turn].start, turns[turn].end
        quote = normalize_text(quote).strip()
        if not quote:
            raise UserError("the quote is empty")
        hits = _find_all(text, quote, lo, hi) or _find_loose(text, quote, lo, hi)
        if not hits:
            where = f"turn {turn} of {self.transcript(tid).id}" if turn is not None else self.transcript(tid).id
            raise UserError(f"quote not found in {where}: {quote!r}")
        if occurrence is not None:
            if not 1 <= occurrence <= len(hits):
                raise UserError(f"the quote occurs {len(hits)} time(s); --occurrence must be 1 to {len(hits)}")
            return [hits[occurrence - 1]]
        return hits

    def add_coding(
        self, tid: str, start: int, end: int, code_id: str, coder: str, *, condensed: str = "", memo: str = ""
    ) -> Coding:
        transcript = self.transcript(tid)
        code = self.code(code_id)
        coder = check_coder(coder)
        length = len(self.text(transcript.id))
        if not 0 <= start < end <= length:
            raise UserError(
                f"span {start}-{end} is not inside {transcript.id} (offsets 0-{length}, start before end)"
            )
        with self.action(f"code {transcript.id} {start}-{end} as {code.id}", coder) as conn:
            dup = conn.execute(
                "SELECT id FROM codings WHERE transcript_id = ? AND start = ? AND end = ? AND code_id = ?"
                " AND coder = ?",
                (transcript.id, start, end, code.id, coder),
            ).fetchone()
            if dup:
                raise UserError(f"{coder} has already coded this span as {code.id!r} (unit {dup[0]})")
            self._ensure_coder(conn, coder)
            now = _now()
            cur = conn.execute(
                "INSERT INTO codings (transcript_id, start, end, code_id, coder, condensed, memo, created_at,"
                " updated_at) VALUES (?,?,?,?,?,?,?,?,?)",
                (transcript.id, start, end, code.id, coder, condensed, memo, now, now),
            )
            coding_id = cur.lastrowid
        return self.coding(coding_id)

    def _ensure_coder(self, conn: sqlite3.Connection, coder: str) -> None:
        conn.execute("INSERT OR IGNORE INTO coders (id, created_at) VALUES (?, ?)", (coder, _now()))

    def coding(self, coding_id: int) -> Coding:
        row = self.conn.execute("SELECT * FROM codings WHERE id = ?", (coding_id,)).fetchone()
        if row is None:
            raise UserError(f"no meaning unit with id {coding_id}")
        return _coding_from_row(row)

    def update_coding(self, coding_id: int, *, coder: str | None = None, **fields: Any) -> Coding:
        """Change a unit's code, boundaries, condensed meaning or memo."""
        current = self.coding(coding_id)
        allowed = {"code", "start", "end", "condensed", "memo", "starred"}
        unknown = set(fields) - allowed
        if unknown:
            raise TypeError(f"cannot update {sorted(unknown)}")
        if "code" in fields:
            fields["code"] = self.code(fields["code"]).id
        start, end = fields.get("start", current.start), fields.get("end", current.end)
        length = len(self.text(current.transcript))
        if not 0 <= start < end <= length:
            raise UserError(f"span {start}-{end} is not inside {current.transcript} (offsets 0-{length})")
        with self.action(f"edit unit {coding_id}", coder or current.coder) as conn:
            # Fields not named keep what the file holds now, not what this process last read:
            # never write another process's newer change back over it.
            current = self.coding(coding_id)
            conn.execute(
                "UPDATE codings SET code_id=?, start=?, end=?, condensed=?, memo=?, starred=?, updated_at=?"
                " WHERE id=?",
                (fields.get("code", current.code), start, end, fields.get("condensed", current.condensed),
                 fields.get("memo", current.memo), int(fields.get("starred", current.starred)), _now(), coding_id),
            )
        return self.coding(coding_id)

    def delete_coding(self, coding_id: int, *, coder: str | None = None) -> None:
        current = self.coding(coding_id)
        with self.action(f"delete unit {coding_id}", coder or current.coder) as conn:
            # Its memos go with it (and come back with an undo): never onto another unit.
            conn.execute("DELETE FROM memos WHERE target_type = 'coding' AND target_id = ?", (str(coding_id),))
            conn.execute("DELETE FROM codings WHERE id = ?", (coding_id,))

    def codings(
        self, *, transcript: str | None = None, coder: str | None = None, code: str | None = None,
        include_subcodes: bool = False,
    ) -> list[Coding]:
        sql = "SELECT * FROM codings WHERE 1=1"
        args: list[Any] = []
        if transcript is not None:
            sql += " AND transcript_id = ?"
            args.append(self.transcript(transcript).id)
        if coder is not None:
            sql += " AND coder = ?"
            args.append(coder)
        if code is not None:
            ids = [self.code(code).id]
            if include_subcodes:
                ids += [d.id for d in self.codebook().descendants(ids[0])]
            sql += f" AND code_id IN ({','.join('?' * len(ids))})"
            args.extend(ids)
        sql += " ORDER BY transcript_id, start, end, id"
        return [_coding_from_row(r) for r in self.conn.execute(sql, args)]

    def units(self, selection: UnitFilter | None = None, /, **filters: Any) -> list[MeaningUnit]:
        """The meaning units a filter chooses (see :meth:`iter_units`), as a list."""
        return list(self.iter_units(selection, **filters))

    def iter_units(self, selection: UnitFilter | None = None, /, **filters: Any) -> Iterator[MeaningUnit]:
        """Meaning units in transcript order, streamed: one query for the codings (filters in SQL),
        and each transcript's text and turns read once, when its first unit comes.

        Takes a :class:`UnitFilter`, or its fields as keywords (``units(coder="AB")``).
        """
        s = selection if selection is not None else UnitFilter(**filters)
        book = self.codebook()
        paths = {code_id: tuple(n.name for n in chain) for code_id, chain in book.paths().items()}
        sql = ("SELECT c.id, c.transcript_id, c.start, c.end, c.code_id, c.coder, c.condensed, c.memo, c.starred,"
               " c.created_at, c.updated_at FROM codings c WHERE 1=1")
        args: list[Any] = []
        if s.transcript is not None:
            sql += " AND c.transcript_id = ?"
            args.append(self.transcript(s.transcript).id)
        if s.coder is not None:
            sql += " AND c.coder = ?"
            args.append(s.coder)
        if s.code is not None:
            ids = [self.code(s.code).id]  # a clear error for an unknown code
            if s.include_subcodes:
                ids += [d.id for d in book.descendants(ids[0])]
            sql += f" AND c.code_id IN ({','.join('?' * len(ids))})"
            args.extend(ids)
        if s.starred:
            sql += " AND c.starred = 1"
        sql += " ORDER BY c.transcript_id, c.start, c.end, c.id"
        rows = self.conn.execute(sql, args).fetchall()
        current: str | None = None
        title = text = ""
        group: str | None = None
        turns: list[sqlite3.Row] = []
        starts: list[int] = []
        for r in rows:
            tid = r["transcript_id"]
            if tid != current:
                current = tid
                head = self.conn.execute("SELECT title, group_name, text FROM transcripts WHERE id = ?",
                                         (tid,)).fetchone()
                title, group, text = head["title"], head["group_name"], head["text"]
                turns = self.conn.execute(
                    "SELECT t.idx, t.speaker, s.role, t.start, t.end, t.time_start FROM turns t"
                    " LEFT JOIN speakers s ON s.transcript_id = t.transcript_id AND s.label = t.speaker"
                    " WHERE t.transcript_id = ? ORDER BY t.idx", (tid,)).fetchall()
                starts = [t["start"] for t in turns]
            turn = _turn_at(turns, starts, r["start"])
            role = turn["role"] if turn is not None else None
            if not s.matches_role(role):
                continue
            path = paths[r["code_id"]]
            yield MeaningUnit(
                id=r["id"], transcript=tid, title=title, group=group,
                turn=turn["idx"] if turn is not None else None,
                speaker=turn["speaker"] if turn is not None else None, role=role,
                timestamp=format_timestamp(turn["time_start"]) if turn is not None else None,
                start=r["start"], end=r["end"], text=text[r["start"]:r["end"]],
                code=r["code_id"], code_name=path[-1], code_path=path, coder=r["coder"],
                condensed=r["condensed"], memo=r["memo"], starred=bool(r["starred"]),
                created_at=r["created_at"], updated_at=r["updated_at"],
            )

    def recent_codes(self, coder: str) -> list[str]:
        """This coder's codes, most recently used first (the code picker's order on an empty query)."""
        rows = self.conn.execute(
            "SELECT code_id FROM codings WHERE coder = ? GROUP BY code_id ORDER BY max(updated_at) DESC",
            (coder,),
        ).fetchall()
        return [r[0] for r in rows]

    def coders(self) -> list[str]:
        return [r[0] for r in self.conn.execute("SELECT id FROM coders ORDER BY id")]

    # --- memos ---------------------------------------------------------------------------------

    def add_memo(self, text: str, *, target_type: str = "project", target_id: str | None = None,
                 author: str | None = None) -> Memo:
        if target_type == "transcript" and target_id is not None:
            target_id = self.transcript(target_id).id
        elif target_type == "code" and target_id is not None:
            target_id = self.code(target_id).id
        elif target_type == "coding" and target_id is not None:
            target_id = str(self.coding(int(target_id)).id)
        elif target_type != "project":
            raise UserError(f"a memo on a {target_type} needs its id")
        if not text.strip():
            raise UserError("the memo is empty")
        with self.action(f"memo on {target_type}", author) as conn:
            now = _now()
            cur = conn.execute(
                "INSERT INTO memos (target_type, target_id, author, text, created_at, updated_at)"
                " VALUES (?,?,?,?,?,?)",
                (target_type, target_id, author, text, now, now),
            )
            memo_id = cur.lastrowid
        return self.memos(memo_id=memo_id)[0]

    def memos(self, *, target_type: str | None = None, target_id: str | None = None,
              memo_id: int | None = None) -> list[Memo]:
        sql, args = "SELECT * FROM memos WHERE 1=1", []
        for column, value in (("target_type", target_type), ("target_id", target_id), ("id", memo_id)):
            if value is not None:
                sql += f" AND {column} = ?"
                args.append(value)
        rows = self.conn.execute(sql + " ORDER BY created_at, id", args).fetchall()
        return [
            Memo(id=r["id"], target_type=r["target_type"], target_id=r["target_id"], author=r["author"],
                 text=r["text"], created_at=datetime.fromisoformat(r["created_at"]),
                 updated_at=datetime.fromisoformat(r["updated_at"]))
            for r in rows
        ]

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
            return row["label"]

    def _replay(self, conn: sqlite3.Connection, action_id: int, *, backwards: bool) -> None:
        changes = conn.execute(
            "SELECT tbl, old, new FROM changes WHERE action_id = ? ORDER BY id " + ("DESC" if backwards else "ASC"),
            (action_id,),
        ).fetchall()
        conn.execute("UPDATE journal_state SET recording = 0")
        for change in changes:
            table = change["tbl"]
            key_column = JOURNALED[table][0]
            old = json.loads(change["old"]) if change["old"] else None
            new = json.loads(change["new"]) if change["new"] else None
            expected, wanted = (new, old) if backwards else (old, new)
            key = (expected or wanted)[key_column]
            # An image holds the columns of its day; a column added later keeps its current value.
            columns = list((expected or wanted).keys())
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
        conn.execute("UPDATE journal_state SET recording = 1")

    # --- health --------------------------------------------------------------------------------

    def integrity_check(self) -> list[str]:
        """SQLite's own check plus foreign keys; an empty list means healthy."""
        problems = [r[0] for r in self.conn.execute("PRAGMA integrity_check") if r[0] != "ok"]
        problems += [f"broken reference in {r[0]} row {r[1]}" for r in self.conn.execute("PRAGMA foreign_key_check")]
        return problems


def _close_raw(raw: sqlite3.Connection) -> None:
    """Close a connection of this module's making, and give up its network lock file."""
    try:
        raw.close()
    finally:
        lock = _network_locks.pop(id(raw), None)
        if lock is not None:
            lock.release()


def _coding_from_row(r: sqlite3.Row) -> Coding:
    return Coding(
        id=r["id"], transcript=r["transcript_id"], start=r["start"], end=r["end"], code=r["code_id"],
        coder=r["coder"], condensed=r["condensed"], memo=r["memo"], starred=bool(r["starred"]),
        created_at=datetime.fromisoformat(r["created_at"]), updated_at=datetime.fromisoformat(r["updated_at"]),
    )


def _turn_at(turns: Sequence[sqlite3.Row], starts: list[int], offset: int) -> sqlite3.Row | None:
    """The turn row a span starting at ``offset`` belongs to (the next one if it starts in a label)."""
    if not turns:
        return None
    i = bisect_right(starts, offset) - 1
    if i >= 0 and offset < turns[i]["end"]:
        return turns[i]
    return turns[i + 1] if i + 1 < len(turns) else turns[i]


def _check_turns(turns, length: int) -> None:
    """Importers must hand over ordered, non-overlapping turns inside the text (a bug otherwise)."""
    previous_end = 0
    for i, turn in enumerate(turns):
        if not previous_end <= turn.start <= turn.end <= length:
            raise ValueError(f"importer bug: turn {i} spans {turn.start}-{turn.end} (previous ends {previous_end}, text {length})")
        previous_end = turn.end


def _find_all(text: str, needle: str, lo: int, hi: int) -> list[tuple[int, int]]:
    hits, i = [], text.find(needle, lo, hi)
    while i != -1:
        hits.append((i, i + len(needle)))
        i = text.find(needle, i + 1, hi)
    return hits


def _find_loose(text: str, quote: str, lo: int, hi: int) -> list[tuple[int, int]]:
    pattern = re.compile(r"\s+".join(re.escape(word) for word in quote.split()), re.IGNORECASE)
    return [(m.start(), m.end()) for m in pattern.finditer(text, lo, hi)]
