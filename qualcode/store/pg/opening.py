"""Making and opening a project on a PostgreSQL server (see :mod:`.connection` and :mod:`.schema`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from ...core.errors import UserError
from .connection import PgConnection, acquire, release
from .schema import APPLICATION, MIGRATIONS, SCHEMA_VERSION, create_script, statements
from .url import ServerAddress

if TYPE_CHECKING:
    from ...core.codebook import Codebook

P = TypeVar("P")  # the Project class (not imported: it imports this module when a URL is used)


def _schema_name(conn: PgConnection) -> str:
    row = conn.execute("SELECT current_schema()").fetchone()
    return row[0] if row and row[0] else ""


def _project_version(conn: PgConnection) -> int | None:
    """The project's schema version, or None when the schema holds no qualcode project."""
    if conn.execute("SELECT to_regclass('qualcode_schema') IS NOT NULL").fetchone()[0] is False:
        return None
    row = conn.execute("SELECT application, version FROM qualcode_schema WHERE id = 1").fetchone()
    if row is None or row[0] != APPLICATION:
        return None
    return int(row[1])


def _ensure_schema(conn: PgConnection, address: ServerAddress) -> None:
    """A schema the URL names is made when missing (the user's own ``search_path``)."""
    wanted = address.schema
    if wanted and not _schema_name(conn):
        conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{wanted.replace(chr(34), "")}"')


def prepare(address: ServerAddress, busy_timeout_s: float) -> PgConnection:
    """A connection to an empty database or schema to make a project in (released by the
    caller with :func:`release`)."""
    conn, _ = acquire(address, busy_timeout_s)
    try:
        _ensure_schema(conn, address)
        schema = _schema_name(conn)
        if not schema:
            raise UserError("the server has no schema to make the project in (check the URL's search_path)",
                            path=str(address))
        if _project_version(conn) is not None:
            raise UserError("a qualcode project is on this server already; open it, or name another "
                            "database or schema", path=str(address))
        tables = conn.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = ?",
                              (schema,)).fetchone()[0]
        if tables:
            raise UserError(f"the schema {schema} holds {tables} tables of something else; make the project in "
                            "an empty database or schema (…?options=-csearch_path%3Dmyproject)", path=str(address))
    except BaseException:
        release(conn)
        raise
    return conn


def create_tables(conn: PgConnection) -> None:
    """The project's tables, functions and triggers, inside the caller's transaction."""
    for statement in statements(create_script()):
        conn.raw.execute(statement)


def create(cls: type[P], address: ServerAddress, name: str | None, codebook: Codebook | None,
           busy_timeout_s: float) -> P:
    conn = prepare(address, busy_timeout_s)
    try:
        conn.execute("BEGIN IMMEDIATE")
        try:
            create_tables(conn)
            conn.execute("COMMIT")
        except BaseException:
            conn.rollback_quietly()
            raise
        project: Any = cls(address, conn)  # type: ignore[call-arg]
        with project.action("create project", kind="create"):
            project.init_meta(name or address.stem, codebook)
        with project.transaction():
            conn.execute("DELETE FROM actions")  # the creation itself is not something to undo
    finally:
        release(conn)
    return open_project(cls, address, busy_timeout_s)


def open_project(cls: type[P], address: ServerAddress, busy_timeout_s: float) -> P:
    conn, _ = acquire(address, busy_timeout_s)
    project: Any = cls(address, conn)  # type: ignore[call-arg]
    try:
        version = _project_version(conn)
        if version is None:
            raise UserError("no qualcode project on this server (database or schema); make one with "
                            "'qualcode init URL' or 'qualcode copy FILE URL'", path=str(address))
        if version > SCHEMA_VERSION:
            raise UserError(f"made by a newer qualcode (schema {version}, this one knows {SCHEMA_VERSION}); "
                            "upgrade qualcode", path=str(address))
        for step in range(version, SCHEMA_VERSION):
            conn.execute("BEGIN IMMEDIATE")
            try:
                for statement in statements(MIGRATIONS[step]):
                    conn.raw.execute(statement)
                conn.execute("UPDATE qualcode_schema SET version = ?", (step + 1,))
                conn.execute("COMMIT")
            except BaseException:
                conn.rollback_quietly()
                raise
    except BaseException:
        project.close()
        raise
    return project


def schema_version(conn: PgConnection) -> int:
    return _project_version(conn) or 0


__all__ = ["create", "create_tables", "open_project", "prepare", "release", "schema_version"]
