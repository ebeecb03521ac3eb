"""Where the open project is, as the workbench shows it and hands it to the processes it starts.

A project is a file or a PostgreSQL server's URL (:class:`~qualcode.store.pg.url.ServerAddress`,
shown without a password). A URL can be long (a socket folder, a port, options), so what is shown
is cut to fit (:func:`shown_location`). The processes the workbench starts (a report from the
palette, ``qualcode serve``'s sessions) get the URL without its password on their command line,
where anyone on the machine can read it, and the password, if the URL had one, in their
environment as ``PGPASSWORD``, which libpq reads (:func:`child_environment`).
"""

from __future__ import annotations

from pathlib import Path

from ..store.pg.url import ServerAddress

ELLIPSIS = "…"


def shown_location(project: Path | ServerAddress, width: int) -> str:
    """``project`` in at most ``width`` characters: a URL keeps its start (the server, the
    database) and loses its end (the options); a path keeps its end (the file's name)."""
    text = str(project)
    if len(text) <= width:
        return text
    if width <= 1:
        return ELLIPSIS[:width]
    if isinstance(project, ServerAddress):
        return text[: width - 1] + ELLIPSIS
    return ELLIPSIS + text[len(text) - width + 1:]


def password(project: Path | ServerAddress) -> str | None:
    """The password a server project's URL carries (in its user part or as ``?password=``), or None."""
    return project.password if isinstance(project, ServerAddress) else None


def child_environment(project: Path | ServerAddress) -> dict[str, str]:
    """What a process started for ``project`` needs in its environment besides this one's: the
    URL's password as ``PGPASSWORD`` (nothing for a file, or a URL without a password)."""
    secret = password(project)
    return {} if secret is None else {"PGPASSWORD": secret}
