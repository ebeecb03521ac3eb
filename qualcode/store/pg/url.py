"""Server project addresses: libpq URLs (``postgresql://qc@dbhost/fagdag``).

Everything else of the connection follows libpq's conventions, which psycopg passes on: a
password comes from ``PGPASSFILE`` (``~/.pgpass``) or ``PGPASSWORD``, never from qualcode; host,
port, user and ``sslmode`` from the URL, a ``service=`` in ``pg_service.conf`` or the ``PG*``
variables. qualcode never stores or prints a password: a URL is shown without one.

A project is a database's schema: the first of the connection's ``search_path`` (``public``
unless the URL says ``?options=-csearch_path%3Dstudie2``), so one database can hold several.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit, urlunsplit

SCHEMES = ("postgresql://", "postgres://")
_SEARCH_PATH = re.compile(r"-c\s*search_path\s*=\s*([^\s,]+)")


def is_server_address(text: object) -> bool:
    """Whether a project argument names a server project rather than a file."""
    return isinstance(text, str) and text.lower().startswith(SCHEMES)


def location(project: str | Path) -> Path | ServerAddress:
    """A project argument as the store takes it: a server's address, or a file's path."""
    if isinstance(project, ServerAddress):
        return project
    if is_server_address(project):
        return ServerAddress(str(project))
    return Path(project)


def working_folder(project: str | Path) -> Path:
    """Where a command run for the project starts: a file's folder; for a server project the
    current folder."""
    where = location(project)
    return Path.cwd() if isinstance(where, ServerAddress) else where.parent


def project_key(project: str | Path) -> str:
    """A project's name for settings kept per project: the file's full path, or the URL shown."""
    where = location(project)
    return str(where) if isinstance(where, ServerAddress) else str(where.resolve())


class ServerAddress(str):
    """A server project's URL as shown to people: the password, if the URL has one, left out.
    :attr:`conninfo` is the URL as given, for the driver only."""

    conninfo: str

    def __new__(cls, url: str) -> ServerAddress:
        parts = urlsplit(url)
        netloc = parts.netloc
        if "@" in netloc:
            user, host = netloc.rsplit("@", 1)
            netloc = f"{user.split(':', 1)[0]}@{host}"
        query = "&".join(p for p in parts.query.split("&") if p and not p.lower().startswith("password="))
        shown = urlunsplit((parts.scheme, netloc, parts.path, query, ""))
        self = super().__new__(cls, shown)
        self.conninfo = url
        return self

    def __format__(self, spec: str) -> str:
        """In messages (f-strings) the URL is quoted for a shell when it needs it (``?``, ``&``),
        so a hint such as ``undo with: qualcode undo URL`` can be pasted as it is; ``str()`` is
        the URL itself."""
        return shlex.quote(str(self)) if not spec else format(str(self), spec)

    @property
    def password(self) -> str | None:
        """The password the URL carries (in its user part or as ``?password=``), or None: for a
        process started for the project (as PGPASSWORD), never to be shown."""
        parts = urlsplit(self.conninfo)
        given = parse_qs(parts.query).get("password")
        if given:
            return given[-1]
        return unquote(parts.password) if parts.password else None

    @property
    def has_password(self) -> bool:
        return self.password is not None

    @property
    def database(self) -> str:
        return unquote(urlsplit(self.conninfo).path.lstrip("/")) or "postgres"

    @property
    def schema(self) -> str | None:
        """The schema the URL's options name, or None (the server's search_path: ``public``)."""
        for value in parse_qs(urlsplit(self.conninfo).query).get("options", []):
            found = _SEARCH_PATH.search(value)
            if found:
                return found.group(1).strip('"')
        return None

    @property
    def stem(self) -> str:
        """The project's short name, where a file's stem would be used."""
        return self.schema if self.schema and self.schema != "public" else self.database

    @property
    def name(self) -> str:
        return self.stem
