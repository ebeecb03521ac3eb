"""The connection to a project on a PostgreSQL server, with the surface of
:class:`~qualcode.store.connection.SharedConnection`, so that the store's SQL runs on both.

The store writes portable SQL with SQLite's conventions; :func:`translate` turns it into
PostgreSQL's, once per distinct statement (cached):

* ``?`` and ``:name`` parameters become ``%s`` and ``%(name)s`` (a literal ``%`` is doubled);
* ``x IS ?`` and ``x IS NOT ?`` (SQLite's null-safe comparison) become ``IS [NOT] DISTINCT FROM``;
* ``COLLATE NOCASE`` becomes the project's case-blind collation ``qc_nocase``;
* the column ``end`` (lowercase: the keyword ``END`` is written in capitals) is quoted;
* an ``INSERT`` into a table with an integer id returns it, for :attr:`Result.lastrowid`;
* ``BEGIN IMMEDIATE`` becomes ``BEGIN`` and a transaction-level advisory lock on the project,
  so writers take turns as they do on a file, and readers never wait.

Parameters are bound on the client (psycopg's ``ClientCursor``): SQLite's untyped ``? IS NULL``
has no type on the server. Every committed write notifies the other connections to the project
(``LISTEN``/``NOTIFY``): :meth:`PgConnection.data_version` counts the others' commits, as SQLite's
``PRAGMA data_version`` does, so the workbench sees others' work within its watch interval.

Errors keep the store's vocabulary: a broken constraint is an :class:`sqlite3.IntegrityError` as
on a file; a server that is gone, full or refusing is a :class:`~qualcode.core.errors.StorageError`;
a lock held past the busy timeout a :class:`~qualcode.core.errors.ProjectBusy`.
"""

from __future__ import annotations

import re
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

import psycopg
from psycopg import errors as pgerrors
from psycopg.adapt import Dumper, Loader
from psycopg.pq import TransactionStatus

from ...core.errors import ProjectBusy, StorageError
from ..connection import BUSY_MESSAGE, Result, SharedConnection
from .schema import WATCH_TABLE
from .url import ServerAddress

# Tables whose integer primary key an INSERT returns (the store reads it as lastrowid).
ID_TABLES = frozenset({
    "codings", "memos", "actions", "changes", "deid_terms", "reconciliation", "suggestion_decisions",
    "audit_log", "codebook_versions",
})
CHANNEL = "qualcode"

_LITERAL = re.compile(r"('(?:[^']|'')*')")
_IS_PARAM = re.compile(r"\bIS\s+(NOT\s+)?\?", re.IGNORECASE)
_NAMED = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")
_END = re.compile(r'(?<!["\w])end(?!["\w])')
_NOCASE = re.compile(r"COLLATE\s+NOCASE", re.IGNORECASE)
_INSERT = re.compile(r"^\s*INSERT\s+INTO\s+(\w+)", re.IGNORECASE)


@lru_cache(maxsize=4096)
def translate(sql: str) -> tuple[str, bool]:
    """PostgreSQL's form of a store statement, and whether it returns a new row's id."""
    parts = _LITERAL.split(sql)
    for i in range(0, len(parts), 2):  # outside string literals
        part = parts[i].replace("%", "%%")
        part = _IS_PARAM.sub(lambda m: "IS DISTINCT FROM ?" if m.group(1) else "IS NOT DISTINCT FROM ?", part)
        part = part.replace("?", "%s")
        part = _NAMED.sub(r"%(\1)s", part)
        part = _NOCASE.sub("COLLATE qc_nocase", part)
        parts[i] = _END.sub('"end"', part)
    out = "".join(parts)
    insert = _INSERT.match(out)
    returning = bool(insert and insert.group(1).lower() in ID_TABLES and "RETURNING" not in out.upper())
    if returning:
        out = out.rstrip().rstrip(";") + " RETURNING id"
    return out, returning


class _BoolAsInt(Dumper):
    """SQLite keeps booleans as 0 and 1 and so does the server schema (``bigint``)."""

    def dump(self, obj: bool) -> bytes:
        return b"1" if obj else b"0"

    def quote(self, obj: bool) -> bytes:
        return self.dump(obj)


class Row:
    """A row readable by position and by column name, like :class:`sqlite3.Row`."""

    __slots__ = ("_index", "_values")

    def __init__(self, values: Sequence[Any], index: dict[str, int]):
        self._values = tuple(values)
        self._index = index

    def __getitem__(self, key: int | str | slice) -> Any:
        if isinstance(key, str):
            return self._values[self._index[key]]
        return self._values[key]

    def keys(self) -> list[str]:
        return list(self._index)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Row):
            return self._values == other._values and self._index == other._index
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._values)

    def __repr__(self) -> str:
        return f"Row({dict(zip(self._index, self._values, strict=True))})"


class _Numeric(Loader):
    """``sum()`` and ``avg()`` of integers are ``numeric`` on the server; SQLite gives int or float."""

    def load(self, data: Any) -> int | float:
        text = bytes(data).decode()
        try:
            return int(text)
        except ValueError:
            return float(text)


def _row_factory(cursor: Any) -> Any:
    description = cursor.description or []
    index = {c.name: i for i, c in enumerate(description)}
    return lambda values: Row(values, index)


def server_error(exc: BaseException, address: ServerAddress) -> BaseException:
    """The store's error for a server's error: constraints as on a file, the server's conditions
    as user errors with what to do, anything else (qualcode's SQL) as it is."""
    if isinstance(exc, pgerrors.LockNotAvailable | pgerrors.DeadlockDetected | pgerrors.SerializationFailure):
        return ProjectBusy(BUSY_MESSAGE, path=str(address))
    if isinstance(exc, pgerrors.RaiseException):  # the audit trail's append-only triggers
        return sqlite3.IntegrityError(exc.diag.message_primary or str(exc))
    if isinstance(exc, psycopg.IntegrityError):
        return sqlite3.IntegrityError(str(exc).strip())
    if isinstance(exc, pgerrors.DiskFull | pgerrors.OutOfMemory):
        return StorageError("the database server is out of space; nothing was saved by this step; "
                            "ask its administrator", path=str(address))
    if isinstance(exc, pgerrors.InsufficientPrivilege | pgerrors.ReadOnlySqlTransaction):
        said = exc.diag.message_primary or ""
        if "row-level security" in said:  # a blind coder writing under other initials
            return StorageError("the server lets your role change only your own units (see 'qualcode team'); "
                                "nothing was saved", path=str(address))
        return StorageError(f"your role may not change this (the server said: {said}); nothing was saved; "
                            "see 'qualcode team' for who may do what", path=str(address))
    if isinstance(exc, psycopg.OperationalError):
        return StorageError(f"the database server is not answering ({_first_line(exc)}); nothing was saved "
                            "by this step; try again when it is back", path=str(address), fatal=True)
    return exc


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or ["no reason given"])[0]


class PgConnection(SharedConnection):
    """The process's one connection to a server project; the rules of
    :class:`~qualcode.store.connection.SharedConnection` hold (one lock a transaction). A
    subclass only so that the store's functions take either; it shares none of its workings."""

    dialect = "postgresql"

    def __init__(self, address: ServerAddress, raw: psycopg.Connection[Any], busy_timeout_s: float):
        self.address = address
        self.pg = raw
        self.path = address  # type: ignore[assignment]  # what SharedConnection's users read
        self.raw = raw  # type: ignore[assignment]
        self.key = (0, 0)  # no file to watch for being replaced
        self.lock = threading.RLock()
        self.handles = 0
        self.busy_timeout_s = busy_timeout_s
        self._wrote = False
        self._version = 0
        self._pid = raw.info.backend_pid
        self._schema: str | None = None  # the project's schema: others' notices name it
        row = raw.execute("SELECT current_user").fetchone()
        self.role: str = row[0] if row else ""  # the database role: recorded in the audit trail

    @classmethod
    def connect(cls, address: ServerAddress, busy_timeout_s: float) -> PgConnection:
        try:
            raw = psycopg.connect(address.conninfo, autocommit=True, cursor_factory=psycopg.ClientCursor,
                                  application_name="qualcode", connect_timeout=10)
        except psycopg.Error as exc:
            raise StorageError(f"cannot connect to the database server: {_first_line(exc)}",
                               path=str(address)) from None
        raw.row_factory = _row_factory
        raw.adapters.register_dumper(bool, _BoolAsInt)
        raw.adapters.register_loader("numeric", _Numeric)
        raw.execute(f"SET lock_timeout = {int(busy_timeout_s * 1000)}")
        raw.execute(f"LISTEN {CHANNEL}")
        raw.execute(WATCH_TABLE)  # this connection's codebook-history notes (store.codebook_history)
        return cls(address, raw, busy_timeout_s)

    # --- locking ---------------------------------------------------------------------------------

    @contextmanager
    def locked(self) -> Iterator[PgConnection]:
        if not self.lock.acquire(timeout=self.busy_timeout_s):
            raise ProjectBusy("another part of qualcode is still working on this project; try again",
                              path=str(self.address))
        try:
            yield self
        finally:
            self.lock.release()

    # --- the surface the store uses ---------------------------------------------------------------

    def execute(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> Result:
        head = sql.lstrip()[:16].upper()
        with self.locked():
            try:
                # One round trip each for the two ends of a transaction (statements joined).
                if head.startswith("BEGIN"):
                    self._wrote = False
                    if "IMMEDIATE" not in head:
                        self.pg.execute("BEGIN")
                        return Result([], None, -1, None)
                    try:  # writers take turns, as on a file
                        self.pg.execute("BEGIN; SELECT pg_advisory_xact_lock(hashtext(current_schema()))")
                    except psycopg.Error:
                        if self.in_transaction:
                            self.pg.execute("ROLLBACK")  # as on a file: a BEGIN that failed began nothing
                        raise
                    return Result([], None, -1, None)
                if head.startswith("COMMIT"):
                    self.pg.execute(f"SELECT pg_notify('{CHANNEL}', current_schema()); COMMIT" if self._wrote
                                    else "COMMIT")
                    self._wrote = False
                    return Result([], None, -1, None)
                statement, returning = translate(sql)
                cursor = self.pg.execute(statement, params or None)
                rows = cursor.fetchall() if cursor.description is not None else []
                if not head.startswith(("SELECT", "WITH")):
                    self._wrote = True
                lastrowid = rows[0][0] if returning and rows else None
                return Result(rows, lastrowid, cursor.rowcount, cursor.description)
            except psycopg.Error as exc:
                raise server_error(exc, self.address) from exc

    def executemany(self, sql: str, rows: Iterable[Any]) -> Result:
        statement, _ = translate(sql)
        with self.locked():
            try:
                cursor = self.pg.cursor()
                cursor.executemany(statement, list(rows))
                self._wrote = True
                return Result([], None, cursor.rowcount, None)
            except psycopg.Error as exc:
                raise server_error(exc, self.address) from exc

    @property
    def in_transaction(self) -> bool:
        return self.pg.info.transaction_status != TransactionStatus.IDLE

    def rollback_quietly(self) -> None:
        with self.locked():
            if self.in_transaction:
                try:
                    self.pg.execute("ROLLBACK")
                except psycopg.Error:
                    pass
            self._wrote = False

    def data_version(self, *, wait: bool = True) -> int | None:
        """Counts the commits of other connections to this project's schema (NOTIFY)."""
        if not self.lock.acquire(blocking=wait, timeout=self.busy_timeout_s if wait else -1):
            return None
        try:
            if self.in_transaction:
                return self._version
            try:
                if self._schema is None:
                    row = self.pg.execute("SELECT current_schema()").fetchone()
                    self._schema = row[0] if row else ""
                for note in self.pg.notifies(timeout=0):
                    if note.pid != self._pid and note.payload == self._schema:
                        self._version += 1
            except psycopg.Error as exc:
                raise server_error(exc, self.address) from exc
            return self._version
        finally:
            self.lock.release()

    def close(self) -> None:
        self.pg.close()


_registry: dict[str, PgConnection] = {}
_registry_lock = threading.Lock()


def acquire(address: ServerAddress, busy_timeout_s: float) -> tuple[PgConnection, bool]:
    """This process's connection to the project at ``address`` (made if it has none)."""
    with _registry_lock:
        shared = _registry.get(address.conninfo)
        fresh = shared is None
        if shared is None or shared.pg.closed:
            shared = PgConnection.connect(address, busy_timeout_s)
            _registry[address.conninfo] = shared
        shared.handles += 1
        return shared, fresh


def release(shared: PgConnection) -> None:
    with _registry_lock:
        shared.handles -= 1
        if shared.handles > 0:
            return
        if _registry.get(shared.address.conninfo) is shared:
            del _registry[shared.address.conninfo]
    with shared.lock:
        shared.close()
