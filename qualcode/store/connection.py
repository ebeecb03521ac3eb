"""One SQLite connection per project file per process, shared by every handle and thread.

Why one: on POSIX, closing *any* descriptor of a file drops every lock the process holds on it.
SQLite guards its own descriptors against that, but not against a second route to the file (a
header read with ``open()``, a second library, a raw copy). If the process's locks vanish while a
connection lives, another process believes it is alone, checkpoints and deletes the live WAL, and
every later commit of this process goes to an unlinked file: saved codings vanish. So the project
file is only ever touched through the one connection this module hands out, and a second
:class:`~qualcode.store.Project` on the same file (a screen, a thread worker) shares it.

Sharing one connection between threads needs one rule: a thread holds :attr:`SharedConnection.lock`
for a whole transaction, and every single statement takes it too, so no thread ever sees another's
half-done transaction and no two statements interleave. Statements are read out whole before the
lock is released; a result is a list, not a live cursor.

SQLite errors that are conditions of the disk or the file (full, read-only, I/O, damaged, gone)
become :class:`~qualcode.core.errors.StorageError`, and a held lock :class:`ProjectBusy`: user
errors with the project's name and what to do, never a traceback.
"""

from __future__ import annotations

import errno
import os
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..core.errors import ProjectBusy, StorageError

BUSY_MESSAGE = (
    "another qualcode process is writing to this project; "
    "try again when it has finished (or close the other window)"
)

# SQLite's primary result codes that describe the disk or the file, not qualcode's SQL.
_STORAGE_CODES: dict[str, tuple[str, bool]] = {
    # name: (what to tell the user, fatal: the open project cannot be used any more)
    "SQLITE_FULL": ("the disk is full; nothing was saved by this step; free some space and try again", False),
    "SQLITE_READONLY": ("the project file or its folder is read-only; nothing was saved; check permissions", False),
    "SQLITE_IOERR": ("the disk reported an I/O error; nothing was saved by this step", False),
    "SQLITE_CORRUPT": ("the project file is damaged; see 'qualcode backups' and 'qualcode restore'", True),
    "SQLITE_NOTADB": ("the project file is damaged or not a qualcode project; see 'qualcode backups'", True),
    "SQLITE_CANTOPEN": ("cannot open the project file or its folder; check that it exists and its permissions", True),
    "SQLITE_PERM": ("permission denied on the project file; check its permissions", False),
    "SQLITE_NOLFS": ("the project file is too large for this file system", False),
    "SQLITE_PROTOCOL": ("the project's locks are not working (a network folder?); copy it to a local disk", True),
}
_BUSY_CODES = {"SQLITE_BUSY", "SQLITE_LOCKED"}


def storage_error(exc: Exception, path: Path | str) -> Exception:
    """The user error for an SQLite error of the disk or file, or ``exc`` itself (a bug)."""
    if isinstance(exc, UnicodeDecodeError) or "could not decode" in str(exc).lower():
        return StorageError(_STORAGE_CODES["SQLITE_CORRUPT"][0] + " (text that is not UTF-8)", path=path, fatal=True)
    name = (getattr(exc, "sqlite_errorname", "") or "").split("_")
    primary = "_".join(name[:2])  # SQLITE_IOERR_WRITE -> SQLITE_IOERR
    message = str(exc).lower()
    if primary in _BUSY_CODES or (not primary and ("locked" in message or "busy" in message)):
        return ProjectBusy(BUSY_MESSAGE, path=path)
    if not primary:  # older sqlite3 module: go by the message
        for key, code in (("disk is full", "SQLITE_FULL"), ("readonly", "SQLITE_READONLY"),
                          ("disk i/o", "SQLITE_IOERR"), ("malformed", "SQLITE_CORRUPT"),
                          ("not a database", "SQLITE_NOTADB"), ("unable to open", "SQLITE_CANTOPEN")):
            if key in message:
                primary = code
                break
    if primary in ("SQLITE_IOERR", "SQLITE_READONLY", "SQLITE_CANTOPEN"):
        # SQLite reports what the system said (read-only, full) as a plain I/O error: ask again.
        cause = _write_probe(Path(path).parent)
        if cause in (errno.EROFS, errno.EACCES, errno.EPERM):
            return StorageError("the disk or folder holding the project is read-only; nothing was saved by "
                                "this step; copy the project to a writable place", path=path)
        if cause in (errno.ENOSPC, errno.EDQUOT):
            return StorageError(_STORAGE_CODES["SQLITE_FULL"][0], path=path)
    if primary == "SQLITE_IOERR" and not Path(path).exists():
        return StorageError("the project file has gone (moved or deleted while open); nothing was saved "
                            "by this step; put it back or open the new place", path=path, fatal=True)
    if primary in _STORAGE_CODES:
        text, fatal = _STORAGE_CODES[primary]
        return StorageError(text, path=path, fatal=fatal)
    return exc


def _write_probe(folder: Path) -> int | None:
    """The errno of writing a tiny file in ``folder`` (None: it can be written)."""
    probe = folder / f".qualcode-probe-{os.getpid()}-{threading.get_ident()}"
    try:
        fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.write(fd, b"\0" * 4096)
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as exc:
        return exc.errno
    finally:
        try:
            probe.unlink()
        except OSError:
            pass
    return None


class Result:
    """A statement's rows, read out whole, with the cursor facts callers use."""

    __slots__ = ("_rows", "description", "lastrowid", "rowcount")

    def __init__(self, rows: list[Any], lastrowid: int | None, rowcount: int, description: Any):
        self._rows = rows
        self.lastrowid = lastrowid
        self.rowcount = rowcount
        self.description = description

    def fetchone(self) -> Any:
        return self._rows[0] if self._rows else None

    def fetchall(self) -> list[Any]:
        return self._rows

    def __iter__(self) -> Iterator[Any]:
        return iter(self._rows)


class SharedConnection:
    """The process's one connection to a project file; see the module doc for the rules."""

    dialect = "sqlite"  # a server project's connection (store.pg) says "postgresql"

    def __init__(self, path: Path, raw: sqlite3.Connection, key: tuple[int, int], busy_timeout_s: float,
                 closer: Callable[[sqlite3.Connection], None] | None = None):
        self.path = path
        self.raw = raw
        self.closer = closer or sqlite3.Connection.close
        self.key = key
        self.lock = threading.RLock()
        self.handles = 0
        self.busy_timeout_s = busy_timeout_s

    # --- locking ---------------------------------------------------------------------------------

    @contextmanager
    def locked(self) -> Iterator[SharedConnection]:
        if not self.lock.acquire(timeout=self.busy_timeout_s):
            raise ProjectBusy("another part of qualcode is still working on this project; try again",
                              path=self.path)
        try:
            yield self
        finally:
            self.lock.release()

    # --- the sqlite3.Connection surface qualcode uses --------------------------------------------

    def execute(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> Result:
        with self.locked():
            try:
                cursor = self.raw.execute(sql, params)
                rows = cursor.fetchall()
            except (sqlite3.Error, UnicodeDecodeError) as exc:
                raise storage_error(exc, self.path) from exc
            return Result(rows, cursor.lastrowid, cursor.rowcount, cursor.description)

    def executemany(self, sql: str, rows: Iterable[Any]) -> Result:
        with self.locked():
            try:
                cursor = self.raw.executemany(sql, rows)
            except (sqlite3.Error, UnicodeDecodeError) as exc:
                raise storage_error(exc, self.path) from exc
            return Result([], cursor.lastrowid, cursor.rowcount, None)

    def backup(self, target: sqlite3.Connection, **kwargs: Any) -> None:
        with self.locked():
            if self.raw.in_transaction:  # SQLite answers LOCKED and Python's backup retries forever
                raise RuntimeError("bug: a backup from a connection inside a transaction would never end")
            try:
                self.raw.backup(target, **kwargs)
            except (sqlite3.Error, UnicodeDecodeError) as exc:
                raise storage_error(exc, self.path) from exc

    @property
    def in_transaction(self) -> bool:
        return self.raw.in_transaction

    @property
    def row_factory(self) -> Any:
        return self.raw.row_factory

    def rollback_quietly(self) -> None:
        """End an open transaction after a failure; a failed COMMIT may have ended it already."""
        with self.locked():
            if self.raw.in_transaction:
                try:
                    self.raw.execute("ROLLBACK")
                except sqlite3.Error:
                    pass  # the error that brought us here is the one to report

    def data_version(self, *, wait: bool = True) -> int | None:
        """Changes whenever another connection (another process) commits to the file. With
        ``wait=False``, None while another thread of this process holds the connection."""
        if not wait:
            if not self.lock.acquire(blocking=False):
                return None
            try:
                return self.execute("PRAGMA data_version").fetchone()[0]
            finally:
                self.lock.release()
        return self.execute("PRAGMA data_version").fetchone()[0]


_registry: dict[tuple[int, int], SharedConnection] = {}
_registry_lock = threading.Lock()


def file_key(path: Path) -> tuple[int, int]:
    st = os.stat(path)
    return (st.st_dev, st.st_ino)


def acquire(path: Path, connect: Callable[[Path], sqlite3.Connection], busy_timeout_s: float,
            closer: Callable[[sqlite3.Connection], None] | None = None) -> tuple[SharedConnection, bool]:
    """The shared connection to ``path`` (made with ``connect(path)`` if this process has none);
    the flag says whether it is new. Every acquire is matched by one :func:`release`."""
    key = file_key(path)
    with _registry_lock:
        shared = _registry.get(key)
        fresh = shared is None
        if shared is None:
            shared = SharedConnection(path, connect(path), key, busy_timeout_s, closer)
            _registry[key] = shared
        shared.handles += 1
        return shared, fresh


def release(shared: SharedConnection) -> None:
    with _registry_lock:
        shared.handles -= 1
        if shared.handles > 0:
            return
        if _registry.get(shared.key) is shared:
            del _registry[shared.key]
    with shared.lock:
        shared.closer(shared.raw)

