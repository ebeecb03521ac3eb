"""Errors a user can cause and fix.

The CLI prints a :class:`UserError` as one line on stderr and exits non-zero;
anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

from pathlib import Path


class UserError(Exception):
    """A mistake in the user's input: a bad file, an unknown id, a missing option.

    ``path`` and ``line`` (1-based) locate the problem where there is a place to point at.
    """

    def __init__(self, message: str, *, path: str | Path | None = None, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.path = str(path) if path is not None else None
        self.line = line

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            where = f"{self.path}:{self.line}: " if self.line is not None else f"{self.path}: "
        return f"{where}{self.message}"


class ProjectBusy(UserError):
    """Another process holds the project's write lock for longer than we wait."""


class StorageError(UserError):
    """The disk or the file failed us: full, read-only, damaged, gone.

    ``fatal`` means the open project cannot be used any more (damaged, vanished); otherwise the
    step failed, nothing of it was kept, and the next step may work (space freed, say).
    """

    def __init__(self, message: str, *, path: str | Path | None = None, fatal: bool = False):
        super().__init__(message, path=path)
        self.fatal = fatal
