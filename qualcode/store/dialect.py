"""Which backend's statements a connection takes: :mod:`.sqlite_sql` for a project file,
:mod:`.pg.sql` for a server project (the same names in both)."""

from __future__ import annotations

from types import ModuleType
from typing import Any

from . import sqlite_sql
from .pg import sql as pg_sql


def sql_for(conn: Any) -> ModuleType:
    """The statements for ``conn`` (a raw sqlite3 connection, of a file being upgraded, too)."""
    return sqlite_sql if getattr(conn, "dialect", "sqlite") == "sqlite" else pg_sql
